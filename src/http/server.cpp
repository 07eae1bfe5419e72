#include "http/server.hpp"

#include <array>
#include <cctype>
#include <limits>
#include <random>
#include <system_error>

#include "common/error.hpp"
#include "http/problem.hpp"
#include "http/url.hpp"
#include "infra/log/log.hpp"
#include "infra/metrics/metrics.hpp"

namespace tabel::http {
namespace bhttp = beast::http;
using asio::ip::tcp;

namespace {

constexpr std::string_view kUnmatchedRoute = "unmatched";
constexpr size_t kLingerBytes = 4 << 20;
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kReadChunkLimit = 64 << 10;

// A client's X-Request-Id is reused only if it is short and plain, so that it
// cannot inject anything into logs or headers.
bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::string RandomHex(size_t length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device device;
  std::mt19937_64 engine(device());
  std::string out;
  for (size_t i = 0; i < length; ++i) out.push_back(kHex[engine() % 16]);
  return out;
}

// Decrements a counter when a request ends, also when its coroutine frame is
// destroyed with the io_context at exit.
struct CountGuard {
  std::shared_ptr<std::atomic<size_t>> counter;
  ~CountGuard() { counter->fetch_sub(1); }
};

// The same for a counter mirrored by a gauge (connections, requests in flight).
struct ActiveGuard {
  ActiveGuard(std::shared_ptr<std::atomic<size_t>> counter_in, metrics::Gauge& gauge_in)
      : counter(std::move(counter_in)), gauge(gauge_in) {}
  ActiveGuard(const ActiveGuard&) = delete;
  ActiveGuard& operator=(const ActiveGuard&) = delete;
  std::shared_ptr<std::atomic<size_t>> counter;
  metrics::Gauge& gauge;
  ~ActiveGuard() {
    counter->fetch_sub(1);
    gauge.Dec();
  }
};

}  // namespace

struct HttpServer::Metrics {
  explicit Metrics(metrics::Registry& registry)
      : requests(registry.AddCounter("tabel_http_requests_total",
                                     "HTTP requests answered, by route template, method and status.",
                                     {"route", "method", "status"})),
        duration(registry.AddHistogram(
            "tabel_http_request_duration_seconds",
            "Time from a complete request to its response, by route template and method.",
            {"route", "method"}, metrics::DefaultLatencyBuckets())),
        in_flight(registry.AddGauge("tabel_http_requests_in_flight", "HTTP requests being handled now.", {})
                      .WithLabels({})),
        connections(
            registry.AddGauge("tabel_http_connections_open", "Open HTTP connections.", {}).WithLabels({})) {}

