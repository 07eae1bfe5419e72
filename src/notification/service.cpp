#include "notification/service.hpp"

#include <algorithm>
#include <ctime>
#include <utility>

#include <nlohmann/json.hpp>

#include "auth/crypto.hpp"
#include "auth/permissions.hpp"
#include "common/error.hpp"

namespace tabel::notification {
namespace {

using nlohmann::json;

constexpr const char* kDelegationCreated = "delegation.created";
constexpr const char* kLetterNeedsCorrections = "resignation_letter.needs_corrections";
constexpr const char* kPendingTooLong = "request.pending_too_long";
constexpr const char* kAbsenceStartsSoon = "vacation.starts_soon";
constexpr const char* kMonthClosingSoon = "month.closing_soon";

constexpr std::array kMonthNames = {"январь", "февраль", "март",     "апрель",  "май",    "июнь",
                                    "июль",   "август",  "сентябрь", "октябрь", "ноябрь", "декабрь"};

// "16.12.2026"
std::string RussianDate(Date date) {
  const std::chrono::year_month_day ymd(date);
  char text[16];
  std::snprintf(text, sizeof text, "%02u.%02u.%04d", static_cast<unsigned>(ymd.day()),
                static_cast<unsigned>(ymd.month()), static_cast<int>(ymd.year()));
  return text;
}

// "с 01.12.2026 по 14.12.2026 (14 дн.)", "01.12.2026", "с 01.12.2026".
std::string Period(Date start, std::optional<Date> end) {
  if (!end) return "с " + RussianDate(start);
  if (*end == start) return RussianDate(start);
  const auto days = (*end - start).count() + 1;
  return "с " + RussianDate(start) + " по " + RussianDate(*end) + " (" + std::to_string(days) + " дн.)";
}

json ValuesJson(const TemplateValues& values) {
  json out = json::object();
  for (const auto& [key, value] : values.text) out[key] = value;
  for (const auto& [key, items] : values.lists) out[key] = items;
  return out;
}

TemplateValues ValuesFrom(const std::string& text) {
  TemplateValues values;
  const json parsed = json::parse(text);
  for (const auto& [key, value] : parsed.items()) {
    if (value.is_string()) values.text[key] = value.get<std::string>();
    if (value.is_array()) values.lists[key] = value.get<std::vector<std::string>>();
  }
  return values;
}

int64_t IdField(const json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end() || !it->is_number_integer()) {
    throw bus::PermanentFailure(std::string("the event has no integer ") + name);
  }
  return it->get<int64_t>();
}

std::optional<int64_t> OptionalId(const json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end() || it->is_null()) return std::nullopt;
  return IdField(payload, name);
}

Date DateField(const json& payload, const char* name) {
  const auto it = payload.find(name);
  const auto date =
      it != payload.end() && it->is_string() ? ParseIsoDate(it->get<std::string>()) : std::nullopt;
  if (!date) throw bus::PermanentFailure(std::string("the event has no ISO date ") + name);
  return *date;
}

std::string DomainOf(const std::string& email) {
  const size_t at = email.rfind('@');
  return at == std::string::npos ? "localhost" : email.substr(at + 1);
}

}  // namespace

// Who one event is for, by the kinds of recipient the rules name, and what
// it says.
struct NotificationService::Told {
  std::optional<int64_t> employee;
  bool step_due = false;                 // a step of the request awaits a decision
  std::optional<int64_t> step_approver;  // its manager; none: an hr step
  std::optional<int64_t> deputy;
  std::optional<int64_t> author;
  TemplateValues values;
  std::optional<std::string> link;  // API path
};

NotificationService::NotificationService(NotificationRepository& repository, const Templates& templates,
                                         const calendar::ProductionCalendar& calendar, Mailer& mailer,
                                         cache::Cache& cache, Clock clock, metrics::Registry& registry,
                                         NotificationOptions options)
    : repository_(repository),
      templates_(templates),
      calendar_(calendar),
      mailer_(mailer),
      cache_(cache),
      clock_(std::move(clock)),
      options_(std::move(options)),
      mails_total_(registry.AddCounter(
          "tabel_emails_total", "Notification mails by outcome: sent, failed (refused for good), retried.",
          {"outcome"})) {
  while (!options_.public_url.empty() && options_.public_url.back() == '/') options_.public_url.pop_back();
}

std::vector<std::string> NotificationService::EventTopics() {
  return {"request.submitted", "request.step_approved", "request.approved",     "request.rejected",
          "request.cancelled", kDelegationCreated,      kLetterNeedsCorrections};
}

