// The auth repositories on the backend TABEL_TEST_BACKEND selects: accounts
// and default roles, refresh-token rotation and reuse detection (also under
// concurrency), and the login throttle.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "auth/accounts.hpp"
#include "auth/login_throttle.hpp"
#include "auth/permissions.hpp"
#include "auth/refresh_tokens.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "infra/db/transaction.hpp"
#include "support/errors.hpp"
#include "support/test_database.hpp"
#include "users/seed.hpp"

namespace tabel::auth {
namespace {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TestDatabase;

int CountRows(db::Database& database, const std::string& sql) {
  return db::WithSession(database, [&](soci::session& session) {
    long long count = -1;
    session << sql, soci::into(count);
    return static_cast<int>(count);
  });
}

using testing::CatchError;

class AuthRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override { EnsureDefaultRoles(*database_); }

  int64_t NewAccountWithRoles(const std::string& login, std::vector<std::string> roles) {
    return accounts_.Create({login, "$argon2id$placeholder", std::nullopt, std::move(roles)});
  }

  TestDatabase test_database_;
  std::unique_ptr<db::Database> database_ = test_database_.MakeMigrated(8);
  ManualClock clock_;
  AccountRepository accounts_{*database_, clock_.AsClock()};
};

// --- default roles ---------------------------------------------------------

TEST_F(AuthRepositoryTest, DefaultRolesAreTheEightOfTheProductAndIdempotent) {
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM roles WHERE builtin = 1"), 8);
  const int grants = CountRows(*database_, "SELECT COUNT(*) FROM role_permissions");
  EXPECT_GT(grants, 40);
  EnsureDefaultRoles(*database_);
  EnsureDefaultRoles(*database_);
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM roles"), 8);
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM role_permissions"), grants);
  std::vector<std::string> codes;
  for (const DefaultRole& role : DefaultRoles()) codes.emplace_back(role.code);
  EXPECT_THAT(codes, ElementsAre("employee", "manager", "deputy", "hr", "timekeeper", "accountant", "admin",
                                 "auditor"));
}

TEST_F(AuthRepositoryTest, DefaultRoleScopesFollowTheProductTable) {
  std::map<std::string, Identity> by_role;
  for (const DefaultRole& role : DefaultRoles()) {
    const int64_t id = NewAccountWithRoles("probe." + std::string(role.code), {std::string(role.code)});
    by_role[std::string(role.code)].permissions = accounts_.FindById(id)->permissions;
  }
  const auto scope_of = [&](const std::string& role, std::string_view permission) {
    return by_role.at(role).ScopeOf(permission);
  };
  EXPECT_EQ(scope_of("admin", kEmployeesReadSalary), std::nullopt);  // admin: no salaries
  EXPECT_EQ(scope_of("accountant", kEmployeesReadSalary), Scope::kAll);
  EXPECT_EQ(scope_of("manager", kRequestsApprove), Scope::kSubtree);
  EXPECT_EQ(scope_of("employee", kRequestsCreate), Scope::kSelf);
  EXPECT_EQ(scope_of("employee", kRequestsApprove), std::nullopt);
  EXPECT_EQ(scope_of("hr", kRequestsCreate), Scope::kAll);
  EXPECT_EQ(scope_of("timekeeper", kTimesheetsCorrect), Scope::kSubtree);
  EXPECT_EQ(scope_of("auditor", kAuditRead), Scope::kAll);
  EXPECT_EQ(scope_of("auditor", kEmployeesWrite), std::nullopt);  // read-only
  EXPECT_EQ(scope_of("accountant", kPeriodsClose), Scope::kAll);
  EXPECT_EQ(scope_of("admin", kRolesManage), Scope::kAll);
}

// --- accounts --------------------------------------------------------------

TEST_F(AuthRepositoryTest, CreatesAndFindsAnAccountByLoginInAnyCase) {
  const int64_t id = accounts_.Create({"Ivan.Petrov", "$argon2id$h", std::nullopt, {"employee", "manager"}});
  const auto account = accounts_.FindByLogin("IVAN.petrov");
  ASSERT_TRUE(account);
  EXPECT_EQ(account->id, id);
  EXPECT_EQ(account->login, "ivan.petrov");
  EXPECT_EQ(account->password_hash, "$argon2id$h");
  EXPECT_FALSE(account->disabled);
  EXPECT_EQ(account->roles_version, 1);
  EXPECT_EQ(account->employee_id, std::nullopt);
  EXPECT_EQ(account->password_changed_at, clock_.Now());
  EXPECT_THAT(account->roles, ElementsAre("employee", "manager"));
  Identity identity;
  identity.permissions = account->permissions;
  // The broadest scope of the two roles wins.
  EXPECT_EQ(identity.ScopeOf(kEmployeesRead), Scope::kSubtree);
  EXPECT_EQ(identity.ScopeOf(kRequestsCreate), Scope::kSelf);
  EXPECT_EQ(accounts_.FindById(id)->login, "ivan.petrov");
  EXPECT_FALSE(accounts_.FindByLogin("ivan.petrov2"));
  EXPECT_FALSE(accounts_.FindByLogin("ivan petrov"));
  EXPECT_FALSE(accounts_.FindById(id + 1000));
}

TEST_F(AuthRepositoryTest, TheAccountOfADismissedEmployeeWorksThroughHisLastDayOnly) {
  users::EnsureDemoCompany(*database_, clock_.AsClock());
  const long long employee = 4;
  const int64_t id = accounts_.Create({"leaving", "$argon2id$placeholder", employee, {"employee"}});
  db::WithSession(*database_, [&](soci::session& session) {
    session << "UPDATE employees SET dismissal_date = '2024-03-15' WHERE id = :id", soci::use(employee, "id");
  });
  // Noon UTC: the same calendar day in any test time zone.
  clock_.Set(std::chrono::sys_days(std::chrono::year{2024} / 3 / 15) + std::chrono::hours(12));
  EXPECT_FALSE(accounts_.FindById(id)->disabled);
  EXPECT_FALSE(accounts_.FindByLogin("leaving")->disabled);
  clock_.Advance(days{1});
  EXPECT_TRUE(accounts_.FindById(id)->disabled);
  EXPECT_TRUE(accounts_.FindByLogin("leaving")->disabled);
}

TEST_F(AuthRepositoryTest, AnAccountWithoutRolesHasNoPermissions) {
  const int64_t id = NewAccountWithRoles("nobody", {});
  const auto account = accounts_.FindById(id);
  ASSERT_TRUE(account);
  EXPECT_TRUE(account->roles.empty());
  EXPECT_TRUE(account->permissions.empty());
}

TEST_F(AuthRepositoryTest, RejectsBadLoginsUnknownRolesAndDuplicates) {
  EXPECT_EQ(CatchError([&] { NewAccountWithRoles("bad login", {}); }).kind(), ErrorKind::kBadRequest);
  EXPECT_EQ(CatchError([&] { NewAccountWithRoles("", {}); }).kind(), ErrorKind::kBadRequest);
  const Error unknown = CatchError([&] { NewAccountWithRoles("someone", {"employee", "wizard"}); });
  EXPECT_EQ(unknown.kind(), ErrorKind::kBadRequest);
  ASSERT_EQ(unknown.fields().size(), 1u);
  EXPECT_EQ(unknown.fields()[0].field, "roles");
  EXPECT_FALSE(accounts_.FindByLogin("someone"));  // rolled back whole
  NewAccountWithRoles("taken", {});
  EXPECT_EQ(CatchError([&] { NewAccountWithRoles("TAKEN", {}); }).kind(), ErrorKind::kConflict);
}

TEST_F(AuthRepositoryTest, SetRolesReplacesThemAndBumpsRolesVersion) {
  const int64_t id = NewAccountWithRoles("roles.user", {"employee"});
  accounts_.SetRoles(id, {"hr", "auditor"});
  auto account = accounts_.FindById(id);
  EXPECT_THAT(account->roles, ElementsAre("auditor", "hr"));
  EXPECT_EQ(account->roles_version, 2);
  accounts_.SetRoles(id, {});
  account = accounts_.FindById(id);
  EXPECT_TRUE(account->roles.empty());
  EXPECT_EQ(account->roles_version, 3);
  EXPECT_EQ(CatchError([&] { accounts_.SetRoles(id, {"wizard"}); }).kind(), ErrorKind::kBadRequest);
  EXPECT_EQ(accounts_.FindById(id)->roles_version, 3);  // rolled back
  EXPECT_EQ(CatchError([&] { accounts_.SetRoles(id + 1000, {"hr"}); }).kind(), ErrorKind::kNotFound);
}

TEST_F(AuthRepositoryTest, ChangePasswordSetsTheHashAndRevokesRefreshTokensOnly) {
  const int64_t id = NewAccountWithRoles("pw.user", {"employee"});
  const int64_t other = NewAccountWithRoles("pw.other", {"employee"});
  RefreshTokenStore store(*database_, clock_.AsClock());
  const auto mine = store.Issue(id);
  const auto theirs = store.Issue(other);
  clock_.Advance(minutes{5});
  accounts_.ChangePasswordHash(id, "$argon2id$new");
  const auto account = accounts_.FindById(id);
  EXPECT_EQ(account->password_hash, "$argon2id$new");
  EXPECT_EQ(account->password_changed_at, clock_.Now());
  EXPECT_EQ(account->roles_version, 1);
  EXPECT_EQ(CatchError([&] { store.Rotate(mine.token); }).kind(), ErrorKind::kUnauthorized);
  EXPECT_NO_THROW(store.Rotate(theirs.token));
  EXPECT_EQ(CatchError([&] { accounts_.ChangePasswordHash(id + 1000, "x"); }).kind(), ErrorKind::kNotFound);
}

TEST_F(AuthRepositoryTest, SetDisabledBumpsRolesVersionAndRevokesRefreshTokens) {
  const int64_t id = NewAccountWithRoles("dis.user", {"employee"});
  RefreshTokenStore store(*database_, clock_.AsClock());
  const auto token = store.Issue(id);
  accounts_.SetDisabled(id, true);
  auto account = accounts_.FindById(id);
  EXPECT_TRUE(account->disabled);
  EXPECT_EQ(account->roles_version, 2);
  EXPECT_EQ(CatchError([&] { store.Rotate(token.token); }).kind(), ErrorKind::kUnauthorized);
  accounts_.SetDisabled(id, false);
  EXPECT_FALSE(accounts_.FindById(id)->disabled);
}

// --- refresh tokens --------------------------------------------------------

class RefreshTokenTest : public AuthRepositoryTest {
 protected:
  void SetUp() override {
    AuthRepositoryTest::SetUp();
    account_id_ = NewAccountWithRoles("refresh.user", {"employee"});
  }

