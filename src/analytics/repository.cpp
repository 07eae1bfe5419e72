#include "analytics/repository.hpp"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include "infra/audit/audit_log.hpp"
#include "infra/db/query.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::analytics {
namespace {

constexpr const char* kPersonColumns = "SELECT " TABEL_PERSON_COLUMNS;
constexpr const char* kActivityColumns =
    "SELECT r.id, r.employee_id, t.kind, t.t13_code, t.balance_kind, r.start_date, r.end_date, r.hours "
    "FROM requests r JOIN request_types t ON t.code = r.type WHERE r.status = 'approved' "
    "AND t.kind <> 'dismissal'";
constexpr const char* kCorrectionColumns =
    "SELECT id, employee_id, work_date, period, code1, hours1, code2, hours2, reason, automatic, account_id, "
    "version, updated_at FROM timesheet_corrections";
constexpr const char* kSnapshotColumns =
    "SELECT employee_id, department_id, personnel_number, name, position, days FROM timesheet_snapshots";
constexpr const char* kClosingColumns =
    "SELECT id, period, department_id, people, account_id, closed_at, reopened_by, reopened_at, "
    "reopen_reason FROM timesheet_closings";

constexpr const char* kLockMonth =
    "INSERT INTO timesheet_locks (period, touched) VALUES (:period, 1) "
    "ON CONFLICT (period) DO UPDATE SET touched = timesheet_locks.touched + 1";
constexpr const char* kInsertCorrection =
    "INSERT INTO timesheet_corrections (employee_id, work_date, period, code1, hours1, code2, hours2, "
    "reason, "
    "automatic, account_id, version, created_at, updated_at) VALUES (:employee, :date, :period, :code1, "
    ":hours1, :code2, :hours2, :reason, :automatic, :account, 1, :at, :updated_at)";
constexpr const char* kUpdateCorrection =
    "UPDATE timesheet_corrections SET code1 = :code1, hours1 = :hours1, code2 = :code2, hours2 = :hours2, "
    "reason = :reason, automatic = :automatic, account_id = :account, version = version + 1, updated_at = "
    ":at "
    "WHERE id = :id";
constexpr const char* kDeleteCorrection = "DELETE FROM timesheet_corrections WHERE id = :id";
constexpr const char* kSnapshotPeriods =
    "SELECT period FROM timesheet_snapshots WHERE employee_id = :employee AND period >= :period "
    "ORDER BY period";
constexpr const char* kInsertClosing =
    "INSERT INTO timesheet_closings (period, department_id, people, account_id, closed_at) "
    "VALUES (:period, :department, :people, :account, :at)";
constexpr const char* kLastClosing = "SELECT MAX(id) FROM timesheet_closings WHERE period = :period";
constexpr const char* kInsertSnapshot =
    "INSERT INTO timesheet_snapshots (period, employee_id, closing_id, department_id, personnel_number, "
    "name, position, days) VALUES (:period, :employee, :closing, :department, :number, :name, :position, "
    ":days) ON CONFLICT (period, employee_id) DO NOTHING";
constexpr const char* kInsertAssignment =
    "INSERT INTO timekeeper_assignments (employee_id, department_id, created_at) VALUES (:employee, "
    ":department, :at) ON CONFLICT (employee_id, department_id) DO NOTHING";
constexpr const char* kDeleteAssignment =
    "DELETE FROM timekeeper_assignments WHERE employee_id = :employee AND department_id = :department";

struct ActivityRow {
  long long id = 0, employee_id = 0;
  std::string kind, code, balance_kind, start_date, end_date;
  int hours = 0;
  soci::indicator code_ind = soci::i_null, balance_ind = soci::i_null, end_ind = soci::i_null,
                  hours_ind = soci::i_null;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(employee_id));
    statement.exchange(soci::into(kind));
    statement.exchange(soci::into(code, code_ind));
    statement.exchange(soci::into(balance_kind, balance_ind));
    statement.exchange(soci::into(start_date));
    statement.exchange(soci::into(end_date, end_ind));
    statement.exchange(soci::into(hours, hours_ind));
  }

  TimesheetActivity ToActivity() const {
    TimesheetActivity a;
    a.request_id = id;
    a.employee_id = employee_id;
    a.kind = kind;
    if (code_ind == soci::i_ok) a.code = code;
    a.leave = balance_ind == soci::i_ok;
    a.start_date = db::ParseStoredDate(start_date, "start_date");
    if (end_ind == soci::i_ok) a.end_date = db::ParseStoredDate(end_date, "end_date");
    if (hours_ind == soci::i_ok) a.hours = hours;
    return a;
  }
};

