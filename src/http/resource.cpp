#include "http/resource.hpp"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "http/etag.hpp"

namespace tabel::http {

int64_t PathId(const Request& request, std::string_view name) {
  constexpr int64_t kMaxId = int64_t{1} << 53;
  const std::string_view text = request.PathParam(name);
  int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id < 1 || id > kMaxId) {
    throw Error::BadRequest("The id in the path must be a positive integer.",
                            {{std::string(name), "must be a positive integer"}});
  }
  return id;
}

Response Created(const nlohmann::json& body, const std::string& location, int64_t version) {
  return Created(Response::Json(body), location, version);
}

Response Created(Response response, const std::string& location, int64_t version) {
  response.status = Status::created;
  response.headers.emplace_back("Location", location);
  if (version > 0) response.headers.emplace_back("ETag", ETag(version));
  return response;
}

void MarkReplayed(Response& response, bool replayed) {
  if (replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
}

Response NoContent() {
  Response response;
  response.status = Status::no_content;
  response.content_type.clear();
  return response;
}

Response Attachment(std::string body, std::string content_type, const std::string& file_name) {
  Response response = Response::Text(std::move(body), std::move(content_type));
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
  return response;
}

std::optional<std::string> IdempotencyKey(const Request& request) {
  const auto header = request.Header("Idempotency-Key");
  if (!header) return std::nullopt;
  const bool printable =
      std::all_of(header->begin(), header->end(), [](char c) { return c > 32 && c < 127; });
  if (header->empty() || header->size() > kMaxIdempotencyKey || !printable) {
    throw Error::BadRequest("The Idempotency-Key header is malformed.",
                            {{"Idempotency-Key", "must be 1 to 100 printable characters without spaces"}});
  }
  return std::string(*header);
}

}  // namespace tabel::http
