#pragma once
// A task run on a thread of its own every interval, off every request's
// path: a replica's refresh of shared state, a sample of a remote figure.
// A failing run is logged once when the failures start ("<event>_failed",
// with the error) and once when a run succeeds again ("<event>_recovered"),
// not once per tick; the next run comes at the next tick anyway. Stop()
// wakes the thread at once: it waits only for a run in progress, which the
// task bounds by its own deadlines.
//
// Thread-safety: Start and Stop from the owning thread only; `run` is
// called on the task's thread, one run at a time, and whatever it uses must
// outlive the PeriodicTask.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "infra/log/log.hpp"

namespace tabel {

class PeriodicTask {
 public:
  // `event` names the log lines; `immediately`: the first run at Start,
  // else one interval after it.
  PeriodicTask(log::Logger& logger, std::string event, std::chrono::milliseconds interval,
               std::function<void()> run, bool immediately = false);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Starts the thread (at most once; later calls, and calls after Stop, do
  // nothing).
  void Start();
  // Wakes and joins the thread. Idempotent.
  void Stop();

 private:
  void Loop();

  log::Logger& logger_;
  const std::string event_;
  const std::chrono::milliseconds interval_;
  const std::function<void()> run_;
  const bool immediately_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace tabel
