#pragma once
// Reports for accounting (analytics/report.hpp) as files: JSON for the web
// client, a CSV that Russian Excel opens as it is, and an XLSX workbook of a
// sheet per table for printing.
//
// All three write a table's cells by its columns' types:
//
//   type      JSON                     CSV              XLSX
//   kText     string                   text (*)         text
//   kMonth    string "YYYY-MM"         "YYYY-MM"        text "YYYY-MM"
//   kInteger  integer                  "12"             number, format "0"
//   kHours    hours, ≤ 1 decimal: 7.5  "7,5"            hours 7.5, format "0.0"
//   kMoney    integer kopecks: 123456  roubles "1234,56" roubles 1234.56, format "#,##0.00"
//
// (*) Text that came from people and starts with '=', '+', '-', '@', tab or
// CR gets a leading apostrophe in CSV, so that a spreadsheet never runs it
// as a formula.
//
// A report must be well formed: every row and total of a table has a cell
// per column, text in kText and kMonth columns, a number in the others, or
// nothing (std::monostate: null in JSON, an empty field in CSV, a blank cell
// in XLSX) in any; the tables' keys are distinct; spec.from and spec.to are valid months. The
// functions throw tabel::Error (kInternal, naming the table, row and column
// in internal()) for a report that is not — a bug of its builder.
//
// Thread-safety: pure functions of the report (the times are written in the
// process time zone, which main() sets to the company's). Concurrent calls
// are safe: each XLSX call owns its workbook and its temporary files.

#include <string>

#include "analytics/report.hpp"

namespace tabel::analytics {

// The report as JSON text, written without a tree (a whole-company report
// has tens of thousands of rows):
//
//   {"kind": "hours", "title", "organization", "scope",
//    "department_id": 7 or null (the whole company), "subtree": false,
//    "from": "2026-01", "to": "2026-03",
//    "generated_at": "2026-04-01T09:00:00.000000Z" (UTC, as db::FormatTimestamp),
//    "<table key>": [{"<column key>": value, …}, …],   per table, in order
//    "<table key>_total": {"<column key>": value, …}}  for a table with a total
std::string ReportJsonText(const Report& report);

// The report as CSV for Excel with Russian regional settings: UTF-8 with a
// byte order mark, fields separated by ';', lines ended by CRLF, fields
// holding ';', '"', CR or LF quoted as RFC 4180 says (quotes doubled).
//
// Layout: a header block of "label;value" lines
//   Отчёт;<title>
//   Организация;<organization>
//   Подразделение;<scope>
//   Период;2026-01 — 2026-03      (one month: 2026-01)
//   Сформирован;2026-04-01T12:00:00+03:00   (the process time zone)
// an empty line, then each table: a line with its title, a line of its
// column titles, its rows, its total row if any; tables are parted by an
// empty line.
std::string ReportCsv(const Report& report);

// The report as the bytes of an .xlsx file: a worksheet per table, named
// by the table's title (characters Excel forbids in a sheet name, []:*?/\,
// become spaces, runs of spaces one space, with no space or apostrophe at
// either end; cut to 31 characters; "Лист" if nothing is left; a name met
// before, ignoring case, gets " (2)", " (3)", …). Each sheet: a title block (the report's title,
// the table's title, organization, scope, period, generation time), then
// the table: a bold header row of the column titles, repeated at the top of
// every printed page, with the panes frozen under it and an autofilter over
// the header and rows; the rows; the total row in bold. Columns are
// Column::width characters wide. Printed on landscape A4 scaled to one page
// wide.
//
// The workbook is written with libxlsxwriter in constant-memory mode (a
// table of 25,000 rows × 15 columns needs memory for one row) to a unique
// file in the system temporary directory, read back and removed, on
// success or not.
//
// Throws tabel::Error (kInternal) if libxlsxwriter or the temporary file
// fails (its error in internal(), prefixed "Report XLSX").
std::string ReportXlsx(const Report& report);

}  // namespace tabel::analytics
