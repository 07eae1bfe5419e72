#include "analytics/report_repository.hpp"

#include <soci/soci.h>

#include <array>

#include "common/base64.hpp"
#include "infra/audit/audit_log.hpp"
#include "infra/db/query.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::analytics {
namespace {

constexpr std::array<std::string_view, 5> kStatusNames = {"queued", "running", "done", "failed", "cancelled"};

constexpr const char* kJobColumns =
    "SELECT id, account_id, client_address, kind, format, department_id, subtree, period_from, period_to, "
    "status, progress, error, file_name, size_bytes, created_at, started_at, finished_at, expires_at, "
    "attempts, lease_until FROM report_jobs";
constexpr const char* kInsertJob =
    "INSERT INTO report_jobs (id, account_id, client_address, kind, format, department_id, subtree, "
    "period_from, period_to, status, progress, idempotency_key, created_at, expires_at) VALUES (:id, "
    ":account, :client, :kind, :format, :department, :subtree, :from, :to, 'queued', 0, :key, :at, :expires)";
constexpr const char* kDeleteExpired = "DELETE FROM report_jobs WHERE expires_at <= :now";
constexpr const char* kStart =
    "UPDATE report_jobs SET status = 'running', progress = 0, attempts = attempts + 1, started_at = :at, "
    "lease_until = :until WHERE id = :id AND (status = 'queued' OR (status = 'running' AND lease_until < "
    ":now))";
constexpr const char* kCountActive =
    "SELECT COUNT(*) FROM report_jobs WHERE account_id = :account AND status IN ('queued', 'running') "
    "AND expires_at > :now";
constexpr const char* kProgress =
    "UPDATE report_jobs SET progress = :progress WHERE id = :id AND status = 'running'";
constexpr const char* kFinish =
    "UPDATE report_jobs SET status = 'done', progress = 100, file_name = :name, size_bytes = :size, "
    "content = :content, finished_at = :at WHERE id = :id AND status = 'running'";
constexpr const char* kFail =
    "UPDATE report_jobs SET status = 'failed', error = :error, finished_at = :at WHERE id = :id "
    "AND status IN ('queued', 'running')";
constexpr const char* kCancel =
    "UPDATE report_jobs SET status = 'cancelled', finished_at = :at WHERE id = :id "
    "AND status IN ('queued', 'running')";
constexpr const char* kSelectFile =
    "SELECT file_name, format, content FROM report_jobs WHERE id = :id AND status = 'done' "
    "AND expires_at > :now";

JobStatus StoredStatus(const std::string& text) {
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == text) return static_cast<JobStatus>(i);
  }
  throw Error::Internal("A stored report job status is unknown: " + text);
}

