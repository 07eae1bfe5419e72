// The production calendar over HTTP on the demo company: every day of a
// shipped year with its kind, the norms of the year, its months and
// quarters, and bad years (always a 4xx problem+json naming the field); a
// process that refuses to start on a year that disagrees with its totals;
// and hr's edits: regional holidays seen by their region only, federal
// edits by everyone, the norms recomputed, each write audited, vacations
// charged by the employee's region, bad input refused naming the field,
// and another replica picking an edit up within its refresh interval.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/date.hpp"
#include "common/embedded.hpp"
#include "support/demo_server.hpp"
#include "support/eventually.hpp"
#include "support/tabel_process.hpp"
#include "support/test_database.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class Calendar : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new DemoServer(); }
  static void TearDownTestSuite() { delete server_; }

  static HttpResponse Get(const std::string& login, const std::string& target) {
    return server_->Call(login, "GET", target);
  }

  // The kind of `date` in a year's answer.
  static std::string KindOf(const json& year, const std::string& date) {
    for (const json& day : year.at("days")) {
      if (day.at("date") == date) return day.at("kind").get<std::string>();
    }
    return "absent";
  }

  static DemoServer* server_;
};
DemoServer* Calendar::server_ = nullptr;

TEST_F(Calendar, A2025YearHasEveryDayAndThePublishedNorms) {
  const HttpResponse response = Get("employee", "/api/v1/production-calendar/2025");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("content-type"), "application/json");
  const json year = json::parse(response.body);
  EXPECT_EQ(year.at("year"), 2025);
  ASSERT_EQ(year.at("days").size(), 365U);
  EXPECT_EQ(year.at("days")[0].at("date"), "2025-01-01");
  EXPECT_EQ(year.at("days")[364].at("date"), "2025-12-31");
  EXPECT_EQ(KindOf(year, "2025-01-07"), "holiday");
  EXPECT_EQ(KindOf(year, "2025-05-02"), "weekend");
  EXPECT_EQ(KindOf(year, "2025-11-01"), "preholiday");
  EXPECT_EQ(KindOf(year, "2025-11-05"), "working");
  EXPECT_EQ(year.at("norms"), json::parse(R"({"40": {"days": 247, "hours": 1972},
                                              "36": {"days": 247, "hours": 1774.4},
                                              "24": {"days": 247, "hours": 1181.6}})"));

  ASSERT_EQ(year.at("months").size(), 12U);
  ASSERT_EQ(year.at("quarters").size(), 4U);
  for (const std::string week : {"40", "36", "24"}) {
    int month_days = 0;
    double month_hours = 0;
    for (const json& month : year.at("months")) {
      month_days += month.at("norms").at(week).at("days").get<int>();
      month_hours += month.at("norms").at(week).at("hours").get<double>();
    }
    int quarter_days = 0;
    for (const json& quarter : year.at("quarters")) {
      quarter_days += quarter.at("norms").at(week).at("days").get<int>();
    }
    EXPECT_EQ(month_days, 247) << week;
    EXPECT_EQ(quarter_days, 247) << week;
    EXPECT_NEAR(month_hours, year.at("norms").at(week).at("hours").get<double>(), 1e-6) << week;
  }
  EXPECT_EQ(year.at("months")[4].at("month"), 5);
  EXPECT_EQ(year.at("months")[4].at("norms").at("40"), (json{{"days", 18}, {"hours", 144}}));
}

TEST_F(Calendar, EveryRoleReadsEveryShippedYear) {
  for (const std::string login : {"admin", "hr", "accountant", "manager", "employee", "auditor"}) {
    for (const std::string year : {"2024", "2025", "2026"}) {
      const HttpResponse response = Get(login, "/api/v1/production-calendar/" + year);
      EXPECT_EQ(response.status, 200) << login << " " << year << ": " << response.body;
    }
  }
  const json y2026 = json::parse(Get("employee", "/api/v1/production-calendar/2026").body);
  EXPECT_EQ(y2026.at("norms").at("40"), (json{{"days", 247}, {"hours", 1972}}));
  EXPECT_EQ(KindOf(y2026, "2026-01-09"), "weekend");
  const json y2024 = json::parse(Get("employee", "/api/v1/production-calendar/2024").body);
  EXPECT_EQ(y2024.at("days").size(), 366U);
  EXPECT_EQ(y2024.at("norms").at("40"), (json{{"days", 248}, {"hours", 1979}}));
}

