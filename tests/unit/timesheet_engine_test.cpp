// The daily timesheet engine on months computed by hand from the production
// calendar of 2026: November has 20 working days and 159 hours at 40 h a
// week (3 November is shortened to 7 hours, 4 November is a holiday);
// December has 22 working days and 176 hours (31 December is a day off).

#include "analytics/engine.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tabel::analytics {
namespace {

using std::chrono::December;
using std::chrono::November;
using namespace std::chrono_literals;

constexpr std::chrono::year_month kNovember{2026y / November};
constexpr std::chrono::year_month kDecember{2026y / December};

Date D(const char* text) { return *ParseIsoDate(text); }

const calendar::ProductionCalendar& Shipped() {
  static const calendar::ProductionCalendar calendar = calendar::ProductionCalendar::Embedded();
  return calendar;
}

// One person's month, with its inputs kept alive.
struct Month {
  std::chrono::year_month month = kNovember;
  std::vector<calendar::DayKind> kinds;
  std::vector<ActivityInput> activities;
  std::vector<CorrectionInput> corrections;
  PersonMonthInput input;
  std::vector<TimesheetDay> days;
  MonthTotals totals;

  explicit Month(std::chrono::year_month m = kNovember) : month(m) {
    for (Date day = FirstDay(month); day <= LastDay(month); day += std::chrono::days{1}) {
      kinds.push_back(Shipped().KindOf(day, std::nullopt));
    }
    input.hire_date = D("2015-03-02");
  }

  Month& Run() {
    input.kinds = kinds;
    input.activities = activities;
    input.corrections = corrections;
    days.assign(kinds.size(), {});
    ComputeMonth(input, month, days);
    totals = Summarize(days, NormOf(input, month));
    return *this;
  }