  int64_t account_id_ = 0;
  RefreshTokenStore store_{*database_, clock_.AsClock(), days{30}};
};

TEST_F(RefreshTokenTest, IssuesOpaqueTokensStoredOnlyAsHashes) {
  const auto issued = store_.Issue(account_id_);
  EXPECT_EQ(issued.token.size(), 43u);
  EXPECT_EQ(issued.account_id, account_id_);
  EXPECT_EQ(issued.expires_at, clock_.Now() + days{30});
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = '" +
                                      RefreshTokenStore::HashToken(issued.token) + "'"),
            1);
  EXPECT_EQ(
      CountRows(*database_, "SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = '" + issued.token + "'"),
      0);
  EXPECT_EQ(RefreshTokenStore::HashToken(issued.token).size(), 64u);
  EXPECT_NE(store_.Issue(account_id_).family_id, issued.family_id);
}

TEST_F(RefreshTokenTest, RotationIssuesASuccessorInTheSameFamily) {
  const auto first = store_.Issue(account_id_);
  const auto second = store_.Rotate(first.token);
  EXPECT_NE(second.token, first.token);
  EXPECT_EQ(second.family_id, first.family_id);
  EXPECT_EQ(second.account_id, account_id_);
  const auto third = store_.Rotate(second.token);
  EXPECT_EQ(third.family_id, first.family_id);
}

