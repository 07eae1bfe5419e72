#pragma once
// JSON of the users service: what clients send (parsed into domain types,
// every bad member named) and what they get back.
// Thread-safety: pure functions.

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
nlohmann::json DepartmentJson(const Department& department);
nlohmann::json PositionJson(const Position& position);
nlohmann::json ScheduleJson(const WorkSchedule& schedule);

}  // namespace tabel::users
