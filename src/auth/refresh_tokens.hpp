#pragma once
// Refresh tokens: opaque (32 random bytes, base64url), stored only as the
// SHA-256 hex of the token (table refresh_tokens), rotated on every use.
// Tokens descending from one login form a family; presenting a token that
// was already used (a stolen copy, or a replay) revokes the whole family.
//
// Concurrency: Rotate runs in one write transaction that locks the row
// (SQLite BEGIN IMMEDIATE; PostgreSQL SELECT … FOR UPDATE), so of two
// simultaneous rotations of one token exactly one succeeds; the other sees
// a used token, which is a reuse: the family, including the winner's new
// token, is revoked (the client must log in again). This is deliberate —
// the server cannot tell a racing tab from a thief.
// Thread-safety: safe from any thread; every method blocks on the database.
// Errors: tabel::Error from the database helpers, plus those named.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "infra/db/database.hpp"

namespace tabel::auth {

inline constexpr std::chrono::seconds kDefaultRefreshLifetime{30 * 24 * 3600};

struct IssuedRefreshToken {
  std::string token;  // give to the client; never stored
  std::string family_id;
  int64_t account_id = 0;
  std::chrono::system_clock::time_point expires_at;
};

class RefreshTokenStore {
 public:
  RefreshTokenStore(db::Database& database, Clock clock,
                    std::chrono::seconds lifetime = kDefaultRefreshLifetime);

  // A token in a new family (at login).
  IssuedRefreshToken Issue(int64_t account_id);

  // Marks `presented` used and returns its successor in the same family.
  // Throws Error::Unauthorized when it is unknown, malformed, expired or
  // revoked, and when it was already used — then after revoking its family.
  IssuedRefreshToken Rotate(std::string_view presented);

  // Revokes the family of `presented` (logout). Unknown tokens are ignored:
  // logging out twice is fine. Returns whether a family was found.
  bool RevokeFamilyOf(std::string_view presented);
  void RevokeFamily(const std::string& family_id);
  // Every token of the account (password change, disabling).
  void RevokeAllForAccount(int64_t account_id);

  // Deletes tokens that expired before `older_than`; returns how many.
  size_t PruneExpired(std::chrono::system_clock::time_point older_than);

  // The stored form of a token: lowercase SHA-256 hex.
  static std::string HashToken(std::string_view token);

 private:
  db::Database& database_;
  Clock clock_;
  std::chrono::seconds lifetime_;
  std::string select_for_rotation_;
};

}  // namespace tabel::auth
