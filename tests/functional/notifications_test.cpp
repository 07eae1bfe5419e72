// Notifications over HTTP on the demo company: who is told of each event —
// exactly, one test per event, and all of them at once in a department of
// thirty, where a decision on one person's request must reach that person
// only — the mails in TABEL_MAIL_DIR, the feed with read marks, the mail
// preferences and the unsubscribe link, and bad input. On the embedded queue,
// and on RabbitMQ in the PostgreSQL pass (TABEL_TEST_TRANSPORT=amqp).
//
// The demo company (users/seed.cpp): employee (4) works in IT-DEV (3) under
// Sokolova (3, no login), in IT (2) headed by manager (2), the approver of
// employee's requests. hr (12) is the one employee who approves for the
// whole company (admin has no employee). The heads of the eight
// departments: 1, 2, 3, 6, 8, 9, 11, 13.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/date.hpp"
#include "infra/bus/outbox.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"
#include "support/days.hpp"
#include "support/demo_server.hpp"
#include "support/eventually.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using People = std::set<int64_t>;

constexpr int64_t kManager = 2;
constexpr int64_t kSokolova = 3;
constexpr int64_t kEmployee = 4;
constexpr int64_t kMorozova = 5;
constexpr int64_t kHr = 12;
const People kHeads = {1, 2, 3, 6, 8, 9, 11, 13};

std::filesystem::path MakeMailDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tabel-mail-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

class Notifications : public ::testing::Test {
 protected:
  // On the embedded queue, or on RabbitMQ in the PostgreSQL pass.
  Notifications() : mail_dir_(MakeMailDir()), server_({{"TABEL_MAIL_DIR", mail_dir_.string()}}) {}
  ~Notifications() override { std::filesystem::remove_all(mail_dir_); }

  HttpResponse Call(const std::string& login, const std::string& method, const std::string& target,
                    const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    return server_.Call(login, method, target, body, std::move(headers));
  }

  json Create(const std::string& login, const json& body) {
    const HttpResponse response = Call(login, "POST", "/api/v1/requests", body.dump());
    EXPECT_EQ(response.status, 201) << body.dump() << " -> " << response.body;
    return json::parse(response.body);
  }

  void Transit(const std::string& login, int64_t id, const std::string& action, const json& body = {}) {
    const HttpResponse response = Call(login, "POST", "/api/v1/requests/" + std::to_string(id) + "/" + action,
                                       body.is_null() ? "" : body.dump());
    EXPECT_EQ(response.status, 200) << action << " -> " << response.body;
  }

  // Waits (up to 20 s) until every due event was published and every message
  // routed to a notification queue was handled — done or dead, as the
  // server's tabel_tasks_processed_total counts on either transport. (Queue
  // depths of zero would not do: RabbitMQ does not count the messages its
  // consumers hold.) The counter is read before the outbox: a message handled
  // by then wrote its mails' outbox rows by then, so they are counted too.
  void WaitIdle() {
    const std::map<std::string, std::vector<std::string>>& queues = NotificationQueues();
    const auto idle = [&] {
      const std::string metrics = Call("", "GET", "/metrics").body;
      bool drained = Count("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL AND available_at <= '" +
                           Now() + "'") == 0;
      for (const auto& [queue, topics] : queues) {
        std::string in;
        for (const std::string& topic : topics) in += (in.empty() ? "'" : ", '") + topic + "'";
        const long long routed =
            Count("SELECT COUNT(*) FROM outbox WHERE published_at IS NOT NULL AND topic IN (" + in + ")");
        drained = drained && Handled(metrics, queue, "done") + Handled(metrics, queue, "dead") >= routed;
      }
      return drained;
    };
    if (!Eventually(idle, std::chrono::seconds(20), std::chrono::milliseconds(50))) {
      ADD_FAILURE() << "the notification queues did not drain";
    }
  }

  // The notification queues and their topics, as an operator sees them.
  const std::map<std::string, std::vector<std::string>>& NotificationQueues() {
    if (!notification_queues_.empty()) return notification_queues_;
    const HttpResponse response = Call("admin", "GET", "/api/v1/admin/queues");
    EXPECT_EQ(response.status, 200) << response.body;
    const json overview = json::parse(response.body);
    for (const json& queue : overview.at("queues")) {
      const std::string name = queue.at("name");
      if (name.starts_with("notification.")) notification_queues_[name] = queue.at("topics");
    }
    EXPECT_EQ(notification_queues_.size(), 3U);
    return notification_queues_;
  }

