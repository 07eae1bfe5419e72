#pragma once
// The SQL of notifications: the recipient rules, the people a rule names
// (read from the users, auth and management tables of the shared
// database), the notifications with their mails, the feed and the
// preferences.
// Thread-safety: safe from any thread; each call leases its own session and
// blocks on the database. Errors: tabel::Error from the database helpers.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/date.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/db/database.hpp"
#include "notification/model.hpp"

namespace tabel::notification {

struct Rule {
  std::string recipient;  // employee, approver, deputy, managers, author
  std::string template_name;
  std::string mail;  // always, optional, never
};

// A request as its notifications tell of it.
struct RequestFacts {
  int64_t employee_id = 0;
  std::string employee_name;  // "Петров Иван Сергеевич"
  std::string type_name;      // "Ежегодный оплачиваемый отпуск"
  std::string type_kind;      // "absence"
  std::string status;
  Date start_date;
  std::optional<Date> end_date;
  std::optional<int64_t> approver_employee_id;  // while pending at a manager step
  std::optional<std::string> step_role;         // while pending
  std::chrono::system_clock::time_point updated_at;
};

struct Person {
  int64_t id = 0;
  std::string full_name;  // "Петров Иван Сергеевич"
  std::string greeting;   // "Иван Сергеевич"
  std::string email;
};

struct NewNotification {
  int64_t recipient = 0;
  std::string template_name;
  std::string title;
  std::string body;
  std::optional<std::string> link;
  std::string template_values;  // JSON
  bool mail = false;            // queue a mail ...
  bool mail_optional = false;   // ... unless the recipient turned this event's mail off
};

// What the mail of one notification is made from.
struct MailJob {
  int64_t id = 0;
  std::string event;
  std::string template_name;
  std::string template_values;  // JSON
  std::string mail_status;
  bool optional = false;  // the person may turn this event's mail off
  Person recipient;
};

class NotificationRepository {
 public:
  NotificationRepository(db::Database& database, Clock clock);

  // Every rule of notification_rules, by event.
  std::map<std::string, std::vector<Rule>> AllRules();
  // The events whose mail a person may turn off, sorted.
  std::vector<std::string> OptionalEvents();
  std::optional<RequestFacts> Facts(int64_t request_id);
  // Those of `ids` that exist, by id.
  std::vector<Person> People(const std::vector<int64_t>& ids);
  // `approver` and his deputies on `today`; without one, every enabled
  // account's employee, still employed, whose roles grant requests.approve
  // for all. Never `employee`.
  std::vector<int64_t> Approvers(std::optional<int64_t> approver, int64_t employee, Date today);
  // The heads of departments still employed on `today`.
  std::vector<int64_t> DepartmentHeads(Date today);

  // Pending requests whose last step began before `before` (a reminder is
  // due), and approved absences starting on `day`.
  std::vector<int64_t> PendingSince(std::chrono::system_clock::time_point before);
  std::vector<int64_t> AbsencesStartingOn(Date day);

  // Inserts each (event id, recipient) once, in one transaction, with an
  // outbox message (kMailTopic, due at `mail_due`) for each new one that
  // mails — as the recipient's preferences stand in that transaction, for
  // an optional mail: a second call with the same event id adds nothing.
  // Returns the ids of the new ones whose mail is pending.
  std::vector<int64_t> Insert(const std::string& event_id, const std::string& event,
                              std::optional<int64_t> request_id,
                              const std::vector<NewNotification>& notifications,
                              std::chrono::system_clock::time_point mail_due);
  // Adds `message` to the outbox unless a message with its id is there.
  // Returns false when it was.
  bool AddOnce(const bus::OutgoingMessage& message);

  // `employee`'s notifications with id below `before` (all for nullopt),
  // newest first, at most `limit`.
  std::vector<Notification> Feed(int64_t employee, std::optional<int64_t> before, int limit,
                                 bool unread_only);
  int64_t UnreadCount(int64_t employee);
  // False when `employee` has no notification `id`.
  bool MarkRead(int64_t employee, int64_t id);
  // Returns how many were unread.
  int64_t MarkAllRead(int64_t employee);

  // The optional events with the person's choice (true = mailed).
  std::vector<Preference> Preferences(int64_t employee);
  void SetPreference(int64_t employee, const std::string& event, bool mail);

  std::optional<MailJob> FindMail(int64_t notification_id);
  // Records the outcome of a mail; only a pending one changes.
  void MarkMailSent(int64_t notification_id);
  void MarkMailFailed(int64_t notification_id, const std::string& error);
  // The outbox message of a mail that was sent (or refused) without it:
  // deleted unless it was published, so that it never goes out.
  void WithdrawMailMessage(int64_t notification_id);
  // The outbox message of a mail not yet published, made due now.
  void MakeMailMessageDue(int64_t notification_id);

 private:
  db::Database& database_;
  Clock clock_;
  bus::Outbox outbox_;
};

}  // namespace tabel::notification
