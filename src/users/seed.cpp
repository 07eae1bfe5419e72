#include "users/seed.hpp"

#include <array>
#include <chrono>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "infra/db/database.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

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
};
constexpr std::array<Schedule, 4> kSchedules = {
    {{"5x8-40", "Пятидневка, 40 часов", "five_day", 40, ""},
     {"5x7.2-36", "Пятидневка, 36 часов", "five_day", 36, ""},
     {"5x4.8-24", "Пятидневка, 24 часа", "five_day", 24, ""},
     {"2/2x12", "Сменный график 2/2 по 12 часов", "shift", 40, "2/2x12"}}};

// Lower case of Russian and ASCII letters in UTF-8; other bytes unchanged.
std::string LowerRussian(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xD0 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x90 && next <= 0x9F) {  // А..П -> а..п
        out += '\xD0';
        out += static_cast<char>(next + 0x20);
      } else if (next >= 0xA0 && next <= 0xAF) {  // Р..Я -> р..я
        out += '\xD1';
        out += static_cast<char>(next - 0x20);
      } else if (next == 0x81) {  // Ё -> ё
        out += "\xD1\x91";
      } else {
        out += static_cast<char>(c);
        out += static_cast<char>(next);
      }
      ++i;
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c + 32);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string IsoDate(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd(day);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

template <size_t N>
const char* Pick(const std::array<const char*, N>& items, std::mt19937_64& random) {
  return items[random() % N];
}

struct Department {
  int64_t id;
  int64_t parent_id;  // 0 for the root
  int depth;
  std::string code;
  std::string name;
  int64_t head_employee_id = 0;
};

struct Employee {
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
    "INSERT INTO work_schedules (id, code, name, kind, hours_per_week, shift_pattern, created_at) "
    "VALUES (:id, :code, :name, :kind, :hours, :pattern, :at)";
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
// PostgreSQL identity columns do not advance when ids are given explicitly.
constexpr std::array<const char*, 4> kAdvanceSequences = {
    "SELECT setval(pg_get_serial_sequence('positions', 'id'), (SELECT MAX(id) FROM positions))",
    "SELECT setval(pg_get_serial_sequence('work_schedules', 'id'), (SELECT MAX(id) FROM work_schedules))",
    "SELECT setval(pg_get_serial_sequence('departments', 'id'), (SELECT MAX(id) FROM departments))",
    "SELECT setval(pg_get_serial_sequence('employees', 'id'), (SELECT MAX(id) FROM employees))"};

}  // namespace

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
  std::vector<Department> departments;
  departments.reserve(static_cast<size_t>(department_count));
  departments.push_back({1, 0, 1, "D0001", "Банк", 0});
  SeedResult result;
  result.max_depth = 1;
  while (static_cast<int>(departments.size()) < department_count) {
    const Department& parent = departments[random() % departments.size()];
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
  std::vector<Employee> employees;
  employees.reserve(static_cast<size_t>(options.employees));
  for (int i = 0; i < options.employees; ++i) {
    Employee employee;
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
    employee.search_name =
        LowerRussian(employee.last_name + " " + employee.first_name + " " + employee.middle_name);
    employee.position_id = head ? static_cast<int64_t>(kPositions.size())
                                : static_cast<int64_t>(random() % (kPositions.size() - 3)) + 1;
    const auto hired = today - std::chrono::days(30 + static_cast<int>(random() % 3650));
    employee.hire_date = IsoDate(hired);
    if (!head && random() % 20 == 0) {  // about 5 % have left
      const auto worked = (today - hired).count();
      employee.dismissal_date = IsoDate(hired + std::chrono::days(1 + static_cast<int>(random() % worked)));
    }
    const unsigned schedule_roll = static_cast<unsigned>(random() % 100);
    employee.schedule_id = schedule_roll < 85 ? 1 : schedule_roll < 90 ? 2 : schedule_roll < 93 ? 3 : 4;
    employee.employment_rate = random() % 25 == 0 ? 50 : 100;
    employee.region = Pick(kRegions, random);
    employee.salary_kopecks = (60'000 + static_cast<int64_t>(random() % 340'000)) * 100 * (head ? 2 : 1);
    employees.push_back(std::move(employee));
  }

  db::WithWriteTransaction(database, [&](soci::session& session) {
    long long existing = 0;
    session << kCountExisting, soci::into(existing);
    if (existing > 0)
      throw Error::Conflict("The database already has departments or employees; seed an empty one.");
    for (size_t i = 0; i < kPositions.size(); ++i) {
      const int id = static_cast<int>(i) + 1;
      const std::string name = kPositions[i];
      session << kInsertPosition, soci::use(id), soci::use(name), soci::use(at);
    }
    for (size_t i = 0; i < kSchedules.size(); ++i) {
      const int id = static_cast<int>(i) + 1;
      const Schedule& s = kSchedules[i];
      const std::string code = s.code, name = s.name, kind = s.kind, pattern = s.shift_pattern;
      soci::indicator pattern_indicator = pattern.empty() ? soci::i_null : soci::i_ok;
      session << kInsertSchedule, soci::use(id), soci::use(code), soci::use(name), soci::use(kind),
          soci::use(s.hours_per_week), soci::use(pattern, pattern_indicator), soci::use(at);
    }
    for (const Department& department : departments) {
      const long long id = department.id, parent = department.parent_id, head = department.head_employee_id;
      soci::indicator parent_indicator = parent == 0 ? soci::i_null : soci::i_ok;
      session << kInsertDepartment, soci::use(id), soci::use(parent, parent_indicator),
          soci::use(department.code), soci::use(department.name), soci::use(head), soci::use(at),
          soci::use(at);
    }
  });

  for (size_t start = 0; start < employees.size(); start += kRowsPerTransaction) {
    db::WithWriteTransaction(database, [&](soci::session& session) {
      const size_t end = std::min(employees.size(), start + kRowsPerTransaction);
      for (size_t i = start; i < end; ++i) {
        const Employee& e = employees[i];
        const long long id = e.id, position = e.position_id, department = e.department_id,
                        schedule = e.schedule_id, salary = e.salary_kopecks;
        soci::indicator dismissed = e.dismissal_date.empty() ? soci::i_null : soci::i_ok;
        session << kInsertEmployee, soci::use(id), soci::use(e.personnel_number), soci::use(e.last_name),
            soci::use(e.first_name), soci::use(e.middle_name), soci::use(e.email), soci::use(e.phone),
            soci::use(position), soci::use(department), soci::use(e.hire_date),
            soci::use(e.dismissal_date, dismissed), soci::use(e.employment_rate), soci::use(schedule),
            soci::use(e.region), soci::use(salary), soci::use(e.search_name), soci::use(at), soci::use(at);
      }
    });
  }

  if (database.dialect() == db::Dialect::kPostgresql) {
    db::WithSession(database, [&](soci::session& session) {
      for (const char* sql : kAdvanceSequences) session << sql;
    });
  }
  result.departments = static_cast<int>(departments.size());
  result.employees = static_cast<int>(employees.size());
  return result;
}

}  // namespace tabel::users
