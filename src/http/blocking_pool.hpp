#pragma once
// The bounded pool where blocking work (database, Redis, SMTP, password
// hashing) runs, so that io threads only ever wait on sockets.
// Thread-safety: Run may be called from any coroutine on any thread.

#include <atomic>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "common/error.hpp"
#include "http/asio.hpp"

namespace tabel::http {

class BlockingPool {
 public:
  // `threads` workers; at most `max_queued` calls waiting or running at once
  // (beyond that Run throws Error::Unavailable rather than queueing forever).
  BlockingPool(size_t threads, size_t max_queued) : pool_(threads), max_queued_(max_queued) {}
  ~BlockingPool() { Stop(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs `f()` on a pool thread and resumes the caller on its own executor
  // with the result, or with the exception `f` threw.
  template <class F>
  Task<std::invoke_result_t<F&>> Run(F f) {
    using Result = std::invoke_result_t<F&>;
    if (pending_.fetch_add(1) >= max_queued_) {
      pending_.fetch_sub(1);
      throw Error::Unavailable("The server is overloaded; try again shortly.").WithRetryAfter(1);
    }
    Guard guard{pending_};
    auto work = [f = std::move(f)]() mutable -> Task<Result> { co_return f(); };
    auto operation = asio::co_spawn(pool_.get_executor(), std::move(work), asio::use_awaitable);
    co_return co_await std::move(operation);
  }

  // Waits for queued work to finish and joins the threads. Idempotent.
  void Stop() { pool_.join(); }

  size_t pending() const { return pending_.load(); }

 private:
  struct Guard {
    std::atomic<size_t>& counter;
    ~Guard() { counter.fetch_sub(1); }
  };

  asio::thread_pool pool_;
  size_t max_queued_;
  std::atomic<size_t> pending_{0};
};

}  // namespace tabel::http
