#include "analytics/reports.hpp"

#include <algorithm>
#include <limits>
#include <unordered_set>

#include "analytics/report_export.hpp"
#include "auth/permissions.hpp"
#include "common/error.hpp"
#include "common/uuid.hpp"
#include "infra/db/query.hpp"

namespace tabel::analytics {
namespace {

using std::chrono::year_month;

// People per slice of a month: the timesheet's queries keep to id lists
// and a slice's rows are dropped before the next is made.
constexpr size_t kSlice = 2000;
static_assert(kSlice <= db::kMaxListedIds, "a slice's queries must keep to their id lists");

// Thrown out of Make when the owner cancelled the job.
struct Cancelled {};

int MonthsOf(const ReportSpec& spec) { return (spec.to - spec.from).count() + 1; }

}  // namespace

ReportService::ReportService(TimesheetService& timesheets, TimesheetRepository& timesheet_repository,
                             ReportRepository& repository, auth::AccessResolver& access,
                             auth::AuthService& auth, Clock clock, std::string organization,
                             std::chrono::hours ttl)
    : timesheets_(timesheets),
      timesheet_repository_(timesheet_repository),
      repository_(repository),
      access_(access),
      auth_(auth),
      clock_(std::move(clock)),
      organization_(std::move(organization)),
      ttl_(ttl) {}

void ReportService::Check(const Actor& actor, const ReportSpec& spec) {
  std::vector<FieldError> errors;
  const std::chrono::year_month_day today(timesheets_.Today());
  const year_month current = today.year() / today.month();
  // One problem per field: the first that applies.
  if (spec.from > current) {
    errors.push_back({"from", "must not be after the current month"});
  } else if (spec.to < spec.from) {
    errors.push_back({"to", "must not be before from"});
  } else if (spec.kind == ReportKind::kPayroll && spec.to != spec.from) {
    errors.push_back({"to", "must be the month of from: the payroll base is of one month"});
  } else if (MonthsOf(spec) > kMaxReportMonths) {
    errors.push_back({"to", "must be at most " + std::to_string(kMaxReportMonths) + " months from from"});
  } else if (spec.to > current) {
    errors.push_back({"to", "must not be after the current month"});
  }
  if (!errors.empty()) {
    throw Error::Unprocessable("bad-period", "The period of the report is not one that can be reported.",
                               std::move(errors));
  }
  if (spec.kind == ReportKind::kPayroll && !actor.identity.Has(auth::kReportsPayroll)) {
    throw Error::Forbidden("Only accounting makes the payroll base.");
  }
  const std::string_view permission =
      spec.kind == ReportKind::kPayroll ? auth::kReportsPayroll : auth::kTimesheetsRead;
  const auth::Reach reach = access_.ReachOf(actor.identity, permission);
  if (spec.department_id) {
    if (!auth::ReachesDepartment(reach, *spec.department_id)) throw Error::NotFound("No such department.");
    timesheets_.DepartmentOf(*spec.department_id);
  } else if (reach.nothing()) {
    throw Error::Forbidden("You may not see the timesheets of anyone.");
  }
}

Report ReportService::Make(const Actor& actor, const ReportSpec& spec,
                           const std::function<bool(int)>& progress, const std::string& object_id,
                           size_t max_people) {
  Check(actor, spec);
  const bool payroll = spec.kind == ReportKind::kPayroll;
  const auth::Reach reach =
      access_.ReachOf(actor.identity, payroll ? auth::kReportsPayroll : auth::kTimesheetsRead);
  const auth::Reach salary_reach =
      payroll ? access_.ReachOf(actor.identity, auth::kEmployeesReadSalary) : reach;
  const DepartmentNames departments = repository_.Departments();
  ReportBuilder builder(spec, departments);
  std::vector<int64_t> salaries_read;
  const int months = MonthsOf(spec);
  for (int m = 0; m < months; ++m) {
    const year_month month = spec.from + std::chrono::months{m};
    std::vector<TimesheetPerson> people =
        timesheet_repository_.People(spec.department_id, spec.subtree, reach, FirstDay(month), LastDay(month),
                                     std::numeric_limits<int>::max() - 1);
    if (people.size() > max_people) {
      throw Error::Unprocessable("too-many-people",
                                 "The report has more than " + std::to_string(max_people) +
                                     " people: ask for it as a job (POST /api/v1/report-jobs).",
                                 {{"department_id", "covers too many people"}});
    }
    // As the department's T-13: its people's rows, and the frozen rows of
    // those who were in it when the month was closed.
    std::vector<T13Row> frozen_others;
    if (spec.department_id) {
      std::unordered_set<int64_t> shown;
      for (const TimesheetPerson& person : people) shown.insert(person.id);
      frozen_others = timesheets_.FrozenOthers(month, *spec.department_id, spec.subtree, shown, reach);
    }
    std::unordered_map<int64_t, int64_t> salaries;
    if (payroll) {
      std::erase_if(people, [&](const TimesheetPerson& p) {
        return !auth::Reaches(salary_reach, p.id, p.department_id);
      });
      std::erase_if(frozen_others, [&](const T13Row& row) {
        return !auth::Reaches(salary_reach, row.employee_id, row.department_id);
      });
      std::vector<int64_t> ids;
      ids.reserve(people.size() + frozen_others.size());
      for (const TimesheetPerson& person : people) ids.push_back(person.id);
      for (const T13Row& row : frozen_others) ids.push_back(row.employee_id);
      salaries = repository_.Salaries(ids);
      for (const int64_t id : ids) {
        if (id != actor.identity.employee_id) salaries_read.push_back(id);
      }
    }
    const auto salary_of = [&](int64_t id) {
      const auto found = salaries.find(id);
      return found == salaries.end() ? int64_t{0} : found->second;
    };
    for (const T13Row& row : frozen_others) builder.Add(month, row, salary_of(row.employee_id));
    for (size_t start = 0; start < people.size(); start += kSlice) {
      const std::vector<TimesheetPerson> slice(
          people.begin() + static_cast<std::ptrdiff_t>(start),
          people.begin() + static_cast<std::ptrdiff_t>(std::min(people.size(), start + kSlice)));
      for (const T13Row& row : timesheets_.MonthRows(slice, month)) {
        builder.Add(month, row, salary_of(row.employee_id));
      }
      // Up to 95 %: the file is the rest.
      const auto done = static_cast<double>(m) + static_cast<double>(start + slice.size()) /
                                                     static_cast<double>(std::max<size_t>(people.size(), 1));
      if (!progress(static_cast<int>(95.0 * done / months))) throw Cancelled{};
    }
  }
  if (payroll) {
    std::sort(salaries_read.begin(), salaries_read.end());
    salaries_read.erase(std::unique(salaries_read.begin(), salaries_read.end()), salaries_read.end());
    repository_.Audit(actor, "employee.read_salary", "report", object_id,
                      {{"report", KindName(spec.kind)},
                       {"month", FormatMonth(spec.from)},
                       {"department_id", spec.department_id ? nlohmann::json(*spec.department_id) : nullptr},
                       {"subtree", spec.subtree},
                       {"employee_ids", salaries_read}});
  }
  Report report = std::move(builder).Finish();
  report.organization = organization_;
  if (spec.department_id) {
    const auto found = departments.find(*spec.department_id);
    report.scope = found == departments.end() ? std::string() : found->second.name;
    if (spec.subtree) report.scope += " (с подразделениями)";
  } else {
    report.scope = organization_;
    if (!reach.everyone()) report.scope += " (в пределах доступа)";
  }
  report.generated_at = clock_();
  return report;
}

ReportFile ReportService::Build(const Actor& actor, const ReportSpec& spec, ReportFormat format) {
  return EncodeReport(Make(
                          actor, spec, [](int) { return true; }, "", kMaxT13People),
                      format);
}

std::pair<ReportJob, bool> ReportService::Submit(const Actor& actor, const ReportSpec& spec,
                                                 ReportFormat format,
                                                 const std::optional<std::string>& idempotency_key) {
  Check(actor, spec);
  ReportJob job;
  job.id = NewUuid();
  job.account_id = actor.identity.account_id;
  job.client_address = actor.client_address;
  job.spec = spec;
  job.format = format;
  job.expires_at = clock_() + ttl_;
  auto result = repository_.Insert(job, idempotency_key);
  if (result.second) {
    const ReportJob& earlier = result.first;
    const bool same = earlier.spec.kind == spec.kind && earlier.spec.department_id == spec.department_id &&
                      earlier.spec.subtree == spec.subtree && earlier.spec.from == spec.from &&
                      earlier.spec.to == spec.to && earlier.format == format;
    if (!same) throw Error::Conflict("This Idempotency-Key was used for another report.");
  }
  return result;
}

ReportJob ReportService::OwnJob(const Actor& actor, const std::string& id) {
  std::optional<ReportJob> job = IsUuid(id) ? repository_.Find(id) : std::nullopt;
  if (!job || job->account_id != actor.identity.account_id) throw Error::NotFound("No such report job.");
  return std::move(*job);
}

ReportJob ReportService::Job(const Actor& actor, const std::string& id) { return OwnJob(actor, id); }

std::vector<ReportJob> ReportService::Jobs(const Actor& actor) {
  return repository_.List(actor.identity.account_id, kMaxListedJobs);
}

ReportJob ReportService::Cancel(const Actor& actor, const std::string& id) {
  OwnJob(actor, id);
  if (!repository_.Cancel(id)) throw Error::Conflict("The report job has finished.");
  return OwnJob(actor, id);
}

ReportFile ReportService::Download(const Actor& actor, const std::string& id) {
  const ReportJob job = OwnJob(actor, id);
  // Salaries go only to whoever may still see them.
  if (job.spec.kind == ReportKind::kPayroll && !actor.identity.Has(auth::kReportsPayroll)) {
    throw Error::Forbidden("Only accounting downloads the payroll base.");
  }
  std::optional<ReportFile> file = job.status == JobStatus::kDone ? repository_.File(id) : std::nullopt;
  if (!file)
    throw Error::Conflict("The report is not ready: the job is " + std::string(StatusName(job.status)) + ".");
  return std::move(*file);
}

void ReportService::Run(const std::string& id, bool last_attempt) {
  const std::optional<ReportJob> job = repository_.Find(id);
  if (!job || job->finished() || !repository_.Start(id)) return;
  try {
    const std::optional<Identity> identity = auth_.IdentityOf(job->account_id);
    if (!identity) {
      repository_.Fail(id, "The account that asked for the report is disabled.");
      return;
    }
    const Actor actor{*identity, job->client_address, job->id};
    const Report report = Make(
        actor, job->spec, [&](int percent) { return repository_.Progress(id, percent); }, job->id,
        std::numeric_limits<size_t>::max());
    repository_.Finish(id, EncodeReport(report, job->format));
    repository_.DeleteExpired();
  } catch (const Cancelled&) {
    return;
  } catch (const Error& error) {
    // The owner's request cannot be met: no retry will change that.
    if (IsClientError(error.kind())) {
      repository_.Fail(id, error.detail());
      return;
    }
    if (last_attempt) repository_.Fail(id, "The report could not be made: " + error.detail());
    throw;
  } catch (const std::exception&) {
    if (last_attempt) repository_.Fail(id, "The report could not be made.");
    throw;
  }
}

ReportFile EncodeReport(const Report& report, ReportFormat format) {
  ReportFile file;
  file.format = format;
  file.name = std::string(KindName(report.spec.kind)) + "-" + FormatMonth(report.spec.from);
  if (report.spec.to != report.spec.from) file.name += "_" + FormatMonth(report.spec.to);
  file.name += "." + std::string(FormatName(format));
  switch (format) {
    case ReportFormat::kXlsx:
      file.bytes = ReportXlsx(report);
      break;
    case ReportFormat::kCsv:
      file.bytes = ReportCsv(report);
      break;
    case ReportFormat::kJson:
      file.bytes = ReportJsonText(report);
      break;
  }
  return file;
}

}  // namespace tabel::analytics
