#pragma once
// The real tabel binary as a child process for functional tests: started on
// port 0 with a chosen environment, its JSON log lines captured, stopped by
// SIGTERM (SIGKILL if it hangs) when the test ends.
// Thread-safety: one owner; the log is collected on an internal thread.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tabel::testing {

// The path of the binary under test (TABEL_TEST_BINARY, set by CTest).
std::string TabelBinary();

// The TABEL_AMQP_PREFIX a TabelProcess on the broker gets for the database
// `database_url` ("" when it has none): the names of that test's queues.
std::string AmqpPrefixOf(const std::string& database_url);

class TabelProcess {
 public:
  // Starts `tabel <args>` with the current environment plus `env`, and waits
  // (up to `startup`; 0: not at all) for its "listening" log line
  // (WaitUntilListening). The child is bound to the calling thread: it is
  // stopped when that thread ends (PR_SET_PDEATHSIG).
  TabelProcess(std::vector<std::string> args, std::map<std::string, std::string> env,
               std::chrono::milliseconds startup = std::chrono::seconds(60));
  ~TabelProcess();
  TabelProcess(const TabelProcess&) = delete;
  TabelProcess& operator=(const TabelProcess&) = delete;

  // Waits (up to `timeout`) for the "listening" log line. Throws on
  // failure, with the captured output in the message, and kills it.
  void WaitUntilListening(std::chrono::milliseconds timeout);

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  // Sends `signal` unless it has exited, without waiting.
  void Signal(int signal);

  // Sends `signal` (0: none, just wait) and waits for exit; returns the exit
  // status (or 128+signal if killed), nullopt if it did not exit within
  // `timeout` (then it is killed).
  std::optional<int> Stop(int signal, std::chrono::milliseconds timeout);

  // Every line printed so far; WaitForLine waits for one containing `text`.
  std::vector<std::string> Lines() const;
  bool WaitForLine(const std::string& text, std::chrono::milliseconds timeout) const;

 private:
  void ReadOutput(int fd);

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::optional<int> exit_status_;
  std::thread reader_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<std::string> lines_;
};

// Runs `tabel <args>` to completion and returns {exit code, stdout+stderr}.
std::pair<int, std::string> RunTabel(std::vector<std::string> args, std::map<std::string, std::string> env);

}  // namespace tabel::testing
