#pragma once
// SQL of the users service: employees, departments, positions, schedules.
// Lists take the caller's reach (auth/access.hpp) and filter by it in SQL,
// so rows outside it never leave the database. Writes run in one write
// transaction with their audit row and their event (kEmployeeChangedTopic,
// kDepartmentChangedTopic); updates take a callback that applies
// the change to the locked current row (the service's rules live there).
//
// Thread-safety: safe from any thread; every method leases its own session
// and blocks: run it on the blocking pool.
// Errors: tabel::Error — NotFound, Conflict (stale version, a taken unique
// value, naming the field), Unprocessable (a reference to nothing), and the
// database helpers' Unavailable/Internal.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/access.hpp"
#include "common/actor.hpp"
#include "common/clock.hpp"
#include "infra/audit/audit_log.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/db/database.hpp"
#include "users/model.hpp"

namespace tabel::users {

class UsersRepository {
 public:
  UsersRepository(db::Database& database, Clock clock);

  // The employee with every stored field, whoever asks: the service decides
  // what the caller may see, and sets manager_id from the org chart.
  std::optional<Employee> FindEmployee(int64_t id);
  // At most query.page.limit + 1 rows (one more tells there is a next page),
  // ordered by id, within `read`, with every stored field (as FindEmployee).
  std::vector<Employee> ListEmployees(const EmployeeQuery& query, const auth::Reach& read, Date today);

  int64_t CreateEmployee(const EmployeeChanges& fields, const Actor& actor);
  // Locks the row, checks `expected_version` (Conflict when stale), calls
  // apply(row) — which changes the row and returns what to audit or
  // throws — then checks references and unique values and saves the row
  // with version + 1.
  using EmployeeUpdate = std::function<audit::Entry(Employee& row)>;
  void UpdateEmployee(int64_t id, int64_t expected_version, const EmployeeUpdate& apply, const Actor& actor);

  std::optional<Department> FindDepartment(int64_t id);
  std::vector<Department> ListDepartments(const DepartmentQuery& query);
  int64_t CreateDepartment(const Department& department, const Actor& actor);
  using DepartmentUpdate = std::function<audit::Entry(Department& row)>;
  // Like UpdateEmployee; also refuses a parent inside the department's own
  // subtree (Unprocessable naming parent_id) and rebuilds the closure.
  void UpdateDepartment(int64_t id, int64_t expected_version, const DepartmentUpdate& apply,
                        const Actor& actor);

  std::vector<Position> ListPositions();
  int64_t CreatePosition(const std::string& name, const Actor& actor);
  std::vector<WorkSchedule> ListSchedules();

  // Inside the caller's transaction: the employee's id, department, hire
  // and dismissal dates and region only (the facts other services' rules
  // need, read after their locks); nullopt for no employee.
  static std::optional<Employee> FindEmploymentIn(db::Lease& lease, int64_t id);
  // Inside the caller's write transaction: sets the dismissal date (nullopt
  // clears it), version + 1, with an audit row. NotFound for no employee.
  void SetDismissalDate(soci::session& open_write_tx, int64_t id, std::optional<Date> date,
                        const Actor& actor);

  // Appends audit rows in one statement, its own transaction (reads of
  // salary or personal data).
  void Audit(const Actor& actor, const std::vector<audit::Entry>& entries);

 private:
  // The event of a change (model.hpp), in the change's transaction.
  void EmployeeChanged(soci::session& open_write_tx, int64_t id) const;
  void DepartmentChanged(soci::session& open_write_tx, int64_t id) const;

  db::Database& database_;
  Clock clock_;
  bus::Outbox outbox_;
};

// "last first middle" in lower case: the search key.
std::string SearchName(const std::string& last_name, const std::string& first_name,
                       const std::optional<std::string>& middle_name);

}  // namespace tabel::users
