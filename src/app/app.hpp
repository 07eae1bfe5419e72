#pragma once
// The composition root: builds every client and service in dependency order,
// wires them together by constructor injection, runs the process mode asked
// for, and tears everything down in reverse order.
// Thread-safety: an App is driven by the main thread only.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"

namespace tabel::log {
class Logger;
}

namespace tabel::app {

// The services of PRODUCT.md; a process runs all of them or a subset.
const std::vector<std::string>& KnownServices();

struct ServeOptions {
  std::vector<std::string> services;  // empty = all
  bool demo = false;
};

class App {
 public:
  App(Config config, log::Logger& logger);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Each returns the process exit code. Serve and Worker block until SIGINT
  // or SIGTERM, then shut down gracefully.
  // Serve runs the routes of options.services (empty = all) and, unless
  // TABEL_WORKER_THREADS is 0, the consumers of their queues; Worker the
  // consumers of `services`' queues (empty = all) and no API.
  int Serve(const ServeOptions& options);
  int Worker(const std::vector<std::string>& services);
  int Migrate();
  // Prints "METHOD /path/template" for every route `serve --services`
  // would mount (empty = all).
  int Routes(std::ostream& out, const std::vector<std::string>& services);
  // Dead-lettered tasks as JSON lines, newest first; and putting one back.
  int DeadLetters(std::ostream& out, const std::optional<std::string>& queue, size_t limit);
  int Replay(const std::string& task_id);
  // Fills an empty database with a generated company (users/seed.hpp).
  int Seed(int employees, uint64_t seed);

 private:
  struct Runtime;

  // Serve (api = true) and Worker (api = false: operations routes only).
  int Run(const ServeOptions& options, bool api, size_t consumer_threads);

  Config config_;
  log::Logger& logger_;
};

}  // namespace tabel::app
