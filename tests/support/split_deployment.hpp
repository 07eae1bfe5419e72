#pragma once
// The seven services of Tabel (the six and the agent) running apart, as in production: each in
// processes of its own (`tabel serve --services=X`, which only relay their
// outbox) and `tabel worker` processes running every queue's consumers, on
// one database, broker and cache, behind haproxy (Debian's), which routes
// each path to the service that owns it. The proxy's table is written from
// `tabel routes --services=X`; whatever no service owns (/healthz, /metrics,
// an unknown path) goes to the workers. Connection failures are retried on
// another replica (retries, redispatch), never a request a server started.
// Thread-safety: one owner.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/tabel_process.hpp"

namespace tabel::testing {

// Whether the functional tests run their demo server as a split deployment
// (TABEL_TEST_SPLIT=1, which CTest sets for the PostgreSQL pass).
bool SplitRequested();

class SplitDeployment {
 public:
  // The services run apart, in the order they start.
  static const std::vector<std::string>& Services();

  struct Options {
    // Processes per service, and worker processes (0: nobody consumes).
    int replicas = 1;
    int workers = 1;
    // Arguments of the first process (of "users"), e.g. --demo: it starts
    // alone, before the others.
    std::vector<std::string> first_args;
  };

  // Starts every process with the current environment plus `env` (each API
  // process with TABEL_WORKER_THREADS=0), then haproxy. Throws on failure.
  SplitDeployment(const std::map<std::string, std::string>& env, Options options);
  ~SplitDeployment();
  SplitDeployment(const SplitDeployment&) = delete;
  SplitDeployment& operator=(const SplitDeployment&) = delete;

  // The proxy's port: where clients go.
  uint16_t port() const { return port_; }
  // Replica `index` of `service`, and worker `index`.
  TabelProcess& Replica(const std::string& service, size_t index);
  TabelProcess& Worker(size_t index) { return *workers_.at(index); }

 private:
  void StartProxy();

  std::map<std::string, std::vector<std::unique_ptr<TabelProcess>>> replicas_;
  std::vector<std::unique_ptr<TabelProcess>> workers_;
  std::string directory_;  // the proxy's configuration and log
  uint16_t port_ = 0;
  pid_t proxy_ = -1;
};

}  // namespace tabel::testing
