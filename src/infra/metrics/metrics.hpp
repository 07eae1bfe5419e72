#pragma once
// Prometheus text exposition (format 0.0.4), written by hand: counters, gauges
// and histograms grouped in families whose label names are fixed at
// registration, rendered by Registry::Render for a /metrics scrape.
//
// Thread-safety: every class here is safe to use from any thread. Metric values
// are lock-free atomics (relaxed ordering: a scrape sees each value at some
// recent point, not a cross-metric snapshot). Family::WithLabels takes a shared
// lock on the hot path and an exclusive lock only the first time a label-value
// combination is seen. References returned by the registry and by families stay
// valid for the registry's lifetime: nothing is ever removed.
//
// Cardinality: every distinct label-value combination is a series kept for the
// registry's lifetime. Label values must come from a bounded set (a route
// template, a status code, a queue name), never from raw request data.

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tabel::metrics {

// The Content-Type of Registry::Render's output.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// HTTP latency buckets in seconds, 0.5 ms to 10 s.
std::vector<double> DefaultLatencyBuckets();

// A monotonically increasing value (requests served, errors).
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Adds `by`. A negative or NaN `by` is ignored (a counter never decreases),
  // so a bad call cannot corrupt the series; it is not an error.
  void Inc(double by = 1.0);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down (connections in use, queue depth).
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Inc(double by = 1.0);
  void Dec(double by = 1.0);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Counts observations into buckets by upper bound (inclusive, Prometheus `le`)
// plus an implicit +Inf bucket, and keeps their sum.
class Histogram {
 public:
  // One scrape's view. `cumulative_counts` has one entry per bound and a last
  // one for +Inf, which always equals `count` (count is derived from the
  // buckets, so the two never disagree even while observations race).
  struct Snapshot {
    std::vector<uint64_t> cumulative_counts;
    double sum = 0.0;
    uint64_t count = 0;
  };

  // `bounds`: finite or -Inf upper bounds, strictly ascending; a trailing +Inf
  // is accepted and dropped (it is always implicit). Throws
  // std::invalid_argument otherwise.
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Lock-free. A NaN lands in the +Inf bucket and makes the sum NaN, as in the
  // official client libraries.
  void Observe(double value);
  Snapshot Collect() const;
  // Upper bounds without the implicit +Inf.
  const std::vector<double>& Bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative; bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

namespace detail {

// Orders label-value tuples lexicographically; transparent, so a family can
// look a series up by a span of string_views without building a key.
struct LabelValuesLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    auto ia = std::begin(a);
    auto ib = std::begin(b);
    for (; ia != std::end(a) && ib != std::end(b); ++ia, ++ib) {
      const int c = std::string_view(*ia).compare(std::string_view(*ib));
      if (c != 0) return c < 0;
    }
    return ia == std::end(a) && ib != std::end(b);
  }
};

}  // namespace detail

class Registry;

// What the registry needs from every family.
class FamilyBase {
 public:
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;
  virtual ~FamilyBase() = default;

  const std::string& Name() const { return name_; }
  const std::string& Help() const { return help_; }
  const std::vector<std::string>& LabelNames() const { return label_names_; }

 protected:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names);

  // Appends the # HELP / # TYPE lines and every series, sorted by label
  // values. Appends nothing while the family has no series.
  virtual void Render(std::string& out) const = 0;

  // Throws std::invalid_argument unless `count` matches the label names.
  void CheckArity(size_t count) const;

 private:
  friend class Registry;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

// All series of one metric name, one per label-value combination.
// Thread-safety: safe from any thread.
template <typename Metric>
class Family final : public FamilyBase {
 public:
  // Returns the series for these label values (in label-name order), creating
  // it at zero on first use. The reference is valid for the registry's
  // lifetime. Throws std::invalid_argument when the number of values differs
  // from the number of label names. Values should be UTF-8; they are escaped,
  // not validated. A family without labels is used as WithLabels({}).
  Metric& WithLabels(std::initializer_list<std::string_view> values);
  Metric& WithLabels(std::span<const std::string_view> values);
  Metric& WithLabels(std::span<const std::string> values);

 private:
  friend class Registry;

  // `buckets` is used by Family<Histogram> only.
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> buckets = {});

  template <typename Values>
  Metric& Find(const Values& values);
  void Render(std::string& out) const override;

  std::vector<double> buckets_;
  mutable std::shared_mutex mutex_;
  std::map<std::vector<std::string>, Metric, detail::LabelValuesLess> series_;  // guarded by mutex_
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Owns the metric families of one process (or one test) and renders them.
// Thread-safety: safe from any thread. Registrations are serialized with each
// other and Renders with each other; a family registered during a Render may
// or may not appear in it.
class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Register a family. `name` must match [a-zA-Z_:][a-zA-Z0-9_:]*, each label
  // name [a-zA-Z_][a-zA-Z0-9_]* without a leading "__", label names distinct.
  // Throws std::invalid_argument on a bad name or when the name (or, for a
  // histogram, one of its _bucket/_sum/_count series names) is taken. A family
  // without labels starts with its single series at zero, so it is rendered
  // before first use. The reference is valid for the registry's lifetime.
  CounterFamily& AddCounter(const std::string& name, std::string help, std::vector<std::string> label_names);
  GaugeFamily& AddGauge(const std::string& name, std::string help, std::vector<std::string> label_names);
  // `buckets` as for Histogram's constructor; "le" is a reserved label name.
  HistogramFamily& AddHistogram(const std::string& name, std::string help,
                                std::vector<std::string> label_names, std::vector<double> buckets);

  // Adds a callback run at the start of every Render, to refresh values that
  // are cheaper to sample than to track (DB connections in use, queue depth).
  // Collectors run one at a time, in the order added, without the registry's
  // lock held: they may use families and register new ones, but must not call
  // Render. A collector that throws (anything) is skipped for that scrape:
  // what it set before throwing stays, the rest keep their previous values,
  // later collectors still run and Render still succeeds. Keep collectors fast:
  // they run on the scrape request.
  void AddCollector(std::function<void()> collector);

  // Runs the collectors, then renders every family in registration order in
  // the Prometheus text format 0.0.4 (see kContentType).
  std::string Render();

 private:
  void Claim(const std::vector<std::string>& names);  // requires mutex_
  // Claims `names` and takes ownership of `family`; throws if a name is taken.
  template <class FamilyT>
  FamilyT& Register(std::unique_ptr<FamilyT> family, const std::vector<std::string>& names);

  std::mutex render_mutex_;  // serializes Render, so collectors never run concurrently
  std::mutex mutex_;
  std::vector<std::unique_ptr<FamilyBase>> families_;  // guarded by mutex_
  std::vector<std::function<void()>> collectors_;      // guarded by mutex_
  std::set<std::string, std::less<>> claimed_names_;   // guarded by mutex_
};

}  // namespace tabel::metrics
