// Object-level reach (auth/access.hpp) against the real SQL on both
// databases: subtrees through the department closure, delegations inside
// their dates only, and only for what the deputy role grants.

#include "auth/access.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <set>
#include <thread>
#include <vector>

#include "auth/permissions.hpp"
#include "common/clock.hpp"
#include "infra/cache/cache.hpp"
#include "infra/cache/redis.hpp"
#include "infra/db/transaction.hpp"
#include "support/test_database.hpp"
#include "users/seed.hpp"

namespace tabel::auth {
namespace {

using testing::TestDatabase;

// Demo company ids (users/seed.cpp): manager = 2 heads IT (2) with IT-DEV (3)
// and IT-OPS (4); manager2 = 8 heads RETAIL (5) with RETAIL-LOANS (6);
// employee = 4 works in IT-DEV.
constexpr int64_t kManager = 2, kManager2 = 8, kEmployee = 4;

class Access : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = test_database_.MakeMigrated();
    EnsureDefaultRoles(*database_);
    users::EnsureDemoCompany(*database_, SystemClock());
  }

  // The employee ids `reach` covers, by the same SQL the services use; the
  // two forms of the condition (departments as literals, or bound as one
  // parameter) must agree.
  std::set<int64_t> Reached(const Reach& reach) {
    const std::set<int64_t> literal = ReachedBy(reach, false);
    EXPECT_EQ(ReachedBy(reach, true), literal);
    return literal;
  }

  std::set<int64_t> ReachedBy(const Reach& reach, bool bound) {
    db::Query query;
    query << "SELECT e.id FROM employees e WHERE ";
    if (bound) {
      AppendReachCondition(query, reach, "e.id", "e.department_id", database_->dialect());
    } else {
      AppendReachCondition(query, reach, "e.id", "e.department_id");
    }
    return db::WithSession(*database_, [&](soci::session& session) {
      long long id = 0;
      soci::statement statement(session);
      statement.exchange(soci::into(id));
      query.Prepare(statement);
      statement.execute(false);
      std::set<int64_t> ids;
      while (statement.fetch()) ids.insert(id);
      return ids;
    });
  }

  void Delegate(int64_t manager, int64_t deputy, const char* from, const char* to, bool revoked = false) {
    db::WithWriteTransaction(*database_, [&](soci::session& session) {
      const long long m = manager, d = deputy;
      const std::string starts = from, ends = to, now = "2026-01-01T00:00:00.000000Z";
      soci::indicator revoked_ind = revoked ? soci::i_ok : soci::i_null;
      session << "INSERT INTO delegations (manager_employee_id, deputy_employee_id, starts_on, ends_on, "
                 "created_at, revoked_at) VALUES (:m, :d, :s, :e, :c, :r)",
          soci::use(m), soci::use(d), soci::use(starts), soci::use(ends), soci::use(now),
          soci::use(now, revoked_ind);
    });
  }

  static Identity Person(int64_t employee, std::vector<PermissionGrant> grants) {
    Identity identity;
    identity.account_id = 100 + employee;
    identity.employee_id = employee;
    identity.permissions = std::move(grants);
    return identity;
  }

  // The reach on `day` (noon UTC, so any test time zone gives that date),
  // resolved afresh.
  Reach ReachOn(const Identity& identity, std::string_view permission, const char* day) {
    ManualClock clock(std::chrono::sys_days(*ParseIsoDate(day)) + std::chrono::hours(12));
    AccessResolver resolver(*database_, clock.AsClock());
    return resolver.ReachOf(identity, permission);
  }

  TestDatabase test_database_;
  std::unique_ptr<db::Database> database_;
};

