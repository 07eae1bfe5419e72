#include "infra/bus/worker.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include "common/error.hpp"
#include "common/uuid.hpp"
#include "infra/bus/amqp_relay.hpp"
#include "infra/bus/processed_messages.hpp"

namespace tabel::bus {
namespace {

using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr std::array<std::string_view, 4> kStatuses = {"queued", "running", "done", "dead"};
constexpr std::array<std::string_view, 3> kOutcomes = {"done", "retry", "dead"};

// A scrape waits at most this long for a database session.
constexpr milliseconds kStatsAcquireTimeout{250};
// A RabbitMQ consumer thread looks at Stop() at least this often, and
// services its connection this often (or four times per heartbeat) while a
// consumer runs.
constexpr milliseconds kAmqpWakeInterval{1000};

std::string DefaultWorkerId() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "host");
  return std::string(host) + "-" + std::to_string(::getpid()) + "-" + NewUuid().substr(0, 6);
}

// The text of a failure for logs: a tabel::Error's detail and internal
// detail, otherwise what().
std::string Describe(const std::exception& error) {
  if (const auto* tabel_error = dynamic_cast<const Error*>(&error)) {
    if (tabel_error->internal().empty()) return tabel_error->detail();
    return tabel_error->detail() + " (" + tabel_error->internal() + ")";
  }
  return error.what();
}

// A broker delivery of `spec`'s work queue as the consumers see it; the
// task id is new for each delivery.
Delivery DeliveryOf(const QueueSpec& spec, const AmqpDelivery& incoming) {
  return {.task_id = NewUuid(),
          .message_id = incoming.message_id,
          .queue = spec.name,
          .topic = incoming.topic,
          .payload = incoming.body,
          .headers = incoming.headers,
          .attempt = incoming.attempt};
}

// Rate-limits the error lines of one polling loop and computes its backoff.
class FailureLog {
 public:
  FailureLog(log::Logger& logger, std::string_view event, const std::string& worker_id,
             milliseconds poll_interval, milliseconds max_pause)
      : logger_(logger),
        event_(event),
        worker_id_(worker_id),
        poll_interval_(poll_interval),
        max_pause_(std::max(poll_interval, max_pause)) {}

  // Records a failure; returns how long to wait before the next poll.
  milliseconds Failed(const std::string& error) {
    ++consecutive_;
    const SteadyTime now = std::chrono::steady_clock::now();
    if (consecutive_ == 1 || now - last_logged_ >= Worker::kErrorLogInterval) {
      logger_.Warn(event_, {{"worker_id", worker_id_},
                            {"error", error},
                            {"consecutive_failures", consecutive_},
                            {"suppressed", suppressed_}});
      last_logged_ = now;
      suppressed_ = 0;
    } else {
      ++suppressed_;
    }
    const int doublings = std::min(consecutive_ - 1, 16);
    const milliseconds pause = poll_interval_ * (1LL << doublings);
    return std::clamp(pause, poll_interval_, max_pause_);
  }

  void Succeeded() {
    if (consecutive_ == 0) return;
    logger_.Info("bus_recovered", {{"worker_id", worker_id_}, {"after", event_}, {"failures", consecutive_}});
    consecutive_ = 0;
    suppressed_ = 0;
  }

 private:
  log::Logger& logger_;
  std::string_view event_;
  const std::string& worker_id_;
  milliseconds poll_interval_;
  milliseconds max_pause_;
  int consecutive_ = 0;
  long suppressed_ = 0;
  SteadyTime last_logged_{};
};

}  // namespace

