#pragma once
// The users service's rules, without HTTP: who may read and change which
// employees and departments, what a change must satisfy, and what the audit
// log records.
//
//  * Reads are filtered by the caller's reach (auth/access.hpp): outside it
//    an employee is NotFound and absent from lists. Phone and region show
//    only within employees.read_personal, the salary only within
//    employees.read_salary; a read that shows someone else's personal data
//    or salary is audited.
//  * Within employees.write a caller changes every field; on his own record
//    with profile.write only the phone. Nobody changes his own department
//    or salary, nor makes himself a department head (Forbidden).
//  * Departments are readable by everyone signed in (the org chart); they
//    change within departments.write.
//
// Thread-safety: safe from any thread; blocks on the database (run it on
// the blocking pool). Errors: tabel::Error (Forbidden, NotFound, Conflict,
// Unprocessable, and the repository's).

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "auth/access.hpp"
#include "common/actor.hpp"
#include "common/clock.hpp"
#include "users/model.hpp"
#include "users/repository.hpp"

namespace tabel::users {

using http::Page;

inline constexpr std::chrono::seconds kSchedulesTtl{10};

class UsersService {
 public:
  // `access` resolves the caller's reach; the service clears its cache after
  // every change of the department tree.
  UsersService(UsersRepository& repository, auth::AccessResolver& access, Clock clock);

  Employee GetEmployee(const Actor& actor, int64_t id);
  Page<Employee> ListEmployees(const Actor& actor, const EmployeeQuery& query);
  // Returns the new employee as the caller sees it.
  Employee CreateEmployee(const Actor& actor, const EmployeeChanges& fields);
  Employee UpdateEmployee(const Actor& actor, int64_t id, int64_t expected_version,
                          const EmployeeChanges& changes);

  Department GetDepartment(int64_t id);
  Page<Department> ListDepartments(const DepartmentQuery& query);
  Department CreateDepartment(const Actor& actor, const DepartmentChanges& fields);
  Department UpdateDepartment(const Actor& actor, int64_t id, int64_t expected_version,
                              const DepartmentChanges& changes);

  std::vector<Position> ListPositions();
  Position CreatePosition(const Actor& actor, const std::string& name);
  std::vector<WorkSchedule> ListSchedules();
  // The same for other services' computations (calendars, timesheets), at
  // most kSchedulesTtl old: a handful of rows that hardly ever change, read
  // once for every request that plans days. Nothing here changes
  // schedules, so a change shows within the TTL.
  std::shared_ptr<const std::vector<WorkSchedule>> Schedules();

  // For other services' rules: the employee with every field, whoever
  // asks. Nothing read here may be shown without the caller's own access
  // check.
  std::optional<Employee> Lookup(int64_t id);
  // The same inside the caller's transaction, after its locks: only id,
  // department, hire and dismissal dates and region are set.
  static std::optional<Employee> EmploymentIn(db::Lease& lease, int64_t id);
  // Sets (or clears) the employee's dismissal date inside the caller's open
  // write transaction, with its audit row: an approved dismissal request.
  void RecordDismissal(soci::session& open_write_tx, const Actor& actor, int64_t employee_id,
                       std::optional<Date> last_day);

 private:
  // The caller's reach for each thing an employee row can show or allow.
  struct EmployeeAccess {
    auth::Reach read, personal, salary, write;
  };
  EmployeeAccess AccessOf(const Identity& identity) const;
  // The row within access.read, with its flags set and hidden fields
  // cleared; nullopt outside the reach.
  static std::optional<Employee> Visible(std::optional<Employee> row, const EmployeeAccess& access);
  void AuditSensitiveReads(const Actor& actor, const std::vector<const Employee*>& rows);

  UsersRepository& repository_;
  auth::AccessResolver& access_;
  std::mutex schedules_mutex_;
  std::shared_ptr<const std::vector<WorkSchedule>> schedules_;
  std::chrono::steady_clock::time_point schedules_expire_;
  Clock clock_;
};

}  // namespace tabel::users
