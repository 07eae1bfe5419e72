// The admin and audit API of the auth service on the real binary started
// with --demo: accounts, roles, delegations and the audit log — success,
// 401 without a token, 403/404 without the permission, and bad input
// answered with a 4xx problem naming the field, never a 500.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/demo_server.hpp"
#include "support/http_client.hpp"
#include "support/tabel_process.hpp"
#include "support/test_database.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr const char* kDemoPassword = "functional-demo-password";
constexpr const char* kNewPassword = "a brand new password";

class AuthAdmin : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new TestDatabase();
    server_ = new TabelProcess({"serve", "--demo"},
                               {{"TABEL_DATABASE_URL", database_->url()},
                                {"TABEL_DEMO_PASSWORD", kDemoPassword},
                                {"TABEL_JWT_SECRET", "functional-tests-secret-of-at-least-32-bytes"}});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete database_;
  }
  static uint16_t port() { return server_->port(); }

  static std::string Token(const std::string& login, const std::string& password = kDemoPassword) {
    const HttpResponse response =
        Send(port(), "POST", "/api/v1/auth/login", json{{"login", login}, {"password", password}}.dump());
    EXPECT_EQ(response.status, 200) << login << ": " << response.body;
    const json body = json::parse(response.body, nullptr, false);
    return body.is_object() ? body.value("access_token", "") : "";
  }

  // A request with `token` (none when empty) and a JSON body when not empty.
  static HttpResponse Call(const std::string& method, const std::string& target, const std::string& token,
                           const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    if (!body.empty() && !headers.count("Content-Type")) headers["Content-Type"] = "application/json";
    Connection connection(port());
    return connection.Request(method, target, body, headers);
  }

  static json Body(const HttpResponse& response) { return json::parse(response.body, nullptr, false); }

  static json Me(const std::string& token) { return Body(Call("GET", "/api/v1/me", token)); }

  // A fresh account made by admin with `roles`; returns its id.
  static int64_t NewAccount(const std::string& login, const std::vector<std::string>& roles) {
    const HttpResponse response =
        Call("POST", "/api/v1/accounts", Token("admin"),
             json{{"login", login}, {"password", kDemoPassword}, {"roles", roles}}.dump());
    EXPECT_EQ(response.status, 201) << response.body;
    return Body(response).value("id", int64_t{0});
  }

  static TestDatabase* database_;
  static TabelProcess* server_;
};
TestDatabase* AuthAdmin::database_ = nullptr;
TabelProcess* AuthAdmin::server_ = nullptr;

std::vector<std::string> ErrorFields(const HttpResponse& response) {
  std::vector<std::string> fields;
  const json body = json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.contains("errors")) return fields;
  for (const auto& error : body["errors"]) fields.push_back(error.value("field", ""));
  return fields;
}

// A problem+json answer with `status`.
void ExpectProblem(const HttpResponse& response, int status) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.Header("content-type"), "application/problem+json") << response.body;
}

// A problem+json answer with `status` naming exactly `fields`, in order.

void ExpectFields(const HttpResponse& response, int status, const std::vector<std::string>& fields) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.Header("content-type"), "application/problem+json");
  EXPECT_EQ(ErrorFields(response), fields) << response.body;
}

std::string IsoDate(std::chrono::system_clock::time_point at) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &utc);
  return buffer;
}

std::string DaysFromNow(int days) {
  return IsoDate(std::chrono::system_clock::now() + std::chrono::hours(24) * days);
}

// --- accounts -----------------------------------------------------------------

