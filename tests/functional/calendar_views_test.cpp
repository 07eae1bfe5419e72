// The calendar views over HTTP on the demo company: the code of each day
// (approved activity, working day with its planned hours, day off), who is
// away, a person's calendar, what a colleague may not see (a confidential
// reason is "absent"), shift schedules and part-time rates, and bad input
// (always a 4xx problem+json naming the field).
//   IT (2, manager) > IT-DEV (3: Sokolova 3, employee 4, Morozova 5).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>

#include <nlohmann/json.hpp>

#include "common/date.hpp"
#include "infra/db/transaction.hpp"
#include "support/demo_server.hpp"
#include "support/eventually.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr int64_t kEmployee = 4;  // login employee, IT-DEV
constexpr int64_t kMorozova = 5;  // IT-DEV, no login

Date TodayUtc() { return std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()); }

// Today in UTC plus `days` (the server's today is the same day or the next
// one; every range below leaves room for that).
std::string Day(int days) { return FormatIsoDate(TodayUtc() + std::chrono::days{days}); }

// A date of the year after next, beyond any notice period and any shipped
// production calendar (weekends and the holidays of art. 112 then).
Date FarDay(unsigned month, unsigned day) {
  const std::chrono::year year = std::chrono::year_month_day(TodayUtc()).year() + std::chrono::years{2};
  return Date{year / std::chrono::month{month} / std::chrono::day{day}};
}

bool IsWeekend(Date date) {
  const std::chrono::weekday day(date);
  return day == std::chrono::Saturday || day == std::chrono::Sunday;
}

class CalendarViews : public ::testing::Test {
 protected:
  void SetUp() override { server_ = std::make_unique<DemoServer>(); }

  HttpResponse Call(const std::string& login, const std::string& method, const std::string& target,
                    const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    return server_->Call(login, method, target, body, std::move(headers));
  }

  json GetJson(const std::string& login, const std::string& target) {
    const HttpResponse response = Call(login, "GET", target);
    EXPECT_EQ(response.status, 200) << target << " -> " << response.body;
    return json::parse(response.body);
  }

  json Create(const std::string& login, const json& body) {
    const HttpResponse response = Call(login, "POST", "/api/v1/requests", body.dump());
    EXPECT_EQ(response.status, 201) << body.dump() << " -> " << response.body;
    return json::parse(response.body);
  }

  // The days of `employee` in a team calendar answer.
  static json DaysOf(const json& team, int64_t employee) {
    for (const json& item : team.at("items")) {
      if (item.at("employee_id") == employee) return item.at("days");
    }
    return json();
  }

  // The codes of a list of day cells.
  static std::vector<json> Codes(const json& days) {
    std::vector<json> codes;
    for (const json& day : days) codes.push_back(day.at("code"));
    return codes;
  }

  // Morozova's sick leave from three days ago, registered by hr (approved
  // at once) and still open; and the employee's vacation in the far year,
  // approved by manager.
  std::pair<int64_t, int64_t> SickLeaveAndVacation() {
    const json sick = Create("hr", json{{"type", "sick_leave"},
                                        {"employee_id", kMorozova},
                                        {"start_date", Day(-3)},
                                        {"certificate_number", "910012345678"}});
    EXPECT_EQ(sick.at("status"), "approved");
    const json vacation = Create("employee", json{{"type", "vacation"},
                                                  {"start_date", FormatIsoDate(FarDay(2, 2))},
                                                  {"end_date", FormatIsoDate(FarDay(2, 6))}});
    const std::string approve =
        "/api/v1/requests/" + std::to_string(vacation.at("id").get<int64_t>()) + "/approve";
    EXPECT_EQ(Call("manager", "POST", approve).status, 200);
    return {sick.at("id").get<int64_t>(), vacation.at("id").get<int64_t>()};
  }

  std::unique_ptr<DemoServer> server_;
};

