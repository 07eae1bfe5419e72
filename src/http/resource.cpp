#include "http/resource.hpp"

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
  Response response = Response::Json(body, Status::created);
  response.headers.emplace_back("Location", location);
  if (version > 0) response.headers.emplace_back("ETag", ETag(version));
  return response;
}

Response NoContent() {
  Response response;
  response.status = Status::no_content;
  response.content_type.clear();
  return response;
}

}  // namespace tabel::http