  static long long Handled(const std::string& metrics, const std::string& queue, const std::string& outcome) {
    const std::string series =
        "\ntabel_tasks_processed_total{queue=\"" + queue + "\",outcome=\"" + outcome + "\"} ";
    const size_t at = metrics.find(series);
    return at == std::string::npos ? 0 : std::stoll(metrics.substr(at + series.size()));
  }

  static std::string Now() { return db::FormatTimestamp(std::chrono::system_clock::now()); }

  long long Count(const std::string& sql) {
    return db::WithSession(Database(), [&](soci::session& session) {
      long long count = 0;
      session << sql, soci::into(count);
      return count;
    });
  }

  // Who was told of `event` (about `request_id`, when given).
  People Told(const std::string& event, std::optional<int64_t> request_id = std::nullopt) {
    WaitIdle();
    std::string sql = "SELECT recipient_employee_id FROM notifications WHERE event = '" + event + "'";
    if (request_id) sql += " AND request_id = " + std::to_string(*request_id);
    return db::WithSession(Database(), [&](soci::session& session) {
      People people;
      long long id = 0;
      soci::statement statement = (session.prepare << sql, soci::into(id));
      statement.execute(false);
      while (statement.fetch()) people.insert(id);
      return people;
    });
  }

  // Publishes an event as its service would, through the outbox.
  void Publish(const std::string& topic, const json& payload) {
    db::WithWriteTransaction(Database(), [&](soci::session& session) {
      bus::Outbox(SystemClock()).Add(session, {.topic = topic, .payload = payload.dump()});
    });
  }

  void Execute(const std::string& sql) {
    db::WithWriteTransaction(Database(), [&](soci::session& session) { session << sql; });
  }

  // A header of a message, unfolded.
  static std::string Header(const std::string& message, const std::string& name) {
    size_t at = message.find("\r\n" + name + ": ");
    if (at == std::string::npos) return "";
    at += name.size() + 4;
    std::string value;
    for (size_t end = message.find("\r\n", at);; at = end + 2, end = message.find("\r\n", at)) {
      value += message.substr(at, end - at);
      if (message[end + 2] != ' ' && message[end + 2] != '\t') break;
    }
    return value;
  }

  static std::string Read(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  }

  // The .eml files written so far, by recipient address.
  std::multiset<std::string> MailedTo() {
    WaitIdle();
    std::multiset<std::string> to;
    for (const auto& entry : std::filesystem::directory_iterator(mail_dir_)) {
      if (entry.path().extension() != ".eml") continue;
      const std::string header = Header("\r\n" + Read(entry.path()), "To");
      const size_t open = header.find('<'), close = header.find('>');
      to.insert(header.substr(open + 1, close - open - 1));
    }
    return to;
  }

  // The mail of notification `id` (its file is named by its Message-ID).
  std::string MailOf(int64_t id) {
    WaitIdle();
    const std::filesystem::path path = mail_dir_ / (std::to_string(id) + "@localhost.eml");
    return std::filesystem::exists(path) ? "\r\n" + Read(path) : "";
  }

  json Feed(const std::string& login, const std::string& query = "") {
    WaitIdle();
    const HttpResponse response = Call(login, "GET", "/api/v1/notifications" + query);
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body);
  }

  // The badge: GET /api/v1/notifications/unread-count.
  int64_t UnreadCount(const std::string& login) {
    WaitIdle();
    const HttpResponse response = Call(login, "GET", "/api/v1/notifications/unread-count");
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body).at("unread").get<int64_t>();
  }

  db::Database& Database() {
    if (!database_) database_ = server_.database().MakeDatabase(1);
    return *database_;
  }

  json Vacation(const std::string& from, const std::string& to) {
    return {{"type", "vacation"}, {"start_date", from}, {"end_date", to}, {"submit", true}};
  }

  std::filesystem::path mail_dir_;
  DemoServer server_;
  std::unique_ptr<db::Database> database_;
  std::map<std::string, std::vector<std::string>> notification_queues_;  // by NotificationQueues
};

