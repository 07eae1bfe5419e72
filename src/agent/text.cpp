#include "agent/text.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace tabel::agent {
namespace {

// One code point of `text` at `i` and its length; a broken sequence is one
// U+FFFD per byte.
std::pair<char32_t, size_t> DecodeAt(std::string_view text, size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  size_t length = 1;
  char32_t code = lead;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, code = lead & 0x1FU;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, code = lead & 0x0FU;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, code = lead & 0x07U;
  } else if (lead >= 0x80) {
    return {U'\uFFFD', 1};
  }
  if (i + length > text.size()) return {U'\uFFFD', 1};
  for (size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0U) != 0x80U) return {U'\uFFFD', 1};
    code = (code << 6U) | (next & 0x3FU);
  }
  return {code, length};
}

bool IsBlank(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\r' || c == U'\n' || c == U'\f' || c == U'\v' || c == U'\u00A0';
}

bool IsBreak(char32_t c) { return c == U'\n' || c == U'\f'; }

bool IsDigit(char32_t c) { return c >= U'0' && c <= U'9'; }

bool IsLetter(char32_t c) { return (c >= U'а' && c <= U'я') || (c >= U'a' && c <= U'z'); }

// The folded form of one character (not a blank).
char32_t FoldChar(char32_t c) {
  // Latin letters that look like Cyrillic ones in print.
  static constexpr std::array<std::pair<char32_t, char32_t>, 22> kLookAlikes{{
      {U'A', U'а'}, {U'B', U'в'}, {U'C', U'с'}, {U'E', U'е'}, {U'H', U'н'}, {U'K', U'к'},
      {U'M', U'м'}, {U'O', U'о'}, {U'P', U'р'}, {U'T', U'т'}, {U'X', U'х'}, {U'Y', U'у'},
      {U'a', U'а'}, {U'c', U'с'}, {U'e', U'е'}, {U'k', U'к'}, {U'o', U'о'}, {U'p', U'р'},
      {U'x', U'х'}, {U'y', U'у'}, {U'n', U'п'}, {U'r', U'г'},
  }};
  for (const auto& [latin, cyrillic] : kLookAlikes) {
    if (c == latin) return cyrillic;
  }
  if (c >= U'А' && c <= U'Я') return c + (U'а' - U'А');
  if (c == U'Ё' || c == U'ё') return U'е';
  if (c >= U'A' && c <= U'Z') return c + (U'a' - U'A');
  switch (c) {
    case U'«':
    case U'»':
    case U'“':
    case U'”':
    case U'„':
    case U'‘':
    case U'’':
    case U'\'':
      return U'"';
    case U'‐':
    case U'‑':
    case U'–':
    case U'—':
      return U'-';
    default:
      return c;
  }
}

int SubstitutionCost(char32_t a, char32_t b) {
  if (a == b || ((a == U' ' || a == U'\n') && (b == U' ' || b == U'\n'))) return 0;
  return IsDigit(a) || IsDigit(b) ? kDigitMismatch : 1;
}

int GapCost(char32_t c) { return IsDigit(c) ? kDigitMismatch : 1; }

constexpr std::array<std::u32string_view, 12> kMonths{
    U"января", U"февраля", U"марта",    U"апреля",  U"мая",    U"июня",
    U"июля",   U"августа", U"сентября", U"октября", U"ноября", U"декабря",
};

struct Token {
  enum Kind { kNumber, kWord, kMark } kind;
  size_t first, last;
};

std::vector<Token> Tokenise(std::u32string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    const char32_t c = text[i];
    if (c == U' ' || c == U'\n') {
      ++i;
      continue;
    }
    size_t j = i + 1;
    Token::Kind kind = Token::kMark;
    if (IsDigit(c)) {
      kind = Token::kNumber;
      while (j < text.size() && IsDigit(text[j])) ++j;
    } else if (IsLetter(c)) {
      kind = Token::kWord;
      while (j < text.size() && IsLetter(text[j])) ++j;
    }
    tokens.push_back({kind, i, j});
    i = j;
  }
  return tokens;
}

int NumberOf(std::u32string_view text, const Token& token) {
  int value = 0;
  for (size_t i = token.first; i < token.last && i < token.first + 4; ++i)
    value = value * 10 + int(text[i] - U'0');
  return value;
}

