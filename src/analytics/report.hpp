#pragma once
// Reports for accounting, computed from T-13 rows (analytics/t13.hpp) and
// written as JSON, CSV and XLSX (analytics/report_export.hpp) from one
// model: a report is a few tables of typed columns.
//
//   hours     worked vs norm per person over the months [from, to], with a
//             table per department and a total: norm, worked time, overtime
//             (С), work on days off (РВ), absences.
//   absences  absence statistics: per department, month and absence code,
//             the people, days and hours; a table per code and a total.
//   payroll   the payroll base of one month per person: salary, norm,
//             worked hours, earned part of the salary; a table per
//             department and a total.
//
// What counts:
//   * norm — the planned time of the whole month by the person's schedule
//     and rate (MonthTotals::norm), whatever part of it he was employed;
//   * worked — the entries of codes of category kWorked (Я, Н, ВМ, УВ, ЛЧ,
//     НС); overtime (С) and work on a day off (РВ) are counted apart,
//     because they are paid on top of the salary (Labour Code art. 152,
//     153), not as a part of it;
//   * absent — the entries of codes of category kAbsence.
//   A day counts once per category: Я 8 / Н 2 is one worked day of ten hours.
//   Corrections of days of earlier, closed months that a month carries
//   (T13Row::earlier) are not in these sums (they were counted when their
//   month was closed): the hours and payroll reports list them in a table of
//   their own, "earlier", for accounting to settle.
//
// The salary is the employee's salary_kopecks as it is now (there is no
// salary history): for the full month of his rate — a 50 % employee's
// salary is the half one he is paid — so a part-time norm and a part-time
// salary go together.
//
// Earned part of the salary (EarnedKopecks): salary × worked hours / norm
// hours, in whole kopecks, rounded half up (0.5 kopeck and more goes up),
// in integer arithmetic (exact for any salary the users service accepts,
// up to 10^12 kopecks); 0 when the norm is 0. Worked hours above the norm
// are paid as they are (no cap): the accountant sees them next to the norm.
//
// Thread-safety: values and pure functions.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "analytics/t13.hpp"

namespace tabel::analytics {

enum class ReportKind : uint8_t { kHours, kAbsences, kPayroll };
enum class ReportFormat : uint8_t { kJson, kXlsx, kCsv };

std::string_view KindName(ReportKind kind);  // "hours", "absences", "payroll"
std::optional<ReportKind> ParseReportKind(std::string_view text);
std::string_view FormatName(ReportFormat format);  // "json", "xlsx", "csv"
std::optional<ReportFormat> ParseReportFormat(std::string_view text);
// The file's media type and extension.
std::string_view ContentTypeOf(ReportFormat format);

// The longest period of a report, in months.
inline constexpr int kMaxReportMonths = 12;

// What a report covers.
struct ReportSpec {
  ReportKind kind = ReportKind::kHours;
  std::optional<int64_t> department_id;  // nullopt: the whole company
  bool subtree = false;                  // with department_id
  std::chrono::year_month from{}, to{};  // inclusive; payroll: one month
};

// How a column's values are written.
enum class CellType : uint8_t {
  kText,
  kInteger,  // a count
  kHours,    // tenths of an hour: 7.5
  kMoney,    // kopecks: 1234.56 roubles
  kMonth,    // text "YYYY-MM"
};

struct Column {
  std::string_view key;    // the JSON name
  std::string_view title;  // the Russian header of CSV and XLSX
  CellType type = CellType::kText;
  double width = 12;   // XLSX column width, in characters
  bool summed = true;  // a number the total adds up (not an id, not a count of people per line)
};

// Text for kText and kMonth columns, a number for the others, or nothing
// in any column (a total's ids: null in JSON, blank in CSV and XLSX).
using Cell = std::variant<std::monostate, std::string, int64_t>;
using ReportRow = std::vector<Cell>;

struct Table {
  std::string_view key;    // the JSON name: "items", "departments", "codes"
  std::string_view title;  // the sheet's name and the CSV section's title
  std::vector<Column> columns;
  std::vector<ReportRow> rows;
  // The sums of the table ("Итого" in the first text column, nothing in
  // the other text and id columns).
  std::optional<ReportRow> total;
};

struct Report {
  ReportSpec spec;
  std::string title;         // "Отработанное время и норма", …
  std::string organization;  // the company's name
  std::string scope;  // the department's name (and "с подразделениями"), or the organization
  std::chrono::system_clock::time_point generated_at;
  std::vector<Table> tables;  // the first is the main one
};

// The earned part of a salary: see the header.
int64_t EarnedKopecks(int64_t salary_kopecks, int64_t worked_tenths, int64_t norm_tenths);

// A department as reports name it.
struct DepartmentName {
  std::string code;
  std::string name;
};
using DepartmentNames = std::unordered_map<int64_t, DepartmentName>;

// Builds a report from the T-13 rows of its people, month by month:
//
//   ReportBuilder builder(spec, departments);
//   for each month: for each row: builder.Add(month, row, salary);
//   Report report = std::move(builder).Finish();
//
// A person's lines keep only sums, so a builder holds a few hundred bytes
// per person whatever the number of months.
class ReportBuilder {
 public:
  ReportBuilder(ReportSpec spec, const DepartmentNames& departments);

  // `salary_kopecks` is read for payroll reports only.
  void Add(std::chrono::year_month month, const T13Row& row, int64_t salary_kopecks = 0);
  // The report's tables (title, organization, scope and time are the
  // caller's), people by department code then name.
  Report Finish() &&;

 private:
  // A person's sums over the months.
  struct PersonSums {
    int64_t employee_id = 0;
    std::string personnel_number, name, position;
    int64_t department_id = 0;  // of his latest month
    DaysHours norm, worked, overtime, weekend, absent;
    int64_t salary_kopecks = 0;
    bool closed = true;  // every month of his is closed
  };
  // One department's month of one absence code.
  // A day of an earlier month that a month carries.
  struct EarlierLine {
    int64_t employee_id = 0;
    std::chrono::year_month month{};  // that carries it
    Date date{};
    TimesheetDay day;
  };
  struct AbsenceSums {
    int64_t department_id = 0;
    std::chrono::year_month month{};
    CodeId code = 0;
    int64_t people = 0;
    DaysHours total;
  };

  ReportSpec spec_;
  const DepartmentNames& departments_;
  std::vector<PersonSums> people_;
  std::unordered_map<int64_t, size_t> person_index_;
  std::vector<AbsenceSums> absences_;
  std::vector<EarlierLine> earlier_;
  std::unordered_map<uint64_t, size_t> absence_index_;
};

// The report's title: "Отработанное время и норма", "Неявки", "Расчётная база оплаты труда".
std::string_view TitleOf(ReportKind kind);

}  // namespace tabel::analytics
