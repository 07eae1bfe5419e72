#include "http/multipart.hpp"

#include <algorithm>
#include <cctype>

#include "common/error.hpp"
#include "http/message.hpp"

namespace tabel::http {
namespace {

constexpr size_t kMaxBoundary = 70;  // RFC 2046
constexpr size_t kMaxPartHeaders = size_t{8} * 1024;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

[[noreturn]] void Malformed(std::string_view field, std::string problem) {
  throw Error::BadRequest("The multipart/form-data body is malformed.",
                          {{std::string(field), std::move(problem)}});
}

// The value of `name` among the `; name=value` parameters of a header
// value, unquoted; nullopt when absent.
std::optional<std::string> Parameter(std::string_view header, std::string_view name) {
  size_t at = header.find(';');
  while (at != std::string_view::npos) {
    std::string_view rest = header.substr(at + 1);
    const size_t equals = rest.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    const std::string key = Lower(Trim(rest.substr(0, equals)));
    rest = Trim(rest.substr(equals + 1));
    std::string value;
    size_t end = 0;
    if (!rest.empty() && rest.front() == '"') {
      end = 1;
      while (end < rest.size() && rest[end] != '"') {
        if (rest[end] == '\\' && end + 1 < rest.size()) ++end;
        value += rest[end++];
      }
      if (end >= rest.size()) return std::nullopt;  // unterminated quote
      ++end;
    } else {
      end = std::min(rest.find(';'), rest.size());
      value = std::string(Trim(rest.substr(0, end)));
    }
    if (key == name) return value;
    const size_t next = rest.find(';', end);
    at = next == std::string_view::npos ? next : static_cast<size_t>(rest.data() + next - header.data());
  }
  return std::nullopt;
}

FormPart ParsePart(std::string_view part) {
  const size_t head_end = part.find("\r\n\r\n");
  if (head_end > kMaxPartHeaders) {  // npos (no empty line) included
    Malformed("body", "a part has no header block ending in an empty line");
  }
  FormPart result;
  result.content_type = "text/plain";
  bool disposition = false;
  std::string_view headers = part.substr(0, head_end);
  while (!headers.empty()) {
    const size_t eol = std::min(headers.find("\r\n"), headers.size());
    const std::string_view line = headers.substr(0, eol);
    headers.remove_prefix(std::min(eol + 2, headers.size()));
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) Malformed("body", "a part header has no colon");
    const std::string name = Lower(Trim(line.substr(0, colon)));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      if (Lower(value.substr(0, std::min(value.find(';'), value.size()))) != "form-data") {
        Malformed("body", "a part's Content-Disposition is not form-data");
      }
      std::optional<std::string> field = Parameter(value, "name");
      if (!field || field->empty()) Malformed("body", "a part's Content-Disposition has no name");
      result.name = std::move(*field);
      result.file_name = Parameter(value, "filename");
      disposition = true;
    } else if (name == "content-type") {
      result.content_type = Lower(value);
    }
  }
  if (!disposition) Malformed("body", "a part has no Content-Disposition");
  result.body = part.substr(head_end + 4);
  return result;
}

}  // namespace

std::vector<FormPart> ParseMultipartBody(std::string_view body, std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  // The first delimiter may follow a preamble; the others follow a CRLF.
  size_t at = body.find(delimiter);
  if (at == std::string_view::npos || (at != 0 && (at < 2 || body.substr(at - 2, 2) != "\r\n"))) {
    Malformed("body", "the boundary of the Content-Type never appears");
  }
  const std::string separator = "\r\n" + delimiter;
  std::vector<FormPart> parts;
  for (;;) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") return parts;  // the close delimiter
    const size_t line_end = body.find("\r\n", at);
    if (line_end == std::string_view::npos || !Trim(body.substr(at, line_end - at)).empty()) {
      Malformed("body", "a boundary line is not followed by a line break");
    }
    const size_t start = line_end + 2;
    const size_t end = body.find(separator, start);
    if (end == std::string_view::npos) Malformed("body", "the body ends before its closing boundary");
    if (parts.size() == kMaxFormParts) Malformed("body", "has more than 16 parts");
    parts.push_back(ParsePart(body.substr(start, end - start)));
    at = end + 2;
  }
}

std::vector<FormPart> ParseMultipart(const Request& request) {
  const std::optional<std::string_view> type = request.Header("Content-Type");
  if (!type ||
      Lower(Trim(type->substr(0, std::min(type->find(';'), type->size())))) != "multipart/form-data") {
    throw Error::BadRequest("The body must be multipart/form-data.",
                            {{"Content-Type", "must be multipart/form-data"}});
  }
  const std::optional<std::string> boundary = Parameter(*type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > kMaxBoundary) {
    throw Error::BadRequest("The multipart/form-data body has no usable boundary.",
                            {{"Content-Type", "needs a boundary parameter of 1 to 70 characters"}});
  }
  return ParseMultipartBody(request.body, *boundary);
}

}  // namespace tabel::http
