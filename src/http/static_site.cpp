#include "http/static_site.h"

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string_view>

namespace yiwang::http {
namespace {

constexpr std::uintmax_t kMaxFileBytes = 16u << 20;

std::string content_type_of(const std::filesystem::path& path) {
  static const std::map<std::string, std::string, std::less<>> types = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
  };
  auto it = types.find(path.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

bool compressible(std::string_view content_type) {
  return content_type.starts_with("text/") || content_type.starts_with("application/json") ||
         content_type.starts_with("image/svg") || content_type.starts_with("application/manifest");
}

// gzip (RFC 1952) at the best level: done once at start-up, so the cost does not matter.
std::string gzip(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string{};
}

std::string etag_of(std::string_view data) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a: an ETag needs change detection, not secrecy
  for (unsigned char c : data) h = (h ^ c) * 1099511628211ull;
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

bool accepts_gzip(const Request& request) {
  const std::string accept = request.header("accept-encoding");
  return accept.find("gzip") != std::string::npos;
}

// The last path segment has a dot: a request for a file, never a page route.
bool looks_like_file(std::string_view path) {
  const auto slash = path.rfind('/');
  return path.substr(slash == std::string_view::npos ? 0 : slash + 1).find('.') !=
         std::string_view::npos;
}

}  // namespace

Result<StaticSite> StaticSite::load(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(root / "index.html", ec)) {
    return fail(ErrorCode::invalid_input, "web_root", "网页目录中没有 index.html：" + root.string(),
                "no index.html in the web root " + root.string());
  }
  StaticSite site;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file() || it->file_size() > kMaxFileBytes) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    File file;
    file.content_type = content_type_of(it->path());
    file.body = std::move(body).str();
    if (compressible(file.content_type) && file.body.size() > 512) {
      file.gzip = gzip(file.body);
      if (file.gzip.size() >= file.body.size()) file.gzip.clear();
    }
    file.etag = etag_of(file.body);
    const std::string relative = it->path().lexically_relative(root).generic_string();
    // Vite names build output after its content hash, so it can be cached for good.
    file.immutable = relative.starts_with("static/");
    site.files_.emplace("/" + relative, std::move(file));
  }
  if (ec) {
    return fail(ErrorCode::internal, "web_root", "读取网页目录失败：" + ec.message(),
                "cannot read the web root: " + ec.message());
  }
  return site;
}

Response StaticSite::respond(const File& file, const Request& request) const {
  Response r;
  r.content_type = file.content_type;
  r.headers.emplace_back("ETag", file.etag);
  r.headers.emplace_back("Cache-Control",
                         file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("Vary", "Accept-Encoding");
  if (file.content_type.starts_with("text/html")) {
    // Same-origin scripts only: nothing may load from a CDN on an isolated government network.
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; script-src 'self'; connect-src 'self'; "
                           "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                           "font-src 'self' data:; manifest-src 'self'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  if (request.header("if-none-match") == file.etag) {
    r.status = 304;
    return r;
  }
  if (!file.gzip.empty() && accepts_gzip(request)) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = file.gzip;
  } else {
    r.body = file.body;
  }
  return r;
}

Response StaticSite::serve(const Request& request) const {
  const std::string& path = request.path;
  if (auto it = files_.find(path); it != files_.end()) return respond(it->second, request);
  if (path == "/api" || path.starts_with("/api/") || looks_like_file(path)) {
    return problem(
        Error{ErrorCode::not_found, "", "没有这个地址：" + path, "no such resource: " + path},
        request);
  }
  return respond(files_.at("/index.html"), request);
}

void serve_static_site(Router& router, StaticSite site) {
  router.set_fallback([site = std::move(site)](const Request& request, const PathParams&) {
    return site.serve(request);
  });
}

}  // namespace yiwang::http
