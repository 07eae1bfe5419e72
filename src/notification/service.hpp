#pragma once
// Notifications, without HTTP: who is told of an event (the recipient rules
// of notification_rules), what (the Russian templates), exactly once per
// event and person; the mail of each notification, sent once; the daily
// reminders; each person's in-app feed with read marks and his choice of
// which events reach his mailbox.
//
// Recipients (the rule that must never break: a decision on a request is
// told to its employee only, never to his department):
//   employee  the request's employee;
//   approver  the approver of the step now due and his active deputies, or,
//             for a step no manager decides (hr), everyone who approves for
//             the whole company; never the request's own employee;
//   deputy    the deputy a delegation names;
//   managers  the head of every department;
//   author    the author of a resignation letter.
//
// Exactly once: a notification is a row keyed by (event id, recipient), so
// a redelivered event adds nothing; its mail is an outbox message written in
// the same transaction, and the mail consumer records the send before the
// queue's ack and skips a mail recorded as sent. A mail is sent twice only
// when the process dies between the server's acceptance and that record;
// its Message-ID is the same both times.
//
// Mails sent at once: when an event mails at most
// NotificationOptions::mails_at_once people, its consumer sends the mails
// itself right after the notifications commit — one message through the
// broker per mail instead of two. Their outbox messages are written all the
// same, due kMailAtOnceGrace later: withdrawn (deleted) once a send
// is recorded, due at once when a send fails (and for kMailAtOncePause no
// mail is sent at once: the mail queue's retries take over) or would start
// too late, and published after the grace when the process died in between.
//
// The recipient rules are read from the database at most once per
// kRulesRefresh (every event needs them): a changed rule takes effect within
// that time. Each person's unread count (the badge every open page polls)
// is kept in the cache (Redis when configured) under a generation of his
// that every new notification and read mark bumps after its commit, so a
// count is never read stale while the cache works; a bump lost to a cache
// failure leaves it stale for kUnreadTtl at most.
//
// Thread-safety: safe from any thread; blocks on the database and the mail
// server. Errors: tabel::Error.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "calendar/production_calendar.hpp"
#include "common/actor.hpp"
#include "common/clock.hpp"
#include "http/query_fields.hpp"
#include "infra/bus/message.hpp"
#include "infra/cache/cache.hpp"
#include "infra/metrics/metrics.hpp"
#include "notification/mail.hpp"
#include "notification/model.hpp"
#include "notification/repository.hpp"
#include "notification/templates.hpp"

namespace tabel::notification {

// An approved absence is announced this many days before it starts.
inline constexpr int kAbsenceNoticeDays = 3;
// Heads of departments are told of the month's closing this many working
// days before its last working day.
inline constexpr int kMonthClosingWorkingDays = 3;
// How long the recipient rules read from the database are used.
inline constexpr std::chrono::seconds kRulesRefresh{60};
// How long a cached unread count lives.
inline constexpr std::chrono::seconds kUnreadTtl{60};
// How long the outbox message of a mail sent at once waits for that send,
// and how long after the commit such a send may start: the window and the
// longest send (kSmtpTimeout) together stay under the grace,
// so that the mail queue never sends a mail the event's consumer is still
// sending.
inline constexpr std::chrono::seconds kMailAtOnceGrace{60};
inline constexpr std::chrono::seconds kMailAtOnceWindow{20};
static_assert(kMailAtOnceWindow + kSmtpTimeout < kMailAtOnceGrace);
// After a send at once failed, how long mails go through the mail queue only.
inline constexpr std::chrono::seconds kMailAtOncePause{30};

struct NotificationOptions {
  std::string organization;  // in every mail's footer
  // Where people open Tabel ("https://tabel.bank.example"): links in mails.
  std::string public_url = "http://127.0.0.1:8080";
  Address from{.email = "tabel@localhost", .name = "Табель"};
  // Signs unsubscribe links; must be the same on every replica.
  std::string link_secret;
  // A request pending this many days is reminded to its approver daily.
  int pending_reminder_days = 3;
  // The local hour of the daily reminders.
  int reminder_hour = 9;
  // An event that mails at most this many people sends the mails itself;
  // 0: every mail goes through the mail queue.
  size_t mails_at_once = 8;
};

class NotificationService {
 public:
  NotificationService(NotificationRepository& repository, const Templates& templates,
                      const calendar::ProductionCalendar& calendar, Mailer& mailer, cache::Cache& cache,
                      Clock clock, metrics::Registry& registry, NotificationOptions options);