struct JobRow {
  long long account_id = 0, department_id = 0, size = 0;
  int subtree = 0, progress = 0, attempts = 0;
  std::string id, client, kind, format, from, to, status, error, file_name, created_at, started_at,
      finished_at, expires_at, lease_until;
  soci::indicator department_ind = soci::i_null, error_ind = soci::i_null, name_ind = soci::i_null,
                  size_ind = soci::i_null, started_ind = soci::i_null, finished_ind = soci::i_null,
                  lease_ind = soci::i_null;
  std::chrono::system_clock::time_point now;  // what "the lease has passed" is measured against

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(account_id));
    statement.exchange(soci::into(client));
    statement.exchange(soci::into(kind));
    statement.exchange(soci::into(format));
    statement.exchange(soci::into(department_id, department_ind));
    statement.exchange(soci::into(subtree));
    statement.exchange(soci::into(from));
    statement.exchange(soci::into(to));
    statement.exchange(soci::into(status));
    statement.exchange(soci::into(progress));
    statement.exchange(soci::into(error, error_ind));
    statement.exchange(soci::into(file_name, name_ind));
    statement.exchange(soci::into(size, size_ind));
    statement.exchange(soci::into(created_at));
    statement.exchange(soci::into(started_at, started_ind));
    statement.exchange(soci::into(finished_at, finished_ind));
    statement.exchange(soci::into(expires_at));
    statement.exchange(soci::into(attempts));
    statement.exchange(soci::into(lease_until, lease_ind));
  }

  ReportJob ToJob() const {
    ReportJob job;
    job.id = id;
    job.account_id = account_id;
    job.client_address = client;
    const std::optional<ReportKind> parsed_kind = ParseReportKind(kind);
    const std::optional<ReportFormat> parsed_format = ParseReportFormat(format);
    if (!parsed_kind || !parsed_format) throw Error::Internal("A stored report job is malformed: " + id);
    job.spec.kind = *parsed_kind;
    job.format = *parsed_format;
    if (department_ind == soci::i_ok) job.spec.department_id = department_id;
    job.spec.subtree = subtree != 0;
    job.spec.from = ParseStoredMonth(from, "report_jobs.period_from");
    job.spec.to = ParseStoredMonth(to, "report_jobs.period_to");
    job.status = StoredStatus(status);
    job.progress = progress;
    if (error_ind == soci::i_ok) job.error = error;
    if (name_ind == soci::i_ok) job.file_name = file_name;
    if (size_ind == soci::i_ok) job.size_bytes = size;
    job.created_at = db::ParseStoredTimestamp(created_at, "report_jobs.created_at");
    if (started_ind == soci::i_ok)
      job.started_at = db::ParseStoredTimestamp(started_at, "report_jobs.started_at");
    if (finished_ind == soci::i_ok)
      job.finished_at = db::ParseStoredTimestamp(finished_at, "report_jobs.finished_at");
    job.expires_at = db::ParseStoredTimestamp(expires_at, "report_jobs.expires_at");
    // Its last attempt ended without a word (the process died): it failed.
    if (job.status == JobStatus::kRunning && attempts >= kReportAttempts && lease_ind == soci::i_ok &&
        db::ParseStoredTimestamp(lease_until, "report_jobs.lease_until") < now) {
      job.status = JobStatus::kFailed;
      job.error = "The report was interrupted: its last attempt stopped without finishing.";
    }
    return job;
  }
};

std::vector<ReportJob> SelectJobs(soci::session& session, db::Query& query,
                                  std::chrono::system_clock::time_point now) {
  JobRow row;
  row.now = now;
  return db::FetchAll(session, query, row, [](const JobRow& r) { return r.ToJob(); });
}

// Runs `sql` (binding :id and :at) and tells whether it changed a row.
bool Transition(db::Database& database, const char* sql, const std::string& id, const std::string& at) {
  return db::WithWriteTransaction(database, [&](soci::session& session) {
    soci::statement statement(session);
    statement.exchange(soci::use(at, "at"));
    statement.exchange(soci::use(id, "id"));
    db::ExecuteOnce(statement, sql);
    return statement.get_affected_rows() > 0;
  });
}

std::optional<ReportJob> FindByKey(soci::session& session, int64_t account_id, const std::string& key,
                                   std::chrono::system_clock::time_point now) {
  db::Query query;
  query << kJobColumns << " WHERE account_id = " << query.Param(static_cast<long long>(account_id))
        << " AND idempotency_key = " << query.Param(key);
  std::vector<ReportJob> found = SelectJobs(session, query, now);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

}  // namespace

std::string_view StatusName(JobStatus status) { return kStatusNames.at(static_cast<size_t>(status)); }

ReportRepository::ReportRepository(db::Database& database, Clock clock)
    : database_(database), clock_(std::move(clock)), outbox_(clock_) {}

DepartmentNames ReportRepository::Departments() {
  return db::WithSession(database_, [&](soci::session& session) {
    DepartmentNames names;
    long long id = 0;
    std::string code, name;
    soci::statement statement = (session.prepare << "SELECT id, code, name FROM departments", soci::into(id),
                                 soci::into(code), soci::into(name));
    statement.execute(false);
    while (statement.fetch()) names.emplace(id, DepartmentName{code, name});
    return names;
  });
}

