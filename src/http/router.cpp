#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

#include "common/error.hpp"
#include "http/url.hpp"

namespace tabel::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return segments;
  size_t start = 1;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    segments.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::Add(Verb method, std::string path_template, Handler handler, RouteOptions options) {
  if (path_template.empty() || path_template.front() != '/') {
    throw std::invalid_argument("route template must start with '/': " + path_template);
  }
  Route route{method, path_template, std::move(handler), options, {}, 0};
  for (std::string_view segment : SplitPath(path_template)) {
    const bool braces = segment.find_first_of("{}") != std::string_view::npos;
    if (braces && !IsParameter(segment)) {
      throw std::invalid_argument("route parameters must be whole segments: " + path_template);
    }
    if (!IsParameter(segment)) ++route.literal_segments;
    route.segments.emplace_back(segment);
  }
  for (const Route& existing : routes_) {
    if (existing.method == method && existing.path_template == path_template) {
      throw std::invalid_argument("duplicate route: " + path_template);
    }
  }
  routes_.push_back(std::move(route));
}

RouteMatch Router::Find(Verb method, std::string_view path) const {
  const std::vector<std::string_view> segments = SplitPath(path);
  RouteMatch result;
  const Route* best = nullptr;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool matches = true;
    for (size_t i = 0; i < segments.size() && matches; ++i) {
      const std::string& pattern = route.segments[i];
      matches = IsParameter(pattern) ? !segments[i].empty() : pattern == segments[i];
    }
    if (!matches) continue;
    result.path_exists = true;
    if (std::find(result.allowed.begin(), result.allowed.end(), route.method) == result.allowed.end()) {
      result.allowed.push_back(route.method);
    }
    if (route.method == method && (best == nullptr || route.literal_segments > best->literal_segments)) {
      best = &route;
    }
  }
  if (best != nullptr) {
    result.route = best;
    for (size_t i = 0; i < segments.size(); ++i) {
      const std::string& pattern = best->segments[i];
      if (IsParameter(pattern)) {
        std::string name = pattern.substr(1, pattern.size() - 2);
        auto value = PercentDecode(segments[i], false);
        if (!value)
          throw Error::BadRequest("The path has a malformed percent-escape.", {{name, "malformed escape"}});
        result.params.emplace_back(std::move(name), std::move(*value));
      }
    }
  }
  return result;
}

}  // namespace tabel::http
