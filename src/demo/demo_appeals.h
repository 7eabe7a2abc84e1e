// The demo's 12345 hotline: a served classifier and a history of appeals. Private to the demo.
#pragma once

#include <ostream>
#include <string>

#include "app/app.h"
#include "core/clock.h"
#include "core/result.h"

namespace yiwang::demo {

// With the shared appeals data beside the checkout (`appeals_dir` =
// ../shared/data/appeals): trains and serves a classifier when none exists, then files real
// citizens' messages from the past `days` days through the real services — classified and
// dispatched, received, answered with the government's real reply (checked, weak ones
// confirmed), closed, called back and rated — and a burst of reports of the same problems in
// the last weeks, so hot issues, the public board and the roll-ups have something to show.
// A few stay open for the dispatcher and the departments. Without the data it only says so.
Status seed_appeals(app::App& app, core::ManualClock& clock, const std::string& appeals_dir,
                    core::Millis now_ms, int days, std::ostream& log);

}  // namespace yiwang::demo
