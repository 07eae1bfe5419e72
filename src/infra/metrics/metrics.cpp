#include "infra/metrics/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace tabel::metrics {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(std::string_view name) {
  if (name.empty() || IsAsciiDigit(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsAsciiLetter(c) || IsAsciiDigit(c) || c == '_' || c == ':'; });
}

// [a-zA-Z_][a-zA-Z0-9_]*
bool IsValidLabelName(std::string_view name) {
  if (name.empty() || IsAsciiDigit(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsAsciiLetter(c) || IsAsciiDigit(c) || c == '_'; });
}

void ValidateNames(const std::string& name, const std::vector<std::string>& label_names, bool histogram) {
  if (!IsValidMetricName(name)) throw std::invalid_argument("metrics: invalid metric name \"" + name + "\"");
  for (size_t i = 0; i < label_names.size(); ++i) {
    const std::string& label = label_names[i];
    if (!IsValidLabelName(label)) {
      throw std::invalid_argument("metrics: invalid label name \"" + label + "\" in " + name);
    }
    if (label.starts_with("__")) {
      throw std::invalid_argument("metrics: label names starting with __ are reserved: " + label);
    }
    if (histogram && label == "le") {
      throw std::invalid_argument("metrics: label name le is reserved in histogram " + name);
    }
    if (std::find(label_names.begin(), label_names.begin() + static_cast<std::ptrdiff_t>(i), label) !=
        label_names.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw std::invalid_argument("metrics: duplicate label name " + label + " in " + name);
    }
  }
}

std::vector<double> NormalizeBounds(std::vector<double> bounds) {
  if (!bounds.empty() && bounds.back() == std::numeric_limits<double>::infinity()) bounds.pop_back();
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (std::isnan(bounds[i])) throw std::invalid_argument("metrics: histogram bucket bound is NaN");
    if (i > 0 && !(bounds[i - 1] < bounds[i])) {
      throw std::invalid_argument("metrics: histogram bucket bounds must be strictly ascending");
    }
  }
  return bounds;
}

// Integers up to 2^53 print as integers ("3"); other values in the shortest
// form that reads back to the same double, fixed from 1e-4 up ("0.0005",
// "2.5") and scientific below ("1.5e-07"), as the Go client library prints
// them, so histogram `le` labels match other exporters. Beyond 2^53 (integers
// only) the shorter of the two forms is used ("1e+22").
void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buffer[64];
  std::to_chars_result result{};
  constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53
  const double magnitude = std::fabs(value);
  if (magnitude > kMaxExactInteger) {
    result = std::to_chars(buffer, buffer + sizeof buffer, value);
  } else if (std::trunc(value) == value) {
    result = std::to_chars(buffer, buffer + sizeof buffer, static_cast<int64_t>(value));
  } else if (magnitude >= 1e-4) {
    result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  } else {
    result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  }
  out.append(buffer, result.ptr);
}

void AppendCount(std::string& out, uint64_t count) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, count);
  out.append(buffer, result.ptr);
}

