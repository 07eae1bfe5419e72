#include "analytics/json.hpp"

#include <array>
#include <cmath>
#include <string_view>

#include "common/json_optional.hpp"
#include "common/json_text.hpp"

#include "infra/db/timestamp.hpp"

namespace tabel::analytics {
namespace {

double Hours(int64_t tenths) { return static_cast<double>(tenths) / 10.0; }

nlohmann::json EntriesJson(std::span<const DayEntry> entries) {
  nlohmann::json json = nlohmann::json::array();
  for (const DayEntry& entry : entries) {
    const T13Code& code = CodeInfo(entry.code);
    json.push_back({{"code", code.letter}, {"number", code.number}, {"hours", Hours(entry.hours_tenths)}});
  }
  return json;
}

// The timesheet's JSON is written as text, member by member: a department's
// T-13 holds thousands of small objects, and a tree of them cost more than
// the rest of the request (docs/benchmarks.md).

// Tenths of an hour as a number with one decimal: 8.0, 7.5 (as a double
// would print).
void AppendHours(std::string& out, int64_t tenths) {
  if (tenths < 0) {
    out += '-';
    tenths = -tenths;
  }
  out += std::to_string(tenths / 10);
  out += '.';
  out += static_cast<char>('0' + tenths % 10);
}

void AppendKey(std::string& out, std::string_view key) {
  AppendJsonString(out, key);
  out += ':';
}

// '"code":"Я","number":"01",' of every code, escaped once.
const std::array<std::string, kT13Codes.size()>& CodeMembers() {
  static const std::array<std::string, kT13Codes.size()> members = [] {
    std::array<std::string, kT13Codes.size()> texts;
    for (size_t i = 0; i < kT13Codes.size(); ++i) {
      AppendKey(texts[i], "code");
      AppendJsonString(texts[i], kT13Codes[i].letter);
      texts[i] += ',';
      AppendKey(texts[i], "number");
      AppendJsonString(texts[i], kT13Codes[i].number);
      texts[i] += ',';
    }
    return texts;
  }();
  return members;
}

void AppendEntries(std::string& out, std::span<const DayEntry> entries) {
  out += '[';
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out += ',';
    out += '{';
    out += CodeMembers()[entries[i].code];
    out += "\"hours\":";
    AppendHours(out, entries[i].hours_tenths);
    out += '}';
  }
  out += ']';
}

void AppendDaysHours(std::string& out, std::string_view key, const DaysHours& value) {
  AppendKey(out, key);
  out += "{\"days\":" + std::to_string(value.days) + ",\"hours\":";
  AppendHours(out, value.hours_tenths);
  out += '}';
}

void AppendTotals(std::string& out, const MonthTotals& totals) {
  out += '{';
  AppendDaysHours(out, "first_half", totals.halves[0]);
  out += ',';
  AppendDaysHours(out, "second_half", totals.halves[1]);
  out += ',';
  AppendDaysHours(out, "month", totals.month);
  out += ',';
  AppendDaysHours(out, "norm", totals.norm);
  out += ",\"codes\":[";
  bool first = true;
  for (size_t i = 0; i < totals.by_code.size(); ++i) {
    const DaysHours& value = totals.by_code[i];
    if (value.days == 0 && value.hours_tenths == 0) continue;
    if (!first) out += ',';
    first = false;
    out += '{';
    out += CodeMembers()[i];
    out += "\"days\":" + std::to_string(value.days) + ",\"hours\":";
    AppendHours(out, value.hours_tenths);
    out += '}';
  }
  out += "]}";
}

// The members of a row, without its braces.
void AppendRowMembers(std::string& out, const T13Row& row) {
  out += "\"employee_id\":" + std::to_string(row.employee_id) + ',';
  AppendKey(out, "personnel_number");
  AppendJsonString(out, row.personnel_number);
  out += ',';
  AppendKey(out, "name");
  AppendJsonString(out, row.name);
  out += ',';
  AppendKey(out, "position");
  AppendJsonString(out, row.position);
  out += ",\"department_id\":" + std::to_string(row.department_id);
  out += row.closed ? ",\"closed\":true" : ",\"closed\":false";
  out += ",\"days\":[";
  for (size_t i = 0; i < row.days.size(); ++i) {
    if (i > 0) out += ',';
    const TimesheetDay& day = row.days[i];
    if (!day.employed()) {
      out += "null";
      continue;
    }
    out += "{\"entries\":";
    AppendEntries(out, day.Entries());
    out += day.corrected ? ",\"corrected\":true}" : ",\"corrected\":false}";
  }
  out += "],\"totals\":";
  AppendTotals(out, row.totals);
  out += ",\"earlier\":[";
  for (size_t i = 0; i < row.earlier.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"date\":\"" + FormatIsoDate(row.earlier[i].date) + "\",\"entries\":";
    AppendEntries(out, row.earlier[i].day.Entries());
    out += ",\"corrected\":true}";
  }
  out += ']';
}

void AppendKinds(std::string& out, const std::vector<calendar::DayKind>& kinds, std::chrono::year_month month,
                 bool with_dates) {
  out += '[';
  Date day = FirstDay(month);
  for (size_t i = 0; i < kinds.size(); ++i, day += std::chrono::days{1}) {
    if (i > 0) out += ',';
    if (with_dates) out += "{\"date\":\"" + FormatIsoDate(day) + "\",\"kind\":";
    AppendJsonString(out, calendar::DayKindName(kinds[i]));
    if (with_dates) out += '}';
  }
  out += ']';
}

}  // namespace

