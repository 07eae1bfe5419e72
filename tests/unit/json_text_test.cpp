#include "common/json_text.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tabel {
namespace {

std::string Quote(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

TEST(JsonText, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Quote("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\te\u0001")");
}

TEST(JsonText, KeepsValidUtf8) { EXPECT_EQ(Quote("Отпуск"), "\"Отпуск\""); }

TEST(JsonText, ReplacesInvalidUtf8SoTheLineStaysParseable) {
  const std::string text = std::string("ok\xC3") + "\xFF" + "\xED\xA0\x80";  // truncated, invalid, surrogate
  const std::string quoted = Quote(text);
  const auto parsed = nlohmann::json::parse(quoted, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << quoted;
  EXPECT_EQ(parsed.get<std::string>().substr(0, 2), "ok");
}

}  // namespace
}  // namespace tabel
