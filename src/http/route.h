// The one way to write a route. Include only from routes*.cpp files (it pulls in nlohmann/json).
//
// A route declares who may call it (Access) and where it runs (Runs, default the worker pool); its
// handler is a plain function from the request to a Result. The helper authenticates before the
// handler runs, maps every Error to its RFC 9457 problem, and serialises the value once:
//
//   identity::Routes api(router, identity);      // identity/routes.h binds the sessions
//   api.add("GET", "/api/v1/cases/{id}", [&](const Request&, const PathParams& p,
//                                            const Principal& who) {
//     return service.get(p.at("id"), who).map(case_json);
//   });
//   api.open("GET", "/api/v1/items/{code}", get_item, Runs::io_thread);
//
// Handlers return one of
//   Result<Json>      200 with the JSON body,
//   Result<Response>  the response as built (created(), no_content(), a file, a page),
//   Status            204 No Content,
// and an Error in any of them becomes its problem. What a signed-in caller receives is marked
// Cache-Control: no-store unless the handler set a Cache-Control of its own. The Principal type
// is a parameter so that http/ stays below the modules (identity::Principal in practice).
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

#include "http/json_api.h"

namespace yiwang::http {

// The response for a handler's result (see above).
inline Response respond(Result<Json>&& r, const Request& req) {
  return r ? ok(*r) : problem(r.error(), req);
}
inline Response respond(Result<Response>&& r, const Request& req) {
  return r ? std::move(*r) : problem(r.error(), req);
}
inline Response respond(Status&& r, const Request& req) {
  return r ? no_content() : problem(r.error(), req);
}

// An answer to a signed-in caller may carry their personal data: no shared or browser cache keeps
// it (Cache-Control: no-store), unless the handler chose a policy itself.
inline Response not_stored(Response r) {
  for (const auto& [name, value] : r.headers) {
    if (name.size() == 13 && std::equal(name.begin(), name.end(), "cache-control",
                                        [](char a, char b) { return (a | 0x20) == b; })) {
      return r;
    }
  }
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

template <class Principal>
class Routes {
 public:
  // The caller's principal from the request's credentials: unauthenticated when they are missing,
  // unknown or expired.
  using Authenticate = std::function<Result<Principal>(const Request&)>;

  Routes(Router& router, Authenticate authenticate)
      : router_(router), authenticate_(std::move(authenticate)) {}

  // Signed-in callers only (401 before anything else):
  // fn(const Request&, const PathParams&, const Principal&).
  template <class F>
  void add(std::string method, std::string path, F fn, Runs runs = Runs::pool) {
    router_.add(
        std::move(method), std::move(path),
        [auth = authenticate_, fn = std::move(fn)](const Request& req, const PathParams& p) {
          auto who = auth(req);
          if (!who) return problem(who.error(), req);
          return not_stored(respond(fn(req, p, std::as_const(*who)), req));
        },
        {Access::signed_in, runs});
  }

  // Signed-in callers that `may` admits, decided before the handler reads anything of the request:
  // a caller who may not act is told 403 (or 404 for an object they may not see) whatever the body
  // holds, not a 400 about a body they had no business sending. `may` is called with the principal,
  // or with the principal and the path parameters when the answer depends on the object named in
  // the path (a case of another department). The handler's service checks again.
  template <class G, class F>
  void add_if(std::string method, std::string path, G may, F fn, Runs runs = Runs::pool) {
    router_.add(
        std::move(method), std::move(path),
        [auth = authenticate_, may = std::move(may), fn = std::move(fn)](const Request& req,
                                                                        const PathParams& p) {
          auto who = auth(req);
          if (!who) return problem(who.error(), req);
          Status allowed;
          if constexpr (std::is_invocable_v<const G&, const Principal&, const PathParams&>) {
            allowed = may(std::as_const(*who), p);
          } else {
            allowed = may(std::as_const(*who));
          }
          if (!allowed) return problem(allowed.error(), req);
          return not_stored(respond(fn(req, p, std::as_const(*who)), req));
        },
        {Access::signed_in, runs});
  }

  // Anyone; the principal when a token came, nullptr without one (a bad or expired token is 401,
  // so a client with a stale session finds out): fn(const Request&, const PathParams&,
  // const Principal*).
  template <class F>
  void optional(std::string method, std::string path, F fn, Runs runs = Runs::pool) {
    router_.add(
        std::move(method), std::move(path),
        [auth = authenticate_, fn = std::move(fn)](const Request& req, const PathParams& p) {
          if (req.bearer_token().empty()) return respond(fn(req, p, nullptr), req);
          auto who = auth(req);
          if (!who) return problem(who.error(), req);
          const Principal& principal = *who;
          return not_stored(respond(fn(req, p, &principal), req));
        },
        {Access::optional, runs});
  }

  // Anyone, no principal: fn(const Request&, const PathParams&).
  template <class F>
  void open(std::string method, std::string path, F fn, Runs runs = Runs::pool) {
    router_.add(std::move(method), std::move(path),
                [fn = std::move(fn)](const Request& req, const PathParams& p) {
                  return respond(fn(req, p), req);
                },
                {Access::open, runs});
  }

  Router& router() { return router_; }

 private:
  Router& router_;
  Authenticate authenticate_;
};

}  // namespace yiwang::http
