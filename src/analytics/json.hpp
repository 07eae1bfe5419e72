#pragma once
// JSON of the timesheet (analytics/service.hpp):
//   T-13      {"organization", "department": {"id", "code", "name"}, "subtree",
//              "month", "closed", "generated_at",
//              "days": [{"date", "kind"}, …],                      the federal calendar
//              "items": [row, …]}
//   row       {"employee_id", "personnel_number", "name", "position",
//              "department_id", "closed",
//              "days": [day or null (not employed), …],
//              "totals": {"first_half", "second_half", "month", "norm": {"days", "hours"},
//                         "codes": [{"code", "number", "days", "hours"}, …]},
//              "earlier": [{"date", "entries", "corrected"}, …]}
//   day       {"entries": [{"code", "number", "hours"}, …], "corrected"}
//   person    {row…, "month", "kinds": [kind per day], "corrections": [correction, …]}
//   correction {"id", "employee_id", "date", "period", "entries", "reason",
//              "account_id", "version", "updated_at"}
//   closing   {"id", "month", "department_id", "people", "account_id", "closed_at",
//              "reopened_by", "reopened_at", "reopen_reason"}
//   report job {"id", "kind", "format", "department_id", "subtree", "from", "to",
//              "status", "progress", "error", "file_name", "size_bytes",
//              "created_at", "started_at", "finished_at", "expires_at",
//              "download_url" (when done, else null)}
// Hours are numbers with at most one decimal.
// Thread-safety: pure functions.

#include <string>

#include <nlohmann/json.hpp>

#include "analytics/report_repository.hpp"
#include "analytics/service.hpp"

namespace tabel::analytics {

// As JSON text, written without a tree (the hot path of the timesheet).
std::string T13JsonText(const T13Document& document);
std::string PersonMonthJsonText(const PersonMonth& month);
nlohmann::json CorrectionJson(const Correction& correction);
nlohmann::json ClosingJson(const Closing& closing);
nlohmann::json TimekeeperJson(const TimesheetPerson& person);
nlohmann::json ReportJobJson(const ReportJob& job);

// The entries of a correction's body: [{"code": "Я" or "01", "hours": 8}, …],
// each problem recorded in `errors` under "entries[i].code" / ".hours".
std::vector<DayEntry> ParseEntries(const nlohmann::json* entries, std::vector<FieldError>& errors);

}  // namespace tabel::analytics
