// The specification of access: one table, every role × endpoint × object
// (the caller's own record, one inside manager's subtree, one inside
// manager2's), with the status each must get. The demo company of
// `serve --demo` provides the people (users/seed.cpp):
//   manager  heads IT (id 2) with sub-departments IT-DEV (3) and IT-OPS (4);
//   manager2 heads RETAIL (5) with RETAIL-LOANS (6);
//   employee works in IT-DEV; hr in HR (7); accountant in ACC (8);
//   admin is a technical account without an employee record.
// Every endpoint that reads or changes people's data joins this table.

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/demo_server.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;

// The objects a row is tried on (kNone: the endpoint is not about one person).
enum class Object { kNone, kOwn, kInManagerSubtree, kInManager2Subtree };

constexpr int64_t kMorozova = 5;   // IT-DEV: inside manager's subtree
constexpr int64_t kFedorova = 10;  // RETAIL-LOANS: inside manager2's subtree

const std::vector<std::string> kLogins = {"admin",    "hr",       "accountant", "manager",
                                          "manager2", "employee", "auditor"};

struct Row {
  std::string what;
  std::string method;
  std::string path;  // "{employee}" / "{department}" are replaced by the object's ids
  std::string body;
  bool if_match;  // send the current ETag of the object
  Object object;
  std::map<std::string, int> expected;  // login -> status; a login absent here is not tried
};

