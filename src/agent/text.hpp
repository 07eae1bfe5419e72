#pragma once
// Comparing values with OCR text. OCR confuses Latin and Cyrillic look-alike
// letters, case, ё and е, quotes and dashes, and breaks lines anywhere: text is
// "folded" to one form before it is searched, and every folded character keeps
// where it came from, so a match can be cut out of the original text.
// Thread-safety: pure functions.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.hpp"

namespace tabel::agent {

// Lower-case Cyrillic (Latin look-alikes become Cyrillic, ё becomes е),
// every quote '"', every dash '-', runs of blanks one ' ' or (when they hold a
// line break) one '\n'; a word hyphenated across a line break is joined.
struct FoldedText {
  std::u32string chars;
  // chars[i] came from the original bytes [begin[i], end[i]).
  std::vector<size_t> begin, end;
};
FoldedText Fold(std::string_view utf8);

std::string ToUtf8(std::u32string_view text);

// The original bytes of folded characters [first, last), line breaks as spaces.
std::string OriginalSlice(const FoldedText& folded, std::string_view original, size_t first, size_t last);

// Levenshtein distance (' ' and '\n' are equal; a digit differing costs
// kDigitMismatch: a changed number is never "an OCR error").
inline constexpr int kDigitMismatch = 100;
int EditDistance(std::u32string_view a, std::u32string_view b);

// The occurrence of `pattern` in `text` with the fewest edits (the first of
// equals), in folded positions [first, last); nullopt when more than
// `max_distance` edits are needed.
struct Match {
  size_t first = 0, last = 0;
  int distance = 0;
};
std::optional<Match> FindApprox(std::u32string_view text, std::u32string_view pattern, int max_distance,
                                size_t from = 0, size_t to = std::u32string_view::npos);

// Edits allowed between a word as written and as recognised: none for
// short words, one in four letters otherwise.
int AllowedEdits(size_t letters);

// Dates written in digits ("16.12.2026", "16/12/26") or words ("16 декабря
// 2026 г.", "«16» декабря 2026 года"; a month misread by a letter or two is
// still a month), in the order they appear; positions are folded.
struct FoundDate {
  Date date;
  size_t first = 0, last = 0;
};
std::vector<FoundDate> FindDates(const FoldedText& folded);

// The first date written in `text` (any form FindDates reads, or ISO
// "YYYY-MM-DD"); nullopt if none.
std::optional<Date> ParseLetterDate(std::string_view text);

// Russian display of a date: "16 декабря 2026 г.".
std::string FormatLetterDate(Date date);

}  // namespace tabel::agent
