// The auth service's administration on the backend TABEL_TEST_BACKEND
// selects: accounts (unique login and employee, roles, versions, tokens
// revoked on disable), roles, delegations, and every write's audit row;
// AdminService's rules (permissions, no change of one's own roles, dates of
// a delegation, the audit log's filters and cursor).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "auth/accounts.hpp"
#include "auth/admin_repository.hpp"
#include "auth/admin_service.hpp"
#include "auth/password_hasher.hpp"
#include "auth/permissions.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "infra/audit/audit_log.hpp"
#include "infra/db/transaction.hpp"
#include "support/errors.hpp"
#include "support/test_database.hpp"

namespace tabel::auth {
namespace {

using testing::CatchError;
using ::testing::ElementsAre;
using testing::TestDatabase;

constexpr const char* kNow = "2024-01-01T00:00:00.000000Z";

std::vector<std::string> Fields(const Error& error) {
  std::vector<std::string> fields;
  for (const FieldError& field : error.fields()) fields.push_back(field.field);
  return fields;
}

int CountRows(db::Database& database, const std::string& sql) {
  return db::WithSession(database, [&](soci::session& session) {
    long long count = -1;
    session << sql, soci::into(count);
    return static_cast<int>(count);
  });
}

class AdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 2025-06-10 12:00 UTC: "today" is 2025-06-10 in every time zone the
    // tests run in.
    clock_.Set(std::chrono::sys_days{std::chrono::year{2025} / 6 / 10} + std::chrono::hours(12));
    EnsureDefaultRoles(*database_);
    db::WithWriteTransaction(*database_, [](soci::session& session) {
      const std::string now = kNow;
      session << "INSERT INTO work_schedules (code, name, kind, hours_per_week, created_at) "
                 "VALUES ('5x8', 'Пятидневка', 'five_day', 40, :created_at)",
          soci::use(now, "created_at");
      session << "INSERT INTO positions (name, created_at) VALUES ('Инженер', :created_at)",
          soci::use(now, "created_at");
      session
          << "INSERT INTO departments (code, name, created_at, updated_at) VALUES ('D1', 'Отдел', :c, :u)",
          soci::use(now, "c"), soci::use(now, "u");
    });
    manager_ = InsertEmployee("0001", std::nullopt);
    deputy_ = InsertEmployee("0002", std::nullopt);
    dismissed_ = InsertEmployee("0003", std::string("2025-01-31"));
    db::WithSession(*database_, [&](soci::session& session) {
      const long long head = manager_;
      session << "UPDATE departments SET head_employee_id = :head", soci::use(head, "head");
    });
    admin_ = accounts_.Create({"root", "$argon2id$placeholder", std::nullopt, {"admin", "auditor"}});
  }

  int64_t InsertEmployee(const std::string& number, std::optional<std::string> dismissal) {
    return db::WithWriteTransaction(*database_, [&](soci::session& session) -> int64_t {
      const std::string now = kNow;
      const std::string email = number + "@example.com";
      const std::string dismissal_date = dismissal.value_or("");
      soci::indicator dismissal_ind = dismissal ? soci::i_ok : soci::i_null;
      long long id = 0;
      session
          << "INSERT INTO employees (personnel_number, last_name, first_name, email, position_id, "
             "department_id, hire_date, dismissal_date, schedule_id, salary_kopecks, search_name, "
             "created_at, updated_at) SELECT :number, 'Иванов', 'Иван', :email, p.id, d.id, '2020-01-01', "
             ":dismissal, s.id, 10000000, 'иванов иван', :c, :u FROM positions p, departments d, "
             "work_schedules s RETURNING id",
          soci::use(number, "number"), soci::use(email, "email"),
          soci::use(dismissal_date, dismissal_ind, "dismissal"), soci::use(now, "c"), soci::use(now, "u"),
          soci::into(id);
      return id;
    });
  }

  // An Actor for `account_id` with the grants of its roles.
  Actor ActorFor(int64_t account_id) {
    const auto account = accounts_.FindById(account_id);
    Identity identity;
    identity.account_id = account->id;
    identity.employee_id = account->employee_id;
    identity.login = account->login;
    identity.roles = account->roles;
    identity.permissions = account->permissions;
    return {identity, "192.0.2.1", "req-1"};
  }

  std::vector<audit::Record> AuditOf(const std::string& action) {
    audit::Filter filter;
    filter.action = action;
    return audit_log_.List(filter);
  }

