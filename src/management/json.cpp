#include "management/json.hpp"

#include <algorithm>
#include <cmath>

#include "common/json_optional.hpp"
#include "common/json_text.hpp"
#include "http/json_body.hpp"
#include "http/query_fields.hpp"
#include "infra/db/timestamp.hpp"

namespace tabel::management {
namespace {

constexpr size_t kMaxComment = 1000;
constexpr size_t kMaxText = 200;
constexpr int64_t kMaxId = int64_t{1} << 53;
constexpr int kMaxDays = 3650;

template <class T>
std::optional<std::optional<int>> Narrow(const std::optional<std::optional<T>>& value) {
  if (!value) return std::nullopt;
  if (!*value) return std::optional<int>();
  return std::optional<int>(static_cast<int>(**value));
}

bool IsCode(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

double DaysOf(int64_t centidays) { return static_cast<double>(centidays) / 100.0; }

}  // namespace

RequestFields ParseRequestFields(const nlohmann::json& body, bool creating) {
  http::JsonFields fields(body);
  RequestFields f;
  if (creating) {
    f.type = fields.Text("type", true, 64);
    f.employee_id = fields.Int("employee_id", false, 1, kMaxId);
    f.submit = fields.Bool("submit", false).value_or(true);
    f.start_date = fields.IsoDate("start_date", true);
  } else {
    if (fields.Contains("start_date") && fields.IsNull("start_date"))
      fields.Add("start_date", "must not be null");
    f.start_date = fields.IsoDate("start_date", false);
  }
  f.end_date = fields.NullableIsoDate("end_date");
  f.comment = fields.NullableText("comment", kMaxComment);
  f.destination = fields.NullableText("destination", kMaxText);
  f.purpose = fields.NullableText("purpose", kMaxComment);
  f.certificate_number = fields.NullableText("certificate_number", 12);
  f.travel_days = Narrow(fields.NullableInt("travel_days", 0, kMaxDays));
  f.hours = Narrow(fields.NullableInt("hours", 1, 4));
  fields.Finish();
  return f;
}

RequestTypeChanges ParseRequestTypeChanges(const nlohmann::json& body, bool creating) {
  http::JsonFields fields(body);
  RequestTypeChanges c;
  const bool required = creating;
  if (creating) {
    c.code = fields.String("code", true, 64);
    if (c.code && !IsCode(*c.code)) fields.Add("code", "must be lower-case latin letters, digits and _");
  }
  c.name = fields.Text("name", required, kMaxText);
  c.kind = fields.String("kind", required, 32);
  if (c.kind && !IsTypeKind(*c.kind)) {
    fields.Add("kind", "must be one of absence, business_trip, sick_leave, work, overtime, dismissal");
  }
  c.on_behalf = fields.String("on_behalf", false, 16);
  if (c.on_behalf && *c.on_behalf != kOnBehalfNone && *c.on_behalf != kOnBehalfManager &&
      *c.on_behalf != kOnBehalfHr) {
    fields.Add("on_behalf", "must be none, manager or hr");
  }
  c.t13_code = fields.NullableText("t13_code", 4);
  c.t13_number = fields.NullableText("t13_number", 2);
  c.balance_kind = fields.NullableText("balance_kind", 16);
  if (c.balance_kind && *c.balance_kind && **c.balance_kind != kAnnual && **c.balance_kind != kAdditional) {
    fields.Add("balance_kind", "must be annual, additional or null");
  }
  c.steps = fields.TextArray("steps", required, 5, 16);
  if (c.steps) {
    if (c.steps->empty()) fields.Add("steps", "must name at least one step");
    for (const std::string& step : *c.steps) {
      if (step != kStepManager && step != kStepHr) {
        fields.Add("steps", "each step must be manager or hr");
        break;
      }
    }
  }
  if (auto v = fields.Int("notice_days", false, 0, 365)) c.notice_days = static_cast<int>(*v);
  if (auto v = fields.Int("min_days", false, 1, kMaxDays)) c.min_days = static_cast<int>(*v);
  c.max_days = Narrow(fields.NullableInt("max_days", 1, kMaxDays));
  c.allow_past = fields.Bool("allow_past", false);
  c.exclusive = fields.Bool("exclusive", false);
  c.confidential = fields.Bool("confidential", false);
  fields.Finish();
  return c;
}

Adjustment ParseAdjustment(const nlohmann::json& body) {
  http::JsonFields fields(body);
  Adjustment a;
  auto kind = fields.String("kind", true, 16);
  if (kind && *kind != kAnnual && *kind != kAdditional) fields.Add("kind", "must be annual or additional");
  auto comment = fields.Text("comment", true, kMaxComment);
  // days: a number of days with at most two decimals, not zero.
  const auto days = body.find("days");
  fields.IsNull("days");  // marks it read
  if (days == body.end()) {
    fields.Add("days", "is required");
  } else if (!days->is_number()) {
    fields.Add("days", "must be a number of days, e.g. 3 or -1.5");
  } else {
    const double value = days->get<double>();
    const double hundredths = std::round(value * 100.0);
    if (!std::isfinite(value) || std::fabs(value) > kMaxDays || hundredths == 0.0 ||
        std::fabs(value * 100.0 - hundredths) > 1e-6) {
      fields.Add("days", "must be a non-zero number of days within ±3650 with at most two decimals");
    } else {
      a.centidays = static_cast<int64_t>(hundredths);
    }
  }
  fields.Finish();
  a.kind = *kind;
  a.comment = *comment;
  return a;
}

namespace {

// Days with at most two decimals, as a JSON number (14.0, 1.5, 0.25).
void AppendDays(std::string& out, int64_t centidays) {
  if (centidays < 0) {
    out.push_back('-');
    centidays = -centidays;
  }
  AppendJsonInt(out, centidays / 100);
  const int64_t part = centidays % 100;
  out.push_back('.');
  out.push_back(static_cast<char>('0' + part / 10));
  if (part % 10 != 0) out.push_back(static_cast<char>('0' + part % 10));
}

}  // namespace

void AppendRequestJson(std::string& out, const Request& r) {
  // The keys in sorted order, as every other object of the API.
  out.push_back('{');
  AppendJsonKey(out, "approver_employee_id", /*first=*/true);
  AppendJsonOptional(out, r.approver_employee_id);
  AppendJsonKey(out, "balance_kind");
  AppendJsonOptional(out, r.balance_kind);
  AppendJsonKey(out, "certificate_number");
  AppendJsonOptional(out, r.certificate_number);
  AppendJsonKey(out, "charged_days");
  AppendDays(out, r.charged_centidays);
  AppendJsonKey(out, "comment");
  AppendJsonOptional(out, r.comment);
  AppendJsonKey(out, "created_at");
  AppendJsonString(out, db::FormatTimestamp(r.created_at));
  AppendJsonKey(out, "created_by");
  AppendJsonInt(out, r.created_by);
  AppendJsonKey(out, "destination");
  AppendJsonOptional(out, r.destination);
  AppendJsonKey(out, "employee_id");
  AppendJsonInt(out, r.employee_id);
  AppendJsonKey(out, "end_date");
  AppendJsonDate(out, r.end_date);
  AppendJsonKey(out, "hours");
  AppendJsonOptional(out, r.hours);
  AppendJsonKey(out, "id");
  AppendJsonInt(out, r.id);
  AppendJsonKey(out, "purpose");
  AppendJsonOptional(out, r.purpose);
  AppendJsonKey(out, "start_date");
  AppendJsonDate(out, r.start_date);
  AppendJsonKey(out, "status");
  AppendJsonString(out, r.status);
  AppendJsonKey(out, "step");
  AppendJsonInt(out, r.step);
  AppendJsonKey(out, "step_role");
  AppendJsonOptional(out, r.step_role);
  AppendJsonKey(out, "steps");
  out.push_back('[');
  for (size_t i = 0; i < r.steps.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(out, r.steps[i]);
  }
  out.push_back(']');
  AppendJsonKey(out, "travel_days");
  AppendJsonOptional(out, r.travel_days);
  AppendJsonKey(out, "type");
  AppendJsonString(out, r.type);
  AppendJsonKey(out, "updated_at");
  AppendJsonString(out, db::FormatTimestamp(r.updated_at));
  AppendJsonKey(out, "version");
  AppendJsonInt(out, r.version);
  AppendJsonKey(out, "warnings");
  out.push_back('[');
  for (size_t i = 0; i < r.warnings.size(); ++i) {
    const Warning& w = r.warnings[i];
    out += i > 0 ? ",{" : "{";
    AppendJsonKey(out, "code", /*first=*/true);
    AppendJsonString(out, w.code);
    AppendJsonKey(out, "field");
    AppendJsonString(out, w.field);
    AppendJsonKey(out, "message");
    AppendJsonString(out, w.message);
    out.push_back('}');
  }
  out += "]}";
}

std::string RequestJsonText(const Request& request) {
  std::string out;
  AppendRequestJson(out, request);
  return out;
}

std::string RequestPageJsonText(const std::vector<Request>& items, std::optional<int64_t> next_after) {
  return http::PageJsonText(items, next_after, AppendRequestJson, 640);
}

nlohmann::json RequestTypeJson(const RequestType& t) {
  return {{"code", t.code},
          {"name", t.name},
          {"kind", t.kind},
          {"t13_code", t.t13_code},
          {"t13_number", t.t13_number},
          {"steps", t.steps},
          {"notice_days", t.notice_days},
          {"min_days", t.min_days},
          {"max_days", t.max_days},
          {"balance_kind", t.balance_kind},
          {"allow_past", t.allow_past},
          {"exclusive", t.exclusive},
          {"confidential", t.confidential},
          {"on_behalf", t.on_behalf},
          {"builtin", t.builtin},
          {"version", t.version}};
}

nlohmann::json HistoryJson(const HistoryEntry& e) {
  return {{"id", e.id},
          {"at", db::FormatTimestamp(e.at)},
          {"account_id", e.account_id},
          {"actor_employee_id", e.actor_employee_id},
          {"action", e.action},
          {"from_status", e.from_status},
          {"to_status", e.to_status},
          {"step", e.step},
          {"comment", e.comment}};
}

nlohmann::json LedgerEntryJson(const LedgerEntry& e) {
  return {{"id", e.id},
          {"kind", e.kind},
          {"entry", e.entry},
          {"days", DaysOf(e.centidays)},
          {"effective_on", FormatIsoDate(e.effective_on)},
          {"request_id", e.request_id},
          {"account_id", e.account_id},
          {"comment", e.comment}};
}

nlohmann::json BalanceJson(const Balance& b) {
  nlohmann::json body = {{"kind", b.kind},
                         {"as_of", FormatIsoDate(b.as_of)},
                         {"balance_days", DaysOf(b.balance)},
                         {"accrued_days", DaysOf(b.accrued)},
                         {"used_days", DaysOf(b.used)},
                         {"adjusted_days", DaysOf(b.adjusted)},
                         {"expired_days", DaysOf(b.expired)},
                         {"pending_days", DaysOf(b.pending)}};
  if (const auto& year = b.working_year) {
    body["working_year"] = {{"start", FormatIsoDate(year->start)},
                            {"end", FormatIsoDate(year->end)},
                            {"carried_over_days", DaysOf(year->carried_over)}};
    body["next_lapse"] = year->next_lapse_on ? nlohmann::json{{"date", FormatIsoDate(*year->next_lapse_on)},
                                                              {"days", DaysOf(year->next_lapse)}}
                                             : nlohmann::json(nullptr);
  }
  return body;
}

}  // namespace tabel::management
