#include "ops/queue_gauges.hpp"

namespace tabel::ops {

QueueGauges::QueueGauges(QueueTransport& transport, metrics::Registry& registry, log::Logger& logger,
                         std::chrono::milliseconds interval)
    : transport_(transport),
      tasks_(registry.AddGauge("tabel_queue_tasks", "Tasks in the queue by status.", {"queue", "status"})),
      task_(
          logger, "queue_depths", interval, [this] { Sample(); }, /*immediately=*/true) {}

void QueueGauges::Sample() {
  const BusOverview overview = transport_.Overview();
  for (const QueueOverview& queue : overview.queues) {
    const auto set = [&](std::string_view status, long long value) {
      tasks_.WithLabels({std::string_view(queue.name), status}).Set(static_cast<double>(value));
    };
    set("queued", queue.queued);
    set("dead", queue.dead);
    if (queue.retrying) set("retrying", *queue.retrying);
    if (queue.running) set("running", *queue.running);
    if (queue.done) set("done", *queue.done);
  }
}

}  // namespace tabel::ops
