#include "management/repository.hpp"

#include <nlohmann/json.hpp>

#include <utility>

#include "common/error.hpp"
#include "common/text.hpp"
#include "infra/audit/audit_log.hpp"
#include "infra/db/query.hpp"
#include "infra/db/timestamp.hpp"

namespace tabel::management {
namespace {

constexpr const char* kTypeColumns =
    "SELECT code, name, kind, t13_code, t13_number, approval_steps, notice_days, min_days, max_days, "
    "balance_kind, allow_past, exclusive, confidential, on_behalf, builtin, version FROM request_types";
constexpr const char* kInsertType =
    "INSERT INTO request_types (code, name, kind, t13_code, t13_number, approval_steps, notice_days, "
    "min_days, max_days, balance_kind, allow_past, exclusive, confidential, on_behalf, builtin, version, "
    "created_at, updated_at) VALUES (:code, :name, :kind, :t13_code, :t13_number, :steps, :notice_days, "
    ":min_days, :max_days, :balance_kind, :allow_past, :exclusive, :confidential, :on_behalf, 0, 1, :at, "
    ":updated_at)";
constexpr const char* kUpdateType =
    "UPDATE request_types SET name = :name, kind = :kind, t13_code = :t13_code, t13_number = :t13_number, "
    "approval_steps = :steps, notice_days = :notice_days, min_days = :min_days, max_days = :max_days, "
    "balance_kind = :balance_kind, allow_past = :allow_past, exclusive = :exclusive, confidential = "
    ":confidential, on_behalf = :on_behalf, version = version + 1, updated_at = :updated_at WHERE code = "
    ":code AND version = :version";

// The columns of a request, from `r` (requests or a subset of them) joined
// to its employee `e`; kRequestColumns reads them from every request.
#define TABEL_REQUEST_FIELDS                                                                               \
  "SELECT r.id, r.type, r.employee_id, e.department_id, r.start_date, r.end_date, r.status, r.exclusive, " \
  "r.steps, r.step, r.step_role, r.approver_employee_id, r.balance_kind, r.charged_centidays, r.comment, " \
  "r.destination, r.purpose, r.travel_days, r.certificate_number, r.hours, r.warnings, r.created_by, "     \
  "r.version, r.created_at, r.updated_at"
constexpr const char* kRequestColumns =
    TABEL_REQUEST_FIELDS " FROM requests r JOIN employees e ON e.id = r.employee_id";
// The queue: the pending requests waiting for the caller are found first
// (through requests_pending, whatever the statistics say), and only they
// are joined to their employees for the reach condition. Left to itself
// PostgreSQL may start from the reach's departments and read every
// employee of them. SQLite: a MATERIALIZED CTE, then the join.
constexpr const char* kQueueColumns =
    TABEL_REQUEST_FIELDS " FROM waiting r JOIN employees e ON e.id = r.employee_id";
// PostgreSQL: the candidates in id order behind an OFFSET 0 fence, each
// one's employee read on its own (LATERAL … OFFSET 0: a nested loop that
// keeps that order), so the page stops after its rows instead of reading
// the employee of every request waiting.
constexpr const char* kQueueFields = TABEL_REQUEST_FIELDS;
constexpr const char* kQueueEmployee =
    " ORDER BY r.id OFFSET 0) r CROSS JOIN LATERAL (SELECT e.department_id FROM employees e "
    "WHERE e.id = r.employee_id OFFSET 0) e WHERE ";
#undef TABEL_REQUEST_FIELDS
constexpr const char* kInsertHistory =
    "INSERT INTO request_history (request_id, at, account_id, actor_employee_id, action, from_status, "
    "to_status, step, comment) VALUES (";
constexpr const char* kSelectHistory =
    "SELECT id, at, account_id, actor_employee_id, action, from_status, to_status, step, comment FROM "
    "request_history WHERE request_id = :id ORDER BY id LIMIT :limit";
constexpr const char* kSelectByIdempotencyKey =
    "SELECT id, idempotency_fingerprint FROM requests WHERE created_by = :account AND idempotency_key = :key";
constexpr const char* kTypeCodeTaken = "SELECT COUNT(*) FROM request_types WHERE code = :code";

constexpr const char* kInsertAccount =
    "INSERT INTO leave_accounts (employee_id, accrued_months, updated_at) VALUES (";
constexpr const char* kSelectAccruedMonths =
    "SELECT accrued_months FROM leave_accounts WHERE employee_id = :id";
constexpr const char* kLockAccount = "SELECT accrued_months FROM leave_accounts WHERE employee_id = ";
constexpr const char* kSelectLapsedThrough =
    "SELECT lapsed_through FROM leave_accounts WHERE employee_id = :id";
constexpr const char* kSetLapsedThrough =
    "UPDATE leave_accounts SET lapsed_through = :through, updated_at = :at WHERE employee_id = :id";
constexpr const char* kSetAccruedMonths =
    "UPDATE leave_accounts SET accrued_months = :months, updated_at = :at WHERE employee_id = :id";
constexpr const char* kInsertLedger =
    "INSERT INTO leave_ledger (employee_id, kind, entry, centidays, effective_on, request_id, account_id, "
    "comment, created_at) VALUES (:employee_id, :kind, :entry, :centidays, :effective_on, :request_id, "
    ":account_id, :comment, :at)";
constexpr const char* kLedgerSum =
    "SELECT COALESCE(SUM(centidays), 0) FROM leave_ledger WHERE employee_id = :id AND kind = :kind";
constexpr const char* kLedgerSums =
    "SELECT COALESCE(SUM(centidays), 0), "
    "COALESCE(SUM(CASE WHEN entry IN ('opening', 'accrual') THEN centidays ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN entry IN ('usage', 'return', 'compensation') THEN -centidays ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN entry = 'adjustment' THEN centidays ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN entry = 'expiry' THEN -centidays ELSE 0 END), 0) "
    "FROM leave_ledger WHERE employee_id = :id AND kind = :kind";
constexpr const char* kPendingCharged =
    "SELECT COALESCE(SUM(charged_centidays), 0) FROM requests WHERE employee_id = :id AND balance_kind = "
    ":kind "
    "AND status = 'pending'";
constexpr const char* kLedgerColumns =
    "SELECT id, kind, entry, centidays, effective_on, request_id, account_id, comment FROM leave_ledger";

template <class T>
soci::indicator Ind(const std::optional<T>& value) {
  return value ? soci::i_ok : soci::i_null;
}

std::string JoinSteps(const std::vector<std::string>& steps) {
  std::string text;
  for (const std::string& step : steps) text += (text.empty() ? "" : ",") + step;
  return text;
}

std::vector<std::string> SplitSteps(const std::string& text) {
  std::vector<std::string> steps;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t end = std::min(text.find(',', begin), text.size());
    if (end > begin) steps.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return steps;
}

std::string WarningsText(const std::vector<Warning>& warnings) {
  nlohmann::json array = nlohmann::json::array();
  for (const Warning& w : warnings)
    array.push_back({{"code", w.code}, {"field", w.field}, {"message", w.message}});
  return array.dump();
}

std::vector<Warning> ParseWarnings(const std::string& text) {
  std::vector<Warning> warnings;
  if (text == "[]") return warnings;
  const nlohmann::json array = nlohmann::json::parse(text, nullptr, false);
  if (!array.is_array()) return warnings;
  for (const nlohmann::json& w : array) {
    warnings.push_back({w.value("code", ""), w.value("field", ""), w.value("message", "")});
  }
  return warnings;
}

std::chrono::system_clock::time_point StoredInstant(const std::string& text) {
  const auto at = db::ParseTimestamp(text);
  if (!at) throw Error::Internal("requests: malformed timestamp '" + text + "'");
  return *at;
}

struct TypeRow {
  std::string code, name, kind, t13_code, t13_number, steps, balance_kind, on_behalf;
  int notice = 0, min = 1, max = 0, allow_past = 0, exclusive = 1, confidential = 0, builtin = 0;
  long long version = 0;
  soci::indicator t13_code_ind = soci::i_null, t13_number_ind = soci::i_null, max_ind = soci::i_null,
                  balance_ind = soci::i_null;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(code));
    statement.exchange(soci::into(name));
    statement.exchange(soci::into(kind));
    statement.exchange(soci::into(t13_code, t13_code_ind));
    statement.exchange(soci::into(t13_number, t13_number_ind));
    statement.exchange(soci::into(steps));
    statement.exchange(soci::into(notice));
    statement.exchange(soci::into(min));
    statement.exchange(soci::into(max, max_ind));
    statement.exchange(soci::into(balance_kind, balance_ind));
    statement.exchange(soci::into(allow_past));
    statement.exchange(soci::into(exclusive));
    statement.exchange(soci::into(confidential));
    statement.exchange(soci::into(on_behalf));
    statement.exchange(soci::into(builtin));
    statement.exchange(soci::into(version));
  }

