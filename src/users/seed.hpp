#pragma once
// `tabel seed --employees N [--seed S]`: a realistic company, built
// deterministically from the seed, for benchmarks and trials: a tree of
// departments (about one per 42 employees, at most 6 levels deep), positions,
// work schedules, and employees with Russian names, hire dates across ten
// years, some dismissals, part-time rates, salaries and regions. Each
// department has at least one employee, and its head works in it.
// Thread-safety: call from one thread; it uses its own transactions.

#include <soci/soci.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"

namespace tabel::db {
class Database;
}

namespace tabel::users {

inline constexpr int kMaxDepartmentDepth = 6;

struct SeedOptions {
  int employees = 25000;  // 1 .. 1,000,000
  uint64_t seed = 1;      // the same seed and clock day give the same company
  // When set, every current employee gets a login: his personnel number in
  // lower case (t000001), with this argon2id hash, role `employee`, and
  // `manager` too when he heads a department.
  std::string password_hash;
};

struct SeedResult {
  int departments = 0;
  int employees = 0;
  int max_depth = 0;
  int accounts = 0;
};

// Inserts the five standard work schedules with ids 1..5: five-day weeks
// of 40, 36 and 24 hours, a 2/2 shift of 12 hours and a 1/3 shift of 24
// hours, both anchored on 2024-01-01. Errors: soci_error.
void InsertStandardSchedules(soci::session& session, const std::string& at);

// Throws Error::Conflict if the database already has employees or
// departments, std::invalid_argument for a bad option, and database errors
// as tabel::Error.
SeedResult SeedCompany(db::Database& database, const SeedOptions& options, const Clock& clock);

// The demo company of `tabel serve --demo` (PRODUCT.md): a bank with four
// departments under its board, two of them with sub-departments, and 14
// employees hired years ago on a five-day 40-hour week. Demo logins map to
// employees: `manager` heads the IT department (with two sub-departments),
// `employee` works in its development section, `manager2` heads retail
// banking, `hr` and `accountant` work in their departments; `admin` is a
// technical account without an employee.
struct DemoCompany {
  bool created = false;  // false: the database already had an organisation
  // Demo login -> employee id, for every demo employee that has a login
  // (empty when the organisation is not the demo one).
  std::vector<std::pair<std::string, int64_t>> employee_of_login;
};

// Creates the demo company on a database without departments and employees;
// on one that has the demo company already, only finds the demo employees;
// on any other organisation, does nothing. Errors: tabel::Error.
DemoCompany EnsureDemoCompany(db::Database& database, const Clock& clock);

}  // namespace tabel::users
