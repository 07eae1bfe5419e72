// Exactly once, against the real database and the SMTP sink scripts/test
// starts (TABEL_TEST_SMTP_URL, a Maildir at TABEL_TEST_SMTP_MAILBOX): an
// event delivered twice tells each person once and queues one mail; a mail
// delivered twice is sent once; a mail server that is away leaves the mail
// pending for a retry, not lost; a malformed event is refused for good.
// The demo company: Morozova (5) is in IT-DEV, employee (4) too.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "auth/permissions.hpp"
#include "calendar/production_calendar.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/cache/cache.hpp"
#include "infra/cache/redis.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"
#include "infra/metrics/metrics.hpp"
#include "management/seed.hpp"
#include "notification/repository.hpp"
#include "notification/service.hpp"
#include "support/loopback.hpp"
#include "support/test_database.hpp"
#include "users/seed.hpp"

namespace tabel::notification {
namespace {

using nlohmann::json;
using testing::TestDatabase;

constexpr int64_t kEmployee = 4;
constexpr int64_t kMorozova = 5;

class NotificationDelivery : public ::testing::Test {
 protected:
  void SetUp() override {
    users::EnsureDemoCompany(*database_, clock_.AsClock());
    const char* url = std::getenv("TABEL_TEST_SMTP_URL");
    const char* mailbox = std::getenv("TABEL_TEST_SMTP_MAILBOX");
    ASSERT_TRUE(url != nullptr && mailbox != nullptr)
        << "run through scripts/test, which starts the SMTP sink";
    smtp_ = std::make_unique<SmtpMailer>(SmtpOptions{.url = url});
    mailbox_ = mailbox;
    // Message-IDs unique to this test's database: notification ids repeat.
    domain_ = "t" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".test";
  }

  // One service per registry: each registers its metrics. By default every
  // mail goes through the mail queue (OnMail); `mails_at_once` as in
  // production sends an event's few mails from its consumer.
  NotificationService Service(Mailer& mailer, metrics::Registry* registry = nullptr,
                              cache::Cache* cache = nullptr, size_t mails_at_once = 0) {
    return NotificationService(repository_, templates_, calendar_, mailer, cache != nullptr ? *cache : cache_,
                               clock_.AsClock(), registry != nullptr ? *registry : registry_,
                               {.organization = "Банк",
                                .from = {.email = "tabel@" + domain_, .name = "Табель"},
                                .link_secret = "secret",
                                .mails_at_once = mails_at_once});
  }

  // The ids of the outbox messages the relay would publish now.
  std::vector<std::string> DueMessages() {
    return db::WithSession(*database_, [&](soci::session& session) {
      std::vector<std::string> ids;
      for (const bus::DueMessage& message :
           bus::SelectDueMessages(session, database_->dialect(), db::FormatTimestamp(clock_.Now()), 100)) {
        ids.push_back(message.id);
      }
      return ids;
    });
  }

  bus::Delivery Event(const std::string& topic, const json& payload, const std::string& message_id) {
    return {.task_id = "t-" + message_id,
            .message_id = message_id,
            .queue = kEventsQueue,
            .topic = topic,
            .payload = payload.dump()};
  }

  static bus::Delivery Mail(int64_t id) {
    return {.task_id = "m",
            .message_id = "mail:" + std::to_string(id),
            .queue = kMailQueue,
            .topic = kMailTopic,
            .payload = json{{"notification_id", id}}.dump()};
  }

  long long Count(const std::string& sql) {
    return db::WithSession(*database_, [&](soci::session& session) {
      long long count = -1;
      session << sql, soci::into(count);
      return count;
    });
  }

  std::string Text(const std::string& sql) {
    return db::WithSession(*database_, [&](soci::session& session) {
      std::string text;
      session << sql, soci::into(text);
      return text;
    });
  }

  // How many received messages carry `message_id`.
  int Received(const std::string& message_id) {
    int count = 0;
    if (!std::filesystem::exists(mailbox_ / "new")) return 0;
    for (const auto& entry : std::filesystem::directory_iterator(mailbox_ / "new")) {
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      if (text.find("Message-ID: <" + message_id + ">") != std::string::npos) ++count;
    }
    return count;
  }

