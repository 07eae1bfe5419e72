// The Labour Code checks of a resignation letter. Every value used here
// passed grounding; the dates that decide are computed from the receipt date.

#include <array>

#include "agent/pipeline.hpp"
#include "agent/text.hpp"

namespace tabel::agent {
namespace {

std::vector<std::u32string> NameWords(std::string_view text) {
  const std::u32string folded = Fold(text).chars;
  std::vector<std::u32string> words;
  std::u32string word;
  for (const char32_t c : folded) {
    if ((c >= U'а' && c <= U'я') || c == U'-') {
      word += c;
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// Whether a word of the letter (any case of the noun, or an initial) is the
// record's word (nominative): the same stem, give or take the ending and an
// OCR error.
bool SameName(const std::u32string& written, const std::u32string& record) {
  if (written.empty() || record.empty()) return false;
  if (written.size() == 1) return written[0] == record[0];  // an initial
  size_t common = 0;
  while (common < written.size() && common < record.size() && written[common] == record[common]) ++common;
  if (common + 1 >= record.size()) return true;  // Петров/Петрова, Анна/Анны, Пётр/Петра
  return common >= 2 && EditDistance(written, record) <= 2;  // Павел/Павла, an OCR error
}

}  // namespace

bool NameMatches(std::string_view written, const EmployeeRecord& employee) {
  const auto words = NameWords(written);
  if (words.size() < 2 || words.size() > 3) return false;
  const std::array<std::u32string, 3> record{Fold(employee.last_name).chars, Fold(employee.first_name).chars,
                                             Fold(employee.middle_name).chars};
  // Surname first («Петрова Петра Петровича», «Петрова П. П.») or last
  // («П. П. Петрова»).
  auto matches = [&](const std::array<size_t, 3>& order) {
    for (size_t w = 0; w < words.size(); ++w) {
      const std::u32string& expected = record[order[w]];
      if (expected.empty() ? order[w] != 2 : !SameName(words[w], expected)) return false;
    }
    return true;
  };
  return matches({0, 1, 2}) || (words.size() == 3 && matches({1, 2, 0})) ||
         (words.size() == 2 && matches({1, 0, 2}));
}

bool IsResignationWording(std::string_view wording) {
  const std::u32string text = Fold(wording).chars;
  return FindApprox(text, U"уволить", 1) && FindApprox(text, U"по собственному желанию", 3);
}

std::optional<EarlyReason> ReasonAllowingEarlierDate(std::string_view reason) {
  const std::u32string text = Fold(reason).chars;
  if (FindApprox(text, U"пенси", 1)) return EarlyReason::kRetirement;
  if (FindApprox(text, U"обучени", 1) || FindApprox(text, U"учеб", 0) || FindApprox(text, U"зачислени", 1)) {
    return EarlyReason::kStudies;
  }
  return std::nullopt;
}

Decision Validate(const GroundedFields& grounded, bool signature_seen, const EmployeeRecord& employee,
                  Date received_on) {
  Decision decision;
  LetterFields& fields = decision.fields;
  auto value = [](const std::optional<Grounded>& g) -> std::optional<std::string> {
    if (!g) return std::nullopt;
    return g->value;
  };
  fields.addressee = value(grounded.addressee);
  fields.employee_name = value(grounded.employee_name);
  fields.position = value(grounded.position);
  fields.department = value(grounded.department);
  fields.wording = value(grounded.wording);
  if (grounded.dismissal_date) fields.dismissal_date = ParseLetterDate(grounded.dismissal_date->value);
  if (grounded.written_date) fields.written_date = ParseLetterDate(grounded.written_date->value);
  fields.signed_ = signature_seen;

  auto problem = [&](std::string code, std::string message) {
    decision.problems.push_back({std::move(code), std::move(message)});
  };
  auto reason = [&](std::string text) { decision.reasons.push_back(std::move(text)); };

  if (!fields.addressee) {
    problem("missing_addressee",
            "Не указано, кому адресовано заявление: начните его строкой «Генеральному директору …» с "
            "наименованием работодателя и ФИО руководителя.");
  } else {
    reason("Адресат: «" + *fields.addressee + "».");
  }
  if (!fields.employee_name) {
    problem("missing_employee_name",
            "Не найдены фамилия, имя и отчество заявителя: укажите их в строке «от …» (например, «от "
            "Петрова Петра Петровича»).");
  } else if (!NameMatches(*fields.employee_name, employee)) {
    problem("employee_name_mismatch", "Заявление подписано не от имени сотрудника: в заявлении указано «" +
                                          *fields.employee_name + "», а сотрудник — " + employee.last_name +
                                          " " + employee.first_name + " " + employee.middle_name +
                                          ". Заявление пишется от своего имени.");
  } else {
    reason("ФИО «" + *fields.employee_name + "» совпадает с сотрудником " + employee.last_name + " " +
           employee.first_name + " " + employee.middle_name + ".");
  }
  if (!fields.position) {
    problem("missing_position", "Не указана должность заявителя: добавьте её в строку «от …» перед ФИО.");
  }
  if (!fields.wording || !IsResignationWording(*fields.wording)) {
    fields.wording.reset();
    problem("missing_wording",
            "Нет просьбы об увольнении по собственному желанию: напишите «Прошу уволить меня по "
            "собственному желанию …» и дату увольнения.");
  }
  if (!fields.dismissal_date) {
    problem("missing_dismissal_date",
            "Не указана дата увольнения: укажите последний рабочий день, например «Прошу уволить меня по "
            "собственному желанию 16 декабря 2026 г.».");
  } else {
    const auto early = grounded.reason ? ReasonAllowingEarlierDate(grounded.reason->value) : std::nullopt;
    const bool probation = employee.probation_ends && received_on <= *employee.probation_ends;
    Date earliest = received_on + std::chrono::days{14};
    std::string rule = "ст. 80 ТК РФ: предупредить работодателя нужно не позднее чем за две недели";
    if (early) {
      earliest = received_on;
      rule = std::string("ст. 80 ТК РФ: при увольнении в связи с ") +
             (*early == EarlyReason::kRetirement ? "выходом на пенсию" : "поступлением на обучение") +
             " работник увольняется в срок, указанный в заявлении";
    } else if (probation) {
      earliest = received_on + std::chrono::days{3};
      rule = "ст. 71 ТК РФ: во время испытательного срока предупредить работодателя нужно за три дня";
    }
    if (*fields.dismissal_date < earliest) {
      problem("dismissal_date_too_early",
              "Дата увольнения " + FormatLetterDate(*fields.dismissal_date) + " раньше допустимой (" + rule +
                  "; заявление получено " + FormatLetterDate(received_on) + "). Укажите дату не ранее " +
                  FormatLetterDate(earliest) +
                  (early ? "."
                         : " или причину, позволяющую уволиться раньше (выход на пенсию, поступление на "
                           "обучение)."));
    } else {
      reason("Дата увольнения " + FormatLetterDate(*fields.dismissal_date) + " не ранее " +
             FormatLetterDate(earliest) + " (" + rule + ").");
    }
  }
  if (!fields.written_date) {
    problem("missing_written_date",
            "Не указана дата написания заявления: поставьте её внизу рядом с подписью.");
  } else if (*fields.written_date > received_on) {
    problem("written_date_after_receipt", "Дата написания заявления " +
                                              FormatLetterDate(*fields.written_date) +
                                              " позже даты его получения " + FormatLetterDate(received_on) +
                                              ": укажите дату, когда заявление было написано.");
  }
  if (!signature_seen) {
    problem("missing_signature",
            "Заявление не подписано: распишитесь от руки рядом со строкой подписи и загрузите скан снова.");
  } else {
    reason("Подпись найдена у строки подписи.");
  }
  for (const std::string& field : grounded.dropped) {
    reason("Значение поля «" + field + "» не найдено в тексте письма и не использовано.");
  }
  return decision;
}

}  // namespace tabel::agent
