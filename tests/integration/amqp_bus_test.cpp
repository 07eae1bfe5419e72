// The RabbitMQ transport of the bus against the broker scripts/test starts
// (TABEL_TEST_AMQP_URL), with the outbox on the backend TABEL_TEST_BACKEND
// selects. Each test uses names of its own on the broker (a random
// AmqpOptions::prefix), so the two backends' runs may share the broker.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/uuid.hpp"
#include "infra/bus/amqp_connection.hpp"
#include "infra/bus/amqp_relay.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/bus/topology.hpp"
#include "infra/bus/worker.hpp"
#include "infra/db/transaction.hpp"
#include "infra/log/log.hpp"
#include "infra/metrics/metrics.hpp"
#include "support/eventually.hpp"
#include "support/tcp_proxy.hpp"
#include "support/test_database.hpp"

namespace tabel::bus {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyTime = std::chrono::steady_clock::time_point;
using testing::Eventually;
using ::testing::HasSubstr;
using testing::TestDatabase;

std::string BrokerUrl() {
  const char* url = std::getenv("TABEL_TEST_AMQP_URL");
  if (url == nullptr || *url == '\0') {
    throw std::runtime_error(
        "TABEL_TEST_AMQP_URL is not set: run through scripts/test, which starts RabbitMQ");
  }
  return url;
}

// The port of an amqp://user:pass@host:port/vhost URL.
uint16_t PortOf(const std::string& url) {
  const size_t host = url.rfind('@');
  const size_t colon = url.find(':', host);
  return static_cast<uint16_t>(std::stoi(url.substr(colon + 1, url.find('/', colon) - colon - 1)));
}

// `url` with its port replaced.
std::string WithPort(const std::string& url, uint16_t port) {
  const size_t host = url.rfind('@');
  const size_t colon = url.find(':', host);
  return url.substr(0, colon + 1) + std::to_string(port) + url.substr(url.find('/', colon));
}

double MetricValue(const std::string& exposition, const std::string& series) {
  const size_t at = exposition.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(exposition.substr(at + series.size() + 2));
}

// Deliveries with the time each arrived; thread-safe.
class Recorder {
 public:
  void Record(const Delivery& delivery) {
    std::lock_guard lock(mutex_);
    deliveries_.push_back(delivery);
    times_.push_back(std::chrono::steady_clock::now());
  }
  std::vector<Delivery> Of(const std::string& queue) const {
    std::lock_guard lock(mutex_);
    std::vector<Delivery> found;
    for (const Delivery& delivery : deliveries_) {
      if (delivery.queue == queue) found.push_back(delivery);
    }
    return found;
  }
  std::vector<SteadyTime> TimesOf(const std::string& queue) const {
    std::lock_guard lock(mutex_);
    std::vector<SteadyTime> found;
    for (size_t i = 0; i < deliveries_.size(); ++i) {
      if (deliveries_[i].queue == queue) found.push_back(times_[i]);
    }
    return found;
  }
  bool Has(const std::string& queue, const std::string& message_id) const {
    std::lock_guard lock(mutex_);
    for (const Delivery& delivery : deliveries_) {
      if (delivery.queue == queue && delivery.message_id == message_id) return true;
    }
    return false;
  }
  size_t Total() const {
    std::lock_guard lock(mutex_);
    return deliveries_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Delivery> deliveries_;
  std::vector<SteadyTime> times_;
};

class AmqpBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.url = BrokerUrl();
    options_.prefix = "test-" + NewUuid().substr(0, 12);
    options_.connect_timeout = milliseconds{2000};
    options_.confirm_timeout = milliseconds{5000};
    topology_.Declare({.name = "mail", .topics = {"user.created"}});
    topology_.Declare({.name = "audit", .topics = {"user.created", "leave.approved"}});
    topology_.Declare({.name = "reports", .topics = {"leave.approved"}});
    topology_.Declare({.name = "flaky",
                       .topics = {"flaky.job"},
                       .max_attempts = 4,
                       .base_backoff = milliseconds{100},
                       .max_backoff = milliseconds{300}});
  }

