#include "users/json.hpp"

#include <algorithm>

#include "common/json_optional.hpp"
#include "common/json_text.hpp"
#include "http/json_body.hpp"
#include "http/query_fields.hpp"

namespace tabel::users {
namespace {

constexpr size_t kMaxName = 100;
constexpr size_t kMaxPersonnelNumber = 20;
constexpr size_t kMaxEmail = 254;
constexpr size_t kMaxPhone = 32;
constexpr size_t kMaxCode = 32;
constexpr size_t kMaxTitle = 200;
constexpr int64_t kMaxSalaryKopecks = 1'000'000'000'000;  // ten billion roubles
constexpr int64_t kMaxId = 1'000'000'000'000;

bool IsEmail(const std::string& text) {
  const size_t at = text.find('@');
  return at != std::string::npos && at > 0 && at + 1 < text.size() &&
         text.find('@', at + 1) == std::string::npos &&
         text.find_first_of(" \t\r\n,;<>\"") == std::string::npos && text.find('.', at) != std::string::npos;
}

bool IsPhone(const std::string& text) {
  const auto digits = std::count_if(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  return digits >= 5 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || c == '+' || c == ' ' || c == '-' || c == '(' || c == ')';
         });
}

// A member that may not be null even in a PATCH.
bool NullRefused(http::JsonFields& fields, const char* name) {
  if (fields.Contains(name) && fields.IsNull(name)) {
    fields.Add(name, "must not be null");
    return true;
  }
  return false;
}

}  // namespace

EmployeeChanges ParseEmployeeChanges(const nlohmann::json& body, bool creating) {
  http::JsonFields fields(body);
  EmployeeChanges c;
  const bool required = creating;
  for (const char* name :
       {"personnel_number", "last_name", "first_name", "email", "position_id", "department_id", "schedule_id",
        "salary_kopecks", "hire_date", "employment_rate"}) {
    if (!creating) NullRefused(fields, name);
  }
  c.personnel_number = fields.Text("personnel_number", required, kMaxPersonnelNumber);
  c.last_name = fields.Text("last_name", required, kMaxName);
  c.first_name = fields.Text("first_name", required, kMaxName);
  c.middle_name = fields.NullableText("middle_name", kMaxName);
  c.email = fields.String("email", required, kMaxEmail);
  if (c.email) {
    for (char& ch : *c.email) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    if (!IsEmail(*c.email)) {
      fields.Add("email", "must be an email address");
      c.email.reset();
    }
  }
  c.phone = fields.NullableText("phone", kMaxPhone);
  if (c.phone && *c.phone && !IsPhone(**c.phone)) {
    fields.Add("phone", "must be a phone number: digits, spaces, '+', '-', '(' and ')'");
  }
  c.region = fields.NullableText("region", kMaxName);
  c.position_id = fields.Int("position_id", required, 1, kMaxId);
  c.department_id = fields.Int("department_id", required, 1, kMaxId);
  c.schedule_id = fields.Int("schedule_id", required, 1, kMaxId);
  c.salary_kopecks = fields.Int("salary_kopecks", required, 0, kMaxSalaryKopecks);
  if (const auto rate = fields.Int("employment_rate", false, 1, 100))
    c.employment_rate = static_cast<int>(*rate);
  c.hire_date = fields.IsoDate("hire_date", required);
  if (fields.Contains("dismissal_date")) {
    if (fields.IsNull("dismissal_date")) {
      c.dismissal_date = std::optional<Date>();
    } else if (auto date = fields.IsoDate("dismissal_date", false)) {
      c.dismissal_date = std::optional<Date>(*date);
    }
  }
  if (fields.Contains("probation_end_date")) {
    if (fields.IsNull("probation_end_date")) {
      c.probation_end_date = std::optional<Date>();
    } else if (auto date = fields.IsoDate("probation_end_date", false)) {
      c.probation_end_date = std::optional<Date>(*date);
    }
  }
  if (creating && c.hire_date && c.probation_end_date && *c.probation_end_date &&
      **c.probation_end_date < *c.hire_date) {
    fields.Add("probation_end_date", "must not be before hire_date");
  }
  if (creating && c.hire_date && c.dismissal_date && *c.dismissal_date && **c.dismissal_date < *c.hire_date) {
    fields.Add("dismissal_date", "must not be before hire_date");
  }
  fields.Finish();
  return c;
}

DepartmentChanges ParseDepartmentChanges(const nlohmann::json& body, bool creating) {
  http::JsonFields fields(body);
  DepartmentChanges c;
  if (!creating) {
    NullRefused(fields, "code");
    NullRefused(fields, "name");
  }
  c.code = fields.Text("code", creating, kMaxCode);
  if (c.code && !std::all_of(c.code->begin(), c.code->end(), [](char ch) {
        return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
               ch == '-' || ch == '_' || ch == '.';
      })) {
    fields.Add("code", "must hold only Latin letters, digits, '-', '_' and '.'");
  }
  c.name = fields.Text("name", creating, kMaxTitle);
  c.parent_id = fields.NullableInt("parent_id", 1, kMaxId);
  c.head_employee_id = fields.NullableInt("head_employee_id", 1, kMaxId);
  fields.Finish();
  return c;
}

