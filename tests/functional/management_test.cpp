// Activity requests over HTTP on the demo company: the workflow and its
// history, approval queues, multi-step chains, deputies, every rule with the
// field it names, balances as a ledger, idempotent creates, and the races
// that must have exactly one winner. Each test gets a fresh server, so the
// balances and dates of one test never meet another's.
//
// The demo company (users/seed.cpp): employee (id 4) works in IT-DEV under
// its head Соколова (3, no login), in the IT department headed by manager
// (2), who is therefore the approver of employee's requests; manager2 heads
// RETAIL; hr and accountant have their own departments. Dates are relative
// to today, so the tests hold on any day.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/date.hpp"
#include "infra/db/transaction.hpp"
#include "management/rules.hpp"
#include "support/days.hpp"
#include "support/demo_server.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr int64_t kEmployee = 4;  // login employee, IT-DEV
constexpr int64_t kMorozova = 5;  // IT-DEV, no login
constexpr int64_t kManager = 2;   // login manager, head of IT

class Management : public ::testing::Test {
 protected:
  void SetUp() override { server_ = std::make_unique<DemoServer>(); }

  HttpResponse Call(const std::string& login, const std::string& method, const std::string& target,
                    const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    return server_->Call(login, method, target, body, std::move(headers));
  }

  // Creates a request and expects 201; returns its body.
  json Create(const std::string& login, const json& body) {
    const HttpResponse response = Call(login, "POST", "/api/v1/requests", body.dump());
    EXPECT_EQ(response.status, 201) << body.dump() << " -> " << response.body;
    return json::parse(response.body);
  }

  HttpResponse Transit(const std::string& login, int64_t id, const std::string& action,
                       const json& body = {}) {
    return Call(login, "POST", "/api/v1/requests/" + std::to_string(id) + "/" + action,
                body.is_null() ? "" : body.dump());
  }

  json Vacation(const std::string& from, const std::string& to) {
    return {{"type", "vacation"}, {"start_date", from}, {"end_date", to}};
  }

  double AnnualBalance(int64_t employee) {
    const json body =
        json::parse(Call("hr", "GET", "/api/v1/employees/" + std::to_string(employee) + "/balances").body);
    for (const json& item : body.at("items")) {
      if (item.at("kind") == "annual") return item.at("balance_days").get<double>();
    }
    return -1;
  }

  std::vector<int64_t> QueueOf(const std::string& login) {
    std::vector<int64_t> ids;
    const json page = json::parse(Call(login, "GET", "/api/v1/approvals").body);
    for (const json& item : page.at("items")) {
      ids.push_back(item.at("id").get<int64_t>());
    }
    return ids;
  }

  long long Count(const std::string& sql) {
    auto database = server_->database().MakeDatabase(1);
    return db::WithSession(*database, [&](soci::session& session) {
      long long count = 0;
      session << sql, soci::into(count);
      return count;
    });
  }

  // hr hires someone into IT-DEV on `hire_date`; returns the employee's id.
  int64_t Hire(const std::string& personnel_number, const std::string& hire_date) {
    const HttpResponse hired = Call("hr", "POST", "/api/v1/employees",
                                    json{{"personnel_number", personnel_number},
                                         {"last_name", "Новикова"},
                                         {"first_name", "Анна"},
                                         {"email", personnel_number + "@demo.tabel.local"},
                                         {"position_id", 1},
                                         {"department_id", 3},
                                         {"schedule_id", 1},
                                         {"hire_date", hire_date},
                                         {"salary_kopecks", 10000000}}
                                        .dump());
    EXPECT_EQ(hired.status, 201) << hired.body;
    return json::parse(hired.body).value("id", int64_t{0});
  }

  json AnnualBalanceOf(int64_t employee) {
    const json body =
        json::parse(Call("hr", "GET", "/api/v1/employees/" + std::to_string(employee) + "/balances").body);
    for (const json& item : body.at("items")) {
      if (item.at("kind") == "annual") return item;
    }
    return nullptr;
  }

  std::unique_ptr<DemoServer> server_;
};

// Two working years and ten days ago (the server's today may be a day
// later than the test's; ten days leave room for it).
Date HiredTwoYearsAgo() {
  const Date today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return management::AddMonths(today - std::chrono::days{10}, -24);
}