// ---- one test per event ----

TEST_F(Notifications, SubmittedGoesToTheApproverOfTheStepOnly) {
  const json request = Create("employee", Vacation(InFarYear("03-02"), InFarYear("03-15")));
  EXPECT_EQ(Told("request.submitted", request.at("id")), People{kManager});
  const json feed = Feed("manager");
  ASSERT_EQ(feed.at("items").size(), feed.at("unread").get<size_t>());
  const json& item = feed.at("items").at(0);
  EXPECT_EQ(item.at("event"), "request.submitted");
  EXPECT_EQ(item.at("title"), "На согласование: Ежегодный оплачиваемый отпуск, Петров Иван Сергеевич");
  EXPECT_THAT(item.at("body").get<std::string>(), ::testing::HasSubstr("(14 дн.)"));
  EXPECT_EQ(item.at("link"), "/api/v1/requests/" + std::to_string(request.at("id").get<int64_t>()));
  EXPECT_EQ(item.at("read"), false);
  const std::string mail = MailOf(item.at("id"));
  EXPECT_THAT(Header(mail, "To"), ::testing::EndsWith(" <manager@demo.tabel.local>"));
  EXPECT_EQ(Header(mail, "Message-ID"), "<" + std::to_string(item.at("id").get<int64_t>()) + "@localhost>");
}

TEST_F(Notifications, SubmittedReachesTheApproversActiveDeputyToo) {
  const HttpResponse delegated =
      Call("manager", "POST", "/api/v1/delegations",
           json{{"deputy_employee_id", kMorozova}, {"starts_on", Day(-1)}, {"ends_on", Day(30)}}.dump());
  ASSERT_EQ(delegated.status, 201) << delegated.body;
  const json request = Create("employee", Vacation(InFarYear("04-06"), InFarYear("04-19")));
  EXPECT_EQ(Told("request.submitted", request.at("id")), (People{kManager, kMorozova}));
}

TEST_F(Notifications, DelegationStartedGoesToTheDeputyOnly) {
  const HttpResponse delegated =
      Call("manager", "POST", "/api/v1/delegations",
           json{{"deputy_employee_id", kMorozova}, {"starts_on", Day(1)}, {"ends_on", Day(10)}}.dump());
  ASSERT_EQ(delegated.status, 201) << delegated.body;
  EXPECT_EQ(Told("delegation.created"), People{kMorozova});
  const std::string body = Count(
                               "SELECT COUNT(*) FROM notifications WHERE event = 'delegation.created' "
                               "AND body LIKE '%Кузнецов Андрей Викторович%'") == 1
                               ? "names the manager"
                               : "does not name the manager";
  EXPECT_EQ(body, "names the manager");
}

TEST_F(Notifications, StepApprovedGoesToTheApproversOfTheNextStep) {
  // Unpaid leave: the manager, then hr.
  const json request = Create("employee", {{"type", "unpaid_leave"},
                                           {"start_date", InFarYear("05-11")},
                                           {"end_date", InFarYear("05-12")},
                                           {"submit", true}});
  Transit("manager", request.at("id"), "approve");
  EXPECT_EQ(Told("request.step_approved", request.at("id")), People{kHr});
  EXPECT_THAT(Told("request.approved", request.at("id")), IsEmpty());
}

TEST_F(Notifications, ApprovedGoesToTheEmployeeOnly) {
  const json request = Create("employee", Vacation(InFarYear("06-01"), InFarYear("06-14")));
  Transit("manager", request.at("id"), "approve", {{"comment", "Хорошего отдыха"}});
  EXPECT_EQ(Told("request.approved", request.at("id")), People{kEmployee});
  const json item = Feed("employee").at("items").at(0);
  EXPECT_EQ(item.at("title"), "Заявка согласована: Ежегодный оплачиваемый отпуск, с " +
                                  std::to_string(FarYear()).insert(0, "01.06.") + " по " +
                                  std::to_string(FarYear()).insert(0, "14.06.") + " (14 дн.)");
  EXPECT_THAT(item.at("body").get<std::string>(), ::testing::HasSubstr("Комментарий: Хорошего отдыха"));
}

