#include "infra/db/transaction.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

namespace tabel::db {

WriteTransaction::WriteTransaction(Lease& lease) : lease_(lease) {
  lease_.session() << (lease_.dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
  open_ = true;
}

WriteTransaction::~WriteTransaction() {
  if (!open_) return;
  try {
    lease_.session() << "ROLLBACK";
  } catch (...) {
    lease_.MarkBroken();
  }
}

void WriteTransaction::Commit() {
  lease_.session() << "COMMIT";
  open_ = false;
}

namespace detail {

void BackoffBeforeRetry(int next_attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  const int exponent = std::clamp(next_attempt - 2, 0, 6);
  const int ceiling_ms = 10 << exponent;
  std::uniform_int_distribution<int> jitter(1, ceiling_ms);
  std::this_thread::sleep_for(std::chrono::milliseconds(jitter(random)));
}

}  // namespace detail
}  // namespace tabel::db
