#include "http/etag.hpp"

#include <charconv>

#include "common/error.hpp"

namespace tabel::http {

std::string ETag(int64_t version) { return "\"" + std::to_string(version) + "\""; }

std::optional<int64_t> IfMatch(const Request& request) {
  const auto header = request.Header("If-Match");
  if (!header) return std::nullopt;
  std::string_view value = *header;
  if (value.substr(0, 2) == "W/") value.remove_prefix(2);
  int64_t version = 0;
  if (value.size() >= 3 && value.front() == '"' && value.back() == '"') {
    const char* begin = value.data() + 1;
    const char* end = value.data() + value.size() - 1;
    const auto [last, error] = std::from_chars(begin, end, version);
    if (error == std::errc() && last == end && version > 0) return version;
  }
  throw Error::BadRequest("If-Match must be the ETag of the resource, e.g. \"3\".",
                          {{"If-Match", "must be an ETag such as \"3\""}});
}

int64_t RequireIfMatch(const Request& request) {
  const auto version = IfMatch(request);
  if (!version) {
    throw Error::PreconditionRequired(
        "Send If-Match with the ETag you read, so that a concurrent change is not overwritten.");
  }
  return *version;
}

Response WithETag(Response response, int64_t version) {
  response.headers.emplace_back("ETag", ETag(version));
  return response;
}

}  // namespace tabel::http
