#pragma once
// The request and response types that handlers see. Handlers never touch
// sockets or Beast parsers; the server converts at the edge.
// Thread-safety: plain values, owned by one request at a time.

#include <any>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "http/asio.hpp"

namespace tabel::http {

struct Request {
  Verb method = Verb::unknown;
  std::string path;                                              // the raw path without the query string
  std::vector<std::pair<std::string, std::string>> query;        // decoded, in order
  std::vector<std::pair<std::string, std::string>> path_params;  // from the route template
  Fields headers;
  std::string body;
  std::string route;  // the matched route template, e.g. "/api/v1/employees/{id}"
  std::string request_id;
  std::string client_address;
  // Set by the authentication hook for routes that require it; holds the
  // caller's identity in whatever type the auth service defines.
  std::any identity;

  // The first query parameter named `name`, if present.
  std::optional<std::string_view> Query(std::string_view name) const;
  // The path parameter named `name`; the router guarantees it exists for
  // every {name} of the route template.
  std::string_view PathParam(std::string_view name) const;
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct Response {
  Status status = Status::ok;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Json(const nlohmann::json& body, Status status = Status::ok);
  static Response Text(std::string body, std::string content_type, Status status = Status::ok);
  // JSON already written as text (common/json_text.hpp writers).
  static Response JsonText(std::string body, Status status = Status::ok);
};

}  // namespace tabel::http