TEST_F(CalendarViews, EveryDayIsItsActivityOrItsPlannedHoursOrADayOff) {
  const auto [sick, vacation] = SickLeaveAndVacation();
  const Date from = FarDay(1, 31);
  const Date to = FarDay(2, 8);
  const json team = GetJson(
      "hr", "/api/v1/calendar?department_id=3&from=" + FormatIsoDate(from) + "&to=" + FormatIsoDate(to));
  EXPECT_EQ(team.at("department_id"), 3);
  EXPECT_EQ(team.at("subtree"), false);
  ASSERT_EQ(team.at("days").size(), 9U);
  EXPECT_EQ(team.at("days")[0].at("date"), FormatIsoDate(from));
  EXPECT_EQ(team.at("days")[0].at("kind"), IsWeekend(from) ? "weekend" : "working");
  std::vector<int64_t> people;
  for (const json& item : team.at("items")) people.push_back(item.at("employee_id").get<int64_t>());
  EXPECT_THAT(people, ElementsAre(3, kEmployee, kMorozova));

  const json days = DaysOf(team, kEmployee);
  ASSERT_EQ(days.size(), 9U);
  for (size_t i = 0; i < days.size(); ++i) {
    const Date date = from + std::chrono::days{i};
    const json& day = days[i];
    if (date >= FarDay(2, 2) && date <= FarDay(2, 6)) {
      EXPECT_EQ(day, (json{{"code", "ОТ"}, {"type", "vacation"}, {"request_id", vacation}})) << i;
    } else if (IsWeekend(date)) {
      EXPECT_EQ(day, (json{{"code", "В"}})) << i;
    } else {
      EXPECT_EQ(day, (json{{"code", "Я"}, {"hours", 8}})) << i;
    }
  }

  // hr sees the sick leave for what it is, from its first day to today.
  const json now = GetJson("hr", "/api/v1/calendar?department_id=3&from=" + Day(-4) + "&to=" + Day(-2));
  const json morozova = DaysOf(now, kMorozova);
  ASSERT_EQ(morozova.size(), 3U);
  EXPECT_NE(morozova[0].at("code"), "Б");
  EXPECT_EQ(morozova[1], (json{{"code", "Б"}, {"type", "sick_leave"}, {"request_id", sick}}));
  EXPECT_EQ(morozova[2], (json{{"code", "Б"}, {"type", "sick_leave"}, {"request_id", sick}}));
}

TEST_F(CalendarViews, AColleagueAndTheManagerSeeAbsentNotTheSickLeave) {
  SickLeaveAndVacation();
  const std::string range = "&from=" + Day(-2) + "&to=" + Day(-2);
  for (const std::string login : {"employee", "manager"}) {
    const json team = GetJson(login, "/api/v1/calendar?department_id=3" + range);
    EXPECT_EQ(DaysOf(team, kMorozova), (json::array({{{"code", "absent"}}}))) << login;
    EXPECT_EQ(team.dump().find("sick_leave"), std::string::npos) << login;
  }
  // A vacation is no secret: the colleague sees it.
  const std::string far = FormatIsoDate(FarDay(2, 3));
  const json colleague = GetJson("employee", "/api/v1/calendar?department_id=3&from=" + far + "&to=" + far);
  EXPECT_EQ(DaysOf(colleague, kEmployee)[0].at("code"), "ОТ");

  // Her own calendar is hers: she has no login, so hr stands in for whom
  // employees.read_personal reaches.
  const json own = GetJson("hr", "/api/v1/employees/5/calendar?from=" + Day(-3) + "&to=" + Day(-3));
  EXPECT_EQ(own.at("days")[0].at("code"), "Б");
  const json seen = GetJson("employee", "/api/v1/employees/5/calendar?from=" + Day(-3) + "&to=" + Day(-3));
  EXPECT_EQ(seen.at("days")[0].at("code"), "absent");
  ASSERT_EQ(seen.at("activities").size(), 1U);
  EXPECT_EQ(seen.at("activities")[0], (json{{"request_id", nullptr},
                                            {"type", nullptr},
                                            {"type_name", "Отсутствие"},
                                            {"code", "absent"},
                                            {"status", "approved"},
                                            {"start_date", Day(-3)},
                                            {"end_date", nullptr}}));
}

