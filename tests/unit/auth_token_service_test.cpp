// TokenService: HS256 access tokens with a pinned algorithm, checked claims
// and key rotation. Forged tokens are built here with libsodium and libjwt
// directly, independently of the code under test.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "auth/crypto.hpp"
#include "auth/token_service.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"

namespace tabel::auth {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;

const std::string kSecret(40, 'k');
const std::string kOtherSecret(40, 'o');

TokenServiceOptions Options(const std::string& secret = kSecret, const std::string& kid = "k1") {
  TokenServiceOptions options;
  options.current = {kid, secret};
  return options;
}

int64_t Now(const ManualClock& clock) {
  return std::chrono::duration_cast<seconds>(clock.Now().time_since_epoch()).count();
}

nlohmann::json ValidClaims(const ManualClock& clock) {
  const int64_t now = Now(clock);
  return {{"sub", "42"},     {"roles", {"employee"}},
          {"rv", 3},         {"iat", now},
          {"nbf", now},      {"exp", now + 600},
          {"iss", "tabel"},  {"aud", "tabel-api"},
          {"typ", "access"}, {"jti", "x"}};
}

// header.payload.signature with an HMAC-SHA-256 signature under `secret`.
std::string SignHs256(const nlohmann::json& header, const nlohmann::json& payload,
                      const std::string& secret) {
  const std::string signing_input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  return signing_input + "." + Base64UrlEncode(HmacSha256(secret, signing_input));
}

std::string Unsigned(const nlohmann::json& header, const nlohmann::json& payload) {
  return Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump()) + ".";
}

// A token signed by libjwt with `alg` (an HMAC family member) and kid.
std::string SignWithLibjwt(jwt_alg_t alg, const nlohmann::json& payload, const std::string& secret,
                           const std::string& kid) {
  jwt_t* jwt = nullptr;
  EXPECT_EQ(jwt_new(&jwt), 0);
  EXPECT_EQ(jwt_add_grants_json(jwt, payload.dump().c_str()), 0);
  EXPECT_EQ(jwt_add_header(jwt, "kid", kid.c_str()), 0);
  EXPECT_EQ(jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(secret.data()),
                        static_cast<int>(secret.size())),
            0);
  char* encoded = jwt_encode_str(jwt);
  std::string token = encoded == nullptr ? std::string() : std::string(encoded);
  free(encoded);  // NOLINT
  jwt_free(jwt);
  return token;
}

// Verify must throw Unauthorized; returns the internal reason.
std::string RejectReason(const TokenService& service, const std::string& token) {
  try {
    service.Verify(token);
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kUnauthorized);
    EXPECT_EQ(error.detail(), "The access token is invalid or expired.");
    return error.internal();
  }
  ADD_FAILURE() << "accepted: " << token;
  return {};
}

class TokenServiceTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  TokenService service_{Options(), clock_.AsClock()};
};

TEST_F(TokenServiceTest, ValidTokenRoundTrips) {
  const IssuedAccessToken issued = service_.Issue({42, 7, {"employee", "manager"}, 3});
  EXPECT_EQ(issued.expires_in, minutes{15});
  const AccessClaims claims = service_.Verify(issued.token);
  EXPECT_EQ(claims.subject.account_id, 42);
  EXPECT_EQ(claims.subject.employee_id, 7);
  EXPECT_EQ(claims.subject.roles, (std::vector<std::string>{"employee", "manager"}));
  EXPECT_EQ(claims.subject.roles_version, 3);
  EXPECT_EQ(claims.key_id, "k1");
  EXPECT_FALSE(claims.jti.empty());
  EXPECT_EQ(claims.expires_at - claims.issued_at, minutes{15});
}

TEST_F(TokenServiceTest, IssuedTokenCarriesTheFixedClaimsAndHeader) {
  const std::string token = service_.Issue({42, std::nullopt, {}, 1}).token;
  const size_t dot = token.find('.');
  const auto header = nlohmann::json::parse(*Base64UrlDecode(token.substr(0, dot)));
  const auto payload =
      nlohmann::json::parse(*Base64UrlDecode(token.substr(dot + 1, token.rfind('.') - dot - 1)));
  EXPECT_EQ(header["alg"], "HS256");
  EXPECT_EQ(header["kid"], "k1");
  EXPECT_EQ(payload["sub"], "42");
  EXPECT_EQ(payload["iss"], "tabel");
  EXPECT_EQ(payload["aud"], "tabel-api");
  EXPECT_EQ(payload["typ"], "access");
  EXPECT_FALSE(payload.contains("emp"));
  EXPECT_EQ(payload["exp"].get<int64_t>() - payload["iat"].get<int64_t>(), 900);
  EXPECT_EQ(service_.Verify(token).subject.employee_id, std::nullopt);
}

