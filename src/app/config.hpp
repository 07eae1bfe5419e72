#pragma once
// The one typed configuration of a Tabel process. Sources, later ones win:
// built-in defaults (the embedded mode: SQLite, in-process queue, in-memory
// cache, mail into a folder), an optional TOML file (TABEL_CONFIG_FILE or
// --config), then TABEL_* environment variables. Validated at start-up: a bad
// value throws ConfigError naming the variable, and the process exits with 2.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "infra/log/log.hpp"

namespace tabel::app {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// web/node_modules/swagger-ui-dist of the source tree this binary was built from.
std::string DefaultSwaggerUiDir();

struct Config {
  std::string http_host = "127.0.0.1";
  uint16_t http_port = 8080;
  std::string database_url = "sqlite://var/tabel.db";
  std::string amqp_url;  // empty: the in-process queue in the database
  // Prefix of the bus's exchange and queues on the broker (bus::AmqpOptions).
  std::string amqp_prefix = "tabel";
  std::string redis_url;  // empty: the in-memory cache
  std::string smtp_url;   // empty: mail is written as .eml files into mail_dir
  std::string mail_dir = "var/mail";
  std::string mail_from = "tabel@localhost";
  // Where people open Tabel: the links in notification mails.
  std::string public_url = "http://127.0.0.1:8080";
  int pending_reminder_days = 3;  // a pending request is reminded daily after this
  // The resignation-letter agent: an OpenAI-compatible endpoint reads the
  // letters when llm_url is set, else the offline rules do.
  std::string llm_url;
  std::string llm_model = "gpt-4o-mini";
  std::string llm_api_key;
  int llm_samples = 1;       // > 1: several answers, a vote per field
  std::string tessdata_dir;  // empty: tesseract's own
  // Proxies whose X-Forwarded-For names the client (addresses, CIDR networks).
  std::string trusted_proxies;
  int reminder_hour = 9;  // local hour of the daily reminders
  log::Level log_level = log::Level::kInfo;
  std::string jwt_secret;  // empty: a random secret per process (development only)
  // RS256 instead of HS256: the PEM text of the RSA private key read from
  // TABEL_JWT_PRIVATE_KEY_FILE (validated when the token service is built).
  std::string jwt_private_key;
  std::string timezone = "Europe/Moscow";
  // The company's name on its forms (the T-13 timesheet's header).
  std::string organization_name = "Организация";
  // How long a report job's file is kept for its owner to download.
  int report_ttl_hours = 24;
  std::string demo_password = "demo";
  std::string swagger_ui_dir = DefaultSwaggerUiDir();
  // Extra production-calendar years (<year>.json); empty = the compiled-in ones only.
  std::string production_calendar_dir;
  // How often a process polls the revision of hr's calendar edits made by
  // other replicas (calendar/refresher.hpp).
  std::chrono::milliseconds production_calendar_refresh{2000};
  // Labour Code rules of annual leave that a company may relax.
  int first_leave_after_months = 6;  // art. 122; 0 = no rule
  bool enforce_split_leave = true;   // art. 125: refuse (true) or warn (false)
  // Unused annual leave: the days a working year carries into the next
  // (nullopt: all), and the months after its end in which it lapses (0: never).
  std::optional<int> leave_carry_over_days;
  int leave_expiry_months = 0;

  int io_threads = 1;
  int blocking_threads = 0;  // 0 = by the database (app.cpp BlockingThreads)
  int worker_threads = 1;    // queue consumers in this process; 0 = none
  int db_pool_size = 8;
  size_t max_body_bytes = 1 << 20;
  size_t max_concurrent_requests = 1024;
  size_t max_connections = 10000;
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds shutdown_timeout{10000};
};

// One setting: its variable name, its TOML key, a description for --help and
// the docs, and how to apply a textual value to a Config.
struct Setting {
  std::string_view env;
  std::string_view description;
  std::function<void(Config&, const std::string&)> apply;  // throws ConfigError
};

const std::vector<Setting>& Settings();

// Reads an environment variable; injected so tests can supply their own.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;
Environment ProcessEnvironment();

// `file` overrides TABEL_CONFIG_FILE when given.
Config LoadConfig(const Environment& environment, std::optional<std::string> file = std::nullopt);

}  // namespace tabel::app
