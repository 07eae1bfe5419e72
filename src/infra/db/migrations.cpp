#include "infra/db/migrations.hpp"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>
#include <stdexcept>
#include <utility>

#include "common/embedded.hpp"
#include "common/error.hpp"
#include "infra/db/errors.hpp"
#include "infra/db/sql_split.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::db {
namespace {

constexpr std::string_view kMigrationsRoot = "db/migrations/";

// Key of the PostgreSQL advisory lock held by a migration transaction
// (the ASCII bytes of "tabelmig" as a big-endian bigint).
constexpr std::string_view kLockMigrations = "SELECT pg_advisory_xact_lock(8386092168890902887)";

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
constexpr std::string_view kSelectVersions = "SELECT version FROM schema_migrations";
constexpr std::string_view kCountVersion = "SELECT COUNT(*) FROM schema_migrations WHERE version = :version";
constexpr std::string_view kInsertVersion =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:version, :name, :applied_at)";
constexpr std::string_view kTableExistsSqlite =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
constexpr std::string_view kTableExistsPostgresql =
    "SELECT COUNT(*) FROM pg_catalog.pg_tables "
    "WHERE schemaname = current_schema() AND tablename = 'schema_migrations'";

// "001_platform.sql" -> {1, "platform"}; version >= 1, name of [a-z0-9_].
bool ParseFileName(std::string_view file_name, int& version, std::string& name) {
  constexpr std::string_view kSuffix = ".sql";
  if (file_name.size() <= kSuffix.size() || file_name.substr(file_name.size() - kSuffix.size()) != kSuffix) {
    return false;
  }
  file_name.remove_suffix(kSuffix.size());
  const size_t underscore = file_name.find('_');
  if (underscore == 0 || underscore == std::string_view::npos || underscore > 6) return false;
  version = 0;
  for (char c : file_name.substr(0, underscore)) {
    if (c < '0' || c > '9') return false;
    version = version * 10 + (c - '0');
  }
  const std::string_view rest = file_name.substr(underscore + 1);
  if (version < 1 || rest.empty()) return false;
  for (char c : rest) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  name = rest;
  return true;
}

void LockMigrations(soci::session& session, Dialect dialect) {
  if (dialect == Dialect::kPostgresql) session << kLockMigrations;
}

std::set<int> ReadVersions(soci::session& session) {
  std::set<int> versions;
  int version = 0;
  soci::statement statement = (session.prepare << kSelectVersions, soci::into(version));
  statement.execute();
  while (statement.fetch()) versions.insert(version);
  return versions;
}

// Runs one statement of a migration script verbatim. On PostgreSQL it goes
// straight to libpq: SOCI would rewrite a ":name" inside a $$ function body
// as a bind placeholder. Throws soci errors, like SOCI itself.
void ExecuteVerbatim(soci::session& session, Dialect dialect, const std::string& sql) {
  if (dialect == Dialect::kSqlite) {
    session << sql;
    return;
  }
  PGconn* conn = static_cast<soci::postgresql_session_backend*>(session.get_backend())->conn_;
  PGresult* result = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    PQclear(result);
    return;
  }
  std::string message = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  const char* field = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = field != nullptr ? field : (PQstatus(conn) == CONNECTION_OK ? "XX000" : "08006");
  PQclear(result);
  throw soci::postgresql_soci_error(message, sqlstate.c_str());
}

// True for BEGIN, COMMIT, END, ROLLBACK, START TRANSACTION: a migration
// runs inside a transaction of its own, which these would break.
bool ControlsTheTransaction(const std::string& statement) {
  std::string word;
  for (char c : statement) {
    if (!std::isalpha(static_cast<unsigned char>(c))) break;
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return word == "BEGIN" || word == "COMMIT" || word == "END" || word == "ROLLBACK" || word == "START";
}

void RunScript(soci::session& session, Dialect dialect, const MigrationInfo& migration) {
  std::vector<std::string> statements;
  try {
    statements = SplitSqlScript(migration.sql, dialect);
  } catch (const std::invalid_argument& error) {
    throw Error::Internal("migration " + migration.file + " cannot be split: " + error.what());
  }
  for (const std::string& statement : statements) {
    if (ControlsTheTransaction(statement)) {
      throw Error::Internal("migration " + migration.file +
                            " must not control transactions (each migration runs in its own): " + statement);
    }
  }
  for (size_t i = 0; i < statements.size(); ++i) {
    try {
      ExecuteVerbatim(session, dialect, statements[i]);
    } catch (const soci::soci_error& error) {
      if (IsRetryable(error)) throw;  // WithWriteTransaction reruns the migration
      const Error classified = Classify(error);
      throw Error(classified.kind(), classified.code(), classified.detail(), {},
                  "migration " + migration.file + " failed at statement " + std::to_string(i + 1) + " of " +
                      std::to_string(statements.size()) + ":\n" + statements[i] + "\n" +
                      classified.internal());
    }
  }
}

}  // namespace

