#pragma once
// JSON of the calendar views (calendar/views.hpp):
//   team     {"department_id", "subtree", "from", "to",
//             "days": [{"date", "kind"}, …],                  the federal calendar
//             "items": [{"employee_id", "name", "position", "department_id",
//                        "days": [{"code", "hours"?, "type"?, "request_id"?}, …]}],
//             "next_cursor"}
//   away     {"department_id", "subtree", "from", "to",
//             "items": [{"employee_id", "name", "position", "department_id", "code",
//                        "type", "type_name", "request_id", "start_date", "end_date"}],
//             "next_cursor"}
//   personal {"employee_id", "name", "position", "department_id", "from", "to",
//             "days": [{"date", "kind", "code", …}], "activities": [{…, "status"}]}
// A day's code is null when the person was not employed that day; hours
// come with "Я" only; a confidential reason the caller may not see is the
// code "absent" with a null type and request.
// Thread-safety: pure functions.

#include <string>

#include <nlohmann/json.hpp>

#include "calendar/views.hpp"

namespace tabel::calendar {

std::string TeamCalendarText(const TeamCalendar& team);
nlohmann::json AwayListJson(const AwayList& away);
nlohmann::json PersonalCalendarJson(const PersonalCalendar& calendar);

}  // namespace tabel::calendar
