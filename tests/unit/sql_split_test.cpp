#include "infra/db/sql_split.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "common/error.hpp"
#include "infra/db/migrations.hpp"

namespace tabel::db {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Sqlite(std::string_view script) { return SplitSqlScript(script, Dialect::kSqlite); }
std::vector<std::string> Postgres(std::string_view script) {
  return SplitSqlScript(script, Dialect::kPostgresql);
}

TEST(SqlSplit, SplitsAtSemicolonsAndTrims) {
  EXPECT_THAT(Sqlite("CREATE TABLE a (x INT);\n\n  INSERT INTO a VALUES (1) ;\n"),
              ElementsAre("CREATE TABLE a (x INT)", "INSERT INTO a VALUES (1)"));
}

TEST(SqlSplit, KeepsALastStatementWithoutSemicolon) {
  EXPECT_THAT(Postgres("SELECT 1; SELECT 2"), ElementsAre("SELECT 1", "SELECT 2"));
}

TEST(SqlSplit, DropsEmptyStatementsAndCommentOnlyTails) {
  EXPECT_THAT(Sqlite(";;  ; -- nothing\n/* still nothing */"), IsEmpty());
  EXPECT_THAT(Sqlite(""), IsEmpty());
  EXPECT_THAT(Postgres("SELECT 1;\n-- trailing comment; with a semicolon\n"), ElementsAre("SELECT 1"));
}

TEST(SqlSplit, StripsLeadingCommentsButKeepsInnerOnes) {
  EXPECT_THAT(Sqlite("-- header; comment\n/* block; */ SELECT 1 /* inner; */ + 1;"),
              ElementsAre("SELECT 1 /* inner; */ + 1"));
}

TEST(SqlSplit, IgnoresSemicolonsInStringsWithDoubledQuotes) {
  EXPECT_THAT(Sqlite("INSERT INTO t VALUES ('a;b', 'it''s; fine'); SELECT 2;"),
              ElementsAre("INSERT INTO t VALUES ('a;b', 'it''s; fine')", "SELECT 2"));
}

TEST(SqlSplit, IgnoresSemicolonsInQuotedIdentifiers) {
  EXPECT_THAT(Postgres(R"(CREATE TABLE "we;ird""name" (x INT); SELECT 1)"),
              ElementsAre(R"(CREATE TABLE "we;ird""name" (x INT))", "SELECT 1"));
  EXPECT_THAT(Sqlite("SELECT `a;b`, [c;d] FROM t; SELECT 2"),
              ElementsAre("SELECT `a;b`, [c;d] FROM t", "SELECT 2"));
}

TEST(SqlSplit, LineCommentEndsAtNewline) {
  EXPECT_THAT(Sqlite("SELECT 1 -- a comment; not a split\n+ 1; SELECT 2"),
              ElementsAre("SELECT 1 -- a comment; not a split\n+ 1", "SELECT 2"));
}

TEST(SqlSplit, QuotesInsideCommentsDoNotOpenStrings) {
  EXPECT_THAT(Postgres("-- don't\nSELECT 1; /* it's */ SELECT 2;"), ElementsAre("SELECT 1", "SELECT 2"));
}

TEST(SqlSplit, BlockCommentsNestOnPostgresqlOnly) {
  EXPECT_THAT(Postgres("/* outer /* inner; */ still comment; */ SELECT 1;"), ElementsAre("SELECT 1"));
  // SQLite ends the comment at the first */.
  EXPECT_THAT(Sqlite("/* a /* b */ SELECT 1; SELECT 2;"), ElementsAre("SELECT 1", "SELECT 2"));
}

TEST(SqlSplit, DollarQuotedBodiesOnPostgresql) {
  const std::string function =
      "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\n"
      "BEGIN\n  NEW.x := 1; -- ';' and ' are fine here\n  RETURN NEW;\nEND;\n$$";
  const std::string tagged = "DO $body$ BEGIN PERFORM ';'; PERFORM $$nested;$$; END $body$";
  EXPECT_THAT(Postgres(function + ";\n" + tagged + ";\nSELECT 3;"),
              ElementsAre(function, tagged, "SELECT 3"));
}

TEST(SqlSplit, DollarSignsThatAreNotQuotes) {
  // $1 is a parameter and a$b an identifier, not dollar quotes.
  EXPECT_THAT(Postgres("PREPARE p AS SELECT $1; SELECT a$b$ FROM t; SELECT 2"),
              ElementsAre("PREPARE p AS SELECT $1", "SELECT a$b$ FROM t", "SELECT 2"));
}

TEST(SqlSplit, EscapeStringsUseBackslashesOnPostgresql) {
  EXPECT_THAT(Postgres(R"(SELECT E'it\'s; ok', 'plain\'; SELECT 2)"),
              ElementsAre(R"(SELECT E'it\'s; ok', 'plain\')", "SELECT 2"));
}

TEST(SqlSplit, SqliteTriggerBodyIsOneStatement) {
  const std::string trigger =
      "CREATE TRIGGER t_audit AFTER INSERT ON t BEGIN\n"
      "  INSERT INTO audit VALUES (NEW.id);\n"
      "  UPDATE counters SET n = CASE WHEN n > 0 THEN n + 1 ELSE 1 END;\n"
      "END";
  EXPECT_THAT(Sqlite(trigger + ";\nSELECT 1;"), ElementsAre(trigger, "SELECT 1"));
}

TEST(SqlSplit, UnterminatedConstructsAreErrorsNamingTheLine) {
  EXPECT_THROW(Sqlite("SELECT 1;\nSELECT 'open;"), std::invalid_argument);
  EXPECT_THROW(Postgres("SELECT \"open"), std::invalid_argument);
  EXPECT_THROW(Postgres("/* open /* nested */"), std::invalid_argument);
  EXPECT_THROW(Postgres("DO $x$ BEGIN END $y$;"), std::invalid_argument);
  try {
    Sqlite("SELECT 1;\n\nSELECT 'open;");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), ::testing::HasSubstr("line 3"));
  }
}

