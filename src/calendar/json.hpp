#pragma once
// JSON of the production calendar (GET /api/v1/production-calendar/{year}):
//   {"year": 2025,
//    "region": null or "16",                                        the overlay applied
//    "days": [{"date": "2025-01-01", "kind": "holiday"}, …]       every day of the year;
//        an edited day also has "edit": {…} (EditJson)
//    "norms": {"40": {"days": 247, "hours": 1972}, "36": {…}, "24": {…}},   the year
//    "months": [{"month": 1, "norms": {…}}, …]                      January first
//    "quarters": [{"quarter": 1, "norms": {…}}, …]}
// Hours are numbers with at most one decimal (1774.4), integers when whole.
// An edit: {"region": null (federal) or "16", "date", "kind", "name",
// "updated_by" (account id or null), "updated_at"}. A day of PUT/DELETE
// …/days/{date}: {"date", "kind", "region", "edit": {…} or null}.
// Thread-safety: pure functions.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "calendar/production_calendar.hpp"
#include "calendar/service.hpp"

namespace tabel::calendar {

// Hours kept in tenths: an integer when whole (8), else with its one
// decimal (7.2).
nlohmann::json HoursJson(int64_t tenths);
// The same number written as text.
void AppendHoursJson(std::string& out, int64_t tenths);

// {"40": {"days", "hours"}, "36": …, "24": …}.
nlohmann::json NormsJson(const Norms& norms);

// The year; `edits` (ascending, of this year) mark the days they made.
nlohmann::json CalendarYearJson(const CalendarYear& year, const std::vector<DayEdit>& edits = {},
                                const std::optional<std::string>& region = std::nullopt);

nlohmann::json EditJson(const DayEdit& edit);

nlohmann::json DayViewJson(const DayView& day);

}  // namespace tabel::calendar
