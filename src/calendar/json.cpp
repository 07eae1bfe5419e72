#include "calendar/json.hpp"

#include <string>

namespace tabel::calendar {
nlohmann::json HoursJson(int64_t tenths) {
  if (tenths % 10 == 0) return tenths / 10;
  return static_cast<double>(tenths) / 10.0;
}

nlohmann::json NormsJson(const Norms& norms) {
  nlohmann::json json = nlohmann::json::object();
  for (size_t w = 0; w < kWeekHours.size(); ++w) {
    json[std::to_string(kWeekHours[w])] = {{"days", norms.by_week[w].days},
                                           {"hours", HoursJson(norms.by_week[w].hours_tenths)}};
  }
  return json;
}

nlohmann::json CalendarYearJson(const CalendarYear& year) {
  nlohmann::json days = nlohmann::json::array();
  Date date = year.first_day();
  for (const DayKind kind : year.days()) {
    days.push_back({{"date", FormatIsoDate(date)}, {"kind", DayKindName(kind)}});
    date += std::chrono::days{1};
  }
  nlohmann::json months = nlohmann::json::array();
  for (size_t month = 0; month < year.month_norms().size(); ++month) {
    months.push_back({{"month", month + 1}, {"norms", NormsJson(year.month_norms()[month])}});
  }
  nlohmann::json quarters = nlohmann::json::array();
  for (size_t quarter = 0; quarter < year.quarter_norms().size(); ++quarter) {
    quarters.push_back({{"quarter", quarter + 1}, {"norms", NormsJson(year.quarter_norms()[quarter])}});
  }
  return {{"year", year.year()},
          {"days", std::move(days)},
          {"norms", NormsJson(year.year_norms())},
          {"months", std::move(months)},
          {"quarters", std::move(quarters)}};
}

}  // namespace tabel::calendar
