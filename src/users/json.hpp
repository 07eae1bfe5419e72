#pragma once
// JSON of the users service: what clients send (parsed into domain types,
// every bad member named) and what they get back.
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "users/model.hpp"

namespace tabel::users {

// `creating`: every required member must be present; otherwise (PATCH)
// every member is optional, and null clears the nullable ones.
// Throws Error::Validation naming each bad member.
EmployeeChanges ParseEmployeeChanges(const nlohmann::json& body, bool creating);
DepartmentChanges ParseDepartmentChanges(const nlohmann::json& body, bool creating);

// Phone and region appear only when personal_visible, the salary only when
// salary_visible.
nlohmann::json EmployeeJson(const Employee& employee);
// The same JSON as EmployeeJson(employee).dump() (keys in the same sorted
// order; byte for byte unless a text holds control characters, which input
// validation refuses), written straight into text without building a DOM
// per row: the reads of one employee and of pages use these.
void AppendEmployeeJson(std::string& out, const Employee& employee);
std::string EmployeeJsonText(const Employee& employee);
// {"items":[…],"next_cursor":null|"<id>"}, as http::PageJson gives it.
std::string EmployeePageJsonText(const std::vector<Employee>& items, std::optional<int64_t> next_after);
nlohmann::json DepartmentJson(const Department& department);
nlohmann::json PositionJson(const Position& position);
nlohmann::json ScheduleJson(const WorkSchedule& schedule);

}  // namespace tabel::users
