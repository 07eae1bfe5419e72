#include "agent/repository.hpp"

#include <soci/soci.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/base64.hpp"
#include "common/error.hpp"
#include "infra/db/query.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::agent {
namespace {

constexpr const char* kLetterColumns =
    "SELECT l.id, l.employee_id, e.department_id, l.uploaded_by, l.received_on, l.file_name, l.media_type, "
    "l.size_bytes, l.sha256, l.status, l.attempts, l.fields, l.problems, l.analysis, l.ocr_text, "
    "l.request_id, "
    "l.original_signature_required, l.decided_by, l.decided_at, l.decision_comment, l.version, l.created_at, "
    "l.updated_at FROM resignation_letters l JOIN employees e ON e.id = l.employee_id";
constexpr const char* kInsertLetter =
    "INSERT INTO resignation_letters (employee_id, uploaded_by, idempotency_key, received_on, file_name, "
    "media_type, size_bytes, sha256, content, status, created_at, updated_at) VALUES (:employee, :uploader, "
    ":key, :received_on, :file_name, :media_type, :size, :sha256, :content, 'processing', :at, :at2) "
    "RETURNING id";
constexpr const char* kStart =
    "UPDATE resignation_letters SET attempts = attempts + 1 WHERE id = :id AND status = 'processing'";
constexpr const char* kSelectContent =
    "SELECT file_name, media_type, content FROM resignation_letters WHERE id = :id";

struct LetterRow {
  long long id = 0, employee_id = 0, department_id = 0, uploaded_by = 0, size = 0, request_id = 0,
            decided_by = 0, version = 0;
  int attempts = 0, signature_required = 1;
  std::string received_on, file_name, media_type, sha256, status, fields, problems, analysis, ocr_text,
      decided_at, comment, created_at, updated_at;
  soci::indicator name_ind = soci::i_null, fields_ind = soci::i_null, analysis_ind = soci::i_null,
                  ocr_ind = soci::i_null, request_ind = soci::i_null, decided_by_ind = soci::i_null,
                  decided_at_ind = soci::i_null, comment_ind = soci::i_null;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(employee_id));
    statement.exchange(soci::into(department_id));
    statement.exchange(soci::into(uploaded_by));
    statement.exchange(soci::into(received_on));
    statement.exchange(soci::into(file_name, name_ind));
    statement.exchange(soci::into(media_type));
    statement.exchange(soci::into(size));
    statement.exchange(soci::into(sha256));
    statement.exchange(soci::into(status));
    statement.exchange(soci::into(attempts));
    statement.exchange(soci::into(fields, fields_ind));
    statement.exchange(soci::into(problems));
    statement.exchange(soci::into(analysis, analysis_ind));
    statement.exchange(soci::into(ocr_text, ocr_ind));
    statement.exchange(soci::into(request_id, request_ind));
    statement.exchange(soci::into(signature_required));
    statement.exchange(soci::into(decided_by, decided_by_ind));
    statement.exchange(soci::into(decided_at, decided_at_ind));
    statement.exchange(soci::into(comment, comment_ind));
    statement.exchange(soci::into(version));
    statement.exchange(soci::into(created_at));
    statement.exchange(soci::into(updated_at));
  }

  Letter ToLetter() const {
    Letter l;
    l.id = id;
    l.employee_id = employee_id;
    l.department_id = department_id;
    l.uploaded_by = uploaded_by;
    l.received_on = db::ParseStoredDate(received_on, "resignation_letters.received_on");
    if (name_ind == soci::i_ok) l.file_name = file_name;
    l.media_type = media_type;
    l.size_bytes = size;
    l.sha256 = sha256;
    l.status = status;
    l.attempts = attempts;
    if (fields_ind == soci::i_ok) l.fields = fields;
    l.problems = problems;
    if (analysis_ind == soci::i_ok) l.analysis = analysis;
    if (ocr_ind == soci::i_ok) l.ocr_text = ocr_text;
    if (request_ind == soci::i_ok) l.request_id = request_id;
    l.original_signature_required = signature_required != 0;
    if (decided_by_ind == soci::i_ok) l.decided_by = decided_by;
    if (decided_at_ind == soci::i_ok) {
      l.decided_at = db::ParseStoredTimestamp(decided_at, "resignation_letters.decided_at");
    }
    if (comment_ind == soci::i_ok) l.decision_comment = comment;
    l.version = version;
    l.created_at = db::ParseStoredTimestamp(created_at, "resignation_letters.created_at");
    l.updated_at = db::ParseStoredTimestamp(updated_at, "resignation_letters.updated_at");
    return l;
  }
};

