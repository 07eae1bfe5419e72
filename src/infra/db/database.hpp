#pragma once
// The database: a fixed pool of SOCI sessions to one SQLite file or one
// PostgreSQL database, handed out as RAII leases.
//
// Availability contract: constructing a Database never connects, so the
// service starts (and reports not-ready) while PostgreSQL is down. Sessions
// are opened on first lease and reopened on a later lease after they broke
// (a connection error, PostgreSQL restarted, a failed rollback), so the
// service recovers by itself when the database comes back.
//
// Errors: Acquire() and Ping() throw tabel::Error (kUnavailable). Statements
// run on a leased session throw soci::soci_error; translate them with
// db::Classify (errors.hpp) or use the helpers in transaction.hpp, which do.

#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "infra/db/dialect.hpp"

namespace tabel::db {

struct DatabaseOptions {
  // sqlite:///abs/path.db, sqlite://relative/path.db (relative to the working
  // directory), postgresql://… or postgres://… (a libpq connection URI).
  std::string url;
  // Number of sessions; also the number of statements that can run at once.
  size_t pool_size = 8;
  // How long Acquire() waits for a free session before giving up.
  std::chrono::milliseconds acquire_timeout{2000};
  // SQLite: how long a statement waits for another connection's write lock.
  std::chrono::milliseconds busy_timeout{5000};
  // PostgreSQL: libpq connect_timeout, added to the URL unless it sets one.
  std::chrono::seconds connect_timeout{3};
  // PostgreSQL: a session idle for longer than this is checked with an empty
  // query before it is handed out, so that after a server restart requests
  // do not fail one by one on every pooled session.
  std::chrono::milliseconds validate_after_idle{2000};
};

// A validated database URL, ready to open.
struct DatabaseTarget {
  Dialect dialect = Dialect::kSqlite;
  // SQLite: the database file path. PostgreSQL: the libpq URI, with
  // connect_timeout and tcp_user_timeout (so a silent network cannot hang a
  // statement forever) added unless the URL sets them.
  std::string connect_string;
};

// Validates `url`. Throws std::invalid_argument with a message naming the
// problem (configuration validation turns it into exit code 2).
DatabaseTarget ParseDatabaseUrl(std::string_view url,
                                std::chrono::seconds connect_timeout = std::chrono::seconds{3});

class Database;

// A statement prepared on one session and kept with it for reuse (see
// Lease::Cached): SQLite compiles it once, PostgreSQL prepares it once on
// the server and then only binds and executes it. Derive from it to hold
// the soci::statement with the variables it binds. It is destroyed before
// its session closes (and with it when the session is reopened).
class CachedStatement {
 public:
  virtual ~CachedStatement() = default;
};

// Ends one use of a cached statement: on SQLite resets it, so that it holds
// no read snapshot (which would keep the WAL from being checkpointed)
// between uses. Call it after the last fetch, also after an error.
void EndUse(soci::statement& statement, Dialect dialect) noexcept;

// Exclusive use of one pooled session, returned to the pool on destruction.
// Thread-safety: a Lease belongs to one thread (one operation) at a time;
// it may be moved to another thread between statements.
// Pool hygiene on return: a transaction left open is rolled back, and a
// session whose connection is gone is reopened before its next use.
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  // Not to be called on a moved-from Lease.
  soci::session& session();
  Dialect dialect() const;

  // Declares the connection unusable: it is closed on return and reopened by
  // the next lease. For callers that saw a connection error.
  void MarkBroken() noexcept;

  // The statement cached on this session under `key` (its SQL text), made
  // by make(session) — a std::unique_ptr<T>, T derived from CachedStatement
  // — on first use. Throws what `make` throws; nothing is cached then.
  template <class T, class Make>
  T& Cached(const std::string& key, Make&& make) {
    if (auto* found = dynamic_cast<T*>(FindCached(key))) return *found;
    std::unique_ptr<T> made = make(session());
    T& statement = *made;
    StoreCached(key, std::move(made));
    return statement;
  }
  // Forgets the statement under `key`: after it failed, its state is unknown.
  void DropCached(const std::string& key) noexcept;

 private:
  friend class Database;
  Lease(Database* database, size_t position) : database_(database), position_(position) {}
  CachedStatement* FindCached(const std::string& key);
  void StoreCached(const std::string& key, std::unique_ptr<CachedStatement> statement);

  Database* database_;  // null once moved from
  size_t position_;
  bool broken_ = false;
};

// Thread-safety: shared by all threads; every method is safe to call
// concurrently. Must outlive its leases.
class Database {
 public:
  // Throws std::invalid_argument for a bad URL or option, and
  // std::filesystem::filesystem_error when the SQLite file's parent folder
  // cannot be created. Does not connect.
  explicit Database(DatabaseOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // A session, connected. Waits at most acquire_timeout for a free one, then
  // throws Error::Unavailable("The database is busy."); throws
  // Error::Unavailable("The database is unavailable.") when it cannot
  // connect (the cause is in Error::internal()).
  Lease Acquire();
  Lease Acquire(std::chrono::milliseconds timeout);

  // Runs SELECT 1, reconnecting once if the connection was lost. Waits at
  // most min(acquire_timeout, 1 s) for a session. Throws Error::Unavailable.
  void Ping();

  Dialect dialect() const { return target_.dialect; }
  const DatabaseOptions& options() const { return options_; }

  // Metrics: the pool size and the number of sessions leased right now.
  size_t pool_size() const { return options_.pool_size; }
  size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }

 private:
  friend class Lease;

  // Per-session state, touched only by the current lease holder; the pool's
  // mutex orders one holder after the previous one.
  struct Slot {
    bool reopen = false;
    std::chrono::steady_clock::time_point last_used{};
    // At most kMaxCachedStatements; emptied before the session closes.
    std::unordered_map<std::string, std::unique_ptr<CachedStatement>> statements;
  };

  void Connect(size_t position);
  // Drops the session's cached statements, then closes it.
  void Close(size_t position) noexcept;
  void Configure(soci::session& session);
  void Release(size_t position, bool broken) noexcept;

  DatabaseOptions options_;
  DatabaseTarget target_;
  std::unique_ptr<soci::connection_pool> pool_;
  std::vector<Slot> slots_;
  std::atomic<size_t> in_use_{0};
};

}  // namespace tabel::db
