// Reports for accounting over HTTP on the demo company, in October 2026 (22
// working days, 176 hours at 40 h a week): worked time against the norm,
// absences and the payroll base of a department at once; of the company as
// background jobs with progress, cancelling and download; who may ask for
// what; and bad input (a 4xx problem+json naming the field).
//   IT-DEV (3): Sokolova 3 (320,000 ₽), employee 4 (210,000 ₽),
//   Morozova 5 (230,000 ₽). The company: 14 people.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/demo_server.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

constexpr int64_t kSokolova = 3;
constexpr int64_t kEmployee = 4;
constexpr int64_t kMorozova = 5;

class Reports : public ::testing::Test {
 protected:
  explicit Reports(const std::map<std::string, std::string>& env = {}) : server_(env) {}

  HttpResponse Call(const std::string& login, const std::string& method, const std::string& target,
                    const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    return server_.Call(login, method, target, body, std::move(headers));
  }

  json GetJson(const std::string& login, const std::string& target) {
    const HttpResponse response = Call(login, "GET", target);
    EXPECT_EQ(response.status, 200) << target << " -> " << response.body;
    return json::parse(response.body);
  }

  // Morozova's sick leave of 5–9 October (five working days).
  void SickLeave() {
    const json body = {{"type", "sick_leave"},
                       {"employee_id", kMorozova},
                       {"start_date", "2026-10-05"},
                       {"end_date", "2026-10-09"},
                       {"certificate_number", "910012345678"}};
    ASSERT_EQ(Call("hr", "POST", "/api/v1/requests", body.dump()).status, 201);
  }

  static const json& ItemOf(const json& report, int64_t employee) {
    for (const json& item : report.at("items")) {
      if (item.at("employee_id") == employee) return item;
    }
    static const json kNone;
    ADD_FAILURE() << "no item of " << employee;
    return kNone;
  }

  // The job once it has finished, after at most 20 seconds.
  json Finished(const std::string& login, const std::string& id) {
    json job;
    for (int attempt = 0; attempt < 200; ++attempt) {
      job = GetJson(login, "/api/v1/report-jobs/" + id);
      if (job.at("status") != "queued" && job.at("status") != "running") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return job;
  }

  DemoServer server_;
};

TEST_F(Reports, ThePayrollBaseOfADepartmentEarnsTheSalaryForTheHoursWorked) {
  SickLeave();
  const json report = GetJson("accountant", "/api/v1/reports/payroll?department_id=3&from=2026-10");
  EXPECT_EQ(report.at("kind"), "payroll");
  EXPECT_EQ(report.at("from"), "2026-10");
  ASSERT_EQ(report.at("items").size(), 3U);
  // 230,000.00 ₽ for 136 of 176 hours: 177,727.2727… ₽, rounded half up.
  const json& morozova = ItemOf(report, kMorozova);
  EXPECT_EQ(morozova.at("salary_kopecks"), 23'000'000);
  EXPECT_EQ(morozova.at("norm_hours"), 176.0);
  EXPECT_EQ(morozova.at("worked_hours"), 136.0);
  EXPECT_EQ(morozova.at("worked_days"), 17);
  EXPECT_EQ(morozova.at("earned_kopecks"), 17'772'727);
  EXPECT_EQ(ItemOf(report, kEmployee).at("earned_kopecks"), 21'000'000);
  EXPECT_EQ(ItemOf(report, kSokolova).at("earned_kopecks"), 32'000'000);
  EXPECT_EQ(report.at("items_total").at("earned_kopecks"), 17'772'727 + 21'000'000 + 32'000'000);
  ASSERT_EQ(report.at("departments").size(), 1U);
  EXPECT_EQ(report.at("departments")[0].at("people"), 3);

  // Whose salaries it read is in the audit log.
  const json log = GetJson("auditor", "/api/v1/audit-log?action=employee.read_salary&object_type=report");
  ASSERT_FALSE(log.at("items").empty());
  EXPECT_EQ(log.at("items")[0].at("details").at("employee_ids"), json({kSokolova, kEmployee, kMorozova}));

  const HttpResponse csv =
      Call("accountant", "GET", "/api/v1/reports/payroll?department_id=3&from=2026-10&format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.headers.at("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv.headers.at("content-disposition").find("payroll-2026-10.csv"), std::string::npos);
  EXPECT_NE(csv.body.find("177727,27"), std::string::npos);
  const HttpResponse xlsx =
      Call("accountant", "GET", "/api/v1/reports/payroll?department_id=3&from=2026-10&format=xlsx");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.rfind("PK\x03\x04", 0), 0U);
}