std::optional<Date> MakeDate(int day, int month, int year) {
  if (year < 100) year += 2000;
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                                        std::chrono::day{unsigned(day)}};
  if (!ymd.ok() || ymd.year() < kMinYear || ymd.year() > kMaxYear) return std::nullopt;
  return Date{ymd};
}

// The month (1..12) a word names, tolerating OCR errors; 0 if none, or if
// two months are equally near («июня» and «июля» differ by one letter).
int MonthOf(std::u32string_view word) {
  int best = 0;
  int best_distance = std::numeric_limits<int>::max();
  bool tie = false;
  for (size_t m = 0; m < kMonths.size(); ++m) {
    const int distance = EditDistance(word, kMonths[m]);
    if (distance > (kMonths[m].size() >= 6 ? 2 : kMonths[m].size() >= 4 ? 1 : 0)) continue;
    if (distance < best_distance) {
      best = int(m) + 1, best_distance = distance, tie = false;
    } else if (distance == best_distance) {
      tie = true;
    }
  }
  return tie ? 0 : best;
}

}  // namespace

FoldedText Fold(std::string_view utf8) {
  FoldedText out;
  out.chars.reserve(utf8.size());
  out.begin.reserve(utf8.size());
  out.end.reserve(utf8.size());
  size_t i = 0;
  while (i < utf8.size()) {
    auto [c, length] = DecodeAt(utf8, i);
    if (IsBlank(c)) {
      const size_t first = i;
      bool line_break = false;
      while (i < utf8.size()) {
        auto [b, blank_length] = DecodeAt(utf8, i);
        if (!IsBlank(b)) break;
        line_break = line_break || IsBreak(b);
        i += blank_length;
      }
      if (out.chars.empty()) continue;
      // "уволь-\nнения": the hyphen and the break go.
      if (line_break && out.chars.back() == U'-' && out.chars.size() >= 2 && IsLetter(out.chars.end()[-2]) &&
          i < utf8.size() && IsLetter(FoldChar(DecodeAt(utf8, i).first))) {
        out.chars.pop_back(), out.begin.pop_back(), out.end.pop_back();
        continue;
      }
      out.chars.push_back(line_break ? U'\n' : U' ');
      out.begin.push_back(first);
      out.end.push_back(i);
      continue;
    }
    out.chars.push_back(FoldChar(c));
    out.begin.push_back(i);
    out.end.push_back(i + length);
    i += length;
  }
  while (!out.chars.empty() && (out.chars.back() == U' ' || out.chars.back() == U'\n')) {
    out.chars.pop_back(), out.begin.pop_back(), out.end.pop_back();
  }
  return out;
}

std::string ToUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size() * 2);
  for (const char32_t c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6U));
      out += static_cast<char>(0x80 | (c & 0x3FU));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12U));
      out += static_cast<char>(0x80 | ((c >> 6U) & 0x3FU));
      out += static_cast<char>(0x80 | (c & 0x3FU));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18U));
      out += static_cast<char>(0x80 | ((c >> 12U) & 0x3FU));
      out += static_cast<char>(0x80 | ((c >> 6U) & 0x3FU));
      out += static_cast<char>(0x80 | (c & 0x3FU));
    }
  }
  return out;
}

std::string OriginalSlice(const FoldedText& folded, std::string_view original, size_t first, size_t last) {
  if (first >= last || last > folded.chars.size()) return {};
  std::string out(original.substr(folded.begin[first], folded.end[last - 1] - folded.begin[first]));
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\f' || c == '\r' || c == '\t'; }, ' ');
  return out;
}

