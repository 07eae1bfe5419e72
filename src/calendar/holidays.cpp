#include "calendar/holidays.hpp"

#include <array>
#include <utility>

namespace tabel::calendar {
namespace {

using std::chrono::month_day;

constexpr std::array kArt112 = {
    month_day{std::chrono::January / 1},   month_day{std::chrono::January / 2},
    month_day{std::chrono::January / 3},   month_day{std::chrono::January / 4},
    month_day{std::chrono::January / 5},   month_day{std::chrono::January / 6},
    month_day{std::chrono::January / 7},   month_day{std::chrono::January / 8},
    month_day{std::chrono::February / 23}, month_day{std::chrono::March / 8},
    month_day{std::chrono::May / 1},       month_day{std::chrono::May / 9},
    month_day{std::chrono::June / 12},     month_day{std::chrono::November / 4},
};

}  // namespace

bool StatutoryHolidays::IsPublicHoliday(Date date, const std::optional<std::string>& /*region*/) const {
  const std::chrono::year_month_day ymd(date);
  const month_day day(ymd.month(), ymd.day());
  for (const month_day holiday : kArt112) {
    if (holiday == day) return true;
  }
  return false;
}

int CountPublicHolidays(const HolidayCalendar& calendar, Date from, Date to,
                        const std::optional<std::string>& region) {
  int count = 0;
  for (Date day = from; day <= to; day += std::chrono::days{1}) {
    if (calendar.IsPublicHoliday(day, region)) ++count;
  }
  return count;
}

}  // namespace tabel::calendar