  json Delegation() const {
    return {{"delegation_id", 1},
            {"manager_employee_id", 2},
            {"deputy_employee_id", kMorozova},
            {"starts_on", "2026-12-01"},
            {"ends_on", "2026-12-14"}};
  }

  TestDatabase test_database_;
  std::unique_ptr<db::Database> database_ = test_database_.MakeMigrated(4);
  ManualClock clock_;
  metrics::Registry registry_;
  cache::MemoryCache cache_{size_t{1} << 20};
  NotificationRepository repository_{*database_, clock_.AsClock()};
  const Templates templates_ = Templates::Load();
  const calendar::ProductionCalendar calendar_ = calendar::ProductionCalendar::Embedded();
  std::unique_ptr<SmtpMailer> smtp_;
  std::filesystem::path mailbox_;
  std::string domain_;
};

TEST_F(NotificationDelivery, AnEventDeliveredTwiceTellsOnceAndMailsOnce) {
  NotificationService service = Service(*smtp_);
  const bus::Delivery event = Event("delegation.created", Delegation(), "event-1");
  EXPECT_EQ(service.OnEvent(event), std::vector<int64_t>{kMorozova});
  service.OnEvent(event);  // redelivered
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE topic = 'notification.mail'"), 1);
  const long long id = Count("SELECT id FROM notifications");
  EXPECT_EQ(Text("SELECT id FROM outbox WHERE topic = 'notification.mail'"), "mail:" + std::to_string(id));
  EXPECT_EQ(Text("SELECT mail_status FROM notifications"), "pending");

  service.OnMail(Mail(id));
  service.OnMail(Mail(id));  // redelivered after the send was recorded
  EXPECT_EQ(Received(std::to_string(id) + "@" + domain_), 1);
  EXPECT_EQ(Text("SELECT mail_status FROM notifications"), "sent");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE mail_sent_at IS NOT NULL"), 1);
  EXPECT_THAT(registry_.Render(), ::testing::HasSubstr("tabel_emails_total{outcome=\"sent\"} 1"));
}

TEST_F(NotificationDelivery, AMailServerThatIsAwayLeavesTheMailPendingForARetry) {
  SmtpMailer away({.url = "smtp://127.0.0.1:" + std::to_string(testing::ClosedPort()),
                   .connect_timeout = std::chrono::milliseconds(500)});
  NotificationService failing = Service(away);
  failing.OnEvent(Event("delegation.created", Delegation(), "event-2"));
  const long long id = Count("SELECT id FROM notifications");
  const Error error = [&] {
    try {
      failing.OnMail(Mail(id));
    } catch (const Error& e) {
      return e;
    }
    return Error::Internal("no error");
  }();
  EXPECT_EQ(error.kind(), ErrorKind::kUnavailable);
  EXPECT_EQ(Text("SELECT mail_status FROM notifications"), "pending");
  EXPECT_THAT(registry_.Render(), ::testing::HasSubstr("tabel_emails_total{outcome=\"retried\"} 1"));

  // The retry, once the server is back.
  metrics::Registry restarted;
  NotificationService service = Service(*smtp_, &restarted);
  service.OnMail(Mail(id));
  EXPECT_EQ(Received(std::to_string(id) + "@" + domain_), 1);
  EXPECT_EQ(Text("SELECT mail_status FROM notifications"), "sent");
}

// Counts the sends it passes on.
class CountingMailer : public Mailer {
 public:
  explicit CountingMailer(Mailer& inner) : inner_(inner) {}
  void Send(const MailMessage& message) override {
    ++sends;
    inner_.Send(message);
  }
  int sends = 0;

