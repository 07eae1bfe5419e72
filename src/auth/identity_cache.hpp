#pragma once
// The identities the authenticator loaded, kept for a moment so that a
// burst of requests with one token costs one account query, not one each.
//
// An entry is used only for the roles_version it was loaded with: a token
// issued after a change of roles carries the new version and reloads. A
// change of roles or of the disabled flag made in this process forgets the
// account at once (Forget); another replica serving an older token notices
// within kIdentityCacheTtl.
// Thread-safety: safe from any thread.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/identity.hpp"

namespace tabel::auth {

inline constexpr std::chrono::milliseconds kIdentityCacheTtl{1000};

class IdentityCache {
 public:
  // The identity of `account_id` loaded with `roles_version`, if fresh.
  std::optional<Identity> Find(int64_t account_id, int64_t roles_version);
  void Put(int64_t account_id, int64_t roles_version, const Identity& identity);
  void Forget(int64_t account_id);

 private:
  struct Entry {
    Identity identity;
    int64_t roles_version = 0;
    std::chrono::steady_clock::time_point expires;
  };
  static constexpr size_t kMaxEntries = 50'000;

  std::mutex mutex_;
  std::unordered_map<int64_t, Entry> entries_;
};

}  // namespace tabel::auth
