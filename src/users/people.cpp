#include "users/people.hpp"

#include "infra/db/timestamp.hpp"

namespace tabel::users {

void PersonRow::Exchange(soci::statement& statement) {
  statement.exchange(soci::into(id));
  statement.exchange(soci::into(number));
  statement.exchange(soci::into(last_name));
  statement.exchange(soci::into(first_name));
  statement.exchange(soci::into(middle_name, middle_ind));
  statement.exchange(soci::into(position));
  statement.exchange(soci::into(department_id));
  statement.exchange(soci::into(hire_date));
  statement.exchange(soci::into(dismissal_date, dismissal_ind));
  statement.exchange(soci::into(rate));
  statement.exchange(soci::into(schedule_id));
  statement.exchange(soci::into(region, region_ind));
}

Person PersonRow::ToPerson() const {
  Person p;
  p.id = id;
  p.personnel_number = number;
  p.name = last_name + " " + first_name;
  if (middle_ind == soci::i_ok && !middle_name.empty()) p.name += " " + middle_name;
  p.position = position;
  p.department_id = department_id;
  p.hire_date = db::ParseStoredDate(hire_date, "hire_date");
  if (dismissal_ind == soci::i_ok) p.dismissal_date = db::ParseStoredDate(dismissal_date, "dismissal_date");
  p.employment_rate = rate;
  p.schedule_id = schedule_id;
  if (region_ind == soci::i_ok) p.region = region;
  return p;
}

}  // namespace tabel::users