TEST_F(CalendarViews, WhoIsAwayTodayAndThisWeek) {
  const auto [sick, vacation] = SickLeaveAndVacation();
  const json hr = GetJson("hr", "/api/v1/calendar/away?department_id=3&date=" + Day(-1));
  EXPECT_EQ(hr.at("from"), Day(-1));
  EXPECT_EQ(hr.at("to"), Day(-1));
  ASSERT_EQ(hr.at("items").size(), 1U);
  const json& item = hr.at("items")[0];
  EXPECT_EQ(item.at("employee_id"), kMorozova);
  EXPECT_EQ(item.at("name"), "Морозова Анна Дмитриевна");
  EXPECT_EQ(item.at("code"), "Б");
  EXPECT_EQ(item.at("request_id"), sick);
  EXPECT_EQ(item.at("start_date"), Day(-3));
  EXPECT_TRUE(item.at("end_date").is_null());

  // The employee asks about his own department by default.
  const json colleague = GetJson("employee", "/api/v1/calendar/away?date=" + Day(-1));
  EXPECT_EQ(colleague.at("department_id"), 3);
  ASSERT_EQ(colleague.at("items").size(), 1U);
  EXPECT_EQ(colleague.at("items")[0].at("code"), "absent");
  EXPECT_TRUE(colleague.at("items")[0].at("type").is_null());

  // The week of the vacation's Wednesday runs Monday to Sunday and holds it.
  const Date wednesday = FarDay(2, 3);
  const json week =
      GetJson("manager", "/api/v1/calendar/away?department_id=2&subtree=true&period=week&date=" +
                             FormatIsoDate(wednesday));
  const Date from = *ParseIsoDate(week.at("from").get<std::string>());
  EXPECT_EQ(std::chrono::weekday(from), std::chrono::Monday);
  EXPECT_LE(from, wednesday);
  EXPECT_EQ(*ParseIsoDate(week.at("to").get<std::string>()), from + std::chrono::days{6});
  std::vector<json> codes;
  for (const json& absence : week.at("items")) codes.push_back(absence.at("code"));
  EXPECT_THAT(codes, ElementsAre("ОТ"));
  EXPECT_EQ(week.at("items")[0].at("request_id"), vacation);

  // Outside his reach nobody is away as far as manager2 can tell.
  const json other = GetJson("manager2", "/api/v1/calendar/away?department_id=3&date=" + Day(-1));
  EXPECT_TRUE(other.at("items").empty());
}

TEST_F(CalendarViews, PendingRequestsShowOnlyToWhomTheRequestsReach) {
  const json pending = Create("employee", json{{"type", "vacation"},
                                               {"start_date", FormatIsoDate(FarDay(3, 2))},
                                               {"end_date", FormatIsoDate(FarDay(3, 6))}});
  EXPECT_EQ(pending.at("status"), "pending");
  const std::string path = "/api/v1/employees/4/calendar?from=" + FormatIsoDate(FarDay(3, 1)) +
                           "&to=" + FormatIsoDate(FarDay(3, 31));
  for (const std::string login : {"employee", "manager", "hr"}) {
    const json calendar = GetJson(login, path);
    ASSERT_EQ(calendar.at("activities").size(), 1U) << login;
    EXPECT_EQ(calendar.at("activities")[0].at("status"), "pending");
    EXPECT_EQ(calendar.at("activities")[0].at("request_id"), pending.at("id"));
    // Only an approved request changes the day's code.
    EXPECT_NE(calendar.at("days")[1].at("code"), "ОТ");
    EXPECT_EQ(calendar.at("days").size(), 31U);
  }
  EXPECT_EQ(Call("manager2", "GET", path).status, 404);
  EXPECT_EQ(Call("employee", "GET", "/api/v1/employees/10/calendar").status, 404);
  EXPECT_EQ(Call("hr", "GET", "/api/v1/employees/999999/calendar").status, 404);
  EXPECT_EQ(Call("hr", "GET", "/api/v1/calendar?department_id=999999").status, 404);
  // Outside the reach a team calendar is empty rather than an error.
  EXPECT_TRUE(GetJson("manager2", "/api/v1/calendar?department_id=3").at("items").empty());
}

