// The CSV and XLSX files of the T-13 timesheet, on a November 2026 document
// made by the timesheet engine (30 days; 3 November is shortened to 7 hours,
// 4 November is a holiday).
//
// An .xlsx is a zip of XML parts; the tests read the parts back
// (support/spreadsheet_files.hpp) to check what the sheet says.

#include "analytics/t13_export.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "support/spreadsheet_files.hpp"

namespace tabel::analytics {
namespace {

using std::chrono::November;
using testing::ParseCsv;
using testing::Part;
using testing::TempDirScope;
using testing::Unzip;
using namespace std::chrono_literals;

constexpr std::chrono::year_month kNovember{2026y / November};

Date D(const char* text) { return *ParseIsoDate(text); }

const calendar::ProductionCalendar& Shipped() {
  static const calendar::ProductionCalendar calendar = calendar::ProductionCalendar::Embedded();
  return calendar;
}

std::vector<calendar::DayKind> Kinds() {
  std::vector<calendar::DayKind> kinds;
  for (Date day = FirstDay(kNovember); day <= LastDay(kNovember); day += std::chrono::days{1}) {
    kinds.push_back(Shipped().KindOf(day, std::nullopt));
  }
  return kinds;
}

ActivityInput Activity(const char* letter, ActivityRule rule, const char* first, const char* last,
                       int32_t hours_tenths = 0) {
  return {CodeOf(letter), rule, D(first), D(last), hours_tenths};
}

T13Row Person(std::string number, std::string name, std::string position, const char* hired, int rate_percent,
              const std::vector<ActivityInput>& activities) {
  const std::vector<calendar::DayKind> kinds = Kinds();
  PersonMonthInput input;
  input.hire_date = D(hired);
  input.rate_percent = rate_percent;
  input.kinds = kinds;
  input.activities = activities;
  T13Row row;
  row.personnel_number = std::move(number);
  row.name = std::move(name);
  row.position = std::move(position);
  row.days.assign(kinds.size(), {});
  ComputeMonth(input, kNovember, row.days);
  row.totals = Summarize(row.days, NormOf(input, kNovember));
  return row;
}

T13Document EmptyDocument() {
  T13Document document;
  document.organization = "ПАО «Банк»; головной офис";
  document.department_id = 7;
  document.department_name = "Отдел расчётов";
  document.department_code = "0420";
  document.month = kNovember;
  document.kinds = Kinds();
  document.generated_at = std::chrono::sys_days{2026y / 12 / 1} + 9h;
  return document;
}

// Ivanov: full time, 2 hours of overtime on the 11th, leave on 16–20, sick
// on 23–27. Petrov: half time from the 2nd. The third one's texts look like
// formulas.
T13Document Document() {
  T13Document document = EmptyDocument();
  document.rows.push_back(Person("000123", "Иванов Иван Иванович", "Экономист", "2015-03-02", 100,
                                 {Activity("С", ActivityRule::kOvertime, "2026-11-11", "2026-11-11", 20),
                                  Activity("ОТ", ActivityRule::kLeaveDays, "2026-11-16", "2026-11-20"),
                                  Activity("Б", ActivityRule::kCalendarDays, "2026-11-23", "2026-11-27")}));
  document.rows.push_back(Person("000124", "Петров; \"Пётр\"", "Кассир", "2026-11-02", 50, {}));
  document.rows.push_back(Person("+7", "=HYPERLINK(\"http://evil\")", "@SUM(A1)", "2015-03-02", 100, {}));
  return document;
}

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kHeaderBlockLines = 8;  // seven "label;value" lines and an empty one
constexpr size_t kColumns = 4 + 30 + 7;

// The field of day `day` in a person's record.
size_t DayField(int day) { return 3 + static_cast<size_t>(day); }

TEST(T13ExportCsv, StartsWithTheBomAndHasTheHeaderBlockThenOneTable) {
  const std::string csv = T13Csv(Document());
  ASSERT_TRUE(csv.starts_with(kBom));
  const auto records = ParseCsv(std::string_view(csv).substr(kBom.size()));
  ASSERT_EQ(records.size(), kHeaderBlockLines + 1 + 3);
  EXPECT_EQ(records[0], (std::vector<std::string>{"Организация", "ПАО «Банк»; головной офис"}));
  EXPECT_EQ(records[1], (std::vector<std::string>{"Подразделение", "Отдел расчётов"}));
  EXPECT_EQ(records[2], (std::vector<std::string>{"Код подразделения", "0420"}));
  EXPECT_EQ(records[4], (std::vector<std::string>{"Месяц", "2026-11"}));
  EXPECT_EQ(records[5], (std::vector<std::string>{"Статус", "месяц не закрыт, данные предварительные"}));
  EXPECT_EQ(records[6][0], "Сформирован");
  EXPECT_TRUE(records[6][1].starts_with("2026-12-01T")) << records[6][1];
  EXPECT_EQ(records[7], (std::vector<std::string>{""}));

  const std::vector<std::string>& header = records[kHeaderBlockLines];
  ASSERT_EQ(header.size(), kColumns);
  EXPECT_EQ(header[0], "№");
  EXPECT_EQ(header[1], "Табельный номер");
  EXPECT_EQ(header[2], "ФИО");
  EXPECT_EQ(header[3], "Должность");
  EXPECT_EQ(header[DayField(1)], "1");
  EXPECT_EQ(header[DayField(30)], "30");
  EXPECT_EQ(header[34], "Дней I половина");
  EXPECT_EQ(header[39], "Часов за месяц");
  EXPECT_EQ(header[40], "Неявки");
  for (size_t i = kHeaderBlockLines; i < records.size(); ++i) EXPECT_EQ(records[i].size(), kColumns) << i;
}

TEST(T13ExportCsv, WritesDaysAsTheFormAndTotalsWithADecimalComma) {
  const auto records = ParseCsv(std::string_view(T13Csv(Document())).substr(kBom.size()));
  const std::vector<std::string>& ivanov = records[kHeaderBlockLines + 1];
  EXPECT_EQ(ivanov[0], "1");
  EXPECT_EQ(ivanov[1], "000123");
  EXPECT_EQ(ivanov[2], "Иванов Иван Иванович");
  EXPECT_EQ(ivanov[3], "Экономист");
  EXPECT_EQ(ivanov[DayField(1)], "В");  // Sunday
  EXPECT_EQ(ivanov[DayField(2)], "Я 8");
  EXPECT_EQ(ivanov[DayField(3)], "Я 7");
  EXPECT_EQ(ivanov[DayField(4)], "В");  // National Unity Day
  EXPECT_EQ(ivanov[DayField(11)], "Я 8/С 2");
  EXPECT_EQ(ivanov[DayField(16)], "ОТ");
  EXPECT_EQ(ivanov[DayField(23)], "Б");
  EXPECT_EQ(ivanov[DayField(30)], "Я 8");
  // Days 1–15: nine working days, 8 × 8 + 7 hours, and 2 of overtime;
  // days 16–30: only the 30th.
  EXPECT_EQ((std::vector<std::string>(ivanov.begin() + 34, ivanov.end())),
            (std::vector<std::string>{"9", "73", "1", "8", "10", "81", "ОТ 5; Б 5"}));

  const std::vector<std::string>& petrov = records[kHeaderBlockLines + 2];
  EXPECT_EQ(petrov[DayField(1)], "");  // not yet employed
  EXPECT_EQ(petrov[DayField(2)], "Я 4");
  EXPECT_EQ(petrov[DayField(3)], "Я 3,5");
  EXPECT_EQ((std::vector<std::string>(petrov.begin() + 34, petrov.end())),
            (std::vector<std::string>{"9", "35,5", "11", "44", "20", "79,5", ""}));
}

TEST(T13ExportCsv, QuotesFieldsAsRfc4180Says) {
  const std::string csv = T13Csv(Document());
  EXPECT_NE(csv.find("\r\n2;000124;\"Петров; \"\"Пётр\"\"\";Кассир;;Я 4;Я 3,5;"), std::string::npos);
  EXPECT_NE(csv.find("Организация;\"ПАО «Банк»; головной офис\"\r\n"), std::string::npos);
  EXPECT_NE(csv.find(";\"ОТ 5; Б 5\"\r\n"), std::string::npos);
  const auto records = ParseCsv(std::string_view(csv).substr(kBom.size()));
  EXPECT_EQ(records[kHeaderBlockLines + 2][2], "Петров; \"Пётр\"");
}

TEST(T13ExportCsv, NeutralisesTextThatLooksLikeAFormula) {
  const std::string csv = T13Csv(Document());
  const auto records = ParseCsv(std::string_view(csv).substr(kBom.size()));
  const std::vector<std::string>& third = records[kHeaderBlockLines + 3];
  EXPECT_EQ(third[1], "'+7");
  EXPECT_EQ(third[2], "'=HYPERLINK(\"http://evil\")");
  EXPECT_EQ(third[3], "'@SUM(A1)");
  EXPECT_NE(csv.find("\r\n3;'+7;\"'=HYPERLINK(\"\"http://evil\"\")\";'@SUM(A1);"), std::string::npos);

  T13Document document = EmptyDocument();
  document.organization = "-1+1";
  document.department_name = "\tTab";
  document.department_code = "\rx";
  const auto block = ParseCsv(std::string_view(T13Csv(document)).substr(kBom.size()));
  EXPECT_EQ(block[0][1], "'-1+1");
  EXPECT_EQ(block[1][1], "'\tTab");
  EXPECT_EQ(block[2][1], "'\rx");
}

// Ivanov's row carries a sick day of October, closed before it was known.
T13Document WithAnEarlierDay() {
  T13Document document = Document();
  TimesheetDay sick;
  sick.entries[0] = {CodeOf("Б"), 0};
  sick.count = 1;
  sick.corrected = true;
  document.rows[0].earlier.push_back({*ParseIsoDate("2026-10-14"), sick});
  return document;
}

TEST(T13ExportCsv, ListsTheCorrectionsOfEarlierMonthsAfterTheTable) {
  EXPECT_EQ(T13Csv(Document()).find("Исправления прошлых периодов"), std::string::npos);
  const auto records = ParseCsv(std::string_view(T13Csv(WithAnEarlierDay())).substr(kBom.size()));
  ASSERT_EQ(records.size(), kHeaderBlockLines + 1 + 3 + 4);
  const size_t after = kHeaderBlockLines + 1 + 3;
  EXPECT_EQ(records[after], (std::vector<std::string>{""}));
  EXPECT_EQ(records[after + 1], (std::vector<std::string>{"Исправления прошлых периодов"}));
  EXPECT_EQ(records[after + 2],
            (std::vector<std::string>{"№ строки", "Табельный номер", "ФИО", "Дата", "День"}));
  EXPECT_EQ(records[after + 3],
            (std::vector<std::string>{"1", "000123", "Иванов Иван Иванович", "2026-10-14", "Б"}));
}

TEST(T13ExportCsv, AnEmptyDocumentIsTheHeaderOnly) {
  T13Document document = EmptyDocument();
  document.closed = true;
  const std::string csv = T13Csv(document);
  ASSERT_TRUE(csv.starts_with(kBom));
  const auto records = ParseCsv(std::string_view(csv).substr(kBom.size()));
  ASSERT_EQ(records.size(), kHeaderBlockLines + 1);
  EXPECT_EQ(records[5][1], "месяц закрыт");
  EXPECT_EQ(records.back().size(), kColumns);
}

TEST(T13ExportCsv, ADocumentWithoutAMonthIsAnInternalError) {
  T13Document document = EmptyDocument();
  document.month = {};
  try {
    T13Csv(document);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kInternal);
  }
}

TEST(T13ExportXlsx, IsAZipOfTheWorkbookAndLeavesNoTemporaryFile) {
  const TempDirScope tmp;
  const std::string xlsx = T13Xlsx(Document());
  EXPECT_TRUE(tmp.Empty());
  ASSERT_GT(xlsx.size(), 1000u);
  EXPECT_EQ(xlsx.substr(0, 4), std::string("PK\x03\x04", 4));
  EXPECT_NE(xlsx.find("xl/worksheets/sheet1.xml"), std::string::npos);

  const auto parts = Unzip(xlsx);
  ASSERT_TRUE(parts.has_value());
  const std::string sheet = Part(*parts, "xl/worksheets/sheet1.xml");
  for (const char* text :
       {"ТАБЕЛЬ УЧЁТА РАБОЧЕГО ВРЕМЕНИ", "0301008", "ПАО «Банк»; головной офис", "Отдел расчётов, код 0420",
        "за ноябрь 2026 г.", "Иванов Иван Иванович", "Экономист", "000123", "Петров; \"Пётр\"", "Я/С", "8/2",
        "ОТ", "Б", "половину месяца (I, II)", "Неявки по причинам"}) {
    EXPECT_NE(sheet.find(text), std::string::npos) << text;
  }
  // Printing: landscape A4, one page wide, the table's header on every page.
  EXPECT_NE(sheet.find("<pageSetup paperSize=\"9\""), std::string::npos);
  EXPECT_NE(sheet.find("orientation=\"landscape\""), std::string::npos);
  EXPECT_NE(sheet.find("fitToHeight=\"0\""), std::string::npos);
  EXPECT_NE(sheet.find("<pageSetUpPr fitToPage=\"1\"/>"), std::string::npos);
  EXPECT_NE(sheet.find("<mergeCell ref="), std::string::npos);
  const std::string workbook = Part(*parts, "xl/workbook.xml");
  EXPECT_NE(workbook.find("_xlnm.Print_Titles"), std::string::npos);
  EXPECT_NE(workbook.find("'Табель'!$13:$15"), std::string::npos) << workbook;
}

TEST(T13ExportXlsx, ListsTheCorrectionsOfEarlierMonthsOnASheetOfTheirOwn) {
  const auto plain = Unzip(T13Xlsx(Document()));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(Part(*plain, "xl/workbook.xml").find("Исправления"), std::string::npos);

  const auto parts = Unzip(T13Xlsx(WithAnEarlierDay()));
  ASSERT_TRUE(parts.has_value());
  EXPECT_NE(Part(*parts, "xl/workbook.xml").find("name=\"Исправления\""), std::string::npos);
  const std::string sheet = Part(*parts, "xl/worksheets/sheet2.xml");
  for (const char* text :
       {"Исправления прошлых периодов", "Табельный номер", "000123", "Иванов Иван Иванович"}) {
    EXPECT_NE(sheet.find(text), std::string::npos) << text;
  }
  EXPECT_NE(sheet.find(">Б<"), std::string::npos);
  // The date as a date: 14 October 2026 is day 46309 of Excel's calendar.
  EXPECT_NE(sheet.find("<v>46309</v>"), std::string::npos) << sheet;
}

TEST(T13ExportXlsx, WritesCountsAndHoursAsNumbers) {
  const TempDirScope tmp;
  const auto parts = Unzip(T13Xlsx(Document()));
  ASSERT_TRUE(parts.has_value());
  const std::string sheet = Part(*parts, "xl/worksheets/sheet1.xml");
  // Ivanov's block starts on row 16: the month's days and hours in U and
  // V, 3 November's 7 hours under its code, the first half's 73 hours.
  EXPECT_NE(sheet.find("<c r=\"U16\" s=\""), std::string::npos);
  EXPECT_NE(sheet.find("\"><v>10</v></c><c r=\"V16\""), std::string::npos);
  EXPECT_NE(sheet.find("<c r=\"V16\" s=\""), std::string::npos);
  EXPECT_NE(sheet.find("\"><v>81</v></c>"), std::string::npos);
  EXPECT_NE(sheet.find("<c r=\"F17\" s=\""), std::string::npos);
  EXPECT_NE(sheet.find("\"><v>7</v></c><c r=\"G17\""), std::string::npos);
  EXPECT_NE(sheet.find("\"><v>73</v></c><c r=\"U17\""), std::string::npos);
  // Petrov's 35.5 hours in the first half (row 21, column T).
  EXPECT_NE(sheet.find("\"><v>35.5</v></c><c r=\"U21\""), std::string::npos);
}

TEST(T13ExportXlsx, AnEmptyDocumentIsTheFormWithoutRows) {
  const TempDirScope tmp;
  const std::string xlsx = T13Xlsx(EmptyDocument());
  EXPECT_TRUE(tmp.Empty());
  EXPECT_EQ(xlsx.substr(0, 4), std::string("PK\x03\x04", 4));
  const auto parts = Unzip(xlsx);
  ASSERT_TRUE(parts.has_value());
  const std::string sheet = Part(*parts, "xl/worksheets/sheet1.xml");
  EXPECT_NE(sheet.find("ТАБЕЛЬ УЧЁТА РАБОЧЕГО ВРЕМЕНИ"), std::string::npos);
  EXPECT_NE(sheet.find("Ответственное лицо"), std::string::npos);
}

TEST(T13ExportXlsx, ALibraryErrorIsAnInternalErrorAndLeavesNoFile) {
  const TempDirScope tmp;
  T13Document document = Document();
  document.rows[0].name.assign(40'000, 'x');  // beyond Excel's 32,767 characters a cell
  try {
    T13Xlsx(document);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kInternal);
    EXPECT_NE(error.internal().find("worksheet_write_string"), std::string::npos) << error.internal();
  }
  EXPECT_TRUE(tmp.Empty());
}

TEST(T13ExportXlsx, AMissingTemporaryFolderIsAnInternalError) {
  const char* old = std::getenv("TMPDIR");
  const std::optional<std::string> saved = old != nullptr ? std::optional<std::string>(old) : std::nullopt;
  setenv("TMPDIR", "/nonexistent/tabel-t13-test", 1);
  try {
    T13Xlsx(Document());
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kInternal);
  }
  if (saved) {
    setenv("TMPDIR", saved->c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
}

}  // namespace
}  // namespace tabel::analytics
