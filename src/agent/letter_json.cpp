#include "agent/letter_json.hpp"

#include "infra/db/timestamp.hpp"

namespace tabel::agent {
namespace {

template <class T>
nlohmann::json OrNull(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

nlohmann::json DateOrNull(const std::optional<Date>& date) {
  return date ? nlohmann::json(FormatIsoDate(*date)) : nlohmann::json();
}

// A stored JSON column; null when absent or unreadable.
nlohmann::json Stored(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  nlohmann::json parsed = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

}  // namespace

nlohmann::json FieldsJson(const LetterFields& fields) {
  return {{"addressee", OrNull(fields.addressee)},
          {"employee_name", OrNull(fields.employee_name)},
          {"position", OrNull(fields.position)},
          {"department", OrNull(fields.department)},
          {"wording", OrNull(fields.wording)},
          {"dismissal_date", DateOrNull(fields.dismissal_date)},
          {"written_date", DateOrNull(fields.written_date)},
          {"signed", fields.signed_}};
}

nlohmann::json ProblemsJson(const std::vector<Problem>& problems) {
  nlohmann::json array = nlohmann::json::array();
  for (const Problem& problem : problems)
    array.push_back({{"code", problem.code}, {"message", problem.message}});
  return array;
}

nlohmann::json AnalysisJson(const Analysis& analysis) {
  nlohmann::json evidence = nlohmann::json::object();
  const auto add = [&](const char* name, const std::optional<Grounded>& value) {
    if (value)
      evidence[name] = {{"value", value->value}, {"passage", value->evidence}, {"score", value->score}};
  };
  const GroundedFields& g = analysis.grounded;
  add("addressee", g.addressee);
  add("employee_name", g.employee_name);
  add("position", g.position);
  add("department", g.department);
  add("wording", g.wording);
  add("dismissal_date", g.dismissal_date);
  add("written_date", g.written_date);
  add("reason", g.reason);
  return {{"extractor", analysis.extractor},
          {"pages", analysis.ocr.pages},
          {"ocr_confidence", analysis.ocr.mean_confidence},
          {"signature_seen", analysis.ocr.signature_seen},
          {"evidence", std::move(evidence)},
          {"dropped", g.dropped},
          {"reasons", analysis.decision.reasons}};
}

nlohmann::json LetterJson(const Letter& letter, bool with_analysis) {
  nlohmann::json problems = Stored(letter.problems);
  nlohmann::json body = {
      {"id", letter.id},
      {"employee_id", letter.employee_id},
      {"status", letter.status},
      {"received_on", FormatIsoDate(letter.received_on)},
      {"file",
       {{"name", OrNull(letter.file_name)},
        {"media_type", letter.media_type},
        {"size_bytes", letter.size_bytes},
        {"sha256", letter.sha256}}},
      {"fields", Stored(letter.fields)},
      {"problems", problems.is_array() ? problems : nlohmann::json::array()},
      {"request_id", OrNull(letter.request_id)},
      {"original_signature_required", letter.original_signature_required},
      {"decided_by", letter.status == kProcessing ? nlohmann::json()
                     : letter.decided_by          ? nlohmann::json("hr")
                                                  : nlohmann::json("agent")},
      {"decided_at",
       letter.decided_at ? nlohmann::json(db::FormatTimestamp(*letter.decided_at)) : nlohmann::json()},
      {"decision_comment", OrNull(letter.decision_comment)},
      {"version", letter.version},
      {"created_at", db::FormatTimestamp(letter.created_at)},
      {"updated_at", db::FormatTimestamp(letter.updated_at)}};
  if (with_analysis) {
    body["analysis"] = Stored(letter.analysis);
    body["ocr_text"] = OrNull(letter.ocr_text);
  }
  return body;
}

}  // namespace tabel::agent