TEST_F(AuthAdmin, AccountRoutesNeedATokenAndAccountsManage) {
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/api/v1/accounts"},
                                                        {"POST", "/api/v1/accounts"},
                                                        {"GET", "/api/v1/accounts/1"},
                                                        {"PATCH", "/api/v1/accounts/1"},
                                                        {"POST", "/api/v1/accounts/1/password"},
                                                        {"GET", "/api/v1/roles"},
                                                        {"POST", "/api/v1/roles"},
                                                        {"GET", "/api/v1/delegations"},
                                                        {"POST", "/api/v1/delegations"},
                                                        {"DELETE", "/api/v1/delegations/1"},
                                                        {"GET", "/api/v1/audit-log"}}) {
    ExpectProblem(Call(method, target, "", method == "GET" || method == "DELETE" ? "" : "{}"), 401);
  }
  const std::string employee = Token("employee"), hr = Token("hr");
  ExpectProblem(Call("GET", "/api/v1/accounts", employee), 403);
  ExpectProblem(Call("GET", "/api/v1/accounts/1", hr), 403);
  ExpectProblem(Call("POST", "/api/v1/accounts", hr,
                     json{{"login", "x.y"}, {"password", kNewPassword}, {"roles", json::array()}}.dump()),
                403);
  ExpectProblem(Call("PATCH", "/api/v1/accounts/1", hr, R"({"disabled":true})", {{"If-Match", "\"1\""}}),
                403);
  ExpectProblem(Call("POST", "/api/v1/accounts/1/password", hr, json{{"new_password", kNewPassword}}.dump()),
                403);
  ExpectProblem(Call("GET", "/api/v1/roles", employee), 403);
  ExpectProblem(Call("GET", "/api/v1/audit-log", Token("admin")), 403);
}

TEST_F(AuthAdmin, AdminListsAndSearchesAccounts) {
  const std::string admin = Token("admin");
  const HttpResponse all = Call("GET", "/api/v1/accounts?limit=200", admin);
  ASSERT_EQ(all.status, 200) << all.body;
  std::vector<std::string> logins;
  const json all_items = Body(all)["items"];
  for (const json& item : all_items) logins.push_back(item["login"]);
  for (const char* login : {"admin", "hr", "accountant", "manager", "manager2", "employee"}) {
    EXPECT_THAT(logins, Contains(login));
  }
  const json managers = Body(Call("GET", "/api/v1/accounts?q=MANAGER&limit=1", admin));
  ASSERT_EQ(managers["items"].size(), 1u);
  EXPECT_EQ(managers["items"][0]["login"], "manager");
  EXPECT_THAT(managers["items"][0]["roles"].get<std::vector<std::string>>(),
              ElementsAre("employee", "manager"));
  for (const char* key : {"id", "login", "employee_id", "disabled", "roles", "version"}) {
    EXPECT_TRUE(managers["items"][0].contains(key)) << key;
  }
  ASSERT_TRUE(managers["next_cursor"].is_string());
  const json next = Body(
      Call("GET", "/api/v1/accounts?q=manager&limit=1&cursor=" + managers["next_cursor"].get<std::string>(),
           admin));
  ASSERT_EQ(next["items"].size(), 1u);
  EXPECT_EQ(next["items"][0]["login"], "manager2");

  ExpectFields(Call("GET", "/api/v1/accounts?limit=0", admin), 400, {"limit"});
  ExpectFields(Call("GET", "/api/v1/accounts?cursor=abc", admin), 400, {"cursor"});
  ExpectFields(Call("GET", "/api/v1/accounts?sort=login", admin), 400, {"sort"});
  ExpectFields(Call("GET", "/api/v1/accounts?q=", admin), 400, {"q"});
  ExpectProblem(Call("GET", "/api/v1/accounts/999999", admin), 404);
  ExpectFields(Call("GET", "/api/v1/accounts/abc", admin), 400, {"id"});
}

