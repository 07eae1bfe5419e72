// Folding OCR text, fuzzy search and reading dates as letters write them.

#include "agent/text.hpp"

#include <gtest/gtest.h>

namespace tabel::agent {
namespace {

Date D(const char* text) { return *ParseIsoDate(text); }

TEST(AgentText, FoldingMakesLookAlikesCaseQuotesAndBreaksTheSame) {
  // "Пpoшу" with Latin p, o; ё; «»; a word hyphenated across lines; blanks.
  EXPECT_EQ(ToUtf8(Fold("Пpoшу  уволить\n\n меня «Пётр» вы-\nход").chars),
            "прошу уволить\nменя \"петр\" выход");
  const std::string original = "  Генеральному\tДИРЕКТОРУ ";
  const FoldedText folded = Fold(original);
  EXPECT_EQ(ToUtf8(folded.chars), "генеральному директору");
  EXPECT_EQ(OriginalSlice(folded, original, 0, folded.chars.size()), "Генеральному ДИРЕКТОРУ");
}

TEST(AgentText, ApproximateSearchFindsTheClosestPassage) {
  const std::u32string text = Fold("Прошу увопить меня по собственному желанию").chars;
  const auto match = FindApprox(text, U"прошу уволить", 2);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->first, 0U);
  EXPECT_EQ(match->distance, 1);
  EXPECT_FALSE(FindApprox(text, U"прошу перевести", 2));
}

TEST(AgentText, ADigitIsNeverAnOcrError) {
  const std::u32string text = Fold("уволить 16.12.2026").chars;
  EXPECT_TRUE(FindApprox(text, U"16.12.2026", 0));
  EXPECT_FALSE(FindApprox(text, U"17.12.2026", 5));
  EXPECT_GE(EditDistance(U"2026", U"2027"), kDigitMismatch);
}

TEST(AgentText, DatesInDigitsAndWords) {
  const auto dates =
      FindDates(Fold("уволить 16 декабря 2026 г. или «03» апреля 2026 года, 16.12.2026, 01/02/27"));
  ASSERT_EQ(dates.size(), 4U);
  EXPECT_EQ(dates[0].date, D("2026-12-16"));
  EXPECT_EQ(dates[1].date, D("2026-04-03"));
  EXPECT_EQ(dates[2].date, D("2026-12-16"));
  EXPECT_EQ(dates[3].date, D("2027-02-01"));
}

TEST(AgentText, AMisreadMonthIsReadUnlessTwoMonthsAreEquallyNear) {
  EXPECT_EQ(ParseLetterDate("16 декaбpя 2026"), D("2026-12-16"));  // Latin a, p
  EXPECT_EQ(ParseLetterDate("16 дексбря 2026"), D("2026-12-16"));
  EXPECT_EQ(ParseLetterDate("9 июля 2026"), D("2026-07-09"));
  EXPECT_EQ(ParseLetterDate("9 июня 2026"), D("2026-06-09"));
  EXPECT_EQ(ParseLetterDate("9 июкя 2026"), std::nullopt);  // июня or июля?
}

TEST(AgentText, NoCalendarDayNoDate) {
  EXPECT_EQ(ParseLetterDate("31.02.2026"), std::nullopt);
  EXPECT_EQ(ParseLetterDate("30 февраля 2026"), std::nullopt);
  EXPECT_EQ(ParseLetterDate("без даты"), std::nullopt);
  EXPECT_EQ(ParseLetterDate("2026-12-16"), D("2026-12-16"));
  EXPECT_EQ(FormatLetterDate(D("2026-12-16")), "16 декабря 2026 г.");
}

}  // namespace
}  // namespace tabel::agent
