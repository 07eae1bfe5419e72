#include "analytics/report_export.hpp"

#include <xlsxwriter.h>

#include <set>
#include <string_view>
#include <variant>
#include <vector>

#include "analytics/spreadsheet.hpp"
#include "common/error.hpp"
#include "common/json_text.hpp"
#include "infra/db/timestamp.hpp"

namespace tabel::analytics {
namespace {

using sheet::Boxed;
using sheet::Left;
using sheet::Right;
using sheet::Sheet;
using sheet::Style;
using sheet::WithFormat;

// ---------------------------------------------------------------------------
// Shared by the three formats.

[[noreturn]] void Malformed(const std::string& detail) { throw Error::Internal("Report export: " + detail); }

bool IsText(CellType type) { return type == CellType::kText || type == CellType::kMonth; }
bool IsEmpty(const Cell& cell) { return std::holds_alternative<std::monostate>(cell); }

// Checks that `row` (`which`: "row 3", "total") fits the table's columns.
void CheckRow(const Table& table, const ReportRow& row, const std::string& which) {
  const std::string where = "table \"" + std::string(table.key) + "\", " + which;
  if (row.size() != table.columns.size()) {
    Malformed(where + " has " + std::to_string(row.size()) + " cells for " +
              std::to_string(table.columns.size()) + " columns");
  }
  for (size_t i = 0; i < row.size(); ++i) {
    if (IsEmpty(row[i])) continue;
    if (std::holds_alternative<std::string>(row[i]) != IsText(table.columns[i].type)) {
      Malformed(where + ", column \"" + std::string(table.columns[i].key) +
                "\": the cell's type is not the column's");
    }
  }
}

// Checks the contract of report_export.hpp, so that the writers may take
// each cell as its column's type.
void CheckReport(const Report& report) {
  if (!report.spec.from.ok() || !report.spec.to.ok()) Malformed("the report has no valid period");
  std::set<std::string_view> keys;
  for (const Table& table : report.tables) {
    if (!keys.insert(table.key).second) Malformed("two tables are keyed \"" + std::string(table.key) + '"');
    for (size_t i = 0; i < table.rows.size(); ++i)
      CheckRow(table, table.rows[i], "row " + std::to_string(i + 1));
    if (table.total) CheckRow(table, *table.total, "total");
  }
}

const std::string& TextOf(const Cell& cell) { return std::get<std::string>(cell); }
int64_t NumberOf(const Cell& cell) { return std::get<int64_t>(cell); }

// "2026-01" or "2026-01 — 2026-03".
std::string PeriodText(const ReportSpec& spec) {
  std::string text = FormatMonth(spec.from);
  if (spec.to != spec.from) text += " — " + FormatMonth(spec.to);
  return text;
}

// Kopecks as roubles with a decimal comma and two decimals, as Russian
// Excel reads numbers: "1234,56", "-0,50".
std::string CommaRoubles(int64_t kopecks) {
  const uint64_t magnitude =
      kopecks < 0 ? 0 - static_cast<uint64_t>(kopecks) : static_cast<uint64_t>(kopecks);
  std::string text = kopecks < 0 ? "-" : "";
  text += std::to_string(magnitude / 100);
  text += ',';
  text += static_cast<char>('0' + magnitude % 100 / 10);
  text += static_cast<char>('0' + magnitude % 10);
  return text;
}

size_t CellCount(const Report& report) {
  size_t cells = 0;
  for (const Table& table : report.tables) cells += (table.rows.size() + 1) * table.columns.size();
  return cells;
}

// ---------------------------------------------------------------------------
// JSON.

// {"<column key>": value, …}; `keys` holds each column's '"key":', escaped
// once per table.
void AppendObject(std::string& out, const Table& table, const std::vector<std::string>& keys,
                  const ReportRow& row) {
  out += '{';
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out += ',';
    out += keys[i];
    if (IsEmpty(row[i])) {
      out += "null";
      continue;
    }
    switch (table.columns[i].type) {
      case CellType::kText:
      case CellType::kMonth:
        AppendJsonString(out, TextOf(row[i]));
        break;
      case CellType::kHours:
        out += FormatHours(NumberOf(row[i]));
        break;
      case CellType::kInteger:
      case CellType::kMoney:
        out += std::to_string(NumberOf(row[i]));
        break;
    }
  }
  out += '}';
}

void AppendTable(std::string& out, const Table& table) {
  std::vector<std::string> keys;
  keys.reserve(table.columns.size());
  for (const Column& column : table.columns) {
    std::string& key = keys.emplace_back();
    AppendJsonString(key, column.key);
    key += ':';
  }
  out += ',';
  AppendJsonString(out, table.key);
  out += ":[";
  for (size_t i = 0; i < table.rows.size(); ++i) {
    if (i > 0) out += ',';
    AppendObject(out, table, keys, table.rows[i]);
  }
  out += ']';
  if (table.total) {
    out += ',';
    AppendJsonString(out, std::string(table.key) + "_total");
    out += ':';
    AppendObject(out, table, keys, *table.total);
  }
}

// ---------------------------------------------------------------------------
// CSV.

void CsvRow(sheet::CsvWriter& csv, const Table& table, const ReportRow& row) {
  for (size_t i = 0; i < row.size(); ++i) {
    if (IsEmpty(row[i])) {
      csv.Field("");
      continue;
    }
    switch (table.columns[i].type) {
      case CellType::kText:
        csv.Text(TextOf(row[i]));
        break;
      case CellType::kMonth:
        csv.Field(TextOf(row[i]));
        break;
      case CellType::kInteger:
        csv.Field(std::to_string(NumberOf(row[i])));
        break;
      case CellType::kHours:
        csv.Field(sheet::CommaHours(NumberOf(row[i])));
        break;
      case CellType::kMoney:
        csv.Field(CommaRoubles(NumberOf(row[i])));
        break;
    }
  }
  csv.EndLine();
}

// ---------------------------------------------------------------------------
// XLSX.

constexpr std::string_view kXlsxWhat = "Report XLSX";
constexpr size_t kMaxSheetName = 31;  // characters, as Excel allows
constexpr lxw_row_t kTitleRows = 7;   // the title block and an empty row
constexpr lxw_color_t kHeaderFill = 0xE4E4E4;

constexpr Style kTitle = {.size = 12, .bold = true, .align = LXW_ALIGN_LEFT};
constexpr Style kSubtitle = {.size = 10, .bold = true, .align = LXW_ALIGN_LEFT};
constexpr Style kLine = {.size = 9, .align = LXW_ALIGN_LEFT};
constexpr Style kHeader = Boxed({.size = 9, .bold = true, .wrap = true, .fill = kHeaderFill});
constexpr Style kBody = Boxed({.size = 9});

// How a column's cells look in the rows (and, bold, in the total).
Style CellStyle(CellType type, bool bold) {
  Style style = kBody;
  style.bold = bold;
  switch (type) {
    case CellType::kText:
      return Left(style);
    case CellType::kMonth:
      return style;
    case CellType::kInteger:
      return Right(WithFormat(style, sheet::kIntegerFormat));
    case CellType::kHours:
      return Right(WithFormat(style, sheet::kHoursFormat));
    case CellType::kMoney:
      return Right(WithFormat(style, sheet::kMoneyFormat));
  }
  return style;
}

// The characters of UTF-8 `text` (as libxlsxwriter counts them: every byte
// that does not continue a sequence).
size_t Characters(std::string_view text) {
  size_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return count;
}

// The first `count` characters of UTF-8 `text`.
std::string_view FirstCharacters(std::string_view text, size_t count) {
  size_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && seen++ == count) return text.substr(0, i);
  }
  return text;
}

