#include "calendar/refresher.hpp"

namespace tabel::calendar {

CalendarRefresher::CalendarRefresher(CalendarService& service, log::Logger& logger,
                                     std::chrono::milliseconds interval)
    : task_(logger, "production_calendar_refresh", interval, [&service, &logger] {
        if (service.Refresh()) logger.Info("production_calendar_refreshed", {});
      }) {}

}  // namespace tabel::calendar