// State of the metrics collector, which the registry may run after the
// Worker is gone: the Worker's destructor clears `alive` under the mutex.
struct Worker::MetricsState {
  std::mutex mutex;
  bool alive = true;  // guarded by mutex
  TaskQueue* queue = nullptr;
  const Topology* topology = nullptr;
  log::Logger* logger = nullptr;
  metrics::GaugeFamily* tasks = nullptr;  // the embedded queue only
  metrics::Gauge* unpublished = nullptr;
  metrics::Gauge* oldest_seconds = nullptr;
  // Every (queue, status) series ever set, reset to 0 when it has no rows.
  std::set<std::pair<std::string, std::string>> series;  // guarded by mutex
  SteadyTime last_error_logged{};                        // guarded by mutex

  void SetTasks(const QueueStats& stats) {
    for (const QueueSpec& spec : topology->queues()) {
      for (std::string_view status : kStatuses) series.emplace(spec.name, status);
    }
    std::map<std::pair<std::string, std::string>, long long> counts;
    for (const QueueDepth& depth : stats.tasks) {
      counts[{depth.queue, depth.status}] = depth.count;
      series.emplace(depth.queue, depth.status);
    }
    for (const auto& key : series) {
      const auto found = counts.find(key);
      tasks->WithLabels({key.first, key.second})
          .Set(found == counts.end() ? 0.0 : static_cast<double>(found->second));
    }
  }

  void Collect() noexcept {
    try {
      std::lock_guard lock(mutex);
      if (!alive) return;
      QueueStats stats;
      try {
        stats = queue->Stats(kStatsAcquireTimeout);
      } catch (const std::exception& error) {
        const SteadyTime now = std::chrono::steady_clock::now();
        if (now - last_error_logged >= Worker::kErrorLogInterval) {
          logger->Warn("bus_metrics_failed", {{"error", Describe(error)}});
          last_error_logged = now;
        }
        return;
      }
      if (tasks != nullptr) SetTasks(stats);
      unpublished->Set(static_cast<double>(stats.outbox_unpublished));
      oldest_seconds->Set(stats.outbox_oldest_due_seconds);
    } catch (...) {
      // A collector must never throw; the previous values stay.
    }
  }
};

Worker::Worker(db::Database& database, const Topology& topology, const Clock& clock, log::Logger& logger,
               metrics::Registry& registry, const WorkerOptions& options)
    : Worker(database, topology, clock, logger, registry, options, nullptr, /*own_relay=*/true) {}

Worker::Worker(db::Database& database, const Topology& topology, Clock clock, log::Logger& logger,
               metrics::Registry& registry, WorkerOptions options, std::unique_ptr<Relay> relay)
    : Worker(database, topology, std::move(clock), logger, registry, std::move(options), std::move(relay),
             /*own_relay=*/false) {}

