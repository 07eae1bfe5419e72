#pragma once
// How instants are stored. Always UTC:
//   SQLite      TEXT "YYYY-MM-DDTHH:MM:SS.ffffffZ" (fixed width, so text order
//               is time order and range queries can compare strings);
//   PostgreSQL  timestamptz. Bind the same text (PostgreSQL parses it);
//               sessions run with TimeZone=UTC, so a timestamptz read as text
//               is "YYYY-MM-DD HH:MM:SS[.ffffff]+00", which ParseTimestamp
//               also accepts.
// Thread-safety: pure functions.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/date.hpp"

namespace tabel::db {

// "2024-03-01T09:05:07.250000Z"; sub-microsecond digits are dropped (floor).
std::string FormatTimestamp(std::chrono::system_clock::time_point time);

// Parses "YYYY-MM-DD[T ]HH:MM:SS[.fraction](Z|±HH|±HH:MM|±HHMM)"; the
// fraction keeps at most microseconds. Nullopt if malformed or out of range.
std::optional<std::chrono::system_clock::time_point> ParseTimestamp(std::string_view text);

// A DATE column read as text: "YYYY-MM-DD" (SQLite text, PostgreSQL date).
// Throws tabel::Error (kInternal) naming `column` when it is malformed.
Date ParseStoredDate(std::string_view text, std::string_view column);
// A timestamp column read as text (ParseTimestamp). Throws tabel::Error
// (kInternal) naming `column` when it is malformed.
std::chrono::system_clock::time_point ParseStoredTimestamp(std::string_view text, std::string_view column);

}  // namespace tabel::db
