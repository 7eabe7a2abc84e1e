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

}  // namespace yiwang::identity
