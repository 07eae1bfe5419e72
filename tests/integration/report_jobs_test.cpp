// Report jobs in the database of TABEL_TEST_BACKEND: asked for with the
// outbox message that runs them, their states, a binary file kept intact,
// idempotency keys, and expiry on a clock the test moves.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "analytics/report_repository.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/uuid.hpp"
#include "infra/db/transaction.hpp"
#include "support/test_database.hpp"

namespace tabel::analytics {
namespace {

using std::chrono::hours;
using testing::TestDatabase;

class ReportJobs : public ::testing::Test {
 protected:
  ReportJob NewJob(int64_t account = 7) {
    ReportJob job;
    job.id = NewUuid();
    job.account_id = account;
    job.client_address = "127.0.0.1";
    job.spec = {ReportKind::kPayroll, 3, true, std::chrono::year(2026) / 10, std::chrono::year(2026) / 10};
    job.format = ReportFormat::kXlsx;
    job.expires_at = clock_.AsClock()() + hours(24);
    return job;
  }

  int Count(const std::string& sql) {
    return db::WithSession(*database_, [&](soci::session& session) {
      long long count = -1;
      session << sql, soci::into(count);
      return static_cast<int>(count);
    });
  }

  TestDatabase test_database_;
  std::unique_ptr<db::Database> database_ = test_database_.MakeMigrated(8);
  ManualClock clock_;
  ReportRepository repository_{*database_, clock_.AsClock()};
};

TEST_F(ReportJobs, AJobIsQueuedWithTheMessageThatRunsItAndGoesThroughItsStates) {
  const auto [job, replayed] = repository_.Insert(NewJob(), std::nullopt);
  EXPECT_FALSE(replayed);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE topic = 'report.requested'"), 1);
  const std::optional<ReportJob> queued = repository_.Find(job.id);
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->status, JobStatus::kQueued);
  EXPECT_EQ(queued->spec.department_id, 3);
  EXPECT_TRUE(queued->spec.subtree);
  EXPECT_EQ(queued->spec.kind, ReportKind::kPayroll);
  EXPECT_EQ(queued->format, ReportFormat::kXlsx);

  EXPECT_FALSE(repository_.Progress(job.id, 10));  // not running yet
  ASSERT_TRUE(repository_.Start(job.id));
  EXPECT_TRUE(repository_.Progress(job.id, 40));
  EXPECT_EQ(repository_.Find(job.id)->progress, 40);
  EXPECT_FALSE(repository_.File(job.id));

  // A zip holds NUL bytes and every other byte value: they come back as they were.
  std::string bytes = "PK\x03\x04";
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  bytes += std::string(3, '\0');
  ASSERT_TRUE(repository_.Finish(job.id, {"payroll-2026-10.xlsx", ReportFormat::kXlsx, bytes}));
  const std::optional<ReportJob> done = repository_.Find(job.id);
  EXPECT_EQ(done->status, JobStatus::kDone);
  EXPECT_EQ(done->progress, 100);
  EXPECT_EQ(done->size_bytes, static_cast<int64_t>(bytes.size()));
  EXPECT_TRUE(done->finished_at);
  const std::optional<ReportFile> file = repository_.File(job.id);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->bytes, bytes);
  EXPECT_EQ(file->name, "payroll-2026-10.xlsx");
  EXPECT_FALSE(repository_.Cancel(job.id));  // finished
}

TEST_F(ReportJobs, ACancelledJobStopsAndDoesNotStartAgain) {
  const ReportJob job = repository_.Insert(NewJob(), std::nullopt).first;
  ASSERT_TRUE(repository_.Start(job.id));
  ASSERT_TRUE(repository_.Cancel(job.id));
  EXPECT_FALSE(repository_.Progress(job.id, 50));
  EXPECT_FALSE(repository_.Finish(job.id, {"x.csv", ReportFormat::kCsv, "x"}));
  EXPECT_FALSE(repository_.Start(job.id));
  EXPECT_EQ(repository_.Find(job.id)->status, JobStatus::kCancelled);
  repository_.Fail(job.id, "late");  // changes nothing now
  EXPECT_EQ(repository_.Find(job.id)->status, JobStatus::kCancelled);
}

