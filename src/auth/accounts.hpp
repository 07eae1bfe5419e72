#pragma once
// User accounts with their roles and permissions (tables user_accounts,
// roles, role_permissions, account_roles).
//
// Logins are case-insensitive: they are stored in ASCII lowercase
// (NormalizeLogin) and looked up the same way, so the unique index decides.
// Thread-safety: safe from any thread (each call leases its own session).
// Every method blocks on the database: run it on the blocking pool.
// Errors: tabel::Error from the database helpers (Conflict for a taken login
// or employee, Unavailable, Internal), plus those named per method.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/actor.hpp"
#include "common/clock.hpp"
#include "common/identity.hpp"
#include "infra/audit/audit_log.hpp"
#include "infra/db/database.hpp"

namespace tabel::auth {

struct Account {
  int64_t id = 0;
  std::optional<int64_t> employee_id;
  std::string login;
  std::string password_hash;
  // The account's flag, or read as true once the day after the employee's
  // dismissal date has come (in the company's time zone).
  bool disabled = false;
  // Bumped on every change of roles or of the disabled flag; access tokens
  // carry it, and a token whose version differs is refused.
  int64_t roles_version = 0;
  std::chrono::system_clock::time_point password_changed_at;
  std::vector<std::string> roles;  // role codes, sorted
  // One grant per permission, the broadest scope of all roles; sorted.
  std::vector<PermissionGrant> permissions;
};

struct NewAccount {
  std::string login;          // validated by IsValidLogin after NormalizeLogin
  std::string password_hash;  // from PasswordHasher::Hash
  std::optional<int64_t> employee_id;
  std::vector<std::string> roles;  // existing role codes
  bool disabled = false;
};

// ASCII lowercase of `login` (other bytes unchanged).
std::string NormalizeLogin(std::string_view login);
// 1..100 characters of [a-z0-9._@-] (after normalization).
bool IsValidLogin(std::string_view normalized_login);

class AccountRepository {
 public:
  AccountRepository(db::Database& database, Clock clock);

  // The account with this login (any case), or nullopt. An invalid login
  // is simply absent.
  std::optional<Account> FindByLogin(std::string_view login);
  std::optional<Account> FindById(int64_t account_id);

  // Creates an account and grants its roles; returns its id. Throws
  // Error::Validation for a bad login or an unknown role, Error::Conflict
  // when the login or the employee already has an account.
  int64_t Create(const NewAccount& account);

  // A new password chosen by its owner or reset by an admin: sets the hash
  // and password_changed_at and revokes every refresh token of the account,
  // in one transaction. Throws Error::NotFound for an unknown account.
  void ChangePasswordHash(int64_t account_id, const std::string& password_hash);
  // The same, appending `entry` for `actor` to the audit log in the same
  // transaction (a change by the owner, or a reset by an admin).
  void ChangePasswordHash(int64_t account_id, const std::string& password_hash, const Actor& actor,
                          const audit::Entry& entry);

  // The same password re-hashed with current limits: only the hash changes.
  void UpdatePasswordHash(int64_t account_id, const std::string& password_hash);

  // Replaces the account's roles and bumps roles_version, so access tokens
  // issued before stop working at once. Throws Error::Validation for an
  // unknown role, Error::NotFound for an unknown account.
  void SetRoles(int64_t account_id, const std::vector<std::string>& roles);

  // Disables or enables the account and bumps roles_version; disabling also
  // revokes every refresh token. Throws Error::NotFound.
  void SetDisabled(int64_t account_id, bool disabled);

 private:
  db::Database& database_;
  Clock clock_;
};

}  // namespace tabel::auth
