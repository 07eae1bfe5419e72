#pragma once
// The management service's rules, without HTTP: activity requests, their
// approval chain, leave balances.
//
// Access (auth/access.hpp), per request of an employee E:
//  * read: requests.read reaches E; outside it a request is NotFound;
//  * create for oneself: requests.create; for someone else: as the type's
//    on_behalf says — "hr": requests.create reaches E; "manager": also
//    requests.approve reaches E; "none": nobody;
//  * decide a manager step: not E himself, and the request's approver (the
//    nearest head above E who can approve: AccessResolver::ApproverOf), his
//    active deputy, or a head of a department above E; an approver for
//    everyone only when the step has no approver; an hr step: an approver
//    for everyone (not E);
//  * withdraw: E or the request's creator; cancel: requests.cancel reaches
//    E and the caller decides every step, or cancels for everyone; before
//    the start (hr annuls an allow_past type after it).
// A creator who could decide every step of the chain for someone else
// (hr registering a sick leave) gets the request approved at once.
//
// Every transition runs in one write transaction that first locks the
// employee's row of leave_accounts, checks the rules, writes the request,
// its history, the ledger entries, an audit row and the outbox event
// "request.<action>". On PostgreSQL the exclusion constraint
// requests_no_overlap backs the overlap rule.
//
// Thread-safety: safe from any thread; blocks on the database (run it on
// the blocking pool). Errors: tabel::Error — BadRequest (a field the type
// does not take), Forbidden, NotFound, Conflict (a stale version, a state
// that no longer allows the transition, an overlap), Unprocessable (a rule:
// the code names it and the field).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/access.hpp"
#include "calendar/holidays.hpp"
#include "common/actor.hpp"
#include "common/clock.hpp"
#include "infra/bus/outbox.hpp"
#include "management/model.hpp"
#include "management/repository.hpp"
#include "management/rules.hpp"
#include "users/service.hpp"

namespace tabel::management {

struct LeaveRulesOptions {
  // Art. 122: the first annual leave after this many months of work; 0: no rule.
  int first_leave_after_months = 6;
  // Art. 125: refuse (true) or only warn about (false) a split leave
  // without a part of 14 days.
  bool enforce_split_leave = true;
  // Carry-over and expiry of unused annual leave; by default none lapses.
  LapsePolicy lapses;
};

using http::Page;

struct CreateResult {
  Request request;
  bool replayed = false;  // an earlier create with the same Idempotency-Key
};

struct Transition {
  std::optional<int64_t> expected_version;  // If-Match, when sent
  std::optional<std::string> comment;
  // Approving or closing a sick leave: the number of its electronic
  // certificate, which it cannot be settled without.
  std::optional<std::string> certificate_number;
};

class ManagementService {
 public:
  ManagementService(RequestsRepository& repository, users::UsersService& users, auth::AccessResolver& access,
                    const calendar::HolidayCalendar& holidays, Clock clock, LeaveRulesOptions options);

  std::vector<RequestType> ListTypes();
  RequestType GetType(const std::string& code);
  RequestType CreateType(const Actor& actor, const RequestTypeChanges& fields);
  RequestType UpdateType(const Actor& actor, const std::string& code, int64_t expected_version,
                         const RequestTypeChanges& changes);

  // `fingerprint` identifies the body, so that a key reused for another
  // body is refused (Unprocessable).
  CreateResult Create(const Actor& actor, const RequestFields& fields, const std::optional<std::string>& key,
                      const std::string& fingerprint);
  Request Get(const Actor& actor, int64_t id);
  Page<Request> List(const Actor& actor, const RequestQuery& query);
  std::vector<HistoryEntry> History(const Actor& actor, int64_t id);
  // Requests waiting for the caller's decision.
  Page<Request> Approvals(const Actor& actor, const http::PageRequest& page);

  // A draft's fields (its author only).
  Request UpdateDraft(const Actor& actor, int64_t id, int64_t expected_version, const RequestFields& changes);
  Request Submit(const Actor& actor, int64_t id, const Transition& transition);
  Request Approve(const Actor& actor, int64_t id, const Transition& transition);
  Request Reject(const Actor& actor, int64_t id, const Transition& transition);
  Request Withdraw(const Actor& actor, int64_t id, const Transition& transition);
  Request Cancel(const Actor& actor, int64_t id, const Transition& transition);
  // Ends an open sick leave on `end_date` (hr).
  Request Close(const Actor& actor, int64_t id, Date end_date, const Transition& transition);

  std::vector<Balance> Balances(const Actor& actor, int64_t employee_id);
  Page<LedgerEntry> Ledger(const Actor& actor, int64_t employee_id, const std::optional<std::string>& kind,
                           const http::PageRequest& page);
  std::vector<Balance> Adjust(const Actor& actor, int64_t employee_id, const std::string& kind,
                              int64_t centidays, const std::string& comment);

 private:
  struct Decider;
  users::Employee EmployeeInReach(const Actor& actor, int64_t employee_id, std::string_view permission);
  Request Visible(const Actor& actor, int64_t id);
  // Whether the caller decides a step of `role` of `request` (of an
  // employee of request.department_id).
  bool CanDecide(const Actor& actor, const Request& request, const std::string& role);
  Request Decide(const Actor& actor, int64_t id, const Transition& transition, bool approve);
  // Checks every rule of a submission and fills charged days, warnings and
  // the first step (a manager step goes to `approver`). Runs inside `tx`.
  void SubmitIn(RequestsTx& tx, const Actor& actor, Request& request, const RequestType& type,
                int posted_months, std::optional<int64_t> approver);
  // Posts the accrual due by `through` beyond `posted_months`, then the
  // lapses due by then; returns the months posted now.
  int PostAccrualsIn(RequestsTx& tx, const users::Employee& employee, int posted_months, Date through);
  // The lapses of annual leave due on days in (after, through] (never after
  // the dismissal date), counting the accrual due beyond `posted` months;
  // none unless the policy lets days lapse.
  std::vector<Lapse> LapsesIn(RequestsTx& tx, const users::Employee& employee, int posted,
                              std::optional<Date> after, Date through);
  // The balance the employee will have on `on`, in centidays: the ledger
  // plus the annual accrual due by then beyond `posted` months, less the
  // lapses due by then.
  int64_t AvailableOn(RequestsTx& tx, const users::Employee& employee, const std::string& kind, Date on,
                      int posted);
  // The history row (`step`: the step decided, or entered), the outbox
  // event "request.<action>" and the audit row of a transition.
  void Record(RequestsTx& tx, const Actor& actor, const Request& request, const std::string& action,
              const std::optional<std::string>& from_status, const std::optional<std::string>& comment,
              std::optional<int> step);
  // The last step approved: the status, and for a dismissal the employee's
  // last day and the compensation of unused leave.
  void FinishApproval(RequestsTx& tx, const Actor& actor, Request& request, const RequestType& type,
                      const std::optional<std::string>& comment);
  // A cancelled dismissal: the dismissal date cleared, its ledger entries
  // reversed, the accrual left posted to today only.
  void ReverseDismissalIn(RequestsTx& tx, const Actor& actor, const Request& request);
  Balance BalanceOf(RequestsTx& tx, const users::Employee& employee, const std::string& kind, Date today);
  Date Today() const;

  RequestsRepository& repository_;
  users::UsersService& users_;
  auth::AccessResolver& access_;
  const calendar::HolidayCalendar& holidays_;
  Clock clock_;
  LeaveRulesOptions options_;
  bus::Outbox outbox_;
};

}  // namespace tabel::management
