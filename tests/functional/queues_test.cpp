// The queues for an operator over HTTP: the depth of every queue and the
// outbox lag, a poison message in the dead letters with its error, and its
// replay once what it needed exists — audited. On the embedded queue, and on
// RabbitMQ in the PostgreSQL pass (TABEL_TEST_TRANSPORT=amqp); a broker that
// is down answers 503.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/db/transaction.hpp"
#include "support/days.hpp"
#include "support/demo_server.hpp"
#include "support/eventually.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class Queues : public ::testing::Test {
 protected:
  HttpResponse Call(const std::string& login, const std::string& method, const std::string& target,
                    const std::string& body = "") {
    return server_.Call(login, method, target, body);
  }

  json DeadLetters() {
    const HttpResponse response =
        Call("admin", "GET", "/api/v1/admin/dead-letters?queue=notification.events");
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body).at("items");
  }

  // What GET /api/v1/admin/queues must say the transport is.
  static std::string Transport() {
    const char* transport = std::getenv("TABEL_TEST_TRANSPORT");
    return transport != nullptr && std::string(transport) == "amqp" ? "rabbitmq" : "embedded";
  }

  DemoServer server_;
};

TEST_F(Queues, APoisonMessageIsADeadLetterUntilReplayed) {
  // An approval of request 1 before there is any request: it cannot be told.
  {
    auto database = server_.database().MakeDatabase(1);
    db::WithWriteTransaction(*database, [&](soci::session& session) {
      bus::Outbox(SystemClock())
          .Add(session,
               {.topic = "request.approved",
                .payload = json{{"request_id", 1}, {"employee_id", 4}, {"status", "approved"}}.dump(),
                .id = "poison-1"});
    });
  }
  ASSERT_TRUE(Eventually([&] { return DeadLetters().size() == 1; }));
  const json dead = DeadLetters().at(0);
  EXPECT_EQ(dead.at("message_id"), "poison-1");
  EXPECT_EQ(dead.at("topic"), "request.approved");
  EXPECT_EQ(dead.at("queue"), "notification.events");
  EXPECT_EQ(dead.at("status"), "dead");
  EXPECT_EQ(dead.at("attempts"), 1);
  EXPECT_THAT(dead.at("last_error").get<std::string>(), HasSubstr("no request 1"));
  EXPECT_EQ(json::parse(dead.at("payload").get<std::string>()).at("request_id"), 1);
  // Listing took nothing away.
  EXPECT_EQ(DeadLetters().size(), 1U);

  const HttpResponse overview = Call("admin", "GET", "/api/v1/admin/queues");
  ASSERT_EQ(overview.status, 200) << overview.body;
  const json body = json::parse(overview.body);
  EXPECT_EQ(body.at("transport"), Transport());
  EXPECT_TRUE(body.at("outbox").contains("oldest_due_seconds"));
  bool found = false;
  for (const json& queue : body.at("queues")) {
    if (queue.at("name") != "notification.events") continue;
    found = true;
    EXPECT_EQ(queue.at("dead"), 1);
    EXPECT_EQ(queue.at("queued"), 0);
    EXPECT_THAT(queue.at("topics"), ::testing::Contains("request.approved"));
    if (Transport() == "rabbitmq") {
      // The broker cannot tell what its consumers hold or have finished.
      EXPECT_TRUE(queue.at("running").is_null());
      EXPECT_TRUE(queue.at("done").is_null());
      EXPECT_EQ(queue.at("retrying"), 0);
      EXPECT_GE(queue.at("consumers").get<int>(), 1);
    } else {
      EXPECT_EQ(queue.at("running"), 0);
      EXPECT_TRUE(queue.at("retrying").is_null());
      EXPECT_TRUE(queue.at("consumers").is_null());
    }
  }
  EXPECT_TRUE(found) << body.dump();

  // Request 1 exists now; the replay tells its employee.
  const HttpResponse created =
      Call("employee", "POST", "/api/v1/requests",
           json{{"type", "vacation"}, {"start_date", InFarYear("03-02")}, {"end_date", InFarYear("03-15")}}
               .dump());
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_EQ(json::parse(created.body).at("id"), 1);
  const HttpResponse replayed =
      Call("admin", "POST", "/api/v1/admin/dead-letters/" + dead.at("id").get<std::string>() + "/replay");
  ASSERT_EQ(replayed.status, 200) << replayed.body;
  EXPECT_EQ(json::parse(replayed.body).at("id"), dead.at("id"));
  EXPECT_EQ(json::parse(replayed.body).at("status"), "queued");
  EXPECT_EQ(json::parse(replayed.body).at("attempts"), 0);
  EXPECT_TRUE(Eventually([&] {
    const json feed = json::parse(Call("employee", "GET", "/api/v1/notifications").body);
    for (const json& item : feed.at("items")) {
      if (item.at("event") == "request.approved") return true;
    }
    return false;
  }));
  EXPECT_TRUE(Eventually([&] { return DeadLetters().empty(); }));
  // Replayed once: it is no longer there to replay.
  EXPECT_EQ(
      Call("admin", "POST", "/api/v1/admin/dead-letters/" + dead.at("id").get<std::string>() + "/replay")
          .status,
      404);
  const json audit = json::parse(Call("auditor", "GET", "/api/v1/audit-log?action=queue.replay").body);
  ASSERT_EQ(audit.at("items").size(), 1U) << audit.dump();
  EXPECT_EQ(audit.at("items").at(0).at("object_id"), dead.at("id"));
}

