// The router and problem+json mapping, without sockets.
#include <stdexcept>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/http.h"
#include "support/router_client.h"

namespace yiwang::http {
namespace {

using yiwang::testing::header_of;

using nlohmann::json;

Request make(const std::string& method, const std::string& target) {
  Request r;
  r.method = method;
  EXPECT_TRUE(set_target(r, target));
  r.request_id = "rid-1";
  return r;
}

Handler echo(std::string tag) {
  return [tag](const Request&, const PathParams& p) {
    Response r;
    json params = json::object();
    for (const auto& [k, v] : p) params[k] = v;
    r.body = json{{"tag", tag}, {"params", params}}.dump();
    return r;
  };
}

json body(const Response& r) {
  return json::parse(r.body, nullptr, false);
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/api/v1/items", echo("list"));
    router_.add("POST", "/api/v1/items", echo("create"));
    router_.add("GET", "/api/v1/items/{code}", echo("get"));
    router_.add("GET", "/api/v1/items/new", echo("new"));
    router_.add("PUT", "/api/v1/items/{code}", echo("put"));
    router_.add("GET", "/api/v1/items/{code}/versions/{version}", echo("version"));
    router_.add("GET", "/a/{x}/c", echo("param-first"));
    router_.add("GET", "/a/b/{y}", echo("literal-first"));
    router_.add("GET", "/boom", [](const Request&, const PathParams&) -> Response {
      throw std::runtime_error("secret database password is hunter2");
    });
  }
  Router router_;
};

TEST_F(RouterTest, MatchesLiteralPath) {
  auto r = router_.dispatch(make("GET", "/api/v1/items?limit=5"));
  EXPECT_EQ(200, r.status);
  EXPECT_EQ("list", body(r)["tag"]);
  EXPECT_EQ("create", body(router_.dispatch(make("POST", "/api/v1/items")))["tag"]);
}

TEST_F(RouterTest, ExtractsParameters) {
  auto b = body(router_.dispatch(make("GET", "/api/v1/items/ABC/versions/3")));
  EXPECT_EQ("version", b["tag"]);
  EXPECT_EQ("ABC", b["params"]["code"]);
  EXPECT_EQ("3", b["params"]["version"]);
}

TEST_F(RouterTest, LiteralSegmentWinsOverParameter) {
  EXPECT_EQ("new", body(router_.dispatch(make("GET", "/api/v1/items/new")))["tag"]);
  EXPECT_EQ("get", body(router_.dispatch(make("GET", "/api/v1/items/old")))["tag"]);
  // The earliest literal decides, whatever the registration order.
  EXPECT_EQ("literal-first", body(router_.dispatch(make("GET", "/a/b/c")))["tag"]);
  EXPECT_EQ("param-first", body(router_.dispatch(make("GET", "/a/z/c")))["tag"]);
}

TEST_F(RouterTest, MethodDecidesBeforeSpecificity) {
  // PUT exists only on the parameter route, so it serves /items/new too.
  EXPECT_EQ("put", body(router_.dispatch(make("PUT", "/api/v1/items/new")))["tag"]);
}

TEST_F(RouterTest, PercentDecodesParameters) {
  auto b = body(router_.dispatch(make("GET", "/api/v1/items/a%20b%E4%B8%80")));
  EXPECT_EQ("a b\xE4\xB8\x80", b["params"]["code"]);
  // An encoded slash stays inside its segment.
  b = body(router_.dispatch(make("GET", "/api/v1/items/a%2Fb")));
  EXPECT_EQ("get", b["tag"]);
  EXPECT_EQ("a/b", b["params"]["code"]);
}

TEST_F(RouterTest, MalformedEscapeInPathIsBadRequest) {
  Request r;
  r.method = "GET";
  r.target = "/api/v1/items/a%zz";
  r.path = r.target;
  auto resp = router_.dispatch(r);
  EXPECT_EQ(400, resp.status);
  EXPECT_EQ("application/problem+json", resp.content_type);
}

TEST_F(RouterTest, UsesDecodedPathWithoutTarget) {
  Request r;
  r.method = "GET";
  r.path = "/api/v1/items/x y";
  EXPECT_EQ("x y", body(router_.dispatch(r))["params"]["code"]);
}

TEST_F(RouterTest, UnknownPathIsNotFoundProblem) {
  auto r = router_.dispatch(make("GET", "/api/v1/nothing?x=1"));
  EXPECT_EQ(404, r.status);
  EXPECT_EQ("application/problem+json", r.content_type);
  auto p = body(r);
  EXPECT_EQ("urn:yiwang:problem:not-found", p["type"]);
  EXPECT_EQ(404, p["status"]);
  EXPECT_EQ("/api/v1/nothing", p["instance"]);
  EXPECT_EQ("rid-1", p["request_id"]);
  EXPECT_FALSE(p["message_zh"].get<std::string>().empty());
  // Segment counts must match exactly; a trailing slash is another path.
  EXPECT_EQ(404, router_.dispatch(make("GET", "/api/v1/items/x/versions")).status);
  EXPECT_EQ(404, router_.dispatch(make("GET", "/api/v1/items/")).status);
}

TEST_F(RouterTest, WrongMethodIsMethodNotAllowedWithAllow) {
  auto r = router_.dispatch(make("DELETE", "/api/v1/items"));
  EXPECT_EQ(405, r.status);
  EXPECT_EQ("application/problem+json", r.content_type);
  EXPECT_EQ("GET, HEAD, POST", header_of(r, "Allow"));
  EXPECT_EQ(405, body(r)["status"]);
  // Allow collects every template matching the path.
  r = router_.dispatch(make("DELETE", "/api/v1/items/new"));
  EXPECT_EQ("GET, HEAD, PUT", header_of(r, "Allow"));
}

TEST_F(RouterTest, HeadUsesGetHandler) {
  EXPECT_EQ("list", body(router_.dispatch(make("HEAD", "/api/v1/items")))["tag"]);
}

TEST_F(RouterTest, HandlerExceptionIsGenericInternalProblem) {
  ::testing::internal::CaptureStderr();
  auto r = router_.dispatch(make("GET", "/boom"));
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(500, r.status);
  EXPECT_EQ("application/problem+json", r.content_type);
  EXPECT_EQ(std::string::npos, r.body.find("hunter2"));
  EXPECT_EQ("urn:yiwang:problem:internal", body(r)["type"]);
  // The operator sees the details, tied to the request id.
  EXPECT_NE(std::string::npos, log.find("hunter2"));
  EXPECT_NE(std::string::npos, log.find("rid-1"));
}

TEST_F(RouterTest, RoutesListsEveryRegistration) {
  auto routes = router_.routes();
  ASSERT_EQ(9u, routes.size());
  EXPECT_EQ(std::make_pair(std::string("GET"), std::string("/api/v1/items/{code}")),
            std::make_pair(routes[2].method, routes[2].path_template));
}

TEST(Problem, MapsEveryCode) {
  struct Case {
    ErrorCode code;
    int status;
    std::string type;
  };
  const Case cases[] = {
      {ErrorCode::invalid_input, 400, "invalid-input"},
      {ErrorCode::unauthenticated, 401, "unauthenticated"},
      {ErrorCode::forbidden, 403, "forbidden"},
      {ErrorCode::not_found, 404, "not-found"},
      {ErrorCode::conflict, 409, "conflict"},
      {ErrorCode::too_large, 413, "too-large"},
      {ErrorCode::unprocessable, 422, "unprocessable"},
      {ErrorCode::unsupported_media, 415, "unsupported-media-type"},
      {ErrorCode::locked, 423, "locked"},
      {ErrorCode::rate_limited, 429, "rate-limited"},
      {ErrorCode::overloaded, 503, "overloaded"},
      {ErrorCode::internal, 500, "internal"},
  };
  Request req = make("POST", "/api/v1/cases?x=1");
  for (const auto& c : cases) {
    ::testing::internal::CaptureStderr();
    auto r = problem(Error{c.code, "/form/age", "年龄无效", "age is invalid"}, req);
    ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(c.status, r.status) << c.type;
    EXPECT_EQ("application/problem+json", r.content_type);
    auto p = body(r);
    EXPECT_EQ("urn:yiwang:problem:" + c.type, p["type"]);
    EXPECT_EQ(c.status, p["status"]);
    EXPECT_FALSE(p["title"].get<std::string>().empty());
    EXPECT_EQ("/api/v1/cases", p["instance"]);
    EXPECT_EQ("rid-1", p["request_id"]);
    if (c.code == ErrorCode::internal) {
      EXPECT_EQ("", p["field"]);
      EXPECT_EQ("internal server error", p["message_en"]);
      EXPECT_EQ(std::string::npos, r.body.find("age is invalid"));
    } else {
      EXPECT_EQ("/form/age", p["field"]);
      EXPECT_EQ("年龄无效", p["message_zh"]);
      EXPECT_EQ("age is invalid", p["message_en"]);
      EXPECT_EQ("age is invalid", p["detail"]);
    }
    EXPECT_EQ(c.code == ErrorCode::unauthenticated, !header_of(r, "WWW-Authenticate").empty());
    // Without a figure from the service: a second for overload, a minute for a rate limit.
    const char* retry = c.code == ErrorCode::overloaded     ? "1"
                        : c.code == ErrorCode::rate_limited ? "60"
                                                            : "";
    EXPECT_EQ(retry, header_of(r, "Retry-After"));
  }
}

TEST(Problem, FillsMissingMessages) {
  auto p = body(problem(Error{ErrorCode::not_found, "", "", ""}, make("GET", "/x")));
  EXPECT_FALSE(p["message_zh"].get<std::string>().empty());
  EXPECT_FALSE(p["message_en"].get<std::string>().empty());
}

TEST(RequestHelpers, SetTargetDecodesPathAndQuery) {
  Request r;
  ASSERT_TRUE(set_target(r, "/a%20b/c?q=%E4%B8%80+x&flag&q=2&empty="));
  EXPECT_EQ("/a b/c", r.path);
  EXPECT_EQ("一 x", r.query_param("q").value());
  EXPECT_EQ(2u, r.query.count("q"));
  EXPECT_EQ("", r.query_param("flag").value());
  EXPECT_EQ("", r.query_param("empty").value());
  EXPECT_FALSE(r.query_param("missing"));
}

TEST(RequestHelpers, SetTargetRejectsBadTargets) {
  Request r;
  EXPECT_FALSE(set_target(r, "http://example.com/"));
  EXPECT_FALSE(set_target(r, ""));
  EXPECT_FALSE(set_target(r, "/a%2"));
  EXPECT_FALSE(set_target(r, "/a?x=%G1"));
}

TEST(RequestHelpers, PercentDecode) {
  EXPECT_EQ("a+b", percent_decode("a+b").value());
  EXPECT_EQ("a b", percent_decode("a+b", true).value());
  EXPECT_EQ("%", percent_decode("%25").value());
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("%4"));
}

