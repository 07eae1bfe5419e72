// Pure pieces under the users service: dates, the department closure, the
// org chart's managers, the search key, query parameters, If-Match, the
// employee JSON.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "auth/access.hpp"
#include "auth/identity_cache.hpp"
#include "common/date.hpp"
#include "common/text.hpp"
#include "http/etag.hpp"
#include "http/query_fields.hpp"
#include "http/resource.hpp"
#include "support/errors.hpp"
#include "users/json.hpp"
#include "users/org_tree.hpp"
#include "users/repository.hpp"

namespace tabel {
namespace {

using ::testing::UnorderedElementsAre;

TEST(IsoDate, AcceptsRealDaysOnly) {
  using std::chrono::year_month_day;
  ASSERT_TRUE(ParseIsoDate("2024-02-29"));
  EXPECT_EQ(year_month_day(*ParseIsoDate("2024-02-29")), std::chrono::year{2024} / 2 / 29);
  EXPECT_EQ(FormatIsoDate(*ParseIsoDate("2026-12-16")), "2026-12-16");
  for (const char* bad : {"2025-02-29", "2025-13-01", "2025-00-10", "2025-1-01", "2025-01-01T00:00",
                          "20250101", "1899-12-31", "2200-01-01", "", "2025-01-3a", " 2025-01-01"}) {
    EXPECT_FALSE(ParseIsoDate(bad)) << bad;
  }
}

TEST(LowerRussian, FoldsRussianAndLatinCase) {
  EXPECT_EQ(LowerRussian("ПЕТРОВ Ёжиков Ivan"), "петров ёжиков ivan");
  EXPECT_EQ(users::SearchName("Иванов", "Пётр", std::nullopt), "иванов пётр");
  EXPECT_TRUE(HasControlCharacters("a\tb"));
  EXPECT_FALSE(HasControlCharacters("Отдел №5 «Кредиты»"));
}

TEST(DepartmentClosure, HoldsEveryAncestorWithItsDepth) {
  // 1 ─ 2 ─ 3
  //   └ 4
  const auto rows = users::ComputeClosure({{1, 0}, {2, 1}, {3, 2}, {4, 1}});
  std::vector<std::tuple<int64_t, int64_t, int>> got;
  for (const auto& row : rows) got.emplace_back(row.ancestor_id, row.descendant_id, row.depth);
  EXPECT_THAT(got, UnorderedElementsAre(std::tuple{1, 1, 0}, std::tuple{2, 2, 0}, std::tuple{3, 3, 0},
                                        std::tuple{4, 4, 0}, std::tuple{1, 2, 1}, std::tuple{2, 3, 1},
                                        std::tuple{1, 3, 2}, std::tuple{1, 4, 1}));
}

TEST(DepartmentClosure, RefusesACycle) {
  EXPECT_THROW(users::ComputeClosure({{1, 2}, {2, 1}}), std::invalid_argument);
}

TEST(OrgChart, TheManagerIsTheNearestHeadAboveWhoIsSomeoneElse) {
  // 1 (head 100) ─ 2 (head 200) ─ 3 (no head)
  //              └ 4 (head 400)
  const auth::OrgChart chart({{3, 2, 0}, {1, 0, 100}, {4, 1, 400}, {2, 1, 200}});
  EXPECT_EQ(chart.ManagerOf(7, 3), 200);    // no head of his own: the parent's
  EXPECT_EQ(chart.ManagerOf(7, 2), 200);    // his department's head
  EXPECT_EQ(chart.ManagerOf(200, 2), 100);  // a head's manager is the head above
  EXPECT_EQ(chart.ManagerOf(400, 4), 100);
  EXPECT_EQ(chart.ManagerOf(100, 1), std::nullopt);  // the top
  EXPECT_EQ(chart.ManagerOf(7, 99), std::nullopt);   // an unknown department
  EXPECT_EQ(auth::OrgChart().ManagerOf(7, 1), std::nullopt);
}

TEST(OrgChart, ACycleEndsTheWalk) {
  const auth::OrgChart chart({{1, 2, 0}, {2, 1, 0}});
  EXPECT_EQ(chart.ManagerOf(7, 1), std::nullopt);
}

TEST(EmployeeJson, TheWrittenTextIsTheDomsText) {
  users::Employee e;
  e.id = 12;
  e.personnel_number = "T-0012";
  e.last_name = "Ёлкина \"Юлия\"";
  e.first_name = "Анна\\";
  e.email = "a@b.ru";
  e.position_id = 3;
  e.position = "Бухгалтер";
  e.department_id = 5;
  e.hire_date = *ParseIsoDate("2020-02-29");
  e.employment_rate = 50;
  e.schedule_id = 2;
  e.phone = "+7 900";
  e.salary_kopecks = 12345600;
  e.version = 4;
  for (const bool personal : {false, true}) {
    for (const bool salary : {false, true}) {
      for (const bool dismissed : {false, true}) {
        e.personal_visible = personal;
        e.salary_visible = salary;
        e.dismissal_date = dismissed ? ParseIsoDate("2026-01-31") : std::nullopt;
        e.middle_name = dismissed ? std::optional<std::string>("Петровна") : std::nullopt;
        e.manager_id = dismissed ? std::optional<int64_t>() : std::optional<int64_t>(7);
        EXPECT_EQ(users::EmployeeJsonText(e), users::EmployeeJson(e).dump());
      }
    }
  }
  const std::vector<users::Employee> items{e, e};
  const nlohmann::json page = http::PageJson(http::ItemsJson(items, users::EmployeeJson), 12);
  EXPECT_EQ(users::EmployeePageJsonText(items, 12), page.dump());
  EXPECT_EQ(users::EmployeePageJsonText({}, std::nullopt),
            http::PageJson(nlohmann::json::array(), {}).dump());
}

http::Request WithQuery(std::vector<std::pair<std::string, std::string>> query) {
  http::Request request;
  request.query = std::move(query);
  return request;
}

TEST(QueryFields, ReadsPagesAndNamesEveryBadParameter) {
  const http::Request good = WithQuery({{"limit", "10"}, {"cursor", "42"}, {"subtree", "true"}});
  http::QueryFields fields(good);
  const http::PageRequest page = fields.Page();
  EXPECT_EQ(page.limit, 10);
  EXPECT_EQ(page.after, 42);
  EXPECT_EQ(fields.Bool("subtree"), true);
  EXPECT_NO_THROW(fields.Finish());

  const http::Request bad =
      WithQuery({{"limit", "500"}, {"cursor", "-1"}, {"subtree", "1"}, {"colour", "red"}});
  http::QueryFields checked(bad);
  checked.Page();
  checked.Bool("subtree");
  const Error error = testing::CatchError([&] { checked.Finish(); });
  std::vector<std::string> names;
  for (const auto& field : error.fields()) names.push_back(field.field);
  EXPECT_THAT(names, UnorderedElementsAre("limit", "cursor", "subtree", "colour"));
}

TEST(IfMatch, IsRequiredAndMustBeAnETag) {
  http::Request request;
  EXPECT_EQ(testing::CatchError([&] { http::RequireIfMatch(request); }).kind(),
            ErrorKind::kPreconditionRequired);
  request.headers.set("If-Match", "\"7\"");
  EXPECT_EQ(http::RequireIfMatch(request), 7);
  request.headers.set("If-Match", "W/\"8\"");
  EXPECT_EQ(http::RequireIfMatch(request), 8);
  for (const char* bad : {"7", "\"\"", "\"x\"", "*", "\"0\""}) {
    request.headers.set("If-Match", bad);
    EXPECT_EQ(testing::CatchError([&] { http::RequireIfMatch(request); }).kind(), ErrorKind::kBadRequest)
        << bad;
  }
}

TEST(IdentityCache, ServesOnlyTheRolesVersionItWasLoadedWith) {
  auth::IdentityCache cache;
  Identity identity;
  identity.account_id = 7;
  identity.roles = {"manager"};
  cache.Put(7, 3, identity);
  ASSERT_TRUE(cache.Find(7, 3));
  EXPECT_EQ(cache.Find(7, 3)->roles, std::vector<std::string>{"manager"});
  EXPECT_FALSE(cache.Find(7, 4));  // a token issued after a change of roles
  EXPECT_FALSE(cache.Find(8, 3));
  cache.Forget(7);
  EXPECT_FALSE(cache.Find(7, 3));
}

}  // namespace
}  // namespace tabel
