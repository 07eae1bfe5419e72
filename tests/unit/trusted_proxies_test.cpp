#include "http/trusted_proxies.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace tabel::http {
namespace {

TEST(TrustedProxies, NoneConfiguredTheHeaderIsIgnored) {
  const TrustedProxies none = TrustedProxies::Parse("");
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.ClientOf("10.0.0.5", "203.0.113.7"), "10.0.0.5");
}

TEST(TrustedProxies, OnlyATrustedPeerIsBelieved) {
  const TrustedProxies proxies = TrustedProxies::Parse(" 10.0.0.0/8, 127.0.0.1 ,fd00::/8");
  // The ingress (10.x) forwards a client.
  EXPECT_EQ(proxies.ClientOf("10.1.2.3", "203.0.113.7"), "203.0.113.7");
  // Anyone else may write the header: it says nothing.
  EXPECT_EQ(proxies.ClientOf("198.51.100.1", "203.0.113.7"), "198.51.100.1");
  // No header: the peer.
  EXPECT_EQ(proxies.ClientOf("10.1.2.3", std::nullopt), "10.1.2.3");
  // IPv6 and IPv4 seen through an IPv6 socket.
  EXPECT_EQ(proxies.ClientOf("fd00::1", "2001:db8::7"), "2001:db8::7");
  EXPECT_EQ(proxies.ClientOf("::ffff:127.0.0.1", "203.0.113.7"), "203.0.113.7");
}

TEST(TrustedProxies, TheRightMostAddressNoTrustedProxyAddedIsTheClient) {
  const TrustedProxies proxies = TrustedProxies::Parse("10.0.0.0/8");
  // The client wrote a false first entry; the edge proxy (10.0.0.9) appended
  // the address it really saw, and the ingress (the peer) the edge's.
  EXPECT_EQ(proxies.ClientOf("10.0.0.2", "1.2.3.4, 203.0.113.7, 10.0.0.9"), "203.0.113.7");
  // Every hop trusted: the left-most.
  EXPECT_EQ(proxies.ClientOf("10.0.0.2", "10.0.0.8, 10.0.0.9"), "10.0.0.8");
  // Garbage stops the walk at the last address vouched for.
  EXPECT_EQ(proxies.ClientOf("10.0.0.2", "203.0.113.7, not-an-address, 10.0.0.9"), "10.0.0.9");
  EXPECT_EQ(proxies.ClientOf("10.0.0.2", "unknown"), "10.0.0.2");
}

TEST(TrustedProxies, AnEntryThatIsNeitherAnAddressNorANetworkIsRefused) {
  for (const char* list : {"10.0.0.0/33", "ingress", "10.0.0.1/8x", "fd00::/129"}) {
    EXPECT_THROW(TrustedProxies::Parse(list), std::invalid_argument) << list;
  }
}

}  // namespace
}  // namespace tabel::http
