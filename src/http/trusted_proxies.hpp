#pragma once
// Who the client is behind a proxy or an ingress: the proxies whose
// X-Forwarded-For Tabel believes (TABEL_TRUSTED_PROXIES: addresses and CIDR
// networks). A request from a trusted peer is from the right-most address of
// its X-Forwarded-For that is not a trusted proxy; from any other peer, the
// header is ignored (anyone can send it), and the client is the peer. The
// audit log and the login throttle see that address.
// Thread-safety: immutable once parsed.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/asio.hpp"

namespace tabel::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // "10.0.0.0/8, 127.0.0.1, fd00::/8"; empty: none. Throws
  // std::invalid_argument naming an entry that is neither.
  static TrustedProxies Parse(std::string_view list);

  bool empty() const { return v4_.empty() && v6_.empty(); }
  bool Contains(const asio::ip::address& address) const;
  // The client of a request from `peer` carrying `forwarded` (the
  // X-Forwarded-For header, if any).
  std::string ClientOf(const std::string& peer, std::optional<std::string_view> forwarded) const;

 private:
  std::vector<asio::ip::network_v4> v4_;
  std::vector<asio::ip::network_v6> v6_;
};

}  // namespace tabel::http
