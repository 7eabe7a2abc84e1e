// The built web app (Vite output) served from memory: files are read once at start-up, text
// files also kept gzip-compressed for clients that accept it. Hashed build assets under
// static/ are immutable for a year; index.html is revalidated every time (ETag), so a new
// deployment is picked up at once. Unknown page paths get index.html (single-page app routes
// such as /my/cases/123); unknown API paths and missing files stay 404 problems.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/result.h"
#include "http/http.h"

namespace yiwang::http {

class StaticSite {
 public:
  // invalid_input when `root` has no index.html. Files over 16 MiB are refused (not_found).
  static Result<StaticSite> load(const std::filesystem::path& root);

  // The response for a GET/HEAD the router did not match: a file, index.html for a page route,
  // or a 404 problem (paths under /api/, paths that look like files).
  Response serve(const Request& request) const;

  std::size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
    std::string gzip;  // empty when compression would not help
    std::string etag;
    bool immutable = false;
  };
  Response respond(const File& file, const Request& request) const;

  std::map<std::string, File, std::less<>> files_;  // "/static/index-abc.js" → file
};

// Registers `site` as the router's GET/HEAD fallback. The site is copied into the handler.
void serve_static_site(Router& router, StaticSite site);

}  // namespace yiwang::http