TEST_F(Notifications, RejectedGoesToTheEmployeeOnlyWithTheReason) {
  const json request = Create("employee", Vacation(InFarYear("07-06"), InFarYear("07-19")));
  Transit("manager", request.at("id"), "reject", {{"comment", "Сдача проекта"}});
  EXPECT_EQ(Told("request.rejected", request.at("id")), People{kEmployee});
  EXPECT_THAT(Feed("employee").at("items").at(0).at("body").get<std::string>(),
              ::testing::HasSubstr("Причина: Сдача проекта"));
}

TEST_F(Notifications, CancelledGoesToTheEmployeeOnly) {
  const json request = Create("employee", Vacation(InFarYear("08-03"), InFarYear("08-16")));
  Transit("manager", request.at("id"), "approve");
  Transit("hr", request.at("id"), "cancel", {{"comment", "Перенос"}});
  EXPECT_EQ(Told("request.cancelled", request.at("id")), People{kEmployee});
}

TEST_F(Notifications, PendingTooLongRemindsTheApproverOncePerDay) {
  const json request = Create("employee", Vacation(InFarYear("09-07"), InFarYear("09-20")));
  const std::string id = std::to_string(request.at("id").get<int64_t>());
  // Four days without a decision.
  Execute("UPDATE requests SET updated_at = '" +
          db::FormatTimestamp(std::chrono::system_clock::now() - std::chrono::days{4}) +
          "' WHERE id = " + id);
  Publish("notification.daily", {{"date", Day(0)}});
  Publish("notification.daily", {{"date", Day(0)}});  // the same day again: no second reminder
  EXPECT_EQ(Told("request.pending_too_long", request.at("id")), People{kManager});
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE event = 'request.pending_too_long'"), 1);
  Publish("notification.daily", {{"date", Day(1)}});  // the next day: reminded again
  WaitIdle();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE event = 'request.pending_too_long'"), 2);
}

TEST_F(Notifications, AbsenceStartingInThreeDaysIsToldToItsEmployeeOnly) {
  const json request = Create("employee", {{"type", "unpaid_leave"},
                                           {"start_date", InFarYear("10-12")},
                                           {"end_date", InFarYear("10-13")},
                                           {"submit", true}});
  Transit("manager", request.at("id"), "approve");
  Transit("hr", request.at("id"), "approve");
  const Date start = *ParseIsoDate(InFarYear("10-12"));
  Publish("notification.daily", {{"date", FormatIsoDate(start - std::chrono::days{4})}});
  EXPECT_THAT(Told("vacation.starts_soon", request.at("id")), IsEmpty());
  Publish("notification.daily", {{"date", FormatIsoDate(start - std::chrono::days{3})}});
  EXPECT_EQ(Told("vacation.starts_soon", request.at("id")), People{kEmployee});
}

TEST_F(Notifications, MonthClosingGoesToEveryHeadOfDepartmentOnce) {
  // December 2026 closes on its last working day; the 1st is far from it.
  Publish("notification.daily", {{"date", "2026-12-01"}});
  WaitIdle();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE event_id = 'month.closing_soon:2026-12'"), 0);
  Publish("notification.daily", {{"date", "2026-12-28"}});
  Publish("notification.daily", {{"date", "2026-12-29"}});
  WaitIdle();
  EXPECT_EQ(db::WithSession(Database(),
                            [&](soci::session& session) {
                              People people;
                              long long id = 0;
                              soci::statement statement =
                                  (session.prepare << "SELECT recipient_employee_id FROM notifications WHERE "
                                                      "event_id = 'month.closing_soon:2026-12'",
                                   soci::into(id));
                              statement.execute(false);
                              while (statement.fetch()) people.insert(id);
                              return people;
                            }),
            kHeads);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE event_id = 'month.closing_soon:2026-12'"),
            static_cast<long long>(kHeads.size()));
}

