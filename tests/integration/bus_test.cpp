// The embedded message bus: outbox, relay, task queue, worker, dead letters
// and metrics, on the backend TABEL_TEST_BACKEND selects. Time is a
// ManualClock except in the tests that run real worker threads.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
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
#include "infra/bus/outbox.hpp"
#include "infra/bus/processed_messages.hpp"
#include "infra/bus/relay.hpp"
#include "infra/bus/task_queue.hpp"
#include "infra/bus/topology.hpp"
#include "infra/bus/worker.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"
#include "infra/log/log.hpp"
#include "infra/metrics/metrics.hpp"
#include "support/eventually.hpp"
#include "support/test_database.hpp"

namespace tabel::bus {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::Eventually;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TestDatabase;

// Counts deliveries per queue and message id; thread-safe.
class Deliveries {
 public:
  void Record(const Delivery& delivery) {
    std::lock_guard lock(mutex_);
    ++counts_[delivery.queue + "/" + delivery.message_id];
    last_[delivery.queue] = delivery;
  }
  int Count(const std::string& queue, const std::string& message_id) const {
    std::lock_guard lock(mutex_);
    const auto found = counts_.find(queue + "/" + message_id);
    return found == counts_.end() ? 0 : found->second;
  }
  int Total() const {
    std::lock_guard lock(mutex_);
    int total = 0;
    for (const auto& [key, count] : counts_) total += count;
    return total;
  }
  Delivery Last(const std::string& queue) const {
    std::lock_guard lock(mutex_);
    return last_.at(queue);
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, int> counts_;
  std::map<std::string, Delivery> last_;
};

int CountRows(db::Database& database, const std::string& sql) {
  return db::WithSession(database, [&](soci::session& session) {
    int count = -1;
    session << sql, soci::into(count);
    return count;
  });
}

// The value of `series` (name and labels, exactly as rendered) in a
// Prometheus text exposition; -1 if it is absent.
double MetricValue(const std::string& exposition, const std::string& series) {
  const size_t at = exposition.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(exposition.substr(at + series.size() + 2));
}

class BusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    topology_.Declare({.name = "mail",
                       .topics = {"user.created"},
                       .max_attempts = 3,
                       .base_backoff = seconds{1},
                       .max_backoff = seconds{60},
                       .lease = seconds{30}});
    topology_.Declare({.name = "audit", .topics = {"user.created", "leave.approved"}});
    topology_.Declare({.name = "reports", .topics = {"leave.approved"}});
  }

  // A worker on `database` (default: the fixture's) with its own metrics
  // registry and jitter fixed at 0, so retry delays are exact.
  Worker& MakeWorker(std::string worker_id, db::Database* database = nullptr, WorkerOptions options = {}) {
    registries_.push_back(std::make_unique<metrics::Registry>());
    options.worker_id = std::move(worker_id);
    if (!options.random) options.random = [] { return 0.0; };
    workers_.push_back(std::make_unique<Worker>(database != nullptr ? *database : *database_, topology_,
                                                clock_.AsClock(), logger_, *registries_.back(), options));
    return *workers_.back();
  }
  metrics::Registry& RegistryOf(size_t worker_index) { return *registries_.at(worker_index); }

  std::string Publish(const std::string& topic, const std::string& payload,
                      std::optional<std::chrono::system_clock::time_point> available_at = std::nullopt,
                      db::Database* database = nullptr) {
    return db::WithWriteTransaction(
        database != nullptr ? *database : *database_, [&](soci::session& session) {
          return outbox_.Add(session, {.topic = topic, .payload = payload, .available_at = available_at});
        });
  }

  // Runs `worker` until it finds nothing to do; returns the tasks processed.
  static int Drain(Worker& worker) {
    int processed = 0;
    while (worker.RunOnce()) ++processed;
    return processed;
  }

  TaskInfo Task(const std::string& queue, const std::string& message_id) {
    std::optional<TaskInfo> task = tasks_.FindByMessage(queue, message_id);
    EXPECT_TRUE(task.has_value()) << queue << "/" << message_id;
    return task.value_or(TaskInfo{});
  }

  void TearDown() override {
    workers_.clear();  // before the database and the registries
  }

  TestDatabase test_database_;
  std::unique_ptr<db::Database> database_ = test_database_.MakeMigrated(4);
  ManualClock clock_;
  log::Logger logger_{log::Level::kError, stderr};
  Topology topology_;
  Outbox outbox_{clock_.AsClock()};
  TaskQueue tasks_{*database_, clock_.AsClock()};
  std::vector<std::unique_ptr<metrics::Registry>> registries_;
  std::vector<std::unique_ptr<Worker>> workers_;
  Deliveries deliveries_;
};

// Subscribes every queue of the fixture's topology with a recording consumer.
void SubscribeAll(Worker& worker, Deliveries& deliveries) {
  for (const char* queue : {"mail", "audit", "reports"}) {
    worker.Subscribe(queue, [&deliveries](const Delivery& delivery) { deliveries.Record(delivery); });
  }
}

