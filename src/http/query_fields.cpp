#include "http/query_fields.hpp"

#include <algorithm>
#include <charconv>

#include "common/json_text.hpp"

namespace tabel::http {

std::optional<std::string_view> QueryFields::Value(std::string_view name) {
  seen_.emplace_back(name);
  return request_.Query(name);
}

std::optional<std::string> QueryFields::String(std::string_view name, size_t max_length) {
  const auto value = Value(name);
  if (!value) return std::nullopt;
  if (value->size() > max_length) {
    Add(std::string(name), "must be at most " + std::to_string(max_length) + " bytes");
    return std::nullopt;
  }
  return std::string(*value);
}

std::optional<int64_t> QueryFields::Int(std::string_view name, int64_t min, int64_t max) {
  const auto value = Value(name);
  if (!value) return std::nullopt;
  int64_t number = 0;
  const auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), number);
  if (error != std::errc() || end != value->data() + value->size() || number < min || number > max) {
    Add(std::string(name),
        "must be an integer between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> QueryFields::Bool(std::string_view name) {
  const auto value = Value(name);
  if (!value) return std::nullopt;
  if (*value == "true") return true;
  if (*value == "false") return false;
  Add(std::string(name), "must be true or false");
  return std::nullopt;
}

std::optional<Date> QueryFields::IsoDate(std::string_view name) {
  const auto value = Value(name);
  if (!value) return std::nullopt;
  const auto date = ParseIsoDate(*value);
  if (!date) Add(std::string(name), "must be a date YYYY-MM-DD between 1900-01-01 and 2199-12-31");
  return date;
}

PageRequest QueryFields::Page() {
  PageRequest page;
  if (const auto limit = Int("limit", 1, kMaxPageSize)) page.limit = static_cast<int>(*limit);
  if (const auto cursor = Value("cursor")) {
    int64_t after = 0;
    const auto [end, error] = std::from_chars(cursor->data(), cursor->data() + cursor->size(), after);
    if (error != std::errc() || end != cursor->data() + cursor->size() || after < 0) {
      Add("cursor", "must be the next_cursor of a previous page");
    } else {
      page.after = after;
    }
  }
  return page;
}

void QueryFields::Finish() {
  for (const auto& [key, value] : request_.query) {
    if (std::find(seen_.begin(), seen_.end(), key) == seen_.end()) {
      const bool reported = std::any_of(errors_.begin(), errors_.end(),
                                        [&key = key](const FieldError& e) { return e.field == key; });
      if (!reported) Add(key, "is not a known parameter");
    }
  }
  if (!errors_.empty()) throw Error::Validation(std::move(errors_));
}

nlohmann::json PageJson(nlohmann::json items, std::optional<int64_t> next) {
  nlohmann::json page = {{"items", std::move(items)}, {"next_cursor", nullptr}};
  if (next) page["next_cursor"] = std::to_string(*next);
  return page;
}

void AppendNextCursor(std::string& out, std::optional<int64_t> next) {
  AppendJsonKey(out, "next_cursor");
  if (next) {
    out.push_back('"');
    AppendJsonInt(out, *next);
    out.push_back('"');
  } else {
    out += "null";
  }
}

}  // namespace tabel::http
