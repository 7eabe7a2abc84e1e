// The case state machine as a pure function: given a stored case, an action and who acts, the
// new case or the reason it may not happen. No store, no clock, no randomness: the service
// loads the row, calls apply() and writes what it returns (row, events, pause rows) in one
// transaction, so every rule here is unit-testable on plain values.
//
// Checks run in a fixed order so that the error a caller sees is the most useful one:
//   1. may this kind of principal ever take this action (a citizen approving, a reviewer
//      accepting)?                                                          → forbidden
//   2. is the action legal in the current state (or at the current step)?  → conflict
//   3. is it this principal's step: department and role of the step, the item's department for
//      clerks, a joint step not already answered by the same department?   → forbidden / conflict
//   4. inputs: opinion (reject, deny, request_correction), procedure (suspend), form and
//      materials (resubmit only).                                          → invalid_input
// Visibility (not_found) and expected_revision are the service's business: they need no rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cases/cases.h"

namespace yiwang::cases::workflow {

// A case as stored: the public view plus the bookkeeping only the workflow reads.
struct Record {
  Case c;
  State resume_state = State::submitted;  // where correction / suspension returns to
  int limit_days = 0;
  bool natural_days = false;
};

// One state change, one event: a 即办件's acceptance is three (accept, grant, complete).
struct Hop {
  Action action = Action::accept;
  State from = State::submitted;
  State to = State::submitted;
};

// What happens to the statutory clock's pause rows.
enum class PauseChange { none, open, close };

struct Outcome {
  Record after;            // revision and updated_at already advanced
  std::string actor_role;  // the role the action was taken in
  std::string actor_dept;  // "" for applicants
  std::vector<Hop> hops;
  PauseChange pause = PauseChange::none;
  std::string pause_kind;  // "correction" or the procedure's name, when opening
};

// Applies `a` taken by `by` at `now_ms` to `r`.
Result<Outcome> apply(const Record& r, const ActionRequest& a, const identity::Principal& by,
                      core::Millis now_ms);

// The workflow snapshot a new case gets from its item: the item's steps (a step without
// departments belongs to the implementing department), or review + decide by that department
// when the item defines none. Every step starts "pending".
std::vector<Step> snapshot_steps(const catalog::Item& item);
// The departments a case is routed to: the item's and every step's, without duplicates.
std::vector<std::string> departments_of(const Case& c);

// Whom the case waits on: a role and the departments (",a,b,") that still have to act on the
// current step; both empty when nobody (closed, or the applicant is to act).
struct Waiting {
  std::string role;
  std::string depts;
};
Waiting waiting_of(const Case& c);

// Applicant (or the clerk who filed for them), supervisors and admins, and officials who handle
// cases (clerk, reviewer, approver) of a department the case is routed to. The security and audit
// administrators see no cases (三员分立: their work is accounts and the audit trail).
bool may_see(const Case& c, const identity::Principal& by);
// Holds a case-handling role: clerk, reviewer or approver.
bool handles_cases(const identity::Principal& by);
bool is_applicant(const Case& c, const identity::Principal& by);
// Whether `by`, who sees `c`, takes part in it at all: its applicant, or an official who handles
// cases of a department it is routed to; forbidden for those who only watch (supervisors,
// administrators). Which action, and whether it is their turn, apply() decides.
Status may_act_on(const Case& c, const identity::Principal& by);

// The stored JSON of steps and materials.
std::string steps_to_json(const std::vector<Step>& steps);
std::vector<Step> steps_from_json(std::string_view json);
std::string materials_to_json(const std::vector<MaterialRef>& materials);
std::vector<MaterialRef> materials_from_json(std::string_view json);

}  // namespace yiwang::cases::workflow
