#include "calendar/views_json.hpp"

#include "calendar/json.hpp"
#include "common/json_text.hpp"
#include "http/query_fields.hpp"
#include "http/resource.hpp"

namespace tabel::calendar {
namespace {

nlohmann::json OptionalJson(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

// The cell's members into `json` (an object that may hold others).
void AppendCell(nlohmann::json& json, const DayCell& cell) {
  json["code"] = cell.code.empty() ? nlohmann::json() : nlohmann::json(cell.code);
  if (cell.code == kWorkingCode) json["hours"] = HoursJson(cell.hours_tenths);
  if (cell.type) json["type"] = *cell.type;
  if (cell.request_id) json["request_id"] = *cell.request_id;
}

void AppendPerson(nlohmann::json& json, const CalendarPerson& person) {
  json["employee_id"] = person.id;
  json["name"] = person.name;
  json["position"] = person.position;
  json["department_id"] = person.department_id;
}

void AppendRange(nlohmann::json& json, Date from, Date to) {
  json["from"] = FormatIsoDate(from);
  json["to"] = FormatIsoDate(to);
}

void AppendFilter(nlohmann::json& json, const DepartmentFilter& filter) {
  json["department_id"] = filter.department_id;
  json["subtree"] = filter.subtree;
}

nlohmann::json ActivityJson(const CalendarActivity& a) {
  return {{"request_id", a.request_id != 0 ? nlohmann::json(a.request_id) : nlohmann::json()},
          {"type", a.type.empty() ? nlohmann::json() : nlohmann::json(a.type)},
          {"type_name", a.type_name},
          {"code", OptionalJson(a.code)},
          {"status", a.status},
          {"start_date", FormatIsoDate(a.start_date)},
          {"end_date", a.end_date ? nlohmann::json(FormatIsoDate(*a.end_date)) : nlohmann::json()}};
}

}  // namespace

// Written as text, member by member in the order nlohmann::json keeps
// them (by name): a month of 50 people is 1,500 small objects, and a tree
// of them cost more than reading them (docs/benchmarks.md).
std::string TeamCalendarText(const TeamCalendar& team) {
  std::string out;
  out.reserve(1024 + team.people.size() * (128 + team.kinds.size() * 24));
  out += "{\"days\":[";
  Date date = team.from;
  for (size_t i = 0; i < team.kinds.size(); ++i, date += std::chrono::days{1}) {
    out += i == 0 ? "{\"date\":" : ",{\"date\":";
    AppendJsonDate(out, date);
    AppendJsonKey(out, "kind");
    AppendJsonString(out, DayKindName(team.kinds[i]));
    out.push_back('}');
  }
  out.push_back(']');
  AppendJsonKey(out, "department_id");
  AppendJsonInt(out, team.filter.department_id);
  AppendJsonKey(out, "from");
  AppendJsonDate(out, team.from);
  AppendJsonKey(out, "items");
  out.push_back('[');
  for (size_t p = 0; p < team.people.size(); ++p) {
    const PersonDays& row = team.people[p];
    out += p == 0 ? "{\"days\":[" : ",{\"days\":[";
    for (size_t d = 0; d < row.days.size(); ++d) {
      const DayCell& cell = row.days[d];
      out += d == 0 ? "{\"code\":" : ",{\"code\":";
      if (cell.code.empty()) {
        out += "null";
      } else {
        AppendJsonString(out, cell.code);
      }
      if (cell.code == kWorkingCode) {
        AppendJsonKey(out, "hours");
        AppendHoursJson(out, cell.hours_tenths);
      }
      if (cell.request_id) {
        AppendJsonKey(out, "request_id");
        AppendJsonInt(out, *cell.request_id);
      }
      if (cell.type) {
        AppendJsonKey(out, "type");
        AppendJsonString(out, *cell.type);
      }
      out.push_back('}');
    }
    out.push_back(']');
    AppendJsonKey(out, "department_id");
    AppendJsonInt(out, row.person.department_id);
    AppendJsonKey(out, "employee_id");
    AppendJsonInt(out, row.person.id);
    AppendJsonKey(out, "name");
    AppendJsonString(out, row.person.name);
    AppendJsonKey(out, "position");
    AppendJsonString(out, row.person.position);
    out.push_back('}');
  }
  out.push_back(']');
  http::AppendNextCursor(out, team.next_after);
  AppendJsonKey(out, "subtree");
  out += team.filter.subtree ? "true" : "false";
  AppendJsonKey(out, "to");
  AppendJsonDate(out, team.to);
  out.push_back('}');
  return out;
}

nlohmann::json AwayListJson(const AwayList& away) {
  nlohmann::json items = nlohmann::json::array();
  for (const Absence& absence : away.items) {
    nlohmann::json item = ActivityJson(absence.activity);
    item.erase("status");
    AppendPerson(item, absence.person);
    items.push_back(std::move(item));
  }
  nlohmann::json json = http::PageJson(std::move(items), away.next_after);
  AppendFilter(json, away.filter);
  AppendRange(json, away.from, away.to);
  return json;
}

nlohmann::json PersonalCalendarJson(const PersonalCalendar& calendar) {
  nlohmann::json json = nlohmann::json::object();
  AppendPerson(json, calendar.person);
  AppendRange(json, calendar.from, calendar.to);
  nlohmann::json days = nlohmann::json::array();
  Date date = calendar.from;
  for (size_t i = 0; i < calendar.days.size(); ++i, date += std::chrono::days{1}) {
    nlohmann::json day = {{"date", FormatIsoDate(date)}, {"kind", DayKindName(calendar.kinds[i])}};
    AppendCell(day, calendar.days[i]);
    days.push_back(std::move(day));
  }
  json["days"] = std::move(days);
  json["activities"] = http::ItemsJson(calendar.activities, ActivityJson);
  return json;
}

}  // namespace tabel::calendar