Worker::Worker(db::Database& database, const Topology& topology, Clock clock, log::Logger& logger,
               metrics::Registry& registry, WorkerOptions options, std::unique_ptr<Relay> relay,
               bool own_relay)
    : database_(database),
      topology_(topology),
      clock_(std::move(clock)),
      logger_(logger),
      options_(std::move(options)),
      worker_id_(options_.worker_id.empty() ? DefaultWorkerId() : options_.worker_id),
      incarnation_(NewUuid().substr(0, 8)),
      relay_(std::move(relay)),
      queue_(database_, clock_),
      random_(options_.random ? options_.random : DefaultUnitRandom()),
      processed_total_(registry.AddCounter("tabel_tasks_processed_total",
                                           "Deliveries of queued tasks by outcome (done, retry, dead).",
                                           {"queue", "outcome"})) {
  if (amqp()) {
    ValidateAmqpOptions(options_.amqp);
    confirm_failures_ = &registry.AddCounter(
        "tabel_amqp_confirm_failures_total",
        "Publishes to RabbitMQ the broker did not confirm (nack, timeout, lost connection).", {"role"});
    reconnects_ =
        &registry.AddCounter("tabel_amqp_reconnects_total",
                             "RabbitMQ connections opened after one was lost or refused.", {"role"});
    for (std::string_view role : {"relay", "consumer"}) {
      confirm_failures_->WithLabels({role});
      reconnects_->WithLabels({role});
    }
  }
  if (!relay_ && own_relay) {
    if (amqp()) {
      relay_ = std::make_unique<AmqpRelay>(database_, topology_, clock_, logger_, options_.amqp,
                                           options_.relay_batch, &confirm_failures_->WithLabels({"relay"}),
                                           &reconnects_->WithLabels({"relay"}));
    } else {
      relay_ = std::make_unique<EmbeddedRelay>(database_, topology_, clock_, logger_, options_.relay_batch);
    }
  }
  if (!relay_) throw std::invalid_argument("the bus worker needs a relay");
  if (options_.poll_interval.count() <= 0) {
    throw std::invalid_argument("the bus worker poll interval must be positive");
  }
  if (options_.relay_batch == 0) throw std::invalid_argument("the bus relay batch must be at least 1");
  metrics_state_ = std::make_shared<MetricsState>();
  metrics_state_->queue = &queue_;
  metrics_state_->topology = &topology_;
  metrics_state_->logger = &logger_;
  if (!amqp()) {
    metrics_state_->tasks =
        &registry.AddGauge("tabel_queue_tasks", "Tasks in the queue by status.", {"queue", "status"});
  }
  metrics_state_->unpublished =
      &registry
           .AddGauge("tabel_outbox_unpublished",
                     "Outbox messages not yet published, scheduled ones included.", {})
           .WithLabels({});
  metrics_state_->oldest_seconds =
      &registry
           .AddGauge("tabel_outbox_oldest_unpublished_seconds",
                     "Age of the oldest due outbox message not yet published (0 if none).", {})
           .WithLabels({});
  registry.AddCollector([state = metrics_state_] { state->Collect(); });
}

Worker::~Worker() {
  Stop();
  std::lock_guard lock(metrics_state_->mutex);
  metrics_state_->alive = false;
}

void Worker::Subscribe(const std::string& queue, Consumer consumer) {
  if (started_) throw std::logic_error("bus: Subscribe after Start");
  const QueueSpec* spec = topology_.Find(queue);
  if (spec == nullptr) throw std::invalid_argument("bus: the topology declares no queue '" + queue + "'");
  if (!consumer) throw std::invalid_argument("bus: empty consumer for queue '" + queue + "'");
  for (const Subscription& subscription : subscriptions_) {
    if (subscription.spec == spec) throw std::invalid_argument("bus: queue '" + queue + "' subscribed twice");
  }
  subscriptions_.push_back({spec, std::move(consumer)});
  for (std::string_view outcome : kOutcomes) processed_total_.WithLabels({queue, outcome});
}

void Worker::Start() {
  if (started_) throw std::logic_error("bus: the worker is already started");
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw std::logic_error("bus: a stopped worker cannot be restarted");
  }
  started_ = true;
  try {
    threads_.emplace_back([this] { RelayLoop(); });
    if (!subscriptions_.empty()) {
      for (size_t i = 0; i < options_.consumer_threads; ++i)
        threads_.emplace_back([this] { ConsumerLoop(); });
    }
  } catch (...) {
    Stop();
    throw;
  }
  logger_.Info("bus_worker_started",
               {{"worker_id", worker_id_},
                {"transport", amqp() ? "rabbitmq" : "embedded"},
                {"queues", subscriptions_.size()},
                {"consumer_threads", subscriptions_.empty() ? 0 : options_.consumer_threads}});
}

void Worker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (threads_.empty()) return;
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  logger_.Info("bus_worker_stopped", {{"worker_id", worker_id_}});
}

void Worker::Wake() {
  {
    std::lock_guard lock(mutex_);
    ++wake_sequence_;
  }
  wake_.notify_all();
}

bool Worker::RunOnce() {
  if (!threads_.empty()) throw std::logic_error("bus: RunOnce while the worker threads run");
  if (amqp()) throw std::logic_error("bus: RunOnce is for the embedded queue, not RabbitMQ");
  relay_->RelayBatch();
  return ProcessOne();
}

