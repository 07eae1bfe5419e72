#include "support/demo_server.hpp"

#include <cstdlib>
#include <stdexcept>

namespace tabel::testing {

namespace {

std::map<std::string, std::string> WithDefaults(std::map<std::string, std::string> env,
                                                const std::string& url) {
  env.emplace("TABEL_DATABASE_URL", url);
  env.emplace("TABEL_DEMO_PASSWORD", kDemoPassword);
  env.emplace("TABEL_JWT_SECRET", "functional-tests-secret-of-at-least-32-bytes");
  return env;
}

}  // namespace

DemoServer::DemoServer(const std::map<std::string, std::string>& env)
    : database_(std::make_unique<TestDatabase>()) {
  std::map<std::string, std::string> settings = WithDefaults(env, database_->url());
  if (!SplitRequested()) {
    process_ = std::make_unique<TabelProcess>(std::vector<std::string>{"serve", "--demo"}, settings);
    return;
  }
  // Processes apart share the cache of team calendars and unread counts.
  if (const char* redis = std::getenv("TABEL_TEST_REDIS_URL")) settings.emplace("TABEL_REDIS_URL", redis);
  const auto threads = settings.find("TABEL_WORKER_THREADS");
  const bool consumers = threads == settings.end() || threads->second != "0";
  split_ = std::make_unique<SplitDeployment>(
      settings, SplitDeployment::Options{.workers = consumers ? 1 : 0, .first_args = {"--demo"}});
}

const std::string& DemoServer::Token(const std::string& login) {
  const auto found = tokens_.find(login);
  if (found != tokens_.end()) return found->second;
  const HttpResponse response = Send(port(), "POST", "/api/v1/auth/login",
                                     nlohmann::json{{"login", login}, {"password", kDemoPassword}}.dump());
  if (response.status != 200) throw std::runtime_error("login " + login + ": " + response.body);
  return tokens_[login] = nlohmann::json::parse(response.body).at("access_token").get<std::string>();
}

int64_t DemoServer::EmployeeOf(const std::string& login) {
  const HttpResponse me = Call(login, "GET", "/api/v1/me");
  const auto body = nlohmann::json::parse(me.body);
  if (body.at("employee_id").is_null()) throw std::runtime_error(login + " has no employee");
  return body.at("employee_id").get<int64_t>();
}

HttpResponse DemoServer::Call(const std::string& login, const std::string& method, const std::string& target,
                              const std::string& body, std::map<std::string, std::string> headers) {
  if (!login.empty()) headers["Authorization"] = "Bearer " + Token(login);
  if (!body.empty() && !headers.contains("Content-Type")) headers["Content-Type"] = "application/json";
  return Connection(port()).Request(method, target, body, headers);
}

std::vector<std::string> ProblemFields(const HttpResponse& response) {
  std::vector<std::string> fields;
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.contains("errors")) return fields;
  for (const auto& error : body["errors"]) fields.push_back(error.value("field", ""));
  return fields;
}

}  // namespace tabel::testing
