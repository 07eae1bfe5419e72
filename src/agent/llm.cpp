// The LLM extractor: one OpenAI-compatible chat completion per sample, asked
// for the fields as a JSON object under a strict json_schema. The model sees
// only the OCR text; whatever it answers still goes through grounding.

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/pipeline.hpp"
#include "agent/text.hpp"
#include "common/error.hpp"
#include "infra/bus/backoff.hpp"
#include "infra/curl.hpp"

namespace tabel::agent {
namespace {

// An answer larger than this is not a letter's fields.
constexpr size_t kMaxResponseBytes = size_t{1} << 20;
constexpr std::chrono::milliseconds kMaxBackoff{8000};

constexpr std::array<const char*, 8> kFields{"addressee", "employee_name",  "position",     "department",
                                             "wording",   "dismissal_date", "written_date", "reason"};

constexpr const char* kInstructions =
    "Ты читаешь распознанный (OCR) текст заявления работника об увольнении. Верни поля JSON строго так, как "
    "они "
    "написаны в тексте, не исправляя и не дополняя их; если поля в тексте нет, верни null. Поля: addressee — "
    "кому адресовано заявление (строки «Генеральному директору …»); employee_name — ФИО заявителя из строки "
    "«от …»; position — его должность; department — подразделение; wording — просьба об увольнении («Прошу "
    "уволить меня по собственному желанию»); dismissal_date — дата увольнения из просьбы; written_date — "
    "дата "
    "написания заявления (обычно внизу у подписи); reason — причина увольнения («в связи с …»), если "
    "указана.";

std::optional<std::string>& FieldOf(ExtractedFields& fields, size_t index) {
  std::array<std::optional<std::string>*, kFields.size()> all{
      &fields.addressee, &fields.employee_name,  &fields.position,     &fields.department,
      &fields.wording,   &fields.dismissal_date, &fields.written_date, &fields.reason};
  return *all[index];
}

nlohmann::json ResponseFormat() {
  nlohmann::json properties = nlohmann::json::object();
  nlohmann::json required = nlohmann::json::array();
  for (const char* field : kFields) {
    properties[field] = {{"type", nlohmann::json::array({"string", "null"})}};
    required.push_back(field);
  }
  return {{"type", "json_schema"},
          {"json_schema",
           {{"name", "resignation_letter"},
            {"strict", true},
            {"schema",
             {{"type", "object"},
              {"properties", properties},
              {"required", required},
              {"additionalProperties", false}}}}}};
}

size_t Collect(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() + size * count > kMaxResponseBytes) return 0;  // aborts the transfer
  body->append(data, size * count);
  return size * count;
}

// One failed attempt: whether another may succeed, and what went wrong.
struct Failure {
  bool retryable;
  std::string detail;
};

class LlmExtractor final : public Extractor {
 public:
  explicit LlmExtractor(LlmOptions options)
      : options_(std::move(options)), random_(bus::DefaultUnitRandom()) {
    curl::Initialise();
    if (options_.url.empty()) throw std::invalid_argument("the LLM extractor needs a URL (TABEL_LLM_URL)");
    while (!options_.url.empty() && options_.url.back() == '/') options_.url.pop_back();
    options_.attempts = std::max(options_.attempts, 1);
    options_.samples = std::clamp(options_.samples, 1, 9);
  }

  std::string_view name() const override { return "llm"; }

  ExtractedFields Extract(const std::string& ocr_text) override {
    std::vector<ExtractedFields> answers;
    answers.reserve(size_t(options_.samples));
    for (int s = 0; s < options_.samples; ++s) answers.push_back(Ask(ocr_text));
    return answers.size() == 1 ? answers.front() : Vote(answers);
  }

