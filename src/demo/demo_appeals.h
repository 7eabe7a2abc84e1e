// The demo's 12345 hotline: a served classifier and a history of appeals. Private to the demo.
#pragma once

#include <ostream>
#include <string>

#include "app/app.h"
#include "core/clock.h"
#include "core/result.h"

namespace yiwang::demo {

// From the repository alone (`data_dir` = data/demo): installs the classifier shipped in
// data/demo/classifier when none exists, then files the demo's own citizens' messages
// (appeals.jsonl, written for the fictional city) from the past `days` days through the real
// services — classified and dispatched, received, answered (checked, weak ones confirmed),
// closed, called back and rated — and a burst of reports of the same problems in the last weeks,
// so hot issues, the public board and the roll-ups have something to show. A few stay open for
// the dispatcher and the departments.
Status seed_appeals(app::App& app, core::ManualClock& clock, const std::string& data_dir,
                    core::Millis now_ms, int days, std::ostream& log);

}  // namespace yiwang::demo
