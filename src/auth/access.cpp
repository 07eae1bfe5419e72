#include "auth/access.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <utility>

#include "auth/permissions.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::auth {
namespace {

constexpr size_t kMaxCachedContexts = 50'000;
// The generation every process sharing the cache of hot reads checks.
constexpr const char* kSharedGenerationKey = "tabel:access:generation";
// The department tree in that cache, under the generation it was read at.
constexpr const char* kSharedChartKey = "tabel:access:chart:";

// The departments below those he heads (source 0) and those he keeps the
// timesheet of (source 1), in one query.
constexpr const char* kHeadedDepartments =
    "SELECT c.descendant_id, 0 FROM department_closure c JOIN departments d ON d.id = c.ancestor_id "
    "WHERE d.head_employee_id = :self UNION ALL "
    "SELECT c.descendant_id, 1 FROM department_closure c JOIN timekeeper_assignments t "
    "ON t.department_id = c.ancestor_id WHERE t.employee_id = :self2";
constexpr const char* kDelegatedDepartments =
    "SELECT c.descendant_id FROM delegations g JOIN departments d ON d.head_employee_id = "
    "g.manager_employee_id "
    "JOIN department_closure c ON c.ancestor_id = d.id WHERE g.deputy_employee_id = :self AND g.revoked_at "
    "IS "
    "NULL AND g.starts_on <= :from AND g.ends_on >= :to";
constexpr const char* kDelegators =
    "SELECT manager_employee_id FROM delegations WHERE deputy_employee_id = :self AND revoked_at IS NULL "
    "AND starts_on <= :from AND ends_on >= :to";
constexpr const char* kOwnDepartment = "SELECT department_id FROM employees WHERE id = :self";
constexpr const char* kSelectChart = "SELECT id, parent_id, head_employee_id FROM departments";
constexpr const char* kDeputyPermissions =
    "SELECT rp.permission FROM roles r JOIN role_permissions rp ON rp.role_id = r.id WHERE r.code = :code";

constexpr const char* kApprover =
    "SELECT d.head_employee_id FROM department_closure c JOIN departments d ON d.id = c.ancestor_id "
    "JOIN employees h ON h.id = d.head_employee_id "
    "WHERE c.descendant_id = :department AND d.head_employee_id <> :self "
    "AND (h.dismissal_date IS NULL OR h.dismissal_date >= :today) "
    "AND EXISTS (SELECT 1 FROM user_accounts a JOIN account_roles ar ON ar.account_id = a.id "
    "JOIN role_permissions rp ON rp.role_id = ar.role_id WHERE a.employee_id = d.head_employee_id "
    "AND a.disabled = 0 AND rp.permission = :permission) ORDER BY c.depth LIMIT 1";

std::vector<int64_t> SortedUnique(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// `into` ∪ `more`, both sorted.
void Merge(std::vector<int64_t>& into, const std::vector<int64_t>& more) {
  if (more.empty()) return;
  std::vector<int64_t> merged;
  std::set_union(into.begin(), into.end(), more.begin(), more.end(), std::back_inserter(merged));
  into = std::move(merged);
}

}  // namespace

Reach ReachOf(const Identity& identity, std::string_view permission, const AccessContext& context) {
  Reach reach{identity.ScopeOf(permission), identity.employee_id, {}, context.own_department};
  if (reach.everyone() || !reach.self) return reach;
  if (reach.scope == Scope::kSubtree) {
    reach.departments = context.headed_departments;
    if (permission == kTimesheetsRead || permission == kTimesheetsCorrect) {
      Merge(reach.departments, context.timekept_departments);
    }
  }
  const bool delegated = std::find(context.deputy_permissions.begin(), context.deputy_permissions.end(),
                                   permission) != context.deputy_permissions.end();
  if (delegated) Merge(reach.departments, context.delegated_departments);
  return reach;
}

OrgChart::OrgChart(std::vector<Department> departments) : departments_(std::move(departments)) {
  std::sort(departments_.begin(), departments_.end(),
            [](const Department& a, const Department& b) { return a.id < b.id; });
}

const OrgChart::Department* OrgChart::Find(int64_t id) const {
  const auto found = std::lower_bound(departments_.begin(), departments_.end(), id,
                                      [](const Department& d, int64_t key) { return d.id < key; });
  return found != departments_.end() && found->id == id ? &*found : nullptr;
}

std::string OrgChart::ToText() const {
  std::string text;
  text.reserve(departments_.size() * 16);
  for (const Department& d : departments_) {
    text +=
        std::to_string(d.id) + ' ' + std::to_string(d.parent_id) + ' ' + std::to_string(d.head_employee_id);
    text += '\n';
  }
  return text;
}

std::optional<OrgChart> OrgChart::FromText(std::string_view text) {
  std::vector<Department> departments;
  const char* at = text.data();
  const char* const end = text.data() + text.size();
  const auto number = [&](int64_t& value, char separator) {
    const auto [next, error] = std::from_chars(at, end, value);
    if (error != std::errc() || next == end || *next != separator || value < 0) return false;
    at = next + 1;
    return true;
  };
  while (at != end) {
    Department d;
    if (!number(d.id, ' ') || !number(d.parent_id, ' ') || !number(d.head_employee_id, '\n')) {
      return std::nullopt;
    }
    departments.push_back(d);
  }
  return OrgChart(std::move(departments));
}

std::optional<int64_t> OrgChart::ManagerOf(int64_t employee_id, int64_t department_id) const {
  const Department* department = Find(department_id);
  for (size_t steps = 0; department != nullptr && steps <= departments_.size(); ++steps) {
    if (department->head_employee_id != 0 && department->head_employee_id != employee_id) {
      return department->head_employee_id;
    }
    department = department->parent_id == 0 ? nullptr : Find(department->parent_id);
  }
  return std::nullopt;
}

bool ReachesDepartment(const Reach& reach, int64_t department_id) {
  return reach.everyone() ||
         std::binary_search(reach.departments.begin(), reach.departments.end(), department_id);
}

bool Reaches(const Reach& reach, int64_t employee_id, int64_t department_id) {
  if (reach.everyone()) return true;
  if (reach.scope && reach.self == employee_id) return true;
  return ReachesDepartment(reach, department_id);
}

namespace {

// Whether the reach's departments already hold the caller's own row.
bool SelfImplied(const Reach& reach) {
  return reach.self_department && ReachesDepartment(reach, *reach.self_department);
}

// Appends "(<self> OR <departments>)" around `append_departments`, or the
// constant for everyone and nobody.
template <class AppendDepartments>
void AppendReach(db::Query& query, const Reach& reach, std::string_view employee_column,
                 AppendDepartments&& append_departments) {
  if (reach.everyone()) {
    query << "(1 = 1)";
    return;
  }
  if (reach.nothing()) {
    query << "(1 = 0)";
    return;
  }
  query << "(";
  bool first = true;
  // Left out when implied: an OR of two indexed terms makes SQLite merge two
  // index scans, about three times the cost of the department scan alone.
  if (reach.scope && reach.self && !SelfImplied(reach)) {
    query << employee_column << " = " << query.Param(static_cast<long long>(*reach.self));
    first = false;
  }
  if (!reach.departments.empty()) {
    query << (first ? "" : " OR ");
    append_departments();
  }
  query << ")";
}

}  // namespace

void AppendReachCondition(db::Query& query, const Reach& reach, std::string_view employee_column,
                          std::string_view department_column) {
  AppendReach(query, reach, employee_column, [&] {
    // Ids are integers we hold, written as literals: one statement text per
    // reach, no bind per department.
    query << department_column << " IN " << db::IdList(reach.departments);
  });
}

void AppendReachCondition(db::Query& query, const Reach& reach, std::string_view employee_column,
                          std::string_view department_column, db::Dialect dialect) {
  AppendReach(query, reach, employee_column,
              [&] { db::AppendInBoundIds(query, department_column, reach.departments, dialect); });
}

AccessResolver::AccessResolver(db::Database& database, Clock clock, cache::Cache* shared)
    : database_(database), clock_(std::move(clock)), shared_(shared) {}

int64_t AccessResolver::SharedGeneration() {
  return shared_ == nullptr ? 0 : shared_->Counter(kSharedGenerationKey);
}

// An entry is used while it is fresh and the shared generation has not
// moved since it was read: read before the load, a generation bumped after
// a change's commit can never vouch for what was loaded before it.
std::shared_ptr<const AccessContext> AccessResolver::ContextOf(const Identity& identity) {
  static const auto kEmpty = std::make_shared<const AccessContext>();
  if (!identity.employee_id) return kEmpty;
  const int64_t employee = *identity.employee_id;
  const auto now = std::chrono::steady_clock::now();
  const int64_t shared = SharedGeneration();
  uint64_t generation = 0;
  {
    const std::lock_guard lock(mutex_);
    const auto found = cache_.find(employee);
    if (found != cache_.end() && found->second.expires > now && found->second.shared_generation == shared) {
      return found->second.context;
    }
    generation = generation_;
  }
  auto context = std::make_shared<const AccessContext>(Load(employee, LocalDate(clock_())));
  const std::lock_guard lock(mutex_);
  if (generation != generation_) return context;  // invalidated while loading: may be stale
  if (cache_.size() >= kMaxCachedContexts) cache_.clear();
  cache_[employee] = {context, now + kAccessCacheTtl, shared};
  return context;
}

std::shared_ptr<const OrgChart> AccessResolver::Chart() {
  const auto now = std::chrono::steady_clock::now();
  const int64_t shared = SharedGeneration();
  uint64_t generation = 0;
  {
    const std::lock_guard lock(mutex_);
    if (chart_ && chart_expires_ > now && chart_shared_generation_ == shared) return chart_;
    generation = generation_;
  }
  // Another process may have read it at this generation already.
  const std::string key = kSharedChartKey + std::to_string(shared);
  std::optional<OrgChart> read;
  if (shared_ != nullptr) {
    if (const std::optional<std::string> text = shared_->Get(key)) read = OrgChart::FromText(*text);
  }
  if (!read) {
    read = LoadChart();
    if (shared_ != nullptr) shared_->Set(key, read->ToText(), kSharedChartTtl);
  }
  auto chart = std::make_shared<const OrgChart>(std::move(*read));
  const std::lock_guard lock(mutex_);
  if (generation == generation_) {
    chart_ = chart;
    chart_expires_ = now + kAccessCacheTtl;
    chart_shared_generation_ = shared;
  }
  return chart;
}

Reach AccessResolver::ReachOf(const Identity& identity, std::string_view permission) {
  return auth::ReachOf(identity, permission, *ContextOf(identity));
}

namespace {

// kApprover kept prepared on its session: it runs for every request
// created, and planning it costs PostgreSQL fifteen times running it.
struct CachedApprover : db::CachedStatement {
  explicit CachedApprover(soci::session& session) : statement(session) {
    statement.exchange(soci::into(head));
    statement.exchange(soci::use(department, "department"));
    statement.exchange(soci::use(self, "self"));
    statement.exchange(soci::use(today, "today"));
    statement.exchange(soci::use(permission, "permission"));
    statement.alloc();
    statement.prepare(kApprover, soci::details::st_repeatable_query);
    statement.define_and_bind();
  }

