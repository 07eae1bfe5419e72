#include "app/config.hpp"

#include <arpa/inet.h>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "http/trusted_proxies.hpp"

namespace tabel::app {
namespace {

[[noreturn]] void Fail(std::string_view name, const std::string& message, const std::string& value) {
  throw ConfigError(std::string(name) + ": " + message + " (got \"" + value + "\")");
}

int64_t ParseInteger(std::string_view name, const std::string& value, int64_t min, int64_t max) {
  int64_t number = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (ec != std::errc() || end != value.data() + value.size() || number < min || number > max) {
    Fail(name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max), value);
  }
  return number;
}

template <class Member>
Setting Text(std::string_view env, std::string_view description, Member member,
             std::initializer_list<std::string_view> schemes = {}) {
  std::vector<std::string_view> allowed(schemes);
  return {env, description, [env, member, allowed](Config& config, const std::string& value) {
            if (!allowed.empty()) {
              bool ok = false;
              for (std::string_view scheme : allowed) {
                ok = ok ||
                     (value.rfind(std::string(scheme) + "://", 0) == 0 && value.size() > scheme.size() + 3);
              }
              if (!value.empty() && !ok) {
                std::string expected;
                for (std::string_view scheme : allowed) {
                  expected += (expected.empty() ? "" : " or ") + std::string(scheme) + "://...";
                }
                Fail(env, "must be a URL of the form " + expected, value);
              }
            }
            config.*member = value;
          }};
}

template <class Member>
Setting Integer(std::string_view env, std::string_view description, Member member, int64_t min, int64_t max) {
  return {env, description, [env, member, min, max](Config& config, const std::string& value) {
            config.*member = static_cast<std::remove_reference_t<decltype(config.*member)>>(
                ParseInteger(env, value, min, max));
          }};
}

Setting Milliseconds(std::string_view env, std::string_view description,
                     std::chrono::milliseconds Config::*member) {
  return {env, description, [env, member](Config& config, const std::string& value) {
            config.*member = std::chrono::milliseconds(ParseInteger(env, value, 1, 3'600'000));
          }};
}

}  // namespace

