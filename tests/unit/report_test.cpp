// Reports for accounting from T-13 rows made by hand: what counts as worked,
// overtime, work on days off and absence; the sums per person over months,
// per department and in total; absence statistics; the earned part of a
// salary and its rounding.

#include "analytics/report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tabel::analytics {
namespace {

using std::chrono::November;
using std::chrono::October;
using std::chrono::year;

DayEntry E(std::string_view code, int32_t tenths = 0) { return {CodeOf(code), tenths}; }

TimesheetDay Day(std::initializer_list<DayEntry> entries) {
  TimesheetDay day;
  for (const DayEntry& entry : entries) day.entries[day.count++] = entry;
  return day;
}

// A short "month" of five days: Я 8; Я 8 / С 2; ОТ; РВ 8; В — norm 4 days, 32 hours.
T13Row Row(int64_t id, std::string name, int64_t department, bool closed = false) {
  T13Row row;
  row.employee_id = id;
  row.personnel_number = "N-" + std::to_string(id);
  row.name = std::move(name);
  row.position = "Специалист";
  row.department_id = department;
  row.closed = closed;
  row.days = {Day({E("Я", 80)}), Day({E("Я", 80), E("С", 20)}), Day({E("ОТ")}), Day({E("РВ", 80)}),
              Day({E("В")})};
  row.totals = Summarize(row.days, {4, 320});
  return row;
}

const DepartmentNames& Departments() {
  static const DepartmentNames names = {{10, {"B-SALES", "Продажи"}}, {20, {"A-IT", "ИТ"}}};
  return names;
}

// The cells of column `key` of `table`.
std::vector<Cell> Column(const Table& table, std::string_view key) {
  std::vector<Cell> cells;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (table.columns[c].key != key) continue;
    for (const ReportRow& row : table.rows) cells.push_back(row[c]);
  }
  return cells;
}

Cell TotalOf(const Table& table, std::string_view key) {
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (table.columns[c].key == key) return table.total.value().at(c);
  }
  ADD_FAILURE() << "no column " << key;
  return int64_t{-1};
}