CodeId StoredCode(const std::string& text) {
  const std::optional<CodeId> code = FindCode(text);
  if (!code) throw Error::Internal("A stored T-13 code is unknown: " + text);
  return *code;
}

struct CorrectionRow {
  long long id = 0, employee_id = 0, account_id = 0, version = 0;
  std::string date, period, code1, code2, reason, updated_at;
  int hours1 = 0, hours2 = 0, automatic = 0;
  soci::indicator code2_ind = soci::i_null, hours2_ind = soci::i_null;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(employee_id));
    statement.exchange(soci::into(date));
    statement.exchange(soci::into(period));
    statement.exchange(soci::into(code1));
    statement.exchange(soci::into(hours1));
    statement.exchange(soci::into(code2, code2_ind));
    statement.exchange(soci::into(hours2, hours2_ind));
    statement.exchange(soci::into(reason));
    statement.exchange(soci::into(automatic));
    statement.exchange(soci::into(account_id));
    statement.exchange(soci::into(version));
    statement.exchange(soci::into(updated_at));
  }

  Correction ToCorrection() const {
    Correction c;
    c.id = id;
    c.employee_id = employee_id;
    c.date = db::ParseStoredDate(date, "work_date");
    c.period = ParseStoredMonth(period, "timesheet period");
    c.entries.push_back({StoredCode(code1), hours1});
    if (code2_ind == soci::i_ok)
      c.entries.push_back({StoredCode(code2), hours2_ind == soci::i_ok ? hours2 : 0});
    c.reason = reason;
    c.automatic = automatic != 0;
    c.account_id = account_id;
    c.version = version;
    c.updated_at = db::ParseStoredTimestamp(updated_at, "timesheet_corrections.updated_at");
    return c;
  }
};

// A snapshot's days as JSON: {"days": [[["Я", 80], ["С", 20]], [], …],
// "corrected": [12, …] (days of the month), "norm": [days, tenths]}.
std::string EncodeDays(const T13Row& row) {
  nlohmann::json days = nlohmann::json::array();
  nlohmann::json corrected = nlohmann::json::array();
  for (size_t i = 0; i < row.days.size(); ++i) {
    nlohmann::json entries = nlohmann::json::array();
    for (const DayEntry& entry : row.days[i].Entries()) {
      entries.push_back({CodeInfo(entry.code).letter, entry.hours_tenths});
    }
    days.push_back(std::move(entries));
    if (row.days[i].corrected) corrected.push_back(i + 1);
  }
  return nlohmann::json{{"days", std::move(days)},
                        {"corrected", std::move(corrected)},
                        {"norm", {row.totals.norm.days, row.totals.norm.hours_tenths}}}
      .dump();
}

void DecodeDays(const std::string& text, T13Row& row) try {
  const nlohmann::json json = nlohmann::json::parse(text);
  for (const nlohmann::json& day : json.at("days")) {
    TimesheetDay parsed;
    for (const nlohmann::json& entry : day) {
      if (parsed.count == parsed.entries.size()) break;
      parsed.entries[parsed.count++] = {StoredCode(entry.at(0).get<std::string>()),
                                        entry.at(1).get<int32_t>()};
    }
    row.days.push_back(parsed);
  }
  for (const nlohmann::json& day : json.at("corrected")) {
    const auto index = day.get<size_t>();
    if (index >= 1 && index <= row.days.size()) row.days[index - 1].corrected = true;
  }
  const nlohmann::json& norm = json.at("norm");
  row.totals = Summarize(row.days, {norm.at(0).get<int32_t>(), norm.at(1).get<int64_t>()});
} catch (const nlohmann::json::exception& error) {
  throw Error::Internal(std::string("A timesheet snapshot is malformed: ") + error.what());
}

