#include "auth/password_hasher.hpp"

#include <sodium.h>

#include <stdexcept>

#include "auth/crypto.hpp"
#include "common/error.hpp"

namespace tabel::auth {

PasswordHashLimits PasswordHashLimits::Interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

PasswordHashLimits PasswordHashLimits::Minimum() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

PasswordHasher::PasswordHasher(PasswordHashLimits limits) : limits_(limits) {
  EnsureSodium();
  if (limits_.opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      limits_.opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX ||
      limits_.memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      limits_.memlimit > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
    throw std::invalid_argument("password hash limits are outside libsodium's range");
  }
}

std::string PasswordHasher::Hash(std::string_view password) const {
  if (password.size() > kMaxPasswordBytes) {
    throw Error::Validation({{"password", "is longer than " + std::to_string(kMaxPasswordBytes) + " bytes"}});
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), limits_.opslimit, limits_.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error::Internal("crypto_pwhash_str failed (out of memory?)");
  }
  return std::string(out);
}

bool PasswordHasher::Verify(std::string_view hash, std::string_view password) const {
  if (password.size() > kMaxPasswordBytes || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES)
    return false;
  const std::string terminated(hash);  // libsodium reads a C string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::NeedsRehash(std::string_view hash) const {
  if (hash.substr(0, 10) != "$argon2id$") return true;
  const std::string terminated(hash);
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), limits_.opslimit, limits_.memlimit) != 0;
}

}  // namespace tabel::auth
