#include "management/handlers.hpp"

#include <nlohmann/json.hpp>

#include "auth/crypto.hpp"
#include "auth/handlers.hpp"
#include "http/etag.hpp"
#include "http/json_body.hpp"
#include "http/query_fields.hpp"
#include "http/resource.hpp"
#include "management/json.hpp"

namespace tabel::management {
namespace {

using http::Request;
using http::Response;

struct Deps {
  ManagementService* service;
  http::BlockingPool* pool;
};

constexpr int64_t kMaxId = int64_t{1} << 53;

std::string TypeCode(const Request& request) {
  std::string code(request.PathParam("code"));
  if (code.empty() || code.size() > 64)
    throw Error::BadRequest("Malformed type code.", {{"code", "is malformed"}});
  return code;
}

std::string RequestLocation(const management::Request& r) {
  return "/api/v1/requests/" + std::to_string(r.id);
}

Response RequestResponse(const management::Request& r) {
  return http::WithETag(Response::JsonText(RequestJsonText(r)), r.version);
}

// The optional body of a transition: {"comment"} (and what `extra` reads).
template <class Extra>
Transition ParseTransition(const Request& request, Extra&& extra) {
  Transition t;
  t.expected_version = http::IfMatch(request);
  if (request.body.empty()) {
    extra(nullptr);
    return t;
  }
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  t.comment = fields.Text("comment", false, 1000);
  extra(&fields);
  fields.Finish();
  return t;
}

Task<Response> ListTypes(Deps deps, Request request) {
  auth::RequireIdentity(request);
  http::QueryFields(request).Finish();
  auto call = [deps] { return deps.service->ListTypes(); };
  auto task = deps.pool->Run(std::move(call));
  const std::vector<RequestType> types = co_await std::move(task);
  co_return Response::Json(http::PageJson(http::ItemsJson(types, RequestTypeJson), std::nullopt));
}

Task<Response> GetType(Deps deps, Request request) {
  auth::RequireIdentity(request);
  std::string code = TypeCode(request);
  auto call = [deps, code = std::move(code)] { return deps.service->GetType(code); };
  auto task = deps.pool->Run(std::move(call));
  const RequestType type = co_await std::move(task);
  co_return http::WithETag(Response::Json(RequestTypeJson(type)), type.version);
}

Task<Response> CreateType(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  RequestTypeChanges fields = ParseRequestTypeChanges(http::ParseJsonObject(request), /*creating=*/true);
  auto call = [deps, actor = std::move(actor), fields = std::move(fields)] {
    return deps.service->CreateType(actor, fields);
  };
  auto task = deps.pool->Run(std::move(call));
  const RequestType type = co_await std::move(task);
  co_return http::Created(RequestTypeJson(type), "/api/v1/request-types/" + type.code, type.version);
}

Task<Response> PatchType(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  std::string code = TypeCode(request);
  RequestTypeChanges changes = ParseRequestTypeChanges(http::ParseJsonObject(request), /*creating=*/false);
  const int64_t version = http::RequireIfMatch(request);
  auto call = [deps, actor = std::move(actor), code = std::move(code), changes = std::move(changes),
               version] { return deps.service->UpdateType(actor, code, version, changes); };
  auto task = deps.pool->Run(std::move(call));
  const RequestType type = co_await std::move(task);
  co_return http::WithETag(Response::Json(RequestTypeJson(type)), type.version);
}

Task<Response> CreateRequest(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  const nlohmann::json body = http::ParseJsonObject(request);
  RequestFields fields = ParseRequestFields(body, /*creating=*/true);
  std::optional<std::string> key = http::IdempotencyKey(request);
  std::string fingerprint = auth::Sha256Hex(body.dump());
  auto call = [deps, actor = std::move(actor), fields = std::move(fields), key = std::move(key),
               fingerprint = std::move(fingerprint)] {
    return deps.service->Create(actor, fields, key, fingerprint);
  };
  auto task = deps.pool->Run(std::move(call));
  const CreateResult result = co_await std::move(task);
  Response response = http::Created(Response::JsonText(RequestJsonText(result.request)),
                                    RequestLocation(result.request), result.request.version);
  http::MarkReplayed(response, result.replayed);
  co_return response;
}

Task<Response> ListRequests(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields params(request);
  RequestQuery query;
  query.page = params.Page();
  query.employee_id = params.Int("employee_id", 1, kMaxId);
  query.status = params.String("status", 16);
  query.type = params.String("type", 64);
  query.from = params.IsoDate("from");
  query.to = params.IsoDate("to");
  if (query.status && !IsStatus(*query.status)) {
    params.Add("status", "must be draft, pending, approved, rejected, withdrawn or cancelled");
  }
  if (query.from && query.to && *query.to < *query.from) params.Add("to", "must not be before from");
  params.Finish();
  auto call = [deps, actor = std::move(actor), query = std::move(query)] {
    return deps.service->List(actor, query);
  };
  auto task = deps.pool->Run(std::move(call));
  const Page<management::Request> page = co_await std::move(task);
  co_return Response::JsonText(RequestPageJsonText(page.items, page.next_after));
}

Task<Response> GetRequest(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  auto call = [deps, actor = std::move(actor), id] { return deps.service->Get(actor, id); };
  auto task = deps.pool->Run(std::move(call));
  co_return RequestResponse(co_await std::move(task));
}

Task<Response> PatchRequest(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  RequestFields changes = ParseRequestFields(http::ParseJsonObject(request), /*creating=*/false);
  const int64_t version = http::RequireIfMatch(request);
  auto call = [deps, actor = std::move(actor), changes = std::move(changes), id, version] {
    return deps.service->UpdateDraft(actor, id, version, changes);
  };
  auto task = deps.pool->Run(std::move(call));
  co_return RequestResponse(co_await std::move(task));
}

Task<Response> GetHistory(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor), id] { return deps.service->History(actor, id); };
  auto task = deps.pool->Run(std::move(call));
  const std::vector<HistoryEntry> history = co_await std::move(task);
  co_return Response::Json(http::PageJson(http::ItemsJson(history, HistoryJson), std::nullopt));
}