  metrics::CounterFamily& requests;
  metrics::HistogramFamily& duration;
  metrics::Gauge& in_flight;
  metrics::Gauge& connections;
};

HttpServer::HttpServer(asio::io_context& io, ServerOptions options, const Router& router, log::Logger& logger,
                       metrics::Registry& metrics)
    : io_(io),
      options_(std::move(options)),
      router_(router),
      logger_(logger),
      metrics_(std::make_shared<Metrics>(metrics)),
      acceptor_(asio::make_strand(io)),
      request_id_prefix_(RandomHex(8)) {}

HttpServer::~HttpServer() = default;

void HttpServer::Listen() {
  const tcp::endpoint endpoint(asio::ip::make_address(options_.host), options_.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

void HttpServer::Start() { asio::co_spawn(acceptor_.get_executor(), Accept(), asio::detached); }

void HttpServer::BeginShutdown() {
  stopping_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
}

Task<void> HttpServer::Accept() {
  for (;;) {
    beast::error_code ec;
    // A connection's handlers must not run concurrently: with several io
    // threads each connection gets a strand; with one, the thread is enough.
    const asio::any_io_executor connection_executor =
        options_.io_threads > 1 ? asio::any_io_executor(asio::make_strand(io_)) : io_.get_executor();
    tcp::socket socket =
        co_await acceptor_.async_accept(connection_executor, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) co_return;
      logger_.Warn("http_accept_failed", {{"error", ec.message()}});
      asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (connections_->load() >= options_.max_connections) {
      socket.close(ec);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Serve(std::move(socket)), asio::detached);
  }
}

Task<void> HttpServer::Serve(tcp::socket socket) {
  connections_->fetch_add(1);
  metrics_->connections.Inc();
  const ActiveGuard connection_guard{connections_, metrics_->connections};

  beast::error_code ec;
  std::string client;
  if (const auto remote = socket.remote_endpoint(ec); !ec) client = remote.address().to_string();
  beast::tcp_stream stream(std::move(socket));
  // Bounded: a header, or one chunk-size line, larger than this is a 400.
  beast::flat_buffer buffer(options_.max_header_bytes + kReadChunkLimit);
  bool first = true;

  try {
    for (;;) {
      // Wait for the next request; an idle keep-alive connection holds only this.
      if (buffer.size() == 0) {
        stream.expires_after(first ? options_.read_timeout : options_.idle_timeout);
        const size_t n = co_await stream.async_read_some(buffer.prepare(4096),
                                                         asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        buffer.commit(n);
      }
      first = false;
      const auto started = std::chrono::steady_clock::now();
      // From its first byte to its response written, a request delays shutdown.
      active_->fetch_add(1);
      const CountGuard active_guard{active_};

      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
      // The body limit depends on the route, known only after the header:
      // no limit while reading the header, the route's limit after it.
      // (Not boost::none: Beast 1.74 compares the declared length against
      // the optional, and any number is greater than an empty optional.)
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      stream.expires_after(options_.read_timeout);
      co_await bhttp::async_read_header(stream, buffer, parser,
                                        asio::redirect_error(asio::use_awaitable, ec));

      Request request;
      request.client_address = client;
      std::optional<ActiveGuard> slot;  // a place under max_concurrent_requests
      std::optional<Error> early_error;
      bool linger = false;
      RouteMatch match;
      unsigned version = 11;

      if (ec == bhttp::error::header_limit) {
        early_error = Error(ErrorKind::kBadRequest, "header-too-large", "The request headers are too large.");
      } else if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
        early_error = Error(ErrorKind::kBadRequest, "bad-request", "The request is not valid HTTP/1.1.", {},
                            ec.message());
      } else if (ec) {
        break;  // timeout, reset or end of stream mid-header
      } else {
        auto& header = parser.get();
        version = header.version();
        request.method = header.method();
        const std::string_view target = header.target();
        const size_t question = target.find('?');
        request.path = std::string(target.substr(0, question));
        if (const auto id = header["X-Request-Id"]; IsAcceptableRequestId(id)) {
          request.request_id = std::string(id);
        }
        if (const auto forwarded = header.find("X-Forwarded-For"); forwarded != header.end()) {
          request.client_address = options_.trusted_proxies.ClientOf(client, forwarded->value());
        }
        if (question != std::string_view::npos) {
          auto query = ParseQuery(target.substr(question + 1));
          if (query) {
            request.query = std::move(*query);
          } else {
            early_error =
                Error::BadRequest("The query string is malformed.", {{"query", "malformed escape"}});
          }
        }
        if (!early_error) {
          try {
            match = router_.Find(request.method, request.path);
          } catch (const Error& error) {
            early_error = error;
          }
        }
        size_t limit = options_.max_body_bytes;
        if (match.route != nullptr && match.route->options.max_body_bytes != 0) {
          limit = match.route->options.max_body_bytes;
        }
        const auto declared = parser.content_length();
        if (!early_error && declared && *declared > limit) {
          early_error = Error(ErrorKind::kPayloadTooLarge, "payload-too-large",
                              "The body is larger than " + std::to_string(limit) + " bytes.");
          linger = true;
        }
        // The concurrency slot is taken before the body is read (or 100
        // Continue invites it), so the cap also bounds memory held by bodies.
        if (!early_error) {
          if (in_flight_->fetch_add(1) >= options_.max_concurrent_requests) {
            in_flight_->fetch_sub(1);
            early_error = Error::Unavailable("The server is busy; try again shortly.", "concurrency limit");
            early_error->WithRetryAfter(1);
            linger = !parser.is_done();
          } else {
            metrics_->in_flight.Inc();
            slot.emplace(in_flight_, metrics_->in_flight);
          }
        }
        if (!early_error && !parser.is_done()) {
          parser.body_limit(limit);
          if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
            bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, version};
            co_await bhttp::async_write(stream, proceed, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
          }
          co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
          if (ec == bhttp::error::body_limit) {
            early_error = Error(ErrorKind::kPayloadTooLarge, "payload-too-large",
                                "The body is larger than " + std::to_string(limit) + " bytes.");
            linger = true;
          } else if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
            early_error = Error(ErrorKind::kBadRequest, "bad-request",
                                "The request body is not valid HTTP/1.1 framing.", {}, ec.message());
          } else if (ec) {
            break;
          }
        }
      }

      if (request.request_id.empty()) {
        request.request_id = request_id_prefix_ + "-" + std::to_string(next_request_number_.fetch_add(1));
      }
      const std::string request_id = request.request_id;
      bool keep_alive = !early_error && parser.keep_alive() && !stopping_;
      Response response;
      if (early_error) {
        response = ProblemResponse(*early_error, request.path, request_id);
        Record(Summary(request), match.route ? std::string_view(match.route->path_template) : kUnmatchedRoute,
               response.status, started, early_error->internal());
      } else {
        auto& message = parser.get();
        request.headers = std::move(static_cast<Fields&>(message));
        request.body = std::move(message.body());
        response = co_await Dispatch(std::move(request), std::move(match), started);
        keep_alive = keep_alive && !stopping_;
      }

      bhttp::response<bhttp::string_body> reply{response.status, version};
      if (!response.content_type.empty()) reply.set(bhttp::field::content_type, response.content_type);
      for (const auto& [name, value] : response.headers) reply.set(name, value);
      reply.set("X-Request-Id", request_id);
      reply.keep_alive(keep_alive);
      reply.body() = std::move(response.body);
      reply.prepare_payload();
      stream.expires_after(options_.read_timeout);
      co_await bhttp::async_write(stream, reply, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      if (!keep_alive) {
        if (linger) {
          // Let the client finish sending so that it reads our 413 instead
          // of a connection reset.
          stream.socket().shutdown(tcp::socket::shutdown_send, ec);
          stream.expires_after(kLingerTime);
          size_t discarded = 0;
          while (!ec && discarded < kLingerBytes) {
            buffer.consume(buffer.size());
            discarded += co_await stream.async_read_some(buffer.prepare(kReadChunkLimit),
                                                         asio::redirect_error(asio::use_awaitable, ec));
          }
        }
        break;
      }
    }
  } catch (const std::exception& error) {
    logger_.Error("http_connection_failed", {{"error", error.what()}, {"client", client}});
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

HttpServer::RequestSummary HttpServer::Summary(const Request& request) {
  return {request.method, request.path, request.client_address, request.request_id};
}

Task<Response> HttpServer::Dispatch(Request request, RouteMatch match,
                                    std::chrono::steady_clock::time_point started) {
  const RequestSummary summary = Summary(request);
  const std::string_view route = match.route ? std::string_view(match.route->path_template) : kUnmatchedRoute;
  Response response;
  std::optional<Error> error;
  bool method_not_allowed = false;
  try {
    if (match.route == nullptr && match.path_exists) {
      method_not_allowed = true;
      error = Error(ErrorKind::kMethodNotAllowed, "method-not-allowed", "This method is not allowed here.");
    } else if (match.route == nullptr) {
      error = Error::NotFound("No such resource.");
    } else {
      request.route = match.route->path_template;
      request.path_params = std::move(match.params);
      if (!match.route->options.public_route) {
        if (!authenticator_) throw Error::Unauthorized();
        co_await authenticator_(request);
      }
      response = co_await match.route->handler(std::move(request));
    }
  } catch (const Error& caught) {
    error = caught;
  } catch (const std::exception& caught) {
    error = Error::Internal(caught.what());
  }
  if (error) {
    response = ProblemResponse(*error, summary.path, summary.request_id);
    if (method_not_allowed) {
      std::string allow;
      for (const Verb verb : match.allowed) {
        if (!allow.empty()) allow += ", ";
        allow += beast::http::to_string(verb);
      }
      response.headers.emplace_back("Allow", std::move(allow));
    }
  }
  Record(summary, route, response.status, started, error ? error->internal() : std::string());
  co_return response;
}

void HttpServer::Record(const RequestSummary& request, std::string_view route, Status status,
                        std::chrono::steady_clock::time_point started, const std::string& internal) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string_view method = beast::http::to_string(request.method);
  const auto code = static_cast<unsigned>(status);
  metrics_->requests.WithLabels({route, method, std::to_string(code)}).Inc();
  metrics_->duration.WithLabels({route, method}).Observe(seconds);
  const log::Level level = code >= 500 ? log::Level::kError : log::Level::kInfo;
  if (!logger_.Enabled(level)) return;
  const std::array<log::Field, 8> fields = {log::Field{"method", method},
                                            {"path", request.path},
                                            {"route", route},
                                            {"status", code},
                                            {"duration_ms", seconds * 1000},
                                            {"request_id", request.request_id},
                                            {"client", request.client},
                                            {"error", internal}};
  // The error field only when there is one.
  logger_.Write(level, "http_request", std::span<const log::Field>(fields.data(), internal.empty() ? 7 : 8));
}

}  // namespace tabel::http
