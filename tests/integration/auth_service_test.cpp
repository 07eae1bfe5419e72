// AuthService flows on the backend TABEL_TEST_BACKEND selects, and the HTTP
// handlers and authenticator driven through the router.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "auth/accounts.hpp"
#include "auth/handlers.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password_hasher.hpp"
#include "auth/permissions.hpp"
#include "auth/refresh_tokens.hpp"
#include "auth/service.hpp"
#include "auth/token_service.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "http/blocking_pool.hpp"
#include "http/router.hpp"
#include "infra/db/transaction.hpp"
#include "support/errors.hpp"
#include "support/test_database.hpp"

namespace tabel::auth {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TestDatabase;

constexpr const char* kPassword = "correct horse 1";
constexpr const char* kClient = "192.0.2.10";

using testing::CatchError;

// An employee row (with the rows it refers to); returns its id.
int64_t InsertEmployee(db::Database& database) {
  return db::WithWriteTransaction(database, [](soci::session& session) -> int64_t {
    const std::string now = "2024-01-01T00:00:00.000000Z";
    session << "INSERT INTO work_schedules (code, name, kind, hours_per_week, created_at) "
               "VALUES ('5x8', 'Пятидневка', 'five_day', 40, :created_at)",
        soci::use(now, "created_at");
    session << "INSERT INTO positions (name, created_at) VALUES ('Инженер', :created_at)",
        soci::use(now, "created_at");
    session << "INSERT INTO departments (code, name, created_at, updated_at) VALUES ('D1', 'Отдел', :c, :u)",
        soci::use(now, "c"), soci::use(now, "u");
    long long id = 0;
    session
        << "INSERT INTO employees (personnel_number, last_name, first_name, email, position_id, "
           "department_id, hire_date, schedule_id, salary_kopecks, search_name, created_at, updated_at) "
           "SELECT '0001', 'Иванов', 'Иван', 'ivanov@example.com', p.id, d.id, '2020-01-01', s.id, 10000000, "
           "'иванов иван', :c, :u FROM positions p, departments d, work_schedules s RETURNING id",
        soci::use(now, "c"), soci::use(now, "u"), soci::into(id);
    return id;
  });
}

class AuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EnsureDefaultRoles(*database_);
    employee_id_ = InsertEmployee(*database_);
    account_id_ = accounts_.Create({"Ivanov", hasher_.Hash(kPassword), employee_id_, {"employee"}});
  }

  static LoginThrottleOptions ThrottleOptions() {
    LoginThrottleOptions options;
    options.per_login = {3, minutes{15}, seconds{30}, minutes{15}};
    return options;
  }

  TestDatabase test_database_;
  std::unique_ptr<db::Database> database_ = test_database_.MakeMigrated(8);
  ManualClock clock_;
  PasswordHasher hasher_{PasswordHashLimits::Minimum()};
  AccountRepository accounts_{*database_, clock_.AsClock()};
  RefreshTokenStore refresh_tokens_{*database_, clock_.AsClock()};
  LoginThrottle throttle_{*database_, clock_.AsClock(), ThrottleOptions()};
  TokenService tokens_{TokenServiceOptions::FromSecret(std::string(32, 's')), clock_.AsClock()};
  AuthService service_{accounts_, refresh_tokens_, throttle_, tokens_, hasher_};
  int64_t employee_id_ = 0;
  int64_t account_id_ = 0;
};

TEST_F(AuthServiceTest, LoginIssuesTokensThatAuthenticate) {
  const TokenPair pair = service_.Login("IVANOV", kPassword, kClient);
  EXPECT_EQ(pair.token_type, "Bearer");
  EXPECT_EQ(pair.expires_in, minutes{15});
  EXPECT_EQ(pair.refresh_token.size(), 43u);
  const Identity identity = service_.Authenticate(pair.access_token);
  EXPECT_EQ(identity.account_id, account_id_);
  EXPECT_EQ(identity.employee_id, employee_id_);
  EXPECT_EQ(identity.login, "ivanov");
  EXPECT_THAT(identity.roles, ElementsAre("employee"));
  EXPECT_EQ(identity.ScopeOf(kRequestsCreate), Scope::kSelf);
  EXPECT_FALSE(identity.Has(kRequestsApprove));
}