std::vector<MigrationInfo> EmbeddedMigrations(Dialect dialect) {
  const std::string folder = std::string(kMigrationsRoot) + std::string(DialectName(dialect)) + "/";
  std::vector<MigrationInfo> migrations;
  for (const embedded::File& file : embedded::All()) {
    if (file.path.substr(0, folder.size()) != folder) continue;
    const std::string_view file_name = file.path.substr(folder.size());
    MigrationInfo migration;
    if (file_name.find('/') != std::string_view::npos ||
        !ParseFileName(file_name, migration.version, migration.name)) {
      throw Error::Internal("migration file name is not NNN_name.sql: " + std::string(file.path));
    }
    migration.file = file.path;
    migration.sql = file.content;
    migrations.push_back(std::move(migration));
  }
  std::sort(migrations.begin(), migrations.end(),
            [](const MigrationInfo& a, const MigrationInfo& b) { return a.version < b.version; });
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version == migrations[i - 1].version) {
      throw Error::Internal("migration version " + std::to_string(migrations[i].version) +
                            " is used twice: " + migrations[i - 1].file + ", " + migrations[i].file);
    }
  }
  return migrations;
}

void ValidateMigrationSets(const std::vector<MigrationInfo>& sqlite,
                           const std::vector<MigrationInfo>& postgresql) {
  const size_t common = std::min(sqlite.size(), postgresql.size());
  for (size_t i = 0; i < common; ++i) {
    if (sqlite[i].version != postgresql[i].version || sqlite[i].name != postgresql[i].name) {
      throw Error::Internal("migration folders differ: " + sqlite[i].file + " vs " + postgresql[i].file);
    }
  }
  if (sqlite.size() != postgresql.size()) {
    const MigrationInfo& extra = sqlite.size() > common ? sqlite[common] : postgresql[common];
    throw Error::Internal("migration " + extra.file + " has no counterpart in the other dialect's folder");
  }
}

Migrator::Migrator(Database& database) : Migrator(database, EmbeddedMigrations(database.dialect())) {}

Migrator::Migrator(Database& database, std::vector<MigrationInfo> migrations)
    : database_(database), migrations_(std::move(migrations)) {}

std::vector<MigrationInfo> Migrator::Pending() {
  const Dialect dialect = database_.dialect();
  const std::set<int> applied = WithSession(database_, [dialect](soci::session& session) {
    int tables = 0;
    session << (dialect == Dialect::kSqlite ? kTableExistsSqlite : kTableExistsPostgresql),
        soci::into(tables);
    return tables == 0 ? std::set<int>{} : ReadVersions(session);
  });
  std::vector<MigrationInfo> pending;
  for (const MigrationInfo& migration : migrations_) {
    if (applied.count(migration.version) == 0) pending.push_back(migration);
  }
  return pending;
}

int Migrator::Apply() {
  const Dialect dialect = database_.dialect();
  const std::set<int> applied = WithWriteTransaction(database_, [dialect](soci::session& session) {
    LockMigrations(session, dialect);
    session << kCreateTable;
    return ReadVersions(session);
  });
  int count = 0;
  for (const MigrationInfo& migration : migrations_) {
    if (applied.count(migration.version) != 0) continue;
    const bool done_here = WithWriteTransaction(database_, [&](soci::session& session) {
      LockMigrations(session, dialect);
      int present = 0;
      session << kCountVersion, soci::into(present), soci::use(migration.version);
      if (present != 0) return false;
      RunScript(session, dialect, migration);
      const std::string applied_at = FormatTimestamp(std::chrono::system_clock::now());
      session << kInsertVersion, soci::use(migration.version), soci::use(migration.name),
          soci::use(applied_at);
      return true;
    });
    if (done_here) ++count;
  }
  return count;
}

}  // namespace tabel::db