// The table. For admin "own" is absent: he has no employee record.
const std::vector<Row>& Table() {
  const std::string phone = json{{"phone", "+7 900 000-00-01"}}.dump();
  const std::string salary = json{{"salary_kopecks", 12345600}}.dump();
  const std::string department = json{{"name", "Отдел (переименован)"}}.dump();
  const std::string move = json{{"department_id", 4}}.dump();
  const std::string adjustment =
      json{{"kind", "additional"}, {"days", 1}, {"comment", "матрица доступа"}}.dump();
  const std::string reason = json{{"comment", "матрица доступа"}}.dump();
  const std::string close = json{{"end_date", "2024-06-04"}}.dump();
  const std::string notice = json{{"notice_days", 14}}.dump();
  const std::string request_type =
      json{{"code", "matrix_type"}, {"name", "Тип"}, {"kind", "absence"}, {"steps", {"manager"}}}.dump();
  const std::string correction = json{{"entries", {{{"code", "ПК"}}}}, {"reason", "матрица доступа"}}.dump();
  const std::string calendar_day =
      json{{"kind", "holiday"}, {"name", "Ураза-байрам"}, {"region", "16"}}.dump();
  static const std::vector<Row> table = {
      {"read employee",
       "GET",
       "/api/v1/employees/{employee}",
       "",
       false,
       Object::kOwn,
       {{"hr", 200}, {"accountant", 200}, {"manager", 200}, {"manager2", 200}, {"employee", 200}}},
      {"read employee",
       "GET",
       "/api/v1/employees/{employee}",
       "",
       false,
       Object::kInManagerSubtree,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 404},
        {"employee", 404}}},
      {"read employee",
       "GET",
       "/api/v1/employees/{employee}",
       "",
       false,
       Object::kInManager2Subtree,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 404},
        {"manager2", 200},
        {"employee", 404}}},

      {"change phone",
       "PATCH",
       "/api/v1/employees/{employee}",
       phone,
       true,
       Object::kOwn,
       {{"hr", 200}, {"accountant", 200}, {"manager", 200}, {"manager2", 200}, {"employee", 200}}},
      {"change phone",
       "PATCH",
       "/api/v1/employees/{employee}",
       phone,
       true,
       Object::kInManagerSubtree,
       {{"admin", 403},
        {"hr", 200},
        {"accountant", 403},
        {"manager", 403},
        {"manager2", 404},
        {"employee", 404}}},
      {"change phone",
       "PATCH",
       "/api/v1/employees/{employee}",
       phone,
       true,
       Object::kInManager2Subtree,
       {{"admin", 403},
        {"hr", 200},
        {"accountant", 403},
        {"manager", 404},
        {"manager2", 403},
        {"employee", 404}}},

      {"change salary",
       "PATCH",
       "/api/v1/employees/{employee}",
       salary,
       true,
       Object::kOwn,
       {{"hr", 403}, {"accountant", 403}, {"manager", 403}, {"manager2", 403}, {"employee", 403}}},
      {"change salary",
       "PATCH",
       "/api/v1/employees/{employee}",
       salary,
       true,
       Object::kInManagerSubtree,
       {{"admin", 403},
        {"hr", 200},
        {"accountant", 403},
        {"manager", 403},
        {"manager2", 404},
        {"employee", 404}}},
      {"change salary",
       "PATCH",
       "/api/v1/employees/{employee}",
       salary,
       true,
       Object::kInManager2Subtree,
       {{"admin", 403},
        {"hr", 200},
        {"accountant", 403},
        {"manager", 404},
        {"manager2", 403},
        {"employee", 404}}},

      {"move to another department",
       "PATCH",
       "/api/v1/employees/{employee}",
       move,
       true,
       Object::kOwn,
       {{"hr", 403}, {"accountant", 403}, {"manager", 403}, {"manager2", 403}, {"employee", 403}}},

      {"list employees",
       "GET",
       "/api/v1/employees",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 200}}},
      {"list accounts",
       "GET",
       "/api/v1/accounts",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 403},
        {"accountant", 403},
        {"manager", 403},
        {"manager2", 403},
        {"employee", 403},
        {"auditor", 403}}},
      {"list roles",
       "GET",
       "/api/v1/roles",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 403},
        {"accountant", 403},
        {"manager", 403},
        {"manager2", 403},
        {"employee", 403},
        {"auditor", 403}}},
      {"read the audit log",
       "GET",
       "/api/v1/audit-log",
       "",
       false,
       Object::kNone,
       {{"admin", 403},
        {"hr", 403},
        {"accountant", 403},
        {"manager", 403},
        {"manager2", 403},
        {"employee", 403},
        {"auditor", 200}}},
      {"own delegations",
       "GET",
       "/api/v1/delegations",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 200}}},
      {"read employee",
       "GET",
       "/api/v1/employees/{employee}",
       "",
       false,
       Object::kInManager2Subtree,
       {{"auditor", 200}}},
      {"change phone",
       "PATCH",
       "/api/v1/employees/{employee}",
       phone,
       true,
       Object::kInManager2Subtree,
       {{"auditor", 403}}},
      {"read department",
       "GET",
       "/api/v1/departments/{department}",
       "",
       false,
       Object::kInManager2Subtree,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200}}},
      {"rename department",
       "PATCH",
       "/api/v1/departments/{department}",
       department,
       true,
       Object::kInManager2Subtree,
       {{"admin", 403},
        {"hr", 200},
        {"accountant", 403},
        {"manager", 403},
        {"manager2", 403},
        {"employee", 403}}},

      // Management: requests and balances of a person are reached like the
      // person (requests.read), decided and adjusted only where granted.
      {"read balances",
       "GET",
       "/api/v1/employees/{employee}/balances",
       "",
       false,
       Object::kOwn,
       {{"hr", 200}, {"accountant", 200}, {"manager", 200}, {"manager2", 200}, {"employee", 200}}},
      {"read balances",
       "GET",
       "/api/v1/employees/{employee}/balances",
       "",
       false,
       Object::kInManagerSubtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 404},
        {"manager", 200},
        {"manager2", 404},
        {"employee", 404},
        {"auditor", 200}}},
      {"read balances",
       "GET",
       "/api/v1/employees/{employee}/balances",
       "",
       false,
       Object::kInManager2Subtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 404},
        {"manager", 404},
        {"manager2", 200},
        {"employee", 404},
        {"auditor", 200}}},
      {"read balance entries",
       "GET",
       "/api/v1/employees/{employee}/balance-entries",
       "",
       false,
       Object::kInManager2Subtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 404},
        {"manager", 404},
        {"manager2", 200},
        {"employee", 404},
        {"auditor", 200}}},
      {"adjust balance",
       "POST",
       "/api/v1/employees/{employee}/balance-adjustments",
       adjustment,
       false,
       Object::kOwn,
       {{"hr", 403}, {"accountant", 403}, {"manager", 403}, {"manager2", 403}, {"employee", 403}}},
      {"adjust balance",
       "POST",
       "/api/v1/employees/{employee}/balance-adjustments",
       adjustment,
       false,
       Object::kInManagerSubtree,
       {{"admin", 404},
        {"hr", 201},
        {"accountant", 404},
        {"manager", 403},
        {"manager2", 404},
        {"employee", 404},
        {"auditor", 403}}},
      {"adjust balance",
       "POST",
       "/api/v1/employees/{employee}/balance-adjustments",
       adjustment,
       false,
       Object::kInManager2Subtree,
       {{"admin", 404},
        {"hr", 201},
        {"accountant", 404},
        {"manager", 404},
        {"manager2", 403},
        {"employee", 404},
        {"auditor", 403}}},
      {"read request",
       "GET",
       "/api/v1/requests/{request}",
       "",
       false,
       Object::kOwn,
       {{"hr", 200}, {"accountant", 200}, {"manager", 200}, {"manager2", 200}, {"employee", 200}}},
      {"read request",
       "GET",
       "/api/v1/requests/{request}",
       "",
       false,
       Object::kInManagerSubtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 404},
        {"manager", 200},
        {"manager2", 404},
        {"employee", 404},
        {"auditor", 200}}},
      {"read request",
       "GET",
       "/api/v1/requests/{request}",
       "",
       false,
       Object::kInManager2Subtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 404},
        {"manager", 404},
        {"manager2", 200},
        {"employee", 404},
        {"auditor", 200}}},
      {"request history",
       "GET",
       "/api/v1/requests/{request}/history",
       "",
       false,
       Object::kInManagerSubtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 404},
        {"manager", 200},
        {"manager2", 404},
        {"employee", 404},
        {"auditor", 200}}},
      // The request (a sick leave hr registered) is approved: who may
      // decide learns it is too late, the rest that it is not theirs.
      {"approve request",
       "POST",
       "/api/v1/requests/{request}/approve",
       "",
       false,
       Object::kInManagerSubtree,
       {{"admin", 404},
        {"hr", 409},
        {"accountant", 404},
        {"manager", 409},
        {"manager2", 404},
        {"employee", 404},
        {"auditor", 409}}},
      {"cancel request",
       "POST",
       "/api/v1/requests/{request}/cancel",
       "",
       false,
       Object::kInManager2Subtree,
       {{"admin", 404}, {"accountant", 404}, {"manager", 404}, {"employee", 404}, {"auditor", 403}}},
      {"list requests",
       "GET",
       "/api/v1/requests",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 200}}},
      {"approval queue",
       "GET",
       "/api/v1/approvals",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 200}}},
      // Calendars: calendar.read reaches people, and everyone sees the
      // colleagues of his own department (employee and Morozova share
      // IT-DEV); admin has neither.
      {"read personal calendar",
       "GET",
       "/api/v1/employees/{employee}/calendar",
       "",
       false,
       Object::kOwn,
       {{"hr", 200}, {"accountant", 200}, {"manager", 200}, {"manager2", 200}, {"employee", 200}}},
      {"read personal calendar",
       "GET",
       "/api/v1/employees/{employee}/calendar",
       "",
       false,
       Object::kInManagerSubtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 404},
        {"employee", 200},
        {"auditor", 200}}},
      {"read personal calendar",
       "GET",
       "/api/v1/employees/{employee}/calendar",
       "",
       false,
       Object::kInManager2Subtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 404},
        {"manager2", 200},
        {"employee", 404},
        {"auditor", 200}}},
      {"team calendar (filtered by reach)",
       "GET",
       "/api/v1/calendar?department_id=3",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 200}}},
      {"who is away (filtered by reach)",
       "GET",
       "/api/v1/calendar/away?department_id=6&period=week",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 200}}},
      // Timesheets: timesheets.read reaches the rows, timesheets.correct
      // (hr; a timekeeper in his departments) the days, never one's own;
      // periods.close (accountant) closes months.
      {"read a person's month",
       "GET",
       "/api/v1/employees/{employee}/timesheet/2026-10",
       "",
       false,
       Object::kOwn,
       {{"hr", 200}, {"accountant", 200}, {"manager", 200}, {"manager2", 200}, {"employee", 200}}},
      {"read a person's month",
       "GET",
       "/api/v1/employees/{employee}/timesheet/2026-10",
       "",
       false,
       Object::kInManagerSubtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 404},
        {"employee", 404},
        {"auditor", 200}}},
      {"read a person's month",
       "GET",
       "/api/v1/employees/{employee}/timesheet/2026-10",
       "",
       false,
       Object::kInManager2Subtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 404},
        {"manager2", 200},
        {"employee", 404},
        {"auditor", 200}}},
      {"department T-13",
       "GET",
       "/api/v1/timesheets/{department}/2026-10",
       "",
       false,
       Object::kInManagerSubtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 404},
        {"employee", 404},
        {"auditor", 200}}},
      {"correct a day",
       "PUT",
       "/api/v1/employees/{employee}/timesheet/days/2026-10-14",
       correction,
       false,
       Object::kOwn,
       {{"hr", 403}, {"accountant", 403}, {"manager", 403}, {"manager2", 403}, {"employee", 403}}},
      {"correct a day",
       "PUT",
       "/api/v1/employees/{employee}/timesheet/days/2026-10-14",
       correction,
       false,
       Object::kInManagerSubtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 403},
        {"manager", 403},
        {"manager2", 404},
        {"employee", 404},
        {"auditor", 403}}},
      {"closings of a month",
       "GET",
       "/api/v1/timesheet-periods/2026-10",
       "",
       false,
       Object::kNone,
       {{"admin", 403},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 403},
        {"manager2", 403},
        {"employee", 403},
        {"auditor", 200}}},
      {"close a month",
       "POST",
       "/api/v1/timesheet-periods/2026-10/close",
       json{{"department_id", 6}}.dump(),
       false,
       Object::kNone,
       {{"admin", 403},
        {"hr", 403},
        {"accountant", 201},
        {"manager", 403},
        {"manager2", 403},
        {"employee", 403},
        {"auditor", 403}}},
      // Reports: hours and absences as far as timesheets.read reaches; the
      // payroll base with reports.payroll only; a job is checked when asked for.
      {"hours report of a department",
       "GET",
       "/api/v1/reports/hours?department_id={department}&from=2026-10",
       "",
       false,
       Object::kInManagerSubtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 404},
        {"employee", 404},
        {"auditor", 200}}},
      {"payroll base of a department",
       "GET",
       "/api/v1/reports/payroll?department_id={department}&from=2026-10",
       "",
       false,
       Object::kInManagerSubtree,
       {{"admin", 403},
        {"hr", 403},
        {"accountant", 200},
        {"manager", 403},
        {"manager2", 403},
        {"employee", 403},
        {"auditor", 200}}},
      {"payroll base of the company as a job",
       "POST",
       "/api/v1/report-jobs",
       json{{"kind", "payroll"}, {"from", "2026-10"}}.dump(),
       false,
       Object::kNone,
       {{"admin", 403},
        {"hr", 403},
        {"accountant", 202},
        {"manager", 403},
        {"manager2", 403},
        {"employee", 403},
        {"auditor", 202}}},
      {"hours of a subtree as a job",
       "POST",
       "/api/v1/report-jobs",
       json{{"kind", "hours"}, {"from", "2026-10"}, {"department_id", 2}, {"subtree", true}}.dump(),
       false,
       Object::kNone,
       {{"admin", 404},
        {"hr", 202},
        {"accountant", 202},
        {"manager", 202},
        {"manager2", 404},
        {"employee", 404},
        {"auditor", 202}}},
      // Notifications: each person's own, with notifications.read (admin
      // and auditor are technical accounts without one); another's
      // notification is not found (tests/functional/notifications_test.cpp).
      {"own notification feed",
       "GET",
       "/api/v1/notifications",
       "",
       false,
       Object::kNone,
       {{"admin", 403},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 403}}},
      {"own unread count",
       "GET",
       "/api/v1/notifications/unread-count",
       "",
       false,
       Object::kNone,
       {{"admin", 403},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 403}}},
      {"own mail preferences",
       "PUT",
       "/api/v1/notifications/preferences",
       json{{"request.approved", true}}.dump(),
       false,
       Object::kNone,
       {{"admin", 403},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 403}}},
      // Resignation letters: a list filtered to what each may read (his
      // own; hr's and auditors' everyone's); a letter of another is not
      // found, a decision is hr's (tests/functional/resignation_letters_test.cpp).
      {"resignation letters of an employee",
       "GET",
       "/api/v1/resignation-letters?employee_id={employee}",
       "",
       false,
       Object::kInManagerSubtree,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 200}}},
      {"decide on a letter that is nobody's",
       "POST",
       "/api/v1/resignation-letters/999999/accept",
       "",
       false,
       Object::kNone,
       {{"admin", 404},
        {"hr", 404},
        {"accountant", 404},
        {"manager", 404},
        {"manager2", 404},
        {"employee", 404},
        {"auditor", 404}}},
      // The queues: an operator's (settings.manage) only.
      {"queue depths",
       "GET",
       "/api/v1/admin/queues",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 403},
        {"accountant", 403},
        {"manager", 403},
        {"manager2", 403},
        {"employee", 403},
        {"auditor", 403}}},
      {"dead letters",
       "GET",
       "/api/v1/admin/dead-letters",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 403},
        {"accountant", 403},
        {"manager", 403},
        {"manager2", 403},
        {"employee", 403},
        {"auditor", 403}}},
      {"timekeepers of a department",
       "GET",
       "/api/v1/departments/{department}/timekeepers",
       "",
       false,
       Object::kInManagerSubtree,
       {{"admin", 404},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 404},
        {"employee", 404},
        {"auditor", 200}}},
      {"assign a timekeeper",
       "PUT",
       "/api/v1/departments/3/timekeepers/4",
       "",
       false,
       Object::kNone,
       {{"admin", 403},
        {"hr", 204},
        {"accountant", 403},
        {"manager", 403},
        {"manager2", 403},
        {"employee", 403},
        {"auditor", 403}}},
      {"list request types",
       "GET",
       "/api/v1/request-types",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 200}}},
      {"production calendar",
       "GET",
       "/api/v1/production-calendar/2025",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 200}}},
      {"regional production calendar",
       "GET",
       "/api/v1/production-calendar/2025?region=16",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 200}}},
      // The calendar is public law: everyone reads it, only hr edits it
      // (production_calendar.write). The edit hr makes is removed next.
      {"edit production calendar day",
       "PUT",
       "/api/v1/production-calendar/2025/days/2025-03-31",
       calendar_day,
       false,
       Object::kNone,
       {{"admin", 403},
        {"hr", 200},
        {"accountant", 403},
        {"manager", 403},
        {"manager2", 403},
        {"employee", 403},
        {"auditor", 403}}},
      {"list production calendar edits",
       "GET",
       "/api/v1/production-calendar/2025/edits",
       "",
       false,
       Object::kNone,
       {{"admin", 200},
        {"hr", 200},
        {"accountant", 200},
        {"manager", 200},
        {"manager2", 200},
        {"employee", 200},
        {"auditor", 200}}},
      {"remove production calendar edit",
       "DELETE",
       "/api/v1/production-calendar/2025/days/2025-03-31?region=16",
       "",
       false,
       Object::kNone,
       {{"admin", 403},
        {"hr", 200},
        {"accountant", 403},
        {"manager", 403},
        {"manager2", 403},
        {"employee", 403},
        {"auditor", 403}}},
      {"create request type",
       "POST",
       "/api/v1/request-types",
       request_type,
       false,
       Object::kNone,
       {{"accountant", 403}, {"manager", 403}, {"manager2", 403}, {"employee", 403}, {"auditor", 403}}},
  };
  return table;
}

