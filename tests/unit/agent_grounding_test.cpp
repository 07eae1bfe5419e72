// Grounding keeps a value only where the OCR text holds it.

#include <gtest/gtest.h>

#include "agent/pipeline.hpp"

namespace tabel::agent {
namespace {

constexpr const char* kText =
    "Генеральному директору АО «Северный банк» Орлову В. А.\n"
    "от ведущего специалиста отдела кредитования\n"
    "Пeтpовa Петра Петровича\n"  // Latin e, p, a: as OCR gives them
    "Прошу уволить меня по собственному желанию «16» декабря 2026 года.\n"
    "01.12.2026\n";

TEST(AgentGrounding, KeepsValuesFoundWithTheirPassage) {
  ExtractedFields extracted;
  extracted.employee_name = "Петрова Петра Петровича";
  extracted.wording = "Прошу уволить меня по собственному желанию";
  extracted.dismissal_date = "16 декабря 2026 г.";  // written «16» декабря 2026 года
  extracted.written_date = "2026-12-01";            // written 01.12.2026
  const GroundedFields grounded = Ground(extracted, kText);
  EXPECT_TRUE(grounded.dropped.empty());
  ASSERT_TRUE(grounded.employee_name);
  EXPECT_EQ(grounded.employee_name->value, "Петрова Петра Петровича");
  EXPECT_EQ(grounded.employee_name->evidence, "Пeтpовa Петра Петровича");
  EXPECT_EQ(grounded.employee_name->score, 1.0);
  ASSERT_TRUE(grounded.dismissal_date);
  EXPECT_EQ(grounded.dismissal_date->evidence,
            "Прошу уволить меня по собственному желанию «16» декабря 2026 года.");
  ASSERT_TRUE(grounded.written_date);
  EXPECT_EQ(grounded.written_date->evidence, "01.12.2026");
}

TEST(AgentGrounding, ToleratesAnOcrErrorPerWord) {
  ExtractedFields extracted;
  extracted.position = "ведушего специалиста";  // щ read as ш
  const GroundedFields grounded = Ground(extracted, kText);
  ASSERT_TRUE(grounded.position);
  EXPECT_LT(grounded.position->score, 1.0);
  EXPECT_GT(grounded.position->score, 0.9);
}

TEST(AgentGrounding, DropsWhatTheTextDoesNotHold) {
  ExtractedFields extracted;
  extracted.employee_name = "Иванова Петра Петровича";  // one word replaced
  extracted.addressee = "Президенту ПАО «Южный банк»";
  extracted.dismissal_date = "17 декабря 2026 г.";  // one day off
  extracted.written_date = "30.11.2026";
  extracted.reason = "в связи с выходом на пенсию";
  extracted.department = "";  // nothing said: not dropped, just missing
  const GroundedFields grounded = Ground(extracted, kText);
  EXPECT_FALSE(grounded.employee_name || grounded.addressee || grounded.dismissal_date ||
               grounded.written_date || grounded.reason || grounded.department);
  EXPECT_EQ(grounded.dropped, (std::vector<std::string>{"addressee", "employee_name", "dismissal_date",
                                                        "written_date", "reason"}));
}

TEST(AgentGrounding, ADateThatIsNoDateIsDropped) {
  ExtractedFields extracted;
  extracted.dismissal_date = "через две недели";
  EXPECT_EQ(Ground(extracted, kText).dropped, std::vector<std::string>{"dismissal_date"});
}

}  // namespace
}  // namespace tabel::agent