 private:
  Mailer& inner_;
};

TEST_F(NotificationDelivery, AnEventWithFewMailsSendsThemAtOnceAndItsMailMessagesNeverGoOut) {
  NotificationService service = Service(*smtp_, nullptr, nullptr, 8);
  const bus::Delivery event = Event("delegation.created", Delegation(), "event-at-once");
  EXPECT_EQ(service.OnEvent(event), std::vector<int64_t>{kMorozova});
  const long long id = Count("SELECT id FROM notifications");
  EXPECT_EQ(Received(std::to_string(id) + "@" + domain_), 1);
  EXPECT_EQ(Text("SELECT mail_status FROM notifications"), "sent");
  // The mail's outbox message is withdrawn: the relay has nothing, ever.
  clock_.Advance(kMailAtOnceGrace * 2);
  EXPECT_THAT(DueMessages(), ::testing::IsEmpty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE topic = 'notification.mail'"), 0);

  service.OnEvent(event);    // redelivered
  service.OnMail(Mail(id));  // and the mail message, had it gone out
  EXPECT_EQ(Received(std::to_string(id) + "@" + domain_), 1);
  EXPECT_THAT(registry_.Render(), ::testing::HasSubstr("tabel_emails_total{outcome=\"sent\"} 1"));
}

TEST_F(NotificationDelivery, AMailThatCannotGoAtOnceGoesThroughTheMailQueue) {
  SmtpMailer away({.url = "smtp://127.0.0.1:" + std::to_string(testing::ClosedPort()),
                   .connect_timeout = std::chrono::milliseconds(500)});
  CountingMailer counting(away);
  NotificationService failing = Service(counting, nullptr, nullptr, 8);
  failing.OnEvent(Event("delegation.created", Delegation(), "event-away-1"));  // does not throw
  EXPECT_EQ(counting.sends, 1);
  const long long first = Count("SELECT MAX(id) FROM notifications");
  EXPECT_EQ(Text("SELECT mail_status FROM notifications"), "pending");
  // Its mail message is due now, for the mail queue's retries.
  EXPECT_EQ(DueMessages(), std::vector<std::string>{"mail:" + std::to_string(first)});
  EXPECT_THAT(registry_.Render(), ::testing::HasSubstr("tabel_emails_total{outcome=\"retried\"} 1"));

  // For a while after a failure no mail is tried at once.
  json other = Delegation();
  other["delegation_id"] = 2;
  failing.OnEvent(Event("delegation.created", other, "event-away-2"));
  EXPECT_EQ(counting.sends, 1);
  const long long second = Count("SELECT MAX(id) FROM notifications");
  EXPECT_THAT(DueMessages(), ::testing::UnorderedElementsAre("mail:" + std::to_string(first),
                                                             "mail:" + std::to_string(second)));

  // The mail queue sends them once the server is back.
  metrics::Registry restarted;
  NotificationService service = Service(*smtp_, &restarted);
  service.OnMail(Mail(first));
  service.OnMail(Mail(second));
  EXPECT_EQ(Received(std::to_string(first) + "@" + domain_), 1);
  EXPECT_EQ(Received(std::to_string(second) + "@" + domain_), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE mail_status = 'sent'"), 2);
}

TEST_F(NotificationDelivery, AMailWhoseSenderDiedGoesOutAfterTheGrace) {
  // Written for a send at once that never happened (the process died).
  const std::vector<int64_t> pending = repository_.Insert("event-died", "delegation.created", std::nullopt,
                                                          {{.recipient = kMorozova,
                                                            .template_name = "delegation_created",
                                                            .template_values = "{}",
                                                            .mail = true}},
                                                          clock_.Now() + kMailAtOnceGrace);
  ASSERT_EQ(pending.size(), 1U);
  EXPECT_THAT(DueMessages(), ::testing::IsEmpty());
  clock_.Advance(kMailAtOnceGrace);
  EXPECT_EQ(DueMessages(), std::vector<std::string>{"mail:" + std::to_string(pending.front())});
}

TEST_F(NotificationDelivery, AMailThePersonTurnedOffIsNotQueuedButTheFeedHasIt) {
  repository_.SetPreference(kMorozova, "delegation.created", false);
  NotificationService service = Service(*smtp_);
  service.OnEvent(Event("delegation.created", Delegation(), "event-3"));
  EXPECT_EQ(Text("SELECT mail_status FROM notifications"), "none");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE topic = 'notification.mail'"), 0);
  // A mail nobody may turn off goes whatever the preferences.
  repository_.SetPreference(kEmployee, "resignation_letter.needs_corrections", false);
  service.OnEvent(Event("resignation_letter.needs_corrections",
                        {{"letter_id", 3},
                         {"author_employee_id", kEmployee},
                         {"received_on", "2026-11-27"},
                         {"problems", {"Нет подписи"}}},
                        "event-4"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE topic = 'notification.mail'"), 1);
}

// The unread count every open page polls comes from the cache, and is never
// read stale: a new notification and each read mark make it count again.
void UnreadCountFollowsEveryChange(NotificationService& service, NotificationRepository& repository) {
  Actor morozova;
  morozova.identity.account_id = 100;
  morozova.identity.employee_id = kMorozova;
  morozova.identity.permissions = {{std::string(auth::kNotificationsRead), Scope::kSelf}};
  // Ids of this run's own, so that a shared Redis holds nothing of another.
  const std::string run = std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  // A delegation to her, a new notification.
  const auto delegated = [&](int n) {
    service.OnEvent(bus::Delivery{.task_id = "t" + std::to_string(n),
                                  .message_id = "unread-" + std::to_string(n) + "-" + run,
                                  .queue = kEventsQueue,
                                  .topic = "delegation.created",
                                  .payload = json{{"delegation_id", n},
                                                  {"manager_employee_id", 2},
                                                  {"deputy_employee_id", kMorozova},
                                                  {"starts_on", "2026-12-01"},
                                                  {"ends_on", "2026-12-14"}}
                                                 .dump()});
  };
  EXPECT_EQ(service.UnreadOf(morozova), 0);
  delegated(1);
  EXPECT_EQ(service.UnreadOf(morozova), 1);
  delegated(2);
  EXPECT_EQ(service.UnreadOf(morozova), 2);
  EXPECT_EQ(service.FeedOf(morozova, {.limit = 10}, false).unread, 2);
  const int64_t newest = repository.Feed(kMorozova, std::nullopt, 1, true).at(0).id;
  service.MarkRead(morozova, newest);
  EXPECT_EQ(service.UnreadOf(morozova), 1);
  service.MarkAllRead(morozova);
  EXPECT_EQ(service.UnreadOf(morozova), 0);
  EXPECT_EQ(repository.UnreadCount(kMorozova), 0);
}

TEST_F(NotificationDelivery, TheUnreadCountInMemoryFollowsEveryChange) {
  NotificationService service = Service(*smtp_);
  UnreadCountFollowsEveryChange(service, repository_);
}

TEST_F(NotificationDelivery, TheUnreadCountInRedisFollowsEveryChange) {
  const char* redis = std::getenv("TABEL_TEST_REDIS_URL");
  ASSERT_NE(redis, nullptr) << "run through scripts/test, which starts Redis";
  // A prefix of this test database's own: another run's counts are not ours.
  cache::RedisCache cache(redis,
                          "test-" + std::to_string(std::hash<std::string>{}(test_database_.url())) + ":",
                          std::chrono::milliseconds(1000), 2);
  NotificationService service = Service(*smtp_, nullptr, &cache);
  UnreadCountFollowsEveryChange(service, repository_);
}

TEST_F(NotificationDelivery, AMalformedEventIsRefusedForGood) {
  NotificationService service = Service(*smtp_);
  EXPECT_THROW(service.OnEvent(Event("delegation.created", "not an object", "e5")), bus::PermanentFailure);
  EXPECT_THROW(service.OnEvent(Event("delegation.created", {{"deputy_employee_id", "five"}}, "e6")),
               bus::PermanentFailure);
  EXPECT_THROW(service.OnEvent(Event("request.approved", {{"request_id", 999}}, "e7")),
               bus::PermanentFailure);
  EXPECT_THROW(service.OnEvent(Event("notification.daily", {{"date", "yesterday"}}, "e8")),
               bus::PermanentFailure);
  bus::Delivery broken = Mail(1);
  broken.payload = "{";
  EXPECT_THROW(service.OnMail(broken), bus::PermanentFailure);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications"), 0);
}

}  // namespace
}  // namespace tabel::notification
