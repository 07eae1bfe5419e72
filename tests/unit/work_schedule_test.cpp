// Work schedules: five-day weeks add up to the production calendar's norms,
// part-time rates scale the hours, shift patterns repeat from their anchor
// in both directions.

#include "calendar/work_schedule.hpp"

#include <gtest/gtest.h>

namespace tabel::calendar {
namespace {

Date D(const char* text) { return *ParseIsoDate(text); }

const ProductionCalendar& Shipped() {
  static const ProductionCalendar calendar = ProductionCalendar::Embedded();
  return calendar;
}

PlannedDay Plan(const WorkPattern& pattern, int rate, const char* date) {
  const Date day = D(date);
  return PlanDay(pattern, rate, day, Shipped().KindOf(day, std::nullopt));
}

TEST(WorkSchedule, ShiftPatternsAreParsed) {
  EXPECT_EQ(ParseShiftPattern("2/2x12"), (ShiftPattern{2, 2, 120}));
  EXPECT_EQ(ParseShiftPattern("1/3x24"), (ShiftPattern{1, 3, 240}));
  EXPECT_EQ(ParseShiftPattern("3/3x11.5"), (ShiftPattern{3, 3, 115}));
  for (const char* bad : {"", "2/2", "2/2x", "2x12", "0/2x12", "2/0x12", "15/1x8", "2/2x25", "2/2x0",
                          "2/2x12.", "2/2x12.55", "2/2x12h", " 2/2x12", "-2/2x12", "2/2x-1"}) {
    EXPECT_EQ(ParseShiftPattern(bad), std::nullopt) << bad;
  }
}

// The norm of hours of a month for a week length is the sum of the planned
// hours of a full-time five-day week of that length, in every shipped year.
TEST(WorkSchedule, FiveDayWeeksAddUpToTheMonthlyNorms) {
  for (const int year : Shipped().Years()) {
    const CalendarYear& data = Shipped().Year(year);
    for (const int week : kWeekHours) {
      const WorkPattern pattern{.hours_per_week = week};
      for (unsigned month = 1; month <= 12; ++month) {
        const std::chrono::year_month ym{std::chrono::year{year}, std::chrono::month{month}};
        Norm planned;
        for (Date day{ym / 1}; day <= Date{ym / std::chrono::last}; day += std::chrono::days{1}) {
          const PlannedDay plan = PlanDay(pattern, 100, day, data.KindOf(day));
          planned.days += plan.working ? 1 : 0;
          planned.hours_tenths += plan.hours_tenths;
        }
        EXPECT_EQ(planned, data.month_norms()[month - 1].ForWeek(week))
            << year << "-" << month << " at " << week << " h";
      }
    }
  }
}

TEST(WorkSchedule, FiveDayWeekFollowsTheProductionCalendar) {
  const WorkPattern week40{.hours_per_week = 40};
  const WorkPattern week36{.hours_per_week = 36};
  EXPECT_EQ(Plan(week40, 100, "2026-12-01"), (PlannedDay{true, 80}));  // a Tuesday
  EXPECT_EQ(Plan(week36, 100, "2026-12-01"), (PlannedDay{true, 72}));
  EXPECT_EQ(Plan(week40, 100, "2026-12-05"), (PlannedDay{false, 0}));  // a Saturday
  EXPECT_EQ(Plan(week40, 100, "2026-01-07"), (PlannedDay{false, 0}));  // Christmas
  EXPECT_EQ(Plan(week40, 100, "2025-03-07"), (PlannedDay{true, 70}));  // before 8 March
  EXPECT_EQ(Plan(week36, 100, "2025-03-07"), (PlannedDay{true, 62}));
  EXPECT_EQ(Plan(week40, 100, "2025-11-01"), (PlannedDay{true, 70}));  // a working Saturday, pre-holiday
  EXPECT_EQ(Plan(week40, 100, "2025-12-31"), (PlannedDay{false, 0}));  // transferred day off
}

TEST(WorkSchedule, PartTimeScalesEveryWorkingDay) {
  const WorkPattern week40{.hours_per_week = 40};
  EXPECT_EQ(Plan(week40, 50, "2026-12-01"), (PlannedDay{true, 40}));
  EXPECT_EQ(Plan(week40, 50, "2025-03-07"), (PlannedDay{true, 35}));
  EXPECT_EQ(Plan(week40, 75, "2025-03-07"), (PlannedDay{true, 53}));  // 5.25 h rounds to 5.3
  EXPECT_EQ(Plan(week40, 50, "2026-12-05"), (PlannedDay{false, 0}));
  const WorkPattern shifts{.shift = ShiftPattern{2, 2, 120}, .anchor = D("2026-01-01")};
  EXPECT_EQ(Plan(shifts, 50, "2026-01-01"), (PlannedDay{true, 60}));
}

TEST(WorkSchedule, TwoOnTwoOffRepeatsFromTheAnchorBothWays) {
  const WorkPattern shifts{.shift = ShiftPattern{2, 2, 120}, .anchor = D("2026-01-01")};
  // Holidays and weekends do not matter to a shift schedule.
  EXPECT_EQ(Plan(shifts, 100, "2026-01-01"), (PlannedDay{true, 120}));
  EXPECT_EQ(Plan(shifts, 100, "2026-01-02"), (PlannedDay{true, 120}));
  EXPECT_EQ(Plan(shifts, 100, "2026-01-03"), (PlannedDay{false, 0}));
  EXPECT_EQ(Plan(shifts, 100, "2026-01-04"), (PlannedDay{false, 0}));
  EXPECT_EQ(Plan(shifts, 100, "2026-01-05"), (PlannedDay{true, 120}));
  EXPECT_EQ(Plan(shifts, 100, "2025-12-31"), (PlannedDay{false, 0}));
  EXPECT_EQ(Plan(shifts, 100, "2025-12-30"), (PlannedDay{false, 0}));
  EXPECT_EQ(Plan(shifts, 100, "2025-12-29"), (PlannedDay{true, 120}));
  // February 2026: 28 days = 7 whole cycles = 14 shifts = 168 h.
  int64_t tenths = 0;
  for (Date day = D("2026-02-01"); day <= D("2026-02-28"); day += std::chrono::days{1}) {
    tenths += PlanDay(shifts, 100, day, DayKind::kWorking).hours_tenths;
  }
  EXPECT_EQ(tenths, 1680);
}

TEST(WorkSchedule, OneOnThreeOffIsADayShiftEveryFourthDay) {
  const WorkPattern shifts{.shift = ShiftPattern{1, 3, 240}, .anchor = D("2026-03-02")};
  EXPECT_EQ(Plan(shifts, 100, "2026-03-02"), (PlannedDay{true, 240}));
  EXPECT_EQ(Plan(shifts, 100, "2026-03-03"), (PlannedDay{false, 0}));
  EXPECT_EQ(Plan(shifts, 100, "2026-03-05"), (PlannedDay{false, 0}));
  EXPECT_EQ(Plan(shifts, 100, "2026-03-06"), (PlannedDay{true, 240}));
  EXPECT_EQ(Plan(shifts, 100, "2026-03-08"), (PlannedDay{false, 0}));  // a holiday, off by the pattern
  EXPECT_EQ(Plan(shifts, 100, "2026-02-26"), (PlannedDay{true, 240}));
}

}  // namespace
}  // namespace tabel::calendar