struct SnapshotRow {
  long long employee_id = 0, department_id = 0;
  std::string number, name, position, days;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(employee_id));
    statement.exchange(soci::into(department_id));
    statement.exchange(soci::into(number));
    statement.exchange(soci::into(name));
    statement.exchange(soci::into(position));
    statement.exchange(soci::into(days));
  }

  Snapshot ToSnapshot() const {
    Snapshot s;
    s.row.employee_id = employee_id;
    s.row.department_id = department_id;
    s.row.personnel_number = number;
    s.row.name = name;
    s.row.position = position;
    s.row.closed = true;
    DecodeDays(days, s.row);
    return s;
  }
};

struct ClosingRow {
  long long id = 0, department_id = 0, account_id = 0, reopened_by = 0;
  int people = 0;
  std::string period, closed_at, reopened_at, reason;
  soci::indicator department_ind = soci::i_null, reopened_by_ind = soci::i_null,
                  reopened_at_ind = soci::i_null, reason_ind = soci::i_null;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(period));
    statement.exchange(soci::into(department_id, department_ind));
    statement.exchange(soci::into(people));
    statement.exchange(soci::into(account_id));
    statement.exchange(soci::into(closed_at));
    statement.exchange(soci::into(reopened_by, reopened_by_ind));
    statement.exchange(soci::into(reopened_at, reopened_at_ind));
    statement.exchange(soci::into(reason, reason_ind));
  }

  Closing ToClosing() const {
    Closing c;
    c.id = id;
    c.period = ParseStoredMonth(period, "timesheet period");
    if (department_ind == soci::i_ok) c.department_id = department_id;
    c.people = people;
    c.account_id = account_id;
    c.closed_at = db::ParseStoredTimestamp(closed_at, "timesheet_closings.closed_at");
    if (reopened_by_ind == soci::i_ok) c.reopened_by = reopened_by;
    if (reopened_at_ind == soci::i_ok)
      c.reopened_at = db::ParseStoredTimestamp(reopened_at, "timesheet_closings.reopened_at");
    if (reason_ind == soci::i_ok) c.reopen_reason = reason;
    return c;
  }
};

// "<column> is the department (or in its subtree)".
void AppendInDepartment(db::Query& query, std::string_view column, int64_t department_id, bool subtree) {
  const auto department = static_cast<long long>(department_id);
  if (subtree) {
    query << column << " IN (SELECT descendant_id FROM department_closure WHERE ancestor_id = "
          << query.Param(department) << ")";
  } else {
    query << column << " = " << query.Param(department);
  }
}

void LockMonth(soci::session& session, std::chrono::year_month month) {
  const std::string period = FormatMonth(month);
  session << kLockMonth, soci::use(period, "period");
}

