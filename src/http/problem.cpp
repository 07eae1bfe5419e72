#include "http/problem.hpp"

#include <string>

#include "common/json_text.hpp"

namespace tabel::http {

Status StatusOf(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kBadRequest:
      return Status::bad_request;
    case ErrorKind::kUnauthorized:
      return Status::unauthorized;
    case ErrorKind::kForbidden:
      return Status::forbidden;
    case ErrorKind::kNotFound:
      return Status::not_found;
    case ErrorKind::kMethodNotAllowed:
      return Status::method_not_allowed;
    case ErrorKind::kConflict:
      return Status::conflict;
    case ErrorKind::kPreconditionRequired:
      return Status::precondition_required;
    case ErrorKind::kPayloadTooLarge:
      return Status::payload_too_large;
    case ErrorKind::kUnprocessable:
      return Status::unprocessable_entity;
    case ErrorKind::kTooManyRequests:
      return Status::too_many_requests;
    case ErrorKind::kUnavailable:
      return Status::service_unavailable;
    case ErrorKind::kInternal:
      return Status::internal_server_error;
  }
  return Status::internal_server_error;
}

Response ProblemResponse(const Error& error, std::string_view instance, std::string_view request_id) {
  const Status status = StatusOf(error.kind());
  std::string body;
  body.reserve(256);
  body += "{\"type\":";
  AppendJsonString(body, "/problems/" + error.code());
  body += ",\"title\":";
  AppendJsonString(body, beast::http::obsolete_reason(status));
  body += ",\"status\":";
  body += std::to_string(static_cast<unsigned>(status));
  body += ",\"detail\":";
  AppendJsonString(body, error.detail());
  body += ",\"instance\":";
  AppendJsonString(body, instance);
  body += ",\"request_id\":";
  AppendJsonString(body, request_id);
  if (!error.fields().empty()) {
    body += ",\"errors\":[";
    bool first = true;
    for (const FieldError& field : error.fields()) {
      if (!first) body.push_back(',');
      first = false;
      body += "{\"field\":";
      AppendJsonString(body, field.field);
      body += ",\"message\":";
      AppendJsonString(body, field.message);
      body.push_back('}');
    }
    body.push_back(']');
  }
  body.push_back('}');

  Response response = Response::Text(std::move(body), std::string(kProblemContentType), status);
  if (error.retry_after_seconds() > 0) {
    response.headers.emplace_back("Retry-After", std::to_string(error.retry_after_seconds()));
  }
  return response;
}

}  // namespace tabel::http
