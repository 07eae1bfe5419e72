#include "calendar/icalendar.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "common/text.hpp"

namespace tabel::calendar {
namespace {

// RFC 5545 3.1: a physical line holds at most 75 octets, CRLF excluded.
constexpr size_t kMaxLineOctets = 75;
constexpr std::string_view kLineEnd = "\r\n";
constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// The length of the valid UTF-8 sequence at `text[at]` (1 for ASCII), or 0
// if invalid (overlong forms, surrogates and code points past U+10FFFF too).
size_t Utf8SequenceLength(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(at + 1) < second_min || byte(at + 1) > second_max) return 0;
  for (size_t i = 2; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

bool IsValidUtf8(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    const size_t length = Utf8SequenceLength(text, at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

// A TEXT value (RFC 5545 3.3.11).
std::string EscapeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const size_t length = Utf8SequenceLength(text, at);
    if (length == 0) {
      out += kReplacementCharacter;
      ++at;
      continue;
    }
    if (length > 1) {
      out.append(text.substr(at, length));
      at += length;
      continue;
    }
    const char c = text[at++];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        // TAB is the one control character TEXT allows (TSAFE-CHAR has WSP);
        // a CR of a CRLF is dropped, its LF already gives the line break.
        if (c == '\t' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F)) out += c;
    }
  }
  return out;
}

// "YYYYMMDD" (RFC 5545 3.3.4).
std::string FormatDate(Date date) {
  std::string text = FormatIsoDate(date);
  std::erase(text, '-');
  return text;
}

// "YYYYMMDDTHHMMSSZ", whole seconds (RFC 5545 3.3.5, form #2).
std::string FormatUtc(std::chrono::system_clock::time_point time) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::hh_mm_ss clock{seconds - day};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%sT%02d%02d%02dZ", FormatDate(day).c_str(),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return buffer;
}

// A positive DURATION (RFC 5545 3.3.6): "PT1H", "PT1H30M", "PT45M".
std::string FormatDuration(std::chrono::minutes duration) {
  const auto hours = std::chrono::floor<std::chrono::hours>(duration);
  const auto minutes = duration - hours;
  std::string out = "PT";
  if (hours.count() > 0) out += std::to_string(hours.count()) + "H";
  if (minutes.count() > 0) out += std::to_string(minutes.count()) + "M";
  return out;
}

bool InProductRange(Date date) {
  const std::chrono::year year = std::chrono::year_month_day{date}.year();
  return year >= kMinYear && year <= kMaxYear;
}

void CheckEvent(const CalendarEvent& event) {
  if (event.uid.empty() || !IsValidUtf8(event.uid) || HasControlCharacters(event.uid)) {
    throw std::invalid_argument("iCalendar: an event's uid must be non-empty UTF-8 text: \"" +
                                EscapeText(event.uid) + "\"");
  }
  const std::string what = "iCalendar: event " + event.uid + ": ";
  if (event.last_day < event.first_day) {
    throw std::invalid_argument(what + "last day " + FormatIsoDate(event.last_day) + " before first day " +
                                FormatIsoDate(event.first_day));
  }
  if (!InProductRange(event.first_day) || !InProductRange(event.last_day)) {
    throw std::invalid_argument(what + "a day outside the years the product accepts");
  }
  if (event.sequence < 0) throw std::invalid_argument(what + "negative sequence");
}

// Content lines, folded (RFC 5545 3.1).
class Writer {
 public:
  // `value` as it goes on the line: TEXT already escaped.
  void Line(std::string_view name, std::string_view value) {
    size_t octets = 0;  // on the current physical line
    const auto append = [&](std::string_view piece) {
      for (size_t at = 0; at < piece.size();) {
        // A unit is one UTF-8 character, or an escape ("\\n", "\\,") kept
        // whole as a cheap precaution for lenient parsers.
        size_t unit = std::max<size_t>(1, Utf8SequenceLength(piece, at));
        if (piece[at] == '\\' && at + 1 < piece.size()) unit = 2;
        if (octets + unit > kMaxLineOctets) {
          text_ += kLineEnd;
          text_ += ' ';
          octets = 1;
        }
        text_.append(piece.substr(at, unit));
        octets += unit;
        at += unit;
      }
    };
    append(name);
    append(":");
    append(value);
    text_ += kLineEnd;
  }

  std::string Take() { return std::move(text_); }

 private:
  std::string text_;
};

void WriteEvent(Writer& out, const CalendarEvent& event, const std::string& stamp) {
  out.Line("BEGIN", "VEVENT");
  out.Line("UID", EscapeText(event.uid));
  out.Line("DTSTAMP", stamp);
  out.Line("DTSTART;VALUE=DATE", FormatDate(event.first_day));
  out.Line("DTEND;VALUE=DATE", FormatDate(event.last_day + std::chrono::days{1}));
  out.Line("SUMMARY", EscapeText(event.summary));
  if (event.description) out.Line("DESCRIPTION", EscapeText(*event.description));
  if (event.location) out.Line("LOCATION", EscapeText(*event.location));
  if (!event.categories.empty()) {
    std::string categories;
    for (const std::string& category : event.categories) {
      if (!categories.empty()) categories += ',';
      categories += EscapeText(category);
    }
    out.Line("CATEGORIES", categories);
  }
  out.Line("SEQUENCE", std::to_string(event.sequence));
  if (event.last_modified) out.Line("LAST-MODIFIED", FormatUtc(*event.last_modified));
  out.Line("STATUS", event.cancelled ? "CANCELLED" : "CONFIRMED");
  out.Line("TRANSP", event.busy ? "OPAQUE" : "TRANSPARENT");
  out.Line("END", "VEVENT");
}

}  // namespace

std::string WriteICalendar(const CalendarFeed& feed, std::span<const CalendarEvent> events,
                           std::chrono::system_clock::time_point stamp) {
  if (feed.refresh <= std::chrono::minutes::zero()) {
    throw std::invalid_argument("iCalendar: the refresh interval must be positive");
  }
  for (const CalendarEvent& event : events) CheckEvent(event);

  Writer out;
  out.Line("BEGIN", "VCALENDAR");
  out.Line("VERSION", "2.0");
  out.Line("PRODID", "-//Tabel//Tabel//RU");
  out.Line("CALSCALE", "GREGORIAN");
  out.Line("METHOD", "PUBLISH");
  out.Line("X-WR-CALNAME", EscapeText(feed.name));
  if (feed.description) out.Line("X-WR-CALDESC", EscapeText(*feed.description));
  const std::string refresh = FormatDuration(feed.refresh);
  out.Line("REFRESH-INTERVAL;VALUE=DURATION", refresh);
  out.Line("X-PUBLISHED-TTL", refresh);
  const std::string dtstamp = FormatUtc(stamp);
  for (const CalendarEvent& event : events) WriteEvent(out, event, dtstamp);
  out.Line("END", "VCALENDAR");
  return out.Take();
}

}  // namespace tabel::calendar
