#pragma once
// The auth service's logic, without HTTP: login, refresh, logout, request
// authentication and password change.
//
// Every method blocks (database, argon2id ~50–100 ms): callers on an io
// thread run it on the blocking pool (http::BlockingPool::Run).
// Thread-safety: safe from any thread; the collaborators must outlive it.
// Errors: Error::Unauthorized with one generic message for every failed
// login (it never reveals whether a login exists or is disabled),
// Error kTooManyRequests with a Retry-After while throttled,
// Error::Validation for a password that breaks the policy, and the
// database helpers' errors.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "auth/accounts.hpp"
#include "auth/identity_cache.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password_hasher.hpp"
#include "auth/refresh_tokens.hpp"
#include "auth/token_service.hpp"
#include "common/actor.hpp"
#include "common/identity.hpp"

namespace tabel::auth {

struct TokenPair {
  std::string access_token;
  std::string refresh_token;
  std::string token_type = "Bearer";
  std::chrono::seconds expires_in{0};  // of the access token
};

// The password policy: 10..256 characters (Unicode code points), at most
// kMaxPasswordBytes bytes, valid UTF-8. Returns the problem, or an empty
// string when the password is acceptable. Pure.
std::string PasswordPolicyProblem(std::string_view password);

class AuthService {
 public:
  // With `identities`, Authenticate reuses an identity loaded within the
  // last kIdentityCacheTtl (identity_cache.hpp); without, it loads the
  // account on every call.
  AuthService(AccountRepository& accounts, RefreshTokenStore& refresh_tokens, LoginThrottle& throttle,
              TokenService& tokens, PasswordHasher& hasher, IdentityCache* identities = nullptr);

  // Checks the throttle first, then the password (an unknown login is
  // verified against a dummy hash, so it costs the same), then that the
  // account is enabled. A success clears the login's failure count and
  // re-hashes a password made with old limits.
  TokenPair Login(std::string_view login, std::string_view password, std::string_view client_address);

  // Rotates the refresh token and issues a fresh access token with the
  // account's current roles. A disabled or deleted account: its family is
  // revoked and Unauthorized.
  TokenPair Refresh(std::string_view refresh_token);

  // Revokes the token's family. Idempotent: an unknown, used or revoked
  // token is not an error.
  void Logout(std::string_view refresh_token);

  // The caller behind an access token. The token must verify and its
  // account must exist, be enabled and still have the roles_version the
  // token carries — so disabling an account or changing its roles takes
  // effect at once, not at token expiry.
  Identity Authenticate(std::string_view access_token);
  // The same without I/O: verifies the token and returns the identity the
  // cache holds for it, or nullopt when the account must be loaded (then
  // call Authenticate, on the blocking pool). Throws as Authenticate does
  // for a token that does not verify.
  std::optional<Identity> AuthenticateCached(std::string_view access_token);
  // The identity of an enabled account, for a caller who proved it another
  // way (the secret token of a calendar feed); nullopt for a deleted or
  // disabled account. Its roles are the current ones.
  std::optional<Identity> IdentityOf(int64_t account_id);

  // Checks the old password (a wrong one is Error::Validation naming
  // old_password), the policy (naming new_password), stores the new hash
  // and revokes every refresh token of the account. Access tokens already
  // issued stay valid until they expire (at most 15 minutes).
  void ChangePassword(const Identity& identity, std::string_view old_password, std::string_view new_password);
  // The same, audited as account.password_change for `actor`.
  void ChangePassword(const Actor& actor, std::string_view old_password, std::string_view new_password);

 private:
  TokenPair IssuePair(const Account& account, std::string refresh_token);

  AccountRepository& accounts_;
  RefreshTokenStore& refresh_tokens_;
  LoginThrottle& throttle_;
  TokenService& tokens_;
  PasswordHasher& hasher_;
  IdentityCache* identities_;
  std::string dummy_hash_;  // verified for unknown logins
};

}  // namespace tabel::auth
