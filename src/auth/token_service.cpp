#include "auth/token_service.hpp"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "auth/crypto.hpp"
#include "common/error.hpp"
#include "common/uuid.hpp"

namespace tabel::auth {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr std::string_view kIssuer = "tabel";
constexpr std::string_view kAudience = "tabel-api";
constexpr std::string_view kType = "access";

std::string_view AlgorithmName(SigningAlgorithm algorithm) {
  return algorithm == SigningAlgorithm::kRs256 ? "RS256" : "HS256";
}

jwt_alg_t JwtAlgorithm(SigningAlgorithm algorithm) {
  return algorithm == SigningAlgorithm::kRs256 ? JWT_ALG_RS256 : JWT_ALG_HS256;
}

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct DigestDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// An RSA key of at least kMinRsaBits from PEM text (private or public), or null.
PkeyPtr ReadRsaKey(std::string_view pem, bool private_key) {
  const std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  PkeyPtr key(private_key ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                          : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA || EVP_PKEY_get_bits(key.get()) < kMinRsaBits) {
    return nullptr;
  }
  return key;
}

// Whether `signature` is an RS256 (RSASSA-PKCS1-v1_5 with SHA-256)
// signature of `signed_part` under the public key in `public_pem`.
bool RsaSignatureValid(const std::string& public_pem, std::string_view signed_part,
                       const std::string& signature) {
  const PkeyPtr key = ReadRsaKey(public_pem, false);
  const std::unique_ptr<EVP_MD_CTX, DigestDeleter> context(EVP_MD_CTX_new());
  if (!key || !context) return false;
  return EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
         EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(signed_part.data()),
                          signed_part.size()) == 1;
}

// The key material libjwt signs or verifies with.
const std::string& JwtKeyMaterial(const SigningKey& key, bool signing) {
  if (key.algorithm == SigningAlgorithm::kHs256) return key.secret;
  return signing ? key.private_pem : key.public_pem;
}
// Far above any token we issue (a few hundred bytes); bounds the work done
// on garbage.
constexpr size_t kMaxTokenBytes = 8192;

[[noreturn]] void Reject(std::string reason) {
  throw Error(ErrorKind::kUnauthorized, "unauthorized", "The access token is invalid or expired.", {},
              "access token rejected: " + std::move(reason));
}

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct FreeDeleter {
  void operator()(char* text) const { free(text); }  // NOLINT: libjwt allocates with malloc
};

bool IsBase64UrlPart(std::string_view part) {
  if (part.empty()) return false;
  for (const char c : part) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

int64_t SecondsSinceEpoch(system_clock::time_point time) {
  return std::chrono::duration_cast<seconds>(time.time_since_epoch()).count();
}

// An integer claim; rejects absence and any other JSON type.
int64_t IntClaim(const nlohmann::json& payload, const char* name) {
  const auto found = payload.find(name);
  if (found == payload.end() || !found->is_number_integer())
    Reject(std::string("claim ") + name + " missing");
  return found->get<int64_t>();
}

std::string StringClaim(const nlohmann::json& payload, const char* name) {
  const auto found = payload.find(name);
  if (found == payload.end() || !found->is_string()) Reject(std::string("claim ") + name + " missing");
  return found->get<std::string>();
}

bool AudienceMatches(const nlohmann::json& payload) {
  const auto found = payload.find("aud");
  if (found == payload.end()) return false;
  if (found->is_string()) return found->get<std::string>() == kAudience;
  if (found->is_array()) {
    for (const auto& item : *found) {
      if (item.is_string() && item.get<std::string>() == kAudience) return true;
    }
  }
  return false;
}

}  // namespace

std::string KeyIdFor(std::string_view secret) {
  return "hs256-" + Sha256Hex(std::string("tabel-jwt-kid:").append(secret)).substr(0, 16);
}

TokenServiceOptions TokenServiceOptions::FromSecret(std::string_view secret) {
  TokenServiceOptions options;
  options.current.secret = secret.empty() ? RandomBytes(kMinSecretBytes) : std::string(secret);
  options.current.id = KeyIdFor(options.current.secret);
  return options;
}

TokenServiceOptions TokenServiceOptions::FromPrivateKey(std::string_view private_pem) {
  const PkeyPtr key = ReadRsaKey(private_pem, true);
  if (!key) {
    throw std::invalid_argument("the JWT private key must be an RSA key in PEM of at least 2048 bits");
  }
  const std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
    throw std::invalid_argument("the JWT private key's public half cannot be written");
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  TokenServiceOptions options;
  options.current.algorithm = SigningAlgorithm::kRs256;
  options.current.private_pem = std::string(private_pem);
  options.current.public_pem = std::string(data, static_cast<size_t>(length));
  options.current.id = "rs256-" + Sha256Hex(options.current.public_pem).substr(0, 16);
  return options;
}