TEST_F(Notifications, LetterNeedingCorrectionsGoesToItsAuthorWithEveryProblem) {
  Publish("resignation_letter.needs_corrections", {{"letter_id", 7},
                                                   {"author_employee_id", kEmployee},
                                                   {"received_on", Day(0)},
                                                   {"problems", {"Нет даты увольнения", "Нет подписи"}}});
  EXPECT_EQ(Told("resignation_letter.needs_corrections"), People{kEmployee});
  const std::string body = Feed("employee").at("items").at(0).at("body");
  EXPECT_THAT(body, ::testing::HasSubstr("- Нет даты увольнения\n- Нет подписи"));
}

// ---- every event in a department of thirty ----

TEST_F(Notifications, InADepartmentOfThirtyEachEventReachesExactlyItsPeople) {
  // IT-DEV grows to 30: Sokolova (its head), employee, Morozova and 27 more.
  std::vector<int64_t> department = {kSokolova, kEmployee, kMorozova};
  for (int i = 0; i < 27; ++i) {
    const std::string number = "N30-" + std::to_string(i);
    const HttpResponse hired = Call("hr", "POST", "/api/v1/employees",
                                    json{{"personnel_number", number},
                                         {"last_name", "Новикова"},
                                         {"first_name", "Анна"},
                                         {"email", "n30-" + std::to_string(i) + "@demo.tabel.local"},
                                         {"position_id", 1},
                                         {"department_id", 3},
                                         {"schedule_id", 1},
                                         {"hire_date", "2020-01-15"},
                                         {"salary_kopecks", 10000000}}
                                        .dump());
    ASSERT_EQ(hired.status, 201) << hired.body;
    department.push_back(json::parse(hired.body).at("id"));
  }
  ASSERT_EQ(department.size(), 30U);
  // hr files a request for five of them, and each takes another way.
  const auto file = [&](int64_t person, const char* type, const char* from, const char* to) {
    return Create("hr", {{"type", type},
                         {"employee_id", person},
                         {"start_date", InFarYear(from)},
                         {"end_date", InFarYear(to)},
                         {"submit", true}})
        .at("id")
        .get<int64_t>();
  };
  const int64_t approved = file(department[3], "vacation", "02-02", "02-15");
  const int64_t rejected = file(department[4], "vacation", "02-02", "02-15");
  const int64_t cancelled = file(department[5], "vacation", "02-02", "02-15");
  const int64_t two_steps = file(department[6], "unpaid_leave", "02-02", "02-03");
  const int64_t pending = file(department[7], "vacation", "02-02", "02-15");
  Transit("manager", approved, "approve");
  Transit("manager", rejected, "reject", {{"comment", "Нет замены"}});
  Transit("manager", cancelled, "approve");
  Transit("hr", cancelled, "cancel");
  Transit("manager", two_steps, "approve");
  Transit("hr", two_steps, "approve");
  WaitIdle();

  // Every notification about these requests, by event and request.
  std::map<std::pair<std::string, int64_t>, People> told;
  db::WithSession(Database(), [&](soci::session& session) {
    std::string event;
    long long request = 0, person = 0;
    soci::statement statement = (session.prepare << "SELECT event, request_id, recipient_employee_id "
                                                    "FROM notifications WHERE request_id IS NOT NULL",
                                 soci::into(event), soci::into(request), soci::into(person));
    statement.execute(false);
    while (statement.fetch()) told[{event, request}].insert(person);
  });
  const std::map<std::pair<std::string, int64_t>, People> expected = {
      {{"request.submitted", approved}, {kManager}},       {{"request.submitted", rejected}, {kManager}},
      {{"request.submitted", cancelled}, {kManager}},      {{"request.submitted", two_steps}, {kManager}},
      {{"request.submitted", pending}, {kManager}},        {{"request.approved", approved}, {department[3]}},
      {{"request.rejected", rejected}, {department[4]}},   {{"request.approved", cancelled}, {department[5]}},
      {{"request.cancelled", cancelled}, {department[5]}}, {{"request.step_approved", two_steps}, {kHr}},
      {{"request.approved", two_steps}, {department[6]}},
  };
  EXPECT_EQ(told, expected);
  // Nobody else in the department heard of anyone's request.
  const People own = {department[3], department[4], department[5], department[6]};
  for (const int64_t person : department) {
    if (own.contains(person)) continue;
    EXPECT_EQ(
        Count("SELECT COUNT(*) FROM notifications WHERE request_id IS NOT NULL AND recipient_employee_id = " +
              std::to_string(person)),
        0)
        << "employee " << person;
  }
  // Each of those mails went to its one person.
  const std::multiset<std::string> mailed = MailedTo();
  EXPECT_EQ(mailed.count("n30-0@demo.tabel.local"), 1U);  // approved
  EXPECT_EQ(mailed.count("n30-1@demo.tabel.local"), 1U);  // rejected
  EXPECT_EQ(mailed.count("n30-2@demo.tabel.local"), 2U);  // approved, then cancelled
  EXPECT_EQ(mailed.count("n30-3@demo.tabel.local"), 1U);  // approved after two steps
  EXPECT_EQ(mailed.count("n30-4@demo.tabel.local"), 0U);  // still pending: nothing yet
  for (int i = 5; i < 27; ++i) EXPECT_EQ(mailed.count("n30-" + std::to_string(i) + "@demo.tabel.local"), 0U);
}