  Worker& MakeWorker(WorkerOptions options = {}) {
    options.amqp = options.amqp.url.empty() ? options_ : options.amqp;
    if (options.poll_interval == WorkerOptions{}.poll_interval) options.poll_interval = milliseconds{20};
    if (options.worker_id.empty()) options.worker_id = "w" + std::to_string(workers_.size());
    if (!options.random) options.random = [] { return 0.0; };
    registries_.push_back(std::make_unique<metrics::Registry>());
    workers_.push_back(std::make_unique<Worker>(*database_, topology_, SystemClock(), logger_,
                                                *registries_.back(), options));
    return *workers_.back();
  }

  std::string Publish(const std::string& topic, const std::string& payload,
                      const std::string& headers = "{}") {
    return db::WithWriteTransaction(*database_, [&](soci::session& session) {
      return outbox_.Add(session, {.topic = topic, .payload = payload, .headers = headers});
    });
  }

  int Unpublished() {
    return db::WithSession(*database_, [](soci::session& session) {
      int count = -1;
      session << "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL", soci::into(count);
      return count;
    });
  }

  // The messages in `queue` (a broker name without the prefix, e.g.
  // "flaky.dead"), read with a connection of the test's own and left there
  // (not acked).
  std::vector<AmqpDelivery> Peek(const std::string& queue, size_t expected) {
    AmqpConnection connection(options_);
    connection.Consume({queue}, 100);
    std::vector<AmqpDelivery> found;
    const auto deadline = std::chrono::steady_clock::now() + seconds{10};
    while (found.size() < expected && std::chrono::steady_clock::now() < deadline) {
      if (auto delivery = connection.Next(milliseconds{100})) found.push_back(*delivery);
    }
    if (auto extra = connection.Next(milliseconds{200})) found.push_back(*extra);
    return found;
  }

  void TearDown() override { workers_.clear(); }

  TestDatabase test_database_;
  std::unique_ptr<db::Database> database_ = test_database_.MakeMigrated(4);
  log::Logger logger_{log::Level::kError, stderr};
  AmqpOptions options_;
  Topology topology_;
  Outbox outbox_{SystemClock()};
  std::vector<std::unique_ptr<metrics::Registry>> registries_;
  std::vector<std::unique_ptr<Worker>> workers_;
  Recorder recorder_;
};

TEST_F(AmqpBusTest, RelayPublishesWithConfirmsAndEveryBoundQueueGetsTheMessageOnce) {
  Worker& worker = MakeWorker();
  for (const char* queue : {"mail", "audit", "reports"}) {
    worker.Subscribe(queue, [this](const Delivery& delivery) { recorder_.Record(delivery); });
  }
  const std::string created = Publish("user.created", R"({"id":1})", R"({"request_id":"r-1"})");
  const std::string approved = Publish("leave.approved", R"({"id":2})");
  Publish("nobody.listens", "{}");
  worker.Start();
  worker.Wake();
  ASSERT_TRUE(Eventually([&] { return recorder_.Total() >= 4 && Unpublished() == 0; }));
  std::this_thread::sleep_for(milliseconds{300});  // nothing more comes
  worker.Stop();

  EXPECT_EQ(Unpublished(), 0);
  ASSERT_EQ(recorder_.Of("mail").size(), 1u);
  ASSERT_EQ(recorder_.Of("audit").size(), 2u);
  ASSERT_EQ(recorder_.Of("reports").size(), 1u);
  const Delivery mail = recorder_.Of("mail").front();
  EXPECT_EQ(mail.message_id, created);
  EXPECT_EQ(mail.topic, "user.created");
  EXPECT_EQ(mail.payload, R"({"id":1})");
  EXPECT_EQ(mail.headers, R"({"request_id":"r-1"})");
  EXPECT_EQ(mail.attempt, 1);
  EXPECT_FALSE(mail.task_id.empty());
  EXPECT_EQ(recorder_.Of("reports").front().message_id, approved);
  EXPECT_NE(recorder_.Of("audit")[0].task_id, recorder_.Of("audit")[1].task_id);
  const std::string metrics = registries_.back()->Render();
  EXPECT_EQ(MetricValue(metrics, R"(tabel_tasks_processed_total{queue="audit",outcome="done"})"), 2);
  EXPECT_EQ(MetricValue(metrics, R"(tabel_amqp_confirm_failures_total{role="relay"})"), 0);
  // Acked: a new consumer finds nothing.
  EXPECT_TRUE(Peek("audit", 0).empty());
}