  TestDatabase test_database_;
  std::unique_ptr<db::Database> database_ = test_database_.MakeMigrated(8);
  ManualClock clock_;
  AccountRepository accounts_{*database_, clock_.AsClock()};
  AdminRepository repository_{*database_, clock_.AsClock()};
  audit::AuditLog audit_log_{*database_};
  PasswordHasher hasher_{PasswordHashLimits::Minimum()};
  AccessResolver access_{*database_, clock_.AsClock()};
  IdentityCache identities_;
  AdminService service_{repository_, accounts_, audit_log_, hasher_, access_, identities_, clock_.AsClock()};
  int64_t manager_ = 0, deputy_ = 0, dismissed_ = 0, admin_ = 0;
};

// --- accounts -----------------------------------------------------------------

TEST_F(AdminTest, CreateAccountChecksReferencesAndUniqueValuesAndIsAudited) {
  const Actor admin = ActorFor(admin_);
  const int64_t id =
      repository_.CreateAccount({"ivanov", "$argon2id$x", manager_, {"manager", "employee"}}, admin);
  const auto account = repository_.FindAccount(id);
  ASSERT_TRUE(account);
  EXPECT_EQ(account->login, "ivanov");
  EXPECT_EQ(account->employee_id, manager_);
  EXPECT_THAT(account->roles, ElementsAre("employee", "manager"));
  EXPECT_EQ(account->version, 1);
  EXPECT_FALSE(account->disabled);

  const auto created = AuditOf("account.create");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].object_id, std::to_string(id));
  EXPECT_EQ(created[0].account_id, admin_);
  EXPECT_EQ(created[0].client, "192.0.2.1");
  EXPECT_EQ(created[0].request_id, "req-1");

  const Error taken = CatchError([&] {
    repository_.CreateAccount({"ivanov", "h", std::nullopt, {}}, admin);
  });
  EXPECT_EQ(taken.kind(), ErrorKind::kConflict);
  EXPECT_THAT(Fields(taken), ElementsAre("login"));
  const Error linked = CatchError([&] { repository_.CreateAccount({"other", "h", manager_, {}}, admin); });
  EXPECT_EQ(linked.kind(), ErrorKind::kConflict);
  EXPECT_THAT(Fields(linked), ElementsAre("employee_id"));
  const Error no_employee = CatchError([&] { repository_.CreateAccount({"other", "h", 999999, {}}, admin); });
  EXPECT_EQ(no_employee.kind(), ErrorKind::kUnprocessable);
  EXPECT_THAT(Fields(no_employee), ElementsAre("employee_id"));
  const Error no_role = CatchError([&] {
    repository_.CreateAccount({"other", "h", std::nullopt, {"emperor"}}, admin);
  });
  EXPECT_EQ(no_role.kind(), ErrorKind::kUnprocessable);
  EXPECT_THAT(Fields(no_role), ElementsAre("roles"));
  // Nothing of the failed attempts was written, audit rows included.
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM user_accounts WHERE login = 'other'"), 0);
  EXPECT_EQ(AuditOf("account.create").size(), 1u);
}

TEST_F(AdminTest, UpdateAccountChecksTheVersionAndBumpsRolesVersion) {
  const Actor admin = ActorFor(admin_);
  const int64_t id = repository_.CreateAccount({"petrov", "$argon2id$x", std::nullopt, {"employee"}}, admin);
  const int64_t roles_version = accounts_.FindById(id)->roles_version;

  EXPECT_EQ(CatchError([&] {
              repository_.UpdateAccount(id, 7, {{}, true}, admin);
            }).kind(),
            ErrorKind::kConflict);
  EXPECT_EQ(CatchError([&] {
              repository_.UpdateAccount(id + 1000, 1, {{}, true}, admin);
            }).kind(),
            ErrorKind::kNotFound);
  const Error unknown = CatchError([&] {
    repository_.UpdateAccount(id, 1, {std::vector<std::string>{"employee", "emperor"}, std::nullopt}, admin);
  });
  EXPECT_EQ(unknown.kind(), ErrorKind::kUnprocessable);
  EXPECT_THAT(Fields(unknown), ElementsAre("roles"));

  repository_.UpdateAccount(id, 1, {std::vector<std::string>{"hr"}, std::nullopt}, admin);
  const Account after_roles = *accounts_.FindById(id);
  EXPECT_THAT(after_roles.roles, ElementsAre("hr"));
  EXPECT_EQ(after_roles.roles_version, roles_version + 1);
  EXPECT_EQ(repository_.FindAccount(id)->version, 2);

  repository_.UpdateAccount(id, 2, {std::nullopt, true}, admin);
  const Account disabled = *accounts_.FindById(id);
  EXPECT_TRUE(disabled.disabled);
  EXPECT_EQ(disabled.roles_version, roles_version + 2);
  EXPECT_THAT(disabled.roles, ElementsAre("hr"));
  EXPECT_EQ(AuditOf("account.update").size(), 2u);
  EXPECT_EQ(AuditOf("account.update")[0].details["disabled"], true);
}

