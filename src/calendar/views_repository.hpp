#pragma once
// The SQL of the calendar views: the people of a department as the caller
// may see them, and their activities over a range of dates.
//
// The views read the users service's employees and the management
// service's requests and types read-only, in the shared database, with the
// same reach condition every list uses (auth/access.hpp); they write
// nothing.
// Thread-safety: safe from any thread; each call leases its own session
// and blocks on the database. Errors: tabel::Error from the database
// helpers.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/access.hpp"
#include "common/actor.hpp"
#include "common/date.hpp"
#include "http/query_fields.hpp"
#include "infra/db/database.hpp"
#include "infra/db/query.hpp"
#include "users/people.hpp"

namespace tabel::calendar {

// An employee as a calendar shows him.
using CalendarPerson = users::Person;

// An approved (or pending) request as a calendar shows it.
struct CalendarActivity {
  int64_t request_id = 0;
  int64_t employee_id = 0;
  std::string type;  // the request type's code
  std::string type_name;
  std::string kind;                 // the type's kind: absence, business_trip, sick_leave, work
  std::optional<std::string> code;  // the T-13 letter code
  bool confidential = false;
  bool exclusive = true;
  std::string status;  // approved or pending
  Date start_date{};
  std::optional<Date> end_date;  // nullopt: a sick leave still open
  int64_t version = 0;
};

// Whose calendar: a department, with or without its subtree.
struct DepartmentFilter {
  int64_t department_id = 0;
  bool subtree = false;
};

class CalendarViewsRepository {
 public:
  explicit CalendarViewsRepository(db::Database& database);

  // The people of `filter` within `reach` employed on some day of
  // [from, to], ordered by id, after page.after, at most page.limit + 1.
  std::vector<CalendarPerson> People(const DepartmentFilter& filter, const auth::Reach& reach, Date from,
                                     Date to, const http::PageRequest& page);
  // One employee, whoever he is (the caller checks the reach).
  std::optional<CalendarPerson> Person(int64_t id);

  // The approved activities of `employees` (and the pending ones when
  // `pending`) on some day of [from, to] — an open sick leave lasts until
  // `today` — except overtime and dismissals, which take no day; ordered by
  // start.
  std::vector<CalendarActivity> Activities(const std::vector<int64_t>& employees, Date from, Date to,
                                           Date today, bool pending);

  // The approved absences (absence, business trip, sick leave) on some day
  // of [from, to] of the people of `filter` within `reach` (an open sick
  // leave lasts until `today`), with their people, ordered by request id,
  // after page.after, at most page.limit + 1.
  std::vector<std::pair<CalendarActivity, CalendarPerson>> Absences(const DepartmentFilter& filter,
                                                                    const auth::Reach& reach, Date from,
                                                                    Date to, Date today,
                                                                    const http::PageRequest& page);

  // The secret tokens of the iCalendar feeds, by their SHA-256 (hex):
  // replaces the caller's account's token, with an audit row.
  void SaveFeedToken(const Actor& actor, const std::string& token_hash,
                     std::chrono::system_clock::time_point now);
  // Removes it, with an audit row; false when there was none.
  bool DeleteFeedToken(const Actor& actor, std::chrono::system_clock::time_point now);
  // The account whose token has this hash.
  std::optional<int64_t> FeedOwner(const std::string& token_hash);

 private:
  // Through the session's prepared statement of the query's text, or
  // planned with its values this once.
  std::vector<CalendarPerson> ReadPeople(db::Query query, bool prepared);

  db::Database& database_;
};

}  // namespace tabel::calendar
