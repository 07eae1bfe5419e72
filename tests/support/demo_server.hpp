#pragma once
// The real tabel binary serving the demo company (`serve --demo`) on a fresh
// database of the backend under test, with a client that logs in as any
// demo login and calls the API as that person. With TABEL_TEST_SPLIT=1 (the
// PostgreSQL pass) the six services run apart behind a proxy instead, with
// a worker, sharing the test Redis (support/split_deployment.hpp); a test
// setting TABEL_WORKER_THREADS=0 gets no worker.
// Thread-safety: one test thread.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "support/http_client.hpp"
#include "support/split_deployment.hpp"
#include "support/tabel_process.hpp"
#include "support/test_database.hpp"

namespace tabel::testing {

inline constexpr const char* kDemoPassword = "functional-demo-password";

class DemoServer {
 public:
  // `env`: settings beyond the defaults (e.g. a leave policy).
  explicit DemoServer(const std::map<std::string, std::string>& env = {});

  // Where clients connect: the process, or the proxy of the split services.
  uint16_t port() const { return split_ ? split_->port() : process_->port(); }
  TestDatabase& database() { return *database_; }

  // An access token of `login` (logged in once, then reused).
  const std::string& Token(const std::string& login);
  // The employee id of `login` (from /api/v1/me).
  int64_t EmployeeOf(const std::string& login);

  // `method target` as `login` (empty: anonymous) with a JSON body (empty:
  // none) and extra headers.
  HttpResponse Call(const std::string& login, const std::string& method, const std::string& target,
                    const std::string& body = "", std::map<std::string, std::string> headers = {});

 private:
  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<TabelProcess> process_;   // one process, or
  std::unique_ptr<SplitDeployment> split_;  // the services apart
  std::map<std::string, std::string> tokens_;
};

// The "field" of every error of a problem+json body.
std::vector<std::string> ProblemFields(const HttpResponse& response);

}  // namespace tabel::testing