TEST_F(AmqpBusTest, RelayOnItsOwnMarksOnlyWhatTheBrokerConfirmed) {
  metrics::Counter failures;
  AmqpRelay relay(*database_, topology_, SystemClock(), logger_, options_, 2, &failures);
  for (int i = 0; i < 3; ++i) Publish("user.created", std::to_string(i));
  EXPECT_EQ(relay.RelayBatch(), 2u);
  EXPECT_EQ(Unpublished(), 1);
  EXPECT_EQ(relay.RelayBatch(), 1u);
  EXPECT_EQ(relay.RelayBatch(), 0u);
  EXPECT_EQ(Peek("mail", 3).size(), 3u);

  // A broker nobody answers on: nothing is marked.
  testing::SilentListener hanging;
  AmqpOptions unreachable = options_;
  unreachable.url = WithPort(options_.url, hanging.port());
  unreachable.connect_timeout = milliseconds{300};
  AmqpRelay stuck(*database_, topology_, SystemClock(), logger_, unreachable);
  Publish("user.created", "late");
  EXPECT_THROW(stuck.RelayBatch(), Error);
  EXPECT_EQ(Unpublished(), 1);
  EXPECT_EQ(failures.Value(), 0);
}

TEST_F(AmqpBusTest, FailingConsumerIsRetriedWithGrowingDelaysThenDeadLettered) {
  Worker& worker = MakeWorker();
  worker.Subscribe("flaky", [this](const Delivery& delivery) {
    recorder_.Record(delivery);
    throw std::runtime_error("boom " + std::to_string(delivery.attempt));
  });
  const std::string id = Publish("flaky.job", R"({"n":1})");
  worker.Start();
  ASSERT_TRUE(Eventually([&] { return recorder_.Of("flaky").size() >= 4; }));
  std::this_thread::sleep_for(milliseconds{500});  // no fifth attempt
  worker.Stop();

  const std::vector<Delivery> attempts = recorder_.Of("flaky");
  ASSERT_EQ(attempts.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(attempts[i].attempt, i + 1);
    EXPECT_EQ(attempts[i].message_id, id);
    EXPECT_EQ(attempts[i].payload, R"({"n":1})");
  }
  // 100, 200, then 300 ms (capped): jitter is fixed at 0.
  const std::vector<SteadyTime> times = recorder_.TimesOf("flaky");
  const milliseconds expected[] = {milliseconds{100}, milliseconds{200}, milliseconds{300}};
  for (int i = 0; i < 3; ++i) {
    const auto gap = std::chrono::duration_cast<milliseconds>(times[i + 1] - times[i]);
    EXPECT_GE(gap, expected[i]) << "retry " << i + 1;
    EXPECT_LT(gap, expected[i] + milliseconds{2000}) << "retry " << i + 1;
  }
  const std::vector<AmqpDelivery> dead = Peek("flaky.dead", 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message_id, id);
  EXPECT_EQ(dead[0].attempt, 4);
  EXPECT_EQ(dead[0].error, "boom 4");
  EXPECT_EQ(dead[0].topic, "flaky.job");
  EXPECT_EQ(dead[0].body, R"({"n":1})");
  const std::string metrics = registries_.back()->Render();
  EXPECT_EQ(MetricValue(metrics, R"(tabel_tasks_processed_total{queue="flaky",outcome="retry"})"), 3);
  EXPECT_EQ(MetricValue(metrics, R"(tabel_tasks_processed_total{queue="flaky",outcome="dead"})"), 1);
}

TEST_F(AmqpBusTest, PermanentFailureIsDeadLetteredAtOnce) {
  Worker& worker = MakeWorker();
  worker.Subscribe("flaky", [this](const Delivery& delivery) {
    recorder_.Record(delivery);
    throw PermanentFailure("malformed payload");
  });
  const std::string id = Publish("flaky.job", "{}");
  worker.Start();
  ASSERT_TRUE(Eventually([&] { return recorder_.Total() >= 1; }));
  std::this_thread::sleep_for(milliseconds{400});
  worker.Stop();
  EXPECT_EQ(recorder_.Total(), 1u);
  const std::vector<AmqpDelivery> dead = Peek("flaky.dead", 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message_id, id);
  EXPECT_EQ(dead[0].attempt, 1);
  EXPECT_EQ(dead[0].error, "malformed payload");
}

