#pragma once
// The users service's domain types: the organisation (departments as a tree,
// positions, work schedules) and its employees.
// Thread-safety: plain values.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/date.hpp"
#include "http/query_fields.hpp"

namespace tabel::users {

struct Employee {
  int64_t id = 0;
  std::string personnel_number;
  std::string last_name, first_name;
  std::optional<std::string> middle_name;
  std::string email;  // the work address: a basic field
  int64_t position_id = 0;
  std::string position;  // its name
  int64_t department_id = 0;
  // The head of the nearest department up the tree headed by someone else.
  std::optional<int64_t> manager_id;
  Date hire_date{};
  std::optional<Date> dismissal_date;
  // The last day of probation (Labour Code art. 70); none: not on probation.
  std::optional<Date> probation_end_date;
  int employment_rate = 100;  // percent of full time
  int64_t schedule_id = 0;
  // Personal data: phone and region; shown only with employees.read_personal.
  std::optional<std::string> phone;
  std::optional<std::string> region;
  // Shown only with employees.read_salary.
  int64_t salary_kopecks = 0;
  int64_t version = 0;

  // What the caller may see and do with this row (set by the service from
  // the caller's reach; hidden fields are cleared).
  bool personal_visible = false;
  bool salary_visible = false;
  bool writable = false;
};

// A new employee (every required member set) or the members a PATCH
// changes. For nullable columns the outer optional is "given", the inner
// one the value (nullopt = clear it).
struct EmployeeChanges {
  std::optional<std::string> personnel_number, last_name, first_name, email;
  std::optional<std::optional<std::string>> middle_name, phone, region;
  std::optional<int64_t> position_id, department_id, schedule_id, salary_kopecks;
  std::optional<Date> hire_date;
  std::optional<std::optional<Date>> dismissal_date, probation_end_date;
  std::optional<int> employment_rate;
};

struct EmployeeQuery {
  http::PageRequest page;
  std::optional<std::string> text;  // a personnel number, or the start of "last first middle"
  std::optional<int64_t> department_id;
  bool subtree = false;            // with department_id: its whole subtree
  bool include_dismissed = false;  // otherwise only those employed today
};

struct Department {
  int64_t id = 0;
  std::optional<int64_t> parent_id;
  std::string code;
  std::string name;
  std::optional<int64_t> head_employee_id;
  int64_t version = 0;
};

struct DepartmentChanges {
  std::optional<std::optional<int64_t>> parent_id;
  std::optional<std::string> code, name;
  std::optional<std::optional<int64_t>> head_employee_id;
};

struct DepartmentQuery {
  http::PageRequest page;
  std::optional<int64_t> parent_id;  // direct children of
  bool roots = false;                // only departments without a parent
};

struct Position {
  int64_t id = 0;
  std::string name;
};

struct WorkSchedule {
  int64_t id = 0;
  std::string code, name, kind;
  int hours_per_week = 40;
  // Shift schedules: "D/OxH" (calendar/work_schedule.hpp), repeated from
  // anchor_date, the first day of a working run.
  std::optional<std::string> shift_pattern;
  std::optional<Date> anchor_date;
};

// Events of the users service, written to the outbox in the change's own
// transaction (for the views that keep copies: the cached team calendars).
// {"employee_id": id}: an employee created or changed, a dismissal date
// set by an approved dismissal included.
inline constexpr const char* kEmployeeChangedTopic = "employee.changed";
// {"department_id": id}: a department created or changed.
inline constexpr const char* kDepartmentChangedTopic = "department.changed";

}  // namespace tabel::users