std::string T13JsonText(const T13Document& document) {
  std::string out;
  out.reserve(4096 + document.rows.size() * 3072);
  out += '{';
  AppendKey(out, "organization");
  AppendJsonString(out, document.organization);
  out += ",\"department\":{\"id\":" + std::to_string(document.department_id) + ',';
  AppendKey(out, "code");
  AppendJsonString(out, document.department_code);
  out += ',';
  AppendKey(out, "name");
  AppendJsonString(out, document.department_name);
  out += '}';
  out += document.subtree ? ",\"subtree\":true" : ",\"subtree\":false";
  out += ",\"month\":\"" + FormatMonth(document.month) + '"';
  out += document.closed ? ",\"closed\":true" : ",\"closed\":false";
  out += ",\"generated_at\":\"" + db::FormatTimestamp(document.generated_at) + '"';
  out += ",\"days\":";
  AppendKinds(out, document.kinds, document.month, /*with_dates=*/true);
  out += ",\"items\":[";
  for (size_t i = 0; i < document.rows.size(); ++i) {
    if (i > 0) out += ',';
    out += '{';
    AppendRowMembers(out, document.rows[i]);
    out += '}';
  }
  out += "]}";
  return out;
}

std::string PersonMonthJsonText(const PersonMonth& month) {
  std::string out = "{";
  AppendRowMembers(out, month.row);
  out += ",\"month\":\"" + FormatMonth(month.month) + "\",\"kinds\":";
  AppendKinds(out, month.kinds, month.month, /*with_dates=*/false);
  out += ",\"corrections\":[";
  for (size_t i = 0; i < month.corrections.size(); ++i) {
    if (i > 0) out += ',';
    out += CorrectionJson(month.corrections[i]).dump();
  }
  out += "]}";
  return out;
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

nlohmann::json ReportJobJson(const ReportJob& job) {
  const auto time = [](const std::optional<std::chrono::system_clock::time_point>& at) -> nlohmann::json {
    if (!at) return nullptr;
    return db::FormatTimestamp(*at);
  };
  return {{"id", job.id},
          {"kind", KindName(job.spec.kind)},
          {"format", FormatName(job.format)},
          {"department_id", job.spec.department_id},
          {"subtree", job.spec.subtree},
          {"from", FormatMonth(job.spec.from)},
          {"to", FormatMonth(job.spec.to)},
          {"status", StatusName(job.status)},
          {"progress", job.progress},
          {"error", job.error},
          {"file_name", job.file_name},
          {"size_bytes", job.size_bytes},
          {"created_at", db::FormatTimestamp(job.created_at)},
          {"started_at", time(job.started_at)},
          {"finished_at", time(job.finished_at)},
          {"expires_at", db::FormatTimestamp(job.expires_at)},
          {"download_url", job.status == JobStatus::kDone
                               ? nlohmann::json("/api/v1/report-jobs/" + job.id + "/file")
                               : nlohmann::json()}};
}

}  // namespace tabel::analytics