using TransitionMethod = management::Request (ManagementService::*)(const Actor&, int64_t, const Transition&);

// The certificate number of a sick leave, taken with an approval or a close.
std::optional<std::string> CertificateNumber(http::JsonFields* fields) {
  if (fields == nullptr) return std::nullopt;
  return fields->Text("certificate_number", false, 12);
}

// `kCertificate`: the body may carry a sick leave's certificate number.
template <TransitionMethod Method, bool kCertificate = false>
Task<Response> Transit(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  std::optional<std::string> certificate;
  Transition transition = ParseTransition(request, [&](http::JsonFields* fields) {
    if (kCertificate) certificate = CertificateNumber(fields);
  });
  transition.certificate_number = std::move(certificate);
  auto call = [deps, actor = std::move(actor), transition = std::move(transition), id] {
    return (deps.service->*Method)(actor, id, transition);
  };
  auto task = deps.pool->Run(std::move(call));
  co_return RequestResponse(co_await std::move(task));
}

Task<Response> CloseRequest(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  std::optional<Date> end_date;
  std::optional<std::string> certificate;
  Transition transition = ParseTransition(request, [&](http::JsonFields* fields) {
    if (fields == nullptr) throw Error::Validation({{"end_date", "is required"}});
    end_date = fields->IsoDate("end_date", true);
    certificate = CertificateNumber(fields);
  });
  transition.certificate_number = std::move(certificate);
  auto call = [deps, actor = std::move(actor), transition = std::move(transition), id, end = *end_date] {
    return deps.service->Close(actor, id, end, transition);
  };
  auto task = deps.pool->Run(std::move(call));
  co_return RequestResponse(co_await std::move(task));
}

Task<Response> ListApprovals(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields params(request);
  const http::PageRequest page_request = params.Page();
  params.Finish();
  auto call = [deps, actor = std::move(actor), page_request] {
    return deps.service->Approvals(actor, page_request);
  };
  auto task = deps.pool->Run(std::move(call));
  const Page<management::Request> page = co_await std::move(task);
  co_return Response::JsonText(RequestPageJsonText(page.items, page.next_after));
}

Task<Response> GetBalances(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor), id] { return deps.service->Balances(actor, id); };
  auto task = deps.pool->Run(std::move(call));
  const std::vector<Balance> balances = co_await std::move(task);
  co_return Response::Json(http::PageJson(http::ItemsJson(balances, BalanceJson), std::nullopt));
}

