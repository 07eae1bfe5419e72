#include "users/repository.hpp"

#include <soci/soci.h>

#include <utility>

#include "common/error.hpp"
#include "common/text.hpp"
#include "infra/db/query.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"
#include "users/org_tree.hpp"

namespace tabel::users {
namespace {

constexpr const char* kEmployeeColumns =
    "SELECT e.id, e.personnel_number, e.last_name, e.first_name, e.middle_name, e.email, e.position_id, "
    "p.name, e.department_id, e.hire_date, e.dismissal_date, e.probation_end_date, e.employment_rate, "
    "e.schedule_id, e.phone, "
    "e.region, e.salary_kopecks, "
    "e.version";
constexpr const char* kEmployeeById =
    " FROM employees e JOIN positions p ON p.id = e.position_id WHERE e.id = ";
// The page's ids are chosen in an inner query that the index on
// (department_id, id, dismissal_date) answers by itself, so the rows, the
// joins and the manager subquery are read for the page only, not for every
// employee in reach.
constexpr const char* kEmployeeFrom = " FROM employees e JOIN (SELECT e.id FROM employees e WHERE ";
constexpr const char* kEmployeePageEnd =
    ") page ON page.id = e.id JOIN positions p ON p.id = e.position_id ORDER BY e.id";

constexpr const char* kLockEmployee =
    "SELECT personnel_number, last_name, first_name, middle_name, email, position_id, department_id, "
    "hire_date, dismissal_date, probation_end_date, employment_rate, schedule_id, phone, region, "
    "salary_kopecks, version FROM employees WHERE id = :id";
constexpr const char* kInsertEmployee =
    "INSERT INTO employees (personnel_number, last_name, first_name, middle_name, email, phone, position_id, "
    "department_id, hire_date, dismissal_date, probation_end_date, employment_rate, schedule_id, region, "
    "salary_kopecks, search_name, version, created_at, updated_at) VALUES (:personnel_number, :last_name, "
    ":first_name, :middle_name, :email, :phone, :position_id, :department_id, :hire_date, :dismissal_date, "
    ":probation_end_date, :employment_rate, :schedule_id, :region, :salary_kopecks, :search_name, 1, "
    ":created_at, :updated_at) "
    "RETURNING id";
constexpr const char* kUpdateEmployee =
    "UPDATE employees SET personnel_number = :personnel_number, last_name = :last_name, first_name = "
    ":first_name, middle_name = :middle_name, email = :email, phone = :phone, position_id = :position_id, "
    "department_id = :department_id, hire_date = :hire_date, dismissal_date = :dismissal_date, "
    "probation_end_date = :probation_end_date, employment_rate = :employment_rate, schedule_id = "
    ":schedule_id, region = :region, salary_kopecks = "
    ":salary_kopecks, search_name = :search_name, version = version + 1, updated_at = :updated_at "
    "WHERE id = :id";
constexpr const char* kSelectEmployment =
    "SELECT department_id, hire_date, dismissal_date, region FROM employees WHERE id = ";
constexpr const char* kSetDismissalDate =
    "UPDATE employees SET dismissal_date = :dismissal_date, version = version + 1, updated_at = :updated_at "
    "WHERE id = :id";
constexpr const char* kEmployeeByNumber =
    "SELECT COUNT(*) FROM employees WHERE personnel_number = :value AND id <> :id";
constexpr const char* kEmployeeByEmail = "SELECT COUNT(*) FROM employees WHERE email = :value AND id <> :id";
constexpr const char* kPositionExists = "SELECT COUNT(*) FROM positions WHERE id = :id";
constexpr const char* kDepartmentExists = "SELECT COUNT(*) FROM departments WHERE id = :id";
constexpr const char* kScheduleExists = "SELECT COUNT(*) FROM work_schedules WHERE id = :id";
constexpr const char* kActiveEmployeeExists =
    "SELECT COUNT(*) FROM employees WHERE id = :id AND dismissal_date IS NULL";

constexpr const char* kDepartmentColumns =
    "SELECT id, parent_id, code, name, head_employee_id, version FROM departments";
constexpr const char* kInsertDepartment =
    "INSERT INTO departments (parent_id, code, name, head_employee_id, version, created_at, updated_at) "
    "VALUES (:parent_id, :code, :name, :head_employee_id, 1, :created_at, :updated_at) RETURNING id";
constexpr const char* kUpdateDepartment =
    "UPDATE departments SET parent_id = :parent_id, code = :code, name = :name, head_employee_id = "
    ":head_employee_id, version = version + 1, updated_at = :updated_at WHERE id = :id";
constexpr const char* kDepartmentByCode =
    "SELECT COUNT(*) FROM departments WHERE code = :value AND id <> :id";
constexpr const char* kInSubtree =
    "SELECT COUNT(*) FROM department_closure WHERE ancestor_id = :ancestor AND descendant_id = :descendant";

constexpr const char* kSelectPositions = "SELECT id, name FROM positions ORDER BY name";
constexpr const char* kInsertPosition =
    "INSERT INTO positions (name, created_at) VALUES (:name, :at) RETURNING id";
constexpr const char* kPositionByName = "SELECT COUNT(*) FROM positions WHERE name = :name";
constexpr const char* kSelectSchedules =
    "SELECT id, code, name, kind, hours_per_week, shift_pattern, anchor_date FROM work_schedules ORDER BY id";

// The bound form of an Employee: SOCI needs plain members and indicators.
struct EmployeeRow {
  long long id = 0, position_id = 0, department_id = 0, schedule_id = 0, salary = 0, version = 0;
  std::string number, last_name, first_name, middle_name, email, position, hire_date, dismissal_date,
      probation_end_date, phone, region;
  int rate = 100;
  soci::indicator middle_ind = soci::i_null, dismissal_ind = soci::i_null, probation_ind = soci::i_null,
                  phone_ind = soci::i_null, region_ind = soci::i_null;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(number));
    statement.exchange(soci::into(last_name));
    statement.exchange(soci::into(first_name));
    statement.exchange(soci::into(middle_name, middle_ind));
    statement.exchange(soci::into(email));
    statement.exchange(soci::into(position_id));
    statement.exchange(soci::into(position));
    statement.exchange(soci::into(department_id));
    statement.exchange(soci::into(hire_date));
    statement.exchange(soci::into(dismissal_date, dismissal_ind));
    statement.exchange(soci::into(probation_end_date, probation_ind));
    statement.exchange(soci::into(rate));
    statement.exchange(soci::into(schedule_id));
    statement.exchange(soci::into(phone, phone_ind));
    statement.exchange(soci::into(region, region_ind));
    statement.exchange(soci::into(salary));
    statement.exchange(soci::into(version));
  }

