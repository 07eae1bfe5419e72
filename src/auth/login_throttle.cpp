#include "auth/login_throttle.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "auth/accounts.hpp"
#include "auth/crypto.hpp"
#include "common/error.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::auth {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr const char* kSelectBlockedUntil = "SELECT blocked_until FROM login_throttle WHERE key = :key";
constexpr const char* kInsertKey =
    "INSERT INTO login_throttle (key, failures, last_failure_at) VALUES (:key, 0, :last_failure_at) "
    "ON CONFLICT (key) DO NOTHING";
// {lock} is db::ForUpdate.
constexpr std::string_view kSelectState =
    "SELECT failures, last_failure_at, blocked_until FROM login_throttle WHERE key = :key{lock}";
constexpr const char* kUpdateState =
    "UPDATE login_throttle SET failures = :failures, last_failure_at = :last_failure_at, "
    "blocked_until = :blocked_until WHERE key = :key";
constexpr const char* kDeleteKey = "DELETE FROM login_throttle WHERE key = :key";
constexpr const char* kPrune =
    "DELETE FROM login_throttle WHERE last_failure_at < :idle_before AND "
    "(blocked_until IS NULL OR blocked_until < :blocked_before)";

constexpr size_t kMaxKeyValue = 120;

std::string BoundedKey(std::string_view prefix, std::string_view value) {
  if (value.size() <= kMaxKeyValue) return std::string(prefix).append(value);
  return std::string(prefix).append("sha256:").append(Sha256Hex(value));
}

system_clock::time_point ParseStored(const std::string& text) {
  const auto parsed = db::ParseTimestamp(text);
  if (!parsed) throw Error::Internal("login_throttle: malformed timestamp '" + text + "'");
  return *parsed;
}

void ValidateRule(const ThrottleRule& rule) {
  if (rule.max_failures < 1 || rule.reset_after <= seconds{0} || rule.first_block <= seconds{0} ||
      rule.max_block < rule.first_block) {
    throw std::invalid_argument("invalid login throttle rule");
  }
}

}  // namespace

seconds BlockDuration(const ThrottleRule& rule, int failures) {
  if (failures < rule.max_failures) return seconds{0};
  const int doublings = std::min(failures - rule.max_failures, 30);
  const long long block = rule.first_block.count() << doublings;
  return seconds{std::min<long long>(block, rule.max_block.count())};
}

ThrottleState AfterFailure(const ThrottleRule& rule, const std::optional<ThrottleState>& current,
                           system_clock::time_point now) {
  ThrottleState next;
  const bool forgotten =
      !current || current->failures <= 0 || now >= current->last_failure_at + rule.reset_after;
  next.failures = forgotten ? 1 : current->failures + 1;
  next.last_failure_at = now;
  const seconds block = BlockDuration(rule, next.failures);
  if (block > seconds{0}) next.blocked_until = now + block;
  return next;
}

int RetryAfterSeconds(system_clock::time_point now, system_clock::time_point until) {
  if (until <= now) return 1;
  const auto remaining = std::chrono::ceil<seconds>(until - now);
  return static_cast<int>(std::max<long long>(remaining.count(), 1));
}

LoginThrottle::LoginThrottle(db::Database& database, Clock clock, LoginThrottleOptions options)
    : database_(database), clock_(std::move(clock)), options_(options), select_for_update_(kSelectState) {
  ValidateRule(options_.per_login);
  ValidateRule(options_.per_address);
  select_for_update_.replace(select_for_update_.find("{lock}"), 6, db::ForUpdate(database_.dialect()));
}

std::string LoginThrottle::LoginKey(std::string_view login) {
  return BoundedKey("login:", NormalizeLogin(login));
}

std::string LoginThrottle::AddressKey(std::string_view client_address) {
  return BoundedKey("ip:", client_address);
}

void LoginThrottle::Check(std::string_view login, std::string_view client_address) {
  const std::string keys[] = {LoginKey(login), AddressKey(client_address)};
  const auto now = clock_();
  std::optional<system_clock::time_point> longest;
  db::WithSession(database_, [&](soci::session& session) {
    for (const std::string& key : keys) {
      std::string blocked_until;
      soci::indicator blocked_ind = soci::i_null;
      session << kSelectBlockedUntil, soci::into(blocked_until, blocked_ind), soci::use(key, "key");
      if (!session.got_data() || blocked_ind != soci::i_ok) continue;
      const auto until = ParseStored(blocked_until);
      if (until > now && (!longest || until > *longest)) longest = until;
    }
  });
  if (longest) {
    throw Error(ErrorKind::kTooManyRequests, "too-many-requests",
                "Too many failed login attempts; try again later.")
        .WithRetryAfter(RetryAfterSeconds(now, *longest));
  }
}

void LoginThrottle::RecordFailure(std::string_view login, std::string_view client_address) {
  const std::pair<std::string, const ThrottleRule*> keys[] = {
      {LoginKey(login), &options_.per_login}, {AddressKey(client_address), &options_.per_address}};
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    const auto now = clock_();
    const std::string now_text = db::FormatTimestamp(now);
    for (const auto& [key, rule] : keys) {
      session << kInsertKey, soci::use(key, "key"), soci::use(now_text, "last_failure_at");
      int failures = 0;
      std::string last_failure_at, blocked_until;
      soci::indicator blocked_ind = soci::i_null;
      session << select_for_update_, soci::into(failures), soci::into(last_failure_at),
          soci::into(blocked_until, blocked_ind), soci::use(key, "key");
      ThrottleState current{failures, ParseStored(last_failure_at), std::nullopt};
      if (blocked_ind == soci::i_ok) current.blocked_until = ParseStored(blocked_until);
      const ThrottleState next = AfterFailure(*rule, current, now);
      std::string next_blocked =
          next.blocked_until ? db::FormatTimestamp(*next.blocked_until) : std::string();
      soci::indicator next_blocked_ind = next.blocked_until ? soci::i_ok : soci::i_null;
      session << kUpdateState, soci::use(next.failures, "failures"), soci::use(now_text, "last_failure_at"),
          soci::use(next_blocked, next_blocked_ind, "blocked_until"), soci::use(key, "key");
    }
  });
}

void LoginThrottle::RecordSuccess(std::string_view login) {
  const std::string key = LoginKey(login);
  db::WithWriteTransaction(database_,
                           [&](soci::session& session) { session << kDeleteKey, soci::use(key, "key"); });
}

size_t LoginThrottle::Prune(system_clock::time_point older_than) {
  const std::string cutoff = db::FormatTimestamp(older_than);
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement statement =
        (session.prepare << kPrune, soci::use(cutoff, "idle_before"), soci::use(cutoff, "blocked_before"));
    statement.execute(true);
    return static_cast<size_t>(std::max<long long>(statement.get_affected_rows(), 0));
  });
}

}  // namespace tabel::auth