std::optional<Correction> FindCorrection(soci::session& session, int64_t employee_id, Date date,
                                         std::optional<std::chrono::year_month> period) {
  db::Query query;
  query << kCorrectionColumns << " WHERE employee_id = " << query.Param(static_cast<long long>(employee_id))
        << " AND work_date = " << query.Param(FormatIsoDate(date));
  if (period) query << " AND period = " << query.Param(FormatMonth(*period));
  query << " ORDER BY period DESC LIMIT 1";
  CorrectionRow row;
  auto found = db::FetchAll(session, query, row, [](const CorrectionRow& r) { return r.ToCorrection(); });
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

nlohmann::json EntriesAudit(const std::vector<DayEntry>& entries) {
  nlohmann::json json = nlohmann::json::array();
  for (const DayEntry& entry : entries) {
    json.push_back({{"code", CodeInfo(entry.code).letter}, {"hours", FormatHours(entry.hours_tenths)}});
  }
  return json;
}

// The month of `date`, or the first month after it in which `employee_id`
// has no snapshot.
std::chrono::year_month OpenPeriodOf(soci::session& session, int64_t employee_id, Date date) {
  const std::chrono::year_month_day ymd(date);
  std::chrono::year_month period = ymd.year() / ymd.month();
  const long long employee = employee_id;
  std::string text = FormatMonth(period), closed;
  soci::statement statement = (session.prepare << kSnapshotPeriods, soci::into(closed),
                               soci::use(employee, "employee"), soci::use(text, "period"));
  statement.execute(false);
  while (statement.fetch()) {
    if (closed != FormatMonth(period)) break;  // a gap: this month is open
    period += std::chrono::months{1};
  }
  return period;
}

// Locks the month of `date` and the month that carries its corrections now
// (OpenPeriodOf), and returns the latter.
std::chrono::year_month LockPeriodOf(soci::session& session, int64_t employee_id, Date date) {
  const std::chrono::year_month_day ymd(date);
  LockMonth(session, ymd.year() / ymd.month());
  const std::chrono::year_month period = OpenPeriodOf(session, employee_id, date);
  if (period != ymd.year() / ymd.month()) LockMonth(session, period);
  return period;
}

// Inserts `correction` (or updates `before`, the one of its day and
// period), with its audit row.
void WriteCorrection(soci::session& session, const Actor& actor, const Correction& correction,
                     const std::optional<Correction>& before, std::chrono::system_clock::time_point now) {
  const std::string at = db::FormatTimestamp(now), date = FormatIsoDate(correction.date),
                    period = FormatMonth(correction.period);
  const long long account = actor.identity.account_id, employee = correction.employee_id;
  std::string code1(CodeInfo(correction.entries.at(0).code).letter), code2;
  int hours1 = correction.entries[0].hours_tenths, hours2 = 0;
  const int automatic = correction.automatic ? 1 : 0;
  soci::indicator second = soci::i_null;
  if (correction.entries.size() > 1) {
    code2 = CodeInfo(correction.entries[1].code).letter;
    hours2 = correction.entries[1].hours_tenths;
    second = soci::i_ok;
  }
  soci::statement statement(session);
  statement.exchange(soci::use(code1, "code1"));
  statement.exchange(soci::use(hours1, "hours1"));
  statement.exchange(soci::use(code2, second, "code2"));
  statement.exchange(soci::use(hours2, second, "hours2"));
  statement.exchange(soci::use(correction.reason, "reason"));
  statement.exchange(soci::use(automatic, "automatic"));
  statement.exchange(soci::use(account, "account"));
  long long id = before ? before->id : 0;
  if (before) {
    statement.exchange(soci::use(at, "at"));
    statement.exchange(soci::use(id, "id"));
    db::ExecuteOnce(statement, kUpdateCorrection);
  } else {
    statement.exchange(soci::use(employee, "employee"));
    statement.exchange(soci::use(date, "date"));
    statement.exchange(soci::use(period, "period"));
    statement.exchange(soci::use(at, "at"));
    statement.exchange(soci::use(at, "updated_at"));
    db::ExecuteOnce(statement, kInsertCorrection);
  }
  audit::Append(session, actor,
                {"timesheet.correct",
                 "employee",
                 std::to_string(correction.employee_id),
                 {{"date", date},
                  {"period", period},
                  {"automatic", correction.automatic},
                  {"before", before ? EntriesAudit(before->entries) : nlohmann::json()},
                  {"after", EntriesAudit(correction.entries)},
                  {"reason", correction.reason}}},
                now);
}

void RemoveCorrection(soci::session& session, const Actor& actor, const Correction& correction,
                      const std::string& reason, std::chrono::system_clock::time_point now) {
  const long long id = correction.id;
  session << kDeleteCorrection, soci::use(id, "id");
  audit::Append(session, actor,
                {"timesheet.delete_correction",
                 "employee",
                 std::to_string(correction.employee_id),
                 {{"date", FormatIsoDate(correction.date)},
                  {"period", FormatMonth(correction.period)},
                  {"automatic", correction.automatic},
                  {"before", EntriesAudit(correction.entries)},
                  {"reason", reason}}},
                now);
}

}  // namespace

