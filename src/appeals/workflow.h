// The appeal state machine as pure functions: given a stored appeal, an action and who acts, the
// new appeal with the event it writes, or the reason it may not happen. No store, no clock, no
// randomness: the service loads the row, reads its clock, calls apply() and writes what it returns
// (row and event) in one transaction, so every rule here is unit-testable on plain values.
//
// Checks run in a fixed order (the order the API has always answered in):
//   1. inputs: fields that belong to another action, reason / reply / callback result / level,
//      the classifier's suggestion, and a department to dispatch to   → invalid_input
//      (the service checks these before it reads the row, so a bad request is invalid_input
//      even for an appeal the caller cannot see; apply() repeats them so that it is whole)
//   2. may this principal take this action on this appeal: the hotline centre dispatches,
//      arbitrates, closes and calls back; the handling department receives, returns and
//      replies; supervisors supervise; the appellant rates (the hotline for a caller without
//      an account)                                                       → forbidden
//   3. is the action legal in the current state                          → conflict
//   4. the action's own conditions: a department returns an appeal only once, only an overdue
//      appeal is supervised, a reply passes the reply check (checker errors as returned; a weak
//      reply not confirmed)                                              → conflict / unprocessable
// Visibility (not_found), the department's existence and expected_revision are the service's
// business: they need the store.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "appeals/appeals.h"

namespace yiwang::appeals::workflow {

// An appeal as stored: the public view plus the key its submissions are counted under.
struct Record {
  Appeal a;
  std::string identity_key;
};

// One state change and its event.
struct Outcome {
  Record after;            // fields, state, updated_at and revision advanced
  std::string event_type;  // "appeal.dispatched", …
  std::string reason;      // the event's reason: the request's reason, the reply, the result
  std::string data_json;   // the event's data: action, from, to and what the action decided
};

// ---- Who is who ---------------------------------------------------------------------------------

// Hotline centre staff who act on appeals (dispatchers and operators): clerks and reviewers of
// Options::hotline_dept_id.
bool is_hotline(const identity::Principal& by, const Options& o);
// Who reads every appeal: anyone of the hotline centre, supervisors and admins.
bool sees_all(const identity::Principal& by, const Options& o);
// Clerks, reviewers and approvers of the department the appeal is dispatched to.
bool is_handler(const identity::Principal& by, const Appeal& a);
// The citizen or business who submitted it (never an official).
bool is_appellant(const identity::Principal& by, const Appeal& a);
bool is_official_with(const identity::Principal& by, identity::Role r);
// The appellant, the hotline centre, supervisors, admins and the handling department.
bool may_see(const identity::Principal& by, const Appeal& a, const Options& o);
// Masks what this reader may not know of the appellant: an anonymous appeal from everyone but
// the appellant, a confidential one from everyone but the appellant and the hotline. The account
// id goes too: in a small department a user id is as good as a name. Readers who oversee rather
// than handle (supervisors and admins outside the hotline and the handling department) see the
// name and phone masked (张*, 138****5678): supervision needs states and deadlines, not identities.
void mask_for(Appeal& a, const identity::Principal& by, const Options& o);

// ---- Steps --------------------------------------------------------------------------------------

// Whom a dispatch or arbitration sends the appeal to: the dispatcher's choice, or a suggestion
// confident enough (≥ Options::auto_dispatch_confidence) to follow.
std::string target_dept(const ActionRequest& r, const Options& o);
// Whether `by`, who sees `a`, may take any step on it at all (check 2 for some action); which
// step, and whether the state allows it, apply() decides. forbidden for those who only read.
Status may_act_on(const Appeal& a, const identity::Principal& by, const Options& o);
// Who previews a reply: the handling department, the hotline centre and admins.
Status may_check_reply(const Appeal& a, const identity::Principal& by, const Options& o);
// Check 1 above. invalid_input naming the field.
Status check_request(const ActionRequest& r, const Options& o);
// Applies `r` taken by `by` at `now_ms` to `record`, whose clock is read at `now_ms`. The reply
// check (Options::reply_checker, when set) is part of the rules: it is pure.
Result<Outcome> apply(const Record& record, const ActionRequest& r, const identity::Principal& by,
                      core::Millis now_ms, const Options& o);

// The reply check with timeliness: the checker's relevance and completeness, less kLatePenalty
// and with a "late" issue when the appeal's clock is red; weak below kWeakReplyBelow. A checker's
// invalid_input names "/reply".
Result<ReplyQuality> reply_quality(const Appeal& a, std::string_view reply, const Options& o);

// The platform's classifier: at or above auto_dispatch_confidence the appeal is dispatched to
// `dept_id` ("appeal.dispatched"), below it the suggestion is only recorded
// ("appeal.classified"). conflict unless the appeal is accepted.
Result<Outcome> auto_dispatch(const Record& record, const std::string& dept_id, double confidence,
                              std::string_view label, core::Millis now_ms, const Options& o);
// invalid_input "/confidence" unless within 0..1.
Status check_confidence(double confidence);
// Records the city-management case the appeal became ("appeal.linked"); conflict when linked.
Result<Outcome> link(const Record& record, std::string_view ref, core::Millis now_ms);
// The linked case closed: the appeal is received if need be ("appeal.received") and replied
// with `reply` ("appeal.replied"); one outcome per step, in order. conflict unless the appeal is
// dispatched or handling.
Result<std::vector<Outcome>> answer_linked(const Record& record, std::string_view reply,
                                           core::Millis now_ms);

// ---- Texts --------------------------------------------------------------------------------------

// A free text field, checked by core::check_text (core/text_check.h) under the field's names.
Status check_text(std::string_view value, const std::string& field, std::size_t min,
                  std::size_t max, bool multiline, const char* zh_name, const char* en_name);

// What an event keeps of the appeal: codes and counters, no personal data and no free text.
std::string summary_json(const Appeal& a);

}  // namespace yiwang::appeals::workflow
