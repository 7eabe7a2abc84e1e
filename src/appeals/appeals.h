// Citizen appeals (12345 诉求): intake from the web, the mobile page, a hotline operator entering a
// phone call and the API; dispatch to a department; handling, reply, supervision, closing,
// callback and rating, each step timed on the statutory working-day clock.
//
// Lifecycle (state names are the API strings):
//   accepted ─dispatch→ dispatched ─receive→ handling ─reply→ replied ─close→ closed
//                         │    ▲                │                               │
//                  return │    │ arbitrate      │ return                 callback│
//                         ▼    │                ▼                               ▼
//                        returned ◄─────────────┘           rated ◄─rate─ called_back
//   (closed ─rate→ rated as well: an appellant need not wait for the callback.)
// A department returns a wrongly dispatched appeal at most once per appeal, with a reason; the
// hotline centre then arbitrates, re-dispatching it (to the same or another department), and
// that decision is final. 督办 (supervise) is recorded on an appeal that is overdue and not yet
// replied; it does not change the state, because the department must still reply — the appeal
// carries a supervision count instead.
//
// Who acts: the hotline centre (clerks and reviewers of Options::hotline_dept_id) enters phone
// calls, dispatches, arbitrates, closes and calls back; the handling department's clerks,
// reviewers and approvers receive, return and reply; supervisors supervise; the appellant rates
// (the hotline records the rating of a caller without an account); admins edit the limits.
// A step by someone else is forbidden; a step the state does not allow is a conflict; neither
// changes anything. Appeals outside one's scope are not_found.
//
// Scope: citizens and businesses see their own appeals; officials those dispatched to their
// department; hotline staff, supervisors and admins all. A confidential appeal hides the
// appellant from everyone but the appellant and the hotline; an anonymous one keeps no name or
// phone at all (the account is kept only to scope, merge and rate-limit).
//
// The clock starts the day after intake (受理) and counts working days up to the type's limit
// (defaults: consult/help 3, complaint/report/suggestion 13; editable, snapshotted per appeal at
// intake); it stops at the reply. Readings are computed when read.
//
// Every state change appends an event "appeal.<past tense>" in the same transaction (see
// `event_type`); before/after carry no personal data.
//
// Thread-safety and ownership: Service is thread-safe (all state is in the store); the store,
// clock, random source and identity service must outlive it. The hot-issue routes share one
// grouping cache per router, guarded by its own mutex (hot_routes.cpp).
//
// Files by concern:
//   appeals.h      this contract          workflow.h/.cpp  the state machine, pure (apply)
//   internal.h     Service::Impl, rows    service.cpp      names, rows, events, the clock
//   intake.cpp     submit: checks, redirects, replays, rate limits, merging, filing
//   acting.cpp     act, AI dispatch, the city-management link, reply checks, limits
//   reading.cpp    get, list, the public board, the departments' roll-up
//   auto_dispatch.cpp  the classifier as an event-stream follower
//   text.cpp       redirect rules, normalising and similarity
//   hot_issues.h/.cpp  hot issues (pure)   hot_routes.cpp  their routes and cache
//   routes.cpp     the appeal routes through the route helper   migrations/  the tables
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/utf8.h"
#include "identity/identity.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}
namespace yiwang::events {
class Follower;
}