TimesheetRepository::TimesheetRepository(db::Database& database, Clock clock)
    : database_(database), clock_(std::move(clock)) {}

std::vector<TimesheetPerson> TimesheetRepository::People(std::optional<int64_t> department_id, bool subtree,
                                                         const auth::Reach& reach, Date from, Date to,
                                                         int limit) {
  return db::WithSession(database_, [&](soci::session& session) {
    db::Query query;
    query << kPersonColumns << users::kPersonFrom
          << " WHERE e.hire_date <= " << query.Param(FormatIsoDate(to))
          << " AND (e.dismissal_date IS NULL OR e.dismissal_date >= " << query.Param(FormatIsoDate(from))
          << ")";
    if (department_id) {
      query << " AND ";
      AppendInDepartment(query, "e.department_id", *department_id, subtree);
    }
    query << " AND ";
    auth::AppendReachCondition(query, reach, "e.id", "e.department_id");
    query << " ORDER BY e.last_name, e.first_name, e.middle_name, e.id LIMIT "
          << query.Param(static_cast<long long>(limit) + 1);
    users::PersonRow row;
    return db::FetchAll(session, query, row, [](const users::PersonRow& r) { return r.ToPerson(); });
  });
}

std::optional<TimesheetPerson> TimesheetRepository::Person(int64_t id) {
  return db::WithSession(database_, [&](soci::session& session) -> std::optional<TimesheetPerson> {
    db::Query query;
    query << kPersonColumns << users::kPersonFrom
          << " WHERE e.id = " << query.Param(static_cast<long long>(id));
    users::PersonRow row;
    auto people = db::FetchAll(session, query, row, [](const users::PersonRow& r) { return r.ToPerson(); });
    if (people.empty()) return std::nullopt;
    return std::move(people.front());
  });
}

std::vector<TimesheetActivity> TimesheetRepository::Activities(const std::vector<int64_t>& employees,
                                                               Date from, Date to, Date today) {
  if (employees.empty()) return {};
  return db::WithSession(database_, [&](soci::session& session) {
    db::Query query;
    const std::string first = FormatIsoDate(from);
    query << kActivityColumns;
    db::AppendAmong(query, "r.employee_id", employees);
    query << " AND r.start_date <= " << query.Param(FormatIsoDate(to))
          << " AND (r.end_date >= " << query.Param(first);
    if (today >= from) {
      query << " OR r.end_date IS NULL)";
    } else {
      query << " OR (r.end_date IS NULL AND r.start_date >= " << query.Param(first) << "))";
    }
    query << " ORDER BY r.start_date, r.id";
    ActivityRow row;
    return db::FetchAll(session, query, row, [](const ActivityRow& r) { return r.ToActivity(); });
  });
}

std::vector<Correction> TimesheetRepository::Corrections(const std::vector<int64_t>& employees,
                                                         std::chrono::year_month period) {
  if (employees.empty()) return {};
  return db::WithSession(database_, [&](soci::session& session) {
    db::Query query;
    query << kCorrectionColumns << " WHERE period = " << query.Param(FormatMonth(period));
    db::AppendAmong(query, "employee_id", employees);
    query << " ORDER BY employee_id, work_date";
    CorrectionRow row;
    return db::FetchAll(session, query, row, [](const CorrectionRow& r) { return r.ToCorrection(); });
  });
}