std::vector<int64_t> NotificationService::OnEvent(const bus::Delivery& delivery) {
  json payload;
  try {
    payload = json::parse(delivery.payload);
  } catch (const json::exception&) {
    throw bus::PermanentFailure("the event is not JSON");
  }
  if (!payload.is_object()) throw bus::PermanentFailure("the event is not a JSON object");
  try {
    if (delivery.topic.starts_with("request.")) return OnRequestEvent(delivery, payload);
    if (delivery.topic == kDailyTopic) return Daily(DateField(payload, "date"));
    Told told;
    if (delivery.topic == kDelegationCreated) {
      told.deputy = IdField(payload, "deputy_employee_id");
      const auto manager = repository_.People({IdField(payload, "manager_employee_id")});
      told.values.text = {{"manager_name", manager.empty() ? "Руководитель" : manager.front().full_name},
                          {"starts_on", RussianDate(DateField(payload, "starts_on"))},
                          {"ends_on", RussianDate(DateField(payload, "ends_on"))}};
      return Notify(delivery.message_id, delivery.topic, std::nullopt, told);
    }
    if (delivery.topic == kLetterNeedsCorrections) {
      told.author = IdField(payload, "author_employee_id");
      told.values.text = {{"received_on", RussianDate(DateField(payload, "received_on"))}};
      told.values.lists["problems"] = payload.at("problems").get<std::vector<std::string>>();
      told.link = "/api/v1/resignation-letters/" + std::to_string(IdField(payload, "letter_id"));
      return Notify(delivery.message_id, delivery.topic, std::nullopt, told);
    }
  } catch (const json::exception& error) {
    throw bus::PermanentFailure(std::string("malformed event: ") + error.what());
  }
  return {};
}

std::vector<int64_t> NotificationService::OnRequestEvent(const bus::Delivery& delivery, const json& payload) {
  const int64_t request_id = IdField(payload, "request_id");
  const auto facts = repository_.Facts(request_id);
  if (!facts) throw bus::PermanentFailure("no request " + std::to_string(request_id));
  Told told;
  told.employee = facts->employee_id;
  // The step as the event left it, not as it is by now.
  told.step_due = payload.value("status", "") == "pending" && payload.contains("step_role") &&
                  payload.at("step_role").is_string();
  told.step_approver = OptionalId(payload, "approver_employee_id");
  told.values.text = {{"employee_name", facts->employee_name},
                      {"type_name", facts->type_name},
                      {"period", Period(facts->start_date, facts->end_date)},
                      {"start_date", RussianDate(facts->start_date)}};
  if (payload.contains("comment") && payload.at("comment").is_string()) {
    told.values.text["comment"] = payload.at("comment").get<std::string>();
  }
  told.link = "/api/v1/requests/" + std::to_string(request_id);
  return Notify(delivery.message_id, delivery.topic, request_id, told);
}

std::vector<int64_t> NotificationService::Notify(const std::string& event_id, const std::string& event,
                                                 std::optional<int64_t> request_id, const Told& told) {
  const auto now = clock_();
  const Date today = LocalDate(now);
  TemplateValues values = told.values;
  if (told.link) values.text["link"] = options_.public_url + *told.link;
  const std::string stored_values = ValuesJson(values).dump();
  std::vector<int64_t> everyone;
  std::vector<NewNotification> notifications;
  for (const Rule& rule : RulesOf(event)) {
    std::vector<int64_t> ids;
    if (rule.recipient == "employee" && told.employee) ids = {*told.employee};
    if (rule.recipient == "deputy" && told.deputy) ids = {*told.deputy};
    if (rule.recipient == "author" && told.author) ids = {*told.author};
    if (rule.recipient == "approver" && told.step_due) {
      ids = repository_.Approvers(told.step_approver, told.employee.value_or(0), today);
    }
    if (rule.recipient == "managers") ids = repository_.DepartmentHeads(today);
    if (ids.empty()) continue;
    if (!templates_.Has(rule.template_name)) {
      throw Error::Internal("notification rule " + event + ": no template " + rule.template_name);
    }
    const Rendered rendered = templates_.Render(rule.template_name, values);
    for (const int64_t id : ids) {
      notifications.push_back({.recipient = id,
                               .template_name = rule.template_name,
                               .title = rendered.subject,
                               .body = rendered.content,
                               .link = told.link,
                               .template_values = stored_values,
                               .mail = rule.mail == "always" || rule.mail == "optional",
                               .mail_optional = rule.mail == "optional"});
      everyone.push_back(id);
    }
  }
  if (notifications.empty()) return {};
  const auto mails = static_cast<size_t>(std::count_if(notifications.begin(), notifications.end(),
                                                       [](const NewNotification& n) { return n.mail; }));
  const bool at_once = mails > 0 && mails <= options_.mails_at_once && !MailsAtOncePaused();
  // The grace (of the mail messages) and the window (of the sends) both
  // count from before the insert.
  const auto inserting = std::chrono::steady_clock::now();
  const std::vector<int64_t> pending =
      repository_.Insert(event_id, event, request_id, notifications, at_once ? now + kMailAtOnceGrace : now);
  std::sort(everyone.begin(), everyone.end());
  everyone.erase(std::unique(everyone.begin(), everyone.end()), everyone.end());
  ForgetUnread(everyone);
  if (at_once) {
    for (const int64_t id : pending) SendMailAtOnce(id, inserting + kMailAtOnceWindow);
  }
  return everyone;
}

