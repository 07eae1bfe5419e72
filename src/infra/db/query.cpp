#include "infra/db/query.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace tabel::db {
namespace {

// "1,2,3"
std::string JoinIds(const std::vector<int64_t>& ids) {
  std::string text;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) text += ',';
    text += std::to_string(ids[i]);
  }
  return text;
}

}  // namespace

std::string Query::Param(long long value) { return Param(std::optional<long long>(value)); }

std::string Query::Param(std::string value) { return Param(std::optional<std::string>(std::move(value))); }

std::string Query::Param(std::optional<long long> value) {
  ints_.push_back(value.value_or(0));
  indicators_.push_back(value ? soci::i_ok : soci::i_null);
  bindings_.push_back({"p" + std::to_string(bindings_.size() + 1), true, ints_.size() - 1});
  return ":" + bindings_.back().name;
}

std::string Query::Param(std::optional<std::string> value) {
  indicators_.push_back(value ? soci::i_ok : soci::i_null);
  strings_.push_back(value ? std::move(*value) : std::string());
  bindings_.push_back({"p" + std::to_string(bindings_.size() + 1), false, strings_.size() - 1});
  return ":" + bindings_.back().name;
}

void Query::Bind(soci::statement& statement) {
  for (size_t i = 0; i < bindings_.size(); ++i) {
    const Binding& binding = bindings_[i];
    if (binding.is_int) {
      statement.exchange(soci::use(ints_[binding.index], indicators_[i], binding.name));
    } else {
      statement.exchange(soci::use(strings_[binding.index], indicators_[i], binding.name));
    }
  }
  statement.alloc();
}

void Query::Prepare(soci::statement& statement) {
  Bind(statement);
  // One-time: PostgreSQL runs it with one PQexecParams round trip instead
  // of prepare, execute and deallocate; the SQL text differs per request.
  statement.prepare(sql_, soci::details::st_one_time_query);
  statement.define_and_bind();
}

void Query::PrepareRepeatable(soci::statement& statement) {
  Bind(statement);
  statement.prepare(sql_, soci::details::st_repeatable_query);
  statement.define_and_bind();
}

void Query::CopyValuesFrom(const Query& other) {
  const bool same = bindings_.size() == other.bindings_.size() && ints_.size() == other.ints_.size() &&
                    strings_.size() == other.strings_.size() &&
                    std::equal(bindings_.begin(), bindings_.end(), other.bindings_.begin(),
                               [](const Binding& a, const Binding& b) { return a.is_int == b.is_int; });
  if (!same) throw std::logic_error("db::Query::CopyValuesFrom: the parameters differ");
  std::copy(other.ints_.begin(), other.ints_.end(), ints_.begin());
  std::copy(other.strings_.begin(), other.strings_.end(), strings_.begin());
  std::copy(other.indicators_.begin(), other.indicators_.end(), indicators_.begin());
}

long long ExecuteCached(Lease& lease, Query query) {
  return RunCached<NoRow>(lease, std::move(query), [](soci::statement& statement, NoRow&, bool) {
    return statement.get_affected_rows();
  });
}

void PrepareOnce(soci::statement& statement, const std::string& sql) {
  statement.alloc();
  statement.prepare(sql, soci::details::st_one_time_query);
  statement.define_and_bind();
}

void ExecuteOnce(soci::statement& statement, const std::string& sql) {
  PrepareOnce(statement, sql);
  statement.execute(true);
}

std::string IdList(const std::vector<int64_t>& ids) {
  if (ids.empty()) return "(NULL)";
  return "(" + JoinIds(ids) + ")";
}

void AppendInBoundIds(Query& query, std::string_view column, const std::vector<int64_t>& ids,
                      Dialect dialect) {
  const std::string list = JoinIds(ids);
  if (dialect == Dialect::kSqlite) {
    query << column << " IN (SELECT value FROM json_each(" << query.Param("[" + list + "]") << "))";
  } else {
    query << column << " = ANY(CAST(" << query.Param("{" + list + "}") << " AS bigint[]))";
  }
}

void AppendAmong(Query& query, std::string_view column, const std::vector<int64_t>& ids) {
  if (ids.size() <= kMaxListedIds) query << " AND " << column << " IN " << IdList(ids);
}

}  // namespace tabel::db
