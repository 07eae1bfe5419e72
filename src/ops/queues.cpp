#include "ops/queues.hpp"

#include <utility>

#include "auth/permissions.hpp"
#include "common/error.hpp"
#include "infra/audit/audit_log.hpp"

namespace tabel::ops {

QueueAdmin::QueueAdmin(QueueTransport& transport, Clock clock)
    : transport_(transport), clock_(std::move(clock)) {}

void QueueAdmin::Check(const Actor& actor) const {
  if (actor.identity.ScopeOf(auth::kSettingsManage) != Scope::kAll) throw Error::Forbidden();
}

BusOverview QueueAdmin::Overview(const Actor& actor) {
  Check(actor);
  return transport_.Overview();
}

std::vector<DeadLetter> QueueAdmin::DeadLetters(const Actor& actor, const std::optional<std::string>& queue,
                                                size_t limit) {
  Check(actor);
  return transport_.DeadLetters(queue, limit);
}

DeadLetter QueueAdmin::Replay(const Actor& actor, const std::string& id) {
  Check(actor);
  return transport_.Replay(id, [&](soci::session& session, const DeadLetter& replayed) {
    audit::Append(
        session, actor,
        {"queue.replay",
         "task",
         id,
         {{"queue", replayed.queue}, {"topic", replayed.topic}, {"message_id", replayed.message_id}}},
        clock_());
  });
}

}  // namespace tabel::ops
