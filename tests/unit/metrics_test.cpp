#include "infra/metrics/metrics.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace tabel::metrics {
namespace {

TEST(Metrics, RendersCounterSeriesSortedByLabelValues) {
  Registry registry;
  auto& requests = registry.AddCounter("http_requests_total", "HTTP requests served.", {"method", "status"});
  requests.WithLabels({"POST", "201"}).Inc();
  requests.WithLabels({"GET", "200"}).Inc(2);
  requests.WithLabels({"GET", "200"}).Inc();
  requests.WithLabels({"GET", "404"}).Inc(0.5);
  requests.WithLabels({"GET", "404"}).Inc(-3);  // ignored: counters never decrease

  EXPECT_EQ(registry.Render(),
            "# HELP http_requests_total HTTP requests served.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{method=\"GET\",status=\"200\"} 3\n"
            "http_requests_total{method=\"GET\",status=\"404\"} 0.5\n"
            "http_requests_total{method=\"POST\",status=\"201\"} 1\n");
}

TEST(Metrics, CounterIgnoresNegativeAndNaNIncrements) {
  Registry registry;
  Counter& counter = registry.AddCounter("events_total", "Events.", {}).WithLabels({});
  counter.Inc(4);
  counter.Inc(-1);
  counter.Inc(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(counter.Value(), 4.0);
}

TEST(Metrics, RendersGaugesInRegistrationOrder) {
  Registry registry;
  auto& queue = registry.AddGauge("queue_depth", "Messages waiting.", {"queue"});
  auto& in_use = registry.AddGauge("db_connections_in_use", "Connections leased from the pool.", {});
  in_use.WithLabels({}).Set(5);
  in_use.WithLabels({}).Inc();
  in_use.WithLabels({}).Dec(2.5);
  queue.WithLabels({"mail"}).Set(-2);
  queue.WithLabels({"agent"}).Inc(7);

  EXPECT_EQ(registry.Render(),
            "# HELP queue_depth Messages waiting.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth{queue=\"agent\"} 7\n"
            "queue_depth{queue=\"mail\"} -2\n"
            "# HELP db_connections_in_use Connections leased from the pool.\n"
            "# TYPE db_connections_in_use gauge\n"
            "db_connections_in_use 3.5\n");
}

TEST(Metrics, UnlabelledFamilyStartsAtZeroAndEmptyLabelledFamilyIsOmitted) {
  Registry registry;
  registry.AddCounter("unused_labelled_total", "Never used.", {"kind"});
  registry.AddCounter("started_total", "Starts.", {});
  registry.AddHistogram("idle_seconds", "Idle.", {}, {1});

  EXPECT_EQ(registry.Render(),
            "# HELP started_total Starts.\n"
            "# TYPE started_total counter\n"
            "started_total 0\n"
            "# HELP idle_seconds Idle.\n"
            "# TYPE idle_seconds histogram\n"
            "idle_seconds_bucket{le=\"1\"} 0\n"
            "idle_seconds_bucket{le=\"+Inf\"} 0\n"
            "idle_seconds_sum 0\n"
            "idle_seconds_count 0\n");
}

TEST(Metrics, RendersHistogramWithCumulativeBucketsSumAndCount) {
  Registry registry;
  // Binary fractions, so the sum is exact.
  auto& latency = registry.AddHistogram("job_seconds", "Job duration.", {"job"}, {0.25, 0.5, 1, 2.5});
  Histogram& export_job = latency.WithLabels({"export"});
  for (const double seconds : {0.125, 0.25, 0.75, 2.0, 4.0, 8.0}) export_job.Observe(seconds);
  latency.WithLabels({"digest"}).Observe(0.5);

  EXPECT_EQ(registry.Render(),
            "# HELP job_seconds Job duration.\n"
            "# TYPE job_seconds histogram\n"
            "job_seconds_bucket{job=\"digest\",le=\"0.25\"} 0\n"
            "job_seconds_bucket{job=\"digest\",le=\"0.5\"} 1\n"
            "job_seconds_bucket{job=\"digest\",le=\"1\"} 1\n"
            "job_seconds_bucket{job=\"digest\",le=\"2.5\"} 1\n"
            "job_seconds_bucket{job=\"digest\",le=\"+Inf\"} 1\n"
            "job_seconds_sum{job=\"digest\"} 0.5\n"
            "job_seconds_count{job=\"digest\"} 1\n"
            "job_seconds_bucket{job=\"export\",le=\"0.25\"} 2\n"
            "job_seconds_bucket{job=\"export\",le=\"0.5\"} 2\n"
            "job_seconds_bucket{job=\"export\",le=\"1\"} 3\n"
            "job_seconds_bucket{job=\"export\",le=\"2.5\"} 4\n"
            "job_seconds_bucket{job=\"export\",le=\"+Inf\"} 6\n"
            "job_seconds_sum{job=\"export\"} 15.125\n"
            "job_seconds_count{job=\"export\"} 6\n");

  const Histogram::Snapshot snapshot = export_job.Collect();
  EXPECT_EQ(snapshot.cumulative_counts, (std::vector<uint64_t>{2, 2, 3, 4, 6}));
  EXPECT_EQ(snapshot.count, 6u);
  EXPECT_EQ(snapshot.sum, 15.125);
}

TEST(Metrics, RendersDefaultLatencyBucketBoundsLikeClientLibraries) {
  Registry registry;
  registry.AddHistogram("http_request_duration_seconds", "Request latency.", {}, DefaultLatencyBuckets())
      .WithLabels({})
      .Observe(0.003);

  EXPECT_EQ(registry.Render(),
            "# HELP http_request_duration_seconds Request latency.\n"
            "# TYPE http_request_duration_seconds histogram\n"
            "http_request_duration_seconds_bucket{le=\"0.0005\"} 0\n"
            "http_request_duration_seconds_bucket{le=\"0.001\"} 0\n"
            "http_request_duration_seconds_bucket{le=\"0.0025\"} 0\n"
            "http_request_duration_seconds_bucket{le=\"0.005\"} 1\n"
            "http_request_duration_seconds_bucket{le=\"0.01\"} 1\n"
            "http_request_duration_seconds_bucket{le=\"0.025\"} 1\n"
            "http_request_duration_seconds_bucket{le=\"0.05\"} 1\n"
            "http_request_duration_seconds_bucket{le=\"0.1\"} 1\n"
            "http_request_duration_seconds_bucket{le=\"0.25\"} 1\n"
            "http_request_duration_seconds_bucket{le=\"0.5\"} 1\n"
            "http_request_duration_seconds_bucket{le=\"1\"} 1\n"
            "http_request_duration_seconds_bucket{le=\"2.5\"} 1\n"
            "http_request_duration_seconds_bucket{le=\"5\"} 1\n"
            "http_request_duration_seconds_bucket{le=\"10\"} 1\n"
            "http_request_duration_seconds_bucket{le=\"+Inf\"} 1\n"
            "http_request_duration_seconds_sum 0.003\n"
            "http_request_duration_seconds_count 1\n");
}

TEST(Metrics, HistogramSendsNaNToInfBucketAndAcceptsExplicitInfBound) {
  Registry registry;
  Histogram& histogram =
      registry.AddHistogram("odd", "Odd values.", {}, {1, std::numeric_limits<double>::infinity()})
          .WithLabels({});
  histogram.Observe(std::numeric_limits<double>::quiet_NaN());
  histogram.Observe(0.5);

  EXPECT_EQ(registry.Render(),
            "# HELP odd Odd values.\n"
            "# TYPE odd histogram\n"
            "odd_bucket{le=\"1\"} 1\n"
            "odd_bucket{le=\"+Inf\"} 2\n"
            "odd_sum NaN\n"
            "odd_count 2\n");
}

TEST(Metrics, FormatsSpecialAndFractionalValues) {
  Registry registry;
  auto& values = registry.AddGauge("sample", "Samples.", {"case"});
  values.WithLabels({"a_tiny"}).Set(1.5e-07);
  values.WithLabels({"b_huge"}).Set(1e22);
  values.WithLabels({"c_nan"}).Set(std::numeric_limits<double>::quiet_NaN());
  values.WithLabels({"d_plus_inf"}).Set(std::numeric_limits<double>::infinity());
  values.WithLabels({"e_minus_inf"}).Set(-std::numeric_limits<double>::infinity());
  values.WithLabels({"f_big_integer"}).Set(123456789012);
  values.WithLabels({"g_tenth"}).Set(0.1);
  values.WithLabels({"h_negative_zero"}).Set(-0.0);
  values.WithLabels({"i_ten_thousandth"}).Set(0.0001);
  values.WithLabels({"j_below_ten_thousandth"}).Set(0.000099);
  values.WithLabels({"k_large_fraction"}).Set(1234567.25);

  EXPECT_EQ(registry.Render(),
            "# HELP sample Samples.\n"
            "# TYPE sample gauge\n"
            "sample{case=\"a_tiny\"} 1.5e-07\n"
            "sample{case=\"b_huge\"} 1e+22\n"
            "sample{case=\"c_nan\"} NaN\n"
            "sample{case=\"d_plus_inf\"} +Inf\n"
            "sample{case=\"e_minus_inf\"} -Inf\n"
            "sample{case=\"f_big_integer\"} 123456789012\n"
            "sample{case=\"g_tenth\"} 0.1\n"
            "sample{case=\"h_negative_zero\"} 0\n"
            "sample{case=\"i_ten_thousandth\"} 0.0001\n"
            "sample{case=\"j_below_ten_thousandth\"} 9.9e-05\n"
            "sample{case=\"k_large_fraction\"} 1234567.25\n");
}

TEST(Metrics, EscapesLabelValues) {
  Registry registry;
  registry.AddCounter("files_total", "Files.", {"path"}).WithLabels({"C:\\dir \"x\"\nnext"}).Inc();

  EXPECT_EQ(registry.Render(),
            "# HELP files_total Files.\n"
            "# TYPE files_total counter\n"
            "files_total{path=\"C:\\\\dir \\\"x\\\"\\nnext\"} 1\n");
}

TEST(Metrics, EscapesHelpBackslashAndNewlineButNotQuotes) {
  Registry registry;
  registry.AddGauge("weird", "Line one\nline \"two\" with \\ backslash", {});

  EXPECT_EQ(registry.Render(),
            "# HELP weird Line one\\nline \"two\" with \\\\ backslash\n"
            "# TYPE weird gauge\n"
            "weird 0\n");
}

TEST(Metrics, CollectorRefreshesGaugeOnEveryRender) {
  Registry registry;
  Gauge& depth = registry.AddGauge("outbox_depth", "Unsent outbox rows.", {}).WithLabels({});
  int rows = 3;
  registry.AddCollector([&] { depth.Set(rows); });

  EXPECT_EQ(registry.Render(),
            "# HELP outbox_depth Unsent outbox rows.\n"
            "# TYPE outbox_depth gauge\n"
            "outbox_depth 3\n");
  rows = 11;
  EXPECT_EQ(registry.Render(),
            "# HELP outbox_depth Unsent outbox rows.\n"
            "# TYPE outbox_depth gauge\n"
            "outbox_depth 11\n");
}

TEST(Metrics, ThrowingCollectorIsSkippedAndLaterCollectorsStillRun) {
  Registry registry;
  auto& gauge = registry.AddGauge("pool", "Pool state.", {"what"});
  registry.AddCollector([&] { gauge.WithLabels({"idle"}).Set(1); });
  registry.AddCollector([&] {
    gauge.WithLabels({"broken"}).Set(9);
    throw std::runtime_error("database is down");
  });
  registry.AddCollector([] { throw 42; });
  registry.AddCollector([&] { gauge.WithLabels({"used"}).Set(2); });

  std::string rendered;
  ASSERT_NO_THROW(rendered = registry.Render());
  EXPECT_EQ(rendered,
            "# HELP pool Pool state.\n"
            "# TYPE pool gauge\n"
            "pool{what=\"broken\"} 9\n"
            "pool{what=\"idle\"} 1\n"
            "pool{what=\"used\"} 2\n");
}

TEST(Metrics, RejectsDuplicateAndCollidingNames) {
  Registry registry;
  registry.AddCounter("jobs_total", "Jobs.", {});
  EXPECT_THROW(registry.AddCounter("jobs_total", "Again.", {}), std::invalid_argument);
  EXPECT_THROW(registry.AddGauge("jobs_total", "Again.", {"x"}), std::invalid_argument);

  registry.AddHistogram("latency_seconds", "Latency.", {}, {1});
  EXPECT_THROW(registry.AddCounter("latency_seconds_count", "Clash.", {}), std::invalid_argument);
  registry.AddGauge("size_bucket", "Size.", {});
  EXPECT_THROW(registry.AddHistogram("size", "Clash.", {}, {1}), std::invalid_argument);
}

TEST(Metrics, RejectsInvalidNamesWithoutClaimingThem) {
  Registry registry;
  EXPECT_THROW(registry.AddCounter("", "h", {}), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("1st", "h", {}), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("http-requests", "h", {}), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("ok", "h", {"bad-label"}), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("ok", "h", {"a:b"}), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("ok", "h", {"9x"}), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("ok", "h", {"__name"}), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("ok", "h", {"a", "b", "a"}), std::invalid_argument);
  EXPECT_THROW(registry.AddGauge("ok", "h", {""}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("ok", "h", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("ok", "h", {}, {1, 0.5}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("ok", "h", {}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("ok", "h", {}, {std::nan("")}), std::invalid_argument);

  // None of the failures above claimed "ok"; valid odd-looking names pass.
  EXPECT_NO_THROW(registry.AddCounter("ok", "h", {"_private", "le"}));
  EXPECT_NO_THROW(registry.AddGauge("ns:sub_name", "h", {"Label_9"}));
  EXPECT_NO_THROW(registry.AddGauge("_under", "h", {}));
}

TEST(Metrics, WrongNumberOfLabelValuesThrows) {
  Registry registry;
  auto& requests = registry.AddCounter("requests_total", "Requests.", {"method", "status"});
  auto& plain = registry.AddGauge("plain", "Plain.", {});

  EXPECT_THROW(requests.WithLabels({"GET"}), std::invalid_argument);
  EXPECT_THROW(requests.WithLabels({}), std::invalid_argument);
  EXPECT_THROW(requests.WithLabels({"GET", "200", "extra"}), std::invalid_argument);
  EXPECT_THROW(requests.WithLabels(std::vector<std::string>{"GET"}), std::invalid_argument);
  EXPECT_THROW(plain.WithLabels({"x"}), std::invalid_argument);
  // No series was created by the failed calls.
  EXPECT_EQ(registry.Render(),
            "# HELP plain Plain.\n"
            "# TYPE plain gauge\n"
            "plain 0\n");
}

TEST(Metrics, WithLabelsReturnsTheSameSeriesFromEveryOverload) {
  Registry registry;
  auto& requests = registry.AddCounter("requests_total", "Requests.", {"method", "status"});
  Counter& first = requests.WithLabels({"GET", "200"});
  const std::vector<std::string> strings{"GET", "200"};
  const std::vector<std::string_view> views{"GET", "200"};

  EXPECT_EQ(&requests.WithLabels(strings), &first);
  EXPECT_EQ(&requests.WithLabels(views), &first);
  EXPECT_NE(&requests.WithLabels({"GET", "500"}), &first);
  // Tuples, not joined strings: ("a", "bc") and ("ab", "c") are different series.
  EXPECT_NE(&requests.WithLabels({"a", "bc"}), &requests.WithLabels({"ab", "c"}));
}

TEST(Metrics, ConcurrentUpdatesAreExact) {
  constexpr int kThreads = 4;
  constexpr int kIterations = 100'000;
  Registry registry;
  auto& requests = registry.AddCounter("requests_total", "Requests.", {"method", "status"});
  auto& latency = registry.AddHistogram("latency_seconds", "Latency.", {"method"}, {0.5});
  auto& per_thread = registry.AddCounter("per_thread_total", "Per thread.", {"thread"});

  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done.load()) registry.Render();  // readers racing the writers
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      const std::string name = "t" + std::to_string(t);
      for (int i = 0; i < kIterations; ++i) {
        requests.WithLabels({"GET", "200"}).Inc();
        // 0.25 and 2 are binary fractions: every partial sum is exact.
        latency.WithLabels({"GET"}).Observe(i % 2 == 0 ? 0.25 : 2.0);
        if (i % 1000 == 0) per_thread.WithLabels({name}).Inc();  // creates a series under contention
      }
    });
  }
  for (auto& worker : workers) worker.join();
  done = true;
  scraper.join();

  EXPECT_EQ(requests.WithLabels({"GET", "200"}).Value(), kThreads * kIterations);
  const Histogram::Snapshot snapshot = latency.WithLabels({"GET"}).Collect();
  EXPECT_EQ(snapshot.count, static_cast<uint64_t>(kThreads * kIterations));
  EXPECT_EQ(snapshot.cumulative_counts, (std::vector<uint64_t>{200'000, 400'000}));
  EXPECT_EQ(snapshot.sum, 450'000.0);
  EXPECT_EQ(registry.Render(),
            "# HELP requests_total Requests.\n"
            "# TYPE requests_total counter\n"
            "requests_total{method=\"GET\",status=\"200\"} 400000\n"
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{method=\"GET\",le=\"0.5\"} 200000\n"
            "latency_seconds_bucket{method=\"GET\",le=\"+Inf\"} 400000\n"
            "latency_seconds_sum{method=\"GET\"} 450000\n"
            "latency_seconds_count{method=\"GET\"} 400000\n"
            "# HELP per_thread_total Per thread.\n"
            "# TYPE per_thread_total counter\n"
            "per_thread_total{thread=\"t0\"} 100\n"
            "per_thread_total{thread=\"t1\"} 100\n"
            "per_thread_total{thread=\"t2\"} 100\n"
            "per_thread_total{thread=\"t3\"} 100\n");
}

}  // namespace
}  // namespace tabel::metrics
