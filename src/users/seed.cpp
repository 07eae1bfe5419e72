#include "users/seed.hpp"

#include <array>
#include <chrono>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/date.hpp"
#include "common/error.hpp"
#include "common/text.hpp"
#include "infra/db/database.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"
#include "users/org_tree.hpp"
#include "users/repository.hpp"

namespace tabel::users {
namespace {

constexpr int kEmployeesPerDepartment = 42;
constexpr int kRowsPerTransaction = 1000;

constexpr std::array<const char*, 16> kPositions = {"Специалист",
                                                    "Ведущий специалист",
                                                    "Главный специалист",
                                                    "Эксперт",
                                                    "Аналитик",
                                                    "Бухгалтер",
                                                    "Экономист",
                                                    "Юрисконсульт",
                                                    "Операционист",
                                                    "Кассир",
                                                    "Программист",
                                                    "Инженер",
                                                    "Менеджер по работе с клиентами",
                                                    "Руководитель группы",
                                                    "Начальник отдела",
                                                    "Директор департамента"};

constexpr std::array<const char*, 12> kDepartmentSubjects = {
    "кредитования", "розничного бизнеса",     "корпоративных клиентов",    "казначейства",
    "рисков",       "бухгалтерского учёта",   "информационных технологий", "безопасности",
    "персонала",    "операционной поддержки", "платёжных систем",          "внутреннего контроля"};
constexpr std::array<const char*, 5> kDepartmentKinds = {"Департамент", "Управление", "Отдел", "Сектор",
                                                         "Группа"};

struct Name {
  const char* male;
  const char* female;
};
constexpr std::array<Name, 20> kLastNames = {
    {{"Иванов", "Иванова"},     {"Смирнов", "Смирнова"},   {"Кузнецов", "Кузнецова"},
     {"Попов", "Попова"},       {"Васильев", "Васильева"}, {"Петров", "Петрова"},
     {"Соколов", "Соколова"},   {"Михайлов", "Михайлова"}, {"Новиков", "Новикова"},
     {"Фёдоров", "Фёдорова"},   {"Морозов", "Морозова"},   {"Волков", "Волкова"},
     {"Алексеев", "Алексеева"}, {"Лебедев", "Лебедева"},   {"Семёнов", "Семёнова"},
     {"Егоров", "Егорова"},     {"Павлов", "Павлова"},     {"Козлов", "Козлова"},
     {"Степанов", "Степанова"}, {"Николаев", "Николаева"}}};
constexpr std::array<const char*, 12> kMaleFirstNames = {"Александр", "Дмитрий", "Максим", "Сергей",
                                                         "Андрей",    "Алексей", "Артём",  "Илья",
                                                         "Кирилл",    "Михаил",  "Никита", "Иван"};
constexpr std::array<const char*, 12> kFemaleFirstNames = {"Анна",     "Мария",   "Елена",     "Ольга",
                                                           "Наталья",  "Татьяна", "Ирина",     "Екатерина",
                                                           "Светлана", "Юлия",    "Анастасия", "Дарья"};
// Patronymics by father's name: male and female forms.
constexpr std::array<Name, 10> kPatronymics = {{{"Александрович", "Александровна"},
                                                {"Дмитриевич", "Дмитриевна"},
                                                {"Сергеевич", "Сергеевна"},
                                                {"Андреевич", "Андреевна"},
                                                {"Алексеевич", "Алексеевна"},
                                                {"Михайлович", "Михайловна"},
                                                {"Иванович", "Ивановна"},
                                                {"Николаевич", "Николаевна"},
                                                {"Петрович", "Петровна"},
                                                {"Владимирович", "Владимировна"}}};
constexpr std::array<const char*, 6> kRegions = {"Москва",       "Санкт-Петербург", "Новосибирск",
                                                 "Екатеринбург", "Казань",          "Нижний Новгород"};

struct Schedule {
  const char* code;
  const char* name;
  const char* kind;
  int hours_per_week;
  const char* shift_pattern;  // empty for five-day weeks
  const char* anchor_date;    // empty for five-day weeks
};
constexpr std::array<Schedule, 5> kSchedules = {
    {{"5x8-40", "Пятидневка, 40 часов", "five_day", 40, "", ""},
     {"5x7.2-36", "Пятидневка, 36 часов", "five_day", 36, "", ""},
     {"5x4.8-24", "Пятидневка, 24 часа", "five_day", 24, "", ""},
     {"2/2x12", "Сменный график 2/2 по 12 часов", "shift", 40, "2/2x12", "2024-01-01"},
     {"1/3x24", "Сменный график 1/3 по 24 часа", "shift", 40, "1/3x24", "2024-01-01"}}};

template <size_t N>
const char* Pick(const std::array<const char*, N>& items, std::mt19937_64& random) {
  return items[random() % N];
}

struct SeedDepartment {
  int64_t id;
  int64_t parent_id;  // 0 for the root
  int depth;
  std::string code;
  std::string name;
  int64_t head_employee_id = 0;
};

struct SeedEmployee {
  int64_t id;
  std::string personnel_number, last_name, first_name, middle_name, email, phone, hire_date, dismissal_date,
      region;
  std::string search_name;
  int64_t position_id, department_id, schedule_id, salary_kopecks;
  int employment_rate;
};

constexpr const char* kCountExisting =
    "SELECT (SELECT COUNT(*) FROM employees) + (SELECT COUNT(*) FROM departments)";
constexpr const char* kInsertPosition =
    "INSERT INTO positions (id, name, created_at) VALUES (:id, :name, :at)";
constexpr const char* kInsertSchedule =
    "INSERT INTO work_schedules (id, code, name, kind, hours_per_week, shift_pattern, anchor_date, "
    "created_at) VALUES (:id, :code, :name, :kind, :hours, :pattern, :anchor, :at)";
constexpr const char* kInsertDepartment =
    "INSERT INTO departments (id, parent_id, code, name, head_employee_id, version, created_at, updated_at) "
    "VALUES (:id, :parent, :code, :name, :head, 1, :at, :at2)";
constexpr const char* kInsertEmployee =
    "INSERT INTO employees (id, personnel_number, last_name, first_name, middle_name, email, phone, "
    "position_id, "
    "department_id, hire_date, dismissal_date, employment_rate, schedule_id, region, salary_kopecks, "
    "search_name, "
    "version, created_at, updated_at) VALUES (:id, :number, :last, :first, :middle, :email, :phone, "
    ":position, "
    ":department, :hired, :dismissed, :rate, :schedule, :region, :salary, :search, 1, :at, :at2)";
constexpr const char* kInsertAccount =
    "INSERT INTO user_accounts (employee_id, login, password_hash, disabled, roles_version, "
    "password_changed_at, version, created_at, updated_at) VALUES (:employee, :login, :hash, 0, 1, :at, 1, "
    ":at2, :at3) RETURNING id";
constexpr const char* kInsertAccountRole =
    "INSERT INTO account_roles (account_id, role_id) SELECT :account, id FROM roles WHERE code = :code";
constexpr std::array<const char*, 4> kAdvanceSequences = {
    "SELECT setval(pg_get_serial_sequence('positions', 'id'), (SELECT MAX(id) FROM positions))",
    "SELECT setval(pg_get_serial_sequence('work_schedules', 'id'), (SELECT MAX(id) FROM work_schedules))",
    "SELECT setval(pg_get_serial_sequence('departments', 'id'), (SELECT MAX(id) FROM departments))",
    "SELECT setval(pg_get_serial_sequence('employees', 'id'), (SELECT MAX(id) FROM employees))"};

void InsertDepartmentRow(soci::session& session, const SeedDepartment& department, const std::string& at) {
  const long long id = department.id, parent = department.parent_id, head = department.head_employee_id;
  soci::indicator parent_indicator = parent == 0 ? soci::i_null : soci::i_ok;
  soci::indicator head_indicator = head == 0 ? soci::i_null : soci::i_ok;
  session << kInsertDepartment, soci::use(id), soci::use(parent, parent_indicator),
      soci::use(department.code), soci::use(department.name), soci::use(head, head_indicator), soci::use(at),
      soci::use(at);
}

void InsertEmployeeRow(soci::session& session, const SeedEmployee& e, const std::string& at) {
  const long long id = e.id, position = e.position_id, department = e.department_id, schedule = e.schedule_id,
                  salary = e.salary_kopecks;
  soci::indicator dismissed = e.dismissal_date.empty() ? soci::i_null : soci::i_ok;
  session << kInsertEmployee, soci::use(id), soci::use(e.personnel_number), soci::use(e.last_name),
      soci::use(e.first_name), soci::use(e.middle_name), soci::use(e.email), soci::use(e.phone),
      soci::use(position), soci::use(department), soci::use(e.hire_date),
      soci::use(e.dismissal_date, dismissed), soci::use(e.employment_rate), soci::use(schedule),
      soci::use(e.region), soci::use(salary), soci::use(e.search_name), soci::use(at), soci::use(at);
}

void InsertPositions(soci::session& session, const std::string& at) {
  for (size_t i = 0; i < kPositions.size(); ++i) {
    const int id = static_cast<int>(i) + 1;
    const std::string name = kPositions[i];
    session << kInsertPosition, soci::use(id), soci::use(name), soci::use(at);
  }
}

// PostgreSQL identity columns do not advance when ids are given explicitly.
void AdvanceSequences(db::Database& database) {
  if (database.dialect() != db::Dialect::kPostgresql) return;
  db::WithSession(database, [&](soci::session& session) {
    for (const char* sql : kAdvanceSequences) session << sql;
  });
}

long long CountExisting(soci::session& session) {
  long long existing = 0;
  session << kCountExisting, soci::into(existing);
  return existing;
}

}  // namespace

void InsertStandardSchedules(soci::session& session, const std::string& at) {
  for (size_t i = 0; i < kSchedules.size(); ++i) {
    const int id = static_cast<int>(i) + 1;
    const Schedule& s = kSchedules[i];
    const std::string code = s.code, name = s.name, kind = s.kind, pattern = s.shift_pattern,
                      anchor = s.anchor_date;
    soci::indicator pattern_indicator = pattern.empty() ? soci::i_null : soci::i_ok;
    soci::indicator anchor_indicator = anchor.empty() ? soci::i_null : soci::i_ok;
    session << kInsertSchedule, soci::use(id), soci::use(code), soci::use(name), soci::use(kind),
        soci::use(s.hours_per_week), soci::use(pattern, pattern_indicator),
        soci::use(anchor, anchor_indicator), soci::use(at);
  }
}

SeedResult SeedCompany(db::Database& database, const SeedOptions& options, const Clock& clock) {
  if (options.employees < 1 || options.employees > 1'000'000) {
    throw std::invalid_argument("--employees must be between 1 and 1000000");
  }
  std::mt19937_64 random(options.seed);
  const auto now = clock();
  const std::string at = db::FormatTimestamp(now);
  const auto today = std::chrono::floor<std::chrono::days>(now);

  // Departments: each new one hangs under a random earlier one that is not
  // at the deepest level, so the tree is bushy near the top.
  const int department_count =
      std::max(1, (options.employees + kEmployeesPerDepartment - 1) / kEmployeesPerDepartment);
  std::vector<SeedDepartment> departments;
  departments.reserve(static_cast<size_t>(department_count));
  departments.push_back({1, 0, 1, "D0001", "Банк", 0});
  SeedResult result;
  result.max_depth = 1;
  while (static_cast<int>(departments.size()) < department_count) {
    const SeedDepartment& parent = departments[random() % departments.size()];
    if (parent.depth >= kMaxDepartmentDepth) continue;
    const int64_t id = static_cast<int64_t>(departments.size()) + 1;
    char code[32];
    std::snprintf(code, sizeof code, "D%04lld", static_cast<long long>(id));
    const char* kind = kDepartmentKinds[static_cast<size_t>(std::min(parent.depth, 4))];
    departments.push_back(
        {id, parent.id, parent.depth + 1, code,
         std::string(kind) + " " + Pick(kDepartmentSubjects, random) + " №" + std::to_string(id), 0});
    result.max_depth = std::max(result.max_depth, parent.depth + 1);
  }

  // Employees: the first one of each department heads it; the rest are
  // spread at random.
  std::vector<SeedEmployee> employees;
  employees.reserve(static_cast<size_t>(options.employees));
  for (int i = 0; i < options.employees; ++i) {
    SeedEmployee employee;
    employee.id = i + 1;
    const bool head = i < department_count;
    employee.department_id = head ? i + 1 : static_cast<int64_t>(random() % departments.size()) + 1;
    if (head) departments[static_cast<size_t>(i)].head_employee_id = employee.id;
    const bool female = random() % 2 == 0;
    const Name& last = kLastNames[random() % kLastNames.size()];
    const Name& patronymic = kPatronymics[random() % kPatronymics.size()];
    employee.last_name = female ? last.female : last.male;
    employee.first_name = female ? Pick(kFemaleFirstNames, random) : Pick(kMaleFirstNames, random);
    employee.middle_name = female ? patronymic.female : patronymic.male;
    char number[16];
    std::snprintf(number, sizeof number, "T%06d", i + 1);
    employee.personnel_number = number;
    employee.email = LowerRussian(number) + "@tabel.local";
    employee.phone = "+7 495 " + std::to_string(1000000 + random() % 9000000);
    employee.search_name = SearchName(employee.last_name, employee.first_name, employee.middle_name);
    employee.position_id = head ? static_cast<int64_t>(kPositions.size())
                                : static_cast<int64_t>(random() % (kPositions.size() - 3)) + 1;
    const auto hired = today - std::chrono::days(30 + static_cast<int>(random() % 3650));
    employee.hire_date = FormatIsoDate(hired);
    if (!head && random() % 20 == 0) {  // about 5 % have left
      const auto worked = (today - hired).count();
      employee.dismissal_date =
          FormatIsoDate(hired + std::chrono::days(1 + static_cast<int>(random() % worked)));
    }
    const unsigned schedule_roll = static_cast<unsigned>(random() % 100);
    employee.schedule_id = schedule_roll < 85   ? 1
                           : schedule_roll < 90 ? 2
                           : schedule_roll < 93 ? 3
                           : schedule_roll < 97 ? 4
                                                : 5;
    employee.employment_rate = random() % 25 == 0 ? 50 : 100;
    employee.region = Pick(kRegions, random);
    employee.salary_kopecks = (60'000 + static_cast<int64_t>(random() % 340'000)) * 100 * (head ? 2 : 1);
    employees.push_back(std::move(employee));
  }

