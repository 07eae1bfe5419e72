#include "infra/db/query.hpp"

#include <utility>

namespace tabel::db {

std::string Query::Param(long long value) {
  ints_.push_back(value);
  bindings_.push_back({"p" + std::to_string(bindings_.size() + 1), true, ints_.size() - 1});
  return ":" + bindings_.back().name;
}

std::string Query::Param(std::string value) {
  strings_.push_back(std::move(value));
  bindings_.push_back({"p" + std::to_string(bindings_.size() + 1), false, strings_.size() - 1});
  return ":" + bindings_.back().name;
}

void Query::Prepare(soci::statement& statement) {
  for (const Binding& binding : bindings_) {
    if (binding.is_int) {
      statement.exchange(soci::use(ints_[binding.index], binding.name));
    } else {
      statement.exchange(soci::use(strings_[binding.index], binding.name));
    }
  }
  statement.alloc();
  // One-time: PostgreSQL runs it with one PQexecParams round trip instead
  // of prepare, execute and deallocate; the SQL text differs per request.
  statement.prepare(sql_, soci::details::st_one_time_query);
  statement.define_and_bind();
}

}  // namespace tabel::db
