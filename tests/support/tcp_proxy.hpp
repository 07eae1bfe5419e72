#pragma once
// A loopback TCP forwarder that a test can cut and restore, to make a real
// server (PostgreSQL, Redis) "go away" and come back without touching it.
// Thread-safety: Start/Stop from the test thread; forwarding runs on
// internal threads.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace tabel::testing {

class TcpProxy {
 public:
  explicit TcpProxy(uint16_t upstream_port) : upstream_port_(upstream_port) {}
  ~TcpProxy() { Stop(); }
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // Listens on 127.0.0.1:`port` (0 = a free port, then reused by later
  // Starts) and forwards every connection to the upstream port.
  void Start(uint16_t port = 0);
  // Closes the listener and every forwarded connection.
  void Stop();
  uint16_t port() const { return port_; }

 private:
  void AcceptLoop();
  void Pump(int client, int upstream);

  uint16_t upstream_port_;
  uint16_t port_ = 0;
  int listener_ = -1;
  std::atomic<bool> running_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> sockets_;
  std::vector<std::thread> pumps_;
};

// A listener that accepts connections and never answers: a dependency that
// hangs. Closed on destruction.
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace tabel::testing
