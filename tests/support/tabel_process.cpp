#include "support/tabel_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

namespace tabel::testing {
namespace {

struct Pipe {
  int read = -1;
  int write = -1;
};

// fork/exec with stdout and stderr into one pipe. Everything the child
// needs is made before fork: between fork and exec it calls only
// async-signal-safe functions, since another thread of the test may hold
// the allocator's or the environment's lock at that moment. The pipe is
// close-on-exec, so that no other child keeps it open.
pid_t Spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env, Pipe& out) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2() failed");
  out = {fds[0], fds[1]};
  const std::string binary = TabelBinary();
  std::vector<std::string> argv_storage = {binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::map<std::string, std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const size_t equals = text.find('=');
    if (equals != std::string_view::npos) merged.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  for (const auto& [name, value] : env) merged[name] = value;
  std::vector<std::string> envp_storage;
  for (const auto& [name, value] : merged) envp_storage.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : envp_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork() failed");
  if (pid == 0) {
    // The server ends with the test process, even one that crashes.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(out.write, STDOUT_FILENO);
    ::dup2(out.write, STDERR_FILENO);
    ::execve(binary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out.write);
  return pid;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::string TabelBinary() {
  const char* binary = std::getenv("TABEL_TEST_BINARY");
  if (binary == nullptr || *binary == '\0') {
    throw std::runtime_error(
        "TABEL_TEST_BINARY is not set; run the functional tests through ctest or scripts/test");
  }
  return binary;
}

std::string AmqpPrefixOf(const std::string& database_url) {
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "test-%016zx", std::hash<std::string>{}(database_url));
  return prefix;
}

TabelProcess::TabelProcess(std::vector<std::string> args, std::map<std::string, std::string> env,
                           std::chrono::milliseconds startup) {
  env.emplace("TABEL_HTTP_PORT", "0");
  env.emplace("TABEL_HTTP_HOST", "127.0.0.1");
  // The RabbitMQ pass (TABEL_TEST_TRANSPORT=amqp, which CTest sets for the
  // functional suite's PostgreSQL run): every tabel uses the broker
  // scripts/test started, unless the test chose a broker itself.
  if (const char* transport = std::getenv("TABEL_TEST_TRANSPORT");
      transport != nullptr && std::string_view(transport) == "amqp") {
    const char* url = std::getenv("TABEL_TEST_AMQP_URL");
    if (url == nullptr || *url == '\0') {
      throw std::runtime_error("TABEL_TEST_TRANSPORT=amqp needs TABEL_TEST_AMQP_URL (scripts/test sets it)");
    }
    env.emplace("TABEL_AMQP_URL", url);
  }
  // Queues of each database's own on the broker: processes of one test
  // share them, those of different tests never do.
  if (env.count("TABEL_AMQP_URL") != 0) {
    const auto database = env.find("TABEL_DATABASE_URL");
    env.emplace("TABEL_AMQP_PREFIX", AmqpPrefixOf(database == env.end() ? std::string() : database->second));
  }
  Pipe out;
  pid_ = Spawn(args, env, out);
  reader_ = std::thread([this, fd = out.read] { ReadOutput(fd); });
  if (startup.count() > 0) WaitUntilListening(startup);
}

void TabelProcess::WaitUntilListening(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const bool started =
      changed_.wait_for(lock, timeout, [this] { return port_ != 0 || exit_status_.has_value(); });
  if (!started || port_ == 0) {
    std::string output;
    for (const auto& line : lines_) output += line + "\n";
    lock.unlock();
    Stop(SIGKILL, std::chrono::seconds(5));
    if (reader_.joinable()) reader_.join();
    throw std::runtime_error("tabel did not start listening; output:\n" + output);
  }
}

TabelProcess::~TabelProcess() {
  Stop(SIGTERM, std::chrono::seconds(15));
  if (reader_.joinable()) reader_.join();
}

void TabelProcess::ReadOutput(int fd) {
  std::string pending;
  char chunk[4096];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    pending.append(chunk, static_cast<size_t>(n));
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      std::lock_guard lock(mutex_);
      if (port_ == 0 && line.find("\"event\":\"listening\"") != std::string::npos) {
        const auto parsed = nlohmann::json::parse(line, nullptr, false);
        if (!parsed.is_discarded() && parsed.contains("port")) port_ = parsed["port"].get<uint16_t>();
      }
      lines_.push_back(std::move(line));
      changed_.notify_all();
    }
  }
  ::close(fd);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  std::lock_guard lock(mutex_);
  exit_status_ = DecodeStatus(status);
  changed_.notify_all();
}

void TabelProcess::Signal(int signal) {
  const std::lock_guard lock(mutex_);
  if (!exit_status_) ::kill(pid_, signal);
}

std::optional<int> TabelProcess::Stop(int signal, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!exit_status_) ::kill(pid_, signal);
  if (!changed_.wait_for(lock, timeout, [this] { return exit_status_.has_value(); })) {
    ::kill(pid_, SIGKILL);
    changed_.wait_for(lock, std::chrono::seconds(10), [this] { return exit_status_.has_value(); });
    return std::nullopt;
  }
  return exit_status_;
}

std::vector<std::string> TabelProcess::Lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

bool TabelProcess::WaitForLine(const std::string& text, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    for (const auto& line : lines_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  });
}

std::pair<int, std::string> RunTabel(std::vector<std::string> args, std::map<std::string, std::string> env) {
  Pipe out;
  const pid_t pid = Spawn(args, env, out);
  std::string output;
  char chunk[4096];
  ssize_t n;
  while ((n = ::read(out.read, chunk, sizeof chunk)) > 0) output.append(chunk, static_cast<size_t>(n));
  ::close(out.read);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {DecodeStatus(status), output};
}

}  // namespace tabel::testing
