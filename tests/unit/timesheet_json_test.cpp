// The timesheet's JSON, written as text without a tree: it must parse, and
// say what the row says (codes, hours with one decimal, days not employed
// as null, corrections of earlier months), with names escaped.

#include "analytics/json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tabel::analytics {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::chrono::year_month kNovember{2026y / std::chrono::November};

T13Row Row() {
  T13Row row;
  row.employee_id = 7;
  row.personnel_number = "T-0007";
  row.name = "Иванов \"Ваня\" Иван\\";
  row.position = "Инженер";
  row.department_id = 3;
  row.days.resize(30);
  for (size_t i = 1; i < row.days.size(); ++i) {
    row.days[i].entries[0] = {kCodeWorked, 75};
    row.days[i].count = 1;
  }
  row.days[2].entries[1] = {kCodeOvertime, 20};
  row.days[2].count = 2;
  row.days[2].corrected = true;
  row.totals = Summarize(row.days, {20, 1590});
  TimesheetDay earlier;
  earlier.entries[0] = {CodeOf("Б"), 0};
  earlier.count = 1;
  row.earlier.push_back({*ParseIsoDate("2026-10-14"), earlier});
  return row;
}

TEST(TimesheetJson, TheT13IsValidJsonSayingWhatTheRowsSay) {
  T13Document document;
  document.organization = "Банк «Табель»";
  document.department_id = 3;
  document.department_code = "IT-DEV";
  document.department_name = "Отдел \"разработки\"";
  document.month = kNovember;
  document.kinds.assign(30, calendar::DayKind::kWorking);
  document.kinds[0] = calendar::DayKind::kWeekend;
  document.rows = {Row()};
  const json t13 = json::parse(T13JsonText(document));
  EXPECT_EQ(t13.at("department").at("name"), "Отдел \"разработки\"");
  EXPECT_EQ(t13.at("month"), "2026-11");
  EXPECT_EQ(t13.at("closed"), false);
  ASSERT_EQ(t13.at("days").size(), 30U);
  EXPECT_EQ(t13.at("days")[0], json({{"date", "2026-11-01"}, {"kind", "weekend"}}));
  const json& row = t13.at("items").at(0);
  EXPECT_EQ(row.at("name"), "Иванов \"Ваня\" Иван\\");
  EXPECT_TRUE(row.at("days")[0].is_null());
  EXPECT_EQ(row.at("days")[1],
            json({{"entries", {{{"code", "Я"}, {"number", "01"}, {"hours", 7.5}}}}, {"corrected", false}}));
  EXPECT_EQ(row.at("days")[2].at("entries")[1], json({{"code", "С"}, {"number", "04"}, {"hours", 2.0}}));
  EXPECT_EQ(row.at("days")[2].at("corrected"), true);
  EXPECT_EQ(row.at("totals").at("month"), json({{"days", 29}, {"hours", 219.5}}));
  EXPECT_EQ(row.at("totals").at("norm"), json({{"days", 20}, {"hours", 159.0}}));
  EXPECT_EQ(row.at("totals").at("codes"),
            json({{{"code", "Я"}, {"number", "01"}, {"days", 29}, {"hours", 217.5}},
                  {{"code", "С"}, {"number", "04"}, {"days", 1}, {"hours", 2.0}}}));
  EXPECT_EQ(row.at("earlier")[0].at("date"), "2026-10-14");
  EXPECT_EQ(row.at("earlier")[0].at("entries")[0].at("code"), "Б");
}

TEST(TimesheetJson, APersonsMonthCarriesHisKindsAndCorrections) {
  PersonMonth month;
  month.row = Row();
  month.month = kNovember;
  month.kinds.assign(30, calendar::DayKind::kHoliday);
  Correction correction;
  correction.id = 5;
  correction.employee_id = 7;
  correction.date = *ParseIsoDate("2026-11-03");
  correction.period = kNovember;
  correction.entries = {{kCodeWorked, 40}};
  correction.reason = "курсы";
  month.corrections.push_back(correction);
  const json person = json::parse(PersonMonthJsonText(month));
  EXPECT_EQ(person.at("employee_id"), 7);
  EXPECT_EQ(person.at("month"), "2026-11");
  EXPECT_EQ(person.at("kinds")[0], "holiday");
  EXPECT_EQ(person.at("corrections")[0].at("reason"), "курсы");
  EXPECT_EQ(person.at("corrections")[0].at("entries")[0].at("hours"), 4.0);
}

}  // namespace
}  // namespace tabel::analytics
