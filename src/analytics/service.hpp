#pragma once
// The timesheet, without HTTP: the T-13 of a department for a month, a
// person's month, corrections of days, closing and reopening months, and
// who keeps which department's timesheet.
//
// A month's row of a person is computed by analytics/engine.hpp from his
// work schedule, the production calendar of his region, his approved
// requests and the corrections the month carries — unless the month is
// closed for him: then it is the snapshot frozen at closing, and a later
// correction of one of its days goes to the first month after it that is
// still open ("a correction of an earlier period", listed in that month's
// row under `earlier`).
//
// Access (auth/access.hpp): timesheets.read reaches the rows (a department
// outside it is 404 like one that does not exist); timesheets.correct
// reaches whose days one corrects (a timekeeper: the departments he is
// assigned to) — never one's own; periods.close closes and reopens (the
// whole company needs it for everyone); departments.write assigns
// timekeepers.
//
// Thread-safety: safe from any thread; blocks on the database (run it on
// the blocking pool). Errors: tabel::Error — BadRequest, NotFound,
// Forbidden, Conflict, Unprocessable as each method says, and the
// repository's.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "analytics/repository.hpp"
#include "analytics/t13.hpp"
#include "auth/access.hpp"
#include "calendar/production_calendar.hpp"
#include "common/actor.hpp"
#include "common/clock.hpp"
#include "users/service.hpp"

namespace tabel::analytics {

// The most rows a department's T-13 answers at once.
inline constexpr int kMaxT13People = 3000;
inline constexpr size_t kMaxReasonLength = 500;
// The most months one request's change is looked for in.
inline constexpr int kMaxCarriedMonths = 24;

// A person's month with the corrections behind it.
struct PersonMonth {
  T13Row row;
  std::chrono::year_month month{};
  std::vector<calendar::DayKind> kinds;  // for his region
  std::vector<Correction> corrections;   // those this month carries
};

struct CorrectionRequest {
  int64_t employee_id = 0;
  Date date{};
  std::vector<DayEntry> entries;  // one or two
  std::string reason;
};

class TimesheetService {
 public:
  TimesheetService(TimesheetRepository& repository, users::UsersService& users, auth::AccessResolver& access,
                   const calendar::ProductionCalendar& calendar, Clock clock, std::string organization);

  // The T-13 of a department (with its subtree) for `month`: NotFound for
  // a department that does not exist or is outside the reach;
  // Unprocessable beyond kMaxT13People rows.
  T13Document Department(const Actor& actor, int64_t department_id, bool subtree,
                         std::chrono::year_month month);
  // A person's month: NotFound outside the reach.
  PersonMonth Person(const Actor& actor, int64_t employee_id, std::chrono::year_month month);

  // Sets the correction of a day: NotFound for a person outside the read
  // reach, Forbidden outside the correct reach or for oneself,
  // Unprocessable for a day outside his employment; BadRequest naming the
  // field for bad entries.
  Correction Correct(const Actor& actor, const CorrectionRequest& request);
  // Removes it (NotFound when there is none in an open month).
  void RemoveCorrection(const Actor& actor, int64_t employee_id, Date date, const std::string& reason);

  // What a request changed (approved, cancelled, closed) on the days
  // [first, last] (an open sick leave: until today) of months closed for
  // its employee is carried as automatic corrections into the first open
  // month after each (repository Carry): a day that differs from its
  // snapshot gets one, a day back to its snapshot loses it. Months open
  // for him need nothing. Called by the queue consumer of request events;
  // idempotent.
  void CarryRequest(const Actor& actor, int64_t employee_id, Date first, std::optional<Date> last,
                    const std::string& reason);

  // Closes `month` for a department and its subtree, or the company
  // (nullopt): Forbidden without periods.close over it, Conflict when it
  // is already closed for everyone there.
  Closing Close(const Actor& actor, std::chrono::year_month month, std::optional<int64_t> department_id);
  std::vector<Closing> Reopen(const Actor& actor, std::chrono::year_month month,
                              std::optional<int64_t> department_id, const std::string& reason);
  std::vector<Closing> Closings(const Actor& actor, std::chrono::year_month month);

  void AssignTimekeeper(const Actor& actor, int64_t department_id, int64_t employee_id);
  void UnassignTimekeeper(const Actor& actor, int64_t department_id, int64_t employee_id);
  std::vector<TimesheetPerson> Timekeepers(const Actor& actor, int64_t department_id);

  Date Today() const;

  // The rows of `people` for `month` as the T-13 shows them (snapshots
  // where the month is closed for them), in the T-13's order. For reports:
  // no access check.
  std::vector<T13Row> MonthRows(const std::vector<TimesheetPerson>& people, std::chrono::year_month month);
  // The frozen rows of `month` of the people who were in the department
  // (with its subtree) when the month was closed for them, are not among
  // `shown` (they moved or left since), and are within `reach`: what the
  // department's T-13 shows besides its people's rows.
  std::vector<T13Row> FrozenOthers(std::chrono::year_month month, int64_t department_id, bool subtree,
                                   const std::unordered_set<int64_t>& shown, const auth::Reach& reach);
  // The department, or NotFound.
  users::Department DepartmentOf(int64_t department_id);

 private:
  // The rows of `people` for `month`: snapshots where the month is closed
  // for them, computed otherwise.
  std::vector<T13Row> Rows(const std::vector<TimesheetPerson>& people, std::chrono::year_month month,
                           std::vector<Snapshot> snapshots);
  // The person whose days the caller may correct: NotFound outside the
  // read reach, Forbidden outside the correct reach or for himself.
  TimesheetPerson CorrectablePerson(const Actor& actor, int64_t employee_id);
  // Forbidden unless periods.close reaches the department (everyone for
  // the company).
  void CheckCloser(const Actor& actor, std::optional<int64_t> department_id);

  TimesheetRepository& repository_;
  users::UsersService& users_;
  auth::AccessResolver& access_;
  const calendar::ProductionCalendar& calendar_;
  Clock clock_;
  std::string organization_;
};

}  // namespace tabel::analytics