bool Worker::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

bool Worker::Sleep(milliseconds timeout, uint64_t& seen) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, timeout, [&] { return stopping_ || wake_sequence_ != seen; });
  seen = wake_sequence_;
  return !stopping_;
}

bool Worker::Pause(milliseconds timeout) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, timeout, [&] { return stopping_; });
  return !stopping_;
}

void Worker::RelayLoop() {
  uint64_t seen = 0;
  {
    std::lock_guard lock(mutex_);
    seen = wake_sequence_;
  }
  FailureLog failures(logger_, "bus_relay_failed", worker_id_, options_.poll_interval,
                      amqp() ? kMaxBrokerBackoff : kMaxErrorBackoff);
  auto next_housekeeping = clock_();
  while (!stopping()) {
    milliseconds pause = options_.poll_interval;
    try {
      if (clock_() >= next_housekeeping) {
        next_housekeeping = clock_() + options_.housekeeping_interval;
        Housekeep();
      }
      const size_t relayed = relay_->RelayBatch();
      failures.Succeeded();
      if (relayed > 0) {
        // Wake the consumers, but not this thread.
        {
          std::lock_guard lock(mutex_);
          seen = ++wake_sequence_;
        }
        wake_.notify_all();
        if (relayed >= options_.relay_batch) continue;  // more may be due
      }
    } catch (const std::exception& error) {
      pause = failures.Failed(Describe(error));
    } catch (...) {
      pause = failures.Failed("unknown exception");
    }
    if (!Sleep(pause, seen)) break;
  }
}

size_t Worker::Housekeep() {
  const auto now = clock_();
  const size_t tasks = queue_.PruneDone(now - options_.retain_done);
  const size_t processed = PruneProcessed(database_, now - options_.retain_processed);
  if (tasks + processed > 0) {
    logger_.Info("bus_pruned", {{"worker", worker_id_}, {"tasks", tasks}, {"processed_messages", processed}});
  }
  return tasks + processed;
}

void Worker::ConsumerLoop() {
  if (amqp()) {
    AmqpConsumerLoop();
    return;
  }
  uint64_t seen = 0;
  {
    std::lock_guard lock(mutex_);
    seen = wake_sequence_;
  }
  FailureLog failures(logger_, "bus_poll_failed", worker_id_, options_.poll_interval, kMaxErrorBackoff);
  while (!stopping()) {
    milliseconds pause = options_.poll_interval;
    try {
      const bool processed = ProcessOne();
      failures.Succeeded();
      if (processed) continue;
    } catch (const std::exception& error) {
      pause = failures.Failed(Describe(error));
    } catch (...) {
      pause = failures.Failed("unknown exception");
    }
    if (!Sleep(pause, seen)) break;
  }
}

std::string Worker::NextLockToken() {
  return worker_id_ + "#" + incarnation_ + "." + std::to_string(next_claim_.fetch_add(1) + 1);
}

bool Worker::ProcessOne() {
  const size_t count = subscriptions_.size();
  if (count == 0) return false;
  const size_t first = next_subscription_.fetch_add(1, std::memory_order_relaxed);
  for (size_t i = 0; i < count; ++i) {
    const Subscription& subscription = subscriptions_[(first + i) % count];
    std::optional<ClaimedTask> task =
        queue_.Claim(subscription.spec->name, NextLockToken(), subscription.spec->lease);
    if (!task) continue;

    if (task->delivery.attempt > task->max_attempts) {
      // The lease of its final attempt expired: the consumer crashed the
      // worker or outran the lease that many times. Do not run it again.
      Finish(subscription, *task, Outcome::kDead,
             "the lease of the final attempt expired (the worker died or the consumer outran its lease)");
      return true;
    }
    const Result result = Run(subscription, task->delivery, task->max_attempts);
    Finish(subscription, *task, result.outcome, result.error);
    return true;
  }
  return false;
}

