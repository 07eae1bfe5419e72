// The platform as a user of the real binary sees it: operations endpoints,
// the error model, limits, timeouts, shutdown and database outages.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/loopback.hpp"
#include "support/tabel_process.hpp"
#include "support/tcp_proxy.hpp"
#include "support/test_database.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

std::map<std::string, std::string> BaseEnv(const TestDatabase& database) {
  return {{"TABEL_DATABASE_URL", database.url()}, {"TABEL_LOG_LEVEL", "info"}};
}

void ExpectProblem(const HttpResponse& response, int status, const std::string& type) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.Header("content-type"), "application/problem+json");
  const json body = json::parse(response.body, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << response.body;
  EXPECT_EQ(body.value("type", ""), type);
  EXPECT_EQ(body.value("status", 0), status);
  EXPECT_FALSE(body.value("request_id", "").empty());
}

// The value of tabel_http_requests_in_flight (the /metrics request itself counts).
double RequestsInFlight(uint16_t port) {
  const std::string body = Get(port, "/metrics").body;
  std::smatch match;
  if (!std::regex_search(body, match, std::regex("\ntabel_http_requests_in_flight ([0-9.]+)"))) return -1;
  return std::stod(match[1]);
}

bool ConnectionRefused(uint16_t port) {
  try {
    Connection probe(port);
    return false;
  } catch (const std::runtime_error&) {
    return true;
  }
}

class Platform : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new TestDatabase();
    server_ = new TabelProcess({"serve"}, BaseEnv(*database_));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete database_;
  }
  static uint16_t port() { return server_->port(); }

  static TestDatabase* database_;
  static TabelProcess* server_;
};
TestDatabase* Platform::database_ = nullptr;
TabelProcess* Platform::server_ = nullptr;

TEST_F(Platform, HealthzAnswersAndEchoesAPlainRequestId) {
  const HttpResponse generated = Get(port(), "/healthz");
  EXPECT_EQ(generated.status, 200);
  EXPECT_EQ(json::parse(generated.body)["status"], "ok");
  EXPECT_FALSE(generated.Header("x-request-id").empty());

  EXPECT_EQ(Get(port(), "/healthz", {{"X-Request-Id", "abc-123"}}).Header("x-request-id"), "abc-123");
  // An id that could inject into logs or headers is replaced.
  EXPECT_NE(Get(port(), "/healthz", {{"X-Request-Id", "a\"b{c}"}}).Header("x-request-id"), "a\"b{c}");
}

TEST_F(Platform, ReadyzReportsTheDatabaseUp) {
  const HttpResponse response = Get(port(), "/readyz");
  ASSERT_EQ(response.status, 200) << response.body;
  const json body = json::parse(response.body);
  EXPECT_EQ(body["status"], "ready");
  EXPECT_EQ(body["checks"]["database"]["status"], "up");
}

TEST_F(Platform, MetricsCountRequestsByRouteTemplate) {
  Get(port(), "/healthz");
  Get(port(), "/no/such/thing/123");
  const HttpResponse response = Get(port(), "/metrics");
  ASSERT_EQ(response.status, 200);
  EXPECT_THAT(response.Header("content-type"), HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(response.body,
              HasSubstr("tabel_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}"));
  EXPECT_THAT(response.body,
              HasSubstr("tabel_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}"));
  EXPECT_THAT(
      response.body,
      HasSubstr("tabel_http_request_duration_seconds_bucket{route=\"/healthz\",method=\"GET\",le=\"+Inf\"}"));
  EXPECT_THAT(response.body, HasSubstr("tabel_http_requests_in_flight"));
  EXPECT_THAT(response.body, HasSubstr("tabel_db_pool_connections{state=\"in_use\"}"));
  EXPECT_THAT(response.body, HasSubstr("tabel_build_info{version="));
  // Unmatched paths never become label values.
  EXPECT_THAT(response.body, ::testing::Not(HasSubstr("/no/such/thing")));
}

TEST_F(Platform, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  ExpectProblem(Get(port(), "/api/v1/nothing"), 404, "/problems/not-found");
  const HttpResponse wrong = Send(port(), "DELETE", "/healthz", "");
  ExpectProblem(wrong, 405, "/problems/method-not-allowed");
  EXPECT_EQ(wrong.Header("allow"), "GET");
}

TEST_F(Platform, MalformedQueryAndRequestLineAre400) {
  ExpectProblem(Get(port(), "/healthz?x=%zz"), 400, "/problems/bad-request");
  Connection connection(port());
  ASSERT_TRUE(connection.Send("THIS IS NOT HTTP\r\n\r\n"));
  const auto response = connection.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(connection.ClosedByPeer(std::chrono::seconds(2)));
}

TEST_F(Platform, OversizedBodyGets413AndACleanClose) {
  Connection connection(port());
  const size_t size = 3 << 20;
  ASSERT_TRUE(
      connection.Send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Content-Length: " +
                      std::to_string(size) + "\r\n\r\n"));
  // The client keeps sending as a real one would; the server drains the body
  // instead of resetting the connection, so the client reads its 413.
  ASSERT_TRUE(connection.Send(std::string(size, 'x')));
  const auto response = connection.Read();
  ASSERT_TRUE(response.has_value()) << "connection reset before the 413 was read";
  ExpectProblem(*response, 413, "/problems/payload-too-large");
  EXPECT_TRUE(connection.ClosedByPeer(std::chrono::seconds(5)));
}

