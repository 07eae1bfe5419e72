#pragma once
// The iCalendar feeds (RFC 5545, calendar/icalendar.hpp) that Outlook,
// Google Calendar and phones subscribe to: a person's own activities, and
// who is away in a department (optionally its subtree).
//
// Calendar clients cannot send a bearer token, so a feed URL carries a
// secret token of the account instead (in the query string, which the
// access log leaves out). It is 32 random bytes, stored only as its
// SHA-256; rotating it makes the old URLs fail at once; revoking it ends
// the feeds. A feed is read as the token's owner with his current roles, through
// the same views and rules (calendar/views.hpp): a deleted or disabled
// account, or a token that is not (or no longer) one, is NotFound.
//
// A feed covers kFeedDaysBack days before today to kFeedDaysAhead after
// (approved activities only; an open sick leave until today), at most
// kMaxFeedEvents events. UIDs are stable ("request-<id>@tabel"), SEQUENCE
// is the request's version, so clients update what changed, and drop what
// is gone (withdrawn, cancelled) when they refresh.
//
// Thread-safety: safe from any thread; blocks on the database (run it on
// the blocking pool). Errors: tabel::Error.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/service.hpp"
#include "calendar/views.hpp"
#include "calendar/views_repository.hpp"

namespace tabel::calendar {

inline constexpr int kFeedDaysBack = 31;
inline constexpr int kFeedDaysAhead = 334;
inline constexpr int kMaxFeedEvents = 1000;

class CalendarFeeds {
 public:
  CalendarFeeds(CalendarViewsRepository& repository, CalendarViews& views, users::UsersService& users,
                auth::AuthService& auth, Clock clock);

  // A new secret token for the caller's feeds (the old one stops working);
  // audited. Returns the token itself, shown this once.
  std::string Rotate(const Actor& actor);
  // Ends the caller's feeds; NotFound when he has none. Audited.
  void Revoke(const Actor& actor);

  // The VCALENDAR text of the token owner's own calendar.
  std::string Personal(std::string_view token, const std::string& request_id);
  // The VCALENDAR text of who is away in a department (the owner's own by
  // default), as the owner sees it.
  std::string Team(std::string_view token, std::optional<int64_t> department_id, bool subtree,
                   const std::string& request_id);

 private:
  // The owner of `token`, as an actor; NotFound when there is none.
  Actor OwnerOf(std::string_view token, const std::string& request_id);

  CalendarViewsRepository& repository_;
  CalendarViews& views_;
  users::UsersService& users_;
  auth::AuthService& auth_;
  Clock clock_;
};

}  // namespace tabel::calendar
