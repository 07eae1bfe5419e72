#pragma once
// The audit log (table audit_log, append-only by triggers): every write, and
// every read of salary or personal data — who, when, what, from which
// address, with which request id.
//
// Writes go through Append() inside the transaction of the change they
// record, so a change and its audit row commit or roll back together.
// Thread-safety: free functions on a caller's session; AuditLog is safe from
// any thread (each call leases its own session) and blocks on the database.
// Errors: soci::soci_error from Append (inside the caller's transaction
// helper, which classifies it); tabel::Error from AuditLog.

#include <soci/soci.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/actor.hpp"
#include "infra/db/database.hpp"

namespace tabel::audit {

struct Entry {
  std::string action;                                 // e.g. "employee.update", "employee.read_salary"
  std::string object_type;                            // e.g. "employee"
  std::string object_id;                              // empty for none
  nlohmann::json details = nlohmann::json::object();  // what changed, which fields were read
};

// Appends one row for `actor` at `at`.
void Append(soci::session& session, const Actor& actor, const Entry& entry,
            std::chrono::system_clock::time_point at);
// Appends one row per entry for `actor` at `at` with a single INSERT
// statement, which is atomic on its own: outside a transaction it writes
// all the rows or none without BEGIN and COMMIT. The statement is kept
// prepared on the lease's session (one per number of rows), so an audited
// read (salary or personal data) costs no parse or plan of it. Errors:
// soci::soci_error.
void AppendAll(db::Lease& lease, const Actor& actor, const std::vector<Entry>& entries,
               std::chrono::system_clock::time_point at);

struct Record {
  int64_t id = 0;
  std::chrono::system_clock::time_point at;
  std::optional<int64_t> account_id;
  std::string action, object_type, object_id, client, request_id;
  nlohmann::json details;
};

struct Filter {
  std::optional<int64_t> account_id;
  std::optional<std::string> object_type;
  std::optional<std::string> object_id;
  std::optional<std::string> action;
  std::optional<std::chrono::system_clock::time_point> from;  // inclusive
  std::optional<std::chrono::system_clock::time_point> to;    // exclusive
  std::optional<int64_t> before_id;                           // the cursor: newest first
  int limit = 50;
};

class AuditLog {
 public:
  explicit AuditLog(db::Database& database) : database_(database) {}

  // Records matching `filter`, newest first, at most filter.limit.
  std::vector<Record> List(const Filter& filter);

 private:
  db::Database& database_;
};

}  // namespace tabel::audit
