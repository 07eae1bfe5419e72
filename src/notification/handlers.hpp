#pragma once
// The notification service's HTTP surface (notification/service.hpp):
//   GET  /api/v1/notifications?unread=true|false&limit&cursor
//        the caller's feed, newest first, with his unread count;
//   POST /api/v1/notifications/{id}/read     marks one read;
//   POST /api/v1/notifications/read-all      marks all read;
//   GET  /api/v1/notifications/preferences   which optional events reach
//        his mailbox;
//   PUT  /api/v1/notifications/preferences   {"<event>": true|false, …};
//   GET|POST /api/v1/notifications/unsubscribe?token=…   (public: the link
//        of a mail, RFC 8058 one-click with POST) turns one event's mail off.
// The service must outlive the router's use.

#include "http/blocking_pool.hpp"
#include "http/router.hpp"
#include "notification/service.hpp"

namespace tabel::notification {

void RegisterRoutes(http::Router& router, NotificationService& service, http::BlockingPool& pool);

}  // namespace tabel::notification
