// The operator's view of the queues (ops/queue_transports.hpp) on both
// transports, driven by a real bus Worker: the embedded queue in the
// backend TABEL_TEST_BACKEND selects, and RabbitMQ (TABEL_TEST_AMQP_URL,
// names under a random prefix per test) with its outbox in that backend.
// The same assertions hold on both, except for what only one transport
// knows (retrying and consumers on the broker; running and done in
// task_queue).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/uuid.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/bus/worker.hpp"
#include "infra/db/transaction.hpp"
#include "infra/log/log.hpp"
#include "infra/metrics/metrics.hpp"
#include "ops/queue_gauges.hpp"
#include "ops/queue_transports.hpp"
#include "support/eventually.hpp"
#include "support/tcp_proxy.hpp"
#include "support/test_database.hpp"

namespace tabel::ops {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Eventually;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

enum class Transport { kEmbedded, kRabbitMq };

std::string BrokerUrl() {
  const char* url = std::getenv("TABEL_TEST_AMQP_URL");
  if (url == nullptr || *url == '\0') {
    throw std::runtime_error(
        "TABEL_TEST_AMQP_URL is not set: run through scripts/test, which starts RabbitMQ");
  }
  return url;
}

const QueueOverview& QueueOf(const BusOverview& overview, const std::string& name) {
  for (const QueueOverview& queue : overview.queues) {
    if (queue.name == name) return queue;
  }
  throw std::runtime_error("no queue " + name + " in the overview");
}

class QueueTransports : public ::testing::TestWithParam<Transport> {
 protected:
  QueueTransports() {
    // Poison fails for good unless cured; slow fails once and waits a
    // minute for its retry.
    topology_.Declare({.name = "jobs", .topics = {"job.poison", "job.fine"}, .max_attempts = 3});
    topology_.Declare({.name = "slow",
                       .topics = {"job.slow"},
                       .max_attempts = 2,
                       .base_backoff = milliseconds{60000},
                       .max_backoff = milliseconds{60000}});
    if (GetParam() == Transport::kRabbitMq) {
      amqp_.url = BrokerUrl();
      amqp_.prefix = "test-" + NewUuid().substr(0, 12);
      amqp_.connect_timeout = milliseconds{2000};
      amqp_.confirm_timeout = milliseconds{5000};
    }
    worker_ = std::make_unique<bus::Worker>(
        *database_, topology_, SystemClock(), logger_, registry_,
        bus::WorkerOptions{.poll_interval = milliseconds{20}, .random = [] { return 0.0; }, .amqp = amqp_});
    worker_->Subscribe("jobs", [this](const bus::Delivery& delivery) {
      {
        std::lock_guard lock(mutex_);
        delivered_.push_back(delivery);
      }
      if (delivery.topic == "job.poison" && !cured_)
        throw bus::PermanentFailure("poisoned " + delivery.payload);
    });
    worker_->Subscribe("slow", [this](const bus::Delivery&) {
      ++slow_runs_;
      throw std::runtime_error("not yet");
    });
    if (GetParam() == Transport::kRabbitMq) {
      transport_ = std::make_unique<BrokerQueues>(*database_, worker_->tasks(), topology_, amqp_);
    } else {
      transport_ = std::make_unique<EmbeddedQueues>(*database_, worker_->tasks(), topology_);
    }
  }

  ~QueueTransports() override { worker_->Stop(); }

  std::string Publish(const std::string& topic, const std::string& payload) {
    return db::WithWriteTransaction(*database_, [&](soci::session& session) {
      return bus::Outbox(SystemClock()).Add(session, {.topic = topic, .payload = payload});
    });
  }

  // Waits until `count` letters are dead in jobs, per the overview.
  void WaitForDead(long long count) {
    ASSERT_TRUE(Eventually([&] { return QueueOf(transport_->Overview(), "jobs").dead == count; }))
        << "jobs never had " << count << " dead letters";
  }

  std::vector<bus::Delivery> Delivered() {
    std::lock_guard lock(mutex_);
    return delivered_;
  }

  // A record that counts its calls and proves its session is in a usable
  // transaction.
  ReplayRecord CountingRecord() {
    return [this](soci::session& session, const DeadLetter& replayed) {
      int one = 0;
      session << "SELECT 1", soci::into(one);
      EXPECT_EQ(one, 1);
      EXPECT_EQ(replayed.status, "queued");
      ++recorded_;
    };
  }