  db::WithWriteTransaction(database, [&](soci::session& session) {
    if (CountExisting(session) > 0) {
      throw Error::Conflict("The database already has departments or employees; seed an empty one.");
    }
    InsertPositions(session, at);
    InsertStandardSchedules(session, at);
    for (const SeedDepartment& department : departments) InsertDepartmentRow(session, department, at);
    RebuildDepartmentClosure(session);
  });

  for (size_t start = 0; start < employees.size(); start += kRowsPerTransaction) {
    db::WithWriteTransaction(database, [&](soci::session& session) {
      const size_t end = std::min(employees.size(), start + kRowsPerTransaction);
      for (size_t i = start; i < end; ++i) {
        const SeedEmployee& employee = employees[i];
        InsertEmployeeRow(session, employee, at);
        if (options.password_hash.empty() || !employee.dismissal_date.empty()) continue;
        const long long employee_id = employee.id;
        long long id = 0;
        const std::string login = LowerRussian(employee.personnel_number);
        session << kInsertAccount, soci::use(employee_id), soci::use(login), soci::use(options.password_hash),
            soci::use(at), soci::use(at), soci::use(at), soci::into(id);
        const bool head = employee.id <= static_cast<int64_t>(departments.size());
        for (const char* code : {"employee", "manager"}) {
          if (!head && std::string_view(code) == "manager") continue;
          const std::string role = code;
          session << kInsertAccountRole, soci::use(id), soci::use(role);
        }
        ++result.accounts;
      }
    });
  }

