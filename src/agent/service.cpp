#include "agent/service.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "agent/letter_json.hpp"
#include "auth/crypto.hpp"
#include "auth/permissions.hpp"
#include "common/error.hpp"
#include "management/model.hpp"

namespace tabel::agent {
namespace {

constexpr size_t kMaxReason = 1000;

// The agent acting for `account_id` (the uploader, or hr overriding): it
// may create a request for anyone and read it back, and nothing else — in
// particular it never decides a step, so its request waits for hr. It has
// no employee record, so nothing it makes counts as the employee's own.
Actor AgentActor(int64_t account_id, int64_t letter_id) {
  Identity identity;
  identity.account_id = account_id;
  identity.login = "resignation-agent";
  identity.roles = {"resignation_agent"};
  identity.permissions = {{std::string(auth::kRequestsCreate), Scope::kAll},
                          {std::string(auth::kRequestsRead), Scope::kAll}};
  return {std::move(identity), "agent", "resignation-letter-" + std::to_string(letter_id)};
}

// The author's message: the problems to correct, one line each.
std::string NeedsCorrectionsEvent(const Letter& letter, const nlohmann::json& problems) {
  std::vector<std::string> messages;
  for (const nlohmann::json& problem : problems) messages.push_back(problem.value("message", ""));
  return nlohmann::json{{"letter_id", letter.id},
                        {"author_employee_id", letter.employee_id},
                        {"received_on", FormatIsoDate(letter.received_on)},
                        {"problems", messages}}
      .dump();
}

nlohmann::json OneProblem(const std::string& code, const std::string& message) {
  return nlohmann::json::array({{{"code", code}, {"message", message}}});
}

// Whether `reach` (resignations.process) reaches the letter's employee.
bool Processes(const auth::Reach& reach, const Letter& letter) {
  return auth::Reaches(reach, letter.employee_id, letter.department_id);
}

}  // namespace

// Ocr and Extractor instances, made on first use and kept: each is used by
// one consumer thread at a time (tesseract's models load once per instance).
struct AgentService::Readers {
  struct Pair {
    std::unique_ptr<Ocr> ocr;
    std::unique_ptr<Extractor> extractor;
  };

  OcrFactory make_ocr;
  ExtractorFactory make_extractor;
  std::mutex mutex;
  std::vector<Pair> idle;

  Pair Acquire() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        Pair pair = std::move(idle.back());
        idle.pop_back();
        return pair;
      }
    }
    return {make_ocr(), make_extractor()};
  }

  void Release(Pair pair) {
    std::lock_guard lock(mutex);
    idle.push_back(std::move(pair));
  }
};

AgentService::AgentService(LetterRepository& repository, users::UsersService& users,
                           auth::AccessResolver& access, management::ManagementService& management,
                           OcrFactory make_ocr, ExtractorFactory make_extractor, Clock clock)
    : repository_(repository),
      users_(users),
      access_(access),
      management_(management),
      readers_(std::make_unique<Readers>()),
      clock_(std::move(clock)) {
  readers_->make_ocr = std::move(make_ocr);
  readers_->make_extractor = std::move(make_extractor);
}

AgentService::~AgentService() = default;