std::unordered_map<int64_t, int64_t> ReportRepository::Salaries(const std::vector<int64_t>& employees) {
  return db::WithSession(database_, [&](soci::session& session) {
    std::unordered_map<int64_t, int64_t> salaries;
    db::Query query;
    query << "SELECT id, salary_kopecks FROM employees WHERE 1 = 1";
    db::AppendAmong(query, "id", employees);
    long long id = 0, salary = 0;
    soci::indicator salary_ind = soci::i_null;
    soci::statement statement(session);
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(salary, salary_ind));
    query.Prepare(statement);
    statement.execute(false);
    while (statement.fetch()) salaries.emplace(id, salary_ind == soci::i_ok ? salary : 0);
    return salaries;
  });
}

void ReportRepository::Audit(const Actor& actor, const std::string& action, const std::string& object_type,
                             const std::string& object_id, const nlohmann::json& details) {
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    audit::Append(session, actor, {action, object_type, object_id, details}, clock_());
  });
}

std::pair<ReportJob, bool> ReportRepository::Insert(const ReportJob& job,
                                                    const std::optional<std::string>& idempotency_key) {
  const auto now = clock_();
  const std::string at = db::FormatTimestamp(now), expires = db::FormatTimestamp(job.expires_at);
  try {
    return db::WithWriteTransaction(database_, [&](soci::session& session) -> std::pair<ReportJob, bool> {
      session << kDeleteExpired, soci::use(at, "now");
      if (idempotency_key) {
        if (std::optional<ReportJob> earlier =
                FindByKey(session, job.account_id, *idempotency_key, clock_())) {
          return {std::move(*earlier), true};
        }
      }
      const long long account = job.account_id, department = job.spec.department_id.value_or(0);
      long long active = 0;
      session << kCountActive, soci::into(active), soci::use(account, "account"), soci::use(at, "now");
      if (active >= kMaxActiveJobs) {
        throw Error(
            ErrorKind::kTooManyRequests, "too-many-report-jobs",
            "You have " + std::to_string(active) + " report jobs queued or running: wait for one to finish.");
      }
      const int subtree = job.spec.subtree ? 1 : 0;
      const std::string kind(KindName(job.spec.kind)), format(FormatName(job.format)),
          from = FormatMonth(job.spec.from), to = FormatMonth(job.spec.to),
          key = idempotency_key.value_or("");
      soci::indicator department_ind = job.spec.department_id ? soci::i_ok : soci::i_null,
                      key_ind = idempotency_key ? soci::i_ok : soci::i_null;
      soci::statement statement(session);
      statement.exchange(soci::use(job.id, "id"));
      statement.exchange(soci::use(account, "account"));
      statement.exchange(soci::use(job.client_address, "client"));
      statement.exchange(soci::use(kind, "kind"));
      statement.exchange(soci::use(format, "format"));
      statement.exchange(soci::use(department, department_ind, "department"));
      statement.exchange(soci::use(subtree, "subtree"));
      statement.exchange(soci::use(from, "from"));
      statement.exchange(soci::use(to, "to"));
      statement.exchange(soci::use(key, key_ind, "key"));
      statement.exchange(soci::use(at, "at"));
      statement.exchange(soci::use(expires, "expires"));
      db::ExecuteOnce(statement, kInsertJob);
      outbox_.Add(session,
                  {.topic = kReportRequestedTopic, .payload = nlohmann::json{{"job_id", job.id}}.dump()});
      ReportJob stored = job;
      stored.status = JobStatus::kQueued;
      stored.progress = 0;
      stored.created_at = *db::ParseTimestamp(at);
      stored.expires_at = *db::ParseTimestamp(expires);
      return {std::move(stored), false};
    });
  } catch (const Error& error) {
    // The same key asked for at the same moment (PostgreSQL): the other won.
    if (error.kind() != ErrorKind::kConflict || !idempotency_key) throw;
    std::optional<ReportJob> earlier = db::WithSession(database_, [&](soci::session& session) {
      return FindByKey(session, job.account_id, *idempotency_key, clock_());
    });
    if (!earlier) throw;
    return {std::move(*earlier), true};
  }
}