TEST(RequestHelpers, BearerTokenAndHeaders) {
  Request r;
  EXPECT_EQ("", r.bearer_token());
  r.headers["authorization"] = "Bearer  abc.def ";
  EXPECT_EQ("abc.def", r.bearer_token());
  r.headers["authorization"] = "bearer xyz";
  EXPECT_EQ("xyz", r.bearer_token());
  r.headers["authorization"] = "Basic dXNlcjpwYXNz";
  EXPECT_EQ("", r.bearer_token());
  EXPECT_EQ("Basic dXNlcjpwYXNz", r.header("authorization"));
  EXPECT_EQ("", r.header("x-missing"));
}

// A final "{name...}" template segment takes the rest of the path (the C2SP tile layout has a
// variable number of segments); literals and plain parameters still win over it.
class WildcardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/ledger/tile/{path...}", echo("tile"));
    router_.add("GET", "/ledger/tile/{level}/{index}", echo("two"));
    router_.add("GET", "/ledger/tile/entries/000", echo("literal"));
    router_.add("GET", "/files/{bucket}/{rest...}", echo("files"));
  }
  Router router_;
};

TEST_F(WildcardTest, TakesTheRestJoinedWithSlashes) {
  auto r = router_.dispatch(make("GET", "/ledger/tile/0/x001/067.p/12"));
  EXPECT_EQ(200, r.status) << r.body;
  EXPECT_EQ("tile", body(r)["tag"]);
  EXPECT_EQ("0/x001/067.p/12", body(r)["params"]["path"]);

  auto one = router_.dispatch(make("GET", "/ledger/tile/entries"));
  EXPECT_EQ("tile", body(one)["tag"]);
  EXPECT_EQ("entries", body(one)["params"]["path"]);

  auto files = router_.dispatch(make("GET", "/files/b1/a/b/c"));
  EXPECT_EQ("files", body(files)["tag"]);
  EXPECT_EQ("b1", body(files)["params"]["bucket"]);
  EXPECT_EQ("a/b/c", body(files)["params"]["rest"]);
}

