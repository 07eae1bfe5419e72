#pragma once
// Optimistic concurrency over HTTP: a resource with a version answers with
// `ETag: "<version>"`, and an update must send `If-Match: "<version>"`, so
// two editors cannot silently overwrite each other. A missing If-Match is
// 428; a malformed one 400; a stale one 409 (raised by the repository that
// compares versions).
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>

#include "http/message.hpp"

namespace tabel::http {

// "\"<version>\"".
std::string ETag(int64_t version);

// The version in the request's If-Match, when sent (transitions that take
// it optionally); BadRequest naming If-Match when malformed.
std::optional<int64_t> IfMatch(const Request& request);

// The version in the request's If-Match ("<n>" or W/"<n>"). Throws Error:
// PreconditionRequired when absent, BadRequest naming If-Match when malformed.
int64_t RequireIfMatch(const Request& request);

// `response` with its ETag header set.
Response WithETag(Response response, int64_t version);

}  // namespace tabel::http