  long long head = 0, department = 0, self = 0;
  std::string today, permission{kRequestsApprove};
  soci::statement statement;
};

}  // namespace

std::optional<int64_t> AccessResolver::ApproverOf(int64_t employee_id, int64_t department_id) {
  const std::string today = FormatIsoDate(LocalDate(clock_()));
  return db::WithLease(database_, [&](db::Lease& lease) -> std::optional<int64_t> {
    auto& approver = lease.Cached<CachedApprover>(
        kApprover, [](soci::session& session) { return std::make_unique<CachedApprover>(session); });
    approver.department = department_id;
    approver.self = employee_id;
    approver.today = today;
    bool found = false;
    try {
      found = approver.statement.execute(true);
    } catch (...) {
      db::EndUse(approver.statement, lease.dialect());
      lease.DropCached(kApprover);
      throw;
    }
    db::EndUse(approver.statement, lease.dialect());
    if (!found) return std::nullopt;
    return approver.head;
  });
}

void AccessResolver::Invalidate() {
  {
    const std::lock_guard lock(mutex_);
    cache_.clear();
    chart_.reset();
    ++generation_;
  }
  if (shared_ != nullptr) shared_->Bump(kSharedGenerationKey);
}

OrgChart AccessResolver::LoadChart() {
  return db::WithSession(database_, [](soci::session& session) {
    std::vector<OrgChart::Department> departments;
    long long id = 0, parent = 0, head = 0;
    soci::indicator parent_ind = soci::i_null, head_ind = soci::i_null;
    soci::statement statement = (session.prepare << kSelectChart, soci::into(id),
                                 soci::into(parent, parent_ind), soci::into(head, head_ind));
    statement.execute(false);
    while (statement.fetch()) {
      departments.push_back({id, parent_ind == soci::i_ok ? parent : 0, head_ind == soci::i_ok ? head : 0});
    }
    return OrgChart(std::move(departments));
  });
}

AccessContext AccessResolver::Load(int64_t employee_id, Date today) {
  const long long self = employee_id;
  const std::string day = FormatIsoDate(today);
  const std::string deputy(kRoleDeputy);
  return db::WithSession(database_, [&](soci::session& session) {
    AccessContext context;
    long long id = 0;
    {
      int source = 0;
      soci::statement statement = (session.prepare << kHeadedDepartments, soci::into(id), soci::into(source),
                                   soci::use(self, "self"), soci::use(self, "self2"));
      statement.execute(false);
      while (statement.fetch()) {
        (source == 0 ? context.headed_departments : context.timekept_departments).push_back(id);
      }
    }
    {
      soci::statement statement = (session.prepare << kDelegatedDepartments, soci::into(id),
                                   soci::use(self, "self"), soci::use(day, "from"), soci::use(day, "to"));
      statement.execute(false);
      while (statement.fetch()) context.delegated_departments.push_back(id);
    }
    {
      soci::statement statement = (session.prepare << kDelegators, soci::into(id), soci::use(self, "self"),
                                   soci::use(day, "from"), soci::use(day, "to"));
      statement.execute(false);
      while (statement.fetch()) context.delegators.push_back(id);
    }
    {
      std::string permission;
      soci::statement statement =
          (session.prepare << kDeputyPermissions, soci::into(permission), soci::use(deputy, "code"));
      statement.execute(false);
      while (statement.fetch()) context.deputy_permissions.push_back(permission);
    }
    {
      long long department = 0;
      soci::indicator department_ind = soci::i_null;
      session << kOwnDepartment, soci::into(department, department_ind), soci::use(self, "self");
      if (session.got_data() && department_ind == soci::i_ok) context.own_department = department;
    }
    context.headed_departments = SortedUnique(std::move(context.headed_departments));
    context.timekept_departments = SortedUnique(std::move(context.timekept_departments));
    context.delegated_departments = SortedUnique(std::move(context.delegated_departments));
    context.delegators = SortedUnique(std::move(context.delegators));
    return context;
  });
}

}  // namespace tabel::auth
