#pragma once
// The cache of hot reads (team calendars …): Redis when TABEL_REDIS_URL is
// set (shared by every replica, infra/cache/redis.hpp), else memory of this
// process (MemoryCache). A cache is never the only copy of anything: a miss,
// and any failure of the backend, means "compute it again", so callers
// treat every call as best effort and the product works without one.
//
// Invalidation is by generation: a reader puts the value of a counter
// (Counter) in its keys, and a change bumps the counter (Bump), so old
// entries are simply never read again and expire by their TTL.
// Thread-safety: implementations are safe from any thread; they block
// (Redis: at most its timeout), so call them on the blocking pool.

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tabel::cache {

class Cache {
 public:
  virtual ~Cache() = default;
  // The value, or nullopt on a miss, an expired entry or a failure.
  virtual std::optional<std::string> Get(const std::string& key) = 0;
  // Stores `value` for `ttl` (best effort).
  virtual void Set(const std::string& key, std::string_view value, std::chrono::seconds ttl) = 0;
  // The counter's value (0 when it was never bumped or cannot be read).
  virtual int64_t Counter(const std::string& key) = 0;
  // Adds one to the counter (best effort).
  virtual void Bump(const std::string& key) = 0;
};

// Entries in this process's memory, at most `max_bytes` of keys and values
// (the least recently used go first); counters are kept apart and never
// evicted. Only this process sees them: with several replicas, use Redis.
class MemoryCache final : public Cache {
 public:
  explicit MemoryCache(size_t max_bytes);

  std::optional<std::string> Get(const std::string& key) override;
  void Set(const std::string& key, std::string_view value, std::chrono::seconds ttl) override;
  int64_t Counter(const std::string& key) override;
  void Bump(const std::string& key) override;

  size_t bytes() const;

 private:
  struct Entry {
    std::string key, value;
    std::chrono::steady_clock::time_point expires;
  };
  void EvictLocked();

  const size_t max_bytes_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::unordered_map<std::string, int64_t> counters_;
  size_t bytes_ = 0;
};

}  // namespace tabel::cache
