#include "analytics/service.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "auth/permissions.hpp"
#include "calendar/work_schedule.hpp"
#include "common/error.hpp"

namespace tabel::analytics {
namespace {

constexpr int32_t kMaxDayTenths = 240;

// How the engine counts an activity of a request type's kind; nullopt for
// one the timesheet does not show (no T-13 code).
std::optional<ActivityInput> InputOf(const TimesheetActivity& activity, Date today) {
  if (!activity.code) return std::nullopt;
  const std::optional<CodeId> code = FindCode(*activity.code);
  if (!code) return std::nullopt;
  ActivityInput input;
  input.code = *code;
  input.first = activity.start_date;
  // An open sick leave lasts until today, as far as anyone knows.
  input.last = activity.end_date.value_or(std::max(today, activity.start_date));
  if (activity.kind == "work") {
    input.rule = ActivityRule::kWork;
  } else if (activity.kind == "overtime") {
    input.rule = ActivityRule::kOvertime;
    input.hours_tenths = activity.hours.value_or(0) * 10;
  } else {
    input.rule = activity.leave ? ActivityRule::kLeaveDays : ActivityRule::kCalendarDays;
  }
  return input;
}

calendar::WorkPattern PatternOf(const std::vector<users::WorkSchedule>& schedules, int64_t schedule_id) {
  const auto found = std::find_if(schedules.begin(), schedules.end(),
                                  [&](const users::WorkSchedule& s) { return s.id == schedule_id; });
  if (found == schedules.end()) return {};  // the row went away: a plain 40-hour week
  return calendar::MakePattern(found->hours_per_week, found->shift_pattern, found->anchor_date);
}

// The production calendar's kinds of the days of a month, per region,
// computed once per region.
class MonthKinds {
 public:
  MonthKinds(const calendar::ProductionCalendar& calendar, std::chrono::year_month month)
      : calendar_(calendar), month_(month) {}

  const std::vector<calendar::DayKind>& Of(const std::optional<std::string>& region) {
    auto [found, added] = by_region_.try_emplace(region.value_or(""));
    if (added) {
      for (Date day = FirstDay(month_); day <= LastDay(month_); day += std::chrono::days{1}) {
        found->second.push_back(calendar_.KindOf(day, region));
      }
    }
    return found->second;
  }

