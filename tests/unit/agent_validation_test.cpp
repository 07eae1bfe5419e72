// The Labour Code checks of a resignation letter, rule by rule.

#include <gtest/gtest.h>

#include <algorithm>

#include "agent/pipeline.hpp"

namespace tabel::agent {
namespace {

Date D(const char* text) { return *ParseIsoDate(text); }

const EmployeeRecord kPetrov{"Петров", "Пётр", "Петрович", "ведущий специалист", std::nullopt};

Grounded G(std::string value) { return {std::move(value), "", 1.0}; }

// A complete letter received on 2026-12-01 asking to leave on 2026-12-15
// (receipt + 14 days, the earliest art. 80 allows).
GroundedFields Complete() {
  GroundedFields g;
  g.addressee = G("Генеральному директору АО «Северный банк» Орлову В. А.");
  g.employee_name = G("Петрова Петра Петровича");
  g.position = G("ведущего специалиста");
  g.wording = G("Прошу уволить меня по собственному желанию");
  g.dismissal_date = G("15 декабря 2026 г.");
  g.written_date = G("01.12.2026");
  return g;
}

std::vector<std::string> Codes(const Decision& decision) {
  std::vector<std::string> codes;
  for (const Problem& problem : decision.problems) codes.push_back(problem.code);
  return codes;
}

TEST(AgentValidation, ACompleteLetterIsAcceptedWithItsFields) {
  const Decision decision = Validate(Complete(), true, kPetrov, D("2026-12-01"));
  EXPECT_TRUE(decision.problems.empty());
  EXPECT_EQ(decision.fields.dismissal_date, D("2026-12-15"));
  EXPECT_EQ(decision.fields.written_date, D("2026-12-01"));
  EXPECT_TRUE(decision.fields.signed_);
  EXPECT_FALSE(decision.reasons.empty());
}

TEST(AgentValidation, EachMissingFieldIsItsOwnProblemSayingHowToFixIt) {
  const std::vector<std::pair<std::optional<Grounded> GroundedFields::*, std::string>> cases{
      {&GroundedFields::addressee, "missing_addressee"},
      {&GroundedFields::employee_name, "missing_employee_name"},
      {&GroundedFields::position, "missing_position"},
      {&GroundedFields::wording, "missing_wording"},
      {&GroundedFields::dismissal_date, "missing_dismissal_date"},
      {&GroundedFields::written_date, "missing_written_date"},
  };
  for (const auto& [field, code] : cases) {
    GroundedFields g = Complete();
    (g.*field).reset();
    const Decision decision = Validate(g, true, kPetrov, D("2026-12-01"));
    EXPECT_EQ(Codes(decision), std::vector<std::string>{code});
    EXPECT_GT(decision.problems.front().message.size(), 40U) << code;
  }
  const Decision unsigned_letter = Validate(Complete(), false, kPetrov, D("2026-12-01"));
  EXPECT_EQ(Codes(unsigned_letter), std::vector<std::string>{"missing_signature"});
  EXPECT_FALSE(unsigned_letter.fields.signed_);
}

TEST(AgentValidation, AnotherRequestIsNoResignation) {
  GroundedFields g = Complete();
  g.wording = G("Прошу предоставить мне ежегодный оплачиваемый отпуск");
  const Decision decision = Validate(g, true, kPetrov, D("2026-12-01"));
  EXPECT_EQ(Codes(decision), std::vector<std::string>{"missing_wording"});
  EXPECT_EQ(decision.fields.wording, std::nullopt);
}

TEST(AgentValidation, TheNameIsTheEmployeesInAnyCaseOrWithInitials) {
  EXPECT_TRUE(NameMatches("Петрова Петра Петровича", kPetrov));
  EXPECT_TRUE(NameMatches("ПЕТРОВА П. П.", kPetrov));
  EXPECT_TRUE(NameMatches("П. П. Петрова", kPetrov));
  EXPECT_TRUE(NameMatches("Петрова Петра Петров", kPetrov));  // the end cut off by OCR
  const EmployeeRecord sokolova{"Соколова", "Анна", "Сергеевна", "кассир", std::nullopt};
  EXPECT_TRUE(NameMatches("Соколовой Анны Сергеевны", sokolova));
  const EmployeeRecord pavel{"Фёдоров", "Павел", "Ильич", "кассир", std::nullopt};
  EXPECT_TRUE(NameMatches("Федорова Павла Ильича", pavel));

  EXPECT_FALSE(NameMatches("Петренко Петра Петровича", kPetrov));
  EXPECT_FALSE(NameMatches("Петрова Ивана Петровича", kPetrov));
  EXPECT_FALSE(NameMatches("Петрова А. П.", kPetrov));
  EXPECT_FALSE(NameMatches("Петрова", kPetrov));
  EXPECT_FALSE(NameMatches("Соколовой Анны Сергеевны", kPetrov));

  GroundedFields g = Complete();
  g.employee_name = G("Волкова Сергея Андреевича");
  EXPECT_EQ(Codes(Validate(g, true, kPetrov, D("2026-12-01"))),
            std::vector<std::string>{"employee_name_mismatch"});
}

TEST(AgentValidation, TwoWeeksNoticeCountedFromTheDayAfterReceipt) {
  GroundedFields g = Complete();
  g.written_date = G("30.11.2026");
  g.dismissal_date = G("14.12.2026");
  const Decision early = Validate(g, true, kPetrov, D("2026-12-01"));
  ASSERT_EQ(Codes(early), std::vector<std::string>{"dismissal_date_too_early"});
  EXPECT_NE(early.problems.front().message.find("15 декабря 2026 г."), std::string::npos);
  EXPECT_NE(early.problems.front().message.find("ст. 80"), std::string::npos);
  // The same letter received a day earlier is in time.
  EXPECT_TRUE(Validate(g, true, kPetrov, D("2026-11-30")).problems.empty());
}

TEST(AgentValidation, RetirementOrStudiesAllowAnyDateFromReceipt) {
  for (const char* reason : {"в связи с выходом на пенсию", "в связи с поступлением на обучение"}) {
    GroundedFields g = Complete();
    g.dismissal_date = G("02.12.2026");
    g.reason = G(reason);
    EXPECT_TRUE(Validate(g, true, kPetrov, D("2026-12-01")).problems.empty()) << reason;
    g.dismissal_date = G("30.11.2026");  // before the letter arrived
    EXPECT_EQ(Codes(Validate(g, true, kPetrov, D("2026-12-01"))),
              std::vector<std::string>{"dismissal_date_too_early"});
  }
  GroundedFields g = Complete();
  g.dismissal_date = G("02.12.2026");
  g.reason = G("в связи с переездом");
  EXPECT_EQ(Codes(Validate(g, true, kPetrov, D("2026-12-01"))),
            std::vector<std::string>{"dismissal_date_too_early"});
}

TEST(AgentValidation, ThreeDaysNoticeOnProbation) {
  EmployeeRecord on_probation = kPetrov;
  on_probation.probation_ends = D("2026-12-01");  // the last day of it
  GroundedFields g = Complete();
  g.dismissal_date = G("04.12.2026");
  EXPECT_TRUE(Validate(g, true, on_probation, D("2026-12-01")).problems.empty());
  g.dismissal_date = G("03.12.2026");
  const Decision early = Validate(g, true, on_probation, D("2026-12-01"));
  ASSERT_EQ(Codes(early), std::vector<std::string>{"dismissal_date_too_early"});
  EXPECT_NE(early.problems.front().message.find("ст. 71"), std::string::npos);
  // Received the day after probation ended: two weeks again.
  g.dismissal_date = G("04.12.2026");
  EXPECT_EQ(Codes(Validate(g, true, on_probation, D("2026-12-02"))),
            std::vector<std::string>{"dismissal_date_too_early"});
}

TEST(AgentValidation, ALetterCannotBeWrittenAfterItArrived) {
  GroundedFields g = Complete();
  g.written_date = G("02.12.2026");
  EXPECT_EQ(Codes(Validate(g, true, kPetrov, D("2026-12-01"))),
            std::vector<std::string>{"written_date_after_receipt"});
}

}  // namespace
}  // namespace tabel::agent
