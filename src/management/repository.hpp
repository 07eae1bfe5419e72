#pragma once
// SQL of the management service: request types, requests with their
// history, the leave ledger. Reads lease their own session; every change
// runs inside Write(), which hands the service's callback a RequestsTx —
// the statements of one write transaction — so that the rules checked in
// the service and the rows written commit together.
//
// Thread-safety: RequestsRepository is safe from any thread; a RequestsTx
// belongs to the callback it was given to. Every method blocks: run it on
// the blocking pool.
// Errors: tabel::Error — the database helpers' Conflict (a unique or
// exclusion violation), Unavailable and Internal; soci::soci_error inside
// Write() is classified by db::WithWriteTransaction.

#include <soci/soci.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/access.hpp"
#include "common/actor.hpp"
#include "common/clock.hpp"
#include "infra/db/database.hpp"
#include "infra/db/transaction.hpp"
#include "management/model.hpp"

namespace tabel::management {

struct BalanceSums {
  int64_t total = 0, accrued = 0, used = 0, adjusted = 0, expired = 0, pending = 0;
};

// The statements of one write transaction (see Write()), or of a read
// (see Read()).
class RequestsTx {
 public:
  RequestsTx(db::Lease& lease, db::Dialect dialect, std::chrono::system_clock::time_point now);

  soci::session& session() { return session_; }
  // For statements kept prepared on the session (Lease::Cached).
  db::Lease& lease() { return lease_; }
  std::chrono::system_clock::time_point now() const { return now_; }

  // Takes the employee's lock row, creating it on first use, and returns
  // how many months of service have had their accrual posted. Every change
  // of an employee's requests or balances takes it first, so two of them
  // never interleave (PostgreSQL: a row lock; SQLite: BEGIN IMMEDIATE
  // already serialises writers).
  int LockEmployee(int64_t employee_id);
  void SetAccruedMonths(int64_t employee_id, int months);

  std::optional<RequestType> FindType(const std::string& code);
  // The request, locked until the transaction ends.
  std::optional<Request> FindForUpdate(int64_t id);
  // The request `account` created with `key`, and the fingerprint stored
  // with it.
  std::optional<std::pair<Request, std::string>> FindByIdempotencyKey(int64_t account,
                                                                      const std::string& key);
  // Pending or approved exclusive requests of the employee overlapping
  // [start, end], except the request `except`. An open request (a sick
  // leave hr has not closed) counts as lasting until `today`, or its start
  // if later: it must not forbid every future activity; its final range is
  // checked when it is closed.
  std::vector<Request> Overlapping(int64_t employee_id, Date start, std::optional<Date> end, int64_t except,
                                   Date today);
  // Pending or approved requests of the employee, of any type, that end
  // after `date` (every one when nullopt) or are open, except `except`.
  std::vector<Request> ActiveAfter(int64_t employee_id, std::optional<Date> date, int64_t except);
  // The ledger entries posted for a request.
  std::vector<LedgerEntry> EntriesOf(int64_t request_id);
  // Pending or approved requests of the employee charged to `balance_kind`
  // that start within [from, to], except `except`.
  std::vector<Request> ChargedBetween(int64_t employee_id, const std::string& balance_kind, Date from,
                                      Date to, int64_t except);

  // Inserts a request (status, steps, … as given) and sets its id, version
  // and times as stored.
  void Insert(Request& request, const std::optional<std::string>& idempotency_key,
              const std::string& fingerprint);
  // Saves every mutable column of `request` (locked by FindForUpdate) with
  // version + 1, and sets its version and updated_at as stored.
  void Update(Request& request);
  void AppendHistory(int64_t request_id, const Actor& actor, const std::string& action,
                     const std::optional<std::string>& from_status, const std::string& to_status,
                     std::optional<int> step, const std::optional<std::string>& comment);

  // Months of service whose accrual is posted (0 before the first write),
  // without taking the lock.
  int AccruedMonths(int64_t employee_id);
  // The last day through which lapses of unused leave are posted (nullopt:
  // none yet).
  std::optional<Date> LapsedThrough(int64_t employee_id);
  void SetLapsedThrough(int64_t employee_id, Date through);
  // Every entry of the employee's `kind` balance, in id order.
  std::vector<LedgerEntry> Entries(int64_t employee_id, const std::string& kind);
  // The balance's sums, and the days held by pending requests.
  BalanceSums Sums(int64_t employee_id, const std::string& kind);
  // Appends a ledger entry (its id is ignored).
  void Post(int64_t employee_id, const LedgerEntry& entry);
  // The sum of the employee's ledger for `kind`.
  int64_t LedgerSum(int64_t employee_id, const std::string& kind);

 private:
  // now() as a timestamp column stores it.
  std::chrono::system_clock::time_point StoredNow() const;

  db::Lease& lease_;
  soci::session& session_;
  db::Dialect dialect_;
  std::chrono::system_clock::time_point now_;
};

class RequestsRepository {
 public:
  static constexpr int kMaxHistory = 1000;

  RequestsRepository(db::Database& database, Clock clock);

  // Runs f(RequestsTx&) in one write transaction and returns its result;
  // rerun on lock contention, so f must have no effect outside the
  // database.
  template <class F>
  auto Write(F&& f) {
    return db::WithWriteTransaction(database_, [&](db::Lease& lease) {
      RequestsTx tx(lease, database_.dialect(), clock_());
      return f(tx);
    });
  }

  // Runs f(RequestsTx&) on a session of its own, for reads only.
  template <class F>
  auto Read(F&& f) {
    return db::WithLease(database_, [&](db::Lease& lease) {
      RequestsTx tx(lease, database_.dialect(), clock_());
      return f(tx);
    });
  }

  std::vector<RequestType> ListTypes();
  std::optional<RequestType> FindType(const std::string& code);
  // Conflict naming `code` when it is taken.
  void InsertType(const RequestType& type, const Actor& actor);
  // Saves `type` if its version is still `expected_version` (Conflict when
  // stale), with version + 1 and an audit row.
  void UpdateType(const RequestType& type, int64_t expected_version, const Actor& actor);

  std::optional<Request> Find(int64_t id);
  // At most query.page.limit + 1 requests in id order, within `read` (the
  // employee's current department).
  std::vector<Request> List(const RequestQuery& query, const auth::Reach& read);
  // Pending requests waiting at a manager step for one of `approvers`, and
  // — when `hr` — those at an hr step or at a manager step without a
  // manager; never the caller's own (`self`), and only within `reach` (the
  // caller's requests.approve). At most limit + 1, id order.
  std::vector<Request> Queue(const std::vector<int64_t>& approvers, bool hr, std::optional<int64_t> self,
                             const auth::Reach& reach, const http::PageRequest& page);
  // The request's history, oldest first, at most kMaxHistory entries.
  std::vector<HistoryEntry> History(int64_t request_id);

  // The employee's ledger for `kind` (all kinds when nullopt), at most
  // page.limit + 1 entries in id order.
  std::vector<LedgerEntry> Ledger(int64_t employee_id, const std::optional<std::string>& kind,
                                  const http::PageRequest& page);

 private:
  db::Database& database_;
  Clock clock_;
};

}  // namespace tabel::management