  testing::TestDatabase test_database_;
  std::unique_ptr<db::Database> database_ = test_database_.MakeMigrated(4);
  log::Logger logger_{log::Level::kError, stderr};
  metrics::Registry registry_;
  bus::Topology topology_;
  bus::AmqpOptions amqp_;
  std::unique_ptr<bus::Worker> worker_;
  std::unique_ptr<QueueTransport> transport_;
  std::mutex mutex_;
  std::vector<bus::Delivery> delivered_;  // guarded by mutex_
  std::atomic<bool> cured_{false};
  std::atomic<int> slow_runs_{0};
  int recorded_ = 0;
};

TEST_P(QueueTransports, DeadLettersAreListedWithoutLosingAnyAndReplayedOnce) {
  const std::vector<std::string> ids = {Publish("job.poison", R"({"n":1})"),
                                        Publish("job.poison", R"({"n":2})"),
                                        Publish("job.poison", R"({"n":3})")};
  worker_->Start();
  WaitForDead(3);

  // A shorter listing, then the whole: the first took none away.
  EXPECT_EQ(transport_->DeadLetters("jobs", 2).size(), 2U);
  const std::vector<DeadLetter> dead = transport_->DeadLetters(std::nullopt, 100);
  ASSERT_EQ(dead.size(), 3U);
  std::vector<std::string> listed;
  for (const DeadLetter& letter : dead) {
    listed.push_back(letter.message_id);
    EXPECT_EQ(letter.queue, "jobs");
    EXPECT_EQ(letter.topic, "job.poison");
    EXPECT_EQ(letter.status, "dead");
    EXPECT_EQ(letter.attempts, 1);
    EXPECT_EQ(letter.max_attempts, 3);
    EXPECT_EQ(letter.last_error, "poisoned " + letter.payload);
    EXPECT_THAT(letter.payload, HasSubstr(R"("n":)"));
    EXPECT_FALSE(letter.id.empty());
  }
  EXPECT_THAT(listed, UnorderedElementsAreArray(ids));
  EXPECT_EQ(QueueOf(transport_->Overview(), "jobs").dead, 3);
  EXPECT_TRUE(transport_->DeadLetters("slow", 100).empty());
  EXPECT_TRUE(transport_->DeadLetters("no-such-queue", 100).empty());

  // Cured, one is delivered again from its first attempt, and only that one.
  cured_ = true;
  const DeadLetter& chosen = dead.at(1);
  const DeadLetter replayed = transport_->Replay(chosen.id, CountingRecord());
  EXPECT_EQ(recorded_, 1);
  EXPECT_EQ(replayed.id, chosen.id);
  EXPECT_EQ(replayed.message_id, chosen.message_id);
  EXPECT_EQ(replayed.payload, chosen.payload);
  EXPECT_EQ(replayed.status, "queued");
  EXPECT_EQ(replayed.attempts, 0);
  ASSERT_TRUE(Eventually([&] { return Delivered().size() == 4; }));
  const bus::Delivery again = Delivered().back();
  EXPECT_EQ(again.message_id, chosen.message_id);
  EXPECT_EQ(again.payload, chosen.payload);
  EXPECT_EQ(again.attempt, 1);
  WaitForDead(2);
  for (const DeadLetter& letter : transport_->DeadLetters("jobs", 100)) EXPECT_NE(letter.id, chosen.id);

  // Gone from the dead letters: a second replay finds nothing.
  for (const std::string& id : {chosen.id, std::string("no-such-id"), std::string("jobs:no-such-message"),
                                std::string("nowhere:") + ids[0], std::string()}) {
    try {
      transport_->Replay(id, CountingRecord());
      ADD_FAILURE() << "replayed '" << id << "'";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kNotFound) << id;
    }
  }
  EXPECT_EQ(recorded_, 1);
  std::this_thread::sleep_for(milliseconds{300});
  EXPECT_EQ(Delivered().size(), 4U);  // nothing else was delivered
  EXPECT_EQ(transport_->DeadLetters("jobs", 100).size(), 2U);
}