TEST_F(WildcardTest, LiteralsAndParametersWin) {
  auto two = router_.dispatch(make("GET", "/ledger/tile/3/x002"));
  EXPECT_EQ("two", body(two)["tag"]);
  EXPECT_EQ("3", body(two)["params"]["level"]);
  auto literal = router_.dispatch(make("GET", "/ledger/tile/entries/000"));
  EXPECT_EQ("literal", body(literal)["tag"]);
  auto deeper = router_.dispatch(make("GET", "/ledger/tile/entries/000.p/5"));
  EXPECT_EQ("tile", body(deeper)["tag"]);
  EXPECT_EQ("entries/000.p/5", body(deeper)["params"]["path"]);
}

TEST_F(WildcardTest, NeedsAtLeastOneSegment) {
  EXPECT_EQ(404, router_.dispatch(make("GET", "/ledger/tile")).status);
  EXPECT_EQ(404, router_.dispatch(make("GET", "/ledger/tile/")).status);
  EXPECT_EQ(404, router_.dispatch(make("GET", "/files/b1")).status);
}

TEST_F(WildcardTest, MethodsAndDecoding) {
  auto post = router_.dispatch(make("POST", "/ledger/tile/0/000"));
  EXPECT_EQ(405, post.status);
  // Segments are decoded one by one before joining.
  auto r = router_.dispatch(make("GET", "/files/b%201/x%20y/z"));
  EXPECT_EQ("b 1", body(r)["params"]["bucket"]);
  EXPECT_EQ("x y/z", body(r)["params"]["rest"]);
  // HEAD falls back to the GET wildcard route.
  EXPECT_EQ("tile", body(router_.dispatch(make("HEAD", "/ledger/tile/a/b/c")))["tag"]);
}

TEST(Wildcard, PlainParameterIsNotAWildcard) {
  Router router;
  router.add("GET", "/a/{id}", echo("one"));
  EXPECT_EQ(404, router.dispatch(make("GET", "/a/b/c")).status);
  EXPECT_EQ("one", body(router.dispatch(make("GET", "/a/b")))["tag"]);
}

}  // namespace
}  // namespace yiwang::http
