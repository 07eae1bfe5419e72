#pragma once
// Brute-force protection for logins, per login and per client address, kept
// in the database (table login_throttle) so that every replica sees the
// same counters.
//
// Rule, per key: failures in a row are counted; the count is forgotten after
// `reset_after` without a failure, and a successful login clears its
// login's count (not its address's). From `max_failures` on, each failure
// blocks the key for first_block · 2^(failures − max_failures), at most
// `max_block`. While a key is blocked, attempts are refused with 429 and a
// Retry-After without checking the password and without counting, so the
// real user is never locked out for good: every block expires by itself.
// (Anyone can keep a login blocked by failing once per block; the
// per-address limit bounds how many logins one address can do that to.)
//
// Thread-safety: safe from any thread; methods block on the database.
// Errors: tabel::Error from the database helpers, plus those named.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "infra/db/database.hpp"

namespace tabel::auth {

struct ThrottleRule {
  int max_failures = 5;
  std::chrono::seconds reset_after{15 * 60};
  std::chrono::seconds first_block{30};
  std::chrono::seconds max_block{15 * 60};
};

struct LoginThrottleOptions {
  ThrottleRule per_login{5, std::chrono::seconds{15 * 60}, std::chrono::seconds{30},
                         std::chrono::seconds{15 * 60}};
  ThrottleRule per_address{50, std::chrono::seconds{15 * 60}, std::chrono::seconds{60},
                           std::chrono::seconds{15 * 60}};
};

// The state of one key.
struct ThrottleState {
  int failures = 0;
  std::chrono::system_clock::time_point last_failure_at;
  std::optional<std::chrono::system_clock::time_point> blocked_until;
};

// How long the `failures`-th failure in a row blocks: 0 below max_failures.
// Pure.
std::chrono::seconds BlockDuration(const ThrottleRule& rule, int failures);

// The state after one more failure at `now`. Pure.
ThrottleState AfterFailure(const ThrottleRule& rule, const std::optional<ThrottleState>& current,
                           std::chrono::system_clock::time_point now);

// Whole seconds to wait until `until`, rounded up, at least 1. Pure.
int RetryAfterSeconds(std::chrono::system_clock::time_point now, std::chrono::system_clock::time_point until);

class LoginThrottle {
 public:
  LoginThrottle(db::Database& database, Clock clock, LoginThrottleOptions options = {});

  // Throws Error (kTooManyRequests, WithRetryAfter = seconds until the
  // longer of the two blocks ends) when the login or the address is blocked.
  void Check(std::string_view login, std::string_view client_address);

  // Counts a failed attempt against the login and the address, in one
  // write transaction.
  void RecordFailure(std::string_view login, std::string_view client_address);

  // Clears the login's count after a successful login.
  void RecordSuccess(std::string_view login);

  // Deletes the state of keys idle since before `older_than` and not
  // blocked any more; returns how many.
  size_t Prune(std::chrono::system_clock::time_point older_than);

  // The stored keys: "login:<normalized login>" and "ip:<address>"; an
  // over-long value is replaced by its SHA-256 (the key column stays small).
  static std::string LoginKey(std::string_view login);
  static std::string AddressKey(std::string_view client_address);

 private:
  db::Database& database_;
  Clock clock_;
  LoginThrottleOptions options_;
  std::string select_for_update_;
};

}  // namespace tabel::auth
