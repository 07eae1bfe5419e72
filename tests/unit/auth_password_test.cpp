// PasswordHasher (argon2id), the password policy and the throttle
// arithmetic: pure logic, no database.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "auth/login_throttle.hpp"
#include "auth/password_hasher.hpp"
#include "auth/service.hpp"
#include "common/error.hpp"

namespace tabel::auth {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;
using ::testing::StartsWith;

TEST(PasswordHasher, HashesWithArgon2idAndVerifies) {
  const PasswordHasher hasher;  // interactive limits, as in production
  const std::string hash = hasher.Hash("correct horse battery");
  EXPECT_THAT(hash, StartsWith("$argon2id$"));
  EXPECT_TRUE(hasher.Verify(hash, "correct horse battery"));
  EXPECT_FALSE(hasher.Verify(hash, "correct horse batterY"));
  EXPECT_FALSE(hasher.Verify(hash, ""));
  EXPECT_FALSE(hasher.NeedsRehash(hash));
}

TEST(PasswordHasher, SaltsEveryHash) {
  const PasswordHasher hasher(PasswordHashLimits::Minimum());
  EXPECT_NE(hasher.Hash("same password"), hasher.Hash("same password"));
}

TEST(PasswordHasher, MalformedHashesAndHugePasswordsNeverVerify) {
  const PasswordHasher hasher(PasswordHashLimits::Minimum());
  EXPECT_FALSE(hasher.Verify("", "x"));
  EXPECT_FALSE(hasher.Verify("$argon2id$garbage", "x"));
  EXPECT_FALSE(hasher.Verify("plain text password", "plain text password"));
  const std::string huge(kMaxPasswordBytes + 1, 'a');
  EXPECT_FALSE(hasher.Verify(hasher.Hash("a"), huge));
  EXPECT_THROW(hasher.Hash(huge), Error);
}

TEST(PasswordHasher, NeedsRehashWhenTheLimitsChange) {
  const PasswordHasher weak(PasswordHashLimits::Minimum());
  const PasswordHasher strong;
  const std::string weak_hash = weak.Hash("password one");
  EXPECT_FALSE(weak.NeedsRehash(weak_hash));
  EXPECT_TRUE(strong.NeedsRehash(weak_hash));
  EXPECT_TRUE(strong.Verify(weak_hash, "password one"));  // old hashes still verify
  EXPECT_TRUE(strong.NeedsRehash("$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA"));
  EXPECT_TRUE(strong.NeedsRehash("garbage"));
}

TEST(PasswordPolicy, NeedsTenCharactersCountedAsCodePoints) {
  EXPECT_FALSE(PasswordPolicyProblem("123456789").empty());
  EXPECT_EQ(PasswordPolicyProblem("1234567890"), "");
  // 10 Cyrillic letters are 20 bytes but 10 characters; 9 are too few.
  EXPECT_EQ(PasswordPolicyProblem("парольпаро"), "");
  EXPECT_FALSE(PasswordPolicyProblem("парольпар").empty());
  EXPECT_FALSE(PasswordPolicyProblem(std::string("abcdefghij\xff")).empty());
  EXPECT_FALSE(PasswordPolicyProblem(std::string(257, 'a')).empty());
  EXPECT_EQ(PasswordPolicyProblem(std::string(256, 'a')), "");
}

TEST(ThrottleArithmetic, BlocksFromTheLimitDoublingUpToTheCap) {
  const ThrottleRule rule{5, minutes{15}, seconds{30}, minutes{15}};
  EXPECT_EQ(BlockDuration(rule, 0), seconds{0});
  EXPECT_EQ(BlockDuration(rule, 4), seconds{0});
  EXPECT_EQ(BlockDuration(rule, 5), seconds{30});
  EXPECT_EQ(BlockDuration(rule, 6), seconds{60});
  EXPECT_EQ(BlockDuration(rule, 7), seconds{120});
  EXPECT_EQ(BlockDuration(rule, 9), seconds{480});
  EXPECT_EQ(BlockDuration(rule, 10), minutes{15});
  EXPECT_EQ(BlockDuration(rule, 1000000), minutes{15});  // no overflow
}

TEST(ThrottleArithmetic, CountsFailuresInARowAndForgetsAfterAQuietPeriod) {
  const ThrottleRule rule{3, minutes{15}, seconds{10}, minutes{5}};
  const system_clock::time_point t0{};
  ThrottleState state = AfterFailure(rule, std::nullopt, t0);
  EXPECT_EQ(state.failures, 1);
  EXPECT_EQ(state.blocked_until, std::nullopt);
  state = AfterFailure(rule, state, t0 + minutes{14});
  EXPECT_EQ(state.failures, 2);
  state = AfterFailure(rule, state, t0 + minutes{20});
  EXPECT_EQ(state.failures, 3);
  EXPECT_EQ(state.blocked_until, t0 + minutes{20} + seconds{10});
  state = AfterFailure(rule, state, t0 + minutes{21});
  EXPECT_EQ(state.blocked_until, t0 + minutes{21} + seconds{20});
  // 15 quiet minutes: the streak is forgotten.
  state = AfterFailure(rule, state, t0 + minutes{36});
  EXPECT_EQ(state.failures, 1);
  EXPECT_EQ(state.blocked_until, std::nullopt);
}

TEST(ThrottleArithmetic, RetryAfterRoundsUpAndIsAtLeastOneSecond) {
  const system_clock::time_point t0{};
  EXPECT_EQ(RetryAfterSeconds(t0, t0 + seconds{30}), 30);
  EXPECT_EQ(RetryAfterSeconds(t0, t0 + std::chrono::milliseconds{29001}), 30);
  EXPECT_EQ(RetryAfterSeconds(t0, t0 + std::chrono::milliseconds{1}), 1);
  EXPECT_EQ(RetryAfterSeconds(t0, t0), 1);
}

}  // namespace
}  // namespace tabel::auth
