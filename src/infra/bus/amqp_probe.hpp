#pragma once
// Reachability check of the AMQP broker for /readyz.

#include <chrono>
#include <string>

namespace tabel::bus {

// Opens a connection to `url` (amqp://user:pass@host:port/vhost), logs in,
// opens and closes a channel, all within about `timeout`. Throws
// std::runtime_error saying what failed; std::invalid_argument for a
// malformed URL.
void PingAmqp(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace tabel::bus