  // Moves the texts out: the row is refilled by the next fetch.
  Employee TakeEmployee() {
    Employee e;
    e.id = id;
    e.personnel_number = std::move(number);
    e.last_name = std::move(last_name);
    e.first_name = std::move(first_name);
    if (middle_ind == soci::i_ok) e.middle_name = std::move(middle_name);
    e.email = std::move(email);
    e.position_id = position_id;
    e.position = std::move(position);
    e.department_id = department_id;
    e.hire_date = ParseStoredDate(hire_date);
    if (dismissal_ind == soci::i_ok) e.dismissal_date = ParseStoredDate(dismissal_date);
    if (probation_ind == soci::i_ok) e.probation_end_date = ParseStoredDate(probation_end_date);
    e.employment_rate = rate;
    e.schedule_id = schedule_id;
    if (phone_ind == soci::i_ok) e.phone = std::move(phone);
    if (region_ind == soci::i_ok) e.region = std::move(region);
    e.salary_kopecks = salary;
    e.version = version;
    return e;
  }

  static Date ParseStoredDate(const std::string& text) {
    const auto date = ParseIsoDate(std::string_view(text).substr(0, 10));
    if (!date) throw Error::Internal("employees: malformed date '" + text + "'");
    return *date;
  }
};

// SELECT … FROM (the page's ids WHERE the read reach; the caller appends
// its filters and ends with AppendEmployeePageEnd). The reach's departments
// are one parameter, so the text depends on the kind of query only.
void AppendEmployeeSelect(db::Query& query, const auth::Reach& read, db::Dialect dialect) {
  query << kEmployeeColumns << kEmployeeFrom;
  auth::AppendReachCondition(query, read, "e.id", "e.department_id", dialect);
}

