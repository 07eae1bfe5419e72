// db::Database, leases, transactions and error classification, on the
// backend TABEL_TEST_BACKEND selects.

#include "infra/db/database.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "infra/db/errors.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"
#include "support/errors.hpp"
#include "support/test_database.hpp"

namespace tabel::db {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TestDatabase;

using testing::CatchError;

int CountRows(Database& database, const std::string& table) {
  return WithSession(database, [&](soci::session& session) {
    int count = -1;
    session << "SELECT COUNT(*) FROM " + table, soci::into(count);
    return count;
  });
}

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = test_database_.MakeMigrated(4);
    WithSession(*database_, [](soci::session& session) {
      session << "CREATE TABLE counters (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)";
      session << "INSERT INTO counters (id, value) VALUES (1, 0)";
      session << "CREATE TABLE parents (id INTEGER PRIMARY KEY)";
      session << "CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES "
                 "parents (id))";
    });
  }

  void InsertOutbox(soci::session& session, const std::string& id) {
    const std::string now = FormatTimestamp(std::chrono::system_clock::now());
    session << "INSERT INTO outbox (id, topic, payload, available_at, created_at) "
               "VALUES (:id, 'test.topic', '{}', :available_at, :created_at)",
        soci::use(id), soci::use(now), soci::use(now);
  }

  TestDatabase test_database_;
  std::unique_ptr<Database> database_;
};

TEST(DatabaseUrl, RejectsBadUrlsWithInvalidArgument) {
  for (const char* url : {"", "mysql://localhost/db", "sqlite:", "sqlite://", "sqlite:///", "sqlite://dir/",
                          "sqlite://:memory:", "sqlite:///tmp/a=b.db", "postgresql://host/db name",
                          "postgresql://host/db?bogus_parameter=1"}) {
    EXPECT_THROW(ParseDatabaseUrl(url), std::invalid_argument) << url;
    DatabaseOptions options;
    options.url = url;
    EXPECT_THROW(Database{options}, std::invalid_argument) << url;
  }
}

TEST(DatabaseUrl, MessageNeverQuotesThePassword) {
  try {
    ParseDatabaseUrl("postgresql://user:s3cret@host/db with space");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), Not(HasSubstr("s3cret")));
  }
}

TEST(DatabaseUrl, ParsesBothDialects) {
  EXPECT_EQ(ParseDatabaseUrl("sqlite:///var/lib/tabel/t.db").connect_string, "/var/lib/tabel/t.db");
  EXPECT_EQ(ParseDatabaseUrl("sqlite://data/t.db").connect_string, "data/t.db");
  EXPECT_EQ(ParseDatabaseUrl("sqlite://data/t.db").dialect, Dialect::kSqlite);

  const DatabaseTarget pg = ParseDatabaseUrl("postgresql://u@h:5432/db", std::chrono::seconds{7});
  EXPECT_EQ(pg.dialect, Dialect::kPostgresql);
  EXPECT_EQ(pg.connect_string, "postgresql://u@h:5432/db?connect_timeout=7&tcp_user_timeout=30000");
  EXPECT_EQ(ParseDatabaseUrl("postgres://h/db?connect_timeout=1&tcp_user_timeout=5").connect_string,
            "postgres://h/db?connect_timeout=1&tcp_user_timeout=5");
  EXPECT_EQ(ParseDatabaseUrl("postgresql://h/db?sslmode=disable").connect_string,
            "postgresql://h/db?sslmode=disable&connect_timeout=3&tcp_user_timeout=30000");
}

TEST(DatabaseOptionsTest, RejectsAnEmptyPool) {
  DatabaseOptions options;
  options.url = "sqlite:///tmp/never_created.db";
  options.pool_size = 0;
  EXPECT_THROW(Database{options}, std::invalid_argument);
}

