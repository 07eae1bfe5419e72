#pragma once
// Password hashing with argon2id (libsodium crypto_pwhash_str): the hash is
// a self-describing string ("$argon2id$v=19$m=…,t=…,p=1$salt$hash") that
// stores its own parameters, so the limits can be raised later and old
// hashes still verify (NeedsRehash says when to upgrade one).
//
// Cost: Hash and Verify take ~50–100 ms of CPU and `memlimit` bytes of
// memory with the interactive limits. They block: callers on an io thread
// must run them on the blocking pool (http::BlockingPool::Run).
// Thread-safety: immutable after construction; every method is safe from
// any thread.

#include <cstddef>
#include <string>
#include <string_view>

namespace tabel::auth {

struct PasswordHashLimits {
  unsigned long long opslimit = 0;
  size_t memlimit = 0;

  // crypto_pwhash_OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE (2, 64 MiB):
  // the production default.
  static PasswordHashLimits Interactive();
  // The smallest limits libsodium accepts: for tests only.
  static PasswordHashLimits Minimum();
};

// Longest password accepted, in bytes; longer ones never verify (it bounds
// the work an attacker can make us do per request).
inline constexpr size_t kMaxPasswordBytes = 1024;

class PasswordHasher {
 public:
  // Throws std::invalid_argument if the limits are outside libsodium's range.
  explicit PasswordHasher(PasswordHashLimits limits = PasswordHashLimits::Interactive());

  // A fresh salted argon2id hash. Throws tabel::Error (kBadRequest) for a
  // password longer than kMaxPasswordBytes, Error::Internal when libsodium
  // fails (out of memory).
  std::string Hash(std::string_view password) const;

  // True iff `hash` is a valid argon2id string for `password`. A malformed
  // hash or an over-long password is simply false. Never throws.
  bool Verify(std::string_view hash, std::string_view password) const;

  // True when `hash` was made with other limits (or another algorithm) than
  // this hasher's: rehash after a successful Verify.
  bool NeedsRehash(std::string_view hash) const;

 private:
  PasswordHashLimits limits_;
};

}  // namespace tabel::auth
