#pragma once
// The SQL of resignation letters: the file with its hash, the decision
// columns, and the outbox messages that start the agent's reading and tell
// the author what to correct — each written in the transaction of the
// change it announces.
// Thread-safety: safe from any thread; each call leases its own session and
// blocks on the database. Errors: tabel::Error from the database helpers.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/model.hpp"
#include "auth/access.hpp"
#include "common/clock.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/db/database.hpp"

namespace tabel::agent {

class LetterRepository {
 public:
  LetterRepository(db::Database& database, Clock clock);

  // Inserts `letter` (processing) with the message that has it read; with
  // `idempotency_key`, an earlier letter of the same uploader and key is
  // returned instead (second: true), also when it came at the same moment.
  std::pair<Letter, bool> Insert(const NewLetter& letter, const std::optional<std::string>& idempotency_key);
  std::optional<Letter> Find(int64_t id);
  // Letters within `reach` or uploaded by `account_id`, by id.
  http::Page<Letter> List(const auth::Reach& reach, int64_t account_id, const LetterQuery& query);
  std::optional<LetterFile> File(int64_t id);
  // One more attempt at reading a letter still processing: the letter and
  // its file; nullopt when it is gone or no longer processing.
  std::optional<std::pair<Letter, std::string>> Start(int64_t id);
  // Writes `decision` over the letter if its status is one of `from` (and,
  // with `expected_version`, its version is that), with the author's
  // message when it has one; the letter as it is afterwards, or nullopt
  // when the status (or version) was another.
  std::optional<Letter> Decide(int64_t id, const LetterDecision& decision,
                               const std::vector<std::string>& from, std::optional<int64_t> expected_version);

 private:
  db::Database& database_;
  Clock clock_;
  bus::Outbox outbox_;
};

}  // namespace tabel::agent
