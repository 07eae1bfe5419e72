#include "infra/audit/audit_log.hpp"

#include "common/error.hpp"
#include "infra/db/query.hpp"
#include "infra/db/timestamp.hpp"
#include "infra/db/transaction.hpp"

namespace tabel::audit {
namespace {

constexpr const char* kInsert =
    "INSERT INTO audit_log (at, account_id, action, object_type, object_id, client, request_id, details) "
    "VALUES (:at, :account_id, :action, :object_type, :object_id, :client, :request_id, :details)";

}  // namespace

void Append(soci::session& session, const Actor& actor, const Entry& entry,
            std::chrono::system_clock::time_point at) {
  const std::string when = db::FormatTimestamp(at);
  const long long account_id = actor.identity.account_id;
  soci::indicator account_ind = account_id > 0 ? soci::i_ok : soci::i_null;
  soci::indicator object_ind = entry.object_id.empty() ? soci::i_null : soci::i_ok;
  const std::string details = entry.details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  session << kInsert, soci::use(when, "at"), soci::use(account_id, account_ind, "account_id"),
      soci::use(entry.action, "action"), soci::use(entry.object_type, "object_type"),
      soci::use(entry.object_id, object_ind, "object_id"), soci::use(actor.client_address, "client"),
      soci::use(actor.request_id, "request_id"), soci::use(details, "details");
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
