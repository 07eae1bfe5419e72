#pragma once
// Versioned schema migrations, compiled into the binary from
// db/migrations/<sqlite|postgresql>/NNN_name.sql (one folder per dialect,
// the same versions in both).
//
// Each migration runs in its own write transaction together with its
// schema_migrations row, so it is applied completely or not at all. Several
// replicas may migrate at once: on PostgreSQL every migration transaction
// first takes a transaction-scoped advisory lock, on SQLite BEGIN IMMEDIATE
// serialises them; the applied versions are re-read inside the lock.

#include <string>
#include <string_view>
#include <vector>

#include "infra/db/database.hpp"

namespace tabel::db {

struct MigrationInfo {
  int version = 0;
  std::string name;      // "platform" for 001_platform.sql
  std::string file;      // "db/migrations/sqlite/001_platform.sql"
  std::string_view sql;  // the script; must outlive the Migrator using it
};

// The embedded migrations of `dialect`, ordered by version. Throws
// tabel::Error (kInternal) for a file name not of the form NNN_name.sql or a
// version used twice.
std::vector<MigrationInfo> EmbeddedMigrations(Dialect dialect);

// Checks that the two lists hold the same versions under the same names.
// Throws tabel::Error (kInternal) naming the first difference.
void ValidateMigrationSets(const std::vector<MigrationInfo>& sqlite,
                           const std::vector<MigrationInfo>& postgresql);

// Thread-safety: a Migrator is used by one thread; any number of Migrators
// (threads, processes) may migrate the same database at once.
// Errors: tabel::Error. A failing migration is rolled back and reported as
// kInternal (or kUnavailable if the database went away) with the file, the
// statement and the database's message in Error::internal().
class Migrator {
 public:
  // Uses EmbeddedMigrations(database.dialect()).
  explicit Migrator(Database& database);
  // Uses `migrations` (ordered by version); for tests.
  Migrator(Database& database, std::vector<MigrationInfo> migrations);

  // The migrations not applied yet, by version. Creates nothing.
  std::vector<MigrationInfo> Pending();

  // Applies every pending migration in version order; returns how many this
  // call applied (0 when another Migrator got there first).
  int Apply();

 private:
  Database& database_;
  std::vector<MigrationInfo> migrations_;
};

}  // namespace tabel::db
