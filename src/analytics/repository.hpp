#pragma once
// The SQL of the timesheet: the people of a department and their approved
// activities (read-only, from the users and management services' tables in
// the shared database, with the reach condition every list uses:
// auth/access.hpp), and what the timesheet owns — corrections, closed
// months' snapshots, closings, timekeepers' departments.
//
// Every change of a month (a correction, a closing, a reopening) first
// takes the row lock of that month in timesheet_locks, so a correction
// never slips into a month while it closes.
// Thread-safety: safe from any thread; each call leases its own session
// and blocks on the database. Errors: tabel::Error from the database
// helpers; NotFound and Conflict as each method says.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analytics/t13.hpp"
#include "auth/access.hpp"
#include "common/actor.hpp"
#include "common/clock.hpp"
#include "common/date.hpp"
#include "infra/db/database.hpp"
#include "users/people.hpp"

namespace tabel::analytics {

using TimesheetPerson = users::Person;

// An approved request as the timesheet counts it.
struct TimesheetActivity {
  int64_t request_id = 0;
  int64_t employee_id = 0;
  std::string kind;                 // of its type: absence, business_trip, sick_leave, work, overtime
  std::optional<std::string> code;  // the type's T-13 letter code
  bool leave = false;               // a leave charged to a balance: holidays inside are not counted
  Date start_date{};
  std::optional<Date> end_date;  // nullopt: a sick leave still open
  std::optional<int> hours;      // overtime
};

struct Correction {
  int64_t id = 0;
  int64_t employee_id = 0;
  Date date{};
  std::chrono::year_month period{};  // the month whose timesheet carries it
  std::vector<DayEntry> entries;     // one or two
  std::string reason;
  // Written by the timesheet for a request that changed a closed month.
  bool automatic = false;
  int64_t account_id = 0;
  int64_t version = 0;
  std::chrono::system_clock::time_point updated_at;
};

// A person's closed month.
struct Snapshot {
  T13Row row;  // days, totals (norm included) and who he was
};

struct Closing {
  int64_t id = 0;
  std::chrono::year_month period{};
  std::optional<int64_t> department_id;  // nullopt: the whole company
  int people = 0;
  int64_t account_id = 0;
  std::chrono::system_clock::time_point closed_at;
  std::optional<int64_t> reopened_by;
  std::optional<std::chrono::system_clock::time_point> reopened_at;
  std::optional<std::string> reopen_reason;
};

class TimesheetRepository {
 public:
  TimesheetRepository(db::Database& database, Clock clock);

  // The people within `reach` employed on some day of [from, to]: of the
  // department (with its subtree when `subtree`), or everyone when
  // `department_id` is nullopt; by name, at most `limit` + 1.
  std::vector<TimesheetPerson> People(std::optional<int64_t> department_id, bool subtree,
                                      const auth::Reach& reach, Date from, Date to, int limit);
  std::optional<TimesheetPerson> Person(int64_t id);

  // The approved activities of `employees` with a day in [from, to] (an
  // open sick leave lasts until `today`), dismissals left out. For very
  // many employees the rows of others may come too: the caller keeps
  // those of its people (so also in Corrections).
  std::vector<TimesheetActivity> Activities(const std::vector<int64_t>& employees, Date from, Date to,
                                            Date today);
  // The corrections `period`'s timesheet carries for `employees`: its own
  // days and those of earlier, closed months.
  std::vector<Correction> Corrections(const std::vector<int64_t>& employees, std::chrono::year_month period);

  // The snapshots of `period` of `employees`, and, with a department, of
  // the people of the department (with its subtree) when it was closed —
  // the ones who have left it since too. Without one, for very many
  // employees others may come too (as in Activities).
  std::vector<Snapshot> Snapshots(std::chrono::year_month period, const std::vector<int64_t>& employees,
                                  std::optional<int64_t> department_id, bool subtree);

  // Writes the correction of `correction.date` (replacing one there was),
  // audited. Its period is the date's month unless that is closed for the
  // person: then the first month after it that is not. Returns it as stored.
  Correction SaveCorrection(const Actor& actor, Correction correction);
  // The timesheet's own correction of `date` (automatic) in the period that
  // carries it now: `entries`, or none (removed) for nullopt. A person's
  // correction there stays as it is. Audited with `reason`.
  void Carry(const Actor& actor, int64_t employee_id, Date date,
             const std::optional<std::vector<DayEntry>>& entries, const std::string& reason);
  // Removes the correction of `date` from the period that carries it now,
  // audited with `reason`. NotFound when there is none.
  void DeleteCorrection(const Actor& actor, int64_t employee_id, Date date, const std::string& reason);

  // Freezes `rows` (the T-13 rows of the department, or of the company for
  // nullopt) as `period`'s snapshots with one closing row, audited; people
  // already frozen for the period keep their snapshot. Conflict when every
  // one of them already was.
  Closing Close(const Actor& actor, std::chrono::year_month period, std::optional<int64_t> department_id,
                const std::vector<T13Row>& rows);
  // Drops the snapshots of `period` of the department (with its subtree) or
  // of the company, marks the closings that froze them reopened, audited;
  // corrections of its days carried into later months come back to it.
  // Conflict when nothing was closed, or when a later month is closed for
  // one of these people.
  std::vector<Closing> Reopen(const Actor& actor, std::chrono::year_month period,
                              std::optional<int64_t> department_id, const std::string& reason);
  // The closings of `period`, newest first.
  std::vector<Closing> Closings(std::chrono::year_month period);

  // Timekeepers: the departments whose timesheets a person keeps.
  void Assign(const Actor& actor, int64_t department_id, int64_t employee_id);
  // NotFound when he was not assigned.
  void Unassign(const Actor& actor, int64_t department_id, int64_t employee_id);
  std::vector<TimesheetPerson> Timekeepers(int64_t department_id);

 private:
  db::Database& database_;
  Clock clock_;
};

}  // namespace tabel::analytics
