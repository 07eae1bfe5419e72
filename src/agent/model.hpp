#pragma once
// The agent service's domain types: a resignation letter as it is stored
// and shown, with what the agent (or hr) decided about it.
// Thread-safety: plain values.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/date.hpp"
#include "http/query_fields.hpp"

namespace tabel::agent {

// The statuses of PRODUCT.md.
inline constexpr std::string_view kProcessing = "processing";
inline constexpr std::string_view kNeedsCorrections = "needs_corrections";
inline constexpr std::string_view kAccepted = "accepted";
inline constexpr std::string_view kFailed = "failed";

// The outbox topics: a letter to read (the agent's queue), and one whose
// author must correct it (the notification service mails him).
inline constexpr const char* kLetterReceivedTopic = "resignation_letter.received";
inline constexpr const char* kLetterNeedsCorrectionsTopic = "resignation_letter.needs_corrections";
inline constexpr const char* kLettersQueue = "agent.letters";
// Reading a letter takes seconds; a letter that fails this often is failed.
inline constexpr int kLetterAttempts = 3;
inline constexpr std::chrono::seconds kLetterLease{300};

struct Letter {
  int64_t id = 0;
  int64_t employee_id = 0;
  int64_t department_id = 0;  // the employee's, for the reach of readers
  int64_t uploaded_by = 0;    // an account
  Date received_on{};
  std::optional<std::string> file_name;
  std::string media_type;
  int64_t size_bytes = 0;
  std::string sha256;
  std::string status;
  int attempts = 0;
  std::optional<std::string> fields;    // JSON object: the API's fields
  std::string problems = "[]";          // JSON array of {code, message}
  std::optional<std::string> analysis;  // JSON object: how the decision was reached
  std::optional<std::string> ocr_text;  // what OCR read, for hr
  std::optional<int64_t> request_id;
  bool original_signature_required = true;
  std::optional<int64_t> decided_by;  // hr's account; nullopt: the agent (or undecided)
  std::optional<std::chrono::system_clock::time_point> decided_at;
  std::optional<std::string> decision_comment;
  int64_t version = 1;
  std::chrono::system_clock::time_point created_at, updated_at;
};

// A letter as uploaded, before it is read.
struct NewLetter {
  int64_t employee_id = 0;
  int64_t uploaded_by = 0;
  Date received_on{};
  std::optional<std::string> file_name;
  std::string media_type;
  std::string bytes;
  std::string sha256;
};

// What the agent or hr decided; written over a letter's decision columns.
struct LetterDecision {
  std::string status;
  std::optional<std::string> fields, analysis, ocr_text;
  std::string problems = "[]";
  std::optional<int64_t> request_id;
  std::optional<int64_t> decided_by;
  std::optional<std::string> decision_comment;
  // The message to the author (kLetterNeedsCorrectionsTopic payload), sent
  // in the same transaction; empty: none.
  std::string needs_corrections_event;
};

struct LetterQuery {
  http::PageRequest page;
  std::optional<int64_t> employee_id;
  std::optional<std::string> status;
};

struct LetterFile {
  std::optional<std::string> name;
  std::string media_type;
  std::string bytes;
};

}  // namespace tabel::agent