void Worker::Finish(const Subscription& subscription, const ClaimedTask& task, Outcome outcome,
                    const std::string& error) {
  const Delivery& delivery = task.delivery;
  const QueueSpec& spec = *subscription.spec;
  bool held = false;
  milliseconds delay{0};
  try {
    switch (outcome) {
      case Outcome::kDone:
        held = queue_.MarkDone(delivery.task_id, task.lock_token);
        break;
      case Outcome::kRetry:
        delay = ComputeBackoff(delivery.attempt, spec.base_backoff, spec.max_backoff, random_());
        held = queue_.MarkRetry(delivery.task_id, task.lock_token, clock_() + delay, error);
        break;
      case Outcome::kDead:
        held = queue_.MarkDead(delivery.task_id, task.lock_token, error);
        break;
    }
  } catch (const std::exception& failure) {
    // The task stays 'running' and is delivered again when its lease ends.
    logger_.Error("bus_task_outcome_lost", {{"worker_id", worker_id_},
                                            {"queue", delivery.queue},
                                            {"task_id", delivery.task_id},
                                            {"message_id", delivery.message_id},
                                            {"error", Describe(failure)}});
    throw;
  }
  if (!held) {
    logger_.Warn("bus_task_lease_lost", {{"worker_id", worker_id_},
                                         {"queue", delivery.queue},
                                         {"task_id", delivery.task_id},
                                         {"message_id", delivery.message_id},
                                         {"attempt", delivery.attempt}});
    return;
  }
  Report(delivery, task.max_attempts, outcome, error, delay);
}

Worker::Result Worker::Run(const Subscription& subscription, const Delivery& delivery, int max_attempts) {
  const Outcome exhausted = delivery.attempt >= max_attempts ? Outcome::kDead : Outcome::kRetry;
  try {
    subscription.consumer(delivery);
    return {};
  } catch (const PermanentFailure& failure) {
    return {Outcome::kDead, BoundedErrorText(failure.what())};
  } catch (const std::exception& failure) {
    return {exhausted, BoundedErrorText(failure.what())};
  } catch (...) {
    return {exhausted, "unknown exception"};
  }
}

void Worker::Report(const Delivery& delivery, int max_attempts, Outcome outcome, const std::string& error,
                    milliseconds delay) {
  Count(delivery.queue, outcome);
  if (outcome == Outcome::kRetry) {
    logger_.Warn("bus_task_retry", {{"queue", delivery.queue},
                                    {"topic", delivery.topic},
                                    {"task_id", delivery.task_id},
                                    {"message_id", delivery.message_id},
                                    {"attempt", delivery.attempt},
                                    {"max_attempts", max_attempts},
                                    {"delay_ms", static_cast<long long>(delay.count())},
                                    {"error", error}});
  } else if (outcome == Outcome::kDead) {
    logger_.Error("bus_task_dead", {{"queue", delivery.queue},
                                    {"topic", delivery.topic},
                                    {"task_id", delivery.task_id},
                                    {"message_id", delivery.message_id},
                                    {"attempt", delivery.attempt},
                                    {"max_attempts", max_attempts},
                                    {"error", error}});
  }
}

// Runs the consumers of one RabbitMQ consumer thread, one at a time, on a
// thread of its own, so that the consumer thread keeps servicing its
// connection (heartbeats) while one runs — without starting a thread per
// message, which costs more than many a consumer.
class Worker::ConsumerRunner {
 public:
  ConsumerRunner() : thread_([this] { Loop(); }) {}
  // Joins the thread; the job started last must have ended (Wait).
  ~ConsumerRunner() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  ConsumerRunner(const ConsumerRunner&) = delete;
  ConsumerRunner& operator=(const ConsumerRunner&) = delete;

