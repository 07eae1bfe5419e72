#pragma once
// The HTTP/1.1 server: Beast over Asio coroutines, one coroutine per
// connection, so an idle keep-alive connection costs a socket and a little
// memory but never a thread.
//
// Limits: header size, per-route body size (413), a read deadline for each
// request, an idle deadline between keep-alive requests, a cap on requests
// being handled at once (503 beyond it) and on open connections.
// Shutdown: BeginShutdown() stops accepting and makes every connection close
// after its current response; Drained() tells when no request is in flight.
// Thread-safety: construct and Listen() on one thread, then the io threads
// run it; BeginShutdown may be called from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/asio.hpp"
#include "http/router.hpp"
#include "http/trusted_proxies.hpp"

namespace tabel::log {
class Logger;
}
namespace tabel::metrics {
class Registry;
}

namespace tabel::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = any free port; see HttpServer::port()
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds read_timeout{10000};  // to receive one whole request
  std::chrono::milliseconds idle_timeout{60000};  // between keep-alive requests
  size_t max_concurrent_requests = 1024;
  size_t max_connections = 10000;
  int io_threads = 1;  // threads running the io_context (more than one: a strand per connection)
  // Whose X-Forwarded-For names the client (trusted_proxies.hpp); none by default.
  TrustedProxies trusted_proxies;
};

// Called for every route that is not public, before its handler: it checks
// the credentials, fills Request::identity, or throws tabel::Error (401).
using Authenticator = std::function<Task<void>(Request&)>;

class HttpServer {
 public:
  HttpServer(asio::io_context& io, ServerOptions options, const Router& router, log::Logger& logger,
             metrics::Registry& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void SetAuthenticator(Authenticator authenticator) { authenticator_ = std::move(authenticator); }

  // Binds and listens; throws std::system_error when the address is taken.
  void Listen();
  uint16_t port() const { return port_; }

  // Starts the accept loop on the io_context.
  void Start();

  void BeginShutdown();
  // True when no request is being read, handled or answered.
  bool Drained() const { return active_->load() == 0; }

 private:
  struct Metrics;
  // What the access log and metrics need of a request after it was moved
  // into its handler.
  struct RequestSummary {
    Verb method;
    std::string path;
    std::string client;
    std::string request_id;
  };

  Task<void> Accept();
  Task<void> Serve(asio::ip::tcp::socket socket);
  Task<Response> Dispatch(Request request, RouteMatch match, std::chrono::steady_clock::time_point started);
  static RequestSummary Summary(const Request& request);
  void Record(const RequestSummary& request, std::string_view route, Status status,
              std::chrono::steady_clock::time_point started, const std::string& internal);

  asio::io_context& io_;
  ServerOptions options_;
  const Router& router_;
  log::Logger& logger_;
  std::shared_ptr<Metrics> metrics_;
  Authenticator authenticator_;
  asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  // Shared with connection coroutines, whose frames may be destroyed (with
  // the io_context) after the server object itself.
  std::shared_ptr<std::atomic<size_t>> active_ =
      std::make_shared<std::atomic<size_t>>(0);  // first byte to response
  std::shared_ptr<std::atomic<size_t>> in_flight_ =
      std::make_shared<std::atomic<size_t>>(0);  // the concurrency cap
  std::shared_ptr<std::atomic<size_t>> connections_ = std::make_shared<std::atomic<size_t>>(0);
  std::atomic<uint64_t> next_request_number_{0};
  std::string request_id_prefix_;
};

}  // namespace tabel::http
