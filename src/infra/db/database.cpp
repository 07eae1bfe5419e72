#include "infra/db/database.hpp"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include "common/error.hpp"
#include "infra/db/errors.hpp"

namespace tabel::db {
namespace {

using std::chrono::milliseconds;

constexpr std::string_view kSqliteScheme = "sqlite://";
constexpr std::string_view kPostgresqlSchemes[] = {"postgresql://", "postgres://"};

// Ping waits at most this long for a free session.
constexpr milliseconds kPingAcquireTimeout{1000};
// Cached statements per session: a few fixed texts per repository; past
// this many something builds texts from values, and the cache starts over.
constexpr size_t kMaxCachedStatements = 256;

// libpq tcp_user_timeout added to URLs without one: a statement on a
// silently dead network fails after this instead of hanging for minutes.
constexpr int kTcpUserTimeoutMs = 30000;

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

DatabaseTarget ParseSqliteUrl(std::string_view url) {
  std::string path(url.substr(kSqliteScheme.size()));
  const std::string hint = " Expected sqlite:///absolute/path.db or sqlite://relative/path.db.";
  if (path.empty() || path == "/") throw std::invalid_argument("The SQLite URL has no file path." + hint);
  if (path.back() == '/')
    throw std::invalid_argument("The SQLite URL names a folder, not a file: " + path + "." + hint);
  if (path.find(":memory:") != std::string::npos || StartsWith(path, "file:")) {
    throw std::invalid_argument("In-memory and file: URI SQLite databases are not supported; name a file." +
                                hint);
  }
  // SOCI reads a connect string containing '=' as key=value options.
  if (path.find('=') != std::string::npos) {
    throw std::invalid_argument("The SQLite file path must not contain '=': " + path + ".");
  }
  return {Dialect::kSqlite, std::move(path)};
}

DatabaseTarget ParsePostgresqlUrl(std::string_view url, std::chrono::seconds connect_timeout) {
  // The URL may hold a password: it is never quoted in these messages.
  if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return std::isspace(c) != 0; })) {
    throw std::invalid_argument("The PostgreSQL URL contains whitespace; percent-encode it (%20).");
  }
  if (connect_timeout.count() <= 0) {
    throw std::invalid_argument("The PostgreSQL connect timeout must be at least 1 second.");
  }
  std::string uri(url);
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &parse_error);
  if (options == nullptr) {
    std::string message = parse_error != nullptr ? parse_error : "out of memory";
    PQfreemem(parse_error);
    while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) message.pop_back();
    throw std::invalid_argument("The PostgreSQL URL is invalid: " + message);
  }
  bool has_connect_timeout = false;
  bool has_tcp_user_timeout = false;
  for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr || *option->val == '\0') continue;
    const std::string_view keyword = option->keyword;
    has_connect_timeout = has_connect_timeout || keyword == "connect_timeout";
    has_tcp_user_timeout = has_tcp_user_timeout || keyword == "tcp_user_timeout";
  }
  PQconninfoFree(options);
  // Always leaves at least one '=' in the string: SOCI 4.0.3 mangles a
  // connect string without one ("…/db" becomes dbname "db=").
  auto append = [&uri](std::string_view parameter) {
    uri += uri.find('?') == std::string::npos ? '?' : '&';
    uri += parameter;
  };
  if (!has_connect_timeout) append("connect_timeout=" + std::to_string(connect_timeout.count()));
  if (!has_tcp_user_timeout) append("tcp_user_timeout=" + std::to_string(kTcpUserTimeoutMs));
  return {Dialect::kPostgresql, std::move(uri)};
}

int ClampMilliseconds(milliseconds timeout) {
  return static_cast<int>(std::clamp<milliseconds::rep>(timeout.count(), 0, INT_MAX));
}

// Returns the session to a clean state (no open transaction). False when the
// connection is unusable and must be reopened.
bool ResetSession(soci::session& session, Dialect dialect) noexcept {
  try {
    if (dialect == Dialect::kPostgresql) {
      PGconn* conn = static_cast<soci::postgresql_session_backend*>(session.get_backend())->conn_;
      if (PQstatus(conn) != CONNECTION_OK) return false;
      const PGTransactionStatusType status = PQtransactionStatus(conn);
      if (status == PQTRANS_IDLE) return true;
      if (status != PQTRANS_INTRANS && status != PQTRANS_INERROR) return false;
      session << "ROLLBACK";
      return PQtransactionStatus(conn) == PQTRANS_IDLE;
    }
    sqlite_api::sqlite3* conn = static_cast<soci::sqlite3_session_backend*>(session.get_backend())->conn_;
    if (sqlite_api::sqlite3_get_autocommit(conn) != 0) return true;
    session << "ROLLBACK";
    return sqlite_api::sqlite3_get_autocommit(conn) != 0;
  } catch (...) {
    return false;
  }
}

