#include "http/http.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <set>

#include <nlohmann/json.hpp>

namespace yiwang::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ieq_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

struct ProblemKind {
  int status;
  std::string_view title;
  std::string_view default_zh;
  std::string_view default_en;
};

ProblemKind kind_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_input:
      return {400, "Invalid input", "输入无效", "invalid input"};
    case ErrorCode::unauthenticated:
      return {401, "Unauthenticated", "请先登录", "authentication required"};
    case ErrorCode::forbidden:
      return {403, "Forbidden", "无权执行此操作", "not allowed"};
    case ErrorCode::not_found:
      return {404, "Not found", "未找到", "not found"};
    case ErrorCode::conflict:
      return {409, "Conflict", "与当前状态冲突", "conflicts with the current state"};
    case ErrorCode::too_large:
      return {413, "Content too large", "内容过大", "content too large"};
    case ErrorCode::unprocessable:
      return {422, "Unprocessable content", "无法处理的内容", "unprocessable content"};
    case ErrorCode::unsupported_media:
      return {415, "Unsupported media type", "不支持的内容类型", "unsupported media type"};
    case ErrorCode::locked:
      return {423, "Locked", "账户已锁定", "locked"};
    case ErrorCode::rate_limited:
      return {429, "Too many requests", "请求过于频繁，请稍后再试",
              "too many requests, try again later"};
    case ErrorCode::overloaded:
      return {503, "Service overloaded", "服务繁忙，请稍后再试",
              "service overloaded, try again shortly"};
    case ErrorCode::internal:
      break;
  }
  return {500, "Internal server error", "服务器内部错误", "internal server error"};
}

std::string instance_of(const Request& request) {
  if (!request.path.empty()) return request.path;
  return request.target.substr(0, request.target.find('?'));
}