TEST_F(BusTest, MessagePublishedInARolledBackTransactionIsNeverDelivered) {
  Worker& worker = MakeWorker("w");
  SubscribeAll(worker, deliveries_);
  EXPECT_THROW(db::WithWriteTransaction(*database_,
                                        [&](soci::session& session) {
                                          outbox_.Add(session, {.topic = "user.created", .payload = "{}"});
                                          throw std::runtime_error("the change failed");
                                        }),
               std::runtime_error);
  EXPECT_EQ(Drain(worker), 0);
  EXPECT_EQ(deliveries_.Total(), 0);
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM outbox"), 0);
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM task_queue"), 0);
}

TEST_F(BusTest, CommittedMessageIsDeliveredOnceToEveryBoundQueueOnly) {
  Worker& worker = MakeWorker("w");
  SubscribeAll(worker, deliveries_);
  const std::string id = db::WithWriteTransaction(*database_, [&](soci::session& session) {
    return outbox_.Add(
        session,
        {.topic = "user.created", .payload = R"({"user_id":"u1"})", .headers = R"({"request_id":"r1"})"});
  });
  EXPECT_TRUE(IsUuid(id)) << id;

  EXPECT_EQ(Drain(worker), 2);
  EXPECT_EQ(Drain(worker), 0);
  EXPECT_EQ(deliveries_.Count("mail", id), 1);
  EXPECT_EQ(deliveries_.Count("audit", id), 1);
  EXPECT_EQ(deliveries_.Count("reports", id), 0);
  EXPECT_EQ(deliveries_.Total(), 2);

  const Delivery mail = deliveries_.Last("mail");
  EXPECT_EQ(mail.message_id, id);
  EXPECT_EQ(mail.queue, "mail");
  EXPECT_EQ(mail.topic, "user.created");
  EXPECT_EQ(mail.payload, R"({"user_id":"u1"})");
  EXPECT_EQ(mail.headers, R"({"request_id":"r1"})");
  EXPECT_EQ(mail.attempt, 1);

  EXPECT_EQ(Task("mail", id).status, "done");
  EXPECT_EQ(Task("audit", id).status, "done");
  EXPECT_EQ(Task("mail", id).locked_by, "");
  EXPECT_FALSE(tasks_.FindByMessage("reports", id).has_value());
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM outbox WHERE published_at IS NOT NULL"), 1);
}

TEST_F(BusTest, MessageOfAnUnboundTopicIsMarkedPublishedWithoutTasks) {
  EmbeddedRelay relay(*database_, topology_, clock_.AsClock(), logger_);
  Publish("nobody.listens", "{}");
  EXPECT_EQ(relay.RelayBatch(), 1u);
  EXPECT_EQ(relay.RelayBatch(), 0u);
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL"), 0);
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM task_queue"), 0);
}

// A relay that crashed after routing but before committing published_at can
// only have rolled back; but even a message relayed twice (published_at
// cleared by hand) must not be enqueued twice.
TEST_F(BusTest, RelayingAMessageAgainDoesNotDuplicateItsTasks) {
  EmbeddedRelay relay(*database_, topology_, clock_.AsClock(), logger_);
  const std::string id = Publish("leave.approved", "{}");
  EXPECT_EQ(relay.RelayBatch(), 1u);
  db::WithSession(*database_,
                  [](soci::session& session) { session << "UPDATE outbox SET published_at = NULL"; });
  EXPECT_EQ(relay.RelayBatch(), 1u);
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM task_queue"), 2);  // audit, reports
  EXPECT_EQ(Task("reports", id).attempts, 0);
}

TEST_F(BusTest, RelayWorksInBatchesOldestFirst) {
  EmbeddedRelay relay(*database_, topology_, clock_.AsClock(), logger_, 2);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Publish("leave.approved", "{}"));
    clock_.Advance(milliseconds{1});
  }
  EXPECT_EQ(relay.RelayBatch(), 2u);
  EXPECT_TRUE(tasks_.FindByMessage("reports", ids[0]).has_value());
  EXPECT_TRUE(tasks_.FindByMessage("reports", ids[1]).has_value());
  EXPECT_FALSE(tasks_.FindByMessage("reports", ids[2]).has_value());
  EXPECT_EQ(relay.RelayBatch(), 2u);
  EXPECT_EQ(relay.RelayBatch(), 1u);
  EXPECT_EQ(relay.RelayBatch(), 0u);
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM task_queue WHERE queue = 'reports'"), 5);
}

