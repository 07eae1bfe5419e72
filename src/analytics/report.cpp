#include "analytics/report.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

#include "common/error.hpp"

namespace tabel::analytics {
namespace {

using std::chrono::year_month;

constexpr std::array<std::string_view, 3> kKindNames = {"hours", "absences", "payroll"};
constexpr std::array<std::string_view, 3> kFormatNames = {"json", "xlsx", "csv"};

// The days and hours of a row's entries of one category: a day counts once.
DaysHours CategorySum(const T13Row& row, CodeCategory category) {
  DaysHours sum;
  for (const TimesheetDay& day : row.days) {
    bool counted = false;
    for (const DayEntry& entry : day.Entries()) {
      if (CodeInfo(entry.code).category != category) continue;
      sum.hours_tenths += entry.hours_tenths;
      if (!std::exchange(counted, true)) ++sum.days;
    }
  }
  return sum;
}

// "Я 8 / С 2", "Б": a day as the T-13 writes it.
std::string DayText(const TimesheetDay& day) {
  std::string text;
  for (const DayEntry& entry : day.Entries()) {
    if (!text.empty()) text += " / ";
    text += CodeInfo(entry.code).letter;
    if (entry.hours_tenths != 0) text += " " + FormatHours(entry.hours_tenths);
  }
  return text;
}

void AddTo(DaysHours& sum, const DaysHours& more) {
  sum.days += more.days;
  sum.hours_tenths += more.hours_tenths;
}

// Columns shared by the tables.
constexpr Column kEmployeeId{"employee_id", "ID сотрудника", CellType::kInteger, 10, false};
constexpr Column kPersonnelNumber{"personnel_number", "Табельный номер", CellType::kText, 12};
constexpr Column kName{"name", "ФИО", CellType::kText, 32};
constexpr Column kPosition{"position", "Должность", CellType::kText, 28};
constexpr Column kDepartmentId{"department_id", "ID подразделения", CellType::kInteger, 10, false};
constexpr Column kDepartmentCode{"department_code", "Код подразделения", CellType::kText, 12};
constexpr Column kDepartment{"department", "Подразделение", CellType::kText, 32};
constexpr Column kPeople{"people", "Человек", CellType::kInteger, 9};
constexpr Column kNormDays{"norm_days", "Норма, дней", CellType::kInteger, 9};
constexpr Column kNormHours{"norm_hours", "Норма, часов", CellType::kHours, 9};
constexpr Column kWorkedDays{"worked_days", "Отработано, дней", CellType::kInteger, 11};
constexpr Column kWorkedHours{"worked_hours", "Отработано, часов", CellType::kHours, 11};
constexpr Column kDifference{"difference_hours", "Отклонение от нормы, часов", CellType::kHours, 12};
constexpr Column kOvertime{"overtime_hours", "Сверхурочно (С), часов", CellType::kHours, 12};
constexpr Column kWeekendDays{"weekend_work_days", "В выходные (РВ), дней", CellType::kInteger, 11};
constexpr Column kWeekendHours{"weekend_work_hours", "В выходные (РВ), часов", CellType::kHours, 11};
constexpr Column kAbsenceDays{"absence_days", "Неявки, дней", CellType::kInteger, 9};
constexpr Column kAbsenceHours{"absence_hours", "Неявки, часов", CellType::kHours, 9};
constexpr Column kSalary{"salary_kopecks", "Оклад, руб.", CellType::kMoney, 14};
constexpr Column kEarned{"earned_kopecks", "Начислено по окладу, руб.", CellType::kMoney, 14};
constexpr Column kClosed{"closed", "Месяц закрыт", CellType::kText, 9};
constexpr Column kMonth{"month", "Месяц", CellType::kMonth, 9};
constexpr Column kCode{"code", "Код", CellType::kText, 6};
constexpr Column kCodeNumber{"code_number", "Цифровой код", CellType::kText, 8};
constexpr Column kCodeName{"code_name", "Вид неявки", CellType::kText, 40};
constexpr Column kDays{"days", "Дней", CellType::kInteger, 9};
// People with the code in the department's month: one person counts in
// several lines, so the lines are not added up.
constexpr Column kAbsencePeople{"people", "Человек", CellType::kInteger, 9, false};
constexpr Column kDate{"date", "Дата", CellType::kText, 11};
constexpr Column kDay{"day", "День", CellType::kText, 12};
constexpr Column kHours{"hours", "Часов", CellType::kHours, 9};

// The sum of every summed column of `rows`, "Итого" in the first text
// column and nothing elsewhere.
ReportRow TotalOf(const std::vector<Column>& columns, const std::vector<ReportRow>& rows) {
  ReportRow total;
  bool labelled = false;
  for (size_t c = 0; c < columns.size(); ++c) {
    const Column& column = columns[c];
    const bool id = !column.summed;
    if (column.type == CellType::kText || column.type == CellType::kMonth || id) {
      if (!labelled && !id) {
        total.emplace_back(std::string("Итого"));
        labelled = true;
      } else {
        total.emplace_back(std::monostate{});
      }
      continue;
    }
    int64_t sum = 0;
    for (const ReportRow& row : rows) sum += std::get<int64_t>(row[c]);
    total.emplace_back(sum);
  }
  return total;
}

Table MakeTable(std::string_view key, std::string_view title, std::vector<Column> columns,
                std::vector<ReportRow> rows) {
  Table table{key, title, std::move(columns), std::move(rows), std::nullopt};
  table.total = TotalOf(table.columns, table.rows);
  return table;
}

}  // namespace

std::string_view KindName(ReportKind kind) { return kKindNames.at(static_cast<size_t>(kind)); }

std::optional<ReportKind> ParseReportKind(std::string_view text) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == text) return static_cast<ReportKind>(i);
  }
  return std::nullopt;
}

