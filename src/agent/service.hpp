#pragma once
// The agent service: resignation letters in, decisions out.
//
// Upload (Receive): the employee for himself, or whoever may process
// letters (resignations.process) for an employee he reaches. A file that
// is not a PDF, PNG, JPEG or TIFF by its magic bytes, is over
// kMaxFileBytes, or has more than kMaxPages pages (counted, not rendered)
// is refused then and there. The file is stored as it came with its hash,
// the letter is `processing`, and the outbox message kLetterReceivedTopic
// in the same transaction has it read by the consumer of kLettersQueue
// (OnReceived) — never on an io thread.
//
// Reading (OnReceived): the pipeline (pipeline.hpp) on a consumer's
// thread, with an Ocr and an Extractor kept per thread. Its outcome:
//  * problems → needs_corrections, and the author is told what to correct
//    (kLetterNeedsCorrectionsTopic, mailed by the notification service);
//  * none → a dismissal request for hr, pending at hr's step, created by
//    the agent for the uploader's account (so it is never approved by the
//    agent) with the letter's idempotency key, so that a redelivered
//    message finds the request made before instead of making another;
//    marked «original signature required» (a scan is not a signed
//    document); the letter is accepted;
//  * a file that cannot be read (not decodable, more than kMaxPages pages)
//    → needs_corrections: the author uploads it again;
//  * a request management refuses (another dismissal pending, a date
//    outside the employment) → failed, for hr to look at;
//  * anything else is retried by the queue; after kLetterAttempts, failed.
//
// Reading a letter: its author (the employee and the uploader) and whoever
// reaches the employee with resignations.read (hr, auditors); anyone else
// gets NotFound. How a decision was reached (the analysis and the OCR text)
// is shown only to those who may process letters.
// hr's override: accept (from needs_corrections or failed: the dismissal
// request is made as above) or reject with a reason (from needs_corrections,
// failed or accepted; a pending request made of it is rejected with the
// same reason; an approved one must be cancelled first: Conflict); the
// author is told of a rejection like of the agent's problems.
//
// Thread-safety: safe from any thread; blocks on the database (handlers run
// it on the blocking pool). Errors: tabel::Error.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/model.hpp"
#include "agent/pipeline.hpp"
#include "agent/repository.hpp"
#include "auth/access.hpp"
#include "common/actor.hpp"
#include "common/clock.hpp"
#include "infra/bus/message.hpp"
#include "management/service.hpp"
#include "users/service.hpp"

namespace tabel::agent {

using OcrFactory = std::function<std::unique_ptr<Ocr>()>;
using ExtractorFactory = std::function<std::unique_ptr<Extractor>()>;

struct Upload {
  std::string bytes;
  std::optional<std::string> file_name;
  std::optional<int64_t> employee_id;  // nullopt: the uploader's own letter
};

// A letter of a list, with MayProcess's answer for the caller.
struct ListedLetter {
  Letter letter;
  bool may_process = false;
};

class AgentService {
 public:
  AgentService(LetterRepository& repository, users::UsersService& users, auth::AccessResolver& access,
               management::ManagementService& management, OcrFactory make_ocr,
               ExtractorFactory make_extractor, Clock clock);
  ~AgentService();

  // The letter, and whether it is one sent before with the same key.
  std::pair<Letter, bool> Receive(const Actor& actor, Upload upload, const std::optional<std::string>& key);
  Letter Get(const Actor& actor, int64_t id);
  // The caller's reach to process letters is read once for the page.
  http::Page<ListedLetter> List(const Actor& actor, const LetterQuery& query);
  LetterFile File(const Actor& actor, int64_t id);
  Letter Accept(const Actor& actor, int64_t id, std::optional<int64_t> expected_version,
                const std::optional<std::string>& comment);
  Letter Reject(const Actor& actor, int64_t id, std::optional<int64_t> expected_version,
                const std::string& reason);
  // Whether the caller sees how the letter's decision was reached.
  bool MayProcess(const Actor& actor, const Letter& letter);

  // The consumer of kLettersQueue.
  void OnReceived(const bus::Delivery& delivery);

 private:
  struct Readers;
  Letter Visible(const Actor& actor, int64_t id);
  Letter Processable(const Actor& actor, int64_t id);
  void Read(int64_t id, bool last_attempt);
  // The dismissal request of an accepted letter, made by the agent for
  // `account_id`; its id.
  int64_t MakeRequest(const Letter& letter, Date last_day, int64_t account_id);
  LetterDecision Decided(const Letter& letter, const Analysis& analysis);
  Letter Decide(const Letter& letter, const LetterDecision& decision, const std::vector<std::string>& from,
                std::optional<int64_t> expected_version);

  LetterRepository& repository_;
  users::UsersService& users_;
  auth::AccessResolver& access_;
  management::ManagementService& management_;
  std::unique_ptr<Readers> readers_;
  Clock clock_;
};

}  // namespace tabel::agent