TEST_F(BusTest, FailingConsumerIsRetriedWithBackoffUntilItSucceeds) {
  Worker& worker = MakeWorker("w");
  int calls = 0;
  worker.Subscribe("mail", [&](const Delivery& delivery) {
    ++calls;
    EXPECT_EQ(delivery.attempt, calls);
    if (calls <= 2) throw std::runtime_error("smtp down " + std::to_string(calls));
  });
  const std::string id = Publish("user.created", "{}");
  const auto start = clock_.Now();

  EXPECT_TRUE(worker.RunOnce());  // attempt 1 fails
  TaskInfo task = Task("mail", id);
  EXPECT_EQ(task.status, "queued");
  EXPECT_EQ(task.attempts, 1);
  EXPECT_EQ(task.last_error, "smtp down 1");
  EXPECT_EQ(task.available_at, start + seconds{1});  // base_backoff, jitter fixed at 0

  clock_.Advance(milliseconds{999});
  EXPECT_FALSE(worker.RunOnce());  // not due yet
  clock_.Advance(milliseconds{1});
  EXPECT_TRUE(worker.RunOnce());  // attempt 2 fails
  task = Task("mail", id);
  EXPECT_EQ(task.status, "queued");
  EXPECT_EQ(task.attempts, 2);
  EXPECT_EQ(task.available_at, start + seconds{1} + seconds{2});  // doubled

  clock_.Advance(milliseconds{1999});
  EXPECT_FALSE(worker.RunOnce());
  clock_.Advance(milliseconds{1});
  EXPECT_TRUE(worker.RunOnce());  // attempt 3 succeeds
  task = Task("mail", id);
  EXPECT_EQ(task.status, "done");
  EXPECT_EQ(task.attempts, 3);
  EXPECT_EQ(calls, 3);
  EXPECT_FALSE(worker.RunOnce());

  const std::string metrics = RegistryOf(0).Render();
  EXPECT_THAT(metrics, HasSubstr("tabel_tasks_processed_total{queue=\"mail\",outcome=\"retry\"} 2\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_tasks_processed_total{queue=\"mail\",outcome=\"done\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_tasks_processed_total{queue=\"mail\",outcome=\"dead\"} 0\n"));
}

TEST_F(BusTest, RetryDelayIsJitteredWithinBounds) {
  WorkerOptions options;
  options.random = [] { return 0.5; };  // removes a quarter of the delay
  Worker& worker = MakeWorker("w", nullptr, options);
  worker.Subscribe("mail", [](const Delivery&) { throw std::runtime_error("no"); });
  const std::string id = Publish("user.created", "{}");
  const auto start = clock_.Now();
  EXPECT_TRUE(worker.RunOnce());
  EXPECT_EQ(Task("mail", id).available_at, start + milliseconds{750});
}

TEST_F(BusTest, ExhaustedMessageIsDeadLetteredListedAndReplayable) {
  Worker& worker = MakeWorker("w");
  bool healthy = false;
  int calls = 0;
  worker.Subscribe("mail", [&](const Delivery&) {
    ++calls;
    if (!healthy) throw std::runtime_error("template missing");
  });
  const std::string id = Publish("user.created", "{}");
  for (int i = 0; i < 10; ++i) {
    worker.RunOnce();
    clock_.Advance(minutes{5});
  }
  EXPECT_EQ(calls, 3);  // max_attempts of "mail"
  TaskInfo task = Task("mail", id);
  EXPECT_EQ(task.status, "dead");
  EXPECT_EQ(task.attempts, 3);

  const std::vector<TaskInfo> dead = tasks_.ListDead(std::nullopt, 100);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, task.id);
  EXPECT_EQ(dead[0].message_id, id);
  EXPECT_EQ(dead[0].queue, "mail");
  EXPECT_EQ(dead[0].topic, "user.created");
  EXPECT_EQ(dead[0].attempts, 3);
  EXPECT_EQ(dead[0].last_error, "template missing");
  EXPECT_EQ(dead[0].updated_at, task.updated_at);
  EXPECT_EQ(tasks_.ListDead(std::string("mail"), 10).size(), 1u);
  EXPECT_TRUE(tasks_.ListDead(std::string("audit"), 10).empty());

  healthy = true;
  tasks_.Replay(task.id);
  task = Task("mail", id);
  EXPECT_EQ(task.status, "queued");
  EXPECT_EQ(task.attempts, 0);
  EXPECT_EQ(task.available_at, clock_.Now());
  EXPECT_TRUE(worker.RunOnce());
  EXPECT_EQ(Task("mail", id).status, "done");
  EXPECT_EQ(calls, 4);
  EXPECT_TRUE(tasks_.ListDead(std::nullopt, 100).empty());

  // Only a dead task can be replayed.
  for (const std::string& missing : {task.id, NewUuid()}) {
    try {
      tasks_.Replay(missing);
      ADD_FAILURE() << "Replay of a task that is not dead succeeded";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kNotFound);
    }
  }
  const std::string metrics = RegistryOf(0).Render();
  EXPECT_THAT(metrics, HasSubstr("tabel_tasks_processed_total{queue=\"mail\",outcome=\"dead\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_tasks_processed_total{queue=\"mail\",outcome=\"retry\"} 2\n"));
}