TEST_F(Calendar, AYearWithoutDataIsNotFound) {
  const HttpResponse response = Get("employee", "/api/v1/production-calendar/2031");
  EXPECT_EQ(response.status, 404) << response.body;
  EXPECT_EQ(response.Header("content-type"), "application/problem+json");
  EXPECT_EQ(json::parse(response.body).at("type"), "/problems/not-found");
}

TEST_F(Calendar, AYearThatIsNotOneIsABadRequestNamingIt) {
  for (const std::string year :
       {"abc", "20x5", "-2025", "+2025", "1899", "2200", "99999999999999999999", "2025.0"}) {
    const HttpResponse response = Get("employee", "/api/v1/production-calendar/" + year);
    EXPECT_EQ(response.status, 400) << year << ": " << response.body;
    EXPECT_EQ(response.Header("content-type"), "application/problem+json") << year;
    EXPECT_THAT(ProblemFields(response), ElementsAre("year")) << year;
  }
}

TEST_F(Calendar, AnonymousCallersAreUnauthorized) {
  const HttpResponse response = Get("", "/api/v1/production-calendar/2025");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.Header("content-type"), "application/problem+json");
}

// A year whose data disagree with its published totals stops the process
// before it listens, and the log names the file, the figure and both values.
TEST(CalendarData, ABadYearInTheFolderStopsTheProcess) {
  const TestDatabase database;
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("tabel-calendar-functional-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  std::string text(*embedded::Find("data/calendar/ru/2025.json"));
  const std::string published = "\"working_days\": 247";
  text.replace(text.find(published), published.size(), "\"working_days\": 246");
  std::ofstream(folder / "2025.json", std::ios::binary) << text;

  const std::map<std::string, std::string> env = {{"TABEL_DATABASE_URL", database.url()},
                                                  {"TABEL_HTTP_PORT", "0"},
                                                  {"TABEL_PRODUCTION_CALENDAR_DIR", folder.string()}};
  std::string refusal;
  try {
    TabelProcess process({"serve"}, env, std::chrono::seconds(30));
  } catch (const std::runtime_error& error) {
    refusal = error.what();
  }
  std::filesystem::remove_all(folder);
  EXPECT_THAT(refusal, HasSubstr("did not start listening"));
  EXPECT_THAT(refusal, HasSubstr("2025.json: working days of 2025: published 246, computed 247"));
}

// %XX for every byte of `text` but unreserved ASCII.
std::string UrlEncoded(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4U];
      out += kHex[byte & 15U];
    }
  }
  return out;
}

class CalendarEdits : public ::testing::Test {
 protected:
  // Services apart (the management process counting a vacation) see an
  // edit within this refresh interval.
  static constexpr int kRefreshMs = 200;
  static void SetUpTestSuite() {
    server_ = new DemoServer({{"TABEL_PRODUCTION_CALENDAR_REFRESH_MS", std::to_string(kRefreshMs)}});
  }
  static void TearDownTestSuite() { delete server_; }

  static HttpResponse Call(const std::string& login, const std::string& method, const std::string& target,
                           const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    return server_->Call(login, method, target, body, std::move(headers));
  }

  static json Year(const std::string& query) {
    const HttpResponse response = Call("employee", "GET", "/api/v1/production-calendar/" + query);
    EXPECT_EQ(response.status, 200) << query << ": " << response.body;
    return json::parse(response.body);
  }

  // The day `date` of a year's answer.
  static json DayOf(const json& year, const std::string& date) {
    for (const json& day : year.at("days")) {
      if (day.at("date") == date) return day;
    }
    return nullptr;
  }

  static HttpResponse Put(const std::string& login, const std::string& date, const json& body) {
    return Call(login, "PUT", "/api/v1/production-calendar/" + date.substr(0, 4) + "/days/" + date,
                body.dump());
  }

  static json Holiday(const std::optional<std::string>& region) {
    return {{"kind", "holiday"}, {"name", "Ураза-байрам"}, {"region", region ? json(*region) : json()}};
  }

  static DemoServer* server_;
};
DemoServer* CalendarEdits::server_ = nullptr;

