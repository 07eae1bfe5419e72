// The production calendar: the shipped years against their published
// figures, the kind of particular days, norms that add up, data files that
// must be refused, and hr's edits laid over them (federal and regional)
// with the norms they change, computed by hand.

#include "calendar/production_calendar.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "calendar/json.hpp"
#include "common/embedded.hpp"
#include "common/error.hpp"

namespace tabel::calendar {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

Date D(const char* text) { return *ParseIsoDate(text); }

const ProductionCalendar& Shipped() {
  static const ProductionCalendar calendar = ProductionCalendar::Embedded();
  return calendar;
}

std::string EmbeddedText(int year) {
  const auto text = embedded::Find("data/calendar/ru/" + std::to_string(year) + ".json");
  if (!text) throw std::runtime_error("no embedded calendar for " + std::to_string(year));
  return std::string(*text);
}

// `text` with its first `from` replaced by `to`.
std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("\"" + from + "\" not in the text");
  return text.replace(at, from.size(), to);
}

// The message ParseCalendarYear refuses `text` with ("" if it accepts it).
std::string Refusal(const std::string& text) {
  try {
    ParseCalendarYear(text, "test.json");
  } catch (const CalendarDataError& error) {
    return error.what();
  }
  return "";
}

TEST(ProductionCalendar, ShipsTheYears2024To2026) {
  EXPECT_EQ(Shipped().Years(), (std::vector<int>{2024, 2025, 2026}));
}

TEST(ProductionCalendar, Years2025And2026Have247WorkingDaysAnd1972HoursAt40) {
  for (const int year : {2025, 2026}) {
    const Norms& norms = Shipped().Year(year).year_norms();
    EXPECT_EQ(norms.ForWeek(40).days, 247) << year;
    EXPECT_EQ(norms.ForWeek(40).hours_tenths, 19720) << year;
    EXPECT_EQ(norms.ForWeek(36).hours_tenths, 17744) << year;
    EXPECT_EQ(norms.ForWeek(24).hours_tenths, 11816) << year;
  }
}

TEST(ProductionCalendar, Year2024Has248WorkingDaysAnd1979HoursAt40) {
  const Norms& norms = Shipped().Year(2024).year_norms();
  EXPECT_EQ(norms.ForWeek(40).days, 248);
  EXPECT_EQ(norms.ForWeek(40).hours_tenths, 19790);
  EXPECT_EQ(norms.ForWeek(36).hours_tenths, 17806);
  EXPECT_EQ(norms.ForWeek(24).hours_tenths, 11854);
}

TEST(ProductionCalendar, QuartersOf2026AreThePublishedOnes) {
  const auto& quarters = Shipped().Year(2026).quarter_norms();
  const int days[] = {55, 62, 66, 64};
  const int64_t forty[] = {4400, 4930, 5280, 5110};
  const int64_t thirty_six[] = {3960, 4434, 4752, 4598};
  for (size_t q = 0; q < 4; ++q) {
    EXPECT_EQ(quarters[q].ForWeek(40).days, days[q]) << q + 1;
    EXPECT_EQ(quarters[q].ForWeek(40).hours_tenths, forty[q]) << q + 1;
    EXPECT_EQ(quarters[q].ForWeek(36).hours_tenths, thirty_six[q]) << q + 1;
  }
}

TEST(ProductionCalendar, MonthsAndQuartersAddUpToTheYear) {
  for (const int year : Shipped().Years()) {
    const CalendarYear& data = Shipped().Year(year);
    for (const int week : kWeekHours) {
      Norm months;
      for (const Norms& month : data.month_norms()) {
        months.days += month.ForWeek(week).days;
        months.hours_tenths += month.ForWeek(week).hours_tenths;
      }
      Norm quarters;
      for (const Norms& quarter : data.quarter_norms()) {
        quarters.days += quarter.ForWeek(week).days;
        quarters.hours_tenths += quarter.ForWeek(week).hours_tenths;
      }
      EXPECT_EQ(months, data.year_norms().ForWeek(week)) << year << " " << week;
      EXPECT_EQ(quarters, data.year_norms().ForWeek(week)) << year << " " << week;
    }
  }
}