std::vector<Snapshot> TimesheetRepository::Snapshots(std::chrono::year_month period,
                                                     const std::vector<int64_t>& employees,
                                                     std::optional<int64_t> department_id, bool subtree) {
  return db::WithSession(database_, [&](soci::session& session) {
    db::Query query;
    query << kSnapshotColumns << " WHERE period = " << query.Param(FormatMonth(period));
    if (department_id) {
      query << " AND (employee_id IN " << db::IdList(employees) << " OR ";
      AppendInDepartment(query, "department_id", *department_id, subtree);
      query << ")";
    } else {
      db::AppendAmong(query, "employee_id", employees);
    }
    query << " ORDER BY name, employee_id";
    SnapshotRow row;
    return db::FetchAll(session, query, row, [](const SnapshotRow& r) { return r.ToSnapshot(); });
  });
}

Correction TimesheetRepository::SaveCorrection(const Actor& actor, Correction correction) {
  const auto now = clock_();
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    correction.period = LockPeriodOf(session, correction.employee_id, correction.date);
    correction.automatic = false;
    const std::optional<Correction> before =
        FindCorrection(session, correction.employee_id, correction.date, correction.period);
    WriteCorrection(session, actor, correction, before, now);
    std::optional<Correction> stored =
        FindCorrection(session, correction.employee_id, correction.date, correction.period);
    if (!stored) throw Error::Internal("A correction just written is missing.");
    return *stored;
  });
}

void TimesheetRepository::Carry(const Actor& actor, int64_t employee_id, Date date,
                                const std::optional<std::vector<DayEntry>>& entries,
                                const std::string& reason) {
  const auto now = clock_();
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    Correction correction;
    correction.employee_id = employee_id;
    correction.date = date;
    correction.period = LockPeriodOf(session, employee_id, date);
    correction.reason = reason;
    correction.automatic = true;
    const std::optional<Correction> before = FindCorrection(session, employee_id, date, correction.period);
    if (before && !before->automatic) return;  // a person's word stands
    if (!entries) {
      if (before) RemoveCorrection(session, actor, *before, reason, now);
      return;
    }
    if (before && before->entries == *entries) return;  // already carried
    correction.entries = *entries;
    WriteCorrection(session, actor, correction, before, now);
  });
}

void TimesheetRepository::DeleteCorrection(const Actor& actor, int64_t employee_id, Date date,
                                           const std::string& reason) {
  const auto now = clock_();
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    const std::chrono::year_month_day ymd(date);
    LockMonth(session, ymd.year() / ymd.month());
    const std::chrono::year_month period = OpenPeriodOf(session, employee_id, date);
    if (period != ymd.year() / ymd.month()) LockMonth(session, period);
    const std::optional<Correction> before = FindCorrection(session, employee_id, date, period);
    if (!before)
      throw Error::NotFound("There is no correction of " + FormatIsoDate(date) + " in an open month.");
    const long long id = before->id;
    session << kDeleteCorrection, soci::use(id, "id");
    audit::Append(session, actor,
                  {"timesheet.delete_correction",
                   "employee",
                   std::to_string(employee_id),
                   {{"date", FormatIsoDate(date)},
                    {"period", FormatMonth(period)},
                    {"before", EntriesAudit(before->entries)},
                    {"reason", reason}}},
                  now);
  });
}

