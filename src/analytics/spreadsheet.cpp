#include "analytics/spreadsheet.hpp"

#include <unistd.h>  // close, unlink

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>  // mkstemp
#include <ctime>
#include <fstream>
#include <system_error>
#include <utility>

#include "analytics/t13.hpp"
#include "common/error.hpp"

namespace tabel::analytics::sheet {
namespace {

constexpr std::string_view kLineEnd = "\r\n";
constexpr char kSeparator = ';';
constexpr uint8_t kPaperA4 = 9;

// The system temporary directory, or a failure naming `what`.
std::string TemporaryDirectory(std::string_view what) {
  std::error_code error;
  std::filesystem::path dir = std::filesystem::temp_directory_path(error);
  if (error) Fail(what, "no temporary directory: " + error.message());
  return dir.string();
}

}  // namespace

void CsvWriter::Field(std::string_view text) {
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

void CsvWriter::Text(std::string_view text) {
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
    Field("'" + std::string(text));
  } else {
    Field(text);
  }
}

void CsvWriter::EndLine() {
  out_ += kLineEnd;
  first_ = true;
}

void CsvWriter::FieldLine(std::string_view label, std::string_view value) {
  Field(label);
  Field(value);
  EndLine();
}

void CsvWriter::TextLine(std::string_view label, std::string_view text) {
  Field(label);
  Text(text);
  EndLine();
}

std::string CommaHours(int64_t tenths) {
  std::string text = FormatHours(tenths);
  std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

double Hours(int64_t tenths) { return static_cast<double>(tenths) / 10.0; }

std::string IsoLocalTime(std::chrono::system_clock::time_point instant) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(instant);
  std::tm local{};
  localtime_r(&seconds, &local);
  const long offset = local.tm_gmtoff / 60;
  const long magnitude = offset < 0 ? -offset : offset;
  std::array<char, 48> text{};
  std::snprintf(text.data(), text.size(), "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", local.tm_year + 1900,
                local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec,
                offset < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
  return text.data();
}

void Fail(std::string_view what, const std::string& detail) {
  throw Error::Internal(std::string(what) + ": " + detail);
}

void Check(std::string_view what, lxw_error error, std::string_view call) {
  if (error != LXW_NO_ERROR) Fail(what, std::string(call) + ": " + lxw_strerror(error));
}

TempFile::TempFile(const std::filesystem::path& dir, std::string_view stem, std::string_view what)
    : path_((dir / (std::string(stem) + "-XXXXXX")).string()), what_(what) {
  const int fd = ::mkstemp(path_.data());
  if (fd < 0) {
    const std::error_code error(errno, std::generic_category());
    Fail(what_, "mkstemp in " + dir.string() + ": " + error.message());
  }
  ::close(fd);
}

TempFile::~TempFile() { ::unlink(path_.c_str()); }

std::string TempFile::Read() const {
  std::ifstream in(path_, std::ios::binary | std::ios::ate);
  if (!in) Fail(what_, "cannot open " + path_);
  const std::streamoff size = in.tellg();
  if (size < 0) Fail(what_, "cannot size " + path_);
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) Fail(what_, "cannot read " + path_);
  return bytes;
}

Workbook::Workbook(std::string_view what, std::string_view stem)
    : what_(what), tmpdir_(TemporaryDirectory(what)), file_(tmpdir_, stem, what) {
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = tmpdir_.data();
  workbook_ = workbook_new_opt(file_.path().c_str(), &options);
  if (workbook_ == nullptr) Fail(what_, "workbook_new_opt failed");
}

Workbook::~Workbook() {
  if (workbook_ != nullptr) workbook_close(workbook_);
}

void Workbook::SetProperties(std::string title, std::string company,
                             std::chrono::system_clock::time_point created) {
  // The library copies the texts, through non-const pointers.
  lxw_doc_properties properties{};
  properties.title = title.data();
  properties.company = company.data();
  properties.created = std::chrono::system_clock::to_time_t(created);
  Check(what_, workbook_set_properties(workbook_, &properties), "workbook_set_properties");
}

lxw_worksheet* Workbook::AddWorksheet(const std::string& name) {
  lxw_worksheet* worksheet = workbook_add_worksheet(workbook_, name.c_str());
  if (worksheet == nullptr) Fail(what_, "workbook_add_worksheet failed for \"" + name + '"');
  return worksheet;
}

std::string Workbook::Finish() {
  Check(what_, workbook_close(std::exchange(workbook_, nullptr)), "workbook_close");
  return file_.Read();
}

lxw_format* Formats::Get(const Style& style) {
  const auto found = formats_.find(style);
  if (found != formats_.end()) return found->second;
  lxw_format* format = workbook_add_format(workbook_.get());
  if (format == nullptr) Fail(what(), "workbook_add_format failed");
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

void Sheet::Check(lxw_error error, std::string_view call) const {
  sheet::Check(formats_.what(), error, call);
}

void Sheet::Text(lxw_row_t row, lxw_col_t col, std::string_view text, const Style& style) {
  if (text.empty()) {
    Blank(row, col, style);
    return;
  }
  Check(worksheet_write_string(sheet_, row, col, std::string(text).c_str(), formats_.Get(style)),
        "worksheet_write_string");
}

void Sheet::Number(lxw_row_t row, lxw_col_t col, double value, const Style& style) {
  Check(worksheet_write_number(sheet_, row, col, value, formats_.Get(style)), "worksheet_write_number");
}

void Sheet::Blank(lxw_row_t row, lxw_col_t col, const Style& style) {
  Check(worksheet_write_blank(sheet_, row, col, formats_.Get(style)), "worksheet_write_blank");
}

void Sheet::DateCell(lxw_row_t row, lxw_col_t col, Date date, const Style& style) {
  const std::chrono::year_month_day ymd(date);
  lxw_datetime datetime{};
  datetime.year = static_cast<int>(ymd.year());
  datetime.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  datetime.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  Check(worksheet_write_datetime(sheet_, row, col, &datetime, formats_.Get(style)),
        "worksheet_write_datetime");
}

void Sheet::Merge(lxw_row_t row, lxw_col_t first, lxw_col_t last, std::string_view text, const Style& style) {
  Check(worksheet_merge_range(sheet_, row, first, row, last, std::string(text).c_str(), formats_.Get(style)),
        "worksheet_merge_range");
}

void Sheet::MergeDate(lxw_row_t row, lxw_col_t first, lxw_col_t last, Date date, const Style& style) {
  Merge(row, first, last, "", style);
  DateCell(row, first, date, style);
}

void Sheet::Height(lxw_row_t row, double points) {
  Check(worksheet_set_row(sheet_, row, points, nullptr), "worksheet_set_row");
}

void Sheet::Width(lxw_col_t first, lxw_col_t last, double width) {
  Check(worksheet_set_column(sheet_, first, last, width, nullptr), "worksheet_set_column");
}

void Sheet::SetUpPrint(lxw_row_t first_title_row, lxw_row_t last_title_row) {
  worksheet_set_landscape(sheet_);
  worksheet_set_paper(sheet_, kPaperA4);
  worksheet_set_margins(sheet_, 0.3, 0.3, 0.4, 0.5);
  worksheet_fit_to_pages(sheet_, 1, 0);
  Check(worksheet_repeat_rows(sheet_, first_title_row, last_title_row), "worksheet_repeat_rows");
  Check(worksheet_set_footer(sheet_, "&CСтраница &P из &N"), "worksheet_set_footer");
}

}  // namespace tabel::analytics::sheet
