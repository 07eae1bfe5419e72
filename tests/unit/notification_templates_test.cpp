// The notification templates of data/notification/: every template renders
// its three parts in the layout, values are escaped in HTML and not in text,
// and optional parts appear only with their values.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "notification/templates.hpp"

namespace tabel::notification {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TemplateValues RequestValues() {
  TemplateValues values;
  values.text = {{"employee_name", "Петров Иван Сергеевич"},
                 {"type_name", "Ежегодный оплачиваемый отпуск"},
                 {"period", "с 01.12.2026 по 14.12.2026 (14 дн.)"},
                 {"start_date", "01.12.2026"},
                 {"recipient_greeting", "Здравствуйте, Андрей Викторович!"},
                 {"organization", "Банк «Табель»"},
                 {"link", "https://tabel.example/api/v1/requests/5"}};
  return values;
}

TEST(NotificationTemplates, EveryRuleTemplateRendersEachPart) {
  const Templates templates = Templates::Load();
  for (const char* name :
       {"request_submitted", "request_approved", "request_rejected", "request_cancelled", "request_pending",
        "vacation_starts_soon", "delegation_started", "month_closing_soon", "letter_needs_corrections"}) {
    ASSERT_TRUE(templates.Has(name)) << name;
    const Rendered rendered = templates.Render(name, RequestValues());
    EXPECT_FALSE(rendered.subject.empty()) << name;
    EXPECT_EQ(rendered.subject.find('\n'), std::string::npos) << name;
    EXPECT_FALSE(rendered.content.empty()) << name;
    EXPECT_THAT(rendered.text, HasSubstr("Здравствуйте, Андрей Викторович!")) << name;
    EXPECT_THAT(rendered.html, HasSubstr("<p>Здравствуйте, Андрей Викторович!</p>")) << name;
    EXPECT_THAT(rendered.html, HasSubstr("Банк «Табель»")) << name;
  }
  EXPECT_FALSE(templates.Has("layout"));
  EXPECT_THROW(templates.Render("no_such_template", {}), std::out_of_range);
}

TEST(NotificationTemplates, RejectionCarriesItsReasonEscapedOnlyInHtml) {
  const Templates templates = Templates::Load();
  TemplateValues values = RequestValues();
  values.text["comment"] = "Сдача проекта <b>&</b>";
  const Rendered rendered = templates.Render("request_rejected", values);
  EXPECT_EQ(rendered.subject,
            "Заявка отклонена: Ежегодный оплачиваемый отпуск, с 01.12.2026 по 14.12.2026 (14 дн.)");
  EXPECT_EQ(rendered.content,
            "Ваша заявка отклонена: Ежегодный оплачиваемый отпуск, с 01.12.2026 по 14.12.2026 (14 дн.).\n"
            "Причина: Сдача проекта <b>&</b>");
  EXPECT_THAT(rendered.text, HasSubstr("Причина: Сдача проекта <b>&</b>"));
  EXPECT_THAT(rendered.html, HasSubstr("Причина: Сдача проекта &lt;b&gt;&amp;&lt;/b&gt;"));
  EXPECT_THAT(rendered.html, HasSubstr("<a href=\"https://tabel.example/api/v1/requests/5\">"));
}

TEST(NotificationTemplates, OptionalPartsAppearOnlyWithTheirValues) {
  const Templates templates = Templates::Load();
  TemplateValues values = RequestValues();
  values.text.erase("link");
  Rendered rendered = templates.Render("request_approved", values);
  EXPECT_THAT(rendered.text, Not(HasSubstr("Комментарий")));
  EXPECT_THAT(rendered.text, Not(HasSubstr("Открыть в Табеле")));
  EXPECT_THAT(rendered.text, Not(HasSubstr("Больше не присылать")));
  values.text["unsubscribe_url"] = "https://tabel.example/api/v1/notifications/unsubscribe?token=a.b";
  rendered = templates.Render("request_approved", values);
  EXPECT_THAT(rendered.text, HasSubstr("Больше не присылать такие письма: https://tabel.example/"));
  EXPECT_THAT(rendered.html, HasSubstr("unsubscribe?token=a.b\">Больше не присылать"));
}

TEST(NotificationTemplates, ALetterListsEveryProblem) {
  const Templates templates = Templates::Load();
  TemplateValues values = RequestValues();
  values.text["received_on"] = "27.11.2026";
  values.lists["problems"] = {"Нет даты увольнения", "Нет подписи <внизу>"};
  const Rendered rendered = templates.Render("letter_needs_corrections", values);
  EXPECT_THAT(rendered.content, HasSubstr("полученное 27.11.2026"));
  EXPECT_THAT(rendered.content, HasSubstr("- Нет даты увольнения\n- Нет подписи <внизу>\n"));
  EXPECT_THAT(rendered.html, HasSubstr("<li>Нет подписи &lt;внизу&gt;</li>"));
}

}  // namespace
}  // namespace tabel::notification