TEST_F(AdminTest, ListAccountsByLoginPrefixPageByPage) {
  const Actor admin = ActorFor(admin_);
  for (const char* login : {"anna", "andrey", "boris", "an_x"}) {
    repository_.CreateAccount({login, "$argon2id$x", std::nullopt, {"employee"}}, admin);
  }
  const auto page = service_.ListAccounts(admin, {std::string("AN"), 2, std::nullopt});
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].login, "anna");
  EXPECT_EQ(page.items[1].login, "andrey");
  ASSERT_TRUE(page.next_after);
  const auto rest = service_.ListAccounts(admin, {std::string("an"), 2, page.next_after});
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_EQ(rest.items[0].login, "an_x");
  EXPECT_FALSE(rest.next_after);
  // "_" is a literal in the prefix, not a LIKE wildcard.
  EXPECT_EQ(service_.ListAccounts(admin, {std::string("an_"), 10, std::nullopt}).items.size(), 1u);
  EXPECT_EQ(service_.ListAccounts(admin, {std::nullopt, 10, std::nullopt}).items.size(), 5u);
}

TEST_F(AdminTest, ServiceForbidsChangingOnesOwnRolesOrDisablingOneself) {
  const Actor admin = ActorFor(admin_);
  const Error roles = CatchError([&] {
    service_.UpdateAccount(admin, admin_, 1, {std::vector<std::string>{"admin"}, std::nullopt});
  });
  EXPECT_EQ(roles.kind(), ErrorKind::kForbidden);
  EXPECT_THAT(Fields(roles), ElementsAre("roles"));
  const Error disable = CatchError([&] { service_.UpdateAccount(admin, admin_, 1, {std::nullopt, true}); });
  EXPECT_EQ(disable.kind(), ErrorKind::kForbidden);
  EXPECT_THAT(Fields(disable), ElementsAre("disabled"));

  const int64_t plain = accounts_.Create({"plain", "$argon2id$x", std::nullopt, {"employee"}});
  EXPECT_EQ(CatchError([&] { service_.ListAccounts(ActorFor(plain), {}); }).kind(), ErrorKind::kForbidden);
  EXPECT_EQ(CatchError([&] { service_.ListRoles(ActorFor(plain)); }).kind(), ErrorKind::kForbidden);
  EXPECT_EQ(CatchError([&] { service_.ListAudit(ActorFor(plain), {}); }).kind(), ErrorKind::kForbidden);
}

TEST_F(AdminTest, CreateAccountThroughTheServiceValidatesLoginAndPassword) {
  const Actor admin = ActorFor(admin_);
  const Error bad = CatchError([&] {
    service_.CreateAccount(admin, {"bad login!", "short", std::nullopt, {}});
  });
  EXPECT_EQ(bad.kind(), ErrorKind::kBadRequest);
  EXPECT_THAT(Fields(bad), ElementsAre("login", "password"));
  const AccountView created =
      service_.CreateAccount(admin, {"New.User", "a long enough password", std::nullopt, {"employee"}});
  EXPECT_EQ(created.login, "new.user");
  EXPECT_TRUE(hasher_.Verify(accounts_.FindById(created.id)->password_hash, "a long enough password"));
}

TEST_F(AdminTest, PasswordResetHashesRevokesAndIsAudited) {
  const Actor admin = ActorFor(admin_);
  const int64_t id =
      accounts_.Create({"sidorov", hasher_.Hash("the old password"), std::nullopt, {"employee"}});
  const Error policy = CatchError([&] { service_.ResetPassword(admin, id, "short"); });
  EXPECT_EQ(policy.kind(), ErrorKind::kBadRequest);
  EXPECT_THAT(Fields(policy), ElementsAre("new_password"));
  EXPECT_EQ(CatchError([&] { service_.ResetPassword(admin, id + 1000, "a new long password"); }).kind(),
            ErrorKind::kNotFound);
  service_.ResetPassword(admin, id, "a new long password");
  EXPECT_TRUE(hasher_.Verify(accounts_.FindById(id)->password_hash, "a new long password"));
  const auto reset = AuditOf("account.password_reset");
  ASSERT_EQ(reset.size(), 1u);
  EXPECT_EQ(reset[0].object_id, std::to_string(id));
}

