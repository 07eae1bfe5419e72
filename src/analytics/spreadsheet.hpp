#pragma once
// What the files for accounting (analytics/t13_export.hpp,
// analytics/report_export.hpp) share: CSV as Russian Excel reads it, the
// texts of hours and times, and a libxlsxwriter workbook written in
// constant-memory mode to a temporary file whose every write is checked.
//
// Errors name the export that failed: every XLSX piece takes `what`
// ("T-13 XLSX", "Report XLSX"), a string literal, and throws
// tabel::Error::Internal("<what>: <detail>").
//
// Thread-safety: the functions are pure (IsoLocalTime reads the process time
// zone); an object of a class here has one owner, and distinct objects may
// be used from distinct threads at once.

#include <xlsxwriter.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "common/date.hpp"

namespace tabel::analytics::sheet {

// ---------------------------------------------------------------------------
// CSV for Excel with Russian regional settings.

// The UTF-8 byte order mark a CSV file starts with, so that Excel reads it
// as UTF-8.
inline constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Appends fields and lines to a string: fields separated by ';', lines
// ended by CRLF, fields holding ';', '"', CR or LF quoted as RFC 4180 says
// (quotes doubled).
class CsvWriter {
 public:
  explicit CsvWriter(std::string& out) : out_(out) {}

  // A field the export made itself (labels, numbers, day cells).
  void Field(std::string_view text);
  // A field of text people typed: one starting with '=', '+', '-', '@', tab
  // or CR gets a leading apostrophe first, so that a spreadsheet never runs
  // it as a formula (OWASP's CSV injection advice).
  void Text(std::string_view text);
  void EndLine();

  // A "label;value" line of a header block; TextLine's value is text people
  // typed (see Text).
  void FieldLine(std::string_view label, std::string_view value);
  void TextLine(std::string_view label, std::string_view text);

 private:
  std::string& out_;
  bool first_ = true;
};

// Hours in tenths with a decimal comma, as Russian Excel reads numbers:
// "8", "7,5", "-0,5".
std::string CommaHours(int64_t tenths);

// Hours in tenths as a number of hours for a spreadsheet cell: 7.5.
double Hours(int64_t tenths);

// `instant` in the process time zone (which main() sets to the company's)
// as ISO 8601 with its offset: "2026-12-01T12:30:00+03:00".
std::string IsoLocalTime(std::chrono::system_clock::time_point instant);

// ---------------------------------------------------------------------------
// XLSX with libxlsxwriter 1.1.4.

// Throws tabel::Error::Internal("<what>: <detail>").
[[noreturn]] void Fail(std::string_view what, const std::string& detail);
// Fails naming `call` and the library's message unless `error` is
// LXW_NO_ERROR.
void Check(std::string_view what, lxw_error error, std::string_view call);

// A new empty file of a unique name "<stem>-XXXXXX" in `dir`, removed with
// the object, so that no file is left behind on any path. libxlsxwriter
// 1.1.4 can only write a workbook to a named file (output_buffer came in
// 1.1.5).
class TempFile {
 public:
  TempFile(const std::filesystem::path& dir, std::string_view stem, std::string_view what);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }
  // The file's bytes.
  std::string Read() const;

 private:
  std::string path_;
  std::string_view what_;
};

// A workbook in a temporary file of the system temporary directory
// (std::filesystem::temp_directory_path, which honours TMPDIR), until
// Finish() returns its bytes. workbook_close writes the file and frees the
// workbook whatever its result; a workbook left open by an exception is
// closed all the same, because only that releases the library's temporary
// files, and then its file is removed.
//
// Constant memory: each row goes to a temporary file once the next row is
// started, so a workbook of millions of cells needs memory for one row. The
// price: rows must be written in order, so no merge may span rows (a merge
// writes all its rows at once), and a row's height is set before its cells.
class Workbook {
 public:
  // `stem` names the temporary file ("tabel-t13"). Fails if there is no
  // temporary directory or the file cannot be made.
  Workbook(std::string_view what, std::string_view stem);
  ~Workbook();
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  lxw_workbook* get() const { return workbook_; }
  std::string_view what() const { return what_; }

  // The document's title, company and creation time in the file's
  // properties.
  void SetProperties(std::string title, std::string company, std::chrono::system_clock::time_point created);
  // A new worksheet named `name`, which must be a valid, unused sheet name.
  lxw_worksheet* AddWorksheet(const std::string& name);
  // Closes the workbook and returns the bytes of the .xlsx file.
  std::string Finish();

 private:
  std::string_view what_;
  std::string tmpdir_;  // outlives the workbook, which keeps the pointer
  TempFile file_;
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

// Number formats.
inline constexpr std::string_view kIntegerFormat = "0";
inline constexpr std::string_view kHoursFormat = "0.0";
inline constexpr std::string_view kMoneyFormat = "#,##0.00";  // Russian Excel shows "1 234,56"
inline constexpr std::string_view kDateFormat = "dd.mm.yyyy";

// The workbook's formats, one per distinct Style (Arial of the style's size).
class Formats {
 public:
  explicit Formats(const Workbook& workbook) : workbook_(workbook) {}

  lxw_format* Get(const Style& style);
  std::string_view what() const { return workbook_.what(); }

 private:
  const Workbook& workbook_;
  std::map<Style, lxw_format*> formats_;
};

// The writes of one worksheet, each checked.
class Sheet {
 public:
  Sheet(lxw_worksheet* sheet, Formats& formats) : sheet_(sheet), formats_(formats) {}

  lxw_worksheet* get() const { return sheet_; }
  // Fails naming `call` unless `error` is LXW_NO_ERROR.
  void Check(lxw_error error, std::string_view call) const;

  // Empty text is a blank cell of the style.
  void Text(lxw_row_t row, lxw_col_t col, std::string_view text, const Style& style);
  void Number(lxw_row_t row, lxw_col_t col, double value, const Style& style);
  void Blank(lxw_row_t row, lxw_col_t col, const Style& style);
  void DateCell(lxw_row_t row, lxw_col_t col, Date date, const Style& style);
  // Columns first..last of one row as one cell holding `text` (merges stay
  // within a row: see Workbook).
  void Merge(lxw_row_t row, lxw_col_t first, lxw_col_t last, std::string_view text, const Style& style);
  // A merged date: libxlsxwriter merges with a string, then the first cell
  // is overwritten with the number.
  void MergeDate(lxw_row_t row, lxw_col_t first, lxw_col_t last, Date date, const Style& style);
  // Must come before the row's cells (constant memory).
  void Height(lxw_row_t row, double points);
  void Width(lxw_col_t first, lxw_col_t last, double width);
  // Printing: landscape A4 with narrow margins, scaled to one page wide,
  // rows first..last repeated at the top of every page, "Страница N из M"
  // in the footer.
  void SetUpPrint(lxw_row_t first_title_row, lxw_row_t last_title_row);

 private:
  lxw_worksheet* sheet_;
  Formats& formats_;
};

}  // namespace tabel::analytics::sheet
