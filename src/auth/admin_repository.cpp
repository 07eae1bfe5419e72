#include "auth/admin_repository.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "infra/audit/audit_log.hpp"
#include "infra/db/dialect.hpp"
#include "infra/db/query.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::auth {
namespace {

// The page of accounts first, then their roles: LIMIT counts accounts, not
// account × role rows.
constexpr const char* kAccountPageStart =
    "SELECT a.id, a.login, a.employee_id, a.disabled, a.version, r.code FROM (SELECT id, login, "
    "employee_id, disabled, version FROM user_accounts WHERE 1 = 1";
constexpr const char* kAccountPageEnd =
    ") a LEFT JOIN account_roles ar ON ar.account_id = a.id LEFT JOIN roles r ON r.id = ar.role_id "
    "ORDER BY a.id, r.code";

constexpr const char* kLoginTaken = "SELECT COUNT(*) FROM user_accounts WHERE login = :login";
constexpr const char* kEmployeeLinked = "SELECT COUNT(*) FROM user_accounts WHERE employee_id = :id";
constexpr const char* kEmployeeExists = "SELECT COUNT(*) FROM employees WHERE id = :id";
constexpr const char* kCurrentEmployeeExists =
    "SELECT COUNT(*) FROM employees WHERE id = :id AND (dismissal_date IS NULL OR dismissal_date >= :today)";
constexpr const char* kInsertAccount =
    "INSERT INTO user_accounts (employee_id, login, password_hash, disabled, roles_version, "
    "password_changed_at, version, created_at, updated_at) "
    "VALUES (:employee_id, :login, :password_hash, 0, 1, :password_changed_at, 1, :created_at, :updated_at) "
    "RETURNING id";
constexpr const char* kSelectRoleId = "SELECT id FROM roles WHERE code = :code";
constexpr const char* kInsertAccountRole =
    "INSERT INTO account_roles (account_id, role_id) VALUES (:account_id, :role_id)";
constexpr const char* kDeleteAccountRoles = "DELETE FROM account_roles WHERE account_id = :account_id";
constexpr const char* kLockAccount = "SELECT version, disabled FROM user_accounts WHERE id = :id";
constexpr const char* kUpdateAccount =
    "UPDATE user_accounts SET disabled = :disabled, roles_version = roles_version + :bump, "
    "version = version + 1, updated_at = :now WHERE id = :id";
constexpr const char* kRevokeAccountRefreshTokens =
    "UPDATE refresh_tokens SET revoked_at = :now WHERE account_id = :account_id AND revoked_at IS NULL";

constexpr const char* kSelectRoles =
    "SELECT r.id, r.code, r.name, r.builtin, rp.permission, rp.scope FROM roles r "
    "LEFT JOIN role_permissions rp ON rp.role_id = r.id ORDER BY r.code, rp.permission";
constexpr const char* kRoleTaken = "SELECT COUNT(*) FROM roles WHERE code = :code";
constexpr const char* kInsertRole =
    "INSERT INTO roles (code, name, builtin, created_at) VALUES (:code, :name, 0, :created_at) RETURNING id";
constexpr const char* kInsertGrant =
    "INSERT INTO role_permissions (role_id, permission, scope) VALUES (:role_id, :permission, :scope)";

constexpr const char* kHeadsDepartment = "SELECT COUNT(*) FROM departments WHERE head_employee_id = :id";
constexpr const char* kInsertDelegation =
    "INSERT INTO delegations (manager_employee_id, deputy_employee_id, starts_on, ends_on, created_at) "
    "VALUES (:manager, :deputy, :starts_on, :ends_on, :created_at) RETURNING id";
constexpr const char* kDelegationColumns =
    "SELECT id, manager_employee_id, deputy_employee_id, starts_on, ends_on, revoked_at FROM delegations "
    "WHERE 1 = 1";
constexpr const char* kLockDelegation =
    "SELECT manager_employee_id, revoked_at FROM delegations WHERE id = :id";
constexpr const char* kRevokeDelegation = "UPDATE delegations SET revoked_at = :now WHERE id = :id";

Error ConflictOn(std::string field, std::string detail) {
  return {ErrorKind::kConflict, "conflict", std::move(detail), {{std::move(field), "is already taken"}}};
}

Error MissingReference(std::string field, std::string message, std::string detail) {
  return Error::Unprocessable("invalid-reference", std::move(detail),
                              {{std::move(field), std::move(message)}});
}

long long CountById(soci::session& session, const char* sql, long long id) {
  long long count = 0;
  session << sql, soci::into(count), soci::use(id, "id");
  return count;
}

// The ids of `codes` (deduplicated); Unprocessable naming roles for an
// unknown one.
std::vector<long long> RoleIds(soci::session& session, const std::vector<std::string>& codes) {
  const std::set<std::string> unique(codes.begin(), codes.end());
  std::vector<long long> ids;
  for (const std::string& code : unique) {
    long long id = 0;
    soci::indicator id_ind = soci::i_null;
    session << kSelectRoleId, soci::into(id, id_ind), soci::use(code, "code");
    if (!session.got_data() || id_ind != soci::i_ok) {
      throw MissingReference("roles", "unknown role '" + code + "'", "A role does not exist.");
    }
    ids.push_back(id);
  }
  return ids;
}

void GrantRoleIds(soci::session& session, long long account_id, const std::vector<long long>& role_ids) {
  for (const long long role_id : role_ids) {
    session << kInsertAccountRole, soci::use(account_id, "account_id"), soci::use(role_id, "role_id");
  }
}

std::vector<AccountView> SelectAccounts(soci::session& session, db::Query& query) {
  long long id = 0, employee_id = 0, version = 0;
  int disabled = 0;
  std::string login, role;
  soci::indicator employee_ind = soci::i_null, role_ind = soci::i_null;
  soci::statement statement(session);
  statement.exchange(soci::into(id));
  statement.exchange(soci::into(login));
  statement.exchange(soci::into(employee_id, employee_ind));
  statement.exchange(soci::into(disabled));
  statement.exchange(soci::into(version));
  statement.exchange(soci::into(role, role_ind));
  query.Prepare(statement);
  statement.execute(false);
  std::vector<AccountView> accounts;
  while (statement.fetch()) {
    if (accounts.empty() || accounts.back().id != id) {
      AccountView account;
      account.id = id;
      account.login = login;
      if (employee_ind == soci::i_ok) account.employee_id = employee_id;
      account.disabled = disabled != 0;
      account.version = version;
      accounts.push_back(std::move(account));
    }
    if (role_ind == soci::i_ok) accounts.back().roles.push_back(role);
    employee_ind = role_ind = soci::i_null;
  }
  return accounts;
}

Date ParseStoredDate(const std::string& text) {
  const auto date = ParseIsoDate(std::string_view(text).substr(0, 10));
  if (!date) throw Error::Internal("delegations: malformed date '" + text + "'");
  return *date;
}

std::vector<Delegation> SelectDelegations(soci::session& session, db::Query& query) {
  long long id = 0, manager = 0, deputy = 0;
  std::string starts_on, ends_on, revoked_at;
  soci::indicator revoked_ind = soci::i_null;
  soci::statement statement(session);
  statement.exchange(soci::into(id));
  statement.exchange(soci::into(manager));
  statement.exchange(soci::into(deputy));
  statement.exchange(soci::into(starts_on));
  statement.exchange(soci::into(ends_on));
  statement.exchange(soci::into(revoked_at, revoked_ind));
  query.Prepare(statement);
  statement.execute(false);
  std::vector<Delegation> delegations;
  while (statement.fetch()) {
    Delegation delegation;
    delegation.id = id;
    delegation.manager_employee_id = manager;
    delegation.deputy_employee_id = deputy;
    delegation.starts_on = ParseStoredDate(starts_on);
    delegation.ends_on = ParseStoredDate(ends_on);
    if (revoked_ind == soci::i_ok) {
      const auto revoked = db::ParseTimestamp(revoked_at);
      if (!revoked) throw Error::Internal("delegations: malformed revoked_at");
      delegation.revoked_at = *revoked;
    }
    delegations.push_back(delegation);
    revoked_ind = soci::i_null;
  }
  return delegations;
}

}  // namespace

