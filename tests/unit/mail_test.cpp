// Email as the notification service composes it: Russian subjects and names
// as RFC 2047 encoded words, no header injection, a Message-ID from the
// notification id, text and HTML parts in base64, CRLF everywhere.

#include "notification/mail.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/base64.hpp"

namespace tabel::notification {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The text of encoded words "=?UTF-8?B?…?=" separated by CRLF SP.
std::string DecodeWords(const std::string& header) {
  std::string text;
  size_t at = 0;
  while ((at = header.find("=?UTF-8?B?", at)) != std::string::npos) {
    const size_t end = header.find("?=", at + 10);
    text += Base64Decode(header.substr(at + 10, end - at - 10)).value();
    at = end + 2;
  }
  return text;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0, end = 0;
  while ((end = text.find("\r\n", start)) != std::string::npos) {
    lines.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

// The header `name` of `message`, unfolded.
std::string Header(const std::string& message, const std::string& name) {
  const size_t at = message.find("\r\n" + name + ": ") != std::string::npos
                        ? message.find("\r\n" + name + ": ") + 2
                        : (message.rfind(name + ": ", 0) == 0 ? 0 : std::string::npos);
  if (at == std::string::npos) return {};
  std::string value;
  size_t line = at + name.size() + 2;
  while (true) {
    const size_t end = message.find("\r\n", line);
    value += message.substr(line, end - line);
    if (message.compare(end + 2, 1, " ") != 0) break;
    line = end + 2;
  }
  return value;
}

MailMessage Sample() {
  MailMessage message;
  message.message_id = MessageIdOf("0b7e6f1c-2a3d-4e5f-8a9b-0c1d2e3f4a5b", "tabel.bank.example");
  message.from = {"tabel@bank.example", "Табель"};
  message.to = {"petrov@bank.example", "Петров Иван"};
  message.subject = "Заявка одобрена";
  message.text = "Ваш отпуск с 1 по 14 декабря одобрен.\n";
  message.html = "<p>Ваш отпуск с 1 по 14 декабря <b>одобрен</b>.</p>";
  return message;
}

// 28 November 2026, 17:25 UTC.
std::chrono::system_clock::time_point Date() {
  return std::chrono::sys_days{std::chrono::November / 28 / 2026} + std::chrono::hours(17) +
         std::chrono::minutes(25);
}

TEST(Mail, ARussianSubjectIsOneEncodedWordAndAsciiStaysAsItIs) {
  EXPECT_EQ(EncodeHeaderText("Заявка одобрена"), "=?UTF-8?B?0JfQsNGP0LLQutCwINC+0LTQvtCx0YDQtdC90LA=?=");
  EXPECT_EQ(EncodeHeaderText("Leave approved"), "Leave approved");
}

TEST(Mail, ALongSubjectIsFoldedIntoWordsOf75CharactersCutBetweenLetters) {
  std::string subject;
  for (int i = 0; i < 9; ++i) subject += "Отпуск ";  // 117 bytes
  const std::string encoded = EncodeHeaderText(subject);
  const std::vector<std::string> words = Lines(encoded + "\r\n");
  ASSERT_EQ(words.size(), 3U);
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string word = i == 0 ? words[i] : words[i].substr(1);
    if (i > 0) {
      EXPECT_EQ(words[i][0], ' ');
    }
    EXPECT_LE(word.size(), 75U) << word;
    // Each word holds whole letters: none starts inside one.
    const std::string bytes = DecodeWords(word);
    ASSERT_FALSE(bytes.empty());
    EXPECT_NE(static_cast<unsigned char>(bytes.front()) & 0xC0, 0x80) << i;
  }
  EXPECT_EQ(DecodeWords(encoded), subject);
}

TEST(Mail, NoHeaderCanBeInjected) {
  EXPECT_EQ(EncodeHeaderText("Hi\r\nBcc: all@bank.example"), "Hi  Bcc: all@bank.example");
  MailMessage message = Sample();
  message.subject = "Отпуск\r\nBcc: all@bank.example";
  message.to.name = "Evil\"\r\nBcc: x";
  const std::string text = ComposeMessage(message, Date());
  // Bcc stays text inside the header it came with: no line of its own.
  for (const std::string& line : Lines(text)) EXPECT_FALSE(line.starts_with("Bcc")) << line;
  EXPECT_EQ(Header(text, "To"), "\"Evil\\\"  Bcc: x\" <petrov@bank.example>");
}

TEST(Mail, AMessageHasItsHeadersAndATextAndAnHtmlPart) {
  const std::string text = ComposeMessage(Sample(), Date());
  EXPECT_THAT(text, Not(HasSubstr("\n\n")));  // every line ends with CRLF
  for (size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 1)) {
    ASSERT_EQ(text[at - 1], '\r') << at;
  }
  EXPECT_EQ(Header(text, "Date"), "Sat, 28 Nov 2026 17:25:00 +0000");
  EXPECT_EQ(Header(text, "Message-ID"), "<0b7e6f1c-2a3d-4e5f-8a9b-0c1d2e3f4a5b@tabel.bank.example>");
  EXPECT_EQ(DecodeWords(Header(text, "Subject")), "Заявка одобрена");
  EXPECT_EQ(DecodeWords(Header(text, "From")), "Табель");
  EXPECT_THAT(Header(text, "From"), HasSubstr(" <tabel@bank.example>"));
  EXPECT_THAT(Header(text, "To"), HasSubstr(" <petrov@bank.example>"));
  EXPECT_EQ(Header(text, "MIME-Version"), "1.0");
  EXPECT_EQ(Header(text, "List-Unsubscribe"), "");
  const std::string type = Header(text, "Content-Type");
  ASSERT_THAT(type, HasSubstr("multipart/alternative; boundary=\""));
  const std::string boundary = type.substr(type.find('"') + 1, type.rfind('"') - type.find('"') - 1);

  // Two parts between the boundaries, each base64 of UTF-8 in lines of at most 76.
  std::vector<std::string> parts;
  for (size_t at = text.find("--" + boundary + "\r\n"); at != std::string::npos;
       at = text.find("--" + boundary + "\r\n", at + 1)) {
    const size_t body = text.find("\r\n\r\n", at) + 4;
    const size_t end = text.find("\r\n--" + boundary, body);
    std::string encoded;
    for (const std::string& line : Lines(text.substr(body, end - body + 2))) {
      EXPECT_LE(line.size(), 76U);
      encoded += line;
    }
    EXPECT_THAT(text.substr(at, body - at), HasSubstr("charset=utf-8\r\nContent-Transfer-Encoding: base64"));
    parts.push_back(Base64Decode(encoded).value());
  }
  ASSERT_EQ(parts.size(), 2U);
  EXPECT_EQ(parts[0], Sample().text);
  EXPECT_EQ(parts[1], Sample().html);
  EXPECT_TRUE(text.ends_with("--" + boundary + "--\r\n"));
}

TEST(Mail, AnOptionalMailCarriesItsUnsubscribeLinkAndPlainTextNeedsNoParts) {
  MailMessage message = Sample();
  message.html.clear();
  message.unsubscribe_url = "https://tabel.bank.example/unsubscribe/abc";
  const std::string text = ComposeMessage(message, Date());
  EXPECT_EQ(Header(text, "List-Unsubscribe"), "<https://tabel.bank.example/unsubscribe/abc>");
  EXPECT_EQ(Header(text, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
  EXPECT_EQ(Header(text, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_THAT(text, Not(HasSubstr("multipart")));
}

}  // namespace
}  // namespace tabel::notification
