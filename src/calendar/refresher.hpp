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

#include "calendar/service.hpp"
#include "infra/log/log.hpp"
#include "infra/periodic.hpp"

namespace tabel::calendar {

class CalendarRefresher {
 public:
  CalendarRefresher(CalendarService& service, log::Logger& logger, std::chrono::milliseconds interval);

  // Starts the thread (at most once; later calls do nothing).
  void Start() { task_.Start(); }
  // Wakes and joins the thread. Idempotent.
  void Stop() { task_.Stop(); }

 private:
  PeriodicTask task_;
};

}  // namespace tabel::calendar
