#pragma once
// Reading JSON request bodies into typed values. Every problem with a body is
// a 400 problem+json naming the field; a handler never sees a half-valid body.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/date.hpp"
#include "common/error.hpp"
#include "http/message.hpp"

namespace tabel::http {

// Parses the request body as a JSON object. Throws Error (400) when the
// content type is not JSON, the body is not valid JSON, or not an object.
nlohmann::json ParseJsonObject(const Request& request);

// Reads typed members from a JSON object, collecting every problem; call
// Finish() to throw one validation error listing them all.
// Thread-safety: one instance per request.
class JsonFields {
 public:
  explicit JsonFields(const nlohmann::json& object) : object_(object) {}

  std::optional<std::string> String(std::string_view name, bool required, size_t max_length = 1000);
  std::optional<int64_t> Int(std::string_view name, bool required,
                             int64_t min = std::numeric_limits<int64_t>::min(),
                             int64_t max = std::numeric_limits<int64_t>::max());
  std::optional<bool> Bool(std::string_view name, bool required);
  // A non-blank string of at most `max_length` characters without control
  // characters: names, titles, codes.
  std::optional<std::string> Text(std::string_view name, bool required, size_t max_length);
  // An ISO 8601 calendar date "YYYY-MM-DD" (common/date.hpp).
  std::optional<Date> IsoDate(std::string_view name, bool required);
  // An array of at most `max_items` Text values.
  std::optional<std::vector<std::string>> TextArray(std::string_view name, bool required, size_t max_items,
                                                    size_t max_length);

  // A member of a PATCH that may be cleared: absent (nullopt), null (an
  // empty inner optional) or a value checked like Text / Int.
  std::optional<std::optional<std::string>> NullableText(std::string_view name, size_t max_length);
  std::optional<std::optional<int64_t>> NullableInt(std::string_view name, int64_t min, int64_t max);
  std::optional<std::optional<Date>> NullableIsoDate(std::string_view name);

  // Whether the object has the member at all, null included: PATCH bodies
  // tell "leave as is" (absent) from "clear" (null). Does not mark it read.
  bool Contains(std::string_view name) const { return object_.contains(name); }
  // Whether the member is present and null; marks it read.
  bool IsNull(std::string_view name) {
    seen_.emplace_back(name);
    const auto it = object_.find(name);
    return it != object_.end() && it->is_null();
  }

  // Records a problem found by the caller's own checks.
  void Add(std::string field, std::string message) {
    errors_.push_back({std::move(field), std::move(message)});
  }
  bool ok() const { return errors_.empty(); }

  // Throws Error::Validation with every problem recorded, if any. Members
  // not read by any accessor are reported as unknown when `reject_unknown`.
  void Finish(bool reject_unknown = true);

 private:
  const nlohmann::json* Member(std::string_view name, bool required);

  const nlohmann::json& object_;
  std::vector<FieldError> errors_;
  std::vector<std::string> seen_;
};

}  // namespace tabel::http