  RequestType ToType() const {
    RequestType t;
    t.code = code;
    t.name = name;
    t.kind = kind;
    if (t13_code_ind == soci::i_ok) t.t13_code = t13_code;
    if (t13_number_ind == soci::i_ok) t.t13_number = t13_number;
    t.steps = SplitSteps(steps);
    t.notice_days = notice;
    t.min_days = min;
    if (max_ind == soci::i_ok) t.max_days = max;
    if (balance_ind == soci::i_ok) t.balance_kind = balance_kind;
    t.allow_past = allow_past != 0;
    t.exclusive = exclusive != 0;
    t.confidential = confidential != 0;
    t.on_behalf = on_behalf;
    t.builtin = builtin != 0;
    t.version = version;
    return t;
  }
};

std::vector<RequestType> SelectTypes(soci::session& session, db::Query& query) {
  TypeRow row;
  return db::FetchAll(session, query, row, [](const TypeRow& r) { return r.ToType(); });
}

// Binds a RequestType for kInsertType / kUpdateType and runs `sql`;
// returns the rows affected.
template <class Extra>
long long SaveType(soci::session& session, const char* sql, const RequestType& t, const std::string& now,
                   Extra&& extra) {
  const std::string t13_code = t.t13_code.value_or(""), t13_number = t.t13_number.value_or(""),
                    balance = t.balance_kind.value_or(""), steps = JoinSteps(t.steps);
  soci::indicator t13_code_ind = Ind(t.t13_code), t13_number_ind = Ind(t.t13_number),
                  max_ind = Ind(t.max_days), balance_ind = Ind(t.balance_kind);
  const int max = t.max_days.value_or(0), allow_past = t.allow_past ? 1 : 0, exclusive = t.exclusive ? 1 : 0,
            confidential = t.confidential ? 1 : 0;
  soci::statement statement(session);
  statement.exchange(soci::use(t.code, "code"));
  statement.exchange(soci::use(t.name, "name"));
  statement.exchange(soci::use(t.kind, "kind"));
  statement.exchange(soci::use(t13_code, t13_code_ind, "t13_code"));
  statement.exchange(soci::use(t13_number, t13_number_ind, "t13_number"));
  statement.exchange(soci::use(steps, "steps"));
  statement.exchange(soci::use(t.notice_days, "notice_days"));
  statement.exchange(soci::use(t.min_days, "min_days"));
  statement.exchange(soci::use(max, max_ind, "max_days"));
  statement.exchange(soci::use(balance, balance_ind, "balance_kind"));
  statement.exchange(soci::use(allow_past, "allow_past"));
  statement.exchange(soci::use(exclusive, "exclusive"));
  statement.exchange(soci::use(confidential, "confidential"));
  statement.exchange(soci::use(t.on_behalf, "on_behalf"));
  statement.exchange(soci::use(now, "updated_at"));
  extra(statement);
  db::ExecuteOnce(statement, sql);
  return statement.get_affected_rows();
}