// Runs `query` through the session's statement prepared for its text.
std::vector<Employee> ReadEmployees(db::Lease& lease, db::Query query) {
  return db::FetchCached<EmployeeRow>(lease, std::move(query), [](EmployeeRow& row) {
    Employee employee = row.TakeEmployee();
    row.middle_ind = row.dismissal_ind = row.phone_ind = row.region_ind = soci::i_null;
    return employee;
  });
}

// The row of kSelectEmployment.
struct EmploymentRow {
  long long department = 0;
  std::string hire, dismissal, region;
  soci::indicator dismissal_ind = soci::i_null, region_ind = soci::i_null;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(department));
    statement.exchange(soci::into(hire));
    statement.exchange(soci::into(dismissal, dismissal_ind));
    statement.exchange(soci::into(region, region_ind));
  }
};

void AppendEmployeePageEnd(db::Query& query, long long limit) {
  query << " ORDER BY e.id LIMIT " << query.Param(limit) << kEmployeePageEnd;
}

long long Count(soci::session& session, const char* sql, long long id) {
  long long count = 0;
  session << sql, soci::into(count), soci::use(id, "id");
  return count;
}

long long CountOther(soci::session& session, const char* sql, const std::string& value, long long id) {
  long long count = 0;
  session << sql, soci::into(count), soci::use(value, "value"), soci::use(id, "id");
  return count;
}

Error ConflictOn(std::string field, std::string detail) {
  return {ErrorKind::kConflict, "conflict", std::move(detail), {{std::move(field), "is already taken"}}};
}

// The checks every saved employee passes, inside the saving transaction.
void CheckEmployeeReferences(soci::session& session, const Employee& e) {
  std::vector<FieldError> missing;
  if (Count(session, kPositionExists, e.position_id) == 0)
    missing.push_back({"position_id", "no such position"});
  if (Count(session, kDepartmentExists, e.department_id) == 0) {
    missing.push_back({"department_id", "no such department"});
  }
  if (Count(session, kScheduleExists, e.schedule_id) == 0) {
    missing.push_back({"schedule_id", "no such work schedule"});
  }
  if (!missing.empty()) {
    throw Error::Unprocessable("invalid-reference", "The employee refers to something that does not exist.",
                               std::move(missing));
  }
  if (e.dismissal_date && *e.dismissal_date < e.hire_date) {
    throw Error::Unprocessable("invalid-dates", "The dismissal date is before the hire date.",
                               {{"dismissal_date", "must not be before hire_date"}});
  }
  if (CountOther(session, kEmployeeByNumber, e.personnel_number, e.id) > 0) {
    throw ConflictOn("personnel_number", "Another employee has this personnel number.");
  }
  if (CountOther(session, kEmployeeByEmail, e.email, e.id) > 0) {
    throw ConflictOn("email", "Another employee has this email.");
  }
}

