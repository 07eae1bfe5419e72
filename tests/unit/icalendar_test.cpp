// The iCalendar writer: the exact text of a small feed, exclusive end dates,
// folding at 75 octets between UTF-8 characters, TEXT escaping, CRLF line
// ends, and arguments refused as programming errors. A small parser (unfold,
// then name, parameters and value) checks the structure where matching the
// text would say less.

#include "calendar/icalendar.hpp"

#include <gtest/gtest.h>

#include <iconv.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tabel::calendar {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

Date D(const char* text) { return *ParseIsoDate(text); }

// 2026-03-14 09:26:53.500 UTC.
constexpr TimePoint kStamp =
    Date{std::chrono::year{2026} / 3 / 14} + hours{9} + minutes{26} + seconds{53} + milliseconds{500};

CalendarEvent Vacation() {
  CalendarEvent event;
  event.uid = "request-123@tabel";
  event.first_day = D("2026-07-01");
  event.last_day = D("2026-07-14");
  event.summary = "Отпуск";
  event.description = "Ежегодный оплачиваемый отпуск, 14 календарных дней";
  event.location = "Москва";
  event.categories = {"Отпуск"};
  event.sequence = 2;
  event.last_modified = Date{std::chrono::year{2026} / 3 / 10} + hours{12};
  return event;
}

CalendarFeed Feed() {
  CalendarFeed feed;
  feed.name = "Отсутствия: Иванов И. И.";
  feed.description = "Отпуска, командировки";
  return feed;
}

std::string Write(const std::vector<CalendarEvent>& events, const CalendarFeed& feed = Feed()) {
  return WriteICalendar(feed, events, kStamp);
}

// Whether `text` is valid UTF-8, by glibc's converter rather than the
// writer's own check.
bool IsValidUtf8(std::string_view text) {
  const iconv_t converter = iconv_open("UTF-32LE", "UTF-8");
  if (reinterpret_cast<std::intptr_t>(converter) == -1) throw std::runtime_error("iconv_open failed");
  std::string input(text);
  std::string output(text.size() * 4 + 4, '\0');
  char* in = input.data();
  char* out = output.data();
  size_t in_left = input.size();
  size_t out_left = output.size();
  const size_t result = iconv(converter, &in, &in_left, &out, &out_left);
  iconv_close(converter);
  return result != static_cast<size_t>(-1) && in_left == 0;
}

// The physical lines of `text`, without their CRLF.
std::vector<std::string> PhysicalLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t at = 0;
  for (size_t end = text.find("\r\n"); end != std::string::npos; end = text.find("\r\n", at)) {
    lines.push_back(text.substr(at, end - at));
    at = end + 2;
  }
  if (at != text.size()) throw std::runtime_error("the text does not end with CRLF");
  return lines;
}

// RFC 5545 3.1: a CRLF followed by one space or tab is removed.
std::string Unfold(std::string text) {
  for (size_t at = text.find("\r\n "); at != std::string::npos; at = text.find("\r\n ", at)) {
    text.erase(at, 3);
  }
  for (size_t at = text.find("\r\n\t"); at != std::string::npos; at = text.find("\r\n\t", at)) {
    text.erase(at, 3);
  }
  return text;
}

struct ContentLine {
  std::string name;
  std::map<std::string, std::string> params;
  std::string value;  // as written: TEXT still escaped
};

// name *(";" param "=" param-value) ":" value; quoted parameter values may
// hold ':' and ';'.
ContentLine ParseLine(const std::string& line) {
  ContentLine parsed;
  size_t at = line.find_first_of(";:");
  if (at == std::string::npos) throw std::runtime_error("no ':' in \"" + line + "\"");
  parsed.name = line.substr(0, at);
  while (line[at] == ';') {
    const size_t equals = line.find('=', at);
    if (equals == std::string::npos) throw std::runtime_error("no '=' in \"" + line + "\"");
    const std::string name = line.substr(at + 1, equals - at - 1);
    size_t end = equals + 1;
    if (end < line.size() && line[end] == '"') end = line.find('"', end + 1) + 1;
    end = line.find_first_of(";:", end);
    if (end == std::string::npos) throw std::runtime_error("no ':' in \"" + line + "\"");
    parsed.params[name] = line.substr(equals + 1, end - equals - 1);
    at = end;
  }
  parsed.value = line.substr(at + 1);
  return parsed;
}

std::vector<ContentLine> Parse(const std::string& text) {
  std::vector<ContentLine> lines;
  for (const std::string& line : PhysicalLines(Unfold(text))) lines.push_back(ParseLine(line));
  return lines;
}

