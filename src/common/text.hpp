#pragma once
// Text helpers for Russian names. Thread-safety: pure functions.

#include <string>
#include <string_view>

namespace tabel {

// Lower case of ASCII and Russian letters (А–Я, Ё) in UTF-8; every other
// byte is kept. Used for case-insensitive search keys.
std::string LowerRussian(std::string_view text);

// Whether `text` holds a control character (below U+0020, or DEL), which no
// name, title or code may hold. (JSON parsing already rejects invalid UTF-8.)
bool HasControlCharacters(std::string_view text);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or
// code points beyond U+10FFFF): text from a URL is not checked by the JSON
// parser, and PostgreSQL refuses anything else.
bool IsValidUtf8(std::string_view text);

}  // namespace tabel
