#include "http/json_body.hpp"

#include <algorithm>

#include "common/text.hpp"

namespace tabel::http {
namespace {

// Counts UTF-8 code points; the byte length would be unfair to Cyrillic.
size_t CodePoints(std::string_view text) {
  return static_cast<size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

nlohmann::json ParseJsonObject(const Request& request) {
  const auto content_type = request.Header("Content-Type");
  if (!content_type ||
      content_type->substr(0, content_type->find(';')).find("json") == std::string_view::npos) {
    throw Error::BadRequest("The body must be JSON (Content-Type: application/json).",
                            {{"Content-Type", "must be application/json"}});
  }
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    throw Error::BadRequest("The body is not valid JSON.", {{"body", "malformed JSON"}});
  }
  if (!body.is_object()) {
    throw Error::BadRequest("The body must be a JSON object.", {{"body", "must be an object"}});
  }
  return body;
}

const nlohmann::json* JsonFields::Member(std::string_view name, bool required) {
  seen_.emplace_back(name);
  const auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) {
    if (required) Add(std::string(name), "is required");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> JsonFields::String(std::string_view name, bool required, size_t max_length) {
  const nlohmann::json* value = Member(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    Add(std::string(name), "must be a string");
    return std::nullopt;
  }
  const auto& text = value->get_ref<const std::string&>();
  if (CodePoints(text) > max_length) {
    Add(std::string(name), "must be at most " + std::to_string(max_length) + " characters");
    return std::nullopt;
  }
  return text;
}

std::optional<int64_t> JsonFields::Int(std::string_view name, bool required, int64_t min, int64_t max) {
  const nlohmann::json* value = Member(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number_integer()) {
    Add(std::string(name), "must be an integer");
    return std::nullopt;
  }
  if (value->is_number_unsigned() && value->get<uint64_t>() > static_cast<uint64_t>(max)) {
    Add(std::string(name), "must be at most " + std::to_string(max));
    return std::nullopt;
  }
  const auto number = value->get<int64_t>();
  if (number < min || number > max) {
    Add(std::string(name), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> JsonFields::Bool(std::string_view name, bool required) {
  const nlohmann::json* value = Member(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    Add(std::string(name), "must be true or false");
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<std::string> JsonFields::Text(std::string_view name, bool required, size_t max_length) {
  auto text = String(name, required, max_length);
  if (!text) return std::nullopt;
  if (text->find_first_not_of(" \t") == std::string::npos) {
    Add(std::string(name), "must not be empty");
    return std::nullopt;
  }
  if (HasControlCharacters(*text)) {
    Add(std::string(name), "must not contain control characters");
    return std::nullopt;
  }
  return text;
}

std::optional<Date> JsonFields::IsoDate(std::string_view name, bool required) {
  const nlohmann::json* value = Member(name, required);
  if (value == nullptr) return std::nullopt;
  const auto date = value->is_string() ? ParseIsoDate(value->get_ref<const std::string&>()) : std::nullopt;
  if (!date) {
    Add(std::string(name), "must be a date YYYY-MM-DD between 1900-01-01 and 2199-12-31");
    return std::nullopt;
  }
  return date;
}

std::optional<std::vector<std::string>> JsonFields::TextArray(std::string_view name, bool required,
                                                              size_t max_items, size_t max_length) {
  const nlohmann::json* value = Member(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_array() || value->size() > max_items) {
    Add(std::string(name), "must be an array of at most " + std::to_string(max_items) + " strings");
    return std::nullopt;
  }
  std::vector<std::string> items;
  for (const nlohmann::json& item : *value) {
    if (!item.is_string() || item.get_ref<const std::string&>().empty() ||
        CodePoints(item.get_ref<const std::string&>()) > max_length ||
        HasControlCharacters(item.get_ref<const std::string&>())) {
      Add(std::string(name),
          "must hold non-empty strings of at most " + std::to_string(max_length) + " characters");
      return std::nullopt;
    }
    items.push_back(item.get<std::string>());
  }
  return items;
}

std::optional<std::optional<std::string>> JsonFields::NullableText(std::string_view name, size_t max_length) {
  if (!Contains(name)) return std::nullopt;
  if (IsNull(name)) return std::optional<std::string>();
  auto value = Text(name, false, max_length);
  if (!value) return std::nullopt;
  return std::optional<std::string>(std::move(*value));
}

std::optional<std::optional<int64_t>> JsonFields::NullableInt(std::string_view name, int64_t min,
                                                              int64_t max) {
  if (!Contains(name)) return std::nullopt;
  if (IsNull(name)) return std::optional<int64_t>();
  auto value = Int(name, false, min, max);
  if (!value) return std::nullopt;
  return std::optional<int64_t>(*value);
}

std::optional<std::optional<Date>> JsonFields::NullableIsoDate(std::string_view name) {
  if (!Contains(name)) return std::nullopt;
  if (IsNull(name)) return std::optional<Date>();
  auto value = IsoDate(name, false);
  if (!value) return std::nullopt;
  return std::optional<Date>(*value);
}

void JsonFields::Finish(bool reject_unknown) {
  if (reject_unknown) {
    for (const auto& [key, value] : object_.items()) {
      if (std::find(seen_.begin(), seen_.end(), key) == seen_.end()) Add(key, "is not a known field");
    }
  }
  if (!errors_.empty()) throw Error::Validation(std::move(errors_));
}

}  // namespace tabel::http