TEST_F(ReportJobs, ARunningJobIsNotStartedAgainWithinItsLeaseAndFailsWhenItsLastAttemptDied) {
  const ReportJob job = repository_.Insert(NewJob(), std::nullopt).first;
  ASSERT_TRUE(repository_.Start(job.id));
  EXPECT_FALSE(repository_.Start(job.id));  // a second delivery while it runs
  for (int attempt = 2; attempt <= kReportAttempts; ++attempt) {
    clock_.Advance(kReportLease + std::chrono::seconds(1));  // the run died
    EXPECT_EQ(repository_.Find(job.id)->status, JobStatus::kRunning) << attempt;
    ASSERT_TRUE(repository_.Start(job.id)) << attempt;
  }
  EXPECT_EQ(repository_.Find(job.id)->status, JobStatus::kRunning);
  clock_.Advance(kReportLease + std::chrono::seconds(1));  // and so did the last
  const std::optional<ReportJob> failed = repository_.Find(job.id);
  EXPECT_EQ(failed->status, JobStatus::kFailed);
  EXPECT_TRUE(failed->error);
  EXPECT_EQ(repository_.List(7, 100).at(0).status, JobStatus::kFailed);
}

TEST_F(ReportJobs, AnOwnerHasAFewJobsQueuedOrRunningAtOnce) {
  for (int i = 0; i < kMaxActiveJobs; ++i) repository_.Insert(NewJob(7), std::nullopt);
  try {
    repository_.Insert(NewJob(7), std::nullopt);
    ADD_FAILURE() << "one job too many was queued";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kTooManyRequests);
  }
  EXPECT_FALSE(repository_.Insert(NewJob(8), std::nullopt).second);  // another owner's
  const ReportJob first = repository_.List(7, 100).back();
  ASSERT_TRUE(repository_.Cancel(first.id));
  EXPECT_NO_THROW(repository_.Insert(NewJob(7), std::nullopt));
}

TEST_F(ReportJobs, TheSameIdempotencyKeyOfTheSameOwnerIsTheSameJob) {
  const ReportJob first = repository_.Insert(NewJob(7), std::string("k-1")).first;
  const auto [again, replayed] = repository_.Insert(NewJob(7), std::string("k-1"));
  EXPECT_TRUE(replayed);
  EXPECT_EQ(again.id, first.id);
  EXPECT_FALSE(repository_.Insert(NewJob(8), std::string("k-1")).second);  // another owner
  EXPECT_EQ(Count("SELECT COUNT(*) FROM report_jobs"), 2);
  EXPECT_EQ(repository_.List(7, 100).size(), 1U);
}

TEST_F(ReportJobs, AnExpiredJobIsGoneAndDeletedWhenTheNextIsAskedFor) {
  const ReportJob old = repository_.Insert(NewJob(), std::nullopt).first;
  ASSERT_TRUE(repository_.Start(old.id));
  ASSERT_TRUE(repository_.Finish(old.id, {"a.csv", ReportFormat::kCsv, "a;b"}));
  clock_.Advance(hours(23));
  EXPECT_TRUE(repository_.File(old.id));
  clock_.Advance(hours(2));
  EXPECT_FALSE(repository_.Find(old.id));
  EXPECT_FALSE(repository_.File(old.id));
  EXPECT_TRUE(repository_.List(7, 100).empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM report_jobs"), 1);
  const ReportJob fresh = repository_.Insert(NewJob(), std::nullopt).first;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM report_jobs"), 1);
  EXPECT_TRUE(repository_.Find(fresh.id));
}

}  // namespace
}  // namespace tabel::analytics
