// The team calendar written as text: valid JSON with every member a client
// reads — a day's code, its hours (with a decimal when not whole), the
// request and type of an activity, null before the hire date — and names
// escaped.

#include "calendar/views_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tabel::calendar {
namespace {

using nlohmann::json;

Date D(const char* text) { return *ParseIsoDate(text); }

TEST(TeamCalendarText, WritesEveryMemberAsJson) {
  TeamCalendar team;
  team.filter = {119, true};
  team.from = D("2026-11-06");
  team.to = D("2026-11-07");
  team.kinds = {DayKind::kWorking, DayKind::kWeekend};
  team.next_after = 42;
  CalendarPerson person;
  person.id = 7;
  person.name = "Иванов \"Ваня\" Иван\\";
  person.position = "Кассир";
  person.department_id = 120;
  DayCell working{std::string(kWorkingCode), 72, std::nullopt, std::nullopt};
  DayCell vacation{"ОТ", 0, 501, "annual_leave"};
  team.people.push_back({person, {working, vacation}});
  person.id = 8;
  person.name = "Петрова Анна";
  DayCell absent{std::string(kAbsentCode), 0, std::nullopt, std::nullopt};
  team.people.push_back({person, {DayCell{}, absent}});

  const json parsed = json::parse(TeamCalendarText(team));

  const json expected = {
      {"department_id", 119},
      {"subtree", true},
      {"from", "2026-11-06"},
      {"to", "2026-11-07"},
      {"days",
       {{{"date", "2026-11-06"}, {"kind", "working"}}, {{"date", "2026-11-07"}, {"kind", "weekend"}}}},
      {"items",
       {{{"employee_id", 7},
         {"name", "Иванов \"Ваня\" Иван\\"},
         {"position", "Кассир"},
         {"department_id", 120},
         {"days",
          {{{"code", "Я"}, {"hours", 7.2}},
           {{"code", "ОТ"}, {"request_id", 501}, {"type", "annual_leave"}}}}},
        {{"employee_id", 8},
         {"name", "Петрова Анна"},
         {"position", "Кассир"},
         {"department_id", 120},
         {"days", {{{"code", nullptr}}, {{"code", "absent"}}}}}}},
      {"next_cursor", "42"}};
  EXPECT_EQ(parsed, expected);
}

TEST(TeamCalendarText, WholeHoursAreIntegersAndTheLastPageHasNoCursor) {
  TeamCalendar team;
  team.from = team.to = D("2026-11-06");
  team.kinds = {DayKind::kWorking};
  CalendarPerson person;
  person.id = 1;
  team.people.push_back({person, {DayCell{std::string(kWorkingCode), 80, std::nullopt, std::nullopt}}});

  const std::string text = TeamCalendarText(team);
  EXPECT_NE(text.find(R"({"code":"Я","hours":8})"), std::string::npos) << text;
  EXPECT_TRUE(json::parse(text).at("next_cursor").is_null());
}

}  // namespace
}  // namespace tabel::calendar
