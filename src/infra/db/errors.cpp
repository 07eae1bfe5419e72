#include "infra/db/errors.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <array>
#include <string_view>

namespace tabel::db {
namespace {

// SQLite primary and extended result codes (sqlite3.h), spelled out here
// because soci-sqlite3.h wraps sqlite3.h in a namespace.
constexpr int kSqliteIoErr = 10;
constexpr int kSqliteBusy = 5;
constexpr int kSqliteLocked = 6;
constexpr int kSqliteReadOnly = 8;
constexpr int kSqliteFull = 13;
constexpr int kSqliteCantOpen = 14;
constexpr int kSqliteConstraint = 19;
constexpr int kSqliteConstraintNotNull = kSqliteConstraint | (5 << 8);
constexpr int kSqliteConstraintDataType = kSqliteConstraint | (12 << 8);

// libpq reports a lost connection without a SQLSTATE; these are its words.
constexpr std::array<std::string_view, 11> kConnectionLostPhrases = {
    "server closed the connection",   "no connection to the server", "could not receive data from server",
    "could not send data to server",  "terminating connection",      "Connection failed",
    "connection to server",           "Cannot establish connection", "SSL SYSCALL error",
    "SSL connection has been closed", "connection not open",
};

bool MentionsLostConnection(std::string_view message) {
  for (std::string_view phrase : kConnectionLostPhrases) {
    if (message.find(phrase) != std::string_view::npos) return true;
  }
  return false;
}

FailureKind ClassifyPostgres(const soci::postgresql_soci_error& error) {
  const std::string state = error.sqlstate();
  const std::string_view cls = std::string_view(state).substr(0, 2);
  if (state == "40001" || state == "40P01") return FailureKind::kRetryable;
  if (cls == "23") return state == "23502" ? FailureKind::kInternal : FailureKind::kConflict;
  if (cls == "08" || state == "57P01" || state == "57P02" || state == "57P03" || state == "53300") {
    return FailureKind::kUnavailable;
  }
  if (cls == "53" || state == "57014" || state == "55P03") return FailureKind::kBusy;
  if (error.get_error_category() == soci::soci_error::connection_error) return FailureKind::kUnavailable;
  if (MentionsLostConnection(error.get_error_message())) return FailureKind::kUnavailable;
  return FailureKind::kInternal;
}

FailureKind ClassifySqlite(const soci::sqlite3_soci_error& error) {
  const int code = error.result();
  switch (code & 0xff) {
    case kSqliteBusy:
    case kSqliteLocked:
      return FailureKind::kRetryable;
    case kSqliteConstraint:
      return code == kSqliteConstraintNotNull || code == kSqliteConstraintDataType ? FailureKind::kInternal
                                                                                   : FailureKind::kConflict;
    case kSqliteCantOpen:
    case kSqliteIoErr:
    case kSqliteFull:
    case kSqliteReadOnly:
      return FailureKind::kUnavailable;
    default:
      return FailureKind::kInternal;
  }
}

}  // namespace

FailureKind ClassifyFailure(const std::exception& error) {
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&error)) return ClassifyPostgres(*pg);
  if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&error)) return ClassifySqlite(*lite);
  if (const auto* soci_error = dynamic_cast<const soci::soci_error*>(&error)) {
    if (soci_error->get_error_category() == soci::soci_error::connection_error) {
      return FailureKind::kUnavailable;
    }
    if (MentionsLostConnection(soci_error->get_error_message())) return FailureKind::kUnavailable;
    return FailureKind::kInternal;
  }
  if (const auto* tabel_error = dynamic_cast<const tabel::Error*>(&error)) {
    switch (tabel_error->kind()) {
      case ErrorKind::kConflict:
        return FailureKind::kConflict;
      case ErrorKind::kUnavailable:
        return FailureKind::kUnavailable;
      default:
        return FailureKind::kInternal;
    }
  }
  return FailureKind::kInternal;
}

std::string InternalDetail(const std::exception& error) {
  std::string text = error.what();
  // SOCI appends ` while executing "<sql>" with :name=value, ...`.
  const size_t values = text.rfind("\" with :");
  if (values != std::string::npos) {
    text.resize(values + 1);
    text += " (bound values omitted).";
  }
  return text;
}

tabel::Error Classify(const std::exception& error) {
  if (const auto* tabel_error = dynamic_cast<const tabel::Error*>(&error)) return *tabel_error;
  std::string internal = InternalDetail(error);
  switch (ClassifyFailure(error)) {
    case FailureKind::kConflict:
      return Error::Conflict("The change conflicts with existing data.", std::move(internal));
    case FailureKind::kRetryable:
    case FailureKind::kBusy:
      return Error::Unavailable("The database is busy.", std::move(internal)).WithRetryAfter(1);
    case FailureKind::kUnavailable:
      return Error::Unavailable("The database is unavailable.", std::move(internal)).WithRetryAfter(2);
    case FailureKind::kInternal:
      break;
  }
  return Error::Internal(std::move(internal));
}

void Rethrow(const std::exception& error) { throw Classify(error); }

}  // namespace tabel::db