std::string_view FormatName(ReportFormat format) { return kFormatNames.at(static_cast<size_t>(format)); }

std::optional<ReportFormat> ParseReportFormat(std::string_view text) {
  for (size_t i = 0; i < kFormatNames.size(); ++i) {
    if (kFormatNames[i] == text) return static_cast<ReportFormat>(i);
  }
  return std::nullopt;
}

std::string_view ContentTypeOf(ReportFormat format) {
  switch (format) {
    case ReportFormat::kXlsx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case ReportFormat::kCsv:
      return "text/csv; charset=utf-8";
    case ReportFormat::kJson:
      break;
  }
  return "application/json";
}

std::string_view TitleOf(ReportKind kind) {
  switch (kind) {
    case ReportKind::kAbsences:
      return "Неявки по видам, подразделениям и месяцам";
    case ReportKind::kPayroll:
      return "Расчётная база оплаты труда";
    case ReportKind::kHours:
      break;
  }
  return "Отработанное время и норма";
}

int64_t EarnedKopecks(int64_t salary_kopecks, int64_t worked_tenths, int64_t norm_tenths) {
  if (norm_tenths <= 0 || salary_kopecks <= 0 || worked_tenths <= 0) return 0;
  // Half up: floor((2·s·w + n) / 2n). A salary of 10^11 kopecks times 7,440
  // tenths (a month of 24-hour days) stays far below 2^63.
  return (2 * salary_kopecks * worked_tenths + norm_tenths) / (2 * norm_tenths);
}

ReportBuilder::ReportBuilder(ReportSpec spec, const DepartmentNames& departments)
    : spec_(spec), departments_(departments) {}

void ReportBuilder::Add(year_month month, const T13Row& row, int64_t salary_kopecks) {
  const auto [found, added] = person_index_.try_emplace(row.employee_id, people_.size());
  if (added) {
    people_.emplace_back();
    people_.back().employee_id = row.employee_id;
  }
  PersonSums& person = people_[found->second];
  person.personnel_number = row.personnel_number;
  person.name = row.name;
  person.position = row.position;
  person.department_id = row.department_id;
  person.salary_kopecks = salary_kopecks;
  person.closed = person.closed && row.closed;
  AddTo(person.norm, row.totals.norm);
  AddTo(person.worked, CategorySum(row, CodeCategory::kWorked));
  AddTo(person.absent, CategorySum(row, CodeCategory::kAbsence));
  AddTo(person.overtime, row.totals.by_code[kCodeOvertime]);
  AddTo(person.weekend, row.totals.by_code[kCodeWeekendWork]);
  for (const EarlierDay& earlier : row.earlier)
    earlier_.push_back({row.employee_id, month, earlier.date, earlier.day});

  if (spec_.kind != ReportKind::kAbsences) return;
  const auto month_index = static_cast<uint64_t>(static_cast<int>(month.year()) * 12 +
                                                 static_cast<int>(static_cast<unsigned>(month.month())));
  for (size_t index = 0; index < kT13Codes.size(); ++index) {
    const auto code = static_cast<CodeId>(index);
    const DaysHours& sum = row.totals.by_code[code];
    if (CodeInfo(code).category != CodeCategory::kAbsence || sum.days == 0) continue;
    // (department, month, code) as one key of separate bits: the code in
    // 8, the month (year × 12 + month < 2^15) in 16, the department above.
    const uint64_t key = (static_cast<uint64_t>(row.department_id) << 24) | (month_index << 8) | code;
    const auto [at, fresh] = absence_index_.try_emplace(key, absences_.size());
    if (fresh) absences_.push_back({row.department_id, month, code, 0, {}});
    AbsenceSums& absence = absences_[at->second];
    ++absence.people;
    AddTo(absence.total, sum);
  }
}