// A TEXT value unescaped.
std::string Unescape(std::string_view value) {
  std::string text;
  for (size_t at = 0; at < value.size(); ++at) {
    if (value[at] != '\\') {
      text += value[at];
      continue;
    }
    if (++at == value.size()) throw std::runtime_error("a lone '\\' at the end");
    const char c = value[at];
    if (c == 'n' || c == 'N') {
      text += '\n';
    } else if (c == '\\' || c == ';' || c == ',') {
      text += c;
    } else {
      throw std::runtime_error(std::string("an unknown escape \\") + c);
    }
  }
  return text;
}

// The values of the properties named `name`, in order.
std::vector<std::string> Values(const std::vector<ContentLine>& lines, std::string_view name) {
  std::vector<std::string> values;
  for (const ContentLine& line : lines) {
    if (line.name == name) values.push_back(line.value);
  }
  return values;
}

std::string SummaryOf(const std::string& text) {
  const auto summaries = Values(Parse(text), "SUMMARY");
  if (summaries.size() != 1) throw std::runtime_error("not one SUMMARY");
  return Unescape(summaries.front());
}

TEST(ICalendar, WritesTheExpectedTextForOneEvent) {
  const std::string expected =
      "BEGIN:VCALENDAR\r\n"
      "VERSION:2.0\r\n"
      "PRODID:-//Tabel//Tabel//RU\r\n"
      "CALSCALE:GREGORIAN\r\n"
      "METHOD:PUBLISH\r\n"
      "X-WR-CALNAME:Отсутствия: Иванов И. И.\r\n"
      "X-WR-CALDESC:Отпуска\\, командировки\r\n"
      "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"
      "X-PUBLISHED-TTL:PT1H\r\n"
      "BEGIN:VEVENT\r\n"
      "UID:request-123@tabel\r\n"
      "DTSTAMP:20260314T092653Z\r\n"
      "DTSTART;VALUE=DATE:20260701\r\n"
      "DTEND;VALUE=DATE:20260715\r\n"
      "SUMMARY:Отпуск\r\n"
      // 74 octets: the 'к' that follows would make 76.
      "DESCRIPTION:Ежегодный оплачиваемый отпуск\\, 14 \r\n"
      " календарных дней\r\n"
      "LOCATION:Москва\r\n"
      "CATEGORIES:Отпуск\r\n"
      "SEQUENCE:2\r\n"
      "LAST-MODIFIED:20260310T120000Z\r\n"
      "STATUS:CONFIRMED\r\n"
      "TRANSP:OPAQUE\r\n"
      "END:VEVENT\r\n"
      "END:VCALENDAR\r\n";
  EXPECT_EQ(Write({Vacation()}), expected);
}

TEST(ICalendar, AnEmptyFeedIsAValidCalendarWithItsHeaders) {
  CalendarFeed feed;
  feed.name = "Команда";
  feed.refresh = minutes{90};
  EXPECT_EQ(Write({}, feed),
            "BEGIN:VCALENDAR\r\n"
            "VERSION:2.0\r\n"
            "PRODID:-//Tabel//Tabel//RU\r\n"
            "CALSCALE:GREGORIAN\r\n"
            "METHOD:PUBLISH\r\n"
            "X-WR-CALNAME:Команда\r\n"
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H30M\r\n"
            "X-PUBLISHED-TTL:PT1H30M\r\n"
            "END:VCALENDAR\r\n");
}

TEST(ICalendar, RefreshIsAnRfc5545Duration) {
  const auto refresh_of = [](minutes refresh) {
    CalendarFeed feed;
    feed.refresh = refresh;
    return Values(Parse(Write({}, feed)), "X-PUBLISHED-TTL");
  };
  EXPECT_EQ(refresh_of(minutes{45}), std::vector<std::string>{"PT45M"});
  EXPECT_EQ(refresh_of(minutes{60}), std::vector<std::string>{"PT1H"});
  EXPECT_EQ(refresh_of(minutes{24 * 60}), std::vector<std::string>{"PT24H"});
}

TEST(ICalendar, DtendIsTheDayAfterTheLastDay) {
  CalendarEvent new_year_eve = Vacation();
  new_year_eve.first_day = D("2026-12-31");
  new_year_eve.last_day = D("2026-12-31");
  CalendarEvent leap = Vacation();
  leap.uid = "request-124@tabel";
  leap.first_day = D("2028-02-27");
  leap.last_day = D("2028-02-28");
  const auto lines = Parse(Write({new_year_eve, leap}));
  EXPECT_EQ(Values(lines, "DTSTART"), (std::vector<std::string>{"20261231", "20280227"}));
  EXPECT_EQ(Values(lines, "DTEND"), (std::vector<std::string>{"20270101", "20280229"}));
  for (const ContentLine& line : lines) {
    if (line.name == "DTSTART" || line.name == "DTEND") {
      EXPECT_EQ(line.params, (std::map<std::string, std::string>{{"VALUE", "DATE"}})) << line.name;
    }
  }
}

