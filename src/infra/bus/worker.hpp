#pragma once
// The bus worker: relays the outbox to the transport and runs the subscribed
// consumers on its own threads. The transport is the embedded database task
// queue by default, or RabbitMQ when WorkerOptions::amqp.url is set; the
// consumers and their contract (message.hpp) are the same on both.
//
//   bus::Worker worker(database, topology, clock, logger, registry, {.consumer_threads = 2});
//   worker.Subscribe("mail", [&](const bus::Delivery& d) { ... });
//   worker.Start();
//   ...
//   worker.Stop();  // graceful: running consumers finish first
//
// Start() runs one relay thread (outbox -> task_queue, see EmbeddedRelay)
// and, when something is subscribed, `consumer_threads` consumer threads.
// Each consumer thread claims one task per transaction from the subscribed
// queues (round robin), runs its Consumer with no database session held,
// then records the outcome (message.hpp: return = done, PermanentFailure =
// dead at once, any other exception = retry with backoff until the queue's
// max_attempts, then dead). A task whose lease expired while running is
// delivered again; if that happens after its final attempt (the consumer
// keeps crashing the process or outliving its lease) it is dead-lettered
// without another delivery.
//
// Threads survive database outages: a failing poll is logged (at most one
// line per kErrorLogInterval per thread, plus one when it recovers) and
// retried with a growing delay up to kMaxErrorBackoff (kMaxBrokerBackoff on
// RabbitMQ, below).
//
// With RabbitMQ (amqp_connection.hpp for the names and message format) the
// relay thread runs an AmqpRelay, and each consumer thread owns one broker
// connection: it declares the topology, consumes the subscribed queues with
// manual acks (basic.qos amqp.prefetch per thread) and runs the Consumer on
// a helper thread while it keeps servicing the connection (heartbeats), so
// a long consumer does not lose it. Outcome: return = ack; PermanentFailure
// = a copy to <queue>.dead with tabel-error, then ack; another exception = a
// copy with tabel-attempt + 1 to the delay queue of its backoff level (dead
// after max_attempts), then ack. The copy is confirmed by the broker before
// the original is acked, so a crash between them duplicates, never loses, a
// message. A message whose consumer dies before the ack (the process or the
// connection) comes back from the broker flagged redelivered, and that
// counts as an attempt, as an expired lease does on the embedded queue:
// before running anything, the thread publishes a confirmed copy with
// tabel-attempt + 1 to the back of the work queue (to <queue>.dead once that
// exceeds max_attempts, with tabel-error saying why), acks the original and
// runs the copy when it arrives. So a message that kills every process that
// runs it is run at most max_attempts times, then dead-lettered, and a crash
// between the copy and the ack again duplicates rather than loses it. The
// broker cannot tell a message a consumer had started from one only
// prefetched, so the messages waiting in a thread's prefetch (fewer than
// amqp.prefetch) when its connection ends (a crash, a broker restart, Stop)
// also spend an attempt without having run. A lost connection is reopened
// with the backoff of a failing poll, capped at kMaxBrokerBackoff, and the
// topology declared again; the relay thread's failures are capped likewise.
// Wake() only concerns the relay there, and RunOnce is not available.
//
// Metrics registered on the given registry (one Worker per registry):
//   tabel_queue_tasks{queue,status}                 gauge, sampled per scrape (embedded)
//   tabel_outbox_unpublished                        gauge, sampled per scrape
//   tabel_outbox_oldest_unpublished_seconds         gauge, sampled per scrape
//   tabel_tasks_processed_total{queue,outcome}      counter: done, retry, dead
// and with RabbitMQ:
//   tabel_amqp_confirm_failures_total{role}         counter: publishes the broker
//                                                   did not confirm (relay batches,
//                                                   consumer retry/dead copies)
//   tabel_amqp_reconnects_total{role}               counter: connections opened
//                                                   after one was lost or refused
// (role = relay or consumer). With RabbitMQ the Worker registers no
// tabel_queue_tasks: the depths are the broker's, which a sampler of its
// own reports under that name (ops/queue_gauges.hpp), off the scrape.
// The sampled gauges come from one collector (TaskQueue::Stats) that never
// throws: on a database error it keeps the previous values.
//
// Thread-safety: Subscribe, Start, Stop and RunOnce are called from one
// controlling thread (never from a consumer); Wake is safe from any thread.
// The database, topology, logger and registry must outlive the Worker.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "infra/bus/amqp_connection.hpp"
#include "infra/bus/backoff.hpp"
#include "infra/bus/message.hpp"
#include "infra/bus/relay.hpp"
#include "infra/bus/task_queue.hpp"
#include "infra/bus/topology.hpp"
#include "infra/db/database.hpp"
#include "infra/log/log.hpp"
#include "infra/metrics/metrics.hpp"