// Binds an Employee for kInsertEmployee / kUpdateEmployee and runs `sql`.
template <class Extra>
void SaveEmployee(soci::session& session, const char* sql, const Employee& e, const std::string& now,
                  Extra&& extra) {
  const std::string middle = e.middle_name.value_or(""), phone = e.phone.value_or(""),
                    region = e.region.value_or("");
  soci::indicator middle_ind = e.middle_name ? soci::i_ok : soci::i_null,
                  phone_ind = e.phone ? soci::i_ok : soci::i_null,
                  region_ind = e.region ? soci::i_ok : soci::i_null,
                  dismissal_ind = e.dismissal_date ? soci::i_ok : soci::i_null,
                  probation_ind = e.probation_end_date ? soci::i_ok : soci::i_null;
  const std::string hire = FormatIsoDate(e.hire_date);
  const std::string dismissal = e.dismissal_date ? FormatIsoDate(*e.dismissal_date) : std::string();
  const std::string probation = e.probation_end_date ? FormatIsoDate(*e.probation_end_date) : std::string();
  const long long position = e.position_id, department = e.department_id, schedule = e.schedule_id,
                  salary = e.salary_kopecks;
  const std::string search = SearchName(e.last_name, e.first_name, e.middle_name);
  soci::statement statement(session);
  statement.exchange(soci::use(e.personnel_number, "personnel_number"));
  statement.exchange(soci::use(e.last_name, "last_name"));
  statement.exchange(soci::use(e.first_name, "first_name"));
  statement.exchange(soci::use(middle, middle_ind, "middle_name"));
  statement.exchange(soci::use(e.email, "email"));
  statement.exchange(soci::use(phone, phone_ind, "phone"));
  statement.exchange(soci::use(position, "position_id"));
  statement.exchange(soci::use(department, "department_id"));
  statement.exchange(soci::use(hire, "hire_date"));
  statement.exchange(soci::use(dismissal, dismissal_ind, "dismissal_date"));
  statement.exchange(soci::use(probation, probation_ind, "probation_end_date"));
  statement.exchange(soci::use(e.employment_rate, "employment_rate"));
  statement.exchange(soci::use(schedule, "schedule_id"));
  statement.exchange(soci::use(region, region_ind, "region"));
  statement.exchange(soci::use(salary, "salary_kopecks"));
  statement.exchange(soci::use(search, "search_name"));
  statement.exchange(soci::use(now, "updated_at"));
  extra(statement);
  db::ExecuteOnce(statement, sql);
}

struct DepartmentRow {
  long long id = 0, parent_id = 0, head = 0, version = 0;
  std::string code, name;
  soci::indicator parent_ind = soci::i_null, head_ind = soci::i_null;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(parent_id, parent_ind));
    statement.exchange(soci::into(code));
    statement.exchange(soci::into(name));
    statement.exchange(soci::into(head, head_ind));
    statement.exchange(soci::into(version));
  }
  Department ToDepartment() const {
    Department d;
    d.id = id;
    if (parent_ind == soci::i_ok) d.parent_id = parent_id;
    d.code = code;
    d.name = name;
    if (head_ind == soci::i_ok) d.head_employee_id = head;
    d.version = version;
    return d;
  }
};

std::vector<Department> SelectDepartments(soci::session& session, db::Query& query) {
  DepartmentRow row;
  soci::statement statement(session);
  row.Exchange(statement);
  query.Prepare(statement);
  statement.execute(false);
  std::vector<Department> departments;
  while (statement.fetch()) departments.push_back(row.ToDepartment());
  return departments;
}

void CheckDepartment(soci::session& session, const Department& d) {
  if (d.parent_id && Count(session, kDepartmentExists, *d.parent_id) == 0) {
    throw Error::Unprocessable("invalid-reference", "The parent department does not exist.",
                               {{"parent_id", "no such department"}});
  }
  if (d.head_employee_id && Count(session, kActiveEmployeeExists, *d.head_employee_id) == 0) {
    throw Error::Unprocessable("invalid-reference", "The head must be a current employee.",
                               {{"head_employee_id", "no such current employee"}});
  }
  if (CountOther(session, kDepartmentByCode, d.code, d.id) > 0) {
    throw ConflictOn("code", "Another department has this code.");
  }
}

