// The route helper bound to this platform's sessions: every module's routes*.cpp starts with
//   identity::Routes api(router, identity);
// and registers its routes through it (http/route.h says how). Include only from routes*.cpp.
#pragma once

#include "http/route.h"
#include "identity/identity.h"

namespace yiwang::identity {

class Routes : public http::Routes<Principal> {
 public:
  Routes(http::Router& router, Service& identity)
      : http::Routes<Principal>(router, [&identity](const http::Request& req) {
          return identity.authenticate(req.bearer_token());
        }) {}
};

// Guards for Routes::add_if: forbidden unless the caller is the system administrator (系统管理员:
// the catalog, calendars, limits, types and classes).
Status system_admin_only(const Principal& who);
// Forbidden unless the caller is a citizen or a business (the public: comments, responses,
// ratings, presentations; officials never act as one).
Status public_members_only(const Principal& who);

}  // namespace yiwang::identity
