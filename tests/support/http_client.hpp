#pragma once
// A deliberately small blocking HTTP/1.1 client over POSIX sockets for the
// functional tests. It can send any bytes (malformed requests, half-sent
// headers), reuse a keep-alive connection, and tell when the server closed.
// Thread-safety: one Connection per thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace tabel::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& name) const;
};

class Connection {
 public:
  // Connects to 127.0.0.1:port; throws std::runtime_error on failure.
  explicit Connection(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends raw bytes; returns false if the peer has closed or reset.
  bool Send(const std::string& bytes);
  // Reads one response; nullopt if the connection closed first.
  std::optional<HttpResponse> Read();
  // True if the server closes the connection (EOF or reset) within `within`.
  bool ClosedByPeer(std::chrono::milliseconds within);

  HttpResponse Request(const std::string& method, const std::string& target, const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});

 private:
  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection.
HttpResponse Get(uint16_t port, const std::string& target,
                 const std::map<std::string, std::string>& headers = {});
HttpResponse Send(uint16_t port, const std::string& method, const std::string& target,
                  const std::string& body,
                  const std::map<std::string, std::string>& headers = {{"Content-Type", "application/json"}});

}  // namespace tabel::testing
