#pragma once
// Splits a SQL script (a migration file) into statements that can be run
// one by one, since neither SQLite's nor libpq's prepared-statement API
// accepts several statements at once.
//
// A statement ends at a ';' outside string literals ('…', with '' escapes;
// PostgreSQL E'…' also with backslash escapes), quoted identifiers ("…";
// SQLite also `…` and […]), comments (-- to the end of the line, /* … */,
// nested on PostgreSQL) and PostgreSQL dollar quotes ($$…$$, $tag$…$tag$).
// On SQLite a ';' inside a CREATE TRIGGER … BEGIN … END body does not end
// the statement (BEGIN/CASE … END blocks are counted). Not supported: PostgreSQL
// BEGIN ATOMIC function bodies (write them with $$ … $$) and psql
// meta-commands.
// Thread-safety: a pure function.

#include <string>
#include <string_view>
#include <vector>

#include "infra/db/dialect.hpp"

namespace tabel::db {

// The statements of `script` in order, without their terminating ';',
// without leading whitespace and comments, and without empty statements.
// Throws std::invalid_argument naming the line where an unterminated string,
// quoted identifier, comment or dollar quote starts.
std::vector<std::string> SplitSqlScript(std::string_view script, Dialect dialect);

}  // namespace tabel::db
