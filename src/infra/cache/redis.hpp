#pragma once
// Redis (hiredis): the reachability check of /readyz, and the shared cache
// of every replica when TABEL_REDIS_URL is set.

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "infra/cache/cache.hpp"

namespace tabel::cache {

// Connects to `url` (redis://[:password@]host[:port][/db]), sends PING and
// expects PONG, all within `timeout`. Throws std::runtime_error saying what
// failed; std::invalid_argument for a malformed URL.
void PingRedis(const std::string& url, std::chrono::milliseconds timeout);

// A Cache on Redis, every key prefixed with `prefix` (what tells apart the
// deployments, or test databases, that share one Redis). Each call leases a connection (at most `pool_size`
// are kept; hiredis contexts are not thread-safe, so one is never shared), bounded by `timeout` for
// connecting and for the command. A failure drops the connection, counts as a miss, and for a second after it
// the cache is skipped (a miss at once), so a Redis that is down costs the callers no waiting: the product
// works on without it. Thread-safety: safe from any thread; blocks up to `timeout`.
class RedisCache final : public Cache {
 public:
  // Throws std::invalid_argument for a malformed URL; connects lazily.
  RedisCache(const std::string& url, std::string prefix, std::chrono::milliseconds timeout, size_t pool_size);
  ~RedisCache() override;

  std::optional<std::string> Get(const std::string& key) override;
  void Set(const std::string& key, std::string_view value, std::chrono::seconds ttl) override;
  int64_t Counter(const std::string& key) override;
  void Bump(const std::string& key) override;

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const { redisFree(context); }
  };
  using Context = std::unique_ptr<redisContext, ContextDeleter>;

  // Runs one command (argv form) and returns its reply, or nullptr after a
  // failure (the connection is dropped and the cache skipped for a while).
  std::shared_ptr<redisReply> Command(const std::vector<std::string>& arguments);
  Context Lease();
  void Return(Context context);

  struct Target;
  std::unique_ptr<Target> target_;
  std::string prefix_;
  std::chrono::milliseconds timeout_;
  size_t pool_size_;
  std::mutex mutex_;
  std::vector<Context> idle_;
  std::chrono::steady_clock::time_point skip_until_{};
};

}  // namespace tabel::cache