TEST_F(RefreshTokenTest, ReusingAUsedTokenRevokesTheWholeFamily) {
  const auto first = store_.Issue(account_id_);
  const auto unrelated = store_.Issue(account_id_);
  const auto second = store_.Rotate(first.token);
  const Error reuse = CatchError([&] { store_.Rotate(first.token); });
  EXPECT_EQ(reuse.kind(), ErrorKind::kUnauthorized);
  EXPECT_THAT(reuse.internal(), HasSubstr("reused"));
  // The legitimate successor is gone too; another family is untouched.
  EXPECT_THAT(CatchError([&] { store_.Rotate(second.token); }).internal(), HasSubstr("revoked"));
  EXPECT_NO_THROW(store_.Rotate(unrelated.token));
}

TEST_F(RefreshTokenTest, RefusesUnknownMalformedExpiredAndRevokedTokens) {
  EXPECT_THAT(CatchError([&] { store_.Rotate(std::string(43, 'A')); }).internal(), HasSubstr("unknown"));
  for (const std::string& bad :
       {std::string(), std::string("short"), std::string(43, '.'), std::string(44, 'A')}) {
    EXPECT_THAT(CatchError([&] { store_.Rotate(bad); }).internal(), HasSubstr("malformed")) << bad;
  }
  const auto expiring = store_.Issue(account_id_);
  clock_.Advance(days{30});
  EXPECT_THAT(CatchError([&] { store_.Rotate(expiring.token); }).internal(), HasSubstr("expired"));
  const auto revoked = store_.Issue(account_id_);
  store_.RevokeFamily(revoked.family_id);
  EXPECT_THAT(CatchError([&] { store_.Rotate(revoked.token); }).internal(), HasSubstr("revoked"));
}

