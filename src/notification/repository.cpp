#include "notification/repository.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "infra/db/errors.hpp"
#include "infra/db/query.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::notification {
namespace {

constexpr const char* kSelectRules =
    "SELECT event, recipient, template, mail FROM notification_rules ORDER BY event, recipient";
constexpr const char* kSelectOptionalEvents =
    "SELECT DISTINCT event FROM notification_rules WHERE mail = 'optional' ORDER BY event";
constexpr const char* kSelectFacts =
    "SELECT r.employee_id, e.last_name || ' ' || e.first_name || COALESCE(' ' || e.middle_name, ''), t.name, "
    "t.kind, r.status, r.start_date, r.end_date, r.approver_employee_id, r.step_role, r.updated_at "
    "FROM requests r JOIN employees e ON e.id = r.employee_id JOIN request_types t ON t.code = r.type "
    "WHERE r.id = :id";
constexpr const char* kSelectDeputies =
    "SELECT deputy_employee_id FROM delegations WHERE manager_employee_id = :manager AND revoked_at IS NULL "
    "AND starts_on <= :today AND ends_on >= :today2";
// Approvers for the whole company: enabled accounts of employees still
// employed whose roles grant requests.approve with scope all.
constexpr const char* kSelectCompanyApprovers =
    "SELECT DISTINCT a.employee_id FROM user_accounts a JOIN account_roles ar ON ar.account_id = a.id "
    "JOIN role_permissions p ON p.role_id = ar.role_id JOIN employees e ON e.id = a.employee_id "
    "WHERE a.disabled = 0 AND p.permission = 'requests.approve' AND p.scope = 'all' "
    "AND (e.dismissal_date IS NULL OR e.dismissal_date >= :today)";
constexpr const char* kSelectDepartmentHeads =
    "SELECT DISTINCT d.head_employee_id FROM departments d JOIN employees e ON e.id = d.head_employee_id "
    "WHERE e.dismissal_date IS NULL OR e.dismissal_date >= :today";
constexpr const char* kSelectPending =
    "SELECT id FROM requests WHERE status = 'pending' AND updated_at < :before ORDER BY id";
constexpr const char* kSelectAbsencesStarting =
    "SELECT r.id FROM requests r JOIN request_types t ON t.code = r.type "
    "WHERE r.status = 'approved' AND t.kind = 'absence' AND r.start_date = :day ORDER BY r.id";
constexpr const char* kInsertNotification =
    "INSERT INTO notifications (event_id, event, recipient_employee_id, request_id, template, title, body, "
    "link, template_values, created_at, mail_status) VALUES (:event_id, :event, :recipient, :request, "
    ":template, :title, :body, :link, :template_values, :at, "
    "CASE WHEN :mail = 0 THEN 'none' "
    "WHEN :optional = 1 AND EXISTS (SELECT 1 FROM notification_preferences p WHERE p.employee_id = "
    ":recipient2 AND p.event = :event2 AND p.mail = 0) THEN 'none' ELSE 'pending' END) "
    "ON CONFLICT (event_id, recipient_employee_id) DO NOTHING RETURNING id, mail_status";
constexpr const char* kMarkRead =
    "UPDATE notifications SET read_at = :at WHERE id = :id AND recipient_employee_id = :employee "
    "AND read_at IS NULL";
constexpr const char* kOwnsNotification =
    "SELECT COUNT(*) FROM notifications WHERE id = :id AND recipient_employee_id = :employee";
constexpr const char* kMarkAllRead =
    "UPDATE notifications SET read_at = :at WHERE recipient_employee_id = :employee AND read_at IS NULL";
constexpr const char* kCountUnread =
    "SELECT COUNT(*) FROM notifications WHERE recipient_employee_id = :employee AND read_at IS NULL";
constexpr const char* kSelectTurnedOff =
    "SELECT event, mail FROM notification_preferences WHERE employee_id = :employee";
constexpr const char* kUpsertPreference =
    "INSERT INTO notification_preferences (employee_id, event, mail, updated_at) "
    "VALUES (:employee, :event, :mail, :at) "
    "ON CONFLICT (employee_id, event) DO UPDATE SET mail = excluded.mail, updated_at = excluded.updated_at";
constexpr const char* kSelectMail =
    "SELECT n.id, n.event, n.template, n.template_values, n.mail_status, "
    "CASE WHEN EXISTS (SELECT 1 FROM notification_rules r WHERE r.event = n.event AND r.mail = 'optional') "
    "THEN 1 ELSE 0 END, e.id, e.last_name || ' ' || e.first_name || COALESCE(' ' || e.middle_name, ''), "
    "e.first_name || COALESCE(' ' || e.middle_name, ''), e.email "
    "FROM notifications n JOIN employees e ON e.id = n.recipient_employee_id WHERE n.id = :id";
constexpr const char* kMarkMailSent =
    "UPDATE notifications SET mail_status = 'sent', mail_sent_at = :at WHERE id = :id AND mail_status = "
    "'pending'";
constexpr const char* kMarkMailFailed =
    "UPDATE notifications SET mail_status = 'failed', mail_error = :error WHERE id = :id "
    "AND mail_status = 'pending'";
constexpr const char* kWithdrawMailMessage = "DELETE FROM outbox WHERE id = :id AND published_at IS NULL";
constexpr const char* kMakeMailMessageDue =
    "UPDATE outbox SET available_at = :at WHERE id = :id AND published_at IS NULL";

// The outbox message of a notification's mail.
std::string MailMessageId(int64_t notification_id) { return "mail:" + std::to_string(notification_id); }

std::vector<int64_t> SelectIds(soci::session& session, const char* sql, const std::string& name,
                               const std::string& value) {
  std::vector<int64_t> ids;
  long long id = 0;
  soci::statement statement(session);
  statement.exchange(soci::into(id));
  statement.exchange(soci::use(value, name));
  db::PrepareOnce(statement, sql);
  statement.execute(false);
  while (statement.fetch()) ids.push_back(id);
  return ids;
}

// Calls f(slice) for `ids` in slices of at most db::kMaxListedIds.
template <class F>
void ForSlices(const std::vector<int64_t>& ids, F&& f) {
  for (size_t from = 0; from < ids.size(); from += db::kMaxListedIds) {
    const auto first = ids.begin() + static_cast<std::ptrdiff_t>(from);
    f(std::vector<int64_t>(
        first, first + static_cast<std::ptrdiff_t>(std::min(ids.size() - from, db::kMaxListedIds))));
  }
}

void SortUnique(std::vector<int64_t>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

struct NotificationRow {
  long long id = 0, request_id = 0;
  std::string event, title, body, link, created_at, read_at;
  soci::indicator request_ind = soci::i_null, link_ind = soci::i_null, read_ind = soci::i_null;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(event));
    statement.exchange(soci::into(request_id, request_ind));
    statement.exchange(soci::into(title));
    statement.exchange(soci::into(body));
    statement.exchange(soci::into(link, link_ind));
    statement.exchange(soci::into(created_at));
    statement.exchange(soci::into(read_at, read_ind));
  }

