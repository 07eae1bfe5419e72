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

// One page of a list: its items, and the key the next page starts after
// (nullopt on the last page).
template <class T>
struct Page {
  std::vector<T> items;
  std::optional<int64_t> next_after;
};

// The page of `rows`, read with limit + 1 rows: an extra row only tells
// that a next page exists, which starts after key(the last row kept).
template <class T, class Key>
Page<T> PageOf(std::vector<T> rows, int limit, Key key) {
  Page<T> page;
  if (rows.size() > static_cast<size_t>(limit)) {
    rows.resize(static_cast<size_t>(limit));
    page.next_after = key(rows.back());
  }
  page.items = std::move(rows);
  return page;
}
template <class T>
Page<T> PageOf(std::vector<T> rows, int limit) {
  return PageOf(std::move(rows), limit, [](const T& row) -> int64_t { return row.id; });
}

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
// PageJson's `,"next_cursor":…` member, for a page written as text.
void AppendNextCursor(std::string& out, std::optional<int64_t> next);

// PageJson written as text: append(out, item) writes each item's object.
template <class T, class Append>
std::string PageJsonText(const std::vector<T>& items, std::optional<int64_t> next, Append append,
                         size_t bytes_per_item = 512) {
  std::string out;
  out.reserve(64 + items.size() * bytes_per_item);
  out += "{\"items\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    append(out, items[i]);
  }
  out.push_back(']');
  AppendNextCursor(out, next);
  out.push_back('}');
  return out;
}

}  // namespace tabel::http
