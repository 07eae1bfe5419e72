#pragma once
// The calendar views, without HTTP: a team calendar (people × days, the
// code of each day), who is away today or this week, and a person's own
// calendar.
//
// Each day of a person gets one code:
//   * the T-13 letter code of his approved activity that day (ОТ, К, Б …;
//     overtime and dismissals take no day);
//   * else "Я" with the planned hours of his work schedule, or "В" on a day
//     off by his schedule (calendar/work_schedule.hpp, for his region);
//   * null before his hire date and after his dismissal date.
//
// Access (auth/access.hpp): calendar.read reaches the people a caller sees,
// and everyone also sees the colleagues of his own department. Privacy:
// the reason of a confidential activity (a sick leave, an unpaid leave …:
// request_types.confidential) shows only to whom employees.read_personal
// reaches that person — himself and hr; anyone else sees "absent" and no
// request. Pending requests show in a personal calendar only to whom
// requests.read reaches him.
//
// Cache (infra/cache): a team calendar is kept as its text for
// kTeamCacheTtl under a key made of the query, today, the revision of the
// production calendar's edits, the caller's reach of calendar.read and
// employees.read_personal (so two callers share an entry only when they see
// exactly the same), and the generation of the views, which Invalidate()
// bumps: the calendar.cache consumer calls it on every approved, cancelled
// or closed request and every change of an employee or a department. A
// change of work schedules shows within the TTL.
//
// Thread-safety: safe from any thread; blocks on the database (run it on
// the blocking pool). Errors: tabel::Error — BadRequest (no department to
// show), NotFound (a department that does not exist — as the org chart of
// the last second knows it —, a person outside the reach), and the
// repository's.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/access.hpp"
#include "calendar/production_calendar.hpp"
#include "calendar/views_repository.hpp"
#include "common/actor.hpp"
#include "common/clock.hpp"
#include "infra/cache/cache.hpp"
#include "users/service.hpp"

namespace tabel::calendar {

// The code of a day whose confidential reason the caller may not see.
inline constexpr std::string_view kAbsentCode = "absent";
inline constexpr std::string_view kWorkingCode = "Я";
inline constexpr std::string_view kDayOffCode = "В";

inline constexpr std::chrono::seconds kTeamCacheTtl{60};

// The longest ranges the views answer, in days.
inline constexpr int kMaxTeamDays = 93;
inline constexpr int kMaxPersonalDays = 366;

struct DayCell {
  std::string code;          // empty: not employed that day
  int64_t hours_tenths = 0;  // the planned hours of a working day without an activity
  // The activity of the day, unless the caller may not see what it is.
  std::optional<int64_t> request_id;
  std::optional<std::string> type;
};

struct PersonDays {
  CalendarPerson person;
  std::vector<DayCell> days;  // one per day of the range
};

// Whose calendar over which days: a team calendar (at most kMaxTeamDays)
// or who is away.
struct ViewQuery {
  std::optional<int64_t> department_id;  // nullopt: the caller's own
  bool subtree = false;
  Date from{}, to{};
  http::PageRequest page;
};

struct TeamCalendar {
  DepartmentFilter filter;
  Date from{}, to{};
  std::vector<DayKind> kinds;  // of the federal production calendar, one per day
  std::vector<PersonDays> people;
  std::optional<int64_t> next_after;
};

// An absence as the caller may see it: a confidential one has no type,
// name or request, and the code kAbsentCode.
struct Absence {
  CalendarPerson person;
  CalendarActivity activity;
};

struct AwayList {
  DepartmentFilter filter;
  Date from{}, to{};
  std::vector<Absence> items;
  std::optional<int64_t> next_after;  // a request id
};

struct PersonalCalendar {
  CalendarPerson person;
  Date from{}, to{};
  std::vector<DayKind> kinds;  // for his region
  std::vector<DayCell> days;
  std::vector<CalendarActivity> activities;  // as the caller may see them
};

class CalendarViews {
 public:
  CalendarViews(CalendarViewsRepository& repository, users::UsersService& users, auth::AccessResolver& access,
                const ProductionCalendar& calendar, cache::Cache& cache, Clock clock);

  // The team calendar as `render` writes it, from the cache when the same
  // caller-visible view was rendered since the last Invalidate().
  std::string TeamText(const Actor& actor, const ViewQuery& query,
                       const std::function<std::string(const TeamCalendar&)>& render);
  // Forgets every cached view (the activities changed).
  void Invalidate();
  AwayList Away(const Actor& actor, const ViewQuery& query);
  // Between `from` and `to` (at most kMaxPersonalDays).
  PersonalCalendar Personal(const Actor& actor, int64_t employee_id, Date from, Date to);

  Date Today() const;

 private:
  // What a caller sees: whom calendar.read reaches (with his own
  // department), whose confidential reasons (employees.read_personal), and
  // whose pending requests (requests.read).
  struct Sight {
    auth::Reach people, personal, requests;
  };
  // All three from one look at his access context.
  Sight SightOf(const Identity& identity);
  TeamCalendar Team(const Sight& sight, const ViewQuery& query);
  // The department to show: the asked one (NotFound if it does not exist)
  // or the caller's own (BadRequest naming department_id without one).
  DepartmentFilter FilterOf(const auth::Reach& reach, std::optional<int64_t> department_id, bool subtree);
  // The cells of `person` over [from, to] (`kinds`: of each day, for his
  // region), with `activities` (his, approved ones only count) as `reveal`
  // lets the caller see them.
  std::vector<DayCell> DaysOf(const CalendarPerson& person, const std::vector<users::WorkSchedule>& schedules,
                              const std::vector<DayKind>& kinds,
                              const std::vector<const CalendarActivity*>& activities, bool reveal, Date from,
                              Date to, Date today) const;

  CalendarViewsRepository& repository_;
  users::UsersService& users_;
  auth::AccessResolver& access_;
  const ProductionCalendar& calendar_;
  cache::Cache& cache_;
  Clock clock_;
};

}  // namespace tabel::calendar