nlohmann::json TypeAudit(const RequestType& t) {
  return {{"code", t.code},
          {"name", t.name},
          {"kind", t.kind},
          {"steps", t.steps},
          {"notice_days", t.notice_days},
          {"min_days", t.min_days},
          {"max_days", t.max_days ? nlohmann::json(*t.max_days) : nlohmann::json()},
          {"exclusive", t.exclusive},
          {"confidential", t.confidential},
          {"allow_past", t.allow_past},
          {"on_behalf", t.on_behalf}};
}

struct RequestRow {
  long long id = 0, employee_id = 0, department_id = 0, approver = 0, charged = 0, created_by = 0,
            version = 0;
  std::string type, start_date, end_date, status, steps, step_role, balance_kind, comment, destination,
      purpose, certificate, warnings, created_at, updated_at;
  int exclusive = 1, step = 0, travel_days = 0, hours = 0;
  soci::indicator end_ind = soci::i_null, step_role_ind = soci::i_null, approver_ind = soci::i_null,
                  balance_ind = soci::i_null, comment_ind = soci::i_null, destination_ind = soci::i_null,
                  purpose_ind = soci::i_null, travel_ind = soci::i_null, certificate_ind = soci::i_null,
                  hours_ind = soci::i_null;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(type));
    statement.exchange(soci::into(employee_id));
    statement.exchange(soci::into(department_id));
    statement.exchange(soci::into(start_date));
    statement.exchange(soci::into(end_date, end_ind));
    statement.exchange(soci::into(status));
    statement.exchange(soci::into(exclusive));
    statement.exchange(soci::into(steps));
    statement.exchange(soci::into(step));
    statement.exchange(soci::into(step_role, step_role_ind));
    statement.exchange(soci::into(approver, approver_ind));
    statement.exchange(soci::into(balance_kind, balance_ind));
    statement.exchange(soci::into(charged));
    statement.exchange(soci::into(comment, comment_ind));
    statement.exchange(soci::into(destination, destination_ind));
    statement.exchange(soci::into(purpose, purpose_ind));
    statement.exchange(soci::into(travel_days, travel_ind));
    statement.exchange(soci::into(certificate, certificate_ind));
    statement.exchange(soci::into(hours, hours_ind));
    statement.exchange(soci::into(warnings));
    statement.exchange(soci::into(created_by));
    statement.exchange(soci::into(version));
    statement.exchange(soci::into(created_at));
    statement.exchange(soci::into(updated_at));
  }

  template <class T>
  static std::optional<T> Opt(const T& value, soci::indicator ind) {
    return ind == soci::i_ok ? std::optional<T>(value) : std::nullopt;
  }

  Request ToRequest() const {
    Request r;
    r.id = id;
    r.type = type;
    r.employee_id = employee_id;
    r.department_id = department_id;
    r.start_date = db::ParseStoredDate(start_date, "requests.start_date");
    if (end_ind == soci::i_ok) r.end_date = db::ParseStoredDate(end_date, "requests.end_date");
    r.status = status;
    r.exclusive = exclusive != 0;
    r.steps = SplitSteps(steps);
    r.step = step;
    r.step_role = Opt(step_role, step_role_ind);
    if (approver_ind == soci::i_ok) r.approver_employee_id = approver;
    r.balance_kind = Opt(balance_kind, balance_ind);
    r.charged_centidays = charged;
    r.comment = Opt(comment, comment_ind);
    r.destination = Opt(destination, destination_ind);
    r.purpose = Opt(purpose, purpose_ind);
    r.travel_days = Opt(travel_days, travel_ind);
    r.certificate_number = Opt(certificate, certificate_ind);
    r.hours = Opt(hours, hours_ind);
    r.warnings = ParseWarnings(warnings);
    r.created_by = created_by;
    r.version = version;
    r.created_at = StoredInstant(created_at);
    r.updated_at = StoredInstant(updated_at);
    return r;
  }
};