TEST_P(QueueTransports, AReplayWhoseRecordFailsLeavesTheDeadLetterInPlace) {
  const std::string id = Publish("job.poison", R"({"n":1})");
  worker_->Start();
  WaitForDead(1);
  const DeadLetter dead = transport_->DeadLetters("jobs", 10).at(0);
  cured_ = true;
  EXPECT_THROW(transport_->Replay(
                   dead.id, [](soci::session&, const DeadLetter&) { throw std::runtime_error("no audit"); }),
               std::runtime_error);
  const std::vector<DeadLetter> after = transport_->DeadLetters("jobs", 10);
  ASSERT_EQ(after.size(), 1U);
  EXPECT_EQ(after.at(0).id, dead.id);
  EXPECT_EQ(after.at(0).message_id, id);
  EXPECT_EQ(after.at(0).status, "dead");
  if (GetParam() == Transport::kRabbitMq) {
    // Its copy was confirmed before the record failed: delivered.
    EXPECT_TRUE(Eventually([&] { return Delivered().size() == 2; }));
  } else {
    // The replay rolled back with its record.
    std::this_thread::sleep_for(milliseconds{300});
    EXPECT_EQ(Delivered().size(), 1U);
  }
  // Then it is replayed for good.
  transport_->Replay(dead.id, CountingRecord());
  EXPECT_EQ(recorded_, 1);
  WaitForDead(0);
  EXPECT_TRUE(transport_->DeadLetters(std::nullopt, 10).empty());
}

TEST_P(QueueTransports, TheOverviewCountsEveryQueueByState) {
  Publish("job.slow", "{}");
  Publish("job.fine", "{}");
  worker_->Start();
  ASSERT_TRUE(Eventually([&] { return slow_runs_ == 1 && Delivered().size() == 1; }));
  // Its first attempt failed; the retry waits a minute.
  const auto settled = [&] {
    const BusOverview overview = transport_->Overview();
    const QueueOverview& slow = QueueOf(overview, "slow");
    const QueueOverview& jobs = QueueOf(overview, "jobs");
    // The relay marks its batch published when the broker confirms it,
    // which may come after both were delivered and the retry queued.
    if (GetParam() == Transport::kRabbitMq) return slow.retrying == 1 && overview.outbox_unpublished == 0;
    return slow.running == 0 && jobs.done == 1;
  };
  ASSERT_TRUE(Eventually(settled));
  const BusOverview overview = transport_->Overview();
  EXPECT_EQ(slow_runs_, 1);
  ASSERT_EQ(overview.queues.size(), 2U);
  EXPECT_EQ(overview.outbox_unpublished, 0);
  const QueueOverview& slow = QueueOf(overview, "slow");
  EXPECT_EQ(slow.queued, 1);
  EXPECT_EQ(slow.topics, std::vector<std::string>{"job.slow"});
  EXPECT_EQ(slow.max_attempts, 2);
  EXPECT_EQ(slow.dead, 0);
  const QueueOverview& jobs = QueueOf(overview, "jobs");
  EXPECT_EQ(jobs.queued, 0);
  EXPECT_EQ(jobs.dead, 0);
  if (GetParam() == Transport::kRabbitMq) {
    EXPECT_EQ(overview.transport, "rabbitmq");
    EXPECT_EQ(slow.retrying, 1);  // in its delay queue for a minute
    EXPECT_EQ(jobs.retrying, 0);
    EXPECT_EQ(jobs.consumers, 1);  // the worker's one consumer thread
    EXPECT_FALSE(jobs.running.has_value());
    EXPECT_FALSE(jobs.done.has_value());
  } else {
    EXPECT_EQ(overview.transport, "embedded");
    EXPECT_EQ(jobs.done, 1);
    EXPECT_EQ(slow.running, 0);
    EXPECT_FALSE(slow.retrying.has_value());
    EXPECT_FALSE(jobs.consumers.has_value());
  }
  // Unpublished outbox rows are the lag on both.
  worker_->Stop();
  Publish("job.fine", "{}");
  EXPECT_EQ(transport_->Overview().outbox_unpublished, 1);
}

