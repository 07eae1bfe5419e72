// The Labour Code arithmetic of leave on hand-computed cases.

#include "management/rules.hpp"

#include <gtest/gtest.h>

namespace tabel::management {
namespace {

Date D(const char* text) { return *ParseIsoDate(text); }

TEST(LeaveRules, AddMonthsClampsToTheEndOfAShorterMonth) {
  EXPECT_EQ(AddMonths(D("2026-01-31"), 1), D("2026-02-28"));
  EXPECT_EQ(AddMonths(D("2028-01-31"), 1), D("2028-02-29"));
  EXPECT_EQ(AddMonths(D("2026-11-15"), 3), D("2027-02-15"));
  EXPECT_EQ(AddMonths(D("2026-03-31"), -1), D("2026-02-28"));
}

TEST(LeaveRules, AMonthOfServiceIsCompleteOnTheDayBeforeItsAnniversary) {
  const Date hire = D("2026-01-15");
  EXPECT_EQ(CompletedMonths(hire, D("2026-01-14")), 0);
  EXPECT_EQ(CompletedMonths(hire, D("2026-02-13")), 0);
  EXPECT_EQ(CompletedMonths(hire, D("2026-02-14")), 1);
  EXPECT_EQ(CompletedMonths(hire, D("2027-01-14")), 12);
  EXPECT_EQ(CompletedMonths(D("2020-09-01"), D("2026-11-30")), 75);
  EXPECT_EQ(CompletedMonths(D("2020-09-01"), D("2026-11-29")), 74);
}

TEST(LeaveRules, AtDismissalHalfAMonthOrMoreCountsAsAMonth) {
  // Hired 1 September: by 20 December three months and 20 days.
  EXPECT_EQ(MonthsForCompensation(D("2026-09-01"), D("2026-12-20")), 4);
  // By 14 December three months and 14 days: the rest is dropped.
  EXPECT_EQ(MonthsForCompensation(D("2026-09-01"), D("2026-12-14")), 3);
  EXPECT_EQ(MonthsForCompensation(D("2026-09-01"), D("2026-12-15")), 4);
}

TEST(LeaveRules, TwelveMonthlyAccrualsAddUpToExactlyTwentyEightDays) {
  int64_t sum = 0;
  for (int month = 1; month <= 12; ++month) {
    const int64_t accrual = MonthlyAccrual(month);
    EXPECT_TRUE(accrual == 233 || accrual == 234) << month << ": " << accrual;
    sum += accrual;
  }
  EXPECT_EQ(sum, 2800);
  EXPECT_EQ(AccruedFor(12), 2800);
  EXPECT_EQ(AccruedFor(6), 1400);
  EXPECT_EQ(AccruedFor(1), 233);
  EXPECT_EQ(AccruedFor(120), 28000);
}

TEST(LeaveRules, PublicHolidaysInsideAVacationAreNotCharged) {
  const calendar::StatutoryHolidays holidays;
  // 1–14 January: eight holidays (1–8 January).
  EXPECT_EQ(ChargeableDays(holidays, D("2027-01-01"), D("2027-01-14"), std::nullopt), 6);
  // 28 April – 12 May: 1 and 9 May.
  EXPECT_EQ(ChargeableDays(holidays, D("2027-04-28"), D("2027-05-12"), std::nullopt), 13);
  // 8 March alone; 4 November; 12 June; 23 February.
  EXPECT_EQ(ChargeableDays(holidays, D("2027-03-08"), D("2027-03-08"), std::nullopt), 0);
  EXPECT_EQ(ChargeableDays(holidays, D("2027-11-01"), D("2027-11-07"), std::nullopt), 6);
  EXPECT_EQ(ChargeableDays(holidays, D("2027-06-10"), D("2027-06-14"), std::nullopt), 4);
  EXPECT_EQ(ChargeableDays(holidays, D("2027-02-22"), D("2027-02-24"), std::nullopt), 2);
  // No holiday in August.
  EXPECT_EQ(ChargeableDays(holidays, D("2027-08-01"), D("2027-08-28"), std::nullopt), 28);
}

TEST(LeaveRules, OnePartOfASplitLeaveMustReachFourteenDays) {
  EXPECT_TRUE(SplitLeaveAllowsLongPart(14, {}));
  EXPECT_TRUE(SplitLeaveAllowsLongPart(10, {}));      // 18 days left: a long part is still possible
  EXPECT_FALSE(SplitLeaveAllowsLongPart(10, {10}));   // 8 days left
  EXPECT_TRUE(SplitLeaveAllowsLongPart(10, {14}));    // the long part exists
  EXPECT_TRUE(SplitLeaveAllowsLongPart(7, {7}));      // 14 left
  EXPECT_FALSE(SplitLeaveAllowsLongPart(7, {7, 1}));  // 13 left
}

}  // namespace
}  // namespace tabel::management
