// Retry delays: exponential from the base, capped, jittered downwards.

#include "infra/bus/backoff.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <thread>
#include <vector>

namespace tabel::bus {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(BusBackoff, DoublesFromTheBaseWithoutJitter) {
  EXPECT_EQ(ComputeBackoff(1, seconds{1}, minutes{5}, 0.0), milliseconds{1000});
  EXPECT_EQ(ComputeBackoff(2, seconds{1}, minutes{5}, 0.0), milliseconds{2000});
  EXPECT_EQ(ComputeBackoff(3, seconds{1}, minutes{5}, 0.0), milliseconds{4000});
  EXPECT_EQ(ComputeBackoff(9, seconds{1}, minutes{5}, 0.0), milliseconds{256000});
}

TEST(BusBackoff, IsCappedAtTheMaximum) {
  EXPECT_EQ(ComputeBackoff(10, seconds{1}, minutes{5}, 0.0), milliseconds{300000});
  EXPECT_EQ(ComputeBackoff(11, seconds{1}, minutes{5}, 0.0), milliseconds{300000});
  EXPECT_EQ(ComputeBackoff(3, milliseconds{700}, milliseconds{1000}, 0.0), milliseconds{1000});
  // Base equal to the cap: constant.
  EXPECT_EQ(ComputeBackoff(5, seconds{2}, seconds{2}, 0.0), milliseconds{2000});
}

TEST(BusBackoff, NeverOverflowsWhateverTheAttempt) {
  const milliseconds cap{std::numeric_limits<milliseconds::rep>::max() / 4};
  for (int attempt : {63, 64, 100, 1000, std::numeric_limits<int>::max()}) {
    EXPECT_EQ(ComputeBackoff(attempt, seconds{1}, minutes{5}, 0.0), milliseconds{300000}) << attempt;
    const milliseconds huge = ComputeBackoff(attempt, milliseconds{3}, cap, 0.0);
    EXPECT_GT(huge.count(), 0) << attempt;
    EXPECT_LE(huge, cap) << attempt;
  }
}

TEST(BusBackoff, AttemptBelowOneCountsAsTheFirst) {
  EXPECT_EQ(ComputeBackoff(0, seconds{1}, minutes{5}, 0.0), milliseconds{1000});
  EXPECT_EQ(ComputeBackoff(-5, seconds{1}, minutes{5}, 0.0), milliseconds{1000});
}

TEST(BusBackoff, JitterRemovesAtMostHalf) {
  EXPECT_EQ(ComputeBackoff(1, seconds{1}, minutes{5}, 0.5), milliseconds{750});
  EXPECT_EQ(ComputeBackoff(1, seconds{1}, minutes{5}, 1.0), milliseconds{500});
  EXPECT_EQ(ComputeBackoff(10, seconds{1}, minutes{5}, 1.0), milliseconds{150000});
  // Out-of-range randomness is clamped.
  EXPECT_EQ(ComputeBackoff(1, seconds{1}, minutes{5}, 7.0), milliseconds{500});
  EXPECT_EQ(ComputeBackoff(1, seconds{1}, minutes{5}, -3.0), milliseconds{1000});
  EXPECT_EQ(ComputeBackoff(1, seconds{1}, minutes{5}, std::numeric_limits<double>::quiet_NaN()),
            milliseconds{1000});
}

TEST(BusBackoff, IsAtLeastOneMillisecond) {
  EXPECT_EQ(ComputeBackoff(1, milliseconds{1}, milliseconds{1}, 1.0), milliseconds{1});
}

TEST(BusBackoff, DefaultRandomStaysInRangeAndSpreads) {
  const UnitRandom random = DefaultUnitRandom();
  double low = 1.0;
  double high = 0.0;
  for (int i = 0; i < 10000; ++i) {
    const double value = random();
    ASSERT_GE(value, 0.0);
    ASSERT_LT(value, 1.0);
    low = std::min(low, value);
    high = std::max(high, value);
  }
  EXPECT_LT(low, 0.01);
  EXPECT_GT(high, 0.99);
  for (int attempt = 1; attempt <= 12; ++attempt) {
    const milliseconds full = ComputeBackoff(attempt, seconds{1}, minutes{5}, 0.0);
    for (int i = 0; i < 200; ++i) {
      const milliseconds jittered = ComputeBackoff(attempt, seconds{1}, minutes{5}, random());
      ASSERT_LE(jittered, full);
      ASSERT_GE(jittered, full / 2);
    }
  }
}

TEST(BusBackoff, DefaultRandomIsUsableFromManyThreads) {
  const UnitRandom random = DefaultUnitRandom();
  std::vector<std::thread> threads;
  std::vector<double> sums(4, 0.0);
  for (size_t t = 0; t < sums.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) sums[t] += random();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (double sum : sums) {
    EXPECT_GT(sum, 350.0);
    EXPECT_LT(sum, 650.0);
  }
}

}  // namespace
}  // namespace tabel::bus
