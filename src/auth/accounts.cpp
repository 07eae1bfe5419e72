#include "auth/accounts.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "common/error.hpp"
#include "infra/db/query.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::auth {
namespace {

// One statement reads an account with all its grants, so the roles,
// permissions and roles_version come from one snapshot.
#define TABEL_ACCOUNT_QUERY                                                                        \
  "SELECT a.id, a.employee_id, a.login, a.password_hash, a.disabled, a.roles_version, "            \
  "a.password_changed_at, e.dismissal_date, r.code, rp.permission, rp.scope FROM user_accounts a " \
  "LEFT JOIN employees e ON e.id = a.employee_id "                                                 \
  "LEFT JOIN account_roles ar ON ar.account_id = a.id LEFT JOIN roles r ON r.id = ar.role_id "     \
  "LEFT JOIN role_permissions rp ON rp.role_id = r.id "
constexpr const char* kSelectAccountByLogin = TABEL_ACCOUNT_QUERY "WHERE a.login = ";
constexpr const char* kSelectAccountById = TABEL_ACCOUNT_QUERY "WHERE a.id = ";
#undef TABEL_ACCOUNT_QUERY

constexpr const char* kInsertAccount =
    "INSERT INTO user_accounts (employee_id, login, password_hash, disabled, roles_version, "
    "password_changed_at, version, created_at, updated_at) "
    "VALUES (:employee_id, :login, :password_hash, :disabled, 1, :password_changed_at, 1, :created_at, "
    ":updated_at) "
    "RETURNING id";
constexpr const char* kSelectRoleId = "SELECT id FROM roles WHERE code = :code";
constexpr const char* kInsertAccountRole =
    "INSERT INTO account_roles (account_id, role_id) VALUES (:account_id, :role_id)";
constexpr const char* kDeleteAccountRoles = "DELETE FROM account_roles WHERE account_id = :account_id";
constexpr const char* kChangePassword =
    "UPDATE user_accounts SET password_hash = :password_hash, password_changed_at = :changed_at, "
    "updated_at = :updated_at "
    "WHERE id = :id";
constexpr const char* kUpdatePasswordHash =
    "UPDATE user_accounts SET password_hash = :password_hash WHERE id = :id";
constexpr const char* kBumpRolesVersion =
    "UPDATE user_accounts SET roles_version = roles_version + 1, version = version + 1, updated_at = :now "
    "WHERE id = :id";
constexpr const char* kSetDisabled =
    "UPDATE user_accounts SET disabled = :disabled, roles_version = roles_version + 1, version = version + "
    "1, "
    "updated_at = :now WHERE id = :id";
constexpr const char* kRevokeAccountRefreshTokens =
    "UPDATE refresh_tokens SET revoked_at = :now WHERE account_id = :account_id AND revoked_at IS NULL";

constexpr size_t kMaxLoginLength = 100;

struct AccountRow {
  long long id = 0;
  long long employee_id = 0;
  soci::indicator employee_id_ind = soci::i_null;
  std::string login, password_hash, password_changed_at, dismissal_date;
  soci::indicator dismissal_ind = soci::i_null;
  int disabled = 0;
  long long roles_version = 0;
  std::string role, permission, scope;
  soci::indicator role_ind = soci::i_null, permission_ind = soci::i_null, scope_ind = soci::i_null;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(employee_id, employee_id_ind));
    statement.exchange(soci::into(login));
    statement.exchange(soci::into(password_hash));
    statement.exchange(soci::into(disabled));
    statement.exchange(soci::into(roles_version));
    statement.exchange(soci::into(password_changed_at));
    statement.exchange(soci::into(dismissal_date, dismissal_ind));
    statement.exchange(soci::into(role, role_ind));
    statement.exchange(soci::into(permission, permission_ind));
    statement.exchange(soci::into(scope, scope_ind));
  }
};

// The account whose `sql` (one of the kSelectAccount… prefixes) matches
// `key`, through a statement kept prepared on the session: every
// authenticated request's identity is read again once a second.
template <class Key>
std::optional<Account> LoadAccount(db::Database& database, const char* sql, const Key& key, Date today) {
  db::Query query;
  query << sql << query.Param(key);
  return db::WithLease(database, [&](db::Lease& lease) {
    return db::RunCached<AccountRow>(
        lease, std::move(query), [&](soci::statement& statement, AccountRow& row, bool got) {
          std::optional<Account> account;
          std::set<std::string> roles;
          std::map<std::string, Scope> grants;
          for (; got; got = statement.fetch()) {
            if (!account) {
              account.emplace();
              account->id = row.id;
              if (row.employee_id_ind == soci::i_ok) account->employee_id = row.employee_id;
              account->login = row.login;
              account->password_hash = row.password_hash;
              // The account of a dismissed employee works through his last day.
              const bool gone = row.dismissal_ind == soci::i_ok &&
                                db::ParseStoredDate(row.dismissal_date, "employees.dismissal_date") < today;
              account->disabled = row.disabled != 0 || gone;
              account->roles_version = row.roles_version;
              const auto changed = db::ParseTimestamp(row.password_changed_at);
              if (!changed) throw Error::Internal("user_accounts: malformed password_changed_at");
              account->password_changed_at = *changed;
            }
            if (row.role_ind == soci::i_ok) roles.insert(row.role);
            if (row.permission_ind == soci::i_ok && row.scope_ind == soci::i_ok) {
              const auto scope = ParseScope(row.scope);
              if (!scope) throw Error::Internal("role_permissions: unknown scope '" + row.scope + "'");
              auto [it, inserted] = grants.emplace(row.permission, *scope);
              if (!inserted) it->second = std::max(it->second, *scope);
            }
            row.role_ind = row.permission_ind = row.scope_ind = soci::i_null;
          }
          if (account) {
            account->roles.assign(roles.begin(), roles.end());
            for (const auto& [permission, scope] : grants)
              account->permissions.push_back({permission, scope});
          }
          return account;
        });
  });
}

