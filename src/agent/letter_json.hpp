#pragma once
// The JSON of resignation letters: what the API shows, and the decision
// columns the service stores (fields, problems, analysis), in one place.
// Thread-safety: pure functions.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/model.hpp"
#include "agent/pipeline.hpp"

namespace tabel::agent {

// The fields of PRODUCT.md: addressee, employee_name, position, department,
// wording, dismissal_date, written_date, signed; null where not found.
nlohmann::json FieldsJson(const LetterFields& fields);
// [{code, message}].
nlohmann::json ProblemsJson(const std::vector<Problem>& problems);
// How the decision was reached: the extractor, the OCR's pages and mean
// confidence, each kept value with the passage it was found in and its
// score, the values dropped as not found in the text, the reasons.
nlohmann::json AnalysisJson(const Analysis& analysis);

// A letter as the API shows it; `with_analysis` adds the analysis and the
// OCR text (for those who may process letters).
nlohmann::json LetterJson(const Letter& letter, bool with_analysis);

}  // namespace tabel::agent
