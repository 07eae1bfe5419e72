#include "infra/log/log.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

namespace tabel::log {
namespace {

// Everything `write` logs, one parsed JSON object per line.
std::vector<nlohmann::json> Capture(Level min_level, const std::function<void(Logger&)>& write) {
  std::FILE* file = std::tmpfile();
  {
    Logger logger(min_level, file);
    write(logger);
  }
  std::rewind(file);
  std::vector<nlohmann::json> lines;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, file) != nullptr) {
    lines.push_back(nlohmann::json::parse(buffer, nullptr, false));
  }
  std::fclose(file);
  return lines;
}

TEST(Log, WritesOneValidJsonObjectPerLineWithTypedFields) {
  const auto lines = Capture(Level::kInfo, [](Logger& logger) {
    logger.Info("http_request", {{"path", "/a\"b\nc"}, {"status", 200}, {"ms", 1.5}, {"ok", true}});
  });
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_FALSE(lines[0].is_discarded());
  EXPECT_EQ(lines[0]["event"], "http_request");
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[0]["path"], "/a\"b\nc");
  EXPECT_EQ(lines[0]["status"], 200);
  EXPECT_DOUBLE_EQ(lines[0]["ms"].get<double>(), 1.5);
  EXPECT_EQ(lines[0]["ok"], true);
  EXPECT_EQ(lines[0]["ts"].get<std::string>().back(), 'Z');
}

TEST(Log, DropsLinesBelowTheLevel) {
  const auto lines = Capture(Level::kWarn, [](Logger& logger) {
    logger.Info("quiet");
    logger.Debug("quieter");
    logger.Error("loud");
  });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["event"], "loud");
}

TEST(Log, ParsesLevelNames) {
  EXPECT_EQ(ParseLevel("DEBUG"), Level::kDebug);
  EXPECT_EQ(ParseLevel("warning"), Level::kWarn);
  EXPECT_FALSE(ParseLevel("verbose").has_value());
}

}  // namespace
}  // namespace tabel::log
