#include <array>
#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "common/embedded.hpp"
#include "common/error.hpp"
#include "infra/metrics/metrics.hpp"
#include "ops/ops.hpp"

namespace tabel::ops {
namespace {

using http::Request;
using http::Response;
using http::Status;

struct CheckResult {
  std::string name;
  bool up = false;
  bool required = true;
  std::string error;
};

// The swagger-ui-dist files the docs page loads; nothing else is served
// from that folder.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kDocsAssets = {{
    {"swagger-ui.css", "text/css; charset=utf-8"},
    {"swagger-ui-bundle.js", "application/javascript; charset=utf-8"},
    {"swagger-ui-standalone-preset.js", "application/javascript; charset=utf-8"},
    {"favicon-32x32.png", "image/png"},
    {"favicon-16x16.png", "image/png"},
}};

// Reads docs assets once and keeps them; they are immutable for the life of
// the process. Thread-safety: Get is safe from any thread.
class AssetCache {
 public:
  explicit AssetCache(std::string dir) : dir_(std::move(dir)) {}

  std::optional<std::string> Get(std::string_view name) {
    std::lock_guard lock(mutex_);
    const auto it = files_.find(std::string(name));
    if (it != files_.end()) return it->second;
    std::ifstream in(dir_ + "/" + std::string(name), std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream content;
    content << in.rdbuf();
    return files_.emplace(std::string(name), content.str()).first->second;
  }

 private:
  std::string dir_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> files_;
};

// The last readiness result, shared by concurrent /readyz callers so that a
// burst of probes (or a slow dependency) cannot occupy the blocking pool:
// at most one refresh runs at a time, and a result younger than kFreshFor is
// reused. Thread-safety: every method is safe from any thread.
class ReadinessCache {
 public:
  static constexpr std::chrono::milliseconds kFreshFor{1000};

  using Results = std::vector<CheckResult>;