TokenService::TokenService(TokenServiceOptions options, Clock clock)
    : options_(std::move(options)), clock_(std::move(clock)) {
  EnsureSodium();
  if (options_.lifetime < seconds{1} || options_.lifetime > kMaxAccessLifetime) {
    throw std::invalid_argument("access token lifetime must be between 1 s and 15 min");
  }
  if (options_.leeway < seconds{0} || options_.leeway > kMaxLeeway) {
    throw std::invalid_argument("access token leeway must be between 0 and 30 s");
  }
  std::set<std::string> ids;
  const auto check = [&](const SigningKey& key) {
    if (key.id.empty() || key.id.size() > 64)
      throw std::invalid_argument("a JWT key id must have 1..64 characters");
    if (key.algorithm == SigningAlgorithm::kHs256 && key.secret.size() < kMinSecretBytes) {
      throw std::invalid_argument("a JWT secret must have at least 32 bytes (key " + key.id + ")");
    }
    if (key.algorithm == SigningAlgorithm::kRs256 && !ReadRsaKey(key.public_pem, false)) {
      throw std::invalid_argument("a JWT public key must be an RSA key of at least 2048 bits (key " + key.id +
                                  ")");
    }
    if (!ids.insert(key.id).second) throw std::invalid_argument("duplicate JWT key id " + key.id);
  };
  check(options_.current);
  if (options_.current.algorithm == SigningAlgorithm::kRs256 &&
      !ReadRsaKey(options_.current.private_pem, true)) {
    throw std::invalid_argument("the current JWT key needs its RSA private key to sign");
  }
  for (const SigningKey& key : options_.previous) check(key);
}

const SigningKey* TokenService::FindKey(std::string_view key_id) const {
  if (options_.current.id == key_id) return &options_.current;
  for (const SigningKey& key : options_.previous) {
    if (key.id == key_id) return &key;
  }
  return nullptr;
}

IssuedAccessToken TokenService::Issue(const AccessSubject& subject) const {
  const int64_t now = SecondsSinceEpoch(clock_());
  nlohmann::json payload = {
      {"sub", std::to_string(subject.account_id)},
      {"roles", subject.roles},
      {"rv", subject.roles_version},
      {"iat", now},
      {"nbf", now},
      {"exp", now + options_.lifetime.count()},
      {"iss", kIssuer},
      {"aud", kAudience},
      {"typ", kType},
      {"jti", NewUuid()},
  };
  if (subject.employee_id) payload["emp"] = *subject.employee_id;

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw Error::Internal("jwt_new failed");
  const JwtPtr jwt(raw);
  const std::string payload_text = payload.dump();
  const SigningKey& key = options_.current;
  if (jwt_add_grants_json(jwt.get(), payload_text.c_str()) != 0 ||
      jwt_add_header(jwt.get(), "kid", key.id.c_str()) != 0 ||
      jwt_set_alg(jwt.get(), JwtAlgorithm(key.algorithm),
                  reinterpret_cast<const unsigned char*>(JwtKeyMaterial(key, true).data()),
                  static_cast<int>(JwtKeyMaterial(key, true).size())) != 0) {
    throw Error::Internal("libjwt refused the access token claims");
  }
  const std::unique_ptr<char, FreeDeleter> encoded(jwt_encode_str(jwt.get()));
  if (!encoded) throw Error::Internal("jwt_encode_str failed");
  return {std::string(encoded.get()), options_.lifetime};
}

AccessClaims TokenService::Verify(std::string_view token) const {
  const int64_t now = SecondsSinceEpoch(clock_());
  {
    const std::lock_guard lock(mutex_);
    if (const auto found = verified_.find(std::string(token)); found != verified_.end()) {
      Verified known = found->second;
      const int64_t expires_at = SecondsSinceEpoch(known.claims.expires_at);
      if (now >= expires_at + options_.leeway.count()) verified_.erase(found);  // and refused below
      CheckTimes(SecondsSinceEpoch(known.claims.issued_at), known.not_before, expires_at, now);
      return std::move(known.claims);
    }
  }
  Verified verified = Decode(token);
  const std::lock_guard lock(mutex_);
  if (verified_.size() >= kMaxVerifiedTokens) {
    std::erase_if(verified_, [&](const auto& entry) {
      return now >= SecondsSinceEpoch(entry.second.claims.expires_at) + options_.leeway.count();
    });
    if (verified_.size() >= kMaxVerifiedTokens) verified_.clear();
  }
  verified_.emplace(std::string(token), verified);
  return std::move(verified.claims);
}

void TokenService::CheckTimes(int64_t issued_at, int64_t not_before, int64_t expires_at, int64_t now) const {
  const int64_t leeway = options_.leeway.count();
  if (now >= expires_at + leeway) Reject("expired");
  if (now + leeway < not_before) Reject("not yet valid");
  if (now + leeway < issued_at) Reject("issued in the future");
}

