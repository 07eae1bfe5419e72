// Faults while 2,000 notifications are mailed, against the real servers
// scripts/test starts (PostgreSQL; the SMTP sink's Maildir at
// TABEL_TEST_SMTP_MAILBOX). On the embedded queue the `tabel worker` process
// is killed with SIGKILL twice in the middle and started again, and the mail
// server goes away for a while (a proxy in front of it is cut). On RabbitMQ
// the broker itself is restarted (TABEL_TEST_RABBITMQ_RESTART: a clean
// shutdown and a new node on the same data) while the letters are still
// being written, relayed and mailed, and the worker is killed once. Afterwards
// every notification was mailed, nothing is stuck or dead, and the mails sent
// twice — those the server took just before a kill, whose send was not yet
// recorded — are counted, reported and bounded by faults × consumer threads.
// The broker's restart is felt by every process using it: scripts/test runs
// the functional suites one at a time.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/db/transaction.hpp"
#include "support/days.hpp"
#include "support/demo_server.hpp"
#include "support/eventually.hpp"
#include "support/mailbox.hpp"
#include "support/tabel_process.hpp"
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
  }

  // Starts the API process, which only relays, and prepares the worker's
  // settings: on RabbitMQ at `amqp_url`, or on the embedded queue ("").
  void StartApi(const std::string& amqp_url) {
    env_ = {{"TABEL_SMTP_URL", "smtp://127.0.0.1:" + std::to_string(proxy_->port())},
            {"TABEL_MAIL_FROM", "tabel@" + domain_},
            {"TABEL_AMQP_URL", amqp_url}};
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

  // Letters [first, first + count) needing corrections, of the 14 people of
  // the demo company: each an event of its own, each always mailed.
  void AddLetters(int first, int count) {
    db::WithWriteTransaction(*database_, [&](soci::session& session) {
      const bus::Outbox outbox(SystemClock());
      for (int i = first; i < first + count; ++i) {
        outbox.Add(session, {.topic = "resignation_letter.needs_corrections",
                             .payload = json{{"letter_id", i + 1},
                                             {"author_employee_id", 1 + i % 14},
                                             {"received_on", Day(0)},
                                             {"problems", {"Нет подписи"}}}
                                            .dump()});
      }
    });
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
    return Eventually([&] { return Count("SELECT COUNT(*) FROM task_queue WHERE status <> 'done'") == 0; },
                      timeout, std::chrono::milliseconds(200));
  }

  const std::string kLetters = "event = 'resignation_letter.needs_corrections'";

  // Waits (up to `timeout`) until at least `count` mails were recorded sent.
  bool WaitForSent(long long count, std::chrono::seconds timeout) {
    return Eventually([&] { return Sent() >= count; }, timeout, std::chrono::milliseconds(100));
  }

  // Checks that every letter's mail was recorded sent and arrived, by
  // Message-ID; returns how many arrived more than once.
  int CheckEveryMailArrived() {
    EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE " + kLetters), kNotifications);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE mail_status <> 'sent'"), 0);
    std::set<int64_t> letters;
    db::WithSession(*database_, [&](soci::session& session) {
      long long id = 0;
      soci::statement statement =
          (session.prepare << "SELECT id FROM notifications WHERE " + kLetters, soci::into(id));
      statement.execute(false);
      while (statement.fetch()) letters.insert(id);
    });
    const auto [arrived, duplicates] = ArrivalsOf(mailbox_, domain_, letters);
    EXPECT_EQ(arrived, kNotifications) << "every notification's mail arrived";
    return duplicates;
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
  // The embedded queue, whose tasks a killed worker leaves in the database.
  StartApi("");
  AddLetters(0, kNotifications);
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

  // Nothing stuck: the tasks a killed worker held and had finished come
  // back after their lease and find their mail sent.
  EXPECT_TRUE(WaitForQueuesDone(std::chrono::seconds(120)))
      << Count("SELECT COUNT(*) FROM task_queue WHERE status <> 'done'") << " tasks not done";
  const int duplicates = CheckEveryMailArrived();
  std::cout << "notification faults: " << kNotifications << " mails, " << kKills << " kills of a worker with "
            << kConsumerThreads << " consumer threads, one mail-server outage: " << duplicates
            << " sent twice\n";
  RecordProperty("duplicates", duplicates);
  EXPECT_LE(duplicates, kKills * kConsumerThreads);
}

