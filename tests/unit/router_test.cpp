#include "http/router.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "http/url.hpp"

namespace tabel::http {
namespace {

Handler Noop() {
  return [](Request) -> Task<Response> { co_return Response{}; };
}

TEST(Router, MatchesTemplatesAndDecodesParameters) {
  Router router;
  router.Add(Verb::get, "/api/v1/employees/{id}", Noop());
  const RouteMatch match = router.Find(Verb::get, "/api/v1/employees/%D0%98%D0%B2");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->path_template, "/api/v1/employees/{id}");
  ASSERT_EQ(match.params.size(), 1u);
  EXPECT_EQ(match.params[0].first, "id");
  EXPECT_EQ(match.params[0].second, "Ив");
}

TEST(Router, LiteralSegmentsWinOverParameters) {
  Router router;
  router.Add(Verb::get, "/api/v1/requests/{id}", Noop());
  router.Add(Verb::get, "/api/v1/requests/export", Noop());
  EXPECT_EQ(router.Find(Verb::get, "/api/v1/requests/export").route->path_template,
            "/api/v1/requests/export");
  EXPECT_EQ(router.Find(Verb::get, "/api/v1/requests/42").route->path_template, "/api/v1/requests/{id}");
}

TEST(Router, ReportsAllowedMethodsWhenOnlyTheMethodIsWrong) {
  Router router;
  router.Add(Verb::get, "/api/v1/departments/{id}", Noop());
  router.Add(Verb::patch, "/api/v1/departments/{id}", Noop());
  const RouteMatch wrong_method = router.Find(Verb::delete_, "/api/v1/departments/7");
  EXPECT_EQ(wrong_method.route, nullptr);
  EXPECT_TRUE(wrong_method.path_exists);
  EXPECT_EQ(wrong_method.allowed, (std::vector<Verb>{Verb::get, Verb::patch}));
  const RouteMatch absent = router.Find(Verb::get, "/api/v1/nothing/7");
  EXPECT_EQ(absent.route, nullptr);
  EXPECT_FALSE(absent.path_exists);
}

TEST(Router, EmptySegmentsAndExtraSegmentsDoNotMatch) {
  Router router;
  router.Add(Verb::get, "/api/v1/employees/{id}", Noop());
  EXPECT_EQ(router.Find(Verb::get, "/api/v1/employees/").route, nullptr);
  EXPECT_EQ(router.Find(Verb::get, "/api/v1/employees/1/x").route, nullptr);
  EXPECT_EQ(router.Find(Verb::get, "api/v1/employees/1").route, nullptr);
}

TEST(Router, MalformedEscapeInParameterIsABadRequest) {
  Router router;
  router.Add(Verb::get, "/x/{id}", Noop());
  try {
    router.Find(Verb::get, "/x/%zz");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kBadRequest);
    ASSERT_EQ(error.fields().size(), 1u);
    EXPECT_EQ(error.fields()[0].field, "id");
  }
}

TEST(Router, RejectsBadTemplatesAndDuplicates) {
  Router router;
  EXPECT_THROW(router.Add(Verb::get, "no-slash", Noop()), std::invalid_argument);
  EXPECT_THROW(router.Add(Verb::get, "/a/x{id}", Noop()), std::invalid_argument);
  router.Add(Verb::get, "/a/{id}", Noop());
  EXPECT_THROW(router.Add(Verb::get, "/a/{id}", Noop()), std::invalid_argument);
  EXPECT_NO_THROW(router.Add(Verb::post, "/a/{id}", Noop()));
}

TEST(Url, DecodesQueryStrings) {
  const auto query = ParseQuery("from=2026-01-01&name=%D0%98%D0%B2+%D0%BE&flag&empty=");
  ASSERT_TRUE(query.has_value());
  ASSERT_EQ(query->size(), 4u);
  EXPECT_EQ((*query)[0], (std::pair<std::string, std::string>{"from", "2026-01-01"}));
  EXPECT_EQ((*query)[1].second, "Ив о");
  EXPECT_EQ((*query)[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ((*query)[3], (std::pair<std::string, std::string>{"empty", ""}));
}

TEST(Url, RejectsMalformedEscapesAndNul) {
  EXPECT_FALSE(ParseQuery("a=%4").has_value());
  EXPECT_FALSE(ParseQuery("a=%G1").has_value());
  EXPECT_FALSE(PercentDecode("%00", false).has_value());
  EXPECT_EQ(PercentDecode("a+b", false).value(), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true).value(), "a b");
}

}  // namespace
}  // namespace tabel::http