std::vector<Letter> SelectLetters(soci::session& session, db::Query& query) {
  LetterRow row;
  return db::FetchAll(session, query, row, [](const LetterRow& r) { return r.ToLetter(); });
}

std::optional<Letter> FindIn(soci::session& session, int64_t id, bool for_update, db::Dialect dialect) {
  db::Query query;
  query << kLetterColumns << " WHERE l.id = " << query.Param(static_cast<long long>(id));
  // Only the letter's row: its employee is read, not changed.
  if (for_update && dialect == db::Dialect::kPostgresql) query << " FOR UPDATE OF l";
  std::vector<Letter> found = SelectLetters(session, query);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::optional<Letter> FindByKey(soci::session& session, int64_t uploader, const std::string& key) {
  db::Query query;
  query << kLetterColumns << " WHERE l.uploaded_by = " << query.Param(static_cast<long long>(uploader))
        << " AND l.idempotency_key = " << query.Param(key);
  std::vector<Letter> found = SelectLetters(session, query);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::optional<LetterFile> FileIn(soci::session& session, int64_t id) {
  const long long key = id;
  std::string name, media_type, content;
  soci::indicator name_ind = soci::i_null;
  soci::statement statement(session);
  statement.exchange(soci::into(name, name_ind));
  statement.exchange(soci::into(media_type));
  statement.exchange(soci::into(content));
  statement.exchange(soci::use(key, "id"));
  db::PrepareOnce(statement, kSelectContent);
  if (!statement.execute(true)) return std::nullopt;
  std::optional<std::string> bytes = Base64Decode(content);
  if (!bytes)
    throw Error::Internal("The file of resignation letter " + std::to_string(id) + " is malformed.");
  LetterFile file{.media_type = media_type, .bytes = std::move(*bytes)};
  if (name_ind == soci::i_ok) file.name = name;
  return file;
}

}  // namespace

LetterRepository::LetterRepository(db::Database& database, Clock clock)
    : database_(database), clock_(std::move(clock)), outbox_(clock_) {}

std::pair<Letter, bool> LetterRepository::Insert(const NewLetter& letter,
                                                 const std::optional<std::string>& idempotency_key) {
  const std::string at = db::FormatTimestamp(clock_());
  try {
    return db::WithWriteTransaction(database_, [&](soci::session& session) -> std::pair<Letter, bool> {
      if (idempotency_key) {
        if (std::optional<Letter> earlier = FindByKey(session, letter.uploaded_by, *idempotency_key)) {
          return {std::move(*earlier), true};
        }
      }
      const long long employee = letter.employee_id, uploader = letter.uploaded_by,
                      size = static_cast<long long>(letter.bytes.size());
      const std::string key = idempotency_key.value_or(""), received_on = FormatIsoDate(letter.received_on),
                        file_name = letter.file_name.value_or(""), content = Base64Encode(letter.bytes);
      soci::indicator key_ind = idempotency_key ? soci::i_ok : soci::i_null,
                      name_ind = letter.file_name ? soci::i_ok : soci::i_null;
      long long id = 0;
      soci::statement statement(session);
      statement.exchange(soci::into(id));
      statement.exchange(soci::use(employee, "employee"));
      statement.exchange(soci::use(uploader, "uploader"));
      statement.exchange(soci::use(key, key_ind, "key"));
      statement.exchange(soci::use(received_on, "received_on"));
      statement.exchange(soci::use(file_name, name_ind, "file_name"));
      statement.exchange(soci::use(letter.media_type, "media_type"));
      statement.exchange(soci::use(size, "size"));
      statement.exchange(soci::use(letter.sha256, "sha256"));
      statement.exchange(soci::use(content, "content"));
      statement.exchange(soci::use(at, "at"));
      statement.exchange(soci::use(at, "at2"));
      db::PrepareOnce(statement, kInsertLetter);
      statement.execute(true);
      outbox_.Add(session,
                  {.topic = kLetterReceivedTopic, .payload = nlohmann::json{{"letter_id", id}}.dump()});
      return {FindIn(session, id, false, database_.dialect()).value(), false};
    });
  } catch (const Error& error) {
    // The same key sent twice at the same moment (PostgreSQL): the other won.
    if (error.kind() != ErrorKind::kConflict || !idempotency_key) throw;
    std::optional<Letter> earlier = db::WithSession(database_, [&](soci::session& session) {
      return FindByKey(session, letter.uploaded_by, *idempotency_key);
    });
    if (!earlier) throw;
    return {std::move(*earlier), true};
  }
}

std::optional<Letter> LetterRepository::Find(int64_t id) {
  return db::WithSession(
      database_, [&](soci::session& session) { return FindIn(session, id, false, database_.dialect()); });
}

http::Page<Letter> LetterRepository::List(const auth::Reach& reach, int64_t account_id,
                                          const LetterQuery& query) {
  return db::WithSession(database_, [&](soci::session& session) {
    db::Query sql;
    sql << kLetterColumns << " WHERE (l.uploaded_by = " << sql.Param(static_cast<long long>(account_id))
        << " OR ";
    auth::AppendReachCondition(sql, reach, "l.employee_id", "e.department_id");
    sql << ")";
    if (query.employee_id)
      sql << " AND l.employee_id = " << sql.Param(static_cast<long long>(*query.employee_id));
    if (query.status) sql << " AND l.status = " << sql.Param(*query.status);
    if (query.page.after) sql << " AND l.id > " << sql.Param(static_cast<long long>(*query.page.after));
    sql << " ORDER BY l.id LIMIT " << std::to_string(query.page.limit + 1);
    return http::PageOf(SelectLetters(session, sql), query.page.limit);
  });
}

std::optional<LetterFile> LetterRepository::File(int64_t id) {
  return db::WithSession(database_, [&](soci::session& session) { return FileIn(session, id); });
}

std::optional<std::pair<Letter, std::string>> LetterRepository::Start(int64_t id) {
  return db::WithWriteTransaction(
      database_, [&](soci::session& session) -> std::optional<std::pair<Letter, std::string>> {
        const long long key = id;
        soci::statement statement(session);
        statement.exchange(soci::use(key, "id"));
        db::ExecuteOnce(statement, kStart);
        if (statement.get_affected_rows() == 0) return std::nullopt;
        std::optional<Letter> letter = FindIn(session, id, false, database_.dialect());
        std::optional<LetterFile> file = FileIn(session, id);
        if (!letter || !file) return std::nullopt;
        return std::make_pair(std::move(*letter), std::move(file->bytes));
      });
}

std::optional<Letter> LetterRepository::Decide(int64_t id, const LetterDecision& decision,
                                               const std::vector<std::string>& from,
                                               std::optional<int64_t> expected_version) {
  const std::string at = db::FormatTimestamp(clock_());
  return db::WithWriteTransaction(database_, [&](soci::session& session) -> std::optional<Letter> {
    const std::optional<Letter> current = FindIn(session, id, true, database_.dialect());
    if (!current || std::find(from.begin(), from.end(), current->status) == from.end()) return std::nullopt;
    if (expected_version && *expected_version != current->version) return std::nullopt;
    db::Query update;
    update << "UPDATE resignation_letters SET status = " << update.Param(decision.status)
           << ", problems = " << update.Param(decision.problems)
           << ", version = version + 1, updated_at = " << update.Param(at);
    if (decision.fields) update << ", fields = " << update.Param(*decision.fields);
    if (decision.analysis) update << ", analysis = " << update.Param(*decision.analysis);
    if (decision.ocr_text) update << ", ocr_text = " << update.Param(*decision.ocr_text);
    if (decision.request_id) {
      update << ", request_id = " << update.Param(static_cast<long long>(*decision.request_id));
    }
    if (decision.decided_by) {
      update << ", decided_by = " << update.Param(static_cast<long long>(*decision.decided_by))
             << ", decision_comment = " << update.Param(decision.decision_comment.value_or(""));
    }
    if (decision.status != kProcessing) update << ", decided_at = " << update.Param(at);
    update << " WHERE id = " << update.Param(static_cast<long long>(id));
    soci::statement statement(session);
    update.Prepare(statement);
    statement.execute(true);
    if (!decision.needs_corrections_event.empty()) {
      outbox_.Add(session,
                  {.topic = kLetterNeedsCorrectionsTopic, .payload = decision.needs_corrections_event});
    }
    return FindIn(session, id, false, database_.dialect());
  });
}

}  // namespace tabel::agent