namespace yiwang::appeals {

enum class Channel { web, mobile, phone, api };
// 咨询 / 求助 / 投诉 / 举报 / 建议
enum class Type { consult, help, complaint, report, suggestion };
enum class State { accepted, dispatched, returned, handling, replied, closed, called_back, rated };
enum class Action {
  dispatch,   // hotline: accepted → dispatched (dept_id, or a confident suggested_dept)
  send_back,  // "return": the department, once per appeal: dispatched|handling → returned
  arbitrate,  // hotline: returned → dispatched (dept_id and reason required)
  receive,    // the department (签收): dispatched → handling
  reply,      // the department (答复): handling → replied (reply text required)
  supervise,  // supervisors (督办): overdue and not yet replied; state unchanged
  close,      // hotline (办结): replied → closed
  callback,   // hotline (回访): closed → called_back (result required)
  rate,       // appellant (评价, level 1–5): closed|called_back → rated
};

std::string_view to_string(Channel c);
std::string_view to_string(Type t);
std::string_view to_string(State s);
std::string_view to_string(Action a);  // API strings; send_back is "return"
std::optional<Channel> parse_channel(std::string_view s);
std::optional<Type> parse_type(std::string_view s);
std::optional<State> parse_state(std::string_view s);
std::optional<Action> parse_action(std::string_view s);
// "appeal.dispatched", "appeal.returned", "appeal.arbitrated", "appeal.received",
// "appeal.replied", "appeal.supervised", "appeal.closed", "appeal.called_back", "appeal.rated".
// Intake is "appeal.accepted", a merged repeat "appeal.merged", a low-confidence suggestion
// "appeal.classified", a limit edit "appeal.limit_changed".
std::string_view event_type(Action a);
int default_limit_days(Type t);

// ---- Pure helpers ------------------------------------------------------------------------------

// A matter the hotline must not take, and where it belongs instead.
struct Redirect {
  std::string rule;        // "emergency_110", "litigation", "petition", …
  std::string matched;     // the keyword found
  std::string channel_zh;  // "人民法院"
  std::string channel_en;
  std::string message_zh;  // full sentence naming the channel
  std::string message_en;
};
// The first rule (emergencies first) whose keyword occurs in `text`; nullopt when none does.
// The rules are a table of data in text.cpp.
std::optional<Redirect> find_redirect(std::string_view text);

// Lower-cased ASCII, full-width forms folded to ASCII, and everything but letters, digits and
// CJK ideographs dropped: what two submissions of the same matter still share.
std::string normalise(std::string_view text);
// Jaccard index of the sets of character bigrams (code points) of the normalised texts, in
// [0, 1]; a text of one character counts as its unigram. Two empty texts give 0.
double similarity(std::string_view a, std::string_view b);
using core::valid_utf8;

// ---- Domain types ------------------------------------------------------------------------------

struct Caller {  // a phone call: who called, as the operator took it down
  std::string name;
  std::string phone;  // required: the callback goes there; also the caller's rate-limit key
};

struct NewAppeal {
  Channel channel = Channel::web;
  Type type = Type::consult;
  std::string title;                // 1–200 characters
  std::string text;                 // 1–5,000 characters, UTF-8
  std::string location;             // ≤ 500 characters
  std::optional<double> lon, lat;   // both or neither (WGS 84)
  std::vector<std::string> photos;  // ≤ 9 sha256 of files uploaded via POST /api/v1/files
  bool anonymous = false;
  bool confidential = false;
  // The answered appeal may be shown on the public board, personal data removed (see board()).
  bool public_consent = false;
  std::optional<Caller> caller;  // phone channel only, and then required
  // A client's key for this submission (≤ 100 printable ASCII characters): a second submission
  // with a key the same identity already used is refused as a replay (conflict, nothing stored).
  std::string idempotency_key;
};

struct Appellant {
  std::string user_id;  // "" for a phone caller without an account
  std::string name;
  std::string phone;
  bool hidden = false;  // masked for this reader (confidential / anonymous)
};

// How good a reply is before it is published: relevance to the appeal, completeness (salutation,
// findings, action or legal basis, contact) and timeliness (replied within the limit).
struct QualityIssue {
  std::string code;  // "off_topic", "no_salutation", …, "late"
  std::string message_zh;
  std::string message_en;
};
struct ReplyQuality {
  double score = 0;  // 0..100, timeliness included
  double relevance = 0;
  bool late = false;
  bool weak = false;  // below kWeakReplyBelow: the department must confirm before it is sent
  std::vector<QualityIssue> issues;
};
inline constexpr double kWeakReplyBelow = 60;
inline constexpr double kLatePenalty = 20;  // score points off for a reply past the limit

struct ClockView {
  int limit_days = 0;
  int used_days = 0;
  int remaining_days = 0;
  std::optional<core::Date> deadline;
  bool stopped = false;  // replied: read at the reply
  core::Alert alert = core::Alert::none;
};

struct Appeal {
  std::string id;  // "AP" + yyyymmdd + 8 digits
  Channel channel = Channel::web;
  Type type = Type::consult;
  std::string title;
  std::string text;
  std::string location;
  std::optional<double> lon, lat;
  std::vector<std::string> photos;
  bool anonymous = false;
  bool confidential = false;
  bool public_consent = false;
  Appellant appellant;
  std::string entered_by;  // the operator of a phone appeal, else the appellant
  State state = State::accepted;
  std::string dept_id;          // handling department once dispatched
  std::string suggested_dept;   // the classifier's suggestion, if any
  std::string suggested_label;  // the class it predicted (城乡建设 …)
  std::optional<double> suggested_confidence;
  bool returned_once = false;
  std::string return_reason;
  std::string reply;
  std::optional<ReplyQuality> reply_check;  // the check the reply passed (or was confirmed over)
  std::string linked_ref;  // the city-management case (grid event) it became, if any
  std::string callback_result;
  std::optional<int> rating;
  int supervision_count = 0;
  int merged_count = 0;  // repeated submissions merged into this appeal
  core::Millis created_at_ms = 0;
  std::optional<core::Millis> dispatched_at_ms;
  std::optional<core::Millis> replied_at_ms;
  std::optional<core::Millis> closed_at_ms;
  core::Millis updated_at_ms = 0;
  ClockView clock;
  std::int64_t revision = 0;
};

struct Transition {
  std::int64_t seq = 0;
  std::string event;  // "appeal.dispatched"
  std::string from_state, to_state;
  std::string actor_user_id, actor_role, actor_dept_id;
  std::string reason;
  core::Millis at_ms = 0;
};

struct AppealDetail {
  Appeal appeal;
  std::vector<Transition> history;  // oldest first
};

struct SubmitResult {
  Appeal appeal;
  bool merged = false;    // a repeat merged into `appeal`, which already existed
  double similarity = 0;  // to the appeal merged into
};

struct ActionRequest {
  Action action = Action::dispatch;
  std::string dept_id;         // dispatch, arbitrate
  std::string reason;          // return, arbitrate (required); others optional
  std::string reply;           // reply (required)
  std::string result;          // callback (required)
  std::optional<int> level;    // rate (required, 1–5)
  std::string suggested_dept;  // dispatch: the classifier's suggestion, kept for retraining
  std::optional<double> confidence;
  std::optional<std::int64_t> expected_revision;  // conflict when the appeal changed
  bool confirm_weak = false;  // reply: send it even though the check finds it weak
};

struct Query {
  std::optional<State> state;
  std::optional<Type> type;
  std::string dept_id;  // "" any within scope
  int limit = 20;
  int offset = 0;
};

struct AppealList {
  std::vector<Appeal> appeals;  // newest first
  std::int64_t total = 0;
};

struct DeptRollup {
  std::string dept_id;
  std::int64_t open = 0;             // dispatched, returned or handling
  std::int64_t yellow = 0;           // of those, on yellow
  std::int64_t overdue = 0;          // of those, red
  std::int64_t replied = 0;          // replied at any time
  std::int64_t replied_on_time = 0;  // replied by the deadline
  std::optional<double> on_time_rate;
};

// The public board: answered appeals whose appellant consented, personal data removed by
// disclosure::public_text (the appellant's name wherever it occurs; a text the redaction holds
// waits for the answering department's publication review and reads privacy::kWithheld until
// an official publishes an edited text).
struct BoardEntry {
  std::string id;
  Type type = Type::consult;
  std::string title;
  std::string text;
  std::string dept_id;
  std::string reply;
  core::Millis created_at_ms = 0;
  core::Millis replied_at_ms = 0;
  bool on_time = false;
};
struct BoardDept {
  std::string dept_id;
  std::int64_t replied = 0;
  std::int64_t replied_on_time = 0;
  std::optional<double> on_time_rate;
};
struct Board {
  std::vector<BoardEntry> appeals;  // most recently replied first
  std::int64_t total = 0;
  std::vector<BoardDept> departments;  // every appeal replied, consented or not; best rate first
};

struct Limit {
  Type type = Type::consult;
  int days = 0;
};

// The working-day calendar to count on: the app wires the cases module's editable calendar;
// unset, the built-in 2026 table. Called outside any transaction.
using CalendarSource = std::function<Result<core::WorkingCalendar>()>;
// Checks, inside the intake transaction, that `sha256` is an image the submitter uploaded; the
// error's field is replaced by the photo's path. Unset, only the form of the reference is checked.
using PhotoCheck =
    std::function<Status(store::Tx& tx, std::string_view sha256, const identity::Principal& by)>;
// Relevance and completeness of `reply` to `appeal` (the app wires the AI module's check); the
// service adds timeliness. Unset, replies are not checked. Pure: called inside transactions.
using ReplyChecker =
    std::function<Result<ReplyQuality>(std::string_view appeal, std::string_view reply)>;

struct Options {
  // The hotline centre's department (app::Config::hotline_dept): its clerks and reviewers enter
  // calls, dispatch, arbitrate, close and call back; everyone in it reads every appeal.
  std::string hotline_dept_id;
  core::Millis merge_window_ms = 7 * core::kDayMs;
  double merge_threshold = 0.6;  // bigram Jaccard of title + text
  int rate_limit = 10;           // submissions per identity per window
  core::Millis rate_window_ms = 3600 * 1000;
  double auto_dispatch_confidence = 0.8;
  int yellow_days = 2;
  CalendarSource calendar;
  PhotoCheck photo_check;
  ReplyChecker reply_checker;
};

std::vector<store::Migration> migrations();

// The appellant's name and phone and the free text (title, text, location, reply, the callback's
// result) are sealed at rest (core/field_cipher.h, the store's data key); this seals those an
// older version stored in the clear, and replaces phone callers' unkeyed merge keys (the ledger's
// party kept). At start, before serving.
Result<std::int64_t> seal_at_rest(store::Store& store);
// Answers on the board from before the publication review: their texts the redaction cannot
// make safe are held for review, once (disclosure::backfill). At start, after sealing.
Result<std::int64_t> hold_public_texts(store::Store& store, const core::Clock& clock);

// The party a public ledger entry about appeal `id` commits to (the appellant's account or the
// caller's phone); nullopt for an unknown or anonymous appeal. No access check: for followers.
std::optional<std::string> party_of(store::Tx& tx, std::string_view id);
// An appeal as stored, unmasked and without its clock: for followers of the event stream.
std::optional<Appeal> find(store::Tx& tx, std::string_view id);

class Service {
 public:
  Service(store::Store& store, const core::Clock& clock, core::Random& random,
          identity::Service& identity, Options options = {});
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Citizens and businesses submit for themselves (web, mobile, api); hotline clerks and
  // reviewers enter calls (phone, with `caller`). A repeat of an open appeal of the same person
  // (similarity ≥ merge_threshold within merge_window_ms) merges into it (merged = true).
  // Errors: invalid_input naming the field ("/title", "/text", "/photos/0", "/caller/phone",
  // …), also for a matter the hotline must not take (field "/text", message naming the channel;
  // see find_redirect); forbidden for other officials or a wrong channel; rate_limited beyond
  // rate_limit submissions per identity within rate_window_ms. Nothing is stored on error.
  Result<SubmitResult> submit(const NewAppeal& a, const identity::Principal& by);
  // Whether `by` may see an appeal whose photos include `sha256` (read access to the file).
  bool may_see_photo(store::Tx& tx, std::string_view sha256, const identity::Principal& by);
  // The appeal filed earlier under `n.idempotency_key` by the same identity, if any (what a
  // replayed submission refers to).
  std::optional<std::string> filed_under(const NewAppeal& n, const identity::Principal& by);
  Result<AppealDetail> get(std::string_view id, const identity::Principal& by);
  Result<AppealList> list(const Query& q, const identity::Principal& by);
  // One step (see Action); not_found outside scope, forbidden for the wrong role or department,
  // conflict for a step the state does not allow (or a second return), invalid_input for missing
  // or bad fields ("/dept_id", "/reason", "/reply", "/result", "/level").
  Result<Appeal> act(std::string_view id, const ActionRequest& a, const identity::Principal& by);
  // The platform's own dispatch from a classifier: at or above auto_dispatch_confidence the
  // appeal is dispatched to `dept_id` by "system"; below it the suggestion is only recorded for
  // the human dispatcher ("appeal.classified"). conflict unless the appeal is accepted.
  // `label` is the predicted class, kept on the appeal for the dispatcher.
  Result<Appeal> auto_dispatch(std::string_view id, std::string_view dept_id, double confidence,
                               std::string_view label = {});
  // The same inside the caller's transaction (for event followers); the clock of the returned
  // appeal is not read (that needs the calendar, read outside any transaction).
  Result<Appeal> auto_dispatch(store::Tx& tx, std::string_view id, std::string_view dept_id,
                               double confidence, std::string_view label);
  // The department's preview of a reply (handling department, hotline staff, admins): the same
  // check `reply` applies, timeliness read now. invalid_input "/reply" for a bad text.
  Result<ReplyQuality> check_reply(std::string_view id, std::string_view reply,
                                   const identity::Principal& by);
  // Asked before a request's body is read (act and check_reply check again): whether `by` may
  // take any step on appeal `id` at all, or with `reply_check` preview a reply to it; not_found
  // outside their view, forbidden for one who only reads it.
  Status may_act(std::string_view id, const identity::Principal& by, bool reply_check = false);
  // Whether `by` may submit appeals at all: citizens and businesses online, the hotline centre's
  // operators for callers (forbidden for every other official).
  Status may_submit(const identity::Principal& by) const;
  // The 12345 ↔ 一网统管 link, inside the caller's transaction (event followers): `link`
  // records the case an appeal became ("appeal.linked"; conflict when already linked);
  // `answer_linked` answers it when that case is closed — the platform receives it if need be
  // and replies with `reply` ("appeal.replied", a government act for the ledger). conflict
  // unless the appeal is dispatched or handling.
  Status link(store::Tx& tx, std::string_view id, std::string_view ref);
  Status answer_linked(store::Tx& tx, std::string_view id, std::string_view reply);
  // Public: no sign-in needed. `dept_id` "" for all departments.
  Result<Board> board(int limit, int offset, std::string_view dept_id);