// The broker delivers it again, flagged redelivered: that counts as an
// attempt (worker.hpp), as an expired lease does on the embedded queue.
TEST_F(AmqpBusTest, AMessageNotAckedByAConsumerThatDiedIsDeliveredAgainAsTheNextAttempt) {
  {
    // Topology and the message, without a worker consuming it.
    AmqpRelay relay(*database_, topology_, SystemClock(), logger_, options_);
    Publish("user.created", "{}");
    ASSERT_EQ(relay.RelayBatch(), 1u);
  }
  {
    // A consumer takes it and goes away without acking.
    AmqpConnection dying(options_);
    dying.Consume({"mail"}, 1);
    ASSERT_TRUE(dying.Next(seconds{5}).has_value());
  }
  Worker& worker = MakeWorker();
  worker.Subscribe("mail", [this](const Delivery& delivery) { recorder_.Record(delivery); });
  worker.Start();
  ASSERT_TRUE(Eventually([&] { return recorder_.Total() >= 1; }));
  std::this_thread::sleep_for(milliseconds{300});  // nothing more comes
  worker.Stop();
  ASSERT_EQ(recorder_.Total(), 1u);
  EXPECT_EQ(recorder_.Of("mail").front().attempt, 2);
  EXPECT_EQ(recorder_.Of("mail").front().payload, "{}");
  EXPECT_TRUE(Peek("mail", 0).empty()) << "the original and its copy were acked";
  const std::string metrics = registries_.back()->Render();
  EXPECT_EQ(MetricValue(metrics, R"(tabel_tasks_processed_total{queue="mail",outcome="retry"})"), 1);
  EXPECT_EQ(MetricValue(metrics, R"(tabel_tasks_processed_total{queue="mail",outcome="done"})"), 1);
}

// A poison message: whatever runs it dies before the ack (here its
// connection is cut while the consumer runs, as when the message crashes the
// process). It is run max_attempts times, then dead-lettered, not looped.
TEST_F(AmqpBusTest, AMessageWhoseConsumerDiesEveryTimeEndsDeadAfterMaxAttempts) {
  testing::TcpProxy proxy(PortOf(options_.url));
  proxy.Start();
  AmqpOptions options = options_;
  options.url = WithPort(options_.url, proxy.port());
  Worker& worker = MakeWorker({.amqp = options});
  std::atomic<int> cuts{0};
  worker.Subscribe("flaky", [&](const Delivery& delivery) {
    recorder_.Record(delivery);
    // Holds the delivery until the test has cut its connection.
    Eventually([&] { return cuts.load() >= static_cast<int>(recorder_.Total()); }, seconds{10},
               milliseconds{5});
  });
  const std::string id = Publish("flaky.job", R"({"n":1})");
  worker.Start();
  for (int run = 1; run <= 4; ++run) {  // flaky's max_attempts
    // The relay's confirm may come after the delivery: a cut before it would
    // have the relay publish the message again (at least once), a second
    // message this test is not about.
    ASSERT_TRUE(Eventually([&] {
      return recorder_.Total() >= static_cast<size_t>(run) && Unpublished() == 0;
    })) << "run "
        << run;
    proxy.Stop();
    proxy.Start(proxy.port());
    cuts = run;
  }
  const std::vector<AmqpDelivery> dead = Peek("flaky.dead", 1);
  std::this_thread::sleep_for(milliseconds{500});  // no fifth run
  worker.Stop();

  const std::vector<Delivery> runs = recorder_.Of("flaky");
  std::string attempts;
  for (const Delivery& delivery : runs) attempts += " " + std::to_string(delivery.attempt);
  ASSERT_EQ(runs.size(), 4u) << "attempts run:" << attempts;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(runs[i].attempt, i + 1);
    EXPECT_EQ(runs[i].message_id, id);
  }
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message_id, id);
  EXPECT_EQ(dead[0].attempt, 4);
  EXPECT_EQ(dead[0].body, R"({"n":1})");
  EXPECT_THAT(dead[0].error, HasSubstr("attempt 4 was not acknowledged"));
  EXPECT_TRUE(Peek("flaky", 0).empty());
  const std::string metrics = registries_.back()->Render();
  EXPECT_EQ(MetricValue(metrics, R"(tabel_tasks_processed_total{queue="flaky",outcome="retry"})"), 3);
  EXPECT_EQ(MetricValue(metrics, R"(tabel_tasks_processed_total{queue="flaky",outcome="dead"})"), 1);
}