Closing TimesheetRepository::Close(const Actor& actor, std::chrono::year_month period,
                                   std::optional<int64_t> department_id, const std::vector<T13Row>& rows) {
  const auto now = clock_();
  const std::string at = db::FormatTimestamp(now), month = FormatMonth(period);
  const long long account = actor.identity.account_id;
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    LockMonth(session, period);
    long long department = department_id.value_or(0);
    soci::indicator department_ind = department_id ? soci::i_ok : soci::i_null;
    int people = 0;
    session << kInsertClosing, soci::use(month, "period"),
        soci::use(department, department_ind, "department"), soci::use(people, "people"),
        soci::use(account, "account"), soci::use(at, "at");
    long long closing = 0;
    session << kLastClosing, soci::into(closing), soci::use(month, "period");
    long long employee = 0, row_department = 0;
    std::string number, name, position, days;
    soci::statement insert =
        (session.prepare << kInsertSnapshot, soci::use(month, "period"), soci::use(employee, "employee"),
         soci::use(closing, "closing"), soci::use(row_department, "department"), soci::use(number, "number"),
         soci::use(name, "name"), soci::use(position, "position"), soci::use(days, "days"));
    for (const T13Row& row : rows) {
      if (row.closed) continue;
      employee = row.employee_id;
      row_department = row.department_id;
      number = row.personnel_number;
      name = row.name;
      position = row.position;
      days = EncodeDays(row);
      insert.execute(true);
      if (insert.get_affected_rows() > 0) ++people;
    }
    if (people == 0) {
      throw Error::Conflict("The month " + month + " is already closed for everyone here.");
    }
    session << "UPDATE timesheet_closings SET people = :people WHERE id = :id", soci::use(people, "people"),
        soci::use(closing, "id");
    audit::Append(session, actor,
                  {"timesheet.close",
                   "timesheet_period",
                   month,
                   {{"department_id", department_id ? nlohmann::json(*department_id) : nlohmann::json()},
                    {"people", people},
                    {"closing_id", closing}}},
                  now);
    Closing result;
    result.id = closing;
    result.period = period;
    result.department_id = department_id;
    result.people = people;
    result.account_id = actor.identity.account_id;
    result.closed_at = now;
    return result;
  });
}

std::vector<Closing> TimesheetRepository::Reopen(const Actor& actor, std::chrono::year_month period,
                                                 std::optional<int64_t> department_id,
                                                 const std::string& reason) {
  const auto now = clock_();
  const std::string at = db::FormatTimestamp(now), month = FormatMonth(period);
  const long long account = actor.identity.account_id;
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    LockMonth(session, period);
    // " WHERE <the snapshots that go>"
    const auto append_scope = [&](db::Query& query) {
      query << " WHERE period = " << query.Param(month);
      if (department_id) {
        query << " AND ";
        AppendInDepartment(query, "department_id", *department_id, true);
      }
    };
    // The closings that froze them.
    db::Query closings;
    closings << kClosingColumns << " WHERE reopened_at IS NULL AND id IN (SELECT closing_id FROM "
             << "timesheet_snapshots";
    append_scope(closings);
    closings << ")";
    ClosingRow row;
    std::vector<Closing> reopened =
        db::FetchAll(session, closings, row, [](const ClosingRow& r) { return r.ToClosing(); });
    if (reopened.empty()) throw Error::Conflict("The month " + month + " is not closed here.");
    // " AND employee_id IN (<the people whose snapshots go>)"
    const auto append_people = [&](db::Query& query) {
      query << " AND employee_id IN (SELECT employee_id FROM timesheet_snapshots";
      append_scope(query);
      query << ")";
    };
    {
      db::Query later;
      later << "SELECT MIN(period) FROM timesheet_snapshots WHERE period > " << later.Param(month);
      append_people(later);
      std::string first_later;
      soci::indicator later_ind = soci::i_null;
      soci::statement statement(session);
      statement.exchange(soci::into(first_later, later_ind));
      later.Prepare(statement);
      statement.execute(true);
      if (later_ind == soci::i_ok) {
        throw Error::Conflict("A later month, " + first_later +
                              ", is closed for some of these people: reopen it first.");
      }
    }
    // Corrections of the month's days carried into later months: the
    // automatic ones go (the month shows their requests itself now), a
    // person's come back to it; of several for one day the latest stands.
    const std::string first_day = FormatIsoDate(FirstDay(period)), last_day = FormatIsoDate(LastDay(period));
    const auto append_days = [&](db::Query& query) {
      query << " WHERE work_date >= " << query.Param(first_day)
            << " AND work_date <= " << query.Param(last_day);
      append_people(query);
    };
    {
      db::Query query;
      query << "DELETE FROM timesheet_corrections";
      append_days(query);
      query << " AND automatic = 1 AND period > " << query.Param(month);
      soci::statement statement(session);
      query.Prepare(statement);
      statement.execute(true);
    }
    for (const bool latest_only : {true, false}) {
      db::Query query;
      if (latest_only) {
        query << "DELETE FROM timesheet_corrections";
        append_days(query);
        query << " AND period < (SELECT MAX(c.period) FROM timesheet_corrections c WHERE c.employee_id = "
                 "timesheet_corrections.employee_id AND c.work_date = timesheet_corrections.work_date)";
      } else {
        query << "UPDATE timesheet_corrections SET period = " << query.Param(month);
        append_days(query);
        query << " AND period > " << query.Param(month);
      }
      soci::statement statement(session);
      query.Prepare(statement);
      statement.execute(true);
    }
    db::Query remove;
    remove << "DELETE FROM timesheet_snapshots";
    append_scope(remove);
    soci::statement statement(session);
    remove.Prepare(statement);
    statement.execute(true);
    const auto people = static_cast<long long>(statement.get_affected_rows());
    for (Closing& closing : reopened) {
      const long long id = closing.id;
      // A closing with snapshots left (of people outside this department)
      // stays closed for them.
      long long left = 0;
      session << "SELECT COUNT(*) FROM timesheet_snapshots WHERE closing_id = :id", soci::into(left),
          soci::use(id, "id");
      if (left > 0) continue;
      session << "UPDATE timesheet_closings SET reopened_by = :account, reopened_at = :at, reopen_reason = "
                 ":reason WHERE id = :id",
          soci::use(account, "account"), soci::use(at, "at"), soci::use(reason, "reason"),
          soci::use(id, "id");
      closing.reopened_by = actor.identity.account_id;
      closing.reopened_at = now;
      closing.reopen_reason = reason;
    }
    audit::Append(session, actor,
                  {"timesheet.reopen",
                   "timesheet_period",
                   month,
                   {{"department_id", department_id ? nlohmann::json(*department_id) : nlohmann::json()},
                    {"people", people},
                    {"reason", reason}}},
                  now);
    return reopened;
  });
}