std::vector<Rule> NotificationService::RulesOf(const std::string& event) {
  const auto now = std::chrono::steady_clock::now();
  const std::lock_guard lock(rules_mutex_);
  if (rules_read_ == std::chrono::steady_clock::time_point{} || now - rules_read_ >= kRulesRefresh) {
    rules_ = repository_.AllRules();
    rules_read_ = now;
  }
  const auto found = rules_.find(event);
  return found == rules_.end() ? std::vector<Rule>{} : found->second;
}

std::vector<int64_t> NotificationService::Daily(Date date) {
  const auto now = clock_();
  const std::string day = FormatIsoDate(date);
  std::vector<int64_t> everyone;
  const auto add = [&](const std::vector<int64_t>& ids) {
    everyone.insert(everyone.end(), ids.begin(), ids.end());
  };

  // Requests waiting too long for a decision: their approvers, every day.
  for (const int64_t id : repository_.PendingSince(now - std::chrono::days{options_.pending_reminder_days})) {
    const auto facts = repository_.Facts(id);
    if (!facts || facts->status != "pending" || !facts->step_role) continue;
    Told told;
    told.employee = facts->employee_id;
    told.step_due = true;
    told.step_approver = facts->approver_employee_id;
    const auto waiting = std::chrono::floor<std::chrono::days>(now - facts->updated_at).count();
    told.values.text = {{"employee_name", facts->employee_name},
                        {"type_name", facts->type_name},
                        {"period", Period(facts->start_date, facts->end_date)},
                        {"pending_since", RussianDate(LocalDate(facts->updated_at))},
                        {"pending_days", std::to_string(waiting)}};
    told.link = "/api/v1/requests/" + std::to_string(id);
    add(Notify(std::string(kPendingTooLong) + ":" + std::to_string(id) + ":" + day, kPendingTooLong, id,
               told));
  }

  // Approved absences starting soon: their employees, once per start date.
  const Date soon = date + std::chrono::days{kAbsenceNoticeDays};
  for (const int64_t id : repository_.AbsencesStartingOn(soon)) {
    const auto facts = repository_.Facts(id);
    if (!facts) continue;
    Told told;
    told.employee = facts->employee_id;
    told.values.text = {{"type_name", facts->type_name},
                        {"period", Period(facts->start_date, facts->end_date)},
                        {"start_date", RussianDate(facts->start_date)}};
    told.link = "/api/v1/requests/" + std::to_string(id);
    add(Notify(std::string(kAbsenceStartsSoon) + ":" + std::to_string(id) + ":" + FormatIsoDate(soon),
               kAbsenceStartsSoon, id, told));
  }

  // The month's closing: every head of a department, once a month, on the
  // first of its last working days.
  const std::chrono::year_month_day ymd(date);
  const Date last = std::chrono::sys_days(ymd.year() / ymd.month() / std::chrono::last);
  if (calendar_.Find(static_cast<int>(ymd.year())) != nullptr) {
    const auto working = [&](Date d) {
      const calendar::DayKind kind = calendar_.KindOf(d, std::nullopt);
      return kind == calendar::DayKind::kWorking || kind == calendar::DayKind::kPreholiday;
    };
    Date closes_on = last;
    while (closes_on > date && !working(closes_on)) closes_on -= std::chrono::days{1};
    int working_days_left = 0;  // after today, up to the closing
    for (Date d = date + std::chrono::days{1}; d <= closes_on; d += std::chrono::days{1}) {
      if (working(d)) ++working_days_left;
    }
    if (working(closes_on) && working_days_left <= kMonthClosingWorkingDays) {
      Told told;
      told.values.text = {{"month_name", std::string(kMonthNames.at(static_cast<unsigned>(ymd.month()) - 1)) +
                                             " " + std::to_string(static_cast<int>(ymd.year()))},
                          {"closes_on", RussianDate(closes_on)}};
      const std::string month = day.substr(0, 7);
      add(Notify(std::string(kMonthClosingSoon) + ":" + month, kMonthClosingSoon, std::nullopt, told));
    }
  }

  // Tomorrow's run.
  const Date next = date + std::chrono::days{1};
  repository_.AddOnce({.topic = kDailyTopic,
                       .payload = json{{"date", FormatIsoDate(next)}}.dump(),
                       .available_at = DailyAt(next),
                       .id = std::string(kDailyTopic) + ":" + FormatIsoDate(next)});
  std::sort(everyone.begin(), everyone.end());
  everyone.erase(std::unique(everyone.begin(), everyone.end()), everyone.end());
  return everyone;
}