TEST_F(Reports, WorkedTimeAndAbsencesOfADepartmentOverMonths) {
  SickLeave();
  const json hours = GetJson("manager", "/api/v1/reports/hours?department_id=3&from=2026-09&to=2026-10");
  // September 2026: 22 days, 176 hours; October the same.
  const json& morozova = ItemOf(hours, kMorozova);
  EXPECT_EQ(morozova.at("norm_hours"), 352.0);
  EXPECT_EQ(morozova.at("worked_hours"), 312.0);
  EXPECT_EQ(morozova.at("difference_hours"), -40.0);
  EXPECT_EQ(morozova.at("absence_days"), 5);
  EXPECT_EQ(ItemOf(hours, kEmployee).at("difference_hours"), 0.0);

  const json absences = GetJson("manager", "/api/v1/reports/absences?department_id=3&from=2026-10");
  ASSERT_EQ(absences.at("items").size(), 1U);
  const json& sick = absences.at("items")[0];
  EXPECT_EQ(sick.at("code"), "Б");
  EXPECT_EQ(sick.at("month"), "2026-10");
  EXPECT_EQ(sick.at("people"), 1);
  EXPECT_EQ(sick.at("days"), 5);
}

TEST_F(Reports, AClosedMonthIsReportedAsItWasFrozenEvenForThoseWhoMovedSince) {
  ASSERT_EQ(
      Call("accountant", "POST", "/api/v1/timesheet-periods/2026-10/close", R"({"department_id":3})").status,
      201);
  // Morozova moves from IT-DEV to IT-OPS after October was closed.
  const std::string etag = Call("hr", "GET", "/api/v1/employees/5").headers.at("etag");
  ASSERT_EQ(Call("hr", "PATCH", "/api/v1/employees/5", R"({"department_id":4})", {{"If-Match", etag}}).status,
            200);
  const json hours = GetJson("accountant", "/api/v1/reports/hours?department_id=3&from=2026-10");
  ASSERT_EQ(hours.at("items").size(), 3U);
  EXPECT_EQ(ItemOf(hours, kMorozova).at("department_id"), 3);
  const json payroll = GetJson("accountant", "/api/v1/reports/payroll?department_id=3&from=2026-10");
  EXPECT_EQ(ItemOf(payroll, kMorozova).at("closed"), "да");
  EXPECT_EQ(ItemOf(payroll, kMorozova).at("earned_kopecks"), 23'000'000);
  // Her new department's November has her, her old one's not.
  EXPECT_EQ(GetJson("accountant", "/api/v1/reports/hours?department_id=3&from=2026-11").at("items").size(),
            2U);
  EXPECT_EQ(ItemOf(GetJson("accountant", "/api/v1/reports/hours?department_id=4&from=2026-11"), kMorozova)
                .at("department_id"),
            4);
}

TEST_F(Reports, EachAsksForTheReportsOfHisReachOnly) {
  const std::string hours = "/api/v1/reports/hours?department_id=3&from=2026-10";
  EXPECT_EQ(Call("employee", "GET", hours).status, 404);
  EXPECT_EQ(Call("manager2", "GET", hours).status, 404);
  EXPECT_EQ(Call("auditor", "GET", hours).status, 200);
  EXPECT_EQ(Call("", "GET", hours).status, 401);
  const std::string payroll = "/api/v1/reports/payroll?department_id=3&from=2026-10";
  EXPECT_EQ(Call("manager", "GET", payroll).status, 403);  // no reports.payroll
  EXPECT_EQ(Call("hr", "GET", payroll).status, 403);
  EXPECT_EQ(Call("accountant", "GET", "/api/v1/reports/payroll?department_id=999&from=2026-10").status, 404);
  EXPECT_EQ(Call("manager", "POST", "/api/v1/report-jobs", R"({"kind":"payroll","from":"2026-10"})").status,
            403);
  // Nobody's timesheets at all: no company report either.
  EXPECT_EQ(Call("admin", "POST", "/api/v1/report-jobs", R"({"kind":"hours","from":"2026-10"})").status, 403);
}

