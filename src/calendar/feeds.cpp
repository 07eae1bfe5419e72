#include "calendar/feeds.hpp"

#include <vector>

#include "auth/crypto.hpp"
#include "calendar/icalendar.hpp"
#include "common/error.hpp"

namespace tabel::calendar {
namespace {

constexpr size_t kTokenBytes = 32;

Error NoSuchFeed() { return Error::NotFound("No such calendar feed."); }

// The event of an activity as the caller sees it; `who` prefixes the
// summary in a team's feed.
CalendarEvent EventOf(const CalendarActivity& activity, const std::string& who, Date today) {
  CalendarEvent event;
  event.uid = activity.request_id != 0 ? "request-" + std::to_string(activity.request_id) + "@tabel"
                                       : "absence-" + std::to_string(activity.employee_id) + "-" +
                                             FormatIsoDate(activity.start_date) + "@tabel";
  event.first_day = activity.start_date;
  event.last_day = activity.end_date.value_or(std::max(today, activity.start_date));
  event.summary = who.empty() ? activity.type_name : who + " — " + activity.type_name;
  if (activity.code) event.categories.push_back(*activity.code);
  event.sequence = static_cast<int>(activity.version);
  return event;
}

}  // namespace

CalendarFeeds::CalendarFeeds(CalendarViewsRepository& repository, CalendarViews& views,
                             users::UsersService& users, auth::AuthService& auth, Clock clock)
    : repository_(repository), views_(views), users_(users), auth_(auth), clock_(std::move(clock)) {}

std::string CalendarFeeds::Rotate(const Actor& actor) {
  std::string token = auth::Base64UrlEncode(auth::RandomBytes(kTokenBytes));
  repository_.SaveFeedToken(actor, auth::Sha256Hex(token), clock_());
  return token;
}

void CalendarFeeds::Revoke(const Actor& actor) {
  if (!repository_.DeleteFeedToken(actor, clock_())) throw NoSuchFeed();
}

Actor CalendarFeeds::OwnerOf(std::string_view token, const std::string& request_id) {
  const std::optional<int64_t> account = repository_.FeedOwner(auth::Sha256Hex(token));
  if (!account) throw NoSuchFeed();
  std::optional<Identity> identity = auth_.IdentityOf(*account);
  if (!identity) throw NoSuchFeed();
  return Actor{std::move(*identity), {}, request_id};
}

std::string CalendarFeeds::Personal(std::string_view token, const std::string& request_id) {
  const Actor owner = OwnerOf(token, request_id);
  const Date today = views_.Today();
  CalendarFeed feed{.name = "Tabel: мой календарь"};
  std::vector<CalendarEvent> events;
  if (owner.identity.employee_id) {
    const PersonalCalendar calendar =
        views_.Personal(owner, *owner.identity.employee_id, today - std::chrono::days{kFeedDaysBack},
                        today + std::chrono::days{kFeedDaysAhead});
    for (const CalendarActivity& activity : calendar.activities) {
      if (activity.status == "approved" && events.size() < kMaxFeedEvents) {
        events.push_back(EventOf(activity, "", today));
      }
    }
  }
  return WriteICalendar(feed, events, clock_());
}

std::string CalendarFeeds::Team(std::string_view token, std::optional<int64_t> department_id, bool subtree,
                                const std::string& request_id) {
  const Actor owner = OwnerOf(token, request_id);
  const Date today = views_.Today();
  ViewQuery query{.department_id = department_id,
                  .subtree = subtree,
                  .from = today - std::chrono::days{kFeedDaysBack},
                  .to = today + std::chrono::days{kFeedDaysAhead},
                  .page = {.limit = http::kMaxPageSize}};
  std::vector<CalendarEvent> events;
  int64_t department = 0;
  for (;;) {
    const AwayList away = views_.Away(owner, query);
    department = away.filter.department_id;
    for (const Absence& absence : away.items) {
      if (events.size() < kMaxFeedEvents)
        events.push_back(EventOf(absence.activity, absence.person.name, today));
    }
    if (!away.next_after || events.size() >= kMaxFeedEvents) break;
    query.page.after = away.next_after;
  }
  const CalendarFeed feed{.name = "Tabel: отсутствия — " + users_.GetDepartment(department).name};
  return WriteICalendar(feed, events, clock_());
}

}  // namespace tabel::calendar