 private:
  // A value counts when more than half of the samples give it (compared
  // folded); otherwise the field is missing.
  static ExtractedFields Vote(std::vector<ExtractedFields>& answers) {
    ExtractedFields out;
    for (size_t f = 0; f < kFields.size(); ++f) {
      std::map<std::u32string, std::pair<int, std::string>> votes;
      for (ExtractedFields& answer : answers) {
        const auto& value = FieldOf(answer, f);
        if (!value) continue;
        auto& [count, first] = votes[Fold(*value).chars];
        if (count++ == 0) first = *value;
      }
      for (const auto& [key, vote] : votes) {
        if (2 * vote.first > int(answers.size())) FieldOf(out, f) = vote.second;
      }
    }
    return out;
  }

  ExtractedFields Ask(const std::string& ocr_text) {
    nlohmann::json request = {
        {"model", options_.model},
        {"temperature", options_.samples > 1 ? 0.7 : 0.0},
        {"messages", nlohmann::json::array({{{"role", "system"}, {"content", kInstructions}},
                                            {{"role", "user"}, {"content", ocr_text}}})},
        {"response_format", ResponseFormat()},
    };
    const std::string body = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::string last;
    for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
      if (attempt > 1) {
        std::this_thread::sleep_for(bus::ComputeBackoff(
            attempt - 1, std::chrono::milliseconds(std::max(options_.backoff_ms, 1)),
            std::max(kMaxBackoff, std::chrono::milliseconds(options_.backoff_ms)), random_()));
      }
      std::string response;
      const std::optional<Failure> failure = Post(body, response);
      if (!failure) {
        if (auto fields = Parse(response)) return *fields;
        last = "the answer is not the fields' JSON object";
        continue;
      }
      last = failure->detail;
      if (!failure->retryable) break;
    }
    throw Error::Unavailable("The language model did not answer.", "LLM " + options_.url + ": " + last);
  }

  std::optional<Failure> Post(const std::string& body, std::string& response) {
    if (!curl_) curl_.reset(curl_easy_init());
    if (!curl_) throw Error::Internal("curl_easy_init failed");
    CURL* handle = curl_.get();
    curl_easy_reset(handle);  // the options go; the open connection stays
    const std::string url = options_.url + "/chat/completions";
    curl_slist* raw = curl_slist_append(nullptr, "Content-Type: application/json");
    if (!options_.api_key.empty())
      raw = curl_slist_append(raw, ("Authorization: Bearer " + options_.api_key).c_str());
    const curl::List headers(raw);
    std::array<char, CURL_ERROR_SIZE> error{};
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min(options_.timeout_ms, 5000)));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error.data());
    const CURLcode result = curl_easy_perform(handle);
    if (result != CURLE_OK) {
      curl_.reset();
      return Failure{result != CURLE_WRITE_ERROR, curl::Describe(result, error.data())};
    }
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200) return std::nullopt;
    return Failure{status == 429 || status >= 500,
                   "HTTP " + std::to_string(status) + ": " + response.substr(0, 200)};
  }

  // The fields of a chat completion whose message content is the JSON
  // object; nullopt for anything else. Values that are not strings are none.
  static std::optional<ExtractedFields> Parse(const std::string& response) {
    const auto reply = nlohmann::json::parse(response, nullptr, false);
    if (!reply.is_object() || !reply.contains("choices") || !reply["choices"].is_array() ||
        reply["choices"].empty()) {
      return std::nullopt;
    }
    const auto& message = reply["choices"][0].value("message", nlohmann::json::object());
    if (!message.is_object() || !message.contains("content") || !message["content"].is_string())
      return std::nullopt;
    const auto content = nlohmann::json::parse(message["content"].get<std::string>(), nullptr, false);
    if (!content.is_object()) return std::nullopt;
    ExtractedFields fields;
    for (size_t f = 0; f < kFields.size(); ++f) {
      const auto it = content.find(kFields[f]);
      if (it != content.end() && it->is_string() && !it->get<std::string>().empty()) {
        FieldOf(fields, f) = it->get<std::string>();
      }
    }
    return fields;
  }

  LlmOptions options_;
  bus::UnitRandom random_;
  curl::Easy curl_;
};

}  // namespace

std::unique_ptr<Extractor> MakeLlmExtractor(const LlmOptions& options) {
  return std::make_unique<LlmExtractor>(options);
}

}  // namespace tabel::agent
