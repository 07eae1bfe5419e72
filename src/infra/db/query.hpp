#pragma once
// A statement assembled at run time: SQL text with generated placeholders
// and the values they bind. Repositories whose WHERE clause depends on the
// request (filters, the caller's access scope, a cursor) build one:
//
//   db::Query query;
//   query << "SELECT id, name FROM employees WHERE department_id = " << query.Param(department_id);
//   if (after) query << " AND id > " << query.Param(*after);
//   soci::statement statement(session);
//   statement.exchange(soci::into(id));
//   statement.exchange(soci::into(name));
//   query.Prepare(statement);
//   statement.execute(false);
//   while (statement.fetch()) { ... }
//
// Every Param() gets its own name (:p1, :p2, …): SOCI's PostgreSQL backend
// cannot bind one name at two places. Only constants go in with <<; every
// value from a request goes through Param().
// Thread-safety: one owner; the Query must outlive the statement it prepared
// (the statement binds references to the stored values).

#include <soci/soci.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "infra/db/database.hpp"

namespace tabel::db {

class Query {
 public:
  // A placeholder bound to `value`, as text to append with <<; an empty
  // optional binds NULL.
  std::string Param(long long value);
  std::string Param(std::string value);
  std::string Param(std::optional<long long> value);
  std::string Param(std::optional<std::string> value);

  Query& operator<<(std::string_view sql) {
    sql_ += sql;
    return *this;
  }

  const std::string& sql() const { return sql_; }

  // Binds every parameter to `statement` (after the caller's into()s were
  // exchanged), then prepares and defines it as a one-time statement.
  // Throws soci::soci_error.
  void Prepare(soci::statement& statement);
  // The same, prepared to be executed again (db::CachedStatement): later
  // executions take the values CopyValuesFrom() puts in.
  void PrepareRepeatable(soci::statement& statement);

  // Copies the parameter values of `other`, built to the same text (so the
  // same parameters in the same order), into this query's storage, which a
  // statement prepared from it reads at every execution. Throws
  // std::logic_error when the parameters differ in number or kind.
  void CopyValuesFrom(const Query& other);

 private:
  struct Binding {
    std::string name;
    bool is_int = false;
    size_t index = 0;
  };

  void Bind(soci::statement& statement);

  std::string sql_;
  std::deque<long long> ints_;  // deques: references stay valid as they grow
  std::deque<std::string> strings_;
  std::deque<soci::indicator> indicators_;  // one per binding
  std::vector<Binding> bindings_;
};

// Prepares `query` on a statement of `session` with `row`'s columns bound
// (Row::Exchange(soci::statement&) exchanges its into()s), runs it and
// returns convert(row) for every row fetched. Throws soci::soci_error.
template <class Row, class Convert>
auto FetchAll(soci::session& session, Query& query, Row& row, Convert convert)
    -> std::vector<decltype(convert(row))> {
  soci::statement statement(session);
  row.Exchange(statement);
  query.Prepare(statement);
  statement.execute(false);
  std::vector<decltype(convert(row))> items;
  while (statement.fetch()) items.push_back(convert(row));
  return items;
}

// A statement kept prepared on its session (Lease::Cached): the row it
// fetches into (Row::Exchange as for FetchAll; NoRow for a write), the
// query whose values it binds at every execution, and the statement.
template <class Row>
struct CachedRead : CachedStatement {
  CachedRead(soci::session& session, Query bound) : query(std::move(bound)), statement(session) {
    row.Exchange(statement);
    query.PrepareRepeatable(statement);
  }

  Row row;
  Query query;
  soci::statement statement;
};

// The row of a statement that returns none.
struct NoRow {
  void Exchange(soci::statement& /*statement*/) {}
};

// Runs `query` through the session's statement prepared for its text (made
// on first use, then only bound and executed) and returns use(statement,
// row, got), `got` being whether execute(true) brought a row (the first is
// in `row`; statement.fetch() brings the next). A statement that failed
// is dropped from the session; the error propagates. For texts that repeat
// (parameters, not literals), or the session keeps one statement per
// literal.
template <class Row, class Use>
decltype(auto) RunCached(Lease& lease, Query query, Use use) {
  const std::string key = query.sql();
  bool made = false;
  auto& cached = lease.Cached<CachedRead<Row>>(key, [&](soci::session& session) {
    made = true;
    return std::make_unique<CachedRead<Row>>(session, std::move(query));
  });
  if (!made) cached.query.CopyValuesFrom(query);
  try {
    const bool got = cached.statement.execute(true);
    auto result = use(cached.statement, cached.row, got);
    EndUse(cached.statement, lease.dialect());
    return result;
  } catch (...) {
    EndUse(cached.statement, lease.dialect());
    lease.DropCached(key);
    throw;
  }
}

// FetchAll through a statement prepared once per session (RunCached):
// take(row) for every row fetched, which may move the row's texts out (the
// next fetch refills them).
template <class Row, class Take>
auto FetchCached(Lease& lease, Query query, Take take) -> std::vector<decltype(take(std::declval<Row&>()))> {
  return RunCached<Row>(lease, std::move(query), [&](soci::statement& statement, Row& row, bool got) {
    std::vector<decltype(take(row))> items;
    if (got) {
      do {
        items.push_back(take(row));
      } while (statement.fetch());
    }
    return items;
  });
}

// A write through a statement prepared once per session (RunCached);
// returns the rows it changed.
long long ExecuteCached(Lease& lease, Query query);

// Prepares `sql` as a one-time statement over what the caller exchanged
// into `statement` (into()s and named use()s), for one execute() and its
// fetches: PostgreSQL runs it in one PQexecParams round trip, where
// `session.prepare << sql` costs three (prepare, execute, deallocate).
// Throws soci::soci_error.
void PrepareOnce(soci::statement& statement, const std::string& sql);

// PrepareOnce, then executes it once (a write). Throws soci::soci_error.
void ExecuteOnce(soci::statement& statement, const std::string& sql);

// "(1,2,3)": ids the program holds (never a request's text), as literals;
// "(NULL)", which nothing is in, for none.
std::string IdList(const std::vector<int64_t>& ids);

// "<column> IN <ids>" with the ids bound as one parameter, so that the
// text is the same however many there are and a statement using it can be
// prepared once (FetchCached): SQLite reads them with json_each, PostgreSQL
// as a bigint[] (= ANY). None match nothing.
void AppendInBoundIds(Query& query, std::string_view column, const std::vector<int64_t>& ids,
                      Dialect dialect);

// The most ids AppendAmong lists.
inline constexpr size_t kMaxListedIds = 2000;
// " AND <column> IN (ids)"; nothing for more than kMaxListedIds ids (a
// whole company): the caller keeps the rows of its ids.
void AppendAmong(Query& query, std::string_view column, const std::vector<int64_t>& ids);

}  // namespace tabel::db