TEST_F(Platform, ChunkedBodyOverTheLimitGets413) {
  Connection connection(port());
  std::string request = "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(512 << 10, 'y');
  std::ostringstream size_hex;
  size_hex << std::hex << chunk.size();
  for (int i = 0; i < 3; ++i) request += size_hex.str() + "\r\n" + chunk + "\r\n";
  request += "0\r\n\r\n";
  connection.Send(request);
  const auto response = connection.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
}

TEST_F(Platform, AnEndlessChunkSizeLineIsCutOffNotBuffered) {
  Connection connection(port());
  ASSERT_TRUE(connection.Send("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;"));
  connection.Send(std::string(256 << 10, 'a'));  // a chunk extension with no end
  const auto response = connection.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(connection.ClosedByPeer(std::chrono::seconds(5)));
}

TEST_F(Platform, OversizedHeadersAre400) {
  Connection connection(port());
  connection.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 << 10, 'h') + "\r\n\r\n");
  const auto response = connection.Read();
  ASSERT_TRUE(response.has_value());
  ExpectProblem(*response, 400, "/problems/header-too-large");
}

TEST_F(Platform, KeepAliveServesManyRequestsOnOneConnection) {
  Connection connection(port());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(connection.Request("GET", "/healthz").status, 200);
}

TEST_F(Platform, HalfSentRequestsDoNotDelayAFreshOne) {
  std::vector<std::unique_ptr<Connection>> stalled;
  for (int i = 0; i < 200; ++i) {
    stalled.push_back(std::make_unique<Connection>(port()));
    stalled.back()->Send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  }
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(Get(port(), "/healthz").status, 200);
  // The stalled requests hold no worker: the fresh one does not wait for
  // their 10 s read timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

TEST_F(Platform, OpenApiDocumentIsServedAndTheDocsPageLoadsLocalFiles) {
  const HttpResponse document = Get(port(), "/openapi.json");
  ASSERT_EQ(document.status, 200);
  const json openapi = json::parse(document.body);
  EXPECT_EQ(openapi["openapi"].get<std::string>().substr(0, 2), "3.");

  const HttpResponse page = Get(port(), "/docs");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.Header("content-type"), HasSubstr("text/html"));
  EXPECT_THAT(page.body, HasSubstr("/docs/swagger-ui-bundle.js"));
  EXPECT_THAT(page.body, ::testing::Not(HasSubstr("https://")));

  const HttpResponse bundle = Get(port(), "/docs/swagger-ui-bundle.js");
  EXPECT_EQ(bundle.status, 200) << "swagger-ui-dist is not installed; scripts/test installs it";
  EXPECT_GT(bundle.body.size(), 100000u);
  ExpectProblem(Get(port(), "/docs/..%2F..%2Fetc%2Fpasswd"), 404, "/problems/not-found");
}

// Every route the binary mounts is in the OpenAPI document, and the reverse.
TEST_F(Platform, OpenApiDocumentListsExactlyTheRoutes) {
  const auto [code, output] = RunTabel({"routes"}, BaseEnv(*database_));
  ASSERT_EQ(code, 0) << output;
  std::set<std::string> mounted;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) mounted.insert(line);
  }
  std::set<std::string> documented;
  const json openapi = json::parse(Get(port(), "/openapi.json").body);
  for (const auto& [path, operations] : openapi["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(upper + " " + path);
    }
  }
  EXPECT_FALSE(mounted.empty());
  EXPECT_EQ(mounted, documented);
}

