#include "calendar/views.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "auth/crypto.hpp"
#include "auth/permissions.hpp"
#include "calendar/work_schedule.hpp"
#include "common/error.hpp"

namespace tabel::calendar {
namespace {

constexpr std::string_view kAbsentName = "Отсутствие";
constexpr const char* kGenerationKey = "tabel:calendar:generation";

// What a reach lets see, as text for a cache key.
void AppendReach(std::string& text, const auth::Reach& reach) {
  text += reach.scope ? std::to_string(static_cast<int>(*reach.scope)) : "-";
  text += ':' + (reach.self ? std::to_string(*reach.self) : "-") + ':';
  for (const int64_t department : reach.departments) text += std::to_string(department) + ',';
  text += '|';
}

std::vector<DayKind> KindsOf(const ProductionCalendar& calendar, const std::optional<std::string>& region,
                             Date from, Date to) {
  std::vector<DayKind> kinds;
  for (Date day = from; day <= to; day += std::chrono::days{1}) kinds.push_back(calendar.KindOf(day, region));
  return kinds;
}

// `activity` as the caller may see it.
CalendarActivity Shown(CalendarActivity activity, bool reveal) {
  if (!activity.confidential || reveal) return activity;
  CalendarActivity masked;
  masked.employee_id = activity.employee_id;
  masked.type_name = std::string(kAbsentName);
  masked.kind = activity.kind == "sick_leave" ? "absence" : activity.kind;
  masked.code = std::string(kAbsentCode);
  masked.confidential = true;
  masked.exclusive = activity.exclusive;
  masked.status = activity.status;
  masked.start_date = activity.start_date;
  masked.end_date = activity.end_date;
  return masked;
}

WorkPattern PatternOf(const std::vector<users::WorkSchedule>& schedules, int64_t schedule_id) {
  const auto found = std::find_if(schedules.begin(), schedules.end(),
                                  [&](const users::WorkSchedule& s) { return s.id == schedule_id; });
  WorkPattern pattern;
  if (found == schedules.end()) return pattern;  // the row went away: a plain 40-hour week
  return MakePattern(found->hours_per_week, found->shift_pattern, found->anchor_date);
}

}  // namespace

CalendarViews::CalendarViews(CalendarViewsRepository& repository, users::UsersService& users,
                             auth::AccessResolver& access, const ProductionCalendar& calendar,
                             cache::Cache& cache, Clock clock)
    : repository_(repository),
      users_(users),
      access_(access),
      calendar_(calendar),
      cache_(cache),
      clock_(std::move(clock)) {}

Date CalendarViews::Today() const { return LocalDate(clock_()); }

CalendarViews::Sight CalendarViews::SightOf(const Identity& identity) {
  const std::shared_ptr<const auth::AccessContext> context = access_.ContextOf(identity);
  Sight sight{auth::ReachOf(identity, auth::kCalendarRead, *context),
              auth::ReachOf(identity, auth::kEmployeesReadPersonal, *context),
              auth::ReachOf(identity, auth::kRequestsRead, *context)};
  auth::Reach& reach = sight.people;
  if (reach.scope && !reach.everyone() && reach.self_department) {
    auto& departments = reach.departments;
    const auto at = std::lower_bound(departments.begin(), departments.end(), *reach.self_department);
    if (at == departments.end() || *at != *reach.self_department)
      departments.insert(at, *reach.self_department);
  }
  return sight;
}

DepartmentFilter CalendarViews::FilterOf(const auth::Reach& reach, std::optional<int64_t> department_id,
                                         bool subtree) {
  if (department_id) {
    // The chart is at most a second old: no query for it.
    if (!access_.Chart()->Has(*department_id)) throw Error::NotFound("No such department.");
    return {*department_id, subtree};
  }
  if (!reach.self_department) {
    throw Error::BadRequest("You belong to no department: name one.",
                            {{"department_id", "is required for an account without a department"}});
  }
  return {*reach.self_department, subtree};
}

std::vector<DayCell> CalendarViews::DaysOf(const CalendarPerson& person,
                                           const std::vector<users::WorkSchedule>& schedules,
                                           const std::vector<DayKind>& kinds,
                                           const std::vector<const CalendarActivity*>& activities,
                                           bool reveal, Date from, Date to, Date today) const {
  const WorkPattern pattern = PatternOf(schedules, person.schedule_id);
  std::vector<DayCell> days;
  days.reserve(kinds.size());
  for (Date day = from; day <= to; day += std::chrono::days{1}) {
    DayCell cell;
    if (day >= person.hire_date && (!person.dismissal_date || day <= *person.dismissal_date)) {
      const PlannedDay plan =
          PlanDay(pattern, person.employment_rate, day, kinds[static_cast<size_t>((day - from).count())]);
      cell.code = plan.working ? kWorkingCode : kDayOffCode;
      cell.hours_tenths = plan.hours_tenths;
    }
    days.push_back(std::move(cell));
  }
  // Activities that may overlap others first, so that an exclusive one wins.
  std::vector<const CalendarActivity*> ordered;
  for (const CalendarActivity* activity : activities) {
    if (activity->status == "approved") ordered.push_back(activity);
  }
  std::stable_partition(ordered.begin(), ordered.end(),
                        [](const CalendarActivity* a) { return !a->exclusive; });
  for (const CalendarActivity* activity : ordered) {
    const CalendarActivity shown = Shown(*activity, reveal);
    // An open sick leave lasts until today, as far as anyone knows.
    const Date last = activity->end_date.value_or(std::max(today, activity->start_date));
    for (Date day = std::max(from, activity->start_date); day <= std::min(to, last);
         day += std::chrono::days{1}) {
      DayCell& cell = days[static_cast<size_t>((day - from).count())];
      if (cell.code.empty()) continue;  // not employed that day
      cell.code = shown.code.value_or(shown.type);
      cell.hours_tenths = 0;
      if (shown.request_id != 0) cell.request_id = shown.request_id;
      if (!shown.type.empty()) cell.type = shown.type;
    }
  }
  return days;
}

TeamCalendar CalendarViews::Team(const Sight& sight, const ViewQuery& query) {
  const auth::Reach& reach = sight.people;
  TeamCalendar team;
  team.filter = FilterOf(reach, query.department_id, query.subtree);
  team.from = query.from;
  team.to = query.to;
  team.kinds = KindsOf(calendar_, std::nullopt, query.from, query.to);
  auto page = http::PageOf(repository_.People(team.filter, reach, query.from, query.to, query.page),
                           query.page.limit);
  team.next_after = page.next_after;
  std::vector<int64_t> ids;
  for (const CalendarPerson& person : page.items) ids.push_back(person.id);
  const Date today = Today();
  const std::vector<CalendarActivity> activities =
      repository_.Activities(ids, query.from, query.to, today, /*pending=*/false);
  std::unordered_map<int64_t, std::vector<const CalendarActivity*>> by_person;
  for (const CalendarActivity& activity : activities) by_person[activity.employee_id].push_back(&activity);
  const std::shared_ptr<const std::vector<users::WorkSchedule>> schedules = users_.Schedules();
  const auth::Reach& personal = sight.personal;
  // The days' kinds once per region: most of a team shares one.
  std::map<std::optional<std::string>, std::vector<DayKind>> kinds_by_region;
  kinds_by_region.emplace(std::nullopt, team.kinds);
  for (CalendarPerson& person : page.items) {
    const bool reveal = auth::Reaches(personal, person.id, person.department_id);
    auto kinds = kinds_by_region.find(person.region);
    if (kinds == kinds_by_region.end()) {
      kinds = kinds_by_region.emplace(person.region, KindsOf(calendar_, person.region, query.from, query.to))
                  .first;
    }
    std::vector<DayCell> days =
        DaysOf(person, *schedules, kinds->second, by_person[person.id], reveal, query.from, query.to, today);
    team.people.push_back({std::move(person), std::move(days)});
  }
  return team;
}

std::string CalendarViews::TeamText(const Actor& actor, const ViewQuery& query,
                                    const std::function<std::string(const TeamCalendar&)>& render) {
  const Sight sight = SightOf(actor.identity);
  std::string view;
  AppendReach(view, sight.people);
  AppendReach(view, sight.personal);
  view += query.department_id ? std::to_string(*query.department_id) : "own";
  view += (query.subtree ? ":s:" : ":d:") + FormatIsoDate(query.from) + ':' + FormatIsoDate(query.to) + ':' +
          std::to_string(query.page.limit) + ':' + std::to_string(query.page.after.value_or(0)) + ':' +
          FormatIsoDate(Today()) + ':' + std::to_string(calendar_.revision());
  const std::string key =
      "tabel:calendar:team:" + std::to_string(cache_.Counter(kGenerationKey)) + ":" + auth::Sha256Hex(view);
  if (std::optional<std::string> cached = cache_.Get(key)) return std::move(*cached);
  std::string text = render(Team(sight, query));
  cache_.Set(key, text, kTeamCacheTtl);
  return text;
}

void CalendarViews::Invalidate() { cache_.Bump(kGenerationKey); }

AwayList CalendarViews::Away(const Actor& actor, const ViewQuery& query) {
  const Sight sight = SightOf(actor.identity);
  const auth::Reach& reach = sight.people;
  AwayList away;
  away.filter = FilterOf(reach, query.department_id, query.subtree);
  away.from = query.from;
  away.to = query.to;
  auto rows = repository_.Absences(away.filter, reach, query.from, query.to, Today(), query.page);
  auto page = http::PageOf(std::move(rows), query.page.limit,
                           [](const auto& row) -> int64_t { return row.first.request_id; });
  away.next_after = page.next_after;
  const auth::Reach& personal = sight.personal;
  for (auto& [activity, person] : page.items) {
    const bool reveal = auth::Reaches(personal, person.id, person.department_id);
    away.items.push_back({std::move(person), Shown(std::move(activity), reveal)});
  }
  return away;
}

PersonalCalendar CalendarViews::Personal(const Actor& actor, int64_t employee_id, Date from, Date to) {
  std::optional<CalendarPerson> person = repository_.Person(employee_id);
  const Sight sight = SightOf(actor.identity);
  if (!person || !auth::Reaches(sight.people, person->id, person->department_id)) {
    throw Error::NotFound("No such employee.");
  }
  const bool reveal = auth::Reaches(sight.personal, person->id, person->department_id);
  const bool pending = auth::Reaches(sight.requests, person->id, person->department_id);
  PersonalCalendar calendar;
  calendar.from = from;
  calendar.to = to;
  calendar.kinds = KindsOf(calendar_, person->region, from, to);
  const Date today = Today();
  const std::vector<CalendarActivity> activities =
      repository_.Activities({person->id}, from, to, today, pending);
  std::vector<const CalendarActivity*> pointers;
  pointers.reserve(activities.size());
  for (const CalendarActivity& activity : activities) pointers.push_back(&activity);
  calendar.days = DaysOf(*person, *users_.Schedules(), calendar.kinds, pointers, reveal, from, to, today);
  calendar.activities.reserve(activities.size());
  for (const CalendarActivity& activity : activities) calendar.activities.push_back(Shown(activity, reveal));
  calendar.person = std::move(*person);
  return calendar;
}

}  // namespace tabel::calendar