std::vector<Request> SelectRequests(soci::session& session, db::Query& query) {
  RequestRow row;
  return db::FetchAll(session, query, row, [](const RequestRow& r) { return r.ToRequest(); });
}

// SelectRequests through the statement the session keeps prepared for the
// query's text (db::FetchCached).
std::vector<Request> FetchRequests(db::Lease& lease, db::Query query) {
  return db::FetchCached<RequestRow>(lease, std::move(query),
                                     [](const RequestRow& r) { return r.ToRequest(); });
}

std::optional<long long> OptionalInt(const std::optional<int>& value) {
  return value ? std::optional<long long>(*value) : std::nullopt;
}

std::optional<std::string> OptionalDate(const std::optional<Date>& value) {
  return value ? std::optional<std::string>(FormatIsoDate(*value)) : std::nullopt;
}

// The mutable columns of a request and the placeholders of their values in
// `query`, for the insert and the update, always in the same order (so the
// statement's text repeats and stays prepared).
std::vector<std::pair<const char*, std::string>> MutableColumns(db::Query& query, const Request& r) {
  return {{"start_date", query.Param(FormatIsoDate(r.start_date))},
          {"end_date", query.Param(OptionalDate(r.end_date))},
          {"status", query.Param(r.status)},
          {"steps", query.Param(JoinSteps(r.steps))},
          {"step", query.Param(static_cast<long long>(r.step))},
          {"step_role", query.Param(r.step_role)},
          {"approver_employee_id",
           query.Param(r.approver_employee_id ? std::optional<long long>(*r.approver_employee_id)
                                              : std::nullopt)},
          {"balance_kind", query.Param(r.balance_kind)},
          {"charged_centidays", query.Param(static_cast<long long>(r.charged_centidays))},
          {"comment", query.Param(r.comment)},
          {"destination", query.Param(r.destination)},
          {"purpose", query.Param(r.purpose)},
          {"travel_days", query.Param(OptionalInt(r.travel_days))},
          {"certificate_number", query.Param(r.certificate_number)},
          {"hours", query.Param(OptionalInt(r.hours))},
          {"warnings", query.Param(WarningsText(r.warnings))},
          {"exclusive", query.Param(static_cast<long long>(r.exclusive ? 1 : 0))}};
}

// The id an INSERT … RETURNING id gives back.
struct IdRow {
  long long id = 0;
  void Exchange(soci::statement& statement) { statement.exchange(soci::into(id)); }
};

// The accrued months of a leave account.
struct MonthsRow {
  int months = 0;
  void Exchange(soci::statement& statement) { statement.exchange(soci::into(months)); }
};

struct LedgerRow {
  long long id = 0, centidays = 0, request = 0, account = 0;
  std::string kind, entry, effective, comment;
  soci::indicator request_ind = soci::i_null, account_ind = soci::i_null, comment_ind = soci::i_null;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(kind));
    statement.exchange(soci::into(entry));
    statement.exchange(soci::into(centidays));
    statement.exchange(soci::into(effective));
    statement.exchange(soci::into(request, request_ind));
    statement.exchange(soci::into(account, account_ind));
    statement.exchange(soci::into(comment, comment_ind));
  }

  LedgerEntry ToEntry() const {
    LedgerEntry e;
    e.id = id;
    e.kind = kind;
    e.entry = entry;
    e.centidays = centidays;
    e.effective_on = db::ParseStoredDate(effective, "leave_ledger.effective_on");
    if (request_ind == soci::i_ok) e.request_id = request;
    if (account_ind == soci::i_ok) e.account_id = account;
    if (comment_ind == soci::i_ok) e.comment = comment;
    return e;
  }
};

std::vector<LedgerEntry> SelectLedger(soci::session& session, db::Query& query) {
  LedgerRow row;
  return db::FetchAll(session, query, row, [](const LedgerRow& r) { return r.ToEntry(); });
}