std::pair<Letter, bool> AgentService::Receive(const Actor& actor, Upload upload,
                                              const std::optional<std::string>& key) {
  const Identity& me = actor.identity;
  if (!upload.employee_id && !me.employee_id) {
    throw Error::Validation({{"employee_id", "is required for an account without an employee record"}});
  }
  const int64_t employee_id = upload.employee_id.value_or(me.employee_id.value_or(0));
  std::optional<users::Employee> employee = users_.Lookup(employee_id);
  if (me.employee_id != employee_id) {
    // Someone else's letter: whoever processes letters for that employee.
    if (!employee ||
        !auth::Reaches(access_.ReachOf(me, auth::kResignationsRead), employee->id, employee->department_id)) {
      throw Error::NotFound("There is no employee " + std::to_string(employee_id) + ".");
    }
    if (!auth::Reaches(access_.ReachOf(me, auth::kResignationsProcess), employee->id,
                       employee->department_id)) {
      throw Error::Forbidden("You may not send a resignation letter for someone else.");
    }
  }
  if (!employee) throw Error::NotFound("There is no employee " + std::to_string(employee_id) + ".");
  const Date today = LocalDate(clock_());
  if (employee->dismissal_date && *employee->dismissal_date < today) {
    throw Error::Unprocessable(
        "already-dismissed",
        "The employee was dismissed on " + FormatIsoDate(*employee->dismissal_date) + ".",
        {{"employee_id", "is dismissed already"}});
  }
  if (upload.bytes.empty()) throw Error::Validation({{"file", "is empty"}});
  if (upload.bytes.size() > kMaxFileBytes) {
    throw Error(ErrorKind::kPayloadTooLarge, "payload-too-large", "A letter's file may be at most 20 MiB.",
                {{"file", "is larger than 20 MiB"}});
  }
  const std::optional<FileKind> kind = DetectFileKind(upload.bytes);
  if (!kind) throw Error::Validation({{"file", "must be a PDF, PNG, JPEG or TIFF file"}});
  if (const int pages = CountPages(upload.bytes, *kind); pages > kMaxPages) {
    throw Error::Validation({{"file", "has " + std::to_string(pages) + " pages; a letter may have " +
                                          std::to_string(kMaxPages) + " at most"}});
  }
  NewLetter letter{.employee_id = employee_id,
                   .uploaded_by = me.account_id,
                   .received_on = today,
                   .file_name = std::move(upload.file_name),
                   .media_type = std::string(MediaType(*kind)),
                   .bytes = std::move(upload.bytes)};
  letter.sha256 = auth::Sha256Hex(letter.bytes);
  return repository_.Insert(letter, key);
}

Letter AgentService::Visible(const Actor& actor, int64_t id) {
  std::optional<Letter> letter = repository_.Find(id);
  const Identity& me = actor.identity;
  if (!letter || (letter->uploaded_by != me.account_id && me.employee_id != letter->employee_id &&
                  !auth::Reaches(access_.ReachOf(me, auth::kResignationsRead), letter->employee_id,
                                 letter->department_id))) {
    throw Error::NotFound("There is no resignation letter " + std::to_string(id) + ".");
  }
  return std::move(*letter);
}

bool AgentService::MayProcess(const Actor& actor, const Letter& letter) {
  return Processes(access_.ReachOf(actor.identity, auth::kResignationsProcess), letter);
}

Letter AgentService::Processable(const Actor& actor, int64_t id) {
  Letter letter = Visible(actor, id);
  if (!MayProcess(actor, letter)) throw Error::Forbidden("You may not decide on resignation letters.");
  return letter;
}

Letter AgentService::Get(const Actor& actor, int64_t id) { return Visible(actor, id); }

http::Page<ListedLetter> AgentService::List(const Actor& actor, const LetterQuery& query) {
  // Both reaches from one look at the caller's access context.
  const std::shared_ptr<const auth::AccessContext> context = access_.ContextOf(actor.identity);
  auth::Reach reach = auth::ReachOf(actor.identity, auth::kResignationsRead, *context);
  // Everyone sees his own letters, whatever his roles say.
  if (actor.identity.employee_id && !reach.self) {
    reach.self = actor.identity.employee_id;
    if (!reach.scope) reach.scope = Scope::kSelf;
  }
  http::Page<Letter> letters = repository_.List(reach, actor.identity.account_id, query);
  const auth::Reach process = auth::ReachOf(actor.identity, auth::kResignationsProcess, *context);
  http::Page<ListedLetter> page{.items = {}, .next_after = letters.next_after};
  page.items.reserve(letters.items.size());
  for (Letter& letter : letters.items) {
    const bool may_process = Processes(process, letter);
    page.items.push_back({std::move(letter), may_process});
  }
  return page;
}

LetterFile AgentService::File(const Actor& actor, int64_t id) {
  Visible(actor, id);
  std::optional<LetterFile> file = repository_.File(id);
  if (!file) throw Error::NotFound("There is no resignation letter " + std::to_string(id) + ".");
  return std::move(*file);
}

Letter AgentService::Decide(const Letter& letter, const LetterDecision& decision,
                            const std::vector<std::string>& from, std::optional<int64_t> expected_version) {
  std::optional<Letter> decided = repository_.Decide(letter.id, decision, from, expected_version);
  if (decided) return std::move(*decided);
  std::optional<Letter> now = repository_.Find(letter.id);
  if (now && expected_version && now->version != *expected_version) {
    throw Error::Conflict("The letter was changed meanwhile (version " + std::to_string(now->version) + ").");
  }
  throw Error::Conflict("The letter is " + (now ? now->status : std::string("gone")) + " now.");
}

