#include "management/seed.hpp"

#include <soci/soci.h>

#include <array>
#include <string>
#include <vector>

#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"
#include "management/rules.hpp"

namespace tabel::management {
namespace {

struct BuiltinType {
  const char* code;
  const char* name;
  const char* kind;
  const char* t13_code;  // nullptr: none
  const char* t13_number;
  const char* steps;
  int notice_days;
  int min_days;
  int max_days;  // 0: no maximum
  const char* balance_kind;
  int allow_past;
  int exclusive;
  const char* on_behalf;
  int confidential;  // colleagues see "absent" (migration 006 sets it on older databases)
};

// The table of activities of PRODUCT.md.
constexpr std::array kBuiltinTypes = {
    BuiltinType{"vacation", "Ежегодный оплачиваемый отпуск", "absence", "ОТ", "09", "manager", 14, 1, 0,
                "annual", 0, 1, "hr", 0},
    BuiltinType{"additional_vacation", "Дополнительный оплачиваемый отпуск", "absence", "ОД", "10", "manager",
                14, 1, 0, "additional", 0, 1, "hr", 0},
    BuiltinType{"unpaid_leave", "Отпуск без сохранения заработной платы", "absence", "ДО", "16", "manager,hr",
                3, 1, 0, nullptr, 0, 1, "hr", 1},
    BuiltinType{"study_leave", "Учебный отпуск", "absence", "У", "11", "manager,hr", 3, 1, 0, nullptr, 0, 1,
                "hr", 0},
    BuiltinType{"business_trip", "Служебная командировка", "business_trip", "К", "06", "manager", 0, 1, 0,
                nullptr, 0, 1, "manager", 0},
    BuiltinType{"sick_leave", "Временная нетрудоспособность", "sick_leave", "Б", "19", "hr", 0, 1, 0, nullptr,
                1, 1, "hr", 1},
    BuiltinType{"remote_day", "Удалённая работа", "work", "Я", "01", "manager", 1, 1, 31, nullptr, 0, 1,
                "manager", 0},
    BuiltinType{"weekend_work", "Работа в выходной день", "work", "РВ", "03", "manager", 0, 1, 1, nullptr, 0,
                0, "manager", 0},
    BuiltinType{"overtime", "Сверхурочная работа", "overtime", "С", "04", "manager", 0, 1, 1, nullptr, 1, 0,
                "manager", 0},
    BuiltinType{"maternity_leave", "Отпуск по беременности и родам", "absence", "Р", "14", "hr", 0, 1, 0,
                nullptr, 0, 1, "hr", 1},
    BuiltinType{"parental_leave", "Отпуск по уходу за ребёнком", "absence", "ОЖ", "15", "hr", 0, 1, 0,
                nullptr, 0, 1, "hr", 1},
    BuiltinType{"dismissal", "Увольнение", "dismissal", nullptr, nullptr, "hr", 14, 1, 1, nullptr, 0, 0, "hr",
                0},
};

constexpr const char* kInsertBuiltin =
    "INSERT INTO request_types (code, name, kind, t13_code, t13_number, approval_steps, notice_days, "
    "min_days, "
    "max_days, balance_kind, allow_past, exclusive, on_behalf, confidential, builtin, version, created_at, "
    "updated_at) VALUES (:code, :name, :kind, :t13_code, :t13_number, :steps, :notice_days, :min_days, "
    ":max_days, :balance_kind, :allow_past, :exclusive, :on_behalf, :confidential, 1, 1, :at, :updated_at) "
    "ON CONFLICT (code) DO NOTHING";

constexpr const char* kEmployeesWithoutAccount =
    "SELECT e.id, e.hire_date FROM employees e WHERE e.dismissal_date IS NULL AND NOT EXISTS "
    "(SELECT 1 FROM leave_accounts a WHERE a.employee_id = e.id) ORDER BY e.id";
constexpr const char* kInsertAccount =
    "INSERT INTO leave_accounts (employee_id, accrued_months, updated_at) VALUES (:id, :months, :at)";
constexpr const char* kInsertOpening =
    "INSERT INTO leave_ledger (employee_id, kind, entry, centidays, effective_on, comment, created_at) "
    "VALUES (:id, 'annual', 'opening', :centidays, :effective_on, 'opening balance', :at)";

}  // namespace

void EnsureRequestTypes(db::Database& database, const Clock& clock) {
  const std::string at = db::FormatTimestamp(clock());
  db::WithWriteTransaction(database, [&](soci::session& session) {
    for (const BuiltinType& t : kBuiltinTypes) {
      const std::string code = t.code, name = t.name, kind = t.kind, steps = t.steps, on_behalf = t.on_behalf;
      const std::string t13_code = t.t13_code ? t.t13_code : "",
                        t13_number = t.t13_number ? t.t13_number : "",
                        balance = t.balance_kind ? t.balance_kind : "";
      soci::indicator t13_code_ind = t.t13_code ? soci::i_ok : soci::i_null,
                      t13_number_ind = t.t13_number ? soci::i_ok : soci::i_null,
                      max_ind = t.max_days > 0 ? soci::i_ok : soci::i_null,
                      balance_ind = t.balance_kind ? soci::i_ok : soci::i_null;
      int notice = t.notice_days, min = t.min_days, max = t.max_days, allow_past = t.allow_past,
          exclusive = t.exclusive, confidential = t.confidential;
      session << kInsertBuiltin, soci::use(code, "code"), soci::use(name, "name"), soci::use(kind, "kind"),
          soci::use(t13_code, t13_code_ind, "t13_code"), soci::use(t13_number, t13_number_ind, "t13_number"),
          soci::use(steps, "steps"), soci::use(notice, "notice_days"), soci::use(min, "min_days"),
          soci::use(max, max_ind, "max_days"), soci::use(balance, balance_ind, "balance_kind"),
          soci::use(allow_past, "allow_past"), soci::use(exclusive, "exclusive"),
          soci::use(on_behalf, "on_behalf"), soci::use(confidential, "confidential"), soci::use(at, "at"),
          soci::use(at, "updated_at");
    }
  });
}

int OpenBalances(db::Database& database, const Clock& clock,
                 const std::function<int64_t(int64_t)>& opening_centidays) {
  const auto now = clock();
  const Date today = LocalDate(now);
  const std::string at = db::FormatTimestamp(now), effective = FormatIsoDate(today);
  return db::WithWriteTransaction(database, [&](soci::session& session) {
    std::vector<std::pair<long long, Date>> employees;
    {
      long long id = 0;
      std::string hire;
      soci::statement select =
          (session.prepare << kEmployeesWithoutAccount, soci::into(id), soci::into(hire));
      select.execute(false);
      while (select.fetch()) employees.emplace_back(id, db::ParseStoredDate(hire, "employees.hire_date"));
    }
    long long id = 0, centidays = 0;
    int months = 0;
    soci::statement account = (session.prepare << kInsertAccount, soci::use(id, "id"),
                               soci::use(months, "months"), soci::use(at, "at"));
    soci::statement opening =
        (session.prepare << kInsertOpening, soci::use(id, "id"), soci::use(centidays, "centidays"),
         soci::use(effective, "effective_on"), soci::use(at, "at"));
    for (const auto& [employee, hire] : employees) {
      id = employee;
      months = CompletedMonths(hire, today);
      centidays = opening_centidays(employee);
      account.execute(true);
      opening.execute(true);
    }
    return static_cast<int>(employees.size());
  });
}

}  // namespace tabel::management