  Notification ToNotification() const {
    Notification n;
    n.id = id;
    n.event = event;
    if (request_ind == soci::i_ok) n.request_id = request_id;
    n.title = title;
    n.body = body;
    if (link_ind == soci::i_ok) n.link = link;
    n.created_at = db::ParseStoredTimestamp(created_at, "notifications.created_at");
    if (read_ind == soci::i_ok) n.read_at = db::ParseStoredTimestamp(read_at, "notifications.read_at");
    return n;
  }
};

Date StoredDate(const std::string& text, const char* column) {
  const auto date = ParseIsoDate(text);
  if (!date) throw Error::Internal(std::string(column) + " is malformed: " + text);
  return *date;
}

}  // namespace

NotificationRepository::NotificationRepository(db::Database& database, Clock clock)
    : database_(database), clock_(clock), outbox_(std::move(clock)) {}

std::map<std::string, std::vector<Rule>> NotificationRepository::AllRules() {
  return db::WithSession(database_, [&](soci::session& session) {
    std::map<std::string, std::vector<Rule>> rules;
    std::string event;
    Rule rule;
    soci::statement statement(session);
    statement.exchange(soci::into(event));
    statement.exchange(soci::into(rule.recipient));
    statement.exchange(soci::into(rule.template_name));
    statement.exchange(soci::into(rule.mail));
    db::PrepareOnce(statement, kSelectRules);
    statement.execute(false);
    while (statement.fetch()) rules[event].push_back(rule);
    return rules;
  });
}