// Binds a Department for kInsertDepartment / kUpdateDepartment.
template <class Extra>
void SaveDepartment(soci::session& session, const char* sql, const Department& d, const std::string& now,
                    Extra&& extra) {
  const long long parent = d.parent_id.value_or(0), head = d.head_employee_id.value_or(0);
  soci::indicator parent_ind = d.parent_id ? soci::i_ok : soci::i_null,
                  head_ind = d.head_employee_id ? soci::i_ok : soci::i_null;
  soci::statement statement(session);
  statement.exchange(soci::use(parent, parent_ind, "parent_id"));
  statement.exchange(soci::use(d.code, "code"));
  statement.exchange(soci::use(d.name, "name"));
  statement.exchange(soci::use(head, head_ind, "head_employee_id"));
  statement.exchange(soci::use(now, "updated_at"));
  extra(statement);
  db::ExecuteOnce(statement, sql);
}

}  // namespace

std::string SearchName(const std::string& last_name, const std::string& first_name,
                       const std::optional<std::string>& middle_name) {
  std::string name = last_name + " " + first_name;
  if (middle_name) name += " " + *middle_name;
  return LowerRussian(name);
}

UsersRepository::UsersRepository(db::Database& database, Clock clock)
    : database_(database), clock_(clock), outbox_(std::move(clock)) {}

void UsersRepository::EmployeeChanged(soci::session& open_write_tx, int64_t id) const {
  outbox_.Add(open_write_tx,
              {.topic = kEmployeeChangedTopic, .payload = nlohmann::json{{"employee_id", id}}.dump()});
}

void UsersRepository::DepartmentChanged(soci::session& open_write_tx, int64_t id) const {
  outbox_.Add(open_write_tx,
              {.topic = kDepartmentChangedTopic, .payload = nlohmann::json{{"department_id", id}}.dump()});
}

std::optional<Employee> UsersRepository::FindEmployee(int64_t id) {
  db::Query query;
  query << kEmployeeColumns << kEmployeeById << query.Param(static_cast<long long>(id));
  return db::WithLease(database_, [&](db::Lease& lease) -> std::optional<Employee> {
    std::vector<Employee> rows = ReadEmployees(lease, std::move(query));
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  });
}

std::vector<Employee> UsersRepository::ListEmployees(const EmployeeQuery& filter, const auth::Reach& read,
                                                     Date today) {
  if (read.nothing()) return {};
  const db::Dialect dialect = database_.dialect();
  db::Query query;
  AppendEmployeeSelect(query, read, dialect);
  if (filter.department_id) {
    if (filter.subtree) {
      query << " AND e.department_id IN (SELECT descendant_id FROM department_closure WHERE ancestor_id = "
            << query.Param(*filter.department_id) << ")";
    } else {
      query << " AND e.department_id = " << query.Param(*filter.department_id);
    }
  }
  if (filter.text) {
    // Personnel numbers match exactly; names by the start of "last first middle".
    std::string prefix;
    for (const char c : LowerRussian(*filter.text)) {
      if (c == '%' || c == '_' || c == '\\') prefix += '\\';
      prefix += c;
    }
    query << " AND (e.personnel_number = " << query.Param(*filter.text) << " OR e.search_name LIKE "
          << query.Param(prefix + "%") << " ESCAPE '\\')";
  }
  if (!filter.include_dismissed) {
    query << " AND (e.dismissal_date IS NULL OR e.dismissal_date >= " << query.Param(FormatIsoDate(today))
          << ")";
  }
  if (filter.page.after) query << " AND e.id > " << query.Param(*filter.page.after);
  AppendEmployeePageEnd(query, static_cast<long long>(filter.page.limit) + 1);
  // SQLite plans a statement when it is compiled, without the values, so
  // every kind of list is kept compiled. PostgreSQL would plan a prepared
  // statement once for any values, and for a list of departments that plan
  // (a scan in id order) reads every employee for a small team (28 ms for
  // 46 people of 25,000, where the plan made with the values reads their 46
  // index entries): only the list without a reach or filter condition is
  // kept prepared there; the others are planned with their values.
  const bool cached =
      dialect == db::Dialect::kSqlite || (read.everyone() && !filter.department_id && !filter.text);
  if (cached) {
    return db::WithLease(database_, [&](db::Lease& lease) { return ReadEmployees(lease, std::move(query)); });
  }
  return db::WithSession(database_, [&](soci::session& session) {
    EmployeeRow row;
    soci::statement statement(session);
    row.Exchange(statement);
    query.Prepare(statement);
    statement.execute(false);
    std::vector<Employee> employees;
    while (statement.fetch()) {
      employees.push_back(row.TakeEmployee());
      row.middle_ind = row.dismissal_ind = row.phone_ind = row.region_ind = soci::i_null;
    }
    return employees;
  });
}