TEST_F(AuthAdmin, CreateReadAndChangeAnAccountWithVersions) {
  const std::string admin = Token("admin");
  const HttpResponse created =
      Call("POST", "/api/v1/accounts", admin,
           json{{"login", "Olga.K"}, {"password", kNewPassword}, {"roles", {"employee"}}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const json account = Body(created);
  const int64_t id = account["id"];
  EXPECT_EQ(account["login"], "olga.k");
  EXPECT_EQ(account["disabled"], false);
  EXPECT_TRUE(account["employee_id"].is_null());
  EXPECT_EQ(created.Header("location"), "/api/v1/accounts/" + std::to_string(id));
  EXPECT_EQ(created.Header("etag"), "\"1\"");
  const std::string target = "/api/v1/accounts/" + std::to_string(id);

  const HttpResponse read = Call("GET", target, admin);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.Header("etag"), "\"1\"");

  // Her token before the change of roles.
  const std::string old_token = Token("olga.k", kNewPassword);
  ExpectProblem(Call("GET", "/api/v1/audit-log", old_token), 403);

  const std::string roles = json{{"roles", {"employee", "auditor"}}}.dump();
  ExpectProblem(Call("PATCH", target, admin, roles), 428);
  ExpectFields(Call("PATCH", target, admin, roles, {{"If-Match", "one"}}), 400, {"If-Match"});
  ExpectProblem(Call("PATCH", target, admin, roles, {{"If-Match", "\"5\""}}), 409);
  const HttpResponse patched = Call("PATCH", target, admin, roles, {{"If-Match", "\"1\""}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Header("etag"), "\"2\"");
  EXPECT_THAT(Body(patched)["roles"].get<std::vector<std::string>>(), ElementsAre("auditor", "employee"));

  // The change takes effect at once: the old token is refused, a new one
  // carries the new permissions.
  ExpectProblem(Call("GET", "/api/v1/me", old_token), 401);
  EXPECT_EQ(Call("GET", "/api/v1/audit-log", Token("olga.k", kNewPassword)).status, 200);

  // Disabling: her tokens and her logins stop working.
  const std::string token = Token("olga.k", kNewPassword);
  const HttpResponse disabled = Call("PATCH", target, admin, R"({"disabled":true})", {{"If-Match", "\"2\""}});
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(Body(disabled)["disabled"], true);
  ExpectProblem(Call("GET", "/api/v1/me", token), 401);
  EXPECT_EQ(
      Send(port(), "POST", "/api/v1/auth/login", json{{"login", "olga.k"}, {"password", kNewPassword}}.dump())
          .status,
      401);
  ExpectProblem(
      Call("PATCH", "/api/v1/accounts/999999", admin, R"({"disabled":true})", {{"If-Match", "\"1\""}}), 404);
}

TEST_F(AuthAdmin, CreateAccountRejectsBadInputNamingTheField) {
  const std::string admin = Token("admin");
  const auto post = [&](const std::string& body) { return Call("POST", "/api/v1/accounts", admin, body); };
  ExpectFields(post("{\"login\": "), 400, {"body"});
  ExpectFields(post("[1,2]"), 400, {"body"});
  ExpectFields(Call("POST", "/api/v1/accounts", admin, "login=x", {{"Content-Type", "text/plain"}}), 400,
               {"Content-Type"});
  const HttpResponse missing = post("{}");
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(ErrorFields(missing), UnorderedElementsAre("login", "password", "roles"));
  const HttpResponse types = post(R"({"login": 5, "password": true, "employee_id": "x", "roles": "admin"})");
  EXPECT_EQ(types.status, 400);
  EXPECT_THAT(ErrorFields(types), UnorderedElementsAre("login", "password", "employee_id", "roles"));
  const json good = {{"login", "valid.login"}, {"password", kNewPassword}, {"roles", {"employee"}}};
  json unknown = good;
  unknown["is_admin"] = true;
  ExpectFields(post(unknown.dump()), 400, {"is_admin"});
  json bad_login = good;
  bad_login["login"] = "no spaces please";
  ExpectFields(post(bad_login.dump()), 400, {"login"});
  json weak = good;
  weak["password"] = "short";
  ExpectFields(post(weak.dump()), 400, {"password"});
  json role = good;
  role["roles"] = {"emperor"};
  ExpectFields(post(role.dump()), 422, {"roles"});
  json employee = good;
  employee["employee_id"] = 999999;
  ExpectFields(post(employee.dump()), 422, {"employee_id"});
  json negative = good;
  negative["employee_id"] = -1;
  ExpectFields(post(negative.dump()), 400, {"employee_id"});
  json taken = good;
  taken["login"] = "HR";
  ExpectFields(post(taken.dump()), 409, {"login"});
  const json manager = Me(Token("manager"));
  if (manager["employee_id"].is_number()) {
    json linked = good;
    linked["employee_id"] = manager["employee_id"];
    ExpectFields(post(linked.dump()), 409, {"employee_id"});
  }
  json oversized = good;
  oversized["login"] = std::string(20000, 'a');
  EXPECT_EQ(post(oversized.dump()).status, 413);
}

TEST_F(AuthAdmin, NobodyChangesHisOwnRolesOrDisablesHimself) {
  const std::string admin = Token("admin");
  const int64_t self = Me(admin)["id"];
  const std::string target = "/api/v1/accounts/" + std::to_string(self);
  const std::string etag = Call("GET", target, admin).Header("etag");
  ExpectFields(Call("PATCH", target, admin, R"({"roles":["admin","hr"]})", {{"If-Match", etag}}), 403,
               {"roles"});
  ExpectFields(Call("PATCH", target, admin, R"({"disabled":true})", {{"If-Match", etag}}), 403, {"disabled"});
  ExpectFields(Call("PATCH", target, admin, R"({"disabled":"yes"})", {{"If-Match", etag}}), 400,
               {"disabled"});
  ExpectFields(Call("PATCH", target, admin, R"({})", {{"If-Match", etag}}), 400, {"body"});
  ExpectFields(Call("PATCH", target, admin, R"({"login":"root"})", {{"If-Match", etag}}), 400, {"login"});
  EXPECT_EQ(Call("GET", target, admin).Header("etag"), etag);
}

TEST_F(AuthAdmin, AdminResetsAPasswordAndTheOwnerChangesHisOwn) {
  const std::string admin = Token("admin");
  const int64_t id = NewAccount("reset.me", {"employee"});
  const std::string target = "/api/v1/accounts/" + std::to_string(id) + "/password";
  const HttpResponse refresh = Send(port(), "POST", "/api/v1/auth/login",
                                    json{{"login", "reset.me"}, {"password", kDemoPassword}}.dump());
  const std::string refresh_token = Body(refresh)["refresh_token"];

  ExpectFields(Call("POST", target, admin, R"({"new_password":"short"})"), 400, {"new_password"});
  ExpectFields(Call("POST", target, admin, R"({"new_password":12})"), 400, {"new_password"});
  ExpectFields(Call("POST", target, admin, R"({})"), 400, {"new_password"});
  ExpectFields(Call("POST", target, admin, json{{"new_password", kNewPassword}, {"old", 1}}.dump()), 400,
               {"old"});
  ExpectProblem(
      Call("POST", "/api/v1/accounts/999999/password", admin, json{{"new_password", kNewPassword}}.dump()),
      404);
  const HttpResponse reset = Call("POST", target, admin, json{{"new_password", kNewPassword}}.dump());
  EXPECT_EQ(reset.status, 204) << reset.body;
  // The old password and every refresh token are dead; the new one works.
  EXPECT_EQ(Send(port(), "POST", "/api/v1/auth/login",
                 json{{"login", "reset.me"}, {"password", kDemoPassword}}.dump())
                .status,
            401);
  EXPECT_EQ(
      Send(port(), "POST", "/api/v1/auth/refresh", json{{"refresh_token", refresh_token}}.dump()).status,
      401);
  const std::string token = Token("reset.me", kNewPassword);
  EXPECT_EQ(Call("POST", "/api/v1/me/password", token,
                 json{{"old_password", kNewPassword}, {"new_password", "yet another password"}}.dump())
                .status,
            204);

  NewAccount("audit.reader1", {"auditor"});
  const std::string auditor = Token("audit.reader1");
  const json resets = Body(Call("GET", "/api/v1/audit-log?action=account.password_reset", auditor));
  ASSERT_EQ(resets["items"].size(), 1u) << resets.dump();
  EXPECT_EQ(resets["items"][0]["object_id"], std::to_string(id));
  EXPECT_EQ(resets["items"][0]["account_id"], Me(admin)["id"]);
  const json changes =
      Body(Call("GET", "/api/v1/audit-log?action=account.password_change&object_type=account", auditor));
  ASSERT_EQ(changes["items"].size(), 1u) << changes.dump();
  EXPECT_EQ(changes["items"][0]["account_id"], id);
  EXPECT_FALSE(changes["items"][0]["client"].is_null());
  EXPECT_FALSE(changes["items"][0]["request_id"].is_null());
}

// --- roles --------------------------------------------------------------------

TEST_F(AuthAdmin, RolesAreListedAndCreatedFromKnownPermissions) {
  const std::string admin = Token("admin");
  const HttpResponse list = Call("GET", "/api/v1/roles", admin);
  ASSERT_EQ(list.status, 200) << list.body;
  const json roles = Body(list);
  EXPECT_TRUE(roles["next_cursor"].is_null());
  std::vector<std::string> codes;
  for (const json& role : roles["items"]) {
    codes.push_back(role["code"]);
    EXPECT_TRUE(role["builtin"].get<bool>());
    EXPECT_FALSE(role["permissions"].empty());
  }
  EXPECT_THAT(codes, UnorderedElementsAre("employee", "manager", "deputy", "hr", "timekeeper", "accountant",
                                          "admin", "auditor"));
  ExpectFields(Call("GET", "/api/v1/roles?limit=5", admin), 400, {"limit"});

  const json role = {{"code", "payroll.viewer"},
                     {"name", "Просмотр расчётов"},
                     {"permissions",
                      {{{"permission", "reports.payroll"}, {"scope", "all"}},
                       {{"permission", "timesheets.read"}, {"scope", "subtree"}}}}};
  const HttpResponse created = Call("POST", "/api/v1/roles", admin, role.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Body(created)["code"], "payroll.viewer");
  EXPECT_EQ(Body(created)["builtin"], false);
  EXPECT_EQ(Body(created)["permissions"].size(), 2u);
  ExpectFields(Call("POST", "/api/v1/roles", admin, role.dump()), 409, {"code"});
  // The new role can be granted at once.
  EXPECT_EQ(NewAccount("payroll.reader", {"payroll.viewer"}) > 0, true);

  const auto post = [&](const json& body) { return Call("POST", "/api/v1/roles", admin, body.dump()); };
  json unknown_permission = role;
  unknown_permission["code"] = "r1";
  unknown_permission["permissions"] = {{{"permission", "salaries.steal"}, {"scope", "all"}}};
  ExpectFields(post(unknown_permission), 400, {"permissions[0].permission"});
  json bad_scope = role;
  bad_scope["code"] = "r2";
  bad_scope["permissions"] = {{{"permission", "audit.read"}, {"scope", "galaxy"}}};
  ExpectFields(post(bad_scope), 400, {"permissions[0].scope"});
  json twice = role;
  twice["code"] = "r3";
  twice["permissions"] = {{{"permission", "audit.read"}, {"scope", "all"}},
                          {{"permission", "audit.read"}, {"scope", "self"}}};
  ExpectFields(post(twice), 400, {"permissions[1].permission"});
  json extra = role;
  extra["code"] = "r4";
  extra["permissions"] = {{{"permission", "audit.read"}, {"scope", "all"}, {"until", "2030-01-01"}}};
  ExpectFields(post(extra), 400, {"permissions[0].until"});
  json not_array = role;
  not_array["code"] = "r5";
  not_array["permissions"] = "audit.read";
  ExpectFields(post(not_array), 400, {"permissions"});
  ExpectFields(post({{"code", "Bad Code"}, {"name", "x"}, {"permissions", json::array()}}), 400, {"code"});
  const HttpResponse missing = post(json::object());
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(ErrorFields(missing), UnorderedElementsAre("code", "name", "permissions"));
  ExpectFields(post({{"code", "r6"}, {"name", "  "}, {"permissions", json::array()}}), 400, {"name"});
  ExpectProblem(Call("POST", "/api/v1/roles", Token("hr"), role.dump()), 403);
}

// --- delegations --------------------------------------------------------------

// The demo company (src/app/demo.cpp): manager heads a department with
// sub-departments, `employee` works in manager's subtree, manager2 outside it.
struct DemoPeople {
  int64_t manager = 0, deputy = 0, manager2 = 0;
  std::string manager_token, deputy_token, manager2_token;
};

TEST_F(AuthAdmin, DelegationGivesTheDeputyTheManagersSubtreeForItsDuration) {
  DemoPeople people;
  people.manager_token = Token("manager");
  people.deputy_token = Token("employee");
  people.manager2_token = Token("manager2");
  const json manager = Me(people.manager_token), deputy = Me(people.deputy_token),
             manager2 = Me(people.manager2_token);
  ASSERT_TRUE(manager["employee_id"].is_number() && deputy["employee_id"].is_number() &&
              manager2["employee_id"].is_number())
      << "the demo company (src/app/demo.cpp) must link the demo logins to employees";
  EXPECT_THAT(deputy["roles"].get<std::vector<std::string>>(), ElementsAre("employee"));
  people.manager = manager["employee_id"];
  people.deputy = deputy["employee_id"];
  people.manager2 = manager2["employee_id"];

  // Someone in manager's subtree other than the deputy, and someone outside it.
  const json subtree = Body(Call("GET", "/api/v1/employees?limit=200", people.manager_token));
  std::optional<int64_t> inside;
  for (const json& e : subtree["items"]) {
    if (e["id"] != people.deputy && e["id"] != people.manager) inside = e["id"].get<int64_t>();
  }
  ASSERT_TRUE(inside) << subtree.dump();
  const int64_t outside = people.manager2;
  ASSERT_EQ(Call("GET", "/api/v1/employees/" + std::to_string(outside), people.manager_token).status, 404)
      << "manager2 must be outside manager's subtree";
  const std::string inside_target = "/api/v1/employees/" + std::to_string(*inside);
  const std::string outside_target = "/api/v1/employees/" + std::to_string(outside);
  EXPECT_EQ(Call("GET", inside_target, people.deputy_token).status, 404);

  const HttpResponse created = Call(
      "POST", "/api/v1/delegations", people.manager_token,
      json{{"deputy_employee_id", people.deputy}, {"starts_on", DaysFromNow(-2)}, {"ends_on", DaysFromNow(7)}}
          .dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const json delegation = Body(created);
  EXPECT_EQ(delegation["manager_employee_id"], people.manager);
  EXPECT_EQ(delegation["deputy_employee_id"], people.deputy);
  EXPECT_EQ(delegation["ends_on"], DaysFromNow(7));
  EXPECT_TRUE(delegation["revoked_at"].is_null());
  const std::string target = "/api/v1/delegations/" + std::to_string(delegation["id"].get<int64_t>());
  EXPECT_EQ(created.Header("location"), target);

  // During the delegation the deputy reaches the subtree, and nothing more.
  EXPECT_EQ(Call("GET", inside_target, people.deputy_token).status, 200);
  EXPECT_EQ(Call("GET", outside_target, people.deputy_token).status, 404);

  // Both parties see it; a stranger does not; nobody but the manager revokes it.
  const auto ids_seen_by = [&](const std::string& token) {
    std::vector<int64_t> ids;
    const json items = Body(Call("GET", "/api/v1/delegations", token))["items"];
    for (const json& item : items) ids.push_back(item["id"]);
    return ids;
  };
  EXPECT_THAT(ids_seen_by(people.manager_token), Contains(delegation["id"].get<int64_t>()));
  EXPECT_THAT(ids_seen_by(people.deputy_token), Contains(delegation["id"].get<int64_t>()));
  EXPECT_TRUE(ids_seen_by(people.manager2_token).empty());
  ExpectProblem(Call("DELETE", target, people.deputy_token), 404);
  ExpectProblem(Call("DELETE", target, people.manager2_token), 404);
  ExpectProblem(Call("DELETE", target, Token("admin")), 404);
  ExpectProblem(Call("DELETE", "/api/v1/delegations/999999", people.manager_token), 404);
  ExpectFields(Call("DELETE", "/api/v1/delegations/x", people.manager_token), 400, {"id"});

  EXPECT_EQ(Call("DELETE", target, people.manager_token).status, 204);
  EXPECT_EQ(Call("GET", inside_target, people.deputy_token).status, 404);
  const json after = Body(Call("GET", "/api/v1/delegations", people.deputy_token));
  for (const json& item : after["items"]) {
    if (item["id"] == delegation["id"]) {
      EXPECT_FALSE(item["revoked_at"].is_null());
    }
  }

  // The audit log has both, with who and from where.
  NewAccount("audit.reader2", {"auditor"});
  const std::string auditor = Token("audit.reader2");
  const json all = Body(Call("GET", "/api/v1/delegations", auditor));
  EXPECT_FALSE(all["items"].empty());
  const json log = Body(Call(
      "GET",
      "/api/v1/audit-log?object_type=delegation&object_id=" + std::to_string(delegation["id"].get<int64_t>()),
      auditor));
  ASSERT_EQ(log["items"].size(), 2u) << log.dump();
  EXPECT_EQ(log["items"][0]["action"], "delegation.revoke");
  EXPECT_EQ(log["items"][1]["action"], "delegation.create");
  EXPECT_EQ(log["items"][1]["account_id"], manager["id"]);
}

TEST_F(AuthAdmin, DelegationRejectsBadInputNamingTheField) {
  const std::string manager_token = Token("manager");
  const json manager = Me(manager_token), deputy = Me(Token("employee"));
  const auto post = [&](const std::string& token, const json& body) {
    return Call("POST", "/api/v1/delegations", token, body.dump());
  };
  const json good = {
      {"deputy_employee_id", deputy["employee_id"].is_number() ? deputy["employee_id"] : json(1)},
      {"starts_on", DaysFromNow(0)},
      {"ends_on", DaysFromNow(5)}};
  ExpectFields(Call("POST", "/api/v1/delegations", manager_token, "{\"deputy"), 400, {"body"});
  const HttpResponse missing = post(manager_token, json::object());
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(ErrorFields(missing), UnorderedElementsAre("deputy_employee_id", "starts_on", "ends_on"));
  const HttpResponse types =
      post(manager_token, {{"deputy_employee_id", "7"}, {"starts_on", 20250101}, {"ends_on", "2025-02-30"}});
  EXPECT_EQ(types.status, 400);
  EXPECT_THAT(ErrorFields(types), UnorderedElementsAre("deputy_employee_id", "starts_on", "ends_on"));
  json unknown = good;
  unknown["scope"] = "all";
  ExpectFields(post(manager_token, unknown), 400, {"scope"});
  json oversized = good;
  oversized["note"] = std::string(20000, 'x');
  EXPECT_EQ(post(manager_token, oversized).status, 413);
  // Without delegations.manage, or without an employee record: 403.
  ExpectProblem(post(Token("employee"), good), 403);
  ExpectProblem(post(Token("hr"), good), 403);
  ExpectProblem(post(Token("admin"), good), 403);
  ExpectFields(Call("GET", "/api/v1/delegations?limit=x", manager_token), 400, {"limit"});

  ASSERT_TRUE(manager["employee_id"].is_number() && deputy["employee_id"].is_number())
      << "the demo company (src/app/demo.cpp) must link the demo logins to employees";
  json reversed = good;
  reversed["starts_on"] = DaysFromNow(5);
  reversed["ends_on"] = DaysFromNow(1);
  ExpectFields(post(manager_token, reversed), 422, {"ends_on"});
  json past = good;
  past["starts_on"] = DaysFromNow(-30);
  past["ends_on"] = DaysFromNow(-3);
  ExpectFields(post(manager_token, past), 422, {"ends_on"});
  json long_one = good;
  long_one["ends_on"] = DaysFromNow(400);
  ExpectFields(post(manager_token, long_one), 422, {"ends_on"});
  json self = good;
  self["deputy_employee_id"] = manager["employee_id"];
  ExpectFields(post(manager_token, self), 422, {"deputy_employee_id"});
  json nobody = good;
  nobody["deputy_employee_id"] = 999999;
  ExpectFields(post(manager_token, nobody), 422, {"deputy_employee_id"});
}

// --- the audit log ------------------------------------------------------------

TEST_F(AuthAdmin, AuditLogIsReadNewestFirstWithFiltersAndCursor) {
  const std::string admin = Token("admin");
  for (const char* login : {"log.a", "log.b", "log.c"}) NewAccount(login, {"employee"});
  NewAccount("audit.reader3", {"auditor"});
  const std::string auditor = Token("audit.reader3");

  const HttpResponse first = Call("GET", "/api/v1/audit-log?action=account.create&limit=2", auditor);
  ASSERT_EQ(first.status, 200) << first.body;
  const json page = Body(first);
  ASSERT_EQ(page["items"].size(), 2u);
  const json newest = page["items"][0];
  EXPECT_EQ(newest["details"]["login"], "audit.reader3");
  EXPECT_GT(newest["id"].get<int64_t>(), page["items"][1]["id"].get<int64_t>());
  for (const char* key :
       {"id", "at", "account_id", "action", "object_type", "object_id", "client", "request_id", "details"}) {
    EXPECT_TRUE(newest.contains(key)) << key;
  }
  EXPECT_EQ(newest["account_id"], Me(admin)["id"]);
  EXPECT_EQ(newest["object_type"], "account");
  ASSERT_TRUE(page["next_cursor"].is_string());
  const json second = Body(
      Call("GET",
           "/api/v1/audit-log?action=account.create&limit=2&cursor=" + page["next_cursor"].get<std::string>(),
           auditor));
  ASSERT_FALSE(second["items"].empty());
  EXPECT_LT(second["items"][0]["id"].get<int64_t>(), page["items"][1]["id"].get<int64_t>());

  const json dated = Body(Call("GET",
                               "/api/v1/audit-log?from=" + DaysFromNow(-1) + "&to=" + DaysFromNow(1) +
                                   "&account_id=" + std::to_string(Me(admin)["id"].get<int64_t>()),
                               auditor));
  EXPECT_GE(dated["items"].size(), 4u);
  const json future = Body(Call("GET", "/api/v1/audit-log?from=" + DaysFromNow(3), auditor));
  EXPECT_TRUE(future["items"].empty());

  ExpectFields(Call("GET", "/api/v1/audit-log?from=yesterday", auditor), 400, {"from"});
  ExpectFields(Call("GET", "/api/v1/audit-log?to=2025-13-01", auditor), 400, {"to"});
  ExpectFields(Call("GET", "/api/v1/audit-log?from=2025-02-02&to=2025-02-01", auditor), 400, {"to"});
  ExpectFields(Call("GET", "/api/v1/audit-log?account_id=abc", auditor), 400, {"account_id"});
  ExpectFields(Call("GET", "/api/v1/audit-log?cursor=-5", auditor), 400, {"cursor"});
  ExpectFields(Call("GET", "/api/v1/audit-log?limit=1000", auditor), 400, {"limit"});
  ExpectFields(Call("GET", "/api/v1/audit-log?actor=1", auditor), 400, {"actor"});
  ExpectFields(Call("GET", "/api/v1/audit-log?action=" + std::string(300, 'a'), auditor), 400, {"action"});
  ExpectProblem(Call("GET", "/api/v1/audit-log", Token("hr")), 403);
  ExpectProblem(Call("GET", "/api/v1/audit-log", Token("employee")), 403);
}

// Behind a proxy the audit log names the client, not the proxy — when the
// proxy is trusted; from anyone else X-Forwarded-For says nothing.
TEST(AuditClient, XForwardedForIsBelievedOnlyFromATrustedProxy) {
  const auto client_of_a_read = [](DemoServer& server) {
    const HttpResponse read = server.Call("hr", "GET", "/api/v1/employees/5", "",
                                          {{"X-Forwarded-For", "198.51.100.1, 203.0.113.7"}});
    EXPECT_EQ(read.status, 200) << read.body;
    const HttpResponse audit =
        server.Call("auditor", "GET", "/api/v1/audit-log?action=employee.read_personal");
    const json items = json::parse(audit.body)["items"];
    EXPECT_EQ(items.size(), 1u) << audit.body;
    return items.empty() ? std::string() : items[0].value("client", "");
  };
  DemoServer behind_proxy(std::map<std::string, std::string>{{"TABEL_TRUSTED_PROXIES", "127.0.0.0/8, ::1"}});
  EXPECT_EQ(client_of_a_read(behind_proxy), "203.0.113.7");
  DemoServer direct;
  EXPECT_NE(client_of_a_read(direct), "203.0.113.7");
}

}  // namespace
}  // namespace tabel::testing