TEST_F(Management, EmployeeRequestsVacationManagerApprovesAndTheHistoryTellsItAll) {
  const double before = AnnualBalance(kEmployee);
  // 5–20 January: 16 days, of which 5, 6, 7 and 8 January are public
  // holidays (Labour Code art. 112) and are not charged (art. 120).
  const json created = Create("employee", Vacation(InFarYear("01-05"), InFarYear("01-20")));
  EXPECT_EQ(created["status"], "pending");
  EXPECT_EQ(created["employee_id"], kEmployee);
  EXPECT_EQ(created["approver_employee_id"], kManager);
  EXPECT_EQ(created["charged_days"], 12.0);
  const int64_t id = created["id"];
  EXPECT_EQ(AnnualBalance(kEmployee), before - 12.0);

  EXPECT_THAT(QueueOf("manager"), ElementsAre(id));
  EXPECT_THAT(QueueOf("manager2"), ElementsAre());
  EXPECT_THAT(QueueOf("employee"), ElementsAre());

  EXPECT_EQ(Transit("manager2", id, "approve").status, 404);  // outside his scope: it does not exist
  EXPECT_EQ(Transit("employee", id, "approve").status, 403);  // nobody approves his own request
  const HttpResponse approved = Transit("manager", id, "approve", {{"comment", "Хорошего отдыха"}});
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(json::parse(approved.body)["status"], "approved");
  EXPECT_EQ(Transit("manager", id, "approve").status, 409);
  EXPECT_THAT(QueueOf("manager"), ElementsAre());

  const json history =
      json::parse(Call("employee", "GET", "/api/v1/requests/" + std::to_string(id) + "/history").body);
  ASSERT_EQ(history["items"].size(), 2u);
  EXPECT_EQ(history["items"][0]["action"], "submitted");
  EXPECT_EQ(history["items"][0]["actor_employee_id"], kEmployee);
  EXPECT_EQ(history["items"][1]["action"], "approved");
  EXPECT_EQ(history["items"][1]["actor_employee_id"], kManager);
  EXPECT_EQ(history["items"][1]["comment"], "Хорошего отдыха");
  EXPECT_EQ(history["items"][1]["from_status"], "pending");
  EXPECT_EQ(history["items"][1]["to_status"], "approved");

  // Every transition left its event in the outbox and its audit row.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE topic IN ('request.submitted', 'request.approved')"), 2);
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM audit_log WHERE object_type = 'request' AND action = 'request.approved'"),
      1);
  EXPECT_EQ(AnnualBalance(kEmployee), before - 12.0);
}

TEST_F(Management, UnusedAnnualLeaveCarriesOverAndNeverLapsesByDefault) {
  const Date hire = HiredTwoYearsAgo();
  const int64_t id = Hire("N-101", FormatIsoDate(hire));
  const json annual = AnnualBalanceOf(id);
  // 28 days of each of two working years, all unused; the third year began
  // ten days ago.
  EXPECT_EQ(annual["balance_days"], 56.0);
  EXPECT_EQ(annual["expired_days"], 0.0);
  EXPECT_EQ(annual["working_year"]["start"], FormatIsoDate(management::AddMonths(hire, 24)));
  EXPECT_EQ(annual["working_year"]["end"],
            FormatIsoDate(management::AddMonths(hire, 36) - std::chrono::days{1}));
  EXPECT_EQ(annual["working_year"]["carried_over_days"], 56.0);
  EXPECT_TRUE(annual["next_lapse"].is_null());
}

// A company that carries at most 5 days into the next working year and
// lets them lapse 6 months after the year ends.
class ManagementWithLapses : public Management {
 protected:
  void SetUp() override {
    server_ = std::make_unique<DemoServer>(std::map<std::string, std::string>{
        {"TABEL_LEAVE_CARRY_OVER_DAYS", "5"}, {"TABEL_LEAVE_EXPIRY_MONTHS", "6"}});
  }
};

TEST_F(ManagementWithLapses, DaysBeyondTheCarryOverAndDaysNotUsedInTimeLapse) {
  const Date hire = HiredTwoYearsAgo();
  const Date year3 = management::AddMonths(hire, 24);
  const int64_t id = Hire("N-102", FormatIsoDate(hire));
  // Year 1: 23 of its 28 days lapsed when it ended, the other 5 six months
  // later; year 2: 23 lapsed ten days ago. 5 days are left, carried over,
  // and lapse in their turn six months into year 3.
  json annual = AnnualBalanceOf(id);
  EXPECT_EQ(annual["accrued_days"], 56.0);
  EXPECT_EQ(annual["expired_days"], 51.0);
  EXPECT_EQ(annual["balance_days"], 5.0);
  EXPECT_EQ(annual["working_year"]["carried_over_days"], 5.0);
  EXPECT_EQ(annual["next_lapse"]["date"], FormatIsoDate(management::AddMonths(year3, 6)));
  EXPECT_EQ(annual["next_lapse"]["days"], 5.0);

  // A vacation five days after that lapse: 6 more months of year 3 are
  // accrued by then (14 days), the 5 carried days are gone.
  const Date start = management::AddMonths(year3, 6) + std::chrono::days{5};
  const auto vacation = [&](int days) {
    return json{{"type", "vacation"},
                {"employee_id", id},
                {"start_date", FormatIsoDate(start)},
                {"end_date", FormatIsoDate(start + std::chrono::days{days - 1})}};
  };
  // 30 calendar days charge at least 22 whatever holidays fall inside.
  const HttpResponse refused = Call("hr", "POST", "/api/v1/requests", vacation(30).dump());
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["type"], "/problems/insufficient-balance");
  EXPECT_THAT(json::parse(refused.body)["detail"].get<std::string>(),
              ::testing::HasSubstr("14 are available"));
  const double charged = Create("hr", vacation(10))["charged_days"];

  // The write posted the lapses due, each saying why.
  const json entries = json::parse(
      Call("hr", "GET", "/api/v1/employees/" + std::to_string(id) + "/balance-entries?kind=annual").body);
  std::vector<std::pair<std::string, double>> lapses;
  for (const json& entry : entries["items"]) {
    if (entry["entry"] == "expiry") lapses.emplace_back(entry["effective_on"], entry["days"]);
  }
  EXPECT_THAT(lapses,
              ElementsAre(std::make_pair(FormatIsoDate(management::AddMonths(hire, 12)), -23.0),
                          std::make_pair(
                              FormatIsoDate(management::AddMonths(management::AddMonths(hire, 12), 6)), -5.0),
                          std::make_pair(FormatIsoDate(year3), -23.0)));
  annual = AnnualBalanceOf(id);
  EXPECT_EQ(annual["expired_days"], 51.0);
  EXPECT_EQ(annual["balance_days"], 5.0 - charged);  // the vacation's days are held from today
}

