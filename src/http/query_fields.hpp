#pragma once
// Reading query parameters into typed values, like JsonFields does for
// bodies: every problem is collected and Finish() throws one 400 listing
// each bad parameter by name. Unknown parameters are reported too, so a
// misspelt filter is an error rather than silently ignored.
// Also the one pagination contract of every list:
//   ?limit=1..200 (default 50)&cursor=<next_cursor of the previous page>
//   -> {"items":[…],"next_cursor":"…" or null}
// Thread-safety: one instance per request.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/date.hpp"
#include "common/error.hpp"
#include "http/message.hpp"

namespace tabel::http {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 200;

struct PageRequest {
  int limit = kDefaultPageSize;
  // Rows after this key (lists ordered by an increasing id); nullopt = first page.
  std::optional<int64_t> after;
};

class QueryFields {
 public:
  explicit QueryFields(const Request& request) : request_(request) {}

  std::optional<std::string> String(std::string_view name, size_t max_length = 200);
  std::optional<int64_t> Int(std::string_view name, int64_t min, int64_t max);
  std::optional<bool> Bool(std::string_view name);  // "true" or "false"
  std::optional<Date> IsoDate(std::string_view name);
  // limit and cursor.
  PageRequest Page();

  void Add(std::string field, std::string message) {
    errors_.push_back({std::move(field), std::move(message)});
  }
  // Throws Error::Validation listing every problem, unknown parameters included.
  void Finish();

 private:
  std::optional<std::string_view> Value(std::string_view name);

  const Request& request_;
  std::vector<FieldError> errors_;
  std::vector<std::string> seen_;
};

// {"items": items, "next_cursor": next or null}.
nlohmann::json PageJson(nlohmann::json items, std::optional<int64_t> next);

}  // namespace tabel::http