// Appends " AND r.id > cursor ORDER BY r.id LIMIT limit + 1".
void AppendPageEnd(db::Query& query, const http::PageRequest& page) {
  if (page.after) query << " AND r.id > " << query.Param(static_cast<long long>(*page.after));
  query << " ORDER BY r.id LIMIT " << query.Param(static_cast<long long>(page.limit) + 1);
}

}  // namespace

// ---- RequestsTx ----

RequestsTx::RequestsTx(db::Lease& lease, db::Dialect dialect, std::chrono::system_clock::time_point now)
    : lease_(lease), session_(lease.session()), dialect_(dialect), now_(now) {}

int RequestsTx::LockEmployee(int64_t employee_id) {
  const auto lock = [&] {
    db::Query query;
    query << kLockAccount << query.Param(static_cast<long long>(employee_id)) << db::ForUpdate(dialect_);
    return db::FetchCached<MonthsRow>(lease_, std::move(query),
                                      [](const MonthsRow& row) { return row.months; });
  };
  // The account exists after the employee's first change: one statement.
  std::vector<int> months = lock();
  if (!months.empty()) return months.front();
  db::Query insert;
  insert << kInsertAccount << insert.Param(static_cast<long long>(employee_id)) << ", 0, "
         << insert.Param(db::FormatTimestamp(now_)) << ") ON CONFLICT (employee_id) DO NOTHING";
  db::ExecuteCached(lease_, std::move(insert));
  months = lock();
  if (months.empty()) throw Error::Internal("leave_accounts: the account just made is missing");
  return months.front();
}

void RequestsTx::SetAccruedMonths(int64_t employee_id, int months) {
  const long long id = employee_id;
  const std::string at = db::FormatTimestamp(now_);
  session_ << kSetAccruedMonths, soci::use(months, "months"), soci::use(at, "at"), soci::use(id, "id");
}

std::optional<RequestType> RequestsTx::FindType(const std::string& code) {
  db::Query query;
  query << kTypeColumns << " WHERE code = " << query.Param(code);
  auto types =
      db::FetchCached<TypeRow>(lease_, std::move(query), [](const TypeRow& row) { return row.ToType(); });
  if (types.empty()) return std::nullopt;
  return std::move(types.front());
}

std::optional<Request> RequestsTx::FindForUpdate(int64_t id) {
  db::Query query;
  query << kRequestColumns << " WHERE r.id = " << query.Param(static_cast<long long>(id));
  if (dialect_ == db::Dialect::kPostgresql) query << " FOR UPDATE OF r";
  auto requests = FetchRequests(lease_, std::move(query));
  if (requests.empty()) return std::nullopt;
  return std::move(requests.front());
}

std::optional<std::pair<Request, std::string>> RequestsTx::FindByIdempotencyKey(int64_t account,
                                                                                const std::string& key) {
  long long id = 0;
  std::string fingerprint;
  soci::indicator fingerprint_ind = soci::i_null;
  const long long by = account;
  session_ << kSelectByIdempotencyKey, soci::into(id), soci::into(fingerprint, fingerprint_ind),
      soci::use(by, "account"), soci::use(key, "key");
  if (!session_.got_data()) return std::nullopt;
  auto request = FindForUpdate(id);
  if (!request) return std::nullopt;
  return std::make_pair(std::move(*request), fingerprint_ind == soci::i_ok ? fingerprint : std::string());
}

std::vector<Request> RequestsTx::Overlapping(int64_t employee_id, Date start, std::optional<Date> end,
                                             int64_t except, Date today) {
  const std::string from = FormatIsoDate(start);
  db::Query query;
  query << kRequestColumns << " WHERE r.employee_id = " << query.Param(static_cast<long long>(employee_id))
        << " AND r.exclusive = 1 AND r.status IN ('pending', 'approved') AND r.id <> "
        << query.Param(static_cast<long long>(except)) << " AND (r.end_date >= " << query.Param(from)
        << " OR (r.end_date IS NULL";
  // An open one lasts until max(its start, today).
  if (today < start) query << " AND r.start_date >= " << query.Param(from);
  query << ")) AND r.start_date <= " << query.Param(FormatIsoDate(end.value_or(std::max(start, today))))
        << " ORDER BY r.start_date";
  return FetchRequests(lease_, std::move(query));
}

std::vector<Request> RequestsTx::ActiveAfter(int64_t employee_id, std::optional<Date> date, int64_t except) {
  db::Query query;
  query << kRequestColumns << " WHERE r.employee_id = " << query.Param(static_cast<long long>(employee_id))
        << " AND r.status IN ('pending', 'approved') AND r.id <> "
        << query.Param(static_cast<long long>(except));
  if (date) query << " AND (r.end_date IS NULL OR r.end_date > " << query.Param(FormatIsoDate(*date)) << ")";
  query << " ORDER BY r.id";
  return SelectRequests(session_, query);
}

std::vector<LedgerEntry> RequestsTx::EntriesOf(int64_t request_id) {
  db::Query query;
  query << kLedgerColumns << " WHERE request_id = " << query.Param(static_cast<long long>(request_id))
        << " ORDER BY id";
  return SelectLedger(session_, query);
}