// A consumer that runs for several heartbeats keeps its connection (the
// consumer thread services it), and Stop waits for it and acks.
TEST_F(AmqpBusTest, ALongConsumerKeepsItsConnectionAndStopWaitsForIt) {
  AmqpOptions options = options_;
  options.heartbeat = seconds{1};
  Worker& worker = MakeWorker({.amqp = options});
  std::atomic<int> runs{0};
  std::atomic<bool> finished{false};
  worker.Subscribe("mail", [&](const Delivery&) {
    ++runs;
    std::this_thread::sleep_for(milliseconds{3500});
    finished = true;
  });
  Publish("user.created", "{}");
  worker.Start();
  ASSERT_TRUE(Eventually([&] { return runs.load() >= 1; }));
  worker.Stop();
  EXPECT_TRUE(finished);
  EXPECT_EQ(runs.load(), 1);
  EXPECT_TRUE(Peek("mail", 0).empty()) << "the message was not acked";
  EXPECT_EQ(MetricValue(registries_.back()->Render(), R"(tabel_amqp_reconnects_total{role="consumer"})"), 0);
}

TEST_F(AmqpBusTest, ConsumptionContinuesAfterTheBrokerDropsEveryConnection) {
  testing::TcpProxy proxy(PortOf(options_.url));
  proxy.Start();
  AmqpOptions options = options_;
  options.url = WithPort(options_.url, proxy.port());
  Worker& worker = MakeWorker({.consumer_threads = 2, .amqp = options});
  worker.Subscribe("mail", [this](const Delivery& delivery) { recorder_.Record(delivery); });
  worker.Start();
  Publish("user.created", "1");
  worker.Wake();
  // The relay's confirm of "1" may come after its delivery: cut before it,
  // "1" would still be waiting to be published too.
  ASSERT_TRUE(Eventually([&] { return recorder_.Total() >= 1 && Unpublished() == 0; }));

  proxy.Stop();  // every connection is cut, and new ones are refused
  const std::string id = Publish("user.created", "2");
  worker.Wake();
  std::this_thread::sleep_for(milliseconds{500});
  EXPECT_EQ(Unpublished(), 1);
  proxy.Start(proxy.port());
  // The first message may come again too: its ack can be cut with the
  // connection (at least once).
  const auto delivered = [&] { return recorder_.Has("mail", id); };
  ASSERT_TRUE(Eventually(delivered, seconds{30}));
  worker.Stop();
  EXPECT_EQ(Unpublished(), 0);
  const std::string metrics = registries_.back()->Render();
  EXPECT_GE(MetricValue(metrics, R"(tabel_amqp_reconnects_total{role="relay"})"), 1);
  EXPECT_GE(MetricValue(metrics, R"(tabel_amqp_reconnects_total{role="consumer"})"), 1);
}

// A broker away for a while (a restart) is used again within
// Worker::kMaxBrokerBackoff of its return: the relay's and the consumers'
// growing delays stop there: with poll_interval 100 ms they try at 0.1 s,
// 0.3 s, 0.7 s, ... 6.3 s, then every 5 s. Uncapped they would try at
// 12.7 s, then not before 25.5 s, 9.5 s after the return.
TEST_F(AmqpBusTest, ABrokerBackFromAnOutageIsUsedAgainWithinTheBackoffCap) {
  testing::TcpProxy proxy(PortOf(options_.url));
  proxy.Start();
  AmqpOptions options = options_;
  options.url = WithPort(options_.url, proxy.port());
  Worker& worker = MakeWorker({.poll_interval = milliseconds{100}, .amqp = options});
  worker.Subscribe("mail", [this](const Delivery& delivery) { recorder_.Record(delivery); });
  Publish("user.created", "1");
  worker.Start();
  ASSERT_TRUE(Eventually([&] { return recorder_.Total() >= 1; }));

  proxy.Stop();
  std::this_thread::sleep_for(seconds{16});
  const std::string id = Publish("user.created", "2");
  proxy.Start(proxy.port());
  const SteadyTime back = std::chrono::steady_clock::now();
  const auto delivered = [&] { return recorder_.Has("mail", id); };
  ASSERT_TRUE(Eventually(delivered, seconds{30}));
  const auto after = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - back);
  worker.Stop();
  // The slack is the reconnection, the topology's declarations and the
  // relay's confirm on a loaded machine; uncapped would be 9.5 s.
  EXPECT_LT(after, Worker::kMaxBrokerBackoff + seconds{3})
      << "delivered " << after.count() << " ms after the return";
}

