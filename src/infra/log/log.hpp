#pragma once
// Structured logging: one JSON object per line on stdout (or any FILE*).
// Coroutines hop threads, so there is no thread-local context: callers pass
// the request id and other context as fields.
// Thread-safety: Logger is safe to use from any thread; each line is written
// with a single fwrite under a mutex, so lines never interleave.

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace tabel::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Parses "debug", "info", "warn" or "error" (any case).
std::optional<Level> ParseLevel(std::string_view text);
std::string_view LevelName(Level level);

// One key/value pair of a log line. Views must outlive the Write call only.
struct Field {
  using Value = std::variant<std::string_view, int64_t, double, bool>;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, long v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, long long v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, unsigned long v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, unsigned long long v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  std::string_view key;
  Value value;
};

class Logger {
 public:
  explicit Logger(Level min_level = Level::kInfo, std::FILE* out = stdout);

  bool Enabled(Level level) const { return level >= min_level_; }

  // Writes {"ts":..., "level":..., "event": event, fields...}. `event` is a
  // stable snake_case name ("http_request", "db_unavailable").
  void Write(Level level, std::string_view event, std::initializer_list<Field> fields = {}) {
    Write(level, event, std::span<const Field>(fields.begin(), fields.size()));
  }
  void Write(Level level, std::string_view event, std::span<const Field> fields);

  void Debug(std::string_view event, std::initializer_list<Field> fields = {}) {
    Write(Level::kDebug, event, fields);
  }
  void Info(std::string_view event, std::initializer_list<Field> fields = {}) {
    Write(Level::kInfo, event, fields);
  }
  void Warn(std::string_view event, std::initializer_list<Field> fields = {}) {
    Write(Level::kWarn, event, fields);
  }
  void Error(std::string_view event, std::initializer_list<Field> fields = {}) {
    Write(Level::kError, event, fields);
  }

 private:
  Level min_level_;
  std::FILE* out_;
  std::mutex mutex_;
};

}  // namespace tabel::log