std::string DefaultSwaggerUiDir() { return TABEL_SOURCE_DIR "/web/node_modules/swagger-ui-dist"; }

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> settings = {
      {"TABEL_HTTP_HOST", "IP address the HTTP server listens on (0.0.0.0 in containers).",
       [](Config& config, const std::string& value) {
         unsigned char address[sizeof(in6_addr)];
         if (inet_pton(AF_INET, value.c_str(), address) != 1 &&
             inet_pton(AF_INET6, value.c_str(), address) != 1) {
           Fail("TABEL_HTTP_HOST", "must be an IPv4 or IPv6 address such as 127.0.0.1 or 0.0.0.0", value);
         }
         config.http_host = value;
       }},
      Integer("TABEL_HTTP_PORT", "HTTP port; 0 picks a free one.", &Config::http_port, 0, 65535),
      Text("TABEL_DATABASE_URL",
           "sqlite://<path> (default sqlite://var/tabel.db) or postgresql://user:pass@host:port/db.",
           &Config::database_url, {"sqlite", "postgresql", "postgres"}),
      Text("TABEL_AMQP_URL", "amqp://user:pass@host:port/vhost of RabbitMQ; empty = the in-process queue.",
           &Config::amqp_url, {"amqp"}),
      {"TABEL_AMQP_PREFIX",
       "Prefix of the bus's exchange and queues on RabbitMQ (<prefix>.events, <prefix>.<queue>, …): "
       "1-60 characters of [a-z0-9_.-]; deployments sharing a broker and vhost need different ones.",
       [](Config& config, const std::string& value) {
         const bool valid =
             !value.empty() && value.size() <= 60 && std::all_of(value.begin(), value.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
             });
         if (!valid) Fail("TABEL_AMQP_PREFIX", "must be 1-60 characters of [a-z0-9_.-]", value);
         config.amqp_prefix = value;
       }},
      Text("TABEL_REDIS_URL", "redis://host:port/db of Redis; empty = the in-memory cache.",
           &Config::redis_url, {"redis"}),
      Text("TABEL_SMTP_URL", "smtp://host:port of the mail server; empty = .eml files in TABEL_MAIL_DIR.",
           &Config::smtp_url, {"smtp", "smtps"}),
      Text("TABEL_MAIL_DIR", "Folder for .eml files when no SMTP server is configured.", &Config::mail_dir),
      {"TABEL_MAIL_FROM", "Sender address of notification mails.",
       [](Config& config, const std::string& value) {
         const size_t at = value.find('@');
         if (at == std::string::npos || at == 0 || at + 1 == value.size() ||
             value.find_first_of(" <>\r\n\t\"") != std::string::npos) {
           Fail("TABEL_MAIL_FROM", "must be an email address", value);
         }
         config.mail_from = value;
       }},
      Text("TABEL_PUBLIC_URL", "Where people open Tabel: the links in notification mails.",
           &Config::public_url, {"http", "https"}),
      Text("TABEL_LLM_URL",
           "Base URL of an OpenAI-compatible API (…/v1) that extracts the fields of resignation letters; "
           "empty = the offline rule-based extractor.",
           &Config::llm_url, {"http", "https"}),
      Text("TABEL_LLM_MODEL", "Model asked at TABEL_LLM_URL.", &Config::llm_model),
      Text("TABEL_LLM_API_KEY", "Bearer key for TABEL_LLM_URL.", &Config::llm_api_key),
      Integer("TABEL_LLM_SAMPLES", "Answers asked of the model per letter; above 1 they vote per field.",
              &Config::llm_samples, 1, 9),
      {"TABEL_TRUSTED_PROXIES",
       "Comma-separated addresses and networks (CIDR) of the proxies or ingress in front of Tabel: a "
       "request from one of them is from the address its X-Forwarded-For names; empty = the header is "
       "ignored.",
       [](Config& config, const std::string& value) {
         try {
           http::TrustedProxies::Parse(value);
         } catch (const std::invalid_argument& error) {
           Fail("TABEL_TRUSTED_PROXIES", error.what(), value);
         }
         config.trusted_proxies = value;
       }},
      Text("TABEL_TESSDATA_DIR", "Folder of tesseract's language data (rus, eng); empty = its default.",
           &Config::tessdata_dir),
      Integer("TABEL_PENDING_REMINDER_DAYS",
              "A request pending this many days is reminded to its approver every day.",
              &Config::pending_reminder_days, 1, 60),
      Integer("TABEL_REMINDER_HOUR", "The local hour (0-23) of the daily reminders.", &Config::reminder_hour,
              0, 23),
      Text("TABEL_ORGANIZATION_NAME", "The company's name on its forms (the T-13 timesheet's header).",
           &Config::organization_name),
      Integer("TABEL_REPORT_TTL_HOURS", "How long a report job's file is kept for download, in hours.",
              &Config::report_ttl_hours, 1, int64_t{24} * 90),
      {"TABEL_LOG_LEVEL", "debug, info, warn or error.",
       [](Config& config, const std::string& value) {
         const auto level = log::ParseLevel(value);
         if (!level) Fail("TABEL_LOG_LEVEL", "must be debug, info, warn or error", value);
         config.log_level = *level;
       }},
      {"TABEL_JWT_SECRET",
       "Secret (at least 32 bytes) for HS256 access tokens; empty = random per process (development only).",
       [](Config& config, const std::string& value) {
         if (!value.empty() && value.size() < 32) {
           Fail("TABEL_JWT_SECRET", "must have at least 32 bytes", std::string(value.size(), '*'));
         }
         config.jwt_secret = value;
       }},
      {"TABEL_JWT_PRIVATE_KEY_FILE",
       "PEM file of an RSA private key (2048 bits or more): sign access tokens RS256 with it instead of "
       "HS256 "
       "with TABEL_JWT_SECRET.",
       [](Config& config, const std::string& value) {
         std::ifstream file(value, std::ios::binary);
         if (!file) Fail("TABEL_JWT_PRIVATE_KEY_FILE", "cannot be opened", value);
         std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
         if (text.find("PRIVATE KEY-----") == std::string::npos) {
           Fail("TABEL_JWT_PRIVATE_KEY_FILE", "must be a readable PEM private key", value);
         }
         config.jwt_private_key = std::move(text);
       }},
      {"TABEL_TIMEZONE", "The company's time zone (IANA name, e.g. Europe/Moscow): what 'today' is.",
       [](Config& config, const std::string& value) {
         const bool safe = !value.empty() && value.find("..") == std::string::npos && value.front() != '/';
         if (!safe || (value != "UTC" && !std::filesystem::exists("/usr/share/zoneinfo/" + value))) {
           Fail("TABEL_TIMEZONE", "must be an IANA time zone in /usr/share/zoneinfo (package tzdata)", value);
         }
         config.timezone = value;
       }},
      Text("TABEL_DEMO_PASSWORD", "Password of the logins created by --demo and by tabel seed.",
           &Config::demo_password),
      Text("TABEL_SWAGGER_UI_DIR", "Folder with the swagger-ui-dist files served under /docs.",
           &Config::swagger_ui_dir),
      {"TABEL_PRODUCTION_CALENDAR_DIR",
       "Folder of production-calendar years (<year>.json, as data/calendar/README.md describes) added to the "
       "compiled-in ones; a file for a compiled-in year replaces it. Empty = the compiled-in years only.",
       [](Config& config, const std::string& value) {
         if (!value.empty() && !std::filesystem::is_directory(value)) {
           Fail("TABEL_PRODUCTION_CALENDAR_DIR", "must be a folder", value);
         }
         config.production_calendar_dir = value;
       }},
      Milliseconds("TABEL_PRODUCTION_CALENDAR_REFRESH_MS",
                   "How often a process checks for production-calendar edits made through another replica "
                   "(one indexed row read; the edits are reloaded only when they changed).",
                   &Config::production_calendar_refresh),
      Integer("TABEL_FIRST_LEAVE_AFTER_MONTHS",
              "Months of work before the first annual leave (Labour Code art. 122); 0 = no rule.",
              &Config::first_leave_after_months, 0, 24),
      {"TABEL_SPLIT_LEAVE_RULE",
       "Annual leave split into parts without one of 14 days (Labour Code art. 125): enforce (refuse) or "
       "warn.",
       [](Config& config, const std::string& value) {
         if (value != "enforce" && value != "warn")
           Fail("TABEL_SPLIT_LEAVE_RULE", "must be enforce or warn", value);
         config.enforce_split_leave = value == "enforce";
       }},
      {"TABEL_LEAVE_CARRY_OVER_DAYS",
       "Unused annual leave days a working year carries into the next; the rest lapses when the year ends. "
       "unlimited (the Labour Code default) or 0-365.",
       [](Config& config, const std::string& value) {
         config.leave_carry_over_days = value == "unlimited"
                                            ? std::nullopt
                                            : std::optional<int>(static_cast<int>(ParseInteger(
                                                  "TABEL_LEAVE_CARRY_OVER_DAYS", value, 0, 365)));
       }},
      Integer("TABEL_LEAVE_EXPIRY_MONTHS",
              "Months after the end of its working year in which annual leave must be used, then it lapses; "
              "0 = never (the Labour Code default).",
              &Config::leave_expiry_months, 0, 120),
      Integer("TABEL_IO_THREADS", "Threads running the HTTP server.", &Config::io_threads, 1, 64),
      Integer("TABEL_BLOCKING_THREADS",
              "Threads for database and other blocking calls; 0 = one per core on SQLite "
              "(more only contend for its lock), 8 on PostgreSQL (they mostly wait on the network).",
              &Config::blocking_threads, 0, 256),
      Integer("TABEL_WORKER_THREADS", "Queue consumers in this process; 0 = none.", &Config::worker_threads,
              0, 64),
      Integer("TABEL_DB_POOL_SIZE", "Database connections per process.", &Config::db_pool_size, 1, 256),
      Integer("TABEL_MAX_BODY_BYTES", "Default largest request body (413 beyond).", &Config::max_body_bytes,
              1024, 1 << 30),
      Integer("TABEL_MAX_CONCURRENT_REQUESTS", "Requests handled at once (503 beyond).",
              &Config::max_concurrent_requests, 1, 1'000'000),
      Integer("TABEL_MAX_CONNECTIONS", "Open HTTP connections (more are closed at once).",
              &Config::max_connections, 1, 1'000'000),
      Milliseconds("TABEL_READ_TIMEOUT_MS", "Time to receive one whole request.", &Config::read_timeout),
      Milliseconds("TABEL_IDLE_TIMEOUT_MS", "Idle keep-alive connections are closed after this.",
                   &Config::idle_timeout),
      Milliseconds("TABEL_SHUTDOWN_TIMEOUT_MS", "Time to finish in-flight work on SIGTERM.",
                   &Config::shutdown_timeout),
  };
  return settings;
}

