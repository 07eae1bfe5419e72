// Pure pieces under the users service: dates, the department closure, the
// search key, query parameters, If-Match.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "auth/identity_cache.hpp"
#include "common/date.hpp"
#include "common/text.hpp"
#include "http/etag.hpp"
#include "http/query_fields.hpp"
#include "support/errors.hpp"
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
