#include <soci/soci.h>

#include <array>
#include <string>

#include "auth/permissions.hpp"
#include "common/clock.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::auth {
namespace {

constexpr const char* kInsertRole =
    "INSERT INTO roles (code, name, builtin, created_at) VALUES (:code, :name, 1, :created_at) "
    "ON CONFLICT (code) DO NOTHING";
constexpr const char* kSelectRoleId = "SELECT id FROM roles WHERE code = :code";
constexpr const char* kInsertGrant =
    "INSERT INTO role_permissions (role_id, permission, scope) VALUES (:role_id, :permission, :scope) "
    "ON CONFLICT (role_id, permission) DO NOTHING";

constexpr Scope kSelf = Scope::kSelf;
constexpr Scope kSubtree = Scope::kSubtree;
constexpr Scope kAll = Scope::kAll;

// What every person may do with his own data; the other roles repeat these
// where they do not widen them, so that each role stands on its own.
constexpr std::array kEmployeeGrants = {
    DefaultGrant{kEmployeesRead, kSelf},     DefaultGrant{kEmployeesReadPersonal, kSelf},
    DefaultGrant{kProfileWrite, kSelf},      DefaultGrant{kRequestsRead, kSelf},
    DefaultGrant{kRequestsCreate, kSelf},    DefaultGrant{kRequestsWithdraw, kSelf},
    DefaultGrant{kCalendarRead, kSelf},      DefaultGrant{kTimesheetsRead, kSelf},
    DefaultGrant{kNotificationsRead, kSelf}, DefaultGrant{kResignationsRead, kSelf},
};

constexpr std::array kManagerGrants = {
    DefaultGrant{kEmployeesRead, kSubtree},   DefaultGrant{kEmployeesReadPersonal, kSelf},
    DefaultGrant{kProfileWrite, kSelf},       DefaultGrant{kRequestsRead, kSubtree},
    DefaultGrant{kRequestsCreate, kSelf},     DefaultGrant{kRequestsWithdraw, kSelf},
    DefaultGrant{kRequestsApprove, kSubtree}, DefaultGrant{kRequestsCancel, kSubtree},
    DefaultGrant{kCalendarRead, kSubtree},    DefaultGrant{kTimesheetsRead, kSubtree},
    DefaultGrant{kNotificationsRead, kSelf},  DefaultGrant{kResignationsRead, kSelf},
    DefaultGrant{kDelegationsManage, kSelf},
};

// Only inside an active delegation, over the delegating manager's subtree.
constexpr std::array kDeputyGrants = {
    DefaultGrant{kEmployeesRead, kSubtree},   DefaultGrant{kRequestsRead, kSubtree},
    DefaultGrant{kRequestsApprove, kSubtree}, DefaultGrant{kCalendarRead, kSubtree},
    DefaultGrant{kTimesheetsRead, kSubtree},
};

constexpr std::array kHrGrants = {
    DefaultGrant{kEmployeesRead, kAll},
    DefaultGrant{kEmployeesReadPersonal, kAll},
    DefaultGrant{kEmployeesReadSalary, kAll},
    DefaultGrant{kEmployeesWrite, kAll},
    DefaultGrant{kDepartmentsWrite, kAll},
    DefaultGrant{kProfileWrite, kSelf},
    DefaultGrant{kRequestsRead, kAll},
    DefaultGrant{kRequestsCreate, kAll},
    DefaultGrant{kRequestsWithdraw, kSelf},
    DefaultGrant{kRequestsApprove, kAll},
    DefaultGrant{kRequestsCancel, kAll},
    DefaultGrant{kRequestTypesManage, kAll},
    DefaultGrant{kBalancesAdjust, kAll},
    DefaultGrant{kCalendarRead, kAll},
    DefaultGrant{kProductionCalendarWrite, kAll},
    DefaultGrant{kTimesheetsRead, kAll},
    DefaultGrant{kTimesheetsCorrect, kAll},
    DefaultGrant{kNotificationsRead, kSelf},
    DefaultGrant{kResignationsRead, kAll},
    DefaultGrant{kResignationsProcess, kAll},
};

// Subtree = the departments the timekeeper is assigned to.
constexpr std::array kTimekeeperGrants = {
    DefaultGrant{kEmployeesRead, kSubtree},
    DefaultGrant{kTimesheetsRead, kSubtree},
    DefaultGrant{kTimesheetsCorrect, kSubtree},
    DefaultGrant{kCalendarRead, kSubtree},
};

constexpr std::array kAccountantGrants = {
    DefaultGrant{kEmployeesRead, kAll}, DefaultGrant{kEmployeesReadSalary, kAll},
    DefaultGrant{kCalendarRead, kAll},  DefaultGrant{kTimesheetsRead, kAll},
    DefaultGrant{kPeriodsClose, kAll},  DefaultGrant{kReportsPayroll, kAll},
};

// No salary, no personal contacts beyond what account management needs.
constexpr std::array kAdminGrants = {
    DefaultGrant{kAccountsManage, kAll}, DefaultGrant{kRolesManage, kAll},
    DefaultGrant{kSettingsManage, kAll}, DefaultGrant{kRequestTypesManage, kAll},
    DefaultGrant{kEmployeesRead, kAll},
};

constexpr std::array kAuditorGrants = {
    DefaultGrant{kEmployeesRead, kAll},       DefaultGrant{kEmployeesReadPersonal, kAll},
    DefaultGrant{kEmployeesReadSalary, kAll}, DefaultGrant{kRequestsRead, kAll},
    DefaultGrant{kCalendarRead, kAll},        DefaultGrant{kTimesheetsRead, kAll},
    DefaultGrant{kReportsPayroll, kAll},      DefaultGrant{kResignationsRead, kAll},
    DefaultGrant{kAuditRead, kAll},
};

constexpr std::array kDefaultRoles = {
    DefaultRole{kRoleEmployee, "Сотрудник", kEmployeeGrants},
    DefaultRole{kRoleManager, "Руководитель", kManagerGrants},
    DefaultRole{kRoleDeputy, "Заместитель", kDeputyGrants},
    DefaultRole{kRoleHr, "Кадровая служба", kHrGrants},
    DefaultRole{kRoleTimekeeper, "Табельщик", kTimekeeperGrants},
    DefaultRole{kRoleAccountant, "Бухгалтерия", kAccountantGrants},
    DefaultRole{kRoleAdmin, "Администратор", kAdminGrants},
    DefaultRole{kRoleAuditor, "Аудитор", kAuditorGrants},
};

}  // namespace

std::span<const DefaultRole> DefaultRoles() { return kDefaultRoles; }

void EnsureDefaultRoles(db::Database& database) {
  const std::string now = db::FormatTimestamp(SystemClock()());
  db::WithWriteTransaction(database, [&](soci::session& session) {
    for (const DefaultRole& role : kDefaultRoles) {
      const std::string code(role.code);
      const std::string name(role.name);
      session << kInsertRole, soci::use(code, "code"), soci::use(name, "name"), soci::use(now, "created_at");
      long long role_id = 0;
      session << kSelectRoleId, soci::into(role_id), soci::use(code, "code");
      for (const DefaultGrant& grant : role.grants) {
        const std::string permission(grant.permission);
        const std::string scope(ScopeName(grant.scope));
        session << kInsertGrant, soci::use(role_id, "role_id"), soci::use(permission, "permission"),
            soci::use(scope, "scope");
      }
    }
  });
}

}  // namespace tabel::auth
