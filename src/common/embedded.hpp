#pragma once
// Data files compiled into the binary (migrations, the production calendars,
// the OpenAPI document, the docs page), so that one executable carries
// everything it needs.
// Thread-safety: immutable after static initialisation; safe from any thread.

#include <optional>
#include <string_view>
#include <vector>

namespace tabel::embedded {

struct File {
  std::string_view path;  // relative to the repository root, e.g. "api/openapi.json"
  std::string_view content;
};

// Every embedded file, sorted by path.
const std::vector<File>& All();

// The content of the file at `path`, if it is embedded.
inline std::optional<std::string_view> Find(std::string_view path) {
  for (const File& file : All()) {
    if (file.path == path) return file.content;
  }
  return std::nullopt;
}

}  // namespace tabel::embedded