TEST(Process, BadConfigurationExitsWith2NamingTheVariable) {
  const auto [code, output] = RunTabel({"serve"}, {{"TABEL_HTTP_PORT", "eighty"}});
  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("TABEL_HTTP_PORT"));
  const auto [code_url, output_url] = RunTabel({"migrate"}, {{"TABEL_DATABASE_URL", "oracle://db"}});
  EXPECT_EQ(code_url, 2);
  EXPECT_THAT(output_url, HasSubstr("TABEL_DATABASE_URL"));
}

TEST(Process, UnknownServiceIsRejected) {
  const auto [code, output] = RunTabel({"serve", "--services=users,payroll"}, {});
  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("payroll"));
}

// A process apart runs its services' routes and consumers only, and its
// readiness asks only for what they need.
TEST(Process, AProcessApartServesConsumesAndChecksOnlyWhatItsServicesNeed) {
  TestDatabase database;
  auto no_broker = BaseEnv(database);
  no_broker["TABEL_AMQP_URL"] = "amqp://guest:guest@127.0.0.1:" + std::to_string(ClosedPort()) + "/%2F";
  // Users' events only refresh cached views: ready without the broker (they
  // wait in the outbox), and consume nothing.
  TabelProcess users({"serve", "--services=users"}, no_broker);
  EXPECT_EQ(Get(users.port(), "/api/v1/employees").status, 401);
  ExpectProblem(Get(users.port(), "/api/v1/requests"), 404, "/problems/not-found");
  const HttpResponse ready = Get(users.port(), "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_FALSE(json::parse(ready.body)["checks"].contains("broker")) << ready.body;
  EXPECT_THAT(Get(users.port(), "/metrics").body, Not(HasSubstr("tabel_tasks_processed_total{queue=")));
  // Management's changes are events: its relay needs the broker.
  TabelProcess management({"serve", "--services=management"}, no_broker);
  const HttpResponse not_ready = Get(management.port(), "/readyz");
  EXPECT_EQ(not_ready.status, 503) << not_ready.body;
  EXPECT_EQ(json::parse(not_ready.body)["checks"]["broker"]["status"], "down");
  // A worker of the calendar consumes the calendar's queue only. Each says
  // that a cache in its own memory is not shared.
  TabelProcess worker({"worker", "--services=calendar"}, BaseEnv(database));
  const std::string metrics = Get(worker.port(), "/metrics").body;
  EXPECT_THAT(metrics,
              HasSubstr("tabel_tasks_processed_total{queue=\"calendar.cache\",outcome=\"done\"} 0\n"));
  EXPECT_THAT(metrics, Not(HasSubstr("tabel_tasks_processed_total{queue=\"notification.mail\"")));
  EXPECT_TRUE(worker.WaitForLine("memory_cache_apart", std::chrono::seconds(1)));
  EXPECT_TRUE(users.WaitForLine("memory_cache_apart", std::chrono::seconds(1)));
  const auto [code, output] = RunTabel({"worker", "--services=calendar,payroll"}, BaseEnv(database));
  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("unknown service \"payroll\"; known: users, auth"));
}

TEST(Process, HelpListsCommandsAndSettings) {
  const auto [code, output] = RunTabel({"--help"}, {});
  EXPECT_EQ(code, 0);
  for (const char* text : {"serve", "worker", "migrate", "version", "TABEL_DATABASE_URL", "TABEL_AMQP_URL",
                           "TABEL_REDIS_URL", "TABEL_SMTP_URL", "TABEL_HTTP_PORT", "TABEL_JWT_SECRET"}) {
    EXPECT_THAT(output, HasSubstr(text));
  }
}

TEST(Process, MigrateIsIdempotent) {
  TestDatabase database;
  const auto first = RunTabel({"migrate"}, BaseEnv(database));
  ASSERT_EQ(first.first, 0) << first.second;
  EXPECT_THAT(first.second, ::testing::ContainsRegex("\"count\":[1-9]"));
  const auto second = RunTabel({"migrate"}, BaseEnv(database));
  ASSERT_EQ(second.first, 0) << second.second;
  EXPECT_THAT(second.second, HasSubstr("\"count\":0"));
}

TEST(Process, SeedFillsAnEmptyDatabaseOnceAndRefusesBadCounts) {
  TestDatabase database;
  const auto [code, output] = RunTabel({"seed", "--employees", "200", "--seed", "3"}, BaseEnv(database));
  EXPECT_EQ(code, 0) << output;
  EXPECT_THAT(output, HasSubstr("\"employees\":200"));
  EXPECT_THAT(output, HasSubstr("\"departments\":5"));
  const auto again = RunTabel({"seed", "--employees", "200"}, BaseEnv(database));
  EXPECT_EQ(again.first, 1) << again.second;
  EXPECT_THAT(again.second, HasSubstr("already has"));
  EXPECT_EQ(RunTabel({"seed", "--employees", "0"}, BaseEnv(database)).first, 2);
}