int EditDistance(std::u32string_view a, std::u32string_view b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 1; j <= b.size(); ++j) row[j] = row[j - 1] + GapCost(b[j - 1]);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] += GapCost(a[i - 1]);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int above = row[j];
      row[j] = std::min({above + GapCost(a[i - 1]), row[j - 1] + GapCost(b[j - 1]),
                         diagonal + SubstitutionCost(a[i - 1], b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<Match> FindApprox(std::u32string_view text, std::u32string_view pattern, int max_distance,
                                size_t from, size_t to) {
  if (pattern.empty()) return std::nullopt;
  to = std::min(to, text.size());
  if (from >= to) return std::nullopt;
  // Sellers' algorithm: column j holds, for each pattern prefix, the fewest
  // edits of a text substring ending at j, and where that substring starts.
  const size_t m = pattern.size();
  std::vector<int> cost(m + 1), next_cost(m + 1);
  std::vector<size_t> start(m + 1), next_start(m + 1);
  for (size_t i = 0; i <= m; ++i) {
    cost[i] = i == 0 ? 0 : cost[i - 1] + GapCost(pattern[i - 1]);
    start[i] = from;
  }
  std::optional<Match> best;
  for (size_t j = from; j < to; ++j) {
    next_cost[0] = 0;
    next_start[0] = j + 1;
    for (size_t i = 1; i <= m; ++i) {
      int c = cost[i - 1] + SubstitutionCost(pattern[i - 1], text[j]);
      size_t s = start[i - 1];
      if (cost[i] + GapCost(text[j]) < c) c = cost[i] + GapCost(text[j]), s = start[i];
      if (next_cost[i - 1] + GapCost(pattern[i - 1]) < c) {
        c = next_cost[i - 1] + GapCost(pattern[i - 1]), s = next_start[i - 1];
      }
      next_cost[i] = c;
      next_start[i] = s;
    }
    std::swap(cost, next_cost);
    std::swap(start, next_start);
    if (cost[m] <= max_distance && (!best || cost[m] < best->distance)) {
      best = Match{start[m], j + 1, cost[m]};
      if (cost[m] == 0) break;
    }
  }
  return best;
}

int AllowedEdits(size_t letters) { return letters < 4 ? 0 : int(letters / 4); }

std::vector<FoundDate> FindDates(const FoldedText& folded) {
  const std::u32string_view text = folded.chars;
  const std::vector<Token> tokens = Tokenise(text);
  std::vector<FoundDate> dates;
  auto is = [&](size_t k, Token::Kind kind) { return k < tokens.size() && tokens[k].kind == kind; };
  auto mark = [&](size_t k, std::u32string_view allowed) {
    return is(k, Token::kMark) && allowed.find(text[tokens[k].first]) != std::u32string_view::npos;
  };
  auto digits = [&](size_t k) { return tokens[k].last - tokens[k].first; };
  // «16»: the quote right before the day belongs to the date.
  auto opening_quote = [&](size_t k) {
    return k > 0 && mark(k - 1, U"\"") && tokens[k - 1].last == tokens[k].first;
  };
  for (size_t k = 0; k < tokens.size(); ++k) {
    if (!is(k, Token::kNumber) || digits(k) > 2) continue;
    // «1.5» is no day: a number cut by a misread mark is not read as a date.
    if (k >= 2 && mark(k - 1, U".") && is(k - 2, Token::kNumber) && digits(k - 2) <= 2) continue;
    // 16.12.2026, 16/12/26, 16-12-2026
    if (mark(k + 1, U"./-,") && is(k + 2, Token::kNumber) && digits(k + 2) <= 2 && mark(k + 3, U"./-,") &&
        is(k + 4, Token::kNumber) && (digits(k + 4) == 4 || digits(k + 4) == 2)) {
      if (auto date = MakeDate(NumberOf(text, tokens[k]), NumberOf(text, tokens[k + 2]),
                               NumberOf(text, tokens[k + 4]))) {
        dates.push_back(
            {*date, opening_quote(k) ? tokens[k - 1].first : tokens[k].first, tokens[k + 4].last});
        k += 4;
        continue;
      }
    }
    // 16 декабря 2026 г., «16» декабря 2026 года
    const size_t word = mark(k + 1, U"\"") ? k + 2 : k + 1;
    if (is(word, Token::kWord) && is(word + 1, Token::kNumber) && digits(word + 1) == 4) {
      const int month = MonthOf(text.substr(tokens[word].first, tokens[word].last - tokens[word].first));
      if (month == 0) continue;
      if (auto date = MakeDate(NumberOf(text, tokens[k]), month, NumberOf(text, tokens[word + 1]))) {
        dates.push_back(
            {*date, opening_quote(k) ? tokens[k - 1].first : tokens[k].first, tokens[word + 1].last});
        k = word + 1;
      }
    }
  }
  return dates;
}

std::optional<Date> ParseLetterDate(std::string_view text) {
  if (auto iso = ParseIsoDate(text)) return iso;
  const std::vector<FoundDate> dates = FindDates(Fold(text));
  if (dates.empty()) return std::nullopt;
  return dates.front().date;
}

std::string FormatLetterDate(Date date) {
  const std::chrono::year_month_day ymd{date};
  return std::to_string(unsigned(ymd.day())) + " " + ToUtf8(kMonths[unsigned(ymd.month()) - 1]) + " " +
         std::to_string(int(ymd.year())) + " г.";
}

}  // namespace tabel::agent