std::vector<Request> RequestsTx::ChargedBetween(int64_t employee_id, const std::string& balance_kind,
                                                Date from, Date to, int64_t except) {
  db::Query query;
  query << kRequestColumns << " WHERE r.employee_id = " << query.Param(static_cast<long long>(employee_id))
        << " AND r.balance_kind = " << query.Param(balance_kind)
        << " AND r.status IN ('pending', 'approved') AND r.id <> "
        << query.Param(static_cast<long long>(except))
        << " AND r.start_date >= " << query.Param(FormatIsoDate(from))
        << " AND r.start_date <= " << query.Param(FormatIsoDate(to)) << " ORDER BY r.start_date";
  return SelectRequests(session_, query);
}

void RequestsTx::Insert(Request& request, const std::optional<std::string>& idempotency_key,
                        const std::string& fingerprint) {
  db::Query query;
  const std::string at = db::FormatTimestamp(now_);
  std::vector<std::pair<const char*, std::string>> columns = {
      {"type", query.Param(request.type)},
      {"employee_id", query.Param(static_cast<long long>(request.employee_id))}};
  for (auto& column : MutableColumns(query, request)) columns.push_back(std::move(column));
  columns.insert(columns.end(),
                 {{"created_by", query.Param(static_cast<long long>(request.created_by))},
                  {"idempotency_key", query.Param(idempotency_key)},
                  {"idempotency_fingerprint",
                   query.Param(idempotency_key ? std::optional<std::string>(fingerprint) : std::nullopt)},
                  {"version", "1"},
                  {"created_at", query.Param(at)},
                  {"updated_at", query.Param(at)}});
  std::string names, values;
  for (const auto& [name, value] : columns) {
    names += (names.empty() ? "" : ", ") + std::string(name);
    values += (values.empty() ? "" : ", ") + value;
  }
  query << "INSERT INTO requests (" << names << ") VALUES (" << values << ") RETURNING id";
  const auto ids = db::FetchCached<IdRow>(lease_, std::move(query), [](const IdRow& row) { return row.id; });
  if (ids.empty()) throw Error::Internal("requests: the insert returned no id");
  request.id = ids.front();
  request.version = 1;
  request.created_at = request.updated_at = StoredNow();
}

void RequestsTx::Update(Request& request) {
  db::Query query;
  std::string assignments;
  for (const auto& [name, value] : MutableColumns(query, request)) {
    assignments += std::string(name) + " = " + value + ", ";
  }
  query << "UPDATE requests SET " << assignments
        << "version = version + 1, updated_at = " << query.Param(db::FormatTimestamp(now_))
        << " WHERE id = " << query.Param(static_cast<long long>(request.id));
  db::ExecuteCached(lease_, std::move(query));
  ++request.version;
  request.updated_at = StoredNow();
}

std::chrono::system_clock::time_point RequestsTx::StoredNow() const {
  // What a timestamp column gives back: microseconds (db::FormatTimestamp).
  return std::chrono::floor<std::chrono::microseconds>(now_);
}

void RequestsTx::AppendHistory(int64_t request_id, const Actor& actor, const std::string& action,
                               const std::optional<std::string>& from_status, const std::string& to_status,
                               std::optional<int> step, const std::optional<std::string>& comment) {
  const auto& employee = actor.identity.employee_id;
  db::Query query;
  query << kInsertHistory << query.Param(static_cast<long long>(request_id)) << ", "
        << query.Param(db::FormatTimestamp(now_)) << ", "
        << query.Param(static_cast<long long>(actor.identity.account_id)) << ", "
        << query.Param(employee ? std::optional<long long>(*employee) : std::nullopt) << ", "
        << query.Param(action) << ", " << query.Param(from_status) << ", " << query.Param(to_status) << ", "
        << query.Param(OptionalInt(step)) << ", " << query.Param(comment) << ")";
  db::ExecuteCached(lease_, std::move(query));
}

void RequestsTx::Post(int64_t employee_id, const LedgerEntry& entry) {
  const long long employee = employee_id, centidays = entry.centidays, request = entry.request_id.value_or(0),
                  account = entry.account_id.value_or(0);
  const std::string at = db::FormatTimestamp(now_), effective = FormatIsoDate(entry.effective_on),
                    comment = entry.comment.value_or("");
  soci::indicator request_ind = Ind(entry.request_id), account_ind = Ind(entry.account_id),
                  comment_ind = Ind(entry.comment);
  soci::statement statement(session_);
  statement.exchange(soci::use(employee, "employee_id"));
  statement.exchange(soci::use(entry.kind, "kind"));
  statement.exchange(soci::use(entry.entry, "entry"));
  statement.exchange(soci::use(centidays, "centidays"));
  statement.exchange(soci::use(effective, "effective_on"));
  statement.exchange(soci::use(request, request_ind, "request_id"));
  statement.exchange(soci::use(account, account_ind, "account_id"));
  statement.exchange(soci::use(comment, comment_ind, "comment"));
  statement.exchange(soci::use(at, "at"));
  db::ExecuteOnce(statement, kInsertLedger);
}

