#pragma once
// The management service's domain types: request types (data, editable by
// hr and admin), activity requests with their approval chain and history,
// and leave balances as a ledger.
// Thread-safety: plain values.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.hpp"
#include "http/query_fields.hpp"

namespace tabel::management {

// Request statuses: draft → pending → approved | rejected; pending (or
// draft) → withdrawn by its author; approved → cancelled.
inline constexpr std::string_view kDraft = "draft";
inline constexpr std::string_view kPending = "pending";
inline constexpr std::string_view kApproved = "approved";
inline constexpr std::string_view kRejected = "rejected";
inline constexpr std::string_view kWithdrawn = "withdrawn";
inline constexpr std::string_view kCancelled = "cancelled";
constexpr bool IsStatus(std::string_view status) {
  return status == kDraft || status == kPending || status == kApproved || status == kRejected ||
         status == kWithdrawn || status == kCancelled;
}

// What a type's requests carry and how the rules treat them.
inline constexpr std::string_view kAbsence = "absence";             // a day away (vacations, leaves)
inline constexpr std::string_view kBusinessTrip = "business_trip";  // destination, purpose, travel days
inline constexpr std::string_view kSickLeave = "sick_leave";        // certificate number; may stay open
inline constexpr std::string_view kWork = "work";                   // remote day, work on a day off
inline constexpr std::string_view kOvertime = "overtime";           // hours on one day
inline constexpr std::string_view kDismissal = "dismissal";         // the last working day
constexpr bool IsTypeKind(std::string_view kind) {
  return kind == kAbsence || kind == kBusinessTrip || kind == kSickLeave || kind == kWork ||
         kind == kOvertime || kind == kDismissal;
}

// Roles of approval steps.
inline constexpr std::string_view kStepManager = "manager";  // the employee's manager or his deputy
inline constexpr std::string_view kStepHr = "hr";            // anyone who approves for everyone

// Who may create a request of a type for someone else.
inline constexpr std::string_view kOnBehalfNone = "none";        // only the employee himself
inline constexpr std::string_view kOnBehalfManager = "manager";  // his approvers and hr
inline constexpr std::string_view kOnBehalfHr = "hr";            // those who create for everyone in reach

// A balance is kept in hundredths of a day ("centidays").
inline constexpr int64_t kCentidaysPerDay = 100;

inline constexpr std::string_view kAnnual = "annual";          // the 28 days a year of art. 115
inline constexpr std::string_view kAdditional = "additional";  // granted by hr adjustments

struct RequestType {
  std::string code;
  std::string name;
  std::string kind;
  std::optional<std::string> t13_code, t13_number;
  std::vector<std::string> steps;  // at least one
  int notice_days = 0;             // days between today and the start, for the employee's own requests
  int min_days = 1;
  std::optional<int> max_days;
  std::optional<std::string> balance_kind;  // charged to this balance
  bool allow_past = false;                  // may start before today
  bool exclusive = true;                    // may not overlap another exclusive activity
  // Personal: in calendars, whoever may not read the employee's personal
  // data sees "absent" instead (a sick leave, an unpaid leave …).
  bool confidential = false;
  std::string on_behalf = std::string(kOnBehalfHr);
  bool builtin = false;
  int64_t version = 0;
};

// A created type (every member) or the members a PATCH changes.
struct RequestTypeChanges {
  std::optional<std::string> code, name, kind, on_behalf;
  std::optional<std::optional<std::string>> t13_code, t13_number, balance_kind;
  std::optional<std::vector<std::string>> steps;
  std::optional<int> notice_days, min_days;
  std::optional<std::optional<int>> max_days;
  std::optional<bool> allow_past, exclusive, confidential;
};

struct Warning {
  std::string code;
  std::string field;
  std::string message;
};

struct Request {
  int64_t id = 0;
  std::string type;
  int64_t employee_id = 0;
  int64_t department_id = 0;  // the employee's department now (for access checks)
  Date start_date{};
  std::optional<Date> end_date;  // nullopt: an open sick leave
  std::string status;
  bool exclusive = true;  // copied from the type: may not overlap another exclusive activity
  std::vector<std::string> steps;
  int step = 0;
  std::optional<std::string> step_role;  // while pending
  std::optional<int64_t> approver_employee_id;
  std::optional<std::string> balance_kind;
  int64_t charged_centidays = 0;
  std::optional<std::string> comment, destination, purpose, certificate_number;
  std::optional<int> travel_days, hours;
  std::vector<Warning> warnings;
  int64_t created_by = 0;  // account id
  int64_t version = 0;
  std::chrono::system_clock::time_point created_at, updated_at;
};

// The members of a create or of a draft's PATCH. For nullable members the
// outer optional is "given", the inner one the value.
struct RequestFields {
  std::optional<std::string> type;
  std::optional<int64_t> employee_id;
  std::optional<Date> start_date;
  std::optional<std::optional<Date>> end_date;
  std::optional<std::optional<std::string>> comment, destination, purpose, certificate_number;
  std::optional<std::optional<int>> travel_days, hours;
  bool submit = true;  // create: pending at once; false: a draft
};

struct RequestQuery {
  http::PageRequest page;
  std::optional<int64_t> employee_id;
  std::optional<std::string> status, type;
  std::optional<Date> from, to;  // requests overlapping [from, to]
};

struct HistoryEntry {
  int64_t id = 0;
  std::chrono::system_clock::time_point at;
  std::optional<int64_t> account_id, actor_employee_id;
  std::string action;
  std::optional<std::string> from_status;
  std::string to_status;
  std::optional<int> step;
  std::optional<std::string> comment;
};

struct LedgerEntry {
  int64_t id = 0;
  std::string kind;
  std::string entry;  // opening, accrual, usage, return, adjustment, compensation, expiry
  int64_t centidays = 0;
  Date effective_on{};
  std::optional<int64_t> request_id, account_id;
  std::optional<std::string> comment;
};

// Where an annual balance stands in its working year (counted from the
// hire date), and what the company's lapse policy does to it.
struct WorkingYearState {
  Date start{}, end{};
  int64_t carried_over = 0;           // days of earlier years it started with
  std::optional<Date> next_lapse_on;  // the next day days lapse, if no more leave is taken
  int64_t next_lapse = 0;             // how many then
};

struct Balance {
  std::string kind;
  Date as_of{};
  int64_t balance =
      0;  // centidays available today: the ledger plus the accrual and lapses due but not posted
  int64_t accrued = 0;  // opening and accruals
  int64_t used = 0;     // usage net of returns (pending requests included), and compensation
  int64_t adjusted = 0;
  int64_t expired = 0;                           // lapsed under the carry-over and expiry policy
  int64_t pending = 0;                           // held by pending requests (included in used)
  std::optional<WorkingYearState> working_year;  // the annual balance only
};

}  // namespace tabel::management