TEST_F(Management, RequestsAreVisibleOnlyWithinScope) {
  const json created = Create("employee", Vacation(InFarYear("03-02"), InFarYear("03-06")));
  const std::string path = "/api/v1/requests/" + std::to_string(created["id"].get<int64_t>());
  EXPECT_EQ(Call("employee", "GET", path).status, 200);
  EXPECT_EQ(Call("manager", "GET", path).status, 200);
  EXPECT_EQ(Call("hr", "GET", path).status, 200);
  EXPECT_EQ(Call("auditor", "GET", path).status, 200);
  EXPECT_EQ(Call("manager2", "GET", path).status, 404);
  EXPECT_EQ(Call("accountant", "GET", path).status, 404);
  EXPECT_EQ(Call("manager2", "GET", path + "/history").status, 404);
  const auto listed = [&](const std::string& login) {
    return json::parse(Call(login, "GET", "/api/v1/requests?type=vacation").body)["items"].size();
  };
  EXPECT_EQ(listed("manager"), 1u);
  EXPECT_EQ(listed("manager2"), 0u);
  // Someone else's employee id: as if it did not exist.
  const HttpResponse foreign = Call("employee", "POST", "/api/v1/requests",
                                    json{{"type", "vacation"},
                                         {"employee_id", kMorozova},
                                         {"start_date", InFarYear("04-01")},
                                         {"end_date", InFarYear("04-03")}}
                                        .dump());
  EXPECT_EQ(foreign.status, 404) << foreign.body;
  EXPECT_EQ(Call("employee", "GET", "/api/v1/employees/5/balances").status, 404);
  EXPECT_EQ(Call("manager", "GET", "/api/v1/employees/5/balances").status, 200);
}

TEST_F(Management, BadInputIsA4xxNamingTheField) {
  const auto fields = [&](const std::string& body, int status) {
    const HttpResponse response = Call("employee", "POST", "/api/v1/requests", body);
    EXPECT_EQ(response.status, status) << body << " -> " << response.body;
    EXPECT_EQ(response.Header("content-type"), "application/problem+json");
    return ProblemFields(response);
  };
  EXPECT_EQ(Call("employee", "POST", "/api/v1/requests", "{\"type\":").status, 400);
  EXPECT_THAT(fields("{}", 400), UnorderedElementsAre("type", "start_date"));
  EXPECT_THAT(fields(json{{"type", 5}, {"start_date", "2030-01-01"}}.dump(), 400), ElementsAre("type"));
  EXPECT_THAT(fields(json{{"type", "vacation"}, {"start_date", "2030-02-30"}}.dump(), 400),
              ElementsAre("start_date"));
  EXPECT_THAT(
      fields(json{{"type", "vacation"}, {"start_date", "2300-01-01"}, {"end_date", "2300-01-02"}}.dump(),
             400),
      UnorderedElementsAre("start_date", "end_date"));
  EXPECT_THAT(fields(Vacation(InFarYear("05-10"), InFarYear("05-01")).dump(), 400), ElementsAre("end_date"));
  EXPECT_THAT(fields(json{{"type", "vacation"}, {"start_date", InFarYear("05-01")}}.dump(), 400),
              ElementsAre("end_date"));
  EXPECT_THAT(fields(json{{"type", "vacation"}, {"start_date", "x"}, {"colour", "red"}}.dump(), 400),
              UnorderedElementsAre("start_date", "colour"));
  EXPECT_THAT(fields(json{{"type", "holiday_on_the_moon"}, {"start_date", InFarYear("05-01")}}.dump(), 422),
              ElementsAre("type"));
  EXPECT_THAT(fields(json{{"type", "business_trip"},
                          {"start_date", InFarYear("05-01")},
                          {"end_date", InFarYear("05-03")},
                          {"hours", 2}}
                         .dump(),
                     400),
              UnorderedElementsAre("destination", "purpose", "hours"));
  EXPECT_THAT(
      fields(json{{"type", "overtime"}, {"start_date", Day(1)}, {"end_date", Day(1)}, {"hours", 9}}.dump(),
             400),
      ElementsAre("hours"));
  EXPECT_THAT(
      fields(json{{"type", "sick_leave"}, {"start_date", Day(-1)}, {"certificate_number", "12ab"}}.dump(),
             400),
      ElementsAre("certificate_number"));
  EXPECT_EQ(Call("employee", "POST", "/api/v1/requests", std::string(20000, ' ')).status, 413);
  EXPECT_THAT(ProblemFields(Call("employee", "GET", "/api/v1/requests?status=lost")), ElementsAre("status"));
  EXPECT_THAT(ProblemFields(Call("employee", "GET", "/api/v1/requests?from=2030-01-01&to=2029-01-01")),
              ElementsAre("to"));
  EXPECT_EQ(Call("employee", "GET", "/api/v1/requests/abc").status, 400);
  EXPECT_EQ(Call("employee", "GET", "/api/v1/requests/999999").status, 404);
  EXPECT_THAT(ProblemFields(Call("employee", "POST", "/api/v1/requests",
                                 Vacation(InFarYear("06-01"), InFarYear("06-02")).dump(),
                                 {{"Idempotency-Key", std::string(101, 'k')}})),
              ElementsAre("Idempotency-Key"));
}

