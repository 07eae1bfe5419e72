#pragma once
// The one mapping from tabel::Error to an RFC 9457 application/problem+json
// response. Problem types are stable relative URIs "/problems/<code>".

#include <string_view>

#include "common/error.hpp"
#include "http/message.hpp"

namespace tabel::http {

inline constexpr std::string_view kProblemContentType = "application/problem+json";

Status StatusOf(ErrorKind kind);

// `instance` is the request path; `request_id` lets an operator find the log
// line. Only the error's client-facing detail is included, never internal().
Response ProblemResponse(const Error& error, std::string_view instance, std::string_view request_id);

}  // namespace tabel::http
