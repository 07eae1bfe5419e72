#pragma once
// SQL of the auth service's administration: accounts with their roles,
// roles with their grants, and delegations (tables user_accounts,
// account_roles, roles, role_permissions, delegations, refresh_tokens).
// Every write runs in one write transaction together with its audit row
// (infra/audit), so a change and its record commit or roll back together.
// The rules of who may do what live in AdminService; this class checks only
// what the data itself must satisfy (references exist, unique values, the
// expected version).
//
// Thread-safety: safe from any thread; every method leases its own session
// and blocks: run it on the blocking pool.
// Errors: tabel::Error — NotFound, Conflict (stale version; a taken unique
// value, naming the field), Unprocessable (a reference to nothing, naming
// the field), and the database helpers' Unavailable/Internal.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/actor.hpp"
#include "common/clock.hpp"
#include "common/date.hpp"
#include "common/identity.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/db/database.hpp"

namespace tabel::auth {

// An account as administrators see it (never its password hash).
struct AccountView {
  int64_t id = 0;
  std::string login;
  std::optional<int64_t> employee_id;
  bool disabled = false;
  std::vector<std::string> roles;  // codes, sorted
  int64_t version = 0;             // user_accounts.version: the ETag
};

struct AccountQuery {
  std::optional<std::string> login_prefix;  // normalized (lower case)
  int limit = 50;
  std::optional<int64_t> after;  // ids greater than this
};

struct NewAdminAccount {
  std::string login;          // normalized and valid (IsValidLogin)
  std::string password_hash;  // from PasswordHasher::Hash
  std::optional<int64_t> employee_id;
  std::vector<std::string> roles;  // role codes; unknown ones are Unprocessable
};

// What a PATCH changes; an absent member stays as it is.
struct AccountChanges {
  std::optional<std::vector<std::string>> roles;
  std::optional<bool> disabled;
};

struct RoleView {
  int64_t id = 0;
  std::string code;
  std::string name;
  bool builtin = false;
  std::vector<PermissionGrant> permissions;  // sorted by permission
};

struct NewRole {
  std::string code;
  std::string name;
  std::vector<PermissionGrant> permissions;  // known names, no duplicates
};

struct Delegation {
  int64_t id = 0;
  int64_t manager_employee_id = 0;
  int64_t deputy_employee_id = 0;
  Date starts_on{};
  Date ends_on{};  // inclusive
  std::optional<std::chrono::system_clock::time_point> revoked_at;
};

struct DelegationQuery {
  // Only delegations where this employee is the manager or the deputy;
  // nullopt: every delegation.
  std::optional<int64_t> involving;
  int limit = 50;
  std::optional<int64_t> after;  // ids greater than this
};

class AdminRepository {
 public:
  AdminRepository(db::Database& database, Clock clock);

  // At most query.limit + 1 accounts (one more tells there is a next page),
  // ordered by id.
  std::vector<AccountView> ListAccounts(const AccountQuery& query);
  std::optional<AccountView> FindAccount(int64_t id);

  // Unprocessable naming employee_id (no such employee) or roles (an
  // unknown code); Conflict naming login (taken) or employee_id (already
  // linked to an account). Audited as account.create.
  int64_t CreateAccount(const NewAdminAccount& account, const Actor& actor);

  // Locks the account, checks `expected_version`, applies `changes` and
  // bumps version; a change of roles or of the disabled flag also bumps
  // roles_version, so access tokens issued before stop working at once, and
  // disabling revokes every refresh token. Audited as account.update.
  void UpdateAccount(int64_t id, int64_t expected_version, const AccountChanges& changes, const Actor& actor);

  // Ordered by code.
  std::vector<RoleView> ListRoles();
  // Conflict naming code when taken. Audited as role.create.
  int64_t CreateRole(const NewRole& role, const Actor& actor);

  // Creates a delegation from `manager_employee_id` to `deputy_employee_id`.
  // Unprocessable when the manager heads no department, or naming
  // deputy_employee_id when the deputy is not a current employee on `today`.
  // Audited as delegation.create; announced by the event
  // delegation.created (its deputy is told).
  int64_t CreateDelegation(int64_t manager_employee_id, int64_t deputy_employee_id, Date starts_on,
                           Date ends_on, Date today, const Actor& actor);
  std::optional<Delegation> FindDelegation(int64_t id);
  // At most query.limit + 1 rows, ordered by id.
  std::vector<Delegation> ListDelegations(const DelegationQuery& query);
  // Sets revoked_at of a delegation whose manager is `manager_employee_id`
  // (NotFound for any other); revoking a revoked one changes nothing.
  // Audited as delegation.revoke.
  void RevokeDelegation(int64_t id, int64_t manager_employee_id, const Actor& actor);

 private:
  db::Database& database_;
  Clock clock_;
  bus::Outbox outbox_;
};

}  // namespace tabel::auth
