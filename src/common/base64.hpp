#pragma once
// Base64 of RFC 4648 (libsodium's codec): standard with padding (§4: MIME
// parts, files kept in text columns) or base64url without padding (§5:
// tokens).
// Thread-safety: pure functions (libsodium is initialised once, under
// std::call_once). Errors: std::runtime_error only if libsodium cannot
// initialise.

#include <optional>
#include <string>
#include <string_view>

namespace tabel {

enum class Base64 { kStandard, kUrlNoPadding };

std::string Base64Encode(std::string_view bytes, Base64 variant = Base64::kStandard);
// nullopt unless the whole of `text` is base64 of `variant`.
std::optional<std::string> Base64Decode(std::string_view text, Base64 variant = Base64::kStandard);

}  // namespace tabel
