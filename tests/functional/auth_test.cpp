// Logging in to the real binary started with --demo: tokens, /me, refresh
// rotation, logout, and the errors a client sees.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "auth/crypto.hpp"
#include "support/demo_server.hpp"
#include "support/http_client.hpp"
#include "support/tabel_process.hpp"
#include "support/test_database.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class Auth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new TestDatabase();
    server_ = new TabelProcess({"serve", "--demo"}, Env());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete database_;
  }
  static std::map<std::string, std::string> Env() {
    return {{"TABEL_DATABASE_URL", database_->url()},
            {"TABEL_DEMO_PASSWORD", kDemoPassword},
            {"TABEL_JWT_SECRET", "functional-tests-secret-of-at-least-32-bytes"}};
  }
  static uint16_t port() { return server_->port(); }

  static HttpResponse Login(const std::string& login, const std::string& password) {
    return Send(port(), "POST", "/api/v1/auth/login", json{{"login", login}, {"password", password}}.dump());
  }
  static HttpResponse Me(const std::string& access_token) {
    return Get(port(), "/api/v1/me", {{"Authorization", "Bearer " + access_token}});
  }

  static TestDatabase* database_;
  static TabelProcess* server_;
};
TestDatabase* Auth::database_ = nullptr;
TabelProcess* Auth::server_ = nullptr;

std::vector<std::string> ErrorFields(const HttpResponse& response) {
  std::vector<std::string> fields;
  const json body = json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.contains("errors")) return fields;
  for (const auto& error : body["errors"]) fields.push_back(error.value("field", ""));
  return fields;
}

TEST_F(Auth, DemoLoginsArePrintedAndWork) {
  ASSERT_TRUE(server_->WaitForLine("Tabel demo logins", std::chrono::seconds(5)));
  for (const char* login : {"admin", "hr", "accountant", "manager", "manager2", "employee"}) {
    const HttpResponse response = Login(login, kDemoPassword);
    ASSERT_EQ(response.status, 200) << login << ": " << response.body;
    const json tokens = json::parse(response.body);
    EXPECT_EQ(tokens["token_type"], "Bearer");
    EXPECT_GT(tokens["expires_in"].get<int>(), 0);
    EXPECT_LE(tokens["expires_in"].get<int>(), 900);
    const HttpResponse me = Me(tokens["access_token"]);
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(json::parse(me.body)["login"], login);
  }
}

TEST_F(Auth, MeShowsTheCallersRoles) {
  const json tokens = json::parse(Login("manager", kDemoPassword).body);
  const json me = json::parse(Me(tokens["access_token"]).body);
  EXPECT_THAT(me["roles"].get<std::vector<std::string>>(),
              ::testing::UnorderedElementsAre("manager", "employee"));
  EXPECT_TRUE(me.contains("id"));
  EXPECT_TRUE(me.contains("employee_id"));
}

TEST_F(Auth, WrongPasswordAndUnknownLoginLookTheSame) {
  const HttpResponse wrong = Login("hr", "not-the-password");
  const HttpResponse unknown = Login("nobody-here", "not-the-password");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(json::parse(wrong.body)["detail"], json::parse(unknown.body)["detail"]);
  EXPECT_EQ(wrong.Header("content-type"), "application/problem+json");
}

TEST_F(Auth, BadBodiesNameEveryField) {
  const HttpResponse malformed = Send(port(), "POST", "/api/v1/auth/login", "{\"login\": ");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_THAT(ErrorFields(malformed), ::testing::ElementsAre("body"));

  const HttpResponse missing = Send(port(), "POST", "/api/v1/auth/login", "{}");
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(ErrorFields(missing), ::testing::UnorderedElementsAre("login", "password"));

  const HttpResponse wrong_types =
      Send(port(), "POST", "/api/v1/auth/login", R"({"login": 5, "password": []})");
  EXPECT_EQ(wrong_types.status, 400);
  EXPECT_THAT(ErrorFields(wrong_types), ::testing::UnorderedElementsAre("login", "password"));

  const HttpResponse oversized = Send(port(), "POST", "/api/v1/auth/login",
                                      json{{"login", std::string(10000, 'a')}, {"password", "x"}}.dump());
  EXPECT_EQ(oversized.status, 413);
}

TEST_F(Auth, MeNeedsAValidBearerToken) {
  EXPECT_EQ(Get(port(), "/api/v1/me").status, 401);
  EXPECT_EQ(Get(port(), "/api/v1/me", {{"Authorization", "Basic aHI6ZGVtbw=="}}).status, 401);
  EXPECT_EQ(Me("not.a.token").status, 401);
  std::string token = json::parse(Login("hr", kDemoPassword).body)["access_token"];
  token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';  // tamper with the payload
  EXPECT_EQ(Me(token).status, 401);
}

