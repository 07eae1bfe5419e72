// Faults while 2,000 notifications are mailed, against the real servers
// scripts/test starts (PostgreSQL; the SMTP sink's Maildir at
// TABEL_TEST_SMTP_MAILBOX): the `tabel worker` process is killed with
// SIGKILL twice in the middle and started again, and the mail server goes
// away for a while (a proxy in front of it is cut). Afterwards every
// notification was mailed, nothing is stuck or dead, and the mails sent
// twice — those the server took just before a kill, whose send was not yet
// recorded — are counted, reported and bounded by kills × consumer threads.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/db/transaction.hpp"
#include "support/days.hpp"
#include "support/demo_server.hpp"
#include "support/tcp_proxy.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;

constexpr int kNotifications = 2000;
constexpr int kConsumerThreads = 4;
constexpr int kKills = 2;

class PostgresOnlyNotificationFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("TABEL_TEST_SMTP_URL");
    const char* mailbox = std::getenv("TABEL_TEST_SMTP_MAILBOX");
    ASSERT_TRUE(url != nullptr && mailbox != nullptr)
        << "run through scripts/test, which starts the SMTP sink";
    std::smatch match;
    const std::string text = url;
    ASSERT_TRUE(std::regex_search(text, match, std::regex(":(\\d+)$"))) << url;
    proxy_ = std::make_unique<TcpProxy>(static_cast<uint16_t>(std::stoi(match[1])));
    proxy_->Start();
    mailbox_ = mailbox;
    domain_ =
        "faults" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + ".test";
    // The embedded queue, whose tasks a killed worker leaves in the database.
    env_ = {{"TABEL_SMTP_URL", "smtp://127.0.0.1:" + std::to_string(proxy_->port())},
            {"TABEL_MAIL_FROM", "tabel@" + domain_},
            {"TABEL_AMQP_URL", ""}};
    std::map<std::string, std::string> api = env_;
    api["TABEL_WORKER_THREADS"] = "0";  // the API process only relays
    server_ = std::make_unique<DemoServer>(api);
    env_["TABEL_DATABASE_URL"] = server_->database().url();
    env_["TABEL_WORKER_THREADS"] = std::to_string(kConsumerThreads);
    env_["TABEL_HTTP_PORT"] = "0";
    database_ = server_->database().MakeDatabase(1);
  }

  void StartWorker() { worker_ = std::make_unique<TabelProcess>(std::vector<std::string>{"worker"}, env_); }

  void KillWorker() {
    ASSERT_TRUE(worker_->Stop(SIGKILL, std::chrono::seconds(10)).has_value());
    worker_.reset();
  }

  long long Count(const std::string& sql) {
    return db::WithSession(*database_, [&](soci::session& session) {
      long long count = 0;
      session << sql, soci::into(count);
      return count;
    });
  }

  // The mails of this test's letters recorded sent (the daily reminders at
  // start may tell the heads of the month's closing besides).
  long long Sent() {
    return Count("SELECT COUNT(*) FROM notifications WHERE mail_status = 'sent' AND " + kLetters);
  }

  // Waits (up to `timeout`) until no task is queued or running.
  bool WaitForQueuesDone(std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Count("SELECT COUNT(*) FROM task_queue WHERE status <> 'done'") == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  const std::string kLetters = "event = 'resignation_letter.needs_corrections'";

  // Waits (up to `timeout`) until at least `count` mails were recorded sent.
  bool WaitForSent(long long count, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Sent() >= count) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // Received messages of this test, by Message-ID.
  std::map<std::string, int> Received() {
    std::map<std::string, int> received;
    const std::regex message_id("Message-ID: <([0-9]+@" +
                                std::regex_replace(domain_, std::regex("\\."), "\\.") + ")>");
    for (const auto& entry : std::filesystem::directory_iterator(mailbox_ / "new")) {
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      std::smatch match;
      if (std::regex_search(text, match, message_id)) ++received[match[1]];
    }
    return received;
  }

  std::unique_ptr<TcpProxy> proxy_;
  std::filesystem::path mailbox_;
  std::string domain_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<DemoServer> server_;
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<TabelProcess> worker_;
};

TEST_F(PostgresOnlyNotificationFaults, EveryMailArrivesAfterKillsAndAMailServerOutage) {
  // 2,000 letters needing corrections, of the 14 people of the demo company:
  // each an event of its own, each always mailed.
  db::WithWriteTransaction(*database_, [&](soci::session& session) {
    const bus::Outbox outbox(SystemClock());
    for (int i = 0; i < kNotifications; ++i) {
      outbox.Add(session, {.topic = "resignation_letter.needs_corrections",
                           .payload = json{{"letter_id", i + 1},
                                           {"author_employee_id", 1 + i % 14},
                                           {"received_on", Day(0)},
                                           {"problems", {"Нет подписи"}}}
                                          .dump()});
    }
  });
  StartWorker();
  ASSERT_TRUE(WaitForSent(300, std::chrono::seconds(120)));
  KillWorker();
  StartWorker();
  ASSERT_TRUE(WaitForSent(Sent() + 300, std::chrono::seconds(180)));
  proxy_->Stop();  // the mail server refuses connections for a while
  std::this_thread::sleep_for(std::chrono::seconds(3));
  proxy_->Start(proxy_->port());
  ASSERT_TRUE(WaitForSent(Sent() + 300, std::chrono::seconds(180)));
  KillWorker();
  StartWorker();
  // A killed worker's tasks come back when their lease (60 s) passes.
  ASSERT_TRUE(WaitForSent(kNotifications, std::chrono::seconds(300)))
      << Sent() << " of " << kNotifications << " mails sent";

  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE " + kLetters), kNotifications);
  // Nothing stuck: the tasks a killed worker held and had finished come
  // back after their lease and find their mail sent.
  EXPECT_TRUE(WaitForQueuesDone(std::chrono::seconds(120)))
      << Count("SELECT COUNT(*) FROM task_queue WHERE status <> 'done'") << " tasks not done";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE mail_status <> 'sent'"), 0);
  // Every letter's mail arrived: one Message-ID per notification.
  std::set<std::string> letters;
  db::WithSession(*database_, [&](soci::session& session) {
    long long id = 0;
    soci::statement statement =
        (session.prepare << "SELECT id FROM notifications WHERE " + kLetters, soci::into(id));
    statement.execute(false);
    while (statement.fetch()) letters.insert(std::to_string(id) + "@" + domain_);
  });
  const std::map<std::string, int> received = Received();
  int duplicates = 0, arrived = 0;
  for (const std::string& id : letters) {
    const auto it = received.find(id);
    if (it == received.end()) continue;
    ++arrived;
    duplicates += it->second - 1;
  }
  EXPECT_EQ(arrived, kNotifications) << "every notification's mail arrived";
  std::cout << "notification faults: " << kNotifications << " mails, " << kKills << " kills of a worker with "
            << kConsumerThreads << " consumer threads, one mail-server outage: " << duplicates
            << " sent twice\n";
  RecordProperty("duplicates", duplicates);
  EXPECT_LE(duplicates, kKills * kConsumerThreads);
}

}  // namespace
}  // namespace tabel::testing
