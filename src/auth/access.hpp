#pragma once
// Object-level authorization, in one place for every service.
//
// A permission reaches employees (and everything that belongs to an
// employee: requests, calendars, timesheets) by its scope:
//   self     the caller's own employee record;
//   subtree  self, plus every employee of the departments the caller heads,
//            transitively (department_closure); for timesheets.read and
//            timesheets.correct also of the departments he is the
//            timekeeper of (timekeeper_assignments), transitively;
//   all      everyone.
// Delegation widens it: while a delegation to the caller is active (today
// within starts_on..ends_on, not revoked) and the `deputy` role grants the
// permission, the caller also reaches the delegating manager's subtree.
// A caller without an employee record (a technical account) reaches only
// what an `all` grant gives.
//
// Objects outside the reach do not exist for the caller: services answer
// 404 for them and leave them out of lists, exports and counts, by adding
// AppendReachCondition() to their queries.
//
// The departments a person reaches, and the department tree itself (parents
// and heads: OrgChart), are resolved once and kept for kAccessCacheTtl by
// AccessResolver, so a request costs no extra query. The tree is also kept
// in the cache every process shares (Redis) for kSharedChartTtl under the
// shared generation, so that the replicas read it from there rather than
// each from the database. A change of the tree or
// of a delegation in this process clears the cache at once (Invalidate), and
// bumps a generation in the cache every process shares (Redis), so that the
// others, checking it on every use, drop theirs at once too; without a
// shared cache, or while it fails, another process sees the change within
// kAccessCacheTtl.
// Thread-safety: ReachOf and AppendReachCondition are pure; AccessResolver
// is safe from any thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/date.hpp"
#include "common/identity.hpp"
#include "infra/cache/cache.hpp"
#include "infra/db/database.hpp"
#include "infra/db/query.hpp"

namespace tabel::auth {

inline constexpr std::chrono::milliseconds kAccessCacheTtl{1000};
// How long the shared cache keeps a tree: a change through the API bumps
// the generation at once; one made in the database by hand shows after this.
inline constexpr std::chrono::seconds kSharedChartTtl{60};

// Where one person's subtree grants and delegations reach, today.
struct AccessContext {
  // Departments he heads and all below them, sorted.
  std::vector<int64_t> headed_departments;
  // Departments he keeps the timesheet of and all below them, sorted.
  std::vector<int64_t> timekept_departments;
  // Departments of the managers who delegated to him, active today, sorted.
  std::vector<int64_t> delegated_departments;
  // The managers (employee ids) whose delegation to him is active today,
  // sorted: he decides their approval steps in their place.
  std::vector<int64_t> delegators;
  // What the deputy role grants (the permissions a delegation carries).
  std::vector<std::string> deputy_permissions;
  // His own department (nullopt: no such employee).
  std::optional<int64_t> own_department;
};

struct Reach {
  std::optional<Scope> scope;        // from the caller's roles; nullopt: none
  std::optional<int64_t> self;       // the caller's employee id
  std::vector<int64_t> departments;  // reached through subtree and delegations, sorted
  // The caller's own department, when known: a reach whose departments
  // hold it needs no separate condition for the caller himself.
  std::optional<int64_t> self_department;

  // Whether the reach is everyone (no condition needed).
  bool everyone() const { return scope == Scope::kAll; }
  // Whether nothing can be reached.
  bool nothing() const { return !everyone() && !(scope && self) && departments.empty(); }
};

Reach ReachOf(const Identity& identity, std::string_view permission, const AccessContext& context);

// The department tree at one moment: each department's parent and head.
// Thread-safety: immutable once built.
class OrgChart {
 public:
  struct Department {
    int64_t id = 0;
    int64_t parent_id = 0;         // 0 for a root
    int64_t head_employee_id = 0;  // 0 for none
  };

  OrgChart() = default;
  explicit OrgChart(std::vector<Department> departments);