TEST(Process, QueueCommandsListDeadLettersAndRefuseUnknownTasks) {
  TestDatabase database;
  ASSERT_EQ(RunTabel({"migrate"}, BaseEnv(database)).first, 0);
  const auto [list_code, list_output] = RunTabel({"queue", "dead", "--limit", "5"}, BaseEnv(database));
  EXPECT_EQ(list_code, 0) << list_output;
  EXPECT_EQ(list_output.find("\"message_id\""), std::string::npos);  // nothing is dead yet
  const auto [replay_code, replay_output] = RunTabel({"queue", "replay", "no-such-task"}, BaseEnv(database));
  EXPECT_EQ(replay_code, 1);
  EXPECT_THAT(replay_output, HasSubstr("fatal"));
  EXPECT_EQ(RunTabel({"queue", "dead", "--limit", "0"}, BaseEnv(database)).first, 2);
}

TEST(Process, WorkerModeServesOnlyOperationsAndStopsOnSigterm) {
  TestDatabase database;
  TabelProcess worker({"worker"}, BaseEnv(database));
  EXPECT_EQ(Get(worker.port(), "/healthz").status, 200);
  EXPECT_EQ(Get(worker.port(), "/readyz").status, 200);
  EXPECT_THAT(Get(worker.port(), "/metrics").body, HasSubstr("tabel_outbox_unpublished"));
  EXPECT_TRUE(worker.WaitForLine("\"mode\":\"worker\"", std::chrono::seconds(1)));
  EXPECT_EQ(worker.Stop(SIGTERM, std::chrono::seconds(10)), 0);
}

TEST(Process, SigtermFinishesTheRequestInFlightThenExits0) {
  TestDatabase database;
  SilentListener hanging_broker;  // /readyz waits on it for its probe timeout (2 s)
  auto env = BaseEnv(database);
  env["TABEL_AMQP_URL"] = "amqp://guest:guest@127.0.0.1:" + std::to_string(hanging_broker.port()) + "/%2F";
  TabelProcess server({"serve"}, env);
  Connection connection(server.port());
  ASSERT_TRUE(connection.Send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(Eventually([&] { return RequestsInFlight(server.port()) >= 2; }));  // /readyz and /metrics
  ::kill(server.pid(), SIGTERM);
  // New connections are refused while the request in flight is finished.
  EXPECT_TRUE(Eventually([&] { return ConnectionRefused(server.port()); }, std::chrono::seconds(2)));
  const auto response = connection.Read();
  ASSERT_TRUE(response.has_value()) << "the in-flight request was dropped";
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(json::parse(response->body)["checks"]["broker"]["status"], "down");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_EQ(server.Stop(0, std::chrono::seconds(10)), 0);
}

TEST(Process, AClientTooSlowToSendItsRequestIsCutOff) {
  TestDatabase database;
  auto env = BaseEnv(database);
  env["TABEL_READ_TIMEOUT_MS"] = "400";
  env["TABEL_IDLE_TIMEOUT_MS"] = "60000";
  TabelProcess server({"serve"}, env);
  Connection slow(server.port());
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));  // never finishes its header
  EXPECT_TRUE(slow.ClosedByPeer(std::chrono::seconds(5)));
  Connection silent(server.port());  // connects and sends nothing
  EXPECT_TRUE(silent.ClosedByPeer(std::chrono::seconds(5)));
}