  Result<std::vector<Limit>> limits();
  // Admins only; 1–60 working days. Applies to appeals taken from now on.
  Result<Limit> set_limit(Type type, int days, const identity::Principal& by);
  // Per department: hotline staff, supervisors and admins see all (or `dept_id`), other
  // officials their own department; citizens are forbidden.
  Result<std::vector<DeptRollup>> rollup(const identity::Principal& by, std::string_view dept_id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What a classifier makes of an appeal's title and text.
struct Suggestion {
  std::string label;    // the predicted class
  std::string dept_id;  // "" when the class maps to no department
  double confidence = 0;
};
using Classify = std::function<Result<Suggestion>(std::string_view text)>;

// AI dispatch: follows intake ("appeal.accepted") and hands each new appeal to the classifier;
// a confident suggestion dispatches it (Service::auto_dispatch), a weak one is recorded for the
// dispatcher's queue. A classifier error (no model yet) leaves the appeal to the dispatcher and
// the stream moves on; so does an appeal a person dispatched first. Exactly once per appeal:
// the follower's position commits with the dispatch.
class AutoDispatcher {
 public:
  AutoDispatcher(Service& service, store::Store& store, Classify classify);
  ~AutoDispatcher();
  AutoDispatcher(const AutoDispatcher&) = delete;
  AutoDispatcher& operator=(const AutoDispatcher&) = delete;
  // Handles the events since the last call; returns how many events it read.
  Result<int> poll_once();

 private:
  std::unique_ptr<events::Follower> follower_;
};

// POST/GET /api/v1/appeals, GET /api/v1/appeals/{id}, POST /api/v1/appeals/{id}/actions,
// GET /api/v1/appeals/rollup, GET /api/v1/appeals/limits, PUT /api/v1/appeals/limits/{type},
// POST /api/v1/appeals/{id}/reply-check, GET /api/v1/appeals/board.
void register_routes(http::Router& router, Service& service, identity::Service& identity);

}  // namespace yiwang::appeals
