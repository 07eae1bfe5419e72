#pragma once
// The SQL dialects Tabel runs on. Repositories keep one SQL text for both
// where they can and branch on Dialect only where the databases differ.

#include <string_view>

namespace tabel::db {

enum class Dialect { kSqlite, kPostgresql };

// "sqlite" or "postgresql": the name of the migration folder and of the
// TABEL_TEST_BACKEND value.
constexpr std::string_view DialectName(Dialect dialect) {
  return dialect == Dialect::kSqlite ? "sqlite" : "postgresql";
}

// The row-lock suffix of a SELECT that is followed by an UPDATE of the same
// rows: " FOR UPDATE" on PostgreSQL; empty on SQLite, where the write
// transaction (BEGIN IMMEDIATE) already excludes every other writer.
constexpr std::string_view ForUpdate(Dialect dialect) {
  return dialect == Dialect::kPostgresql ? " FOR UPDATE" : "";
}

}  // namespace tabel::db
