#include "calendar/refresher.hpp"

#include <exception>
#include <utility>

#include "common/error.hpp"

namespace tabel::calendar {

CalendarRefresher::CalendarRefresher(CalendarService& service, log::Logger& logger,
                                     std::chrono::milliseconds interval)
    : service_(service), logger_(logger), interval_(interval) {}

CalendarRefresher::~CalendarRefresher() { Stop(); }

void CalendarRefresher::Start() {
  const std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void CalendarRefresher::Stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CalendarRefresher::Run() {
  bool failing = false;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    try {
      if (service_.Refresh()) logger_.Info("production_calendar_refreshed", {});
      if (failing) logger_.Info("production_calendar_refresh_recovered", {});
      failing = false;
    } catch (const std::exception& error) {
      // One line when the failures start, not one per tick.
      if (!failing) {
        const auto* tabel_error = dynamic_cast<const Error*>(&error);
        const std::string detail = tabel_error != nullptr && !tabel_error->internal().empty()
                                       ? tabel_error->internal()
                                       : error.what();
        logger_.Warn("production_calendar_refresh_failed", {{"error", detail}});
      }
      failing = true;
    }
    lock.lock();
  }
}

}  // namespace tabel::calendar
