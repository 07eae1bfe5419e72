#pragma once
// The one error model of Tabel. Services and repositories throw tabel::Error;
// http/problem.cpp maps it to application/problem+json in one place. Any other
// exception reaching the HTTP layer is an internal error (500) whose detail is
// logged but never shown to the client.

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tabel {

enum class ErrorKind {
  kBadRequest,            // 400: malformed body or parameter
  kUnauthorized,          // 401: no or bad credentials
  kForbidden,             // 403: allowed to see but not to do
  kNotFound,              // 404: absent or outside the caller's scope
  kMethodNotAllowed,      // 405
  kConflict,              // 409: conflicts with the current state
  kPreconditionRequired,  // 428: an update without If-Match
  kPayloadTooLarge,       // 413
  kUnprocessable,         // 422: a business rule is broken
  kTooManyRequests,       // 429
  kUnavailable,           // 503: a dependency is down or the server is saturated
  kInternal,              // 500
};

// Whether the work asked for is itself at fault (its input, the caller's
// rights, the state it names), so that no later attempt changes the
// answer — unlike a dependency that is down, a fault of ours, or a
// conflict in the database that may pass.
inline bool IsClientError(ErrorKind kind) {
  return kind != ErrorKind::kInternal && kind != ErrorKind::kUnavailable && kind != ErrorKind::kConflict;
}

// One bad field of a request: `field` is the name the client sent (a JSON
// member, a query parameter or a header), `message` says what is wrong.
struct FieldError {
  std::string field;
  std::string message;
};

class Error : public std::runtime_error {
 public:
  // `code` is a stable machine-readable slug (it becomes the problem type);
  // `detail` is shown to the client; `internal` only goes to the log.
  Error(ErrorKind kind, std::string code, std::string detail, std::vector<FieldError> fields = {},
        std::string internal = {})
      : std::runtime_error(detail),
        kind_(kind),
        code_(std::move(code)),
        detail_(std::move(detail)),
        fields_(std::move(fields)),
        internal_(std::move(internal)) {}

  ErrorKind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  const std::string& detail() const { return detail_; }
  const std::vector<FieldError>& fields() const { return fields_; }
  const std::string& internal() const { return internal_; }

  // Seconds a client should wait before retrying (429, 503); 0 = unspecified.
  int retry_after_seconds() const { return retry_after_seconds_; }
  Error& WithRetryAfter(int seconds) {
    retry_after_seconds_ = seconds;
    return *this;
  }

  static Error BadRequest(std::string detail, std::vector<FieldError> fields = {}) {
    return {ErrorKind::kBadRequest, "bad-request", std::move(detail), std::move(fields)};
  }
  static Error Validation(std::vector<FieldError> fields) {
    return {ErrorKind::kBadRequest, "validation", "The request has invalid fields.", std::move(fields)};
  }
  static Error Unauthorized(std::string detail = "Authentication is required.") {
    return {ErrorKind::kUnauthorized, "unauthorized", std::move(detail)};
  }
  static Error Forbidden(std::string detail = "You are not allowed to do this.") {
    return {ErrorKind::kForbidden, "forbidden", std::move(detail)};
  }
  static Error NotFound(std::string detail = "Not found.") {
    return {ErrorKind::kNotFound, "not-found", std::move(detail)};
  }
  static Error Conflict(std::string detail, std::string internal = {}) {
    return {ErrorKind::kConflict, "conflict", std::move(detail), {}, std::move(internal)};
  }
  static Error PreconditionRequired(std::string detail) {
    return {ErrorKind::kPreconditionRequired,
            "precondition-required",
            std::move(detail),
            {{"If-Match", "is required"}}};
  }
  static Error Unprocessable(std::string code, std::string detail, std::vector<FieldError> fields = {}) {
    return {ErrorKind::kUnprocessable, std::move(code), std::move(detail), std::move(fields)};
  }
  static Error Unavailable(std::string detail, std::string internal = {}) {
    return {ErrorKind::kUnavailable, "unavailable", std::move(detail), {}, std::move(internal)};
  }
  static Error Internal(std::string internal) {
    return {ErrorKind::kInternal, "internal", "An internal error occurred.", {}, std::move(internal)};
  }

 private:
  ErrorKind kind_;
  std::string code_;
  std::string detail_;
  std::vector<FieldError> fields_;
  std::string internal_;
  int retry_after_seconds_ = 0;
};

}  // namespace tabel
