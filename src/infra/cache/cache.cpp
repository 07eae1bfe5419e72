#include "infra/cache/cache.hpp"

namespace tabel::cache {
namespace {

// What an entry costs beyond its key and value (list node, index slot).
constexpr size_t kEntryOverhead = 96;

size_t Cost(const std::string& key, std::string_view value) {
  return key.size() + value.size() + kEntryOverhead;
}

}  // namespace

MemoryCache::MemoryCache(size_t max_bytes) : max_bytes_(max_bytes) {}

std::optional<std::string> MemoryCache::Get(const std::string& key) {
  const std::lock_guard lock(mutex_);
  const auto found = index_.find(key);
  if (found == index_.end()) return std::nullopt;
  if (found->second->expires <= std::chrono::steady_clock::now()) {
    bytes_ -= Cost(key, found->second->value);
    entries_.erase(found->second);
    index_.erase(found);
    return std::nullopt;
  }
  entries_.splice(entries_.begin(), entries_, found->second);
  return found->second->value;
}

void MemoryCache::Set(const std::string& key, std::string_view value, std::chrono::seconds ttl) {
  if (Cost(key, value) > max_bytes_) return;
  const std::lock_guard lock(mutex_);
  if (const auto found = index_.find(key); found != index_.end()) {
    bytes_ -= Cost(key, found->second->value);
    entries_.erase(found->second);
    index_.erase(found);
  }
  entries_.push_front({key, std::string(value), std::chrono::steady_clock::now() + ttl});
  index_.emplace(key, entries_.begin());
  bytes_ += Cost(key, value);
  EvictLocked();
}

int64_t MemoryCache::Counter(const std::string& key) {
  const std::lock_guard lock(mutex_);
  const auto found = counters_.find(key);
  return found == counters_.end() ? 0 : found->second;
}

void MemoryCache::Bump(const std::string& key) {
  const std::lock_guard lock(mutex_);
  ++counters_[key];
}

size_t MemoryCache::bytes() const {
  const std::lock_guard lock(mutex_);
  return bytes_;
}

void MemoryCache::EvictLocked() {
  while (bytes_ > max_bytes_ && !entries_.empty()) {
    const Entry& last = entries_.back();
    bytes_ -= Cost(last.key, last.value);
    index_.erase(last.key);
    entries_.pop_back();
  }
}

}  // namespace tabel::cache