void CloseQuietly(soci::session& session) noexcept {
  try {
    if (session.get_backend() != nullptr) session.close();
  } catch (...) {
    // The handle is gone either way; the next lease opens a new one.
  }
}

}  // namespace

DatabaseTarget ParseDatabaseUrl(std::string_view url, std::chrono::seconds connect_timeout) {
  if (url.empty()) {
    throw std::invalid_argument(
        "The database URL is empty. Expected sqlite:///path.db or postgresql://user@host:port/db.");
  }
  if (StartsWith(url, kSqliteScheme)) return ParseSqliteUrl(url);
  for (std::string_view scheme : kPostgresqlSchemes) {
    if (StartsWith(url, scheme)) return ParsePostgresqlUrl(url, connect_timeout);
  }
  throw std::invalid_argument(
      "The database URL must start with sqlite://, postgresql:// or postgres:// (for example "
      "sqlite:///var/lib/tabel/tabel.db).");
}

// Lease ----------------------------------------------------------------------

Lease::Lease(Lease&& other) noexcept
    : database_(std::exchange(other.database_, nullptr)),
      position_(other.position_),
      broken_(other.broken_) {}

Lease::~Lease() {
  if (database_ != nullptr) database_->Release(position_, broken_);
}

soci::session& Lease::session() { return database_->pool_->at(position_); }

Dialect Lease::dialect() const { return database_->dialect(); }

void Lease::MarkBroken() noexcept { broken_ = true; }

CachedStatement* Lease::FindCached(const std::string& key) {
  auto& statements = database_->slots_[position_].statements;
  const auto found = statements.find(key);
  return found == statements.end() ? nullptr : found->second.get();
}

void Lease::StoreCached(const std::string& key, std::unique_ptr<CachedStatement> statement) {
  auto& statements = database_->slots_[position_].statements;
  if (statements.size() >= kMaxCachedStatements) statements.clear();
  statements[key] = std::move(statement);
}

void Lease::DropCached(const std::string& key) noexcept {
  try {
    database_->slots_[position_].statements.erase(key);
  } catch (...) {
    // Erasing a key does not throw; a statement's destructor swallows its errors.
  }
}

void EndUse(soci::statement& statement, Dialect dialect) noexcept {
  if (dialect != Dialect::kSqlite) return;  // PostgreSQL results arrive whole; nothing stays open
  auto* backend = static_cast<soci::sqlite3_statement_backend*>(statement.get_backend());
  if (backend == nullptr || backend->stmt_ == nullptr) return;
  // Its result repeats the last step's error, which was already reported.
  sqlite_api::sqlite3_reset(backend->stmt_);
}

// Database -------------------------------------------------------------------

namespace {

// Process-wide SQLite settings, applied once before the library is first
// initialised (sqlite3_config refuses them afterwards, harmlessly):
//  * no memory statistics: they take one global mutex on every allocation
//    of every connection, which serialises all reading threads;
//  * multi-thread mode: a connection is used by one lease holder at a
//    time, so SQLite need not lock each connection on every call.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
  });
}

}  // namespace

Database::Database(DatabaseOptions options) : options_(std::move(options)) {
  if (options_.pool_size == 0) throw std::invalid_argument("The database pool size must be at least 1.");
  if (options_.acquire_timeout.count() <= 0) {
    throw std::invalid_argument("The database acquire timeout must be positive.");
  }
  if (options_.busy_timeout.count() < 0)
    throw std::invalid_argument("The SQLite busy timeout must not be negative.");
  target_ = ParseDatabaseUrl(options_.url, options_.connect_timeout);
  if (target_.dialect == Dialect::kSqlite) {
    ConfigureSqliteOnce();
    const std::filesystem::path parent = std::filesystem::path(target_.connect_string).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
  }
  pool_ = std::make_unique<soci::connection_pool>(options_.pool_size);
  slots_.resize(options_.pool_size);
}

Database::~Database() = default;

Lease Database::Acquire() { return Acquire(options_.acquire_timeout); }

Lease Database::Acquire(milliseconds timeout) {
  size_t position = 0;
  if (!pool_->try_lease(position, ClampMilliseconds(timeout))) {
    throw Error::Unavailable("The database is busy.", "no free session among " + std::to_string(pool_size()) +
                                                          " within " + std::to_string(timeout.count()) +
                                                          " ms")
        .WithRetryAfter(1);
  }
  in_use_.fetch_add(1, std::memory_order_relaxed);
  Lease lease(this, position);
  soci::session& session = pool_->at(position);
  const Slot& slot = slots_[position];
  // Reopen a broken or never-opened session, and a PostgreSQL one that sat
  // idle long enough for the server to have dropped it and really has.
  const bool stale = target_.dialect == Dialect::kPostgresql &&
                     std::chrono::steady_clock::now() - slot.last_used >= options_.validate_after_idle;
  if (slot.reopen || session.get_backend() == nullptr || (stale && !session.is_connected())) {
    Connect(position);
  }
  return lease;
}