Task<Response> ListLedger(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields params(request);
  const http::PageRequest page_request = params.Page();
  std::optional<std::string> kind = params.String("kind", 16);
  if (kind && *kind != kAnnual && *kind != kAdditional) params.Add("kind", "must be annual or additional");
  params.Finish();
  auto call = [deps, actor = std::move(actor), id, kind = std::move(kind), page_request] {
    return deps.service->Ledger(actor, id, kind, page_request);
  };
  auto task = deps.pool->Run(std::move(call));
  const Page<LedgerEntry> page = co_await std::move(task);
  co_return Response::Json(http::PageJson(http::ItemsJson(page.items, LedgerEntryJson), page.next_after));
}

Task<Response> AdjustBalance(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  Adjustment adjustment = ParseAdjustment(http::ParseJsonObject(request));
  auto call = [deps, actor = std::move(actor), adjustment = std::move(adjustment), id] {
    return deps.service->Adjust(actor, id, adjustment.kind, adjustment.centidays, adjustment.comment);
  };
  auto task = deps.pool->Run(std::move(call));
  const std::vector<Balance> balances = co_await std::move(task);
  co_return Response::Json(http::PageJson(http::ItemsJson(balances, BalanceJson), std::nullopt),
                           http::Status::created);
}

}  // namespace

void RegisterRoutes(http::Router& router, ManagementService& service, http::BlockingPool& pool) {
  const Deps deps{&service, &pool};
  const http::RouteOptions options{.max_body_bytes = kManagementBodyLimit, .public_route = false};
  router.Add(http::Verb::get, "/api/v1/request-types", http::Bind<ListTypes>(deps), options);
  router.Add(http::Verb::post, "/api/v1/request-types", http::Bind<CreateType>(deps), options);
  router.Add(http::Verb::get, "/api/v1/request-types/{code}", http::Bind<GetType>(deps), options);
  router.Add(http::Verb::patch, "/api/v1/request-types/{code}", http::Bind<PatchType>(deps), options);
  router.Add(http::Verb::post, "/api/v1/requests", http::Bind<CreateRequest>(deps), options);
  router.Add(http::Verb::get, "/api/v1/requests", http::Bind<ListRequests>(deps), options);
  router.Add(http::Verb::get, "/api/v1/requests/{id}", http::Bind<GetRequest>(deps), options);
  router.Add(http::Verb::patch, "/api/v1/requests/{id}", http::Bind<PatchRequest>(deps), options);
  router.Add(http::Verb::get, "/api/v1/requests/{id}/history", http::Bind<GetHistory>(deps), options);
  router.Add(http::Verb::post, "/api/v1/requests/{id}/submit",
             http::Bind<Transit<&ManagementService::Submit>>(deps), options);
  router.Add(http::Verb::post, "/api/v1/requests/{id}/approve",
             http::Bind<Transit<&ManagementService::Approve, true>>(deps), options);
  router.Add(http::Verb::post, "/api/v1/requests/{id}/reject",
             http::Bind<Transit<&ManagementService::Reject>>(deps), options);
  router.Add(http::Verb::post, "/api/v1/requests/{id}/withdraw",
             http::Bind<Transit<&ManagementService::Withdraw>>(deps), options);
  router.Add(http::Verb::post, "/api/v1/requests/{id}/cancel",
             http::Bind<Transit<&ManagementService::Cancel>>(deps), options);
  router.Add(http::Verb::post, "/api/v1/requests/{id}/close", http::Bind<CloseRequest>(deps), options);
  router.Add(http::Verb::get, "/api/v1/approvals", http::Bind<ListApprovals>(deps), options);
  router.Add(http::Verb::get, "/api/v1/employees/{id}/balances", http::Bind<GetBalances>(deps), options);
  router.Add(http::Verb::get, "/api/v1/employees/{id}/balance-entries", http::Bind<ListLedger>(deps),
             options);
  router.Add(http::Verb::post, "/api/v1/employees/{id}/balance-adjustments", http::Bind<AdjustBalance>(deps),
             options);
}

}  // namespace tabel::management