TEST(ICalendar, EveryEventHasItsPropertiesOnceBetweenBeginAndEnd) {
  CalendarEvent sick = Vacation();
  sick.uid = "sick-7@tabel";
  sick.summary = "Отсутствие";
  sick.description.reset();
  sick.location.reset();
  sick.categories.clear();
  sick.last_modified.reset();
  sick.sequence = 0;
  sick.cancelled = true;
  sick.busy = false;
  const auto lines = Parse(Write({Vacation(), sick}));

  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines.front().name + ":" + lines.front().value, "BEGIN:VCALENDAR");
  EXPECT_EQ(lines.back().name + ":" + lines.back().value, "END:VCALENDAR");
  std::vector<std::map<std::string, int>> events;  // property name -> count
  bool inside = false;
  for (const ContentLine& line : lines) {
    if (line.name == "BEGIN" && line.value == "VEVENT") {
      EXPECT_FALSE(inside);
      inside = true;
      events.emplace_back();
    } else if (line.name == "END" && line.value == "VEVENT") {
      EXPECT_TRUE(inside);
      inside = false;
    } else if (inside) {
      ++events.back()[line.name];
    }
  }
  ASSERT_EQ(events.size(), 2u);
  for (const auto& event : events) {
    for (const char* name :
         {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS", "TRANSP"}) {
      EXPECT_EQ(event.count(name) ? event.at(name) : 0, 1) << name;
    }
  }
  EXPECT_EQ(events[0].size(), 12u);  // with DESCRIPTION, LOCATION, CATEGORIES, LAST-MODIFIED
  EXPECT_EQ(events[1].size(), 8u);   // without them
  EXPECT_EQ(Values(lines, "UID"), (std::vector<std::string>{"request-123@tabel", "sick-7@tabel"}));
  EXPECT_EQ(Values(lines, "STATUS"), (std::vector<std::string>{"CONFIRMED", "CANCELLED"}));
  EXPECT_EQ(Values(lines, "TRANSP"), (std::vector<std::string>{"OPAQUE", "TRANSPARENT"}));
  EXPECT_EQ(Values(lines, "SEQUENCE"), (std::vector<std::string>{"2", "0"}));
  EXPECT_EQ(Values(lines, "DTSTAMP"), (std::vector<std::string>{"20260314T092653Z", "20260314T092653Z"}));
}

TEST(ICalendar, FoldsLongLinesAt75OctetsBetweenUtf8Characters) {
  // Two-octet Cyrillic after the 8 octets of "SUMMARY:" puts the 75th octet
  // inside a character; three- and four-octet ones (€, 🏖) move the cut again.
  std::string summary;
  for (int i = 0; i < 12; ++i)
    summary += "Ежегодный оплачиваемый отпуск € 🏖 ";
  CalendarEvent event = Vacation();
  event.summary = summary;
  const std::string text = Write({event});

  int continuations = 0;
  for (const std::string& line : PhysicalLines(text)) {
    EXPECT_LE(line.size(), 75u) << line;
    EXPECT_TRUE(IsValidUtf8(line)) << line;
    if (line.starts_with(" ")) ++continuations;
  }
  EXPECT_GE(continuations, 10);

  const std::string unfolded = Unfold(text);
  EXPECT_NE(unfolded.find("\r\nSUMMARY:" + summary + "\r\n"), std::string::npos);
  EXPECT_EQ(SummaryOf(text), summary);
}

TEST(ICalendar, ContinuationLinesStartWithOneSpaceAndNoOtherLineDoes) {
  CalendarEvent event = Vacation();
  event.summary = std::string(200, 'a');
  const auto lines = PhysicalLines(Write({event}));
  std::vector<std::string> summary_lines;
  bool in_summary = false;
  for (const std::string& line : lines) {
    if (line.starts_with("SUMMARY:")) in_summary = true;
    if (in_summary && !line.starts_with("SUMMARY:") && !line.starts_with(" ")) in_summary = false;
    if (in_summary) summary_lines.push_back(line);
  }
  // 8 + 200 octets: 75, then 74 + 1, then the remaining 59 + 1.
  ASSERT_EQ(summary_lines.size(), 3u);
  EXPECT_EQ(summary_lines[0], "SUMMARY:" + std::string(67, 'a'));
  EXPECT_EQ(summary_lines[1], " " + std::string(74, 'a'));
  EXPECT_EQ(summary_lines[2], " " + std::string(59, 'a'));
}