TEST_F(AuthServiceTest, BadPasswordUnknownLoginAndDisabledAccountLookTheSame) {
  const Error bad_password = CatchError([&] { service_.Login("ivanov", "wrong password", kClient); });
  const Error unknown = CatchError([&] { service_.Login("nobody", kPassword, kClient); });
  accounts_.SetDisabled(account_id_, true);
  const Error disabled = CatchError([&] { service_.Login("ivanov", kPassword, "192.0.2.11"); });
  for (const Error* error : {&bad_password, &unknown, &disabled}) {
    EXPECT_EQ(error->kind(), ErrorKind::kUnauthorized);
    EXPECT_EQ(error->detail(), bad_password.detail());
  }
  EXPECT_THAT(bad_password.detail(), HasSubstr("login or the password"));
  EXPECT_EQ(CatchError([&] { service_.Login("", kPassword, kClient); }).kind(), ErrorKind::kUnauthorized);
}

TEST_F(AuthServiceTest, RepeatedFailuresAreThrottledWith429UntilTheBlockExpires) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(CatchError([&] { service_.Login("ivanov", "wrong password", kClient); }).kind(),
              ErrorKind::kUnauthorized);
  }
  // Even the right password is refused while blocked, with a Retry-After.
  const Error throttled = CatchError([&] { service_.Login("ivanov", kPassword, kClient); });
  EXPECT_EQ(throttled.kind(), ErrorKind::kTooManyRequests);
  EXPECT_EQ(throttled.retry_after_seconds(), 30);
  clock_.Advance(seconds{30});
  EXPECT_NO_THROW(service_.Login("ivanov", kPassword, kClient));
  // The success cleared the count: two more failures do not block.
  for (int i = 0; i < 2; ++i) CatchError([&] { service_.Login("ivanov", "wrong password", kClient); });
  EXPECT_NO_THROW(service_.Login("ivanov", kPassword, kClient));
}

TEST_F(AuthServiceTest, UnknownLoginsAreThrottledToo) {
  for (int i = 0; i < 3; ++i) CatchError([&] { service_.Login("ghost", "whatever pw", kClient); });
  EXPECT_EQ(CatchError([&] { service_.Login("ghost", "whatever pw", kClient); }).kind(),
            ErrorKind::kTooManyRequests);
}

TEST_F(AuthServiceTest, RefreshRotatesAndReuseRevokesTheFamily) {
  const TokenPair first = service_.Login("ivanov", kPassword, kClient);
  clock_.Advance(seconds{1});
  const TokenPair second = service_.Refresh(first.refresh_token);
  EXPECT_NE(second.refresh_token, first.refresh_token);
  EXPECT_NE(second.access_token, first.access_token);
  EXPECT_EQ(service_.Authenticate(second.access_token).account_id, account_id_);
  EXPECT_EQ(CatchError([&] { service_.Refresh(first.refresh_token); }).kind(), ErrorKind::kUnauthorized);
  EXPECT_EQ(CatchError([&] { service_.Refresh(second.refresh_token); }).kind(), ErrorKind::kUnauthorized);
}

TEST_F(AuthServiceTest, LogoutRevokesTheFamilyAndIsIdempotent) {
  const TokenPair pair = service_.Login("ivanov", kPassword, kClient);
  const TokenPair other_session = service_.Login("ivanov", kPassword, kClient);
  service_.Logout(pair.refresh_token);
  service_.Logout(pair.refresh_token);
  service_.Logout("not a token");
  EXPECT_EQ(CatchError([&] { service_.Refresh(pair.refresh_token); }).kind(), ErrorKind::kUnauthorized);
  EXPECT_NO_THROW(service_.Refresh(other_session.refresh_token));
}

TEST_F(AuthServiceTest, ARoleChangeInvalidatesAccessTokensAtOnce) {
  const TokenPair pair = service_.Login("ivanov", kPassword, kClient);
  EXPECT_NO_THROW(service_.Authenticate(pair.access_token));
  accounts_.SetRoles(account_id_, {"employee", "manager"});
  EXPECT_THAT(CatchError([&] { service_.Authenticate(pair.access_token); }).internal(),
              HasSubstr("roles_version"));
  const TokenPair renewed = service_.Refresh(pair.refresh_token);
  const Identity identity = service_.Authenticate(renewed.access_token);
  EXPECT_THAT(identity.roles, ElementsAre("employee", "manager"));
  EXPECT_EQ(identity.ScopeOf(kRequestsApprove), Scope::kSubtree);
}

TEST_F(AuthServiceTest, DisablingAnAccountRefusesItsAccessAndRefreshTokensAtOnce) {
  const TokenPair pair = service_.Login("ivanov", kPassword, kClient);
  accounts_.SetDisabled(account_id_, true);
  EXPECT_EQ(CatchError([&] { service_.Authenticate(pair.access_token); }).kind(), ErrorKind::kUnauthorized);
  EXPECT_EQ(CatchError([&] { service_.Refresh(pair.refresh_token); }).kind(), ErrorKind::kUnauthorized);
}

