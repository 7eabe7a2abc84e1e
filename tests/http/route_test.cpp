// The one route helper (http/route.h): who may call, how results become responses, and what a
// signed-in caller's answer may be cached as — with a stand-in principal, without sockets.
#include <string>

#include <gtest/gtest.h>

#include "http/route.h"
#include "support/router_client.h"

namespace yiwang::http {
namespace {

using yiwang::testing::header_of;

struct Person {
  std::string name;
};

Request make(const std::string& method, const std::string& target, const std::string& token) {
  Request r;
  r.method = method;
  EXPECT_TRUE(set_target(r, target));
  r.request_id = "rid-1";
  if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
  return r;
}

class RouteHelperTest : public ::testing::Test {
 protected:
  RouteHelperTest()
      : api_(router_, [this](const Request& req) -> Result<Person> {
          ++authentications_;
          if (req.bearer_token() == "zhangsan") return Person{"张三"};
          return fail(ErrorCode::unauthenticated, "", "请先登录", "sign in first");
        }) {}

  Router router_;
  Routes<Person> api_;
  int authentications_ = 0;
  int calls_ = 0;
};

TEST_F(RouteHelperTest, SignedInRoutesAuthenticateFirstAndAreNeverStored) {
  api_.add("GET", "/me", [this](const Request&, const PathParams&, const Person& who) {
    ++calls_;
    return Result<Json>(Json{{"name", who.name}});
  });
  for (const std::string token : {"", "stranger"}) {
    auto r = router_.dispatch(make("GET", "/me", token));
    EXPECT_EQ(r.status, 401) << token;
    EXPECT_EQ(r.content_type, "application/problem+json");
  }
  EXPECT_EQ(calls_, 0);
  auto r = router_.dispatch(make("GET", "/me", "zhangsan"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["name"], "张三");
  EXPECT_EQ(header_of(r, "Cache-Control"), "no-store");
  EXPECT_EQ(calls_, 1);
}

TEST_F(RouteHelperTest, AHandlersOwnCachePolicyIsKeptAndErrorsBecomeProblems) {
  api_.add("GET", "/file", [](const Request&, const PathParams&, const Person&) {
    Response r;
    r.body = "x";
    r.headers.emplace_back("cache-control", "private");
    return Result<Response>(std::move(r));
  });
  api_.add("POST", "/done",
           [](const Request&, const PathParams&, const Person&) { return Status{}; });
  api_.add("GET", "/gone", [](const Request&, const PathParams&, const Person&) -> Result<Json> {
    return fail(ErrorCode::not_found, "/id", "没有这个办件", "no such case");
  });
  auto file = router_.dispatch(make("GET", "/file", "zhangsan"));
  EXPECT_EQ(header_of(file, "Cache-Control"), "");
  EXPECT_EQ(header_of(file, "cache-control"), "private");

  auto done = router_.dispatch(make("POST", "/done", "zhangsan"));
  EXPECT_EQ(done.status, 204);
  EXPECT_EQ(header_of(done, "Cache-Control"), "no-store");

  auto gone = router_.dispatch(make("GET", "/gone", "zhangsan"));
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.content_type, "application/problem+json");
  EXPECT_EQ(Json::parse(gone.body)["field"], "/id");
}

TEST_F(RouteHelperTest, OptionalSignInPassesThePersonOnlyWhenATokenCame) {
  api_.optional("GET", "/board", [](const Request&, const PathParams&, const Person* who) {
    return Result<Json>(Json{{"who", who ? who->name : ""}});
  });
  auto anonymous = router_.dispatch(make("GET", "/board", ""));
  ASSERT_EQ(anonymous.status, 200);
  EXPECT_EQ(Json::parse(anonymous.body)["who"], "");
  EXPECT_EQ(header_of(anonymous, "Cache-Control"), "");  // the public answer may be cached
  EXPECT_EQ(authentications_, 0);

  EXPECT_EQ(router_.dispatch(make("GET", "/board", "stranger")).status, 401);  // a stale session
  auto signed_in = router_.dispatch(make("GET", "/board", "zhangsan"));
  EXPECT_EQ(Json::parse(signed_in.body)["who"], "张三");
  EXPECT_EQ(header_of(signed_in, "Cache-Control"), "no-store");
}

TEST_F(RouteHelperTest, OpenRoutesNeverAuthenticateAndDeclareWhereTheyRun) {
  api_.open(
      "GET", "/items/{code}",
      [](const Request&, const PathParams& p) {
        return Result<Json>(Json{{"code", p.at("code")}});
      },
      Runs::io_thread);
  auto r = router_.dispatch(make("GET", "/items/A1", "stranger"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["code"], "A1");
  EXPECT_EQ(authentications_, 0);
  EXPECT_EQ(header_of(r, "Cache-Control"), "");
  auto routes = router_.routes();
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0].options.access, Access::open);
  EXPECT_EQ(routes[0].options.runs, Runs::io_thread);
}

}  // namespace
}  // namespace yiwang::http