TEST_F(RefreshTokenTest, RevokeFamilyOfIsIdempotentAndRevokeAllCoversEveryFamily) {
  const auto first = store_.Issue(account_id_);
  const auto successor = store_.Rotate(first.token);
  EXPECT_TRUE(store_.RevokeFamilyOf(first.token));  // any member names the family
  EXPECT_TRUE(store_.RevokeFamilyOf(first.token));
  EXPECT_FALSE(store_.RevokeFamilyOf(std::string(43, 'B')));
  EXPECT_FALSE(store_.RevokeFamilyOf("garbage"));
  EXPECT_EQ(CatchError([&] { store_.Rotate(successor.token); }).kind(), ErrorKind::kUnauthorized);

  const auto a = store_.Issue(account_id_);
  const auto b = store_.Issue(account_id_);
  store_.RevokeAllForAccount(account_id_);
  EXPECT_EQ(CatchError([&] { store_.Rotate(a.token); }).kind(), ErrorKind::kUnauthorized);
  EXPECT_EQ(CatchError([&] { store_.Rotate(b.token); }).kind(), ErrorKind::kUnauthorized);
}

TEST_F(RefreshTokenTest, PruneDeletesOnlyExpiredTokens) {
  store_.Issue(account_id_);
  clock_.Advance(days{31});
  const auto fresh = store_.Issue(account_id_);
  EXPECT_EQ(store_.PruneExpired(clock_.Now()), 1u);
  EXPECT_NO_THROW(store_.Rotate(fresh.token));
}

