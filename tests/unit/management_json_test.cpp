// A request written as text: valid JSON with every member a client reads —
// nulls for what is not set, days with their decimals, the chain, warnings
// with escaped text — and a page with its cursor.

#include "management/json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "infra/db/timestamp.hpp"

namespace tabel::management {
namespace {

using nlohmann::json;

Request Vacation() {
  Request r;
  r.id = 501;
  r.type = "vacation";
  r.employee_id = 7;
  r.department_id = 3;
  r.start_date = *ParseIsoDate("2026-12-01");
  r.end_date = *ParseIsoDate("2026-12-14");
  r.status = "pending";
  r.steps = {"manager", "hr"};
  r.step = 0;
  r.step_role = "manager";
  r.approver_employee_id = 2;
  r.balance_kind = "annual";
  r.charged_centidays = 1425;
  r.comment = "к морю \"на\" юг\\";
  r.warnings = {{"split-leave", "end_date", "one part must be 14 days"}};
  r.created_by = 11;
  r.version = 3;
  r.created_at = *db::ParseTimestamp("2026-11-29T10:00:00.250000Z");
  r.updated_at = *db::ParseTimestamp("2026-11-29T10:05:00Z");
  return r;
}

TEST(RequestJsonText, WritesEveryMember) {
  const json parsed = json::parse(RequestJsonText(Vacation()));
  const json expected = {
      {"id", 501},
      {"type", "vacation"},
      {"employee_id", 7},
      {"start_date", "2026-12-01"},
      {"end_date", "2026-12-14"},
      {"status", "pending"},
      {"steps", {"manager", "hr"}},
      {"step", 0},
      {"step_role", "manager"},
      {"approver_employee_id", 2},
      {"balance_kind", "annual"},
      {"charged_days", 14.25},
      {"comment", "к морю \"на\" юг\\"},
      {"destination", nullptr},
      {"purpose", nullptr},
      {"travel_days", nullptr},
      {"certificate_number", nullptr},
      {"hours", nullptr},
      {"warnings",
       {{{"code", "split-leave"}, {"field", "end_date"}, {"message", "one part must be 14 days"}}}},
      {"created_by", 11},
      {"version", 3},
      {"created_at", "2026-11-29T10:00:00.250000Z"},
      {"updated_at", "2026-11-29T10:05:00.000000Z"}};
  EXPECT_EQ(parsed, expected);
}

TEST(RequestJsonText, WritesDaysAndOpenEnds) {
  Request r = Vacation();
  r.end_date.reset();
  r.approver_employee_id.reset();
  r.step_role.reset();
  r.travel_days = 2;
  r.warnings.clear();
  for (const auto& [centidays, days] : std::vector<std::pair<int64_t, double>>{
           {0, 0.0}, {1400, 14.0}, {150, 1.5}, {7, 0.07}, {-250, -2.5}, {-5, -0.05}}) {
    r.charged_centidays = centidays;
    const json parsed = json::parse(RequestJsonText(r));
    EXPECT_DOUBLE_EQ(parsed.at("charged_days").get<double>(), days) << centidays;
    EXPECT_TRUE(parsed.at("end_date").is_null());
    EXPECT_TRUE(parsed.at("approver_employee_id").is_null());
    EXPECT_TRUE(parsed.at("step_role").is_null());
    EXPECT_EQ(parsed.at("travel_days"), 2);
    EXPECT_EQ(parsed.at("warnings"), json::array());
  }
}

TEST(RequestPageJsonText, ListsTheItemsAndTheCursor) {
  Request second = Vacation();
  second.id = 502;
  const json page = json::parse(RequestPageJsonText({Vacation(), second}, 502));
  ASSERT_EQ(page.at("items").size(), 2U);
  EXPECT_EQ(page.at("items")[0].at("id"), 501);
  EXPECT_EQ(page.at("items")[1].at("id"), 502);
  EXPECT_EQ(page.at("next_cursor"), "502");
  const json last = json::parse(RequestPageJsonText({}, std::nullopt));
  EXPECT_EQ(last.at("items"), json::array());
  EXPECT_TRUE(last.at("next_cursor").is_null());
}

}  // namespace
}  // namespace tabel::management
