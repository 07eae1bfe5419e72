#include "infra/cache/redis.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace tabel::cache {
namespace {

struct RedisTarget {
  std::string host;
  int port = 6379;
  std::string password;
};

RedisTarget ParseRedisUrl(const std::string& url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.rfind(kScheme, 0) != 0) throw std::invalid_argument("Redis URL must start with redis://");
  std::string rest = url.substr(kScheme.size());
  RedisTarget target;
  if (const size_t at = rest.rfind('@'); at != std::string::npos) {
    const std::string credentials = rest.substr(0, at);
    const size_t colon = credentials.find(':');
    target.password = colon == std::string::npos ? credentials : credentials.substr(colon + 1);
    rest = rest.substr(at + 1);
  }
  rest = rest.substr(0, rest.find('/'));
  const size_t colon = rest.rfind(':');
  target.host = rest.substr(0, colon);
  if (colon != std::string::npos) {
    try {
      target.port = std::stoi(rest.substr(colon + 1));
    } catch (const std::exception&) {
      throw std::invalid_argument("Redis URL has a bad port");
    }
  }
  if (target.host.empty()) throw std::invalid_argument("Redis URL has no host");
  return target;
}

constexpr std::chrono::seconds kSkipAfterFailure{1};

timeval TimevalOf(std::chrono::milliseconds timeout) {
  return {static_cast<time_t>(timeout.count() / 1000),
          static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
}

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyDeleter {
  void operator()(void* reply) const { freeReplyObject(reply); }
};

// A connected (and authenticated) context. Throws std::runtime_error.
std::unique_ptr<redisContext, ContextDeleter> Connect(const RedisTarget& target,
                                                      std::chrono::milliseconds timeout) {
  const timeval tv = TimevalOf(timeout);
  std::unique_ptr<redisContext, ContextDeleter> context(
      redisConnectWithTimeout(target.host.c_str(), target.port, tv));
  if (!context) throw std::runtime_error("cannot allocate a Redis context");
  if (context->err) throw std::runtime_error(std::string("Redis connect failed: ") + context->errstr);
  redisSetTimeout(context.get(), tv);
  if (!target.password.empty()) {
    std::unique_ptr<void, ReplyDeleter> auth(redisCommand(context.get(), "AUTH %s", target.password.c_str()));
    const auto* reply = static_cast<const redisReply*>(auth.get());
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
      throw std::runtime_error(std::string("Redis AUTH failed: ") + context->errstr);
    }
  }
  return context;
}

}  // namespace

void PingRedis(const std::string& url, std::chrono::milliseconds timeout) {
  auto context = Connect(ParseRedisUrl(url), timeout);
  std::unique_ptr<void, ReplyDeleter> raw(redisCommand(context.get(), "PING"));
  if (!raw) throw std::runtime_error(std::string("Redis PING failed: ") + context->errstr);
  const auto* reply = static_cast<redisReply*>(raw.get());
  if (reply->type != REDIS_REPLY_STATUS || std::string(reply->str, reply->len) != "PONG") {
    throw std::runtime_error("Redis answered PING with something other than PONG");
  }
}

struct RedisCache::Target : RedisTarget {};

RedisCache::RedisCache(const std::string& url, std::string prefix, std::chrono::milliseconds timeout,
                       size_t pool_size)
    : target_(std::make_unique<Target>(Target{ParseRedisUrl(url)})),
      prefix_(std::move(prefix)),
      timeout_(timeout),
      pool_size_(pool_size) {}

RedisCache::~RedisCache() = default;

RedisCache::Context RedisCache::Lease() {
  {
    const std::lock_guard lock(mutex_);
    if (std::chrono::steady_clock::now() < skip_until_) return nullptr;
    if (!idle_.empty()) {
      Context context = std::move(idle_.back());
      idle_.pop_back();
      return context;
    }
  }
  try {
    return Context(Connect(*target_, timeout_).release());
  } catch (const std::runtime_error&) {
    const std::lock_guard lock(mutex_);
    skip_until_ = std::chrono::steady_clock::now() + kSkipAfterFailure;
    return nullptr;
  }
}

void RedisCache::Return(Context context) {
  const std::lock_guard lock(mutex_);
  if (idle_.size() < pool_size_) idle_.push_back(std::move(context));
}

std::shared_ptr<redisReply> RedisCache::Command(const std::vector<std::string>& arguments) {
  Context context = Lease();
  if (!context) return nullptr;
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& argument : arguments) {
    argv.push_back(argument.data());
    lengths.push_back(argument.size());
  }
  auto* raw = static_cast<redisReply*>(
      redisCommandArgv(context.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (raw == nullptr || context->err != 0) {
    if (raw != nullptr) freeReplyObject(raw);
    const std::lock_guard lock(mutex_);
    skip_until_ = std::chrono::steady_clock::now() + kSkipAfterFailure;
    return nullptr;  // the context is dropped
  }
  Return(std::move(context));
  return {raw, [](redisReply* reply) { freeReplyObject(reply); }};
}

std::optional<std::string> RedisCache::Get(const std::string& key) {
  const auto reply = Command({"GET", prefix_ + key});
  if (!reply || reply->type != REDIS_REPLY_STRING) return std::nullopt;
  return std::string(reply->str, reply->len);
}

void RedisCache::Set(const std::string& key, std::string_view value, std::chrono::seconds ttl) {
  Command(
      {"SET", prefix_ + key, std::string(value), "EX", std::to_string(std::max<int64_t>(1, ttl.count()))});
}

int64_t RedisCache::Counter(const std::string& key) {
  const std::optional<std::string> value = Get(key);
  if (!value) return 0;
  try {
    return std::stoll(*value);
  } catch (const std::exception&) {
    return 0;
  }
}

void RedisCache::Bump(const std::string& key) { Command({"INCR", prefix_ + key}); }

}  // namespace tabel::cache
