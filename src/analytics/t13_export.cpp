#include "analytics/t13_export.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <array>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "analytics/spreadsheet.hpp"
#include "common/error.hpp"

namespace tabel::analytics {
namespace {

using sheet::Boxed;
using sheet::CommaHours;
using sheet::CsvWriter;
using sheet::Hours;
using sheet::InBlock;
using sheet::Left;
using sheet::Right;
using sheet::Sheet;
using sheet::Style;
using sheet::WithFormat;

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

// ---------------------------------------------------------------------------
// CSV.

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
// XLSX. The workbook is written in constant memory (sheet::Workbook), so no
// merge may span rows: the form's tall cells are drawn instead as column
// blocks bordered only on the outside (InBlock); merges stay in one row.

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

constexpr std::string_view kDaysFormat = sheet::kIntegerFormat;
constexpr std::string_view kHoursFormat = sheet::kHoursFormat;
constexpr std::string_view kDateFormat = sheet::kDateFormat;
constexpr lxw_color_t kWeekendFill = 0xE4E4E4;
constexpr lxw_color_t kHolidayFill = 0xC8C8C8;

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
  sheet.SetUpPrint(header_top, header_top + kHeaderRows - 1);
  // The names stay in view while the days scroll.
  worksheet_freeze_panes(sheet.get(), 0, kColFirstDay);
}

// Corrections of days of earlier, closed months that this month carries
// (T13Row::earlier): a table after the form.
constexpr std::string_view kEarlierTitle = "Исправления прошлых периодов";
constexpr std::array<std::string_view, 5> kEarlierColumns = {"№ строки", "Табельный номер", "ФИО", "Дата",
                                                             "День"};

bool HasEarlierDays(const T13Document& document) {
  return std::any_of(document.rows.begin(), document.rows.end(),
                     [](const T13Row& row) { return !row.earlier.empty(); });
}

// f(number of the person's row, the row, the day) for every earlier day.
template <class F>
void ForEachEarlierDay(const T13Document& document, F&& f) {
  for (size_t i = 0; i < document.rows.size(); ++i) {
    for (const EarlierDay& earlier : document.rows[i].earlier) f(i + 1, document.rows[i], earlier);
  }
}

}  // namespace

std::string T13Csv(const T13Document& document) {
  const int days = DaysOf(document);
  std::string out;
  out.reserve(512 + document.rows.size() * (160 + 8 * static_cast<size_t>(days)));
  out += sheet::kBom;
  CsvWriter csv(out);

  csv.TextLine("Организация", document.organization);
  csv.TextLine("Подразделение", document.department_name);
  csv.TextLine("Код подразделения", document.department_code);
  csv.FieldLine("С подчинёнными подразделениями", document.subtree ? "да" : "нет");
  csv.FieldLine("Месяц", FormatMonth(document.month));
  csv.FieldLine("Статус", StatusText(document));
  csv.FieldLine("Сформирован", sheet::IsoLocalTime(document.generated_at));
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
  if (HasEarlierDays(document)) {
    csv.EndLine();
    csv.Field(kEarlierTitle);
    csv.EndLine();
    for (const std::string_view title : kEarlierColumns) csv.Field(title);
    csv.EndLine();
    ForEachEarlierDay(document, [&](size_t number, const T13Row& row, const EarlierDay& earlier) {
      csv.Field(std::to_string(number));
      csv.Text(row.personnel_number);
      csv.Text(row.name);
      csv.Field(FormatIsoDate(earlier.date));
      csv.Field(CsvDay(earlier.day));
      csv.EndLine();
    });
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

  sheet::Workbook workbook("T-13 XLSX", "tabel-t13");
  workbook.SetProperties("Табель учёта рабочего времени " + FormatMonth(document.month),
                         document.organization, document.generated_at);
  sheet::Formats formats(workbook);
  Sheet sheet(workbook.AddWorksheet("Табель"), formats);

  const lxw_row_t header_top = WriteFormHeader(sheet, document, last_col);
  SetUpPage(sheet, header_top, absence_groups);
  lxw_row_t row = WriteTableHeader(sheet, document, header_top, absence_groups);
  for (size_t i = 0; i < document.rows.size(); ++i) {
    WritePerson(sheet, row, i + 1, document.rows[i], days, absence_groups);
    row += kPersonRows;
  }
  WriteSignatures(sheet, row + 1);

  if (HasEarlierDays(document)) {
    Sheet earlier_sheet(workbook.AddWorksheet("Исправления"), formats);
    earlier_sheet.Text(0, 0, kEarlierTitle, Left({.size = 10, .bold = true}));
    const std::array<double, kEarlierColumns.size()> widths = {5, 14, 36, 12, 14};
    for (size_t col = 0; col < kEarlierColumns.size(); ++col) {
      earlier_sheet.Width(static_cast<lxw_col_t>(col), static_cast<lxw_col_t>(col), widths[col]);
      earlier_sheet.Text(1, static_cast<lxw_col_t>(col), kEarlierColumns[col], Boxed({.bold = true}));
    }
    lxw_row_t line = 2;
    ForEachEarlierDay(document, [&](size_t number, const T13Row& person, const EarlierDay& earlier) {
      earlier_sheet.Number(line, 0, static_cast<double>(number), kCell);
      earlier_sheet.Text(line, 1, person.personnel_number, kCell);
      earlier_sheet.Text(line, 2, person.name, Left(kCell));
      earlier_sheet.DateCell(line, 3, earlier.date, WithFormat(kCell, kDateFormat));
      earlier_sheet.Text(line, 4, CsvDay(earlier.day), kCell);
      ++line;
    });
  }

  return workbook.Finish();
}

}  // namespace tabel::analytics
