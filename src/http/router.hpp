#pragma once
// Routes: a method, a path template with whole-segment parameters
// ("/api/v1/employees/{id}") and a coroutine handler.
// Thread-safety: built at start-up on one thread, then only read (Find is
// const and safe from every io thread).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace tabel::http {

using Handler = std::function<Task<Response>(Request)>;

struct RouteOptions {
  // Largest accepted body; 0 = the server's default (TABEL_MAX_BODY_BYTES).
  size_t max_body_bytes = 0;
  // Public routes skip the authentication hook (health, docs, login).
  bool public_route = false;
};

struct Route {
  Verb method;
  std::string path_template;
  Handler handler;
  RouteOptions options;
  std::vector<std::string> segments;  // the template split on '/'
  size_t literal_segments = 0;        // for precedence: literals beat parameters
};

struct RouteMatch {
  const Route* route = nullptr;  // null when nothing matched
  std::vector<std::pair<std::string, std::string>> params;
  // When route is null: whether some route has this path (then the method is
  // wrong: 405), and the methods it allows.
  bool path_exists = false;
  std::vector<Verb> allowed;
};

class Router {
 public:
  // Throws std::invalid_argument on a malformed template or a duplicate
  // (method, template) pair.
  void Add(Verb method, std::string path_template, Handler handler, RouteOptions options = {});

  // `path` is the raw (still percent-encoded) path without the query string;
  // parameter values are decoded. Throws tabel::Error (400) on a malformed
  // escape inside a parameter.
  RouteMatch Find(Verb method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace tabel::http