std::optional<ReportJob> ReportRepository::Find(const std::string& id) {
  return db::WithSession(database_, [&](soci::session& session) -> std::optional<ReportJob> {
    db::Query query;
    query << kJobColumns << " WHERE id = " << query.Param(id) << " AND expires_at > "
          << query.Param(db::FormatTimestamp(clock_()));
    std::vector<ReportJob> jobs = SelectJobs(session, query, clock_());
    if (jobs.empty()) return std::nullopt;
    return std::move(jobs.front());
  });
}

std::vector<ReportJob> ReportRepository::List(int64_t account_id, int limit) {
  return db::WithSession(database_, [&](soci::session& session) {
    db::Query query;
    query << kJobColumns << " WHERE account_id = " << query.Param(static_cast<long long>(account_id))
          << " AND expires_at > " << query.Param(db::FormatTimestamp(clock_()))
          << " ORDER BY created_at DESC, id LIMIT " << std::to_string(limit);
    return SelectJobs(session, query, clock_());
  });
}

bool ReportRepository::Start(const std::string& id) {
  const auto now = clock_();
  const std::string at = db::FormatTimestamp(now), until = db::FormatTimestamp(now + kReportLease);
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement statement(session);
    statement.exchange(soci::use(at, "at"));
    statement.exchange(soci::use(until, "until"));
    statement.exchange(soci::use(id, "id"));
    statement.exchange(soci::use(at, "now"));
    db::ExecuteOnce(statement, kStart);
    return statement.get_affected_rows() > 0;
  });
}

void ReportRepository::DeleteExpired() {
  const std::string now = db::FormatTimestamp(clock_());
  db::WithWriteTransaction(database_,
                           [&](soci::session& session) { session << kDeleteExpired, soci::use(now, "now"); });
}

bool ReportRepository::Progress(const std::string& id, int percent) {
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement statement(session);
    statement.exchange(soci::use(percent, "progress"));
    statement.exchange(soci::use(id, "id"));
    db::ExecuteOnce(statement, kProgress);
    return statement.get_affected_rows() > 0;
  });
}

bool ReportRepository::Finish(const std::string& id, const ReportFile& file) {
  const std::string content = Base64Encode(file.bytes), at = db::FormatTimestamp(clock_());
  const auto size = static_cast<long long>(file.bytes.size());
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement statement(session);
    statement.exchange(soci::use(file.name, "name"));
    statement.exchange(soci::use(size, "size"));
    statement.exchange(soci::use(content, "content"));
    statement.exchange(soci::use(at, "at"));
    statement.exchange(soci::use(id, "id"));
    db::ExecuteOnce(statement, kFinish);
    return statement.get_affected_rows() > 0;
  });
}

void ReportRepository::Fail(const std::string& id, const std::string& error) {
  const std::string at = db::FormatTimestamp(clock_());
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement statement(session);
    statement.exchange(soci::use(error, "error"));
    statement.exchange(soci::use(at, "at"));
    statement.exchange(soci::use(id, "id"));
    db::ExecuteOnce(statement, kFail);
  });
}

bool ReportRepository::Cancel(const std::string& id) {
  return Transition(database_, kCancel, id, db::FormatTimestamp(clock_()));
}

std::optional<ReportFile> ReportRepository::File(const std::string& id) {
  return db::WithSession(database_, [&](soci::session& session) -> std::optional<ReportFile> {
    const std::string now = db::FormatTimestamp(clock_());
    std::string name, format, content;
    session << kSelectFile, soci::into(name), soci::into(format), soci::into(content), soci::use(id, "id"),
        soci::use(now, "now");
    if (!session.got_data()) return std::nullopt;
    const std::optional<ReportFormat> parsed = ParseReportFormat(format);
    if (!parsed) throw Error::Internal("A stored report job is malformed: " + id);
    std::optional<std::string> bytes = Base64Decode(content);
    if (!bytes) throw Error::Internal("A stored report file is not base64: " + id);
    return ReportFile{name, *parsed, std::move(*bytes)};
  });
}

}  // namespace tabel::analytics
