#pragma once
// Classification of database failures into the error model (common/error.hpp).
//
// SQLite result codes (the connection reports extended codes) and
// PostgreSQL SQLSTATEs map to one FailureKind each:
//   conflict    SQLite CONSTRAINT (unique, primary key, foreign key, check,
//               trigger RAISE); PostgreSQL class 23 (23505 unique, 23503
//               foreign key, 23P01 exclusion, 23514 check) -> 409
//   retryable   SQLite BUSY/LOCKED; PostgreSQL 40001 serialization failure,
//               40P01 deadlock: rerun the whole transaction
//   busy        PostgreSQL 57014 statement timeout, 55P03 lock timeout,
//               class 53 resources -> 503 "busy"
//   unavailable connection lost or refused: SOCI connection_error, class 08,
//               57P01-57P03 shutdown, "server closed the connection", SQLite
//               CANTOPEN/IOERR/FULL -> 503; the session must be reopened
//   internal    anything else, including NOT NULL violations (a missing
//               validation is a bug) -> 500
// The client message never contains SQL or data; the SQL error text (with
// the statement, without its bound values) goes to Error::internal().
// Thread-safety: pure functions.

#include <exception>
#include <string>

#include "common/error.hpp"

namespace tabel::db {

enum class FailureKind { kConflict, kRetryable, kBusy, kUnavailable, kInternal };

// Any std::exception is accepted: soci errors are classified as above, a
// tabel::Error keeps its kind (kConflict/kUnavailable/else kInternal), and
// anything else is kInternal.
FailureKind ClassifyFailure(const std::exception& error);

inline bool IsRetryable(const std::exception& error) {
  return ClassifyFailure(error) == FailureKind::kRetryable;
}
inline bool IsConnectionError(const std::exception& error) {
  return ClassifyFailure(error) == FailureKind::kUnavailable;
}

// The error to throw for `error`. A tabel::Error is returned unchanged.
// Retryable failures that reach here (retries exhausted, or outside a
// transaction helper) become Unavailable("The database is busy.").
tabel::Error Classify(const std::exception& error);

// throw Classify(error);
[[noreturn]] void Rethrow(const std::exception& error);

// The error text for logs: SOCI's message and statement, with the bound
// values (which may be personal data or secrets) removed.
std::string InternalDetail(const std::exception& error);

}  // namespace tabel::db