// --- roles --------------------------------------------------------------------

TEST_F(AdminTest, RolesAreCreatedWithGrantsAndCodesAreUnique) {
  const Actor admin = ActorFor(admin_);
  const RoleView role = service_.CreateRole(
      admin, {"reviewer", "Проверяющий", {{"audit.read", Scope::kAll}, {"employees.read", Scope::kSubtree}}});
  EXPECT_EQ(role.code, "reviewer");
  EXPECT_FALSE(role.builtin);
  ASSERT_EQ(role.permissions.size(), 2u);
  EXPECT_EQ(role.permissions[0].permission, "audit.read");
  EXPECT_EQ(role.permissions[1].scope, Scope::kSubtree);
  const auto roles = service_.ListRoles(admin);
  EXPECT_EQ(roles.size(), 9u);
  const Error taken = CatchError([&] { service_.CreateRole(admin, {"reviewer", "Другой", {}}); });
  EXPECT_EQ(taken.kind(), ErrorKind::kConflict);
  EXPECT_THAT(Fields(taken), ElementsAre("code"));
  const Error bad = CatchError([&] { service_.CreateRole(admin, {"Bad Code", "Имя", {}}); });
  EXPECT_THAT(Fields(bad), ElementsAre("code"));
  EXPECT_EQ(AuditOf("role.create").size(), 1u);

  // The new role works at once for an account granted it.
  const int64_t id = accounts_.Create({"reviewer1", "$argon2id$x", std::nullopt, {"reviewer"}});
  EXPECT_EQ(ActorFor(id).identity.ScopeOf(kAuditRead), Scope::kAll);
}

TEST(KnownPermissions, CoverEveryDefaultGrant) {
  for (const DefaultRole& role : DefaultRoles()) {
    for (const DefaultGrant& grant : role.grants) EXPECT_TRUE(IsKnownPermission(grant.permission));
  }
  EXPECT_FALSE(IsKnownPermission("employees.delete"));
  EXPECT_EQ(KnownPermissions().size(), 27u);
}

// --- delegations --------------------------------------------------------------

TEST_F(AdminTest, DelegationNeedsAHeadACurrentDeputyAndSaneDates) {
  const int64_t manager_account =
      accounts_.Create({"boss", "$argon2id$x", manager_, {"manager", "employee"}});
  const int64_t deputy_account = accounts_.Create({"dep", "$argon2id$x", deputy_, {"employee"}});
  const Actor boss = ActorFor(manager_account);
  using std::chrono::year;
  const Date june10 = year{2025} / 6 / 10, june20 = year{2025} / 6 / 20;

  const Delegation created = service_.CreateDelegation(boss, deputy_, june10, june20);
  EXPECT_EQ(created.manager_employee_id, manager_);
  EXPECT_EQ(created.deputy_employee_id, deputy_);
  EXPECT_EQ(created.starts_on, june10);
  EXPECT_FALSE(created.revoked_at);

  const auto expect_unprocessable = [&](int64_t deputy, Date starts, Date ends, const char* field) {
    const Error error = CatchError([&] { service_.CreateDelegation(boss, deputy, starts, ends); });
    EXPECT_EQ(error.kind(), ErrorKind::kUnprocessable) << field;
    EXPECT_THAT(Fields(error), ElementsAre(field));
  };
  expect_unprocessable(deputy_, june20, june10, "ends_on");
  expect_unprocessable(deputy_, year{2025} / 6 / 1, year{2025} / 6 / 9, "ends_on");  // in the past
  expect_unprocessable(deputy_, june10, year{2026} / 6 / 11, "ends_on");             // 367 days
  expect_unprocessable(manager_, june10, june20, "deputy_employee_id");
  expect_unprocessable(dismissed_, june10, june20, "deputy_employee_id");
  expect_unprocessable(999999, june10, june20, "deputy_employee_id");
  // 366 days inclusive is the longest.
  service_.CreateDelegation(boss, deputy_, june10, year{2026} / 6 / 10);

  // Someone who heads nothing cannot delegate.
  const int64_t other = accounts_.Create({"other", "$argon2id$x", dismissed_, {"manager"}});
  const Error not_head =
      CatchError([&] { service_.CreateDelegation(ActorFor(other), deputy_, june10, june20); });
  EXPECT_EQ(not_head.kind(), ErrorKind::kUnprocessable);
  EXPECT_EQ(not_head.code(), "not-a-manager");
  // The employee role has no delegations.manage.
  EXPECT_EQ(CatchError([&] {
              service_.CreateDelegation(ActorFor(deputy_account), manager_, june10, june20);
            }).kind(),
            ErrorKind::kForbidden);
  EXPECT_EQ(AuditOf("delegation.create").size(), 2u);
}

