#pragma once
// Reports for accounting, without HTTP (analytics/report.hpp says what
// each holds): made at once for one department, or as a background job
// for more (a department with its subtree, the company).
//
// A job is a row of report_jobs asked for with an outbox message in the
// same transaction; the queue consumer of kReportQueue builds the report
// as its owner — with his rights at that moment — records its progress,
// stops when the owner cancels it, and stores the file for the owner to
// download until the job expires. Only the owner sees a job (404 for
// anyone else).
//
// Access: hours and absences reach whom timesheets.read reaches; the
// payroll base needs reports.payroll (403 without it) and shows the people
// reached both by it and by employees.read_salary; each payroll report
// writes one employee.read_salary audit row listing whose salary it read.
// A department outside the reach is 404.
//
// Thread-safety: safe from any thread; blocks on the database (run it on
// the blocking pool or a worker thread). Errors: tabel::Error —
// BadRequest/Unprocessable naming the field, NotFound, Forbidden,
// Conflict as each method says, and the repositories'.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analytics/report.hpp"
#include "analytics/report_repository.hpp"
#include "analytics/service.hpp"
#include "auth/service.hpp"

namespace tabel::analytics {

// The queue that runs report jobs (its attempts and lease: report_repository.hpp).
inline constexpr const char* kReportQueue = "analytics.reports";
// The most jobs one person's list shows.
inline constexpr int kMaxListedJobs = 100;

class ReportService {
 public:
  ReportService(TimesheetService& timesheets, TimesheetRepository& timesheet_repository,
                ReportRepository& repository, auth::AccessResolver& access, auth::AuthService& auth,
                Clock clock, std::string organization, std::chrono::hours ttl);

  // The report of one department (its own people only) as a file, made
  // now. Unprocessable naming the field for a bad period, or beyond
  // kMaxT13People people (a job makes it).
  ReportFile Build(const Actor& actor, const ReportSpec& spec, ReportFormat format);

  // Asks for a job (checked as Build checks, before it is queued); with
  // `idempotency_key` an earlier job of the caller with that key comes back
  // instead (second: true) — Conflict when it was asked for with other
  // parameters.
  std::pair<ReportJob, bool> Submit(const Actor& actor, const ReportSpec& spec, ReportFormat format,
                                    const std::optional<std::string>& idempotency_key);
  ReportJob Job(const Actor& actor, const std::string& id);
  std::vector<ReportJob> Jobs(const Actor& actor);
  // Cancels a queued or running job: Conflict when it has finished.
  ReportJob Cancel(const Actor& actor, const std::string& id);
  // The file of a done job: Conflict while it is not done; Forbidden for a
  // payroll base when its owner no longer has reports.payroll.
  ReportFile Download(const Actor& actor, const std::string& id);

  // The consumer's part: runs job `id` (nothing when it is gone, finished
  // or cancelled). A report that cannot be made for its owner (rights
  // lost, department gone) fails the job at once; other errors are thrown
  // for the queue to retry, and on the `last_attempt` fail the job.
  void Run(const std::string& id, bool last_attempt);

 private:
  // Validates `spec` and the caller's right to it (see the header).
  void Check(const Actor& actor, const ReportSpec& spec);
  // The report; `progress` (percent) returns false to stop. Unprocessable
  // when a month has more than `max_people` people.
  Report Make(const Actor& actor, const ReportSpec& spec, const std::function<bool(int)>& progress,
              const std::string& object_id, size_t max_people);
  ReportJob OwnJob(const Actor& actor, const std::string& id);

  TimesheetService& timesheets_;
  TimesheetRepository& timesheet_repository_;
  ReportRepository& repository_;
  auth::AccessResolver& access_;
  auth::AuthService& auth_;
  Clock clock_;
  std::string organization_;
  std::chrono::hours ttl_;
};

// The file of `report` in `format`, named "<kind>-<from>[_<to>].<ext>".
ReportFile EncodeReport(const Report& report, ReportFormat format);

}  // namespace tabel::analytics
