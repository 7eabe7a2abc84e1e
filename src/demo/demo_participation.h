// The demo's public participation: a concluded 意见征集 with its published feedback, an open one
// collecting comments, and an open 在线调查 with responses. Private to the demo.
#pragma once

#include <ostream>

#include "app/app.h"
#include "core/clock.h"
#include "core/result.h"

namespace yiwang::demo {

Status seed_participation(app::App& app, core::ManualClock& clock, core::Millis now_ms,
                          std::ostream& log);

}  // namespace yiwang::demo