TEST_F(TokenServiceTest, AcceptsATokenForgedHereWithTheRightKey) {
  // The forging helper itself works, so the rejections below are real.
  EXPECT_EQ(service_.Verify(SignHs256({{"alg", "HS256"}, {"kid", "k1"}}, ValidClaims(clock_), kSecret))
                .subject.account_id,
            42);
}

TEST_F(TokenServiceTest, RejectsAlgNone) {
  const auto claims = ValidClaims(clock_);
  EXPECT_THAT(RejectReason(service_, Unsigned({{"alg", "none"}, {"kid", "k1"}}, claims)), HasSubstr("empty"));
  EXPECT_THAT(RejectReason(service_, Unsigned({{"alg", "none"}}, claims)), HasSubstr("empty"));
  // With some signature bytes it gets as far as the header: refused for alg.
  EXPECT_THAT(RejectReason(service_, Unsigned({{"alg", "none"}, {"kid", "k1"}}, claims) + "c2ln"),
              HasSubstr("alg"));
  EXPECT_THAT(RejectReason(service_, Unsigned({{"alg", "None"}, {"kid", "k1"}}, claims) + "c2ln"),
              HasSubstr("alg"));
  // libjwt's own alg-none output, too.
  jwt_t* jwt = nullptr;
  ASSERT_EQ(jwt_new(&jwt), 0);
  ASSERT_EQ(jwt_add_grants_json(jwt, claims.dump().c_str()), 0);
  ASSERT_EQ(jwt_add_header(jwt, "kid", "k1"), 0);
  char* encoded = jwt_encode_str(jwt);
  ASSERT_NE(encoded, nullptr);
  const std::string none_token(encoded);
  free(encoded);  // NOLINT
  jwt_free(jwt);
  EXPECT_FALSE(RejectReason(service_, none_token).empty());
}

TEST_F(TokenServiceTest, RejectsOtherAlgorithmsEvenWithAValidMac) {
  const auto claims = ValidClaims(clock_);
  EXPECT_THAT(RejectReason(service_, SignWithLibjwt(JWT_ALG_HS512, claims, kSecret, "k1")), HasSubstr("alg"));
  EXPECT_THAT(RejectReason(service_, SignWithLibjwt(JWT_ALG_HS384, claims, kSecret, "k1")), HasSubstr("alg"));
  // An RS256 label over an HMAC made with the secret (key confusion).
  EXPECT_THAT(RejectReason(service_, SignHs256({{"alg", "RS256"}, {"kid", "k1"}}, claims, kSecret)),
              HasSubstr("alg"));
  EXPECT_THAT(RejectReason(service_, SignHs256({{"alg", "hs256"}, {"kid", "k1"}}, claims, kSecret)),
              HasSubstr("alg"));
}

TEST_F(TokenServiceTest, RejectsATamperedPayload) {
  const std::string token = service_.Issue({42, std::nullopt, {"employee"}, 1}).token;
  const size_t first = token.find('.');
  const size_t second = token.rfind('.');
  auto payload = nlohmann::json::parse(*Base64UrlDecode(token.substr(first + 1, second - first - 1)));
  payload["roles"] = {"admin"};
  const std::string forged =
      token.substr(0, first + 1) + Base64UrlEncode(payload.dump()) + token.substr(second);
  EXPECT_THAT(RejectReason(service_, forged), HasSubstr("signature"));
}

TEST_F(TokenServiceTest, RejectsATamperedSignature) {
  std::string token = service_.Issue({42, std::nullopt, {}, 1}).token;
  char& last_but_one = token[token.size() - 2];
  last_but_one = last_but_one == 'A' ? 'B' : 'A';
  EXPECT_THAT(RejectReason(service_, token), HasSubstr("signature"));
  const std::string truncated = token.substr(0, token.size() - 4);
  EXPECT_FALSE(RejectReason(service_, truncated).empty());
  const std::string stripped = token.substr(0, token.rfind('.') + 1);
  EXPECT_FALSE(RejectReason(service_, stripped).empty());
}