std::vector<std::string> NotificationRepository::OptionalEvents() {
  return db::WithSession(database_, [&](soci::session& session) {
    std::vector<std::string> events;
    std::string event;
    soci::statement statement(session);
    statement.exchange(soci::into(event));
    db::PrepareOnce(statement, kSelectOptionalEvents);
    statement.execute(false);
    while (statement.fetch()) events.push_back(event);
    return events;
  });
}

std::optional<RequestFacts> NotificationRepository::Facts(int64_t request_id) {
  return db::WithSession(database_, [&](soci::session& session) -> std::optional<RequestFacts> {
    RequestFacts facts;
    long long employee = 0, approver = 0;
    std::string start, end, step_role, updated_at;
    soci::indicator end_ind = soci::i_null, approver_ind = soci::i_null, role_ind = soci::i_null;
    const long long id = request_id;
    session << kSelectFacts, soci::into(employee), soci::into(facts.employee_name),
        soci::into(facts.type_name), soci::into(facts.type_kind), soci::into(facts.status), soci::into(start),
        soci::into(end, end_ind), soci::into(approver, approver_ind), soci::into(step_role, role_ind),
        soci::into(updated_at), soci::use(id, "id");
    if (!session.got_data()) return std::nullopt;
    facts.employee_id = employee;
    facts.start_date = StoredDate(start, "requests.start_date");
    if (end_ind == soci::i_ok) facts.end_date = StoredDate(end, "requests.end_date");
    if (approver_ind == soci::i_ok) facts.approver_employee_id = approver;
    if (role_ind == soci::i_ok) facts.step_role = step_role;
    facts.updated_at = db::ParseStoredTimestamp(updated_at, "requests.updated_at");
    return facts;
  });
}

std::vector<Person> NotificationRepository::People(const std::vector<int64_t>& ids) {
  std::vector<Person> people;
  if (ids.empty()) return people;
  return db::WithSession(database_, [&](soci::session& session) {
    ForSlices(ids, [&](const std::vector<int64_t>& slice) {
      const std::string sql =
          "SELECT id, last_name || ' ' || first_name || COALESCE(' ' || middle_name, ''), "
          "first_name || COALESCE(' ' || middle_name, ''), email FROM employees WHERE id IN " +
          db::IdList(slice) + " ORDER BY id";
      Person person;
      long long id = 0;
      soci::statement statement(session);
      statement.exchange(soci::into(id));
      statement.exchange(soci::into(person.full_name));
      statement.exchange(soci::into(person.greeting));
      statement.exchange(soci::into(person.email));
      db::PrepareOnce(statement, sql);
      statement.execute(false);
      while (statement.fetch()) {
        person.id = id;
        people.push_back(person);
      }
    });
    return people;
  });
}

std::vector<int64_t> NotificationRepository::Approvers(std::optional<int64_t> approver, int64_t employee,
                                                       Date today) {
  return db::WithSession(database_, [&](soci::session& session) {
    std::vector<int64_t> ids;
    const std::string day = FormatIsoDate(today);
    if (approver) {
      ids.push_back(*approver);
      long long id = 0;
      const long long manager = *approver;
      soci::statement statement(session);
      statement.exchange(soci::into(id));
      statement.exchange(soci::use(manager, "manager"));
      statement.exchange(soci::use(day, "today"));
      statement.exchange(soci::use(day, "today2"));
      db::PrepareOnce(statement, kSelectDeputies);
      statement.execute(false);
      while (statement.fetch()) ids.push_back(id);
    } else {
      ids = SelectIds(session, kSelectCompanyApprovers, "today", day);
    }
    std::erase(ids, employee);
    SortUnique(ids);
    return ids;
  });
}