std::vector<Closing> TimesheetRepository::Closings(std::chrono::year_month period) {
  return db::WithSession(database_, [&](soci::session& session) {
    db::Query query;
    query << kClosingColumns << " WHERE period = " << query.Param(FormatMonth(period)) << " ORDER BY id DESC";
    ClosingRow row;
    return db::FetchAll(session, query, row, [](const ClosingRow& r) { return r.ToClosing(); });
  });
}

void TimesheetRepository::Assign(const Actor& actor, int64_t department_id, int64_t employee_id) {
  const auto now = clock_();
  const std::string at = db::FormatTimestamp(now);
  const long long employee = employee_id, department = department_id;
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    session << kInsertAssignment, soci::use(employee, "employee"), soci::use(department, "department"),
        soci::use(at, "at");
    audit::Append(
        session, actor,
        {"timekeeper.assign", "department", std::to_string(department_id), {{"employee_id", employee_id}}},
        now);
  });
}

void TimesheetRepository::Unassign(const Actor& actor, int64_t department_id, int64_t employee_id) {
  const auto now = clock_();
  const long long employee = employee_id, department = department_id;
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement statement = (session.prepare << kDeleteAssignment, soci::use(employee, "employee"),
                                 soci::use(department, "department"));
    statement.execute(true);
    if (statement.get_affected_rows() == 0)
      throw Error::NotFound("He is not a timekeeper of this department.");
    audit::Append(
        session, actor,
        {"timekeeper.unassign", "department", std::to_string(department_id), {{"employee_id", employee_id}}},
        now);
  });
}

std::vector<TimesheetPerson> TimesheetRepository::Timekeepers(int64_t department_id) {
  return db::WithSession(database_, [&](soci::session& session) {
    db::Query query;
    query << kPersonColumns << users::kPersonFrom
          << " JOIN timekeeper_assignments t ON t.employee_id = e.id WHERE t.department_id = "
          << query.Param(static_cast<long long>(department_id))
          << " ORDER BY e.last_name, e.first_name, e.id";
    users::PersonRow row;
    return db::FetchAll(session, query, row, [](const users::PersonRow& r) { return r.ToPerson(); });
  });
}

}  // namespace tabel::analytics
