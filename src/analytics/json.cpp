#include "analytics/json.hpp"

#include <cmath>

#include "infra/db/timestamp.hpp"

namespace tabel::analytics {
namespace {

double Hours(int64_t tenths) { return static_cast<double>(tenths) / 10.0; }

nlohmann::json DaysHoursJson(const DaysHours& value) {
  return {{"days", value.days}, {"hours", Hours(value.hours_tenths)}};
}

nlohmann::json EntriesJson(std::span<const DayEntry> entries) {
  nlohmann::json json = nlohmann::json::array();
  for (const DayEntry& entry : entries) {
    const T13Code& code = CodeInfo(entry.code);
    json.push_back({{"code", code.letter}, {"number", code.number}, {"hours", Hours(entry.hours_tenths)}});
  }
  return json;
}

nlohmann::json DayJson(const TimesheetDay& day) {
  if (!day.employed()) return nullptr;
  return {{"entries", EntriesJson(day.Entries())}, {"corrected", day.corrected}};
}

nlohmann::json TotalsJson(const MonthTotals& totals) {
  nlohmann::json codes = nlohmann::json::array();
  for (size_t i = 0; i < totals.by_code.size(); ++i) {
    const DaysHours& value = totals.by_code[i];
    if (value.days == 0 && value.hours_tenths == 0) continue;
    const T13Code& code = CodeInfo(static_cast<CodeId>(i));
    codes.push_back({{"code", code.letter},
                     {"number", code.number},
                     {"days", value.days},
                     {"hours", Hours(value.hours_tenths)}});
  }
  return {{"first_half", DaysHoursJson(totals.halves[0])},
          {"second_half", DaysHoursJson(totals.halves[1])},
          {"month", DaysHoursJson(totals.month)},
          {"norm", DaysHoursJson(totals.norm)},
          {"codes", std::move(codes)}};
}

nlohmann::json RowJson(const T13Row& row) {
  nlohmann::json days = nlohmann::json::array();
  for (const TimesheetDay& day : row.days) days.push_back(DayJson(day));
  nlohmann::json earlier = nlohmann::json::array();
  for (const EarlierDay& day : row.earlier) {
    earlier.push_back({{"date", FormatIsoDate(day.date)},
                       {"entries", EntriesJson(day.day.Entries())},
                       {"corrected", true}});
  }
  return {{"employee_id", row.employee_id},
          {"personnel_number", row.personnel_number},
          {"name", row.name},
          {"position", row.position},
          {"department_id", row.department_id},
          {"closed", row.closed},
          {"days", std::move(days)},
          {"totals", TotalsJson(row.totals)},
          {"earlier", std::move(earlier)}};
}

}  // namespace

nlohmann::json T13Json(const T13Document& document) {
  nlohmann::json days = nlohmann::json::array();
  Date day = FirstDay(document.month);
  for (const calendar::DayKind kind : document.kinds) {
    days.push_back({{"date", FormatIsoDate(day)}, {"kind", calendar::DayKindName(kind)}});
    day += std::chrono::days{1};
  }
  nlohmann::json items = nlohmann::json::array();
  for (const T13Row& row : document.rows) items.push_back(RowJson(row));
  return {{"organization", document.organization},
          {"department",
           {{"id", document.department_id},
            {"code", document.department_code},
            {"name", document.department_name}}},
          {"subtree", document.subtree},
          {"month", FormatMonth(document.month)},
          {"closed", document.closed},
          {"generated_at", db::FormatTimestamp(document.generated_at)},
          {"days", std::move(days)},
          {"items", std::move(items)}};
}

nlohmann::json PersonMonthJson(const PersonMonth& month) {
  nlohmann::json json = RowJson(month.row);
  json["month"] = FormatMonth(month.month);
  nlohmann::json kinds = nlohmann::json::array();
  for (const calendar::DayKind kind : month.kinds) kinds.push_back(calendar::DayKindName(kind));
  json["kinds"] = std::move(kinds);
  nlohmann::json corrections = nlohmann::json::array();
  for (const Correction& correction : month.corrections) corrections.push_back(CorrectionJson(correction));
  json["corrections"] = std::move(corrections);
  return json;
}

nlohmann::json CorrectionJson(const Correction& correction) {
  return {{"id", correction.id},
          {"employee_id", correction.employee_id},
          {"date", FormatIsoDate(correction.date)},
          {"period", FormatMonth(correction.period)},
          {"entries", EntriesJson(correction.entries)},
          {"reason", correction.reason},
          {"account_id", correction.account_id},
          {"version", correction.version},
          {"updated_at", db::FormatTimestamp(correction.updated_at)}};
}

nlohmann::json ClosingJson(const Closing& closing) {
  const auto optional_id = [](const std::optional<int64_t>& id) {
    return id ? nlohmann::json(*id) : nullptr;
  };
  return {{"id", closing.id},
          {"month", FormatMonth(closing.period)},
          {"department_id", optional_id(closing.department_id)},
          {"people", closing.people},
          {"account_id", closing.account_id},
          {"closed_at", db::FormatTimestamp(closing.closed_at)},
          {"reopened_by", optional_id(closing.reopened_by)},
          {"reopened_at",
           closing.reopened_at ? nlohmann::json(db::FormatTimestamp(*closing.reopened_at)) : nullptr},
          {"reopen_reason", closing.reopen_reason ? nlohmann::json(*closing.reopen_reason) : nullptr}};
}

nlohmann::json TimekeeperJson(const TimesheetPerson& person) {
  return {{"employee_id", person.id},
          {"personnel_number", person.personnel_number},
          {"name", person.name},
          {"position", person.position},
          {"department_id", person.department_id}};
}

std::vector<DayEntry> ParseEntries(const nlohmann::json* entries, std::vector<FieldError>& errors) {
  std::vector<DayEntry> parsed;
  if (entries == nullptr) {
    errors.push_back({"entries", "is required"});
    return parsed;
  }
  if (!entries->is_array() || entries->empty() || entries->size() > 2) {
    errors.push_back({"entries", "must be an array of one or two codes"});
    return parsed;
  }
  for (size_t i = 0; i < entries->size(); ++i) {
    const nlohmann::json& item = (*entries)[i];
    const std::string field = "entries[" + std::to_string(i) + "]";
    if (!item.is_object()) {
      errors.push_back({field, "must be an object with code and hours"});
      continue;
    }
    DayEntry entry;
    bool ok = true;
    for (const auto& [key, value] : item.items()) {
      if (key != "code" && key != "hours") {
        errors.push_back({field + "." + key, "is not a known field"});
        ok = false;
      }
    }
    const auto code = item.find("code");
    const std::optional<CodeId> found =
        code != item.end() && code->is_string() ? FindCode(code->get<std::string>()) : std::nullopt;
    if (!found) {
      errors.push_back({field + ".code", "must be a code of the T-13 form, such as Я, ОТ or 09"});
      ok = false;
    } else {
      entry.code = *found;
    }
    const auto hours = item.find("hours");
    if (hours == item.end() || hours->is_null()) {
      entry.hours_tenths = 0;
    } else if (!hours->is_number()) {
      errors.push_back({field + ".hours", "must be a number of hours"});
      ok = false;
    } else {
      const double tenths = hours->get<double>() * 10.0;
      const double rounded = std::round(tenths);
      if (!std::isfinite(tenths) || std::fabs(tenths - rounded) > 1e-6 || rounded < 0 || rounded > 240) {
        errors.push_back({field + ".hours", "must be from 0 to 24 with at most one decimal"});
        ok = false;
      } else {
        entry.hours_tenths = static_cast<int32_t>(rounded);
      }
    }
    if (ok) parsed.push_back(entry);
  }
  return parsed;
}

}  // namespace tabel::analytics
