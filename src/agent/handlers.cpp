#include "agent/handlers.hpp"

#include <charconv>
#include <tuple>

#include "agent/letter_json.hpp"
#include "auth/handlers.hpp"
#include "http/etag.hpp"
#include "http/json_body.hpp"
#include "http/multipart.hpp"
#include "http/query_fields.hpp"
#include "http/resource.hpp"

namespace tabel::agent {
namespace {

using http::Request;
using http::Response;

constexpr size_t kReadBodyLimit = 1024;
constexpr size_t kDecisionBodyLimit = size_t{8} * 1024;
// The file and the form's own lines around it.
constexpr size_t kUploadBodyLimit = kMaxFileBytes + size_t{64} * 1024;
constexpr int64_t kMaxId = int64_t{1} << 53;
constexpr size_t kMaxFileName = 255;

struct Deps {
  AgentService* service;
  http::BlockingPool* pool;
};

std::string Location(const Letter& letter) {
  return "/api/v1/resignation-letters/" + std::to_string(letter.id);
}

bool IsStatus(std::string_view status) {
  return status == kProcessing || status == kNeedsCorrections || status == kAccepted || status == kFailed;
}

// The form of an upload: the file, and whose letter it is.
Upload ParseUpload(const Request& request) {
  Upload upload;
  std::vector<FieldError> errors;
  bool file = false;
  for (const http::FormPart& part : http::ParseMultipart(request)) {
    if (part.name == "file" && !file) {
      file = true;
      upload.bytes = std::string(part.body);
      if (part.file_name && !part.file_name->empty())
        upload.file_name = part.file_name->substr(0, kMaxFileName);
    } else if (part.name == "employee_id" && !upload.employee_id) {
      int64_t id = 0;
      const std::string text(part.body);
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
      if (ec != std::errc() || end != text.data() + text.size() || id < 1 || id > kMaxId) {
        errors.push_back({"employee_id", "must be an id (a positive integer)"});
      } else {
        upload.employee_id = id;
      }
    } else {
      errors.push_back({part.name, "is not a field of this form (or is given twice)"});
    }
  }
  if (!file) errors.push_back({"file", "is required"});
  if (!errors.empty()) throw Error::Validation(std::move(errors));
  return upload;
}

Response LetterResponse(AgentService& service, const Actor& actor, const Letter& letter) {
  return http::WithETag(Response::Json(LetterJson(letter, service.MayProcess(actor, letter))),
                        letter.version);
}

Task<Response> PostLetter(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  std::optional<std::string> key = http::IdempotencyKey(request);
  Upload upload = ParseUpload(request);
  auto call = [deps, actor, upload = std::move(upload), key = std::move(key)]() mutable {
    auto [letter, replayed] = deps.service->Receive(actor, std::move(upload), key);
    return std::make_tuple(LetterJson(letter, deps.service->MayProcess(actor, letter)), Location(letter),
                           letter.version, replayed);
  };
  auto task = deps.pool->Run(std::move(call));
  auto [body, location, version, replayed] = co_await std::move(task);
  Response response = http::Created(body, location, version);
  http::MarkReplayed(response, replayed);
  co_return response;
}

Task<Response> ListLetters(Deps deps, Request request) {
  Actor actor = auth::ActorOf(request);
  http::QueryFields params(request);
  LetterQuery query;
  query.page = params.Page();
  query.employee_id = params.Int("employee_id", 1, kMaxId);
  query.status = params.String("status", 32);
  if (query.status && !IsStatus(*query.status)) {
    params.Add("status", "must be processing, needs_corrections, accepted or failed");
  }
  params.Finish();
  auto call = [deps, actor = std::move(actor), query = std::move(query)] {
    const http::Page<ListedLetter> page = deps.service->List(actor, query);
    return http::PageJson(http::ItemsJson(page.items,
                                          [](const ListedLetter& listed) {
                                            return LetterJson(listed.letter, listed.may_process);
                                          }),
                          page.next_after);
  };
  auto task = deps.pool->Run(std::move(call));
  co_return Response::Json(co_await std::move(task));
}

Task<Response> GetLetter(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor), id] {
    return LetterResponse(*deps.service, actor, deps.service->Get(actor, id));
  };
  co_return co_await deps.pool->Run(std::move(call));
}

Task<Response> GetFile(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  auto call = [deps, actor = std::move(actor), id] { return deps.service->File(actor, id); };
  auto task = deps.pool->Run(std::move(call));
  LetterFile file = co_await std::move(task);
  // The stored name may hold anything a client sent: the download gets a
  // plain one.
  std::string name = "resignation-letter-" + std::to_string(id);
  co_return http::Attachment(std::move(file.bytes), file.media_type, name);
}

Task<Response> PostAccept(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  const std::optional<int64_t> version = http::IfMatch(request);
  std::optional<std::string> comment;
  if (!request.body.empty()) {
    const nlohmann::json body = http::ParseJsonObject(request);
    http::JsonFields fields(body);
    comment = fields.Text("comment", false, 1000);
    fields.Finish();
  }
  auto call = [deps, actor = std::move(actor), id, version, comment = std::move(comment)] {
    return LetterResponse(*deps.service, actor, deps.service->Accept(actor, id, version, comment));
  };
  co_return co_await deps.pool->Run(std::move(call));
}

Task<Response> PostReject(Deps deps, Request request) {
  const int64_t id = http::PathId(request);
  Actor actor = auth::ActorOf(request);
  http::QueryFields(request).Finish();
  const std::optional<int64_t> version = http::IfMatch(request);
  const nlohmann::json body = http::ParseJsonObject(request);
  http::JsonFields fields(body);
  const std::optional<std::string> reason = fields.Text("reason", true, 1000);
  fields.Finish();
  auto call = [deps, actor = std::move(actor), id, version, reason = reason.value_or("")] {
    return LetterResponse(*deps.service, actor, deps.service->Reject(actor, id, version, reason));
  };
  co_return co_await deps.pool->Run(std::move(call));
}

}  // namespace

void RegisterRoutes(http::Router& router, AgentService& service, http::BlockingPool& pool) {
  const Deps deps{&service, &pool};
  const http::RouteOptions read{.max_body_bytes = kReadBodyLimit, .public_route = false};
  const http::RouteOptions decide{.max_body_bytes = kDecisionBodyLimit, .public_route = false};
  const http::RouteOptions upload{.max_body_bytes = kUploadBodyLimit, .public_route = false};
  router.Add(http::Verb::post, "/api/v1/resignation-letters", http::Bind<PostLetter>(deps), upload);
  router.Add(http::Verb::get, "/api/v1/resignation-letters", http::Bind<ListLetters>(deps), read);
  router.Add(http::Verb::get, "/api/v1/resignation-letters/{id}", http::Bind<GetLetter>(deps), read);
  router.Add(http::Verb::get, "/api/v1/resignation-letters/{id}/file", http::Bind<GetFile>(deps), read);
  router.Add(http::Verb::post, "/api/v1/resignation-letters/{id}/accept", http::Bind<PostAccept>(deps),
             decide);
  router.Add(http::Verb::post, "/api/v1/resignation-letters/{id}/reject", http::Bind<PostReject>(deps),
             decide);
}

}  // namespace tabel::agent
