// Audit trail queries (等保 2.0 audit records: time, user, event type, outcome) over the outbox.
//
// The events table written by every module is the trail; this module only reads it. Admins may
// query all of it; supervisors may read case and rectification events (电子监察). Read-only, so
// thread-safe by construction.
#pragma once

#include <vector>

#include "core/result.h"
#include "events/events.h"
#include "identity/identity.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}

namespace yiwang::audit {

// The events matching `filter`, oldest first. Errors: forbidden unless `who` is an admin, or a
// supervisor asking for case or rectification events.
Result<std::vector<events::Event>> query(store::Store& store, const events::Filter& filter,
                                         const identity::Principal& who);

// GET /api/v1/audit?after=&limit=&subject_type=&subject_id=&type=&actor=
void register_routes(http::Router& router, store::Store& store, identity::Service& identity);

}  // namespace yiwang::audit
