#pragma once
// Appending JSON string literals to a buffer without building a DOM; used on
// hot paths (log lines, problem bodies) where nlohmann::json would allocate.

#include <string>
#include <string_view>

namespace tabel {

// Appends `text` as a quoted, escaped JSON string. Control characters and the
// characters '"' and '\\' are escaped; invalid UTF-8 bytes are replaced by
// U+FFFD so that the output is always valid JSON.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace tabel