// How Excel compares sheet names: ignoring case. Latin and Russian letters
// are lowered here, which covers the names reports make.
std::string NameKey(std::string_view name) {
  std::string key;
  key.reserve(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    const auto next = i + 1 < name.size() ? static_cast<unsigned char>(name[i + 1]) : 0;
    if (c >= 'A' && c <= 'Z') {
      key += static_cast<char>(c - 'A' + 'a');
    } else if (c == 0xD0 && next >= 0x90 && next <= 0x9F) {  // А–П
      key += {'\xD0', static_cast<char>(next + 0x20)};
      ++i;
    } else if (c == 0xD0 && next >= 0xA0 && next <= 0xAF) {  // Р–Я
      key += {'\xD1', static_cast<char>(next - 0x20)};
      ++i;
    } else if (c == 0xD0 && next == 0x81) {  // Ё
      key += "\xD1\x91";
      ++i;
    } else {
      key += static_cast<char>(c);
    }
  }
  return key;
}

// Excel's rules for a sheet name, met by `title`: see ReportXlsx. `used`
// holds the NameKey of the names given before.
std::string SheetName(std::string_view title, std::set<std::string>& used) {
  // The forbidden characters become spaces, and spaces are not doubled.
  std::string base;
  for (const char c : title) {
    const bool space = c == ' ' || std::string_view("[]:*?/\\").find(c) != std::string_view::npos;
    if (!space) {
      base += c;
    } else if (!base.empty() && base.back() != ' ') {
      base += ' ';
    }
  }
  // Nor may a name start or end with an apostrophe; no space ends it.
  const auto trim = [](std::string text) {
    while (!text.empty() && text.front() == '\'') text.erase(0, 1);
    while (!text.empty() && (text.back() == '\'' || text.back() == ' ')) text.pop_back();
    return text;
  };
  base = trim(std::move(base));
  if (base.empty()) base = "Лист";
  for (int number = 1;; ++number) {
    const std::string suffix = number == 1 ? "" : " (" + std::to_string(number) + ')';
    std::string name = trim(std::string(FirstCharacters(base, kMaxSheetName - Characters(suffix)))) + suffix;
    if (used.insert(NameKey(name)).second) return name;
  }
}

