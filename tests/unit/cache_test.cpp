// The in-memory cache: entries until their TTL, the least recently used
// evicted first within the byte budget, counters kept apart.

#include "infra/cache/cache.hpp"

#include <gtest/gtest.h>

namespace tabel::cache {
namespace {

using std::chrono::seconds;

TEST(MemoryCache, KeepsAnEntryUntilItsTtl) {
  MemoryCache cache(1 << 20);
  EXPECT_EQ(cache.Get("a"), std::nullopt);
  cache.Set("a", "one", seconds{60});
  EXPECT_EQ(cache.Get("a"), "one");
  cache.Set("a", "two", seconds{60});
  EXPECT_EQ(cache.Get("a"), "two");
  cache.Set("b", "gone", seconds{0});
  EXPECT_EQ(cache.Get("b"), std::nullopt);
}

TEST(MemoryCache, EvictsTheLeastRecentlyUsedBeyondItsBudget) {
  // Each entry costs its key, its value and 96 bytes: three fit in 400.
  MemoryCache cache(400);
  const std::string value(20, 'x');
  cache.Set("k1", value, seconds{60});
  cache.Set("k2", value, seconds{60});
  cache.Set("k3", value, seconds{60});
  EXPECT_TRUE(cache.Get("k1"));  // k2 is now the least recently used
  cache.Set("k4", value, seconds{60});
  EXPECT_TRUE(cache.Get("k1"));
  EXPECT_FALSE(cache.Get("k2"));
  EXPECT_TRUE(cache.Get("k3"));
  EXPECT_TRUE(cache.Get("k4"));
  EXPECT_LE(cache.bytes(), 400U);
  // A value larger than the whole budget is not kept (and evicts nothing).
  cache.Set("huge", std::string(1000, 'y'), seconds{60});
  EXPECT_FALSE(cache.Get("huge"));
  EXPECT_TRUE(cache.Get("k4"));
}

TEST(MemoryCache, CountersStartAtZeroAndAreNeverEvicted) {
  MemoryCache cache(200);
  EXPECT_EQ(cache.Counter("generation"), 0);
  cache.Bump("generation");
  cache.Bump("generation");
  cache.Set("filler", std::string(150, 'z'), seconds{60});
  EXPECT_EQ(cache.Counter("generation"), 2);
}

}  // namespace
}  // namespace tabel::cache