// The depths as tabel_queue_tasks, sampled in the background: a scrape
// shows the last sample, and a later change shows at a later sample.
TEST_P(QueueTransports, TheDepthsAreGaugesSampledInTheBackground) {
  Publish("job.slow", "{}");
  Publish("job.poison", R"({"n":1})");
  worker_->Start();
  WaitForDead(1);
  ASSERT_TRUE(Eventually([&] {
    const QueueOverview slow = QueueOf(transport_->Overview(), "slow");
    return slow_runs_ == 1 && slow.queued == 1 && slow.running.value_or(0) == 0;
  }));
  // A registry of its own: on the embedded queue the worker's has the name.
  metrics::Registry registry;
  QueueGauges gauges(*transport_, registry, logger_, milliseconds{100});
  gauges.Start();
  const auto shows = [&](const std::string& series) {
    return Eventually([&] { return registry.Render().find(series + "\n") != std::string::npos; });
  };
  EXPECT_TRUE(shows(R"(tabel_queue_tasks{queue="jobs",status="dead"} 1)"));
  EXPECT_TRUE(shows(R"(tabel_queue_tasks{queue="jobs",status="queued"} 0)"));
  EXPECT_TRUE(shows(R"(tabel_queue_tasks{queue="slow",status="queued"} 1)"));
  if (GetParam() == Transport::kRabbitMq) {
    EXPECT_TRUE(shows(R"(tabel_queue_tasks{queue="slow",status="retrying"} 1)"));
    EXPECT_THAT(registry.Render(), ::testing::Not(HasSubstr("status=\"running\"")));
  } else {
    EXPECT_TRUE(shows(R"(tabel_queue_tasks{queue="jobs",status="done"} 0)"));
  }
  Publish("job.poison", R"({"n":2})");
  EXPECT_TRUE(shows(R"(tabel_queue_tasks{queue="jobs",status="dead"} 2)"));
  gauges.Stop();
}

INSTANTIATE_TEST_SUITE_P(Both, QueueTransports, ::testing::Values(Transport::kEmbedded, Transport::kRabbitMq),
                         [](const ::testing::TestParamInfo<Transport>& info) {
                           return info.param == Transport::kEmbedded ? "Embedded" : "RabbitMq";
                         });

// A broker that is not there answers Unavailable, within the connect
// timeout, from every call.
TEST(BrokerQueues, AnUnreachableBrokerIsUnavailable) {
  testing::TestDatabase test_database;
  const std::unique_ptr<db::Database> database = test_database.MakeMigrated(2);
  bus::Topology topology;
  topology.Declare({.name = "jobs", .topics = {"job.fine"}});
  bus::TaskQueue tasks(*database, SystemClock());
  // Port 1: nothing listens there.
  BrokerQueues broker(*database, tasks, topology,
                      {.url = "amqp://guest:guest@127.0.0.1:1/%2F", .connect_timeout = milliseconds{500}});
  const auto unavailable = [](const auto& call) {
    const auto started = std::chrono::steady_clock::now();
    try {
      call();
      ADD_FAILURE() << "the call succeeded";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kUnavailable);
      EXPECT_THAT(error.detail(), HasSubstr("broker"));
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, seconds{5});
  };
  unavailable([&] { broker.Overview(); });
  unavailable([&] { broker.DeadLetters(std::nullopt, 10); });
  unavailable([&] { broker.Replay("jobs:x", [](soci::session&, const DeadLetter&) {}); });
  EXPECT_THROW(BrokerQueues(*database, tasks, topology, {.url = "amqps://h/%2F"}), std::invalid_argument);
}

// A broker that accepts connections and never answers holds the sampler,
// never a scrape; and stopping waits only for the sample in progress,
// which its connect timeout ends.
TEST(QueueGauges, ABrokerThatDoesNotAnswerHoldsNoScrapeAndNoShutdown) {
  testing::TestDatabase test_database;
  const std::unique_ptr<db::Database> database = test_database.MakeMigrated(2);
  bus::Topology topology;
  topology.Declare({.name = "jobs", .topics = {"job.fine"}});
  bus::TaskQueue tasks(*database, SystemClock());
  testing::SilentListener hanging;
  BrokerQueues broker(*database, tasks, topology,
                      {.url = "amqp://guest:guest@127.0.0.1:" + std::to_string(hanging.port()) + "/%2F",
                       .connect_timeout = milliseconds{1500}});
  log::Logger logger{log::Level::kError, stderr};
  metrics::Registry registry;
  QueueGauges gauges(broker, registry, logger, milliseconds{50});
  gauges.Start();
  std::this_thread::sleep_for(milliseconds{300});  // the first sample waits on the broker
  for (int scrape = 0; scrape < 3; ++scrape) {
    const auto started = std::chrono::steady_clock::now();
    EXPECT_THAT(registry.Render(), ::testing::Not(HasSubstr("tabel_queue_tasks{")));
    // Well under the 1.5 s the broker is waited for; loose for a loaded machine.
    EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds{500});
  }
  const auto stopping = std::chrono::steady_clock::now();
  gauges.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, milliseconds{1500} + seconds{1});
}

}  // namespace
}  // namespace tabel::ops
