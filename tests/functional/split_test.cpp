// The six services running apart under load, with two replicas of each and
// two workers behind the proxy: a replica and a worker killed (SIGKILL) in
// the middle fail no request but those the killed replica was answering,
// and lose no notification. PostgreSQL pass only: it needs the broker, the
// cache and the SMTP sink of scripts/test.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "infra/db/database.hpp"
#include "infra/db/transaction.hpp"
#include "support/days.hpp"
#include "support/demo_server.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/mailbox.hpp"
#include "support/split_deployment.hpp"
#include "support/test_database.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kReaders = 4;
constexpr auto kBeforeKill = std::chrono::seconds(4);
constexpr auto kAfterKill = std::chrono::seconds(6);

std::string Setting(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') throw std::runtime_error(std::string(name) + " is not set");
  return value;
}

struct Failure {
  std::string what;
  Clock::time_point started;
};

TEST(PostgresOnlySplit, AKilledReplicaAndWorkerFailOnlyTheRequestsInFlightAndLoseNoNotification) {
  TestDatabase database;
  const std::string domain =
      "split" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + ".test";
  const std::filesystem::path mailbox = Setting("TABEL_TEST_SMTP_MAILBOX");
  SplitDeployment split({{"TABEL_DATABASE_URL", database.url()},
                         {"TABEL_DEMO_PASSWORD", kDemoPassword},
                         {"TABEL_JWT_SECRET", "functional-tests-secret-of-at-least-32-bytes"},
                         {"TABEL_AMQP_URL", Setting("TABEL_TEST_AMQP_URL")},
                         {"TABEL_REDIS_URL", Setting("TABEL_TEST_REDIS_URL")},
                         {"TABEL_SMTP_URL", Setting("TABEL_TEST_SMTP_URL")},
                         {"TABEL_MAIL_FROM", "tabel@" + domain}},
                        {.replicas = 2, .workers = 2, .first_args = {"--demo"}});
  std::map<std::string, std::string> tokens;
  for (const std::string login : {"employee", "manager"}) {
    const HttpResponse response = Send(split.port(), "POST", "/api/v1/auth/login",
                                       json{{"login", login}, {"password", kDemoPassword}}.dump());
    ASSERT_EQ(response.status, 200) << response.body;
    tokens[login] = "Bearer " + json::parse(response.body).at("access_token").get<std::string>();
  }
  const int64_t employee =
      json::parse(Get(split.port(), "/api/v1/me", {{"Authorization", tokens["employee"]}}).body)
          .at("employee_id")
          .get<int64_t>();
  // Reads of every service, round robin.
  const std::vector<std::pair<std::string, std::string>> reads = {
      {"employee", "/api/v1/me"},
      {"manager", "/api/v1/employees/" + std::to_string(employee)},
      {"employee", "/api/v1/requests?limit=5"},
      {"manager", "/api/v1/calendar/away"},
      {"employee", "/api/v1/notifications/unread-count"},
      {"employee", "/api/v1/employees/" + std::to_string(employee) + "/timesheet/" + Day(0).substr(0, 7)},
      {"manager", "/api/v1/approvals"}};

  std::atomic<bool> stop{false};
  std::atomic<int> requests{0}, created{0};
  std::mutex mutex;
  std::vector<Failure> failures;  // guarded by mutex
  const auto call = [&](const std::string& method, const std::string& target, const std::string& token,
                        const std::string& body) -> int {
    const Clock::time_point started = Clock::now();
    ++requests;
    std::string what;
    int status = 0;
    try {
      std::map<std::string, std::string> headers = {{"Authorization", token}};
      if (!body.empty()) headers["Content-Type"] = "application/json";
      status = Connection(split.port()).Request(method, target, body, headers).status;
      if (status >= 500) what = std::to_string(status);
    } catch (const std::runtime_error& error) {
      what = error.what();
    }
    if (!what.empty()) {
      const std::lock_guard lock(mutex);
      failures.push_back({method + " " + target + ": " + what, started});
    }
    return status;
  };
  std::vector<std::thread> clients;
  for (int i = 0; i < kReaders; ++i) {
    clients.emplace_back([&, i] {
      for (size_t n = static_cast<size_t>(i); !stop; ++n) {
        const auto& [login, target] = reads[n % reads.size()];
        const int status = call("GET", target, tokens[login], "");
        EXPECT_TRUE(status == 0 || status == 200 || status >= 500) << target << " -> " << status;
      }
    });
  }
  // A few writes, each a notification (and a mail) to the manager.
  clients.emplace_back([&] {
    for (int day = 10; !stop; ++day) {
      const json body = {
          {"type", "remote_day"}, {"start_date", Day(day)}, {"end_date", Day(day)}, {"submit", true}};
      if (call("POST", "/api/v1/requests", tokens["employee"], body.dump()) == 201) ++created;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  std::this_thread::sleep_for(kBeforeKill);
  ASSERT_TRUE(split.Replica("management", 0).Stop(SIGKILL, std::chrono::seconds(5)).has_value());
  const Clock::time_point killed = Clock::now();  // the replica is gone
  ASSERT_TRUE(split.Worker(0).Stop(SIGKILL, std::chrono::seconds(5)).has_value());
  std::this_thread::sleep_for(kAfterKill);
  stop = true;
  for (std::thread& client : clients) client.join();

  // Only requests sent before the kill may fail: those the killed replica
  // held (one per client at most). A refused connection is the proxy's to
  // send elsewhere.
  for (const Failure& failure : failures) {
    EXPECT_LT(failure.started, killed) << "failed after the kill: " << failure.what;
  }
  EXPECT_LE(failures.size(), static_cast<size_t>(kReaders + 1));
  EXPECT_GT(created.load(), 10);
  std::cout << "[ info ] " << requests << " requests, " << created << " requests created, " << failures.size()
            << " failed (in flight on the killed replica)\n";
  for (const Failure& failure : failures) std::cout << "[ info ]   " << failure.what << "\n";

  // Every request that was created (those whose answer was lost included)
  // told the manager, and his mail arrived.
  const std::unique_ptr<db::Database> rows = database.MakeDatabase(1);
  const auto count = [&](const std::string& sql) {
    return db::WithSession(*rows, [&](soci::session& session) {
      long long value = 0;
      session << sql, soci::into(value);
      return value;
    });
  };
  const long long submitted =
      count("SELECT COUNT(*) FROM requests WHERE type = 'remote_day' AND employee_id = " +
            std::to_string(employee));
  EXPECT_GE(submitted, created.load());
  const std::string told =
      "SELECT COUNT(DISTINCT n.request_id) FROM notifications n JOIN requests r ON r.id = n.request_id "
      "WHERE n.event = 'request.submitted' AND n.mail_status = 'sent' AND r.type = 'remote_day'";
  Eventually([&] { return count(told) >= submitted; }, std::chrono::seconds(30),
             std::chrono::milliseconds(200));
  EXPECT_EQ(count(told), submitted);
  std::set<int64_t> expected;
  db::WithSession(*rows, [&](soci::session& session) {
    long long id = 0;
    soci::statement statement =
        (session.prepare << "SELECT id FROM notifications WHERE event = 'request.submitted'", soci::into(id));
    statement.execute(false);
    while (statement.fetch()) expected.insert(id);
  });
  const auto [arrived, duplicates] = ArrivalsOf(mailbox, domain, expected);
  EXPECT_EQ(arrived, static_cast<int>(expected.size())) << "every notification's mail arrived";
  std::cout << "[ info ] " << expected.size() << " notifications mailed, " << duplicates
            << " mails arrived twice\n";
}

}  // namespace
}  // namespace tabel::testing
