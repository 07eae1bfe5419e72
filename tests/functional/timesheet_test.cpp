// The timesheet over HTTP on the demo company, in October 2026 (22 working
// days, 176 hours at 40 h a week, no holiday): the T-13 of a department
// from the schedule and the approved requests, its CSV and XLSX forms, a
// person's month, corrections, timekeepers, closing and reopening a month,
// who may do what, and bad input (always a 4xx problem+json naming the
// field).
//   IT (2, manager) > IT-DEV (3: Sokolova 3, employee 4, Morozova 5).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/demo_server.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

constexpr int64_t kSokolova = 3;
constexpr int64_t kEmployee = 4;  // login employee
constexpr int64_t kMorozova = 5;
constexpr int64_t kHr = 12;  // login hr
constexpr const char* kOctober = "/api/v1/timesheets/3/2026-10";

class Timesheet : public ::testing::Test {
 protected:
  void SetUp() override { server_ = std::make_unique<DemoServer>(); }

  HttpResponse Call(const std::string& login, const std::string& method, const std::string& target,
                    const std::string& body = "") {
    return server_->Call(login, method, target, body);
  }

  json GetJson(const std::string& login, const std::string& target) {
    const HttpResponse response = Call(login, "GET", target);
    EXPECT_EQ(response.status, 200) << target << " -> " << response.body;
    return json::parse(response.body);
  }

  // Morozova's sick leave of 5–9 October, registered by hr; its id.
  int64_t SickLeave() {
    const json body = {{"type", "sick_leave"},
                       {"employee_id", kMorozova},
                       {"start_date", "2026-10-05"},
                       {"end_date", "2026-10-09"},
                       {"certificate_number", "910012345678"}};
    const HttpResponse response = Call("hr", "POST", "/api/v1/requests", body.dump());
    EXPECT_EQ(response.status, 201) << response.body;
    const json request = json::parse(response.body);
    EXPECT_EQ(request.at("status"), "approved");
    return request.value("id", int64_t{0});
  }