TokenService::Verified TokenService::Decode(std::string_view token) const {
  if (token.empty()) Reject("empty");
  if (token.size() > kMaxTokenBytes) Reject("too long");
  const size_t first_dot = token.find('.');
  const size_t second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos) {
    Reject("not three parts");
  }
  const std::string_view header_part = token.substr(0, first_dot);
  const std::string_view payload_part = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature_part = token.substr(second_dot + 1);
  if (!IsBase64UrlPart(header_part) || !IsBase64UrlPart(payload_part) || !IsBase64UrlPart(signature_part)) {
    Reject("a part is empty or not base64url");
  }

  // 1. The header, decoded by us: pin the algorithm and pick the key.
  const auto header_text = Base64UrlDecode(header_part);
  if (!header_text) Reject("header is not base64url");
  const nlohmann::json header = nlohmann::json::parse(*header_text, nullptr, false);
  if (!header.is_object()) Reject("header is not a JSON object");
  if (header.contains("crit")) Reject("crit header");
  const auto kid = header.find("kid");
  if (kid == header.end() || !kid->is_string()) Reject("no kid");
  const SigningKey* key = FindKey(kid->get<std::string>());
  if (key == nullptr) Reject("unknown kid");
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get<std::string>() != AlgorithmName(key->algorithm)) {
    Reject("alg is not the key's");
  }

  // 2. The signature, checked in constant time before anything else of the
  // token is believed.
  const auto signature = Base64UrlDecode(signature_part);
  if (!signature) Reject("signature is not base64url");
  const std::string_view signed_part = token.substr(0, second_dot);
  if (key->algorithm == SigningAlgorithm::kHs256) {
    if (!ConstantTimeEquals(*signature, HmacSha256(key->secret, signed_part))) Reject("bad signature");
  } else if (!RsaSignatureValid(key->public_pem, signed_part, *signature)) {
    Reject("bad signature");
  }

  // 3. libjwt decodes the authenticated token with the pinned key.
  jwt_t* raw = nullptr;
  const std::string terminated(token);
  const std::string& material = JwtKeyMaterial(*key, false);
  if (jwt_decode(&raw, terminated.c_str(), reinterpret_cast<const unsigned char*>(material.data()),
                 static_cast<int>(material.size())) != 0 ||
      raw == nullptr) {
    Reject("libjwt could not decode it");
  }
  const JwtPtr jwt(raw);
  if (jwt_get_alg(jwt.get()) != JwtAlgorithm(key->algorithm)) Reject("libjwt saw another alg");
  const std::unique_ptr<char, FreeDeleter> grants(jwt_get_grants_json(jwt.get(), nullptr));
  if (!grants) Reject("no claims");
  const nlohmann::json payload = nlohmann::json::parse(grants.get(), nullptr, false);
  if (!payload.is_object()) Reject("claims are not a JSON object");

  // 4. The claims, which libjwt does not check.
  if (StringClaim(payload, "iss") != kIssuer) Reject("wrong iss");
  if (!AudienceMatches(payload)) Reject("wrong aud");
  if (StringClaim(payload, "typ") != kType) Reject("wrong typ");
  const int64_t exp = IntClaim(payload, "exp");
  const int64_t nbf = IntClaim(payload, "nbf");
  const int64_t iat = IntClaim(payload, "iat");
  CheckTimes(iat, nbf, exp, SecondsSinceEpoch(clock_()));
  if (exp - iat > kMaxAccessLifetime.count()) Reject("lifetime longer than 15 min");

  AccessClaims claims;
  const std::string sub = StringClaim(payload, "sub");
  int64_t account_id = 0;
  const auto [end, error] = std::from_chars(sub.data(), sub.data() + sub.size(), account_id);
  if (error != std::errc() || end != sub.data() + sub.size() || account_id <= 0)
    Reject("sub is not an account id");
  claims.subject.account_id = account_id;
  if (payload.contains("emp")) claims.subject.employee_id = IntClaim(payload, "emp");
  const auto roles = payload.find("roles");
  if (roles == payload.end() || !roles->is_array()) Reject("roles missing");
  for (const auto& role : *roles) {
    if (!role.is_string()) Reject("a role is not a string");
    claims.subject.roles.push_back(role.get<std::string>());
  }
  claims.subject.roles_version = IntClaim(payload, "rv");
  claims.jti = StringClaim(payload, "jti");
  claims.key_id = key->id;
  claims.issued_at = system_clock::time_point(seconds{iat});
  claims.expires_at = system_clock::time_point(seconds{exp});
  return {std::move(claims), nbf};
}

}  // namespace tabel::auth