// Replaces nothing: inserts the account's roles; throws Validation for an
// unknown code.
void GrantRoles(soci::session& session, long long account_id, const std::vector<std::string>& roles) {
  std::set<std::string> unique(roles.begin(), roles.end());
  for (const std::string& code : unique) {
    long long role_id = 0;
    soci::indicator role_ind = soci::i_null;
    session << kSelectRoleId, soci::into(role_id, role_ind), soci::use(code, "code");
    if (!session.got_data() || role_ind != soci::i_ok) {
      throw Error::Validation({{"roles", "unknown role '" + code + "'"}});
    }
    session << kInsertAccountRole, soci::use(account_id, "account_id"), soci::use(role_id, "role_id");
  }
}

void ExpectOneRow(soci::statement& statement) {
  if (statement.get_affected_rows() == 0) throw Error::NotFound("No such account.");
}

// Sets the hash and revokes every refresh token, in the caller's transaction.
void ChangePasswordIn(soci::session& session, int64_t account_id, const std::string& password_hash,
                      const std::string& now) {
  const long long id = account_id;
  soci::statement update = (session.prepare << kChangePassword, soci::use(password_hash, "password_hash"),
                            soci::use(now, "changed_at"), soci::use(now, "updated_at"), soci::use(id, "id"));
  update.execute(true);
  ExpectOneRow(update);
  session << kRevokeAccountRefreshTokens, soci::use(now, "now"), soci::use(id, "account_id");
}

}  // namespace

std::string NormalizeLogin(std::string_view login) {
  std::string normalized(login);
  for (char& c : normalized) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return normalized;
}

bool IsValidLogin(std::string_view login) {
  if (login.empty() || login.size() > kMaxLoginLength) return false;
  return std::all_of(login.begin(), login.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' || c == '-';
  });
}

AccountRepository::AccountRepository(db::Database& database, Clock clock)
    : database_(database), clock_(std::move(clock)) {}

std::optional<Account> AccountRepository::FindByLogin(std::string_view login) {
  const std::string normalized = NormalizeLogin(login);
  if (!IsValidLogin(normalized)) return std::nullopt;
  return LoadAccount(database_, kSelectAccountByLogin, normalized, LocalDate(clock_()));
}

std::optional<Account> AccountRepository::FindById(int64_t account_id) {
  const long long id = account_id;
  return LoadAccount(database_, kSelectAccountById, static_cast<long long>(id), LocalDate(clock_()));
}

int64_t AccountRepository::Create(const NewAccount& account) {
  const std::string login = NormalizeLogin(account.login);
  if (!IsValidLogin(login)) {
    throw Error::Validation({{"login", "must be 1..100 characters of a-z, 0-9, '.', '_', '@', '-'"}});
  }
  const std::string now = db::FormatTimestamp(clock_());
  const long long employee_id = account.employee_id.value_or(0);
  soci::indicator employee_ind = account.employee_id ? soci::i_ok : soci::i_null;
  const int disabled = account.disabled ? 1 : 0;
  return db::WithWriteTransaction(database_, [&](soci::session& session) -> int64_t {
    long long id = 0;
    session << kInsertAccount, soci::use(employee_id, employee_ind, "employee_id"), soci::use(login, "login"),
        soci::use(account.password_hash, "password_hash"), soci::use(disabled, "disabled"),
        soci::use(now, "password_changed_at"), soci::use(now, "created_at"), soci::use(now, "updated_at"),
        soci::into(id);
    GrantRoles(session, id, account.roles);
    return id;
  });
}

void AccountRepository::ChangePasswordHash(int64_t account_id, const std::string& password_hash) {
  const std::string now = db::FormatTimestamp(clock_());
  db::WithWriteTransaction(
      database_, [&](soci::session& session) { ChangePasswordIn(session, account_id, password_hash, now); });
}

void AccountRepository::ChangePasswordHash(int64_t account_id, const std::string& password_hash,
                                           const Actor& actor, const audit::Entry& entry) {
  const auto now_time = clock_();
  const std::string now = db::FormatTimestamp(now_time);
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    ChangePasswordIn(session, account_id, password_hash, now);
    audit::Append(session, actor, entry, now_time);
  });
}

void AccountRepository::UpdatePasswordHash(int64_t account_id, const std::string& password_hash) {
  const long long id = account_id;
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement update = (session.prepare << kUpdatePasswordHash,
                              soci::use(password_hash, "password_hash"), soci::use(id, "id"));
    update.execute(true);
    ExpectOneRow(update);
  });
}

void AccountRepository::SetRoles(int64_t account_id, const std::vector<std::string>& roles) {
  const std::string now = db::FormatTimestamp(clock_());
  const long long id = account_id;
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement bump = (session.prepare << kBumpRolesVersion, soci::use(now, "now"), soci::use(id, "id"));
    bump.execute(true);
    ExpectOneRow(bump);
    session << kDeleteAccountRoles, soci::use(id, "account_id");
    GrantRoles(session, id, roles);
  });
}

void AccountRepository::SetDisabled(int64_t account_id, bool disabled) {
  const std::string now = db::FormatTimestamp(clock_());
  const long long id = account_id;
  const int flag = disabled ? 1 : 0;
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement update = (session.prepare << kSetDisabled, soci::use(flag, "disabled"),
                              soci::use(now, "now"), soci::use(id, "id"));
    update.execute(true);
    ExpectOneRow(update);
    if (disabled) session << kRevokeAccountRefreshTokens, soci::use(now, "now"), soci::use(id, "account_id");
  });
}

}  // namespace tabel::auth
