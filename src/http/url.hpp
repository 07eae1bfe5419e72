#pragma once
// Percent-decoding of paths and query strings (RFC 3986).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tabel::http {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in query
// strings). Returns nullopt on a malformed escape or an encoded NUL byte.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Splits "a=1&b=x%20y" into decoded pairs. Returns nullopt if any part is
// malformed. A key without '=' gets an empty value.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query);

}  // namespace tabel::http