  // A result younger than kFreshFor, if any.
  std::shared_ptr<const Results> Fresh() const {
    std::lock_guard lock(mutex_);
    if (last_ && std::chrono::steady_clock::now() - last_at_ < kFreshFor) return last_;
    return nullptr;
  }
  // True if the caller should refresh; false if another caller is already
  // refreshing (then Last() is the best answer, if there is one).
  bool BeginRefresh() {
    std::lock_guard lock(mutex_);
    if (refreshing_) return false;
    refreshing_ = true;
    return true;
  }
  void EndRefresh(std::shared_ptr<const Results> results) {
    std::lock_guard lock(mutex_);
    refreshing_ = false;
    if (results) {
      last_ = std::move(results);
      last_at_ = std::chrono::steady_clock::now();
    }
  }
  std::shared_ptr<const Results> Last() const {
    std::lock_guard lock(mutex_);
    return last_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Results> last_;
  std::chrono::steady_clock::time_point last_at_;
  bool refreshing_ = false;
};

// Runs every check on the blocking pool, one after another.
Task<std::shared_ptr<const ReadinessCache::Results>> RunChecks(const OpsDependencies* deps) {
  auto results = std::make_shared<ReadinessCache::Results>();
  for (const ReadinessCheck& check : deps->checks) {
    CheckResult result{check.name, true, check.required, {}};
    try {
      auto probe = deps->blocking.Run(check.probe);
      co_await std::move(probe);
    } catch (const std::exception& error) {
      result.up = false;
      result.error = error.what();
    }
    results->push_back(std::move(result));
  }
  co_return results;
}

Response Embedded(std::string_view path, std::string content_type) {
  const auto content = embedded::Find(path);
  if (!content) throw Error::Internal(std::string(path) + " is not embedded");
  return Response::Text(std::string(*content), std::move(content_type));
}

}  // namespace

void RegisterRoutes(http::Router& router, const OpsDependencies& deps) {
  const http::RouteOptions public_route{.public_route = true};

  router.Add(
      http::Verb::get, "/healthz",
      [](Request) -> Task<Response> { co_return Response::JsonText("{\"status\":\"ok\"}"); }, public_route);

  auto readiness = std::make_shared<ReadinessCache>();
  metrics::GaugeFamily& up = deps.metrics.AddGauge(
      "tabel_dependency_up", "Whether a dependency answered its last readiness check (1) or not (0).",
      {"dependency"});
  router.Add(
      http::Verb::get, "/readyz",
      [&deps, readiness, &up](Request request) -> Task<Response> {
        std::shared_ptr<const ReadinessCache::Results> results = readiness->Fresh();
        if (!results) {
          if (readiness->BeginRefresh()) {
            std::shared_ptr<const ReadinessCache::Results> fresh;
            try {
              auto checks = RunChecks(&deps);
              fresh = co_await std::move(checks);
            } catch (...) {
              readiness->EndRefresh(nullptr);
              throw;
            }
            readiness->EndRefresh(fresh);
            results = fresh;
          } else {
            results = readiness->Last();  // another caller is refreshing
          }
          if (!results) {
            auto checks = RunChecks(&deps);
            results = co_await std::move(checks);
          }
        }
        nlohmann::json details = nlohmann::json::object();
        bool ready = true, degraded = false;
        for (const CheckResult& result : *results) {
          ready = ready && (result.up || !result.required);
          degraded = degraded || !result.up;
          up.WithLabels({result.name}).Set(result.up ? 1 : 0);
          details[result.name] = result.up ? nlohmann::json{{"status", "up"}}
                                           : nlohmann::json{{"status", "down"}, {"error", result.error}};
        }
        if (ready)
          co_return Response::Json({{"status", degraded ? "degraded" : "ready"}, {"checks", details}});
        nlohmann::json problem = {{"type", "/problems/not-ready"},
                                  {"title", "Service Unavailable"},
                                  {"status", 503},
                                  {"detail", "A dependency is unreachable."},
                                  {"instance", request.path},
                                  {"request_id", request.request_id},
                                  {"checks", details}};
        Response response = Response::Json(problem, Status::service_unavailable);
        response.content_type = "application/problem+json";
        response.headers.emplace_back("Retry-After", "5");
        co_return response;
      },
      public_route);

  router.Add(
      http::Verb::get, "/metrics",
      [&deps](Request) -> Task<Response> {
        // Collectors query the database (queue depths): not on an io thread.
        auto render = deps.blocking.Run([&deps] { return deps.metrics.Render(); });
        std::string text = co_await std::move(render);
        co_return Response::Text(std::move(text), std::string(metrics::kContentType));
      },
      public_route);

  router.Add(
      http::Verb::get, "/openapi.json",
      [](Request) -> Task<Response> { co_return Embedded("api/openapi.json", "application/json"); },
      public_route);

  router.Add(
      http::Verb::get, "/docs",
      [](Request) -> Task<Response> { co_return Embedded("web/docs.html", "text/html; charset=utf-8"); },
      public_route);

  auto assets = std::make_shared<AssetCache>(deps.swagger_ui_dir);
  router.Add(
      http::Verb::get, "/docs/{asset}",
      [&deps, assets](Request request) -> Task<Response> {
        const std::string_view name = request.PathParam("asset");
        for (const auto& [asset, content_type] : kDocsAssets) {
          if (asset != name) continue;
          // The first request for a file reads it from disk: not on an io thread.
          auto read = deps.blocking.Run([assets, file = asset] { return assets->Get(file); });
          std::optional<std::string> content = co_await std::move(read);
          if (!content) {
            throw Error::NotFound("The API browser's files are not installed (scripts/run installs them).");
          }
          Response response = Response::Text(std::move(*content), std::string(content_type));
          response.headers.emplace_back("Cache-Control", "public, max-age=86400");
          co_return response;
        }
        throw Error::NotFound("No such file.");
      },
      public_route);
}

}  // namespace tabel::ops
