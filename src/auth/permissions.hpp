#pragma once
// Permission names and the default roles of PRODUCT.md. Roles are data
// (tables roles and role_permissions); these are only the names code checks
// and the rows EnsureDefaultRoles() seeds.
// Thread-safety: constants and a function safe to call from any thread.

#include <array>
#include <span>
#include <string_view>

#include "common/identity.hpp"

namespace tabel::db {
class Database;
}

namespace tabel::auth {

// Personnel data: basics (name, position, department), personal contacts
// (phone, email, region) and the salary, each readable with its own scope.
inline constexpr std::string_view kEmployeesRead = "employees.read";
inline constexpr std::string_view kEmployeesReadPersonal = "employees.read_personal";
inline constexpr std::string_view kEmployeesReadSalary = "employees.read_salary";
inline constexpr std::string_view kEmployeesWrite = "employees.write";
// Own profile basics that an employee may edit himself (phone, preferences).
inline constexpr std::string_view kProfileWrite = "profile.write";
inline constexpr std::string_view kDepartmentsWrite = "departments.write";

inline constexpr std::string_view kRequestsRead = "requests.read";
inline constexpr std::string_view kRequestsCreate = "requests.create";
inline constexpr std::string_view kRequestsWithdraw = "requests.withdraw";
inline constexpr std::string_view kRequestsApprove = "requests.approve";
inline constexpr std::string_view kRequestsCancel = "requests.cancel";
inline constexpr std::string_view kDelegationsManage = "delegations.manage";
// Request types are data: adding and changing them.
inline constexpr std::string_view kRequestTypesManage = "request_types.manage";
// Adjusting leave balances (ledger entries of kind adjustment).
inline constexpr std::string_view kBalancesAdjust = "balances.adjust";

inline constexpr std::string_view kCalendarRead = "calendar.read";
inline constexpr std::string_view kProductionCalendarWrite = "production_calendar.write";
inline constexpr std::string_view kTimesheetsRead = "timesheets.read";
inline constexpr std::string_view kTimesheetsCorrect = "timesheets.correct";
inline constexpr std::string_view kPeriodsClose = "periods.close";
inline constexpr std::string_view kReportsPayroll = "reports.payroll";

inline constexpr std::string_view kNotificationsRead = "notifications.read";
inline constexpr std::string_view kResignationsRead = "resignations.read";
inline constexpr std::string_view kResignationsProcess = "resignations.process";

inline constexpr std::string_view kAccountsManage = "accounts.manage";
inline constexpr std::string_view kRolesManage = "roles.manage";
inline constexpr std::string_view kSettingsManage = "settings.manage";
inline constexpr std::string_view kAuditRead = "audit.read";

// Every permission name above: the only names a role may grant.
inline constexpr std::array kKnownPermissions = {
    kEmployeesRead,      kEmployeesReadPersonal, kEmployeesReadSalary, kEmployeesWrite,
    kProfileWrite,       kDepartmentsWrite,      kRequestsRead,        kRequestsCreate,
    kRequestsWithdraw,   kRequestsApprove,       kRequestsCancel,      kDelegationsManage,
    kRequestTypesManage, kBalancesAdjust,        kCalendarRead,        kProductionCalendarWrite,
    kTimesheetsRead,     kTimesheetsCorrect,     kPeriodsClose,        kReportsPayroll,
    kNotificationsRead,  kResignationsRead,      kResignationsProcess, kAccountsManage,
    kRolesManage,        kSettingsManage,        kAuditRead,
};

constexpr std::span<const std::string_view> KnownPermissions() { return kKnownPermissions; }

constexpr bool IsKnownPermission(std::string_view name) {
  for (const std::string_view known : kKnownPermissions) {
    if (known == name) return true;
  }
  return false;
}

// The default role codes.
inline constexpr std::string_view kRoleEmployee = "employee";
inline constexpr std::string_view kRoleManager = "manager";
inline constexpr std::string_view kRoleDeputy = "deputy";
inline constexpr std::string_view kRoleHr = "hr";
inline constexpr std::string_view kRoleTimekeeper = "timekeeper";
inline constexpr std::string_view kRoleAccountant = "accountant";
inline constexpr std::string_view kRoleAdmin = "admin";
inline constexpr std::string_view kRoleAuditor = "auditor";

struct DefaultGrant {
  std::string_view permission;
  Scope scope;
};

struct DefaultRole {
  std::string_view code;
  std::string_view name;  // Russian, shown in the admin UI
  std::span<const DefaultGrant> grants;
};

// The eight roles of PRODUCT.md with their grants. Notes on the table:
//  * subtree scopes of manager and timekeeper mean "the departments the
//    person heads / is assigned to", resolved by the authorization layer;
//  * deputy's grants hold only inside an active delegation, which the
//    authorization layer checks (the role alone gives no rights over anyone);
//  * admin has no salary permission; auditor reads everything, writes nothing.
std::span<const DefaultRole> DefaultRoles();

// Inserts every default role and grant that is missing; existing rows are
// left as they are (an admin may have changed them). Idempotent, safe to run
// concurrently from several replicas (conflicting inserts are skipped).
// Errors: tabel::Error from the database helpers.
void EnsureDefaultRoles(db::Database& database);

}  // namespace tabel::auth