// ---- the feed, read marks, preferences ----

TEST_F(Notifications, FeedPagesNewestFirstAndKeepsReadMarks) {
  for (const char* month : {"02", "03", "04"}) {
    Create("employee", Vacation(InFarYear((std::string(month) + "-02").c_str()),
                                InFarYear((std::string(month) + "-15").c_str())));
  }
  WaitIdle();
  const json first = Feed("manager", "?limit=2&unread=true");
  ASSERT_EQ(first.at("items").size(), 2U);
  const int64_t newest = first.at("items").at(0).at("id");
  EXPECT_GT(newest, first.at("items").at(1).at("id").get<int64_t>());
  const int64_t unread = first.at("unread");
  ASSERT_TRUE(first.at("next_cursor").is_string()) << first.dump();
  const json second =
      Feed("manager", "?limit=2&unread=true&cursor=" + first.at("next_cursor").get<std::string>());
  EXPECT_LT(second.at("items").at(0).at("id").get<int64_t>(),
            first.at("items").at(1).at("id").get<int64_t>());

  const HttpResponse read =
      Call("manager", "POST", "/api/v1/notifications/" + std::to_string(newest) + "/read");
  ASSERT_EQ(read.status, 200) << read.body;
  const json after = Feed("manager");
  EXPECT_EQ(after.at("unread"), unread - 1);
  EXPECT_EQ(UnreadCount("manager"), unread - 1);
  EXPECT_EQ(after.at("items").at(0).at("read"), true);
  EXPECT_TRUE(after.at("items").at(0).at("read_at").is_string());
  // Another person's notification is not found, and stays unread.
  EXPECT_EQ(Call("employee", "POST",
                 "/api/v1/notifications/" + std::to_string(after.at("items").at(1).at("id").get<int64_t>()) +
                     "/read")
                .status,
            404);
  EXPECT_EQ(Feed("manager").at("unread"), unread - 1);
  const HttpResponse all = Call("manager", "POST", "/api/v1/notifications/read-all");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(json::parse(all.body).at("marked"), unread - 1);
  EXPECT_EQ(Feed("manager").at("unread"), 0);
  EXPECT_EQ(UnreadCount("manager"), 0);
  EXPECT_THAT(Feed("manager", "?unread=true").at("items"), IsEmpty());
  // A new notification counts at once (the count is cached until it changes).
  Create("employee", Vacation(InFarYear("05-04"), InFarYear("05-15")));
  WaitIdle();
  EXPECT_EQ(UnreadCount("manager"), 1);
}

TEST_F(Notifications, APersonTurnsAnEventsMailOffAndTheFeedStillHasIt) {
  const HttpResponse before = Call("employee", "GET", "/api/v1/notifications/preferences");
  ASSERT_EQ(before.status, 200);
  EXPECT_THAT(json::parse(before.body).at("items"),
              ::testing::Contains(json{{"event", "request.approved"}, {"mail", true}}));
  const HttpResponse put =
      Call("employee", "PUT", "/api/v1/notifications/preferences", json{{"request.approved", false}}.dump());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_THAT(json::parse(put.body).at("items"),
              ::testing::Contains(json{{"event", "request.approved"}, {"mail", false}}));

  const json request = Create("employee", Vacation(InFarYear("06-01"), InFarYear("06-14")));
  Transit("manager", request.at("id"), "approve");
  EXPECT_EQ(Told("request.approved", request.at("id")), People{kEmployee});
  EXPECT_EQ(MailedTo().count("employee@demo.tabel.local"), 0U);
  EXPECT_EQ(Feed("employee").at("items").at(0).at("event"), "request.approved");
}

