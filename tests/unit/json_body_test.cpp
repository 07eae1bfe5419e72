#include "http/json_body.hpp"

#include <gtest/gtest.h>

#include "http/problem.hpp"

namespace tabel::http {
namespace {

Request JsonRequest(std::string body, std::string content_type = "application/json") {
  Request request;
  request.headers.set("Content-Type", content_type);
  request.body = std::move(body);
  return request;
}

std::vector<FieldError> ErrorsOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.fields();
  }
  ADD_FAILURE() << "expected tabel::Error";
  return {};
}

TEST(JsonBody, MalformedJsonNamesTheBody) {
  const auto errors = ErrorsOf([] { ParseJsonObject(JsonRequest("{\"a\": ")); });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "body");
}

TEST(JsonBody, NonObjectAndWrongContentTypeAreRejected) {
  EXPECT_EQ(ErrorsOf([] { ParseJsonObject(JsonRequest("[1,2]")); })[0].field, "body");
  EXPECT_EQ(ErrorsOf([] { ParseJsonObject(JsonRequest("{}", "text/plain")); })[0].field, "Content-Type");
  EXPECT_NO_THROW(ParseJsonObject(JsonRequest("{}", "application/json; charset=utf-8")));
}

TEST(JsonBody, ListsEveryBadFieldAtOnce) {
  const nlohmann::json body = {{"name", 5}, {"hours", "eight"}, {"rate", 300}, {"extra", true}};
  const auto errors = ErrorsOf([&] {
    JsonFields fields(body);
    fields.String("name", true);
    fields.String("login", true);
    fields.Int("hours", true);
    fields.Int("rate", true, 1, 100);
    fields.Finish();
  });
  std::vector<std::string> names;
  for (const auto& error : errors) names.push_back(error.field);
  EXPECT_EQ(names, (std::vector<std::string>{"name", "login", "hours", "rate", "extra"}));
}

TEST(JsonBody, ReadsValidValues) {
  const nlohmann::json body = {{"name", "Отпуск"}, {"hours", 8}, {"signed", true}, {"note", nullptr}};
  JsonFields fields(body);
  EXPECT_EQ(fields.String("name", true, 6).value(), "Отпуск");
  EXPECT_EQ(fields.Int("hours", true, 0, 24).value(), 8);
  EXPECT_EQ(fields.Bool("signed", true).value(), true);
  EXPECT_FALSE(fields.String("note", false).has_value());
  EXPECT_NO_THROW(fields.Finish());
}

TEST(JsonBody, LengthIsCountedInCharactersNotBytes) {
  const nlohmann::json body = {{"name", "Пётр"}};
  JsonFields fields(body);
  EXPECT_TRUE(fields.String("name", true, 4).has_value());
  EXPECT_FALSE(fields.String("name", true, 3).has_value());
}

TEST(JsonBody, HugeUnsignedIntegerIsOutOfRangeNotWrapped) {
  const nlohmann::json body = nlohmann::json::parse(R"({"hours": 18446744073709551615})");
  const auto errors = ErrorsOf([&] {
    JsonFields fields(body);
    fields.Int("hours", true, 0, 24);
    fields.Finish();
  });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "hours");
}

TEST(Problem, RendersRfc9457WithEveryField) {
  const Error error = Error::Validation({{"start_date", "must be an ISO date"}, {"type", "is required"}});
  const Response response = ProblemResponse(error, "/api/v1/requests", "req-1");
  EXPECT_EQ(response.status, Status::bad_request);
  EXPECT_EQ(response.content_type, "application/problem+json");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["type"], "/problems/validation");
  EXPECT_EQ(body["status"], 400);
  EXPECT_EQ(body["instance"], "/api/v1/requests");
  EXPECT_EQ(body["request_id"], "req-1");
  ASSERT_EQ(body["errors"].size(), 2u);
  EXPECT_EQ(body["errors"][0]["field"], "start_date");
}

TEST(Problem, NeverShowsTheInternalDetail) {
  const Error error = Error::Internal("SQLSTATE 42P01 relation \"secret\" does not exist");
  const Response response = ProblemResponse(error, "/x", "r");
  EXPECT_EQ(response.status, Status::internal_server_error);
  EXPECT_EQ(response.body.find("secret"), std::string::npos);
}

TEST(Problem, RetryAfterBecomesAHeader) {
  const Response response = ProblemResponse(Error::Unavailable("busy").WithRetryAfter(3), "/x", "r");
  EXPECT_EQ(response.status, Status::service_unavailable);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>{"Retry-After", "3"}));
}

}  // namespace
}  // namespace tabel::http