Environment ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Config LoadConfig(const Environment& environment, std::optional<std::string> file) {
  Config config;
  if (!file) file = environment("TABEL_CONFIG_FILE");
  if (file && !file->empty()) {
    toml::table table;
    try {
      table = toml::parse_file(*file);
    } catch (const toml::parse_error& error) {
      throw ConfigError("TABEL_CONFIG_FILE: cannot read " + *file + ": " + std::string(error.description()));
    }
    for (const auto& [key, node] : table) {
      std::string env = "TABEL_";
      for (const char c : key.str())
        env.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
      const Setting* setting = nullptr;
      for (const Setting& candidate : Settings()) {
        if (candidate.env == env) setting = &candidate;
      }
      if (setting == nullptr)
        throw ConfigError(*file + ": unknown setting \"" + std::string(key.str()) + "\"");
      std::string value;
      if (const auto* text = node.as_string()) {
        value = text->get();
      } else if (const auto* integer = node.as_integer()) {
        value = std::to_string(integer->get());
      } else {
        throw ConfigError(*file + ": \"" + std::string(key.str()) + "\" must be a string or an integer");
      }
      setting->apply(config, value);
    }
  }
  for (const Setting& setting : Settings()) {
    if (const auto value = environment(setting.env)) setting.apply(config, *value);
  }
  if (config.database_url.empty()) throw ConfigError("TABEL_DATABASE_URL: must not be empty");
  return config;
}

}  // namespace tabel::app