namespace tabel::bus {

struct WorkerOptions {
  // Consumer threads (0 = only relay). Consumers run concurrently when > 1.
  size_t consumer_threads = 1;
  // How long an idle thread sleeps before polling again; Wake() cuts it short.
  std::chrono::milliseconds poll_interval{200};
  // Outbox messages per relay transaction (EmbeddedRelay).
  size_t relay_batch = 100;
  // Names this worker in task_queue.locked_by and logs; must be unique among
  // live workers. Empty = "<hostname>-<pid>-<random>".
  std::string worker_id;
  // Jitter source of retry delays; empty = DefaultUnitRandom(). Called from
  // consumer threads: must be thread-safe.
  UnitRandom random;
  // Housekeeping (run by the relay thread every housekeeping_interval):
  // 'done' tasks and processed-message records older than these are deleted.
  std::chrono::hours retain_done{24 * 7};
  std::chrono::hours retain_processed{24 * 30};
  std::chrono::minutes housekeeping_interval{60};
  // The RabbitMQ transport when amqp.url is set (validated by the
  // constructor, std::invalid_argument); empty = the embedded queue.
  AmqpOptions amqp;
};

class Worker {
 public:
  // The longest delay between polls while the database keeps failing.
  static constexpr std::chrono::milliseconds kMaxErrorBackoff{30000};
  // With RabbitMQ, the longest delay between the relay's or a consumer
  // thread's attempts while the broker (or, for the relay, the database)
  // keeps failing: a refused connection costs the broker nothing, and a
  // restarted broker is used again within this much of its return, not up
  // to twice its outage later.
  static constexpr std::chrono::milliseconds kMaxBrokerBackoff{5000};
  // At most one error line per thread in this period while failures repeat.
  static constexpr std::chrono::milliseconds kErrorLogInterval{30000};

  // Uses an EmbeddedRelay, or an AmqpRelay with options.amqp. Registers the
  // metric families on `registry` (std::invalid_argument if they are
  // registered already, e.g. by another Worker) and a collector for the
  // sampled gauges. Touches neither the database nor the broker. Throws
  // std::invalid_argument for bad options.
  Worker(db::Database& database, const Topology& topology, const Clock& clock, log::Logger& logger,
         metrics::Registry& registry, const WorkerOptions& options = {});
  // As above with another relay (e.g. one publishing to RabbitMQ); the
  // Worker's relay thread calls relay->RelayBatch().
  Worker(db::Database& database, const Topology& topology, Clock clock, log::Logger& logger,
         metrics::Registry& registry, WorkerOptions options, std::unique_ptr<Relay> relay);
  // Stops (see Stop) and detaches the metrics collector.
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Consumes `queue` with `consumer`. Before Start only (std::logic_error);
  // std::invalid_argument for a queue the topology does not declare or one
  // already subscribed, or an empty consumer.
  void Subscribe(const std::string& queue, Consumer consumer);

  // Starts the threads. std::logic_error if already started (a stopped
  // Worker cannot be restarted).
  void Start();

  // Stops taking new work, lets running consumers finish and record their
  // outcome, and joins the threads. Idempotent; blocks as long as the
  // slowest running consumer.
  void Stop();

  // Ends the idle sleep of every thread now, e.g. after committing a
  // transaction that wrote to the outbox. Safe from any thread, cheap.
  void Wake();

  // For tests and tools, only while not started and on the embedded queue
  // (std::logic_error):
  // relays one batch, then claims and processes at most one task of the
  // subscribed queues on the calling thread. Returns true if it processed a
  // task. Database errors propagate (tabel::Error); consumer errors do not.
  bool RunOnce();

