// The production calendar over HTTP on the demo company: every day of a
// shipped year with its kind, the norms of the year, its months and
// quarters, and bad years (always a 4xx problem+json naming the field); and
// a process that refuses to start on a year that disagrees with its totals.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/embedded.hpp"
#include "support/demo_server.hpp"
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

}  // namespace
}  // namespace tabel::testing
