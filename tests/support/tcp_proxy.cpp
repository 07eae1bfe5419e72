#include "support/tcp_proxy.hpp"
#include "support/loopback.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace tabel::testing {
namespace {

int Listen(uint16_t port, uint16_t& bound) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address = LoopbackAddress(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 128) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port));
  }
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  bound = ntohs(address.sin_port);
  return fd;
}

}  // namespace

void TcpProxy::Start(uint16_t port) {
  Stop();
  listener_ = Listen(port != 0 ? port : port_, port_);
  running_ = true;
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

void TcpProxy::Stop() {
  if (!running_.exchange(false)) return;
  ::shutdown(listener_, SHUT_RDWR);
  ::close(listener_);
  acceptor_.join();
  std::vector<std::thread> pumps;
  {
    std::lock_guard lock(mutex_);
    for (const int fd : sockets_) ::shutdown(fd, SHUT_RDWR);
    pumps.swap(pumps_);
  }
  for (std::thread& pump : pumps) pump.join();
  std::lock_guard lock(mutex_);
  for (const int fd : sockets_) ::close(fd);
  sockets_.clear();
}

void TcpProxy::AcceptLoop() {
  while (running_) {
    pollfd descriptor{listener_, POLLIN, 0};
    if (::poll(&descriptor, 1, 100) <= 0) continue;
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    const int upstream = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = LoopbackAddress(upstream_port_);
    if (::connect(upstream, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(client);
      ::close(upstream);
      continue;
    }
    std::lock_guard lock(mutex_);
    sockets_.push_back(client);
    sockets_.push_back(upstream);
    pumps_.emplace_back([this, client, upstream] { Pump(client, upstream); });
  }
}

void TcpProxy::Pump(int client, int upstream) {
  char buffer[16384];
  pollfd descriptors[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
  while (running_) {
    if (::poll(descriptors, 2, 100) < 0) break;
    bool closed = false;
    for (int i = 0; i < 2 && !closed; ++i) {
      if (descriptors[i].revents == 0) continue;
      const ssize_t n = ::recv(descriptors[i].fd, buffer, sizeof buffer, 0);
      if (n <= 0 || ::send(descriptors[1 - i].fd, buffer, static_cast<size_t>(n), MSG_NOSIGNAL) != n)
        closed = true;
    }
    if (closed) break;
  }
  ::shutdown(client, SHUT_RDWR);
  ::shutdown(upstream, SHUT_RDWR);
}

SilentListener::SilentListener() { fd_ = Listen(0, port_); }

SilentListener::~SilentListener() { ::close(fd_); }

}  // namespace tabel::testing