TEST(ProductionCalendar, MonthlyNormsOf2025) {
  const auto& months = Shipped().Year(2025).month_norms();
  EXPECT_EQ(months[0].ForWeek(40), (Norm{17, 1360}));   // January: 1–8 off
  EXPECT_EQ(months[2].ForWeek(40), (Norm{21, 1670}));   // March: 7th shortened
  EXPECT_EQ(months[4].ForWeek(40), (Norm{18, 1440}));   // May: 1–4 and 8–11 off
  EXPECT_EQ(months[10].ForWeek(40), (Norm{19, 1510}));  // November: the 1st worked and shortened
  EXPECT_EQ(months[11].ForWeek(40), (Norm{22, 1760}));  // December: the 31st off
}

TEST(ProductionCalendar, KindsOfParticularDays) {
  const CalendarYear& y2025 = Shipped().Year(2025);
  EXPECT_EQ(y2025.days().size(), 365U);
  EXPECT_EQ(y2025.KindOf(D("2025-01-04")), DayKind::kHoliday);     // a holiday on a Saturday
  EXPECT_EQ(y2025.KindOf(D("2025-02-23")), DayKind::kHoliday);     // a holiday on a Sunday
  EXPECT_EQ(y2025.KindOf(D("2025-05-02")), DayKind::kWeekend);     // from 4 January
  EXPECT_EQ(y2025.KindOf(D("2025-05-08")), DayKind::kWeekend);     // from 23 February
  EXPECT_EQ(y2025.KindOf(D("2025-06-13")), DayKind::kWeekend);     // from 8 March
  EXPECT_EQ(y2025.KindOf(D("2025-11-01")), DayKind::kPreholiday);  // a working Saturday
  EXPECT_EQ(y2025.KindOf(D("2025-11-03")), DayKind::kWeekend);
  EXPECT_EQ(y2025.KindOf(D("2025-12-31")), DayKind::kWeekend);  // from 5 January
  EXPECT_EQ(y2025.KindOf(D("2025-03-07")), DayKind::kPreholiday);
  EXPECT_EQ(y2025.KindOf(D("2025-05-07")), DayKind::kWorking);  // before a transferred day off: full
  EXPECT_EQ(y2025.KindOf(D("2025-07-15")), DayKind::kWorking);
  EXPECT_EQ(y2025.KindOf(D("2025-07-19")), DayKind::kWeekend);

  const CalendarYear& y2026 = Shipped().Year(2026);
  EXPECT_EQ(y2026.KindOf(D("2026-01-09")), DayKind::kWeekend);  // from 3 January
  EXPECT_EQ(y2026.KindOf(D("2026-03-09")), DayKind::kWeekend);  // 8 March was a Sunday
  EXPECT_EQ(y2026.KindOf(D("2026-05-11")), DayKind::kWeekend);  // 9 May was a Saturday
  EXPECT_EQ(y2026.KindOf(D("2026-05-08")), DayKind::kPreholiday);
  EXPECT_EQ(y2026.KindOf(D("2026-12-31")), DayKind::kWeekend);
  EXPECT_EQ(y2026.KindOf(D("2026-01-12")), DayKind::kWorking);

  const CalendarYear& y2024 = Shipped().Year(2024);
  EXPECT_EQ(y2024.days().size(), 366U);
  EXPECT_EQ(y2024.KindOf(D("2024-04-27")), DayKind::kWorking);  // a working Saturday
  EXPECT_EQ(y2024.KindOf(D("2024-11-02")), DayKind::kPreholiday);
  EXPECT_EQ(y2024.KindOf(D("2024-12-28")), DayKind::kWorking);  // worked for 30 December: full
  EXPECT_EQ(y2024.KindOf(D("2024-12-30")), DayKind::kWeekend);
  EXPECT_THROW(y2024.KindOf(D("2025-01-01")), std::out_of_range);
}