TEST(Report, TheEarnedPartIsTheSalaryTimesWorkedOverNormRoundedHalfUpToAKopeck) {
  // 230,000.00 roubles, 136 of 176 hours: 177,727.2727… roubles.
  EXPECT_EQ(EarnedKopecks(23'000'000, 1360, 1760), 17'772'727);
  EXPECT_EQ(EarnedKopecks(1, 5, 10), 1);  // half a kopeck goes up
  EXPECT_EQ(EarnedKopecks(3, 5, 10), 2);  // 1.5
  EXPECT_EQ(EarnedKopecks(5, 1, 4), 1);   // 1.25
  EXPECT_EQ(EarnedKopecks(7, 3, 4), 5);   // 5.25
  EXPECT_EQ(EarnedKopecks(100, 1760, 1760), 100);
  EXPECT_EQ(EarnedKopecks(100, 20, 10), 200);  // above the norm: not capped
  EXPECT_EQ(EarnedKopecks(100, 80, 0), 0);     // no norm
  EXPECT_EQ(EarnedKopecks(100, 0, 1760), 0);
  // The largest salary the users service takes (10^12 kopecks) over a
  // month of days with two entries of 24 hours each stays exact.
  EXPECT_EQ(EarnedKopecks(1'000'000'000'000, 14880, 14880), 1'000'000'000'000);
  EXPECT_EQ(EarnedKopecks(1'000'000'000'000, 14879, 14880), 999'932'795'699);
}

TEST(Report, HoursSumWorkOvertimeDaysOffAndAbsencesPerPersonOverTheMonths) {
  ReportBuilder builder(
      {ReportKind::kHours, std::nullopt, false, year(2026) / October, year(2026) / November}, Departments());
  for (const auto month : {year(2026) / October, year(2026) / November}) {
    builder.Add(month, Row(1, "Яковлев Борис", 10));
    builder.Add(month, Row(2, "Андреева Вера", 20));
  }
  builder.Add(year(2026) / November, Row(3, "Борисов Глеб", 20));
  const Report report = std::move(builder).Finish();
  ASSERT_EQ(report.tables.size(), 3U);
  const Table& people = report.tables[0];
  EXPECT_EQ(people.key, "items");
  // By department code (A-IT before B-SALES), then name.
  EXPECT_THAT(Column(people, "employee_id"),
              ::testing::ElementsAre(Cell(int64_t{2}), Cell(int64_t{3}), Cell(int64_t{1})));
  EXPECT_EQ(Column(people, "department")[0], Cell(std::string("ИТ")));
  // Two months of person 2: Я on 2 days of 5 each.
  EXPECT_EQ(Column(people, "norm_days")[0], Cell(int64_t{8}));
  EXPECT_EQ(Column(people, "norm_hours")[0], Cell(int64_t{640}));
  EXPECT_EQ(Column(people, "worked_days")[0], Cell(int64_t{4}));
  EXPECT_EQ(Column(people, "worked_hours")[0], Cell(int64_t{320}));
  EXPECT_EQ(Column(people, "difference_hours")[0], Cell(int64_t{-320}));
  EXPECT_EQ(Column(people, "overtime_hours")[0], Cell(int64_t{40}));
  EXPECT_EQ(Column(people, "weekend_work_days")[0], Cell(int64_t{2}));
  EXPECT_EQ(Column(people, "weekend_work_hours")[0], Cell(int64_t{160}));
  EXPECT_EQ(Column(people, "absence_days")[0], Cell(int64_t{2}));
  // Person 3: one month.
  EXPECT_EQ(Column(people, "worked_hours")[1], Cell(int64_t{160}));
  EXPECT_EQ(TotalOf(people, "worked_hours"), Cell(int64_t{320 + 160 + 320}));
  EXPECT_EQ(TotalOf(people, "name"), Cell(std::monostate{}));
  EXPECT_EQ(TotalOf(people, "personnel_number"), Cell(std::string("Итого")));

  const Table& departments = report.tables[1];
  EXPECT_EQ(departments.key, "departments");
  EXPECT_THAT(Column(departments, "department_code"),
              ::testing::ElementsAre(Cell(std::string("A-IT")), Cell(std::string("B-SALES"))));
  EXPECT_THAT(Column(departments, "people"), ::testing::ElementsAre(Cell(int64_t{2}), Cell(int64_t{1})));
  EXPECT_THAT(Column(departments, "worked_hours"),
              ::testing::ElementsAre(Cell(int64_t{480}), Cell(int64_t{320})));
  EXPECT_EQ(TotalOf(departments, "people"), Cell(int64_t{3}));
}

TEST(Report, AbsencesAreCountedPerDepartmentMonthAndCode) {
  ReportBuilder builder(
      {ReportKind::kAbsences, std::nullopt, false, year(2026) / October, year(2026) / November},
      Departments());
  builder.Add(year(2026) / October, Row(1, "Яковлев Борис", 10));
  builder.Add(year(2026) / October, Row(4, "Иванов Иван", 10));
  T13Row sick = Row(2, "Андреева Вера", 20);
  sick.days[0] = Day({E("Б")});
  sick.days[1] = Day({E("Б")});
  sick.totals = Summarize(sick.days, {4, 320});
  builder.Add(year(2026) / November, sick);
  const Report report = std::move(builder).Finish();
  const Table& items = report.tables.at(0);
  EXPECT_THAT(Column(items, "department_code"),
              ::testing::ElementsAre(Cell(std::string("A-IT")), Cell(std::string("A-IT")),
                                     Cell(std::string("B-SALES"))));
  EXPECT_THAT(Column(items, "month"),
              ::testing::ElementsAre(Cell(std::string("2026-11")), Cell(std::string("2026-11")),
                                     Cell(std::string("2026-10"))));
  // ОТ (09) before Б (19), as the codes are numbered.
  EXPECT_THAT(Column(items, "code"), ::testing::ElementsAre(Cell(std::string("ОТ")), Cell(std::string("Б")),
                                                            Cell(std::string("ОТ"))));
  EXPECT_THAT(Column(items, "people"),
              ::testing::ElementsAre(Cell(int64_t{1}), Cell(int64_t{1}), Cell(int64_t{2})));
  EXPECT_THAT(Column(items, "days"),
              ::testing::ElementsAre(Cell(int64_t{1}), Cell(int64_t{2}), Cell(int64_t{2})));
  const Table& codes = report.tables.at(1);
  EXPECT_THAT(Column(codes, "code"), ::testing::ElementsAre(Cell(std::string("ОТ")), Cell(std::string("Б"))));
  EXPECT_THAT(Column(codes, "days"), ::testing::ElementsAre(Cell(int64_t{3}), Cell(int64_t{2})));
  EXPECT_EQ(TotalOf(codes, "days"), Cell(int64_t{5}));
  // One person may count in several lines: the people are not added up.
  EXPECT_EQ(TotalOf(items, "people"), Cell(std::monostate{}));
  EXPECT_EQ(TotalOf(items, "days"), Cell(int64_t{5}));
}

TEST(Report, ThePayrollBaseEarnsTheSalaryForTheHoursWorkedWithinTheSchedule) {
  ReportBuilder builder({ReportKind::kPayroll, 20, true, year(2026) / October, year(2026) / October},
                        Departments());
  builder.Add(year(2026) / October, Row(2, "Андреева Вера", 20, /*closed=*/true), 10'000'001);
  builder.Add(year(2026) / October, Row(3, "Борисов Глеб", 20), 0);
  const Report report = std::move(builder).Finish();
  const Table& items = report.tables.at(0);
  // 16 of 32 hours worked within the schedule; С and РВ are paid apart.
  EXPECT_EQ(Column(items, "salary_kopecks")[0], Cell(int64_t{10'000'001}));
  EXPECT_EQ(Column(items, "worked_hours")[0], Cell(int64_t{160}));
  EXPECT_EQ(Column(items, "norm_hours")[0], Cell(int64_t{320}));
  EXPECT_EQ(Column(items, "earned_kopecks")[0], Cell(int64_t{5'000'001}));  // 5,000,000.5 up
  EXPECT_EQ(Column(items, "overtime_hours")[0], Cell(int64_t{20}));
  EXPECT_EQ(Column(items, "weekend_work_hours")[0], Cell(int64_t{80}));
  EXPECT_THAT(Column(items, "closed"),
              ::testing::ElementsAre(Cell(std::string("да")), Cell(std::string("нет"))));
  EXPECT_EQ(Column(items, "earned_kopecks")[1], Cell(int64_t{0}));
  EXPECT_EQ(TotalOf(items, "earned_kopecks"), Cell(int64_t{5'000'001}));
  EXPECT_EQ(TotalOf(items, "employee_id"), Cell(std::monostate{}));
  const Table& departments = report.tables.at(1);
  EXPECT_EQ(Column(departments, "earned_kopecks"), std::vector<Cell>{Cell(int64_t{5'000'001})});
  EXPECT_EQ(Column(departments, "people"), std::vector<Cell>{Cell(int64_t{2})});
}

TEST(Report, CorrectionsOfEarlierMonthsAreListedApartFromTheMonthsSums) {
  ReportBuilder builder(
      {ReportKind::kPayroll, std::nullopt, false, year(2026) / November, year(2026) / November},
      Departments());
  T13Row row = Row(2, "Андреева Вера", 20);
  row.earlier.push_back({*ParseIsoDate("2026-10-14"), Day({E("Б")})});
  row.earlier.push_back({*ParseIsoDate("2026-10-02"), Day({E("Я", 40), E("ПК")})});
  builder.Add(year(2026) / November, row, 1000);
  const Report report = std::move(builder).Finish();
  // The month's own sums are the month's: 16 hours worked, as without them.
  EXPECT_EQ(Column(report.tables.at(0), "worked_hours")[0], Cell(int64_t{160}));
  const Table& earlier = report.tables.at(2);
  EXPECT_EQ(earlier.key, "earlier");
  EXPECT_THAT(Column(earlier, "date"),
              ::testing::ElementsAre(Cell(std::string("2026-10-02")), Cell(std::string("2026-10-14"))));
  EXPECT_THAT(Column(earlier, "day"),
              ::testing::ElementsAre(Cell(std::string("Я 4 / ПК")), Cell(std::string("Б"))));
  EXPECT_THAT(Column(earlier, "month"),
              ::testing::ElementsAre(Cell(std::string("2026-11")), Cell(std::string("2026-11"))));
  EXPECT_THAT(Column(earlier, "worked_hours"), ::testing::ElementsAre(Cell(int64_t{40}), Cell(int64_t{0})));
  EXPECT_EQ(TotalOf(earlier, "worked_hours"), Cell(int64_t{40}));
}

TEST(Report, KindsAndFormatsHaveTheirNames) {
  EXPECT_EQ(ParseReportKind("payroll"), ReportKind::kPayroll);
  EXPECT_EQ(ParseReportKind("Payroll"), std::nullopt);
  EXPECT_EQ(KindName(ReportKind::kAbsences), "absences");
  EXPECT_EQ(ParseReportFormat("csv"), ReportFormat::kCsv);
  EXPECT_EQ(ParseReportFormat("pdf"), std::nullopt);
  EXPECT_EQ(ContentTypeOf(ReportFormat::kCsv), "text/csv; charset=utf-8");
}

}  // namespace
}  // namespace tabel::analytics
