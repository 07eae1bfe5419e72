#pragma once
// SQL of the production calendar's edits: hr's days (production_calendar_days,
// one per region and date) and their revision (production_calendar_revision,
// one row that every write bumps in its transaction, so that a replica
// learns its snapshot is stale by reading one row).
//
// Thread-safety: safe from any thread; every method leases its own session
// and blocks on the database (run it on the blocking pool or the
// refresher's thread, never from inside another transaction).
// Errors: tabel::Error — NotFound (no edit to remove), Unprocessable (too
// many edits), and the database helpers' Conflict, Unavailable, Internal.

#include <cstdint>
#include <optional>
#include <string>

#include "calendar/production_calendar.hpp"
#include "common/actor.hpp"
#include "common/clock.hpp"
#include "infra/db/database.hpp"

namespace tabel::calendar {

// An edit's state before and after one write (nullopt: none).
struct EditChange {
  std::optional<DayEdit> before;
  std::optional<DayEdit> after;
};

class CalendarRepository {
 public:
  // At most this many edits in all (every region and year): each replica
  // keeps them in memory and reloads them on every change.
  static constexpr int64_t kMaxEdits = 10000;

  CalendarRepository(db::Database& database, Clock clock);

  // The current revision of the edits.
  int64_t Revision();
  // Every edit (at most kMaxEdits) with a revision read before them: the
  // edits are at least as new as the revision says, so a later poll that
  // finds a newer revision reloads whatever this read missed.
  CalendarEdits Load();

  // Sets the edit of (edit.region, edit.date) to edit.kind and edit.name,
  // by `actor` now, bumping the revision and appending an audit row with
  // the old and new values in the same transaction. Unprocessable when a
  // new edit would exceed kMaxEdits.
  EditChange Set(const Actor& actor, const DayEdit& edit);
  // Removes the edit of (region, date) likewise; NotFound when there is none.
  EditChange Remove(const Actor& actor, const std::string& region, Date date);

 private:
  db::Database& database_;
  Clock clock_;
};

}  // namespace tabel::calendar
