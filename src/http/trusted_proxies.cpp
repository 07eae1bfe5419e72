#include "http/trusted_proxies.hpp"

#include <stdexcept>

namespace tabel::http {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<asio::ip::address> AddressOf(std::string_view text) {
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  // An IPv4 client seen through an IPv6 socket: ::ffff:a.b.c.d.
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address;
}

}  // namespace

TrustedProxies TrustedProxies::Parse(std::string_view list) {
  TrustedProxies proxies;
  while (!list.empty()) {
    const size_t comma = std::min(list.find(','), list.size());
    const std::string entry(Trim(list.substr(0, comma)));
    list.remove_prefix(std::min(comma + 1, list.size()));
    if (entry.empty()) continue;
    boost::system::error_code ec;
    if (entry.find('/') == std::string::npos) {
      const std::optional<asio::ip::address> address = AddressOf(entry);
      if (!address) throw std::invalid_argument("\"" + entry + "\" is not an address or a network");
      if (address->is_v4()) {
        proxies.v4_.emplace_back(address->to_v4(), 32);
      } else {
        proxies.v6_.emplace_back(address->to_v6(), 128);
      }
    } else if (entry.find(':') == std::string::npos) {
      proxies.v4_.push_back(asio::ip::make_network_v4(entry, ec));
    } else {
      proxies.v6_.push_back(asio::ip::make_network_v6(entry, ec));
    }
    if (ec) throw std::invalid_argument("\"" + entry + "\" is not an address or a network");
  }
  return proxies;
}

bool TrustedProxies::Contains(const asio::ip::address& address) const {
  if (address.is_v4()) {
    const asio::ip::network_v4 host(address.to_v4(), 32);
    for (const auto& network : v4_) {
      if (host == network || host.is_subnet_of(network)) return true;
    }
    return false;
  }
  const asio::ip::network_v6 host(address.to_v6(), 128);
  for (const auto& network : v6_) {
    if (host == network || host.is_subnet_of(network)) return true;
  }
  return false;
}

std::string TrustedProxies::ClientOf(const std::string& peer,
                                     std::optional<std::string_view> forwarded) const {
  if (empty() || !forwarded) return peer;
  const std::optional<asio::ip::address> from = AddressOf(peer);
  if (!from || !Contains(*from)) return peer;
  // Each proxy appends the address it was called from: read from the right,
  // past the trusted ones, up to the first it cannot vouch for.
  std::string client = peer;
  std::string_view rest = *forwarded;
  while (!rest.empty()) {
    const size_t comma = rest.rfind(',');
    const std::string_view entry = Trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    const std::optional<asio::ip::address> address = AddressOf(entry);
    if (!address) break;  // not an address: nothing left of it is believed
    client = address->to_string();
    if (!Contains(*address)) break;
  }
  return client;
}

}  // namespace tabel::http
