#include "users/service.hpp"

#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "auth/permissions.hpp"
#include "common/error.hpp"
#include "common/json_optional.hpp"

namespace tabel::users {
namespace {

// Puts every member `changes` gives into `row`, and returns the names and
// old → new values of those that differ (for the audit log). The salary's
// values are recorded too: only auditors read the log.
nlohmann::json ApplyEmployeeChanges(Employee& row, const EmployeeChanges& changes) {
  nlohmann::json changed = nlohmann::json::object();
  const auto set = [&changed](const char* name, auto& field, const auto& value) {
    if (field == value) return;
    changed[name] = {{"from", nlohmann::json(field)}, {"to", nlohmann::json(value)}};
    field = value;
  };
  const auto set_date = [&changed](const char* name, std::optional<Date>& field,
                                   const std::optional<Date>& value) {
    if (field == value) return;
    changed[name] = {{"from", field ? nlohmann::json(FormatIsoDate(*field)) : nlohmann::json()},
                     {"to", value ? nlohmann::json(FormatIsoDate(*value)) : nlohmann::json()}};
    field = value;
  };
  if (changes.personnel_number) set("personnel_number", row.personnel_number, *changes.personnel_number);
  if (changes.last_name) set("last_name", row.last_name, *changes.last_name);
  if (changes.first_name) set("first_name", row.first_name, *changes.first_name);
  if (changes.middle_name) set("middle_name", row.middle_name, *changes.middle_name);
  if (changes.email) set("email", row.email, *changes.email);
  if (changes.phone) set("phone", row.phone, *changes.phone);
  if (changes.region) set("region", row.region, *changes.region);
  if (changes.position_id) set("position_id", row.position_id, *changes.position_id);
  if (changes.department_id) set("department_id", row.department_id, *changes.department_id);
  if (changes.schedule_id) set("schedule_id", row.schedule_id, *changes.schedule_id);
  if (changes.salary_kopecks) set("salary_kopecks", row.salary_kopecks, *changes.salary_kopecks);
  if (changes.employment_rate) set("employment_rate", row.employment_rate, *changes.employment_rate);
  if (changes.hire_date) {
    std::optional<Date> hire = row.hire_date;
    set_date("hire_date", hire, changes.hire_date);
    row.hire_date = *hire;
  }
  if (changes.dismissal_date) set_date("dismissal_date", row.dismissal_date, *changes.dismissal_date);
  if (changes.probation_end_date) {
    set_date("probation_end_date", row.probation_end_date, *changes.probation_end_date);
  }
  return changed;
}

// The members of `changes` that are given, by name.
std::vector<std::string> GivenMembers(const EmployeeChanges& c) {
  std::vector<std::string> names;
  const auto add = [&names](bool given, const char* name) {
    if (given) names.emplace_back(name);
  };
  add(c.personnel_number.has_value(), "personnel_number");
  add(c.last_name.has_value(), "last_name");
  add(c.first_name.has_value(), "first_name");
  add(c.middle_name.has_value(), "middle_name");
  add(c.email.has_value(), "email");
  add(c.phone.has_value(), "phone");
  add(c.region.has_value(), "region");
  add(c.position_id.has_value(), "position_id");
  add(c.department_id.has_value(), "department_id");
  add(c.schedule_id.has_value(), "schedule_id");
  add(c.salary_kopecks.has_value(), "salary_kopecks");
  add(c.employment_rate.has_value(), "employment_rate");
  add(c.hire_date.has_value(), "hire_date");
  add(c.dismissal_date.has_value(), "dismissal_date");
  add(c.probation_end_date.has_value(), "probation_end_date");
  return names;
}

Error ForbiddenFields(std::string detail, const std::vector<std::string>& fields) {
  std::vector<FieldError> errors;
  errors.reserve(fields.size());
  for (const std::string& field : fields) errors.push_back({field, "you may not change it"});
  return {ErrorKind::kForbidden, "forbidden", std::move(detail), std::move(errors)};
}

}  // namespace

UsersService::UsersService(UsersRepository& repository, auth::AccessResolver& access, Clock clock)
    : repository_(repository), access_(access), clock_(std::move(clock)) {}

std::optional<Employee> UsersService::Visible(std::optional<Employee> row, const EmployeeAccess& access) {
  if (!row || !auth::Reaches(access.read, row->id, row->department_id)) return std::nullopt;
  row->personal_visible = auth::Reaches(access.personal, row->id, row->department_id);
  row->salary_visible = auth::Reaches(access.salary, row->id, row->department_id);
  row->writable = auth::Reaches(access.write, row->id, row->department_id);
  if (!row->personal_visible) {
    row->phone.reset();
    row->region.reset();
  }
  if (!row->salary_visible) row->salary_kopecks = 0;
  return row;
}

UsersService::EmployeeAccess UsersService::AccessOf(const Identity& identity) const {
  const auto context = access_.ContextOf(identity);
  return {auth::ReachOf(identity, auth::kEmployeesRead, *context),
          auth::ReachOf(identity, auth::kEmployeesReadPersonal, *context),
          auth::ReachOf(identity, auth::kEmployeesReadSalary, *context),
          auth::ReachOf(identity, auth::kEmployeesWrite, *context)};
}

void UsersService::AuditSensitiveReads(const Actor& actor, const std::vector<const Employee*>& rows) {
  nlohmann::json personal = nlohmann::json::array(), salary = nlohmann::json::array();
  for (const Employee* row : rows) {
    if (actor.identity.employee_id == row->id) continue;  // one's own data
    if (row->personal_visible) personal.push_back(row->id);
    if (row->salary_visible) salary.push_back(row->id);
  }
  const std::string object_id = rows.size() == 1 ? std::to_string(rows.front()->id) : std::string();
  std::vector<audit::Entry> entries;
  if (!salary.empty()) {
    entries.push_back({"employee.read_salary", "employee", object_id, {{"employee_ids", salary}}});
  }
  if (!personal.empty()) {
    entries.push_back({"employee.read_personal", "employee", object_id, {{"employee_ids", personal}}});
  }
  if (!entries.empty()) repository_.Audit(actor, entries);
}

Employee UsersService::GetEmployee(const Actor& actor, int64_t id) {
  auto employee = Visible(repository_.FindEmployee(id), AccessOf(actor.identity));
  if (!employee) throw Error::NotFound("No such employee.");
  employee->manager_id = access_.Chart()->ManagerOf(employee->id, employee->department_id);
  AuditSensitiveReads(actor, {&*employee});
  return std::move(*employee);
}

Page<Employee> UsersService::ListEmployees(const Actor& actor, const EmployeeQuery& query) {
  const EmployeeAccess access = AccessOf(actor.identity);
  std::vector<Employee> found = repository_.ListEmployees(query, access.read, LocalDate(clock_()));
  std::vector<Employee> shown;
  shown.reserve(found.size());
  for (auto& row : found) {
    if (auto visible = Visible(std::move(row), access)) shown.push_back(std::move(*visible));
  }
  Page<Employee> page = http::PageOf(std::move(shown), query.page.limit);
  const auto chart = access_.Chart();
  for (Employee& employee : page.items) {
    employee.manager_id = chart->ManagerOf(employee.id, employee.department_id);
  }
  std::vector<const Employee*> rows;
  for (const Employee& employee : page.items) rows.push_back(&employee);
  AuditSensitiveReads(actor, rows);
  return page;
}

Employee UsersService::CreateEmployee(const Actor& actor, const EmployeeChanges& fields) {
  const Identity& identity = actor.identity;
  const auth::Reach write = access_.ReachOf(identity, auth::kEmployeesWrite);
  if (!write.scope) throw Error::Forbidden("You may not create employees.");
  if (!auth::ReachesDepartment(write, *fields.department_id)) {
    throw ForbiddenFields("You may create employees only in your departments.", {"department_id"});
  }
  const int64_t id = repository_.CreateEmployee(fields, actor);
  return GetEmployee(actor, id);
}

Employee UsersService::UpdateEmployee(const Actor& actor, int64_t id, int64_t expected_version,
                                      const EmployeeChanges& changes) {
  const Identity& identity = actor.identity;
  const EmployeeAccess access = AccessOf(identity);
  const auto current = Visible(repository_.FindEmployee(id), access);
  if (!current) throw Error::NotFound("No such employee.");
  const bool own = identity.employee_id == id;
  const std::vector<std::string> given = GivenMembers(changes);
  if (own) {
    std::vector<std::string> locked;
    for (const std::string& name : given) {
      if (name == "department_id" || name == "salary_kopecks") locked.push_back(name);
    }
    if (!locked.empty()) throw ForbiddenFields("Nobody changes his own department or salary.", locked);
  }
  if (!current->writable) {
    if (!own || !identity.Has(auth::kProfileWrite))
      throw Error::Forbidden("You may not change this employee.");
    std::vector<std::string> beyond;
    for (const std::string& name : given) {
      if (name != "phone") beyond.push_back(name);
    }
    if (!beyond.empty()) throw ForbiddenFields("In your own profile you may change only the phone.", beyond);
  }
  if (changes.department_id && !auth::ReachesDepartment(access.write, *changes.department_id)) {
    throw ForbiddenFields("You may move employees only into your departments.", {"department_id"});
  }
  repository_.UpdateEmployee(
      id, expected_version,
      [&changes, id](Employee& row) -> audit::Entry {
        nlohmann::json changed = ApplyEmployeeChanges(row, changes);
        return {"employee.update", "employee", std::to_string(id), {{"changed", std::move(changed)}}};
      },
      actor);
  // Reaches know the caller's own department (a row his departments hold
  // needs no condition of its own): a move must not wait for the TTL.
  if (changes.department_id) access_.Invalidate();
  return GetEmployee(actor, id);
}

Department UsersService::GetDepartment(int64_t id) {
  auto department = repository_.FindDepartment(id);
  if (!department) throw Error::NotFound("No such department.");
  return std::move(*department);
}

Page<Department> UsersService::ListDepartments(const DepartmentQuery& query) {
  return http::PageOf(repository_.ListDepartments(query), query.page.limit);
}

namespace {

// Departments change within departments.write: the department itself (or,
// for a new one, its parent) must be within reach; a new root needs `all`.
void RequireDepartmentWrite(const auth::Reach& write, std::optional<int64_t> department_id,
                            const char* field) {
  if (!write.scope) throw Error::Forbidden("You may not change departments.");
  if (write.everyone()) return;
  if (!department_id || !auth::ReachesDepartment(write, *department_id)) {
    throw ForbiddenFields("You may change only departments within your own.", {field});
  }
}

void RefuseSelfHead(const Identity& identity, const std::optional<std::optional<int64_t>>& head) {
  if (head && *head && identity.employee_id == **head) {
    throw ForbiddenFields("Nobody makes himself the head of a department.", {"head_employee_id"});
  }
}

}  // namespace

Department UsersService::CreateDepartment(const Actor& actor, const DepartmentChanges& fields) {
  const auth::Reach write = access_.ReachOf(actor.identity, auth::kDepartmentsWrite);
  const std::optional<int64_t> parent = fields.parent_id.value_or(std::nullopt);
  RequireDepartmentWrite(write, parent, "parent_id");
  RefuseSelfHead(actor.identity, fields.head_employee_id);
  Department department;
  department.parent_id = parent;
  department.code = fields.code.value_or("");
  department.name = fields.name.value_or("");
  department.head_employee_id = fields.head_employee_id.value_or(std::nullopt);
  const int64_t id = repository_.CreateDepartment(department, actor);
  access_.Invalidate();
  return GetDepartment(id);
}

Department UsersService::UpdateDepartment(const Actor& actor, int64_t id, int64_t expected_version,
                                          const DepartmentChanges& changes) {
  const auth::Reach write = access_.ReachOf(actor.identity, auth::kDepartmentsWrite);
  if (!repository_.FindDepartment(id)) throw Error::NotFound("No such department.");
  RequireDepartmentWrite(write, id, "id");
  if (changes.parent_id) RequireDepartmentWrite(write, *changes.parent_id, "parent_id");
  RefuseSelfHead(actor.identity, changes.head_employee_id);
  repository_.UpdateDepartment(
      id, expected_version,
      [&changes, id](Department& row) -> audit::Entry {
        nlohmann::json changed = nlohmann::json::object();
        if (changes.parent_id && *changes.parent_id != row.parent_id) {
          changed["parent_id"] = {{"from", nlohmann::json(row.parent_id)},
                                  {"to", nlohmann::json(*changes.parent_id)}};
          row.parent_id = *changes.parent_id;
        }
        if (changes.head_employee_id && *changes.head_employee_id != row.head_employee_id) {
          changed["head_employee_id"] = {{"from", nlohmann::json(row.head_employee_id)},
                                         {"to", nlohmann::json(*changes.head_employee_id)}};
          row.head_employee_id = *changes.head_employee_id;
        }
        if (changes.code && *changes.code != row.code) {
          changed["code"] = {{"from", row.code}, {"to", *changes.code}};
          row.code = *changes.code;
        }
        if (changes.name && *changes.name != row.name) {
          changed["name"] = {{"from", row.name}, {"to", *changes.name}};
          row.name = *changes.name;
        }
        if (row.parent_id == id) {
          throw Error::Unprocessable("department-cycle", "A department cannot be its own parent.",
                                     {{"parent_id", "is this department"}});
        }
        return {"department.update", "department", std::to_string(id), {{"changed", std::move(changed)}}};
      },
      actor);
  access_.Invalidate();
  return GetDepartment(id);
}

std::vector<Position> UsersService::ListPositions() { return repository_.ListPositions(); }

Position UsersService::CreatePosition(const Actor& actor, const std::string& name) {
  if (!actor.identity.Has(auth::kEmployeesWrite)) throw Error::Forbidden("You may not create positions.");
  return {repository_.CreatePosition(name, actor), name};
}

std::vector<WorkSchedule> UsersService::ListSchedules() { return repository_.ListSchedules(); }

std::shared_ptr<const std::vector<WorkSchedule>> UsersService::Schedules() {
  const auto now = std::chrono::steady_clock::now();
  {
    const std::lock_guard lock(schedules_mutex_);
    if (schedules_ && now < schedules_expire_) return schedules_;
  }
  auto schedules = std::make_shared<const std::vector<WorkSchedule>>(repository_.ListSchedules());
  const std::lock_guard lock(schedules_mutex_);
  schedules_ = schedules;
  schedules_expire_ = now + kSchedulesTtl;
  return schedules;
}

std::optional<Employee> UsersService::Lookup(int64_t id) { return repository_.FindEmployee(id); }

std::optional<Employee> UsersService::EmploymentIn(db::Lease& lease, int64_t id) {
  return UsersRepository::FindEmploymentIn(lease, id);
}

void UsersService::RecordDismissal(soci::session& open_write_tx, const Actor& actor, int64_t employee_id,
                                   std::optional<Date> last_day) {
  repository_.SetDismissalDate(open_write_tx, employee_id, last_day, actor);
}

}  // namespace tabel::users
