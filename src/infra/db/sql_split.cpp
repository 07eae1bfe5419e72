#include "infra/db/sql_split.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace tabel::db {
namespace {

constexpr size_t kNone = std::string_view::npos;

bool IsIdentifierChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return std::isalnum(byte) != 0 || c == '_' || c == '$' || byte >= 0x80;
}

class Splitter {
 public:
  Splitter(std::string_view script, Dialect dialect)
      : script_(script), postgresql_(dialect == Dialect::kPostgresql) {}

  std::vector<std::string> Run() {
    while (at_ < script_.size()) Step();
    if (start_ != kNone) Emit(script_.size());
    return std::move(statements_);
  }

 private:
  char Peek(size_t offset = 0) const { return at_ + offset < script_.size() ? script_[at_ + offset] : '\0'; }

  void Step() {
    const char c = Peek();
    if (c == '-' && Peek(1) == '-') {
      const size_t end = script_.find('\n', at_);
      at_ = end == kNone ? script_.size() : end;
    } else if (c == '/' && Peek(1) == '*') {
      SkipBlockComment();
    } else if (c == '\'') {
      const bool backslash_escapes = postgresql_ && at_ > 0 &&
                                     (script_[at_ - 1] == 'E' || script_[at_ - 1] == 'e') &&
                                     (at_ < 2 || !IsIdentifierChar(script_[at_ - 2]));
      SkipQuoted('\'', backslash_escapes, "string literal");
    } else if (c == '"') {
      SkipQuoted('"', false, "quoted identifier");
    } else if (!postgresql_ && c == '`') {
      SkipQuoted('`', false, "quoted identifier");
    } else if (!postgresql_ && c == '[') {
      SkipQuoted(']', false, "quoted identifier");
    } else if (postgresql_ && c == '$' && StartsDollarQuote()) {
      SkipDollarQuote();
    } else if (c == ';') {
      if (start_ != kNone && StatementIsComplete()) Emit(at_);
      ++at_;
    } else if (std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_') {
      BeginContent();
      ReadWord();
    } else {
      if (std::isspace(static_cast<unsigned char>(c)) == 0) BeginContent();
      ++at_;
    }
  }

  // SQLite trigger bodies: CREATE [TEMP|TEMPORARY] TRIGGER … BEGIN …; END
  // is one statement. BEGIN and CASE open a block, END closes one; a ';'
  // ends the statement only outside blocks.
  void ReadWord() {
    const size_t from = at_;
    while (at_ < script_.size() && IsIdentifierChar(script_[at_])) ++at_;
    if (postgresql_) return;
    std::string word(script_.substr(from, at_ - from));
    for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (words_ < 3) {
      ++words_;
      if (words_ == 1) {
        create_ = word == "CREATE";
      } else if (create_ && word == "TRIGGER") {
        trigger_ = true;
      } else if (words_ == 2 && create_ && (word == "TEMP" || word == "TEMPORARY")) {
        return;
      } else {
        create_ = false;
      }
    }
    if (!trigger_) return;
    if (word == "BEGIN" || word == "CASE") {
      ++depth_;
    } else if (word == "END" && depth_ > 0) {
      --depth_;
    }
  }

  void BeginContent() {
    if (start_ == kNone) start_ = at_;
  }

  bool StatementIsComplete() const { return depth_ == 0; }

  void Emit(size_t end) {
    std::string_view statement = script_.substr(start_, end - start_);
    while (!statement.empty() && std::isspace(static_cast<unsigned char>(statement.back())) != 0) {
      statement.remove_suffix(1);
    }
    statements_.emplace_back(statement);
    start_ = kNone;
    words_ = 0;
    create_ = trigger_ = false;
    depth_ = 0;
  }

  [[noreturn]] void Unterminated(std::string_view what, size_t from) const {
    const auto line =
        1 + std::count(script_.begin(), script_.begin() + static_cast<std::ptrdiff_t>(from), '\n');
    throw std::invalid_argument("Unterminated " + std::string(what) + " starting on line " +
                                std::to_string(line) + ".");
  }

  // Block comments nest on PostgreSQL, not on SQLite.
  void SkipBlockComment() {
    const size_t from = at_;
    int depth = 1;
    at_ += 2;
    while (at_ < script_.size()) {
      if (postgresql_ && Peek() == '/' && Peek(1) == '*') {
        ++depth;
        at_ += 2;
      } else if (Peek() == '*' && Peek(1) == '/') {
        at_ += 2;
        if (--depth == 0) return;
      } else {
        ++at_;
      }
    }
    Unterminated("comment", from);
  }

  // Skips from the opening quote past the closing `close`; a doubled
  // closing quote stands for itself (not so for SQLite's [identifiers]).
  void SkipQuoted(char close, bool backslash_escapes, std::string_view what) {
    BeginContent();
    const size_t from = at_;
    ++at_;
    while (at_ < script_.size()) {
      const char c = Peek();
      if (backslash_escapes && c == '\\') {
        at_ += 2;
      } else if (c == close) {
        if (Peek(1) == close && close != ']') {
          at_ += 2;
        } else {
          ++at_;
          return;
        }
      } else {
        ++at_;
      }
    }
    Unterminated(what, from);
  }

  // $$ or $tag$, where tag is an identifier without '$' (a '$' inside an
  // identifier, or $1, is not a dollar quote).
  bool StartsDollarQuote() const {
    if (at_ > 0 && IsIdentifierChar(script_[at_ - 1])) return false;
    if (std::isdigit(static_cast<unsigned char>(Peek(1))) != 0) return false;
    size_t end = at_ + 1;
    while (end < script_.size() && script_[end] != '$' && IsIdentifierChar(script_[end])) ++end;
    return end < script_.size() && script_[end] == '$';
  }

  void SkipDollarQuote() {
    BeginContent();
    const size_t from = at_;
    const size_t tag_end = script_.find('$', at_ + 1);
    const std::string_view tag = script_.substr(at_, tag_end + 1 - at_);
    const size_t close = script_.find(tag, tag_end + 1);
    if (close == kNone) Unterminated("dollar-quoted string " + std::string(tag), from);
    at_ = close + tag.size();
  }

  std::string_view script_;
  bool postgresql_;
  size_t at_ = 0;
  size_t start_ = kNone;  // first character of the statement being read
  // SQLite trigger tracking for the statement being read (see ReadWord).
  int words_ = 0;
  bool create_ = false;
  bool trigger_ = false;
  int depth_ = 0;
  std::vector<std::string> statements_;
};

}  // namespace

std::vector<std::string> SplitSqlScript(std::string_view script, Dialect dialect) {
  return Splitter(script, dialect).Run();
}

}  // namespace tabel::db
