#include "infra/audit/audit_log.hpp"

#include <memory>

#include "common/error.hpp"
#include "infra/db/query.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::audit {
namespace {

constexpr const char* kInsertColumns =
    "INSERT INTO audit_log (at, account_id, action, object_type, object_id, client, request_id, details) "
    "VALUES ";
constexpr const char* kInsert =
    "INSERT INTO audit_log (at, account_id, action, object_type, object_id, client, request_id, details) "
    "VALUES (:at, :account_id, :action, :object_type, :object_id, :client, :request_id, :details)";

std::string DetailsText(const Entry& entry) {
  return entry.details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

void Append(soci::session& session, const Actor& actor, const Entry& entry,
            std::chrono::system_clock::time_point at) {
  const std::string when = db::FormatTimestamp(at);
  const long long account_id = actor.identity.account_id;
  soci::indicator account_ind = account_id > 0 ? soci::i_ok : soci::i_null;
  soci::indicator object_ind = entry.object_id.empty() ? soci::i_null : soci::i_ok;
  const std::string details = DetailsText(entry);
  session << kInsert, soci::use(when, "at"), soci::use(account_id, account_ind, "account_id"),
      soci::use(entry.action, "action"), soci::use(entry.object_type, "object_type"),
      soci::use(entry.object_id, object_ind, "object_id"), soci::use(actor.client_address, "client"),
      soci::use(actor.request_id, "request_id"), soci::use(details, "details");
}

namespace {

// INSERT … VALUES (…), … for `rows` rows, with the values of the statement
// it is kept with. Each row's values carry names of their own (the
// PostgreSQL backend binds a name at one place only); the row's variables
// are sized once, as the statement binds references to them.
struct CachedInsert : db::CachedStatement {
  struct Row {
    std::string action, object_type, object_id, details;
    soci::indicator object_ind = soci::i_null;
  };

  CachedInsert(soci::session& session, size_t count) : rows(count), statement(session) {
    std::string sql = kInsertColumns;
    for (size_t i = 0; i < rows.size(); ++i) {
      const std::string n = std::to_string(i);
      sql += (i == 0 ? "(" : ", (");
      sql += ":at" + n + ", :account_id" + n + ", :action" + n + ", :object_type" + n + ", :object_id" + n +
             ", :client" + n + ", :request_id" + n + ", :details" + n + ")";
      Row& row = rows[i];
      statement.exchange(soci::use(at, "at" + n));
      statement.exchange(soci::use(account_id, account_ind, "account_id" + n));
      statement.exchange(soci::use(row.action, "action" + n));
      statement.exchange(soci::use(row.object_type, "object_type" + n));
      statement.exchange(soci::use(row.object_id, row.object_ind, "object_id" + n));
      statement.exchange(soci::use(client, "client" + n));
      statement.exchange(soci::use(request_id, "request_id" + n));
      statement.exchange(soci::use(row.details, "details" + n));
    }
    statement.alloc();
    statement.prepare(sql, soci::details::st_repeatable_query);
    statement.define_and_bind();
  }

  std::string at, client, request_id;
  long long account_id = 0;
  soci::indicator account_ind = soci::i_null;
  std::vector<Row> rows;
  soci::statement statement;
};

}  // namespace

void AppendAll(db::Lease& lease, const Actor& actor, const std::vector<Entry>& entries,
               std::chrono::system_clock::time_point at) {
  if (entries.empty()) return;
  const std::string key = "audit_log insert of " + std::to_string(entries.size());
  auto& insert = lease.Cached<CachedInsert>(
      key, [&](soci::session& session) { return std::make_unique<CachedInsert>(session, entries.size()); });
  insert.at = db::FormatTimestamp(at);
  insert.account_id = actor.identity.account_id;
  insert.account_ind = actor.identity.account_id > 0 ? soci::i_ok : soci::i_null;
  insert.client = actor.client_address;
  insert.request_id = actor.request_id;
  for (size_t i = 0; i < entries.size(); ++i) {
    CachedInsert::Row& row = insert.rows[i];
    row.action = entries[i].action;
    row.object_type = entries[i].object_type;
    row.object_id = entries[i].object_id;
    row.object_ind = entries[i].object_id.empty() ? soci::i_null : soci::i_ok;
    row.details = DetailsText(entries[i]);
  }
  try {
    insert.statement.execute(true);
  } catch (...) {
    db::EndUse(insert.statement, lease.dialect());
    lease.DropCached(key);
    throw;
  }
  db::EndUse(insert.statement, lease.dialect());
}

std::vector<Record> AuditLog::List(const Filter& filter) {
  db::Query query;
  query << "SELECT id, at, account_id, action, object_type, object_id, client, request_id, details "
           "FROM audit_log WHERE 1 = 1";
  if (filter.account_id) query << " AND account_id = " << query.Param(*filter.account_id);
  if (filter.object_type) query << " AND object_type = " << query.Param(*filter.object_type);
  if (filter.object_id) query << " AND object_id = " << query.Param(*filter.object_id);
  if (filter.action) query << " AND action = " << query.Param(*filter.action);
  if (filter.from) query << " AND at >= " << query.Param(db::FormatTimestamp(*filter.from));
  if (filter.to) query << " AND at < " << query.Param(db::FormatTimestamp(*filter.to));
  if (filter.before_id) query << " AND id < " << query.Param(*filter.before_id);
  query << " ORDER BY id DESC LIMIT " << query.Param(filter.limit);
  return db::WithSession(database_, [&](soci::session& session) {
    long long id = 0, account_id = 0;
    std::string at, action, object_type, object_id, client, request_id, details;
    soci::indicator account_ind = soci::i_null, object_ind = soci::i_null, client_ind = soci::i_null,
                    request_ind = soci::i_null;
    soci::statement statement(session);
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(at));
    statement.exchange(soci::into(account_id, account_ind));
    statement.exchange(soci::into(action));
    statement.exchange(soci::into(object_type));
    statement.exchange(soci::into(object_id, object_ind));
    statement.exchange(soci::into(client, client_ind));
    statement.exchange(soci::into(request_id, request_ind));
    statement.exchange(soci::into(details));
    query.Prepare(statement);
    statement.execute(false);
    std::vector<Record> records;
    while (statement.fetch()) {
      Record record;
      record.id = id;
      const auto when = db::ParseTimestamp(at);
      if (!when) throw Error::Internal("audit_log: malformed at");
      record.at = *when;
      if (account_ind == soci::i_ok) record.account_id = account_id;
      record.action = action;
      record.object_type = object_type;
      if (object_ind == soci::i_ok) record.object_id = object_id;
      if (client_ind == soci::i_ok) record.client = client;
      if (request_ind == soci::i_ok) record.request_id = request_id;
      record.details = nlohmann::json::parse(details, nullptr, false);
      if (record.details.is_discarded()) record.details = nlohmann::json::object();
      records.push_back(std::move(record));
    }
    return records;
  });
}

}  // namespace tabel::audit