// Management counts vacation days with this: transferred days off are
// charged (art. 120 excludes holidays only); years without data fall back
// to art. 112.
TEST(ProductionCalendar, PublicHolidaysAreTheArt112OnesInEveryYear) {
  const ProductionCalendar& calendar = Shipped();
  EXPECT_TRUE(calendar.IsPublicHoliday(D("2025-01-04"), std::nullopt));
  EXPECT_TRUE(calendar.IsPublicHoliday(D("2025-06-12"), std::nullopt));
  EXPECT_FALSE(calendar.IsPublicHoliday(D("2025-05-02"), std::nullopt));
  EXPECT_FALSE(calendar.IsPublicHoliday(D("2025-12-31"), std::nullopt));
  EXPECT_FALSE(calendar.IsPublicHoliday(D("2026-03-09"), std::nullopt));
  EXPECT_TRUE(calendar.IsPublicHoliday(D("2030-01-05"), std::nullopt));
  EXPECT_FALSE(calendar.IsPublicHoliday(D("2030-05-02"), std::nullopt));
  const StatutoryHolidays statutory;
  for (const int year : calendar.Years()) {
    const Date first{std::chrono::year{year} / std::chrono::January / 1};
    const Date last{std::chrono::year{year} / std::chrono::December / 31};
    for (Date day = first; day <= last; day += std::chrono::days{1}) {
      EXPECT_EQ(calendar.IsPublicHoliday(day, std::nullopt), statutory.IsPublicHoliday(day, std::nullopt))
          << FormatIsoDate(day);
    }
  }
  EXPECT_EQ(CountPublicHolidays(calendar, D("2025-04-28"), D("2025-05-11"), std::nullopt), 2);
}

// The work schedules ask any date's kind: from the data, else weekends and
// the holidays of art. 112.
TEST(ProductionCalendar, KindOfAnyDateFallsBackToWeekendsAndArt112) {
  const ProductionCalendar& calendar = Shipped();
  EXPECT_EQ(calendar.KindOf(D("2025-11-01"), std::nullopt), DayKind::kPreholiday);  // a working Saturday
  EXPECT_EQ(calendar.KindOf(D("2025-12-31"), std::nullopt), DayKind::kWeekend);     // transferred
  EXPECT_EQ(calendar.KindOf(D("2030-01-07"), std::nullopt), DayKind::kHoliday);
  EXPECT_EQ(calendar.KindOf(D("2030-05-04"), std::nullopt), DayKind::kWeekend);  // a Saturday
  EXPECT_EQ(calendar.KindOf(D("2030-05-06"), std::nullopt), DayKind::kWorking);
}

TEST(ProductionCalendar, AYearWithoutDataIsNotFound) {
  EXPECT_EQ(Shipped().Find(2031), nullptr);
  try {
    Shipped().Year(2031);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kNotFound);
  }
}

TEST(ProductionCalendar, TotalsThatDisagreeAreRefusedNamingTheFigure) {
  const std::string y2025 = EmbeddedText(2025);
  EXPECT_EQ(Refusal(y2025), "");
  EXPECT_THAT(Refusal(Replaced(y2025, "\"working_days\": 247", "\"working_days\": 246")),
              AllOf(HasSubstr("test.json"), HasSubstr("working days of 2025"), HasSubstr("published 246"),
                    HasSubstr("computed 247")));
  EXPECT_THAT(Refusal(Replaced(y2025, "\"36\": 1774.4", "\"36\": 1774.8")),
              AllOf(HasSubstr("hours at 36 h/week of 2025"), HasSubstr("published 1774.8"),
                    HasSubstr("computed 1774.4")));
  // A shortened day forgotten: the days agree, the hours do not.
  EXPECT_THAT(Refusal(Replaced(y2025, "\"2025-06-11\", ", "")),
              AllOf(HasSubstr("hours at 40 h/week of 2025"), HasSubstr("published 1972"),
                    HasSubstr("computed 1973")));
  // A transfer forgotten: one working day too many.
  EXPECT_THAT(
      Refusal(Replaced(y2025, "{\"from\": \"2025-03-08\", \"to\": \"2025-06-13\"},", "")),
      AllOf(HasSubstr("working days of 2025"), HasSubstr("published 247"), HasSubstr("computed 248")));
}