class AccessMatrix : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new DemoServer(); }
  static void TearDownTestSuite() { delete server_; }

  static int64_t EmployeeFor(const std::string& login, Object object) {
    switch (object) {
      case Object::kNone:
        return 0;
      case Object::kOwn:
        return server_->EmployeeOf(login);
      case Object::kInManagerSubtree:
        return kMorozova;
      case Object::kInManager2Subtree:
        return kFedorova;
    }
    return 0;
  }

  // A request of `employee`: a sick leave hr registers (approved at once),
  // made on first use.
  static int64_t RequestOf(int64_t employee) {
    static std::map<int64_t, int64_t> requests;
    const auto found = requests.find(employee);
    if (found != requests.end()) return found->second;
    const HttpResponse created = server_->Call("hr", "POST", "/api/v1/requests",
                                               json{{"type", "sick_leave"},
                                                    {"employee_id", employee},
                                                    {"start_date", "2024-06-03"},
                                                    {"end_date", "2024-06-05"},
                                                    {"certificate_number", "900000000001"}}
                                                   .dump());
    if (created.status != 201)
      throw std::runtime_error("sick leave for " + std::to_string(employee) + ": " + created.body);
    return requests[employee] = json::parse(created.body).at("id").get<int64_t>();
  }

  // The object's current ETag, read by hr (who reads everything).
  static std::string ETagOf(const std::string& path) {
    return server_->Call("hr", "GET", path).Header("etag");
  }

  static DemoServer* server_;
};
DemoServer* AccessMatrix::server_ = nullptr;

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST_F(AccessMatrix, EveryRoleGetsTheStatusTheTableSays) {
  int cells = 0;
  for (const Row& row : Table()) {
    for (const auto& [login, status] : row.expected) {
      std::string path = row.path;
      if (row.object != Object::kNone) {
        const int64_t employee = EmployeeFor(login, row.object);
        const json person =
            json::parse(server_->Call("hr", "GET", "/api/v1/employees/" + std::to_string(employee)).body);
        path = Replace(path, "{employee}", std::to_string(employee));
        if (path.find("{request}") != std::string::npos) {
          path = Replace(path, "{request}", std::to_string(RequestOf(employee)));
        }
        path = Replace(path, "{department}", std::to_string(person.at("department_id").get<int64_t>()));
      }
      std::map<std::string, std::string> headers;
      if (row.if_match) headers["If-Match"] = ETagOf(path);
      const HttpResponse response = server_->Call(login, row.method, path, row.body, headers);
      EXPECT_EQ(response.status, status)
          << row.what << " " << row.method << " " << path << " as " << login << ": " << response.body;
      if (response.status >= 400) {
        EXPECT_EQ(response.Header("content-type"), "application/problem+json") << row.what << " as " << login;
      }
      ++cells;
    }
  }
  EXPECT_GT(cells, 100);
}

