#pragma once
// The monthly T-13 timesheet of a department as a document: what the JSON,
// CSV and XLSX forms all show (analytics/t13_export.hpp writes the last two).
// Thread-safety: values.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analytics/engine.hpp"

namespace tabel::analytics {

// A correction of a day of an earlier month, closed before it was made:
// the month whose timesheet carries it pays the difference.
struct EarlierDay {
  Date date{};
  TimesheetDay day;
};

// One person's row of the form.
struct T13Row {
  int64_t employee_id = 0;
  std::string personnel_number;
  std::string name;  // "Фамилия Имя Отчество"
  std::string position;
  int64_t department_id = 0;
  std::vector<TimesheetDay> days;  // one per day of the month
  MonthTotals totals;
  // Whether the row is the frozen snapshot of a closed month.
  bool closed = false;
  std::vector<EarlierDay> earlier;
};

struct T13Document {
  std::string organization;  // the company's name, for the form's header
  int64_t department_id = 0;
  std::string department_name;
  std::string department_code;
  bool subtree = false;
  std::chrono::year_month month{};
  // The production calendar's (federal) kind of every day, for the header.
  std::vector<calendar::DayKind> kinds;
  std::vector<T13Row> rows;  // by name
  // Every row is from a closed month's snapshot.
  bool closed = false;
  std::chrono::system_clock::time_point generated_at;
};

// "2026-11".
std::string FormatMonth(std::chrono::year_month month);
// Parses exactly "YYYY-MM" within the product's years; nullopt otherwise.
std::optional<std::chrono::year_month> ParseMonth(std::string_view text);
// A month read back from the database: Error (kInternal) naming `column`
// when it is malformed.
std::chrono::year_month ParseStoredMonth(std::string_view text, std::string_view column);

// Hours in tenths as the form writes them: "8", "7.5", "0"; "-0.5" (a
// difference of hours).
std::string FormatHours(int64_t tenths);

}  // namespace tabel::analytics