TEST_F(Queues, OnlyAnOperatorSeesTheQueuesAndBadInputIsNamed) {
  for (const char* login : {"hr", "manager", "employee", "auditor", "accountant"}) {
    EXPECT_EQ(Call(login, "GET", "/api/v1/admin/queues").status, 403) << login;
    EXPECT_EQ(Call(login, "GET", "/api/v1/admin/dead-letters").status, 403) << login;
    EXPECT_EQ(Call(login, "POST", "/api/v1/admin/dead-letters/x/replay").status, 403) << login;
  }
  EXPECT_EQ(Call("", "GET", "/api/v1/admin/queues").status, 401);
  HttpResponse response = Call("admin", "GET", "/api/v1/admin/dead-letters?limit=5000");
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(ProblemFields(response), ElementsAre("limit"));
  response = Call("admin", "GET", "/api/v1/admin/dead-letters?queue=" + std::string(300, 'q'));
  EXPECT_THAT(ProblemFields(response), ElementsAre("queue"));
  EXPECT_EQ(Call("admin", "POST", "/api/v1/admin/dead-letters/no-such-task/replay").status, 404);
  EXPECT_EQ(
      Call("admin", "POST", "/api/v1/admin/dead-letters/notification.events:no-such-message/replay").status,
      404);
  EXPECT_EQ(Call("admin", "POST", "/api/v1/admin/dead-letters/" + std::string(400, 'x') + "/replay").status,
            404);
}

// With the broker gone the queue endpoints say so: 503 problem+json, soon.
TEST(QueuesBrokerDown, TheEndpointsAnswerUnavailable) {
  // A port nothing listens on.
  DemoServer server{{{"TABEL_AMQP_URL", "amqp://guest:guest@127.0.0.1:1/%2F"}}};
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/admin/queues"},
           {"GET", "/api/v1/admin/dead-letters"},
           {"POST", "/api/v1/admin/dead-letters/notification.events:m-1/replay"}}) {
    const auto started = std::chrono::steady_clock::now();
    const HttpResponse response = server.Call("admin", method, target);
    EXPECT_EQ(response.status, 503) << target << ": " << response.body;
    EXPECT_EQ(response.Header("content-type"), "application/problem+json") << target;
    EXPECT_THAT(json::parse(response.body).at("detail").get<std::string>(), HasSubstr("broker")) << target;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10)) << target;
  }
  // Operators only, still.
  EXPECT_EQ(server.Call("employee", "GET", "/api/v1/admin/queues").status, 403);
}

}  // namespace
}  // namespace tabel::testing
