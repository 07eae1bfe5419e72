#pragma once
// Small libsodium wrappers shared by the auth module.
// Thread-safety: every function is safe from any thread (libsodium is
// initialised once, under std::call_once, before first use).
// Errors: std::runtime_error only if libsodium cannot initialise.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tabel::auth {

// sodium_init(), exactly once per process; every function below calls it.
void EnsureSodium();

// `size` bytes from the kernel's CSPRNG.
std::string RandomBytes(size_t size);

// RFC 4648 §5 base64url without padding, and back (nullopt if malformed).
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Lowercase hex of SHA-256(bytes).
std::string Sha256Hex(std::string_view bytes);

// HMAC-SHA-256 of `message` under `key` (any length), 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view message);

// Compares in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace tabel::auth