TEST_F(CalendarEdits, ARegionalHolidayIsSeenByItsRegionOnlyWithItsNorms) {
  const HttpResponse set = Put("hr", "2026-03-20", Holiday("16"));
  ASSERT_EQ(set.status, 200) << set.body;
  const json day = json::parse(set.body);
  EXPECT_EQ(day.at("date"), "2026-03-20");
  EXPECT_EQ(day.at("kind"), "holiday");
  EXPECT_EQ(day.at("region"), "16");
  EXPECT_EQ(day.at("edit").at("name"), "Ураза-байрам");
  EXPECT_EQ(day.at("edit").at("updated_by"), json::parse(Call("hr", "GET", "/api/v1/me").body).at("id"));

  // March 2026: 21 working days and 168 h at 40 h/week; 20 and 160 in region 16.
  const json regional = Year("2026?region=16");
  EXPECT_EQ(regional.at("region"), "16");
  EXPECT_EQ(DayOf(regional, "2026-03-20").at("kind"), "holiday");
  EXPECT_EQ(DayOf(regional, "2026-03-20").at("edit").at("name"), "Ураза-байрам");
  EXPECT_EQ(regional.at("months")[2].at("norms").at("40"), (json{{"days", 20}, {"hours", 160}}));
  EXPECT_EQ(regional.at("norms").at("40"), (json{{"days", 246}, {"hours", 1964}}));

  for (const std::string query : {"2026", "2026?region=77"}) {
    const json other = Year(query);
    EXPECT_EQ(DayOf(other, "2026-03-20"), (json{{"date", "2026-03-20"}, {"kind", "working"}})) << query;
    EXPECT_EQ(other.at("months")[2].at("norms").at("40"), (json{{"days", 21}, {"hours", 168}})) << query;
    EXPECT_EQ(other.at("norms").at("40"), (json{{"days", 247}, {"hours", 1972}})) << query;
  }

  const json edits =
      json::parse(Call("employee", "GET", "/api/v1/production-calendar/2026/edits?region=16").body);
  ASSERT_EQ(edits.at("items").size(), 1U);
  EXPECT_EQ(edits.at("items")[0].at("date"), "2026-03-20");
  EXPECT_EQ(edits.at("next_cursor"), nullptr);

  const HttpResponse removed =
      Call("hr", "DELETE", "/api/v1/production-calendar/2026/days/2026-03-20?region=16");
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(json::parse(removed.body).at("kind"), "working");
  EXPECT_EQ(json::parse(removed.body).at("edit"), nullptr);
  EXPECT_EQ(DayOf(Year("2026?region=16"), "2026-03-20").at("kind"), "working");
  EXPECT_EQ(Call("hr", "DELETE", "/api/v1/production-calendar/2026/days/2026-03-20?region=16").status, 404);
}

TEST_F(CalendarEdits, ARegionIsItsExactTextCyrillicIncluded) {
  ASSERT_EQ(Put("hr", "2026-04-15", Holiday("Татарстан")).status, 200);
  EXPECT_EQ(DayOf(Year("2026?region=" + UrlEncoded("Татарстан")), "2026-04-15").at("kind"), "holiday");
  EXPECT_EQ(DayOf(Year("2026?region=" + UrlEncoded("татарстан")), "2026-04-15").at("kind"), "working");
  EXPECT_EQ(Call("hr", "DELETE",
                 "/api/v1/production-calendar/2026/days/2026-04-15?region=" + UrlEncoded("Татарстан"))
                .status,
            200);
}

