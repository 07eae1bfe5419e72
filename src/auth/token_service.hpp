#pragma once
// Access tokens: JWTs made with libjwt 1.10, signed HS256 with a shared
// secret (TABEL_JWT_SECRET) or RS256 with an RSA key pair
// (TABEL_JWT_PRIVATE_KEY_FILE; replicas that only verify may hold the
// public key alone).
//
// libjwt 1.10 trusts the token's own `alg` header and checks no claim, so
// Verify never hands it an untrusted token: it first decodes the header
// itself, requires a known `kid` and exactly that key's algorithm (a token
// claiming HS256 under an RSA key's id is refused, so the public key can
// never serve as an HMAC secret), checks the signature itself (HMAC in
// constant time, or RSA with OpenSSL), and only then lets libjwt decode the
// token with the same key and checks exp/nbf/iat/iss/aud/typ itself.
//
// Claims: sub (account id, decimal string), emp (employee id, absent for
// technical accounts), roles (array of role codes), rv (the account's
// roles_version: the authenticator compares it with the database, so a role
// change takes effect at once), iat, nbf, exp (seconds since the epoch),
// iss "tabel", aud "tabel-api", typ "access", jti (a UUID); header kid.
//
// Rotation: tokens are signed with the current key; tokens signed with any
// of the previous keys still verify until they expire. Drop a previous key
// once max lifetime has passed since it stopped being current.
//
// Tokens verified once are remembered by their exact bytes until they
// expire (at most kMaxVerifiedTokens at a time): a client sends the same
// token with every request, and a token seen again needs only its times
// checked against the clock, not its signature and claims decoded again.
//
// Thread-safety: Issue and Verify are safe from any thread (the remembered
// tokens are behind a mutex).

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"

namespace tabel::auth {

enum class SigningAlgorithm { kHs256, kRs256 };

struct SigningKey {
  std::string id;      // the `kid` header; unique among the keys
  std::string secret;  // HS256: raw bytes, at least kMinSecretBytes
  SigningAlgorithm algorithm = SigningAlgorithm::kHs256;
  std::string private_pem;  // RS256: PEM private key; empty on a verifying-only key
  std::string public_pem;   // RS256: PEM public key (SubjectPublicKeyInfo)
};

inline constexpr int kMinRsaBits = 2048;

inline constexpr size_t kMinSecretBytes = 32;
inline constexpr std::chrono::seconds kMaxAccessLifetime{15 * 60};
inline constexpr std::chrono::seconds kMaxLeeway{30};

struct TokenServiceOptions {
  SigningKey current;
  std::vector<SigningKey> previous;
  std::chrono::seconds lifetime = kMaxAccessLifetime;  // 1 s .. 15 min
  std::chrono::seconds leeway{30};                     // clock skew tolerated on exp/nbf/iat, 0 .. 30 s

  // The options for a configured secret (TABEL_JWT_SECRET): kid is derived
  // from the secret (KeyIdFor), so every replica agrees on it. An empty
  // secret gives a random 32-byte key for this process only (tokens die
  // with the process; fine for one embedded process, wrong for replicas).
  static TokenServiceOptions FromSecret(std::string_view secret);

  // RS256 with the RSA private key in `private_pem` (PEM, at least
  // kMinRsaBits); kid is derived from its public key. Throws
  // std::invalid_argument for anything else.
  static TokenServiceOptions FromPrivateKey(std::string_view private_pem);
};

// A stable public key id for `secret`: "hs256-" + 16 hex digits of a
// SHA-256 of it (reveals nothing useful about a 32-byte secret).
std::string KeyIdFor(std::string_view secret);

// What an access token says about its holder.
struct AccessSubject {
  int64_t account_id = 0;
  std::optional<int64_t> employee_id;
  std::vector<std::string> roles;
  int64_t roles_version = 0;
};

struct AccessClaims {
  AccessSubject subject;
  std::string jti;
  std::string key_id;
  std::chrono::system_clock::time_point issued_at;
  std::chrono::system_clock::time_point expires_at;
};

struct IssuedAccessToken {
  std::string token;
  std::chrono::seconds expires_in{0};
};

// The most verified tokens kept at once; past it they are forgotten (and
// verified again on their next use).
inline constexpr size_t kMaxVerifiedTokens = 20'000;

class TokenService {
 public:
  // Throws std::invalid_argument for a short, unreadable or duplicate key,
  // a current RS256 key without its private half, an empty kid, or a
  // lifetime/leeway out of range.
  TokenService(TokenServiceOptions options, Clock clock);

  // Signs a token for `subject` with the current key, valid from now for
  // the configured lifetime. Throws Error::Internal if libjwt fails.
  IssuedAccessToken Issue(const AccessSubject& subject) const;

  // The claims of a valid token. Throws Error (kUnauthorized, the same
  // client message for every reason; the reason is in Error::internal())
  // for anything else: garbage, another algorithm, an unknown kid, a bad
  // signature, expired or not yet valid, wrong iss/aud/typ, missing or
  // mistyped claims.
  AccessClaims Verify(std::string_view token) const;

  std::chrono::seconds lifetime() const { return options_.lifetime; }

 private:
  struct Verified {
    AccessClaims claims;
    int64_t not_before = 0;  // nbf, seconds since the epoch
  };

  const SigningKey* FindKey(std::string_view key_id) const;
  // Verify's whole work: the signature, then the claims, times included.
  Verified Decode(std::string_view token) const;
  // Throws like Verify when the token is not valid at `now`.
  void CheckTimes(int64_t issued_at, int64_t not_before, int64_t expires_at, int64_t now) const;

  TokenServiceOptions options_;
  Clock clock_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, Verified> verified_;  // by the token's text
};

}  // namespace tabel::auth