Response make_problem(int status, std::string_view type, std::string_view title,
                      const std::string& field, const std::string& zh, const std::string& en,
                      const Request& request) {
  nlohmann::json body = {{"type", "urn:yiwang:problem:" + std::string(type)},
                         {"title", title},
                         {"status", status},
                         {"detail", en},
                         {"instance", instance_of(request)},
                         {"field", field},
                         {"message_zh", zh},
                         {"message_en", en},
                         {"request_id", request.request_id}};
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  // Replace rather than throw on invalid UTF-8 echoed from input (paths, field names).
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

bool is_param(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// "{name...}": a final segment that takes the rest of the path (one or more segments).
bool is_wildcard(std::string_view segment) {
  return segment.size() >= 5 && is_param(segment) && segment.ends_with("...}");
}

// Literal segments beat parameters, which beat a wildcard.
int rank_of(std::string_view segment) {
  if (is_wildcard(segment)) return 0;
  return is_param(segment) ? 1 : 2;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

std::optional<std::string> Request::query_param(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::string Request::header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string() : it->second;
}

std::string Request::bearer_token() const {
  auto it = headers.find("authorization");
  if (it == headers.end()) return "";
  std::string_view v = it->second;
  if (!ieq_prefix(v, "bearer ")) return "";
  v.remove_prefix(7);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return std::string(v);
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Status set_target(Request& request, std::string target) {
  auto bad = [](std::string en, std::string zh) {
    return fail(ErrorCode::invalid_input, "", std::move(zh), std::move(en));
  };
  if (target.empty() || target.front() != '/') {
    return bad("request target must be an absolute path", "请求地址须为绝对路径");
  }
  request.target = std::move(target);
  std::string_view t = request.target;
  auto hash = t.find('#');
  if (hash != std::string_view::npos) t = t.substr(0, hash);
  auto q = t.find('?');
  auto path = percent_decode(t.substr(0, q), false);
  if (!path) return bad("malformed percent-encoding in the path", "路径中的百分号编码有误");
  request.path = std::move(*path);
  request.query.clear();
  if (q == std::string_view::npos) return {};
  std::string_view query = t.substr(q + 1);
  std::size_t start = 0;
  while (start <= query.size()) {
    auto amp = query.find('&', start);
    std::string_view pair =
        query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      auto name = percent_decode(pair.substr(0, eq), true);
      auto value = percent_decode(
          eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
      if (!name || !value) {
        return bad("malformed percent-encoding in the query", "查询参数中的百分号编码有误");
      }
      request.query.emplace(std::move(*name), std::move(*value));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return {};
}

Response web_asset(std::string_view body, std::string content_type) {
  Response r;
  r.content_type = std::move(content_type);
  r.body = std::string(body);
  r.headers.emplace_back("Cache-Control", "public, max-age=300");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'self'; connect-src 'self'; "
                         "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                         "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

Response problem(const Error& error, const Request& request) {
  ProblemKind kind = kind_of(error.code);
  Response r;
  if (error.code == ErrorCode::internal) {
    // Details of a bug or a store failure are for the operator, not the client.
    std::fprintf(stderr, "yiwang: request %s %s %s: internal error: %s%s%s\n",
                 request.request_id.c_str(), request.method.c_str(), request.target.c_str(),
                 error.message_en.c_str(),
                 error.field.empty() ? "" : " field=", error.field.c_str());
    r = make_problem(kind.status, to_string(error.code), kind.title, "",
                     std::string(kind.default_zh), std::string(kind.default_en), request);
  } else {
    r = make_problem(kind.status, error.type.empty() ? to_string(error.code) : error.type,
                     kind.title, error.field,
                     error.message_zh.empty() ? std::string(kind.default_zh) : error.message_zh,
                     error.message_en.empty() ? std::string(kind.default_en) : error.message_en,
                     request);
  }
  if (error.code == ErrorCode::unauthenticated) {
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"yiwang\"");
  } else if (error.code == ErrorCode::overloaded || error.code == ErrorCode::rate_limited) {
    const int fallback = error.code == ErrorCode::overloaded ? 1 : 60;
    const int seconds = error.retry_after_s > 0 ? error.retry_after_s : fallback;
    r.headers.emplace_back("Retry-After", std::to_string(seconds));
    // Also in the body: browsers' fetch wrappers often do not pass headers on to the page.
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    if (body.is_object()) {
      body["retry_after"] = seconds;
      r.body = body.dump();
    }
  }
  return r;
}

std::string_view to_string(Access a) {
  switch (a) {
    case Access::optional:
      return "optional";
    case Access::signed_in:
      return "signed_in";
    case Access::open:
      break;
  }
  return "open";
}

Runs Router::Resolved::runs() const {
  return route ? route->options.runs : Runs::io_thread;
}

void Router::add(std::string method, std::string path_template, Handler handler,
                 RouteOptions options) {
  Route route;
  for (auto segment : split_path(path_template)) route.segments.emplace_back(segment);
  route.method = std::move(method);
  route.path_template = std::move(path_template);
  route.options = options;
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

void Router::add_asset(std::string path, std::string_view body, std::string content_type) {
  add("GET", std::move(path),
      [body, type = std::move(content_type)](const Request&, const PathParams&) {
        return web_asset(body, type);
      },
      {Access::open, Runs::io_thread});
}

void Router::set_fallback(Handler handler) {
  fallback_ = std::move(handler);
}

std::vector<Router::Info> Router::routes() const {
  std::vector<Info> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back({r.method, r.path_template, r.options});
  return out;
}

namespace {

// A request path cut into segments: from the raw target when there is one, so that an encoded
// '/' cannot change the route, percent-decoded segment by segment.
class PathSegments {
 public:
  // False when a percent-escape is malformed.
  bool parse(const Request& request) {
    std::string_view raw_path = request.path;
    bool encoded = false;
    if (!request.target.empty() && request.target.front() == '/') {
      raw_path = std::string_view(request.target).substr(0, request.target.find_first_of("?#"));
      encoded = true;
    }
    raw_ = split_path(raw_path);
    if (!encoded || raw_path.find('%') == std::string_view::npos) return true;
    decoded_.reserve(raw_.size());
    for (auto s : raw_) {
      auto d = percent_decode(s);
      if (!d) return false;
      decoded_.push_back(std::move(*d));
    }
    return true;
  }
  std::size_t size() const { return raw_.size(); }
  std::string_view operator[](std::size_t i) const {
    return decoded_.empty() ? raw_[i] : std::string_view(decoded_[i]);
  }

 private:
  std::vector<std::string_view> raw_;
  std::vector<std::string> decoded_;
};

bool matches(const Router::Route& r, const PathSegments& path) {
  const bool wild = !r.segments.empty() && is_wildcard(r.segments.back());
  if (wild ? path.size() < r.segments.size() : r.segments.size() != path.size()) return false;
  for (std::size_t i = 0; i < r.segments.size(); ++i) {
    if (wild && i + 1 == r.segments.size()) {
      // The rest must not be empty: "/ledger/tile/" does not match "/ledger/tile/{path...}".
      bool any = false;
      for (std::size_t j = i; j < path.size() && !any; ++j) any = !path[j].empty();
      if (!any) return false;
    } else if (is_param(r.segments[i])) {
      if (path[i].empty()) return false;
    } else if (r.segments[i] != path[i]) {
      return false;
    }
  }
  return true;
}

// True when `a` is more specific: at the first position where they differ in kind, `a` has the
// literal.
bool more_specific(const Router::Route& a, const Router::Route& b) {
  const std::size_t n = std::min(a.segments.size(), b.segments.size());
  for (std::size_t i = 0; i < n; ++i) {
    int ra = rank_of(a.segments[i]), rb = rank_of(b.segments[i]);
    if (ra != rb) return ra > rb;
  }
  // Same kinds up to the shorter one: an exact-length route beats a wildcard that also matched.
  return a.segments.size() > b.segments.size();
}

PathParams params_of(const Router::Route& route, const PathSegments& path) {
  PathParams params;
  for (std::size_t i = 0; i < route.segments.size(); ++i) {
    const std::string& s = route.segments[i];
    if (is_wildcard(s) && i + 1 == route.segments.size()) {
      std::string rest(path[i]);
      for (std::size_t j = i + 1; j < path.size(); ++j) (rest += '/') += path[j];
      params.emplace(s.substr(1, s.size() - 5), std::move(rest));
    } else if (is_param(s)) {
      params.emplace(s.substr(1, s.size() - 2), std::string(path[i]));
    }
  }
  return params;
}

Response method_not_allowed(const Request& request, const std::set<std::string>& allowed) {
  std::string allow;
  for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
  Response r = make_problem(405, "method-not-allowed", "Method not allowed", "",
                            "此地址不支持 " + request.method + " 方法",
                            "method " + request.method + " is not allowed here", request);
  r.headers.emplace_back("Allow", allow);
  return r;
}

}  // namespace

Router::Resolved Router::resolve(const Request& request) const {
  Resolved out;
  PathSegments path;
  if (!path.parse(request)) {
    out.answer = problem(Error{ErrorCode::invalid_input, "", "路径中的百分号编码有误",
                               "malformed percent-encoding in the path"},
                         request);
    return out;
  }
  // Precedence among the routes of the request's method; HEAD falls back to GET.
  const Route* best = nullptr;
  const Route* best_get = nullptr;
  bool any_path = false;
  for (const auto& r : routes_) {
    if (!matches(r, path)) continue;
    any_path = true;
    if (r.method == request.method) {
      if (!best || more_specific(r, *best)) best = &r;
    } else if (request.method == "HEAD" && r.method == "GET") {
      if (!best_get || more_specific(r, *best_get)) best_get = &r;
    }
  }
  if (!best) best = best_get;
  if (best) {
    out.route = best;
    out.params = params_of(*best, path);
  } else if (!any_path && fallback_ && (request.method == "GET" || request.method == "HEAD")) {
    out.fallback = true;
  } else if (!any_path) {
    out.answer = problem(Error{ErrorCode::not_found, "", "没有这个地址：" + instance_of(request),
                               "no such resource: " + instance_of(request)},
                         request);
  } else {
    std::set<std::string> allowed;
    for (const auto& r : routes_) {
      if (!matches(r, path)) continue;
      allowed.insert(r.method);
      if (r.method == "GET") allowed.insert("HEAD");
    }
    out.answer = method_not_allowed(request, allowed);
  }
  return out;
}

Response Router::run(const Resolved& resolved, const Request& request) const {
  if (resolved.answer) return *resolved.answer;
  try {
    if (resolved.fallback) return fallback_(request, {});
    return resolved.route->handler(request, resolved.params);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "yiwang: request %s %s %s: unhandled exception: %s\n",
                 request.request_id.c_str(), request.method.c_str(), request.target.c_str(),
                 e.what());
  } catch (...) {
    std::fprintf(stderr, "yiwang: request %s %s %s: unhandled non-standard exception\n",
                 request.request_id.c_str(), request.method.c_str(), request.target.c_str());
  }
  ProblemKind k = kind_of(ErrorCode::internal);
  return make_problem(k.status, to_string(ErrorCode::internal), k.title, "",
                      std::string(k.default_zh), std::string(k.default_en), request);
}

}  // namespace yiwang::http