TEST_F(TokenServiceTest, RejectsATokenSignedWithAnotherSecret) {
  EXPECT_THAT(
      RejectReason(service_, SignHs256({{"alg", "HS256"}, {"kid", "k1"}}, ValidClaims(clock_), kOtherSecret)),
      HasSubstr("signature"));
}

TEST_F(TokenServiceTest, RejectsAnExpiredTokenAfterTheLeeway) {
  const std::string token = service_.Issue({42, std::nullopt, {}, 1}).token;
  clock_.Advance(minutes{15} + seconds{29});
  EXPECT_NO_THROW(service_.Verify(token));  // inside the 30 s leeway
  clock_.Advance(seconds{1});
  EXPECT_THAT(RejectReason(service_, token), HasSubstr("expired"));
}

// A token verified once is remembered by its bytes: seen again it gives the
// same claims, its times are still checked against the clock, and a token
// differing from it in one byte is verified on its own.
TEST_F(TokenServiceTest, ATokenSeenAgainIsStillCheckedAgainstTheClock) {
  const std::string token = service_.Issue({42, 7, {"manager"}, 3}).token;
  const AccessClaims first = service_.Verify(token);
  const AccessClaims again = service_.Verify(token);
  EXPECT_EQ(again.subject.account_id, 42);
  EXPECT_EQ(again.subject.roles, first.subject.roles);
  EXPECT_EQ(again.jti, first.jti);
  std::string tampered = token;
  char& last_but_one = tampered[tampered.size() - 2];
  last_but_one = last_but_one == 'A' ? 'B' : 'A';
  EXPECT_THAT(RejectReason(service_, tampered), HasSubstr("signature"));
  clock_.Advance(minutes{15} + seconds{30});
  EXPECT_THAT(RejectReason(service_, token), HasSubstr("expired"));
  EXPECT_THAT(RejectReason(service_, token), HasSubstr("expired"));  // forgotten, decoded again
}

TEST_F(TokenServiceTest, RejectsATokenNotYetValid) {
  auto claims = ValidClaims(clock_);
  claims["nbf"] = Now(clock_) + 120;
  EXPECT_THAT(RejectReason(service_, SignHs256({{"alg", "HS256"}, {"kid", "k1"}}, claims, kSecret)),
              HasSubstr("not yet valid"));
  claims["nbf"] = Now(clock_) + 20;  // within the leeway
  EXPECT_NO_THROW(service_.Verify(SignHs256({{"alg", "HS256"}, {"kid", "k1"}}, claims, kSecret)));
}

TEST_F(TokenServiceTest, RejectsWrongAudienceIssuerAndType) {
  const nlohmann::json header = {{"alg", "HS256"}, {"kid", "k1"}};
  auto claims = ValidClaims(clock_);
  claims["aud"] = "other-api";
  EXPECT_THAT(RejectReason(service_, SignHs256(header, claims, kSecret)), HasSubstr("aud"));
  claims = ValidClaims(clock_);
  claims.erase("aud");
  EXPECT_THAT(RejectReason(service_, SignHs256(header, claims, kSecret)), HasSubstr("aud"));
  claims = ValidClaims(clock_);
  claims["iss"] = "evil";
  EXPECT_THAT(RejectReason(service_, SignHs256(header, claims, kSecret)), HasSubstr("iss"));
  claims = ValidClaims(clock_);
  claims["typ"] = "refresh";
  EXPECT_THAT(RejectReason(service_, SignHs256(header, claims, kSecret)), HasSubstr("typ"));
}

