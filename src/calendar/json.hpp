#pragma once
// JSON of the production calendar (GET /api/v1/production-calendar/{year}):
//   {"year": 2025,
//    "days": [{"date": "2025-01-01", "kind": "holiday"}, …]       every day of the year
//    "norms": {"40": {"days": 247, "hours": 1972}, "36": {…}, "24": {…}},   the year
//    "months": [{"month": 1, "norms": {…}}, …]                      January first
//    "quarters": [{"quarter": 1, "norms": {…}}, …]}
// Hours are numbers with at most one decimal (1774.4), integers when whole.
// Thread-safety: pure functions.

#include <nlohmann/json.hpp>

#include "calendar/production_calendar.hpp"

namespace tabel::calendar {

// Hours kept in tenths: an integer when whole (8), else with its one
// decimal (7.2).
nlohmann::json HoursJson(int64_t tenths);

// {"40": {"days", "hours"}, "36": …, "24": …}.
nlohmann::json NormsJson(const Norms& norms);

nlohmann::json CalendarYearJson(const CalendarYear& year);

}  // namespace tabel::calendar