TEST(Process, AnIdleKeepAliveConnectionIsClosed) {
  TestDatabase database;
  auto env = BaseEnv(database);
  env["TABEL_READ_TIMEOUT_MS"] = "60000";
  env["TABEL_IDLE_TIMEOUT_MS"] = "400";
  TabelProcess server({"serve"}, env);
  Connection idle(server.port());
  EXPECT_EQ(idle.Request("GET", "/healthz").status, 200);
  EXPECT_TRUE(idle.ClosedByPeer(std::chrono::seconds(5)));
  Connection slow(server.port());  // a slow header is not cut by the idle timeout
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_FALSE(slow.ClosedByPeer(std::chrono::seconds(1)));
  ASSERT_TRUE(slow.Send("\r\n"));
  const auto response = slow.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST(Process, RequestsBeyondTheConcurrencyCapGet503WithRetryAfter) {
  TestDatabase database;
  SilentListener hanging_broker;
  auto env = BaseEnv(database);
  env["TABEL_AMQP_URL"] = "amqp://guest:guest@127.0.0.1:" + std::to_string(hanging_broker.port()) + "/%2F";
  env["TABEL_MAX_CONCURRENT_REQUESTS"] = "1";
  TabelProcess server({"serve"}, env);
  Connection busy(server.port());
  ASSERT_TRUE(busy.Send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"));  // holds the only slot ~2 s
  HttpResponse rejected;
  EXPECT_TRUE(Eventually([&] {
    rejected = Get(server.port(), "/healthz");
    return rejected.status == 503;
  }));
  ExpectProblem(rejected, 503, "/problems/unavailable");
  EXPECT_EQ(rejected.Header("retry-after"), "1");
  ASSERT_TRUE(busy.Read().has_value());
  EXPECT_TRUE(
      Eventually([&] { return Get(server.port(), "/healthz").status == 200; }));  // the slot is free again
}

TEST(Process, ReadyzChecksTheBrokerAndCacheWhenConfigured) {
  const char* amqp = std::getenv("TABEL_TEST_AMQP_URL");
  const char* redis = std::getenv("TABEL_TEST_REDIS_URL");
  ASSERT_TRUE(amqp != nullptr && redis != nullptr)
      << "run through scripts/test, which starts RabbitMQ and Redis";
  TestDatabase database;
  auto env = BaseEnv(database);
  env["TABEL_AMQP_URL"] = amqp;
  env["TABEL_REDIS_URL"] = redis;
  TabelProcess server({"serve"}, env);
  const HttpResponse up = Get(server.port(), "/readyz");
  ASSERT_EQ(up.status, 200) << up.body;
  const json body = json::parse(up.body);
  EXPECT_EQ(body["checks"]["broker"]["status"], "up");
  EXPECT_EQ(body["checks"]["cache"]["status"], "up");

  SilentListener closed_cache;
  TestDatabase other;
  auto bad_env = BaseEnv(other);
  bad_env["TABEL_REDIS_URL"] = "redis://127.0.0.1:" + std::to_string(closed_cache.port()) + "/0";
  TabelProcess degraded({"serve"}, bad_env);
  // Without its cache the product works on: ready, degraded, and said so.
  const HttpResponse down = Get(degraded.port(), "/readyz");
  ASSERT_EQ(down.status, 200) << down.body;
  EXPECT_EQ(json::parse(down.body)["status"], "degraded");
  EXPECT_EQ(json::parse(down.body)["checks"]["cache"]["status"], "down");
  EXPECT_EQ(json::parse(down.body)["checks"]["database"]["status"], "up");
  const std::string metrics = Get(degraded.port(), "/metrics").body;
  EXPECT_NE(metrics.find("tabel_dependency_up{dependency=\"cache\"} 0"), std::string::npos);
  EXPECT_NE(metrics.find("tabel_dependency_up{dependency=\"database\"} 1"), std::string::npos);
}

// PostgreSQL goes away behind a proxy and comes back: the service answers
// 503 problem+json meanwhile and recovers by itself. (Runs only in the
// PostgreSQL pass; SQLite is a file, not a server that can go away.)
TEST(PostgresOnly, DatabaseOutageIs503AndRecoversByItself) {
  TestDatabase database;
  ASSERT_EQ(database.dialect(), db::Dialect::kPostgresql);
  std::smatch match;
  const std::string url = database.url();
  ASSERT_TRUE(std::regex_search(url, match, std::regex(R"(:(\d+)/)")));
  TcpProxy proxy(static_cast<uint16_t>(std::stoi(match[1])));
  proxy.Start();
  auto env = BaseEnv(database);
  env["TABEL_DATABASE_URL"] =
      std::regex_replace(url, std::regex(R"(:\d+/)"), ":" + std::to_string(proxy.port()) + "/");
  TabelProcess server({"serve"}, env);
  ASSERT_EQ(Get(server.port(), "/readyz").status, 200);

  proxy.Stop();
  HttpResponse down;
  EXPECT_TRUE(Eventually([&] {  // readiness results are reused for up to a second
    down = Get(server.port(), "/readyz");
    return down.status == 503;
  }));
  ExpectProblem(down, 503, "/problems/not-ready");
  EXPECT_EQ(json::parse(down.body)["checks"]["database"]["status"], "down");
  EXPECT_EQ(Get(server.port(), "/healthz").status, 200);  // alive, just not ready

  proxy.Start(proxy.port());
  int status = 0;
  EXPECT_TRUE(Eventually(
      [&] {
        status = Get(server.port(), "/readyz").status;
        return status == 200;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(100)))
      << status;
}

}  // namespace
}  // namespace tabel::testing