TEST_F(Management, EveryRuleIsAnUnprocessableEntityNamingItsField) {
  const auto problem = [&](const std::string& login, const json& body) {
    const HttpResponse response = Call(login, "POST", "/api/v1/requests", body.dump());
    EXPECT_EQ(response.status, 422) << body.dump() << " -> " << response.body;
    const json problem = json::parse(response.body);
    return std::make_pair(problem.value("type", ""), ProblemFields(response));
  };
  // Notice period: 14 days for a vacation.
  EXPECT_EQ(problem("employee", Vacation(Day(5), Day(8))),
            std::make_pair(std::string("/problems/notice-period"), std::vector<std::string>{"start_date"}));
  // Not in the past.
  EXPECT_EQ(
      problem("employee", json{{"type", "remote_day"}, {"start_date", Day(-3)}, {"end_date", Day(-3)}}).first,
      "/problems/start-in-past");
  // Not before the hire date (hr registers, so no notice; sick leaves may start in the past).
  EXPECT_EQ(problem("hr", json{{"type", "sick_leave"},
                               {"employee_id", kEmployee},
                               {"start_date", "2001-01-01"},
                               {"end_date", "2001-01-02"},
                               {"certificate_number", "123456789012"}})
                .first,
            "/problems/outside-employment");
  // Longer than the type allows: a remote day lasts at most 31 days.
  EXPECT_EQ(problem("employee", json{{"type", "remote_day"},
                                     {"start_date", InFarYear("02-01")},
                                     {"end_date", InFarYear("04-01")}})
                .first,
            "/problems/too-long");
  // More days than the balance holds, even with the accrual due by then.
  EXPECT_EQ(problem("employee", Vacation(InFarYear("01-10"), InFarYear("12-10"))).first,
            "/problems/insufficient-balance");
  // Art. 125: a 10-day part, then another: no part of 14 days is possible.
  Create("employee", Vacation(InFarYear("06-01"), InFarYear("06-10")));
  EXPECT_EQ(problem("employee", Vacation(InFarYear("08-03"), InFarYear("08-12"))),
            std::make_pair(std::string("/problems/split-leave"), std::vector<std::string>{"end_date"}));
  // Art. 122: a person hired a month ago waits for six months.
  const HttpResponse hired = Call("hr", "POST", "/api/v1/employees",
                                  json{{"personnel_number", "N-777"},
                                       {"last_name", "Новикова"},
                                       {"first_name", "Анна"},
                                       {"email", "n777@demo.tabel.local"},
                                       {"position_id", 1},
                                       {"department_id", 3},
                                       {"schedule_id", 1},
                                       {"hire_date", Day(-30)},
                                       {"salary_kopecks", 10000000}}
                                      .dump());
  ASSERT_EQ(hired.status, 201) << hired.body;
  const int64_t newcomer = json::parse(hired.body)["id"];
  Call("hr", "POST", "/api/v1/employees/" + std::to_string(newcomer) + "/balance-adjustments",
       json{{"kind", "annual"}, {"days", 20}, {"comment", "перенос из прежней системы"}}.dump());
  EXPECT_EQ(
      problem("hr", json{{"type", "vacation"},
                         {"employee_id", newcomer},
                         {"start_date", Day(40)},
                         {"end_date", Day(54)}}),
      std::make_pair(std::string("/problems/first-leave-too-early"), std::vector<std::string>{"start_date"}));
}

TEST_F(Management, OverlapsAreConflictsAndNonExclusiveActivitiesMayOverlap) {
  const json first = Create("employee", Vacation(InFarYear("07-06"), InFarYear("07-19")));
  const HttpResponse overlap = Call("employee", "POST", "/api/v1/requests",
                                    json{{"type", "business_trip"},
                                         {"start_date", InFarYear("07-19")},
                                         {"end_date", InFarYear("07-22")},
                                         {"destination", "Казань"},
                                         {"purpose", "Аудит филиала"}}
                                        .dump());
  EXPECT_EQ(overlap.status, 409) << overlap.body;
  EXPECT_THAT(ProblemFields(overlap), UnorderedElementsAre("start_date", "end_date"));
  // A withdrawn request frees its days, and gives its balance back.
  const double before = AnnualBalance(kEmployee);
  ASSERT_EQ(Transit("employee", first["id"], "withdraw").status, 200);
  EXPECT_EQ(AnnualBalance(kEmployee), before + 14.0);
  const HttpResponse trip = Call("employee", "POST", "/api/v1/requests",
                                 json{{"type", "business_trip"},
                                      {"start_date", InFarYear("07-19")},
                                      {"end_date", InFarYear("07-22")},
                                      {"destination", "Казань"},
                                      {"purpose", "Аудит филиала"},
                                      {"travel_days", 2}}
                                     .dump());
  EXPECT_EQ(trip.status, 201) << trip.body;
  // Overtime is not exclusive: it may fall on a day of a trip.
  const json overtime = Create("manager", json{{"type", "overtime"},
                                               {"employee_id", kEmployee},
                                               {"start_date", InFarYear("07-20")},
                                               {"end_date", InFarYear("07-20")},
                                               {"hours", 2}});
  // The manager created it for his subordinate and decides its only step.
  EXPECT_EQ(overtime["status"], "approved");
}

