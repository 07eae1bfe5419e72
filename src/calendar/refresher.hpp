#pragma once
// Keeps a replica's production calendar fresh: a thread of its own polls
// the revision of hr's edits (one row) every interval and reloads the edits
// when another replica changed them, so every process sees an edit within
// about one interval. Callers of ProductionCalendar never wait for it: they
// read the snapshot in place, and a database that is down only leaves it
// as it was (logged, retried at the next tick). Each poll is bounded by
// the database's own deadlines (a lease waits up to its acquire timeout,
// PostgreSQL statements run under tcp_user_timeout) and loads at most
// CalendarRepository::kMaxEdits rows.
//
// Thread-safety: Start and Stop from the owning thread only; the service
// it refreshes must outlive it.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "calendar/service.hpp"
#include "infra/log/log.hpp"

namespace tabel::calendar {

class CalendarRefresher {
 public:
  CalendarRefresher(CalendarService& service, log::Logger& logger, std::chrono::milliseconds interval);
  ~CalendarRefresher();
  CalendarRefresher(const CalendarRefresher&) = delete;
  CalendarRefresher& operator=(const CalendarRefresher&) = delete;

  // Starts the thread (at most once; later calls do nothing).
  void Start();
  // Wakes and joins the thread. Idempotent.
  void Stop();

 private:
  void Run();

  CalendarService& service_;
  log::Logger& logger_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tabel::calendar