TEST_F(RefreshTokenTest, OfTwoSimultaneousRotationsExactlyOneSucceeds) {
  constexpr int kRounds = 5;
  constexpr int kThreads = 4;
  for (int round = 0; round < kRounds; ++round) {
    const auto issued = store_.Issue(account_id_);
    std::atomic<int> ready{0};
    std::atomic<int> successes{0};
    std::atomic<int> refusals{0};
    std::atomic<int> other_errors{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        ++ready;
        while (ready.load() < kThreads) std::this_thread::yield();
        try {
          store_.Rotate(issued.token);
          ++successes;
        } catch (const Error& error) {
          if (error.kind() == ErrorKind::kUnauthorized) {
            ++refusals;
          } else {
            ++other_errors;
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(successes.load(), 1) << "round " << round;
    EXPECT_EQ(refusals.load(), kThreads - 1) << "round " << round;
    EXPECT_EQ(other_errors.load(), 0) << "round " << round;
    // Exactly one successor was written into the family.
    EXPECT_EQ(CountRows(*database_,
                        "SELECT COUNT(*) FROM refresh_tokens WHERE family_id = '" + issued.family_id + "'"),
              2);
  }
}

// --- login throttle ----------------------------------------------------------

class LoginThrottleTest : public AuthRepositoryTest {
 protected:
  LoginThrottleOptions Options() {
    LoginThrottleOptions options;
    options.per_login = {3, minutes{15}, seconds{30}, minutes{15}};
    options.per_address = {5, minutes{15}, seconds{60}, minutes{15}};
    return options;
  }
  int RetryAfter(const std::string& login, const std::string& address) {
    try {
      throttle_.Check(login, address);
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kTooManyRequests);
      return error.retry_after_seconds();
    }
    return 0;
  }

  LoginThrottle throttle_{*database_, clock_.AsClock(), Options()};
};

TEST_F(LoginThrottleTest, BlocksALoginAfterTooManyFailuresWithAGrowingRetryAfter) {
  throttle_.RecordFailure("Victim", "10.0.0.1");
  throttle_.RecordFailure("victim", "10.0.0.2");
  EXPECT_EQ(RetryAfter("victim", "10.0.0.3"), 0);
  throttle_.RecordFailure("VICTIM", "10.0.0.3");
  EXPECT_EQ(RetryAfter("victim", "10.0.0.9"), 30);  // any address: the login is blocked
  EXPECT_EQ(RetryAfter("someone.else", "10.0.0.9"), 0);
  clock_.Advance(seconds{10});
  EXPECT_EQ(RetryAfter("victim", "10.0.0.9"), 20);
  clock_.Advance(seconds{20});
  EXPECT_EQ(RetryAfter("victim", "10.0.0.9"), 0);  // the block expired by itself
  throttle_.RecordFailure("victim", "10.0.0.4");
  EXPECT_EQ(RetryAfter("victim", "10.0.0.9"), 60);
  clock_.Advance(seconds{60});
  throttle_.RecordFailure("victim", "10.0.0.4");
  EXPECT_EQ(RetryAfter("victim", "10.0.0.9"), 120);
}

TEST_F(LoginThrottleTest, ASuccessClearsTheLoginsCount) {
  throttle_.RecordFailure("user", "10.0.0.1");
  throttle_.RecordFailure("user", "10.0.0.1");
  throttle_.RecordSuccess("user");
  throttle_.RecordFailure("user", "10.0.0.1");
  throttle_.RecordFailure("user", "10.0.0.1");
  EXPECT_EQ(RetryAfter("user", "10.0.0.2"), 0);
  throttle_.RecordFailure("user", "10.0.0.1");
  EXPECT_EQ(RetryAfter("user", "10.0.0.2"), 30);
}

TEST_F(LoginThrottleTest, AQuietPeriodForgetsFailures) {
  throttle_.RecordFailure("user", "10.0.0.1");
  throttle_.RecordFailure("user", "10.0.0.1");
  clock_.Advance(minutes{15});
  throttle_.RecordFailure("user", "10.0.0.1");
  EXPECT_EQ(RetryAfter("user", "10.0.0.2"), 0);
}

TEST_F(LoginThrottleTest, BlocksAnAddressThatTriesManyLogins) {
  for (int i = 0; i < 5; ++i) throttle_.RecordFailure("login" + std::to_string(i), "203.0.113.7");
  EXPECT_EQ(RetryAfter("fresh.login", "203.0.113.7"), 60);
  EXPECT_EQ(RetryAfter("fresh.login", "203.0.113.8"), 0);
  // Both blocked: the longer wait is reported.
  for (int i = 0; i < 3; ++i) throttle_.RecordFailure("both", "198.51.100.1");
  for (int i = 0; i < 2; ++i) throttle_.RecordFailure("x" + std::to_string(i), "198.51.100.1");
  EXPECT_EQ(RetryAfter("both", "198.51.100.1"), 60);
}

TEST_F(LoginThrottleTest, LongKeysAreBoundedAndPruneForgetsIdleKeys) {
  const std::string huge(5000, 'a');
  for (int i = 0; i < 3; ++i) throttle_.RecordFailure(huge, huge);
  EXPECT_EQ(RetryAfter(huge, "10.0.0.1"), 30);
  EXPECT_LT(LoginThrottle::LoginKey(huge).size(), 200u);
  EXPECT_LT(LoginThrottle::AddressKey(huge).size(), 200u);
  clock_.Advance(minutes{20});
  throttle_.RecordFailure("other", "10.0.0.1");
  EXPECT_EQ(throttle_.Prune(clock_.Now() - minutes{10}), 2u);  // the login and address keys of `huge`
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM login_throttle"), 2);
}

TEST_F(LoginThrottleTest, ConcurrentFailuresAreAllCounted) {
  LoginThrottleOptions options = Options();
  options.per_login.max_failures = 40;
  LoginThrottle throttle(*database_, clock_.AsClock(), options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) throttle.RecordFailure("shared", "10.1.0." + std::to_string(t));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(CountRows(*database_, "SELECT failures FROM login_throttle WHERE key = 'login:shared'"), 40);
}

}  // namespace
}  // namespace tabel::auth