TEST_F(Management, TwoStepChainGoesFromManagerToHr) {
  const json created = Create(
      "employee",
      json{{"type", "unpaid_leave"}, {"start_date", InFarYear("02-02")}, {"end_date", InFarYear("02-04")}});
  const int64_t id = created["id"];
  EXPECT_THAT(created["steps"], ElementsAre("manager", "hr"));
  EXPECT_THAT(QueueOf("hr"), ElementsAre());
  EXPECT_EQ(Transit("hr", id, "approve").status, 403);  // the manager's step is the manager's
  const HttpResponse step = Transit("manager", id, "approve");
  ASSERT_EQ(step.status, 200) << step.body;
  EXPECT_EQ(json::parse(step.body)["status"], "pending");
  EXPECT_EQ(json::parse(step.body)["step_role"], "hr");
  EXPECT_THAT(QueueOf("manager"), ElementsAre());
  EXPECT_THAT(QueueOf("hr"), ElementsAre(id));
  EXPECT_EQ(Transit("manager", id, "approve").status, 409);  // his step is decided already
  EXPECT_EQ(Transit("hr", id, "approve").status, 200);
  const json history =
      json::parse(Call("hr", "GET", "/api/v1/requests/" + std::to_string(id) + "/history").body);
  std::vector<std::string> actions;
  for (const json& entry : history["items"]) actions.push_back(entry["action"]);
  EXPECT_THAT(actions, ElementsAre("submitted", "step_approved", "approved"));
}

TEST_F(Management, RejectNeedsAReasonAndGivesTheDaysBack) {
  const double before = AnnualBalance(kEmployee);
  const json created = Create("employee", Vacation(InFarYear("09-07"), InFarYear("09-11")));
  EXPECT_EQ(AnnualBalance(kEmployee), before - 5.0);
  const HttpResponse no_reason = Transit("manager", created["id"], "reject");
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_THAT(ProblemFields(no_reason), ElementsAre("comment"));
  const HttpResponse rejected = Transit("manager", created["id"], "reject", {{"comment", "Сдача проекта"}});
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(json::parse(rejected.body)["status"], "rejected");
  EXPECT_EQ(AnnualBalance(kEmployee), before);
  EXPECT_EQ(Transit("employee", created["id"], "withdraw").status, 409);
}

TEST_F(Management, OnlyTheAuthorWithdrawsAndOnlyTheApproverOrHrCancels) {
  const json pending = Create("employee", Vacation(InFarYear("10-05"), InFarYear("10-09")));
  EXPECT_EQ(Transit("manager", pending["id"], "withdraw").status, 403);
  const json other = Create("employee", Vacation(InFarYear("11-09"), InFarYear("11-13")));
  ASSERT_EQ(Transit("manager", other["id"], "approve").status, 200);
  EXPECT_EQ(Transit("employee", other["id"], "withdraw").status, 409);  // approved: cancel, not withdraw
  EXPECT_EQ(Transit("employee", other["id"], "cancel").status, 403);
  const double before = AnnualBalance(kEmployee);
  const HttpResponse cancelled = Transit("manager", other["id"], "cancel", {{"comment", "Перенос"}});
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(json::parse(cancelled.body)["status"], "cancelled");
  EXPECT_EQ(AnnualBalance(kEmployee), before + 5.0);
  EXPECT_EQ(Transit("manager", other["id"], "cancel").status, 409);
}

