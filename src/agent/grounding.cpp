// Grounding: an extracted value is kept only where the OCR text holds it.
// Text values are searched fuzzily (folded, with a few edits per word, digits
// exact); a date is kept where the text writes that same date in any form.

#include <cmath>

#include "agent/pipeline.hpp"
#include "agent/text.hpp"

namespace tabel::agent {
namespace {

// The line(s) of the folded text around [first, last): the passage shown as
// the value's evidence.
std::string Passage(const FoldedText& folded, const std::string& original, size_t first, size_t last) {
  while (first > 0 && folded.chars[first - 1] != U'\n') --first;
  while (last < folded.chars.size() && folded.chars[last] != U'\n') ++last;
  return OriginalSlice(folded, original, first, last);
}

std::vector<std::u32string_view> SplitWords(std::u32string_view text) {
  std::vector<std::u32string_view> words;
  size_t first = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == U' ' || text[i] == U'\n') {
      if (i > first) words.push_back(text.substr(first, i - first));
      first = i + 1;
    }
  }
  return words;
}

std::optional<Grounded> GroundText(const std::string& value, const FoldedText& text,
                                   const std::string& original) {
  const FoldedText pattern = Fold(value);
  if (pattern.chars.empty()) return std::nullopt;
  const auto words = SplitWords(pattern.chars);
  int allowed = 0;
  for (const auto word : words) allowed += AllowedEdits(word.size());
  const auto match = FindApprox(text.chars, pattern.chars, allowed);
  if (!match) return std::nullopt;
  // Every word must be there too: one word replaced whole is not an OCR error
  // even when the rest of a long value matches.
  const size_t from = match->first > 3 ? match->first - 3 : 0;
  for (const auto word : words) {
    if (!FindApprox(text.chars, word, AllowedEdits(word.size()), from, match->last + 3)) return std::nullopt;
  }
  const double score = 1.0 - double(match->distance) / double(pattern.chars.size());
  return Grounded{value, Passage(text, original, match->first, match->last), std::round(score * 100) / 100};
}

std::optional<Grounded> GroundDate(const std::string& value, const FoldedText& text,
                                   const std::string& original, const std::vector<FoundDate>& dates) {
  const auto date = ParseLetterDate(value);
  if (!date) return std::nullopt;
  for (const FoundDate& found : dates) {
    if (found.date != *date) continue;
    return Grounded{value, Passage(text, original, found.first, found.last), 1.0};
  }
  return std::nullopt;
}

}  // namespace

GroundedFields Ground(const ExtractedFields& extracted, const std::string& ocr_text) {
  const FoldedText text = Fold(ocr_text);
  const std::vector<FoundDate> dates = FindDates(text);
  GroundedFields out;
  auto text_field = [&](const char* name, const std::optional<std::string>& value,
                        std::optional<Grounded>& into) {
    if (!value || value->empty()) return;
    into = GroundText(*value, text, ocr_text);
    if (!into) out.dropped.emplace_back(name);
  };
  auto date_field = [&](const char* name, const std::optional<std::string>& value,
                        std::optional<Grounded>& into) {
    if (!value || value->empty()) return;
    into = GroundDate(*value, text, ocr_text, dates);
    if (!into) out.dropped.emplace_back(name);
  };
  text_field("addressee", extracted.addressee, out.addressee);
  text_field("employee_name", extracted.employee_name, out.employee_name);
  text_field("position", extracted.position, out.position);
  text_field("department", extracted.department, out.department);
  text_field("wording", extracted.wording, out.wording);
  date_field("dismissal_date", extracted.dismissal_date, out.dismissal_date);
  date_field("written_date", extracted.written_date, out.written_date);
  text_field("reason", extracted.reason, out.reason);
  return out;
}

}  // namespace tabel::agent
