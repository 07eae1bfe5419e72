#pragma once
// The resignation-letter agent's pipeline: a scanned file in, a decision out.
//
//   bytes ─ DetectFileKind ─ Ocr::Read ─ Extractor::Extract ─ Ground ─ Validate ─ Decision
//
// - Ocr renders PDF pages (poppler-cpp), preprocesses every page (leptonica:
//   deskew, binarisation, scaling to about 300 dpi), recognises it with
//   tesseract `rus+eng` and keeps each word's confidence; it also looks for
//   ink near the signature line of the image.
// - An Extractor sees only the OCR text and returns the values as they are
//   written there: the rule-based one (the default, offline) or one asking an
//   OpenAI-compatible endpoint.
// - Ground keeps a value only where it is found in the OCR text (fuzzily,
//   tolerant of OCR errors); anything else counts as missing and is never used.
// - Validate checks the Labour Code rules against the employee's record and
//   the receipt date; dates are computed here, never taken from an extractor.
//
// Nothing here touches the database or the bus: the agent service stores the
// file and the decision, and runs Analyse on a queue consumer's thread (it is
// CPU-bound for seconds; never on an io thread).
// Thread-safety: Ocr and Extractor instances are used by one thread at a time
// (the service keeps one per consumer thread); the free functions are pure.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.hpp"

namespace tabel::agent {

// A file is recognised by its magic bytes, never by its name.
enum class FileKind { kPdf, kPng, kJpeg, kTiff };
std::optional<FileKind> DetectFileKind(std::string_view bytes);
// "application/pdf", "image/png", "image/jpeg", "image/tiff".
std::string_view MediaType(FileKind kind);

inline constexpr size_t kMaxFileBytes = size_t{20} << 20;
inline constexpr int kMaxPages = 5;

// The pages of a file (an image: 1), without decoding them: what an upload
// is refused for beyond kMaxPages. Throws Error::Validation naming "file"
// for a PDF or TIFF that cannot be opened.
int CountPages(std::string_view bytes, FileKind kind);

struct OcrWord {
  std::string text;
  float confidence = 0;  // 0..100, as tesseract gives it
  int page = 0;          // from 0
  // The word's box on the preprocessed page image, in pixels.
  int left = 0, top = 0, width = 0, height = 0;
};

struct OcrText {
  std::string text;  // all pages, in reading order, pages separated by "\f"
  std::vector<OcrWord> words;
  int pages = 0;
  double mean_confidence = 0;  // over the words
  // Ink (a handwritten mark) found next to or above the signature line
  // ("подпись", "/ Фамилия И.О. /", a line of underscores at the end).
  bool signature_seen = false;
};

class Ocr {
 public:
  virtual ~Ocr() = default;
  // Throws Error::Validation naming the field "file" for a file that
  // cannot be decoded, has more than kMaxPages pages or too many pixels.
  virtual OcrText Read(std::string_view bytes, FileKind kind) = 0;
};

struct OcrOptions {
  std::string languages = "rus+eng";
  std::string tessdata_dir;  // empty: tesseract's default
};
std::unique_ptr<Ocr> MakeTesseractOcr(const OcrOptions& options);

// The values as written in the letter; nullopt where the extractor found none.
struct ExtractedFields {
  std::optional<std::string> addressee;  // «Генеральному директору ООО «…» Иванову И. И.»
  std::optional<std::string> employee_name;  // «Петрова Петра Петровича» (as written, any case)
  std::optional<std::string> position;
  std::optional<std::string> department;
  std::optional<std::string> wording;  // «Прошу уволить меня по собственному желанию»
  std::optional<std::string> dismissal_date;  // «16 декабря 2026 г.», «16.12.2026»
  std::optional<std::string> written_date;
  std::optional<std::string> reason;  // a reason that allows an earlier date, as written
};

class Extractor {
 public:
  virtual ~Extractor() = default;
  virtual std::string_view name() const = 0;  // "rules", "llm"
  // Throws Error(ErrorKind::kUnavailable) when an external endpoint fails
  // after its retries (the consumer retries the task later).
  virtual ExtractedFields Extract(const std::string& ocr_text) = 0;
};

std::unique_ptr<Extractor> MakeRuleExtractor();

struct LlmOptions {
  std::string url;  // TABEL_LLM_URL: base of an OpenAI-compatible API (…/v1)
  std::string model;
  std::string api_key;
  int timeout_ms = 30000;
  int attempts = 3;      // per sample; 429, 5xx, timeouts and unreadable answers are retried
  int backoff_ms = 500;  // before the 2nd attempt, doubling (with jitter) up to 8 s
  int samples = 1;       // > 1: self-consistency, a vote per field (a majority of samples keeps a value)
};
std::unique_ptr<Extractor> MakeLlmExtractor(const LlmOptions& options);

// A value kept by grounding: the extracted value, the passage of the OCR
// text it was found in, and how well it matched (0..1).
struct Grounded {
  std::string value;
  std::string evidence;
  double score = 0;
};

struct GroundedFields {
  std::optional<Grounded> addressee, employee_name, position, department, wording, dismissal_date,
      written_date, reason;
  // Names of the fields whose extracted value was not found in the text.
  std::vector<std::string> dropped;
};

GroundedFields Ground(const ExtractedFields& extracted, const std::string& ocr_text);

// What the letter is checked against: the employee it is from (the uploader,
// or the one hr named) and the day it was received.
struct EmployeeRecord {
  std::string last_name, first_name, middle_name, position;
  std::optional<Date> probation_ends;  // inclusive; nullopt: not on probation
};

// A stable code ("missing_dismissal_date", "dismissal_date_too_early", …)
// and a Russian message saying what is wrong and how to fix it.
struct Problem {
  std::string code;
  std::string message;
};

// The fields of the API (PRODUCT.md): nullopt where not found.
struct LetterFields {
  std::optional<std::string> addressee, employee_name, position, department, wording;
  std::optional<Date> dismissal_date, written_date;
  bool signed_ = false;
};

struct Decision {
  LetterFields fields;
  std::vector<Problem> problems;     // empty: the letter is accepted
  std::vector<std::string> reasons;  // how each check came out, in Russian, for hr
};

// The rules Validate applies, for the tests and for an explanation to hr.
// Whether a name as written («от Петрова Петра Петровича», «Петрова П. П.»;
// any case of the noun) is the employee's.
bool NameMatches(std::string_view written, const EmployeeRecord& employee);
// Whether the request is a resignation of one's own will.
bool IsResignationWording(std::string_view wording);
// Labour Code art. 80: the reasons that let the employee leave on the date he
// asks, without two weeks' notice.
enum class EarlyReason { kRetirement, kStudies };
std::optional<EarlyReason> ReasonAllowingEarlierDate(std::string_view reason);

Decision Validate(const GroundedFields& grounded, bool signature_seen, const EmployeeRecord& employee,
                  Date received_on);

struct Analysis {
  OcrText ocr;
  std::string extractor;  // Extractor::name()
  ExtractedFields extracted;
  GroundedFields grounded;
  Decision decision;
};

Analysis Analyse(Ocr& ocr, Extractor& extractor, std::string_view bytes, FileKind kind,
                 const EmployeeRecord& employee, Date received_on);

}  // namespace tabel::agent
