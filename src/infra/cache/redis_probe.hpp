#pragma once
// Reachability checks of Redis for /readyz.

#include <chrono>
#include <string>

namespace tabel::cache {

// Connects to `url` (redis://[:password@]host[:port][/db]), sends PING and
// expects PONG, all within `timeout`. Throws std::runtime_error saying what
// failed; std::invalid_argument for a malformed URL.
void PingRedis(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace tabel::cache