TEST(ProductionCalendar, MalformedFilesAreRefused) {
  EXPECT_THAT(Refusal("{\"year\": 2025,"), HasSubstr("not valid JSON"));
  EXPECT_THAT(Refusal("[]"), HasSubstr("must be a JSON object"));
  // The 2025 file with `from` replaced by `to`, and what the refusal says.
  struct Case {
    std::string from;
    std::string to;
    std::string says;
  };
  const std::vector<Case> cases = {
      {R"("year": 2025)", R"("year": "2025")", R"("year" must be an integer)"},
      {R"("source")", R"("sauce")", R"(unknown member "sauce")"},
      {R"("preholidays")", R"("pre_holidays")", R"(unknown member "pre_holidays")"},
      {R"("2025-03-07")", R"("2025-02-30")", R"("2025-02-30" is not a date)"},
      {R"("2025-03-07")", R"("2024-03-07")", "2024-03-07 is not in 2025"},
      {R"("2025-02-23", )", R"("2025-02-23", "2025-02-23", )", "2025-02-23 is listed twice"},
      {R"("to": "2025-05-02")", R"("to": "2025-05-03")", "2025-05-03 is already a day off"},
      {R"("from": "2025-01-04")", R"("from": "2025-01-09")", "2025-01-09 is a weekday"},
      {R"("working_weekends": ["2025-11-01"])", R"("working_weekends": [])",
       "2025-11-01 is neither a holiday nor in working_weekends"},
      {R"("2025-04-30")", R"("2025-05-03")", "preholidays: 2025-05-03 is not a working day"},
      {R"("36": 1774.4)", R"("36": 1774.45)", "at most one decimal"},
      {R"("24": 1181.6)", R"("24": "1181.6")", "must be a number"},
      {R"(, "24": 1181.6)", "", R"("24" is missing)"},
  };
  const std::string y2025 = EmbeddedText(2025);
  for (const Case& c : cases) {
    EXPECT_THAT(Refusal(Replaced(y2025, c.from, c.to)), HasSubstr(c.says)) << c.from << " -> " << c.to;
  }
}

TEST(ProductionCalendar, TheSameYearTwiceIsRefused) {
  std::vector<CalendarYear> years;
  years.push_back(ParseCalendarYear(EmbeddedText(2025), "a.json"));
  years.push_back(ParseCalendarYear(EmbeddedText(2025), "b.json"));
  EXPECT_THROW(ProductionCalendar{std::move(years)}, CalendarDataError);
}

