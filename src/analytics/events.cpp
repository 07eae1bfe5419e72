#include "analytics/events.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace tabel::analytics {
namespace {

// "утверждена", "отменена", "закрыта": what happened to the request.
std::string_view ActionText(const std::string& action) {
  if (action == "approved") return "утверждена";
  if (action == "cancelled") return "отменена";
  if (action == "closed") return "закрыта";
  return "изменена";
}

Date DateOf(const nlohmann::json& value) {
  const std::optional<Date> date = value.is_string() ? ParseIsoDate(value.get<std::string>()) : std::nullopt;
  if (!date) throw Error::Internal("A request event has a malformed date: " + value.dump());
  return *date;
}

}  // namespace

void OnRequestEvent(TimesheetService& service, const bus::Delivery& delivery) {
  const nlohmann::json event = nlohmann::json::parse(delivery.payload, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object() || !event.contains("employee_id") || !event["employee_id"].is_number_integer() ||
      !event.contains("start_date")) {
    throw Error::Internal("A request event is malformed: " + delivery.payload.substr(0, 200));
  }
  const Date first = DateOf(event["start_date"]);
  std::optional<Date> last;
  if (event.contains("end_date") && !event["end_date"].is_null()) last = DateOf(event["end_date"]);
  // The consumer acts for whoever changed the request.
  Actor actor;
  actor.identity.account_id = event.value("actor_account_id", int64_t{0});
  actor.client_address = "queue";
  actor.request_id = delivery.message_id;
  const std::string reason = "Заявка №" + std::to_string(event.value("request_id", int64_t{0})) + " " +
                             std::string(ActionText(event.value("action", std::string()))) +
                             " после закрытия месяца";
  service.CarryRequest(actor, event["employee_id"].get<int64_t>(), first, last, reason);
}

void OnReportRequested(ReportService& service, const bus::Delivery& delivery) {
  const nlohmann::json message = nlohmann::json::parse(delivery.payload, nullptr, /*allow_exceptions=*/false);
  if (!message.is_object() || !message.contains("job_id") || !message["job_id"].is_string()) {
    throw bus::PermanentFailure("A report.requested message is malformed: " +
                                delivery.payload.substr(0, 200));
  }
  service.Run(message["job_id"].get<std::string>(), delivery.attempt >= kReportAttempts);
}

}  // namespace tabel::analytics