// The broker's queues of this test (the names TabelProcess gives them) that
// still hold messages, ready or unacknowledged, as "name=count" lines; read
// with rabbitmqctl (TABEL_TEST_RABBITMQ_CTL). "?" when it failed.
std::string BusyQueues(const std::string& prefix) {
  const char* ctl = std::getenv("TABEL_TEST_RABBITMQ_CTL");
  if (ctl == nullptr) return "?";
  const std::string command = std::string(ctl) + " list_queues -q --no-table-headers name messages 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "?";
  std::string output;
  char chunk[4096];
  while (size_t n = std::fread(chunk, 1, sizeof chunk, pipe)) output.append(chunk, n);
  if (::pclose(pipe) != 0) return "? " + output;
  std::istringstream lines(output);
  std::string name, busy;
  long long messages = 0;
  while (lines >> name >> messages) {
    if (name.rfind(prefix + ".", 0) == 0 && messages != 0)
      busy += name + "=" + std::to_string(messages) + "\n";
  }
  return busy;
}

TEST_F(PostgresOnlyNotificationFaults, EveryMailArrivesOnRabbitMqAfterABrokerRestartAndAKill) {
  const char* amqp_url = std::getenv("TABEL_TEST_AMQP_URL");
  const char* restart = std::getenv("TABEL_TEST_RABBITMQ_RESTART");
  ASSERT_TRUE(amqp_url != nullptr && restart != nullptr && std::getenv("TABEL_TEST_RABBITMQ_CTL") != nullptr)
      << "run through scripts/test, which starts RabbitMQ";
  StartApi(amqp_url);
  const std::string prefix = AmqpPrefixOf(server_->database().url());
  StartWorker();
  // The letters come in batches while the worker mails, so that the broker
  // goes away with the relays publishing (letters, then the mails the
  // events consumer writes to the outbox) and the consumers running.
  constexpr int kBatch = 50;
  std::atomic<int> added{0};
  std::thread feeder([&] {
    while (added < kNotifications) {
      AddLetters(added, kBatch);
      added += kBatch;
      std::this_thread::sleep_for(std::chrono::milliseconds(750));
    }
  });
  struct JoinFeeder {
    std::thread& thread;
    ~JoinFeeder() { thread.join(); }
  } join_feeder{feeder};

  const auto started = std::chrono::steady_clock::now();
  const auto seconds = [&] {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
        .count();
  };
  ASSERT_TRUE(WaitForSent(50, std::chrono::seconds(120)));
  const long long sent_before = Sent();
  const int added_before = added;
  const long long restarted_at = seconds();
  const long long unpublished_before = Count("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL");
  // Down for 3 s besides the stop and the start: the relays' and
  // consumers' connections are closed, new ones refused, and the queues
  // come back from disk with the messages no consumer had acked.
  ASSERT_EQ(std::system((std::string(restart) + " 3").c_str()), 0) << "the broker did not come back";
  std::cout << "broker restarted at " << restarted_at << " s (back at " << seconds() << " s) with "
            << sent_before << " mails sent, " << added_before << " letters written, " << unpublished_before
            << " outbox messages waiting\n";
  ASSERT_TRUE(WaitForSent(Sent() + 300, std::chrono::seconds(180)));
  std::cout << "worker killed at " << seconds() << " s with " << Sent() << " mails sent\n";
  KillWorker();
  StartWorker();
  ASSERT_TRUE(WaitForSent(kNotifications, std::chrono::seconds(300)))
      << Sent() << " of " << kNotifications << " mails sent";
  std::cout << "every mail sent at " << seconds() << " s\n";

  // Nothing stuck: every event published (the next daily reminder waits for
  // its hour; the last are marked when the broker confirms them, which may
  // come after their mails were sent), and the broker's queues of this test
  // drain — the work queues, the delay queues of retries, the dead letters.
  const auto unpublished = [&] {
    return Count("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL AND topic <> 'notification.daily'");
  };
  long long waiting = -1;
  std::string busy;
  Eventually(
      [&] {
        waiting = unpublished();
        busy = BusyQueues(prefix);
        return waiting == 0 && busy.empty();
      },
      std::chrono::seconds(90), std::chrono::seconds(2));
  EXPECT_EQ(waiting, 0) << "outbox messages never published";
  EXPECT_EQ(busy, "") << "queues of " << prefix << " still holding messages";
  const int duplicates = CheckEveryMailArrived();
  constexpr int kFaults = 2;  // the broker's restart and the worker's kill
  std::cout << "notification faults on RabbitMQ: " << kNotifications
            << " mails, a broker restart and a kill of a worker with " << kConsumerThreads
            << " consumer threads: " << duplicates << " sent twice\n";
  RecordProperty("duplicates", duplicates);
  EXPECT_LE(duplicates, kFaults * kConsumerThreads);
}

}  // namespace
}  // namespace tabel::testing
