#include "management/service.hpp"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "auth/permissions.hpp"
#include "common/error.hpp"
#include "infra/audit/audit_log.hpp"
#include "management/rules.hpp"

namespace tabel::management {
namespace {

using std::chrono::days;

std::string Days(int64_t centidays) {
  const int64_t whole = centidays / kCentidaysPerDay, part = std::abs(centidays % kCentidaysPerDay);
  std::string text = (centidays < 0 && whole == 0 ? "-" : "") + std::to_string(whole);
  if (part != 0) text += (part < 10 ? ".0" : ".") + std::to_string(part);
  return text;
}

Error Rule(std::string code, std::string detail, std::string field, std::string message) {
  return Error::Unprocessable(std::move(code), std::move(detail), {{std::move(field), std::move(message)}});
}

Error StateConflict(const Request& request) {
  return Error::Conflict("The request is " + request.status + "; this transition is no longer possible.");
}

nlohmann::json EventPayload(const Request& r, const Actor& actor, const std::string& action) {
  return {{"request_id", r.id},
          {"action", action},
          {"type", r.type},
          {"employee_id", r.employee_id},
          {"status", r.status},
          {"step", r.step},
          {"step_role", r.step_role ? nlohmann::json(*r.step_role) : nlohmann::json()},
          {"approver_employee_id",
           r.approver_employee_id ? nlohmann::json(*r.approver_employee_id) : nlohmann::json()},
          {"start_date", FormatIsoDate(r.start_date)},
          {"end_date", r.end_date ? nlohmann::json(FormatIsoDate(*r.end_date)) : nlohmann::json()},
          {"actor_account_id", actor.identity.account_id}};
}

bool Allowed(const RequestType& type, std::string_view kind_of_field) {
  if (kind_of_field == "trip") return type.kind == kBusinessTrip;
  if (kind_of_field == "certificate") return type.kind == kSickLeave;
  if (kind_of_field == "hours") return type.kind == kOvertime;
  return true;
}

bool IsCertificateNumber(const std::string& text) {
  return text.size() == 12 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Takes the certificate number given with an approval or a close; when
// `settling` (the last step approved, the close), a sick leave must have
// one by then — an employee reporting his own may not know it yet.
void TakeCertificate(Request& r, const RequestType& type, const std::optional<std::string>& given,
                     bool settling) {
  if (given && type.kind != kSickLeave) {
    throw Error::BadRequest("Only a sick leave has a certificate number.",
                            {{"certificate_number", "is not a field of a " + type.code + " request"}});
  }
  if (type.kind != kSickLeave) return;
  if (given) {
    if (!IsCertificateNumber(*given)) {
      throw Error::Validation(
          {{"certificate_number", "must be the 12 digits of the electronic certificate"}});
    }
    r.certificate_number = *given;
  }
  if (settling && !r.certificate_number) {
    throw Rule("certificate-required",
               "A sick leave is settled with the number of its electronic certificate.", "certificate_number",
               "is required: give it with this transition");
  }
}

// The shape of a request's fields for its type: what the type takes and
// requires. Errors: BadRequest naming each field.
void CheckShape(const RequestType& type, const Request& r, bool created_by_other) {
  std::vector<FieldError> errors;
  const auto refuse = [&](const char* field, bool given) {
    if (given) errors.push_back({field, "is not taken by requests of type " + type.code});
  };
  refuse("destination", r.destination && !Allowed(type, "trip"));
  refuse("purpose", r.purpose && !Allowed(type, "trip"));
  refuse("travel_days", r.travel_days && !Allowed(type, "trip"));
  refuse("certificate_number", r.certificate_number && !Allowed(type, "certificate"));
  refuse("hours", r.hours && !Allowed(type, "hours"));
  if (type.kind == kBusinessTrip) {
    if (!r.destination) errors.push_back({"destination", "is required for a business trip"});
    if (!r.purpose) errors.push_back({"purpose", "is required for a business trip"});
    if (r.travel_days && r.end_date && *r.travel_days > DaysInclusive(r.start_date, *r.end_date)) {
      errors.push_back({"travel_days", "must not exceed the days of the trip"});
    }
  }
  if (type.kind == kSickLeave) {
    if (r.certificate_number && !IsCertificateNumber(*r.certificate_number)) {
      errors.push_back({"certificate_number", "must be the 12 digits of the electronic certificate"});
    }
    if (!r.certificate_number && created_by_other) {
      errors.push_back({"certificate_number", "is required when hr registers a sick leave"});
    }
  } else if (!r.end_date) {
    errors.push_back({"end_date", "is required (only a sick leave may stay open)"});
  }
  if (type.kind == kOvertime && !r.hours) errors.push_back({"hours", "is required for overtime"});
  if (r.end_date && *r.end_date < r.start_date)
    errors.push_back({"end_date", "must not be before start_date"});
  if (!errors.empty()) throw Error::Validation(std::move(errors));
}

// Applies the members given in `fields` to `r`.
void Apply(Request& r, const RequestFields& fields) {
  if (fields.start_date) r.start_date = *fields.start_date;
  if (fields.end_date) r.end_date = *fields.end_date;
  if (fields.comment) r.comment = *fields.comment;
  if (fields.destination) r.destination = *fields.destination;
  if (fields.purpose) r.purpose = *fields.purpose;
  if (fields.certificate_number) r.certificate_number = *fields.certificate_number;
  if (fields.travel_days) r.travel_days = *fields.travel_days;
  if (fields.hours) r.hours = *fields.hours;
}

// Makes `step` the current one; a manager step goes to `manager_approver`.
void EnterStep(Request& r, int step, std::optional<int64_t> manager_approver) {
  r.step = step;
  r.step_role = r.steps.at(static_cast<size_t>(step));
  r.approver_employee_id = r.step_role == kStepManager ? manager_approver : std::nullopt;
}

}  // namespace

ManagementService::ManagementService(RequestsRepository& repository, users::UsersService& users,
                                     auth::AccessResolver& access, const calendar::HolidayCalendar& holidays,
                                     Clock clock, LeaveRulesOptions options)
    : repository_(repository),
      users_(users),
      access_(access),
      holidays_(holidays),
      clock_(clock),
      options_(options),
      outbox_(std::move(clock)) {}

Date ManagementService::Today() const { return LocalDate(clock_()); }

// ---- types ----

std::vector<RequestType> ManagementService::ListTypes() { return repository_.ListTypes(); }

RequestType ManagementService::GetType(const std::string& code) {
  auto type = repository_.FindType(code);
  if (!type) throw Error::NotFound("No such request type.");
  return std::move(*type);
}

namespace {

void ApplyType(RequestType& t, const RequestTypeChanges& c) {
  if (c.name) t.name = *c.name;
  if (c.kind) t.kind = *c.kind;
  if (c.on_behalf) t.on_behalf = *c.on_behalf;
  if (c.t13_code) t.t13_code = *c.t13_code;
  if (c.t13_number) t.t13_number = *c.t13_number;
  if (c.balance_kind) t.balance_kind = *c.balance_kind;
  if (c.steps) t.steps = *c.steps;
  if (c.notice_days) t.notice_days = *c.notice_days;
  if (c.min_days) t.min_days = *c.min_days;
  if (c.max_days) t.max_days = *c.max_days;
  if (c.allow_past) t.allow_past = *c.allow_past;
  if (c.exclusive) t.exclusive = *c.exclusive;
  if (c.confidential) t.confidential = *c.confidential;
}

void CheckType(const RequestType& t) {
  if (t.max_days && *t.max_days < t.min_days) {
    throw Rule("invalid-type", "The maximum length is shorter than the minimum.", "max_days",
               "must not be less than min_days");
  }
  if (t.kind == kDismissal && t.exclusive) {
    throw Rule("invalid-type", "A dismissal is not an activity that excludes others.", "exclusive",
               "must be false for a dismissal");
  }
  if (t.kind == kDismissal && t.balance_kind) {
    throw Rule("invalid-type", "A dismissal charges no balance.", "balance_kind",
               "must be null for a dismissal");
  }
}

void RequireTypesManage(const Actor& actor) {
  if (!actor.identity.Has(auth::kRequestTypesManage)) {
    throw Error::Forbidden("Only hr and administrators change request types.");
  }
}

}  // namespace

RequestType ManagementService::CreateType(const Actor& actor, const RequestTypeChanges& fields) {
  RequireTypesManage(actor);
  if (fields.kind == kDismissal) {
    throw Rule("invalid-type", "There is one dismissal type; change it instead of adding another.", "kind",
               "must not be dismissal");
  }
  RequestType type;
  type.code = *fields.code;
  ApplyType(type, fields);
  CheckType(type);
  repository_.InsertType(type, actor);
  return GetType(type.code);
}

RequestType ManagementService::UpdateType(const Actor& actor, const std::string& code,
                                          int64_t expected_version, const RequestTypeChanges& changes) {
  RequireTypesManage(actor);
  RequestType type = GetType(code);
  if (type.version != expected_version) {
    throw Error::Conflict("The request type was changed by someone else; read it again.");
  }
  if (changes.kind && *changes.kind != type.kind && (type.builtin || *changes.kind == kDismissal)) {
    throw Rule("invalid-type", "The kind of a built-in type, and the dismissal kind, do not change.", "kind",
               "must stay " + type.kind);
  }
  ApplyType(type, changes);
  CheckType(type);
  repository_.UpdateType(type, expected_version, actor);
  return GetType(code);
}

// ---- access ----

users::Employee ManagementService::EmployeeInReach(const Actor& actor, int64_t employee_id,
                                                   std::string_view permission) {
  auto employee = users_.Lookup(employee_id);
  if (!employee) throw Error::NotFound("No such employee.");
  const auth::Reach reach = access_.ReachOf(actor.identity, permission);
  if (!auth::Reaches(reach, employee->id, employee->department_id))
    throw Error::NotFound("No such employee.");
  return std::move(*employee);
}

Request ManagementService::Visible(const Actor& actor, int64_t id) {
  auto request = repository_.Find(id);
  if (!request) throw Error::NotFound("No such request.");
  const auth::Reach read = access_.ReachOf(actor.identity, auth::kRequestsRead);
  if (!auth::Reaches(read, request->employee_id, request->department_id)) {
    throw Error::NotFound("No such request.");
  }
  return std::move(*request);
}

bool ManagementService::CanDecide(const Actor& actor, const Request& request, const std::string& role) {
  const Identity& me = actor.identity;
  if (me.employee_id == request.employee_id) return false;
  const std::optional<Scope> scope = me.ScopeOf(auth::kRequestsApprove);
  // An approver for everyone decides hr steps, and manager steps that have
  // no manager to decide them; never a manager's step in his place.
  if (role == kStepHr || !request.approver_employee_id) return scope == Scope::kAll;
  if (role != kStepManager || !me.employee_id) return false;
  const auto context = access_.ContextOf(me);
  // The deputy of the request's approver, while the delegation lasts.
  const bool deputy_approves =
      std::find(context->deputy_permissions.begin(), context->deputy_permissions.end(),
                auth::kRequestsApprove) != context->deputy_permissions.end();
  if (deputy_approves && std::binary_search(context->delegators.begin(), context->delegators.end(),
                                            *request.approver_employee_id)) {
    return true;
  }
  if (!scope) return false;
  // The approver himself, or a head of a department above the employee.
  return request.approver_employee_id == me.employee_id ||
         (scope != Scope::kSelf &&
          std::binary_search(context->headed_departments.begin(), context->headed_departments.end(),
                             request.department_id));
}

// ---- writes ----

void ManagementService::Record(RequestsTx& tx, const Actor& actor, const Request& request,
                               const std::string& action, const std::optional<std::string>& from_status,
                               const std::optional<std::string>& comment, std::optional<int> step) {
  tx.AppendHistory(request.id, actor, action, from_status, request.status, step, comment);
  nlohmann::json payload = EventPayload(request, actor, action);
  if (comment) payload["comment"] = *comment;
  outbox_.Add(tx.lease(), {.topic = "request." + action, .payload = payload.dump()});
  audit::AppendAll(tx.lease(), actor, {{"request." + action, "request", std::to_string(request.id), payload}},
                   tx.now());
}

int ManagementService::PostAccrualsIn(RequestsTx& tx, const users::Employee& employee, int posted_months,
                                      Date through) {
  if (employee.dismissal_date) through = std::min(through, *employee.dismissal_date);
  const int due = CompletedMonths(employee.hire_date, through);
  for (const LedgerEntry& entry : AccrualEntries(employee.hire_date, posted_months, due)) {
    tx.Post(employee.id, entry);
  }
  const int posted = std::max(due, posted_months);
  if (posted > posted_months) tx.SetAccruedMonths(employee.id, posted);
  if (!options_.lapses.Any()) return posted;
  const std::optional<Date> lapsed = tx.LapsedThrough(employee.id);
  if (lapsed && *lapsed >= through) return posted;
  for (const Lapse& lapse : LapsesIn(tx, employee, posted, lapsed, through)) {
    tx.Post(employee.id, {.kind = std::string(kAnnual),
                          .entry = "expiry",
                          .centidays = -lapse.centidays,
                          .effective_on = lapse.on,
                          .comment = lapse.Comment(options_.lapses)});
  }
  tx.SetLapsedThrough(employee.id, through);
  return posted;
}

std::vector<Lapse> ManagementService::LapsesIn(RequestsTx& tx, const users::Employee& employee, int posted,
                                               std::optional<Date> after, Date through) {
  if (!options_.lapses.Any()) return {};
  if (employee.dismissal_date) through = std::min(through, *employee.dismissal_date);
  std::vector<LedgerEntry> entries = tx.Entries(employee.id, std::string(kAnnual));
  for (LedgerEntry& accrual :
       AccrualEntries(employee.hire_date, posted, CompletedMonths(employee.hire_date, through))) {
    entries.push_back(std::move(accrual));
  }
  return LapsesDue(options_.lapses, employee.hire_date, entries, after, through);
}

int64_t ManagementService::AvailableOn(RequestsTx& tx, const users::Employee& employee,
                                       const std::string& kind, Date on, int posted) {
  int64_t available = tx.LedgerSum(employee.id, kind);
  if (kind == kAnnual) {
    // The accrual due by the day before `on`, beyond what is posted.
    Date through = on - days{1};
    if (employee.dismissal_date) through = std::min(through, *employee.dismissal_date);
    const int due = CompletedMonths(employee.hire_date, through);
    if (due > posted) available += AccruedFor(due) - AccruedFor(posted);
    // Days that lapse by `on` itself cannot be taken from that day.
    if (options_.lapses.Any()) {
      for (const Lapse& lapse : LapsesIn(tx, employee, posted, tx.LapsedThrough(employee.id), on)) {
        available -= lapse.centidays;
      }
    }
  }
  return available;
}

void ManagementService::SubmitIn(RequestsTx& tx, const Actor& actor, Request& r, const RequestType& type,
                                 int posted_months, std::optional<int64_t> approver) {
  const Date today = Today();
  const bool own = actor.identity.employee_id == r.employee_id;
  CheckShape(type, r, !own);
  // Read after the employee's lock: a dismissal approved a moment ago counts.
  const auto employment = users::UsersService::EmploymentIn(tx.lease(), r.employee_id);
  if (!employment) throw Error::NotFound("No such employee.");
  const users::Employee& employee = *employment;
  r.exclusive = type.exclusive;
  // Dates.
  if (r.start_date < employee.hire_date) {
    throw Rule("outside-employment", "The request starts before the employee was hired.", "start_date",
               "must not be before the hire date " + FormatIsoDate(employee.hire_date));
  }
  if (employee.dismissal_date && (!r.end_date || *r.end_date > *employee.dismissal_date) &&
      type.kind != kDismissal) {
    throw Rule("outside-employment", "The request ends after the employee's last working day.", "end_date",
               "must not be after the dismissal date " + FormatIsoDate(*employee.dismissal_date));
  }
  if (!type.allow_past && r.start_date < today) {
    throw Rule("start-in-past", "Requests of this type cannot start in the past.", "start_date",
               "must not be before today, " + FormatIsoDate(today));
  }
  if (own && type.notice_days > 0 && r.start_date < today + days{type.notice_days}) {
    throw Rule("notice-period",
               "Requests of this type need " + std::to_string(type.notice_days) + " days' notice.",
               "start_date", "must be on or after " + FormatIsoDate(today + days{type.notice_days}));
  }
  if (r.end_date) {
    const int length = DaysInclusive(r.start_date, *r.end_date);
    if (length < type.min_days) {
      throw Rule("too-short", "The request is shorter than its type allows.", "end_date",
                 "the request must last at least " + std::to_string(type.min_days) + " days");
    }
    if (type.max_days && length > *type.max_days) {
      throw Rule("too-long", "The request is longer than its type allows.", "end_date",
                 "the request may last at most " + std::to_string(*type.max_days) + " days");
    }
  }
  // No overlap with another pending or approved exclusive activity.
  if (type.exclusive) {
    const auto others = tx.Overlapping(r.employee_id, r.start_date, r.end_date, r.id, today);
    if (!others.empty()) {
      const Request& o = others.front();
      throw Error(ErrorKind::kConflict, "overlap",
                  "The dates overlap request " + std::to_string(o.id) + " (" + o.type + ", " +
                      FormatIsoDate(o.start_date) + " – " +
                      (o.end_date ? FormatIsoDate(*o.end_date) : "open") + ", " + o.status + ").",
                  {{"start_date", "overlaps request " + std::to_string(o.id)},
                   {"end_date", "overlaps request " + std::to_string(o.id)}});
    }
  }
  // Balance.
  r.warnings.clear();
  r.balance_kind = type.balance_kind;
  r.charged_centidays = 0;
  if (type.balance_kind && r.end_date) {
    const std::string& kind = *type.balance_kind;
    const int charged = ChargeableDays(holidays_, r.start_date, *r.end_date, employee.region);
    if (kind == kAnnual) {
      if (options_.first_leave_after_months > 0 &&
          r.start_date < AddMonths(employee.hire_date, options_.first_leave_after_months)) {
        throw Rule("first-leave-too-early",
                   "The first annual leave is granted after " +
                       std::to_string(options_.first_leave_after_months) +
                       " months of work (Labour Code art. 122).",
                   "start_date",
                   "must be on or after " +
                       FormatIsoDate(AddMonths(employee.hire_date, options_.first_leave_after_months)));
      }
      const std::chrono::year year = std::chrono::year_month_day(r.start_date).year();
      std::vector<int> parts;
      for (const Request& other :
           tx.ChargedBetween(r.employee_id, kind, Date(year / 1 / 1), Date(year / 12 / 31), r.id)) {
        parts.push_back(static_cast<int>(other.charged_centidays / kCentidaysPerDay));
      }
      if (!SplitLeaveAllowsLongPart(charged, parts)) {
        const std::string message =
            "one part of the year's annual leave must be at least 14 days (Labour Code art. 125)";
        if (options_.enforce_split_leave) {
          throw Rule("split-leave", "After this part no part of the year's leave can reach 14 days.",
                     "end_date", message);
        }
        r.warnings.push_back({"split-leave", "end_date", message});
      }
    }
    const int posted = PostAccrualsIn(tx, employee, posted_months, today);
    const int64_t need = int64_t{charged} * kCentidaysPerDay;
    const int64_t available = AvailableOn(tx, employee, kind, r.start_date, posted);
    if (need > available) {
      throw Rule("insufficient-balance",
                 "The request needs " + Days(need) + " days of " + kind + " leave; " + Days(available) +
                     " are available on " + FormatIsoDate(r.start_date) + ".",
                 "end_date", "needs " + Days(need) + " days, " + Days(available) + " available");
    }
    r.charged_centidays = need;
  }
  r.status = std::string(kPending);
  r.steps = type.steps;
  EnterStep(r, 0, approver);
}

CreateResult ManagementService::Create(const Actor& actor, const RequestFields& fields,
                                       const std::optional<std::string>& key,
                                       const std::string& fingerprint) {
  const Identity& me = actor.identity;
  if (!fields.employee_id && !me.employee_id) {
    throw Error::Validation({{"employee_id", "is required for an account without an employee record"}});
  }
  const int64_t employee_id = fields.employee_id.value_or(me.employee_id.value_or(0));
  const bool own = me.employee_id == employee_id;
  if (own && !me.Has(auth::kRequestsCreate)) throw Error::Forbidden("You may not create requests.");
  auto type = repository_.FindType(*fields.type);
  if (!type)
    throw Rule("unknown-type", "There is no request type " + *fields.type + ".", "type", "no such type");
  users::Employee employee =
      EmployeeInReach(actor, employee_id, own ? auth::kRequestsCreate : auth::kRequestsRead);
  if (!own) {
    const auto reaches = [&](std::string_view permission) {
      return auth::Reaches(access_.ReachOf(me, permission), employee.id, employee.department_id);
    };
    const bool allowed = (type->on_behalf == kOnBehalfHr && reaches(auth::kRequestsCreate)) ||
                         (type->on_behalf == kOnBehalfManager &&
                          (reaches(auth::kRequestsCreate) || reaches(auth::kRequestsApprove)));
    if (!allowed) {
      throw Error::Forbidden("You may not create a request of type " + type->code + " for someone else.");
    }
  }
  Request r;
  r.type = type->code;
  r.employee_id = employee.id;
  r.department_id = employee.department_id;
  r.exclusive = type->exclusive;
  r.steps = type->steps;
  r.status = std::string(kDraft);
  r.created_by = me.account_id;
  Apply(r, fields);
  if (type->kind == kDismissal && !r.end_date) r.end_date = r.start_date;
  const std::optional<int64_t> approver = access_.ApproverOf(employee.id, employee.department_id);

  const auto create = [&]() -> CreateResult {
    return repository_.Write([&](RequestsTx& tx) -> CreateResult {
      const int posted = tx.LockEmployee(employee.id);
      if (key) {
        if (auto earlier = tx.FindByIdempotencyKey(me.account_id, *key)) {
          if (earlier->second != fingerprint) {
            throw Rule("idempotency-key-reused", "This Idempotency-Key was used for a different request.",
                       "Idempotency-Key", "was used for another body");
          }
          return {std::move(earlier->first), true};
        }
      }
      Request saved = r;
      if (fields.submit) {
        SubmitIn(tx, actor, saved, *type, posted, approver);
      } else {
        CheckShape(*type, saved, !own);
      }
      tx.Insert(saved, key, fingerprint);
      if (saved.charged_centidays > 0) {
        tx.Post(employee.id, {.kind = *saved.balance_kind,
                              .entry = "usage",
                              .centidays = -saved.charged_centidays,
                              .effective_on = saved.start_date,
                              .request_id = saved.id,
                              .account_id = me.account_id});
      }
      Record(tx, actor, saved, fields.submit ? "submitted" : "created", std::nullopt, saved.comment,
             fields.submit ? std::optional<int>(0) : std::nullopt);
      // Someone who decides every step for another (hr registering a sick
      // leave) needs no one's approval.
      if (fields.submit && !own) {
        bool all = true;
        for (const std::string& role : saved.steps) all = all && CanDecide(actor, saved, role);
        if (all) {
          saved.step = static_cast<int>(saved.steps.size()) - 1;
          FinishApproval(tx, actor, saved, *type, std::nullopt);
        }
      }
      return {std::move(saved), false};
    });
  };
  try {
    return create();
  } catch (const Error& error) {
    // Two creates with one key at once: the loser's insert hits the unique
    // key; the second attempt finds the winner's request.
    if (!key || error.kind() != ErrorKind::kConflict || error.code() == "overlap") throw;
    return create();
  }
}

Request ManagementService::Get(const Actor& actor, int64_t id) { return Visible(actor, id); }

Page<Request> ManagementService::List(const Actor& actor, const RequestQuery& query) {
  const auth::Reach read = access_.ReachOf(actor.identity, auth::kRequestsRead);
  return http::PageOf(repository_.List(query, read), query.page.limit);
}

std::vector<HistoryEntry> ManagementService::History(const Actor& actor, int64_t id) {
  Visible(actor, id);
  return repository_.History(id);
}

Page<Request> ManagementService::Approvals(const Actor& actor, const http::PageRequest& page_request) {
  const Identity& me = actor.identity;
  const std::optional<Scope> scope = me.ScopeOf(auth::kRequestsApprove);
  std::vector<int64_t> approvers;
  if (me.employee_id) {
    approvers.push_back(*me.employee_id);
    const auto context = access_.ContextOf(me);
    if (std::find(context->deputy_permissions.begin(), context->deputy_permissions.end(),
                  auth::kRequestsApprove) != context->deputy_permissions.end()) {
      approvers.insert(approvers.end(), context->delegators.begin(), context->delegators.end());
    }
  }
  if (!scope && approvers.size() <= 1) approvers.clear();
  const auth::Reach reach = access_.ReachOf(me, auth::kRequestsApprove);
  return http::PageOf(repository_.Queue(approvers, scope == Scope::kAll, me.employee_id, reach, page_request),
                      page_request.limit);
}

namespace {

struct Locked {
  Request request;
  int posted_months;  // of the employee's leave account
};

// The first statements of every transition: the employee's lock, then the
// request's row, whose version must still be the one the caller read.
Locked Lock(RequestsTx& tx, const Request& current, const std::optional<int64_t>& expected_version) {
  const int posted = tx.LockEmployee(current.employee_id);
  auto r = tx.FindForUpdate(current.id);
  if (!r) throw Error::NotFound("No such request.");
  if (expected_version && *expected_version != r->version) {
    throw Error::Conflict("The request was changed by someone else; read it again.");
  }
  return {std::move(*r), posted};
}

}  // namespace

Request ManagementService::UpdateDraft(const Actor& actor, int64_t id, int64_t expected_version,
                                       const RequestFields& changes) {
  const Request current = Visible(actor, id);
  if (actor.identity.employee_id != current.employee_id && actor.identity.account_id != current.created_by) {
    throw Error::Forbidden("Only the request's author changes it.");
  }
  const RequestType type = GetType(current.type);
  return repository_.Write([&](RequestsTx& tx) {
    auto [locked, posted] = Lock(tx, current, expected_version);
    Request* r = &locked;
    if (r->status != kDraft)
      throw Error::Conflict("Only a draft can be changed; this request is " + r->status + ".");
    Apply(*r, changes);
    CheckShape(type, *r, actor.identity.employee_id != r->employee_id);
    tx.Update(*r);
    Record(tx, actor, *r, "updated", r->status, std::nullopt, std::nullopt);
    return *r;
  });
}

Request ManagementService::Submit(const Actor& actor, int64_t id, const Transition& t) {
  const Request current = Visible(actor, id);
  if (actor.identity.employee_id != current.employee_id && actor.identity.account_id != current.created_by) {
    throw Error::Forbidden("Only the request's author submits it.");
  }
  const RequestType type = GetType(current.type);
  const std::optional<int64_t> approver = access_.ApproverOf(current.employee_id, current.department_id);
  return repository_.Write([&](RequestsTx& tx) {
    auto [locked, posted] = Lock(tx, current, t.expected_version);
    Request* r = &locked;
    if (r->status != kDraft) throw StateConflict(*r);
    const std::string from = r->status;
    SubmitIn(tx, actor, *r, type, posted, approver);
    tx.Update(*r);
    if (r->charged_centidays > 0) {
      tx.Post(r->employee_id, {.kind = *r->balance_kind,
                               .entry = "usage",
                               .centidays = -r->charged_centidays,
                               .effective_on = r->start_date,
                               .request_id = r->id,
                               .account_id = actor.identity.account_id});
    }
    Record(tx, actor, *r, "submitted", from, t.comment, 0);
    return *r;
  });
}

Request ManagementService::Approve(const Actor& actor, int64_t id, const Transition& t) {
  return Decide(actor, id, t, true);
}

Request ManagementService::Reject(const Actor& actor, int64_t id, const Transition& t) {
  if (!t.comment) throw Error::Validation({{"comment", "is required: say why the request is rejected"}});
  return Decide(actor, id, t, false);
}

namespace {

// Gives back what a request charged to a balance.
void ReturnCharge(RequestsTx& tx, const Request& r, const Actor& actor) {
  if (r.charged_centidays <= 0 || !r.balance_kind) return;
  tx.Post(r.employee_id, {.kind = *r.balance_kind,
                          .entry = "return",
                          .centidays = r.charged_centidays,
                          .effective_on = r.start_date,  // when the usage it reverses was
                          .request_id = r.id,
                          .account_id = actor.identity.account_id});
}

}  // namespace

Request ManagementService::Decide(const Actor& actor, int64_t id, const Transition& t, bool approve) {
  const Request current = Visible(actor, id);
  const RequestType type = GetType(current.type);
  // The employee's manager: the approver of a manager step still to come,
  // and of an earlier one, to tell a late decider from a stranger. A
  // one-step request needs none.
  const auto next = current.steps.begin() + std::min<ptrdiff_t>(current.step + 1, std::ssize(current.steps));
  const bool manager_involved =
      current.step > 0 || std::find(next, current.steps.end(), kStepManager) != current.steps.end();
  const std::optional<int64_t> approver =
      manager_involved ? access_.ApproverOf(current.employee_id, current.department_id) : std::nullopt;
  return repository_.Write([&](RequestsTx& tx) {
    auto [locked, posted] = Lock(tx, current, t.expected_version);
    Request* r = &locked;
    if (r->status != kPending) throw StateConflict(*r);
    if (r->step != current.step) throw Error::Conflict("This step of the request was already decided.");
    if (!CanDecide(actor, *r, r->step_role.value_or(""))) {
      // Someone who decided an earlier step and comes again is late, not
      // unauthorised.
      Request earlier = *r;
      earlier.approver_employee_id = approver;
      for (int step = 0; step < r->step; ++step) {
        if (CanDecide(actor, earlier, r->steps[static_cast<size_t>(step)])) {
          throw Error::Conflict("This step of the request was already decided.");
        }
      }
      throw Error::Forbidden("You do not decide this step of the request.");
    }
    const std::string from = r->status;
    if (!approve) {
      const int decided = r->step;
      r->status = std::string(kRejected);
      r->step_role.reset();
      r->approver_employee_id.reset();
      tx.Update(*r);
      ReturnCharge(tx, *r, actor);
      Record(tx, actor, *r, "rejected", from, t.comment, decided);
      return *r;
    }
    TakeCertificate(*r, type, t.certificate_number, /*settling=*/false);
    // Approve every step the caller decides, in order.
    while (r->step + 1 < static_cast<int>(r->steps.size())) {
      const int decided = r->step;
      EnterStep(*r, decided + 1, approver);
      if (!CanDecide(actor, *r, *r->step_role)) {
        tx.Update(*r);
        Record(tx, actor, *r, "step_approved", from, t.comment, decided);
        return *r;
      }
      tx.AppendHistory(r->id, actor, "step_approved", from, r->status, decided, t.comment);
    }
    TakeCertificate(*r, type, std::nullopt, /*settling=*/true);
    FinishApproval(tx, actor, *r, type, t.comment);
    return *r;
  });
}

void ManagementService::FinishApproval(RequestsTx& tx, const Actor& actor, Request& r,
                                       const RequestType& type, const std::optional<std::string>& comment) {
  if (type.kind == kDismissal && r.end_date) {
    // Everything else of the employee is decided first: nothing pending,
    // nothing approved after the last day.
    std::string ids;
    for (const Request& other : tx.ActiveAfter(r.employee_id, std::nullopt, r.id)) {
      const bool after = !other.end_date || *other.end_date > *r.end_date;
      if (other.status == kPending || after) ids += (ids.empty() ? "" : ", ") + std::to_string(other.id);
    }
    if (!ids.empty()) {
      throw Error(ErrorKind::kConflict, "requests-not-settled",
                  "The employee has pending requests or approved ones after the last working day (" + ids +
                      "); decide, withdraw or cancel them first.",
                  {{"end_date", "requests " + ids + " are not settled"}});
    }
  }
  const std::string from = r.status;
  const int decided = r.step;
  r.status = std::string(kApproved);
  r.step_role.reset();
  r.approver_employee_id.reset();
  tx.Update(r);
  Record(tx, actor, r, "approved", from, comment, decided);
  if (type.kind != kDismissal || !r.end_date) return;
  const Date last_day = *r.end_date;
  users_.RecordDismissal(tx.session(), actor, r.employee_id, last_day);
  // Compensation for the leave not used, counted to the last day, where
  // the rest of half a month or more counts as a month. Every entry names
  // the dismissal, so that cancelling it reverses them.
  auto employment = users::UsersService::EmploymentIn(tx.lease(), r.employee_id);
  if (!employment) throw Error::NotFound("No such employee.");
  const users::Employee& leaving = *employment;
  const int posted_months = tx.LockEmployee(r.employee_id);  // held already: the months posted now
  // Days that lapse before the last day are not paid out; they are posted
  // when they fall due, like any lapse.
  int64_t lapsing = 0;
  for (const Lapse& lapse : LapsesIn(tx, leaving, posted_months, tx.LapsedThrough(r.employee_id), last_day)) {
    lapsing += lapse.centidays;
  }
  const int accrued = std::max(posted_months, CompletedMonths(leaving.hire_date, last_day));
  const int compensated = std::max(accrued, MonthsForCompensation(leaving.hire_date, last_day));
  for (LedgerEntry& entry : AccrualEntries(leaving.hire_date, posted_months, compensated)) {
    entry.effective_on = std::min(entry.effective_on, last_day);
    entry.request_id = r.id;
    *entry.comment += " to the last day (half a month or more counts as a month)";
    tx.Post(r.employee_id, entry);
  }
  if (compensated > posted_months) tx.SetAccruedMonths(r.employee_id, compensated);
  for (const std::string_view kind : {kAnnual, kAdditional}) {
    const int64_t left = tx.LedgerSum(r.employee_id, std::string(kind)) - (kind == kAnnual ? lapsing : 0);
    if (left <= 0) continue;
    tx.Post(r.employee_id, {.kind = std::string(kind),
                            .entry = "compensation",
                            .centidays = -left,
                            .effective_on = last_day,
                            .request_id = r.id,
                            .account_id = actor.identity.account_id,
                            .comment = "compensation for unused leave at dismissal"});
  }
}

void ManagementService::ReverseDismissalIn(RequestsTx& tx, const Actor& actor, const Request& r) {
  users_.RecordDismissal(tx.session(), actor, r.employee_id, std::nullopt);
  int64_t accrual_reversed = 0;
  for (const LedgerEntry& entry : tx.EntriesOf(r.id)) {
    if (entry.entry == "accrual") accrual_reversed += entry.centidays;
    tx.Post(r.employee_id, {.kind = entry.kind,
                            .entry = entry.entry,
                            .centidays = -entry.centidays,
                            .effective_on = entry.effective_on,
                            .request_id = r.id,
                            .account_id = actor.identity.account_id,
                            .comment = "dismissal cancelled"});
  }
  // The accrual is posted as it was before the dismissal (the months whose
  // accrual was reversed), then to today.
  const int posted_months = tx.LockEmployee(r.employee_id);  // held already
  int before = posted_months;
  while (before > 0 && AccruedFor(posted_months) - AccruedFor(before) < accrual_reversed) --before;
  if (before != posted_months) tx.SetAccruedMonths(r.employee_id, before);
  if (auto employment = users::UsersService::EmploymentIn(tx.lease(), r.employee_id)) {
    PostAccrualsIn(tx, *employment, before, Today());
  }
}

Request ManagementService::Withdraw(const Actor& actor, int64_t id, const Transition& t) {
  const Request current = Visible(actor, id);
  if (actor.identity.employee_id != current.employee_id && actor.identity.account_id != current.created_by) {
    throw Error::Forbidden("Only the request's author withdraws it.");
  }
  if (!actor.identity.Has(auth::kRequestsWithdraw) && actor.identity.account_id != current.created_by) {
    throw Error::Forbidden("You may not withdraw requests.");
  }
  return repository_.Write([&](RequestsTx& tx) {
    auto [locked, posted] = Lock(tx, current, t.expected_version);
    Request* r = &locked;
    if (r->status != kPending && r->status != kDraft) throw StateConflict(*r);
    const std::string from = r->status;
    r->status = std::string(kWithdrawn);
    r->step_role.reset();
    r->approver_employee_id.reset();
    tx.Update(*r);
    if (from == kPending) ReturnCharge(tx, *r, actor);
    Record(tx, actor, *r, "withdrawn", from, t.comment, std::nullopt);
    return *r;
  });
}

Request ManagementService::Cancel(const Actor& actor, int64_t id, const Transition& t) {
  const Request current = Visible(actor, id);
  const auth::Reach cancel = access_.ReachOf(actor.identity, auth::kRequestsCancel);
  const RequestType type = GetType(current.type);
  // Whoever could have decided every step, or cancels for everyone (hr).
  Request decided = current;
  decided.approver_employee_id = access_.ApproverOf(current.employee_id, current.department_id);
  bool decides_all = true;
  for (const std::string& role : current.steps) {
    decides_all = decides_all && CanDecide(actor, decided, role);
  }
  const bool everyone = cancel.everyone();
  if (!auth::Reaches(cancel, current.employee_id, current.department_id) ||
      actor.identity.employee_id == current.employee_id || !(everyone || decides_all)) {
    throw Error::Forbidden("An approved request is cancelled by those who approve all its steps, or by hr.");
  }
  return repository_.Write([&](RequestsTx& tx) {
    auto [locked, posted] = Lock(tx, current, t.expected_version);
    Request* r = &locked;
    if (r->status != kApproved) throw StateConflict(*r);
    const Date today = Today();
    // A registration made by mistake (a sick leave, overtime) is annulled
    // by hr even after its start; anything else only before it.
    if (r->start_date <= today && !(type.allow_past && everyone)) {
      throw Rule("already-started", "A request that has started cannot be cancelled.", "start_date",
                 "is not after today, " + FormatIsoDate(today));
    }
    const std::string from = r->status;
    r->status = std::string(kCancelled);
    tx.Update(*r);
    ReturnCharge(tx, *r, actor);
    Record(tx, actor, *r, "cancelled", from, t.comment, std::nullopt);
    if (type.kind == kDismissal) ReverseDismissalIn(tx, actor, *r);
    return *r;
  });
}

Request ManagementService::Close(const Actor& actor, int64_t id, Date end_date, const Transition& t) {
  const Request current = Visible(actor, id);
  if (actor.identity.ScopeOf(auth::kRequestsApprove) != Scope::kAll) {
    throw Error::Forbidden("Only hr closes a sick leave.");
  }
  const RequestType type = GetType(current.type);
  return repository_.Write([&](RequestsTx& tx) {
    auto [locked, posted] = Lock(tx, current, t.expected_version);
    Request* r = &locked;
    if (type.kind != kSickLeave || r->end_date) {
      throw Error::Conflict("Only an open sick leave can be closed; this request has an end date.");
    }
    if (r->status != kPending && r->status != kApproved) throw StateConflict(*r);
    if (end_date < r->start_date) throw Error::Validation({{"end_date", "must not be before start_date"}});
    TakeCertificate(*r, type, t.certificate_number, /*settling=*/true);
    const auto others = tx.Overlapping(r->employee_id, r->start_date, end_date, r->id, Today());
    if (!others.empty()) {
      const Request& o = others.front();
      throw Error(ErrorKind::kConflict, "overlap",
                  "The sick leave would overlap request " + std::to_string(o.id) + " (" + o.type + ", from " +
                      FormatIsoDate(o.start_date) + "); move or cancel it first (Labour Code art. 124).",
                  {{"end_date", "overlaps request " + std::to_string(o.id)}});
    }
    const std::string from = r->status;
    r->end_date = end_date;
    tx.Update(*r);
    Record(tx, actor, *r, "closed", from, t.comment, std::nullopt);
    return *r;
  });
}

// ---- balances ----

Balance ManagementService::BalanceOf(RequestsTx& tx, const users::Employee& employee, const std::string& kind,
                                     Date today) {
  const BalanceSums sums = tx.Sums(employee.id, kind);
  Balance b{.kind = kind,
            .as_of = today,
            .balance = sums.total,
            .accrued = sums.accrued,
            .used = sums.used,
            .adjusted = sums.adjusted,
            .expired = sums.expired,
            .pending = sums.pending};
  if (kind != kAnnual) return b;
  // The accrual and lapses due by today that no write has posted yet.
  Date through = today;
  if (employee.dismissal_date) through = std::min(through, *employee.dismissal_date);
  const int posted = tx.AccruedMonths(employee.id);
  const int due = std::max(posted, CompletedMonths(employee.hire_date, through));
  b.balance += AccruedFor(due) - AccruedFor(posted);
  b.accrued += AccruedFor(due) - AccruedFor(posted);
  std::vector<LedgerEntry> entries = tx.Entries(employee.id, b.kind);
  for (LedgerEntry& accrual : AccrualEntries(employee.hire_date, posted, due))
    entries.push_back(std::move(accrual));
  const std::optional<Date> lapsed = tx.LapsedThrough(employee.id);
  for (const Lapse& lapse : LapsesDue(options_.lapses, employee.hire_date, entries, lapsed, through)) {
    b.balance -= lapse.centidays;
    b.expired += lapse.centidays;
    entries.push_back(
        {.kind = b.kind, .entry = "expiry", .centidays = -lapse.centidays, .effective_on = lapse.on});
  }
  WorkingYearState& year = b.working_year.emplace();
  year.start = WorkingYearStart(employee.hire_date, through);
  year.end = AddMonths(year.start, 12) - days{1};
  year.carried_over = CarriedOver(employee.hire_date, entries, through);
  // The next lapse if no more leave is taken than is planned: the accrual
  // of the months to come counts, up to the dismissal date.
  if (options_.lapses.Any()) {
    Date horizon = AddMonths(year.end, options_.lapses.expiry_months) + days{1};
    if (employee.dismissal_date) horizon = std::min(horizon, *employee.dismissal_date);
    for (LedgerEntry& accrual :
         AccrualEntries(employee.hire_date, due, CompletedMonths(employee.hire_date, horizon))) {
      entries.push_back(std::move(accrual));
    }
    const auto next = LapsesDue(options_.lapses, employee.hire_date, entries, through, horizon);
    if (!next.empty()) {
      year.next_lapse_on = next.front().on;
      year.next_lapse = next.front().centidays;
    }
  }
  return b;
}

std::vector<Balance> ManagementService::Balances(const Actor& actor, int64_t employee_id) {
  const users::Employee employee = EmployeeInReach(actor, employee_id, auth::kRequestsRead);
  const Date today = Today();
  return repository_.Read([&](RequestsTx& tx) {
    return std::vector<Balance>{BalanceOf(tx, employee, std::string(kAnnual), today),
                                BalanceOf(tx, employee, std::string(kAdditional), today)};
  });
}

Page<LedgerEntry> ManagementService::Ledger(const Actor& actor, int64_t employee_id,
                                            const std::optional<std::string>& kind,
                                            const http::PageRequest& page_request) {
  EmployeeInReach(actor, employee_id, auth::kRequestsRead);
  return http::PageOf(repository_.Ledger(employee_id, kind, page_request), page_request.limit);
}

std::vector<Balance> ManagementService::Adjust(const Actor& actor, int64_t employee_id,
                                               const std::string& kind, int64_t centidays,
                                               const std::string& comment) {
  const users::Employee employee = EmployeeInReach(actor, employee_id, auth::kRequestsRead);
  const auth::Reach adjust = access_.ReachOf(actor.identity, auth::kBalancesAdjust);
  if (!auth::Reaches(adjust, employee.id, employee.department_id) ||
      actor.identity.employee_id == employee.id) {
    throw Error::Forbidden("Balances are adjusted by hr, and never one's own.");
  }
  repository_.Write([&](RequestsTx& tx) {
    const int posted = tx.LockEmployee(employee.id);
    PostAccrualsIn(tx, employee, posted, Today());
    tx.Post(employee.id, {.kind = kind,
                          .entry = "adjustment",
                          .centidays = centidays,
                          .effective_on = Today(),
                          .account_id = actor.identity.account_id,
                          .comment = comment});
    audit::Append(tx.session(), actor,
                  {"balance.adjust",
                   "employee",
                   std::to_string(employee.id),
                   {{"kind", kind}, {"days", Days(centidays)}, {"comment", comment}}},
                  tx.now());
  });
  return Balances(actor, employee_id);
}

}  // namespace tabel::management
