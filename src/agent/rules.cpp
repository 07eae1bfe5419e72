// The rule-based extractor: the layout every Russian resignation letter
// follows (addressee top right, «от …» with position and name, the title,
// «Прошу уволить меня … по собственному желанию …», the date and signature at
// the bottom), read off folded OCR text so that look-alike letters, case and
// broken lines do not matter. Values are cut out of the OCR text as written.

#include <algorithm>
#include <array>

#include "agent/pipeline.hpp"
#include "agent/text.hpp"

namespace tabel::agent {
namespace {

// The first word of an addressee line, in the dative.
constexpr std::array<std::u32string_view, 9> kAddresseeTitles{
    U"генеральному", U"директору",  U"председателю", U"управляющему",    U"президенту",
    U"руководителю", U"начальнику", U"заместителю",  U"исполнительному",
};
// A department's first word, in the genitive.
constexpr std::array<std::u32string_view, 7> kDepartmentWords{
    U"отдела", U"управления", U"департамента", U"службы", U"дирекции", U"филиала", U"отделения",
};

struct Range {
  size_t first = 0, last = 0;
};

class RuleExtractor final : public Extractor {
 public:
  std::string_view name() const override { return "rules"; }

  ExtractedFields Extract(const std::string& ocr_text) override {
    const FoldedText folded = Fold(ocr_text);
    const std::u32string_view text = folded.chars;
    const std::vector<Range> lines = Lines(text);
    auto slice = [&](size_t first, size_t last) -> std::optional<std::string> {
      std::string value = OriginalSlice(folded, ocr_text, first, last);
      if (value.empty()) return std::nullopt;
      return value;
    };
    ExtractedFields fields;

    // The request; the dismissal date is written inside it.
    const auto request = FindApprox(text, U"прошу уволить", 2);
    std::optional<Match> own_wish;
    if (request)
      own_wish = FindApprox(text, U"по собственному желанию", 3, request->last, request->last + 160);
    if (request && own_wish) fields.wording = slice(request->first, own_wish->last);
    const size_t body = request ? request->first : text.size();

    // «от …»: the first line of it before the request starts with "от".
    // (OCR may give the blocks of a page in another order: then after it.)
    size_t from_line = lines.size();
    for (size_t l = 0; l < lines.size() && from_line == lines.size(); ++l) {
      if (lines[l].first < body && FirstWord(text, lines[l]) == U"от") from_line = l;
    }
    for (size_t l = 0; l < lines.size() && from_line == lines.size(); ++l) {
      if (FirstWord(text, lines[l]) == U"от") from_line = l;
    }
    // The addressee: from a line starting with a title in the dative to the
    // «от» line (at most four lines).
    for (size_t l = 0; l < std::min(from_line, lines.size()) && lines[l].first < body; ++l) {
      if (!StartsWithOneOf(FirstWord(text, lines[l]), kAddresseeTitles)) continue;
      const size_t end = std::min({from_line, l + 4, lines.size()});
      fields.addressee = slice(lines[l].first, lines[end - 1].last);
      break;
    }
    if (from_line < lines.size()) {
      ReadFrom(folded, ocr_text, lines, from_line, lines[from_line].first < body ? body : text.size(),
               fields);
    }

    // Dates: the dismissal date in the request's sentence, the date of
    // writing the last other one. A single date after the request with none
    // before it is the date of writing at the bottom: a request without its
    // date must not borrow it.
    const std::vector<FoundDate> dates = FindDates(folded);
    std::vector<size_t> before, after;
    for (size_t d = 0; d < dates.size(); ++d)
      (request && dates[d].first >= request->last ? after : before).push_back(d);
    std::optional<size_t> dismissal;
    if (request && !after.empty() && (after.size() >= 2 || !before.empty())) {
      const FoundDate& first = dates[after.front()];
      if (first.first <= request->last + 200 && !SentenceEnds(text, request->last, first.first)) {
        dismissal = after.front();
      }
    }
    if (dismissal) fields.dismissal_date = slice(dates[*dismissal].first, dates[*dismissal].last);
    // The date of writing stands on a line of its own (beside the
    // signature), never inside a sentence («отпуск с 5 декабря 2026 г.»).
    for (size_t d = dates.size(); d-- > 0;) {
      if (d == dismissal || (dates[d].first > 0 && text[dates[d].first - 1] != U'\n')) continue;
      fields.written_date = slice(dates[d].first, dates[d].last);
      break;
    }

    // A reason: «в связи с …» in the request, to the end of its sentence.
    if (request) {
      if (auto reason = FindApprox(text, U"в связи с", 1, request->last, request->last + 260)) {
        size_t end = reason->last;
        while (end < text.size() &&
               !(text[end] == U'.' && (end + 1 == text.size() || text[end + 1] == U'\n'))) {
          if (end - reason->last > 160) break;
          ++end;
        }
        fields.reason = slice(reason->first, end);
      }
    }
    return fields;
  }

