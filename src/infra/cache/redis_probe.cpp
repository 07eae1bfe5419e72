#include "infra/cache/redis_probe.hpp"

#include <hiredis/hiredis.h>

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

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyDeleter {
  void operator()(void* reply) const { freeReplyObject(reply); }
};

}  // namespace

void PingRedis(const std::string& url, std::chrono::milliseconds timeout) {
  const RedisTarget target = ParseRedisUrl(url);
  const timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  std::unique_ptr<redisContext, ContextDeleter> context(
      redisConnectWithTimeout(target.host.c_str(), target.port, tv));
  if (!context) throw std::runtime_error("cannot allocate a Redis context");
  if (context->err) throw std::runtime_error(std::string("Redis connect failed: ") + context->errstr);
  redisSetTimeout(context.get(), tv);
  if (!target.password.empty()) {
    std::unique_ptr<void, ReplyDeleter> auth(redisCommand(context.get(), "AUTH %s", target.password.c_str()));
    if (!auth) throw std::runtime_error(std::string("Redis AUTH failed: ") + context->errstr);
  }
  std::unique_ptr<void, ReplyDeleter> raw(redisCommand(context.get(), "PING"));
  if (!raw) throw std::runtime_error(std::string("Redis PING failed: ") + context->errstr);
  const auto* reply = static_cast<redisReply*>(raw.get());
  if (reply->type != REDIS_REPLY_STATUS || std::string(reply->str, reply->len) != "PONG") {
    throw std::runtime_error("Redis answered PING with something other than PONG");
  }
}

}  // namespace tabel::cache