  // Starts `job` (which classifies its own failures); the previous one must
  // have ended.
  void Start(std::function<Result()> job) {
    {
      const std::lock_guard lock(mutex_);
      job_ = std::move(job);
      result_.reset();
    }
    changed_.notify_all();
  }

  // The job's result once it ended, waiting at most `timeout`; nullopt while
  // it runs.
  std::optional<Result> Wait(milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [this] { return result_.has_value(); })) return std::nullopt;
    return std::exchange(result_, std::nullopt);
  }

 private:
  void Loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [this] { return stopping_ || job_; });
      if (!job_) return;
      const std::function<Result()> job = std::exchange(job_, nullptr);
      lock.unlock();
      Result result;
      try {
        result = job();
      } catch (...) {  // Run() classifies every failure; this is its last resort
        result = {Outcome::kRetry, "unknown exception"};
      }
      lock.lock();
      result_ = std::move(result);
      changed_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::function<Result()> job_;   // guarded by mutex_
  std::optional<Result> result_;  // guarded by mutex_
  bool stopping_ = false;         // guarded by mutex_
  std::thread thread_;            // last: it uses the members above
};

void Worker::AmqpConsumerLoop() {
  FailureLog failures(logger_, "bus_broker_failed", worker_id_, options_.poll_interval, kMaxBrokerBackoff);
  std::vector<std::string> queues;
  std::map<std::string, const Subscription*> by_consumer_tag;
  for (const Subscription& subscription : subscriptions_) {
    queues.push_back(subscription.spec->name);
    by_consumer_tag[AmqpNames::WorkQueue(options_.amqp.prefix, subscription.spec->name)] = &subscription;
  }
  metrics::Counter& reconnects = reconnects_->WithLabels({"consumer"});
  std::unique_ptr<AmqpConnection> connection;
  ConsumerRunner runner;
  bool failed_before = false;
  while (!stopping()) {
    milliseconds pause{0};
    try {
      if (!connection) {
        auto fresh = std::make_unique<AmqpConnection>(options_.amqp);
        fresh->DeclareTopology(topology_);
        fresh->Consume(queues, options_.amqp.prefetch);
        connection = std::move(fresh);
        if (failed_before) reconnects.Inc();
        failed_before = false;
      }
      const std::optional<AmqpDelivery> incoming = connection->Next(kAmqpWakeInterval);
      failures.Succeeded();
      if (!incoming) continue;
      const auto found = by_consumer_tag.find(incoming->consumer_tag);
      if (found == by_consumer_tag.end()) {
        throw AmqpError("a delivery for an unknown consumer tag '" + incoming->consumer_tag + "'");
      }
      ProcessAmqp(*connection, runner, *found->second, *incoming);
      continue;
    } catch (const std::exception& error) {
      connection.reset();
      failed_before = true;
      pause = failures.Failed(Describe(error));
    }
    if (!Pause(pause)) break;
  }
}

