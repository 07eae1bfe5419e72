#include "auth/identity_cache.hpp"

namespace tabel::auth {

std::optional<Identity> IdentityCache::Find(int64_t account_id, int64_t roles_version) {
  const std::lock_guard lock(mutex_);
  const auto found = entries_.find(account_id);
  if (found == entries_.end() || found->second.roles_version != roles_version ||
      found->second.expires <= std::chrono::steady_clock::now()) {
    return std::nullopt;
  }
  return found->second.identity;
}

void IdentityCache::Put(int64_t account_id, int64_t roles_version, const Identity& identity) {
  const std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[account_id] = {identity, roles_version, std::chrono::steady_clock::now() + kIdentityCacheTtl};
}

void IdentityCache::Forget(int64_t account_id) {
  const std::lock_guard lock(mutex_);
  entries_.erase(account_id);
}

}  // namespace tabel::auth