void Database::Close(size_t position) noexcept {
  slots_[position].statements.clear();
  CloseQuietly(pool_->at(position));
}

void Database::Connect(size_t position) {
  soci::session& session = pool_->at(position);
  slots_[position].reopen = true;  // until the session is open and configured
  Close(position);
  try {
    if (target_.dialect == Dialect::kSqlite) {
      session.open(soci::connection_parameters(soci::sqlite3, target_.connect_string));
    } else {
      session.open(soci::connection_parameters(soci::postgresql, target_.connect_string));
    }
    Configure(session);
  } catch (const std::exception& error) {
    Close(position);
    throw Error::Unavailable("The database is unavailable.", "cannot connect: " + InternalDetail(error))
        .WithRetryAfter(2);
  }
  slots_[position].reopen = false;
}

void Database::Configure(soci::session& session) {
  if (target_.dialect == Dialect::kPostgresql) {
    // libpq prints server notices ("relation … already exists, skipping") to
    // stderr, outside the structured log; they carry nothing actionable.
    PQsetNoticeProcessor(
        static_cast<soci::postgresql_session_backend*>(session.get_backend())->conn_,
        [](void*, const char*) {}, nullptr);
    // Times are UTC everywhere; timestamptz values read as text end in +00.
    session << "SET TIME ZONE 'UTC'";
    return;
  }
  // busy_timeout first: switching to WAL takes a lock other connections may hold.
  int busy_timeout = 0;
  session << "PRAGMA busy_timeout = " + std::to_string(options_.busy_timeout.count()),
      soci::into(busy_timeout);
  // Switching a new file to WAL needs a lock SQLite does not always wait
  // for (two processes opening a new database at once get SQLITE_BUSY at
  // once): try again until busy_timeout has passed.
  const auto deadline = std::chrono::steady_clock::now() + options_.busy_timeout;
  std::string journal_mode;
  for (;;) {
    try {
      session << "PRAGMA journal_mode = WAL", soci::into(journal_mode);
      if (journal_mode == "wal") break;
    } catch (const soci::sqlite3_soci_error& error) {
      constexpr int kBusy = 5, kLocked = 6;
      const int code = error.result() & 0xff;
      if ((code != kBusy && code != kLocked) || std::chrono::steady_clock::now() >= deadline) throw;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("SQLite refused WAL journal mode: " + journal_mode);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  session << "PRAGMA foreign_keys = ON";
  session << "PRAGMA synchronous = NORMAL";
  // No memory map of the file: in WAL mode SQLite unmaps the whole map at
  // the start of every read after another connection wrote, and faults it
  // back in page by page; with the audit rows that reads of salary write,
  // that cost ~0.17 ms per such request (a page of 50 as hr: 0.56 ms of CPU
  // mapped, 0.39 ms with reads into each connection's page cache), and
  // reads without writes in between ran as fast either way.
  long long mmap_size = -1;
  session << "PRAGMA mmap_size = 0", soci::into(mmap_size);
  // Lets errors.cpp tell a unique violation from a NOT NULL one.
  sqlite_api::sqlite3_extended_result_codes(
      static_cast<soci::sqlite3_session_backend*>(session.get_backend())->conn_, 1);
}

void Database::Release(size_t position, bool broken) noexcept {
  soci::session& session = pool_->at(position);
  Slot& slot = slots_[position];
  if (broken) slot.reopen = true;
  if (!slot.reopen && session.get_backend() != nullptr && !ResetSession(session, target_.dialect)) {
    slot.reopen = true;
  }
  if (slot.reopen) Close(position);
  slot.last_used = std::chrono::steady_clock::now();
  in_use_.fetch_sub(1, std::memory_order_relaxed);
  try {
    pool_->give_back(position);
  } catch (...) {
    // Only thrown for a position that is already free, which a Lease never holds.
  }
}

void Database::Ping() {
  const milliseconds timeout = std::min(options_.acquire_timeout, kPingAcquireTimeout);
  for (int attempt = 1;; ++attempt) {
    Lease lease = Acquire(timeout);
    try {
      int one = 0;
      lease.session() << "SELECT 1", soci::into(one);
      return;
    } catch (const soci::soci_error& error) {
      lease.MarkBroken();
      if (attempt == 1 && IsConnectionError(error)) continue;
      throw Error::Unavailable("The database is unavailable.", "ping failed: " + InternalDetail(error))
          .WithRetryAfter(2);
    }
  }
}

}  // namespace tabel::db
