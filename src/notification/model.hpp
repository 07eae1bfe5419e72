#pragma once
// What the notification service keeps and the names it is reached by on the
// bus. Thread-safety: plain values.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace tabel::notification {

// The queue of the events people are told of (every topic of a recipient
// rule).
inline constexpr const char* kEventsQueue = "notification.events";
// The queue of the daily reminders (a run over the whole company: a long lease).
inline constexpr const char* kDailyQueue = "notification.daily";
// One message per mail to send: {"notification_id": N}, id "mail:<N>".
inline constexpr const char* kMailQueue = "notification.mail";
inline constexpr const char* kMailTopic = "notification.mail";
// The daily reminders: {"date": "YYYY-MM-DD"}, id "notification.daily:<date>",
// due at the reminder hour of that day.
inline constexpr const char* kDailyTopic = "notification.daily";

struct Notification {
  int64_t id = 0;
  std::string event;  // "request.approved"
  std::optional<int64_t> request_id;
  std::string title;
  std::string body;
  std::optional<std::string> link;  // the API path of what it is about
  std::chrono::system_clock::time_point created_at;
  std::optional<std::chrono::system_clock::time_point> read_at;
};

// Whether one optional event reaches a person's mailbox.
struct Preference {
  std::string event;
  bool mail = true;
};

}  // namespace tabel::notification