TEST(ICalendar, EscapesTextValues) {
  CalendarEvent event = Vacation();
  event.summary = "Отпуск, часть 1; см. C:\\docs\nвторая строка\r\nтретья";
  event.categories = {"Отпуск, ежегодный", "Личное"};
  const auto lines = Parse(Write({event}));
  EXPECT_EQ(Values(lines, "SUMMARY"),
            std::vector<std::string>{"Отпуск\\, часть 1\\; см. C:\\\\docs\\nвторая строка\\nтретья"});
  EXPECT_EQ(Values(lines, "CATEGORIES"), std::vector<std::string>{"Отпуск\\, ежегодный,Личное"});
  EXPECT_EQ(SummaryOf(Write({event})), "Отпуск, часть 1; см. C:\\docs\nвторая строка\nтретья");
}

TEST(ICalendar, DropsControlCharactersButTabAndReplacesInvalidUtf8) {
  CalendarEvent event = Vacation();
  event.summary = std::string(
                      "a\x01"
                      "b\x7F"
                      "c\td\re") +
                  "\xD0" + "f\xFF";
  EXPECT_EQ(SummaryOf(Write({event})),
            "abc\tde\xEF\xBF\xBD"
            "f\xEF\xBF\xBD");
  EXPECT_TRUE(IsValidUtf8(Write({event})));
}

TEST(ICalendar, NeverSplitsAnEscapeAcrossLines) {
  CalendarEvent event = Vacation();
  event.summary = std::string(100, ',');
  const std::string text = Write({event});
  for (const std::string& line : PhysicalLines(text)) EXPECT_FALSE(line.ends_with("\\")) << line;
  EXPECT_EQ(SummaryOf(text), event.summary);
}

TEST(ICalendar, EveryLineEndsWithCrlfAndThereIsNoBareLfOrCr) {
  CalendarEvent event = Vacation();
  event.summary = std::string(300, 'x') + "\nи\r\nещё\r";
  const std::string text = Write({event, Vacation()});
  ASSERT_TRUE(text.ends_with("\r\n"));
  for (size_t at = 0; at < text.size(); ++at) {
    if (text[at] == '\n') {
      EXPECT_TRUE(at > 0 && text[at - 1] == '\r') << at;
    }
    if (text[at] == '\r') {
      EXPECT_TRUE(at + 1 < text.size() && text[at + 1] == '\n') << at;
    }
  }
}

TEST(ICalendar, TheSameInputGivesTheSameBytes) {
  CalendarEvent other = Vacation();
  other.uid = "trip-9@tabel";
  other.summary = "Командировка";
  const std::vector<CalendarEvent> events = {Vacation(), other};
  EXPECT_EQ(Write(events), Write(events));
  // The stamp is the one input that changes from fetch to fetch: only DTSTAMP moves.
  std::string later = WriteICalendar(Feed(), events, kStamp + hours{1});
  for (size_t at = later.find("T102653Z"); at != std::string::npos; at = later.find("T102653Z", at)) {
    later.replace(at, 8, "T092653Z");
  }
  EXPECT_EQ(later, Write(events));
}

TEST(ICalendar, RefusesProgrammingErrors) {
  const auto refused = [](const CalendarEvent& event) {
    EXPECT_THROW(Write({event}), std::invalid_argument) << event.uid;
  };
  CalendarEvent event = Vacation();
  event.uid = "";
  refused(event);
  event.uid = "request-1@tabel\r\n";
  refused(event);
  event.uid = "request-\xFF@tabel";
  refused(event);

  event = Vacation();
  event.last_day = event.first_day - days{1};
  refused(event);
  event = Vacation();
  event.sequence = -1;
  refused(event);
  event = Vacation();
  event.first_day = D("1900-01-01") - days{1};
  refused(event);

  CalendarFeed feed = Feed();
  feed.refresh = minutes{0};
  EXPECT_THROW(Write({}, feed), std::invalid_argument);
}

TEST(ICalendar, AcceptsAOneDayEventAndAUidWithTextSpecials) {
  CalendarEvent event = Vacation();
  event.uid = "a,b;c@tabel";
  event.last_day = event.first_day;
  const auto lines = Parse(Write({event}));
  EXPECT_EQ(Values(lines, "UID"), std::vector<std::string>{"a\\,b\\;c@tabel"});
}

}  // namespace
}  // namespace tabel::calendar
