#pragma once
// JSON of the management service: what clients send (parsed into domain
// types, every bad member named) and what they get back. Balances are days
// with two decimals.
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "management/model.hpp"

namespace tabel::management {

// `creating`: a create (type and start_date required, `submit` accepted);
// otherwise a draft's PATCH. Throws Error::Validation naming each member.
RequestFields ParseRequestFields(const nlohmann::json& body, bool creating);
// `creating`: every required member of a type; otherwise a PATCH (code
// cannot change).
RequestTypeChanges ParseRequestTypeChanges(const nlohmann::json& body, bool creating);

struct Adjustment {
  std::string kind;
  int64_t centidays = 0;
  std::string comment;
};
Adjustment ParseAdjustment(const nlohmann::json& body);

// A request as a JSON object, written as text (no DOM: a page of the
// approval queue holds 50 of them).
void AppendRequestJson(std::string& out, const Request& request);
std::string RequestJsonText(const Request& request);
// {"items":[…],"next_cursor":…}
std::string RequestPageJsonText(const std::vector<Request>& items, std::optional<int64_t> next_after);
nlohmann::json RequestTypeJson(const RequestType& type);
nlohmann::json HistoryJson(const HistoryEntry& entry);
nlohmann::json LedgerEntryJson(const LedgerEntry& entry);
nlohmann::json BalanceJson(const Balance& balance);

}  // namespace tabel::management
