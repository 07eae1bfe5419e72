#include "auth/service.hpp"

#include "auth/crypto.hpp"
#include "common/error.hpp"

namespace tabel::auth {
namespace {

constexpr size_t kMinPasswordChars = 10;
constexpr size_t kMaxPasswordChars = 256;

Error LoginFailed() { return Error::Unauthorized("The login or the password is incorrect."); }

Error TokenRefused(std::string internal) {
  return Error(ErrorKind::kUnauthorized, "unauthorized", "The access token is invalid or expired.", {},
               std::move(internal));
}

// The number of code points of valid UTF-8, or nullopt.
std::optional<size_t> Utf8Length(std::string_view text) {
  size_t count = 0;
  for (size_t at = 0; at < text.size(); ++count) {
    const auto lead = static_cast<unsigned char>(text[at]);
    size_t length = 0;
    if (lead < 0x80) {
      length = 1;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
    } else {
      return std::nullopt;
    }
    if (at + length > text.size()) return std::nullopt;
    for (size_t i = 1; i < length; ++i) {
      if ((static_cast<unsigned char>(text[at + i]) & 0xc0) != 0x80) return std::nullopt;
    }
    at += length;
  }
  return count;
}

Identity ToIdentity(const Account& account) {
  Identity identity;
  identity.account_id = account.id;
  identity.employee_id = account.employee_id;
  identity.login = account.login;
  identity.roles = account.roles;
  identity.permissions = account.permissions;
  return identity;
}

}  // namespace

std::string PasswordPolicyProblem(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) return "must be at most 1024 bytes";
  const auto length = Utf8Length(password);
  if (!length) return "must be valid UTF-8";
  if (*length < kMinPasswordChars) return "must have at least 10 characters";
  if (*length > kMaxPasswordChars) return "must have at most 256 characters";
  return {};
}

AuthService::AuthService(AccountRepository& accounts, RefreshTokenStore& refresh_tokens,
                         LoginThrottle& throttle, TokenService& tokens, PasswordHasher& hasher,
                         IdentityCache* identities)
    : accounts_(accounts),
      refresh_tokens_(refresh_tokens),
      throttle_(throttle),
      tokens_(tokens),
      hasher_(hasher),
      identities_(identities),
      dummy_hash_(hasher_.Hash(Base64UrlEncode(RandomBytes(24)))) {}

TokenPair AuthService::IssuePair(const Account& account, std::string refresh_token) {
  const IssuedAccessToken access =
      tokens_.Issue({account.id, account.employee_id, account.roles, account.roles_version});
  TokenPair pair;
  pair.access_token = access.token;
  pair.refresh_token = std::move(refresh_token);
  pair.expires_in = access.expires_in;
  return pair;
}

TokenPair AuthService::Login(std::string_view login, std::string_view password,
                             std::string_view client_address) {
  throttle_.Check(login, client_address);
  const std::optional<Account> account = accounts_.FindByLogin(login);
  const bool password_ok = hasher_.Verify(account ? account->password_hash : dummy_hash_, password);
  if (!account || !password_ok || account->disabled) {
    throttle_.RecordFailure(login, client_address);
    throw LoginFailed();
  }
  throttle_.RecordSuccess(login);
  if (hasher_.NeedsRehash(account->password_hash))
    accounts_.UpdatePasswordHash(account->id, hasher_.Hash(password));
  IssuedRefreshToken refresh = refresh_tokens_.Issue(account->id);
  return IssuePair(*account, std::move(refresh.token));
}

TokenPair AuthService::Refresh(std::string_view refresh_token) {
  IssuedRefreshToken rotated = refresh_tokens_.Rotate(refresh_token);
  const std::optional<Account> account = accounts_.FindById(rotated.account_id);
  if (!account || account->disabled) {
    refresh_tokens_.RevokeFamily(rotated.family_id);
    throw Error(ErrorKind::kUnauthorized, "unauthorized", "The refresh token is invalid or expired.", {},
                "refresh refused: the account is disabled or gone");
  }
  return IssuePair(*account, std::move(rotated.token));
}

void AuthService::Logout(std::string_view refresh_token) { refresh_tokens_.RevokeFamilyOf(refresh_token); }

std::optional<Identity> AuthService::AuthenticateCached(std::string_view access_token) {
  const AccessClaims claims = tokens_.Verify(access_token);
  if (identities_ == nullptr) return std::nullopt;
  return identities_->Find(claims.subject.account_id, claims.subject.roles_version);
}

Identity AuthService::Authenticate(std::string_view access_token) {
  const AccessClaims claims = tokens_.Verify(access_token);
  if (identities_ != nullptr) {
    if (auto cached = identities_->Find(claims.subject.account_id, claims.subject.roles_version))
      return *cached;
  }
  const std::optional<Account> account = accounts_.FindById(claims.subject.account_id);
  if (!account) throw TokenRefused("access token of a deleted account");
  if (account->disabled) throw TokenRefused("access token of a disabled account");
  if (account->roles_version != claims.subject.roles_version) {
    throw TokenRefused("access token carries a stale roles_version");
  }
  Identity identity = ToIdentity(*account);
  if (identities_ != nullptr) identities_->Put(account->id, account->roles_version, identity);
  return identity;
}

std::optional<Identity> AuthService::IdentityOf(int64_t account_id) {
  const std::optional<Account> account = accounts_.FindById(account_id);
  if (!account || account->disabled) return std::nullopt;
  return ToIdentity(*account);
}

void AuthService::ChangePassword(const Identity& identity, std::string_view old_password,
                                 std::string_view new_password) {
  ChangePassword(Actor{identity, {}, {}}, old_password, new_password);
}

void AuthService::ChangePassword(const Actor& actor, std::string_view old_password,
                                 std::string_view new_password) {
  const Identity& identity = actor.identity;
  std::vector<FieldError> problems;
  const std::string policy = PasswordPolicyProblem(new_password);
  if (!policy.empty()) problems.push_back({"new_password", policy});
  const std::optional<Account> account = accounts_.FindById(identity.account_id);
  if (!account || account->disabled) throw Error::Unauthorized();
  if (!hasher_.Verify(account->password_hash, old_password)) {
    problems.push_back({"old_password", "does not match the current password"});
  }
  if (!problems.empty()) throw Error::Validation(std::move(problems));
  accounts_.ChangePasswordHash(account->id, hasher_.Hash(new_password), actor,
                               {"account.password_change", "account", std::to_string(account->id)});
}

}  // namespace tabel::auth
