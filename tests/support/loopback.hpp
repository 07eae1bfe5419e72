#pragma once
// The IPv4 loopback address 127.0.0.1:`port`, for the tests' raw sockets.

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>

namespace tabel::testing {

inline sockaddr_in LoopbackAddress(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

}  // namespace tabel::testing