 private:
  static std::vector<Range> Lines(std::u32string_view text) {
    std::vector<Range> lines;
    size_t first = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i == text.size() || text[i] == U'\n') {
        if (i > first) lines.push_back({first, i});
        first = i + 1;
      }
    }
    return lines;
  }

  static std::vector<Range> Words(std::u32string_view text, Range line) {
    std::vector<Range> words;
    size_t first = line.first;
    for (size_t i = line.first; i <= line.last; ++i) {
      if (i == line.last || text[i] == U' ') {
        if (i > first) words.push_back({first, i});
        first = i + 1;
      }
    }
    return words;
  }

  static std::u32string_view FirstWord(std::u32string_view text, Range line) {
    size_t end = line.first;
    while (end < line.last && text[end] != U' ') ++end;
    std::u32string_view word = text.substr(line.first, end - line.first);
    while (!word.empty() && (word.back() == U'.' || word.back() == U',' || word.back() == U':')) {
      word.remove_suffix(1);
    }
    return word;
  }

  template <size_t N>
  static bool StartsWithOneOf(std::u32string_view word, const std::array<std::u32string_view, N>& titles) {
    for (const auto title : titles) {
      if (word.size() + 2 >= title.size() &&
          EditDistance(word.substr(0, title.size()), title) <= AllowedEdits(title.size())) {
        return true;
      }
    }
    return false;
  }

  static bool IsGenitiveAdjective(std::u32string_view text, Range word) {
    const std::u32string_view w = text.substr(word.first, word.last - word.first);
    return w.size() > 4 && (w.ends_with(U"ого") || w.ends_with(U"его"));
  }

  // Whether a sentence ends (a full stop at the end of a line) in [from, to).
  static bool SentenceEnds(std::u32string_view text, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      if (text[i] == U'.' && i + 1 < text.size() && text[i + 1] == U'\n') return true;
    }
    return false;
  }

  // The «от» block: position (and department) then the name; on several
  // lines the name is the last line and a department starts a line.
  static void ReadFrom(const FoldedText& folded, const std::string& original, const std::vector<Range>& lines,
                       size_t from_line, size_t body, ExtractedFields& fields) {
    const std::u32string_view text = folded.chars;
    size_t end_line = from_line + 1;
    while (end_line < lines.size() && end_line < from_line + 5 && lines[end_line].last <= body &&
           FindApprox(text, U"заявление", 2, lines[end_line].first, lines[end_line].last) == std::nullopt) {
      ++end_line;
    }
    std::vector<Range> words;
    std::vector<size_t> line_of;
    for (size_t l = from_line; l < end_line; ++l) {
      for (const Range word : Words(text, lines[l])) words.push_back(word), line_of.push_back(l);
    }
    if (words.size() < 2) return;
    // The name: the last line when the block has several and it holds two to
    // four words; else the last three words (or a surname and initials).
    size_t name_start = words.size();
    if (end_line - from_line >= 2) {
      size_t count = 0;
      for (size_t w = words.size(); w-- > 1 && line_of[w] == end_line - 1;) ++count;
      if (count >= 2 && count <= 4) name_start = words.size() - count;
    }
    if (name_start == words.size()) name_start = words.size() >= 4 ? words.size() - 3 : 1;
    auto slice = [&](size_t first_word, size_t last_word) -> std::optional<std::string> {
      if (first_word >= last_word) return std::nullopt;
      std::string value = OriginalSlice(folded, original, words[first_word].first, words[last_word - 1].last);
      if (value.empty()) return std::nullopt;
      return value;
    };
    fields.employee_name = slice(name_start, words.size());
    // Position: after «от» up to the department (a line of its own, or a
    // department word) or the name.
    size_t department_start = name_start;
    for (size_t w = 2; w < name_start; ++w) {
      const std::u32string_view word = text.substr(words[w].first, words[w].last - words[w].first);
      if (line_of[w] != line_of[w - 1]) {
        department_start = w;
        break;
      }
      if (StartsWithOneOf(word, kDepartmentWords)) {
        // with its adjectives: «операционного отдела»
        department_start = w;
        while (department_start > 2 && IsGenitiveAdjective(text, words[department_start - 1]))
          --department_start;
        break;
      }
    }
    fields.position = slice(1, department_start);
    fields.department = slice(department_start, name_start);
  }
};

}  // namespace

std::unique_ptr<Extractor> MakeRuleExtractor() { return std::make_unique<RuleExtractor>(); }

}  // namespace tabel::agent
