#pragma once
// multipart/form-data bodies (RFC 7578): the parts of an upload, each with
// its field name, file name and media type, as views into the request body.
// Only what a browser or curl sends is accepted: a boundary parameter,
// CRLF line ends, a Content-Disposition of form-data with a name in every
// part; anything else is Error::BadRequest naming `field` (the body's field
// when a part is malformed, "Content-Type" when the header is).
// Thread-safety: pure functions; the parts point into the caller's body.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tabel::http {

struct Request;

struct FormPart {
  std::string name;                      // the form field
  std::optional<std::string> file_name;  // filename="…", when the part is a file
  std::string content_type;              // "text/plain" when the part names none
  std::string_view body;                 // into the request's body
};

inline constexpr size_t kMaxFormParts = 16;

// The parts of `request`, whose Content-Type must be multipart/form-data.
std::vector<FormPart> ParseMultipart(const Request& request);

// The parts of `body` split at `boundary` (exposed for tests).
std::vector<FormPart> ParseMultipartBody(std::string_view body, std::string_view boundary);

}  // namespace tabel::http