TEST_F(BusTest, PermanentFailureIsDeadLetteredAtOnce) {
  Worker& worker = MakeWorker("w");
  int calls = 0;
  worker.Subscribe("mail", [&](const Delivery&) {
    ++calls;
    throw PermanentFailure("payload has no user_id");
  });
  const std::string id = Publish("user.created", "{}");
  EXPECT_TRUE(worker.RunOnce());
  clock_.Advance(hours{1});
  EXPECT_FALSE(worker.RunOnce());
  EXPECT_EQ(calls, 1);
  const TaskInfo task = Task("mail", id);
  EXPECT_EQ(task.status, "dead");
  EXPECT_EQ(task.attempts, 1);
  EXPECT_EQ(task.last_error, "payload has no user_id");
}

TEST_F(BusTest, ErrorTextIsStoredAsBoundedValidUtf8) {
  Worker& worker = MakeWorker("w");
  worker.Subscribe("mail", [&](const Delivery&) {
    throw PermanentFailure("bad byte \xff then " + std::string(5000, 'x') + " \xd0\x96");
  });
  const std::string id = Publish("user.created", "{}");
  EXPECT_TRUE(worker.RunOnce());
  const TaskInfo task = Task("mail", id);
  EXPECT_EQ(task.status, "dead");
  EXPECT_EQ(task.last_error.size(), kMaxErrorLength);
  EXPECT_EQ(task.last_error.substr(0, 15), "bad byte ? then");
}

TEST_F(BusTest, ScheduledMessageIsNotDeliveredBeforeItsTime) {
  Worker& worker = MakeWorker("w");
  SubscribeAll(worker, deliveries_);
  const std::string id = Publish("leave.approved", "{}", clock_.Now() + hours{1});
  EXPECT_EQ(Drain(worker), 0);
  clock_.Advance(minutes{59});
  EXPECT_EQ(Drain(worker), 0);
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL"), 1);
  EXPECT_EQ(deliveries_.Total(), 0);
  clock_.Advance(minutes{1});
  EXPECT_EQ(Drain(worker), 2);
  EXPECT_EQ(deliveries_.Count("audit", id), 1);
  EXPECT_EQ(deliveries_.Count("reports", id), 1);
}

// Worker A claims a task and stalls past its lease (as if its process had
// died); worker B takes the task over. A's late outcome must not change B's.
TEST_F(BusTest, TaskOfAStalledWorkerIsTakenOverAfterItsLeaseAndTheLateOutcomeIsIgnored) {
  Worker& a = MakeWorker("worker-a");
  Worker& b = MakeWorker("worker-b");
  std::vector<int> b_attempts;
  b.Subscribe("mail", [&](const Delivery& delivery) { b_attempts.push_back(delivery.attempt); });
  std::string message_id;
  bool a_ran = false;
  a.Subscribe("mail", [&](const Delivery& delivery) {
    a_ran = true;
    const TaskInfo held = Task("mail", delivery.message_id);
    EXPECT_EQ(held.status, "running");
    EXPECT_THAT(held.locked_by, HasSubstr("worker-a"));
    EXPECT_EQ(held.locked_until, clock_.Now() + seconds{30});
    EXPECT_FALSE(b.RunOnce());  // the lease still holds
    clock_.Advance(seconds{31});
    EXPECT_TRUE(b.RunOnce());                      // expired: B processes it
    throw std::runtime_error("A's late failure");  // would schedule a retry
  });
  message_id = Publish("user.created", "{}");
  EXPECT_TRUE(a.RunOnce());
  EXPECT_TRUE(a_ran);
  EXPECT_EQ(b_attempts, std::vector<int>{2});
  const TaskInfo task = Task("mail", message_id);
  EXPECT_EQ(task.status, "done");
  EXPECT_EQ(task.attempts, 2);
  EXPECT_EQ(task.last_error, "");
  EXPECT_EQ(task.locked_by, "");
  EXPECT_THAT(RegistryOf(0).Render(),
              HasSubstr("tabel_tasks_processed_total{queue=\"mail\",outcome=\"retry\"} 0\n"));
}

// The same with the repository: A claims and never comes back; B's outcome
// stands whatever A reports afterwards.
TEST_F(BusTest, LateOutcomeOfAnExpiredClaimChangesNothing) {
  EmbeddedRelay relay(*database_, topology_, clock_.AsClock(), logger_);
  const std::string id = Publish("user.created", "{}");
  relay.RelayBatch();
  const std::optional<ClaimedTask> a = tasks_.Claim("mail", "a-1", seconds{30});
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->delivery.attempt, 1);
  EXPECT_FALSE(tasks_.Claim("mail", "b-1", seconds{30}).has_value());
  clock_.Advance(seconds{31});
  const std::optional<ClaimedTask> b = tasks_.Claim("mail", "b-2", seconds{30});
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->delivery.task_id, a->delivery.task_id);
  EXPECT_EQ(b->delivery.attempt, 2);
  EXPECT_TRUE(tasks_.MarkRetry(b->delivery.task_id, "b-2", clock_.Now() + hours{1}, "b failed"));

  EXPECT_FALSE(tasks_.MarkDone(a->delivery.task_id, "a-1"));
  EXPECT_FALSE(tasks_.MarkDead(a->delivery.task_id, "a-1", "a gave up"));
  EXPECT_FALSE(tasks_.MarkRetry(a->delivery.task_id, "a-1", clock_.Now(), "a failed"));
  const TaskInfo task = Task("mail", id);
  EXPECT_EQ(task.status, "queued");
  EXPECT_EQ(task.last_error, "b failed");
  EXPECT_EQ(task.available_at, clock_.Now() + hours{1});
}

