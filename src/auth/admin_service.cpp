#include "auth/admin_service.hpp"

#include <algorithm>
#include <ctime>
#include <utility>

#include "auth/permissions.hpp"
#include "auth/service.hpp"
#include "common/error.hpp"

namespace tabel::auth {
namespace {

constexpr size_t kMaxRoleCodeLength = 50;

// Forbidden unless the caller holds `permission` with scope all.
void RequireAll(const Actor& actor, std::string_view permission, const char* detail) {
  if (actor.identity.ScopeOf(permission) != Scope::kAll) throw Error::Forbidden(detail);
}

Error ForbiddenField(std::string detail, std::string field, std::string message) {
  return {ErrorKind::kForbidden, "forbidden", std::move(detail), {{std::move(field), std::move(message)}}};
}

}  // namespace

bool IsValidRoleCode(std::string_view code) {
  if (code.empty() || code.size() > kMaxRoleCodeLength) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

std::chrono::system_clock::time_point StartOfLocalDate(Date date) {
  const std::chrono::year_month_day ymd{date};
  std::tm local{};
  local.tm_year = static_cast<int>(ymd.year()) - 1900;
  local.tm_mon = static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
  local.tm_mday = static_cast<int>(static_cast<unsigned>(ymd.day()));
  local.tm_isdst = -1;
  const std::time_t seconds = std::mktime(&local);
  if (seconds == static_cast<std::time_t>(-1)) return std::chrono::sys_days(date);
  return std::chrono::system_clock::from_time_t(seconds);
}

AdminService::AdminService(AdminRepository& repository, AccountRepository& accounts,
                           audit::AuditLog& audit_log, PasswordHasher& hasher, AccessResolver& access,
                           IdentityCache& identities, Clock clock)
    : repository_(repository),
      accounts_(accounts),
      audit_log_(audit_log),
      hasher_(hasher),
      access_(access),
      identities_(identities),
      clock_(std::move(clock)) {}

Date AdminService::Today() const { return LocalDate(clock_()); }

http::Page<AccountView> AdminService::ListAccounts(const Actor& actor, const AccountQuery& query) {
  RequireAll(actor, kAccountsManage, "You may not manage accounts.");
  AccountQuery normalized = query;
  if (normalized.login_prefix) normalized.login_prefix = NormalizeLogin(*normalized.login_prefix);
  return http::PageOf(repository_.ListAccounts(normalized), query.limit);
}

AccountView AdminService::GetAccount(const Actor& actor, int64_t id) {
  RequireAll(actor, kAccountsManage, "You may not manage accounts.");
  auto account = repository_.FindAccount(id);
  if (!account) throw Error::NotFound("No such account.");
  return std::move(*account);
}

AccountView AdminService::CreateAccount(const Actor& actor, const NewAccountRequest& request) {
  RequireAll(actor, kAccountsManage, "You may not manage accounts.");
  std::vector<FieldError> problems;
  const std::string login = NormalizeLogin(request.login);
  if (!IsValidLogin(login)) {
    problems.push_back({"login", "must be 1..100 characters of a-z, 0-9, '.', '_', '@', '-'"});
  }
  const std::string policy = PasswordPolicyProblem(request.password);
  if (!policy.empty()) problems.push_back({"password", policy});
  if (!problems.empty()) throw Error::Validation(std::move(problems));
  NewAdminAccount account{login, hasher_.Hash(request.password), request.employee_id, request.roles};
  const int64_t id = repository_.CreateAccount(account, actor);
  return GetAccount(actor, id);
}

AccountView AdminService::UpdateAccount(const Actor& actor, int64_t id, int64_t expected_version,
                                        const AccountChanges& changes) {
  RequireAll(actor, kAccountsManage, "You may not manage accounts.");
  if (id == actor.identity.account_id) {
    if (changes.roles) throw ForbiddenField("Nobody changes his own roles.", "roles", "are your own");
    if (changes.disabled.value_or(false)) {
      throw ForbiddenField("Nobody disables his own account.", "disabled", "is your own account");
    }
  }
  repository_.UpdateAccount(id, expected_version, changes, actor);
  identities_.Forget(id);
  return GetAccount(actor, id);
}

void AdminService::ResetPassword(const Actor& actor, int64_t id, const std::string& new_password) {
  RequireAll(actor, kAccountsManage, "You may not manage accounts.");
  const std::string policy = PasswordPolicyProblem(new_password);
  if (!policy.empty()) throw Error::Validation({{"new_password", policy}});
  if (!repository_.FindAccount(id)) throw Error::NotFound("No such account.");
  accounts_.ChangePasswordHash(id, hasher_.Hash(new_password), actor,
                               {"account.password_reset", "account", std::to_string(id)});
}

std::vector<RoleView> AdminService::ListRoles(const Actor& actor) {
  RequireAll(actor, kRolesManage, "You may not manage roles.");
  return repository_.ListRoles();
}

RoleView AdminService::CreateRole(const Actor& actor, const NewRole& role) {
  RequireAll(actor, kRolesManage, "You may not manage roles.");
  if (!IsValidRoleCode(role.code)) {
    throw Error::Validation({{"code", "must be 1..50 characters of a-z, 0-9, '.', '_', '-'"}});
  }
  repository_.CreateRole(role, actor);
  for (RoleView& view : repository_.ListRoles()) {
    if (view.code == role.code) return std::move(view);
  }
  throw Error::Internal("roles: the created role is missing");
}

Delegation AdminService::CreateDelegation(const Actor& actor, int64_t deputy_employee_id, Date starts_on,
                                          Date ends_on) {
  if (!actor.identity.Has(kDelegationsManage)) throw Error::Forbidden("You may not delegate approvals.");
  if (!actor.identity.employee_id) {
    throw Error::Forbidden("Only an employee who heads a department can delegate approvals.");
  }
  const Date today = Today();
  const int64_t manager = *actor.identity.employee_id;
  std::vector<FieldError> problems;
  if (deputy_employee_id == manager) problems.push_back({"deputy_employee_id", "must be someone else"});
  if (ends_on < starts_on) {
    problems.push_back({"ends_on", "must not be before starts_on"});
  } else if ((ends_on - starts_on).count() + 1 > kMaxDelegationDays) {
    problems.push_back({"ends_on", "the delegation may last at most 366 days"});
  }
  if (ends_on < today) problems.push_back({"ends_on", "must not be in the past"});
  if (!problems.empty()) {
    throw Error::Unprocessable("invalid-delegation", "The delegation breaks a rule.", std::move(problems));
  }
  const int64_t id =
      repository_.CreateDelegation(manager, deputy_employee_id, starts_on, ends_on, today, actor);
  access_.Invalidate();
  auto delegation = repository_.FindDelegation(id);
  if (!delegation) throw Error::Internal("delegations: the created delegation is missing");
  return *delegation;
}

http::Page<Delegation> AdminService::ListDelegations(const Actor& actor, int limit,
                                                     std::optional<int64_t> after) {
  DelegationQuery query;
  query.limit = limit;
  query.after = after;
  if (actor.identity.ScopeOf(kAuditRead) != Scope::kAll) {
    if (!actor.identity.employee_id) return {};
    query.involving = *actor.identity.employee_id;
  }
  return http::PageOf(repository_.ListDelegations(query), limit);
}

void AdminService::RevokeDelegation(const Actor& actor, int64_t id) {
  if (!actor.identity.employee_id) throw Error::NotFound("No such delegation.");
  repository_.RevokeDelegation(id, *actor.identity.employee_id, actor);
  access_.Invalidate();
}

http::Page<audit::Record> AdminService::ListAudit(const Actor& actor, const AuditQuery& query) {
  RequireAll(actor, kAuditRead, "You may not read the audit log.");
  audit::Filter filter;
  filter.account_id = query.account_id;
  filter.object_type = query.object_type;
  filter.object_id = query.object_id;
  filter.action = query.action;
  if (query.from) filter.from = StartOfLocalDate(*query.from);
  if (query.to) filter.to = StartOfLocalDate(*query.to + std::chrono::days(1));
  filter.before_id = query.before_id;
  filter.limit = query.limit + 1;
  return http::PageOf(audit_log_.List(filter), query.limit);
}

}  // namespace tabel::auth