TEST_F(CalendarViews, AShiftScheduleAndAPartTimeRatePlanTheHours) {
  // Morozova moves to 2/2 shifts of 12 hours (anchored on 2024-01-01) at
  // half time.
  const HttpResponse read = Call("hr", "GET", "/api/v1/employees/5");
  const HttpResponse changed =
      Call("hr", "PATCH", "/api/v1/employees/5", json{{"schedule_id", 4}, {"employment_rate", 50}}.dump(),
           {{"If-Match", read.Header("etag")}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  const Date from = FarDay(5, 1);
  const json calendar = GetJson("employee", "/api/v1/employees/5/calendar?from=" + FormatIsoDate(from) +
                                                "&to=" + FormatIsoDate(FarDay(5, 31)));
  const Date anchor = *ParseIsoDate("2024-01-01");
  int shifts = 0;
  for (size_t i = 0; i < calendar.at("days").size(); ++i) {
    const Date date = from + std::chrono::days{i};
    const bool on = (date - anchor).count() % 4 < 2;
    const json& day = calendar.at("days")[i];
    if (on) {
      ++shifts;
      EXPECT_EQ(day.at("code"), "Я") << i;
      EXPECT_EQ(day.at("hours"), 6) << i;
    } else {
      EXPECT_EQ(day.at("code"), "В") << i;
      EXPECT_FALSE(day.contains("hours")) << i;
    }
  }
  EXPECT_GE(shifts, 15);
  // 9 May is a holiday for the calendar, and a shift like any other day
  // when the pattern says so.
  EXPECT_EQ(calendar.at("days")[8].at("kind"), "holiday");
}

TEST_F(CalendarViews, DaysBeforeTheHireDateHaveNoCode) {
  const HttpResponse hired = Call("hr", "POST", "/api/v1/employees",
                                  json{{"personnel_number", "CAL-001"},
                                       {"last_name", "Новикова"},
                                       {"first_name", "Анна"},
                                       {"email", "cal-001@demo.tabel.local"},
                                       {"position_id", 1},
                                       {"department_id", 3},
                                       {"hire_date", Day(5)},
                                       {"employment_rate", 100},
                                       {"schedule_id", 1},
                                       {"salary_kopecks", 10000000}}
                                      .dump());
  ASSERT_EQ(hired.status, 201) << hired.body;
  const int64_t id = json::parse(hired.body).at("id").get<int64_t>();
  const json calendar =
      GetJson("hr", "/api/v1/employees/" + std::to_string(id) + "/calendar?from=" + Day(3) + "&to=" + Day(7));
  const std::vector<json> codes = Codes(calendar.at("days"));
  EXPECT_EQ(codes[0], nullptr);
  EXPECT_EQ(codes[1], nullptr);
  EXPECT_NE(codes[2], nullptr);
  EXPECT_NE(codes[4], nullptr);
  // In the team calendar she appears from the range that holds her hire date.
  const json before = GetJson("hr", "/api/v1/calendar?department_id=3&from=" + Day(0) + "&to=" + Day(3));
  EXPECT_TRUE(DaysOf(before, id).is_null());
}

TEST_F(CalendarViews, BadInputIsA400NamingTheField) {
  const auto fields = [&](const std::string& target) {
    const HttpResponse response = Call("hr", "GET", target);
    EXPECT_EQ(response.status, 400) << target << " -> " << response.body;
    EXPECT_EQ(response.Header("content-type"), "application/problem+json");
    return ProblemFields(response);
  };
  EXPECT_THAT(fields("/api/v1/calendar?from=2026-02-30"), ElementsAre("from"));
  EXPECT_THAT(fields("/api/v1/calendar?from=2026-03-01&to=2026-02-01"), ElementsAre("to"));
  EXPECT_THAT(fields("/api/v1/calendar?from=2026-01-01&to=2026-04-04"), ElementsAre("to"));  // 94 days
  EXPECT_EQ(Call("hr", "GET", "/api/v1/calendar?department_id=3&from=2026-01-01&to=2026-04-03").status, 200);
  EXPECT_THAT(fields("/api/v1/calendar?department_id=abc"), ElementsAre("department_id"));
  EXPECT_THAT(fields("/api/v1/calendar?department_id=0"), ElementsAre("department_id"));
  EXPECT_THAT(fields("/api/v1/calendar?subtree=maybe"), ElementsAre("subtree"));
  EXPECT_THAT(fields("/api/v1/calendar?limit=0"), ElementsAre("limit"));
  EXPECT_THAT(fields("/api/v1/calendar?cursor=x1"), ElementsAre("cursor"));
  EXPECT_THAT(fields("/api/v1/calendar?department=3"), ElementsAre("department"));
  EXPECT_THAT(fields("/api/v1/calendar/away?period=month"), ElementsAre("period"));
  EXPECT_THAT(fields("/api/v1/calendar/away?date=yesterday"), ElementsAre("date"));
  EXPECT_THAT(fields("/api/v1/employees/4/calendar?from=2026-01-01&to=2027-01-02"), ElementsAre("to"));
  EXPECT_EQ(Call("hr", "GET", "/api/v1/employees/4/calendar?from=2026-01-01&to=2026-12-31").status, 200);
  EXPECT_EQ(Call("hr", "GET", "/api/v1/employees/abc/calendar").status, 400);
  // admin has no department of his own to default to.
  EXPECT_THAT(ProblemFields(Call("admin", "GET", "/api/v1/calendar")), ElementsAre("department_id"));
  EXPECT_EQ(Call("", "GET", "/api/v1/calendar").status, 401);
}

TEST_F(CalendarViews, TheTeamCalendarPagesThroughTheSubtree) {
  std::vector<int64_t> seen;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    const json body =
        GetJson("manager", "/api/v1/calendar?department_id=2&subtree=true&limit=2&from=" + Day(0) +
                               "&to=" + Day(1) + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const json& item : body.at("items")) seen.push_back(item.at("employee_id").get<int64_t>());
    if (body.at("next_cursor").is_null()) break;
    cursor = body.at("next_cursor").get<std::string>();
  }
  // IT (2), IT-DEV (3, 4, 5), IT-OPS (6, 7).
  EXPECT_THAT(seen, ElementsAre(2, 3, 4, 5, 6, 7));
  const json own = GetJson("manager", "/api/v1/calendar?department_id=2&from=" + Day(0) + "&to=" + Day(1));
  std::vector<int64_t> direct;
  for (const json& item : own.at("items")) direct.push_back(item.at("employee_id").get<int64_t>());
  EXPECT_THAT(direct, UnorderedElementsAre(2));
}

// The unfolded content lines of an iCalendar text, checking on the way
// that every physical line ends with CRLF and is at most 75 octets.
std::vector<std::string> ContentLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find("\r\n", at);
    EXPECT_NE(end, std::string::npos) << "a line without CRLF at " << at;
    if (end == std::string::npos) break;
    const std::string line = text.substr(at, end - at);
    EXPECT_LE(line.size(), 75U) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    if (!line.empty() && line[0] == ' ' && !lines.empty()) {
      lines.back() += line.substr(1);
    } else {
      lines.push_back(line);
    }
    at = end + 2;
  }
  return lines;
}