// Lists are filtered by the same rule as single reads: what answers 404
// never appears in a list either, and what answers 200 does.
TEST_F(AccessMatrix, ListsShowExactlyWhatSingleReadsShow) {
  for (const std::string& login : kLogins) {
    const json page = json::parse(server_->Call(login, "GET", "/api/v1/employees?limit=200").body);
    std::vector<int64_t> listed;
    for (const json& item : page.at("items")) listed.push_back(item.at("id").get<int64_t>());
    for (int64_t id = 1; id <= 14; ++id) {
      const int status = server_->Call(login, "GET", "/api/v1/employees/" + std::to_string(id)).status;
      const bool in_list = std::find(listed.begin(), listed.end(), id) != listed.end();
      EXPECT_EQ(in_list, status == 200) << login << " employee " << id << " status " << status;
    }
  }
}

// Salary and personal contacts: which roles see them, on which people.
TEST_F(AccessMatrix, SalaryAndPersonalDataOnlyWhereAllowed) {
  struct Expectation {
    std::string login;
    Object object;
    bool salary;
    bool personal;
  };
  const std::vector<Expectation> expectations = {
      {"hr", Object::kInManagerSubtree, true, true},
      {"accountant", Object::kInManagerSubtree, true, false},
      {"admin", Object::kInManagerSubtree, false, false},
      {"manager", Object::kInManagerSubtree, false, false},
      {"manager", Object::kOwn, false, true},
      {"employee", Object::kOwn, false, true},
      {"accountant", Object::kOwn, true, true},
  };
  for (const Expectation& e : expectations) {
    const int64_t id = EmployeeFor(e.login, e.object);
    const HttpResponse response = server_->Call(e.login, "GET", "/api/v1/employees/" + std::to_string(id));
    ASSERT_EQ(response.status, 200) << e.login << " " << id;
    const json body = json::parse(response.body);
    EXPECT_EQ(body.contains("salary_kopecks"), e.salary) << e.login << " " << id;
    EXPECT_EQ(body.contains("phone"), e.personal) << e.login << " " << id;
    EXPECT_EQ(body.contains("region"), e.personal) << e.login << " " << id;
  }
}

}  // namespace
}  // namespace tabel::testing