std::chrono::system_clock::time_point NotificationService::DailyAt(Date date) const {
  const std::chrono::year_month_day ymd(date);
  std::tm local{};
  local.tm_year = static_cast<int>(ymd.year()) - 1900;
  local.tm_mon = static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
  local.tm_mday = static_cast<int>(static_cast<unsigned>(ymd.day()));
  local.tm_hour = options_.reminder_hour;
  local.tm_isdst = -1;
  return std::chrono::system_clock::from_time_t(std::mktime(&local));
}

void NotificationService::ScheduleDaily() {
  const Date today = LocalDate(clock_());
  repository_.AddOnce({.topic = kDailyTopic,
                       .payload = json{{"date", FormatIsoDate(today)}}.dump(),
                       .available_at = DailyAt(today),
                       .id = std::string(kDailyTopic) + ":" + FormatIsoDate(today)});
}

void NotificationService::OnMail(const bus::Delivery& delivery) {
  int64_t id = 0;
  try {
    id = IdField(json::parse(delivery.payload), "notification_id");
  } catch (const json::exception&) {
    throw bus::PermanentFailure("the mail message is not JSON");
  }
  SendMail(id);
}

bool NotificationService::MailsAtOncePaused() const {
  return std::chrono::steady_clock::now().time_since_epoch().count() < mails_at_once_paused_until_;
}

void NotificationService::SendMailAtOnce(int64_t id, std::chrono::steady_clock::time_point start_before) {
  bool sent = false;
  if (std::chrono::steady_clock::now() < start_before && !MailsAtOncePaused()) {
    try {
      SendMail(id);
      sent = true;
    } catch (const std::exception&) {
      // The mail queue retries it from now on (a mail server's failure is
      // counted as retried by SendMail).
      mails_at_once_paused_until_ =
          (std::chrono::steady_clock::now() + kMailAtOncePause).time_since_epoch().count();
    }
  }
  try {
    if (sent) {
      repository_.WithdrawMailMessage(id);
    } else {
      repository_.MakeMailMessageDue(id);
    }
  } catch (const std::exception&) {
    // Left as it is, the message is due after kMailAtOnceGrace, and the
    // mail consumer skips a mail recorded as sent.
  }
}

void NotificationService::SendMail(int64_t id) {
  const auto job = repository_.FindMail(id);
  if (!job || job->mail_status != "pending") return;  // sent (or refused) before
  if (job->recipient.email.empty()) {
    repository_.MarkMailFailed(id, "the recipient has no email address");
    mails_total_.WithLabels({"failed"}).Inc();
    return;
  }
  TemplateValues values = ValuesFrom(job->template_values);
  values.text["recipient_greeting"] = "Здравствуйте, " + job->recipient.greeting + "!";
  values.text["organization"] = options_.organization;
  MailMessage message;
  if (job->optional) {
    message.unsubscribe_url = UnsubscribeUrl(job->recipient.id, job->event);
    values.text["unsubscribe_url"] = *message.unsubscribe_url;
  }
  const Rendered rendered = templates_.Render(job->template_name, values);
  message.message_id = MessageIdOf(std::to_string(id), DomainOf(options_.from.email));
  message.from = options_.from;
  message.to = {.email = job->recipient.email, .name = job->recipient.full_name};
  message.subject = rendered.subject;
  message.text = rendered.text;
  message.html = rendered.html;
  try {
    mailer_.Send(message);
  } catch (const MailRejected& rejected) {
    repository_.MarkMailFailed(id, rejected.what());
    mails_total_.WithLabels({"failed"}).Inc();
    return;
  } catch (...) {
    mails_total_.WithLabels({"retried"}).Inc();
    throw;
  }
  // Recorded before the queue's ack: a redelivery finds it sent.
  repository_.MarkMailSent(id);
  mails_total_.WithLabels({"sent"}).Inc();
}

// ---- the feed ----

