#include "infra/periodic.hpp"

#include <exception>
#include <utility>

#include "common/error.hpp"

namespace tabel {

PeriodicTask::PeriodicTask(log::Logger& logger, std::string event, std::chrono::milliseconds interval,
                           std::function<void()> run, bool immediately)
    : logger_(logger),
      event_(std::move(event)),
      interval_(interval),
      run_(std::move(run)),
      immediately_(immediately) {}

PeriodicTask::~PeriodicTask() { Stop(); }

void PeriodicTask::Start() {
  const std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void PeriodicTask::Stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicTask::Loop() {
  bool failing = false;
  bool first = immediately_;
  std::unique_lock lock(mutex_);
  while (first || !wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    first = false;
    lock.unlock();
    try {
      run_();
      if (failing) logger_.Info(event_ + "_recovered", {});
      failing = false;
    } catch (const std::exception& error) {
      if (!failing) {
        const auto* tabel_error = dynamic_cast<const Error*>(&error);
        const std::string detail = tabel_error != nullptr && !tabel_error->internal().empty()
                                       ? tabel_error->internal()
                                       : error.what();
        logger_.Warn(event_ + "_failed", {{"error", detail}});
      }
      failing = true;
    }
    lock.lock();
    if (stopping_) break;
  }
}

}  // namespace tabel
