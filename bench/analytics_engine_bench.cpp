// The timesheet engine over the whole company: the T-13 days and totals of
// 25,000 employees for one month, from data already in memory, on one core.
// Target (the timesheet issue): under 0.5 s.
//
//   cmake --build --preset release --target tabel_bench
//   build/release/bench/tabel_bench --benchmark_filter=TimesheetEngine --benchmark_repetitions=5

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "analytics/engine.hpp"

namespace tabel::analytics {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::year_month kMonth{2026y / std::chrono::November};

// A company like the one `tabel seed` generates: mostly 40-hour weeks, some
// shorter weeks and part-time rates, shift workers; each month about one in
// ten people on leave, one in twenty-five sick, some trips and overtime,
// and a few corrections.
struct Company {
  std::vector<calendar::DayKind> kinds;
  std::vector<PersonMonthInput> people;
  std::vector<std::vector<ActivityInput>> activities;
  std::vector<std::vector<CorrectionInput>> corrections;

  explicit Company(int size) {
    static const calendar::ProductionCalendar calendar = calendar::ProductionCalendar::Embedded();
    const Date first = FirstDay(kMonth);
    for (Date day = first; day <= LastDay(kMonth); day += std::chrono::days{1}) {
      kinds.push_back(calendar.KindOf(day, std::nullopt));
    }
    std::mt19937 random(42);
    const auto chance = [&](int percent) { return static_cast<int>(random() % 100) < percent; };
    const auto day_of = [&](int from, int to) {
      return first +
             std::chrono::days{from + static_cast<int>(random() % static_cast<unsigned>(to - from + 1))};
    };
    people.resize(static_cast<size_t>(size));
    activities.resize(people.size());
    corrections.resize(people.size());
    for (size_t i = 0; i < people.size(); ++i) {
      PersonMonthInput& person = people[i];
      person.hire_date = chance(2) ? day_of(0, 29) : Date{2018y / 1 / 9};
      if (chance(1)) person.dismissal_date = day_of(0, 29);
      person.rate_percent = chance(5) ? 50 : 100;
      if (chance(8)) {
        person.pattern.shift = calendar::ShiftPattern{2, 2, 120};
        person.pattern.anchor = Date{2024y / 1 / 1};
      } else {
        person.pattern.hours_per_week = chance(5) ? 36 : 40;
      }
      auto& own = activities[i];
      if (chance(10)) {
        const Date start = day_of(-10, 25);
        own.push_back({CodeOf("ОТ"), ActivityRule::kLeaveDays, start, start + std::chrono::days{13}, 0});
      }
      if (chance(4)) {
        const Date start = day_of(-5, 28);
        own.push_back({CodeOf("Б"), ActivityRule::kCalendarDays, start, start + std::chrono::days{6}, 0});
      }
      if (chance(3)) {
        const Date start = day_of(0, 25);
        own.push_back({CodeOf("К"), ActivityRule::kCalendarDays, start, start + std::chrono::days{4}, 0});
      }
      if (chance(5)) {
        const Date day = day_of(0, 29);
        own.push_back({kCodeOvertime, ActivityRule::kOvertime, day, day, 20});
      }
      if (chance(2)) {
        const Date day = day_of(0, 29);
        corrections[i].push_back({day, {DayEntry{CodeOf("НН"), 0}}, 1});
      }
      person.kinds = kinds;
      person.activities = own;
      person.corrections = corrections[i];
    }
  }
};

void TimesheetEngineCompanyMonth(benchmark::State& state) {
  const Company company(static_cast<int>(state.range(0)));
  std::vector<TimesheetDay> days(company.kinds.size() * company.people.size());
  std::vector<MonthTotals> totals(company.people.size());
  for (auto _ : state) {
    for (size_t i = 0; i < company.people.size(); ++i) {
      const std::span<TimesheetDay> own(days.data() + i * company.kinds.size(), company.kinds.size());
      ComputeMonth(company.people[i], kMonth, own);
      totals[i] = Summarize(own, NormOf(company.people[i], kMonth));
    }
    benchmark::DoNotOptimize(days.data());
    benchmark::DoNotOptimize(totals.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(TimesheetEngineCompanyMonth)->Arg(25000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tabel::analytics