// Help text escapes \ and newline; label values also escape ".
void AppendEscaped(std::string& out, std::string_view text, bool escape_quote) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// Appends `name{l1="v1",...,extra_name="extra_value"} ` (no braces when there
// are no labels); the caller appends the value and newline.
void AppendSeriesName(std::string& out, std::string_view name, std::string_view suffix,
                      const std::vector<std::string>& label_names, const std::vector<std::string>& values,
                      std::string_view extra_name = {}, std::string_view extra_value = {}) {
  out += name;
  out += suffix;
  if (!label_names.empty() || !extra_name.empty()) {
    out += '{';
    for (size_t i = 0; i < label_names.size(); ++i) {
      if (i > 0) out += ',';
      out += label_names[i];
      out += "=\"";
      AppendEscaped(out, values[i], /*escape_quote=*/true);
      out += '"';
    }
    if (!extra_name.empty()) {
      if (!label_names.empty()) out += ',';
      out += extra_name;
      out += "=\"";
      out += extra_value;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

template <typename Metric>
constexpr std::string_view kTypeName = std::is_same_v<Metric, Counter> ? "counter"
                                       : std::is_same_v<Metric, Gauge> ? "gauge"
                                                                       : "histogram";

}  // namespace

std::vector<double> DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

void Counter::Inc(double by) {
  if (!(by >= 0.0)) return;  // negative or NaN
  value_.fetch_add(by, std::memory_order_relaxed);
}

void Gauge::Inc(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
void Gauge::Dec(double by) { value_.fetch_sub(by, std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(NormalizeBounds(std::move(bounds))),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::Observe(double value) {
  // lower_bound finds the first bound >= value: buckets are inclusive ("le").
  // NaN compares false with everything, so it is sent to +Inf explicitly.
  const size_t bucket =
      std::isnan(value)
          ? bounds_.size()
          : static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Collect() const {
  Snapshot snapshot;
  snapshot.cumulative_counts.reserve(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative_counts.push_back(running);
  }
  snapshot.count = running;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void FamilyBase::CheckArity(size_t count) const {
  if (count != label_names_.size()) {
    throw std::invalid_argument("metrics: " + name_ + " expects " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(count));
  }
}

template <typename Metric>
Family<Metric>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                       std::vector<double> buckets)
    : FamilyBase(std::move(name), std::move(help), std::move(label_names)), buckets_(std::move(buckets)) {
  if (LabelNames().empty()) {
    if constexpr (std::is_same_v<Metric, Histogram>) {
      series_.try_emplace(std::vector<std::string>{}, buckets_);
    } else {
      series_.try_emplace(std::vector<std::string>{});
    }
  }
}

template <typename Metric>
Metric& Family<Metric>::WithLabels(std::initializer_list<std::string_view> values) {
  return Find(std::span<const std::string_view>(values.begin(), values.size()));
}

template <typename Metric>
Metric& Family<Metric>::WithLabels(std::span<const std::string_view> values) {
  return Find(values);
}

template <typename Metric>
Metric& Family<Metric>::WithLabels(std::span<const std::string> values) {
  return Find(values);
}

template <typename Metric>
template <typename Values>
Metric& Family<Metric>::Find(const Values& values) {
  CheckArity(values.size());
  {
    std::shared_lock lock(mutex_);
    const auto it = series_.find(values);
    if (it != series_.end()) return it->second;
  }
  std::vector<std::string> key(values.begin(), values.end());
  std::unique_lock lock(mutex_);
  // try_emplace keeps the series another thread may have created meanwhile.
  if constexpr (std::is_same_v<Metric, Histogram>) {
    return series_.try_emplace(std::move(key), buckets_).first->second;
  } else {
    return series_.try_emplace(std::move(key)).first->second;
  }
}

template <typename Metric>
void Family<Metric>::Render(std::string& out) const {
  std::shared_lock lock(mutex_);
  if (series_.empty()) return;
  out += "# HELP ";
  out += Name();
  out += ' ';
  AppendEscaped(out, Help(), /*escape_quote=*/false);
  out += "\n# TYPE ";
  out += Name();
  out += ' ';
  out += kTypeName<Metric>;
  out += '\n';
  for (const auto& [values, metric] : series_) {
    if constexpr (std::is_same_v<Metric, Histogram>) {
      const Histogram::Snapshot snapshot = metric.Collect();
      const std::vector<double>& bounds = metric.Bounds();
      std::string le;
      for (size_t i = 0; i <= bounds.size(); ++i) {
        le.clear();
        AppendValue(le, i < bounds.size() ? bounds[i] : std::numeric_limits<double>::infinity());
        AppendSeriesName(out, Name(), "_bucket", LabelNames(), values, "le", le);
        AppendCount(out, snapshot.cumulative_counts[i]);
        out += '\n';
      }
      AppendSeriesName(out, Name(), "_sum", LabelNames(), values);
      AppendValue(out, snapshot.sum);
      out += '\n';
      AppendSeriesName(out, Name(), "_count", LabelNames(), values);
      AppendCount(out, snapshot.count);
      out += '\n';
    } else {
      AppendSeriesName(out, Name(), "", LabelNames(), values);
      AppendValue(out, metric.Value());
      out += '\n';
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

template <class FamilyT>
FamilyT& Registry::Register(std::unique_ptr<FamilyT> family, const std::vector<std::string>& names) {
  FamilyT& result = *family;
  std::lock_guard lock(mutex_);
  Claim(names);
  families_.push_back(std::move(family));
  return result;
}

CounterFamily& Registry::AddCounter(const std::string& name, std::string help,
                                    std::vector<std::string> label_names) {
  ValidateNames(name, label_names, /*histogram=*/false);
  return Register(
      std::unique_ptr<CounterFamily>(new CounterFamily(name, std::move(help), std::move(label_names))),
      {name});
}

GaugeFamily& Registry::AddGauge(const std::string& name, std::string help,
                                std::vector<std::string> label_names) {
  ValidateNames(name, label_names, /*histogram=*/false);
  return Register(
      std::unique_ptr<GaugeFamily>(new GaugeFamily(name, std::move(help), std::move(label_names))), {name});
}

HistogramFamily& Registry::AddHistogram(const std::string& name, std::string help,
                                        std::vector<std::string> label_names, std::vector<double> buckets) {
  ValidateNames(name, label_names, /*histogram=*/true);
  return Register(std::unique_ptr<HistogramFamily>(new HistogramFamily(
                      name, std::move(help), std::move(label_names), NormalizeBounds(std::move(buckets)))),
                  {name, name + "_bucket", name + "_sum", name + "_count"});
}

void Registry::Claim(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (claimed_names_.contains(name)) {
      throw std::invalid_argument("metrics: metric name already registered: " + name);
    }
  }
  claimed_names_.insert(names.begin(), names.end());
}

void Registry::AddCollector(std::function<void()> collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::Render() {
  std::lock_guard render_lock(render_mutex_);
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard lock(mutex_);
    collectors = collectors_;
  }
  for (const auto& collector : collectors) {
    try {
      collector();
    } catch (...) {  // a broken collector must not take the whole scrape down
    }
  }
  std::vector<const FamilyBase*> families;
  {
    std::lock_guard lock(mutex_);
    families.reserve(families_.size());
    for (const auto& family : families_) families.push_back(family.get());
  }
  std::string out;
  out.reserve(4096);
  for (const FamilyBase* family : families) family->Render(out);
  return out;
}

}  // namespace tabel::metrics