TEST_F(TokenServiceTest, RejectsMissingOrMistypedClaims) {
  const nlohmann::json header = {{"alg", "HS256"}, {"kid", "k1"}};
  for (const char* claim : {"sub", "roles", "rv", "exp", "nbf", "iat", "jti"}) {
    auto claims = ValidClaims(clock_);
    claims.erase(claim);
    EXPECT_THAT(RejectReason(service_, SignHs256(header, claims, kSecret)), HasSubstr(claim)) << claim;
  }
  auto claims = ValidClaims(clock_);
  claims["exp"] = "tomorrow";
  EXPECT_THAT(RejectReason(service_, SignHs256(header, claims, kSecret)), HasSubstr("exp"));
  claims = ValidClaims(clock_);
  claims["sub"] = "42abc";
  EXPECT_THAT(RejectReason(service_, SignHs256(header, claims, kSecret)), HasSubstr("sub"));
  claims = ValidClaims(clock_);
  claims["exp"] = Now(clock_) + 3600;  // longer than 15 minutes
  EXPECT_THAT(RejectReason(service_, SignHs256(header, claims, kSecret)), HasSubstr("lifetime"));
}

TEST_F(TokenServiceTest, RejectsAnUnknownOrMissingKid) {
  const auto claims = ValidClaims(clock_);
  EXPECT_THAT(RejectReason(service_, SignHs256({{"alg", "HS256"}, {"kid", "k9"}}, claims, kSecret)),
              HasSubstr("kid"));
  EXPECT_THAT(RejectReason(service_, SignHs256({{"alg", "HS256"}}, claims, kSecret)), HasSubstr("kid"));
  EXPECT_THAT(RejectReason(service_, SignHs256({{"alg", "HS256"}, {"kid", 1}}, claims, kSecret)),
              HasSubstr("kid"));
}

TEST_F(TokenServiceTest, RejectsGarbageAndTheEmptyString) {
  for (const std::string& token :
       {std::string(), std::string("."), std::string(".."), std::string("abc"), std::string("a.b"),
        std::string("a.b.c.d"), std::string("!!.??.**"), std::string("Bearer x.y.z"), std::string(10000, 'a'),
        Base64UrlEncode("not json") + "." + Base64UrlEncode("{}") + ".c2ln",
        Base64UrlEncode("[1,2]") + "." + Base64UrlEncode("{}") + ".c2ln"}) {
    EXPECT_FALSE(RejectReason(service_, token).empty()) << token;
  }
}

TEST(TokenServiceRotation, PreviousKeysVerifyAndRemovedKeysDoNot) {
  ManualClock clock;
  TokenService old_service(Options(kSecret, "old"), clock.AsClock());
  const std::string old_token = old_service.Issue({42, std::nullopt, {}, 1}).token;

  TokenServiceOptions rotated = Options(kOtherSecret, "new");
  rotated.previous.push_back({"old", kSecret});
  TokenService rotated_service(rotated, clock.AsClock());
  EXPECT_EQ(rotated_service.Verify(old_token).key_id, "old");
  const std::string new_token = rotated_service.Issue({42, std::nullopt, {}, 1}).token;
  EXPECT_EQ(rotated_service.Verify(new_token).key_id, "new");
  EXPECT_THAT(RejectReason(old_service, new_token), HasSubstr("kid"));

  TokenService after_removal(Options(kOtherSecret, "new"), clock.AsClock());
  EXPECT_THAT(RejectReason(after_removal, old_token), HasSubstr("kid"));
  EXPECT_NO_THROW(after_removal.Verify(new_token));
}

TEST(TokenServiceOptionsTest, RejectsWeakOrInconsistentConfiguration) {
  const Clock clock = SystemClock();
  EXPECT_THROW(TokenService(Options(std::string(31, 'x')), clock), std::invalid_argument);
  EXPECT_THROW(TokenService(Options(kSecret, ""), clock), std::invalid_argument);
  auto too_long = Options();
  too_long.lifetime = minutes{16};
  EXPECT_THROW(TokenService(too_long, clock), std::invalid_argument);
  auto leeway = Options();
  leeway.leeway = seconds{31};
  EXPECT_THROW(TokenService(leeway, clock), std::invalid_argument);
  auto duplicate = Options();
  duplicate.previous.push_back({"k1", kOtherSecret});
  EXPECT_THROW(TokenService(duplicate, clock), std::invalid_argument);
}

