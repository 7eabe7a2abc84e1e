// The seven-step loop as a pure function: given a stored grid event, an action and who acts, the
// new event, the step rows to end and start and the event for the outbox, or the reason it may
// not happen. No store, no clock, no randomness: the service reads the rows (the event, its
// class's limits, the cell's supervisors, the open step's working minutes), calls apply() and
// writes what it returns in one transaction, so every rule here is unit-testable on plain values.
//
// Checks run in a fixed order so that the error a caller sees is the most useful one:
//   1. may this principal take this action on this event at all: the grid centre's clerk
//      (accept), clerk or approver (reject), approver (register, close, evaluate), dispatcher
//      (dispatch), an official of the handling department (send_back, feedback), a supervisor
//      listed on the event's cell (check)?                                      → forbidden
//   2. is the action legal in the current state?                               → conflict
//   3. the finer rules of the state: an accepted event is rejected by the approver only
//      (forbidden); an event is evaluated once (conflict).
//   4. inputs, in the order of the form: class_code (accept), reason (reject, send_back, failed
//      check; optional on evaluate), dept_id (dispatch), feedback, passed (check), photos,
//      level (evaluate).                                                       → invalid_input
// Visibility (not_found) and expected_revision are the service's business: they need no rules.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "grid/grid.h"

namespace yiwang::grid::workflow {

// A grid event as stored, with what the rules read beside it. Times in working minutes are read
// by the service (they need the calendar) at the instant of the action.
struct Record {
  std::string center_dept_id = "grid";    // the grid centre (Options::center_dept_id)
  GridEvent event;                        // clock not read
  int total_limit_min = 0;                // 按期结案 limit, set at registration
  Limits limits;                          // the event's class's step limits
  std::vector<std::string> supervisors;   // usernames listed on the event's cell
  int step_used_min = 0;                  // the open step's working minutes until now
  std::int64_t since_registered_min = 0;  // working minutes from 立案 until now
  // accept with another class_code: that class as stored (nullopt when there is none).
  std::optional<Class> requested_class;
  // feedback / check: the verdict of the platform's upload check on the evidence photos (a
  // photo the principal did not upload), consulted where the rules check photos.
  std::optional<Error> photo_refusal;
};

// A step that starts at the action's instant.
struct StepStart {
  Step step = Step::register_;
  std::string dept_id;
  int limit_min = 0;
};

struct Outcome {
  GridEvent after;  // revision and updated_at advanced; clock not read
  int total_limit_min = 0;
  // The open step ends at the action's instant, ended by the principal, with this outcome
  // ("done", "rejected", "sent_back", "rework"); nullopt: it goes on.
  std::optional<std::string> end_step;
  std::optional<StepStart> start_step;
  std::vector<std::string> index_photos;  // evidence photos to index for read access
  std::string event_type;                 // "grid.accepted", …, "grid.reworked"
  std::string reason;                     // the event's reason text
  std::string data_json;                  // the event's data
};

// Applies `a` taken by `by` at `now_ms` to `r`.
Result<Outcome> apply(const Record& r, const ActionRequest& a, const identity::Principal& by,
                      core::Millis now_ms);

// Whether `by` may read the event: officials read every event, citizens and businesses their own.
bool may_see(const GridEvent& e, const identity::Principal& by);
// Whether `by` may take any step on the event at all (step 1 for some action; `r.supervisors`
// loaded); which step, and whether the state allows it, apply() decides.
Status may_act_on(const Record& r, const identity::Principal& by);

// The before / after snapshot of an event in its events: codes and states only.
std::string snapshot(const GridEvent& e);

}  // namespace yiwang::grid::workflow