  AdvanceSequences(database);
  result.departments = static_cast<int>(departments.size());
  result.employees = static_cast<int>(employees.size());
  return result;
}

namespace {

struct DemoPerson {
  const char* login;  // empty: no login
  const char* last_name;
  const char* first_name;
  const char* middle_name;
  int64_t department_id;
  size_t position;  // index into kPositions
  const char* hire_date;
  int64_t salary_roubles;
};

struct DemoUnit {
  int64_t id;
  int64_t parent_id;  // 0 for the root
  const char* code;
  const char* name;
  int64_t head;  // index + 1 into kDemoPeople
};

constexpr std::array<DemoUnit, 8> kDemoUnits = {{
    {1, 0, "BANK", "Банк «Табель»", 1},
    {2, 1, "IT", "Департамент информационных технологий", 2},
    {3, 2, "IT-DEV", "Отдел разработки", 3},
    {4, 2, "IT-OPS", "Отдел сопровождения", 6},
    {5, 1, "RETAIL", "Департамент розничного бизнеса", 8},
    {6, 5, "RETAIL-LOANS", "Отдел кредитования", 9},
    {7, 1, "HR", "Управление персоналом", 11},
    {8, 1, "ACC", "Бухгалтерия", 13},
}};

constexpr std::array<DemoPerson, 14> kDemoPeople = {{
    {"", "Орлов", "Сергей", "Петрович", 1, 15, "2015-03-02", 900'000},
    {"manager", "Кузнецов", "Андрей", "Викторович", 2, 15, "2017-06-01", 450'000},
    {"", "Соколова", "Мария", "Игоревна", 3, 14, "2018-02-12", 320'000},
    {"employee", "Петров", "Иван", "Сергеевич", 3, 10, "2020-09-01", 210'000},
    {"", "Морозова", "Анна", "Дмитриевна", 3, 1, "2021-04-19", 230'000},
    {"", "Волков", "Дмитрий", "Андреевич", 4, 14, "2019-01-14", 300'000},
    {"", "Лебедева", "Ольга", "Николаевна", 4, 11, "2020-03-02", 190'000},
    {"manager2", "Смирнова", "Елена", "Александровна", 5, 15, "2016-11-07", 440'000},
    {"", "Новиков", "Павел", "Игоревич", 6, 14, "2018-08-20", 280'000},
    {"", "Фёдорова", "Татьяна", "Сергеевна", 6, 12, "2021-02-01", 150'000},
    {"", "Васильева", "Наталья", "Петровна", 7, 14, "2017-04-03", 260'000},
    {"hr", "Попова", "Ирина", "Алексеевна", 7, 1, "2019-10-14", 170'000},
    {"", "Егорова", "Светлана", "Михайловна", 8, 14, "2016-05-16", 270'000},
    {"accountant", "Козлов", "Алексей", "Николаевич", 8, 5, "2020-01-20", 180'000},
}};

constexpr const char* kSelectDemoEmployee = "SELECT id FROM employees WHERE personnel_number = :number";

std::string DemoNumber(size_t index) {
  char number[16];
  std::snprintf(number, sizeof number, "DEMO-%03zu", index + 1);
  return number;
}

}  // namespace

DemoCompany EnsureDemoCompany(db::Database& database, const Clock& clock) {
  const std::string at = db::FormatTimestamp(clock());
  DemoCompany result;
  const bool empty = db::WithWriteTransaction(database, [&](soci::session& session) {
    if (CountExisting(session) > 0) return false;
    InsertPositions(session, at);
    InsertStandardSchedules(session, at);
    for (const DemoUnit& unit : kDemoUnits) {
      InsertDepartmentRow(session, {unit.id, unit.parent_id, 0, unit.code, unit.name, unit.head}, at);
    }
    for (size_t i = 0; i < kDemoPeople.size(); ++i) {
      const DemoPerson& person = kDemoPeople[i];
      SeedEmployee employee;
      employee.id = static_cast<int64_t>(i) + 1;
      employee.personnel_number = DemoNumber(i);
      employee.last_name = person.last_name;
      employee.first_name = person.first_name;
      employee.middle_name = person.middle_name;
      const bool has_login = person.login[0] != '\0';
      employee.email = (has_login ? std::string(person.login) : LowerRussian(employee.personnel_number)) +
                       "@demo.tabel.local";
      employee.phone = "+7 495 555-01-" + std::to_string(10 + i);
      employee.hire_date = person.hire_date;
      employee.region = "Москва";
      employee.search_name = SearchName(employee.last_name, employee.first_name, employee.middle_name);
      employee.position_id = static_cast<int64_t>(person.position) + 1;
      employee.department_id = person.department_id;
      employee.schedule_id = 1;
      employee.salary_kopecks = person.salary_roubles * 100;
      employee.employment_rate = 100;
      InsertEmployeeRow(session, employee, at);
    }
    RebuildDepartmentClosure(session);
    return true;
  });
  if (empty) AdvanceSequences(database);
  result.created = empty;
  db::WithSession(database, [&](soci::session& session) {
    for (size_t i = 0; i < kDemoPeople.size(); ++i) {
      if (kDemoPeople[i].login[0] == '\0') continue;
      long long id = 0;
      const std::string number = DemoNumber(i);
      session << kSelectDemoEmployee, soci::into(id), soci::use(number, "number");
      if (session.got_data()) result.employee_of_login.emplace_back(kDemoPeople[i].login, id);
    }
  });
  return result;
}

}  // namespace tabel::users