TEST_F(Notifications, TheUnsubscribeLinkOfAMailTurnsThatMailOff) {
  Create("employee", Vacation(InFarYear("06-01"), InFarYear("06-14")));
  // The link is in the manager's mail.
  const json item = Feed("manager", "?limit=1").at("items").at(0);
  ASSERT_EQ(item.at("event"), "request.submitted");
  std::string link = Header(MailOf(item.at("id")), "List-Unsubscribe");
  link = link.substr(1, link.size() - 2);
  const size_t path = link.find("/api/v1/notifications/unsubscribe?token=");
  ASSERT_NE(path, std::string::npos) << link;
  const HttpResponse unsubscribed = Call("", "POST", link.substr(path));
  ASSERT_EQ(unsubscribed.status, 200) << unsubscribed.body;
  EXPECT_EQ(json::parse(unsubscribed.body).at("event"), "request.submitted");
  EXPECT_THAT(json::parse(Call("manager", "GET", "/api/v1/notifications/preferences").body).at("items"),
              ::testing::Contains(json{{"event", "request.submitted"}, {"mail", false}}));
  // A forged or mangled token is refused, naming it.
  std::string forged = link.substr(path);
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  const HttpResponse refused = Call("", "GET", forged);
  EXPECT_EQ(refused.status, 400);
  EXPECT_THAT(ProblemFields(refused), ElementsAre("token"));
  EXPECT_THAT(ProblemFields(Call("", "GET", "/api/v1/notifications/unsubscribe")), ElementsAre("token"));
}

TEST_F(Notifications, BadInputIsRefusedNamingTheField) {
  EXPECT_EQ(Call("", "GET", "/api/v1/notifications").status, 401);
  HttpResponse response = Call("employee", "GET", "/api/v1/notifications?limit=0");
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(ProblemFields(response), ElementsAre("limit"));
  response = Call("employee", "GET", "/api/v1/notifications?unread=maybe");
  EXPECT_THAT(ProblemFields(response), ElementsAre("unread"));
  response = Call("employee", "GET", "/api/v1/notifications?colour=red");
  EXPECT_THAT(ProblemFields(response), ElementsAre("colour"));
  response = Call("employee", "GET", "/api/v1/notifications/unread-count?limit=5");
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(ProblemFields(response), ElementsAre("limit"));
  EXPECT_EQ(Call("", "GET", "/api/v1/notifications/unread-count").status, 401);
  EXPECT_EQ(Call("employee", "POST", "/api/v1/notifications/abc/read").status, 400);
  EXPECT_EQ(Call("employee", "POST", "/api/v1/notifications/999999/read").status, 404);
  response = Call("employee", "PUT", "/api/v1/notifications/preferences", "{not json");
  EXPECT_EQ(response.status, 400);
  response = Call("employee", "PUT", "/api/v1/notifications/preferences", "[true]");
  EXPECT_EQ(response.status, 400);
  response =
      Call("employee", "PUT", "/api/v1/notifications/preferences", json{{"request.approved", "no"}}.dump());
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(ProblemFields(response), ElementsAre("request.approved"));
  // A mail nobody may turn off, and an event that does not exist.
  response = Call("employee", "PUT", "/api/v1/notifications/preferences",
                  json{{"resignation_letter.needs_corrections", false}, {"request.nothing", false}}.dump());
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(ProblemFields(response),
              UnorderedElementsAre("resignation_letter.needs_corrections", "request.nothing"));
  response = Call("employee", "PUT", "/api/v1/notifications/preferences",
                  "{\"request.approved\": false, \"pad\": \"" + std::string(9000, 'x') + "\"}");
  EXPECT_EQ(response.status, 413);
}

}  // namespace
}  // namespace tabel::testing