int64_t RequestsTx::LedgerSum(int64_t employee_id, const std::string& kind) {
  const long long id = employee_id;
  long long sum = 0;
  session_ << kLedgerSum, soci::into(sum), soci::use(id, "id"), soci::use(kind, "kind");
  return sum;
}

int RequestsTx::AccruedMonths(int64_t employee_id) {
  const long long id = employee_id;
  int months = 0;
  session_ << kSelectAccruedMonths, soci::into(months), soci::use(id, "id");
  return session_.got_data() ? months : 0;
}

std::optional<Date> RequestsTx::LapsedThrough(int64_t employee_id) {
  const long long id = employee_id;
  std::string through;
  soci::indicator through_ind = soci::i_null;
  session_ << kSelectLapsedThrough, soci::into(through, through_ind), soci::use(id, "id");
  if (!session_.got_data() || through_ind != soci::i_ok) return std::nullopt;
  return db::ParseStoredDate(through, "leave_accounts.lapsed_through");
}

void RequestsTx::SetLapsedThrough(int64_t employee_id, Date through) {
  const long long id = employee_id;
  const std::string at = db::FormatTimestamp(now_), day = FormatIsoDate(through);
  session_ << kSetLapsedThrough, soci::use(day, "through"), soci::use(at, "at"), soci::use(id, "id");
}

std::vector<LedgerEntry> RequestsTx::Entries(int64_t employee_id, const std::string& kind) {
  db::Query query;
  query << kLedgerColumns << " WHERE employee_id = " << query.Param(static_cast<long long>(employee_id))
        << " AND kind = " << query.Param(kind) << " ORDER BY id";
  return SelectLedger(session_, query);
}

BalanceSums RequestsTx::Sums(int64_t employee_id, const std::string& kind) {
  const long long id = employee_id;
  long long total = 0, accrued = 0, used = 0, adjusted = 0, expired = 0, pending = 0;
  session_ << kLedgerSums, soci::into(total), soci::into(accrued), soci::into(used), soci::into(adjusted),
      soci::into(expired), soci::use(id, "id"), soci::use(kind, "kind");
  session_ << kPendingCharged, soci::into(pending), soci::use(id, "id"), soci::use(kind, "kind");
  return {.total = total,
          .accrued = accrued,
          .used = used,
          .adjusted = adjusted,
          .expired = expired,
          .pending = pending};
}

// ---- RequestsRepository ----

RequestsRepository::RequestsRepository(db::Database& database, Clock clock)
    : database_(database), clock_(std::move(clock)) {}

std::vector<RequestType> RequestsRepository::ListTypes() {
  db::Query query;
  query << kTypeColumns << " ORDER BY code";
  return db::WithSession(database_, [&](soci::session& session) { return SelectTypes(session, query); });
}

std::optional<RequestType> RequestsRepository::FindType(const std::string& code) {
  return db::WithLease(database_, [&](db::Lease& lease) {
    return RequestsTx(lease, database_.dialect(), clock_()).FindType(code);
  });
}

void RequestsRepository::InsertType(const RequestType& type, const Actor& actor) {
  const auto now = clock_();
  const std::string at = db::FormatTimestamp(now);
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    long long taken = 0;
    session << kTypeCodeTaken, soci::into(taken), soci::use(type.code, "code");
    if (taken > 0) {
      throw Error(ErrorKind::kConflict, "conflict", "Another request type has this code.",
                  {{"code", "is already taken"}});
    }
    SaveType(session, kInsertType, type, at, [&](soci::statement& s) { s.exchange(soci::use(at, "at")); });
    audit::Append(session, actor, {"request_type.create", "request_type", type.code, TypeAudit(type)}, now);
  });
}

void RequestsRepository::UpdateType(const RequestType& type, int64_t expected_version, const Actor& actor) {
  const auto now = clock_();
  const std::string at = db::FormatTimestamp(now);
  const long long version = expected_version;
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    const long long changed = SaveType(session, kUpdateType, type, at, [&](soci::statement& s) {
      s.exchange(soci::use(version, "version"));
    });
    if (changed == 0) {
      throw Error::Conflict("The request type was changed by someone else; read it again.");
    }
    audit::Append(session, actor, {"request_type.update", "request_type", type.code, TypeAudit(type)}, now);
  });
}

std::optional<Request> RequestsRepository::Find(int64_t id) {
  db::Query query;
  query << kRequestColumns << " WHERE r.id = " << query.Param(static_cast<long long>(id));
  return db::WithLease(database_, [&](db::Lease& lease) -> std::optional<Request> {
    auto requests = FetchRequests(lease, std::move(query));
    if (requests.empty()) return std::nullopt;
    return std::move(requests.front());
  });
}