 private:
  const calendar::ProductionCalendar& calendar_;
  std::chrono::year_month month_;
  std::map<std::string, std::vector<calendar::DayKind>> by_region_;
};

std::vector<int64_t> IdsOf(const std::vector<TimesheetPerson>& people) {
  std::vector<int64_t> ids;
  ids.reserve(people.size());
  for (const TimesheetPerson& person : people) ids.push_back(person.id);
  return ids;
}

std::chrono::year_month MonthOf(Date date) {
  const std::chrono::year_month_day ymd(date);
  return ymd.year() / ymd.month();
}

// Whether a department's T-13 shows the frozen row `snapshot`: of a person
// it shows anyway, or of one who was in the department when the month was
// closed and is within the reach.
bool Shown(const Snapshot& snapshot, const std::unordered_set<int64_t>& shown, const auth::Reach& reach) {
  return shown.contains(snapshot.row.employee_id) ||
         auth::Reaches(reach, snapshot.row.employee_id, snapshot.row.department_id);
}

void CheckReason(const std::string& reason, std::vector<FieldError>& errors) {
  if (reason.empty()) errors.push_back({"reason", "is required"});
  if (reason.size() > kMaxReasonLength) {
    errors.push_back({"reason", "must be at most " + std::to_string(kMaxReasonLength) + " bytes"});
  }
}

}  // namespace

TimesheetService::TimesheetService(TimesheetRepository& repository, users::UsersService& users,
                                   auth::AccessResolver& access, const calendar::ProductionCalendar& calendar,
                                   Clock clock, std::string organization)
    : repository_(repository),
      users_(users),
      access_(access),
      calendar_(calendar),
      clock_(std::move(clock)),
      organization_(std::move(organization)) {}

Date TimesheetService::Today() const { return LocalDate(clock_()); }

users::Department TimesheetService::DepartmentOf(int64_t department_id) {
  return users_.GetDepartment(department_id);
}

std::vector<T13Row> TimesheetService::Rows(const std::vector<TimesheetPerson>& people,
                                           std::chrono::year_month month, std::vector<Snapshot> snapshots) {
  std::unordered_map<int64_t, T13Row> frozen;
  for (Snapshot& snapshot : snapshots) frozen.emplace(snapshot.row.employee_id, std::move(snapshot.row));
  std::vector<int64_t> ids;
  for (const TimesheetPerson& person : people) {
    if (!frozen.contains(person.id)) ids.push_back(person.id);
  }
  const Date first = FirstDay(month), last = LastDay(month), today = Today();
  std::unordered_map<int64_t, std::vector<ActivityInput>> activities;
  for (const TimesheetActivity& activity : repository_.Activities(ids, first, last, today)) {
    if (std::optional<ActivityInput> input = InputOf(activity, today)) {
      activities[activity.employee_id].push_back(*input);
    }
  }
  // Every open row's corrections, the frozen rows' corrections of earlier
  // months included (they are paid in this month).
  const std::vector<int64_t> everyone = IdsOf(people);
  std::unordered_map<int64_t, std::vector<CorrectionInput>> corrections;
  std::unordered_map<int64_t, std::vector<EarlierDay>> earlier;
  for (const Correction& correction : repository_.Corrections(everyone, month)) {
    TimesheetDay day;
    for (const DayEntry& entry : correction.entries) {
      if (day.count < day.entries.size()) day.entries[day.count++] = entry;
    }
    day.corrected = true;
    if (correction.date < first) {
      earlier[correction.employee_id].push_back({correction.date, day});
    } else {
      corrections[correction.employee_id].push_back({correction.date, day.entries, day.count});
    }
  }
  const std::shared_ptr<const std::vector<users::WorkSchedule>> schedules = users_.Schedules();
  MonthKinds kinds(calendar_, month);
  std::vector<T13Row> rows;
  rows.reserve(people.size());
  for (const TimesheetPerson& person : people) {
    T13Row row;
    if (auto found = frozen.find(person.id); found != frozen.end()) {
      row = std::move(found->second);
      frozen.erase(found);
    } else {
      PersonMonthInput input;
      input.hire_date = person.hire_date;
      input.dismissal_date = person.dismissal_date;
      input.rate_percent = person.employment_rate;
      input.pattern = PatternOf(*schedules, person.schedule_id);
      input.kinds = kinds.Of(person.region);
      input.activities = activities[person.id];
      input.corrections = corrections[person.id];
      row.employee_id = person.id;
      row.personnel_number = person.personnel_number;
      row.name = person.name;
      row.position = person.position;
      row.department_id = person.department_id;
      row.days.resize(input.kinds.size());
      ComputeMonth(input, month, row.days);
      row.totals = Summarize(row.days, NormOf(input, month));
    }
    if (auto found = earlier.find(person.id); found != earlier.end()) row.earlier = std::move(found->second);
    rows.push_back(std::move(row));
  }
  // People frozen here who are elsewhere now (moved, or left).
  for (auto& [id, row] : frozen) rows.push_back(std::move(row));
  std::stable_sort(rows.begin(), rows.end(), [](const T13Row& a, const T13Row& b) {
    return std::tie(a.name, a.employee_id) < std::tie(b.name, b.employee_id);
  });
  return rows;
}

std::vector<T13Row> TimesheetService::MonthRows(const std::vector<TimesheetPerson>& people,
                                                std::chrono::year_month month) {
  const std::vector<int64_t> ids = IdsOf(people);
  std::vector<Snapshot> snapshots = repository_.Snapshots(month, ids, std::nullopt, false);
  const std::unordered_set<int64_t> here(ids.begin(), ids.end());
  std::erase_if(snapshots, [&](const Snapshot& s) { return !here.contains(s.row.employee_id); });
  return Rows(people, month, std::move(snapshots));
}

std::vector<T13Row> TimesheetService::FrozenOthers(std::chrono::year_month month, int64_t department_id,
                                                   bool subtree, const std::unordered_set<int64_t>& shown,
                                                   const auth::Reach& reach) {
  std::vector<T13Row> rows;
  for (Snapshot& snapshot : repository_.Snapshots(month, {}, department_id, subtree)) {
    if (!shown.contains(snapshot.row.employee_id) && Shown(snapshot, shown, reach)) {
      rows.push_back(std::move(snapshot.row));
    }
  }
  return rows;
}

T13Document TimesheetService::Department(const Actor& actor, int64_t department_id, bool subtree,
                                         std::chrono::year_month month) {
  const auth::Reach reach = access_.ReachOf(actor.identity, auth::kTimesheetsRead);
  if (!auth::ReachesDepartment(reach, department_id)) throw Error::NotFound("No such department.");
  const users::Department department = DepartmentOf(department_id);
  const Date first = FirstDay(month), last = LastDay(month);
  std::vector<TimesheetPerson> people =
      repository_.People(department_id, subtree, reach, first, last, kMaxT13People);
  if (people.size() > static_cast<size_t>(kMaxT13People)) {
    throw Error::Unprocessable("too-many-people",
                               "The timesheet has more than " + std::to_string(kMaxT13People) +
                                   " people: ask for a smaller department or for a report.",
                               {{"subtree", "covers too many people"}});
  }
  const std::vector<int64_t> ids = IdsOf(people);
  std::vector<Snapshot> snapshots = repository_.Snapshots(month, ids, department_id, subtree);
  // The frozen rows of the people shown, and of those who were in the
  // department then, as far as the reach goes.
  const std::unordered_set<int64_t> shown(ids.begin(), ids.end());
  std::erase_if(snapshots, [&](const Snapshot& s) { return !Shown(s, shown, reach); });
  T13Document document;
  document.organization = organization_;
  document.department_id = department.id;
  document.department_name = department.name;
  document.department_code = department.code;
  document.subtree = subtree;
  document.month = month;
  document.kinds = MonthKinds(calendar_, month).Of(std::nullopt);
  document.rows = Rows(people, month, std::move(snapshots));
  document.closed = !document.rows.empty() && std::all_of(document.rows.begin(), document.rows.end(),
                                                          [](const T13Row& r) { return r.closed; });
  document.generated_at = clock_();
  return document;
}

PersonMonth TimesheetService::Person(const Actor& actor, int64_t employee_id, std::chrono::year_month month) {
  std::optional<TimesheetPerson> person = repository_.Person(employee_id);
  if (!person || !auth::Reaches(access_.ReachOf(actor.identity, auth::kTimesheetsRead), person->id,
                                person->department_id)) {
    throw Error::NotFound("No such employee.");
  }
  PersonMonth result;
  result.month = month;
  result.kinds = MonthKinds(calendar_, month).Of(person->region);
  result.row = std::move(MonthRows({*person}, month).at(0));
  result.corrections = repository_.Corrections({person->id}, month);
  return result;
}

Correction TimesheetService::Correct(const Actor& actor, const CorrectionRequest& request) {
  std::vector<FieldError> errors;
  if (request.entries.empty() || request.entries.size() > 2) {
    errors.push_back({"entries", "must hold one or two codes"});
  }
  int64_t total = 0;
  for (size_t i = 0; i < request.entries.size(); ++i) {
    const DayEntry& entry = request.entries[i];
    const std::string field = "entries[" + std::to_string(i) + "]";
    total += entry.hours_tenths;
    if (entry.hours_tenths < 0 || entry.hours_tenths > kMaxDayTenths) {
      errors.push_back({field + ".hours", "must be from 0 to 24"});
    }
    if (IsWork(entry.code) && entry.hours_tenths == 0) {
      errors.push_back({field + ".hours", "must be more than 0 for a code of work"});
    }
    if (entry.code == kCodeDayOff && entry.hours_tenths != 0) {
      errors.push_back({field + ".hours", "must be 0 on a day off"});
    }
  }
  if (request.entries.size() == 2 && request.entries[0].code == request.entries[1].code) {
    errors.push_back({"entries[1].code", "must differ from the first code"});
  }
  if (total > kMaxDayTenths) errors.push_back({"entries", "must add up to 24 hours at most"});
  CheckReason(request.reason, errors);
  if (!errors.empty()) throw Error::Validation(std::move(errors));

  const TimesheetPerson person = CorrectablePerson(actor, request.employee_id);
  if (request.date < person.hire_date || (person.dismissal_date && request.date > *person.dismissal_date)) {
    throw Error::Unprocessable("not-employed", "He was not employed on " + FormatIsoDate(request.date) + ".",
                               {{"date", "is outside his employment"}});
  }
  Correction correction;
  correction.employee_id = person.id;
  correction.date = request.date;
  correction.period = MonthOf(request.date);
  correction.entries = request.entries;
  correction.reason = request.reason;
  return repository_.SaveCorrection(actor, std::move(correction));
}

void TimesheetService::RemoveCorrection(const Actor& actor, int64_t employee_id, Date date,
                                        const std::string& reason) {
  std::vector<FieldError> errors;
  CheckReason(reason, errors);
  if (!errors.empty()) throw Error::Validation(std::move(errors));
  CorrectablePerson(actor, employee_id);
  repository_.DeleteCorrection(actor, employee_id, date, reason);
}

void TimesheetService::CarryRequest(const Actor& actor, int64_t employee_id, Date first,
                                    std::optional<Date> last, const std::string& reason) {
  const std::optional<TimesheetPerson> person = repository_.Person(employee_id);
  if (!person) return;
  const Date end = last.value_or(std::max(Today(), first));
  std::chrono::year_month month = MonthOf(first);
  for (int i = 0; i < kMaxCarriedMonths && FirstDay(month) <= end; ++i, month += std::chrono::months{1}) {
    const std::vector<Snapshot> frozen = repository_.Snapshots(month, {employee_id}, std::nullopt, false);
    if (frozen.empty()) continue;  // open: the month shows the change itself
    const T13Row& then = frozen.front().row;
    const T13Row now = Rows({*person}, month, {}).at(0);
    const Date from = std::max(first, FirstDay(month)), to = std::min(end, LastDay(month));
    for (Date day = from; day <= to; day += std::chrono::days{1}) {
      const auto index = static_cast<size_t>((day - FirstDay(month)).count());
      if (index >= now.days.size() || index >= then.days.size() || !now.days[index].employed()) continue;
      const std::span<const DayEntry> entries = now.days[index].Entries();
      const std::span<const DayEntry> frozen_entries = then.days[index].Entries();
      const bool same =
          std::equal(entries.begin(), entries.end(), frozen_entries.begin(), frozen_entries.end());
      repository_.Carry(
          actor, employee_id, day,
          same ? std::nullopt : std::optional(std::vector<DayEntry>(entries.begin(), entries.end())), reason);
    }
  }
}

TimesheetPerson TimesheetService::CorrectablePerson(const Actor& actor, int64_t employee_id) {
  std::optional<TimesheetPerson> person = repository_.Person(employee_id);
  if (!person || !auth::Reaches(access_.ReachOf(actor.identity, auth::kTimesheetsRead), person->id,
                                person->department_id)) {
    throw Error::NotFound("No such employee.");
  }
  if (actor.identity.employee_id == person->id) throw Error::Forbidden("Nobody corrects his own timesheet.");
  if (!auth::Reaches(access_.ReachOf(actor.identity, auth::kTimesheetsCorrect), person->id,
                     person->department_id)) {
    throw Error::Forbidden("You may not correct this person's timesheet.");
  }
  return std::move(*person);
}

void TimesheetService::CheckCloser(const Actor& actor, std::optional<int64_t> department_id) {
  const auth::Reach reach = access_.ReachOf(actor.identity, auth::kPeriodsClose);
  const bool allowed = department_id ? auth::ReachesDepartment(reach, *department_id) : reach.everyone();
  if (!allowed) throw Error::Forbidden("You may not close or reopen this timesheet.");
  if (department_id) DepartmentOf(*department_id);
}

Closing TimesheetService::Close(const Actor& actor, std::chrono::year_month month,
                                std::optional<int64_t> department_id) {
  CheckCloser(actor, department_id);
  if (FirstDay(month) > Today()) {
    throw Error::Unprocessable("month-not-started", "A month is closed once it has begun.",
                               {{"month", "has not begun"}});
  }
  // Everyone of the month there, whoever the caller is.
  const auth::Reach everyone{Scope::kAll, std::nullopt, {}, std::nullopt};
  std::vector<TimesheetPerson> people = repository_.People(
      department_id, true, everyone, FirstDay(month), LastDay(month), std::numeric_limits<int>::max() - 1);
  // Only the snapshots of these people matter: the others stay as they are.
  return repository_.Close(actor, month, department_id, MonthRows(people, month));
}

std::vector<Closing> TimesheetService::Reopen(const Actor& actor, std::chrono::year_month month,
                                              std::optional<int64_t> department_id,
                                              const std::string& reason) {
  std::vector<FieldError> errors;
  CheckReason(reason, errors);
  if (!errors.empty()) throw Error::Validation(std::move(errors));
  CheckCloser(actor, department_id);
  return repository_.Reopen(actor, month, department_id, reason);
}

std::vector<Closing> TimesheetService::Closings(const Actor& actor, std::chrono::year_month month) {
  const bool allowed = access_.ReachOf(actor.identity, auth::kPeriodsClose).everyone() ||
                       access_.ReachOf(actor.identity, auth::kTimesheetsRead).everyone();
  if (!allowed) throw Error::Forbidden("Only accounting, hr and auditors see the closings of the company.");
  return repository_.Closings(month);
}

void TimesheetService::AssignTimekeeper(const Actor& actor, int64_t department_id, int64_t employee_id) {
  if (!auth::ReachesDepartment(access_.ReachOf(actor.identity, auth::kDepartmentsWrite), department_id)) {
    throw Error::Forbidden("Only hr assigns timekeepers.");
  }
  DepartmentOf(department_id);
  const std::optional<TimesheetPerson> person = repository_.Person(employee_id);
  if (!person) throw Error::NotFound("No such employee.");
  repository_.Assign(actor, department_id, employee_id);
  access_.Invalidate();
}

void TimesheetService::UnassignTimekeeper(const Actor& actor, int64_t department_id, int64_t employee_id) {
  if (!auth::ReachesDepartment(access_.ReachOf(actor.identity, auth::kDepartmentsWrite), department_id)) {
    throw Error::Forbidden("Only hr assigns timekeepers.");
  }
  repository_.Unassign(actor, department_id, employee_id);
  access_.Invalidate();
}

std::vector<TimesheetPerson> TimesheetService::Timekeepers(const Actor& actor, int64_t department_id) {
  if (!auth::ReachesDepartment(access_.ReachOf(actor.identity, auth::kTimesheetsRead), department_id)) {
    throw Error::NotFound("No such department.");
  }
  DepartmentOf(department_id);
  return repository_.Timekeepers(department_id);
}

}  // namespace tabel::analytics