// One line of the title block, across the table's columns.
void TitleLine(Sheet& sheet, lxw_row_t row, lxw_col_t last_col, std::string_view text, const Style& style) {
  if (last_col == 0) {
    sheet.Text(row, 0, text, style);
  } else {
    sheet.Merge(row, 0, last_col, text, style);
  }
}

void WriteTitleBlock(Sheet& sheet, const Report& report, std::string_view table_title, lxw_col_t last_col) {
  sheet.Height(0, 18);
  TitleLine(sheet, 0, last_col, report.title, kTitle);
  TitleLine(sheet, 1, last_col, table_title, kSubtitle);
  TitleLine(sheet, 2, last_col, "Организация: " + report.organization, kLine);
  TitleLine(sheet, 3, last_col, "Подразделение: " + report.scope, kLine);
  TitleLine(sheet, 4, last_col, "Период: " + PeriodText(report.spec), kLine);
  TitleLine(sheet, 5, last_col, "Сформирован: " + sheet::IsoLocalTime(report.generated_at), kLine);
}

void WriteXlsxRow(Sheet& sheet, lxw_row_t row, const Table& table, const ReportRow& cells,
                  const std::vector<Style>& styles) {
  for (size_t i = 0; i < cells.size(); ++i) {
    const auto col = static_cast<lxw_col_t>(i);
    const Style& style = styles[i];
    if (IsEmpty(cells[i])) {
      sheet.Blank(row, col, style);
      continue;
    }
    switch (table.columns[i].type) {
      case CellType::kText:
      case CellType::kMonth:
        sheet.Text(row, col, TextOf(cells[i]), style);
        break;
      case CellType::kInteger:
        sheet.Number(row, col, static_cast<double>(NumberOf(cells[i])), style);
        break;
      case CellType::kHours:
        sheet.Number(row, col, sheet::Hours(NumberOf(cells[i])), style);
        break;
      case CellType::kMoney:
        sheet.Number(row, col, static_cast<double>(NumberOf(cells[i])) / 100.0, style);
        break;
    }
  }
}