Report ReportBuilder::Finish() && {
  const auto department_of = [&](int64_t id) -> const DepartmentName& {
    static const DepartmentName kUnknown{"", "—"};
    const auto found = departments_.find(id);
    return found == departments_.end() ? kUnknown : found->second;
  };
  std::sort(people_.begin(), people_.end(), [&](const PersonSums& a, const PersonSums& b) {
    return std::forward_as_tuple(department_of(a.department_id).code, a.department_id, a.name,
                                 a.employee_id) <
           std::forward_as_tuple(department_of(b.department_id).code, b.department_id, b.name, b.employee_id);
  });
  Report report;
  report.spec = spec_;
  report.title = std::string(TitleOf(spec_.kind));

  if (spec_.kind == ReportKind::kAbsences) {
    std::sort(absences_.begin(), absences_.end(), [&](const AbsenceSums& a, const AbsenceSums& b) {
      return std::forward_as_tuple(department_of(a.department_id).code, a.department_id, a.month, a.code) <
             std::forward_as_tuple(department_of(b.department_id).code, b.department_id, b.month, b.code);
    });
    std::vector<ReportRow> rows;
    rows.reserve(absences_.size());
    std::map<CodeId, DaysHours> by_code;
    for (const AbsenceSums& a : absences_) {
      const DepartmentName& department = department_of(a.department_id);
      const T13Code& code = CodeInfo(a.code);
      rows.push_back({a.department_id, department.code, department.name, FormatMonth(a.month),
                      std::string(code.letter), std::string(code.number), std::string(code.name), a.people,
                      int64_t{a.total.days}, a.total.hours_tenths});
      AddTo(by_code[a.code], a.total);
    }
    report.tables.push_back(MakeTable("items", "Неявки",
                                      {kDepartmentId, kDepartmentCode, kDepartment, kMonth, kCode,
                                       kCodeNumber, kCodeName, kAbsencePeople, kDays, kHours},
                                      std::move(rows)));
    std::vector<ReportRow> codes;
    for (const auto& [id, sum] : by_code) {
      const T13Code& code = CodeInfo(id);
      codes.push_back({std::string(code.letter), std::string(code.number), std::string(code.name),
                       int64_t{sum.days}, sum.hours_tenths});
    }
    report.tables.push_back(MakeTable("codes", "По видам неявок",
                                      {kCode, kCodeNumber, kCodeName, kDays, kHours}, std::move(codes)));
    return report;
  }

  const bool payroll = spec_.kind == ReportKind::kPayroll;
  std::vector<ReportRow> rows;
  rows.reserve(people_.size());
  // Per department, in the order of people: their sums.
  std::vector<std::pair<int64_t, ReportRow>> departments;
  std::vector<Column> department_columns = {kDepartmentId, kDepartmentCode, kDepartment, kPeople};
  std::vector<Column> columns = {kEmployeeId,   kPersonnelNumber, kName,      kPosition,
                                 kDepartmentId, kDepartmentCode,  kDepartment};
  if (payroll) {
    columns.insert(columns.end(), {kSalary, kNormDays, kNormHours, kWorkedDays, kWorkedHours, kEarned,
                                   kOvertime, kWeekendHours, kClosed});
    department_columns.insert(department_columns.end(),
                              {kSalary, kNormHours, kWorkedHours, kEarned, kOvertime, kWeekendHours});
  } else {
    columns.insert(columns.end(), {kNormDays, kNormHours, kWorkedDays, kWorkedHours, kDifference, kOvertime,
                                   kWeekendDays, kWeekendHours, kAbsenceDays, kAbsenceHours});
    department_columns.insert(department_columns.end(), {kNormHours, kWorkedHours, kDifference, kOvertime,
                                                         kWeekendHours, kAbsenceDays});
  }
  for (const PersonSums& p : people_) {
    const DepartmentName& department = department_of(p.department_id);
    ReportRow row = {p.employee_id,   p.personnel_number, p.name,         p.position,
                     p.department_id, department.code,    department.name};
    ReportRow sums;
    if (payroll) {
      const int64_t earned = EarnedKopecks(p.salary_kopecks, p.worked.hours_tenths, p.norm.hours_tenths);
      row.insert(row.end(), {p.salary_kopecks, int64_t{p.norm.days}, p.norm.hours_tenths,
                             int64_t{p.worked.days}, p.worked.hours_tenths, earned, p.overtime.hours_tenths,
                             p.weekend.hours_tenths, std::string(p.closed ? "да" : "нет")});
      sums = {p.salary_kopecks, p.norm.hours_tenths,     p.worked.hours_tenths,
              earned,           p.overtime.hours_tenths, p.weekend.hours_tenths};
    } else {
      const int64_t difference = p.worked.hours_tenths - p.norm.hours_tenths;
      row.insert(row.end(),
                 {int64_t{p.norm.days}, p.norm.hours_tenths, int64_t{p.worked.days}, p.worked.hours_tenths,
                  difference, p.overtime.hours_tenths, int64_t{p.weekend.days}, p.weekend.hours_tenths,
                  int64_t{p.absent.days}, p.absent.hours_tenths});
      sums = {p.norm.hours_tenths,     p.worked.hours_tenths,  difference,
              p.overtime.hours_tenths, p.weekend.hours_tenths, int64_t{p.absent.days}};
    }
    rows.push_back(std::move(row));
    if (departments.empty() || departments.back().first != p.department_id) {
      ReportRow head = {p.department_id, department.code, department.name, int64_t{0}};
      head.resize(head.size() + sums.size(), int64_t{0});
      departments.emplace_back(p.department_id, std::move(head));
    }
    ReportRow& sum = departments.back().second;
    std::get<int64_t>(sum[3]) += 1;
    for (size_t i = 0; i < sums.size(); ++i) std::get<int64_t>(sum[4 + i]) += std::get<int64_t>(sums[i]);
  }
  report.tables.push_back(
      MakeTable("items", payroll ? "Расчётная база" : "Сотрудники", std::move(columns), std::move(rows)));
  std::vector<ReportRow> department_rows;
  department_rows.reserve(departments.size());
  for (auto& [id, row] : departments) department_rows.push_back(std::move(row));
  report.tables.push_back(
      MakeTable("departments", "Подразделения", std::move(department_columns), std::move(department_rows)));

  // Corrections of earlier months, by person as above, then date.
  std::unordered_map<int64_t, size_t> order;
  for (size_t i = 0; i < people_.size(); ++i) order.emplace(people_[i].employee_id, i);
  std::stable_sort(earlier_.begin(), earlier_.end(), [&](const EarlierLine& a, const EarlierLine& b) {
    return std::tie(order[a.employee_id], a.date) < std::tie(order[b.employee_id], b.date);
  });
  std::vector<ReportRow> earlier_rows;
  earlier_rows.reserve(earlier_.size());
  for (const EarlierLine& line : earlier_) {
    const PersonSums& p = people_[order[line.employee_id]];
    int64_t worked = 0;
    for (const DayEntry& entry : line.day.Entries()) {
      if (CodeInfo(entry.code).category == CodeCategory::kWorked) worked += entry.hours_tenths;
    }
    earlier_rows.push_back({p.employee_id, p.personnel_number, p.name, FormatMonth(line.month),
                            FormatIsoDate(line.date), DayText(line.day), worked});
  }
  constexpr Column kCarriedBy{"month", "Учтено в месяце", CellType::kMonth, 10};
  constexpr Column kEarlierWorked{"worked_hours", "Отработано по исправлению, часов", CellType::kHours, 12};
  report.tables.push_back(
      MakeTable("earlier", "Исправления прошлых периодов",
                {kEmployeeId, kPersonnelNumber, kName, kCarriedBy, kDate, kDay, kEarlierWorked},
                std::move(earlier_rows)));
  return report;
}

}  // namespace tabel::analytics