std::string Compact(Date date) {
  std::string text = FormatIsoDate(date);
  text.erase(std::remove(text.begin(), text.end(), '-'), text.end());
  return text;
}

TEST_F(CalendarViews, ICalendarFeedsLiveBehindASecretTokenTheOwnerRotates) {
  SickLeaveAndVacation();
  const Date first = TodayUtc() + std::chrono::days{20};
  const Date last = TodayUtc() + std::chrono::days{24};
  const json vacation = Create(
      "employee",
      json{{"type", "vacation"}, {"start_date", FormatIsoDate(first)}, {"end_date", FormatIsoDate(last)}});
  const std::string id = std::to_string(vacation.at("id").get<int64_t>());
  ASSERT_EQ(Call("manager", "POST", "/api/v1/requests/" + id + "/approve").status, 200);

  const HttpResponse rotated = Call("employee", "POST", "/api/v1/me/calendar-feed");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const json feed = json::parse(rotated.body);
  const std::string token = feed.at("token");
  EXPECT_EQ(token.size(), 43U);
  EXPECT_EQ(feed.at("personal_url"), "/api/v1/calendar-feed/personal.ics?token=" + token);

  // No bearer token: the URL is the credential.
  const HttpResponse personal = Call("", "GET", feed.at("personal_url"));
  ASSERT_EQ(personal.status, 200) << personal.body;
  EXPECT_EQ(personal.Header("content-type"), "text/calendar; charset=utf-8");
  const std::vector<std::string> lines = ContentLines(personal.body);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
  EXPECT_THAT(lines, ::testing::Contains("UID:request-" + id + "@tabel"));
  EXPECT_THAT(lines, ::testing::Contains("DTSTART;VALUE=DATE:" + Compact(first)));
  EXPECT_THAT(lines, ::testing::Contains("DTEND;VALUE=DATE:" + Compact(last + std::chrono::days{1})));
  EXPECT_THAT(lines, ::testing::Contains("SUMMARY:Ежегодный оплачиваемый отпуск"));
  EXPECT_THAT(lines, ::testing::Contains(::testing::StartsWith("DTSTAMP:")));

  // The team's feed shows the colleague's sick leave as an absence only;
  // hr's shows it for what it is.
  const HttpResponse team = Call("", "GET", feed.at("team_url"));
  ASSERT_EQ(team.status, 200) << team.body;
  const std::vector<std::string> team_lines = ContentLines(team.body);
  EXPECT_THAT(team_lines, ::testing::Contains("SUMMARY:Морозова Анна Дмитриевна — Отсутствие"));
  EXPECT_THAT(team_lines,
              ::testing::Contains("SUMMARY:Петров Иван Сергеевич — Ежегодный оплачиваемый отпуск"));
  EXPECT_EQ(team.body.find("нетрудоспособность"), std::string::npos);
  const json hr_feed = json::parse(Call("hr", "POST", "/api/v1/me/calendar-feed").body);
  const HttpResponse hr_team =
      Call("", "GET", hr_feed.at("team_url").get<std::string>() + "&department_id=3");
  EXPECT_THAT(ContentLines(hr_team.body),
              ::testing::Contains("SUMMARY:Морозова Анна Дмитриевна — Временная нетрудоспособность"));

  // A cancelled vacation leaves the feed.
  ASSERT_EQ(Call("manager", "POST", "/api/v1/requests/" + id + "/cancel", json{{"comment", "перенос"}}.dump())
                .status,
            200);
  EXPECT_EQ(Call("", "GET", feed.at("personal_url")).body.find("UID:request-" + id + "@tabel"),
            std::string::npos);

  // Rotating ends the old URL; revoking ends the feeds.
  const json again = json::parse(Call("employee", "POST", "/api/v1/me/calendar-feed").body);
  EXPECT_NE(again.at("token"), token);
  EXPECT_EQ(Call("", "GET", feed.at("personal_url")).status, 404);
  EXPECT_EQ(Call("", "GET", again.at("personal_url")).status, 200);
  EXPECT_EQ(Call("employee", "DELETE", "/api/v1/me/calendar-feed").status, 204);
  EXPECT_EQ(Call("", "GET", again.at("personal_url")).status, 404);
  EXPECT_EQ(Call("employee", "DELETE", "/api/v1/me/calendar-feed").status, 404);
  EXPECT_EQ(Call("", "POST", "/api/v1/me/calendar-feed").status, 401);

  // A malformed or missing token is a 400 naming it.
  EXPECT_THAT(ProblemFields(Call("", "GET", "/api/v1/calendar-feed/personal.ics?token=short")),
              ElementsAre("token"));
  EXPECT_THAT(ProblemFields(Call("", "GET", "/api/v1/calendar-feed/team.ics")), ElementsAre("token"));
  EXPECT_EQ(Call("", "GET", "/api/v1/calendar-feed/personal.ics?token=" + std::string(43, 'A')).status, 404);
}

