#pragma once
// The codes of time of the unified timesheet form T-13 (Goskomstat
// resolution 1 of 05.01.2004): a letter code, its two-digit number, its
// Russian meaning, and how the timesheet counts it.
// Thread-safety: constants and pure functions.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tabel::analytics {

enum class CodeCategory : uint8_t {
  kWorked,   // time worked within the schedule (Я, Н, ВМ …)
  kExtra,    // time worked beyond it: work on a day off, overtime (РВ, С)
  kDayOff,   // В
  kAbsence,  // every other reason of not working (ОТ, К, Б …)
};

struct T13Code {
  std::string_view letter;
  std::string_view number;
  std::string_view name;
  CodeCategory category;
};

// The index of a code in kT13Codes.
using CodeId = uint8_t;

inline constexpr std::array<T13Code, 36> kT13Codes = {{
    {"Я", "01", "Продолжительность работы в дневное время", CodeCategory::kWorked},
    {"Н", "02", "Продолжительность работы в ночное время", CodeCategory::kWorked},
    {"РВ", "03", "Работа в выходные и нерабочие праздничные дни", CodeCategory::kExtra},
    {"С", "04", "Продолжительность сверхурочной работы", CodeCategory::kExtra},
    {"ВМ", "05", "Продолжительность работы вахтовым методом", CodeCategory::kWorked},
    {"К", "06", "Служебная командировка", CodeCategory::kAbsence},
    {"ПК", "07", "Повышение квалификации с отрывом от работы", CodeCategory::kAbsence},
    {"ПМ", "08", "Повышение квалификации с отрывом от работы в другой местности", CodeCategory::kAbsence},
    {"ОТ", "09", "Ежегодный основной оплачиваемый отпуск", CodeCategory::kAbsence},
    {"ОД", "10", "Ежегодный дополнительный оплачиваемый отпуск", CodeCategory::kAbsence},
    {"У", "11", "Дополнительный отпуск в связи с обучением с сохранением среднего заработка",
     CodeCategory::kAbsence},
    {"УВ", "12", "Сокращённая продолжительность рабочего времени для обучающихся без отрыва от производства",
     CodeCategory::kWorked},
    {"УД", "13", "Дополнительный отпуск в связи с обучением без сохранения заработной платы",
     CodeCategory::kAbsence},
    {"Р", "14", "Отпуск по беременности и родам", CodeCategory::kAbsence},
    {"ОЖ", "15", "Отпуск по уходу за ребёнком до достижения им возраста трёх лет", CodeCategory::kAbsence},
    {"ДО", "16", "Отпуск без сохранения заработной платы по разрешению работодателя", CodeCategory::kAbsence},
    {"ОЗ", "17", "Отпуск без сохранения заработной платы в случаях, предусмотренных законодательством",
     CodeCategory::kAbsence},
    {"ДБ", "18", "Ежегодный дополнительный отпуск без сохранения заработной платы", CodeCategory::kAbsence},
    {"Б", "19", "Временная нетрудоспособность с назначением пособия", CodeCategory::kAbsence},
    {"Т", "20", "Временная нетрудоспособность без назначения пособия", CodeCategory::kAbsence},
    {"ЛЧ", "21", "Сокращённая продолжительность рабочего времени", CodeCategory::kWorked},
    {"ПВ", "22", "Время вынужденного прогула", CodeCategory::kAbsence},
    {"Г", "23", "Невыходы на время исполнения государственных или общественных обязанностей",
     CodeCategory::kAbsence},
    {"ПР", "24", "Прогулы", CodeCategory::kAbsence},
    {"НС", "25", "Работа в режиме неполного рабочего времени по инициативе работодателя",
     CodeCategory::kWorked},
    {"В", "26", "Выходные дни и нерабочие праздничные дни", CodeCategory::kDayOff},
    {"ОВ", "27", "Дополнительные выходные дни (оплачиваемые)", CodeCategory::kAbsence},
    {"НВ", "28", "Дополнительные выходные дни (без сохранения заработной платы)", CodeCategory::kAbsence},
    {"ЗБ", "29", "Забастовка", CodeCategory::kAbsence},
    {"НН", "30", "Неявки по невыясненным причинам", CodeCategory::kAbsence},
    {"РП", "31", "Время простоя по вине работодателя", CodeCategory::kAbsence},
    {"НП", "32", "Время простоя по причинам, не зависящим от работодателя и работника",
     CodeCategory::kAbsence},
    {"ВП", "33", "Время простоя по вине работника", CodeCategory::kAbsence},
    {"НО", "34", "Отстранение от работы с оплатой", CodeCategory::kAbsence},
    {"НБ", "35", "Отстранение от работы без начисления заработной платы", CodeCategory::kAbsence},
    {"НЗ", "36", "Время приостановки работы в случае задержки выплаты заработной платы",
     CodeCategory::kAbsence},
}};

// The code with this letter code ("ОТ") or number ("09").
constexpr std::optional<CodeId> FindCode(std::string_view text) {
  for (size_t i = 0; i < kT13Codes.size(); ++i) {
    if (kT13Codes[i].letter == text || kT13Codes[i].number == text) return static_cast<CodeId>(i);
  }
  return std::nullopt;
}

constexpr CodeId CodeOf(std::string_view letter) { return FindCode(letter).value(); }

inline constexpr CodeId kCodeWorked = CodeOf("Я");
inline constexpr CodeId kCodeWeekendWork = CodeOf("РВ");
inline constexpr CodeId kCodeOvertime = CodeOf("С");
inline constexpr CodeId kCodeDayOff = CodeOf("В");

constexpr const T13Code& CodeInfo(CodeId id) { return kT13Codes[id]; }
constexpr bool IsWork(CodeId id) {
  const CodeCategory category = kT13Codes[id].category;
  return category == CodeCategory::kWorked || category == CodeCategory::kExtra;
}

}  // namespace tabel::analytics