// A consumer that kills its worker on every attempt ends dead instead of
// crashing workers forever.
TEST_F(BusTest, TaskWhoseFinalAttemptLeaseExpiredIsDeadLettered) {
  EmbeddedRelay relay(*database_, topology_, clock_.AsClock(), logger_);
  const std::string id = Publish("user.created", "{}");
  relay.RelayBatch();
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_TRUE(tasks_.Claim("mail", "crasher-" + std::to_string(attempt), seconds{30}).has_value());
    clock_.Advance(seconds{31});
  }
  Worker& worker = MakeWorker("w");
  int calls = 0;
  worker.Subscribe("mail", [&](const Delivery&) { ++calls; });
  EXPECT_TRUE(worker.RunOnce());
  EXPECT_EQ(calls, 0);
  const TaskInfo task = Task("mail", id);
  EXPECT_EQ(task.status, "dead");
  EXPECT_THAT(task.last_error, HasSubstr("lease"));
}

// Messages left in the outbox and the queue by one process (one of them
// mid-delivery when it died) are processed by the next one.
TEST_F(BusTest, NewInstanceProcessesWhatThePreviousOneLeft) {
  std::vector<std::string> ids;
  {
    auto first_database = test_database_.MakeDatabase(2);
    Worker& first = MakeWorker("first", first_database.get());
    SubscribeAll(first, deliveries_);
    for (int i = 0; i < 3; ++i)
      ids.push_back(Publish("user.created", "{}", std::nullopt, first_database.get()));
    EXPECT_TRUE(first.RunOnce());  // relays all three, delivers one
    ids.push_back(Publish("leave.approved", "{}", std::nullopt, first_database.get()));  // never relayed
    // A claim that its process never completes.
    TaskQueue first_tasks(*first_database, clock_.AsClock());
    ASSERT_TRUE(first_tasks.Claim("audit", "first#dead.1", seconds{60}).has_value());
    workers_.clear();
  }
  EXPECT_EQ(deliveries_.Total(), 1);

  auto second_database = test_database_.MakeDatabase(2);
  Worker& second = MakeWorker("second", second_database.get());
  SubscribeAll(second, deliveries_);
  EXPECT_EQ(Drain(second), 8 - 1 - 1);  // all tasks but the delivered one and the claimed one
  clock_.Advance(seconds{61});
  EXPECT_EQ(Drain(second), 1);  // the abandoned claim, after its lease
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(deliveries_.Count("mail", ids[i]), 1) << i;
    EXPECT_EQ(deliveries_.Count("audit", ids[i]), 1) << i;
  }
  EXPECT_EQ(deliveries_.Count("audit", ids[3]), 1);
  EXPECT_EQ(deliveries_.Count("reports", ids[3]), 1);
  EXPECT_EQ(deliveries_.Total(), 8);
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM task_queue WHERE status <> 'done'"), 0);
}

TEST_F(BusTest, MarkProcessedRecordsEachMessageOncePerConsumer) {
  const auto now = clock_.Now();
  auto mark = [&](const std::string& consumer, const std::string& message_id) {
    return db::WithWriteTransaction(*database_, [&](soci::session& session) {
      return MarkProcessed(session, consumer, message_id, now);
    });
  };
  EXPECT_TRUE(mark("mail.welcome", "m1"));
  EXPECT_FALSE(mark("mail.welcome", "m1"));
  EXPECT_TRUE(mark("audit.log", "m1"));
  EXPECT_TRUE(mark("mail.welcome", "m2"));
  // Recorded only if the consumer's transaction commits.
  EXPECT_THROW(db::WithWriteTransaction(*database_,
                                        [&](soci::session& session) {
                                          EXPECT_TRUE(MarkProcessed(session, "mail.welcome", "m3", now));
                                          throw std::runtime_error("effect failed");
                                        }),
               std::runtime_error);
  EXPECT_TRUE(mark("mail.welcome", "m3"));

  EXPECT_EQ(PruneProcessed(*database_, now), 0u);
  EXPECT_EQ(PruneProcessed(*database_, now + seconds{1}), 4u);
  EXPECT_TRUE(mark("mail.welcome", "m1"));
}

