// Sending email: to the SMTP sink scripts/test starts (TABEL_TEST_SMTP_URL,
// a Maildir at TABEL_TEST_SMTP_MAILBOX), to a server that is not there, and
// into a folder of .eml files.

#include "notification/mail.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "common/error.hpp"
#include "common/uuid.hpp"
#include "support/loopback.hpp"
#include "support/tcp_proxy.hpp"

namespace tabel::notification {
namespace {

using ::testing::HasSubstr;

MailMessage Message() {
  MailMessage message;
  message.message_id = MessageIdOf(NewUuid(), "tabel.test");
  message.from = {"tabel@bank.example", "Табель"};
  message.to = {"petrov@bank.example", "Петров Иван"};
  message.subject = "Заявка одобрена";
  message.text = "Ваш отпуск одобрен.";
  message.html = "<p>Ваш отпуск одобрен.</p>";
  return message;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The received message holding `needle`, or "".
std::string Received(const std::filesystem::path& mailbox, const std::string& needle) {
  if (!std::filesystem::exists(mailbox / "new")) return {};
  for (const auto& entry : std::filesystem::directory_iterator(mailbox / "new")) {
    std::string text = ReadFile(entry.path());
    if (text.find(needle) != std::string::npos) return text;
  }
  return {};
}

TEST(Mail, TheSmtpServerReceivesTheMessageAsComposed) {
  const char* url = std::getenv("TABEL_TEST_SMTP_URL");
  const char* mailbox = std::getenv("TABEL_TEST_SMTP_MAILBOX");
  ASSERT_TRUE(url != nullptr && mailbox != nullptr) << "run through scripts/test, which starts the SMTP sink";
  const MailMessage message = Message();
  SmtpMailer({.url = url}).Send(message);
  const std::string received = Received(mailbox, message.message_id);
  ASSERT_FALSE(received.empty()) << "no message " << message.message_id << " in " << mailbox;
  EXPECT_THAT(received, HasSubstr("Subject: =?UTF-8?B?0JfQsNGP0LLQutCwINC+0LTQvtCx0YDQtdC90LA=?="));
  EXPECT_THAT(received, HasSubstr("Message-ID: <" + message.message_id + ">"));
  EXPECT_THAT(received, HasSubstr("multipart/alternative"));
}

// One SMTP session serves many mails; when the server drops it (a proxy in
// front of the sink cut), the next mail opens a new one.
TEST(Mail, OpenConnectionsAreReusedAndReopenedWhenTheServerDropsThem) {
  const char* url = std::getenv("TABEL_TEST_SMTP_URL");
  const char* mailbox = std::getenv("TABEL_TEST_SMTP_MAILBOX");
  ASSERT_TRUE(url != nullptr && mailbox != nullptr) << "run through scripts/test, which starts the SMTP sink";
  const std::string text = url;
  testing::TcpProxy proxy(static_cast<uint16_t>(std::stoi(text.substr(text.rfind(':') + 1))));
  proxy.Start();
  SmtpMailer mailer({.url = "smtp://127.0.0.1:" + std::to_string(proxy.port())});
  std::vector<std::string> sent;
  for (int i = 0; i < 5; ++i) {
    const MailMessage message = Message();
    mailer.Send(message);
    sent.push_back(message.message_id);
  }
  proxy.Stop();  // closes the kept connection
  proxy.Start(proxy.port());
  const MailMessage after = Message();
  mailer.Send(after);
  sent.push_back(after.message_id);
  for (const std::string& id : sent) EXPECT_FALSE(Received(mailbox, id).empty()) << id;
}

TEST(Mail, AServerThatIsNotThereIsUnavailableSoon) {
  const uint16_t port = testing::ClosedPort();
  const auto started = std::chrono::steady_clock::now();
  std::optional<ErrorKind> failure;
  try {
    SmtpMailer(
        {.url = "smtp://127.0.0.1:" + std::to_string(port), .connect_timeout = std::chrono::seconds(2)})
        .Send(Message());
  } catch (const Error& error) {
    failure = error.kind();
  }
  EXPECT_EQ(failure, ErrorKind::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(Mail, WithoutSmtpEachMessageIsOneEmlFile) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("tabel-mail-" + NewUuid());
  MailDirMailer mailer(dir / "mail");
  const MailMessage message = Message();
  mailer.Send(message);
  mailer.Send(message);  // the same notification again: the same file
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "mail")) files.push_back(entry.path());
  ASSERT_EQ(files.size(), 1U);
  EXPECT_EQ(files[0].filename(), message.message_id + ".eml");
  EXPECT_THAT(ReadFile(files[0]), HasSubstr("Message-ID: <" + message.message_id + ">"));

  MailMessage odd = Message();
  odd.message_id = "../../etc/passwd";
  mailer.Send(odd);
  EXPECT_TRUE(std::filesystem::exists(dir / "mail" / "m.._.._etc_passwd.eml"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tabel::notification