TEST_F(AuthServiceTest, AuthenticateRefusesBadAndExpiredTokens) {
  const TokenPair pair = service_.Login("ivanov", kPassword, kClient);
  EXPECT_EQ(CatchError([&] { service_.Authenticate(""); }).kind(), ErrorKind::kUnauthorized);
  EXPECT_EQ(CatchError([&] { service_.Authenticate(pair.refresh_token); }).kind(), ErrorKind::kUnauthorized);
  clock_.Advance(minutes{16});
  EXPECT_EQ(CatchError([&] { service_.Authenticate(pair.access_token); }).kind(), ErrorKind::kUnauthorized);
  // A token of an account that does not exist.
  const std::string stranger = tokens_.Issue({account_id_ + 1000, std::nullopt, {}, 1}).token;
  EXPECT_THAT(CatchError([&] { service_.Authenticate(stranger); }).internal(), HasSubstr("deleted"));
}

TEST_F(AuthServiceTest, ChangePasswordChecksTheOldOneAndThePolicyAndRevokesRefreshTokens) {
  const TokenPair pair = service_.Login("ivanov", kPassword, kClient);
  const Identity identity = service_.Authenticate(pair.access_token);
  const Error both = CatchError([&] { service_.ChangePassword(identity, "wrong old pw", "short"); });
  EXPECT_EQ(both.kind(), ErrorKind::kBadRequest);
  ASSERT_EQ(both.fields().size(), 2u);
  EXPECT_EQ(both.fields()[0].field, "new_password");
  EXPECT_EQ(both.fields()[1].field, "old_password");
  EXPECT_NO_THROW(service_.Refresh(pair.refresh_token) /* still valid after the failed change */);

  const TokenPair current = service_.Login("ivanov", kPassword, kClient);
  service_.ChangePassword(identity, kPassword, "a much better one");
  EXPECT_EQ(CatchError([&] { service_.Refresh(current.refresh_token); }).kind(), ErrorKind::kUnauthorized);
  EXPECT_EQ(CatchError([&] { service_.Login("ivanov", kPassword, "192.0.2.99"); }).kind(),
            ErrorKind::kUnauthorized);
  EXPECT_NO_THROW(service_.Login("ivanov", "a much better one", kClient));
}

TEST_F(AuthServiceTest, LoginRehashesAPasswordMadeWithOtherLimits) {
  const PasswordHasher older(
      PasswordHashLimits{PasswordHashLimits::Minimum().opslimit + 1, PasswordHashLimits::Minimum().memlimit});
  const int64_t id = accounts_.Create({"old.hash", older.Hash(kPassword), std::nullopt, {"employee"}});
  ASSERT_TRUE(hasher_.NeedsRehash(accounts_.FindById(id)->password_hash));
  service_.Login("old.hash", kPassword, kClient);
  const auto account = accounts_.FindById(id);
  EXPECT_FALSE(hasher_.NeedsRehash(account->password_hash));
  EXPECT_TRUE(hasher_.Verify(account->password_hash, kPassword));
}

// --- HTTP handlers -------------------------------------------------------------

class AuthHandlersTest : public AuthServiceTest {
 protected:
  void SetUp() override {
    AuthServiceTest::SetUp();
    RegisterRoutes(router_, service_, pool_);
  }

  // Runs the route (after the authenticator unless it is public) to
  // completion; errors become the tabel::Error they throw.
  http::Response Call(http::Verb method, const std::string& path, const std::string& body,
                      const std::string& authorization = {}) {
    http::Request request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.client_address = kClient;
    request.headers.set(beast::http::field::content_type, "application/json");
    if (!authorization.empty()) request.headers.set(beast::http::field::authorization, authorization);
    const http::RouteMatch match = router_.Find(method, path);
    if (match.route == nullptr) throw std::runtime_error("no route " + path);
    EXPECT_EQ(match.route->options.max_body_bytes, kAuthBodyLimit);
    const bool is_public = match.route->options.public_route;
    asio::io_context io;
    std::optional<http::Response> response;
    std::exception_ptr failure;
    http::Authenticator authenticator = MakeAuthenticator(service_, pool_);
    const http::Handler handler = match.route->handler;
    auto run = [&, request = std::move(request)]() mutable -> Task<void> {
      if (!is_public) {
        auto authenticated = authenticator(request);
        co_await std::move(authenticated);
      }
      auto handled = handler(std::move(request));
      response = co_await std::move(handled);
    };
    asio::co_spawn(io, run(), [&](std::exception_ptr error) { failure = error; });
    io.run();
    if (failure) std::rethrow_exception(failure);
    return *response;
  }

