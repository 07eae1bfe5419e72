#pragma once
// Employees as the other services read them in the shared database
// (calendars, timesheets): who a person is and how he works. The users
// service owns the tables; this is the one way to read them from another
// service's query, so that every reader reads the same columns the same way:
//
//   query << "SELECT " TABEL_PERSON_COLUMNS << users::kPersonFrom << " WHERE …";
//   users::PersonRow row;
//   db::FetchAll(session, query, row, [](const users::PersonRow& r) { return r.ToPerson(); });
//
// Thread-safety: values; a PersonRow is one query's buffer.

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/date.hpp"

namespace tabel::users {

struct Person {
  int64_t id = 0;
  std::string personnel_number;
  std::string name;  // "Фамилия Имя Отчество"
  std::string position;
  int64_t department_id = 0;
  Date hire_date{};
  std::optional<Date> dismissal_date;
  int employment_rate = 100;
  int64_t schedule_id = 0;
  std::optional<std::string> region;
};

// The columns PersonRow reads, in its order, of `employees e` joined with
// `positions p` (kPersonFrom); a macro, to be spliced into longer literals.
#define TABEL_PERSON_COLUMNS                                                                   \
  "e.id, e.personnel_number, e.last_name, e.first_name, e.middle_name, COALESCE(p.name, ''), " \
  "e.department_id, e.hire_date, e.dismissal_date, e.employment_rate, e.schedule_id, e.region"
inline constexpr const char* kPersonFrom = " FROM employees e LEFT JOIN positions p ON p.id = e.position_id";

struct PersonRow {
  long long id = 0, department_id = 0, schedule_id = 0;
  std::string number, last_name, first_name, middle_name, position, hire_date, dismissal_date, region;
  int rate = 100;
  soci::indicator middle_ind = soci::i_null, dismissal_ind = soci::i_null, region_ind = soci::i_null;

  // Binds the columns of TABEL_PERSON_COLUMNS, in order.
  void Exchange(soci::statement& statement);
  // Throws tabel::Error (internal) for a malformed stored date.
  Person ToPerson() const;
};

}  // namespace tabel::users