int64_t UsersRepository::CreateEmployee(const EmployeeChanges& fields, const Actor& actor) {
  Employee e;
  e.personnel_number = fields.personnel_number.value_or("");
  e.last_name = fields.last_name.value_or("");
  e.first_name = fields.first_name.value_or("");
  e.middle_name = fields.middle_name.value_or(std::nullopt);
  e.email = fields.email.value_or("");
  e.phone = fields.phone.value_or(std::nullopt);
  e.region = fields.region.value_or(std::nullopt);
  e.position_id = fields.position_id.value_or(0);
  e.department_id = fields.department_id.value_or(0);
  e.schedule_id = fields.schedule_id.value_or(0);
  e.salary_kopecks = fields.salary_kopecks.value_or(0);
  e.hire_date = fields.hire_date.value_or(Date{});
  e.dismissal_date = fields.dismissal_date.value_or(std::nullopt);
  e.probation_end_date = fields.probation_end_date.value_or(std::nullopt);
  e.employment_rate = fields.employment_rate.value_or(100);
  const auto now_time = clock_();
  const std::string now = db::FormatTimestamp(now_time);
  return db::WithWriteTransaction(database_, [&](soci::session& session) -> int64_t {
    CheckEmployeeReferences(session, e);
    long long id = 0;
    SaveEmployee(session, kInsertEmployee, e, now, [&](soci::statement& statement) {
      statement.exchange(soci::use(now, "created_at"));
      statement.exchange(soci::into(id));
    });
    audit::Append(session, actor,
                  {"employee.create",
                   "employee",
                   std::to_string(id),
                   {{"department_id", e.department_id}, {"personnel_number", e.personnel_number}}},
                  now_time);
    EmployeeChanged(session, id);
    return id;
  });
}

void UsersRepository::UpdateEmployee(int64_t id, int64_t expected_version, const EmployeeUpdate& apply,
                                     const Actor& actor) {
  const auto now_time = clock_();
  const std::string now = db::FormatTimestamp(now_time);
  const std::string lock_sql = std::string(kLockEmployee) + std::string(db::ForUpdate(database_.dialect()));
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    EmployeeRow row;
    const long long key = id;
    soci::statement select(session);
    select.exchange(soci::into(row.number));
    select.exchange(soci::into(row.last_name));
    select.exchange(soci::into(row.first_name));
    select.exchange(soci::into(row.middle_name, row.middle_ind));
    select.exchange(soci::into(row.email));
    select.exchange(soci::into(row.position_id));
    select.exchange(soci::into(row.department_id));
    select.exchange(soci::into(row.hire_date));
    select.exchange(soci::into(row.dismissal_date, row.dismissal_ind));
    select.exchange(soci::into(row.probation_end_date, row.probation_ind));
    select.exchange(soci::into(row.rate));
    select.exchange(soci::into(row.schedule_id));
    select.exchange(soci::into(row.phone, row.phone_ind));
    select.exchange(soci::into(row.region, row.region_ind));
    select.exchange(soci::into(row.salary));
    select.exchange(soci::into(row.version));
    select.exchange(soci::use(key, "id"));
    select.alloc();
    select.prepare(lock_sql, soci::details::st_one_time_query);
    select.define_and_bind();
    if (!select.execute(true)) throw Error::NotFound("No such employee.");
    if (row.version != expected_version) {
      throw Error::Conflict("The employee was changed by someone else; read it again and retry.");
    }
    row.id = key;
    Employee employee = row.TakeEmployee();
    const audit::Entry entry = apply(employee);
    employee.id = id;
    CheckEmployeeReferences(session, employee);
    SaveEmployee(session, kUpdateEmployee, employee, now,
                 [&](soci::statement& statement) { statement.exchange(soci::use(key, "id")); });
    audit::Append(session, actor, entry, now_time);
    EmployeeChanged(session, id);
  });
}