int64_t AgentService::MakeRequest(const Letter& letter, Date last_day, int64_t account_id) {
  const std::string key = "resignation-letter-" + std::to_string(letter.id);
  management::RequestFields fields;
  fields.type = std::string(management::kDismissal);
  fields.employee_id = letter.employee_id;
  fields.start_date = last_day;
  fields.comment = std::optional<std::string>(
      "По заявлению об увольнении № " + std::to_string(letter.id) + " от " +
      FormatIsoDate(letter.received_on) +
      (letter.original_signature_required ? ". Требуется оригинал заявления с подписью." : "."));
  return management_.Create(AgentActor(account_id, letter.id), fields, key, key).request.id;
}

LetterDecision AgentService::Decided(const Letter& letter, const Analysis& analysis) {
  const Decision& decision = analysis.decision;
  LetterDecision out;
  out.fields = FieldsJson(decision.fields).dump();
  out.analysis = AnalysisJson(analysis).dump();
  out.ocr_text = analysis.ocr.text;
  const nlohmann::json problems = ProblemsJson(decision.problems);
  out.problems = problems.dump();
  if (!decision.problems.empty()) {
    out.status = std::string(kNeedsCorrections);
    out.needs_corrections_event = NeedsCorrectionsEvent(letter, problems);
    return out;
  }
  try {
    out.request_id = MakeRequest(letter, decision.fields.dismissal_date.value(), letter.uploaded_by);
    out.status = std::string(kAccepted);
  } catch (const Error& error) {
    if (!IsClientError(error.kind())) throw;
    out.status = std::string(kFailed);
    out.problems =
        OneProblem("request_refused", "Заявку на увольнение не удалось оформить: " + error.detail() +
                                          " Отдел кадров рассмотрит заявление.")
            .dump();
  }
  return out;
}

void AgentService::Read(int64_t id, bool last_attempt) {
  std::optional<std::pair<Letter, std::string>> started = repository_.Start(id);
  if (!started) return;  // decided already (a redelivery), or gone
  const Letter& letter = started->first;
  const std::vector<std::string> from = {std::string(kProcessing)};
  try {
    const std::optional<users::Employee> employee = users_.Lookup(letter.employee_id);
    if (!employee) throw Error::NotFound("The employee of the letter is gone.");
    const EmployeeRecord record{.last_name = employee->last_name,
                                .first_name = employee->first_name,
                                .middle_name = employee->middle_name.value_or(""),
                                .position = employee->position,
                                .probation_ends = employee->probation_end_date};
    const std::optional<FileKind> kind = DetectFileKind(started->second);
    if (!kind) throw Error::Validation({{"file", "must be a PDF, PNG, JPEG or TIFF file"}});
    // An instance that throws may hold a half-read page: it is not kept.
    Readers::Pair reader = readers_->Acquire();
    const Analysis analysis =
        Analyse(*reader.ocr, *reader.extractor, started->second, *kind, record, letter.received_on);
    readers_->Release(std::move(reader));
    repository_.Decide(id, Decided(letter, analysis), from, std::nullopt);
  } catch (const Error& error) {
    if (error.kind() == ErrorKind::kBadRequest || error.kind() == ErrorKind::kPayloadTooLarge) {
      // The file itself: its author sends a better one.
      const nlohmann::json problems = OneProblem(
          "unreadable_file", "Файл заявления не удалось прочитать (" + error.detail() +
                                 "). Отсканируйте заявление заново (PDF, PNG, JPEG или TIFF, не больше 5 "
                                 "страниц) и загрузите его ещё раз.");
      repository_.Decide(id,
                         {.status = std::string(kNeedsCorrections),
                          .problems = problems.dump(),
                          .needs_corrections_event = NeedsCorrectionsEvent(letter, problems)},
                         from, std::nullopt);
      return;
    }
    if (IsClientError(error.kind()) || last_attempt) {
      repository_.Decide(
          id,
          {.status = std::string(kFailed),
           .problems = OneProblem("processing_failed", "Заявление не удалось обработать: " + error.detail() +
                                                           " Отдел кадров рассмотрит его.")
                           .dump()},
          from, std::nullopt);
      if (IsClientError(error.kind())) return;
    }
    throw;
  } catch (const std::exception&) {
    if (last_attempt) {
      repository_.Decide(
          id,
          {.status = std::string(kFailed),
           .problems = OneProblem("processing_failed",
                                  "Заявление не удалось обработать. Отдел кадров рассмотрит его.")
                           .dump()},
          from, std::nullopt);
    }
    throw;
  }
}