// The team calendar is cached until an activity changes: a change made
// behind the service's back (in the database) stays unseen, and an
// approval, through its event, shows.
void CachedUntilAnActivityChanges(DemoServer& server) {
  Date monday = FarDay(6, 1);  // the first Monday of June: a working day
  while (std::chrono::weekday(monday) != std::chrono::Monday) monday += std::chrono::days{1};
  const std::string day = FormatIsoDate(monday);
  const std::string target = "/api/v1/calendar?department_id=3&from=" + day + "&to=" + day;
  const auto codes = [&] {
    const HttpResponse response = server.Call("hr", "GET", target);
    EXPECT_EQ(response.status, 200) << response.body;
    std::map<int64_t, json> by_person;
    const json body = json::parse(response.body);
    for (const json& item : body.at("items")) {
      by_person[item.at("employee_id").get<int64_t>()] = item.at("days")[0];
    }
    return by_person;
  };
  const auto before = codes();
  ASSERT_EQ(before.count(kMorozova), 1U);
  {
    auto database = server.database().MakeDatabase(1);
    db::WithSession(*database, [](soci::session& session) {
      session << "UPDATE employees SET employment_rate = 10 WHERE id = 5";
    });
  }
  EXPECT_EQ(codes(), before) << "served from the cache";
  const json vacation =
      json::parse(server
                      .Call("employee", "POST", "/api/v1/requests",
                            json{{"type", "vacation"}, {"start_date", day}, {"end_date", day}}.dump())
                      .body);
  ASSERT_EQ(server
                .Call("manager", "POST",
                      "/api/v1/requests/" + std::to_string(vacation.at("id").get<int64_t>()) + "/approve")
                .status,
            200);
  std::map<int64_t, json> after;
  EXPECT_TRUE(Eventually(
      [&] {
        after = codes();
        return after.at(kEmployee).at("code") == "ОТ";
      },
      std::chrono::seconds(15), std::chrono::milliseconds(100)))
      << after.at(kEmployee);
  // The change made behind its back shows too, now that the entry is gone.
  EXPECT_EQ(before.at(kMorozova), (json{{"code", "Я"}, {"hours", 8}}));
  EXPECT_EQ(after.at(kMorozova), (json{{"code", "Я"}, {"hours", 0.8}}));
}

