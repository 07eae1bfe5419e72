#pragma once
// What every resource API shares: numeric ids in paths, 201/204 responses,
// item arrays, and binding handler functions to their dependencies.
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/message.hpp"
#include "http/router.hpp"

namespace tabel::http {

// The path parameter `name` as an id (1 .. 2^53); a malformed one is
// Error::BadRequest naming it.
int64_t PathId(const Request& request, std::string_view name = "id");

// 201 Created with the body, `Location: <location>` and, when version > 0,
// its ETag.
Response Created(const nlohmann::json& body, const std::string& location, int64_t version = 0);
// The same for a body already written (Response::Text).
Response Created(Response response, const std::string& location, int64_t version = 0);

// 204 No Content.
Response NoContent();

// 200 with `body` as a file to save: Content-Disposition attachment named
// `file_name` (ASCII, no quotes).
Response Attachment(std::string body, std::string content_type, const std::string& file_name);

inline constexpr size_t kMaxIdempotencyKey = 100;
// The Idempotency-Key header of a create: at most kMaxIdempotencyKey
// printable ASCII characters (Error::BadRequest naming it otherwise);
// nullopt without one.
std::optional<std::string> IdempotencyKey(const Request& request);

// Marks the answer to a create that repeated an earlier one with the same
// Idempotency-Key (`Idempotent-Replayed: true`); nothing when not `replayed`.
void MarkReplayed(Response& response, bool replayed);

// A JSON array of to_json(item) for every item.
template <class T, class ToJson>
nlohmann::json ItemsJson(const std::vector<T>& items, ToJson to_json) {
  nlohmann::json array = nlohmann::json::array();
  for (const T& item : items) array.push_back(to_json(item));
  return array;
}

// A route handler calling Handle(deps, request): `Handle` is a coroutine
// function taking the service's dependencies by value and the request.
template <auto Handle, class Deps>
Handler Bind(Deps deps) {
  return [deps](Request request) { return Handle(deps, std::move(request)); };
}

}  // namespace tabel::http