void AgentService::OnReceived(const bus::Delivery& delivery) {
  const nlohmann::json message = nlohmann::json::parse(delivery.payload, nullptr, /*allow_exceptions=*/false);
  if (!message.is_object() || !message.contains("letter_id") || !message["letter_id"].is_number_integer()) {
    throw bus::PermanentFailure("A resignation_letter.received message is malformed: " +
                                delivery.payload.substr(0, 200));
  }
  Read(message["letter_id"].get<int64_t>(), delivery.attempt >= kLetterAttempts);
}

Letter AgentService::Accept(const Actor& actor, int64_t id, std::optional<int64_t> expected_version,
                            const std::optional<std::string>& comment) {
  Letter letter = Processable(actor, id);
  const std::vector<std::string> from = {std::string(kNeedsCorrections), std::string(kFailed)};
  if (std::find(from.begin(), from.end(), letter.status) == from.end()) {
    throw Error::Conflict("Only a letter that needs corrections or failed can be accepted; this one is " +
                          letter.status + ".");
  }
  if (expected_version && *expected_version != letter.version) {
    throw Error::Conflict("The letter was changed meanwhile (version " + std::to_string(letter.version) +
                          ").");
  }
  // hr accepts what the letter says; the date must still be read from it.
  const nlohmann::json fields =
      letter.fields ? nlohmann::json::parse(*letter.fields, nullptr, false) : nullptr;
  std::optional<Date> last_day;
  if (fields.is_object() && fields.contains("dismissal_date") && fields["dismissal_date"].is_string()) {
    last_day = ParseIsoDate(fields["dismissal_date"].get<std::string>());
  }
  if (!last_day) {
    throw Error::Unprocessable(
        "no-dismissal-date",
        "No dismissal date was read in the letter: the employee must send a corrected one.",
        {{"dismissal_date", "was not found in the letter"}});
  }
  const int64_t request_id = MakeRequest(letter, *last_day, actor.identity.account_id);
  return Decide(letter,
                {.status = std::string(kAccepted),
                 .request_id = request_id,
                 .decided_by = actor.identity.account_id,
                 .decision_comment = comment},
                from, expected_version);
}

Letter AgentService::Reject(const Actor& actor, int64_t id, std::optional<int64_t> expected_version,
                            const std::string& reason) {
  if (reason.empty() || reason.size() > kMaxReason) {
    throw Error::Validation({{"reason", "is required, at most 1000 characters"}});
  }
  Letter letter = Processable(actor, id);
  const std::vector<std::string> from = {std::string(kNeedsCorrections), std::string(kFailed),
                                         std::string(kAccepted)};
  if (std::find(from.begin(), from.end(), letter.status) == from.end()) {
    throw Error::Conflict("A letter still being read cannot be rejected.");
  }
  if (expected_version && *expected_version != letter.version) {
    throw Error::Conflict("The letter was changed meanwhile (version " + std::to_string(letter.version) +
                          ").");
  }
  if (letter.request_id) {
    const management::Request request = management_.Get(actor, *letter.request_id);
    if (request.status == management::kApproved) {
      throw Error::Conflict("The dismissal made of this letter is approved: cancel request " +
                            std::to_string(request.id) + " first.");
    }
    if (request.status == management::kPending) {
      management_.Reject(actor, request.id, {.comment = reason});
    }
  }
  nlohmann::json problems = nlohmann::json::parse(letter.problems, nullptr, false);
  if (!problems.is_array()) problems = nlohmann::json::array();
  problems.push_back({{"code", "rejected_by_hr"}, {"message", "Отдел кадров отклонил заявление: " + reason}});
  return Decide(letter,
                {.status = std::string(kNeedsCorrections),
                 .problems = problems.dump(),
                 .decided_by = actor.identity.account_id,
                 .decision_comment = reason,
                 .needs_corrections_event = NeedsCorrectionsEvent(letter, problems)},
                from, expected_version);
}

}  // namespace tabel::agent