TEST(TokenServiceOptionsTest, FromSecretDerivesAStableKidAndRandomisesAnEmptySecret) {
  const auto a = TokenServiceOptions::FromSecret(kSecret);
  const auto b = TokenServiceOptions::FromSecret(kSecret);
  EXPECT_EQ(a.current.id, b.current.id);
  EXPECT_EQ(a.current.secret, kSecret);
  EXPECT_THAT(a.current.id, HasSubstr("hs256-"));
  EXPECT_EQ(a.current.id.find(kSecret), std::string::npos);
  const auto r1 = TokenServiceOptions::FromSecret("");
  const auto r2 = TokenServiceOptions::FromSecret("");
  EXPECT_EQ(r1.current.secret.size(), 32u);
  EXPECT_NE(r1.current.secret, r2.current.secret);
  EXPECT_NE(r1.current.id, r2.current.id);
  EXPECT_EQ(r1.lifetime, minutes{15});
}

// A fresh RSA private key of `bits` in PEM, made with OpenSSL directly.
std::string RsaPrivateKeyPem(int bits) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
  BIO* bio = BIO_new(BIO_s_mem());
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

class Rs256TokenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { private_pem_ = new std::string(RsaPrivateKeyPem(2048)); }
  static void TearDownTestSuite() { delete private_pem_; }

  static std::string* private_pem_;
  ManualClock clock_;
  TokenServiceOptions options_ = TokenServiceOptions::FromPrivateKey(*private_pem_);
  TokenService service_{options_, clock_.AsClock()};
};
std::string* Rs256TokenTest::private_pem_ = nullptr;

TEST_F(Rs256TokenTest, SignsAndVerifiesWithTheKeyPair) {
  const std::string token = service_.Issue({42, 7, {"manager"}, 3}).token;
  const auto header = nlohmann::json::parse(*Base64UrlDecode(token.substr(0, token.find('.'))));
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(header["kid"], options_.current.id);
  EXPECT_THAT(options_.current.id, ::testing::StartsWith("rs256-"));
  const AccessClaims claims = service_.Verify(token);
  EXPECT_EQ(claims.subject.account_id, 42);
  EXPECT_EQ(claims.subject.employee_id, 7);

  // A replica holding only the public key verifies it too.
  TokenServiceOptions verifier;
  verifier.current = {"hs", kSecret};
  SigningKey public_only = options_.current;
  public_only.private_pem.clear();
  verifier.previous = {public_only};
  EXPECT_EQ(TokenService(verifier, clock_.AsClock()).Verify(token).subject.account_id, 42);
}

TEST_F(Rs256TokenTest, RejectsTamperingAndKeyConfusion) {
  const std::string token = service_.Issue({42, std::nullopt, {"employee"}, 1}).token;
  const size_t first = token.find('.');
  const size_t second = token.rfind('.');
  auto payload = nlohmann::json::parse(*Base64UrlDecode(token.substr(first + 1, second - first - 1)));
  payload["roles"] = {"admin"};
  EXPECT_THAT(RejectReason(service_, token.substr(0, first + 1) + Base64UrlEncode(payload.dump()) +
                                         token.substr(second)),
              HasSubstr("signature"));
  // HS256 under the RSA key's id, the public key used as the HMAC secret.
  EXPECT_THAT(RejectReason(service_, SignHs256({{"alg", "HS256"}, {"kid", options_.current.id}},
                                               ValidClaims(clock_), options_.current.public_pem)),
              HasSubstr("alg"));
  // Signed by another RSA key under this key's id.
  TokenServiceOptions other = TokenServiceOptions::FromPrivateKey(RsaPrivateKeyPem(2048));
  other.current.id = options_.current.id;
  EXPECT_THAT(
      RejectReason(service_, TokenService(other, clock_.AsClock()).Issue({42, std::nullopt, {}, 1}).token),
      HasSubstr("signature"));
}

TEST(Rs256Options, RefusesWeakOrUnreadableKeys) {
  EXPECT_THROW(TokenServiceOptions::FromPrivateKey("not a key"), std::invalid_argument);
  EXPECT_THROW(TokenServiceOptions::FromPrivateKey(RsaPrivateKeyPem(1024)), std::invalid_argument);
  ManualClock clock;
  TokenServiceOptions without_private = TokenServiceOptions::FromPrivateKey(RsaPrivateKeyPem(2048));
  without_private.current.private_pem.clear();
  EXPECT_THROW(TokenService(without_private, clock.AsClock()), std::invalid_argument);
}

}  // namespace
}  // namespace tabel::auth
