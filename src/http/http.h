// Transport-independent HTTP types and the router.
//
// Module routes (src/<module>/routes.cpp) register handlers on a Router; the Beast server
// (http/server.h) parses requests, calls the router on a worker thread and writes the response.
// A handler is a plain function: testable without sockets. Handlers may block on the store.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace yiwang::http {

struct Request {
  std::string method;                             // "GET"
  std::string target;                             // raw target incl. query
  std::string path;                               // percent-decoded path without query
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::map<std::string, std::string> headers;     // names lower-cased
  std::string body;
  std::string request_id;
  std::string remote_address;

  std::optional<std::string> query_param(std::string_view name) const;
  std::string header(std::string_view lower_name) const;  // "" when absent
  std::string bearer_token() const;                       // from Authorization: Bearer …
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, for query strings). Empty when
// an escape is malformed.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);
// %XX for every byte but the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string percent_encode(std::string_view text);

// Sets request.target, request.path (decoded) and request.query (decoded) from an origin-form
// target ("/a/b?x=1"). invalid_input when the target is not origin-form or an escape is malformed.
Status set_target(Request& request, std::string target);

// A static page or script of the built-in web pages: cacheable for five minutes, with a strict
// Content-Security-Policy (same-origin scripts, styles and fetches, inline styles, no framing).
Response web_asset(std::string_view body, std::string content_type);

using PathParams = std::map<std::string, std::string>;
using Handler = std::function<Response(const Request&, const PathParams&)>;

// Maps an Error to an RFC 9457 application/problem+json response:
// {type, title, status, detail, instance, field, message_zh, message_en, request_id}.
Response problem(const Error& error, const Request& request);

// Who may call a route: declared with the route (http/route.h checks it before the handler runs)
// and listed by Router::routes(), so the authorisation of every operation can be tested.
enum class Access {
  open,       // anyone; the handler never sees a principal
  optional,   // anyone; the caller's principal when a token came (a bad or expired token is 401)
  signed_in,  // a valid session, checked before anything else (401 otherwise); roles and
              // department scope are the service's checks
};
std::string_view to_string(Access a);  // "open" / "optional" / "signed_in"

// Where a route's handler runs. The pool is the default: a handler may block on the store, on a
// lock or on a long computation. Only handlers that answer from memory or a short SQLite read
// without waiting on anything may be declared io_thread; the server runs them inline on the I/O
// thread (saving the hand-off) when ServerOptions::inline_reads allows it.
enum class Runs { pool, io_thread };

struct RouteOptions {
  Access access = Access::open;
  Runs runs = Runs::pool;
};

// Routes by method and path template: "/api/v1/cases/{id}/actions". Literal segments win over
// parameters. An unknown path is 404, a known path with another method 405 (with Allow), both as
// problem+json. Exceptions escaping a handler become 500 problems and are logged.
// Precedence applies among the routes for the request's method. Path parameters are taken from
// the raw target when it is set (so "%2F" stays inside one parameter) and percent-decoded;
// otherwise from the already decoded `path`. HEAD is served by the GET handler when no HEAD route
// exists (the server drops the body). Register every route before serving: resolve(), run() and
// dispatch() are then safe from many threads, add() is not.
class Router {
 public:
  struct Route {
    std::string method;
    std::string path_template;
    RouteOptions options;
    std::vector<std::string> segments;
    Handler handler;
  };
  // Where a request goes: a route with its parameters, the fallback, or a ready answer (404, 405,
  // a malformed path). Valid while the Router lives.
  struct Resolved {
    const Route* route = nullptr;
    PathParams params;
    bool fallback = false;
    std::optional<Response> answer;
    Runs runs() const;  // the route's declaration; a ready answer or the fallback: io_thread
  };

  void add(std::string method, std::string path_template, Handler handler,
           RouteOptions options = {});
  Resolved resolve(const Request& request) const;
  Response run(const Resolved& resolved, const Request& request) const;
  Response dispatch(const Request& request) const { return run(resolve(request), request); }
  // Every registered route (method, template, access, where it runs): the OpenAPI drift check and
  // the authorisation tests read it.
  struct Info {
    std::string method;
    std::string path_template;
    RouteOptions options;
  };
  std::vector<Info> routes() const;
  // A built-in page, script or stylesheet served from memory (web_asset): open to anyone and
  // answered on the I/O thread. `body` must outlive the Router (embedded text does).
  void add_asset(std::string path, std::string_view body, std::string content_type);
  // Answers GET and HEAD requests whose path matches no route (instead of 404): the web app's
  // static files, served from memory (io_thread).
  void set_fallback(Handler handler);

 private:
  std::vector<Route> routes_;
  Handler fallback_;
};

}  // namespace yiwang::http