// The duplicate window: the consumer's effect committed but its task was not
// marked done (here it fails right after the commit; a crash or a lost lease
// does the same). The redelivery finds the message recorded and does nothing.
TEST_F(BusTest, RedeliveryAfterTheEffectCommittedHasNoSecondEffect) {
  Worker& worker = MakeWorker("w");
  int deliveries = 0;
  int effects = 0;
  worker.Subscribe("mail", [&](const Delivery& delivery) {
    ++deliveries;
    db::WithWriteTransaction(*database_, [&](soci::session& session) {
      if (MarkProcessed(session, "mail.welcome", delivery.message_id, clock_.Now())) ++effects;
    });
    if (delivery.attempt == 1) throw std::runtime_error("died before the ack");
  });
  const std::string id = Publish("user.created", "{}");
  EXPECT_TRUE(worker.RunOnce());
  clock_.Advance(seconds{1});
  EXPECT_TRUE(worker.RunOnce());
  EXPECT_EQ(deliveries, 2);
  EXPECT_EQ(effects, 1);
  EXPECT_EQ(Task("mail", id).status, "done");
}

TEST_F(BusTest, PruneDoneRemovesOnlyOldDoneTasks) {
  Worker& worker = MakeWorker("w");
  worker.Subscribe("mail", [](const Delivery& delivery) {
    if (delivery.payload == "\"bad\"") throw PermanentFailure("bad");
  });
  const std::string old_id = Publish("user.created", "{}");
  const std::string bad_id = Publish("user.created", "\"bad\"");
  EXPECT_EQ(Drain(worker), 2);
  clock_.Advance(hours{24});
  const std::string new_id = Publish("user.created", "{}");
  EXPECT_EQ(Drain(worker), 1);
  EXPECT_EQ(tasks_.PruneDone(clock_.Now() - hours{1}), 1u);
  EXPECT_FALSE(tasks_.FindByMessage("mail", old_id).has_value());
  EXPECT_EQ(Task("mail", bad_id).status, "dead");
  EXPECT_EQ(Task("mail", new_id).status, "done");
  EXPECT_EQ(Task("audit", old_id).status, "queued");
}

TEST_F(BusTest, HousekeepingDeletesOnlyExpiredDoneTasksAndProcessedRecords) {
  WorkerOptions options;
  options.retain_done = hours{24};
  options.retain_processed = hours{48};
  Worker& worker = MakeWorker("w", nullptr, options);
  worker.Subscribe("mail", [](const Delivery&) {});
  const std::string old_id = Publish("user.created", "{}");
  EXPECT_EQ(Drain(worker), 1);
  db::WithWriteTransaction(*database_, [&](soci::session& session) {
    return MarkProcessed(session, "mailer", old_id, clock_.Now());
  });
  clock_.Advance(hours{25});
  const std::string new_id = Publish("user.created", "{}");
  EXPECT_EQ(Drain(worker), 1);

  EXPECT_EQ(worker.Housekeep(), 1u);  // the old done task; the processed record is kept 48 h
  EXPECT_FALSE(tasks_.FindByMessage("mail", old_id).has_value());
  EXPECT_EQ(Task("mail", new_id).status, "done");
  EXPECT_EQ(Task("audit", old_id).status, "queued");  // never done: not housekeeping's to delete

  clock_.Advance(hours{30});
  EXPECT_EQ(worker.Housekeep(), 2u);  // now the processed record and the second done task
  const bool recorded_again = db::WithWriteTransaction(*database_, [&](soci::session& session) {
    return MarkProcessed(session, "mailer", old_id, clock_.Now());
  });
  EXPECT_TRUE(recorded_again);
}

TEST_F(BusTest, QueueDepthMetricsRenderTheRightNumbers) {
  Worker& worker = MakeWorker("w");
  worker.Subscribe("mail", [](const Delivery& delivery) {
    if (delivery.payload == "\"poison\"") throw PermanentFailure("poison");
  });
  Publish("user.created", "{}");
  Publish("user.created", "{}");
  const std::string poison = Publish("user.created", "\"poison\"");
  Publish("leave.approved", "{}", clock_.Now() + hours{2});  // scheduled
  EXPECT_EQ(Drain(worker), 3);
  Publish("leave.approved", "{}");  // due, not relayed yet
  clock_.Advance(seconds{90});

  std::string metrics = RegistryOf(0).Render();
  EXPECT_THAT(metrics, HasSubstr("# TYPE tabel_queue_tasks gauge\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_queue_tasks{queue=\"mail\",status=\"done\"} 2\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_queue_tasks{queue=\"mail\",status=\"dead\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_queue_tasks{queue=\"mail\",status=\"queued\"} 0\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_queue_tasks{queue=\"mail\",status=\"running\"} 0\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_queue_tasks{queue=\"audit\",status=\"queued\"} 3\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_queue_tasks{queue=\"reports\",status=\"queued\"} 0\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_outbox_unpublished 2\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_outbox_oldest_unpublished_seconds 90\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_tasks_processed_total{queue=\"mail\",outcome=\"done\"} 2\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_tasks_processed_total{queue=\"mail\",outcome=\"dead\"} 1\n"));

  // Replayed and relayed: the dead series drops back to 0, the backlog empties.
  tasks_.Replay(Task("mail", poison).id);
  EXPECT_EQ(Drain(worker), 1);  // relays the due leave.approved, dead again
  clock_.Advance(hours{2});
  EXPECT_EQ(Drain(worker), 0);  // relays the scheduled one; no mail tasks
  metrics = RegistryOf(0).Render();
  EXPECT_THAT(metrics, HasSubstr("tabel_queue_tasks{queue=\"mail\",status=\"dead\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_queue_tasks{queue=\"reports\",status=\"queued\"} 2\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_outbox_unpublished 0\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_outbox_oldest_unpublished_seconds 0\n"));
  tasks_.PruneDone(clock_.Now() + seconds{1});
  db::WithSession(*database_,
                  [](soci::session& session) { session << "DELETE FROM task_queue WHERE status = 'dead'"; });
  metrics = RegistryOf(0).Render();
  EXPECT_THAT(metrics, HasSubstr("tabel_queue_tasks{queue=\"mail\",status=\"dead\"} 0\n"));
  EXPECT_THAT(metrics, HasSubstr("tabel_queue_tasks{queue=\"mail\",status=\"done\"} 0\n"));
}

