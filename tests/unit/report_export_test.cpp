// The JSON, CSV and XLSX files of a report, on a small report made by hand
// with a column of every type, a table with a total and one without.

#include "analytics/report_export.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "support/errors.hpp"
#include "support/spreadsheet_files.hpp"

namespace tabel::analytics {
namespace {

using std::chrono::January;
using std::chrono::March;
using testing::CatchError;
using testing::ParseCsv;
using testing::Part;
using testing::TempDirScope;
using testing::Unzip;
using namespace std::chrono_literals;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::vector<Column> ItemColumns() {
  return {
      {.key = "personnel_number", .title = "Табельный номер", .type = CellType::kText, .width = 10},
      {.key = "name", .title = "ФИО", .type = CellType::kText, .width = 30},
      {.key = "month", .title = "Месяц", .type = CellType::kMonth},
      {.key = "days", .title = "Дней", .type = CellType::kInteger, .width = 6},
      {.key = "worked_hours", .title = "Отработано, ч", .type = CellType::kHours},
      {.key = "earned_kopecks", .title = "Начислено, руб.", .type = CellType::kMoney, .width = 14},
  };
}

// Ivanov: 7.5 hours, 1234.56 roubles; the second one's texts look like
// formulas, and he gives back 50 kopecks.
Report Sample() {
  Report report;
  report.spec = {.kind = ReportKind::kHours, .from = 2026y / January, .to = 2026y / March};
  report.title = "Отработанное время и норма";
  report.organization = "ПАО «Банк»; головной офис";
  report.scope = "=Отдел";
  report.generated_at = std::chrono::sys_days{2026y / 4 / 1} + 9h;

  Table items{.key = "items", .title = "Сотрудники", .columns = ItemColumns()};
  items.rows.push_back({"000123", "Иванов; \"Иван\"", "2026-01", int64_t{17}, int64_t{75}, int64_t{123456}});
  items.rows.push_back({"+7", "=HYPERLINK(\"x\")", "2026-02", int64_t{0}, int64_t{80}, int64_t{-50}});
  // Nothing under the name (null in JSON), empty text under the month.
  items.total = ReportRow{"Итого", std::monostate{}, "", int64_t{17}, int64_t{155}, int64_t{123406}};
  report.tables.push_back(std::move(items));

  Table codes{.key = "codes",
              .title = "Неявки: по кодам/причинам",
              .columns = {{.key = "code", .title = "Код", .type = CellType::kText},
                          {.key = "days", .title = "Дней", .type = CellType::kInteger}}};
  codes.rows.push_back({"ОТ", int64_t{5}});
  report.tables.push_back(std::move(codes));
  return report;
}

// A report of one money and one hours column, one row per value.
Report Numbers(const std::vector<std::pair<int64_t, int64_t>>& kopecks_and_tenths) {
  Report report = Sample();
  report.tables.clear();
  Table table{.key = "items",
              .title = "Числа",
              .columns = {{.key = "sum_kopecks", .title = "Сумма", .type = CellType::kMoney},
                          {.key = "hours", .title = "Часы", .type = CellType::kHours}}};
  for (const auto& [kopecks, tenths] : kopecks_and_tenths) table.rows.push_back({kopecks, tenths});
  report.tables.push_back(std::move(table));
  return report;
}

// ---------------------------------------------------------------------------
// JSON.

TEST(ReportJson, HasTheHeaderThenEachTableAndItsTotal) {
  const nlohmann::json json = nlohmann::json::parse(ReportJsonText(Sample()));
  EXPECT_EQ(json["kind"], "hours");
  EXPECT_EQ(json["title"], "Отработанное время и норма");
  EXPECT_EQ(json["organization"], "ПАО «Банк»; головной офис");
  EXPECT_EQ(json["scope"], "=Отдел");
  ASSERT_TRUE(json.contains("department_id"));
  EXPECT_TRUE(json["department_id"].is_null());
  EXPECT_EQ(json["subtree"], false);
  EXPECT_EQ(json["from"], "2026-01");
  EXPECT_EQ(json["to"], "2026-03");
  EXPECT_EQ(json["generated_at"], "2026-04-01T09:00:00.000000Z");

  ASSERT_EQ(json["items"].size(), 2u);
  EXPECT_EQ(json["items"][0],
            nlohmann::json::parse(R"({"personnel_number": "000123", "name": "Иванов; \"Иван\"",
      "month": "2026-01", "days": 17, "worked_hours": 7.5, "earned_kopecks": 123456})"));
  const nlohmann::json& second = json["items"][1];
  EXPECT_EQ(second["personnel_number"], "+7");
  EXPECT_EQ(second["name"], "=HYPERLINK(\"x\")");
  EXPECT_EQ(second["days"], 0);
  EXPECT_EQ(second["worked_hours"].get<double>(), 8.0);
  EXPECT_TRUE(second["earned_kopecks"].is_number_integer());
  EXPECT_EQ(second["earned_kopecks"].get<int64_t>(), -50);
  EXPECT_EQ(json["items_total"],
            nlohmann::json::parse(R"({"personnel_number": "Итого", "name": null, "month": "",
      "days": 17, "worked_hours": 15.5, "earned_kopecks": 123406})"));

  EXPECT_EQ(json["codes"], nlohmann::json::parse(R"([{"code": "ОТ", "days": 5}])"));
  EXPECT_FALSE(json.contains("codes_total"));
  EXPECT_EQ(json.size(), 12u);
}

TEST(ReportJson, WritesHoursWithOneDecimalAtMostAndMoneyInKopecks) {
  const std::string text =
      ReportJsonText(Numbers({{0, 0}, {5, -5}, {-123456, 240}, {std::numeric_limits<int64_t>::min(), -75}}));
  EXPECT_TRUE(text.ends_with(R"(,"items":[{"sum_kopecks":0,"hours":0},{"sum_kopecks":5,"hours":-0.5},)"
                             R"({"sum_kopecks":-123456,"hours":24},)"
                             R"({"sum_kopecks":-9223372036854775808,"hours":-7.5}]})"))
      << text;
  EXPECT_FALSE(nlohmann::json::parse(text, nullptr, false).is_discarded());
}

TEST(ReportJson, ADepartmentIsItsId) {
  Report report = Sample();
  report.spec.department_id = 42;
  report.spec.subtree = true;
  const std::string text = ReportJsonText(report);
  EXPECT_NE(text.find(R"("department_id":42,"subtree":true,)"), std::string::npos) << text;
}

// ---------------------------------------------------------------------------
// CSV.

TEST(ReportCsv, HasTheHeaderBlockThenEachTable) {
  const std::string csv = ReportCsv(Sample());
  ASSERT_TRUE(csv.starts_with(kBom));
  const auto records = ParseCsv(std::string_view(csv).substr(kBom.size()));
  ASSERT_EQ(records.size(), 15u);
  EXPECT_EQ(records[0], (std::vector<std::string>{"Отчёт", "Отработанное время и норма"}));
  EXPECT_EQ(records[1], (std::vector<std::string>{"Организация", "ПАО «Банк»; головной офис"}));
  EXPECT_EQ(records[2], (std::vector<std::string>{"Подразделение", "'=Отдел"}));
  EXPECT_EQ(records[3], (std::vector<std::string>{"Период", "2026-01 — 2026-03"}));
  EXPECT_EQ(records[4][0], "Сформирован");
  EXPECT_TRUE(records[4][1].starts_with("2026-04-01T")) << records[4][1];
  EXPECT_EQ(records[5], (std::vector<std::string>{""}));
  EXPECT_EQ(records[6], (std::vector<std::string>{"Сотрудники"}));
  EXPECT_EQ(records[7], (std::vector<std::string>{"Табельный номер", "ФИО", "Месяц", "Дней", "Отработано, ч",
                                                  "Начислено, руб."}));
  EXPECT_EQ(records[8],
            (std::vector<std::string>{"000123", "Иванов; \"Иван\"", "2026-01", "17", "7,5", "1234,56"}));
  EXPECT_EQ(records[9],
            (std::vector<std::string>{"'+7", "'=HYPERLINK(\"x\")", "2026-02", "0", "8", "-0,50"}));
  EXPECT_EQ(records[10], (std::vector<std::string>{"Итого", "", "", "17", "15,5", "1234,06"}));
  EXPECT_EQ(records[11], (std::vector<std::string>{""}));
  EXPECT_EQ(records[12], (std::vector<std::string>{"Неявки: по кодам/причинам"}));
  EXPECT_EQ(records[13], (std::vector<std::string>{"Код", "Дней"}));
  EXPECT_EQ(records[14], (std::vector<std::string>{"ОТ", "5"}));
}

TEST(ReportCsv, IsTheBytesExcelReads) {
  const std::string csv = ReportCsv(Sample());
  const std::string_view expected_start =
      "\xEF\xBB\xBF"
      "Отчёт;Отработанное время и норма\r\n"
      "Организация;\"ПАО «Банк»; головной офис\"\r\n"
      "Подразделение;'=Отдел\r\n"
      "Период;2026-01 — 2026-03\r\n"
      "Сформирован;2026-04-01T";
  EXPECT_TRUE(csv.starts_with(expected_start)) << csv;
  EXPECT_NE(csv.find("\r\n\r\n"
                     "Сотрудники\r\n"
                     "Табельный номер;ФИО;Месяц;Дней;Отработано, ч;Начислено, руб.\r\n"
                     "000123;\"Иванов; \"\"Иван\"\"\";2026-01;17;7,5;1234,56\r\n"
                     "'+7;\"'=HYPERLINK(\"\"x\"\")\";2026-02;0;8;-0,50\r\n"
                     "Итого;;;17;15,5;1234,06\r\n"
                     "\r\n"
                     "Неявки: по кодам/причинам\r\n"
                     "Код;Дней\r\n"
                     "ОТ;5\r\n"),
            std::string::npos)
      << csv;
  EXPECT_TRUE(csv.ends_with("ОТ;5\r\n"));
}

TEST(ReportCsv, WritesMoneyAsRoublesAndHoursWithADecimalComma) {
  Report report = Numbers({{0, 0}, {5, -5}, {-123456, 240}, {std::numeric_limits<int64_t>::min(), -75}});
  report.spec.from = report.spec.to;
  const std::string csv = ReportCsv(report);
  EXPECT_NE(csv.find("Период;2026-03\r\n"), std::string::npos) << csv;
  EXPECT_TRUE(
      csv.ends_with("\r\nСумма;Часы\r\n"
                    "0,00;0\r\n"
                    "0,05;-0,5\r\n"
                    "-1234,56;24\r\n"
                    "-92233720368547758,08;-7,5\r\n"))
      << csv;
}

// ---------------------------------------------------------------------------
// XLSX.

// The style index ("s") of cell `ref` in a sheet's XML, or -1.
int StyleOf(const std::string& sheet, std::string_view ref) {
  const std::string start = "<c r=\"" + std::string(ref) + "\" s=\"";
  const size_t at = sheet.find(start);
  if (at == std::string::npos) return -1;
  return std::stoi(sheet.substr(at + start.size()));
}

// Whether cell format `index` of styles.xml has a bold font.
bool IsBold(const std::string& styles, int index) {
  const auto nth = [](std::string_view text, std::string_view open, int n) -> std::string_view {
    size_t at = 0;
    for (int i = 0; i <= n; ++i) {
      at = text.find(open, i == 0 ? 0 : at + 1);
      if (at == std::string_view::npos) return {};
    }
    return text.substr(at, text.find('>', at) - at + 1);
  };
  const std::string_view xfs = std::string_view(styles).substr(styles.find("<cellXfs"));
  const std::string_view xf = nth(xfs, "<xf ", index);
  const size_t font_at = xf.find("fontId=\"");
  if (font_at == std::string_view::npos) return false;
  const int font_id = std::stoi(std::string(xf.substr(font_at + 8)));
  const std::string_view fonts = std::string_view(styles).substr(styles.find("<fonts"));
  const size_t font = [&] {
    size_t at = 0;
    for (int i = 0; i <= font_id; ++i) at = fonts.find("<font>", i == 0 ? 0 : at + 1);
    return at;
  }();
  return font != std::string_view::npos &&
         fonts.substr(font, fonts.find("</font>", font) - font).find("<b/>") != std::string_view::npos;
}

TEST(ReportXlsx, IsAZipWithASheetPerTableAndLeavesNoTemporaryFile) {
  const TempDirScope tmp;
  const std::string xlsx = ReportXlsx(Sample());
  EXPECT_TRUE(tmp.Empty());
  EXPECT_EQ(xlsx.substr(0, 4), std::string("PK\x03\x04", 4));
  const auto parts = Unzip(xlsx);
  ASSERT_TRUE(parts.has_value());

  const std::string workbook = Part(*parts, "xl/workbook.xml");
  EXPECT_NE(workbook.find("<sheet name=\"Сотрудники\" sheetId=\"1\""), std::string::npos) << workbook;
  EXPECT_NE(workbook.find("<sheet name=\"Неявки по кодам причинам\" sheetId=\"2\""), std::string::npos)
      << workbook;
  // The header row (8) on every printed page, the filter over rows 8–10.
  EXPECT_NE(workbook.find(">'Сотрудники'!$8:$8<"), std::string::npos) << workbook;
  EXPECT_NE(workbook.find("_xlnm._FilterDatabase"), std::string::npos) << workbook;

  const std::string items = Part(*parts, "xl/worksheets/sheet1.xml");
  for (const char* text : {"Отработанное время и норма", "Организация: ПАО «Банк»; головной офис",
                           "Подразделение: =Отдел", "Период: 2026-01 — 2026-03", "Сформирован: 2026-04-01T",
                           "Табельный номер", "Начислено, руб.", "Иванов; \"Иван\"", "Итого"}) {
    EXPECT_NE(items.find(text), std::string::npos) << text;
  }
  EXPECT_NE(items.find("<autoFilter ref=\"A8:F10\"/>"), std::string::npos) << items;
  EXPECT_NE(items.find("<pane ySplit=\"8\" topLeftCell=\"A9\" activePane=\"bottomLeft\" state=\"frozen\"/>"),
            std::string::npos)
      << items;
  testing::ExpectLandscapeA4OnePageWide(items);
  EXPECT_NE(items.find("<col min=\"2\" max=\"2\" width=\"30.7109375\""), std::string::npos) << items;

  const std::string codes = Part(*parts, "xl/worksheets/sheet2.xml");
  EXPECT_NE(codes.find("<autoFilter ref=\"A8:B9\"/>"), std::string::npos) << codes;
  EXPECT_NE(codes.find("\"><v>5</v></c></row>"), std::string::npos) << codes;
}

TEST(ReportXlsx, WritesNumbersAsNumbersAndTheTotalInBold) {
  const TempDirScope tmp;
  const auto parts = Unzip(ReportXlsx(Sample()));
  ASSERT_TRUE(parts.has_value());
  const std::string sheet = Part(*parts, "xl/worksheets/sheet1.xml");
  // Row 9: 17 days, 7.5 hours, 1234.56 roubles; row 10: 8 hours, -0.5
  // roubles; row 11, the total: 15.5 hours, 1234.06 roubles.
  EXPECT_NE(sheet.find("\"><v>17</v></c><c r=\"E9\" s=\""), std::string::npos) << sheet;
  EXPECT_NE(sheet.find("\"><v>7.5</v></c><c r=\"F9\" s=\""), std::string::npos);
  EXPECT_NE(sheet.find("\"><v>1234.56</v></c></row>"), std::string::npos);
  EXPECT_NE(sheet.find("\"><v>8</v></c><c r=\"F10\" s=\""), std::string::npos);
  EXPECT_NE(sheet.find("\"><v>-0.5</v></c></row>"), std::string::npos);
  EXPECT_NE(sheet.find("\"><v>15.5</v></c><c r=\"F11\" s=\""), std::string::npos);
  EXPECT_NE(sheet.find("\"><v>1234.06</v></c></row>"), std::string::npos);
  // The month is text.
  EXPECT_NE(sheet.find("<c r=\"C9\" s=\""), std::string::npos);
  EXPECT_NE(sheet.find("t=\"inlineStr\"><is><t>2026-01</t></is></c>"), std::string::npos) << sheet;

  const std::string styles = Part(*parts, "xl/styles.xml");
  EXPECT_NE(styles.find("formatCode=\"0.0\""), std::string::npos) << styles;
  EXPECT_NE(styles.find("formatCode=\"#,##0.00\""), std::string::npos) << styles;
  EXPECT_TRUE(IsBold(styles, StyleOf(sheet, "A8")));  // the header
  EXPECT_FALSE(IsBold(styles, StyleOf(sheet, "A9")));
  EXPECT_FALSE(IsBold(styles, StyleOf(sheet, "F10")));
  EXPECT_TRUE(IsBold(styles, StyleOf(sheet, "A11")));
  EXPECT_TRUE(IsBold(styles, StyleOf(sheet, "F11")));
}

TEST(ReportXlsx, NamesSheetsAsExcelAllows) {
  const TempDirScope tmp;
  Report report = Sample();
  const Table codes = report.tables[1];
  report.tables.clear();
  for (const std::string_view title :
       {"Отдел расчётов и платёжных систем головного офиса",
        "ОТДЕЛ РАСЧЁТОВ И ПЛАТЁЖНЫХ СИСТЕМ ГОЛОВНОГО ОФИСА", "[Архив]*", "'Кавычки'", "?", "лист"}) {
    report.tables.push_back(codes);
    report.tables.back().key = title;
    report.tables.back().title = title;
  }
  const auto parts = Unzip(ReportXlsx(report));
  ASSERT_TRUE(parts.has_value());
  const std::string workbook = Part(*parts, "xl/workbook.xml");
  for (const char* name : {"Отдел расчётов и платёжных сист", "ОТДЕЛ РАСЧЁТОВ И ПЛАТЁЖНЫХ (2)", "Архив",
                           "Кавычки", "Лист", "лист (2)"}) {
    EXPECT_NE(workbook.find("<sheet name=\"" + std::string(name) + "\" sheetId="), std::string::npos)
        << name << '\n'
        << workbook;
  }
}

TEST(ReportXlsx, ALibraryErrorNamesTheExportAndLeavesNoFile) {
  const TempDirScope tmp;
  Report report = Sample();
  report.tables[0].rows[0][1] = std::string(40'000, 'x');  // beyond Excel's 32,767 characters a cell
  const Error error = CatchError([&] { ReportXlsx(report); });
  EXPECT_EQ(error.kind(), ErrorKind::kInternal);
  EXPECT_TRUE(error.internal().starts_with("Report XLSX: worksheet_write_string: ")) << error.internal();
  EXPECT_TRUE(tmp.Empty());
}

// ---------------------------------------------------------------------------
// A malformed report.

TEST(ReportExport, AMalformedReportIsAnInternalErrorNamingTheCell) {
  Report report = Sample();
  report.tables[0].rows[1][4] = std::string("8");
  for (const auto& write : {ReportJsonText, ReportCsv, ReportXlsx}) {
    const Error error = CatchError([&] { write(report); });
    EXPECT_EQ(error.kind(), ErrorKind::kInternal);
    EXPECT_EQ(error.internal(),
              "Report export: table \"items\", row 2, column \"worked_hours\": the cell's type is not the "
              "column's");
  }

  report = Sample();
  report.tables[1].rows[0].pop_back();
  EXPECT_EQ(CatchError([&] { ReportCsv(report); }).internal(),
            "Report export: table \"codes\", row 1 has 1 cells for 2 columns");
  report = Sample();
  report.tables[0].total->push_back(int64_t{1});
  EXPECT_EQ(CatchError([&] { ReportCsv(report); }).internal(),
            "Report export: table \"items\", total has 7 cells for 6 columns");
  report = Sample();
  report.tables[1].key = "items";
  EXPECT_EQ(CatchError([&] { ReportJsonText(report); }).internal(),
            "Report export: two tables are keyed \"items\"");
  report = Sample();
  report.spec.to = {};
  EXPECT_EQ(CatchError([&] { ReportXlsx(report); }).internal(),
            "Report export: the report has no valid period");
}

}  // namespace
}  // namespace tabel::analytics