AdminRepository::AdminRepository(db::Database& database, Clock clock)
    : database_(database), clock_(clock), outbox_(std::move(clock)) {}

std::vector<AccountView> AdminRepository::ListAccounts(const AccountQuery& filter) {
  db::Query query;
  query << kAccountPageStart;
  if (filter.login_prefix) {
    std::string pattern;
    for (const char c : *filter.login_prefix) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    query << " AND login LIKE " << query.Param(pattern + "%") << " ESCAPE '\\'";
  }
  if (filter.after) query << " AND id > " << query.Param(*filter.after);
  query << " ORDER BY id LIMIT " << query.Param(static_cast<long long>(filter.limit) + 1) << kAccountPageEnd;
  return db::WithSession(database_, [&](soci::session& session) { return SelectAccounts(session, query); });
}

std::optional<AccountView> AdminRepository::FindAccount(int64_t id) {
  db::Query query;
  query << kAccountPageStart << " AND id = " << query.Param(id) << kAccountPageEnd;
  return db::WithSession(database_, [&](soci::session& session) -> std::optional<AccountView> {
    auto accounts = SelectAccounts(session, query);
    if (accounts.empty()) return std::nullopt;
    return std::move(accounts.front());
  });
}

int64_t AdminRepository::CreateAccount(const NewAdminAccount& account, const Actor& actor) {
  const auto now_time = clock_();
  const std::string now = db::FormatTimestamp(now_time);
  const long long employee_id = account.employee_id.value_or(0);
  soci::indicator employee_ind = account.employee_id ? soci::i_ok : soci::i_null;
  return db::WithWriteTransaction(database_, [&](soci::session& session) -> int64_t {
    if (account.employee_id && CountById(session, kEmployeeExists, employee_id) == 0) {
      throw MissingReference("employee_id", "no such employee", "The employee does not exist.");
    }
    const std::vector<long long> role_ids = RoleIds(session, account.roles);
    long long taken = 0;
    session << kLoginTaken, soci::into(taken), soci::use(account.login, "login");
    if (taken > 0) throw ConflictOn("login", "Another account has this login.");
    if (account.employee_id && CountById(session, kEmployeeLinked, employee_id) > 0) {
      throw ConflictOn("employee_id", "The employee already has an account.");
    }
    long long id = 0;
    session << kInsertAccount, soci::use(employee_id, employee_ind, "employee_id"),
        soci::use(account.login, "login"), soci::use(account.password_hash, "password_hash"),
        soci::use(now, "password_changed_at"), soci::use(now, "created_at"), soci::use(now, "updated_at"),
        soci::into(id);
    GrantRoleIds(session, id, role_ids);
    nlohmann::json details = {{"login", account.login}, {"roles", account.roles}};
    details["employee_id"] = account.employee_id ? nlohmann::json(*account.employee_id) : nlohmann::json();
    audit::Append(session, actor, {"account.create", "account", std::to_string(id), details}, now_time);
    return id;
  });
}