TEST_F(AdminTest, DelegationsAreListedToTheirPartiesAndRevokedOnlyByTheManager) {
  const int64_t manager_account =
      accounts_.Create({"boss", "$argon2id$x", manager_, {"manager", "employee"}});
  const int64_t deputy_account = accounts_.Create({"dep", "$argon2id$x", deputy_, {"employee"}});
  const Actor boss = ActorFor(manager_account), deputy = ActorFor(deputy_account);
  using std::chrono::year;
  const Delegation first = service_.CreateDelegation(boss, deputy_, year{2025} / 6 / 10, year{2025} / 6 / 20);
  const Delegation second = service_.CreateDelegation(boss, deputy_, year{2025} / 7 / 1, year{2025} / 7 / 5);

  const auto page = service_.ListDelegations(deputy, 1, std::nullopt);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id, first.id);
  ASSERT_TRUE(page.next_after);
  EXPECT_EQ(service_.ListDelegations(deputy, 1, page.next_after).items.at(0).id, second.id);
  EXPECT_EQ(service_.ListDelegations(boss, 50, std::nullopt).items.size(), 2u);
  // An auditor sees every delegation; someone else sees none.
  EXPECT_EQ(service_.ListDelegations(ActorFor(admin_), 50, std::nullopt).items.size(), 2u);
  const int64_t stranger = accounts_.Create({"stranger", "$argon2id$x", dismissed_, {"employee"}});
  EXPECT_TRUE(service_.ListDelegations(ActorFor(stranger), 50, std::nullopt).items.empty());

  EXPECT_EQ(CatchError([&] { service_.RevokeDelegation(deputy, first.id); }).kind(), ErrorKind::kNotFound);
  EXPECT_EQ(CatchError([&] { service_.RevokeDelegation(ActorFor(admin_), first.id); }).kind(),
            ErrorKind::kNotFound);
  service_.RevokeDelegation(boss, first.id);
  service_.RevokeDelegation(boss, first.id);  // already revoked: nothing changes
  EXPECT_TRUE(repository_.FindDelegation(first.id)->revoked_at);
  EXPECT_FALSE(repository_.FindDelegation(second.id)->revoked_at);
  EXPECT_EQ(AuditOf("delegation.revoke").size(), 1u);
}

// --- the audit log ------------------------------------------------------------

TEST_F(AdminTest, AuditLogFiltersAndPagesNewestFirst) {
  const Actor admin = ActorFor(admin_);
  for (const char* login : {"a1", "a2", "a3"}) {
    repository_.CreateAccount({login, "$argon2id$x", std::nullopt, {}}, admin);
  }
  clock_.Advance(std::chrono::hours(24 * 3));
  repository_.CreateAccount({"a4", "$argon2id$x", std::nullopt, {}}, admin);

  AuditQuery query;
  query.action = "account.create";
  query.limit = 3;
  const auto first = service_.ListAudit(admin, query);
  ASSERT_EQ(first.items.size(), 3u);
  EXPECT_EQ(first.items[0].details["login"], "a4");
  EXPECT_GT(first.items[0].id, first.items[1].id);
  ASSERT_TRUE(first.next_after);
  query.before_id = first.next_after;
  const auto second = service_.ListAudit(admin, query);
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0].details["login"], "a1");
  EXPECT_FALSE(second.next_after);

  AuditQuery dates;
  dates.from = std::chrono::year{2025} / 6 / 9;
  dates.to = std::chrono::year{2025} / 6 / 11;
  EXPECT_EQ(service_.ListAudit(admin, dates).items.size(), 3u);
  dates.from = dates.to = std::chrono::year{2025} / 6 / 13;
  EXPECT_EQ(service_.ListAudit(admin, dates).items.size(), 1u);

  AuditQuery by_account;
  by_account.account_id = admin_ + 1000;
  EXPECT_TRUE(service_.ListAudit(admin, by_account).items.empty());
  AuditQuery by_object;
  by_object.object_type = "account";
  by_object.object_id = std::to_string(admin_ + 1);
  EXPECT_EQ(service_.ListAudit(admin, by_object).items.size(), 1u);
}

}  // namespace
}  // namespace tabel::auth