std::optional<Department> UsersRepository::FindDepartment(int64_t id) {
  db::Query query;
  query << kDepartmentColumns << " WHERE id = " << query.Param(id);
  return db::WithSession(database_, [&](soci::session& session) -> std::optional<Department> {
    auto rows = SelectDepartments(session, query);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  });
}

std::vector<Department> UsersRepository::ListDepartments(const DepartmentQuery& filter) {
  db::Query query;
  query << kDepartmentColumns << " WHERE 1 = 1";
  if (filter.parent_id) query << " AND parent_id = " << query.Param(*filter.parent_id);
  if (filter.roots) query << " AND parent_id IS NULL";
  if (filter.page.after) query << " AND id > " << query.Param(*filter.page.after);
  query << " ORDER BY id LIMIT " << query.Param(static_cast<long long>(filter.page.limit) + 1);
  return db::WithSession(database_,
                         [&](soci::session& session) { return SelectDepartments(session, query); });
}

int64_t UsersRepository::CreateDepartment(const Department& department, const Actor& actor) {
  const auto now_time = clock_();
  const std::string now = db::FormatTimestamp(now_time);
  return db::WithWriteTransaction(database_, [&](soci::session& session) -> int64_t {
    CheckDepartment(session, department);
    long long id = 0;
    SaveDepartment(session, kInsertDepartment, department, now, [&](soci::statement& statement) {
      statement.exchange(soci::use(now, "created_at"));
      statement.exchange(soci::into(id));
    });
    RebuildDepartmentClosure(session);
    nlohmann::json details = {{"code", department.code}, {"name", department.name}};
    details["parent_id"] = department.parent_id ? nlohmann::json(*department.parent_id) : nlohmann::json();
    details["head_employee_id"] =
        department.head_employee_id ? nlohmann::json(*department.head_employee_id) : nlohmann::json();
    audit::Append(session, actor, {"department.create", "department", std::to_string(id), details}, now_time);
    DepartmentChanged(session, id);
    return id;
  });
}

void UsersRepository::UpdateDepartment(int64_t id, int64_t expected_version, const DepartmentUpdate& apply,
                                       const Actor& actor) {
  const auto now_time = clock_();
  const std::string now = db::FormatTimestamp(now_time);
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    db::Query query;
    query << kDepartmentColumns << " WHERE id = " << query.Param(id) << db::ForUpdate(database_.dialect());
    auto rows = SelectDepartments(session, query);
    if (rows.empty()) throw Error::NotFound("No such department.");
    Department department = rows.front();
    if (department.version != expected_version) {
      throw Error::Conflict("The department was changed by someone else; read it again and retry.");
    }
    const auto old_parent = department.parent_id;
    const audit::Entry entry = apply(department);
    department.id = id;
    CheckDepartment(session, department);
    if (department.parent_id && department.parent_id != old_parent) {
      long long inside = 0;
      const long long ancestor = id, descendant = *department.parent_id;
      session << kInSubtree, soci::into(inside), soci::use(ancestor, "ancestor"),
          soci::use(descendant, "descendant");
      if (inside > 0) {
        throw Error::Unprocessable("department-cycle",
                                   "A department cannot move under itself or its own subtree.",
                                   {{"parent_id", "is inside this department's subtree"}});
      }
    }
    const long long key = id;
    SaveDepartment(session, kUpdateDepartment, department, now,
                   [&](soci::statement& statement) { statement.exchange(soci::use(key, "id")); });
    if (department.parent_id != old_parent) RebuildDepartmentClosure(session);
    audit::Append(session, actor, entry, now_time);
    DepartmentChanged(session, id);
  });
}