void WriteTableSheet(Sheet& sheet, const Report& report, const Table& table) {
  if (table.columns.size() > LXW_COL_MAX) {
    sheet::Fail(kXlsxWhat, "table \"" + std::string(table.key) + "\" has more columns than a sheet");
  }
  const auto columns = static_cast<lxw_col_t>(table.columns.size());
  const lxw_col_t last_col = columns == 0 ? 0 : columns - 1;
  for (lxw_col_t col = 0; col < columns; ++col) sheet.Width(col, col, table.columns[col].width);
  WriteTitleBlock(sheet, report, table.title, last_col);

  const lxw_row_t header = kTitleRows;
  for (lxw_col_t col = 0; col < columns; ++col) sheet.Text(header, col, table.columns[col].title, kHeader);
  std::vector<Style> body, total;
  for (const Column& column : table.columns) {
    body.push_back(CellStyle(column.type, false));
    total.push_back(CellStyle(column.type, true));
  }
  lxw_row_t row = header + 1;
  for (const ReportRow& cells : table.rows) WriteXlsxRow(sheet, row++, table, cells, body);
  // The filter covers the rows only, so that sorting leaves the total last.
  sheet.Check(worksheet_autofilter(sheet.get(), header, 0, row - 1, last_col), "worksheet_autofilter");
  if (table.total) WriteXlsxRow(sheet, row, table, *table.total, total);

  worksheet_freeze_panes(sheet.get(), header + 1, 0);
  sheet.SetUpPrint(header, header);
}

}  // namespace

std::string ReportJsonText(const Report& report) {
  CheckReport(report);
  const ReportSpec& spec = report.spec;
  std::string out;
  out.reserve(1024 + CellCount(report) * 24);
  out += "{\"kind\":";
  AppendJsonString(out, KindName(spec.kind));
  out += ",\"title\":";
  AppendJsonString(out, report.title);
  out += ",\"organization\":";
  AppendJsonString(out, report.organization);
  out += ",\"scope\":";
  AppendJsonString(out, report.scope);
  out += ",\"department_id\":";
  out += spec.department_id ? std::to_string(*spec.department_id) : "null";
  out += spec.subtree ? ",\"subtree\":true" : ",\"subtree\":false";
  out += ",\"from\":\"" + FormatMonth(spec.from) + '"';
  out += ",\"to\":\"" + FormatMonth(spec.to) + '"';
  out += ",\"generated_at\":\"" + db::FormatTimestamp(report.generated_at) + '"';
  for (const Table& table : report.tables) AppendTable(out, table);
  out += '}';
  return out;
}

std::string ReportCsv(const Report& report) {
  CheckReport(report);
  std::string out;
  out.reserve(1024 + CellCount(report) * 12);
  out += sheet::kBom;
  sheet::CsvWriter csv(out);

  csv.TextLine("Отчёт", report.title);
  csv.TextLine("Организация", report.organization);
  csv.TextLine("Подразделение", report.scope);
  csv.FieldLine("Период", PeriodText(report.spec));
  csv.FieldLine("Сформирован", sheet::IsoLocalTime(report.generated_at));

  for (const Table& table : report.tables) {
    // An empty line keeps each table a region of its own for Excel's sorting.
    csv.EndLine();
    csv.Text(table.title);
    csv.EndLine();
    for (const Column& column : table.columns) csv.Field(column.title);
    csv.EndLine();
    for (const ReportRow& row : table.rows) CsvRow(csv, table, row);
    if (table.total) CsvRow(csv, table, *table.total);
  }
  return out;
}

std::string ReportXlsx(const Report& report) {
  CheckReport(report);
  sheet::Workbook workbook(kXlsxWhat, "tabel-report");
  workbook.SetProperties(report.title, report.organization, report.generated_at);
  sheet::Formats formats(workbook);
  std::set<std::string> names;
  for (const Table& table : report.tables) {
    Sheet sheet(workbook.AddWorksheet(SheetName(table.title, names)), formats);
    WriteTableSheet(sheet, report, table);
  }
  if (report.tables.empty()) {
    Sheet sheet(workbook.AddWorksheet(SheetName(report.title, names)), formats);
    WriteTitleBlock(sheet, report, "", 0);
  }
  return workbook.Finish();
}

}  // namespace tabel::analytics
