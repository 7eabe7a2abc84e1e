// HTTP requests after Beast has framed them: our code between the bytes and a handler
// (http/http.h) — the target's percent-decoding into path and query (set_target), header names
// folded as the server folds them, the router's resolution by method and path template (literal
// over parameter, {rest...} wildcards, HEAD served by GET, 404/405), path parameters, paging
// (page_of), the bearer token, and the problem answers. Beast itself is not fuzzed here.
//
// Input: "<METHOD> <target>\n" then "<name>: <value>\n" lines, an empty line, and the body.
// Checks: every answer is a status in 100..599 and a JSON body that parses; parameters are never
// empty, a route's literal segments match the decoded path; a malformed escape is a 400.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/json_api.h"

namespace yiwang {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;

// Route shapes the platform registers (see docs/openapi.json): literals beside parameters at the
// same depth, nested children, wildcards, verbs on one path.
const http::Router& router() {
  static const http::Router r = [] {
    http::Router r;
    auto echo = [](const Request& req, const PathParams& params) {
      for (const auto& [name, value] : params) fuzz::check(!value.empty(), "a parameter is set");
      Json out = {{"params", params}, {"token", req.bearer_token()}};
      auto page = http::page_of(req);
      if (!page) return http::problem(page.error(), req);
      fuzz::check(page->limit >= 1 && page->limit <= 200 && page->offset >= 0, "page bounds");
      if (req.method == "POST") {
        http::ObjectReader body(req);
        body.optional_string("action");
        body.optional_any("opinion");
        if (auto s = body.finish(); !s) return http::problem(s.error(), req);
      }
      return http::ok(out);
    };
    for (const char* path :
         {"/api/v1/cases", "/api/v1/cases/{id}", "/api/v1/cases/{id}/history", "/api/v1/cases/mine",
          "/api/v1/items/{code}", "/api/v1/items/{code}/versions/{v}", "/ledger/checkpoint",
          "/ledger/{path...}", "/api/v1/files/{sha256}", "/open311/v2/requests/{file}",
          "/verify/certificates/{identifier}"}) {
      r.add("GET", path, echo);
    }
    for (const char* path : {"/api/v1/cases", "/api/v1/cases/{id}/actions", "/api/v1/sessions"}) {
      r.add("POST", path, echo);
    }
    r.add("DELETE", "/api/v1/sessions/{id}", echo);
    r.add_asset("/verify", "<!doctype html>", "text/html; charset=utf-8");
    r.set_fallback([](const Request& req, const PathParams&) {
      Response page;
      page.content_type = "text/html";
      page.body = "<!doctype html>";
      return page;
    });
    return r;
  }();
  return r;
}

std::string_view take_line(std::string_view& rest) {
  auto nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace
}  // namespace yiwang

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yiwang;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::string_view start = take_line(rest);
  auto space = start.find(' ');
  if (space == std::string_view::npos) return 0;

  Request request;
  request.method = std::string(start.substr(0, space));
  request.request_id = "fuzz";
  // Header names lower-cased, repeated fields joined with ", " (http/server.cpp).
  for (std::string_view line = take_line(rest); !line.empty(); line = take_line(rest)) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return 0;
    std::string name(line.substr(0, colon));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    auto [it, inserted] = request.headers.try_emplace(std::move(name), value);
    if (!inserted) (it->second += ", ") += value;
  }
  request.body = std::string(rest);

  Response response;
  if (Status target = http::set_target(request, std::string(start.substr(space + 1))); !target) {
    fuzz::check(target.error().code == ErrorCode::invalid_input, "a bad target is invalid input");
    request.path = request.target;
    response = http::problem(target.error(), request);
  } else {
    std::string target_lower = request.target;
    for (auto& c : target_lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    fuzz::check(request.path.find('?') == std::string::npos ||
                    target_lower.find("%3f") != std::string::npos,
                "a path holds '?' only from an escape");
    auto resolved = router().resolve(request);
    if (resolved.route) {
      fuzz::check(resolved.route->method == request.method ||
                      (request.method == "HEAD" && resolved.route->method == "GET"),
                  "a route serves its own method (HEAD by GET)");
    }
    response = router().run(resolved, request);
  }
  fuzz::check(response.status >= 100 && response.status <= 599, "an answer has a status");
  if (response.content_type.find("json") != std::string::npos) {
    fuzz::check(!Json::parse(response.body, nullptr, false).is_discarded(), "a JSON answer parses");
  }
  return 0;
}
