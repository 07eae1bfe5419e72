#include "support/split_deployment.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "support/http_client.hpp"
#include "support/loopback.hpp"

namespace tabel::testing {
namespace {

constexpr const char* kHaproxy = "/usr/sbin/haproxy";
constexpr std::chrono::seconds kStartup{60};

// A path template as a haproxy path_reg pattern: each {parameter} one
// segment; `[.]` for a dot (the configuration reads a backslash itself).
std::string PatternOf(std::string_view path) {
  std::string pattern = "^";
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      i = path.find('}', i);
      pattern += "[^/]+";
    } else if (path[i] == '.') {
      pattern += "[.]";
    } else {
      pattern += path[i];
    }
  }
  return pattern + "$";
}

// The API paths each service owns, as patterns: those `tabel routes
// --services=X` prints, a path printed for several going to the first
// (the operator's queue routes, which every API process serves). Computed
// once: the routes are the binary's.
const std::map<std::string, std::vector<std::string>>& RouteTable(
    const std::map<std::string, std::string>& env) {
  static std::mutex mutex;
  static std::map<std::string, std::vector<std::string>> table;
  const std::lock_guard lock(mutex);
  if (!table.empty()) return table;
  std::set<std::string> owned;
  for (const std::string& service : SplitDeployment::Services()) {
    const auto [code, output] = RunTabel({"routes", "--services=" + service}, env);
    if (code != 0) throw std::runtime_error("tabel routes --services=" + service + ": " + output);
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
      const size_t space = line.find(' ');
      if (space == std::string::npos || line.compare(space + 1, 5, "/api/") != 0) continue;
      const std::string path = line.substr(space + 1);
      if (owned.insert(path).second) table[service].push_back(PatternOf(path));
    }
  }
  return table;
}

// Whether the proxy `pid` accepts connections on `port` within 10 s (false
// as soon as it exits; it is not reaped here).
bool Listening(uint16_t port, pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      Connection probe(port);
      return true;
    } catch (const std::runtime_error&) {
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == pid) {
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return false;
}

}  // namespace

bool SplitRequested() {
  const char* split = std::getenv("TABEL_TEST_SPLIT");
  return split != nullptr && std::string_view(split) == "1";
}

const std::vector<std::string>& SplitDeployment::Services() {
  static const std::vector<std::string> services = {"users",     "auth",         "management", "calendar",
                                                    "analytics", "notification", "agent"};
  return services;
}

SplitDeployment::SplitDeployment(const std::map<std::string, std::string>& env, Options options) {
  std::map<std::string, std::string> api = env;
  api["TABEL_WORKER_THREADS"] = "0";
  const auto start = [&](const std::string& service, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"serve", "--services=" + service};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<TabelProcess>(args, api, std::chrono::milliseconds{0});
  };
  // The first (which fills the database, e.g. --demo) starts alone, the
  // others then side by side. (All from this thread: a child is stopped
  // when the thread that started it ends.)
  replicas_[Services().front()].push_back(start(Services().front(), options.first_args));
  replicas_[Services().front()].back()->WaitUntilListening(kStartup);
  for (const std::string& service : Services()) {
    for (int i = service == Services().front() ? 1 : 0; i < options.replicas; ++i) {
      replicas_[service].push_back(start(service, {}));
    }
  }
  for (int i = 0; i < options.workers; ++i) {
    workers_.push_back(std::make_unique<TabelProcess>(std::vector<std::string>{"worker"}, env,
                                                      std::chrono::milliseconds{0}));
  }
  for (const auto& [service, servers] : replicas_) {
    for (const auto& server : servers) server->WaitUntilListening(kStartup);
  }
  for (const auto& worker : workers_) worker->WaitUntilListening(kStartup);

  const auto& routes = RouteTable(api);
  char folder[] = "/tmp/tabel-proxy.XXXXXX";
  if (::mkdtemp(folder) == nullptr) throw std::runtime_error("mkdtemp failed");
  directory_ = folder;
  port_ = ClosedPort();
  std::ofstream config(directory_ + "/haproxy.cfg");
  // A connection refused (a process gone) is tried again on another
  // replica; a request a server received is never sent twice. No health
  // checks: a refused connection costs nothing, and a server is in use as
  // soon as the proxy starts.
  config << "global\n  maxconn 4096\n"
         << "defaults\n  mode http\n  option accept-invalid-http-request\n"
         << "  timeout connect 2s\n  timeout client 120s\n  timeout server 120s\n"
         << "  retries 3\n  option redispatch 1\n  retry-on conn-failure\n"
         << "frontend tabel\n  bind 127.0.0.1:" << port_ << "\n";
  for (const auto& [service, patterns] : routes) {
    // An acl declared on several lines matches when any of them does.
    for (const std::string& pattern : patterns) {
      config << "  acl " << service << " path_reg " << pattern << "\n";
    }
    config << "  use_backend " << service << " if " << service << "\n";
  }
  config << "  default_backend other\n";
  const auto backend = [&](const std::string& name,
                           const std::vector<std::unique_ptr<TabelProcess>>& servers) {
    config << "backend " << name << "\n  balance roundrobin\n";
    for (size_t i = 0; i < servers.size(); ++i) {
      config << "  server " << name << i << " 127.0.0.1:" << servers[i]->port() << "\n";
    }
  };
  for (const auto& [service, servers] : replicas_) backend(service, servers);
  // What no service owns: the workers' operations routes (or, with no
  // worker, the first service's).
  backend("other", workers_.empty() ? replicas_.at(Services().front()) : workers_);
  config.close();
  StartProxy();
}

void SplitDeployment::StartProxy() {
  const std::string log = directory_ + "/haproxy.log";
  const std::string config = directory_ + "/haproxy.cfg";
  const pid_t parent = ::getpid();
  proxy_ = ::fork();
  if (proxy_ < 0) throw std::runtime_error("fork() failed");
  if (proxy_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execl(kHaproxy, kHaproxy, "-db", "-q", "-f", config.c_str(), static_cast<char*>(nullptr));
    std::perror("execl haproxy");
    ::_exit(127);
  }
  if (!Listening(port_, proxy_)) {
    ::kill(proxy_, SIGKILL);
    ::waitpid(proxy_, nullptr, 0);
    proxy_ = -1;
    std::ifstream in(log);
    throw std::runtime_error("haproxy did not listen on port " + std::to_string(port_) + "; its log:\n" +
                             std::string(std::istreambuf_iterator<char>(in), {}));
  }
}

SplitDeployment::~SplitDeployment() {
  if (proxy_ > 0) {
    ::kill(proxy_, SIGTERM);
    ::waitpid(proxy_, nullptr, 0);
  }
  // All stop side by side; each TabelProcess then waits for its own.
  for (const auto& [service, servers] : replicas_) {
    for (const auto& server : servers) server->Signal(SIGTERM);
  }
  for (const auto& worker : workers_) worker->Signal(SIGTERM);
  if (!directory_.empty()) std::filesystem::remove_all(directory_);
}

TabelProcess& SplitDeployment::Replica(const std::string& service, size_t index) {
  return *replicas_.at(service).at(index);
}

}  // namespace tabel::testing