TEST_F(Access, ScopesReachSelfSubtreeOrEveryone) {
  const std::string read(kEmployeesRead);
  EXPECT_EQ(Reached(ReachOn(Person(kEmployee, {{read, Scope::kSelf}}), read, "2026-06-01")),
            std::set<int64_t>{kEmployee});
  EXPECT_EQ(Reached(ReachOn(Person(kManager, {{read, Scope::kSubtree}}), read, "2026-06-01")),
            (std::set<int64_t>{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(Reached(ReachOn(Person(kManager2, {{read, Scope::kSubtree}}), read, "2026-06-01")),
            (std::set<int64_t>{8, 9, 10}));
  EXPECT_EQ(Reached(ReachOn(Person(kEmployee, {{read, Scope::kAll}}), read, "2026-06-01")).size(), 14u);
  // Without the permission: nothing, not even oneself.
  EXPECT_TRUE(Reached(ReachOn(Person(kEmployee, {}), read, "2026-06-01")).empty());
  // A technical account without an employee record reaches only through `all`.
  Identity technical;
  technical.permissions = {{read, Scope::kSubtree}};
  EXPECT_TRUE(Reached(ReachOn(technical, read, "2026-06-01")).empty());
}

TEST_F(Access, TheCallerHimselfIsReachedWhetherOrNotHisDepartmentIs) {
  const std::string read(kEmployeesRead);
  // The manager works in IT, which he heads: his own row needs no condition.
  const Reach manager = ReachOn(Person(kManager, {{read, Scope::kSubtree}}), read, "2026-06-01");
  ASSERT_TRUE(manager.self_department);
  EXPECT_TRUE(ReachesDepartment(manager, *manager.self_department));
  db::Query query;
  AppendReachCondition(query, manager, "e.id", "e.department_id", database_->dialect());
  EXPECT_EQ(query.sql().find("e.id ="), std::string::npos) << query.sql();
  // Were he employed outside the departments he reaches, he would still be.
  Reach elsewhere = manager;
  elsewhere.departments = {5, 6};
  EXPECT_EQ(Reached(elsewhere), (std::set<int64_t>{kManager, 8, 9, 10}));
  elsewhere.self_department.reset();  // unknown: the condition names him
  EXPECT_EQ(Reached(elsewhere), (std::set<int64_t>{kManager, 8, 9, 10}));
}

TEST_F(Access, TheOrgChartNamesTheNearestHeadAboveAsManager) {
  ManualClock clock(std::chrono::sys_days(*ParseIsoDate("2026-06-01")) + std::chrono::hours(12));
  AccessResolver resolver(*database_, clock.AsClock());
  const auto chart = resolver.Chart();
  EXPECT_EQ(chart->ManagerOf(kEmployee, 3), 3);     // the head of IT-DEV
  EXPECT_EQ(chart->ManagerOf(3, 3), kManager);      // IT-DEV's head: the head of IT above
  EXPECT_EQ(chart->ManagerOf(7, 4), 6);             // IT-OPS, headed by 6
  EXPECT_EQ(chart->ManagerOf(1, 1), std::nullopt);  // the bank's head
  EXPECT_EQ(resolver.Chart(), chart);               // kept for kAccessCacheTtl
  resolver.Invalidate();
  EXPECT_NE(resolver.Chart(), chart);
}

TEST_F(Access, ADelegationWidensTheDeputysReachOnlyWithinItsDates) {
  const std::string read(kEmployeesRead);
  // employee (4) deputises for manager2 (8) in June 2026.
  Delegate(kManager2, kEmployee, "2026-06-01", "2026-06-30");
  const Identity deputy = Person(kEmployee, {{read, Scope::kSelf}});
  EXPECT_EQ(Reached(ReachOn(deputy, read, "2026-05-31")), std::set<int64_t>{kEmployee});
  EXPECT_EQ(Reached(ReachOn(deputy, read, "2026-06-01")), (std::set<int64_t>{4, 8, 9, 10}));
  EXPECT_EQ(Reached(ReachOn(deputy, read, "2026-06-30")), (std::set<int64_t>{4, 8, 9, 10}));
  EXPECT_EQ(Reached(ReachOn(deputy, read, "2026-07-01")), std::set<int64_t>{kEmployee});
  // Only what the deputy role grants: not salaries.
  const std::string salary(kEmployeesReadSalary);
  EXPECT_TRUE(Reached(ReachOn(deputy, salary, "2026-06-15")).empty());
}

TEST_F(Access, ARevokedDelegationGivesNothing) {
  const std::string read(kEmployeesRead);
  Delegate(kManager2, kEmployee, "2026-06-01", "2026-06-30", /*revoked=*/true);
  EXPECT_EQ(Reached(ReachOn(Person(kEmployee, {{read, Scope::kSelf}}), read, "2026-06-15")),
            std::set<int64_t>{kEmployee});
}

// Two processes sharing the cache of hot reads (Redis in production): a
// delegation recorded through one is in the other's reach at once, though
// the other had just resolved and kept the deputy's reach.
TEST_F(Access, AChangeThroughOneProcessReachesAnotherSharingTheCacheAtOnce) {
  const std::string read(kEmployeesRead);
  ManualClock clock(std::chrono::sys_days(*ParseIsoDate("2026-06-15")) + std::chrono::hours(12));
  cache::MemoryCache shared(size_t{1} << 20);
  AccessResolver here(*database_, clock.AsClock(), &shared);
  AccessResolver there(*database_, clock.AsClock(), &shared);
  const Identity deputy = Person(kEmployee, {{read, Scope::kSelf}});
  EXPECT_EQ(Reached(there.ReachOf(deputy, read)), std::set<int64_t>{kEmployee});
  const auto chart = there.Chart();
  EXPECT_EQ(there.Chart(), chart);

  Delegate(kManager2, kEmployee, "2026-06-01", "2026-06-30");
  here.Invalidate();
  EXPECT_EQ(Reached(there.ReachOf(deputy, read)), (std::set<int64_t>{4, 8, 9, 10}));
  EXPECT_NE(there.Chart(), chart);
}

// A change recorded where this process does not hear of it (another
// process, no shared cache) is seen once the kept context is out of time,
// by callers at the same moment too.
TEST_F(Access, AContextOutOfTimeIsReadAgain) {
  const std::string read(kEmployeesRead);
  ManualClock clock(std::chrono::sys_days(*ParseIsoDate("2026-06-15")) + std::chrono::hours(12));
  AccessResolver resolver(*database_, clock.AsClock());
  const Identity deputy = Person(kEmployee, {{read, Scope::kSelf}});
  const std::set<int64_t> before{kEmployee}, after{4, 8, 9, 10};
  ASSERT_EQ(Reached(resolver.ReachOf(deputy, read)), before);
  // Recorded behind the resolver's back (no Invalidate): seen only once
  // the context is out of time.
  Delegate(kManager2, kEmployee, "2026-06-01", "2026-06-30");
  EXPECT_EQ(Reached(resolver.ReachOf(deputy, read)), before);
  std::this_thread::sleep_for(kAccessCacheTtl + std::chrono::milliseconds(100));

  constexpr int kCallers = 8;
  std::vector<Reach> reaches(kCallers);
  {
    std::vector<std::jthread> callers;
    for (int i = 0; i < kCallers; ++i) {
      callers.emplace_back([&, i] { reaches[i] = resolver.ReachOf(deputy, read); });
    }
  }
  for (const Reach& reach : reaches) EXPECT_EQ(Reached(reach), after);
  EXPECT_EQ(Reached(resolver.ReachOf(deputy, read)), after);
}

// Replicas sharing Redis read the department tree from it: a second
// process whose own database holds no department at all still sees the
// tree the first one read, until a change bumps the shared generation.
TEST_F(Access, ReplicasSharingRedisTakeTheOrgTreeFromIt) {
  const char* url = std::getenv("TABEL_TEST_REDIS_URL");
  ASSERT_NE(url, nullptr) << "run through scripts/test, which starts Redis";
  // A prefix of this test database's own: another run's keys are not ours.
  cache::RedisCache redis(url, "test-" + std::to_string(std::hash<std::string>{}(test_database_.url())) + ":",
                          std::chrono::milliseconds(1000), 2);
  ManualClock clock(std::chrono::sys_days(*ParseIsoDate("2026-06-15")) + std::chrono::hours(12));
  AccessResolver here(*database_, clock.AsClock(), &redis);
  ASSERT_TRUE(here.Chart()->Has(3));

  TestDatabase empty_test_database;
  const auto empty = empty_test_database.MakeMigrated();
  AccessResolver there(*empty, clock.AsClock(), &redis);
  const auto chart = there.Chart();
  EXPECT_TRUE(chart->Has(3));
  EXPECT_EQ(chart->ManagerOf(kEmployee, 3), 3);

  here.Invalidate();                    // a change of the tree, through the first process
  EXPECT_FALSE(there.Chart()->Has(3));  // read again, from its own (empty) database
}

}  // namespace
}  // namespace tabel::auth
