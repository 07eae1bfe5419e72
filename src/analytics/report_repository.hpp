#pragma once
// The SQL of reports: what they read besides the timesheet (department
// names, salaries) and the report jobs they run as (report_jobs, with the
// outbox message that starts each).
//
// A job's file is kept in the row, base64, until the job expires; expired
// jobs are deleted whenever a job is asked for, and never shown.
//
// Thread-safety: safe from any thread; each call leases its own session
// and blocks on the database. Errors: tabel::Error from the database
// helpers.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "analytics/report.hpp"
#include "common/actor.hpp"
#include "common/clock.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/db/database.hpp"

namespace tabel::analytics {

// The topic of the outbox message that asks for a job to be run, and how
// its queue runs it.
inline constexpr const char* kReportRequestedTopic = "report.requested";
inline constexpr int kReportAttempts = 3;
inline constexpr std::chrono::seconds kReportLease{900};
// The most jobs of one owner queued or running at once (429 beyond).
inline constexpr int kMaxActiveJobs = 5;

enum class JobStatus : uint8_t { kQueued, kRunning, kDone, kFailed, kCancelled };
std::string_view StatusName(JobStatus status);  // "queued", "running", …

struct ReportJob {
  std::string id;
  int64_t account_id = 0;
  std::string client_address;
  ReportSpec spec;
  ReportFormat format = ReportFormat::kJson;
  JobStatus status = JobStatus::kQueued;
  int progress = 0;  // percent
  std::optional<std::string> error;
  std::optional<std::string> file_name;
  std::optional<int64_t> size_bytes;
  std::chrono::system_clock::time_point created_at;
  std::optional<std::chrono::system_clock::time_point> started_at, finished_at;
  std::chrono::system_clock::time_point expires_at;

  bool finished() const {
    return status == JobStatus::kDone || status == JobStatus::kFailed || status == JobStatus::kCancelled;
  }
};

struct ReportFile {
  std::string name;  // "payroll-2026-11.xlsx"
  ReportFormat format = ReportFormat::kJson;
  std::string bytes;
};

class ReportRepository {
 public:
  ReportRepository(db::Database& database, Clock clock);

  // Every department's code and name.
  DepartmentNames Departments();
  // The salaries of `employees` (for very many, of everyone: the caller
  // keeps its people's).
  std::unordered_map<int64_t, int64_t> Salaries(const std::vector<int64_t>& employees);
  // One audit row of `actor` (a salary read).
  void Audit(const Actor& actor, const std::string& action, const std::string& object_type,
             const std::string& object_id, const nlohmann::json& details);

  // Inserts `job` (queued) with the outbox message that runs it, after
  // deleting expired jobs; with `idempotency_key`, an earlier job of the
  // same owner and key is returned instead (second: true), also when it
  // was asked for at the same moment. TooManyRequests when the owner has
  // kMaxActiveJobs queued or running.
  std::pair<ReportJob, bool> Insert(const ReportJob& job, const std::optional<std::string>& idempotency_key);
  // The job, unless it expired.
  std::optional<ReportJob> Find(const std::string& id);
  // The owner's jobs that have not expired, newest first, at most `limit`.
  std::vector<ReportJob> List(int64_t account_id, int limit);

  // queued -> running for kReportLease (progress 0, one attempt more); or
  // running again once the lease of a run cut short has passed. False when
  // the job is gone, finished, or running within its lease elsewhere.
  // A job whose last attempt's lease passed without an end shows as failed.
  bool Start(const std::string& id);
  // Deletes the jobs that have expired, files and all.
  void DeleteExpired();
  // Records the progress of a running job; false when it is not running any
  // more (cancelled).
  bool Progress(const std::string& id, int percent);
  // running -> done with the file; false when it is not running any more.
  bool Finish(const std::string& id, const ReportFile& file);
  // queued or running -> failed with `error`.
  void Fail(const std::string& id, const std::string& error);
  // queued or running -> cancelled; false when it had finished.
  bool Cancel(const std::string& id);
  // The file of a done job that has not expired.
  std::optional<ReportFile> File(const std::string& id);

 private:
  db::Database& database_;
  Clock clock_;
  bus::Outbox outbox_;
};

}  // namespace tabel::analytics
