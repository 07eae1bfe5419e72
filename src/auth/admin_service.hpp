#pragma once
// The auth service's administration rules, without HTTP:
//  * accounts (accounts.manage with scope all): list, read, create, change
//    roles and the disabled flag, reset a password. Nobody changes his own
//    roles or disables himself (Forbidden naming the field);
//  * roles (roles.manage): list, create from known permission names;
//  * delegations: a department head with delegations.manage delegates his
//    approvals over his subtree to a current employee for at most 366
//    days; each sees his own delegations (as manager or deputy), audit.read
//    sees all; only the manager revokes (to anyone else it does not exist);
//  * the audit log (audit.read), newest first.
// Every write is audited in its own transaction (AdminRepository).
//
// Thread-safety: safe from any thread; the collaborators must outlive it.
// Every method blocks (database; argon2id for passwords): run it on the
// blocking pool. Errors: tabel::Error — Forbidden without the permission,
// Validation naming the field, Unprocessable, NotFound, Conflict, and the
// repositories'.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/access.hpp"
#include "auth/accounts.hpp"
#include "auth/admin_repository.hpp"
#include "auth/identity_cache.hpp"
#include "auth/password_hasher.hpp"
#include "common/actor.hpp"
#include "common/clock.hpp"
#include "common/date.hpp"
#include "http/query_fields.hpp"
#include "infra/audit/audit_log.hpp"

namespace tabel::auth {

// Longest delegation, from starts_on to ends_on inclusive.
inline constexpr int kMaxDelegationDays = 366;

struct NewAccountRequest {
  std::string login;  // as sent; normalized here
  std::string password;
  std::optional<int64_t> employee_id;
  std::vector<std::string> roles;
};

struct AuditQuery {
  std::optional<int64_t> account_id;
  std::optional<std::string> object_type, object_id, action;
  std::optional<Date> from, to;  // inclusive company-local dates
  int limit = 50;
  std::optional<int64_t> before_id;  // the cursor
};

class AdminService {
 public:
  // `access` is told of every change of delegations, `identities` of every
  // change of an account's roles or disabled flag (their caches).
  AdminService(AdminRepository& repository, AccountRepository& accounts, audit::AuditLog& audit_log,
               PasswordHasher& hasher, AccessResolver& access, IdentityCache& identities, Clock clock);

  http::Page<AccountView> ListAccounts(const Actor& actor, const AccountQuery& query);
  AccountView GetAccount(const Actor& actor, int64_t id);
  // Validation naming login (after ASCII lower-casing: 1..100 of
  // [a-z0-9._@-]) or password (the policy). Returns the new account.
  AccountView CreateAccount(const Actor& actor, const NewAccountRequest& request);
  AccountView UpdateAccount(const Actor& actor, int64_t id, int64_t expected_version,
                            const AccountChanges& changes);
  // Checks the policy (naming new_password), stores the new hash and revokes
  // every refresh token of the account; audited as account.password_reset.
  void ResetPassword(const Actor& actor, int64_t id, const std::string& new_password);

  std::vector<RoleView> ListRoles(const Actor& actor);
  // `role.code` is 1..50 of [a-z0-9_.-] (Validation naming code).
  RoleView CreateRole(const Actor& actor, const NewRole& role);

  // Unprocessable naming the field when ends_on < starts_on, ends_on is
  // before today, the range is longer than kMaxDelegationDays, or the
  // deputy is the caller; Forbidden without delegations.manage or an
  // employee record.
  Delegation CreateDelegation(const Actor& actor, int64_t deputy_employee_id, Date starts_on, Date ends_on);
  http::Page<Delegation> ListDelegations(const Actor& actor, int limit, std::optional<int64_t> after);
  void RevokeDelegation(const Actor& actor, int64_t id);

  http::Page<audit::Record> ListAudit(const Actor& actor, const AuditQuery& query);

 private:
  Date Today() const;

  AdminRepository& repository_;
  AccountRepository& accounts_;
  audit::AuditLog& audit_log_;
  PasswordHasher& hasher_;
  AccessResolver& access_;
  IdentityCache& identities_;
  Clock clock_;
};

// Whether `code` can name a role: 1..50 characters of [a-z0-9_.-].
bool IsValidRoleCode(std::string_view code);

// The instant a company-local date begins (midnight in the process time
// zone, see common/date.hpp).
std::chrono::system_clock::time_point StartOfLocalDate(Date date);

}  // namespace tabel::auth
