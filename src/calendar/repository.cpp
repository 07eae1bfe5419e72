#include "calendar/repository.hpp"

#include <utility>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "infra/audit/audit_log.hpp"
#include "infra/db/query.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::calendar {
namespace {

constexpr const char* kSelectRevision = "SELECT revision FROM production_calendar_revision WHERE id = 1";
// Also locks the row on PostgreSQL until the transaction ends, so that
// writes of edits are serialised.
constexpr const char* kBumpRevision =
    "UPDATE production_calendar_revision SET revision = revision + 1 WHERE id = 1";
constexpr const char* kEditColumns =
    "SELECT region, day, kind, name, account_id, updated_at FROM production_calendar_days";
constexpr const char* kCountEdits = "SELECT COUNT(*) FROM production_calendar_days";
constexpr const char* kUpsertEdit =
    "INSERT INTO production_calendar_days (region, day, kind, name, account_id, updated_at) VALUES (:region, "
    ":day, :kind, :name, :account_id, :updated_at) ON CONFLICT (region, day) DO UPDATE SET kind = "
    "excluded.kind, name = excluded.name, account_id = excluded.account_id, updated_at = excluded.updated_at";
constexpr const char* kDeleteEdit =
    "DELETE FROM production_calendar_days WHERE region = :region AND day = :day";

struct EditRow {
  std::string region, day, kind, name, updated_at;
  long long account = 0;
  soci::indicator account_ind = soci::i_null;

  void Exchange(soci::statement& statement) {
    statement.exchange(soci::into(region));
    statement.exchange(soci::into(day));
    statement.exchange(soci::into(kind));
    statement.exchange(soci::into(name));
    statement.exchange(soci::into(account, account_ind));
    statement.exchange(soci::into(updated_at));
  }

  DayEdit ToEdit() const {
    DayEdit edit;
    edit.region = region;
    edit.date = db::ParseStoredDate(day, "production_calendar_days.day");
    const std::optional<DayKind> parsed = DayKindNamed(kind);
    if (!parsed) throw Error::Internal("production_calendar_days.kind is malformed: " + kind);
    edit.kind = *parsed;
    edit.name = name;
    if (account_ind == soci::i_ok) edit.account_id = account;
    const auto at = db::ParseTimestamp(updated_at);
    if (!at) throw Error::Internal("production_calendar_days.updated_at is malformed: " + updated_at);
    edit.updated_at = *at;
    return edit;
  }
};

std::optional<DayEdit> FindEdit(soci::session& session, const std::string& region, Date date) {
  db::Query query;
  query << kEditColumns << " WHERE region = " << query.Param(region)
        << " AND day = " << query.Param(FormatIsoDate(date));
  EditRow row;
  auto edits = db::FetchAll(session, query, row, [](const EditRow& r) { return r.ToEdit(); });
  if (edits.empty()) return std::nullopt;
  return std::move(edits.front());
}

nlohmann::json EditAudit(const std::optional<DayEdit>& edit) {
  if (!edit) return nullptr;
  return {{"kind", DayKindName(edit->kind)}, {"name", edit->name}};
}

// The audit row of a change of the edit of (region, date).
void AppendAudit(soci::session& session, const Actor& actor, const std::string& action,
                 const std::string& region, Date date, const EditChange& change,
                 std::chrono::system_clock::time_point at) {
  nlohmann::json details = {{"region", region == kFederalRegion ? nlohmann::json() : nlohmann::json(region)},
                            {"date", FormatIsoDate(date)},
                            {"before", EditAudit(change.before)},
                            {"after", EditAudit(change.after)}};
  audit::Append(session, actor, {action, "production_calendar_day", FormatIsoDate(date), std::move(details)},
                at);
}

}  // namespace

CalendarRepository::CalendarRepository(db::Database& database, Clock clock)
    : database_(database), clock_(std::move(clock)) {}

int64_t CalendarRepository::Revision() {
  return db::WithSession(database_, [](soci::session& session) {
    long long revision = 0;
    session << kSelectRevision, soci::into(revision);
    return static_cast<int64_t>(revision);
  });
}

CalendarEdits CalendarRepository::Load() {
  return db::WithSession(database_, [](soci::session& session) {
    CalendarEdits edits;
    long long revision = 0;
    session << kSelectRevision, soci::into(revision);
    edits.revision = revision;
    db::Query query;
    query << kEditColumns << " ORDER BY region, day LIMIT " << query.Param(static_cast<long long>(kMaxEdits));
    EditRow row;
    edits.days = db::FetchAll(session, query, row, [](const EditRow& r) { return r.ToEdit(); });
    return edits;
  });
}

EditChange CalendarRepository::Set(const Actor& actor, const DayEdit& edit) {
  const auto now = clock_();
  const std::string at = db::FormatTimestamp(now), day = FormatIsoDate(edit.date),
                    kind(DayKindName(edit.kind));
  const long long account = actor.identity.account_id;
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    session << kBumpRevision;
    EditChange change;
    change.before = FindEdit(session, edit.region, edit.date);
    if (!change.before) {
      long long count = 0;
      session << kCountEdits, soci::into(count);
      if (count >= kMaxEdits) {
        throw Error::Unprocessable("too-many-edits",
                                   "The production calendar holds " + std::to_string(kMaxEdits) +
                                       " edits at most; remove some first.",
                                   {{"date", "cannot be edited: too many edits"}});
      }
    }
    soci::statement statement(session);
    statement.exchange(soci::use(edit.region, "region"));
    statement.exchange(soci::use(day, "day"));
    statement.exchange(soci::use(kind, "kind"));
    statement.exchange(soci::use(edit.name, "name"));
    statement.exchange(soci::use(account, "account_id"));
    statement.exchange(soci::use(at, "updated_at"));
    db::ExecuteOnce(statement, kUpsertEdit);
    change.after = edit;
    change.after->account_id = actor.identity.account_id;
    change.after->updated_at = now;
    AppendAudit(session, actor, "production_calendar.set_day", edit.region, edit.date, change, now);
    return change;
  });
}

EditChange CalendarRepository::Remove(const Actor& actor, const std::string& region, Date date) {
  const auto now = clock_();
  const std::string day = FormatIsoDate(date);
  return db::WithWriteTransaction(database_, [&](soci::session& session) {
    session << kBumpRevision;
    EditChange change;
    change.before = FindEdit(session, region, date);
    if (!change.before) throw Error::NotFound("There is no edit of " + day + " for this region.");
    session << kDeleteEdit, soci::use(region, "region"), soci::use(day, "day");
    AppendAudit(session, actor, "production_calendar.delete_day", region, date, change, now);
    return change;
  });
}

}  // namespace tabel::calendar