std::vector<Position> UsersRepository::ListPositions() {
  return db::WithSession(database_, [&](soci::session& session) {
    long long id = 0;
    std::string name;
    soci::statement statement = (session.prepare << kSelectPositions, soci::into(id), soci::into(name));
    statement.execute(false);
    std::vector<Position> positions;
    while (statement.fetch()) positions.push_back({id, name});
    return positions;
  });
}

int64_t UsersRepository::CreatePosition(const std::string& name, const Actor& actor) {
  const auto now_time = clock_();
  const std::string now = db::FormatTimestamp(now_time);
  return db::WithWriteTransaction(database_, [&](soci::session& session) -> int64_t {
    long long taken = 0;
    session << kPositionByName, soci::into(taken), soci::use(name, "name");
    if (taken > 0) throw ConflictOn("name", "This position already exists.");
    long long id = 0;
    session << kInsertPosition, soci::use(name, "name"), soci::use(now, "at"), soci::into(id);
    audit::Append(session, actor, {"position.create", "position", std::to_string(id), {{"name", name}}},
                  now_time);
    return id;
  });
}

std::vector<WorkSchedule> UsersRepository::ListSchedules() {
  return db::WithSession(database_, [&](soci::session& session) {
    long long id = 0;
    std::string code, name, kind, pattern, anchor;
    int hours = 0;
    soci::indicator pattern_ind = soci::i_null, anchor_ind = soci::i_null;
    soci::statement statement = (session.prepare << kSelectSchedules, soci::into(id), soci::into(code),
                                 soci::into(name), soci::into(kind), soci::into(hours),
                                 soci::into(pattern, pattern_ind), soci::into(anchor, anchor_ind));
    statement.execute(false);
    std::vector<WorkSchedule> schedules;
    while (statement.fetch()) {
      WorkSchedule schedule{id, code, name, kind, hours, std::nullopt, std::nullopt};
      if (pattern_ind == soci::i_ok) schedule.shift_pattern = pattern;
      if (anchor_ind == soci::i_ok) schedule.anchor_date = db::ParseStoredDate(anchor, "anchor_date");
      schedules.push_back(std::move(schedule));
    }
    return schedules;
  });
}

void UsersRepository::Audit(const Actor& actor, const std::vector<audit::Entry>& entries) {
  const auto now = clock_();
  db::WithLease(database_, [&](db::Lease& lease) { audit::AppendAll(lease, actor, entries, now); });
}

std::optional<Employee> UsersRepository::FindEmploymentIn(db::Lease& lease, int64_t id) {
  db::Query query;
  query << kSelectEmployment << query.Param(static_cast<long long>(id));
  auto rows = db::FetchCached<EmploymentRow>(lease, std::move(query), [id](const EmploymentRow& row) {
    Employee e;
    e.id = id;
    e.department_id = row.department;
    e.hire_date = db::ParseStoredDate(row.hire, "employees.hire_date");
    if (row.dismissal_ind == soci::i_ok)
      e.dismissal_date = db::ParseStoredDate(row.dismissal, "employees.dismissal_date");
    if (row.region_ind == soci::i_ok) e.region = row.region;
    return e;
  });
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

void UsersRepository::SetDismissalDate(soci::session& session, int64_t id, std::optional<Date> date,
                                       const Actor& actor) {
  const auto now = clock_();
  const std::string at = db::FormatTimestamp(now), text = date ? FormatIsoDate(*date) : std::string();
  soci::indicator date_ind = date ? soci::i_ok : soci::i_null;
  const long long employee = id;
  soci::statement statement =
      (session.prepare << kSetDismissalDate, soci::use(text, date_ind, "dismissal_date"),
       soci::use(at, "updated_at"), soci::use(employee, "id"));
  statement.execute(true);
  if (statement.get_affected_rows() == 0) throw Error::NotFound("The employee does not exist.");
  audit::Append(session, actor,
                {"employee.dismissal",
                 "employee",
                 std::to_string(id),
                 {{"dismissal_date", date ? nlohmann::json(text) : nlohmann::json()}}},
                now);
  EmployeeChanged(session, id);
}

}  // namespace tabel::users