std::vector<int64_t> NotificationRepository::DepartmentHeads(Date today) {
  return db::WithSession(database_, [&](soci::session& session) {
    std::vector<int64_t> ids = SelectIds(session, kSelectDepartmentHeads, "today", FormatIsoDate(today));
    SortUnique(ids);
    return ids;
  });
}

std::vector<int64_t> NotificationRepository::PendingSince(std::chrono::system_clock::time_point before) {
  return db::WithSession(database_, [&](soci::session& session) {
    return SelectIds(session, kSelectPending, "before", db::FormatTimestamp(before));
  });
}

std::vector<int64_t> NotificationRepository::AbsencesStartingOn(Date day) {
  return db::WithSession(database_, [&](soci::session& session) {
    return SelectIds(session, kSelectAbsencesStarting, "day", FormatIsoDate(day));
  });
}

std::vector<int64_t> NotificationRepository::Insert(const std::string& event_id, const std::string& event,
                                                    std::optional<int64_t> request_id,
                                                    const std::vector<NewNotification>& notifications,
                                                    std::chrono::system_clock::time_point mail_due) {
  const std::string at = db::FormatTimestamp(clock_());
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    std::vector<int64_t> mails;
    for (const NewNotification& n : notifications) {
      const long long recipient = n.recipient, request = request_id.value_or(0);
      soci::indicator request_ind = request_id ? soci::i_ok : soci::i_null;
      const std::string link = n.link.value_or("");
      soci::indicator link_ind = n.link ? soci::i_ok : soci::i_null;
      const int mail = n.mail ? 1 : 0, optional = n.mail_optional ? 1 : 0;
      long long id = 0;
      std::string mail_status;
      session << kInsertNotification, soci::use(event_id, "event_id"), soci::use(event, "event"),
          soci::use(recipient, "recipient"), soci::use(request, request_ind, "request"),
          soci::use(n.template_name, "template"), soci::use(n.title, "title"), soci::use(n.body, "body"),
          soci::use(link, link_ind, "link"), soci::use(n.template_values, "template_values"),
          soci::use(at, "at"), soci::use(mail, "mail"), soci::use(optional, "optional"),
          soci::use(recipient, "recipient2"), soci::use(event, "event2"), soci::into(id),
          soci::into(mail_status);
      if (!session.got_data() || mail_status != "pending") continue;  // told already, or no mail
      outbox_.Add(session, {.topic = kMailTopic,
                            .payload = nlohmann::json{{"notification_id", id}}.dump(),
                            .available_at = mail_due,
                            .id = MailMessageId(id)});
      mails.push_back(id);
    }
    return mails;
  });
}

bool NotificationRepository::AddOnce(const bus::OutgoingMessage& message) {
  try {
    db::WithWriteTransaction(database_, [&](soci::session& session) { outbox_.Add(session, message); });
    return true;
  } catch (const Error& error) {
    if (error.kind() == ErrorKind::kConflict) return false;
    throw;
  }
}

std::vector<Notification> NotificationRepository::Feed(int64_t employee, std::optional<int64_t> before,
                                                       int limit, bool unread_only) {
  return db::WithSession(database_, [&](soci::session& session) {
    db::Query query;
    query << "SELECT id, event, request_id, title, body, link, created_at, read_at FROM notifications "
             "WHERE recipient_employee_id = "
          << query.Param(static_cast<long long>(employee));
    if (before) query << " AND id < " << query.Param(static_cast<long long>(*before));
    if (unread_only) query << " AND read_at IS NULL";
    query << " ORDER BY id DESC LIMIT " << query.Param(static_cast<long long>(limit));
    NotificationRow row;
    return db::FetchAll(session, query, row, [](const NotificationRow& r) { return r.ToNotification(); });
  });
}

int64_t NotificationRepository::UnreadCount(int64_t employee) {
  return db::WithSession(database_, [&](soci::session& session) -> int64_t {
    long long count = 0;
    const long long id = employee;
    session << kCountUnread, soci::into(count), soci::use(id, "employee");
    return count;
  });
}

