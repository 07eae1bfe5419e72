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

TEST(LeaveRules, WorkingYearsRunFromTheHireDate) {
  const Date hire = D("2024-03-01");
  EXPECT_EQ(WorkingYearStart(hire, D("2024-03-01")), hire);
  EXPECT_EQ(WorkingYearStart(hire, D("2025-02-28")), hire);
  EXPECT_EQ(WorkingYearStart(hire, D("2025-03-01")), D("2025-03-01"));
  EXPECT_EQ(WorkingYearStart(hire, D("2026-11-28")), D("2026-03-01"));
  EXPECT_EQ(WorkingYearStart(hire, D("2020-01-01")), hire);  // before the hire date
}

TEST(LeaveRules, AnAccrualIsPostedPerWorkingYearSoThatAYearsDaysAreCreditedInsideIt) {
  // Months 11–15 after a hire on 1 March 2024: months 11–12 end working
  // year 1 on 28 February 2025, months 13–15 belong to year 2.
  const auto entries = AccrualEntries(D("2024-03-01"), 10, 15);
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[0].centidays, 2800 - 2333);
  EXPECT_EQ(entries[0].effective_on, D("2025-02-28"));
  EXPECT_EQ(entries[0].comment, "months 11–12 of service");
  EXPECT_EQ(entries[1].centidays, 3500 - 2800);
  EXPECT_EQ(entries[1].effective_on, D("2025-05-31"));
  EXPECT_TRUE(AccrualEntries(D("2024-03-01"), 15, 15).empty());
  // A whole first year is one entry of exactly 28 days.
  const auto year = AccrualEntries(D("2024-03-01"), 0, 12);
  ASSERT_EQ(year.size(), 1U);
  EXPECT_EQ(year[0].centidays, 2800);
}

LedgerEntry Entry(const char* entry, int64_t centidays, const char* on) {
  return {.kind = "annual", .entry = entry, .centidays = centidays, .effective_on = D(on)};
}

TEST(LeaveRules, NothingLapsesUnderTheLabourCodeDefault) {
  const std::vector<LedgerEntry> entries = {Entry("accrual", 2800, "2025-02-28"),
                                            Entry("accrual", 2800, "2026-02-28")};
  EXPECT_TRUE(LapsesDue({}, D("2024-03-01"), entries, std::nullopt, D("2030-01-01")).empty());
  // Everything unused carries over.
  EXPECT_EQ(CarriedOver(D("2024-03-01"), entries, D("2026-03-01")), 5600);
  EXPECT_EQ(CarriedOver(D("2024-03-01"), entries, D("2026-02-28")), 2800);
  EXPECT_EQ(CarriedOver(D("2024-03-01"), entries, D("2025-02-28")), 0);  // the first year
}

TEST(LeaveRules, DaysBeyondTheCarryOverLapseWhenTheWorkingYearEnds) {
  const Date hire = D("2024-03-01");
  const LapsePolicy policy{.carry_over_days = 5};
  std::vector<LedgerEntry> entries = {Entry("accrual", 2800, "2025-02-28"),
                                      Entry("usage", -1000, "2024-08-05")};
  // Not yet on the last day of the year; on the first day of the next one
  // 18 unused days less the 5 carried over lapse.
  EXPECT_TRUE(LapsesDue(policy, hire, entries, std::nullopt, D("2025-02-28")).empty());
  const auto lapses = LapsesDue(policy, hire, entries, std::nullopt, D("2025-03-01"));
  ASSERT_EQ(lapses.size(), 1U);
  EXPECT_EQ(lapses[0].on, D("2025-03-01"));
  EXPECT_EQ(lapses[0].centidays, 1300);
  EXPECT_EQ(lapses[0].working_year, 1);
  EXPECT_TRUE(lapses[0].over_carry_over);
  EXPECT_EQ(lapses[0].Comment(policy), "unused days of working year 1 beyond the 5 carried over");
  // Once posted it is not due again, and the year carried 5 days over.
  entries.push_back(Entry("expiry", -1300, "2025-03-01"));
  EXPECT_TRUE(LapsesDue(policy, hire, entries, D("2025-03-01"), D("2026-02-28")).empty());
  EXPECT_EQ(CarriedOver(hire, entries, D("2025-06-01")), 500);
  // A vacation returned (withdrawn) gives nothing back to the lapse.
  entries.push_back(Entry("usage", -1400, "2025-07-01"));
  entries.push_back(Entry("return", 1400, "2025-07-01"));
  entries.push_back(Entry("accrual", 2800, "2026-02-28"));
  const auto second = LapsesDue(policy, hire, entries, D("2025-03-01"), D("2026-03-01"));
  ASSERT_EQ(second.size(), 1U);
  EXPECT_EQ(second[0].centidays, 2800 + 500 - 500);
  EXPECT_EQ(second[0].working_year, 2);
}

TEST(LeaveRules, LeaveTakenUsesTheOldestDaysFirstBeforeTheyExpire) {
  const Date hire = D("2024-03-01");
  const LapsePolicy policy{.expiry_months = 6};
  const std::vector<LedgerEntry> entries = {
      Entry("accrual", 2800, "2025-02-28"), Entry("usage", -1000, "2024-10-01"),
      // Taken in working year 2, before year 1 expires on 1 September 2025:
      // these are year 1's days.
      Entry("usage", -1400, "2025-06-02"),
      // After the expiry: year 2's days.
      Entry("usage", -500, "2025-09-01"), Entry("accrual", 2800, "2026-02-28")};
  const auto lapses = LapsesDue(policy, hire, entries, std::nullopt, D("2026-09-01"));
  ASSERT_EQ(lapses.size(), 2U);
  EXPECT_EQ(lapses[0].on, D("2025-09-01"));
  EXPECT_EQ(lapses[0].centidays, 2800 - 1000 - 1400);
  EXPECT_FALSE(lapses[0].over_carry_over);
  EXPECT_EQ(lapses[0].Comment(policy), "days of working year 1 not used within 6 months after it ended");
  EXPECT_EQ(lapses[1].on, D("2026-09-01"));
  EXPECT_EQ(lapses[1].centidays, 2800 - 500);
  EXPECT_EQ(lapses[1].working_year, 2);
  // Only the lapses after `after` are due.
  EXPECT_EQ(LapsesDue(policy, hire, entries, D("2025-09-01"), D("2026-09-01")).size(), 1U);
}

TEST(LeaveRules, TheCapAndTheExpiryTogetherLapseEachDayOnce) {
  // Five days carried over, and those expire six months into the next year.
  const Date hire = D("2024-03-01");
  const LapsePolicy policy{.carry_over_days = 5, .expiry_months = 6};
  const std::vector<LedgerEntry> entries = {Entry("accrual", 2800, "2025-02-28"),
                                            Entry("accrual", 2800, "2026-02-28")};
  const auto lapses = LapsesDue(policy, hire, entries, std::nullopt, D("2026-03-01"));
  ASSERT_EQ(lapses.size(), 3U);
  EXPECT_EQ(lapses[0].centidays, 2300);  // 1 March 2025: beyond the 5 days
  EXPECT_EQ(lapses[1].centidays, 500);   // 1 September 2025: the 5 days
  EXPECT_EQ(lapses[2].on, D("2026-03-01"));
  EXPECT_EQ(lapses[2].centidays, 2300);  // year 2's days beyond 5
}

}  // namespace
}  // namespace tabel::management