void AdminRepository::UpdateAccount(int64_t id, int64_t expected_version, const AccountChanges& changes,
                                    const Actor& actor) {
  const auto now_time = clock_();
  const std::string now = db::FormatTimestamp(now_time);
  const std::string lock_sql = std::string(kLockAccount) + std::string(db::ForUpdate(database_.dialect()));
  const long long key = id;
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    long long version = 0;
    int disabled = 0;
    session << lock_sql, soci::into(version), soci::into(disabled), soci::use(key, "id");
    if (!session.got_data()) throw Error::NotFound("No such account.");
    if (version != expected_version) {
      throw Error::Conflict("The account was changed by someone else; read it again and retry.");
    }
    nlohmann::json details = nlohmann::json::object();
    const int new_disabled = changes.disabled ? (*changes.disabled ? 1 : 0) : disabled;
    const int bump = (changes.roles || new_disabled != disabled) ? 1 : 0;
    if (changes.roles) {
      const std::vector<long long> role_ids = RoleIds(session, *changes.roles);
      session << kDeleteAccountRoles, soci::use(key, "account_id");
      GrantRoleIds(session, key, role_ids);
      const std::set<std::string> unique(changes.roles->begin(), changes.roles->end());
      details["roles"] = std::vector<std::string>(unique.begin(), unique.end());
    }
    if (changes.disabled) details["disabled"] = *changes.disabled;
    session << kUpdateAccount, soci::use(new_disabled, "disabled"), soci::use(bump, "bump"),
        soci::use(now, "now"), soci::use(key, "id");
    if (new_disabled != 0 && disabled == 0) {
      session << kRevokeAccountRefreshTokens, soci::use(now, "now"), soci::use(key, "account_id");
    }
    audit::Append(session, actor, {"account.update", "account", std::to_string(id), details}, now_time);
  });
}

std::vector<RoleView> AdminRepository::ListRoles() {
  return db::WithSession(database_, [&](soci::session& session) {
    long long id = 0;
    int builtin = 0;
    std::string code, name, permission, scope;
    soci::indicator permission_ind = soci::i_null, scope_ind = soci::i_null;
    soci::statement statement =
        (session.prepare << kSelectRoles, soci::into(id), soci::into(code), soci::into(name),
         soci::into(builtin), soci::into(permission, permission_ind), soci::into(scope, scope_ind));
    statement.execute(false);
    std::vector<RoleView> roles;
    while (statement.fetch()) {
      if (roles.empty() || roles.back().id != id) roles.push_back({id, code, name, builtin != 0, {}});
      if (permission_ind == soci::i_ok && scope_ind == soci::i_ok) {
        const auto parsed = ParseScope(scope);
        if (!parsed) throw Error::Internal("role_permissions: unknown scope '" + scope + "'");
        roles.back().permissions.push_back({permission, *parsed});
      }
      permission_ind = scope_ind = soci::i_null;
    }
    return roles;
  });
}

