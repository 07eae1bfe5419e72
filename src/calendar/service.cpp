#include "calendar/service.hpp"

#include <utility>

#include "auth/permissions.hpp"
#include "common/error.hpp"

namespace tabel::calendar {
namespace {

void RequireWrite(const Actor& actor) {
  if (!actor.identity.Has(auth::kProductionCalendarWrite)) {
    throw Error::Forbidden("Only hr edits the production calendar.");
  }
}

std::string RegionKey(const std::optional<std::string>& region) {
  return region.value_or(std::string(kFederalRegion));
}

}  // namespace

CalendarService::CalendarService(ProductionCalendar& calendar, CalendarRepository& repository)
    : calendar_(calendar), repository_(repository) {}

EffectiveYear CalendarService::Year(int year, const std::optional<std::string>& region) const {
  return calendar_.YearFor(year, region);
}

std::vector<DayEdit> CalendarService::Edits(int year, const std::optional<std::string>& region) const {
  return calendar_.EditsOf(year, region);
}

DayView CalendarService::SetDay(const Actor& actor, const DayChange& change) {
  RequireWrite(actor);
  CheckDay(change.year, change.date);
  DayEdit edit;
  edit.region = RegionKey(change.region);
  edit.date = change.date;
  edit.kind = change.kind;
  edit.name = change.name;
  repository_.Set(actor, edit);
  Reload();
  return DayOf(change.date, change.region);
}

DayView CalendarService::DeleteDay(const Actor& actor, int year, Date date,
                                   const std::optional<std::string>& region) {
  RequireWrite(actor);
  CheckDay(year, date);
  repository_.Remove(actor, RegionKey(region), date);
  Reload();
  return DayOf(date, region);
}

bool CalendarService::Refresh() {
  if (repository_.Revision() == calendar_.revision()) return false;
  return calendar_.SetEdits(repository_.Load());
}

void CalendarService::CheckDay(int year, Date date) {
  if (static_cast<int>(std::chrono::year_month_day(date).year()) != year) {
    throw Error::Unprocessable("date-outside-year",
                               "The date " + FormatIsoDate(date) + " is not in " + std::to_string(year) + ".",
                               {{"date", "must lie in " + std::to_string(year)}});
  }
}

void CalendarService::Reload() { calendar_.SetEdits(repository_.Load()); }

DayView CalendarService::DayOf(Date date, const std::optional<std::string>& region) const {
  DayView day;
  day.date = date;
  day.kind = calendar_.KindOf(date, region);
  day.region = region;
  day.edit = calendar_.EditOn(date, region);
  return day;
}

}  // namespace tabel::calendar