  // The topics of kEventsQueue.
  static std::vector<std::string> EventTopics();

  // The consumer of kEventsQueue and kDailyQueue: the notifications of one
  // event (or of one day's reminders), written
  // once whatever the redeliveries. Returns everyone the event is for.
  // Throws bus::PermanentFailure for a malformed event.
  std::vector<int64_t> OnEvent(const bus::Delivery& delivery);
  // The consumer of kMailQueue: sends one notification's mail unless it was
  // sent; a refusal by the server is recorded as failed, not retried.
  // Throws Error::Unavailable when the server cannot take it now (retried).
  void OnMail(const bus::Delivery& delivery);
  // Puts today's daily reminders into the outbox, due at the reminder hour
  // (at once when it has passed), unless they are there; each run puts the
  // next day's. Called at start-up by every process; idempotent.
  void ScheduleDaily();

  // The caller's feed, newest first (after `page.after` = older than that
  // id), and his unread count. Empty for an account without an employee.
  struct Feed {
    http::Page<Notification> page;
    int64_t unread = 0;
  };
  Feed FeedOf(const Actor& actor, const http::PageRequest& page, bool unread_only);
  // The caller's unread count alone (0 for an account without an employee).
  int64_t UnreadOf(const Actor& actor);
  // Marks one of the caller's notifications read (NotFound for another's).
  void MarkRead(const Actor& actor, int64_t id);
  // Marks all of the caller's notifications read; returns how many were not.
  int64_t MarkAllRead(const Actor& actor);

  // The events whose mail the caller may turn off, with his choice.
  std::vector<Preference> Preferences(const Actor& actor);
  // Validation error naming each event that is not optional.
  std::vector<Preference> SetPreferences(const Actor& actor, const std::vector<Preference>& changes);
  // Turns off the mail of the event an unsubscribe link names; returns the
  // event. Validation error naming `token` for a link that is not one.
  std::string Unsubscribe(const std::string& token);
  // The unsubscribe link of `employee` for `event`.
  std::string UnsubscribeUrl(int64_t employee, const std::string& event) const;

 private:
  struct Told;
  std::vector<int64_t> Notify(const std::string& event_id, const std::string& event,
                              std::optional<int64_t> request_id, const Told& told);
  std::vector<int64_t> OnRequestEvent(const bus::Delivery& delivery, const nlohmann::json& payload);
  std::vector<int64_t> Daily(Date date);
  // Sends the mail of notification `id` unless it was sent or refused, and
  // records the outcome. Throws what the mailer throws when the server
  // cannot take it now.
  void SendMail(int64_t id);
  // SendMail from the event's consumer, unless `start_before` has passed or
  // sends at once are paused: the mail's outbox message withdrawn after a
  // send, else made due now. Never throws.
  void SendMailAtOnce(int64_t id, std::chrono::steady_clock::time_point start_before);
  bool MailsAtOncePaused() const;
  // The rules of `event`, from a copy of notification_rules at most
  // kRulesRefresh old.
  std::vector<Rule> RulesOf(const std::string& event);
  int64_t EmployeeOf(const Actor& actor) const;
  // `employee`'s unread count, from the cache when it holds it.
  int64_t Unread(int64_t employee);
  // Makes the cached unread counts of `employees` stale (after a commit).
  void ForgetUnread(const std::vector<int64_t>& employees);
  std::chrono::system_clock::time_point DailyAt(Date date) const;

  NotificationRepository& repository_;
  const Templates& templates_;
  const calendar::ProductionCalendar& calendar_;
  Mailer& mailer_;
  cache::Cache& cache_;
  Clock clock_;
  NotificationOptions options_;
  metrics::CounterFamily& mails_total_;  // tabel_emails_total{outcome}
  // No mail is sent at once before this instant (steady clock ticks).
  std::atomic<std::chrono::steady_clock::rep> mails_at_once_paused_until_{0};

  std::mutex rules_mutex_;
  std::map<std::string, std::vector<Rule>> rules_;    // by event; guarded by rules_mutex_
  std::chrono::steady_clock::time_point rules_read_;  // guarded by rules_mutex_; epoch = never
};

}  // namespace tabel::notification
