// The users service over HTTP on the demo company: employees and
// departments — create, read, change with ETag/If-Match, pagination,
// search, subtree filters, the rules nobody may break, the audit trail, and
// bad input on every endpoint (always a 4xx problem+json naming the field).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "support/demo_server.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;

class Users : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new DemoServer(); }
  static void TearDownTestSuite() { delete server_; }

  static HttpResponse Call(const std::string& login, const std::string& method, const std::string& target,
                           const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    return server_->Call(login, method, target, body, std::move(headers));
  }

  static json NewEmployee(const std::string& number) {
    return {{"personnel_number", number},
            {"last_name", "Григорьев"},
            {"first_name", "Олег"},
            {"middle_name", "Васильевич"},
            {"email", number + "@demo.tabel.local"},
            {"phone", "+7 495 000-00-00"},
            {"position_id", 1},
            {"department_id", 3},
            {"schedule_id", 1},
            {"hire_date", "2024-02-01"},
            {"salary_kopecks", 15000000}};
  }

  static DemoServer* server_;
};
DemoServer* Users::server_ = nullptr;

TEST_F(Users, HrCreatesAnEmployeeWhoCanThenBeReadWithItsETag) {
  const HttpResponse created = Call("hr", "POST", "/api/v1/employees", NewEmployee("N-100").dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const json body = json::parse(created.body);
  EXPECT_EQ(created.Header("location"), "/api/v1/employees/" + std::to_string(body["id"].get<int64_t>()));
  EXPECT_EQ(created.Header("etag"), "\"1\"");
  EXPECT_EQ(body["department_id"], 3);
  EXPECT_EQ(body["manager_id"], 3);  // the head of IT-DEV
  EXPECT_EQ(body["salary_kopecks"], 15000000);
  const HttpResponse read = Call("manager", "GET", created.Header("location"));
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(json::parse(read.body)["last_name"], "Григорьев");
  EXPECT_FALSE(json::parse(read.body).contains("salary_kopecks"));

  const HttpResponse again = Call("hr", "POST", "/api/v1/employees", NewEmployee("N-100").dump());
  EXPECT_EQ(again.status, 409);
  EXPECT_THAT(ProblemFields(again), ElementsAre("personnel_number"));
}

TEST_F(Users, UpdatesNeedTheCurrentVersion) {
  const std::string path = "/api/v1/employees/7";
  const std::string etag = Call("hr", "GET", path).Header("etag");
  const std::string change = json{{"region", "Казань"}}.dump();

  const HttpResponse without = Call("hr", "PATCH", path, change);
  EXPECT_EQ(without.status, 428);
  EXPECT_THAT(ProblemFields(without), ElementsAre("If-Match"));

  const HttpResponse first = Call("hr", "PATCH", path, change, {{"If-Match", etag}});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_NE(first.Header("etag"), etag);
  EXPECT_EQ(json::parse(first.body)["region"], "Казань");

  const HttpResponse stale = Call("hr", "PATCH", path, json{{"region", "Омск"}}.dump(), {{"If-Match", etag}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(json::parse(Call("hr", "GET", path).body)["region"], "Казань");

  EXPECT_EQ(Call("hr", "PATCH", path, change, {{"If-Match", "soon"}}).status, 400);
}

TEST_F(Users, OwnProfileAllowsOnlyThePhone) {
  const std::string path = "/api/v1/employees/" + std::to_string(server_->EmployeeOf("employee"));
  const std::string etag = Call("employee", "GET", path).Header("etag");
  const HttpResponse name =
      Call("employee", "PATCH", path, json{{"last_name", "Другой"}}.dump(), {{"If-Match", etag}});
  EXPECT_EQ(name.status, 403);
  EXPECT_THAT(ProblemFields(name), ElementsAre("last_name"));
  const HttpResponse phone =
      Call("employee", "PATCH", path, json{{"phone", "+7 916 123-45-67"}}.dump(), {{"If-Match", etag}});
  ASSERT_EQ(phone.status, 200) << phone.body;
  EXPECT_EQ(json::parse(phone.body)["phone"], "+7 916 123-45-67");
}

TEST_F(Users, NobodyMakesHimselfAHeadOrMovesADepartmentUnderItself) {
  const std::string hr_department = "/api/v1/departments/7";
  const std::string etag = Call("hr", "GET", hr_department).Header("etag");
  const HttpResponse self_head =
      Call("hr", "PATCH", hr_department, json{{"head_employee_id", server_->EmployeeOf("hr")}}.dump(),
           {{"If-Match", etag}});
  EXPECT_EQ(self_head.status, 403);
  EXPECT_THAT(ProblemFields(self_head), ElementsAre("head_employee_id"));

  // IT (2) under its own sub-department IT-DEV (3).
  const std::string it = "/api/v1/departments/2";
  const HttpResponse cycle = Call("hr", "PATCH", it, json{{"parent_id", 3}}.dump(),
                                  {{"If-Match", Call("hr", "GET", it).Header("etag")}});
  EXPECT_EQ(cycle.status, 422);
  EXPECT_THAT(ProblemFields(cycle), ElementsAre("parent_id"));
}

TEST_F(Users, MovingADepartmentMovesItsPeopleOutOfTheOldHeadsReach) {
  // A new department under RETAIL: manager2 sees its people, manager does not;
  // after it moves under IT, the other way round.
  const HttpResponse created =
      Call("hr", "POST", "/api/v1/departments",
           json{{"code", "RETAIL-NEW"}, {"name", "Сектор новых продуктов"}, {"parent_id", 5}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t department = json::parse(created.body)["id"];
  json person = NewEmployee("N-200");
  person["department_id"] = department;
  const HttpResponse hired = Call("hr", "POST", "/api/v1/employees", person.dump());
  ASSERT_EQ(hired.status, 201) << hired.body;
  const std::string path = hired.Header("location");
  EXPECT_EQ(Call("manager2", "GET", path).status, 200);
  EXPECT_EQ(Call("manager", "GET", path).status, 404);

  const std::string department_path = "/api/v1/departments/" + std::to_string(department);
  const HttpResponse moved = Call("hr", "PATCH", department_path, json{{"parent_id", 2}}.dump(),
                                  {{"If-Match", created.Header("etag")}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(Call("manager2", "GET", path).status, 404);
  EXPECT_EQ(Call("manager", "GET", path).status, 200);
  EXPECT_EQ(json::parse(Call("hr", "GET", path).body)["manager_id"], server_->EmployeeOf("manager"));
}

TEST_F(Users, ListsPageWithACursorAndFilterBySubtreeAndName) {
  std::set<int64_t> seen;
  std::string cursor;
  int pages = 0;
  do {
    const std::string target = "/api/v1/employees?limit=4" + (cursor.empty() ? "" : "&cursor=" + cursor);
    const json page = json::parse(Call("hr", "GET", target).body);
    ASSERT_LE(page["items"].size(), 4u);
    for (const json& item : page["items"]) EXPECT_TRUE(seen.insert(item["id"].get<int64_t>()).second);
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty() && pages < 20);
  EXPECT_GE(seen.size(), 14u);
  EXPECT_GE(pages, 4);

  // RETAIL (5) and its RETAIL-LOANS (6); no other test changes that subtree.
  const json retail =
      json::parse(Call("hr", "GET", "/api/v1/employees?department_id=5&subtree=true&limit=200").body);
  EXPECT_EQ(retail["items"].size(), 3u);
  for (const json& item : retail["items"]) {
    EXPECT_THAT((std::set<int64_t>{5, 6}), Contains(item["department_id"].get<int64_t>()));
  }
  const json only = json::parse(Call("hr", "GET", "/api/v1/employees?department_id=2").body);
  ASSERT_EQ(only["items"].size(), 1u);
  EXPECT_EQ(only["items"][0]["id"], server_->EmployeeOf("manager"));

  // "Петров" in any case, and a personnel number.
  const json by_name =
      json::parse(Call("hr", "GET", "/api/v1/employees?q=%D0%BF%D0%95%D0%A2%D0%A0%D0%9E%D0%92").body);
  ASSERT_EQ(by_name["items"].size(), 1u);
  EXPECT_EQ(by_name["items"][0]["id"], server_->EmployeeOf("employee"));
  const json by_number = json::parse(Call("hr", "GET", "/api/v1/employees?q=DEMO-010").body);
  ASSERT_EQ(by_number["items"].size(), 1u);
  EXPECT_EQ(by_number["items"][0]["id"], 10);
}

TEST_F(Users, ReadsOfSalaryAndWritesAreAudited) {
  Call("accountant", "GET", "/api/v1/employees/9");
  const std::string etag = Call("hr", "GET", "/api/v1/employees/9").Header("etag");
  ASSERT_EQ(
      Call("hr", "PATCH", "/api/v1/employees/9", json{{"employment_rate", 50}}.dump(), {{"If-Match", etag}})
          .status,
      200);
  // The auditor reads them through the API.
  const HttpResponse log = Call("auditor", "GET", "/api/v1/audit-log?object_type=employee&object_id=9");
  ASSERT_EQ(log.status, 200) << log.body;
  std::set<std::string> actions;
  const json items = json::parse(log.body)["items"];
  for (const json& item : items) actions.insert(item["action"].get<std::string>());
  EXPECT_THAT(actions, Contains("employee.read_salary"));
  EXPECT_THAT(actions, Contains("employee.update"));
}

struct BadInput {
  std::string method, target, body;
  std::map<std::string, std::string> headers;
  int status;
  std::string field;  // empty: only the status is checked
};

TEST_F(Users, BadInputIsA4xxNamingTheField) {
  json wrong_types = NewEmployee("N-300");
  wrong_types["salary_kopecks"] = "a lot";
  json bad_date = NewEmployee("N-301");
  bad_date["hire_date"] = "2025-02-30";
  json missing = NewEmployee("N-302");
  missing.erase("last_name");
  json unknown = NewEmployee("N-303");
  unknown["shoe_size"] = 44;
  json bad_email = NewEmployee("N-304");
  bad_email["email"] = "not-an-address";
  json no_department = NewEmployee("N-305");
  no_department["department_id"] = 999999;
  json dismissed_before = NewEmployee("N-306");
  dismissed_before["dismissal_date"] = "2020-01-01";
  json control = NewEmployee("N-307");
  control["first_name"] = "Олег\u0007";
  const std::string huge = json{{"last_name", std::string(20000, 'x')}}.dump();
  const std::vector<BadInput> cases = {
      {"POST", "/api/v1/employees", "{\"personnel_number\":", {}, 400, "body"},
      {"POST", "/api/v1/employees", "[1,2]", {}, 400, "body"},
      {"POST", "/api/v1/employees", wrong_types.dump(), {}, 400, "salary_kopecks"},
      {"POST", "/api/v1/employees", bad_date.dump(), {}, 400, "hire_date"},
      {"POST", "/api/v1/employees", missing.dump(), {}, 400, "last_name"},
      {"POST", "/api/v1/employees", unknown.dump(), {}, 400, "shoe_size"},
      {"POST", "/api/v1/employees", bad_email.dump(), {}, 400, "email"},
      {"POST", "/api/v1/employees", no_department.dump(), {}, 422, "department_id"},
      {"POST", "/api/v1/employees", dismissed_before.dump(), {}, 400, "dismissal_date"},
      {"POST", "/api/v1/employees", control.dump(), {}, 400, "first_name"},
      {"POST",
       "/api/v1/employees",
       NewEmployee("N-308").dump(),
       {{"Content-Type", "text/plain"}},
       400,
       "Content-Type"},
      {"PATCH", "/api/v1/employees/4", huge, {{"If-Match", "\"1\""}}, 413, ""},
      {"PATCH",
       "/api/v1/employees/4",
       json{{"last_name", nullptr}}.dump(),
       {{"If-Match", "\"1\""}},
       400,
       "last_name"},
      {"PATCH",
       "/api/v1/employees/4",
       json{{"employment_rate", 0}}.dump(),
       {{"If-Match", "\"1\""}},
       400,
       "employment_rate"},
      {"GET", "/api/v1/employees/abc", "", {}, 400, "id"},
      {"GET", "/api/v1/employees/0", "", {}, 400, "id"},
      {"GET", "/api/v1/employees/999999", "", {}, 404, ""},
      {"GET", "/api/v1/employees?limit=0", "", {}, 400, "limit"},
      {"GET", "/api/v1/employees?limit=abc", "", {}, 400, "limit"},
      {"GET", "/api/v1/employees?cursor=xyz", "", {}, 400, "cursor"},
      {"GET", "/api/v1/employees?subtree=true", "", {}, 400, "subtree"},
      {"GET", "/api/v1/employees?subtree=yes&department_id=2", "", {}, 400, "subtree"},
      {"GET", "/api/v1/employees?departmnet_id=2", "", {}, 400, "departmnet_id"},
      {"POST", "/api/v1/departments", json{{"code", "A B"}, {"name", "Отдел"}}.dump(), {}, 400, "code"},
      {"POST", "/api/v1/departments", json{{"code", "NEW"}}.dump(), {}, 400, "name"},
      {"POST",
       "/api/v1/departments",
       json{{"code", "NEW"}, {"name", "Отдел"}, {"parent_id", 999}}.dump(),
       {},
       422,
       "parent_id"},
      {"POST",
       "/api/v1/departments",
       json{{"code", "IT"}, {"name", "Ещё один ИТ"}, {"parent_id", 1}}.dump(),
       {},
       409,
       "code"},
      {"POST",
       "/api/v1/departments",
       json{{"code", "NEW2"}, {"name", "Отдел"}, {"head_employee_id", -1}}.dump(),
       {},
       400,
       "head_employee_id"},
      {"PATCH", "/api/v1/departments/3", json{{"name", 5}}.dump(), {{"If-Match", "\"1\""}}, 400, "name"},
      {"GET", "/api/v1/departments?parent_id=x", "", {}, 400, "parent_id"},
      {"POST", "/api/v1/positions", json{{"name", ""}}.dump(), {}, 400, "name"},
      {"POST", "/api/v1/positions", json{{"name", "Специалист"}}.dump(), {}, 409, "name"},
  };
  for (const BadInput& c : cases) {
    const HttpResponse response = Call("hr", c.method, c.target, c.body, c.headers);
    EXPECT_EQ(response.status, c.status)
        << c.method << " " << c.target << " " << c.body.substr(0, 200) << " -> " << response.body;
    EXPECT_EQ(response.Header("content-type"), "application/problem+json") << c.target;
    if (!c.field.empty()) {
      EXPECT_THAT(ProblemFields(response), Contains(c.field)) << c.target << " " << response.body;
    }
  }
}

TEST_F(Users, EveryRouteNeedsAToken) {
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/api/v1/employees"},
                                                        {"GET", "/api/v1/employees/1"},
                                                        {"PATCH", "/api/v1/employees/1"},
                                                        {"POST", "/api/v1/employees"},
                                                        {"GET", "/api/v1/departments"},
                                                        {"GET", "/api/v1/departments/1"},
                                                        {"POST", "/api/v1/departments"},
                                                        {"PATCH", "/api/v1/departments/1"},
                                                        {"GET", "/api/v1/positions"},
                                                        {"POST", "/api/v1/positions"},
                                                        {"GET", "/api/v1/work-schedules"}}) {
    EXPECT_EQ(Call("", method, target, method == "GET" ? "" : "{}").status, 401) << method << " " << target;
  }
}

TEST_F(Users, ReferenceListsAreReadable) {
  const json positions = json::parse(Call("employee", "GET", "/api/v1/positions").body);
  EXPECT_GE(positions["items"].size(), 10u);
  const json schedules = json::parse(Call("employee", "GET", "/api/v1/work-schedules").body);
  ASSERT_GE(schedules["items"].size(), 4u);
  EXPECT_EQ(schedules["items"][0]["hours_per_week"], 40);
  const json roots = json::parse(Call("employee", "GET", "/api/v1/departments?roots=true").body);
  ASSERT_EQ(roots["items"].size(), 1u);
  EXPECT_TRUE(roots["items"][0]["parent_id"].is_null());
  const json children = json::parse(Call("employee", "GET", "/api/v1/departments?parent_id=1").body);
  EXPECT_EQ(children["items"].size(), 4u);
}

// PostgreSQL runs the read of one employee as a statement prepared once per
// connection; a connection the server dropped is reopened and prepares it
// again, invisibly to the caller.
TEST(PostgresOnlyUsers, ReadsSurviveTheServerDroppingConnections) {
  // No queue consumers: they would lease pooled sessions in the background
  // and leave a dropped one for the last read below.
  DemoServer server(std::map<std::string, std::string>{{"TABEL_WORKER_THREADS", "0"}});
  const std::string path = "/api/v1/employees/" + std::to_string(server.EmployeeOf("employee"));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(server.Call("hr", "GET", path).status, 200);
  EXPECT_GT(server.database().TerminateConnections(), 0);
  int ok = 0;
  for (int i = 0; i < 20; ++i) ok += server.Call("hr", "GET", path).status == 200 ? 1 : 0;
  // A request may meet the dropped connection once per pooled session
  // (503, then reopened); after that every read succeeds.
  EXPECT_GE(ok, 12);
  EXPECT_EQ(server.Call("hr", "GET", path).status, 200);
}

}  // namespace
}  // namespace tabel::testing
