#include "calendar/json.hpp"

#include <string>

#include "common/json_text.hpp"
#include "infra/db/timestamp.hpp"

namespace tabel::calendar {
nlohmann::json HoursJson(int64_t tenths) {
  if (tenths % 10 == 0) return tenths / 10;
  return static_cast<double>(tenths) / 10.0;
}

void AppendHoursJson(std::string& out, int64_t tenths) {
  if (tenths < 0) {
    out.push_back('-');
    tenths = -tenths;
  }
  AppendJsonInt(out, tenths / 10);
  if (tenths % 10 != 0) {
    out.push_back('.');
    out.push_back(static_cast<char>('0' + tenths % 10));
  }
}

nlohmann::json NormsJson(const Norms& norms) {
  nlohmann::json json = nlohmann::json::object();
  for (size_t w = 0; w < kWeekHours.size(); ++w) {
    json[std::to_string(kWeekHours[w])] = {{"days", norms.by_week[w].days},
                                           {"hours", HoursJson(norms.by_week[w].hours_tenths)}};
  }
  return json;
}

nlohmann::json CalendarYearJson(const CalendarYear& year, const std::vector<DayEdit>& edits,
                                const std::optional<std::string>& region) {
  nlohmann::json days = nlohmann::json::array();
  Date date = year.first_day();
  auto edit = edits.begin();
  for (const DayKind kind : year.days()) {
    nlohmann::json day = {{"date", FormatIsoDate(date)}, {"kind", DayKindName(kind)}};
    if (edit != edits.end() && edit->date == date) day["edit"] = EditJson(*edit++);
    days.push_back(std::move(day));
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
  return {{"year", year.year()},         {"region", region ? nlohmann::json(*region) : nlohmann::json()},
          {"days", std::move(days)},     {"norms", NormsJson(year.year_norms())},
          {"months", std::move(months)}, {"quarters", std::move(quarters)}};
}

nlohmann::json EditJson(const DayEdit& edit) {
  return {{"region", edit.region == kFederalRegion ? nlohmann::json() : nlohmann::json(edit.region)},
          {"date", FormatIsoDate(edit.date)},
          {"kind", DayKindName(edit.kind)},
          {"name", edit.name},
          {"updated_by", edit.account_id ? nlohmann::json(*edit.account_id) : nlohmann::json()},
          {"updated_at", db::FormatTimestamp(edit.updated_at)}};
}

nlohmann::json DayViewJson(const DayView& day) {
  return {{"date", FormatIsoDate(day.date)},
          {"kind", DayKindName(day.kind)},
          {"region", day.region ? nlohmann::json(*day.region) : nlohmann::json()},
          {"edit", day.edit ? EditJson(*day.edit) : nlohmann::json()}};
}

}  // namespace tabel::calendar