  // Deletes 'done' tasks older than retain_done and processed-message
  // records older than retain_processed; returns how many rows went. The
  // relay thread calls it every housekeeping_interval. Database errors
  // propagate (tabel::Error).
  size_t Housekeep();

  const std::string& worker_id() const { return worker_id_; }

  // The queue repository this worker uses (dead letters, replay, pruning).
  // Thread-safe, like every TaskQueue.
  TaskQueue& tasks() { return queue_; }

 private:
  struct Subscription {
    const QueueSpec* spec;
    Consumer consumer;
  };
  struct MetricsState;
  enum class Outcome { kDone, kRetry, kDead };
  struct Result {
    Outcome outcome = Outcome::kDone;
    std::string error;
  };

  Worker(db::Database& database, const Topology& topology, Clock clock, log::Logger& logger,
         metrics::Registry& registry, WorkerOptions options, std::unique_ptr<Relay> relay, bool own_relay);

  bool amqp() const { return !options_.amqp.url.empty(); }
  void RelayLoop();
  void ConsumerLoop();
  void AmqpConsumerLoop();
  // Runs the consumers of one RabbitMQ consumer thread on a helper thread
  // of its own (worker.cpp).
  class ConsumerRunner;
  // Runs the consumer of one broker delivery on `runner` and settles it
  // (copy, ack).
  void ProcessAmqp(AmqpConnection& connection, ConsumerRunner& runner, const Subscription& subscription,
                   const AmqpDelivery& incoming);
  // Settles a redelivered delivery without running it: a copy with the next
  // attempt to the work queue, or to the dead letters, then the ack.
  void CountRedelivery(AmqpConnection& connection, const Subscription& subscription,
                       const AmqpDelivery& incoming);
  // Publishes `copy` and waits for its confirm, then acks `delivery_tag`;
  // AmqpError (counted) leaves the original unacked for the broker.
  void CopyThenAck(AmqpConnection& connection, const AmqpOutgoing& copy, uint64_t delivery_tag);
  // Runs `consumer` on `delivery` and classifies its end.
  static Result Run(const Subscription& subscription, const Delivery& delivery, int max_attempts);
  // Counts and logs a settled delivery.
  void Report(const Delivery& delivery, int max_attempts, Outcome outcome, const std::string& error,
              std::chrono::milliseconds delay);
  // Claims and processes at most one task; true if it did.
  bool ProcessOne();
  void Finish(const Subscription& subscription, const ClaimedTask& task, Outcome outcome,
              const std::string& error);
  // Waits up to `timeout` for Wake() or Stop(); `seen` is the wake sequence
  // this thread has handled. Returns false when stopping.
  bool Sleep(std::chrono::milliseconds timeout, uint64_t& seen);
  // Waits up to `timeout` for Stop() only; false when stopping.
  bool Pause(std::chrono::milliseconds timeout);
  bool stopping() const;
  std::string NextLockToken();
  void Count(const std::string& queue, Outcome outcome);

  db::Database& database_;
  const Topology& topology_;
  Clock clock_;
  log::Logger& logger_;
  WorkerOptions options_;
  std::string worker_id_;
  std::string incarnation_;  // random, so lock tokens never repeat across restarts
  std::unique_ptr<Relay> relay_;
  TaskQueue queue_;
  UnitRandom random_;
  metrics::CounterFamily& processed_total_;
  // RabbitMQ only (nullptr otherwise): {role} relay, consumer.
  metrics::CounterFamily* confirm_failures_ = nullptr;
  metrics::CounterFamily* reconnects_ = nullptr;
  std::shared_ptr<MetricsState> metrics_state_;  // shared with the registry's collector

  std::vector<Subscription> subscriptions_;  // fixed once started
  std::atomic<size_t> next_subscription_{0};
  std::atomic<uint64_t> next_claim_{0};

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  uint64_t wake_sequence_ = 0;  // guarded by mutex_
  bool stopping_ = false;       // guarded by mutex_
  bool started_ = false;        // controlling thread only
  std::vector<std::thread> threads_;
};

}  // namespace tabel::bus