std::vector<Request> RequestsRepository::List(const RequestQuery& filter, const auth::Reach& read) {
  db::Query query;
  query << kRequestColumns << " WHERE ";
  auth::AppendReachCondition(query, read, "r.employee_id", "e.department_id");
  if (filter.employee_id)
    query << " AND r.employee_id = " << query.Param(static_cast<long long>(*filter.employee_id));
  if (filter.status) query << " AND r.status = " << query.Param(*filter.status);
  if (filter.type) query << " AND r.type = " << query.Param(*filter.type);
  if (filter.to) query << " AND r.start_date <= " << query.Param(FormatIsoDate(*filter.to));
  if (filter.from) {
    query << " AND (r.end_date IS NULL OR r.end_date >= " << query.Param(FormatIsoDate(*filter.from)) << ")";
  }
  AppendPageEnd(query, filter.page);
  return db::WithSession(database_, [&](soci::session& session) { return SelectRequests(session, query); });
}

std::vector<Request> RequestsRepository::Queue(const std::vector<int64_t>& approvers, bool hr,
                                               std::optional<int64_t> self, const auth::Reach& reach,
                                               const http::PageRequest& page) {
  // Every value is bound (the approvers and the reach's departments as one
  // parameter each), so the text depends only on the shape of the call and
  // the statement stays prepared on the session.
  const db::Dialect dialect = database_.dialect();
  const bool postgres = dialect == db::Dialect::kPostgresql;
  db::Query query;
  query << (postgres ? std::string(kQueueFields) + " FROM (" : std::string("WITH waiting AS MATERIALIZED ("))
        << "SELECT * FROM requests r WHERE r.status = 'pending' AND (";
  bool first = true;
  if (!approvers.empty()) {
    query << "(r.step_role = 'manager' AND ";
    db::AppendInBoundIds(query, "r.approver_employee_id", approvers, dialect);
    query << ")";
    first = false;
  }
  if (hr) {
    query << (first ? "" : " OR ")
          << "r.step_role = 'hr' OR (r.step_role = 'manager' AND r.approver_employee_id IS NULL)";
    first = false;
  }
  if (first) query << "1 = 0";
  query << ")";
  if (self) query << " AND r.employee_id <> " << query.Param(static_cast<long long>(*self));
  if (page.after) query << " AND r.id > " << query.Param(static_cast<long long>(*page.after));
  if (postgres) {
    query << kQueueEmployee;
  } else {
    query << ") " << kQueueColumns << " WHERE ";
  }
  auth::AppendReachCondition(query, reach, "r.employee_id", "e.department_id", dialect);
  AppendPageEnd(query, page);
  return db::WithLease(database_, [&](db::Lease& lease) { return FetchRequests(lease, std::move(query)); });
}

std::vector<HistoryEntry> RequestsRepository::History(int64_t request_id) {
  return db::WithSession(database_, [&](soci::session& session) {
    long long id = 0, account = 0, employee = 0;
    const long long request = request_id;
    const int limit = kMaxHistory;
    std::string at, action, from, to, comment;
    int step = 0;
    soci::indicator account_ind = soci::i_null, employee_ind = soci::i_null, from_ind = soci::i_null,
                    step_ind = soci::i_null, comment_ind = soci::i_null;
    soci::statement statement =
        (session.prepare << kSelectHistory, soci::into(id), soci::into(at), soci::into(account, account_ind),
         soci::into(employee, employee_ind), soci::into(action), soci::into(from, from_ind), soci::into(to),
         soci::into(step, step_ind), soci::into(comment, comment_ind), soci::use(request, "id"),
         soci::use(limit, "limit"));
    statement.execute(false);
    std::vector<HistoryEntry> entries;
    while (statement.fetch()) {
      HistoryEntry e;
      e.id = id;
      e.at = StoredInstant(at);
      if (account_ind == soci::i_ok) e.account_id = account;
      if (employee_ind == soci::i_ok) e.actor_employee_id = employee;
      e.action = action;
      if (from_ind == soci::i_ok) e.from_status = from;
      e.to_status = to;
      if (step_ind == soci::i_ok) e.step = step;
      if (comment_ind == soci::i_ok) e.comment = comment;
      entries.push_back(std::move(e));
    }
    return entries;
  });
}

std::vector<LedgerEntry> RequestsRepository::Ledger(int64_t employee_id,
                                                    const std::optional<std::string>& kind,
                                                    const http::PageRequest& page) {
  db::Query query;
  query << kLedgerColumns << " WHERE employee_id = " << query.Param(static_cast<long long>(employee_id));
  if (kind) query << " AND kind = " << query.Param(*kind);
  if (page.after) query << " AND id > " << query.Param(static_cast<long long>(*page.after));
  query << " ORDER BY id LIMIT " << query.Param(static_cast<long long>(page.limit) + 1);
  return db::WithSession(database_, [&](soci::session& session) { return SelectLedger(session, query); });
}

}  // namespace tabel::management