// A change of an employee through the API reaches the cached team calendar
// through its event, long before the cache's minute is up: Morozova's rate
// of 10 % plans 0.8 hours.
TEST_F(CalendarViews, AnEmployeesChangeShowsInTheCachedTeamCalendar) {
  Date monday = FarDay(6, 1);
  while (std::chrono::weekday(monday) != std::chrono::Monday) monday += std::chrono::days{1};
  const std::string day = FormatIsoDate(monday);
  const std::string target = "/api/v1/calendar?department_id=3&from=" + day + "&to=" + day;
  const auto morozova = [&] { return DaysOf(GetJson("hr", target), kMorozova)[0]; };
  ASSERT_EQ(morozova(), (json{{"code", "Я"}, {"hours", 8}}));  // now cached
  const std::string path = "/api/v1/employees/" + std::to_string(kMorozova);
  const std::string etag = Call("hr", "GET", path).Header("etag");
  const HttpResponse changed =
      Call("hr", "PATCH", path, json{{"employment_rate", 10}}.dump(), {{"If-Match", etag}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_TRUE(Eventually(
      [&] {
        return morozova() == json{{"code", "Я"}, {"hours", 0.8}};
      },
      std::chrono::seconds(15), std::chrono::milliseconds(100)))
      << morozova();
}

// An edit of the production calendar shows at once, cached or not: a
// working Monday made a holiday for the demo company's region.
TEST_F(CalendarViews, AnEditOfTheProductionCalendarShowsAtOnce) {
  Date monday = FarDay(6, 1);
  while (std::chrono::weekday(monday) != std::chrono::Monday) monday += std::chrono::days{1};
  const std::string day = FormatIsoDate(monday);
  const std::string target = "/api/v1/calendar?department_id=3&from=" + day + "&to=" + day;
  EXPECT_EQ(DaysOf(GetJson("hr", target), kMorozova)[0], (json{{"code", "Я"}, {"hours", 8}}));
  const std::string year = day.substr(0, 4);
  const HttpResponse edited =
      Call("hr", "PUT", "/api/v1/production-calendar/" + year + "/days/" + day,
           json{{"kind", "holiday"}, {"name", "Региональный праздник"}, {"region", "Москва"}}.dump());
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(DaysOf(GetJson("hr", target), kMorozova)[0], (json{{"code", "В"}}));
}

TEST_F(CalendarViews, TheTeamCalendarIsCachedInMemoryUntilAnActivityChanges) {
  CachedUntilAnActivityChanges(*server_);
}

TEST(CalendarViewsOnRedis, TheTeamCalendarIsCachedInRedisUntilAnActivityChanges) {
  const char* redis = std::getenv("TABEL_TEST_REDIS_URL");
  ASSERT_NE(redis, nullptr) << "run through scripts/test, which starts Redis";
  DemoServer server(std::map<std::string, std::string>{{"TABEL_REDIS_URL", redis}});
  CachedUntilAnActivityChanges(server);
}

// Without its cache the product works on: a Redis that does not answer
// makes every read a miss, not an error.
TEST(CalendarViewsOnRedis, AnUnreachableRedisCostsOnlyTheCache) {
  DemoServer server(std::map<std::string, std::string>{{"TABEL_REDIS_URL", "redis://127.0.0.1:1/0"}});
  for (int i = 0; i < 3; ++i) {
    const HttpResponse response = server.Call("hr", "GET", "/api/v1/calendar?department_id=3");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_FALSE(json::parse(response.body).at("items").empty());
  }
}

}  // namespace
}  // namespace tabel::testing