bool NotificationRepository::MarkRead(int64_t employee, int64_t id) {
  const std::string at = db::FormatTimestamp(clock_());
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    const long long notification = id, recipient = employee;
    long long owned = 0;
    session << kOwnsNotification, soci::into(owned), soci::use(notification, "id"),
        soci::use(recipient, "employee");
    if (owned == 0) return false;
    session << kMarkRead, soci::use(at, "at"), soci::use(notification, "id"),
        soci::use(recipient, "employee");
    return true;
  });
}

int64_t NotificationRepository::MarkAllRead(int64_t employee) {
  const std::string at = db::FormatTimestamp(clock_());
  return db::WithWriteTransaction(database_, [&](soci::session& session) -> int64_t {
    const long long recipient = employee;
    soci::statement statement(session);
    statement.exchange(soci::use(at, "at"));
    statement.exchange(soci::use(recipient, "employee"));
    db::ExecuteOnce(statement, kMarkAllRead);
    return statement.get_affected_rows();
  });
}

std::vector<Preference> NotificationRepository::Preferences(int64_t employee) {
  const std::vector<std::string> events = OptionalEvents();
  return db::WithSession(database_, [&](soci::session& session) {
    std::vector<Preference> preferences;
    preferences.reserve(events.size());
    for (const std::string& event : events) preferences.push_back({event, true});
    std::string event;
    int mail = 1;
    const long long id = employee;
    soci::statement statement(session);
    statement.exchange(soci::into(event));
    statement.exchange(soci::into(mail));
    statement.exchange(soci::use(id, "employee"));
    db::PrepareOnce(statement, kSelectTurnedOff);
    statement.execute(false);
    while (statement.fetch()) {
      for (Preference& preference : preferences) {
        if (preference.event == event) preference.mail = mail != 0;
      }
    }
    return preferences;
  });
}

void NotificationRepository::SetPreference(int64_t employee, const std::string& event, bool mail) {
  const std::string at = db::FormatTimestamp(clock_());
  db::WithWriteTransaction(database_, [&](soci::session& session) {
    const long long id = employee;
    const int value = mail ? 1 : 0;
    session << kUpsertPreference, soci::use(id, "employee"), soci::use(event, "event"),
        soci::use(value, "mail"), soci::use(at, "at");
  });
}

std::optional<MailJob> NotificationRepository::FindMail(int64_t notification_id) {
  return db::WithSession(database_, [&](soci::session& session) -> std::optional<MailJob> {
    MailJob job;
    const long long key = notification_id;
    long long id = 0, recipient = 0;
    int optional = 0;
    session << kSelectMail, soci::into(id), soci::into(job.event), soci::into(job.template_name),
        soci::into(job.template_values), soci::into(job.mail_status), soci::into(optional),
        soci::into(recipient), soci::into(job.recipient.full_name), soci::into(job.recipient.greeting),
        soci::into(job.recipient.email), soci::use(key, "id");
    if (!session.got_data()) return std::nullopt;
    job.id = id;
    job.optional = optional != 0;
    job.recipient.id = recipient;
    return job;
  });
}

// One statement each, committed by itself (no BEGIN and COMMIT around it).
void NotificationRepository::MarkMailSent(int64_t notification_id) {
  const std::string at = db::FormatTimestamp(clock_());
  db::WithSession(database_, [&](soci::session& session) {
    const long long id = notification_id;
    session << kMarkMailSent, soci::use(at, "at"), soci::use(id, "id");
  });
}

void NotificationRepository::MarkMailFailed(int64_t notification_id, const std::string& error) {
  db::WithSession(database_, [&](soci::session& session) {
    const long long id = notification_id;
    session << kMarkMailFailed, soci::use(error, "error"), soci::use(id, "id");
  });
}

void NotificationRepository::WithdrawMailMessage(int64_t notification_id) {
  const std::string id = MailMessageId(notification_id);
  db::WithSession(database_,
                  [&](soci::session& session) { session << kWithdrawMailMessage, soci::use(id, "id"); });
}

void NotificationRepository::MakeMailMessageDue(int64_t notification_id) {
  const std::string at = db::FormatTimestamp(clock_()), id = MailMessageId(notification_id);
  db::WithSession(database_, [&](soci::session& session) {
    session << kMakeMailMessageDue, soci::use(at, "at"), soci::use(id, "id");
  });
}

}  // namespace tabel::notification
