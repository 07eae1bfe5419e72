#include "infra/bus/topology.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace tabel::bus {
namespace {

constexpr size_t kMaxNameLength = 100;

}  // namespace

bool IsValidBusName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

void Topology::Declare(QueueSpec spec) {
  const std::string where = "bus queue '" + spec.name + "': ";
  if (!IsValidBusName(spec.name)) {
    throw std::invalid_argument(where + "the name must be 1-100 characters of [a-z0-9_.-]");
  }
  if (Find(spec.name) != nullptr) throw std::invalid_argument(where + "declared twice");
  if (spec.topics.empty()) throw std::invalid_argument(where + "binds no topic");
  for (const std::string& topic : spec.topics) {
    if (!IsValidBusName(topic)) {
      throw std::invalid_argument(where + "topic '" + topic + "' must be 1-100 characters of [a-z0-9_.-]");
    }
  }
  if (spec.max_attempts < 1) throw std::invalid_argument(where + "max_attempts must be at least 1");
  if (spec.base_backoff.count() <= 0) throw std::invalid_argument(where + "base_backoff must be positive");
  if (spec.max_backoff < spec.base_backoff) {
    throw std::invalid_argument(where + "max_backoff must not be less than base_backoff");
  }
  if (spec.lease.count() <= 0) throw std::invalid_argument(where + "lease must be positive");
  std::sort(spec.topics.begin(), spec.topics.end());
  spec.topics.erase(std::unique(spec.topics.begin(), spec.topics.end()), spec.topics.end());
  queues_.push_back(std::move(spec));
}

std::vector<const QueueSpec*> Topology::QueuesFor(std::string_view topic) const {
  std::vector<const QueueSpec*> bound;
  for (const QueueSpec& spec : queues_) {
    if (std::binary_search(spec.topics.begin(), spec.topics.end(), topic, std::less<>{})) {
      bound.push_back(&spec);
    }
  }
  return bound;
}

const QueueSpec* Topology::Find(std::string_view name) const {
  for (const QueueSpec& spec : queues_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace tabel::bus