TEST_F(Auth, RefreshRotatesAndAReusedTokenRevokesTheFamily) {
  const json first = json::parse(Login("employee", kDemoPassword).body);
  const HttpResponse rotated =
      Send(port(), "POST", "/api/v1/auth/refresh", json{{"refresh_token", first["refresh_token"]}}.dump());
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const json second = json::parse(rotated.body);
  EXPECT_NE(second["refresh_token"], first["refresh_token"]);
  EXPECT_EQ(Me(second["access_token"]).status, 200);

  // The first token again: reuse. Both it and its successor are now dead.
  EXPECT_EQ(
      Send(port(), "POST", "/api/v1/auth/refresh", json{{"refresh_token", first["refresh_token"]}}.dump())
          .status,
      401);
  EXPECT_EQ(
      Send(port(), "POST", "/api/v1/auth/refresh", json{{"refresh_token", second["refresh_token"]}}.dump())
          .status,
      401);
}

TEST_F(Auth, LogoutRevokesTheRefreshToken) {
  const json tokens = json::parse(Login("accountant", kDemoPassword).body);
  const std::string body = json{{"refresh_token", tokens["refresh_token"]}}.dump();
  EXPECT_EQ(Send(port(), "POST", "/api/v1/auth/logout", body).status, 204);
  EXPECT_EQ(Send(port(), "POST", "/api/v1/auth/logout", body).status, 204);  // idempotent
  EXPECT_EQ(Send(port(), "POST", "/api/v1/auth/refresh", body).status, 401);
}

TEST_F(Auth, RepeatedFailuresAreThrottledWithRetryAfter) {
  HttpResponse last;
  for (int i = 0; i < 8 && last.status != 429; ++i) last = Login("manager2", "wrong-password");
  EXPECT_EQ(last.status, 429);
  EXPECT_FALSE(last.Header("retry-after").empty());
  // Another login from the same address is not blocked by manager2's failures.
  EXPECT_EQ(Login("hr", kDemoPassword).status, 200);
}

TEST(AuthRestart, DemoAccountsSurviveARestartAndAreNotDuplicated) {
  TestDatabase database;
  const std::map<std::string, std::string> env = {{"TABEL_DATABASE_URL", database.url()},
                                                  {"TABEL_DEMO_PASSWORD", kDemoPassword}};
  { TabelProcess first({"serve", "--demo"}, env); }
  TabelProcess second({"serve", "--demo"}, env);
  EXPECT_TRUE(second.WaitForLine("\"accounts_created\":0", std::chrono::seconds(5)));
  const HttpResponse response = Send(second.port(), "POST", "/api/v1/auth/login",
                                     json{{"login", "admin"}, {"password", kDemoPassword}}.dump());
  EXPECT_EQ(response.status, 200) << response.body;
}

// An RSA private key in PEM, written to a file of the test's own.
std::filesystem::path WriteRsaKey(int bits) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
  BIO* bio = BIO_new(BIO_s_mem());
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  const auto path = std::filesystem::temp_directory_path() /
                    ("tabel-jwt-" + std::to_string(getpid()) + "-" + std::to_string(bits) + ".pem");
  std::ofstream(path, std::ios::binary).write(data, length);
  BIO_free(bio);
  EVP_PKEY_free(key);
  return path;
}

TEST(AuthKeyFile, Rs256TokensFromAPrivateKeyFile) {
  TestDatabase database;
  const auto key = WriteRsaKey(2048);
  TabelProcess server({"serve", "--demo"}, {{"TABEL_DATABASE_URL", database.url()},
                                            {"TABEL_DEMO_PASSWORD", kDemoPassword},
                                            {"TABEL_JWT_PRIVATE_KEY_FILE", key.string()}});
  const HttpResponse login = Send(server.port(), "POST", "/api/v1/auth/login",
                                  json{{"login", "hr"}, {"password", kDemoPassword}}.dump());
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token = json::parse(login.body)["access_token"];
  const json header = json::parse(*auth::Base64UrlDecode(token.substr(0, token.find('.'))));
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(Get(server.port(), "/api/v1/me", {{"Authorization", "Bearer " + token}}).status, 200);
  std::filesystem::remove(key);
}

TEST(AuthKeyFile, AWeakOrMissingKeyFileIsAConfigurationError) {
  TestDatabase database;
  const auto weak = WriteRsaKey(1024);
  const auto [code, output] = RunTabel(
      {"routes"}, {{"TABEL_DATABASE_URL", database.url()}, {"TABEL_JWT_PRIVATE_KEY_FILE", weak.string()}});
  EXPECT_EQ(code, 2) << output;
  EXPECT_THAT(output, HasSubstr("2048"));
  std::filesystem::remove(weak);
  const auto [missing_code, missing_output] = RunTabel(
      {"routes"},
      {{"TABEL_DATABASE_URL", database.url()}, {"TABEL_JWT_PRIVATE_KEY_FILE", "/nonexistent/key.pem"}});
  EXPECT_EQ(missing_code, 2) << missing_output;
  EXPECT_THAT(missing_output, HasSubstr("TABEL_JWT_PRIVATE_KEY_FILE"));
}

}  // namespace
}  // namespace tabel::testing
