#pragma once
// The monthly T-13 timesheet (analytics/t13.hpp) as files for accounting:
// a flat CSV table that Russian Excel opens and sorts as it is, and an XLSX
// workbook laid out like the unified form T-13 (OKUD 0301008) for printing.
//
// Thread-safety: pure functions of the document. Concurrent calls are safe:
// each XLSX call owns its workbook and its temporary files.

#include <string>

#include "analytics/t13.hpp"

namespace tabel::analytics {

// The document as CSV for Excel with Russian regional settings: UTF-8 with
// a byte order mark, fields separated by ';', lines ended by CRLF, fields
// holding ';', '"', CR or LF quoted as RFC 4180 says (quotes doubled).
// Text that came from people (organization, department, names, positions,
// personnel numbers) and starts with '=', '+', '-', '@', tab or CR gets a
// leading apostrophe, so that a spreadsheet never runs it as a formula.
//
// Layout: a header block of "label;value" lines (organization, department,
// department code, whether subdepartments are included ("да"/"нет"), month
// "YYYY-MM", status (closed or not), generation time in the process
// (company) time zone as ISO 8601 with its offset), an empty line, then one
// table: a header row
//   №;Табельный номер;ФИО;Должность;1;…;N;Дней I половина;Часов I половина;
//   Дней II половина;Часов II половина;Дней за месяц;Часов за месяц;Неявки
// (N = the days of document.month) and one row per T13Row in order. A day
// cell is the day as the form writes it: "Я 8", "Я 7,5/С 2", "В", "ОТ"
// (an entry with 0 hours shows only its letter), empty when the person was
// not employed that day. Hours are decimals with a comma ("7,5"), as Russian
// Excel reads numbers. "Неявки" lists every absence-category code of the
// month in the order of kT13Codes with its days and, when not zero, its
// hours: "ОТ 13; Б 5; НО 2 (16)". When rows carry corrections of days of
// earlier, closed months (T13Row::earlier), an empty line, the title
// "Исправления прошлых периодов" and a table follow:
//   № строки;Табельный номер;ФИО;Дата;День
// one line per such day (the person's row number, the date ISO 8601, the day
// as above).
//
// Throws tabel::Error (kInternal) if document.month is not a valid month.
std::string T13Csv(const T13Document& document);

// The document as the bytes of an .xlsx file: one landscape A4 sheet
// "Табель", scaled to one page wide, with the form's header (form number,
// OKUD code, organization, department, reporting period, date of making)
// and its table, whose three header rows repeat on every printed page. A
// person takes four rows: day codes of days 1–15, their hours, day codes of
// days 16–end, their hours; then the days and hours worked in each half
// (the same four rows) and in the month, and the absences by code (code,
// days, hours; four codes per column group, as many groups as the busiest
// person needs, at least two). Counts and hours are numbers (hours as hours,
// 7.5; totals shown with one decimal); a day with two entries shows "Я/С"
// over "8/2" (text).
// The day numbers of weekends and holidays (document.kinds) are shaded.
// Corrections of days of earlier months, when there are any, are a second
// sheet "Исправления" with the CSV's table (the date as a date).
//
// The workbook is written with libxlsxwriter in constant-memory mode to a
// unique file in the system temporary directory (std::filesystem::
// temp_directory_path), read back and removed, on success or not.
//
// Throws tabel::Error (kInternal) if document.month is not a valid month,
// or if libxlsxwriter or the temporary file fails (its error in internal()).
std::string T13Xlsx(const T13Document& document);

}  // namespace tabel::analytics