  http::Router router_;
  http::BlockingPool pool_{2, 16};
};

TEST_F(AuthHandlersTest, LoginRefreshMeAndLogoutOverTheRoutes) {
  const http::Response login =
      Call(http::Verb::post, "/api/v1/auth/login", R"({"login":"ivanov","password":"correct horse 1"})");
  EXPECT_EQ(login.status, http::Status::ok);
  const auto tokens = nlohmann::json::parse(login.body);
  EXPECT_EQ(tokens["token_type"], "Bearer");
  EXPECT_EQ(tokens["expires_in"], 900);
  const std::string access = tokens["access_token"];
  const std::string refresh = tokens["refresh_token"];

  const http::Response me = Call(http::Verb::get, "/api/v1/me", "", "Bearer " + access);
  const auto me_body = nlohmann::json::parse(me.body);
  EXPECT_EQ(me_body["id"], account_id_);
  EXPECT_EQ(me_body["employee_id"], employee_id_);
  EXPECT_EQ(me_body["login"], "ivanov");
  EXPECT_EQ(me_body["roles"], nlohmann::json::array({"employee"}));

  const http::Response refreshed =
      Call(http::Verb::post, "/api/v1/auth/refresh", nlohmann::json{{"refresh_token", refresh}}.dump());
  const std::string next_refresh = nlohmann::json::parse(refreshed.body)["refresh_token"];
  EXPECT_NE(next_refresh, refresh);

  const http::Response logout =
      Call(http::Verb::post, "/api/v1/auth/logout", nlohmann::json{{"refresh_token", next_refresh}}.dump());
  EXPECT_EQ(logout.status, http::Status::no_content);
  EXPECT_EQ(CatchError([&] {
              Call(http::Verb::post, "/api/v1/auth/refresh",
                   nlohmann::json{{"refresh_token", next_refresh}}.dump());
            }).kind(),
            ErrorKind::kUnauthorized);
}

TEST_F(AuthHandlersTest, BadBodiesListEveryField) {
  const Error missing = CatchError([&] { Call(http::Verb::post, "/api/v1/auth/login", R"({"extra":1})"); });
  EXPECT_EQ(missing.kind(), ErrorKind::kBadRequest);
  std::vector<std::string> fields;
  for (const FieldError& field : missing.fields()) fields.push_back(field.field);
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("login", "password", "extra"));
  EXPECT_EQ(CatchError([&] { Call(http::Verb::post, "/api/v1/auth/login", "not json"); }).kind(),
            ErrorKind::kBadRequest);
  EXPECT_EQ(CatchError([&] { Call(http::Verb::post, "/api/v1/auth/refresh", R"({"refresh_token":5})"); })
                .fields()
                .at(0)
                .field,
            "refresh_token");
  const Error wrong = CatchError([&] {
    Call(http::Verb::post, "/api/v1/auth/login", R"({"login":"ivanov","password":"nope nope nope"})");
  });
  EXPECT_EQ(wrong.kind(), ErrorKind::kUnauthorized);
}

TEST_F(AuthHandlersTest, TheAuthenticatorNeedsABearerToken) {
  for (const std::string& header :
       {std::string(), std::string("Basic abc"), std::string("Bearer"), std::string("Bearer "),
        std::string("Bearer a b"), std::string("Bearer junk")}) {
    EXPECT_EQ(CatchError([&] { Call(http::Verb::get, "/api/v1/me", "", header); }).kind(),
              ErrorKind::kUnauthorized)
        << header;
  }
}

TEST_F(AuthHandlersTest, ChangePasswordOverTheRoute) {
  const TokenPair pair = service_.Login("ivanov", kPassword, kClient);
  const Error weak = CatchError([&] {
    Call(http::Verb::post, "/api/v1/me/password",
         R"({"old_password":"correct horse 1","new_password":"short"})", "Bearer " + pair.access_token);
  });
  EXPECT_EQ(weak.fields().at(0).field, "new_password");
  const http::Response changed =
      Call(http::Verb::post, "/api/v1/me/password",
           R"({"old_password":"correct horse 1","new_password":"long enough now"})",
           "bearer " + pair.access_token);
  EXPECT_EQ(changed.status, http::Status::no_content);
  EXPECT_NO_THROW(service_.Login("ivanov", "long enough now", kClient));
}

}  // namespace
}  // namespace tabel::auth