int64_t AdminRepository::CreateRole(const NewRole& role, const Actor& actor) {
  const auto now_time = clock_();
  const std::string now = db::FormatTimestamp(now_time);
  return db::WithWriteTransaction(database_, [&](soci::session& session) -> int64_t {
    long long taken = 0;
    session << kRoleTaken, soci::into(taken), soci::use(role.code, "code");
    if (taken > 0) throw ConflictOn("code", "Another role has this code.");
    long long id = 0;
    session << kInsertRole, soci::use(role.code, "code"), soci::use(role.name, "name"),
        soci::use(now, "created_at"), soci::into(id);
    nlohmann::json grants = nlohmann::json::array();
    for (const PermissionGrant& grant : role.permissions) {
      const std::string scope(ScopeName(grant.scope));
      session << kInsertGrant, soci::use(id, "role_id"), soci::use(grant.permission, "permission"),
          soci::use(scope, "scope");
      grants.push_back({{"permission", grant.permission}, {"scope", scope}});
    }
    audit::Append(session, actor,
                  {"role.create",
                   "role",
                   std::to_string(id),
                   {{"code", role.code}, {"name", role.name}, {"permissions", grants}}},
                  now_time);
    return id;
  });
}

int64_t AdminRepository::CreateDelegation(int64_t manager_employee_id, int64_t deputy_employee_id,
                                          Date starts_on, Date ends_on, Date today, const Actor& actor) {
  const auto now_time = clock_();
  const std::string now = db::FormatTimestamp(now_time);
  const long long manager = manager_employee_id, deputy = deputy_employee_id;
  const std::string starts = FormatIsoDate(starts_on), ends = FormatIsoDate(ends_on),
                    today_text = FormatIsoDate(today);
  return db::WithWriteTransaction(database_, [&](soci::session& session) -> int64_t {
    if (CountById(session, kHeadsDepartment, manager) == 0) {
      throw Error::Unprocessable("not-a-manager", "Only the head of a department can delegate approvals.");
    }
    long long current = 0;
    session << kCurrentEmployeeExists, soci::into(current), soci::use(deputy, "id"),
        soci::use(today_text, "today");
    if (current == 0) {
      throw MissingReference("deputy_employee_id", "no such current employee",
                             "The deputy must be a current employee.");
    }
    long long id = 0;
    session << kInsertDelegation, soci::use(manager, "manager"), soci::use(deputy, "deputy"),
        soci::use(starts, "starts_on"), soci::use(ends, "ends_on"), soci::use(now, "created_at"),
        soci::into(id);
    audit::Append(session, actor,
                  {"delegation.create",
                   "delegation",
                   std::to_string(id),
                   {{"manager_employee_id", manager},
                    {"deputy_employee_id", deputy},
                    {"starts_on", starts},
                    {"ends_on", ends}}},
                  now_time);
    outbox_.Add(session, {.topic = "delegation.created",
                          .payload = nlohmann::json{
                              {"delegation_id", id},
                              {"manager_employee_id", manager},
                              {"deputy_employee_id", deputy},
                              {"starts_on", starts},
                              {"ends_on",
                               ends}}.dump()});
    return id;
  });
}

std::optional<Delegation> AdminRepository::FindDelegation(int64_t id) {
  db::Query query;
  query << kDelegationColumns << " AND id = " << query.Param(id);
  return db::WithSession(database_, [&](soci::session& session) -> std::optional<Delegation> {
    auto rows = SelectDelegations(session, query);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  });
}

std::vector<Delegation> AdminRepository::ListDelegations(const DelegationQuery& filter) {
  db::Query query;
  query << kDelegationColumns;
  if (filter.involving) {
    query << " AND (manager_employee_id = " << query.Param(*filter.involving)
          << " OR deputy_employee_id = " << query.Param(*filter.involving) << ")";
  }
  if (filter.after) query << " AND id > " << query.Param(*filter.after);
  query << " ORDER BY id LIMIT " << query.Param(static_cast<long long>(filter.limit) + 1);
  return db::WithSession(database_,
                         [&](soci::session& session) { return SelectDelegations(session, query); });
}

void AdminRepository::RevokeDelegation(int64_t id, int64_t manager_employee_id, const Actor& actor) {
  const auto now_time = clock_();
  const std::string now = db::FormatTimestamp(now_time);
  const std::string lock_sql = std::string(kLockDelegation) + std::string(db::ForUpdate(database_.dialect()));
  const long long key = id;
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    long long manager = 0;
    std::string revoked_at;
    soci::indicator revoked_ind = soci::i_null;
    session << lock_sql, soci::into(manager), soci::into(revoked_at, revoked_ind), soci::use(key, "id");
    if (!session.got_data() || manager != manager_employee_id) throw Error::NotFound("No such delegation.");
    if (revoked_ind == soci::i_ok) return;
    session << kRevokeDelegation, soci::use(now, "now"), soci::use(key, "id");
    audit::Append(session, actor,
                  {"delegation.revoke", "delegation", std::to_string(id), nlohmann::json::object()},
                  now_time);
  });
}

}  // namespace tabel::auth
