#pragma once
// Appending JSON values to a buffer without building a DOM; used on hot
// paths (log lines, problem bodies, pages of employees, team calendars)
// where nlohmann::json would allocate a node per value.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/date.hpp"

namespace tabel {

// Appends `text` as a quoted, escaped JSON string. Control characters and the
// characters '"' and '\\' are escaped; invalid UTF-8 bytes are replaced by
// U+FFFD so that the output is always valid JSON.
void AppendJsonString(std::string& out, std::string_view text);

// The string, or null.
void AppendJsonOptional(std::string& out, const std::optional<std::string>& text);
// The number, or null.
void AppendJsonOptional(std::string& out, const std::optional<int64_t>& value);

void AppendJsonInt(std::string& out, int64_t value);

// `"name":`, after a comma unless `first`; `name` is one of our keys, plain
// ASCII without quotes or backslashes.
void AppendJsonKey(std::string& out, std::string_view name, bool first = false);

// "2026-11-29".
void AppendJsonDate(std::string& out, Date date);

// The date, or null.
void AppendJsonDate(std::string& out, const std::optional<Date>& date);

}  // namespace tabel
