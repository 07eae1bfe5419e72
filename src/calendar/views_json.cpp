#include "calendar/views_json.hpp"

#include "calendar/json.hpp"
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

nlohmann::json TeamCalendarJson(const TeamCalendar& team) {
  nlohmann::json items = nlohmann::json::array();
  for (const PersonDays& row : team.people) {
    nlohmann::json person = nlohmann::json::object();
    AppendPerson(person, row.person);
    nlohmann::json days = nlohmann::json::array();
    for (const DayCell& cell : row.days) {
      nlohmann::json day = nlohmann::json::object();
      AppendCell(day, cell);
      days.push_back(std::move(day));
    }
    person["days"] = std::move(days);
    items.push_back(std::move(person));
  }
  nlohmann::json json = http::PageJson(std::move(items), team.next_after);
  AppendFilter(json, team.filter);
  AppendRange(json, team.from, team.to);
  nlohmann::json days = nlohmann::json::array();
  Date date = team.from;
  for (const DayKind kind : team.kinds) {
    days.push_back({{"date", FormatIsoDate(date)}, {"kind", DayKindName(kind)}});
    date += std::chrono::days{1};
  }
  json["days"] = std::move(days);
  return json;
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
