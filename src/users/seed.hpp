#pragma once
// `tabel seed --employees N [--seed S]`: a realistic company, built
// deterministically from the seed, for benchmarks and trials: a tree of
// departments (about one per 42 employees, at most 6 levels deep), positions,
// work schedules, and employees with Russian names, hire dates across ten
// years, some dismissals, part-time rates, salaries and regions. Each
// department has at least one employee, and its head works in it.
// Thread-safety: call from one thread; it uses its own transactions.

#include <cstdint>

#include "common/clock.hpp"

namespace tabel::db {
class Database;
}

namespace tabel::users {

inline constexpr int kMaxDepartmentDepth = 6;

struct SeedOptions {
  int employees = 25000;  // 1 .. 1,000,000
  uint64_t seed = 1;      // the same seed and clock day give the same company
};

struct SeedResult {
  int departments = 0;
  int employees = 0;
  int max_depth = 0;
};

// Throws Error::Conflict if the database already has employees or
// departments, std::invalid_argument for a bad option, and database errors
// as tabel::Error.
SeedResult SeedCompany(db::Database& database, const SeedOptions& options, const Clock& clock);

}  // namespace tabel::users