void Worker::ProcessAmqp(AmqpConnection& connection, ConsumerRunner& runner, const Subscription& subscription,
                         const AmqpDelivery& incoming) {
  if (incoming.redelivered) {
    CountRedelivery(connection, subscription, incoming);
    return;
  }
  const QueueSpec& spec = *subscription.spec;
  const std::string prefix = options_.amqp.prefix;
  const Delivery delivery = DeliveryOf(spec, incoming);
  Result result;
  if (delivery.attempt > spec.max_attempts) {
    // Retried under a larger max_attempts than the queue has now.
    result = {Outcome::kDead, "attempt " + std::to_string(delivery.attempt) + " exceeds max_attempts"};
  } else {
    // The consumer runs on a helper thread while this one keeps the
    // connection alive (heartbeats); the connection stays this thread's.
    runner.Start(
        [&subscription, &delivery, &spec] { return Run(subscription, delivery, spec.max_attempts); });
    std::string lost;
    const milliseconds service_interval = std::min<milliseconds>(
        kAmqpWakeInterval, std::chrono::duration_cast<milliseconds>(options_.amqp.heartbeat) / 4);
    std::optional<Result> ended;
    while (!(ended = runner.Wait(service_interval))) {
      if (!lost.empty()) continue;
      try {
        connection.Service();
      } catch (const AmqpError& error) {
        lost = error.what();  // the broker requeues the message; wait for the consumer all the same
      }
    }
    result = std::move(*ended);
    if (!lost.empty()) {
      throw AmqpError("the connection was lost while message " + delivery.message_id + " of " + spec.name +
                      " ran (the broker delivers it again): " + lost);
    }
  }

  milliseconds delay{0};
  AmqpOutgoing copy{.exchange = "",
                    .message_id = delivery.message_id,
                    .topic = delivery.topic,
                    .body = delivery.payload,
                    .headers = delivery.headers,
                    .attempt = delivery.attempt,
                    .error = result.error,
                    .mandatory = true};
  if (result.outcome == Outcome::kRetry) {
    delay = ComputeBackoff(delivery.attempt, spec.base_backoff, spec.max_backoff, random_());
    const milliseconds level = ComputeBackoff(delivery.attempt, spec.base_backoff, spec.max_backoff, 0.0);
    copy.routing_key = AmqpNames::DelayQueue(prefix, spec.name, level);
    copy.attempt = delivery.attempt + 1;
    copy.expiration = delay;
  } else if (result.outcome == Outcome::kDead) {
    copy.routing_key = AmqpNames::DeadQueue(prefix, spec.name);
  }
  if (copy.routing_key.empty()) {
    connection.Ack(incoming.delivery_tag);
  } else {
    CopyThenAck(connection, copy, incoming.delivery_tag);
  }
  Report(delivery, spec.max_attempts, result.outcome, result.error, delay);
}

void Worker::CountRedelivery(AmqpConnection& connection, const Subscription& subscription,
                             const AmqpDelivery& incoming) {
  // The consumer of this attempt may have died of this very message: count
  // the attempt, so that such a message cannot loop for ever (worker.hpp).
  const QueueSpec& spec = *subscription.spec;
  const Delivery delivery = DeliveryOf(spec, incoming);
  const bool spent = incoming.attempt >= spec.max_attempts;
  const std::string error = "attempt " + std::to_string(incoming.attempt) +
                            " was not acknowledged: its consumer's process or connection ended";
  AmqpOutgoing copy{.exchange = "",
                    .routing_key = spent ? AmqpNames::DeadQueue(options_.amqp.prefix, spec.name)
                                         : AmqpNames::WorkQueue(options_.amqp.prefix, spec.name),
                    .message_id = incoming.message_id,
                    .topic = incoming.topic,
                    .body = incoming.body,
                    .headers = incoming.headers,
                    .attempt = spent ? incoming.attempt : incoming.attempt + 1,
                    .error = error,
                    .mandatory = true};
  CopyThenAck(connection, copy, incoming.delivery_tag);
  Report(delivery, spec.max_attempts, spent ? Outcome::kDead : Outcome::kRetry, error, milliseconds{0});
}

void Worker::CopyThenAck(AmqpConnection& connection, const AmqpOutgoing& copy, uint64_t delivery_tag) {
  try {
    connection.Publish(copy);
    connection.WaitForConfirms(options_.amqp.confirm_timeout);
  } catch (const AmqpError&) {
    confirm_failures_->WithLabels({"consumer"}).Inc();
    throw;  // not acked: the broker delivers the message again
  }
  connection.Ack(delivery_tag);
}

void Worker::Count(const std::string& queue, Outcome outcome) {
  const std::string_view label = outcome == Outcome::kDone    ? "done"
                                 : outcome == Outcome::kRetry ? "retry"
                                                              : "dead";
  processed_total_.WithLabels({queue, label}).Inc();
}

}  // namespace tabel::bus
