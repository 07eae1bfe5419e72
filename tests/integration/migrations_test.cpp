// db::Migrator on the backend TABEL_TEST_BACKEND selects.

#include "infra/db/migrations.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"
#include "support/test_database.hpp"

namespace tabel::db {
namespace {

using ::testing::HasSubstr;
using testing::TestDatabase;

std::vector<int> AppliedVersions(Database& database) {
  return WithSession(database, [](soci::session& session) {
    std::vector<int> versions;
    int version = 0;
    soci::statement statement =
        (session.prepare << "SELECT version FROM schema_migrations ORDER BY version", soci::into(version));
    statement.execute();
    while (statement.fetch()) versions.push_back(version);
    return versions;
  });
}

std::vector<int> EmbeddedVersions(Dialect dialect) {
  std::vector<int> versions;
  for (const MigrationInfo& migration : EmbeddedMigrations(dialect)) versions.push_back(migration.version);
  return versions;
}

bool TableExists(Database& database, const std::string& table) {
  try {
    WithSession(database, [&](soci::session& session) {
      int count = 0;
      session << "SELECT COUNT(*) FROM " + table, soci::into(count);
    });
    return true;
  } catch (const Error&) {
    return false;
  }
}

TEST(Migrator, AppliesEveryEmbeddedMigrationOnce) {
  TestDatabase test_database;
  auto database = test_database.MakeDatabase();
  Migrator migrator(*database);
  const std::vector<int> embedded = EmbeddedVersions(database->dialect());
  EXPECT_EQ(migrator.Pending().size(), embedded.size());

  EXPECT_EQ(migrator.Apply(), static_cast<int>(embedded.size()));
  EXPECT_EQ(AppliedVersions(*database), embedded);
  EXPECT_TRUE(migrator.Pending().empty());

  EXPECT_EQ(migrator.Apply(), 0);
  EXPECT_EQ(Migrator(*database).Apply(), 0);
  EXPECT_EQ(AppliedVersions(*database), embedded);
}

TEST(Migrator, RecordsNameAndUtcTime) {
  TestDatabase test_database;
  auto database = test_database.MakeMigrated();
  std::string name;
  std::string applied_at;
  WithSession(*database, [&](soci::session& session) {
    session << "SELECT name, applied_at FROM schema_migrations WHERE version = 1", soci::into(name),
        soci::into(applied_at);
  });
  EXPECT_EQ(name, "platform");
  const auto when = ParseTimestamp(applied_at);
  ASSERT_TRUE(when.has_value()) << applied_at;
  EXPECT_LT(std::chrono::abs(std::chrono::system_clock::now() - *when), std::chrono::minutes{5});
}

TEST(Migrator, CreatesThePlatformTables) {
  TestDatabase test_database;
  auto database = test_database.MakeMigrated();
  for (const char* table : {"outbox", "task_queue", "processed_messages", "schema_migrations"}) {
    EXPECT_TRUE(TableExists(*database, table)) << table;
  }
  const std::string now = FormatTimestamp(std::chrono::system_clock::now());
  auto enqueue = [&](const std::string& id, const std::string& message_id) {
    WithWriteTransaction(*database, [&](soci::session& session) {
      session << "INSERT INTO task_queue (id, message_id, queue, topic, payload, status, max_attempts, "
                 "available_at, created_at, updated_at) "
                 "VALUES (:id, :message_id, 'mail', 'user.invited', '{}', 'queued', 5, :a, :c, :u)",
          soci::use(id), soci::use(message_id), soci::use(now), soci::use(now), soci::use(now);
    });
  };
  enqueue("t1", "m1");
  EXPECT_THROW(enqueue("t2", "m1"), Error);  // UNIQUE (queue, message_id)
  int attempts = -1;
  std::string headers;
  WithWriteTransaction(*database, [&](soci::session& session) {
    session << "INSERT INTO outbox (id, topic, payload, available_at, created_at) "
               "VALUES ('o1', 'topic', '{\"a\":1}', :a, :c)",
        soci::use(now), soci::use(now);
    session
        << "INSERT INTO processed_messages (consumer, message_id, processed_at) VALUES ('mailer', 'm1', :p)",
        soci::use(now);
    session << "SELECT attempts FROM task_queue WHERE id = 't1'", soci::into(attempts);
    session << "SELECT headers FROM outbox WHERE id = 'o1'", soci::into(headers);
  });
  EXPECT_EQ(attempts, 0);
  EXPECT_EQ(headers, "{}");
}

TEST(Migrator, ConcurrentMigratorsApplyEachVersionOnce) {
  for (int round = 0; round < 3; ++round) {
    TestDatabase test_database;
    auto first = test_database.MakeDatabase(2);
    auto second = test_database.MakeDatabase(2);
    int applied_first = -1;
    int applied_second = -1;
    std::exception_ptr failure;
    std::thread other([&] {
      try {
        applied_second = Migrator(*second).Apply();
      } catch (...) {
        failure = std::current_exception();
      }
    });
    // The other thread is joined whatever happens here: a thread left
    // joinable would abort the whole test binary instead of failing this test.
    std::exception_ptr failure_first;
    try {
      applied_first = Migrator(*first).Apply();
    } catch (...) {
      failure_first = std::current_exception();
    }
    other.join();
    if (failure_first) std::rethrow_exception(failure_first);
    if (failure) std::rethrow_exception(failure);
    const std::vector<int> embedded = EmbeddedVersions(first->dialect());
    EXPECT_EQ(applied_first + applied_second, static_cast<int>(embedded.size())) << "round " << round;
    EXPECT_EQ(AppliedVersions(*first), embedded) << "round " << round;
  }
}

TEST(Migrator, FailingMigrationRollsBackAndNamesTheFileAndStatement) {
  TestDatabase test_database;
  auto database = test_database.MakeDatabase();
  const std::string good = "CREATE TABLE first_table (id INTEGER PRIMARY KEY);";
  const std::string bad =
      "CREATE TABLE second_table (id INTEGER PRIMARY KEY);\n"
      "INSERT INTO second_table (id) VALUES (1);\n"
      "INSERT INTO no_such_table (id) VALUES (1);\n";
  std::vector<MigrationInfo> migrations = {{1, "first", "db/migrations/test/001_first.sql", good},
                                           {2, "second", "db/migrations/test/002_second.sql", bad}};
  Migrator migrator(*database, migrations);
  try {
    migrator.Apply();
    FAIL() << "the failing migration did not throw";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kInternal);
    EXPECT_THAT(error.internal(), HasSubstr("002_second.sql"));
    EXPECT_THAT(error.internal(), HasSubstr("statement 3 of 3"));
    EXPECT_THAT(error.internal(), HasSubstr("INSERT INTO no_such_table"));
  }
  EXPECT_EQ(AppliedVersions(*database), std::vector<int>{1});
  EXPECT_TRUE(TableExists(*database, "first_table"));
  EXPECT_FALSE(TableExists(*database, "second_table"));  // DDL rolled back too
  ASSERT_EQ(migrator.Pending().size(), 1u);
  EXPECT_EQ(migrator.Pending()[0].version, 2);
  EXPECT_EQ(database->in_use(), 0u);
}

TEST(Migrator, RejectsScriptsThatControlTheTransaction) {
  TestDatabase test_database;
  auto database = test_database.MakeDatabase();
  const std::string script = "CREATE TABLE t (id INTEGER);\nCOMMIT;\nCREATE TABLE u (id INTEGER);";
  Migrator migrator(*database, {{1, "commits", "db/migrations/test/001_commits.sql", script}});
  try {
    migrator.Apply();
    FAIL() << "no exception";
  } catch (const Error& error) {
    EXPECT_THAT(error.internal(), HasSubstr("001_commits.sql"));
  }
  EXPECT_FALSE(TableExists(*database, "t"));
  EXPECT_EQ(migrator.Pending().size(), 1u);
}

TEST(Migrator, RunsScriptsWithFunctionBodiesAndColons) {
  TestDatabase test_database;
  auto database = test_database.MakeDatabase();
  // ':name' inside strings and bodies must reach the database verbatim.
  const std::string sqlite =
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, edits INTEGER NOT NULL DEFAULT 0);\n"
      "CREATE TRIGGER notes_edit AFTER UPDATE OF body ON notes BEGIN\n"
      "  UPDATE notes SET edits = edits + 1 WHERE id = NEW.id;\n"
      "END;\n"
      "INSERT INTO notes (id, body) VALUES (1, 'time: 10:30; :literal');\n";
  const std::string postgresql =
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, edits INTEGER NOT NULL DEFAULT 0);\n"
      "CREATE FUNCTION notes_edit() RETURNS trigger LANGUAGE plpgsql AS $$\n"
      "BEGIN\n"
      "  NEW.edits := OLD.edits + 1; -- a comment; with :colon\n"
      "  RETURN NEW;\n"
      "END;\n"
      "$$;\n"
      "CREATE TRIGGER notes_edit BEFORE UPDATE OF body ON notes FOR EACH ROW EXECUTE FUNCTION notes_edit();\n"
      "INSERT INTO notes (id, body) VALUES (1, 'time: 10:30; :literal');\n";
  const std::string& script = database->dialect() == Dialect::kSqlite ? sqlite : postgresql;
  Migrator migrator(*database, {{1, "notes", "db/migrations/test/001_notes.sql", script}});
  EXPECT_EQ(migrator.Apply(), 1);
  std::string body;
  int edits = -1;
  WithWriteTransaction(*database, [&](soci::session& session) {
    session << "UPDATE notes SET body = body WHERE id = 1";
    session << "SELECT body, edits FROM notes WHERE id = 1", soci::into(body), soci::into(edits);
  });
  EXPECT_EQ(body, "time: 10:30; :literal");
  EXPECT_EQ(edits, 1);
}

}  // namespace
}  // namespace tabel::db
