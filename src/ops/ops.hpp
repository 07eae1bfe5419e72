#pragma once
// Operations endpoints: /healthz, /readyz, /metrics, /openapi.json, /docs
// (public); and for an operator with settings.manage (ops/queues.hpp):
//   GET  /api/v1/admin/queues                 depth of every queue, outbox lag;
//   GET  /api/v1/admin/dead-letters?queue&limit
//   POST /api/v1/admin/dead-letters/{id}/replay

#include <functional>
#include <string>
#include <vector>

#include "http/blocking_pool.hpp"
#include "http/router.hpp"
#include "ops/queues.hpp"

namespace tabel::metrics {
class Registry;
}

namespace tabel::ops {

// One dependency /readyz checks. `probe` blocks (it runs on the blocking
// pool) and throws when the dependency is unreachable; the exception text is
// reported in the readiness details. A dependency that is not `required`
// (the cache: the product works on without it) being down leaves the
// process ready, "degraded".
struct ReadinessCheck {
  std::string name;
  std::function<void()> probe;
  bool required = true;
};

struct OpsDependencies {
  metrics::Registry& metrics;
  http::BlockingPool& blocking;
  std::vector<ReadinessCheck> checks;
  std::string swagger_ui_dir;
};

// Adds the public operations routes. `deps` must outlive the router.
void RegisterRoutes(http::Router& router, const OpsDependencies& deps);
// Adds the queue routes for operators. `admin` must outlive the router.
void RegisterQueueRoutes(http::Router& router, QueueAdmin& admin, http::BlockingPool& pool);

}  // namespace tabel::ops
