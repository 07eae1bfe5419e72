#pragma once
// The text of an iCalendar feed (RFC 5545) of all-day events: what Outlook,
// Google Calendar and phones subscribe to for a person's or a team's
// vacations, business trips and absences. Pure: no I/O, no clock; the caller
// serves the text (as text/calendar; charset=utf-8) and bounds the number of
// events.
//
// The output is deterministic (the same arguments give the same bytes): every
// line ends with CRLF, lines longer than 75 octets are folded (CRLF and one
// space) between UTF-8 characters and never inside an escape such as "\n",
// TEXT values are escaped (\\ \; \, \n; CR and other control characters but
// TAB are dropped; invalid UTF-8 bytes become U+FFFD). Events are all-day
// dates with no time zone ("floating"), so the feed carries no VTIMEZONE.
//
// Thread-safety: pure functions.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/date.hpp"

namespace tabel::calendar {

// One all-day event over whole days.
struct CalendarEvent {
  // Stable across feeds and edits of the same thing, e.g.
  // "request-123@tabel": clients match updates and cancellations by it.
  // Must be non-empty valid UTF-8 without control characters.
  std::string uid;
  Date first_day;  // DTSTART;VALUE=DATE
  Date last_day;   // inclusive; written as DTEND = last_day + 1 (exclusive)
  std::string summary;
  std::optional<std::string> description;
  std::optional<std::string> location;
  std::vector<std::string> categories;  // CATEGORIES, in order; none: omitted
  // Grows whenever the event changes (e.g. the request's version), so that
  // clients replace their copy; not negative.
  int sequence = 0;
  std::optional<std::chrono::system_clock::time_point> last_modified;  // UTC; none: omitted
  bool cancelled = false;                                              // STATUS:CANCELLED, else CONFIRMED
  bool busy = true;                                                    // TRANSP:OPAQUE, else TRANSPARENT
};

// The calendar as a whole.
struct CalendarFeed {
  std::string name;                        // X-WR-CALNAME, shown as the calendar's title
  std::optional<std::string> description;  // X-WR-CALDESC
  // How often clients should fetch the feed again: REFRESH-INTERVAL (RFC
  // 7986) and X-PUBLISHED-TTL (Outlook). Positive.
  std::chrono::minutes refresh{60};
};

// The whole VCALENDAR object: the feed's properties, then one VEVENT per
// event in the given order. `stamp` is every event's DTSTAMP (UTC, whole
// seconds), the time the text is made. Throws std::invalid_argument (a
// programming error) for a non-positive refresh, or an event with an invalid
// uid, a negative sequence, last_day before first_day, or a day outside
// [kMinYear, kMaxYear].
std::string WriteICalendar(const CalendarFeed& feed, std::span<const CalendarEvent> events,
                           std::chrono::system_clock::time_point stamp);

}  // namespace tabel::calendar
