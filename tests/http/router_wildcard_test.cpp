// A final "{name...}" template segment takes the rest of the path (the C2SP tile layout has a
// variable number of segments); literals and plain parameters still win over it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/http.h"

namespace yiwang::http {
namespace {

using nlohmann::json;

Request make(const std::string& method, const std::string& target) {
  Request r;
  r.method = method;
  EXPECT_TRUE(set_target(r, target));
  r.request_id = "rid-w";
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
