// Bus topology declarations, UUIDs and the manual clock.

#include "infra/bus/topology.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/uuid.hpp"

namespace tabel::bus {
namespace {

using std::chrono::seconds;

TEST(BusTopology, RoutesTopicsToEveryBoundQueueInDeclarationOrder) {
  Topology topology;
  topology.Declare({.name = "mail", .topics = {"user.created", "leave.approved"}});
  topology.Declare({.name = "audit", .topics = {"leave.approved", "leave.approved"}, .max_attempts = 2});
  const std::vector<const QueueSpec*> approved = topology.QueuesFor("leave.approved");
  ASSERT_EQ(approved.size(), 2u);
  EXPECT_EQ(approved[0]->name, "mail");
  EXPECT_EQ(approved[1]->name, "audit");
  EXPECT_EQ(approved[1]->max_attempts, 2);
  EXPECT_EQ(approved[1]->topics.size(), 1u);  // duplicates dropped
  ASSERT_EQ(topology.QueuesFor("user.created").size(), 1u);
  EXPECT_TRUE(topology.QueuesFor("user.deleted").empty());
  EXPECT_TRUE(topology.QueuesFor("leave").empty());  // exact match only

  const QueueSpec* mail = topology.Find("mail");
  ASSERT_NE(mail, nullptr);
  EXPECT_EQ(mail->max_attempts, 8);
  EXPECT_EQ(mail->lease, seconds{60});
  EXPECT_EQ(topology.Find("nope"), nullptr);
  // Pointers survive later declarations.
  for (int i = 0; i < 100; ++i) topology.Declare({.name = "q" + std::to_string(i), .topics = {"t"}});
  EXPECT_EQ(topology.Find("mail"), mail);
  EXPECT_EQ(topology.queues().size(), 102u);
}

TEST(BusTopology, RejectsInvalidSpecs) {
  Topology topology;
  topology.Declare({.name = "mail", .topics = {"user.created"}});
  const std::vector<QueueSpec> invalid = {
      {.name = "", .topics = {"a"}},
      {.name = "Mail", .topics = {"a"}},
      {.name = "has space", .topics = {"a"}},
      {.name = std::string(101, 'q'), .topics = {"a"}},
      {.name = "mail", .topics = {"a"}},  // declared twice
      {.name = "x", .topics = {}},
      {.name = "x", .topics = {"Bad"}},
      {.name = "x", .topics = {""}},
      {.name = "x", .topics = {"a"}, .max_attempts = 0},
      {.name = "x", .topics = {"a"}, .base_backoff = std::chrono::milliseconds{0}},
      {.name = "x", .topics = {"a"}, .base_backoff = seconds{10}, .max_backoff = seconds{5}},
      {.name = "x", .topics = {"a"}, .lease = seconds{0}},
  };
  for (const QueueSpec& spec : invalid) {
    EXPECT_THROW(topology.Declare(spec), std::invalid_argument) << spec.name;
  }
  EXPECT_EQ(topology.queues().size(), 1u);
  EXPECT_TRUE(IsValidBusName("leave.approved_v2-x"));
  EXPECT_FALSE(IsValidBusName("leave/approved"));
}

TEST(BusUuid, IsCanonicalVersion4) {
  for (int i = 0; i < 1000; ++i) {
    const std::string uuid = NewUuid();
    ASSERT_EQ(uuid.size(), 36u);
    ASSERT_TRUE(IsUuid(uuid)) << uuid;
    EXPECT_EQ(uuid[14], '4') << uuid;
    EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos) << uuid;
    for (char c : uuid) EXPECT_TRUE(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << uuid;
  }
  EXPECT_TRUE(IsUuid("123E4567-E89B-12D3-A456-426614174000"));
  EXPECT_FALSE(IsUuid("123e4567e89b12d3a456426614174000"));
  EXPECT_FALSE(IsUuid("123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_FALSE(IsUuid(""));
}

TEST(BusUuid, IsUniqueAcrossThreads) {
  std::mutex mutex;
  std::set<std::string> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine;
      for (int i = 0; i < 5000; ++i) mine.push_back(NewUuid());
      std::lock_guard lock(mutex);
      seen.insert(mine.begin(), mine.end());
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(seen.size(), 20000u);
}

TEST(BusClock, ManualClockMovesOnlyWhenTold) {
  ManualClock manual;
  const Clock clock = manual.AsClock();
  const auto start = clock();
  EXPECT_EQ(start, ManualClock::DefaultStart());
  manual.Advance(seconds{90});
  EXPECT_EQ(clock() - start, seconds{90});
  manual.Set(start);
  EXPECT_EQ(clock(), start);
  const auto before = std::chrono::system_clock::now();
  const auto now = SystemClock()();
  EXPECT_GE(now, before);
}

}  // namespace
}  // namespace tabel::bus
