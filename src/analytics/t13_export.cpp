#include "analytics/t13_export.hpp"

#include <unistd.h>  // close, unlink
#include <xlsxwriter.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>  // mkstemp
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace tabel::analytics {
namespace {

// ---------------------------------------------------------------------------
// Shared by both forms.

constexpr int kFirstHalfDays = 15;

constexpr TimesheetDay kNotEmployed{};

// The days of the document's month.
int DaysOf(const T13Document& document) {
  if (!document.month.ok()) throw Error::Internal("T-13 export: the document has no valid month");
  return DaysIn(document.month);
}

// Day `day` (1-based) of `row`; a row shorter than the month was not
// employed on the days it lacks.
const TimesheetDay& DayOf(const T13Row& row, int day) {
  const auto index = static_cast<size_t>(day - 1);
  return index < row.days.size() ? row.days[index] : kNotEmployed;
}

std::string_view LetterOf(CodeId code) {
  return code < kT13Codes.size() ? kT13Codes[code].letter : std::string_view("?");
}

// Hours in tenths with a decimal comma, as Russian Excel reads numbers:
// "8", "7,5".
std::string CommaHours(int64_t tenths) {
  std::string text = FormatHours(tenths);
  std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

double Hours(int64_t tenths) { return static_cast<double>(tenths) / 10.0; }

struct AbsenceTotal {
  CodeId code = 0;
  DaysHours total;
};

// The absence-category codes of the month with any days or hours, in the
// order of kT13Codes.
std::vector<AbsenceTotal> Absences(const MonthTotals& totals) {
  std::vector<AbsenceTotal> absences;
  for (size_t i = 0; i < kT13Codes.size(); ++i) {
    const DaysHours& total = totals.by_code[i];
    if (kT13Codes[i].category == CodeCategory::kAbsence && (total.days != 0 || total.hours_tenths != 0)) {
      absences.push_back({static_cast<CodeId>(i), total});
    }
  }
  return absences;
}

std::string_view StatusText(const T13Document& document) {
  return document.closed ? "месяц закрыт" : "месяц не закрыт, данные предварительные";
}

// `instant` in the process time zone, which main() sets to the company's.
std::tm LocalTime(std::chrono::system_clock::time_point instant) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(instant);
  std::tm local{};
  localtime_r(&seconds, &local);
  return local;
}

// "2026-12-01T12:30:00+03:00".
std::string IsoLocalTime(std::chrono::system_clock::time_point instant) {
  const std::tm local = LocalTime(instant);
  const long offset = local.tm_gmtoff / 60;
  const long magnitude = offset < 0 ? -offset : offset;
  std::array<char, 48> text{};
  std::snprintf(text.data(), text.size(), "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", local.tm_year + 1900,
                local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec,
                offset < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
  return text.data();
}

// ---------------------------------------------------------------------------
// CSV.

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kLineEnd = "\r\n";
constexpr char kSeparator = ';';

// Appends fields and lines to a string.
class CsvWriter {
 public:
  explicit CsvWriter(std::string& out) : out_(out) {}

  // A field the export made itself (labels, numbers, day cells): quoted
  // when it holds a separator, a quote or a line break.
  void Field(std::string_view text) {
    if (!first_) out_ += kSeparator;
    first_ = false;
    if (text.find_first_of(";\"\r\n") == std::string_view::npos) {
      out_ += text;
      return;
    }
    out_ += '"';
    for (const char c : text) {
      if (c == '"') out_ += '"';
      out_ += c;
    }
    out_ += '"';
  }

  // A field of text people typed: one that a spreadsheet would take for a
  // formula gets a leading apostrophe first (OWASP's CSV injection advice).
  void Text(std::string_view text) {
    if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
      Field("'" + std::string(text));
    } else {
      Field(text);
    }
  }

  void EndLine() {
    out_ += kLineEnd;
    first_ = true;
  }

 private:
  std::string& out_;
  bool first_ = true;
};

// "Я 8", "Я 7,5/С 2", "В", "" (not employed).
std::string CsvDay(const TimesheetDay& day) {
  std::string text;
  for (const DayEntry& entry : day.Entries()) {
    if (!text.empty()) text += '/';
    text += LetterOf(entry.code);
    if (entry.hours_tenths != 0) {
      text += ' ';
      text += CommaHours(entry.hours_tenths);
    }
  }
  return text;
}

// "ОТ 13; Б 5; НО 2 (16)".
std::string CsvAbsences(const MonthTotals& totals) {
  std::string text;
  for (const AbsenceTotal& absence : Absences(totals)) {
    if (!text.empty()) text += "; ";
    text += LetterOf(absence.code);
    text += ' ';
    text += std::to_string(absence.total.days);
    if (absence.total.hours_tenths != 0) text += " (" + CommaHours(absence.total.hours_tenths) + ')';
  }
  return text;
}

// ---------------------------------------------------------------------------
// XLSX.

[[noreturn]] void FailXlsx(const std::string& what) { throw Error::Internal("T-13 XLSX: " + what); }

void Check(lxw_error error, std::string_view call) {
  if (error != LXW_NO_ERROR) FailXlsx(std::string(call) + ": " + lxw_strerror(error));
}

// A new empty file of a unique name in `dir`, removed with the object, so
// that no file is left behind on any path. libxlsxwriter 1.1.4 can only
// write a workbook to a named file (output_buffer came in 1.1.5).
class TempFile {
 public:
  explicit TempFile(const std::filesystem::path& dir) : path_((dir / "tabel-t13-XXXXXX").string()) {
    const int fd = ::mkstemp(path_.data());
    if (fd < 0) {
      const std::error_code error(errno, std::generic_category());
      FailXlsx("mkstemp in " + dir.string() + ": " + error.message());
    }
    ::close(fd);
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }

  std::string Read() const {
    std::ifstream in(path_, std::ios::binary | std::ios::ate);
    if (!in) FailXlsx("cannot open " + path_);
    const std::streamoff size = in.tellg();
    if (size < 0) FailXlsx("cannot size " + path_);
    std::string bytes(static_cast<size_t>(size), '\0');
    in.seekg(0);
    if (!in.read(bytes.data(), size)) FailXlsx("cannot read " + path_);
    return bytes;
  }

 private:
  std::string path_;
};

// A workbook until it is closed. workbook_close writes the file and frees
// the workbook whatever its result; a workbook left open by an exception is
// closed all the same, because only that releases the library's temporary
// files (its file then goes with TempFile).
class Workbook {
 public:
  Workbook(const std::string& path, std::string tmpdir) : tmpdir_(std::move(tmpdir)) {
    lxw_workbook_options options{};
    // Constant memory: each row goes to a temporary file once the next row
    // is started, so a whole-bank export (25,000 people × 4 rows) needs
    // memory for one row, not for millions of cells. The price: rows must
    // be written in order, so no merge may span rows (a merge writes all
    // its rows at once). The form's tall cells are drawn instead as column
    // blocks bordered only on the outside (InBlock); merges stay in one row.
    options.constant_memory = LXW_TRUE;
    options.tmpdir = tmpdir_.data();
    workbook_ = workbook_new_opt(path.c_str(), &options);
    if (workbook_ == nullptr) FailXlsx("workbook_new_opt failed");
  }
  ~Workbook() {
    if (workbook_ != nullptr) workbook_close(workbook_);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  lxw_workbook* get() const { return workbook_; }
  void Close() { Check(workbook_close(std::exchange(workbook_, nullptr)), "workbook_close"); }

 private:
  std::string tmpdir_;  // outlives the workbook, which keeps the pointer
  lxw_workbook* workbook_ = nullptr;
};

// How a cell looks. Formats are made once per distinct style (Formats).
struct Style {
  uint8_t size = 8;  // points
  bool bold = false;
  bool italic = false;
  uint8_t align = LXW_ALIGN_CENTER;
  uint8_t valign = LXW_ALIGN_VERTICAL_CENTER;
  bool wrap = false;
  bool shrink = false;
  std::string_view number_format;  // empty: General; a string literal
  lxw_color_t fill = LXW_COLOR_UNSET;
  uint8_t top = LXW_BORDER_NONE;
  uint8_t bottom = LXW_BORDER_NONE;
  uint8_t left = LXW_BORDER_NONE;
  uint8_t right = LXW_BORDER_NONE;

  auto operator<=>(const Style&) const = default;
};

constexpr Style Boxed(Style style) {
  style.top = style.bottom = style.left = style.right = LXW_BORDER_THIN;
  return style;
}

// Row `row` of a column block of `rows` rows that looks like one tall cell:
// bordered only on the block's outside.
constexpr Style InBlock(Style style, int row, int rows) {
  style.left = style.right = LXW_BORDER_THIN;
  style.top = row == 0 ? LXW_BORDER_THIN : LXW_BORDER_NONE;
  style.bottom = row == rows - 1 ? LXW_BORDER_THIN : LXW_BORDER_NONE;
  return style;
}

constexpr Style Left(Style style) {
  style.align = LXW_ALIGN_LEFT;
  return style;
}

constexpr Style Right(Style style) {
  style.align = LXW_ALIGN_RIGHT;
  return style;
}

constexpr Style WithFormat(Style style, std::string_view number_format) {
  style.number_format = number_format;
  return style;
}

class Formats {
 public:
  explicit Formats(lxw_workbook* workbook) : workbook_(workbook) {}

  lxw_format* Get(const Style& style) {
    const auto found = formats_.find(style);
    if (found != formats_.end()) return found->second;
    lxw_format* format = workbook_add_format(workbook_);
    if (format == nullptr) FailXlsx("workbook_add_format failed");
    format_set_font_name(format, "Arial");
    format_set_font_size(format, style.size);
    if (style.bold) format_set_bold(format);
    if (style.italic) format_set_italic(format);
    format_set_align(format, style.align);
    format_set_align(format, style.valign);
    if (style.wrap) format_set_text_wrap(format);
    if (style.shrink) format_set_shrink(format);
    if (!style.number_format.empty()) format_set_num_format(format, std::string(style.number_format).c_str());
    if (style.fill != LXW_COLOR_UNSET) {
      format_set_pattern(format, LXW_PATTERN_SOLID);
      format_set_bg_color(format, style.fill);
    }
    format_set_top(format, style.top);
    format_set_bottom(format, style.bottom);
    format_set_left(format, style.left);
    format_set_right(format, style.right);
    formats_.emplace(style, format);
    return format;
  }

 private:
  lxw_workbook* workbook_;
  std::map<Style, lxw_format*> formats_;
};

// The writes of one worksheet, each checked.
class Sheet {
 public:
  Sheet(lxw_worksheet* sheet, Formats& formats) : sheet_(sheet), formats_(formats) {}

  lxw_worksheet* get() const { return sheet_; }

  void Text(lxw_row_t row, lxw_col_t col, std::string_view text, const Style& style) {
    if (text.empty()) {
      Blank(row, col, style);
      return;
    }
    Check(worksheet_write_string(sheet_, row, col, std::string(text).c_str(), formats_.Get(style)),
          "worksheet_write_string");
  }
  void Number(lxw_row_t row, lxw_col_t col, double value, const Style& style) {
    Check(worksheet_write_number(sheet_, row, col, value, formats_.Get(style)), "worksheet_write_number");
  }
  void Blank(lxw_row_t row, lxw_col_t col, const Style& style) {
    Check(worksheet_write_blank(sheet_, row, col, formats_.Get(style)), "worksheet_write_blank");
  }
  void DateCell(lxw_row_t row, lxw_col_t col, Date date, const Style& style) {
    const std::chrono::year_month_day ymd(date);
    lxw_datetime datetime{};
    datetime.year = static_cast<int>(ymd.year());
    datetime.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    datetime.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    Check(worksheet_write_datetime(sheet_, row, col, &datetime, formats_.Get(style)),
          "worksheet_write_datetime");
  }
  // Columns first..last of one row as one cell holding `text` (merges stay
  // within a row: see Workbook).
  void Merge(lxw_row_t row, lxw_col_t first, lxw_col_t last, std::string_view text, const Style& style) {
    Check(
        worksheet_merge_range(sheet_, row, first, row, last, std::string(text).c_str(), formats_.Get(style)),
        "worksheet_merge_range");
  }
  // A merged date: libxlsxwriter merges with a string, then the first cell
  // is overwritten with the number.
  void MergeDate(lxw_row_t row, lxw_col_t first, lxw_col_t last, Date date, const Style& style) {
    Merge(row, first, last, "", style);
    DateCell(row, first, date, style);
  }
  // Must come before the row's cells (constant memory).
  void Height(lxw_row_t row, double points) {
    Check(worksheet_set_row(sheet_, row, points, nullptr), "worksheet_set_row");
  }
  void Width(lxw_col_t first, lxw_col_t last, double width) {
    Check(worksheet_set_column(sheet_, first, last, width, nullptr), "worksheet_set_column");
  }

 private:
  lxw_worksheet* sheet_;
  Formats& formats_;
};

// The columns of the form.
constexpr lxw_col_t kColNumber = 0;     // № п/п
constexpr lxw_col_t kColName = 1;       // name over position
constexpr lxw_col_t kColPersonnel = 2;  // табельный номер
constexpr lxw_col_t kColFirstDay = 3;   // 16 day slots: 1–15 and X, then 16–31
constexpr lxw_col_t kDaySlots = 16;
constexpr lxw_col_t kColHalf = kColFirstDay + kDaySlots;  // days over hours of each half
constexpr lxw_col_t kColMonthDays = kColHalf + 1;
constexpr lxw_col_t kColMonthHours = kColHalf + 2;
constexpr lxw_col_t kColFirstAbsence = kColHalf + 3;  // groups of code, days, hours
constexpr lxw_col_t kAbsenceGroupColumns = 3;
constexpr size_t kMinAbsenceGroups = 2;  // as on the printed form

// A person's rows: codes of days 1–15, their hours, codes of 16–end, hours.
constexpr int kPersonRows = 4;
constexpr int kHeaderRows = 3;

constexpr std::string_view kDaysFormat = "0";
constexpr std::string_view kHoursFormat = "0.0";
constexpr std::string_view kDateFormat = "dd.mm.yyyy";
constexpr lxw_color_t kWeekendFill = 0xE4E4E4;
constexpr lxw_color_t kHolidayFill = 0xC8C8C8;
constexpr uint8_t kPaperA4 = 9;

constexpr std::array<std::string_view, 12> kMonthNames = {"январь",   "февраль", "март",   "апрель",
                                                          "май",      "июнь",    "июль",   "август",
                                                          "сентябрь", "октябрь", "ноябрь", "декабрь"};

// Shrunk rather than cut or shown as ### when the narrow day columns are too
// narrow for a cell.
constexpr Style kCell = Boxed({.shrink = true});
constexpr Style kSmall = {.size = 7};
constexpr Style kCaption = {.size = 6, .italic = true, .valign = LXW_ALIGN_VERTICAL_TOP};
constexpr Style kHeader = {.size = 7, .wrap = true};

std::string DepartmentText(const T13Document& document) {
  std::string text = document.department_name;
  if (!document.department_code.empty()) text += ", код " + document.department_code;
  if (document.subtree) text += " (с подчинёнными подразделениями)";
  return text;
}

// The form's header above the table, from row 0; returns the next row.
lxw_row_t WriteFormHeader(Sheet& sheet, const T13Document& document, lxw_col_t last_col) {
  lxw_row_t row = 0;
  sheet.Merge(row++, kColHalf, last_col, "Унифицированная форма № Т-13", Right(kSmall));
  sheet.Merge(row++, kColHalf, last_col, "Утверждена постановлением Госкомстата России от 05.01.2004 № 1",
              Right(kSmall));
  sheet.Merge(row, kColHalf, last_col - 2, "Форма по ОКУД", Right(kSmall));
  sheet.Merge(row++, last_col - 1, last_col, "0301008", Boxed({.bold = true}));

  const Style line = {.size = 10, .bold = true, .bottom = LXW_BORDER_THIN};
  sheet.Height(row, 16);
  sheet.Merge(row++, kColNumber, kColHalf - 1, document.organization, line);
  sheet.Merge(row++, kColNumber, kColHalf - 1, "(наименование организации)", kCaption);
  sheet.Height(row, 16);
  sheet.Merge(row++, kColNumber, kColHalf - 1, DepartmentText(document), line);
  sheet.Merge(row++, kColNumber, kColHalf - 1, "(структурное подразделение)", kCaption);
  ++row;

  sheet.Height(row, 20);
  sheet.Merge(row++, kColNumber, last_col, "ТАБЕЛЬ УЧЁТА РАБОЧЕГО ВРЕМЕНИ", {.size = 12, .bold = true});
  const unsigned month_number = static_cast<unsigned>(document.month.month());
  sheet.Merge(row++, kColNumber, last_col,
              "за " + std::string(kMonthNames.at(month_number - 1)) + ' ' +
                  std::to_string(static_cast<int>(document.month.year())) + " г.",
              {.size = 10});

  const Style date = WithFormat(Boxed({}), kDateFormat);
  sheet.Merge(row, kColNumber, kColPersonnel, "Отчётный период: с", Right({}));
  sheet.MergeDate(row, kColFirstDay, kColFirstDay + 2, FirstDay(document.month), date);
  sheet.Text(row, kColFirstDay + 3, "по", {});
  sheet.MergeDate(row, kColFirstDay + 4, kColFirstDay + 6, LastDay(document.month), date);
  sheet.Merge(row, kColFirstDay + 7, kColFirstDay + 11, "Дата составления", Right({}));
  sheet.MergeDate(row, kColFirstDay + 12, kColFirstDay + 14, LocalDate(document.generated_at), date);
  sheet.Merge(row++, kColHalf, last_col, StatusText(document), Left({.italic = true}));
  return row + 1;
}

// The table's header rows from `top`; returns the next row.
lxw_row_t WriteTableHeader(Sheet& sheet, const T13Document& document, lxw_row_t top, size_t absence_groups) {
  const int days = DaysIn(document.month);
  const lxw_col_t last_col =
      kColFirstAbsence + static_cast<lxw_col_t>(absence_groups) * kAbsenceGroupColumns - 1;
  const auto day_style = [&](int day) {
    Style style = Boxed(kHeader);
    const auto index = static_cast<size_t>(day - 1);
    if (index < document.kinds.size()) {
      if (document.kinds[index] == calendar::DayKind::kHoliday) style.fill = kHolidayFill;
      if (document.kinds[index] == calendar::DayKind::kWeekend) style.fill = kWeekendFill;
    }
    return style;
  };

  const std::array<double, kHeaderRows> heights = {22, 30, 12};
  for (int r = 0; r < kHeaderRows; ++r) {
    const lxw_row_t row = top + static_cast<lxw_row_t>(r);
    sheet.Height(row, heights[static_cast<size_t>(r)]);
    const auto block = [&](int rows) { return InBlock(kHeader, r, rows); };
    sheet.Text(row, kColNumber, r == 0 ? "№ п/п" : "", block(kHeaderRows));
    sheet.Text(row, kColName, r == 0 ? "Фамилия, имя, отчество, должность" : "", block(kHeaderRows));
    sheet.Text(row, kColPersonnel, r == 0 ? "Табельный номер" : "", block(kHeaderRows));
    if (r == 0) {
      sheet.Merge(row, kColFirstDay, kColHalf - 1, "Отметки о явках и неявках на работу по числам месяца",
                  Boxed(kHeader));
      sheet.Merge(row, kColHalf, kColMonthHours, "Отработано за", Boxed(kHeader));
      sheet.Merge(row, kColFirstAbsence, last_col, "Неявки по причинам", Boxed(kHeader));
      continue;
    }
    for (lxw_col_t slot = 0; slot < kDaySlots; ++slot) {
      const int day = static_cast<int>(slot) + (r == 1 ? 1 : kFirstHalfDays + 1);
      const bool exists = (r == 2 || slot < kFirstHalfDays) && day <= days;
      if (exists) {
        sheet.Number(row, kColFirstDay + slot, day, day_style(day));
      } else {
        sheet.Text(row, kColFirstDay + slot, "X", Boxed(kHeader));
      }
    }
    sheet.Text(row, kColHalf, r == 1 ? "половину месяца (I, II)" : "", InBlock(kHeader, r - 1, 2));
    if (r == 1) {
      sheet.Merge(row, kColMonthDays, kColMonthHours, "месяц", Boxed(kHeader));
    } else {
      sheet.Text(row, kColMonthDays, "дни", Boxed(kHeader));
      sheet.Text(row, kColMonthHours, "часы", Boxed(kHeader));
    }
    for (size_t group = 0; group < absence_groups; ++group) {
      const lxw_col_t col = kColFirstAbsence + static_cast<lxw_col_t>(group) * kAbsenceGroupColumns;
      const Style style = InBlock(kHeader, r - 1, 2);
      sheet.Text(row, col, r == 1 ? "код" : "", style);
      sheet.Text(row, col + 1, r == 1 ? "дни" : "", style);
      sheet.Text(row, col + 2, r == 1 ? "часы" : "", style);
    }
  }
  return top + kHeaderRows;
}

// One person's four rows from `top`.
void WritePerson(Sheet& sheet, lxw_row_t top, size_t number, const T13Row& person, int days,
                 size_t absence_groups) {
  const std::vector<AbsenceTotal> absences = Absences(person.totals);
  const Style days_style = WithFormat(kCell, kDaysFormat);
  const Style hours_style = WithFormat(kCell, kHoursFormat);
  for (int r = 0; r < kPersonRows; ++r) {
    const lxw_row_t row = top + static_cast<lxw_row_t>(r);
    const bool codes = r % 2 == 0;
    sheet.Height(row, 11.25);

    const Style block = InBlock({}, r, kPersonRows);
    if (r == 0) {
      sheet.Number(row, kColNumber, static_cast<double>(number), block);
    } else {
      sheet.Blank(row, kColNumber, block);
    }
    const Style name = InBlock({.align = LXW_ALIGN_LEFT, .shrink = true}, r, kPersonRows);
    sheet.Text(row, kColName, r == 0 ? person.name : r == 1 ? person.position : "", name);
    sheet.Text(row, kColPersonnel, r == 0 ? person.personnel_number : "", block);

    for (lxw_col_t slot = 0; slot < kDaySlots; ++slot) {
      const lxw_col_t col = kColFirstDay + slot;
      const int day = static_cast<int>(slot) + (r < 2 ? 1 : kFirstHalfDays + 1);
      const bool exists = (r >= 2 || slot < kFirstHalfDays) && day <= days;
      if (!exists) {
        sheet.Text(row, col, "X", kCell);
        continue;
      }
      const std::span<const DayEntry> entries = DayOf(person, day).Entries();
      if (codes) {
        std::string text;
        for (const DayEntry& entry : entries) {
          if (!text.empty()) text += '/';
          text += LetterOf(entry.code);
        }
        sheet.Text(row, col, text, kCell);
      } else if (entries.size() == 1 && entries[0].hours_tenths != 0) {
        sheet.Number(row, col, Hours(entries[0].hours_tenths), kCell);
      } else if (entries.size() == 2) {
        sheet.Text(row, col, CommaHours(entries[0].hours_tenths) + '/' + CommaHours(entries[1].hours_tenths),
                   kCell);
      } else {
        sheet.Blank(row, col, kCell);
      }
    }

    const DaysHours& half = person.totals.halves[static_cast<size_t>(r / 2)];
    if (codes) {
      sheet.Number(row, kColHalf, half.days, days_style);
    } else {
      sheet.Number(row, kColHalf, Hours(half.hours_tenths), hours_style);
    }
    const DaysHours& month = person.totals.month;
    if (r == 0) {
      sheet.Number(row, kColMonthDays, month.days, WithFormat(block, kDaysFormat));
      sheet.Number(row, kColMonthHours, Hours(month.hours_tenths), WithFormat(block, kHoursFormat));
    } else {
      sheet.Blank(row, kColMonthDays, block);
      sheet.Blank(row, kColMonthHours, block);
    }

    for (size_t group = 0; group < absence_groups; ++group) {
      const lxw_col_t col = kColFirstAbsence + static_cast<lxw_col_t>(group) * kAbsenceGroupColumns;
      const size_t index = group * kPersonRows + static_cast<size_t>(r);
      if (index >= absences.size()) {
        for (lxw_col_t i = 0; i < kAbsenceGroupColumns; ++i) sheet.Blank(row, col + i, kCell);
        continue;
      }
      const AbsenceTotal& absence = absences[index];
      sheet.Text(row, col, LetterOf(absence.code), kCell);
      sheet.Number(row, col + 1, absence.total.days, days_style);
      if (absence.total.hours_tenths != 0) {
        sheet.Number(row, col + 2, Hours(absence.total.hours_tenths), hours_style);
      } else {
        sheet.Blank(row, col + 2, kCell);
      }
    }
  }
}

// The signatures under the table from `top`.
void WriteSignatures(Sheet& sheet, lxw_row_t top) {
  constexpr std::array<std::string_view, 3> kRoles = {
      "Ответственное лицо", "Руководитель структурного подразделения", "Работник кадровой службы"};
  // Where the three lines go: position, signature, name.
  constexpr std::array<std::pair<lxw_col_t, lxw_col_t>, 3> kLines = {{{kColFirstDay, kColFirstDay + 5},
                                                                      {kColFirstDay + 7, kColFirstDay + 10},
                                                                      {kColFirstDay + 12, kColHalf}}};
  constexpr std::array<std::string_view, 3> kCaptions = {"(должность)", "(личная подпись)",
                                                         "(расшифровка подписи)"};
  lxw_row_t row = top;
  for (const std::string_view role : kRoles) {
    sheet.Height(row, 18);
    sheet.Merge(row, kColNumber, kColPersonnel, role, Left({.valign = LXW_ALIGN_VERTICAL_BOTTOM}));
    for (const auto& [first, last] : kLines) sheet.Merge(row, first, last, "", {.bottom = LXW_BORDER_THIN});
    ++row;
    for (size_t i = 0; i < kLines.size(); ++i)
      sheet.Merge(row, kLines[i].first, kLines[i].second, kCaptions[i], kCaption);
    ++row;
  }
}

void SetUpPage(Sheet& sheet, lxw_row_t header_top, size_t absence_groups) {
  lxw_worksheet* worksheet = sheet.get();
  sheet.Width(kColNumber, kColNumber, 4);
  sheet.Width(kColName, kColName, 28);
  sheet.Width(kColPersonnel, kColPersonnel, 8);
  sheet.Width(kColFirstDay, kColFirstDay + kDaySlots - 1, 4.3);
  sheet.Width(kColHalf, kColHalf, 7);
  sheet.Width(kColMonthDays, kColMonthDays, 5);
  sheet.Width(kColMonthHours, kColMonthHours, 6.5);
  for (size_t group = 0; group < absence_groups; ++group) {
    const lxw_col_t col = kColFirstAbsence + static_cast<lxw_col_t>(group) * kAbsenceGroupColumns;
    sheet.Width(col, col, 4.5);
    sheet.Width(col + 1, col + 1, 4.5);
    sheet.Width(col + 2, col + 2, 5.5);
  }
  worksheet_set_landscape(worksheet);
  worksheet_set_paper(worksheet, kPaperA4);
  worksheet_set_margins(worksheet, 0.3, 0.3, 0.4, 0.5);
  worksheet_fit_to_pages(worksheet, 1, 0);
  Check(worksheet_repeat_rows(worksheet, header_top, header_top + kHeaderRows - 1), "worksheet_repeat_rows");
  Check(worksheet_set_footer(worksheet, "&CСтраница &P из &N"), "worksheet_set_footer");
  // The names stay in view while the days scroll.
  worksheet_freeze_panes(worksheet, 0, kColFirstDay);
}

}  // namespace

std::string T13Csv(const T13Document& document) {
  const int days = DaysOf(document);
  std::string out;
  out.reserve(512 + document.rows.size() * (160 + 8 * static_cast<size_t>(days)));
  out += kBom;
  CsvWriter csv(out);

  csv.Field("Организация");
  csv.Text(document.organization);
  csv.EndLine();
  csv.Field("Подразделение");
  csv.Text(document.department_name);
  csv.EndLine();
  csv.Field("Код подразделения");
  csv.Text(document.department_code);
  csv.EndLine();
  csv.Field("С подчинёнными подразделениями");
  csv.Field(document.subtree ? "да" : "нет");
  csv.EndLine();
  csv.Field("Месяц");
  csv.Field(FormatMonth(document.month));
  csv.EndLine();
  csv.Field("Статус");
  csv.Field(StatusText(document));
  csv.EndLine();
  csv.Field("Сформирован");
  csv.Field(IsoLocalTime(document.generated_at));
  csv.EndLine();
  // An empty line keeps the table a region of its own for Excel's sorting.
  csv.EndLine();

  for (const std::string_view title : {"№", "Табельный номер", "ФИО", "Должность"}) csv.Field(title);
  for (int day = 1; day <= days; ++day) csv.Field(std::to_string(day));
  for (const std::string_view title : {"Дней I половина", "Часов I половина", "Дней II половина",
                                       "Часов II половина", "Дней за месяц", "Часов за месяц", "Неявки"}) {
    csv.Field(title);
  }
  csv.EndLine();

  for (size_t i = 0; i < document.rows.size(); ++i) {
    const T13Row& row = document.rows[i];
    csv.Field(std::to_string(i + 1));
    csv.Text(row.personnel_number);
    csv.Text(row.name);
    csv.Text(row.position);
    for (int day = 1; day <= days; ++day) csv.Field(CsvDay(DayOf(row, day)));
    for (const DaysHours& half : row.totals.halves) {
      csv.Field(std::to_string(half.days));
      csv.Field(CommaHours(half.hours_tenths));
    }
    csv.Field(std::to_string(row.totals.month.days));
    csv.Field(CommaHours(row.totals.month.hours_tenths));
    csv.Field(CsvAbsences(row.totals));
    csv.EndLine();
  }
  return out;
}

std::string T13Xlsx(const T13Document& document) {
  const int days = DaysOf(document);
  size_t absence_groups = kMinAbsenceGroups;
  for (const T13Row& row : document.rows) {
    const size_t count = Absences(row.totals).size();
    absence_groups = std::max(absence_groups, (count + kPersonRows - 1) / kPersonRows);
  }
  const lxw_col_t last_col =
      kColFirstAbsence + static_cast<lxw_col_t>(absence_groups) * kAbsenceGroupColumns - 1;

  std::error_code error;
  const std::filesystem::path tmpdir = std::filesystem::temp_directory_path(error);
  if (error) FailXlsx("no temporary directory: " + error.message());
  std::string title = "Табель учёта рабочего времени " + FormatMonth(document.month);
  std::string company = document.organization;
  // Declared before the workbook, so removed after it has been closed.
  const TempFile file(tmpdir);
  Workbook workbook(file.path(), tmpdir.string());

  lxw_doc_properties properties{};
  properties.title = title.data();
  properties.company = company.data();
  properties.created = std::chrono::system_clock::to_time_t(document.generated_at);
  Check(workbook_set_properties(workbook.get(), &properties), "workbook_set_properties");

  lxw_worksheet* worksheet = workbook_add_worksheet(workbook.get(), "Табель");
  if (worksheet == nullptr) FailXlsx("workbook_add_worksheet failed");
  Formats formats(workbook.get());
  Sheet sheet(worksheet, formats);

  const lxw_row_t header_top = WriteFormHeader(sheet, document, last_col);
  SetUpPage(sheet, header_top, absence_groups);
  lxw_row_t row = WriteTableHeader(sheet, document, header_top, absence_groups);
  for (size_t i = 0; i < document.rows.size(); ++i) {
    WritePerson(sheet, row, i + 1, document.rows[i], days, absence_groups);
    row += kPersonRows;
  }
  WriteSignatures(sheet, row + 1);

  workbook.Close();
  return file.Read();
}

}  // namespace tabel::analytics
