#include "users/seed.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/clock.hpp"
#include "infra/db/transaction.hpp"
#include "support/errors.hpp"
#include "support/test_database.hpp"

namespace tabel::users {
namespace {

using testing::CatchError;
using testing::TestDatabase;

long long Count(db::Database& database, const std::string& sql) {
  return db::WithSession(database, [&](soci::session& session) {
    long long count = -1;
    session << sql, soci::into(count);
    return count;
  });
}

// Every employee as "number|last|first|middle|department|hired|salary", in id order.
std::vector<std::string> Fingerprint(db::Database& database) {
  return db::WithSession(database, [&](soci::session& session) {
    std::vector<std::string> rows;
    std::string number, last, first, middle;
    long long department = 0, salary = 0;
    std::string hired;
    soci::statement statement =
        (session.prepare << "SELECT personnel_number, last_name, first_name, middle_name, department_id, "
                            "CAST(hire_date AS TEXT), salary_kopecks FROM employees ORDER BY id",
         soci::into(number), soci::into(last), soci::into(first), soci::into(middle), soci::into(department),
         soci::into(hired), soci::into(salary));
    statement.execute();
    while (statement.fetch()) {
      rows.push_back(number + "|" + last + "|" + first + "|" + middle + "|" + std::to_string(department) +
                     "|" + hired + "|" + std::to_string(salary));
    }
    return rows;
  });
}

class UsersSeed : public ::testing::Test {
 protected:
  UsersSeed() {
    clock_.Set(std::chrono::sys_days(std::chrono::year(2026) / 11 / 27) + std::chrono::hours(9));
  }
  ManualClock clock_;
};

TEST_F(UsersSeed, BuildsATreeOfDepartmentsEachHeadedByOneOfItsEmployees) {
  TestDatabase test_database;
  auto database = test_database.MakeMigrated();
  const SeedResult result = SeedCompany(*database, {.employees = 500, .seed = 7}, clock_.AsClock());
  EXPECT_EQ(result.employees, 500);
  EXPECT_EQ(result.departments, 12);  // one per 42 employees, rounded up
  EXPECT_LE(result.max_depth, kMaxDepartmentDepth);
  EXPECT_GE(result.max_depth, 2);
  EXPECT_EQ(Count(*database, "SELECT COUNT(*) FROM employees"), 500);
  EXPECT_EQ(Count(*database, "SELECT COUNT(*) FROM departments"), 12);
  EXPECT_EQ(Count(*database, "SELECT COUNT(*) FROM departments WHERE parent_id IS NULL"), 1);
  // Every department has a head who works in it, and at least one employee.
  EXPECT_EQ(Count(*database,
                  "SELECT COUNT(*) FROM departments d JOIN employees e ON e.id = d.head_employee_id "
                  "AND e.department_id = d.id"),
            12);
  EXPECT_EQ(Count(*database,
                  "SELECT COUNT(*) FROM departments d WHERE NOT EXISTS "
                  "(SELECT 1 FROM employees e WHERE e.department_id = d.id)"),
            0);
  // Hired in the ten years before the clock's day; dismissals after hiring.
  EXPECT_EQ(Count(*database,
                  "SELECT COUNT(*) FROM employees WHERE hire_date > '2026-10-28' OR "
                  "hire_date < '2016-11-01' OR dismissal_date < hire_date"),
            0);
  EXPECT_GT(Count(*database, "SELECT COUNT(*) FROM employees WHERE dismissal_date IS NOT NULL"), 0);
  EXPECT_EQ(Count(*database, "SELECT COUNT(*) FROM employees WHERE search_name <> LOWER(search_name)"), 0);
}

TEST_F(UsersSeed, TheSameSeedGivesTheSameCompanyAndAnotherSeedAnother) {
  TestDatabase first_database, second_database, third_database;
  auto first = first_database.MakeMigrated();
  auto second = second_database.MakeMigrated();
  auto third = third_database.MakeMigrated();
  SeedCompany(*first, {.employees = 300, .seed = 42}, clock_.AsClock());
  SeedCompany(*second, {.employees = 300, .seed = 42}, clock_.AsClock());
  SeedCompany(*third, {.employees = 300, .seed = 43}, clock_.AsClock());
  const auto fingerprint = Fingerprint(*first);
  ASSERT_EQ(fingerprint.size(), 300u);
  EXPECT_EQ(fingerprint, Fingerprint(*second));
  EXPECT_NE(fingerprint, Fingerprint(*third));
}

TEST_F(UsersSeed, RefusesADatabaseThatAlreadyHasACompany) {
  TestDatabase test_database;
  auto database = test_database.MakeMigrated();
  SeedCompany(*database, {.employees = 50, .seed = 1}, clock_.AsClock());
  EXPECT_EQ(
      CatchError([&] { SeedCompany(*database, {.employees = 50, .seed = 2}, clock_.AsClock()); }).kind(),
      ErrorKind::kConflict);
  EXPECT_EQ(Count(*database, "SELECT COUNT(*) FROM employees"), 50);
  EXPECT_THROW(SeedCompany(*database, {.employees = 0, .seed = 1}, clock_.AsClock()), std::invalid_argument);
}

TEST_F(UsersSeed, NewRowsAfterASeedGetFreshIds) {
  TestDatabase test_database;
  auto database = test_database.MakeMigrated();
  SeedCompany(*database, {.employees = 50, .seed = 1}, clock_.AsClock());
  // An insert without an explicit id must not collide with the seeded ones.
  EXPECT_NO_THROW(db::WithWriteTransaction(*database, [&](soci::session& session) {
    session << "INSERT INTO positions (name, created_at) VALUES ('Стажёр', '2026-11-27T09:00:00.000000Z')";
  }));
  EXPECT_EQ(Count(*database, "SELECT MAX(id) FROM positions"), 17);
}

}  // namespace
}  // namespace tabel::users
