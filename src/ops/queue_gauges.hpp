#pragma once
// The depths of the queues as the gauge tabel_queue_tasks{queue,status},
// sampled from a QueueTransport's Overview() by a thread of its own every
// interval: a scrape of /metrics only reads the last sample, and never
// waits for the broker. The composition root runs it on RabbitMQ, where
// the bus Worker's own gauge (read from task_queue on each scrape) would
// know nothing. Statuses: queued (waiting, the retries included), retrying
// (of queued, those waiting out a backoff), dead; running and done where
// the transport knows them. A failed sample (the broker is down or does
// not answer within its deadline: BrokerQueues bounds each step by the
// connect timeout) keeps the last values, logged once as
// queue_depths_failed until a sample succeeds again.
//
// Thread-safety: Start and Stop from the owning thread; `transport` must
// outlive this object. Stop() waits only for a sample in progress.

#include <chrono>

#include "infra/log/log.hpp"
#include "infra/metrics/metrics.hpp"
#include "infra/periodic.hpp"
#include "ops/queues.hpp"

namespace tabel::ops {

class QueueGauges {
 public:
  // How often a process samples the broker.
  static constexpr std::chrono::milliseconds kInterval{15000};

  // Registers tabel_queue_tasks on `registry` (std::invalid_argument if it
  // is there already, e.g. from a bus Worker on the embedded queue).
  QueueGauges(QueueTransport& transport, metrics::Registry& registry, log::Logger& logger,
              std::chrono::milliseconds interval = kInterval);

  // The first sample is taken at once, then one every interval.
  void Start() { task_.Start(); }
  void Stop() { task_.Stop(); }

 private:
  void Sample();

  QueueTransport& transport_;
  metrics::GaugeFamily& tasks_;
  PeriodicTask task_;  // last: its thread uses the members above
};

}  // namespace tabel::ops
