// Error texts stored in task_queue.last_error and logged by the worker.

#include <gtest/gtest.h>

#include <string>

#include "infra/bus/task_queue.hpp"

namespace tabel::bus {
namespace {

TEST(BusErrorText, KeepsValidUtf8) {
  EXPECT_EQ(BoundedErrorText("smtp: 421 try later"), "smtp: 421 try later");
  EXPECT_EQ(BoundedErrorText("нет шаблона письма €𝄞"), "нет шаблона письма €𝄞");
}

TEST(BusErrorText, ReplacesInvalidBytesAndNul) {
  EXPECT_EQ(BoundedErrorText("a\xff"
                             "b"),
            "a?b");
  EXPECT_EQ(BoundedErrorText(std::string("a\0b", 3)), "a?b");
  EXPECT_EQ(BoundedErrorText("\xd0"), "?");                 // truncated sequence
  EXPECT_EQ(BoundedErrorText("\xc0\xaf"), "??");            // overlong
  EXPECT_EQ(BoundedErrorText("\xed\xa0\x80"), "???");       // surrogate
  EXPECT_EQ(BoundedErrorText("\xf4\x90\x80\x80"), "????");  // past U+10FFFF
}

TEST(BusErrorText, CutsBetweenCharactersAtTheLimit) {
  EXPECT_EQ(BoundedErrorText(std::string(kMaxErrorLength + 10, 'x')).size(), kMaxErrorLength);
  // 'Ж' is two bytes: an odd limit cannot be reached exactly.
  std::string cyrillic;
  for (size_t i = 0; i < kMaxErrorLength; ++i) cyrillic += "Ж";
  const std::string cut = BoundedErrorText("x" + cyrillic);
  EXPECT_EQ(cut.size(), kMaxErrorLength - 1);
  EXPECT_EQ(cut.substr(cut.size() - 2), "Ж");
}

TEST(BusErrorText, NamesAMissingMessage) { EXPECT_EQ(BoundedErrorText(""), "(no message)"); }

}  // namespace
}  // namespace tabel::bus