TEST(DatabaseSqliteFile, ConstructorCreatesTheParentFolder) {
  const std::filesystem::path root =
      std::filesystem::temp_directory_path() /
      ("tabel_db_folder_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
       std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  {
    DatabaseOptions options;
    options.url = "sqlite://" + (root / "a" / "b c" / "tabel.db").string();
    Database database(options);
    EXPECT_TRUE(std::filesystem::is_directory(root / "a" / "b c"));
    database.Ping();
    EXPECT_TRUE(std::filesystem::exists(root / "a" / "b c" / "tabel.db"));
  }
  std::filesystem::remove_all(root);
}

// The service must start while PostgreSQL is down and report not-ready.
TEST(DatabaseUnreachable, ConstructsAndReportsUnavailable) {
  DatabaseOptions options;
  options.url = "postgresql://postgres@127.0.0.1:1/postgres";  // nothing listens on port 1
  options.connect_timeout = std::chrono::seconds{1};
  Database database(options);
  Error ping = CatchError([&] { database.Ping(); });
  EXPECT_EQ(ping.kind(), ErrorKind::kUnavailable);
  EXPECT_EQ(ping.detail(), "The database is unavailable.");
  EXPECT_THAT(ping.internal(), HasSubstr("127.0.0.1"));
  Error write = CatchError([&] { WithWriteTransaction(database, [](soci::session&) {}); });
  EXPECT_EQ(write.kind(), ErrorKind::kUnavailable);
  EXPECT_EQ(database.in_use(), 0u);
}

TEST_F(DatabaseTest, PingSucceedsAndLeasesAreReturned) {
  database_->Ping();
  EXPECT_EQ(database_->pool_size(), 4u);
  {
    Lease first = database_->Acquire();
    Lease second = database_->Acquire();
    EXPECT_EQ(database_->in_use(), 2u);
    Lease moved = std::move(first);
    EXPECT_EQ(database_->in_use(), 2u);
  }
  EXPECT_EQ(database_->in_use(), 0u);
}

TEST_F(DatabaseTest, SessionsAreConfigured) {
  Lease lease = database_->Acquire();
  EXPECT_EQ(lease.dialect(), test_database_.dialect());
  if (lease.dialect() == Dialect::kSqlite) {
    std::string journal_mode;
    int foreign_keys = 0;
    int busy_timeout = 0;
    int synchronous = 0;
    lease.session() << "PRAGMA journal_mode", soci::into(journal_mode);
    lease.session() << "PRAGMA foreign_keys", soci::into(foreign_keys);
    lease.session() << "PRAGMA busy_timeout", soci::into(busy_timeout);
    lease.session() << "PRAGMA synchronous", soci::into(synchronous);
    EXPECT_EQ(journal_mode, "wal");
    EXPECT_EQ(foreign_keys, 1);
    EXPECT_EQ(busy_timeout, 5000);
    EXPECT_EQ(synchronous, 1);  // NORMAL
    long long mmap_size = -1;
    lease.session() << "PRAGMA mmap_size", soci::into(mmap_size);
    EXPECT_EQ(mmap_size, 0);  // WAL readers would unmap the file after every write
  } else {
    std::string time_zone;
    lease.session() << "SHOW TimeZone", soci::into(time_zone);
    EXPECT_EQ(time_zone, "UTC");
  }
}

TEST_F(DatabaseTest, AcquireTimesOutWithUnavailableWhenThePoolIsExhausted) {
  DatabaseOptions options = test_database_.Options(1);
  options.acquire_timeout = milliseconds{150};
  Database database(options);
  Lease held = database.Acquire();
  const auto start = std::chrono::steady_clock::now();
  Error error = CatchError([&] { database.Acquire(); });
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(error.kind(), ErrorKind::kUnavailable);
  EXPECT_EQ(error.detail(), "The database is busy.");
  EXPECT_GE(waited, milliseconds{140});
  EXPECT_LT(waited, milliseconds{5000});
  EXPECT_EQ(database.in_use(), 1u);
}

TEST_F(DatabaseTest, AWaitingAcquireGetsTheSessionWhenItIsReturned) {
  DatabaseOptions options = test_database_.Options(1);
  options.acquire_timeout = milliseconds{5000};
  Database database(options);
  auto held = std::make_unique<Lease>(database.Acquire());
  std::thread releaser([&] {
    std::this_thread::sleep_for(milliseconds{100});
    held.reset();
  });
  int one = 0;
  std::exception_ptr failure;  // the releaser is joined whatever happens
  try {
    Lease lease = database.Acquire();
    lease.session() << "SELECT 1", soci::into(one);
  } catch (...) {
    failure = std::current_exception();
  }
  releaser.join();
  if (failure) std::rethrow_exception(failure);
  EXPECT_EQ(one, 1);
}

TEST_F(DatabaseTest, UniqueViolationIsConflict) {
  WithWriteTransaction(*database_, [&](soci::session& session) { InsertOutbox(session, "dup"); });
  Error error = CatchError([&] {
    WithWriteTransaction(*database_, [&](soci::session& session) { InsertOutbox(session, "dup"); });
  });
  EXPECT_EQ(error.kind(), ErrorKind::kConflict);
  EXPECT_EQ(error.detail(), "The change conflicts with existing data.");
  EXPECT_THAT(error.internal(), HasSubstr("outbox"));
  EXPECT_THAT(error.internal(), Not(HasSubstr(":id=")));  // bound values stay out of logs
  EXPECT_EQ(CountRows(*database_, "outbox"), 1);
}

TEST_F(DatabaseTest, ForeignKeyAndCheckViolationsAreConflicts) {
  Error foreign_key = CatchError([&] {
    WithSession(*database_, [](soci::session& session) {
      session << "INSERT INTO children (id, parent_id) VALUES (1, 42)";
    });
  });
  EXPECT_EQ(foreign_key.kind(), ErrorKind::kConflict);

  const std::string now = FormatTimestamp(std::chrono::system_clock::now());
  Error check = CatchError([&] {
    WithSession(*database_, [&](soci::session& session) {
      session << "INSERT INTO task_queue (id, message_id, queue, topic, payload, status, max_attempts, "
                 "available_at, created_at, updated_at) "
                 "VALUES ('t1', 'm1', 'q', 'topic', '{}', 'bogus', 3, :a, :c, :u)",
          soci::use(now), soci::use(now), soci::use(now);
    });
  });
  EXPECT_EQ(check.kind(), ErrorKind::kConflict);
}

TEST_F(DatabaseTest, NotNullViolationAndBadSqlAreInternal) {
  Error not_null = CatchError([&] {
    WithSession(*database_, [](soci::session& session) {
      session << "INSERT INTO outbox (id, topic, payload, available_at, created_at) "
                 "VALUES ('x', NULL, '{}', 'a', 'b')";
    });
  });
  EXPECT_EQ(not_null.kind(), ErrorKind::kInternal);
  Error syntax =
      CatchError([&] { WithSession(*database_, [](soci::session& session) { session << "SELEKT 1"; }); });
  EXPECT_EQ(syntax.kind(), ErrorKind::kInternal);
  EXPECT_EQ(syntax.detail(), "An internal error occurred.");
  EXPECT_THAT(syntax.internal(), HasSubstr("SELEKT"));
  // The session that failed is still good.
  database_->Ping();
}

TEST_F(DatabaseTest, ExceptionInsideTransactionRollsBackEverything) {
  EXPECT_THROW(WithWriteTransaction(*database_,
                                    [&](soci::session& session) {
                                      InsertOutbox(session, "a");
                                      session << "UPDATE counters SET value = 99 WHERE id = 1";
                                      throw std::runtime_error("business rule failed");
                                    }),
               std::runtime_error);
  Error thrown = CatchError([&] {
    WithWriteTransaction(*database_, [&](soci::session& session) {
      InsertOutbox(session, "b");
      throw Error::Unprocessable("rule", "A business rule is broken.");
    });
  });
  EXPECT_EQ(thrown.kind(), ErrorKind::kUnprocessable);  // passes through unchanged
  EXPECT_EQ(CountRows(*database_, "outbox"), 0);
  int value = -1;
  WithSession(*database_, [&](soci::session& session) {
    session << "SELECT value FROM counters WHERE id = 1", soci::into(value);
  });
  EXPECT_EQ(value, 0);
  EXPECT_EQ(database_->in_use(), 0u);
}

TEST_F(DatabaseTest, UncommittedWriteTransactionRollsBackOnDestruction) {
  {
    Lease lease = database_->Acquire();
    WriteTransaction transaction(lease);
    InsertOutbox(transaction.session(), "never");
  }
  {
    Lease lease = database_->Acquire();
    WriteTransaction transaction(lease);
    InsertOutbox(transaction.session(), "kept");
    transaction.Commit();
  }
  EXPECT_EQ(CountRows(*database_, "outbox"), 1);
}

// A lease returned in the middle of a hand-written transaction must not hand
// that transaction to the next user.
TEST_F(DatabaseTest, ReturnedLeaseIsRolledBack) {
  {
    Lease lease = database_->Acquire();
    lease.session() << "BEGIN";
    InsertOutbox(lease.session(), "dangling");
  }
  EXPECT_EQ(CountRows(*database_, "outbox"), 0);
  WithWriteTransaction(*database_, [&](soci::session& session) { InsertOutbox(session, "next"); });
  EXPECT_EQ(CountRows(*database_, "outbox"), 1);
}

// Read-modify-write increments from many threads must not lose updates:
// BEGIN IMMEDIATE on SQLite, SELECT … FOR UPDATE on PostgreSQL.
TEST_F(DatabaseTest, ConcurrentReadModifyWriteIncrementsAreExact) {
  constexpr int kThreads = 6;
  constexpr int kIncrements = 20;
  const std::string select =
      "SELECT value FROM counters WHERE id = 1" + std::string(ForUpdate(database_->dialect()));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        try {
          WithWriteTransaction(*database_, [&](soci::session& session) {
            int value = 0;
            session << select, soci::into(value);
            std::this_thread::yield();
            const int next = value + 1;
            session << "UPDATE counters SET value = :value WHERE id = 1", soci::use(next);
          });
        } catch (const std::exception& error) {
          ++failures;
          ADD_FAILURE() << error.what();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  int value = -1;
  WithSession(*database_, [&](soci::session& session) {
    session << "SELECT value FROM counters WHERE id = 1", soci::into(value);
  });
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(value, kThreads * kIncrements);
  EXPECT_EQ(database_->in_use(), 0u);
}

TEST_F(DatabaseTest, WithWriteTransactionReturnsTheResult) {
  const int value = WithWriteTransaction(*database_, [](soci::session& session) {
    session << "UPDATE counters SET value = 41 WHERE id = 1";
    int read = 0;
    session << "SELECT value + 1 FROM counters WHERE id = 1", soci::into(read);
    return read;
  });
  EXPECT_EQ(value, 42);
}

TEST_F(DatabaseTest, TimestampsRoundTripAsUtc) {
  const auto time = std::chrono::sys_days{std::chrono::year{2024} / 2 / 29} + std::chrono::hours{23} +
                    std::chrono::minutes{59} + std::chrono::seconds{58} + std::chrono::microseconds{123456};
  const std::string text = FormatTimestamp(time);
  EXPECT_EQ(text, "2024-02-29T23:59:58.123456Z");
  WithWriteTransaction(*database_, [&](soci::session& session) {
    session << "INSERT INTO outbox (id, topic, payload, available_at, created_at) "
               "VALUES ('t', 'topic', '{}', :available_at, :created_at)",
        soci::use(text), soci::use(text);
  });
  std::string stored;
  WithSession(*database_, [&](soci::session& session) {
    session << "SELECT available_at FROM outbox WHERE id = 't'", soci::into(stored);
  });
  const auto parsed = ParseTimestamp(stored);
  ASSERT_TRUE(parsed.has_value()) << stored;
  EXPECT_EQ(*parsed, time) << stored;
}

// A cached statement of the counters table, counting the times it was made.
std::atomic<int> counter_reads_made{0};
struct CounterRead : CachedStatement {
  explicit CounterRead(soci::session& session) : statement(session) {
    ++counter_reads_made;
    statement.exchange(soci::into(value));
    statement.exchange(soci::use(id, "id"));
    statement.alloc();
    statement.prepare("SELECT value FROM counters WHERE id >= :id ORDER BY id",
                      soci::details::st_repeatable_query);
    statement.define_and_bind();
  }
  long long id = 0;
  int value = -1;
  soci::statement statement;
};

CounterRead& CachedCounterRead(Lease& lease) {
  return lease.Cached<CounterRead>(
      "counter read", [](soci::session& session) { return std::make_unique<CounterRead>(session); });
}

TEST_F(DatabaseTest, CachedStatementsLiveWithTheirSessionAndRunAgainWithNewValues) {
  DatabaseOptions options = test_database_.Options(1);
  Database database(options);
  counter_reads_made = 0;
  WithSession(database, [](soci::session& session) { session << "UPDATE counters SET value = 5"; });
  for (int i = 0; i < 3; ++i) {
    Lease lease = database.Acquire();
    CounterRead& read = CachedCounterRead(lease);
    read.id = 1;
    ASSERT_TRUE(read.statement.execute(true));
    EXPECT_EQ(read.value, 5);
    read.id = 2;
    EXPECT_FALSE(read.statement.execute(true));
    EndUse(read.statement, lease.dialect());
  }
  EXPECT_EQ(counter_reads_made, 1);  // made once, then reused
  {
    Lease lease = database.Acquire();
    CachedCounterRead(lease);
    lease.DropCached("counter read");
  }
  {
    Lease lease = database.Acquire();
    CachedCounterRead(lease);
    lease.MarkBroken();  // reopened with its session: the statement goes with it
  }
  {
    Lease lease = database.Acquire();
    CounterRead& read = CachedCounterRead(lease);
    read.id = 1;
    ASSERT_TRUE(read.statement.execute(true));
    EXPECT_EQ(read.value, 5);
    EndUse(read.statement, lease.dialect());
  }
  EXPECT_EQ(counter_reads_made, 3);
}

// A SQLite statement stopped after its first row keeps its read snapshot
// until it is reset, and a snapshot held between requests would keep the
// WAL from ever being checkpointed.
TEST_F(DatabaseTest, EndUseReleasesTheReadSnapshotOfACachedStatement) {
  if (test_database_.dialect() != Dialect::kSqlite) GTEST_SKIP() << "SQLite only";
  WithSession(*database_,
              [](soci::session& session) { session << "INSERT INTO counters (id, value) VALUES (2, 0)"; });
  Lease reader = database_->Acquire();
  CounterRead& read = CachedCounterRead(reader);
  read.id = 1;
  ASSERT_TRUE(read.statement.execute(true));  // a second row is left unread
  // Whether a passive checkpoint after a new write leaves frames behind.
  const auto checkpoint_blocked = [&] {
    return WithSession(*database_, [](soci::session& session) {
      session << "UPDATE counters SET value = value + 1 WHERE id = 1";
      int busy = -1, log = -1, checkpointed = -1;
      session << "PRAGMA wal_checkpoint(PASSIVE)", soci::into(busy), soci::into(log),
          soci::into(checkpointed);
      return checkpointed < log;
    });
  };
  EXPECT_TRUE(checkpoint_blocked());
  EndUse(read.statement, reader.dialect());
  EXPECT_FALSE(checkpoint_blocked());
}

// Opens every session of `database`; on SQLite (no server to lose) they are
// then declared broken, which is what a lost connection leads to.
void OpenEverySession(Database& database) {
  std::vector<Lease> leases;
  for (size_t i = 0; i < database.pool_size(); ++i) leases.push_back(database.Acquire());
  for (Lease& lease : leases) {
    if (lease.dialect() == Dialect::kSqlite) lease.MarkBroken();
  }
}

// Connection loss: on PostgreSQL every server connection of the test
// database is killed (as in a server restart) and the pools must recover by
// themselves. On SQLite the sessions are declared broken and must come back
// reopened and configured.
TEST_F(DatabaseTest, RecoversAfterLosingItsConnections) {
  DatabaseOptions options = test_database_.Options(3);
  options.validate_after_idle = milliseconds{0};
  Database validating(options);
  OpenEverySession(*database_);
  OpenEverySession(validating);

  const int terminated = test_database_.TerminateConnections();
  if (test_database_.dialect() == Dialect::kPostgresql) {
    EXPECT_EQ(terminated, static_cast<int>(database_->pool_size() + validating.pool_size()));
  } else {
    EXPECT_EQ(terminated, 0);
  }

  // A write transaction whose BEGIN finds the connection gone is rerun on a
  // reopened session: the caller sees no error.
  WithWriteTransaction(*database_, [&](soci::session& session) { InsertOutbox(session, "after"); });
  EXPECT_EQ(CountRows(*database_, "outbox"), 1);
  // Ping reconnects by itself; at most one Unavailable is allowed.
  try {
    database_->Ping();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kUnavailable);
    database_->Ping();
  }
  // Sessions checked before use (validate_after_idle = 0) never fail.
  std::vector<Lease> leases;
  for (size_t i = 0; i < validating.pool_size(); ++i) leases.push_back(validating.Acquire());
  for (Lease& lease : leases) {
    int one = 0;
    lease.session() << "SELECT 1", soci::into(one);
    EXPECT_EQ(one, 1);
    if (lease.dialect() == Dialect::kSqlite) {
      int foreign_keys = 0;
      lease.session() << "PRAGMA foreign_keys", soci::into(foreign_keys);
      EXPECT_EQ(foreign_keys, 1);  // reopened sessions are configured again
    } else {
      std::string time_zone;
      lease.session() << "SHOW TimeZone", soci::into(time_zone);
      EXPECT_EQ(time_zone, "UTC");
    }
  }
  leases.clear();
  EXPECT_EQ(database_->in_use(), 0u);
  EXPECT_EQ(validating.in_use(), 0u);
}

// A connection lost while leased (not idle) fails the statement once with
// Unavailable; the pool then reopens that session.
TEST_F(DatabaseTest, ConnectionLostDuringUseIsUnavailableThenRecovers) {
  {
    Lease lease = database_->Acquire();
    test_database_.TerminateConnections();
    if (lease.dialect() == Dialect::kPostgresql) {
      try {
        int one = 0;
        lease.session() << "SELECT 1", soci::into(one);
        ADD_FAILURE() << "the statement succeeded on a terminated connection";
      } catch (const soci::soci_error& error) {
        EXPECT_TRUE(IsConnectionError(error)) << error.what();
        EXPECT_EQ(Classify(error).kind(), ErrorKind::kUnavailable);
      }
    } else {
      lease.MarkBroken();
    }
  }
  const int value = WithSession(*database_, [](soci::session& session) {
    int value = -1;
    session << "SELECT value FROM counters WHERE id = 1", soci::into(value);
    return value;
  });
  EXPECT_EQ(value, 0);
}

}  // namespace
}  // namespace tabel::db