// The embedded migration folders: well-formed, the same versions and names
// in both dialects, and every script splits into statements.
TEST(MigrationFiles, BothDialectsHaveTheSameVersions) {
  const auto sqlite = EmbeddedMigrations(Dialect::kSqlite);
  const auto postgresql = EmbeddedMigrations(Dialect::kPostgresql);
  ASSERT_FALSE(sqlite.empty());
  EXPECT_EQ(sqlite.front().version, 1);
  EXPECT_EQ(sqlite.front().file, "db/migrations/sqlite/001_platform.sql");
  EXPECT_NO_THROW(ValidateMigrationSets(sqlite, postgresql));
}

TEST(MigrationFiles, EveryScriptSplitsIntoStatements) {
  for (Dialect dialect : {Dialect::kSqlite, Dialect::kPostgresql}) {
    for (const MigrationInfo& migration : EmbeddedMigrations(dialect)) {
      std::vector<std::string> statements;
      ASSERT_NO_THROW(statements = SplitSqlScript(migration.sql, dialect)) << migration.file;
      EXPECT_FALSE(statements.empty()) << migration.file;
    }
  }
}

TEST(MigrationFiles, ValidationNamesTheDifference) {
  const std::vector<MigrationInfo> one = {{1, "platform", "db/migrations/sqlite/001_platform.sql", ""}};
  const std::vector<MigrationInfo> two = {{1, "platform", "db/migrations/postgresql/001_platform.sql", ""},
                                          {2, "users", "db/migrations/postgresql/002_users.sql", ""}};
  const std::vector<MigrationInfo> renamed = {{1, "base", "db/migrations/postgresql/001_base.sql", ""}};
  try {
    ValidateMigrationSets(one, two);
    FAIL() << "no exception";
  } catch (const Error& error) {
    EXPECT_THAT(error.internal(), ::testing::HasSubstr("002_users.sql"));
  }
  EXPECT_THROW(ValidateMigrationSets(one, renamed), Error);
}

}  // namespace
}  // namespace tabel::db