// Two workers (two processes' worth: separate pools) with two consumer
// threads each, on real threads and the real clock: every one of 300
// messages is processed exactly once.
TEST_F(BusTest, TwoWorkersWithTwoThreadsEachProcessEveryMessageExactlyOnce) {
  constexpr int kMessages = 300;
  Topology topology;
  topology.Declare({.name = "work", .topics = {"work.item"}, .lease = seconds{120}});
  std::mutex mutex;
  std::map<std::string, int> deliveries;  // guarded by mutex
  std::atomic<int> duplicates{0};
  std::atomic<int> effects{0};
  metrics::Registry registry_a, registry_b;
  auto database_a = test_database_.MakeDatabase(4);
  auto database_b = test_database_.MakeDatabase(4);
  WorkerOptions options;
  options.consumer_threads = 2;
  options.poll_interval = milliseconds{20};
  options.relay_batch = 25;
  auto make_consumer = [&](db::Database& database) {
    return [&mutex, &deliveries, &effects, &duplicates, &database](const Delivery& delivery) {
      {
        std::lock_guard lock(mutex);
        ++deliveries[delivery.message_id];
      }
      std::this_thread::sleep_for(milliseconds{1});  // some work, so claims interleave
      db::WithWriteTransaction(database, [&](soci::session& session) {
        if (MarkProcessed(session, "work.test", delivery.message_id, std::chrono::system_clock::now())) {
          ++effects;
        } else {
          ++duplicates;
        }
      });
    };
  };
  options.worker_id = "a";
  auto a = std::make_unique<Worker>(*database_a, topology, SystemClock(), logger_, registry_a, options);
  options.worker_id = "b";
  auto b = std::make_unique<Worker>(*database_b, topology, SystemClock(), logger_, registry_b, options);
  a->Subscribe("work", make_consumer(*database_a));
  b->Subscribe("work", make_consumer(*database_b));
  a->Start();
  b->Start();

  Outbox outbox(SystemClock());
  std::vector<std::string> ids;
  for (int batch = 0; batch < kMessages / 10; ++batch) {
    auto added = db::WithWriteTransaction(*database_, [&](soci::session& session) {
      std::vector<std::string> batch_ids;
      for (int i = 0; i < 10; ++i) {
        batch_ids.push_back(outbox.Add(session, {.topic = "work.item", .payload = std::to_string(batch)}));
      }
      return batch_ids;
    });
    ids.insert(ids.end(), added.begin(), added.end());
    (batch % 2 == 0 ? a : b)->Wake();
  }

  Eventually(
      [&] {
        return CountRows(*database_, "SELECT COUNT(*) FROM task_queue WHERE status = 'done'") >= kMessages;
      },
      seconds{120}, milliseconds{50});
  a->Stop();
  b->Stop();

  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM task_queue WHERE status = 'done'"), kMessages);
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM task_queue"), kMessages);
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM processed_messages"), kMessages);
  EXPECT_EQ(CountRows(*database_, "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL"), 0);
  std::lock_guard lock(mutex);
  EXPECT_EQ(deliveries.size(), static_cast<size_t>(kMessages));
  for (const std::string& id : ids) EXPECT_EQ(deliveries[id], 1) << id;
  EXPECT_EQ(effects.load(), kMessages);
  EXPECT_EQ(duplicates.load(), 0);
  const std::string done = "tabel_tasks_processed_total{queue=\"work\",outcome=\"done\"}";
  const double done_a = MetricValue(registry_a.Render(), done);
  const double done_b = MetricValue(registry_b.Render(), done);
  EXPECT_EQ(done_a + done_b, kMessages);
  // Both workers took part. Only asserted on PostgreSQL: SQLite's busy
  // handler is not fair, so one process's threads may take every write lock
  // for the whole (short) run; correctness does not depend on it.
  if (test_database_.dialect() == db::Dialect::kPostgresql) {
    EXPECT_GT(done_a, 0.0);
    EXPECT_GT(done_b, 0.0);
  }
}

