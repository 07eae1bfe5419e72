// The rule-based extractor on OCR text as tesseract gives it.

#include <gtest/gtest.h>

#include "agent/pipeline.hpp"

namespace tabel::agent {
namespace {

constexpr const char* kLetter =
    "Генеральному директору\n"
    "АО «Северный банк»\n"
    "Орлову В. А.\n"
    "от ведущего специалиста\n"
    "отдела кредитования\n"
    "Петрова Петра Петровича\n\n"
    "ЗАЯВЛЕНИЕ\n\n"
    "Прошу уволить меня по собственному желанию\n"
    "16 декабря 2026 г.\n\n"
    "01.12.2026 ____ /П. П. Петров/\n";

TEST(AgentRules, ReadsEveryFieldOfATypicalLetter) {
  const ExtractedFields fields = MakeRuleExtractor()->Extract(kLetter);
  EXPECT_EQ(fields.addressee, "Генеральному директору АО «Северный банк» Орлову В. А.");
  EXPECT_EQ(fields.position, "ведущего специалиста");
  EXPECT_EQ(fields.department, "отдела кредитования");
  EXPECT_EQ(fields.employee_name, "Петрова Петра Петровича");
  EXPECT_EQ(fields.wording, "Прошу уволить меня по собственному желанию");
  EXPECT_EQ(fields.dismissal_date, "16 декабря 2026");
  EXPECT_EQ(fields.written_date, "01.12.2026");
  EXPECT_EQ(fields.reason, std::nullopt);
}

TEST(AgentRules, ToleratesLookAlikesBrokenLinesAndADateInsideTheRequest) {
  const ExtractedFields fields = MakeRuleExtractor()->Extract(
      "ДИРЕКТОРУ филиала Орлову В. А.\n"
      "oт кассира операционного отдела Соколовой Анны Сергеевны\n"
      "ЗAЯВЛЕНИЕ\n"
      "Пpошу уволить меня «05» марта 2026 года по собст-\nвенному желанию,\n"
      "в связи с выходом на пенсию.\n"
      "«20» февраля 2026 года\n");
  EXPECT_EQ(fields.addressee, "ДИРЕКТОРУ филиала Орлову В. А.");
  EXPECT_EQ(fields.position, "кассира");
  EXPECT_EQ(fields.department, "операционного отдела");
  EXPECT_EQ(fields.employee_name, "Соколовой Анны Сергеевны");
  ASSERT_TRUE(fields.wording);
  EXPECT_TRUE(fields.wording->starts_with("Пpошу уволить меня «05» марта 2026 года по собст-"));
  EXPECT_EQ(fields.dismissal_date, "«05» марта 2026");
  EXPECT_EQ(fields.written_date, "«20» февраля 2026");
  EXPECT_EQ(fields.reason, "в связи с выходом на пенсию");
}

TEST(AgentRules, AStatedDateAfterTheRequestsSentenceIsTheDateOfWritingOnly) {
  const ExtractedFields fields = MakeRuleExtractor()->Extract(
      "Генеральному директору Орлову В. А.\nот менеджера Петрова П. П.\nЗАЯВЛЕНИЕ\n"
      "Прошу уволить меня по собственному желанию.\n\n18.06.2026 /П. П. Петров/\n");
  EXPECT_EQ(fields.employee_name, "Петрова П. П.");
  EXPECT_EQ(fields.dismissal_date, std::nullopt);
  EXPECT_EQ(fields.written_date, "18.06.2026");
}

TEST(AgentRules, ALetterOfAnotherKindHasNoRequestNorAddressee) {
  const ExtractedFields fields = MakeRuleExtractor()->Extract(
      "от кассира Петрова Петра Петровича\nЗАЯВЛЕНИЕ\nПрошу предоставить мне отпуск с "
      "16.12.2026\n01.12.2026\n");
  EXPECT_EQ(fields.addressee, std::nullopt);
  EXPECT_EQ(fields.wording, std::nullopt);
  EXPECT_EQ(fields.dismissal_date, std::nullopt);
  EXPECT_EQ(fields.written_date, "01.12.2026");
  EXPECT_EQ(MakeRuleExtractor()->Extract("").employee_name, std::nullopt);
}

TEST(AgentRules, AQuoteEndingThePreviousLineIsNotPartOfTheDate) {
  const ExtractedFields fields = MakeRuleExtractor()->Extract(
      "Прошу уволить меня по собственному желанию\n11 июля 2026 г.\nи”\n02.07.2026 === /П. П. Петров/\n");
  EXPECT_EQ(fields.dismissal_date, "11 июля 2026");
  EXPECT_EQ(fields.written_date, "02.07.2026");
}

TEST(AgentRules, ADateInsideASentenceIsNoDateOfWriting) {
  const ExtractedFields fields = MakeRuleExtractor()->Extract(
      "от кассира Петрова Петра Петровича\nПрошу предоставить мне отпуск с 16.12.2026 на 14 дней.\n");
  EXPECT_EQ(fields.written_date, std::nullopt);
}

TEST(AgentRules, ReadsTheFromBlockWhereOcrPutItAfterTheRequest) {
  // Tesseract may give a page's blocks out of order.
  const ExtractedFields fields = MakeRuleExtractor()->Extract(
      "Прошу уволить меня 06.12.2026\nпо собственному желанию.\n\n30.10.2026\n\n"
      "от начальника сектора\nоперационного отдела\nНовиковой Елены Павловны\n\nЗАЯВЛЕНИЕ\n");
  EXPECT_EQ(fields.position, "начальника сектора");
  EXPECT_EQ(fields.department, "операционного отдела");
  EXPECT_EQ(fields.employee_name, "Новиковой Елены Павловны");
  EXPECT_EQ(fields.dismissal_date, "06.12.2026");
  EXPECT_EQ(fields.written_date, "30.10.2026");
}

}  // namespace
}  // namespace tabel::agent