  // The head of the nearest department at or above `department_id` that is
  // headed by someone other than `employee_id`: the employee's manager.
  // nullopt when there is none (or the department is unknown). A cycle in
  // the parents ends the walk instead of looping.
  std::optional<int64_t> ManagerOf(int64_t employee_id, int64_t department_id) const;
  // Whether the department exists.
  bool Has(int64_t department_id) const { return Find(department_id) != nullptr; }

  // The chart as text, one "id parent head" line per department (0 for
  // none), for the shared cache; FromText reads it back, nullopt for
  // anything else.
  std::string ToText() const;
  static std::optional<OrgChart> FromText(std::string_view text);

 private:
  const Department* Find(int64_t id) const;

  std::vector<Department> departments_;  // sorted by id
};

// Whether `reach` covers the employee `employee_id` of department
// `department_id` (a single object already read), and a department.
bool Reaches(const Reach& reach, int64_t employee_id, int64_t department_id);
bool ReachesDepartment(const Reach& reach, int64_t department_id);

// Appends a parenthesised SQL condition, true exactly for the rows within
// `reach`, where `employee_column` and `department_column` name the row's
// employee id and that employee's department (e.g. "e.id",
// "e.department_id"; "NULL" for a row that is a department).
void AppendReachCondition(db::Query& query, const Reach& reach, std::string_view employee_column,
                          std::string_view department_column);
// The same condition with the departments bound as one parameter instead of
// written as literals, so that its text depends only on the reach's kind:
// a statement using it can be prepared once and cached
// (db::CachedStatement). SQLite reads them with json_each, PostgreSQL as a
// bigint[] (= ANY).
void AppendReachCondition(db::Query& query, const Reach& reach, std::string_view employee_column,
                          std::string_view department_column, db::Dialect dialect);

class AccessResolver {
 public:
  // `shared`: the cache of hot reads, whose generation tells every process
  // of a change (nullptr: only this process's changes are seen at once).
  AccessResolver(db::Database& database, Clock clock, cache::Cache* shared = nullptr);

  // The context of `identity` (empty for a technical account). Blocks on
  // the database on a cache miss: run it on the blocking pool. Errors:
  // tabel::Error from the database helpers.
  std::shared_ptr<const AccessContext> ContextOf(const Identity& identity);

  // The reach of `permission` for `identity`, today.
  Reach ReachOf(const Identity& identity, std::string_view permission);

  // Who decides the manager steps of `employee_id`'s requests: the nearest
  // head of a department above him (his own department first, never
  // himself, not dismissed) whose enabled account holds requests.approve; nullopt when
  // there is none (approvers for everyone decide). Blocks on the database.
  std::optional<int64_t> ApproverOf(int64_t employee_id, int64_t department_id);

  // The department tree, at most kAccessCacheTtl old. On a miss it is read
  // from the shared cache, else from the database (one query of every
  // department) and put there. Blocks: run it on the blocking pool. Errors:
  // tabel::Error from the database helpers.
  std::shared_ptr<const OrgChart> Chart();

  // Forgets every cached context and the chart: call after a change of
  // departments, heads, delegations or role grants.
  void Invalidate();

 private:
  struct Entry {
    std::shared_ptr<const AccessContext> context;
    std::chrono::steady_clock::time_point expires;
    int64_t shared_generation = 0;
  };

  AccessContext Load(int64_t employee_id, Date today);
  OrgChart LoadChart();
  // The shared generation now (0 without a shared cache).
  int64_t SharedGeneration();

  db::Database& database_;
  Clock clock_;
  cache::Cache* shared_;
  std::mutex mutex_;
  std::unordered_map<int64_t, Entry> cache_;  // by employee id
  std::shared_ptr<const OrgChart> chart_;     // null until loaded or after Invalidate
  std::chrono::steady_clock::time_point chart_expires_;
  int64_t chart_shared_generation_ = 0;
  // Bumped by Invalidate, so a chart loaded before it is not stored after it.
  uint64_t generation_ = 0;
};

}  // namespace tabel::auth
