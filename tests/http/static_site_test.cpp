// The web app's file server: page routes fall back to index.html, hashed assets are immutable
// and gzip-compressed, API paths and missing files stay 404 problems.
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "http/http.h"
#include "http/static_site.h"
#include "support/test_store.h"

namespace yiwang::http {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string header_of(const Response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

std::string gunzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::temp_dir();
    write_file(root_ / "index.html", "<!doctype html><title>app</title>");
    script_ = "console.log('" + std::string(4000, 'x') + "');";
    write_file(root_ / "static" / "index-Ab12.js", script_);
    write_file(root_ / "static" / "logo-9f.png", std::string("\x89PNG\r\n\x1a\n", 8) + "data");
    auto site = StaticSite::load(root_);
    ASSERT_TRUE(site) << site.error().message_en;
    serve_static_site(router_, std::move(*site));
    router_.add("GET", "/api/v1/health", [](const Request&, const PathParams&) {
      Response r;
      r.body = "{\"status\":\"ok\"}";
      return r;
    });
  }

  Response get(const std::string& target, std::map<std::string, std::string> headers = {}) {
    Request r;
    r.method = "GET";
    EXPECT_TRUE(set_target(r, target));
    r.headers = std::move(headers);
    return router_.dispatch(r);
  }

  fs::path root_;
  std::string script_;
  Router router_;
};

TEST_F(StaticSiteTest, PageRoutesGetIndexHtmlRevalidatedEachTime) {
  for (const char* path : {"/", "/my/cases/C-2026-1", "/cockpit", "/index.html"}) {
    Response r = get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "<!doctype html><title>app</title>") << path;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(header_of(r, "Cache-Control"), "no-cache");
    EXPECT_NE(header_of(r, "Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  }
}

TEST_F(StaticSiteTest, HashedAssetsAreImmutableAndGzippedWhenAccepted) {
  Response plain = get("/static/index-Ab12.js");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, script_);
  EXPECT_EQ(plain.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header_of(plain, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(header_of(plain, "Content-Encoding"), "");

  Response zipped = get("/static/index-Ab12.js", {{"accept-encoding", "gzip, br"}});
  ASSERT_EQ(zipped.status, 200);
  EXPECT_EQ(header_of(zipped, "Content-Encoding"), "gzip");
  EXPECT_LT(zipped.body.size(), script_.size() / 10);
  EXPECT_EQ(gunzip(zipped.body), script_);

  // Binary files are sent as they are.
  Response png = get("/static/logo-9f.png", {{"accept-encoding", "gzip"}});
  EXPECT_EQ(png.content_type, "image/png");
  EXPECT_EQ(header_of(png, "Content-Encoding"), "");
}

TEST_F(StaticSiteTest, MatchingEtagGets304WithoutBody) {
  Response first = get("/static/index-Ab12.js");
  const std::string etag = header_of(first, "ETag");
  ASSERT_FALSE(etag.empty());
  Response again = get("/static/index-Ab12.js", {{"if-none-match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(get("/static/index-Ab12.js", {{"if-none-match", "\"other\""}}).status, 200);
}

TEST_F(StaticSiteTest, ApiPathsAndMissingFilesStay404Problems) {
  for (const char* path : {"/api/v1/nothing", "/api", "/static/gone-123.js", "/favicon.ico"}) {
    Response r = get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.content_type, "application/problem+json") << path;
  }
  // Registered routes still win over the fallback.
  EXPECT_EQ(get("/api/v1/health").body, "{\"status\":\"ok\"}");
}

TEST_F(StaticSiteTest, OtherMethodsOnUnknownPathsAre404) {
  Request r;
  r.method = "POST";
  ASSERT_TRUE(set_target(r, "/my/cases"));
  EXPECT_EQ(router_.dispatch(r).status, 404);
}

TEST(StaticSiteLoad, RootWithoutIndexIsRejected) {
  auto site = StaticSite::load(testing::temp_dir());
  ASSERT_FALSE(site);
  EXPECT_EQ(site.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(site.error().field, "web_root");
}

}  // namespace
}  // namespace yiwang::http