  // The row of `employee` in `target`'s T-13 once `done` holds for it (the
  // queue consumer works in the background), after at most ten seconds.
  json RowOnceDone(const std::string& target, int64_t employee,
                   const std::function<bool(const json&)>& done) {
    json row;
    for (int attempt = 0; attempt < 100; ++attempt) {
      row = RowOf(GetJson("manager", target), employee);
      if (done(row)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return row;
  }

  // The dates of a row's corrections of earlier months.
  static std::vector<std::string> EarlierDates(const json& row) {
    std::vector<std::string> dates;
    for (const json& day : row.at("earlier")) dates.push_back(day.at("date").get<std::string>());
    return dates;
  }

  HttpResponse Correct(const std::string& login, int64_t employee, const std::string& date,
                       const json& body) {
    return Call(login, "PUT", "/api/v1/employees/" + std::to_string(employee) + "/timesheet/days/" + date,
                body.dump());
  }

  static const json& RowOf(const json& t13, int64_t employee) {
    for (const json& item : t13.at("items")) {
      if (item.at("employee_id") == employee) return item;
    }
    static const json kNone;
    ADD_FAILURE() << "no row of " << employee;
    return kNone;
  }

  // "Я 8", "Я 4 / ПК", "Б": a day of a row as the form writes it.
  static std::string DayText(const json& row, int day) {
    const json& cell = row.at("days").at(static_cast<size_t>(day - 1));
    if (cell.is_null()) return "";
    std::string text;
    for (const json& entry : cell.at("entries")) {
      if (!text.empty()) text += " / ";
      text += entry.at("code").get<std::string>();
      if (entry.at("hours").get<double>() != 0) text += " " + entry.at("hours").dump();
    }
    return text;
  }

  static json Code(const json& row, const std::string& code) {
    for (const json& item : row.at("totals").at("codes")) {
      if (item.at("code") == code) return json{item.at("days"), item.at("hours")};
    }
    return json{0, 0};
  }

  std::unique_ptr<DemoServer> server_;
};

TEST_F(Timesheet, TheT13OfADepartmentIsItsSchedulesWithTheApprovedRequests) {
  SickLeave();
  const json t13 = GetJson("manager", kOctober);
  EXPECT_EQ(t13.at("month"), "2026-10");
  EXPECT_EQ(t13.at("department").at("code"), "IT-DEV");
  EXPECT_EQ(t13.at("closed"), false);
  ASSERT_EQ(t13.at("days").size(), 31U);
  EXPECT_EQ(t13.at("days")[2].at("kind"), "weekend");  // Saturday 3 October
  std::vector<std::string> names;
  for (const json& item : t13.at("items")) names.push_back(item.at("name").get<std::string>());
  EXPECT_THAT(names,
              ElementsAre("Морозова Анна Дмитриевна", "Петров Иван Сергеевич", "Соколова Мария Игоревна"));

  const json& morozova = RowOf(t13, kMorozova);
  EXPECT_EQ(DayText(morozova, 2), "Я 8.0");
  EXPECT_EQ(DayText(morozova, 3), "В");
  for (int day = 5; day <= 9; ++day) EXPECT_EQ(DayText(morozova, day), "Б") << day;
  EXPECT_EQ(Code(morozova, "Б"), json({5, 0.0}));
  EXPECT_EQ(morozova.at("totals").at("month"), json({{"days", 17}, {"hours", 136.0}}));
  EXPECT_EQ(morozova.at("totals").at("norm"), json({{"days", 22}, {"hours", 176.0}}));
  EXPECT_EQ(morozova.at("totals").at("first_half"), json({{"days", 6}, {"hours", 48.0}}));
  EXPECT_EQ(RowOf(t13, kEmployee).at("totals").at("month"), json({{"days", 22}, {"hours", 176.0}}));
  EXPECT_EQ(RowOf(t13, kEmployee).at("personnel_number"), "DEMO-004");

  // The parent department with its subtree holds them too; without, only its head.
  EXPECT_EQ(GetJson("manager", "/api/v1/timesheets/2/2026-10?subtree=true").at("items").size(), 6U);
  EXPECT_EQ(GetJson("manager", "/api/v1/timesheets/2/2026-10").at("items").size(), 1U);
}

TEST_F(Timesheet, TheT13IsAlsoACsvAndAnXlsxDownload) {
  const HttpResponse csv = Call("accountant", "GET", std::string(kOctober) + "?format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.headers.at("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF", 0), 0U);  // the BOM Excel needs
  EXPECT_NE(csv.body.find("Петров Иван Сергеевич"), std::string::npos);
  EXPECT_NE(csv.headers.at("content-disposition").find("t13-3-2026-10.csv"), std::string::npos);

  const HttpResponse xlsx = Call("accountant", "GET", std::string(kOctober) + "?format=xlsx");
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  EXPECT_EQ(xlsx.headers.at("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(xlsx.body.rfind("PK\x03\x04", 0), 0U);  // a zip

  const HttpResponse pdf = Call("accountant", "GET", std::string(kOctober) + "?format=pdf");
  EXPECT_EQ(pdf.status, 400);
  EXPECT_THAT(ProblemFields(pdf), ElementsAre("format"));
}

TEST_F(Timesheet, EachSeesTheTimesheetsOfHisReachOnly) {
  EXPECT_EQ(Call("employee", "GET", kOctober).status, 404);
  EXPECT_EQ(Call("manager2", "GET", kOctober).status, 404);
  EXPECT_EQ(Call("manager", "GET", "/api/v1/timesheets/5/2026-10").status, 404);
  EXPECT_EQ(Call("accountant", "GET", kOctober).status, 200);
  EXPECT_EQ(Call("auditor", "GET", kOctober).status, 200);
  EXPECT_EQ(Call("hr", "GET", "/api/v1/timesheets/999/2026-10").status, 404);
  EXPECT_EQ(Call("", "GET", kOctober).status, 401);

  const json own = GetJson("employee", "/api/v1/employees/4/timesheet/2026-10");
  EXPECT_EQ(own.at("employee_id"), kEmployee);
  EXPECT_EQ(own.at("kinds").size(), 31U);
  EXPECT_EQ(Call("employee", "GET", "/api/v1/employees/5/timesheet/2026-10").status, 404);
  EXPECT_EQ(Call("manager", "GET", "/api/v1/employees/5/timesheet/2026-10").status, 200);
}

TEST_F(Timesheet, HrCorrectsADayWithAReasonAndTheTimesheetShowsIt) {
  const json body = {{"entries", {{{"code", "Я"}, {"hours", 4}}, {{"code", "ПК"}}}}, {"reason", "курсы"}};
  EXPECT_EQ(Correct("manager", kEmployee, "2026-10-14", body).status, 403);   // no timesheets.correct
  EXPECT_EQ(Correct("hr", kHr, "2026-10-14", body).status, 403);              // his own
  EXPECT_EQ(Correct("manager2", kEmployee, "2026-10-14", body).status, 404);  // outside his reach

  const HttpResponse saved = Correct("hr", kEmployee, "2026-10-14", body);
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(json::parse(saved.body).at("period"), "2026-10");
  const json row = RowOf(GetJson("manager", kOctober), kEmployee);
  EXPECT_EQ(DayText(row, 14), "Я 4.0 / ПК");
  EXPECT_EQ(row.at("days")[13].at("corrected"), true);
  EXPECT_EQ(row.at("totals").at("month"), json({{"days", 22}, {"hours", 172.0}}));
  const json own = GetJson("employee", "/api/v1/employees/4/timesheet/2026-10");
  ASSERT_EQ(own.at("corrections").size(), 1U);
  EXPECT_EQ(own.at("corrections")[0].at("reason"), "курсы");

  // Removing it brings back the schedule's day.
  EXPECT_EQ(Call("hr", "DELETE", "/api/v1/employees/4/timesheet/days/2026-10-14").status, 400);  // no reason
  EXPECT_EQ(Call("hr", "DELETE", "/api/v1/employees/4/timesheet/days/2026-10-14?reason=ошибка").status, 204);
  EXPECT_EQ(DayText(RowOf(GetJson("manager", kOctober), kEmployee), 14), "Я 8.0");
  EXPECT_EQ(Call("hr", "DELETE", "/api/v1/employees/4/timesheet/days/2026-10-14?reason=ошибка").status, 404);
}

TEST_F(Timesheet, ABadCorrectionIsA4xxNamingTheField) {
  const auto fields = [&](const std::string& date, const json& body) {
    const HttpResponse response = Correct("hr", kEmployee, date, body);
    EXPECT_EQ(response.status, 400) << body.dump() << " -> " << response.body;
    return ProblemFields(response);
  };
  const json reason = "проверка";
  EXPECT_THAT(fields("2026-10-14", {{"entries", {{{"code", "XX"}}}}, {"reason", reason}}),
              ElementsAre("entries[0].code"));
  EXPECT_THAT(fields("2026-10-14", {{"entries", {{{"code", "Я"}, {"hours", 25}}}}, {"reason", reason}}),
              ElementsAre("entries[0].hours"));
  EXPECT_THAT(fields("2026-10-14", {{"entries", {{{"code", "Я"}, {"hours", 7.55}}}}, {"reason", reason}}),
              ElementsAre("entries[0].hours"));
  EXPECT_THAT(fields("2026-10-14", {{"entries", {{{"code", "Я"}, {"hours", "8"}}}}, {"reason", reason}}),
              ElementsAre("entries[0].hours"));
  EXPECT_THAT(fields("2026-10-14", {{"entries", json::array()}, {"reason", reason}}), ElementsAre("entries"));
  EXPECT_THAT(fields("2026-10-14", {{"entries", {{{"code", "Я"}, {"hours", 8}}}}}), ElementsAre("reason"));
  EXPECT_THAT(fields("2026-10-14", {{"entries", {{{"code", "В"}, {"hours", 8}}}}, {"reason", reason}}),
              ElementsAre("entries[0].hours"));
  EXPECT_THAT(fields("2026-10-14", {{"entries", {{{"code", "Я"}}}}, {"reason", reason}}),
              ElementsAre("entries[0].hours"));
  EXPECT_THAT(fields("2026-13-01", {{"entries", {{{"code", "Я"}, {"hours", 8}}}}, {"reason", reason}}),
              ElementsAre("date"));
  const HttpResponse malformed =
      Call("hr", "PUT", "/api/v1/employees/4/timesheet/days/2026-10-14", "{\"entries\":");
  EXPECT_EQ(malformed.status, 400);
  const HttpResponse before_hire = Correct(
      "hr", kEmployee, "2010-01-11", {{"entries", {{{"code", "Я"}, {"hours", 8}}}}, {"reason", reason}});
  EXPECT_EQ(before_hire.status, 422);
  EXPECT_THAT(ProblemFields(before_hire), ElementsAre("date"));
  EXPECT_EQ(Call("hr", "GET", "/api/v1/timesheets/3/2026-1").status, 400);
  EXPECT_EQ(Call("hr", "GET", "/api/v1/timesheets/abc/2026-10").status, 400);
  EXPECT_EQ(Call("hr", "GET", std::string(kOctober) + "?subtree=maybe").status, 400);
}

TEST_F(Timesheet, ATimekeeperReadsTheTimesheetsOfHisDepartmentsAndNothingMore) {
  // manager2 heads RETAIL; made the timekeeper of IT-DEV.
  EXPECT_EQ(Call("manager", "PUT", "/api/v1/departments/3/timekeepers/8").status, 403);
  EXPECT_EQ(Call("hr", "PUT", "/api/v1/departments/3/timekeepers/8").status, 204);
  const json keepers = GetJson("hr", "/api/v1/departments/3/timekeepers");
  ASSERT_EQ(keepers.at("items").size(), 1U);
  EXPECT_EQ(keepers.at("items")[0].at("employee_id"), 8);
  EXPECT_EQ(Call("manager2", "GET", kOctober).status, 200);
  // Not the team calendar of that department, nor its people.
  EXPECT_TRUE(GetJson("manager2", "/api/v1/calendar?department_id=3&from=2026-10-01&to=2026-10-31")
                  .at("items")
                  .empty());
  EXPECT_EQ(Call("manager2", "GET", "/api/v1/employees/4").status, 404);

  EXPECT_EQ(Call("hr", "DELETE", "/api/v1/departments/3/timekeepers/8").status, 204);
  EXPECT_EQ(Call("manager2", "GET", kOctober).status, 404);
  EXPECT_EQ(Call("hr", "DELETE", "/api/v1/departments/3/timekeepers/8").status, 404);
}

TEST_F(Timesheet, AClosedMonthIsFrozenAndALaterCorrectionGoesToTheNextMonth) {
  EXPECT_EQ(
      Call("manager", "POST", "/api/v1/timesheet-periods/2026-10/close", R"({"department_id":3})").status,
      403);
  const HttpResponse closed =
      Call("accountant", "POST", "/api/v1/timesheet-periods/2026-10/close", R"({"department_id":3})");
  ASSERT_EQ(closed.status, 201) << closed.body;
  EXPECT_EQ(json::parse(closed.body).at("people"), 3);
  EXPECT_EQ(
      Call("accountant", "POST", "/api/v1/timesheet-periods/2026-10/close", R"({"department_id":3})").status,
      409);
  EXPECT_EQ(GetJson("manager", kOctober).at("closed"), true);

  // A sick leave approved after the closing does not change the frozen
  // month: its days are carried into November, where accounting settles them…
  const int64_t sick = SickLeave();
  const std::string november_t13 = "/api/v1/timesheets/3/2026-11";
  const json carried =
      RowOnceDone(november_t13, kMorozova, [](const json& row) { return row.at("earlier").size() == 5; });
  EXPECT_THAT(EarlierDates(carried),
              ElementsAre("2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08", "2026-10-09"));
  ASSERT_FALSE(carried.at("earlier").empty());
  EXPECT_EQ(carried.at("earlier")[0].at("entries")[0].at("code"), "Б");
  EXPECT_EQ(DayText(RowOf(GetJson("manager", kOctober), kMorozova), 5), "Я 8.0");
  // …and cancelling it takes them back.
  ASSERT_EQ(
      Call("hr", "POST", "/api/v1/requests/" + std::to_string(sick) + "/cancel", R"({"comment":"ошибочно"})")
          .status,
      200);
  EXPECT_TRUE(RowOnceDone(november_t13, kMorozova, [](const json& row) { return row.at("earlier").empty(); })
                  .at("earlier")
                  .empty());
  const int64_t again = SickLeave();
  ASSERT_NE(again, 0);
  EXPECT_EQ(
      RowOnceDone(november_t13, kMorozova, [](const json& row) { return row.at("earlier").size() == 5; })
          .at("earlier")
          .size(),
      5U);
  // …and a correction of one of its days is carried by November.
  const HttpResponse saved = Correct("hr", kSokolova, "2026-10-14",
                                     {{"entries", {{{"code", "НН"}}}}, {"reason", "неявка, выяснено позже"}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(json::parse(saved.body).at("period"), "2026-11");
  EXPECT_EQ(DayText(RowOf(GetJson("manager", kOctober), kSokolova), 14), "Я 8.0");
  const json november = RowOf(GetJson("manager", november_t13), kSokolova);
  EXPECT_THAT(EarlierDates(november), ElementsAre("2026-10-14"));

  const json closings = GetJson("accountant", "/api/v1/timesheet-periods/2026-10");
  ASSERT_EQ(closings.at("items").size(), 1U);
  EXPECT_EQ(closings.at("items")[0].at("department_id"), 3);
  EXPECT_EQ(Call("manager", "GET", "/api/v1/timesheet-periods/2026-10").status, 403);

  // A month is reopened after the months after it.
  ASSERT_EQ(
      Call("accountant", "POST", "/api/v1/timesheet-periods/2026-11/close", R"({"department_id":3})").status,
      201);
  EXPECT_EQ(Call("accountant", "POST", "/api/v1/timesheet-periods/2026-10/reopen",
                 R"({"department_id":3,"reason":"рано"})")
                .status,
            409);
  ASSERT_EQ(Call("accountant", "POST", "/api/v1/timesheet-periods/2026-11/reopen",
                 R"({"department_id":3,"reason":"ещё не всё"})")
                .status,
            200);

  // Reopening needs a reason; then the month is computed again, and what
  // November carried for it comes back to it.
  const HttpResponse no_reason =
      Call("accountant", "POST", "/api/v1/timesheet-periods/2026-10/reopen", R"({"department_id":3})");
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_THAT(ProblemFields(no_reason), ElementsAre("reason"));
  const HttpResponse reopened = Call("accountant", "POST", "/api/v1/timesheet-periods/2026-10/reopen",
                                     R"({"department_id":3,"reason":"больничный задним числом"})");
  ASSERT_EQ(reopened.status, 200) << reopened.body;
  const json october = GetJson("manager", kOctober);
  EXPECT_EQ(october.at("closed"), false);
  EXPECT_EQ(DayText(RowOf(october, kMorozova), 5), "Б");
  EXPECT_EQ(RowOf(october, kMorozova).at("days")[4].at("corrected"), false);
  EXPECT_EQ(DayText(RowOf(october, kSokolova), 14), "НН");
  EXPECT_TRUE(RowOf(GetJson("manager", november_t13), kSokolova).at("earlier").empty());
  EXPECT_TRUE(RowOf(GetJson("manager", november_t13), kMorozova).at("earlier").empty());
  EXPECT_EQ(Call("accountant", "POST", "/api/v1/timesheet-periods/2026-10/reopen",
                 R"({"department_id":3,"reason":"ещё раз"})")
                .status,
            409);
  EXPECT_EQ(Call("accountant", "POST", "/api/v1/timesheet-periods/2099-01/close", "{}").status, 422);
  EXPECT_EQ(Call("accountant", "POST", "/api/v1/timesheet-periods/2026-10/close", R"({"department_id":"x"})")
                .status,
            400);
}

}  // namespace
}  // namespace tabel::testing