nlohmann::json EmployeeJson(const Employee& e) {
  nlohmann::json json = {{"id", e.id},
                         {"personnel_number", e.personnel_number},
                         {"last_name", e.last_name},
                         {"first_name", e.first_name},
                         {"middle_name", e.middle_name},
                         {"email", e.email},
                         {"position", e.position},
                         {"position_id", e.position_id},
                         {"department_id", e.department_id},
                         {"manager_id", e.manager_id},
                         {"hire_date", FormatIsoDate(e.hire_date)},
                         {"dismissal_date", nullptr},
                         {"probation_end_date", nullptr},
                         {"employment_rate", e.employment_rate},
                         {"schedule_id", e.schedule_id},
                         {"version", e.version}};
  if (e.dismissal_date) json["dismissal_date"] = FormatIsoDate(*e.dismissal_date);
  if (e.probation_end_date) json["probation_end_date"] = FormatIsoDate(*e.probation_end_date);
  if (e.personal_visible) {
    json["phone"] = e.phone;
    json["region"] = e.region;
  }
  if (e.salary_visible) json["salary_kopecks"] = e.salary_kopecks;
  return json;
}

// Keys in the byte order nlohmann::json keeps an object's keys in, so the
// text equals EmployeeJson(e).dump() (a unit test holds them together).
void AppendEmployeeJson(std::string& out, const Employee& e) {
  out.push_back('{');
  AppendJsonKey(out, "department_id", true);
  AppendJsonInt(out, e.department_id);
  AppendJsonKey(out, "dismissal_date");
  AppendJsonDate(out, e.dismissal_date);
  AppendJsonKey(out, "email");
  AppendJsonString(out, e.email);
  AppendJsonKey(out, "employment_rate");
  AppendJsonInt(out, e.employment_rate);
  AppendJsonKey(out, "first_name");
  AppendJsonString(out, e.first_name);
  AppendJsonKey(out, "hire_date");
  AppendJsonDate(out, e.hire_date);
  AppendJsonKey(out, "id");
  AppendJsonInt(out, e.id);
  AppendJsonKey(out, "last_name");
  AppendJsonString(out, e.last_name);
  AppendJsonKey(out, "manager_id");
  if (e.manager_id) {
    AppendJsonInt(out, *e.manager_id);
  } else {
    out += "null";
  }
  AppendJsonKey(out, "middle_name");
  AppendJsonOptional(out, e.middle_name);
  AppendJsonKey(out, "personnel_number");
  AppendJsonString(out, e.personnel_number);
  if (e.personal_visible) {
    AppendJsonKey(out, "phone");
    AppendJsonOptional(out, e.phone);
  }
  AppendJsonKey(out, "position");
  AppendJsonString(out, e.position);
  AppendJsonKey(out, "position_id");
  AppendJsonInt(out, e.position_id);
  AppendJsonKey(out, "probation_end_date");
  AppendJsonDate(out, e.probation_end_date);
  if (e.personal_visible) {
    AppendJsonKey(out, "region");
    AppendJsonOptional(out, e.region);
  }
  if (e.salary_visible) {
    AppendJsonKey(out, "salary_kopecks");
    AppendJsonInt(out, e.salary_kopecks);
  }
  AppendJsonKey(out, "schedule_id");
  AppendJsonInt(out, e.schedule_id);
  AppendJsonKey(out, "version");
  AppendJsonInt(out, e.version);
  out.push_back('}');
}

std::string EmployeeJsonText(const Employee& employee) {
  std::string out;
  out.reserve(512);
  AppendEmployeeJson(out, employee);
  return out;
}

std::string EmployeePageJsonText(const std::vector<Employee>& items, std::optional<int64_t> next_after) {
  return http::PageJsonText(items, next_after, AppendEmployeeJson);
}

nlohmann::json DepartmentJson(const Department& d) {
  return {{"id", d.id},
          {"parent_id", d.parent_id},
          {"code", d.code},
          {"name", d.name},
          {"head_employee_id", d.head_employee_id},
          {"version", d.version}};
}

nlohmann::json PositionJson(const Position& position) {
  return {{"id", position.id}, {"name", position.name}};
}

nlohmann::json ScheduleJson(const WorkSchedule& s) {
  return {{"id", s.id},
          {"code", s.code},
          {"name", s.name},
          {"kind", s.kind},
          {"hours_per_week", s.hours_per_week},
          {"shift_pattern", s.shift_pattern},
          {"anchor_date", s.anchor_date ? nlohmann::json(FormatIsoDate(*s.anchor_date)) : nlohmann::json()}};
}

}  // namespace tabel::users