int64_t NotificationService::EmployeeOf(const Actor& actor) const {
  if (!actor.identity.ScopeOf(auth::kNotificationsRead)) throw Error::Forbidden();
  return actor.identity.employee_id.value_or(0);
}

NotificationService::Feed NotificationService::FeedOf(const Actor& actor, const http::PageRequest& page,
                                                      bool unread_only) {
  const int64_t employee = EmployeeOf(actor);
  if (employee == 0) return {};
  Feed feed;
  feed.page = http::PageOf(repository_.Feed(employee, page.after, page.limit + 1, unread_only), page.limit);
  feed.unread = Unread(employee);
  return feed;
}

int64_t NotificationService::UnreadOf(const Actor& actor) {
  const int64_t employee = EmployeeOf(actor);
  return employee == 0 ? 0 : Unread(employee);
}

namespace {

std::string GenerationKey(int64_t employee) {
  return "tabel:notifications:generation:" + std::to_string(employee);
}

}  // namespace

int64_t NotificationService::Unread(int64_t employee) {
  // The generation first: a count read from the database before a change
  // that bumps it is stored under the old generation, never read again.
  const std::string key = "tabel:notifications:unread:" + std::to_string(employee) + ":" +
                          std::to_string(cache_.Counter(GenerationKey(employee)));
  if (const std::optional<std::string> cached = cache_.Get(key)) {
    try {
      return std::stoll(*cached);
    } catch (const std::exception&) {  // not ours: count again
    }
  }
  const int64_t count = repository_.UnreadCount(employee);
  cache_.Set(key, std::to_string(count), kUnreadTtl);
  return count;
}

void NotificationService::ForgetUnread(const std::vector<int64_t>& employees) {
  for (const int64_t employee : employees) cache_.Bump(GenerationKey(employee));
}

void NotificationService::MarkRead(const Actor& actor, int64_t id) {
  const int64_t employee = EmployeeOf(actor);
  if (employee == 0 || !repository_.MarkRead(employee, id)) throw Error::NotFound("No such notification.");
  ForgetUnread({employee});
}

int64_t NotificationService::MarkAllRead(const Actor& actor) {
  const int64_t employee = EmployeeOf(actor);
  if (employee == 0) return 0;
  const int64_t marked = repository_.MarkAllRead(employee);
  ForgetUnread({employee});
  return marked;
}

std::vector<Preference> NotificationService::Preferences(const Actor& actor) {
  const int64_t employee = EmployeeOf(actor);
  if (employee == 0) throw Error::NotFound("The account has no employee to notify.");
  return repository_.Preferences(employee);
}

std::vector<Preference> NotificationService::SetPreferences(const Actor& actor,
                                                            const std::vector<Preference>& changes) {
  const int64_t employee = EmployeeOf(actor);
  if (employee == 0) throw Error::NotFound("The account has no employee to notify.");
  const std::vector<std::string> optional = repository_.OptionalEvents();
  std::vector<FieldError> errors;
  for (size_t i = 0; i < changes.size(); ++i) {
    if (!std::binary_search(optional.begin(), optional.end(), changes[i].event)) {
      errors.push_back({changes[i].event, "not an event whose mail can be turned off"});
    }
  }
  if (!errors.empty()) throw Error::Validation(std::move(errors));
  for (const Preference& change : changes) repository_.SetPreference(employee, change.event, change.mail);
  return repository_.Preferences(employee);
}

std::string NotificationService::UnsubscribeUrl(int64_t employee, const std::string& event) const {
  const std::string subject = std::to_string(employee) + ":" + event;
  const std::string token = auth::Base64UrlEncode(subject) + "." +
                            auth::Base64UrlEncode(auth::HmacSha256(options_.link_secret, subject));
  return options_.public_url + "/api/v1/notifications/unsubscribe?token=" + token;
}

std::string NotificationService::Unsubscribe(const std::string& token) {
  const auto invalid = [] {
    return Error::Validation({{"token", "not an unsubscribe link of this server"}});
  };
  const size_t dot = token.find('.');
  if (dot == std::string::npos) throw invalid();
  const auto subject = auth::Base64UrlDecode(std::string_view(token).substr(0, dot));
  const auto mac = auth::Base64UrlDecode(std::string_view(token).substr(dot + 1));
  if (!subject || !mac || !auth::ConstantTimeEquals(*mac, auth::HmacSha256(options_.link_secret, *subject))) {
    throw invalid();
  }
  const size_t colon = subject->find(':');
  if (colon == std::string::npos) throw invalid();
  const int64_t employee = std::stoll(subject->substr(0, colon));
  std::string event = subject->substr(colon + 1);
  repository_.SetPreference(employee, event, false);
  return event;
}

}  // namespace tabel::notification