// Stop lets a running consumer finish and record its outcome.
TEST_F(BusTest, StopWaitsForTheRunningConsumer) {
  WorkerOptions options;
  options.poll_interval = milliseconds{10};
  Worker& worker = MakeWorker("w", nullptr, options);
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  worker.Subscribe("mail", [&](const Delivery&) {
    started = true;
    std::this_thread::sleep_for(milliseconds{300});
    finished = true;
  });
  const std::string id = Publish("user.created", "{}");
  worker.Start();
  worker.Wake();
  ASSERT_TRUE(Eventually([&] { return started.load(); }, seconds{30}, milliseconds{5}));
  worker.Stop();
  EXPECT_TRUE(finished);
  EXPECT_EQ(Task("mail", id).status, "done");
  worker.Stop();  // idempotent
  EXPECT_THROW(worker.Start(), std::logic_error);
}

// Losing every database connection (a PostgreSQL restart; on SQLite nothing
// happens) must not stop the worker threads.
TEST_F(BusTest, WorkerKeepsGoingAfterLosingItsConnections) {
  WorkerOptions options;
  options.poll_interval = milliseconds{20};
  auto database = test_database_.MakeDatabase(3);
  Worker& worker = MakeWorker("w", database.get(), options);
  SubscribeAll(worker, deliveries_);
  worker.Start();
  auto wait_for = [&](int total) {
    Eventually([&] { return deliveries_.Total() >= total; }, seconds{60}, milliseconds{10});
    return deliveries_.Total();
  };
  Publish("leave.approved", "{}");
  worker.Wake();
  EXPECT_EQ(wait_for(2), 2);
  test_database_.TerminateConnections();
  const std::string id = Publish("leave.approved", "{}");
  EXPECT_EQ(wait_for(4), 4);
  EXPECT_EQ(deliveries_.Count("reports", id), 1);
  worker.Stop();
}

TEST_F(BusTest, WorkerRejectsMisuse) {
  Worker& worker = MakeWorker("w");
  EXPECT_THROW(worker.Subscribe("nope", [](const Delivery&) {}), std::invalid_argument);
  EXPECT_THROW(worker.Subscribe("mail", Consumer{}), std::invalid_argument);
  worker.Subscribe("mail", [](const Delivery&) {});
  EXPECT_THROW(worker.Subscribe("mail", [](const Delivery&) {}), std::invalid_argument);
  // One worker per registry: the metric names are taken.
  EXPECT_THROW(Worker(*database_, topology_, clock_.AsClock(), logger_, RegistryOf(0)),
               std::invalid_argument);
  worker.Start();
  EXPECT_THROW(worker.Subscribe("audit", [](const Delivery&) {}), std::logic_error);
  EXPECT_THROW(worker.RunOnce(), std::logic_error);
  EXPECT_THROW(worker.Start(), std::logic_error);
  worker.Stop();
}

TEST_F(BusTest, OutboxRejectsInvalidMessagesAndDuplicateIds) {
  auto add = [&](OutgoingMessage message) {
    return db::WithWriteTransaction(*database_,
                                    [&](soci::session& session) { return outbox_.Add(session, message); });
  };
  for (const char* topic : {"", "Upper.Case", "spaces here", "ünïcode"}) {
    try {
      add({.topic = topic, .payload = "{}"});
      ADD_FAILURE() << "accepted topic '" << topic << "'";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kInternal);
    }
  }
  EXPECT_THROW(add({.topic = "user.created", .payload = ""}), Error);
  EXPECT_EQ(add({.topic = "user.created", .payload = "{}", .id = "fixed-id"}), "fixed-id");
  try {
    add({.topic = "user.created", .payload = "{}", .id = "fixed-id"});
    ADD_FAILURE() << "a reused message id was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kConflict);
  }
}

// The collector must never throw out of Render, even with no database.
TEST(BusOutage, WorkerAndMetricsSurviveAnUnreachableDatabase) {
  db::DatabaseOptions options;
  options.url = "postgresql://postgres@127.0.0.1:1/postgres";  // nothing listens on port 1
  options.connect_timeout = seconds{1};
  options.acquire_timeout = milliseconds{200};
  db::Database database(options);
  Topology topology;
  topology.Declare({.name = "mail", .topics = {"user.created"}});
  log::Logger logger(log::Level::kError, stderr);
  metrics::Registry registry;
  WorkerOptions worker_options;
  worker_options.poll_interval = milliseconds{10};
  Worker worker(database, topology, SystemClock(), logger, registry, worker_options);
  worker.Subscribe("mail", [](const Delivery&) {});
  EXPECT_THROW(worker.RunOnce(), Error);
  worker.Start();
  std::this_thread::sleep_for(milliseconds{300});
  std::string metrics;
  EXPECT_NO_THROW(metrics = registry.Render());
  EXPECT_THAT(metrics, HasSubstr("tabel_outbox_unpublished 0\n"));
  const auto stop_started = std::chrono::steady_clock::now();
  worker.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, seconds{5});
}

}  // namespace
}  // namespace tabel::bus
