#pragma once
// Write transactions and the helpers every repository uses:
//
//   int n = db::WithWriteTransaction(database, [&](soci::session& session) {
//     session << kSelectCounter, soci::into(value), soci::use(id);
//     ...
//     return value;
//   });
//
// Error contract of the helpers: soci errors are translated with
// db::Classify (tabel::Error: Conflict, Unavailable or Internal); a
// tabel::Error or any other exception thrown by `f` propagates unchanged,
// after the transaction was rolled back.
// Do not nest them: an inner call leases a second session, which on SQLite
// waits for the outer transaction's write lock until busy_timeout.

#include <soci/soci.h>

#include <type_traits>
#include <utility>

#include "infra/db/database.hpp"
#include "infra/db/errors.hpp"

namespace tabel::db {

// One write transaction on a leased session. SQLite: BEGIN IMMEDIATE, which
// takes the database's write lock up front (waiting up to busy_timeout), so
// a read-modify-write inside it cannot interleave with another writer and
// never fails on lock upgrade. (SOCI's soci::transaction issues a deferred
// BEGIN, which fails at once under write contention: never use it.)
// PostgreSQL: BEGIN (READ COMMITTED); lock rows you read and then update
// with SELECT … FOR UPDATE (see ForUpdate()).
// Thread-safety: like its Lease, used by one thread at a time.
class WriteTransaction {
 public:
  // Throws soci::soci_error when BEGIN fails (SQLite BUSY after busy_timeout).
  explicit WriteTransaction(Lease& lease);
  // Rolls back unless committed. Never throws: if the rollback fails the
  // lease is marked broken, so its session is reopened.
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  soci::session& session() { return lease_.session(); }

  // Throws soci::soci_error; after a failed commit the destructor rolls back
  // whatever is left of the transaction.
  void Commit();

 private:
  Lease& lease_;
  bool open_ = false;
};

namespace detail {

// Attempts, including the first, of a transaction that failed with
// SQLITE_BUSY/LOCKED or PostgreSQL 40001/40P01.
inline constexpr int kMaxTransactionAttempts = 3;

// Sleeps before attempt `next_attempt` (2, 3, …): exponential backoff from
// ~10 ms with full jitter, so that colliding writers spread out.
void BackoffBeforeRetry(int next_attempt);

}  // namespace detail

namespace detail {

// f(lease) when f takes the Lease (for cached statements, Lease::Cached),
// else f(lease.session()).
template <class F>
decltype(auto) CallWith(F& f, Lease& lease) {
  if constexpr (std::is_invocable_v<F&, Lease&>) {
    return f(lease);
  } else {
    return f(lease.session());
  }
}

}  // namespace detail

// Leases a session, begins a write transaction, calls f(soci::session&) —
// or f(Lease&), for cached statements — commits and returns f's result.
// Reruns the whole transaction (up to kMaxTransactionAttempts) on lock
// contention, and once when BEGIN itself found the connection lost (nothing
// was done yet), so `f` must have no side effects outside the database.
// Errors: see the file comment; the lease and transaction are released
// before any retry or throw.
template <class F>
auto WithWriteTransaction(Database& database, F&& f)
    -> std::remove_cvref_t<decltype(detail::CallWith(f, std::declval<Lease&>()))> {
  using Result = std::remove_cvref_t<decltype(detail::CallWith(f, std::declval<Lease&>()))>;
  bool reconnected = false;
  for (int attempt = 1;; ++attempt) {
    bool begun = false;
    try {
      Lease lease = database.Acquire();
      WriteTransaction transaction(lease);
      begun = true;
      if constexpr (std::is_void_v<Result>) {
        detail::CallWith(f, lease);
        transaction.Commit();
        return;
      } else {
        Result result = detail::CallWith(f, lease);
        transaction.Commit();
        return result;
      }
    } catch (const soci::soci_error& error) {
      const FailureKind kind = ClassifyFailure(error);
      if (kind == FailureKind::kRetryable && attempt < detail::kMaxTransactionAttempts) {
        detail::BackoffBeforeRetry(attempt + 1);
        continue;
      }
      if (kind == FailureKind::kUnavailable && !begun && !reconnected) {
        reconnected = true;
        continue;
      }
      Rethrow(error);
    }
  }
}

// Leases a session and returns f(soci::session&), each statement in its own
// implicit transaction (autocommit). For reads, and single-statement
// writes. Not retried. Errors: see the file comment.
template <class F>
auto WithSession(Database& database, F&& f) -> std::invoke_result_t<F&, soci::session&> {
  try {
    Lease lease = database.Acquire();
    return f(lease.session());
  } catch (const soci::soci_error& error) {
    Rethrow(error);
  }
}

// Like WithSession, with the Lease itself: for cached statements
// (Lease::Cached).
template <class F>
auto WithLease(Database& database, F&& f) -> std::invoke_result_t<F&, Lease&> {
  try {
    Lease lease = database.Acquire();
    return f(lease);
  } catch (const soci::soci_error& error) {
    Rethrow(error);
  }
}

}  // namespace tabel::db
