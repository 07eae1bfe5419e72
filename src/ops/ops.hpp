#pragma once
// Operations endpoints: /healthz, /readyz, /metrics, /openapi.json, /docs.

#include <functional>
#include <string>
#include <vector>

#include "http/blocking_pool.hpp"
#include "http/router.hpp"

namespace tabel::metrics {
class Registry;
}

namespace tabel::ops {

// One dependency /readyz checks. `probe` blocks (it runs on the blocking
// pool) and throws when the dependency is unreachable; the exception text is
// reported in the readiness details.
struct ReadinessCheck {
  std::string name;
  std::function<void()> probe;
};

struct OpsDependencies {
  metrics::Registry& metrics;
  http::BlockingPool& blocking;
  std::vector<ReadinessCheck> checks;
  std::string swagger_ui_dir;
};

// Adds the public operations routes. `deps` must outlive the router.
void RegisterRoutes(http::Router& router, const OpsDependencies& deps);

}  // namespace tabel::ops