TEST_F(AmqpBusTest, TwoConsumerThreadsProcessEveryMessageExactlyOnce) {
  constexpr int kMessages = 60;
  Worker& worker = MakeWorker({.consumer_threads = 2});
  std::mutex mutex;
  std::map<std::string, int> seen;  // guarded by mutex
  worker.Subscribe("reports", [&](const Delivery& delivery) {
    std::this_thread::sleep_for(milliseconds{2});
    std::lock_guard lock(mutex);
    ++seen[delivery.message_id];
  });
  std::vector<std::string> ids;
  for (int i = 0; i < kMessages; ++i) ids.push_back(Publish("leave.approved", std::to_string(i)));
  worker.Start();
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mutex);
    return seen.size() == static_cast<size_t>(kMessages);
  }));
  std::this_thread::sleep_for(milliseconds{300});
  worker.Stop();
  std::lock_guard lock(mutex);
  for (const std::string& id : ids) EXPECT_EQ(seen[id], 1) << id;
  EXPECT_EQ(MetricValue(registries_.back()->Render(),
                        R"(tabel_tasks_processed_total{queue="reports",outcome="done"})"),
            kMessages);
}

// A retry or dead-letter copy goes straight to a queue: if that queue is
// missing the broker returns it, and the wait for its confirm fails rather
// than the copy vanishing (the original is then not acked).
TEST_F(AmqpBusTest, AMandatoryCopyNoQueueTakesFailsItsConfirm) {
  AmqpConnection connection(options_);
  connection.Publish({.routing_key = options_.prefix + ".no-such-queue",
                      .message_id = "m",
                      .topic = "t",
                      .body = "{}",
                      .mandatory = true});
  EXPECT_THROW(connection.WaitForConfirms(milliseconds{5000}), AmqpError);
  EXPECT_FALSE(connection.broken());
  connection.Publish({.exchange = AmqpNames::Exchange(options_.prefix),
                      .routing_key = "nobody.listens",
                      .message_id = "m",
                      .topic = "nobody.listens",
                      .body = "{}"});
  EXPECT_THROW(connection.WaitForConfirms(milliseconds{5000}), AmqpError)
      << "the exchange is not declared yet: the broker closes the channel";
  EXPECT_TRUE(connection.broken());
}

TEST_F(AmqpBusTest, BadOptionsAndRunOnceAreRejected) {
  AmqpOptions bad = options_;
  bad.prefix = "Bad Prefix";
  EXPECT_THROW(MakeWorker({.amqp = bad}), std::invalid_argument);
  bad = options_;
  bad.url = "amqps://guest:guest@127.0.0.1:5671/%2F";
  EXPECT_THROW(ValidateAmqpOptions(bad), std::invalid_argument);
  bad = options_;
  bad.prefetch = 0;
  EXPECT_THROW(ValidateAmqpOptions(bad), std::invalid_argument);
  Worker& worker = MakeWorker();
  EXPECT_THROW(worker.RunOnce(), std::logic_error);
}

TEST(AmqpNames, NamesAndDelayLevels) {
  EXPECT_EQ(AmqpNames::Exchange("tabel"), "tabel.events");
  EXPECT_EQ(AmqpNames::WorkQueue("tabel", "mail"), "tabel.mail");
  EXPECT_EQ(AmqpNames::DelayQueue("tabel", "mail", milliseconds{2000}), "tabel.mail.delay.2000");
  EXPECT_EQ(AmqpNames::DeadQueue("tabel", "mail"), "tabel.mail.dead");
  QueueSpec spec{.name = "q",
                 .topics = {"t"},
                 .max_attempts = 8,
                 .base_backoff = milliseconds{1000},
                 .max_backoff = milliseconds{5000}};
  EXPECT_EQ(AmqpNames::DelayLevels(spec),
            (std::vector<milliseconds>{milliseconds{1000}, milliseconds{2000}, milliseconds{4000},
                                       milliseconds{5000}}));
  spec.max_attempts = 2;
  EXPECT_EQ(AmqpNames::DelayLevels(spec), std::vector<milliseconds>{milliseconds{1000}});
  spec.max_attempts = 1;
  EXPECT_TRUE(AmqpNames::DelayLevels(spec).empty());
}

}  // namespace
}  // namespace tabel::bus