  const TimesheetDay& On(int day) const { return days.at(static_cast<size_t>(day - 1)); }
  // "Я 8", "Я 8 / С 2", "В", "" (not employed): the day as the form shows it.
  std::string Text(int day) const {
    std::string text;
    for (const DayEntry& entry : On(day).Entries()) {
      if (!text.empty()) text += " / ";
      text += CodeInfo(entry.code).letter;
      if (entry.hours_tenths != 0) {
        text += ' ' + std::to_string(entry.hours_tenths / 10);
        if (entry.hours_tenths % 10 != 0) text += '.' + std::to_string(entry.hours_tenths % 10);
      }
    }
    return text;
  }
  DaysHours Code(const char* letter) const { return totals.by_code[CodeOf(letter)]; }
};

ActivityInput Activity(const char* letter, ActivityRule rule, const char* first, const char* last,
                       int32_t hours_tenths = 0) {
  return {CodeOf(letter), rule, D(first), D(last), hours_tenths};
}

TEST(TimesheetEngine, AFullTimeMonthIsTheNormWithTheShortenedDayAndTheHoliday) {
  Month m;
  m.Run();
  EXPECT_EQ(m.Text(1), "В");  // Sunday
  EXPECT_EQ(m.Text(2), "Я 8");
  EXPECT_EQ(m.Text(3), "Я 7");  // before the holiday
  EXPECT_EQ(m.Text(4), "В");    // National Unity Day
  EXPECT_EQ(m.totals.halves[0], (DaysHours{9, 710}));
  EXPECT_EQ(m.totals.halves[1], (DaysHours{11, 880}));
  EXPECT_EQ(m.totals.month, (DaysHours{20, 1590}));
  EXPECT_EQ(m.totals.norm, (DaysHours{20, 1590}));
  EXPECT_EQ(m.Code("Я"), (DaysHours{20, 1590}));
  EXPECT_EQ(m.Code("В"), (DaysHours{10, 0}));
}

TEST(TimesheetEngine, AHolidayInsideAVacationStaysADayOffAndIsNotCounted) {
  Month m;
  m.activities.push_back(Activity("ОТ", ActivityRule::kLeaveDays, "2026-11-02", "2026-11-15"));
  m.Run();
  EXPECT_EQ(m.Text(2), "ОТ");
  EXPECT_EQ(m.Text(4), "В");
  EXPECT_EQ(m.Text(7), "ОТ");  // a Saturday inside the leave
  EXPECT_EQ(m.Text(16), "Я 8");
  EXPECT_EQ(m.Code("ОТ"), (DaysHours{13, 0}));
  EXPECT_EQ(m.Code("В"), (DaysHours{6, 0}));
  EXPECT_EQ(m.totals.halves[0], (DaysHours{0, 0}));
  EXPECT_EQ(m.totals.month, (DaysHours{11, 880}));
}

TEST(TimesheetEngine, ASickLeaveCoversHolidaysAndWeekends) {
  Month m;
  m.activities.push_back(Activity("Б", ActivityRule::kCalendarDays, "2026-11-03", "2026-11-08"));
  m.Run();
  for (int day = 3; day <= 8; ++day) EXPECT_EQ(m.Text(day), "Б") << day;
  EXPECT_EQ(m.Code("Б"), (DaysHours{6, 0}));
  EXPECT_EQ(m.totals.month, (DaysHours{17, 1590 - 70 - 80 - 80}));
}

TEST(TimesheetEngine, ASickLeaveAcrossTwoMonthsCountsInEach) {
  const ActivityInput sick = Activity("Б", ActivityRule::kCalendarDays, "2026-11-26", "2026-12-04");
  Month november;
  november.activities.push_back(sick);
  november.Run();
  EXPECT_EQ(november.Code("Б"), (DaysHours{5, 0}));
  EXPECT_EQ(november.Text(25), "Я 8");
  EXPECT_EQ(november.Text(30), "Б");
  EXPECT_EQ(november.totals.month, (DaysHours{17, 1350}));

  Month december(kDecember);
  december.activities.push_back(sick);
  december.Run();
  EXPECT_EQ(december.Code("Б"), (DaysHours{4, 0}));
  EXPECT_EQ(december.Text(4), "Б");
  EXPECT_EQ(december.Text(7), "Я 8");
  EXPECT_EQ(december.Text(31), "В");  // the transferred day off
  EXPECT_EQ(december.totals.norm, (DaysHours{22, 1760}));
  EXPECT_EQ(december.totals.month, (DaysHours{18, 1440}));
}

TEST(TimesheetEngine, AMidMonthHireAndDismissalLeaveTheOtherDaysEmpty) {
  Month m;
  m.input.hire_date = D("2026-11-10");
  m.input.dismissal_date = D("2026-11-24");
  m.activities.push_back(Activity("ОТ", ActivityRule::kLeaveDays, "2026-11-20", "2026-11-30"));
  m.Run();
  EXPECT_FALSE(m.On(9).employed());
  EXPECT_EQ(m.Text(10), "Я 8");
  EXPECT_EQ(m.Text(24), "ОТ");
  EXPECT_FALSE(m.On(25).employed());
  EXPECT_EQ(m.Code("ОТ"), (DaysHours{5, 0}));  // 20–24 November: the leave ends with the job
  EXPECT_EQ(m.totals.month, (DaysHours{8, 640}));
  EXPECT_EQ(m.totals.norm, (DaysHours{20, 1590}));  // the norm is the whole month's
}

TEST(TimesheetEngine, APartTimeRateScalesEveryWorkingDay) {
  Month m;
  m.input.rate_percent = 50;
  m.Run();
  EXPECT_EQ(m.Text(2), "Я 4");
  EXPECT_EQ(m.Text(3), "Я 3.5");
  EXPECT_EQ(m.totals.month, (DaysHours{20, 795}));
  EXPECT_EQ(m.totals.norm, (DaysHours{20, 795}));
}

TEST(TimesheetEngine, ATwoByTwoShiftIgnoresTheProductionCalendar) {
  Month m;
  m.input.pattern.shift = calendar::ShiftPattern{2, 2, 120};
  m.input.pattern.anchor = D("2026-11-01");
  m.Run();
  EXPECT_EQ(m.Text(1), "Я 12");  // a Sunday
  EXPECT_EQ(m.Text(2), "Я 12");
  EXPECT_EQ(m.Text(3), "В");
  EXPECT_EQ(m.Text(4), "В");
  EXPECT_EQ(m.Text(5), "Я 12");
  EXPECT_EQ(m.totals.halves[0], (DaysHours{8, 960}));
  EXPECT_EQ(m.totals.month, (DaysHours{16, 1920}));
}

TEST(TimesheetEngine, OvertimeAddsASecondCodeAndWorkOnADayOffIsRV) {
  Month m;
  m.activities.push_back(Activity("С", ActivityRule::kOvertime, "2026-11-11", "2026-11-11", 20));
  m.activities.push_back(Activity("РВ", ActivityRule::kWork, "2026-11-07", "2026-11-07"));
  m.Run();
  EXPECT_EQ(m.Text(11), "Я 8 / С 2");
  EXPECT_EQ(m.Text(7), "РВ 8");
  EXPECT_EQ(m.Code("Я"), (DaysHours{20, 1590}));
  EXPECT_EQ(m.Code("С"), (DaysHours{1, 20}));
  EXPECT_EQ(m.Code("РВ"), (DaysHours{1, 80}));
  EXPECT_EQ(m.totals.month, (DaysHours{21, 1690}));
}

TEST(TimesheetEngine, ABusinessTripWeekendIsKUnlessWorked) {
  Month m;
  m.activities.push_back(Activity("К", ActivityRule::kCalendarDays, "2026-11-05", "2026-11-10"));
  m.activities.push_back(Activity("РВ", ActivityRule::kWork, "2026-11-07", "2026-11-07"));
  m.Run();
  EXPECT_EQ(m.Text(8), "К");
  EXPECT_EQ(m.Text(7), "РВ 8");
  EXPECT_EQ(m.Code("К"), (DaysHours{5, 0}));
}

TEST(TimesheetEngine, ARemoteDayIsAnOrdinaryWorkingDay) {
  Month m;
  m.activities.push_back(Activity("Я", ActivityRule::kWork, "2026-11-03", "2026-11-03"));
  m.Run();
  EXPECT_EQ(m.Text(3), "Я 7");
  EXPECT_EQ(m.totals.month, (DaysHours{20, 1590}));
}

TEST(TimesheetEngine, ACorrectionHasTheLastWordInsideEmploymentOnly) {
  Month m;
  m.input.dismissal_date = D("2026-11-20");
  m.activities.push_back(Activity("С", ActivityRule::kOvertime, "2026-11-12", "2026-11-12", 30));
  CorrectionInput absent{D("2026-11-12"), {DayEntry{CodeOf("НН"), 0}}, 1};
  CorrectionInput split{D("2026-11-13"), {DayEntry{kCodeWorked, 40}, DayEntry{CodeOf("ПК"), 0}}, 2};
  CorrectionInput late{D("2026-11-23"), {DayEntry{kCodeWorked, 80}}, 1};
  m.corrections = {absent, split, late};
  m.Run();
  EXPECT_EQ(m.Text(12), "НН");
  EXPECT_TRUE(m.On(12).corrected);
  EXPECT_EQ(m.Text(13), "Я 4 / ПК");
  EXPECT_FALSE(m.On(23).employed());
  EXPECT_EQ(m.Code("НН"), (DaysHours{1, 0}));
  EXPECT_EQ(m.Code("ПК"), (DaysHours{1, 0}));
  EXPECT_EQ(m.Code("С"), (DaysHours{0, 0}));
}

TEST(TimesheetEngine, CodesAreFoundByLetterOrNumber) {
  EXPECT_EQ(FindCode("ОТ"), FindCode("09"));
  EXPECT_EQ(CodeInfo(CodeOf("Б")).number, "19");
  EXPECT_EQ(FindCode("XX"), std::nullopt);
  EXPECT_EQ(FindCode(""), std::nullopt);
  EXPECT_TRUE(IsWork(CodeOf("РВ")));
  EXPECT_FALSE(IsWork(CodeOf("К")));
}

}  // namespace
}  // namespace tabel::analytics