// A decree makes Wednesday 15 July 2026 a day off: July loses a working day
// (23 → 22, 184 → 176 h) for everyone.
TEST_F(CalendarEdits, AFederalEditAppliesToEveryone) {
  const HttpResponse set = Put("hr", "2026-07-15", {{"kind", "weekend"}, {"name", "Постановление"}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(json::parse(set.body).at("region"), nullptr);
  EXPECT_EQ(json::parse(set.body).at("edit").at("region"), nullptr);
  for (const std::string query : {"2026", "2026?region=16"}) {
    const json year = Year(query);
    EXPECT_EQ(DayOf(year, "2026-07-15").at("kind"), "weekend") << query;
    EXPECT_EQ(year.at("months")[6].at("norms").at("40"), (json{{"days", 22}, {"hours", 176}})) << query;
  }
  ASSERT_EQ(Call("hr", "DELETE", "/api/v1/production-calendar/2026/days/2026-07-15").status, 200);
  EXPECT_EQ(Year("2026").at("months")[6].at("norms").at("40"), (json{{"days", 23}, {"hours", 184}}));
}

TEST_F(CalendarEdits, OnlyHrEdits) {
  for (const std::string login : {"admin", "accountant", "manager", "employee", "auditor"}) {
    EXPECT_EQ(Put(login, "2026-03-23", Holiday("16")).status, 403) << login;
    EXPECT_EQ(Call(login, "DELETE", "/api/v1/production-calendar/2026/days/2026-03-23?region=16").status, 403)
        << login;
  }
  EXPECT_EQ(Put("", "2026-03-23", Holiday("16")).status, 401);
  EXPECT_EQ(DayOf(Year("2026?region=16"), "2026-03-23").at("kind"), "working");
}

TEST_F(CalendarEdits, EveryWriteIsAuditedWithTheOldAndNewValues) {
  ASSERT_EQ(Put("hr", "2026-05-20", Holiday("16")).status, 200);
  ASSERT_EQ(
      Put("hr", "2026-05-20", {{"kind", "preholiday"}, {"name", "Сокращённый"}, {"region", "16"}}).status,
      200);
  ASSERT_EQ(Call("hr", "DELETE", "/api/v1/production-calendar/2026/days/2026-05-20?region=16").status, 200);
  const HttpResponse log =
      Call("auditor", "GET", "/api/v1/audit-log?object_type=production_calendar_day&object_id=2026-05-20");
  ASSERT_EQ(log.status, 200) << log.body;
  const json items = json::parse(log.body).at("items");
  ASSERT_EQ(items.size(), 3U) << items.dump();
  EXPECT_EQ(items[0].at("action"), "production_calendar.delete_day");
  EXPECT_EQ(items[0].at("details").at("before"), (json{{"kind", "preholiday"}, {"name", "Сокращённый"}}));
  EXPECT_EQ(items[0].at("details").at("after"), nullptr);
  EXPECT_EQ(items[1].at("action"), "production_calendar.set_day");
  EXPECT_EQ(items[1].at("details").at("before"), (json{{"kind", "holiday"}, {"name", "Ураза-байрам"}}));
  EXPECT_EQ(items[1].at("details").at("after"), (json{{"kind", "preholiday"}, {"name", "Сокращённый"}}));
  EXPECT_EQ(items[2].at("details").at("before"), nullptr);
  EXPECT_EQ(items[2].at("details").at("region"), "16");
  EXPECT_EQ(items[2].at("account_id"), json::parse(Call("hr", "GET", "/api/v1/me").body).at("id"));
}

TEST_F(CalendarEdits, BadInputIsA4xxNamingTheField) {
  struct Case {
    std::string method, target, body;
    int status;
    std::vector<std::string> fields;
  };
  const std::string day = "/api/v1/production-calendar/2026/days/2026-03-24";
  const std::string ok = R"({"kind": "holiday", "name": "Праздник", "region": "16"})";
  const std::vector<Case> cases = {
      {"PUT", day, "{", 400, {"body"}},
      {"PUT", day, "[1]", 400, {"body"}},
      {"PUT", day, R"({"kind": 1, "name": "Праздник"})", 400, {"kind"}},
      {"PUT", day, R"({"kind": "holiday", "name": 5})", 400, {"name"}},
      {"PUT", day, R"({"kind": "holiday", "name": "Праздник", "region": 16})", 400, {"region"}},
      {"PUT", day, R"({"kind": "holiday", "name": "Праздник", "colour": "red"})", 400, {"colour"}},
      {"PUT", day, R"({"kind": "holyday", "name": "Праздник"})", 400, {"kind"}},
      {"PUT", day, R"({"name": "Праздник"})", 400, {"kind"}},
      {"PUT", day, R"({"kind": "holiday"})", 400, {"name"}},
      {"PUT", day, R"({"kind": "holiday", "name": "  "})", 400, {"name"}},
      {"PUT", day, json{{"kind", "holiday"}, {"name", std::string(201, 'a')}}.dump(), 400, {"name"}},
      {"PUT",
       day,
       json{{"kind", "holiday"}, {"name", "x"}, {"region", std::string(101, '7')}}.dump(),
       400,
       {"region"}},
      {"PUT", day, R"({"kind": "holiday", "name": "x", "region": ""})", 400, {"region"}},
      {"PUT", day, R"({"kind": "holiday", "name": "x", "region": "1\u00016"})", 400, {"region"}},
      {"PUT", "/api/v1/production-calendar/2026/days/2025-03-24", ok, 422, {"date"}},
      {"PUT", "/api/v1/production-calendar/2026/days/2026-02-30", ok, 400, {"date"}},
      {"PUT", "/api/v1/production-calendar/2026/days/tomorrow", ok, 400, {"date"}},
      {"PUT", "/api/v1/production-calendar/20x6/days/2026-03-24", ok, 400, {"year"}},
      {"DELETE", day + "?region=", "", 400, {"region"}},
      {"DELETE", day + "?regoin=16", "", 400, {"regoin"}},
      {"DELETE", day + "?region=16", "", 404, {}},
      {"GET", "/api/v1/production-calendar/2026?region=%FF", "", 400, {"region"}},
      {"GET", "/api/v1/production-calendar/2026?region=" + std::string(101, '7'), "", 400, {"region"}},
      {"GET", "/api/v1/production-calendar/2026?year=2025", "", 400, {"year"}},
      {"GET", "/api/v1/production-calendar/2026/edits?limit=5", "", 400, {"limit"}},
  };
  for (const Case& c : cases) {
    const HttpResponse response = Call("hr", c.method, c.target, c.body);
    EXPECT_EQ(response.status, c.status)
        << c.method << " " << c.target << " " << c.body << ": " << response.body;
    EXPECT_EQ(response.Header("content-type"), "application/problem+json") << c.target << " " << c.body;
    EXPECT_EQ(ProblemFields(response), c.fields) << c.method << " " << c.target << " " << c.body;
  }
  const HttpResponse oversized =
      Call("hr", "PUT", day, json{{"kind", "holiday"}, {"name", std::string(5000, 'a')}}.dump());
  EXPECT_EQ(oversized.status, 413) << oversized.body;
  EXPECT_EQ(json::parse(Call("hr", "GET", "/api/v1/production-calendar/2026/edits").body).at("items"),
            json::array());
}

// Art. 120: a regional holiday inside a vacation is not charged to the
// employees of that region. The year after next has no shipped data yet:
// the region's edit counts all the same.
TEST_F(CalendarEdits, AVacationOverARegionalHolidayIsChargedADayLessInThatRegion) {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const int year = static_cast<int>(std::chrono::year_month_day(today).year()) + 2;
  // A Wednesday in the middle of April, far from any holiday of art. 112.
  Date holiday{std::chrono::year{year} / std::chrono::April / 10};
  while (std::chrono::weekday(holiday) != std::chrono::Wednesday) holiday += std::chrono::days{1};
  const std::string start = FormatIsoDate(holiday - std::chrono::days{9});
  const std::string end = FormatIsoDate(holiday + std::chrono::days{10});  // 20 days

  for (const auto& [employee, region] : {std::pair{4, "16"}, std::pair{5, "77"}}) {
    const std::string path = "/api/v1/employees/" + std::to_string(employee);
    const HttpResponse changed = Call("hr", "PATCH", path, json{{"region", region}}.dump(),
                                      {{"If-Match", Call("hr", "GET", path).Header("etag")}});
    ASSERT_EQ(changed.status, 200) << changed.body;
  }
  ASSERT_EQ(Put("hr", FormatIsoDate(holiday), Holiday("16")).status, 200);
  // Every process has the edit within its refresh interval (a refresh that
  // just missed the commit, then the next; room for a loaded machine).
  std::this_thread::sleep_for(std::chrono::milliseconds(10 * kRefreshMs));

  std::map<int, double> charged;
  for (const int employee : {4, 5}) {
    const HttpResponse created =
        Call("hr", "POST", "/api/v1/requests",
             json{{"type", "vacation"}, {"employee_id", employee}, {"start_date", start}, {"end_date", end}}
                 .dump());
    ASSERT_EQ(created.status, 201) << created.body;
    charged[employee] = json::parse(created.body).at("charged_days").get<double>();
  }
  EXPECT_EQ(charged[5], 20.0);
  EXPECT_EQ(charged[4], 19.0);
}

// Another replica on the same database sees an edit within its refresh
// interval, without a restart.
TEST_F(CalendarEdits, AnotherReplicaPicksAnEditUp) {
  TabelProcess replica({"serve"},
                       {{"TABEL_DATABASE_URL", server_->database().url()},
                        {"TABEL_HTTP_PORT", "0"},
                        {"TABEL_JWT_SECRET", "functional-tests-secret-of-at-least-32-bytes"},
                        {"TABEL_PRODUCTION_CALENDAR_REFRESH_MS", "200"}},
                       std::chrono::seconds(30));
  const auto kind_there = [&] {
    const HttpResponse response = Connection(replica.port())
                                      .Request("GET", "/api/v1/production-calendar/2026?region=16", "",
                                               {{"Authorization", "Bearer " + server_->Token("employee")}});
    return DayOf(json::parse(response.body), "2026-06-17").at("kind").get<std::string>();
  };
  EXPECT_EQ(kind_there(), "working");
  ASSERT_EQ(Put("hr", "2026-06-17", Holiday("16")).status, 200);
  EXPECT_TRUE(Eventually([&] { return kind_there() == "holiday"; }, std::chrono::seconds(10),
                         std::chrono::milliseconds(50)))
      << kind_there();
  ASSERT_EQ(Call("hr", "DELETE", "/api/v1/production-calendar/2026/days/2026-06-17?region=16").status, 200);
}

}  // namespace
}  // namespace tabel::testing
