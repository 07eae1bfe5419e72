#include "app/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace tabel::app {
namespace {

Environment Env(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    const auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

std::string ErrorOf(const std::map<std::string, std::string>& values) {
  try {
    LoadConfig(Env(values));
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(Config, DefaultsAreTheEmbeddedMode) {
  const Config config = LoadConfig(Env({}));
  EXPECT_EQ(config.database_url, "sqlite://var/tabel.db");
  EXPECT_TRUE(config.amqp_url.empty());
  EXPECT_TRUE(config.redis_url.empty());
  EXPECT_TRUE(config.smtp_url.empty());
  EXPECT_EQ(config.http_port, 8080);
  EXPECT_EQ(config.timezone, "Europe/Moscow");
}

TEST(Config, EnvironmentOverridesDefaults) {
  const Config config = LoadConfig(Env({{"TABEL_HTTP_PORT", "0"},
                                        {"TABEL_DATABASE_URL", "postgresql://u@127.0.0.1:5432/tabel"},
                                        {"TABEL_LOG_LEVEL", "WARN"},
                                        {"TABEL_READ_TIMEOUT_MS", "2500"}}));
  EXPECT_EQ(config.http_port, 0);
  EXPECT_EQ(config.database_url, "postgresql://u@127.0.0.1:5432/tabel");
  EXPECT_EQ(config.log_level, log::Level::kWarn);
  EXPECT_EQ(config.read_timeout, std::chrono::milliseconds(2500));
}

TEST(Config, UnusedLeaveCarriesOverUnlessACompanyPolicySaysOtherwise) {
  const Config defaults = LoadConfig(Env({}));
  EXPECT_FALSE(defaults.leave_carry_over_days.has_value());
  EXPECT_EQ(defaults.leave_expiry_months, 0);
  const Config policy =
      LoadConfig(Env({{"TABEL_LEAVE_CARRY_OVER_DAYS", "5"}, {"TABEL_LEAVE_EXPIRY_MONTHS", "18"}}));
  EXPECT_EQ(policy.leave_carry_over_days, 5);
  EXPECT_EQ(policy.leave_expiry_months, 18);
  EXPECT_FALSE(LoadConfig(Env({{"TABEL_LEAVE_CARRY_OVER_DAYS", "unlimited"}})).leave_carry_over_days);
  EXPECT_NE(ErrorOf({{"TABEL_LEAVE_CARRY_OVER_DAYS", "five"}}).find("TABEL_LEAVE_CARRY_OVER_DAYS"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"TABEL_LEAVE_EXPIRY_MONTHS", "-1"}}).find("TABEL_LEAVE_EXPIRY_MONTHS"),
            std::string::npos);
}

TEST(Config, BadValuesNameTheVariable) {
  EXPECT_NE(ErrorOf({{"TABEL_HTTP_PORT", "80a"}}).find("TABEL_HTTP_PORT"), std::string::npos);
  EXPECT_NE(ErrorOf({{"TABEL_HTTP_PORT", "70000"}}).find("TABEL_HTTP_PORT"), std::string::npos);
  EXPECT_NE(ErrorOf({{"TABEL_DATABASE_URL", "mysql://x"}}).find("TABEL_DATABASE_URL"), std::string::npos);
  EXPECT_NE(ErrorOf({{"TABEL_AMQP_URL", "http://x"}}).find("TABEL_AMQP_URL"), std::string::npos);
  EXPECT_NE(ErrorOf({{"TABEL_AMQP_URL", "amqps://x"}}).find("TABEL_AMQP_URL"), std::string::npos);
  EXPECT_NE(ErrorOf({{"TABEL_AMQP_PREFIX", "Tabel"}}).find("TABEL_AMQP_PREFIX"), std::string::npos);
  EXPECT_NE(ErrorOf({{"TABEL_AMQP_PREFIX", ""}}).find("TABEL_AMQP_PREFIX"), std::string::npos);
  EXPECT_EQ(LoadConfig(Env({})).amqp_prefix, "tabel");
  EXPECT_EQ(LoadConfig(Env({{"TABEL_AMQP_PREFIX", "hr-prod"}})).amqp_prefix, "hr-prod");
  EXPECT_NE(ErrorOf({{"TABEL_LOG_LEVEL", "loud"}}).find("TABEL_LOG_LEVEL"), std::string::npos);
  EXPECT_NE(ErrorOf({{"TABEL_DATABASE_URL", ""}}).find("TABEL_DATABASE_URL"), std::string::npos);
  EXPECT_NE(ErrorOf({{"TABEL_IO_THREADS", "0"}}).find("TABEL_IO_THREADS"), std::string::npos);
  EXPECT_NE(ErrorOf({{"TABEL_HTTP_HOST", "localhost"}}).find("TABEL_HTTP_HOST"), std::string::npos);
  EXPECT_NE(ErrorOf({{"TABEL_HTTP_HOST", ""}}).find("TABEL_HTTP_HOST"), std::string::npos);
  EXPECT_EQ(LoadConfig(Env({{"TABEL_HTTP_HOST", "::1"}})).http_host, "::1");
  EXPECT_NE(ErrorOf({{"TABEL_PRODUCTION_CALENDAR_DIR", "/nonexistent/calendars"}})
                .find("TABEL_PRODUCTION_CALENDAR_DIR"),
            std::string::npos);
  const std::string short_secret = ErrorOf({{"TABEL_JWT_SECRET", "tooshort"}});
  EXPECT_NE(short_secret.find("TABEL_JWT_SECRET"), std::string::npos);
  EXPECT_EQ(short_secret.find("tooshort"), std::string::npos) << "a secret must never be echoed";
}

TEST(Config, TomlFileIsReadAndEnvironmentWins) {
  const auto path =
      std::filesystem::temp_directory_path() / ("tabel-config-" + std::to_string(::getpid()) + ".toml");
  {
    std::ofstream out(path);
    out << "http_port = 9000\nmail_dir = \"/tmp/mail\"\nlog_level = \"debug\"\n";
  }
  const Config config = LoadConfig(Env({{"TABEL_CONFIG_FILE", path.string()}, {"TABEL_HTTP_PORT", "9100"}}));
  EXPECT_EQ(config.http_port, 9100);
  EXPECT_EQ(config.mail_dir, "/tmp/mail");
  EXPECT_EQ(config.log_level, log::Level::kDebug);
  std::filesystem::remove(path);
}

TEST(Config, UnknownTomlKeyIsAnError) {
  const auto path =
      std::filesystem::temp_directory_path() / ("tabel-bad-" + std::to_string(::getpid()) + ".toml");
  {
    std::ofstream out(path);
    out << "http_prot = 9000\n";
  }
  try {
    LoadConfig(Env({}), path.string());
    ADD_FAILURE() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("http_prot"), std::string::npos);
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace tabel::app