// A fresh folder under the system's temporary one, removed at the end.
class CalendarFolder {
 public:
  CalendarFolder()
      : path_(std::filesystem::temp_directory_path() /
              ("tabel-calendar-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++))) {
    std::filesystem::create_directories(path_);
  }
  ~CalendarFolder() { std::filesystem::remove_all(path_); }
  CalendarFolder(const CalendarFolder&) = delete;
  CalendarFolder& operator=(const CalendarFolder&) = delete;

  std::string path() const { return path_.string(); }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
  }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

// The message Load refuses `folder` with ("" if it accepts it).
std::string LoadRefusal(const std::string& folder) {
  try {
    ProductionCalendar::Load(folder);
  } catch (const CalendarDataError& error) {
    return error.what();
  }
  return "";
}

TEST(ProductionCalendar, AFolderAddsOrReplacesYears) {
  const CalendarFolder folder;
  folder.Write("2025.json",
               Replaced(EmbeddedText(2025), "«О переносе выходных дней в 2025 году»", "(новая редакция)"));
  folder.Write("notes.txt", "not a calendar");
  const ProductionCalendar calendar = ProductionCalendar::Load(folder.path());
  EXPECT_EQ(calendar.Years(), (std::vector<int>{2024, 2025, 2026}));
  EXPECT_THAT(calendar.Year(2025).source(), HasSubstr("(новая редакция)"));
  EXPECT_EQ(ProductionCalendar::Load("").Years(), (std::vector<int>{2024, 2025, 2026}));
}

TEST(ProductionCalendar, AFolderWithABadYearIsRefusedNamingTheFile) {
  const CalendarFolder folder;
  folder.Write("2025.json", Replaced(EmbeddedText(2025), "\"working_days\": 247", "\"working_days\": 246"));
  EXPECT_THAT(LoadRefusal(folder.path()),
              AllOf(HasSubstr(folder.path() + "/2025.json"), HasSubstr("published 246, computed 247")));

  const CalendarFolder twice;
  twice.Write("a.json", EmbeddedText(2026));
  twice.Write("b.json", EmbeddedText(2026));
  EXPECT_THAT(LoadRefusal(twice.path()), HasSubstr("the year 2026 is given twice"));

  EXPECT_THAT(LoadRefusal(folder.path() + "/absent"), HasSubstr("cannot read the folder"));
}

TEST(ProductionCalendar, JsonHasEveryDayAndTheNormsPerWeekLength) {
  const nlohmann::json json = CalendarYearJson(Shipped().Year(2025));
  EXPECT_EQ(json.at("year"), 2025);
  ASSERT_EQ(json.at("days").size(), 365U);
  EXPECT_EQ(json.at("days")[0], (nlohmann::json{{"date", "2025-01-01"}, {"kind", "holiday"}}));
  EXPECT_EQ(json.at("days")[121], (nlohmann::json{{"date", "2025-05-02"}, {"kind", "weekend"}}));
  EXPECT_EQ(
      json.at("norms").dump(),
      R"({"24":{"days":247,"hours":1181.6},"36":{"days":247,"hours":1774.4},"40":{"days":247,"hours":1972}})");
  ASSERT_EQ(json.at("months").size(), 12U);
  EXPECT_EQ(json.at("months")[0].at("month"), 1);
  EXPECT_EQ(json.at("months")[0].at("norms").at("40").at("hours"), 136);
  ASSERT_EQ(json.at("quarters").size(), 4U);
  EXPECT_EQ(json.at("quarters")[3].at("quarter"), 4);
}

// hr's edits over the shipped years, at `revision`.
CalendarEdits Edits(int64_t revision, std::vector<DayEdit> days) { return {revision, std::move(days)}; }

DayEdit Edit(std::string region, const char* date, DayKind kind, std::string name) {
  DayEdit edit;
  edit.region = std::move(region);
  edit.date = D(date);
  edit.kind = kind;
  edit.name = std::move(name);
  return edit;
}

constexpr const char* kTatarstan = "Татарстан";
constexpr const char* kMoscow = "77";

// Uraza Bayram 2026 falls on Friday 20 March, a holiday in Tatarstan only.
// March 2026 has 21 working days (31 less 9 Saturdays and Sundays less
// Monday 9 March, the day off for 8 March): 168 h at 40 h/week, 151.2 h at
// 36 and 100.8 h at 24. Without the Friday: 20 days, 160, 144 and 96 h.
TEST(CalendarOverlay, ARegionalHolidayOnAWeekdayChangesThatRegionsNormsOnly) {
  ProductionCalendar calendar(std::vector<CalendarYear>{Shipped().Year(2026)});
  ASSERT_TRUE(
      calendar.SetEdits(Edits(1, {Edit("Татарстан", "2026-03-20", DayKind::kHoliday, "Ураза-байрам")})));

  const EffectiveYear federal = calendar.YearFor(2026, std::nullopt);
  EXPECT_TRUE(federal.edits.empty());
  EXPECT_EQ(federal.year.month_norms()[2].ForWeek(40), (Norm{21, 1680}));
  EXPECT_EQ(federal.year.year_norms().ForWeek(40), (Norm{247, 19720}));

  const EffectiveYear tatarstan = calendar.YearFor(2026, kTatarstan);
  ASSERT_EQ(tatarstan.edits.size(), 1U);
  EXPECT_EQ(tatarstan.edits[0].name, "Ураза-байрам");
  EXPECT_EQ(tatarstan.year.KindOf(D("2026-03-20")), DayKind::kHoliday);
  EXPECT_EQ(tatarstan.year.month_norms()[2].ForWeek(40), (Norm{20, 1600}));
  EXPECT_EQ(tatarstan.year.month_norms()[2].ForWeek(36), (Norm{20, 1440}));
  EXPECT_EQ(tatarstan.year.month_norms()[2].ForWeek(24), (Norm{20, 960}));
  EXPECT_EQ(tatarstan.year.quarter_norms()[0].ForWeek(40).days,
            federal.year.quarter_norms()[0].ForWeek(40).days - 1);
  EXPECT_EQ(tatarstan.year.year_norms().ForWeek(40), (Norm{246, 19640}));
  EXPECT_EQ(tatarstan.year.month_norms()[3], federal.year.month_norms()[3]);  // April untouched

  EXPECT_EQ(calendar.KindOf(D("2026-03-20"), kTatarstan), DayKind::kHoliday);
  EXPECT_EQ(calendar.KindOf(D("2026-03-20"), kMoscow), DayKind::kWorking);
  EXPECT_EQ(calendar.KindOf(D("2026-03-20"), std::nullopt), DayKind::kWorking);
  // Art. 120: a vacation of 16–22 March is charged one day less in Tatarstan.
  EXPECT_EQ(CountPublicHolidays(calendar, D("2026-03-16"), D("2026-03-22"), kTatarstan), 1);
  EXPECT_EQ(CountPublicHolidays(calendar, D("2026-03-16"), D("2026-03-22"), kMoscow), 0);
  EXPECT_EQ(CountPublicHolidays(calendar, D("2026-03-16"), D("2026-03-22"), std::nullopt), 0);
}

// A decree makes Wednesday 15 July 2026 a day off for everyone: July has 23
// working days (31 less 8 Saturdays and Sundays), 184 h at 40 h/week;
// after it 22 days and 176 h. A day off is not a holiday: a vacation over
// it is still charged.
TEST(CalendarOverlay, AFederalEditAppliesToEveryRegion) {
  ProductionCalendar calendar(std::vector<CalendarYear>{Shipped().Year(2026)});
  EXPECT_EQ(calendar.YearFor(2026, std::nullopt).year.month_norms()[6].ForWeek(40), (Norm{23, 1840}));
  ASSERT_TRUE(calendar.SetEdits(
      Edits(1, {Edit(std::string(kFederalRegion), "2026-07-15", DayKind::kWeekend, "Постановление")})));

  for (const auto& region : {std::optional<std::string>(), std::optional<std::string>(kTatarstan),
                             std::optional<std::string>(kMoscow)}) {
    const EffectiveYear year = calendar.YearFor(2026, region);
    EXPECT_EQ(year.year.month_norms()[6].ForWeek(40), (Norm{22, 1760})) << region.value_or("federal");
    EXPECT_EQ(year.year.month_norms()[6].ForWeek(36), (Norm{22, 1584}));
    EXPECT_EQ(year.year.year_norms().ForWeek(40), (Norm{246, 19640}));
    ASSERT_EQ(year.edits.size(), 1U);
    EXPECT_EQ(calendar.KindOf(D("2026-07-15"), region), DayKind::kWeekend);
    EXPECT_FALSE(calendar.IsPublicHoliday(D("2026-07-15"), region));
  }
}

TEST(CalendarOverlay, ARegionalEditWinsOverAFederalOneAndAPreholidayDayIsAnHourShorter) {
  ProductionCalendar calendar(std::vector<CalendarYear>{Shipped().Year(2026)});
  ASSERT_TRUE(calendar.SetEdits(
      Edits(2, {Edit("", "2026-07-15", DayKind::kWeekend, "Постановление"),
                Edit("Татарстан", "2026-07-15", DayKind::kWorking, "Рабочий в республике"),
                Edit("Татарстан", "2026-07-14", DayKind::kPreholiday, "Перед праздником")})));
  EXPECT_EQ(calendar.KindOf(D("2026-07-15"), kTatarstan), DayKind::kWorking);
  EXPECT_EQ(calendar.KindOf(D("2026-07-15"), kMoscow), DayKind::kWeekend);
  // 23 days, one of them an hour shorter: 183 h.
  EXPECT_EQ(calendar.YearFor(2026, kTatarstan).year.month_norms()[6].ForWeek(40), (Norm{23, 1830}));
  EXPECT_EQ(calendar.EditOn(D("2026-07-15"), kTatarstan)->name, "Рабочий в республике");
  EXPECT_EQ(calendar.EditOn(D("2026-07-15"), kMoscow)->name, "Постановление");
  EXPECT_FALSE(calendar.EditOn(D("2026-07-16"), kMoscow));

  EXPECT_EQ(calendar.EditsOf(2026, std::nullopt).size(), 3U);
  EXPECT_EQ(calendar.EditsOf(2026, kTatarstan).size(), 2U);
  EXPECT_EQ(calendar.EditsOf(2026, std::string(kFederalRegion)).size(), 1U);
  EXPECT_TRUE(calendar.EditsOf(2025, std::nullopt).empty());
}

TEST(CalendarOverlay, OlderEditsNeverReplaceNewerOnes) {
  ProductionCalendar calendar(std::vector<CalendarYear>{Shipped().Year(2026)});
  EXPECT_EQ(calendar.revision(), 0);
  ASSERT_TRUE(calendar.SetEdits(Edits(5, {Edit("16", "2026-03-20", DayKind::kHoliday, "Ураза-байрам")})));
  EXPECT_FALSE(calendar.SetEdits(Edits(4, {})));
  EXPECT_FALSE(calendar.SetEdits(Edits(5, {})));
  EXPECT_EQ(calendar.revision(), 5);
  EXPECT_EQ(calendar.KindOf(D("2026-03-20"), std::string("16")), DayKind::kHoliday);
  ASSERT_TRUE(calendar.SetEdits(Edits(6, {})));
  EXPECT_EQ(calendar.KindOf(D("2026-03-20"), std::string("16")), DayKind::kWorking);
}

// A region may announce a holiday before the year's data ships: vacations
// over it are charged right, though the year itself is still not found.
TEST(CalendarOverlay, EditsCountInYearsWithoutData) {
  ProductionCalendar calendar(std::vector<CalendarYear>{Shipped().Year(2026)});
  ASSERT_TRUE(calendar.SetEdits(Edits(1, {Edit("16", "2030-04-05", DayKind::kHoliday, "Ураза-байрам")})));
  EXPECT_TRUE(calendar.IsPublicHoliday(D("2030-04-05"), std::string("16")));
  EXPECT_FALSE(calendar.IsPublicHoliday(D("2030-04-05"), std::nullopt));
  EXPECT_EQ(calendar.KindOf(D("2030-04-05"), std::string("16")), DayKind::kHoliday);
  EXPECT_EQ(calendar.EditsOf(2030, std::nullopt).size(), 1U);
  EXPECT_THROW(calendar.YearFor(2030, std::string("16")), Error);
}

TEST(CalendarOverlay, JsonMarksTheEditedDays) {
  ProductionCalendar calendar(std::vector<CalendarYear>{Shipped().Year(2026)});
  ASSERT_TRUE(calendar.SetEdits(Edits(1, {Edit("16", "2026-03-20", DayKind::kHoliday, "Ураза-байрам")})));
  const EffectiveYear year = calendar.YearFor(2026, std::string("16"));
  const nlohmann::json json = CalendarYearJson(year.year, year.edits, std::string("16"));
  EXPECT_EQ(json.at("region"), "16");
  const nlohmann::json& day = json.at("days")[78];
  EXPECT_EQ(day.at("date"), "2026-03-20");
  EXPECT_EQ(day.at("kind"), "holiday");
  EXPECT_EQ(day.at("edit").at("name"), "Ураза-байрам");
  EXPECT_EQ(day.at("edit").at("region"), "16");
  EXPECT_FALSE(json.at("days")[77].contains("edit"));
  EXPECT_EQ(json.at("norms").at("40"), (nlohmann::json{{"days", 246}, {"hours", 1964}}));
  EXPECT_EQ(CalendarYearJson(Shipped().Year(2026)).at("region"), nullptr);
}

TEST(CalendarOverlay, KindsAreNamedBothWays) {
  for (const DayKind kind : {DayKind::kWorking, DayKind::kWeekend, DayKind::kHoliday, DayKind::kPreholiday}) {
    EXPECT_EQ(DayKindNamed(DayKindName(kind)), kind);
  }
  EXPECT_FALSE(DayKindNamed("Holiday"));
  EXPECT_FALSE(DayKindNamed(""));
}

}  // namespace
}  // namespace tabel::calendar
