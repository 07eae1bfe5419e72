#include "auth/refresh_tokens.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <utility>

#include "auth/crypto.hpp"
#include "common/error.hpp"
#include "common/uuid.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::auth {
namespace {

constexpr size_t kTokenBytes = 32;
constexpr size_t kTokenLength = 43;  // base64url of 32 bytes, unpadded

constexpr const char* kInsertToken =
    "INSERT INTO refresh_tokens (id, account_id, family_id, token_hash, issued_at, expires_at) "
    "VALUES (:id, :account_id, :family_id, :token_hash, :issued_at, :expires_at)";
// {lock} is db::ForUpdate: the row stays locked until the rotation commits.
constexpr std::string_view kSelectForRotation =
    "SELECT id, account_id, family_id, expires_at, used_at, revoked_at FROM refresh_tokens "
    "WHERE token_hash = :token_hash{lock}";
constexpr const char* kMarkUsed =
    "UPDATE refresh_tokens SET used_at = :used_at WHERE id = :id AND used_at IS NULL AND revoked_at IS NULL";
constexpr const char* kRevokeFamily =
    "UPDATE refresh_tokens SET revoked_at = :revoked_at WHERE family_id = :family_id AND revoked_at IS NULL";
constexpr const char* kRevokeAccount =
    "UPDATE refresh_tokens SET revoked_at = :revoked_at WHERE account_id = :account_id AND revoked_at IS "
    "NULL";
constexpr const char* kSelectFamily = "SELECT family_id FROM refresh_tokens WHERE token_hash = :token_hash";
constexpr const char* kPruneExpired = "DELETE FROM refresh_tokens WHERE expires_at < :older_than";

Error Refused(std::string reason) {
  return Error(ErrorKind::kUnauthorized, "unauthorized", "The refresh token is invalid or expired.", {},
               "refresh token refused: " + std::move(reason));
}

bool LooksLikeToken(std::string_view token) {
  return token.size() == kTokenLength && std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_';
         });
}

// Inserts a fresh token of `family_id` inside an open write transaction.
IssuedRefreshToken InsertToken(soci::session& session, long long account_id, const std::string& family_id,
                               std::chrono::system_clock::time_point now, std::chrono::seconds lifetime) {
  IssuedRefreshToken issued;
  issued.token = Base64UrlEncode(RandomBytes(kTokenBytes));
  issued.family_id = family_id;
  issued.account_id = account_id;
  issued.expires_at = now + lifetime;
  const std::string id = NewUuid();
  const std::string hash = RefreshTokenStore::HashToken(issued.token);
  const std::string issued_at = db::FormatTimestamp(now);
  const std::string expires_at = db::FormatTimestamp(issued.expires_at);
  session << kInsertToken, soci::use(id, "id"), soci::use(account_id, "account_id"),
      soci::use(family_id, "family_id"), soci::use(hash, "token_hash"), soci::use(issued_at, "issued_at"),
      soci::use(expires_at, "expires_at");
  return issued;
}

}  // namespace

RefreshTokenStore::RefreshTokenStore(db::Database& database, Clock clock, std::chrono::seconds lifetime)
    : database_(database),
      clock_(std::move(clock)),
      lifetime_(lifetime),
      select_for_rotation_(kSelectForRotation) {
  if (lifetime_ <= std::chrono::seconds{0})
    throw std::invalid_argument("refresh token lifetime must be positive");
  select_for_rotation_.replace(select_for_rotation_.find("{lock}"), 6, db::ForUpdate(database_.dialect()));
}

std::string RefreshTokenStore::HashToken(std::string_view token) { return Sha256Hex(token); }

IssuedRefreshToken RefreshTokenStore::Issue(int64_t account_id) {
  const auto now = clock_();
  const std::string family_id = NewUuid();
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    return InsertToken(session, account_id, family_id, now, lifetime_);
  });
}

IssuedRefreshToken RefreshTokenStore::Rotate(std::string_view presented) {
  if (!LooksLikeToken(presented)) throw Refused("malformed");
  const std::string hash = HashToken(presented);
  // The transaction returns either the new token or why it refused, so that
  // a family revoked for reuse is committed before the error is thrown.
  struct Outcome {
    std::optional<IssuedRefreshToken> issued;
    std::string refusal;
  };
  const Outcome outcome = db::WithWriteTransaction(database_, [&](soci::session& session) -> Outcome {
    const auto now = clock_();
    const std::string now_text = db::FormatTimestamp(now);
    std::string id, family_id, expires_at, used_at, revoked_at;
    long long account_id = 0;
    soci::indicator used_ind = soci::i_null, revoked_ind = soci::i_null;
    session << select_for_rotation_, soci::into(id), soci::into(account_id), soci::into(family_id),
        soci::into(expires_at), soci::into(used_at, used_ind), soci::into(revoked_at, revoked_ind),
        soci::use(hash, "token_hash");
    if (!session.got_data()) return {std::nullopt, "unknown"};
    if (revoked_ind == soci::i_ok) return {std::nullopt, "revoked"};
    if (used_ind == soci::i_ok) {
      session << kRevokeFamily, soci::use(now_text, "revoked_at"), soci::use(family_id, "family_id");
      return {std::nullopt, "reused: family " + family_id + " revoked"};
    }
    const auto expires = db::ParseTimestamp(expires_at);
    if (!expires) throw Error::Internal("refresh_tokens: malformed expires_at");
    if (*expires <= now) return {std::nullopt, "expired"};
    soci::statement mark =
        (session.prepare << kMarkUsed, soci::use(now_text, "used_at"), soci::use(id, "id"));
    mark.execute(true);
    if (mark.get_affected_rows() != 1) throw Error::Internal("refresh_tokens: the locked row changed");
    return {InsertToken(session, account_id, family_id, now, lifetime_), {}};
  });
  if (!outcome.issued) throw Refused(outcome.refusal);
  return *outcome.issued;
}

bool RefreshTokenStore::RevokeFamilyOf(std::string_view presented) {
  if (!LooksLikeToken(presented)) return false;
  const std::string hash = HashToken(presented);
  const std::string now = db::FormatTimestamp(clock_());
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    std::string family_id;
    session << kSelectFamily, soci::into(family_id), soci::use(hash, "token_hash");
    if (!session.got_data()) return false;
    session << kRevokeFamily, soci::use(now, "revoked_at"), soci::use(family_id, "family_id");
    return true;
  });
}

void RefreshTokenStore::RevokeFamily(const std::string& family_id) {
  const std::string now = db::FormatTimestamp(clock_());
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    session << kRevokeFamily, soci::use(now, "revoked_at"), soci::use(family_id, "family_id");
  });
}

void RefreshTokenStore::RevokeAllForAccount(int64_t account_id) {
  const std::string now = db::FormatTimestamp(clock_());
  const long long id = account_id;
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    session << kRevokeAccount, soci::use(now, "revoked_at"), soci::use(id, "account_id");
  });
}

size_t RefreshTokenStore::PruneExpired(std::chrono::system_clock::time_point older_than) {
  const std::string cutoff = db::FormatTimestamp(older_than);
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    soci::statement statement = (session.prepare << kPruneExpired, soci::use(cutoff, "older_than"));
    statement.execute(true);
    return static_cast<size_t>(std::max<long long>(statement.get_affected_rows(), 0));
  });
}

}  // namespace tabel::auth