TEST_F(Management, DraftsAreEditedWithIfMatchAndCheckedWhenSubmitted) {
  json draft = Vacation(InFarYear("03-16"), InFarYear("03-20"));
  draft["submit"] = false;
  const json created = Create("employee", draft);
  EXPECT_EQ(created["status"], "draft");
  EXPECT_EQ(created["charged_days"], 0.0);
  const std::string path = "/api/v1/requests/" + std::to_string(created["id"].get<int64_t>());
  const json change = {{"end_date", InFarYear("03-27")}};
  EXPECT_EQ(Call("employee", "PATCH", path, change.dump()).status, 428);
  EXPECT_EQ(Call("employee", "PATCH", path, change.dump(), {{"If-Match", "\"7\""}}).status, 409);
  EXPECT_EQ(Call("manager", "PATCH", path, change.dump(), {{"If-Match", "\"1\""}}).status, 403);
  const HttpResponse changed = Call("employee", "PATCH", path, change.dump(), {{"If-Match", "\"1\""}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.Header("etag"), "\"2\"");
  EXPECT_THAT(QueueOf("manager"), ElementsAre());
  const HttpResponse submitted = Call("employee", "POST", path + "/submit", "", {{"If-Match", "\"2\""}});
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  EXPECT_EQ(json::parse(submitted.body)["status"], "pending");
  EXPECT_EQ(json::parse(submitted.body)["charged_days"], 12.0);
  EXPECT_EQ(Call("employee", "PATCH", path, change.dump(), {{"If-Match", "\"3\""}}).status, 409);
}

TEST_F(Management, HrRegistersASickLeaveApprovedAtOnceAndClosesItLater) {
  const HttpResponse without_number =
      Call("hr", "POST", "/api/v1/requests",
           json{{"type", "sick_leave"}, {"employee_id", kMorozova}, {"start_date", Day(-3)}}.dump());
  EXPECT_THAT(ProblemFields(without_number), ElementsAre("certificate_number"));
  const json sick = Create("hr", json{{"type", "sick_leave"},
                                      {"employee_id", kMorozova},
                                      {"start_date", Day(-3)},
                                      {"certificate_number", "910012345678"}});
  EXPECT_EQ(sick["status"], "approved");
  EXPECT_TRUE(sick["end_date"].is_null());
  // While open it lasts until today for the overlap rule: nothing may start
  // inside it, a vacation next year may be planned; closing it over that
  // vacation is refused (the vacation moves first, Labour Code art. 124).
  const HttpResponse inside = Call("hr", "POST", "/api/v1/requests",
                                   json{{"type", "sick_leave"},
                                        {"employee_id", kMorozova},
                                        {"start_date", Day(-1)},
                                        {"end_date", Day(0)},
                                        {"certificate_number", "910012345679"}}
                                       .dump());
  EXPECT_EQ(inside.status, 409) << inside.body;
  Create("hr", json{{"type", "vacation"},
                    {"employee_id", kMorozova},
                    {"start_date", InFarYear("01-12")},
                    {"end_date", InFarYear("01-16")}});
  const std::string close = "/api/v1/requests/" + std::to_string(sick["id"].get<int64_t>()) + "/close";
  const HttpResponse over = Call("hr", "POST", close, json{{"end_date", InFarYear("01-13")}}.dump());
  EXPECT_EQ(over.status, 409) << over.body;
  EXPECT_THAT(ProblemFields(over), ElementsAre("end_date"));
  EXPECT_EQ(Call("manager", "POST", close, json{{"end_date", Day(2)}}.dump()).status, 403);
  EXPECT_THAT(ProblemFields(Call("hr", "POST", close, json{{"end_date", Day(-10)}}.dump())),
              ElementsAre("end_date"));
  const HttpResponse closed = Call("hr", "POST", close, json{{"end_date", Day(2)}}.dump());
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(json::parse(closed.body)["end_date"], Day(2));
  EXPECT_EQ(Call("hr", "POST", close, json{{"end_date", Day(3)}}.dump()).status, 409);
  // The employee may report his own sick leave, open and without the
  // certificate's number: it waits for hr, who settles it only with one.
  const json reported = Create("employee", json{{"type", "sick_leave"}, {"start_date", Day(-1)}});
  EXPECT_EQ(reported["status"], "pending");
  EXPECT_EQ(reported["step_role"], "hr");
  EXPECT_THAT(QueueOf("hr"), Contains(reported["id"].get<int64_t>()));
  const int64_t reported_id = reported["id"];
  const HttpResponse unnumbered = Transit("hr", reported_id, "approve");
  EXPECT_EQ(unnumbered.status, 422) << unnumbered.body;
  EXPECT_EQ(json::parse(unnumbered.body)["type"], "/problems/certificate-required");
  EXPECT_THAT(ProblemFields(unnumbered), ElementsAre("certificate_number"));
  const std::string close_reported = "/api/v1/requests/" + std::to_string(reported_id) + "/close";
  const HttpResponse unnumbered_close = Call("hr", "POST", close_reported, json{{"end_date", Day(1)}}.dump());
  EXPECT_EQ(unnumbered_close.status, 422) << unnumbered_close.body;
  EXPECT_THAT(ProblemFields(unnumbered_close), ElementsAre("certificate_number"));
  EXPECT_THAT(ProblemFields(Call("hr", "POST", close_reported,
                                 json{{"end_date", Day(1)}, {"certificate_number", "12345"}}.dump())),
              ElementsAre("certificate_number"));
  EXPECT_THAT(ProblemFields(Transit("hr", reported_id, "approve", {{"certificate_number", 910012345680}})),
              ElementsAre("certificate_number"));
  const HttpResponse numbered =
      Call("hr", "POST", close_reported,
           json{{"end_date", Day(1)}, {"certificate_number", "910012345680"}}.dump());
  ASSERT_EQ(numbered.status, 200) << numbered.body;
  EXPECT_EQ(json::parse(numbered.body)["certificate_number"], "910012345680");
  EXPECT_EQ(json::parse(numbered.body)["status"], "pending");
  const HttpResponse approved = Transit("hr", reported_id, "approve");
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(json::parse(approved.body)["status"], "approved");
  // Another type has no certificate to give.
  const json vacation = Create("employee", Vacation(InFarYear("03-02"), InFarYear("03-06")));
  EXPECT_THAT(
      ProblemFields(Transit("manager", vacation["id"], "approve", {{"certificate_number", "910012345681"}})),
      ElementsAre("certificate_number"));
}

TEST_F(Management, ADeputyApprovesInTheManagersPlaceOnlyWhileTheDelegationLasts) {
  const json created = Create("employee", Vacation(InFarYear("04-06"), InFarYear("04-10")));
  EXPECT_EQ(Transit("manager2", created["id"], "approve").status, 404);
  const HttpResponse delegation = Call("manager", "POST", "/api/v1/delegations",
                                       json{{"deputy_employee_id", server_->EmployeeOf("manager2")},
                                            {"starts_on", Day(-1)},
                                            {"ends_on", Day(5)}}
                                           .dump());
  ASSERT_EQ(delegation.status, 201) << delegation.body;
  EXPECT_THAT(QueueOf("manager2"), ElementsAre(created["id"].get<int64_t>()));
  const HttpResponse approved = Transit("manager2", created["id"], "approve");
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(json::parse(approved.body)["status"], "approved");
}

TEST_F(Management, DismissalSetsTheLastDayAndCompensatesUnusedLeave) {
  // hr registers a dismissal: its only step is hr's, so it is approved at once.
  const std::string last_day = Day(20);
  const double before = AnnualBalance(kEmployee);
  const json vacation = Create("employee", Vacation(InFarYear("05-11"), InFarYear("05-15")));
  const HttpResponse refused =
      Call("hr", "POST", "/api/v1/requests",
           json{{"type", "dismissal"}, {"employee_id", kEmployee}, {"start_date", last_day}}.dump());
  EXPECT_EQ(refused.status, 409) << refused.body;  // a vacation is planned after the last day
  ASSERT_EQ(Transit("employee", vacation["id"], "withdraw").status, 200);
  const json dismissal =
      Create("hr", json{{"type", "dismissal"}, {"employee_id", kEmployee}, {"start_date", last_day}});
  EXPECT_EQ(dismissal["status"], "approved");
  EXPECT_EQ(dismissal["end_date"], last_day);
  const json employee = json::parse(Call("hr", "GET", "/api/v1/employees/4").body);
  EXPECT_EQ(employee["dismissal_date"], last_day);
  // Whatever was left is paid out: the balance is zero after the last day.
  EXPECT_EQ(AnnualBalance(kEmployee), 0.0);
  const json entries = json::parse(Call("hr", "GET", "/api/v1/employees/4/balance-entries?kind=annual").body);
  EXPECT_EQ(entries["items"].back()["entry"], "compensation");
  EXPECT_LT(entries["items"].back()["days"].get<double>(), 0.0);
  // A second dismissal of the same person is a conflict.
  EXPECT_EQ(Call("hr", "POST", "/api/v1/requests",
                 json{{"type", "dismissal"}, {"employee_id", kEmployee}, {"start_date", Day(25)}}.dump())
                .status,
            409);
  // Only hr undoes it (the manager never decided it); the date goes, the
  // compensation is reversed and the balance is what it was.
  EXPECT_EQ(Transit("manager", dismissal["id"], "cancel").status, 403);
  const HttpResponse undone = Transit("hr", dismissal["id"], "cancel", {{"comment", "Передумал"}});
  ASSERT_EQ(undone.status, 200) << undone.body;
  EXPECT_TRUE(json::parse(Call("hr", "GET", "/api/v1/employees/4").body)["dismissal_date"].is_null());
  EXPECT_NEAR(AnnualBalance(kEmployee), before, 0.001);
}

TEST_F(Management, IdempotencyKeyReturnsTheFirstResultAndRefusesAnotherBody) {
  const json body = Vacation(InFarYear("10-19"), InFarYear("10-23"));
  const std::map<std::string, std::string> key = {{"Idempotency-Key", "vacation-october-1"}};
  const HttpResponse first = Call("employee", "POST", "/api/v1/requests", body.dump(), key);
  ASSERT_EQ(first.status, 201) << first.body;
  const HttpResponse again = Call("employee", "POST", "/api/v1/requests", body.dump(), key);
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  EXPECT_EQ(json::parse(again.body)["id"], json::parse(first.body)["id"]);
  const HttpResponse other = Call("employee", "POST", "/api/v1/requests",
                                  Vacation(InFarYear("12-01"), InFarYear("12-02")).dump(), key);
  EXPECT_EQ(other.status, 422);
  EXPECT_THAT(ProblemFields(other), ElementsAre("Idempotency-Key"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM requests"), 1);
}

TEST_F(Management, TwentySimultaneousOverlappingCreatesHaveExactlyOneWinner) {
  server_->Token("employee");
  std::atomic<int> created{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      // Different but overlapping ranges around the same week.
      const json body =
          Vacation(InFarYear(i % 2 == 0 ? "08-10" : "08-12"), InFarYear(i % 3 == 0 ? "08-14" : "08-16"));
      const int status = server_->Call("employee", "POST", "/api/v1/requests", body.dump()).status;
      (status == 201 ? created : status == 409 ? conflicts : other)++;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 19);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM requests WHERE status = 'pending'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM leave_ledger WHERE entry = 'usage'"), 1);
}

TEST_F(Management, TwoApproversAtOnceOneWinsTheOtherGetsAConflict) {
  // The manager and his deputy, both entitled to decide.
  ASSERT_EQ(Call("manager", "POST", "/api/v1/delegations",
                 json{{"deputy_employee_id", server_->EmployeeOf("manager2")},
                      {"starts_on", Day(-1)},
                      {"ends_on", Day(5)}}
                     .dump())
                .status,
            201);
  for (int round = 0; round < 5; ++round) {
    const std::string month = "0" + std::to_string(round + 1);
    const json created = Create("employee", json{{"type", "remote_day"},
                                                 {"start_date", InFarYear((month + "-20").c_str())},
                                                 {"end_date", InFarYear((month + "-22").c_str())}});
    server_->Token("manager");
    server_->Token("manager2");
    std::atomic<int> ok{0}, conflict{0}, other{0};
    std::thread a([&] {
      const int status = Transit("manager", created["id"], "approve").status;
      (status == 200 ? ok : status == 409 ? conflict : other)++;
    });
    std::thread b([&] {
      const int status = Transit("manager2", created["id"], "approve").status;
      (status == 200 ? ok : status == 409 ? conflict : other)++;
    });
    a.join();
    b.join();
    EXPECT_EQ(ok.load(), 1) << "round " << round;
    EXPECT_EQ(conflict.load(), 1) << "round " << round;
    EXPECT_EQ(other.load(), 0) << "round " << round;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM request_history WHERE action = 'approved'"), 5);
}

TEST_F(Management, RequestTypesAreDataThatHrAndAdminChange) {
  const json type = {
      {"code", "blood_donation"}, {"name", "День сдачи крови"}, {"kind", "absence"}, {"t13_code", "Г"},
      {"t13_number", "23"},       {"steps", {"manager"}},       {"notice_days", 1},  {"max_days", 2},
      {"on_behalf", "hr"}};
  EXPECT_EQ(Call("employee", "POST", "/api/v1/request-types", type.dump()).status, 403);
  EXPECT_EQ(Call("manager", "POST", "/api/v1/request-types", type.dump()).status, 403);
  const HttpResponse created = Call("hr", "POST", "/api/v1/request-types", type.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Call("hr", "POST", "/api/v1/request-types", type.dump()).status, 409);
  EXPECT_THAT(
      ProblemFields(Call("hr", "POST", "/api/v1/request-types",
                         json{{"code", "X Y"}, {"name", "n"}, {"kind", "fun"}, {"steps", {"boss"}}}.dump())),
      UnorderedElementsAre("code", "kind", "steps"));
  const std::string path = "/api/v1/request-types/blood_donation";
  EXPECT_EQ(Call("admin", "PATCH", path, json{{"max_days", 1}}.dump()).status, 428);
  const HttpResponse changed = Call(
      "admin", "PATCH", path, json{{"max_days", 1}, {"confidential", true}}.dump(), {{"If-Match", "\"1\""}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(json::parse(changed.body)["max_days"], 1);
  // Confidential: calendars show «absent» to colleagues; a sick leave is by default, a vacation not.
  EXPECT_EQ(json::parse(changed.body)["confidential"], true);
  EXPECT_EQ(json::parse(Call("employee", "GET", "/api/v1/request-types/sick_leave").body)["confidential"],
            true);
  EXPECT_EQ(json::parse(Call("employee", "GET", "/api/v1/request-types/vacation").body)["confidential"],
            false);
  EXPECT_THAT(ProblemFields(Call("admin", "PATCH", path, json{{"confidential", "yes"}}.dump(),
                                 {{"If-Match", "\"2\""}})),
              ElementsAre("confidential"));
  // The new type is usable at once, with its own rules.
  const HttpResponse too_long = Call(
      "employee", "POST", "/api/v1/requests",
      json{{"type", "blood_donation"}, {"start_date", InFarYear("06-15")}, {"end_date", InFarYear("06-16")}}
          .dump());
  EXPECT_EQ(too_long.status, 422) << too_long.body;
  Create(
      "employee",
      json{{"type", "blood_donation"}, {"start_date", InFarYear("06-15")}, {"end_date", InFarYear("06-15")}});
  const json types = json::parse(Call("employee", "GET", "/api/v1/request-types").body);
  EXPECT_EQ(types["items"].size(), 13u);  // the twelve of PRODUCT.md and this one
}

TEST_F(Management, HrAdjustsBalancesWithAReasonButNeverHisOwn) {
  const double before = AnnualBalance(kMorozova);
  const std::string path = "/api/v1/employees/5/balance-adjustments";
  const json body = {{"kind", "annual"}, {"days", 2.5}, {"comment", "донорские дни"}};
  EXPECT_EQ(Call("manager", "POST", path, body.dump()).status, 403);
  EXPECT_THAT(ProblemFields(Call("hr", "POST", path, json{{"kind", "annual"}, {"days", 0.125}}.dump())),
              UnorderedElementsAre("days", "comment"));
  const HttpResponse adjusted = Call("hr", "POST", path, body.dump());
  ASSERT_EQ(adjusted.status, 201) << adjusted.body;
  EXPECT_EQ(AnnualBalance(kMorozova), before + 2.5);
  const int64_t hr = server_->EmployeeOf("hr");
  EXPECT_EQ(
      Call("hr", "POST", "/api/v1/employees/" + std::to_string(hr) + "/balance-adjustments", body.dump())
          .status,
      403);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'balance.adjust'"), 1);
}

}  // namespace
}  // namespace tabel::testing