TEST_F(Reports, ABadReportRequestIsA4xxNamingTheField) {
  const auto fields = [&](const std::string& target, int status) {
    const HttpResponse response = Call("accountant", "GET", target);
    EXPECT_EQ(response.status, status) << target << " -> " << response.body;
    return ProblemFields(response);
  };
  EXPECT_THAT(fields("/api/v1/reports/hours?department_id=3", 400), ElementsAre("from"));
  EXPECT_THAT(fields("/api/v1/reports/salary?department_id=3&from=2026-10", 400), ElementsAre("kind"));
  EXPECT_THAT(fields("/api/v1/reports/hours?department_id=3&from=2026-13", 400), ElementsAre("from"));
  EXPECT_THAT(fields("/api/v1/reports/hours?department_id=x&from=2026-10", 400),
              ElementsAre("department_id"));
  EXPECT_THAT(fields("/api/v1/reports/hours?from=2026-10", 400), ElementsAre("department_id"));
  EXPECT_THAT(fields("/api/v1/reports/hours?department_id=3&from=2026-10&subtree=true", 400),
              ElementsAre("subtree"));
  EXPECT_THAT(fields("/api/v1/reports/hours?department_id=3&from=2026-10&format=pdf", 400),
              ElementsAre("format"));
  EXPECT_THAT(fields("/api/v1/reports/hours?department_id=3&from=2026-10&to=2026-09", 422),
              ElementsAre("to"));
  EXPECT_THAT(fields("/api/v1/reports/hours?department_id=3&from=2025-01&to=2026-10", 422),
              ElementsAre("to"));
  EXPECT_THAT(fields("/api/v1/reports/payroll?department_id=3&from=2026-09&to=2026-10", 422),
              ElementsAre("to"));
  // A month that has not come: the next one (to) or one far away (from).
  const std::chrono::year_month_day today{
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  const std::chrono::year_month next = today.year() / today.month() + std::chrono::months{1};
  char next_text[8];
  std::snprintf(next_text, sizeof next_text, "%04d-%02u", static_cast<int>(next.year()),
                static_cast<unsigned>(next.month()));
  const HttpResponse future = Call(
      "accountant", "GET", std::string("/api/v1/reports/hours?department_id=3&from=2026-10&to=") + next_text);
  EXPECT_EQ(future.status, 422) << future.body;
  EXPECT_THAT(ProblemFields(future), ElementsAre("to"));
  EXPECT_THAT(future.body, ::testing::HasSubstr("after the current month"));
  EXPECT_THAT(fields("/api/v1/reports/hours?department_id=3&from=2099-01", 422), ElementsAre("from"));

  const auto job_fields = [&](const std::string& body) {
    const HttpResponse response = Call("accountant", "POST", "/api/v1/report-jobs", body);
    EXPECT_EQ(response.status, 400) << body << " -> " << response.body;
    return ProblemFields(response);
  };
  EXPECT_THAT(job_fields(R"({"from":"2026-10"})"), ElementsAre("kind"));
  EXPECT_THAT(job_fields(R"({"kind":"hours","from":202610})"), ElementsAre("from"));
  EXPECT_THAT(job_fields(R"({"kind":"hours","from":"2026-10","subtree":true})"), ElementsAre("subtree"));
  EXPECT_THAT(job_fields(R"({"kind":"hours","from":"2026-10","department_id":"3"})"),
              ElementsAre("department_id"));
  EXPECT_THAT(job_fields(R"({"kind":"hours","from":"2026-10","colour":"red"})"), ElementsAre("colour"));
  EXPECT_EQ(Call("accountant", "POST", "/api/v1/report-jobs", R"({"kind":)").status, 400);
  EXPECT_EQ(Call("accountant", "POST", "/api/v1/report-jobs", std::string(4096, ' ')).status, 413);
  EXPECT_EQ(Call("accountant", "GET", "/api/v1/report-jobs/not-a-job").status, 404);
}

TEST_F(Reports, TheCompanysPayrollBaseIsAJobItsOwnerDownloads) {
  const HttpResponse asked = Call("accountant", "POST", "/api/v1/report-jobs",
                                  R"({"kind":"payroll","from":"2026-10","format":"xlsx"})",
                                  {{"Idempotency-Key", "payroll-2026-10"}});
  ASSERT_EQ(asked.status, 202) << asked.body;
  const json job = json::parse(asked.body);
  const std::string id = job.at("id");
  EXPECT_EQ(asked.headers.at("location"), "/api/v1/report-jobs/" + id);
  EXPECT_EQ(job.at("department_id"), nullptr);

  const json done = Finished("accountant", id);
  ASSERT_EQ(done.at("status"), "done") << done.dump();
  EXPECT_EQ(done.at("progress"), 100);
  EXPECT_EQ(done.at("file_name"), "payroll-2026-10.xlsx");
  const HttpResponse file = Call("accountant", "GET", done.at("download_url").get<std::string>());
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.headers.at("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(file.body.rfind("PK\x03\x04", 0), 0U);
  EXPECT_EQ(static_cast<int64_t>(file.body.size()), done.at("size_bytes").get<int64_t>());

  // The same key is the same job; with other parameters it is refused.
  const HttpResponse again = Call("accountant", "POST", "/api/v1/report-jobs",
                                  R"({"kind":"payroll","from":"2026-10","format":"xlsx"})",
                                  {{"Idempotency-Key", "payroll-2026-10"}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  EXPECT_EQ(json::parse(again.body).at("id"), id);
  EXPECT_EQ(Call("accountant", "POST", "/api/v1/report-jobs", R"({"kind":"payroll","from":"2026-10"})",
                 {{"Idempotency-Key", "payroll-2026-10"}})
                .status,
            409);

  // Only its owner sees it.
  EXPECT_EQ(Call("auditor", "GET", "/api/v1/report-jobs/" + id).status, 404);
  EXPECT_EQ(Call("auditor", "GET", "/api/v1/report-jobs/" + id + "/file").status, 404);
  EXPECT_TRUE(GetJson("auditor", "/api/v1/report-jobs").at("items").empty());
  EXPECT_EQ(GetJson("accountant", "/api/v1/report-jobs").at("items").size(), 1U);
  EXPECT_EQ(Call("accountant", "POST", "/api/v1/report-jobs/" + id + "/cancel").status, 409);

  // The whole company, as JSON: the fourteen demo people.
  const HttpResponse json_job =
      Call("accountant", "POST", "/api/v1/report-jobs", R"({"kind":"payroll","from":"2026-10"})");
  ASSERT_EQ(json_job.status, 202);
  const json finished = Finished("accountant", json::parse(json_job.body).at("id"));
  ASSERT_EQ(finished.at("status"), "done");
  const json report = GetJson("accountant", finished.at("download_url"));
  EXPECT_EQ(report.at("items").size(), 14U);
  EXPECT_EQ(report.at("departments").size(), 8U);

  // A manager's job covers his subtree.
  const HttpResponse subtree = Call("manager", "POST", "/api/v1/report-jobs",
                                    R"({"kind":"hours","from":"2026-10","department_id":2,"subtree":true})");
  ASSERT_EQ(subtree.status, 202) << subtree.body;
  const json hours = Finished("manager", json::parse(subtree.body).at("id"));
  ASSERT_EQ(hours.at("status"), "done");
  EXPECT_EQ(GetJson("manager", hours.at("download_url")).at("items").size(), 6U);
  EXPECT_EQ(Call("manager", "POST", "/api/v1/report-jobs",
                 R"({"kind":"hours","from":"2026-10","department_id":5,"subtree":true})")
                .status,
            404);
}

// Without queue consumers, a job waits: it can be cancelled before it runs.
class QueuedReports : public Reports {
 protected:
  QueuedReports() : Reports({{"TABEL_WORKER_THREADS", "0"}}) {}
};

TEST_F(QueuedReports, AJobIsCancelledBeforeItRuns) {
  const HttpResponse asked =
      Call("accountant", "POST", "/api/v1/report-jobs", R"({"kind":"hours","from":"2026-10"})");
  ASSERT_EQ(asked.status, 202) << asked.body;
  const std::string id = json::parse(asked.body).at("id");
  EXPECT_EQ(GetJson("accountant", "/api/v1/report-jobs/" + id).at("status"), "queued");
  EXPECT_EQ(Call("accountant", "GET", "/api/v1/report-jobs/" + id + "/file").status, 409);
  EXPECT_EQ(Call("auditor", "POST", "/api/v1/report-jobs/" + id + "/cancel").status, 404);
  const HttpResponse cancelled = Call("accountant", "POST", "/api/v1/report-jobs/" + id + "/cancel");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(json::parse(cancelled.body).at("status"), "cancelled");
  EXPECT_EQ(json::parse(cancelled.body).at("download_url"), nullptr);
  EXPECT_EQ(Call("accountant", "POST", "/api/v1/report-jobs/" + id + "/cancel").status, 409);
  EXPECT_EQ(Call("accountant", "GET", "/api/v1/report-jobs/" + id + "/file").status, 409);
}

}  // namespace
}  // namespace tabel::testing
