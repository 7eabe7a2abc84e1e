// Cases (办件) per GB/T 39046-2020 表5–8: filing, acceptance, multi-department review on a
// statutory working-day clock, decision, completion; electronic supervision (电子监察), ratings
// (好差评) with rectification, uploaded materials and the editable working-day calendar.
//
// Lifecycle (state names are the API strings):
//   submitted ─accept→ in_review ─(review steps: approve / disapprove)→ decide step ─grant→ granted
//        │                 │                                                      └─deny→ denied
//        ├─reject→ not_accepted           granted|denied ─complete→ completed (办结)
//        └─request_correction→ correction ─resubmit→ (back to submitted / in_review)
//   in_review ─suspend(hearing|expert_review|extension)→ suspended ─resume→ in_review
//   withdraw (by the applicant) from submitted, correction, in_review, suspended → withdrawn
// A 即办件 (case_type "1") is granted and completed in the same transaction as its acceptance.
// An item with 秒批 rules whose rules all hold is accepted and granted at filing, recording which
// rule set decided; otherwise it waits for manual acceptance.
//
// The statutory clock starts the day after acceptance, counts working days of the stored
// calendar (or natural days when the item says so) and stops while the case is in correction or
// suspended after acceptance. Readings are computed when read, never stored stale.
//
// Scope: applicants see their own cases; officials see the cases whose item belongs to their
// department or whose workflow has a step for it, and act only where their department and role
// match the current step; supervisors and admins see all. Everything else is not_found (for
// cases outside one's scope) or forbidden (visible, but not one's role or step). What of the
// personal data a reader sees is the Disclosure policy below (minimum necessary).
//
// Every state change appends an event (type "case.<action-past-tense>", see `event_type`) in the
// same transaction: actor, role, department, opinion, before and after. Thread-safe: all state is
// in the store; the SupervisionLoop runs sweeps on its own thread.
//
// Files: workflow.h/.cpp the state machine as a pure function (apply) · service.cpp construction
// and the clock readings · cases.cpp filing, reading, listing and acting (rows in, rows and
// events out) · supervision.cpp sweeps, alerts, roll-ups, the inbox · ratings.cpp 好差评 and
// rectifications · calendar.cpp the working-day calendar · cockpit.cpp the leaders' summary ·
// files.cpp uploaded materials · masking.cpp who sees which personal data (Disclosure) ·
// routes_*.cpp the HTTP routes (cases and files, oversight, cockpit) · internal.h what the files
// share.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/result.h"
#include "identity/identity.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}

namespace yiwang::cases {

// ---- Cases --------------------------------------------------------------------------------------

enum class State {
  submitted,
  correction,
  in_review,
  suspended,
  not_accepted,
  granted,
  denied,
  completed,
  withdrawn
};
std::string_view to_string(State s);
std::optional<State> parse_state(std::string_view s);
bool is_open(State s);  // submitted, correction, in_review, suspended, granted, denied

enum class Action {
  accept,              // clerk of the item's department: submitted → in_review
  reject,              // clerk: 不予受理, submitted → not_accepted (opinion required)
  request_correction,  // clerk (submitted) or the current step's role (in_review) → correction
  resubmit,            // applicant: correction → previous state, with new form / materials
  approve,             // current review step's dept+role; a joint step needs every department
  disapprove,          // current review step: recommends denial, goes straight to the decide step
  grant,               // decide step (approver): → granted
  deny,                // decide step (approver): → denied (opinion required)
  complete,            // clerk: granted|denied → completed (办结, result delivered)
  withdraw,            // applicant: → withdrawn
  suspend,  // current step's role: in_review → suspended (特别程序; `procedure` required)
  resume,   // the same department: suspended → in_review
};
std::string_view to_string(Action a);
std::optional<Action> parse_action(std::string_view s);
// "case.accepted", "case.not_accepted", "case.correction_requested", "case.resubmitted",
// "case.step_approved", "case.step_disapproved", "case.granted", "case.denied",
// "case.completed", "case.withdrawn", "case.suspended", "case.resumed". Filing is
// "case.submitted"; 秒批 adds "case.instantly_approved" after it.
std::string_view event_type(Action a);

// 特别程序: time spent in them does not count against the limit.
enum class Procedure { hearing, expert_review, extension, on_site_inspection };
std::string_view to_string(Procedure p);
std::optional<Procedure> parse_procedure(std::string_view s);

struct Applicant {
  std::string user_id;  // "" when a clerk filed for someone without an account
  std::string kind;     // "citizen" / "business"
  std::string name;
  std::string id_number;  // 公民身份号码 or 统一社会信用代码 (validated)
  std::string phone;
  std::string division_code;
};

struct MaterialRef {
  std::string name;            // the item's material name
  std::string sha256;          // an uploaded file (see put_file), lower-case hex
  std::string certificate_id;  // or an electronic certificate's identifier (免提交): exactly one
  // Set by the platform when certificate_id is given: the verification result the reviewing
  // official sees (JSON object text: signature, status, validity, holder checks, presentation).
  std::string verification_json;
};

struct NewCase {
  std::string item_code;
  std::string form_json = "{}";  // validated against the item version's form
  std::vector<MaterialRef> materials;
  // Window filing (窗口代办): a clerk names the applicant. Online filing leaves it empty and the
  // logged-in citizen or business is the applicant.
  std::optional<Applicant> applicant;
};

struct StepApproval {
  std::string dept_id;
  std::string user_id;
  std::string verdict;  // "approved" / "disapproved"
  std::string opinion;
  core::Millis at_ms = 0;
};

struct Step {
  int index = 0;
  std::string name;
  std::string kind;                   // "review" / "decide"
  std::vector<std::string> dept_ids;  // never empty (the item's department by default)
  std::string role;                   // identity::Role name
  std::string status;                 // "pending" / "active" / "done" / "skipped"
  std::vector<StepApproval> approvals;
};

struct ClockView {
  int limit_days = 0;
  bool natural_days = false;
  int used_days = 0;
  int remaining_days = 0;
  std::optional<core::Date> deadline;
  bool paused = false;
  core::Alert alert = core::Alert::none;
};

// How much personal data a case read for a request carries (minimum necessary, 等保 level 3).
// The service decides it per reader and reading (masking.cpp) and masks the copy it returns:
//   full        the applicant (their own cases, lists included); an official of a department the
//               case is routed to, in a handling role (clerk, reviewer, approver), or the clerk
//               who filed it, reading that one case;
//   masked      the same officials' lists: identity numbers masked (first 6 and last 4), phones
//               masked (first 3 and last 4; the applicant's left out), addresses cut to the
//               district, for the applicant and the form alike;
//   supervision supervisors (电子监察), admins and anyone else, in one case and in lists: what
//               supervision needs — case, item, department, state, clock, steps and timestamps —
//               with the applicant's name reduced to the surname and "*", numbers masked, only
//               the form's identifiers (masked), addresses (district) and enumerated or numeric
//               values, and of the materials their names, masked certificate identifiers and
//               the verification checks (no file hashes, no presentations).
// A value the policy withholds is empty here and absent from the API document.
enum class Disclosure { full, masked, supervision };
std::string_view to_string(Disclosure d);

struct Case {
  std::string id;  // "YW" + yyyymmdd + 8 random digits (申报号)
  std::string item_code;
  int item_version = 0;
  std::string item_name;
  std::string dept_id;    // the item's implementing department
  std::string case_type;  // A.6
  State state = State::submitted;
  Applicant applicant;
  std::string channel;   // "online" / "window"
  std::string filed_by;  // user id of who filed (the applicant or a clerk)
  std::string form_json;
  std::vector<MaterialRef> materials;
  std::vector<Step> steps;
  int current_step = -1;  // index into steps while in_review / suspended, else -1
  std::string decision;   // "granted" / "denied" / ""
  std::string decision_opinion;
  std::string instant_rule;            // 秒批: which rule set decided ("" when manual)
  std::optional<Procedure> procedure;  // while suspended
  core::Millis submitted_at_ms = 0;
  std::optional<core::Millis> accepted_at_ms;
  std::optional<core::Millis> decided_at_ms;
  std::optional<core::Millis> completed_at_ms;
  core::Millis updated_at_ms = 0;
  std::optional<ClockView> clock;  // from acceptance on
  // While the case awaits acceptance (submitted): the acceptance limit, kAcceptanceDays working
  // days from filing, on the same calendar. Absent in every other state.
  std::optional<ClockView> acceptance_clock;
  std::int64_t revision = 0;       // increases with every change
  // What this copy carries (see Disclosure). Service::get, list, file and act return copies
  // masked for their caller; find_case returns the stored case in full.
  Disclosure disclosure = Disclosure::full;
};

struct Transition {
  std::int64_t seq = 0;  // the event's seq
  std::string action;    // "submit", "accept", …
  std::string from_state;
  std::string to_state;
  std::string actor_user_id;
  std::string actor_role;
  std::string actor_dept_id;
  std::string opinion;
  core::Millis at_ms = 0;
};

struct ActionRequest {
  Action action = Action::accept;
  std::string opinion;                   // 意见; required for reject, deny, request_correction
  std::optional<std::string> form_json;  // resubmit only
  std::optional<std::vector<MaterialRef>> materials;  // resubmit only
  std::optional<Procedure> procedure;                 // suspend only
  std::optional<std::int64_t> expected_revision;      // optimistic check: conflict if changed
};

struct CaseQuery {
  std::optional<State> state;
  std::string dept_id;  // "" any (within scope)
  std::string item_code;
  bool mine = false;  // applicant: own cases (always); official: steps waiting on me
  std::optional<core::Alert> alert;
  int limit = 20;
  int offset = 0;
};

struct CaseList {
  std::vector<Case> cases;  // newest first
  std::int64_t total = 0;
};

// ---- Files (uploaded materials) ---------------------------------------------------------------

struct FileRef {
  std::string sha256;
  std::int64_t size = 0;
  std::string content_type;  // application/pdf, image/jpeg, image/png, application/ofd
  std::string uploaded_by;
  core::Millis uploaded_at_ms = 0;
};

struct FileContent {
  FileRef ref;
  std::string bytes;
};

// ---- Supervision (电子监察) ---------------------------------------------------------------------

// 行政许可法 第三十二条: an application is accepted or refused within 5 working days of filing (after
// that it counts as accepted); supervision watches this step like the decision.
inline constexpr int kAcceptanceDays = 5;

struct AlertRow {
  std::string case_id;
  std::string item_name;
  std::string dept_id;
  std::string clock = "decision";  // "acceptance": awaiting acceptance; "decision": accepted
  core::Alert level = core::Alert::none;
  int remaining_days = 0;
  std::optional<core::Date> deadline;
  core::Millis raised_at_ms = 0;
};

// 按时办结率, one definition for the cockpit, supervision and every later report: of the cases
// whose statutory clock ended within the window (completed there) or has run out while they are
// still open (red at the last sweep), the share decided within their limit:
//   on_time / (completed + red); nullopt when nothing is counted.
// A red case counts against the rate while it is open, so a department with red cards is never at
// 100 %. "On time" is the clock read at the decision with the current calendar and the case's
// pauses; cases decided at filing or acceptance (秒批, 即办件) are on time.
std::optional<double> on_time_rate(std::int64_t on_time, std::int64_t completed, std::int64_t red);

struct DeptRollup {
  std::string dept_id;
  std::string dept_name;
  std::int64_t open = 0;  // accepted, not decided
  std::int64_t yellow = 0;
  std::int64_t red = 0;   // open and red at the last sweep
  // The window is the cockpit's 30 days: the last 30 civil days in UTC+8, today included.
  std::int64_t completed_30d = 0;          // completed within the window
  std::int64_t completed_on_time_30d = 0;  // of those, decided within the limit
  std::optional<double> on_time_rate;      // on_time_rate(completed_on_time_30d, completed_30d, red)
};

struct AlertReport {
  std::vector<AlertRow> alerts;  // red first, then by remaining days
  std::vector<DeptRollup> departments;
  core::Millis swept_at_ms = 0;  // last sweep
};

// 免提交 per item: how many filed materials were satisfied by an electronic certificate.
struct CertificateReuse {
  std::string item_code;
  std::string item_name;
  std::int64_t cases = 0;
  std::int64_t materials = 0;       // materials filed
  std::int64_t by_certificate = 0;  // of those, satisfied by a certificate
};

struct SweepReport {
  int scanned = 0;
  int raised_yellow = 0;  // newly raised (a level is raised once per case)
  int raised_red = 0;
  int cleared = 0;
};

struct InboxMessage {
  std::string id;
  std::string kind;  // "alert.yellow", "alert.red", "rectification", "case.accepted", …
  std::string title;
  std::string body;
  std::string subject_type;
  std::string subject_id;
  core::Millis created_at_ms = 0;
  bool read = false;
  std::string title_en = {};  // "" when the message exists in Chinese only
  std::string body_en = {};
};

// ---- Ratings (好差评)
// ----------------------------------------------------------------------------

struct NewRating {
  int level = 5;                        // 5 非常满意 … 1 非常不满意
  std::vector<std::string> indicators;  // e.g. "办事效率", "服务态度"; ≤ 10, each ≤ 30 chars
  std::string comment;                  // ≤ 500 chars
};

struct Rating {
  std::string case_id;
  int level = 0;
  std::string label;  // 非常满意 / 满意 / 基本满意 / 不满意 / 非常不满意
  std::vector<std::string> indicators;
  std::string comment;
  std::string rated_by;
  core::Millis rated_at_ms = 0;
  std::string rectification_id;  // set when the rating opened one
};
std::string_view rating_label(int level);

struct RatingGroup {
  std::string key;  // item code or dept id
  std::string name;
  std::int64_t count = 0;
  double average = 0;
  std::int64_t bad = 0;     // 不满意 + 非常不满意
  double satisfaction = 0;  // share of ratings ≥ 4
};

struct Rectification {
  std::string id;
  std::string case_id;
  std::string dept_id;
  std::string status;  // "open" / "closed"
  core::Millis opened_at_ms = 0;
  core::Date due;    // 15 working days after opening
  std::string note;  // closing note (回访 / 整改结果)
  std::optional<core::Millis> closed_at_ms;
  std::string closed_by;
};

// ---- Leadership cockpit (领导驾驶舱)
// -------------------------------------------------------------

// One department's line on the cockpit: counts over all its cases, rates over the window.
struct CockpitDept {
  std::string dept_id;
  std::string dept_name;
  std::int64_t total = 0;
  std::int64_t open = 0;  // is_open states
  std::int64_t completed = 0;
  std::int64_t overdue = 0;                // open and red at the last sweep
  std::int64_t period_completed = 0;       // completed within the window
  std::int64_t period_on_time = 0;         // of those, decided within the case's limit
  std::optional<double> on_time_rate;      // on_time_rate(period_on_time, period_completed, overdue)
  std::optional<double> avg_working_days;  // used at decision, over period_completed
  std::optional<double> promised_days;     // the cases' limits (承诺, else 法定), same cases
  std::optional<double> satisfaction;      // share of ratings ≥ 4 (all time)
};

struct CockpitOverdue {
  std::string clock = "decision";  // as AlertRow
  std::string case_id;
  std::string item_name;
  std::string dept_id;
  std::string dept_name;
  int days_over = 0;          // days past the deadline, in the case's unit
  bool natural_days = false;  // the limit counts natural days, not working days
  std::optional<core::Date> deadline;
};

struct CockpitDay {
  core::Date date;  // UTC+8
  std::int64_t filed = 0;
  std::int64_t completed = 0;
};

// Counts are over every case; on-time and working-day figures over the cases completed within
// the window (the last `days` days in UTC+8, today included), read on the statutory clock at the
// decision like DeptRollup; red and yellow are the last sweep's readings (case_alerts) of open
// cases. The on-time rate is on_time_rate() above, red cases included: with days = 30 each
// department's figures equal its supervision roll-up's.
struct CockpitSummary {
  core::Millis generated_at_ms = 0;
  core::Millis swept_at_ms = 0;  // 0: no sweep yet
  int days = 30;
  core::Date period_from;
  core::Date period_to;
  std::int64_t cases = 0;
  std::int64_t open = 0;
  std::int64_t completed = 0;
  std::int64_t red = 0;
  std::int64_t yellow = 0;
  std::vector<std::pair<State, std::int64_t>> by_state;  // every state, in enum order
  std::vector<CockpitDept> departments;                  // departments with cases, most cases first
  std::int64_t online = 0;                               // channel "online": filed by the applicant
  std::int64_t window = 0;                               // channel "window": filed by a clerk
  std::optional<double> online_rate;                     // online / cases
  std::int64_t period_completed = 0;
  std::int64_t period_on_time = 0;
  std::optional<double> on_time_rate;
  double on_time_goal = 0.95;
  std::optional<double> avg_working_days;
  std::optional<double> avg_promised_days;
  std::int64_t rating_count = 0;
  std::optional<double> rating_average;  // 1–5
  std::optional<double> good_rate;       // share of ratings ≥ 4
  std::vector<CockpitOverdue> overdue;   // most overdue first, at most 20
  std::vector<CockpitDay> trend;         // `days` entries, oldest first
};

// ---- Service ------------------------------------------------------------------------------------

// 免提交: checks that the applicant's certificate `identifier` satisfies a material of
// `certificate_type` for case `c` (its id, department and applicant are set) and returns the
// verification to keep with the case (JSON object text), inside the filing transaction, where the
// use is recorded too. The app wires it to the certificates module; unset, certificate materials
// are refused.
using CertificateCheck = std::function<Result<std::string>(
    store::Tx& tx, std::string_view identifier, std::string_view certificate_type, const Case& c)>;

// Whether `by` may read the uploaded file `sha256` through another module's record naming it (an
// appeal's or a grid event's photo), inside the read transaction. The app wires the modules.
using FileAccess =
    std::function<bool(store::Tx& tx, std::string_view sha256, const identity::Principal& by)>;

struct Options {
  CertificateCheck certificate_check;
  FileAccess file_access;
  std::string files_dir = "var/files";
  std::int64_t max_file_bytes = 10LL * 1024 * 1024;
  // Upload quotas of citizens and businesses (officials scanning at a window have none): per
  // account per Beijing day, per client address per day, and per account per minute.
  int max_uploads_per_day = 200;
  std::int64_t max_upload_bytes_per_day = 500LL * 1024 * 1024;
  int max_uploads_per_address_day = 1000;
  std::int64_t max_upload_bytes_per_address_day = 2LL * 1024 * 1024 * 1024;
  int max_uploads_per_minute = 30;
  int yellow_days = 2;
  int rectification_days = 15;
};

std::vector<store::Migration> migrations();

// Reads a case inside the caller's transaction with no access check: for followers of the event
// stream (ledger commitments, certificate issuance) that act as the platform, never for requests.
std::optional<Case> find_case(store::Tx& tx, std::string_view id);
// Puts `m` in each user's inbox inside the caller's transaction (id and time assigned here): for
// other modules' notices (a certificate used), wired in src/app.
void post_to_inbox(store::Tx& tx, core::Random& random, core::Millis now,
                   const std::vector<std::string>& user_ids, const InboxMessage& m);
// Those of `user_ids` with no unread message of `kind`: a notice that stands for a backlog
// ("texts wait for review") is posted once until read, not once per item.
std::vector<std::string> without_unread(store::Tx& tx, const std::vector<std::string>& user_ids,
                                        std::string_view kind);
// Links the cases a window clerk filed for this person (no account then) to their account, once
// the account's id number is verified: they then appear under "my cases". One case.applicant_linked
// event per case. For identity's verification listener (wired in src/app).
Status link_window_cases(store::Tx& tx, const core::Clock& clock,
                         const identity::Principal& verified);
// The applicant's name, id number and phone and the form are sealed at rest (core/field_cipher.h, the store's data
// key); this seals those an older version stored in the clear. At start, before serving; returns
// how many it sealed.
Result<std::int64_t> seal_at_rest(store::Store& store);
// OK when `user_id` uploaded the file `sha256` and it is a JPEG or PNG image (photos attached to
// other records, e.g. appeals); invalid_input otherwise. No access check: for other modules.
Status check_uploaded_image(store::Tx& tx, std::string_view sha256, std::string_view user_id);

class Service {
 public:
  Service(store::Store& store, const core::Clock& clock, core::Random& random,
          catalog::Service& catalog, identity::Service& identity, Options options = {});
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Files a case under the item's current version. Citizens and businesses file for themselves;
  // clerks file for `c.applicant` (window channel). invalid_input names "/item_code",
  // "/form/<field>", "/materials/<i>/sha256", "/applicant/id_number"; not_found for an unknown or
  // inactive item. Runs 秒批 when the item has rules.
  // The returned case, like those of get, list and act, is masked for `by` (see Disclosure).
  Result<Case> file(const NewCase& c, const identity::Principal& by);
  Result<Case> get(std::string_view id, const identity::Principal& by);
  Result<CaseList> list(const CaseQuery& q, const identity::Principal& by);
  // conflict for an illegal transition (state unchanged), forbidden for the wrong role or step.
  Result<Case> act(std::string_view id, const ActionRequest& a, const identity::Principal& by);
  // Whether `by` may take any action on case `id` at all (not_found outside their view,
  // forbidden for one who sees it but never acts on it: a supervisor, an administrator), asked
  // before the action is read; act checks the action itself.
  Status may_act(std::string_view id, const identity::Principal& by);
  // Whether `by` may file cases at all: citizens and businesses for themselves, window clerks
  // for applicants (forbidden for every other official).
  static Status may_file(const identity::Principal& by);
  // In a supervision reading (see Disclosure) the applicant's own acts carry no user id.
  Result<std::vector<Transition>> history(std::string_view id, const identity::Principal& by);

  // Content-addressed upload; the same bytes give the same sha256 (stored once). The type is
  // checked against the leading bytes (magic numbers), never trusted from the header alone.
  // Citizens and businesses have quotas (Options): new files and bytes per day per account and
  // per client address, and a burst limit per minute; over one: rate_limited with Retry-After.
  Result<FileRef> put_file(std::string_view content_type, std::string_view bytes,
                           const identity::Principal& by, std::string_view remote_address = "");
  // The uploader, and those who may see a case naming the file with the file's content (the
  // applicant, officials handling it: not a supervision reading), may download it.
  Result<FileContent> get_file(std::string_view sha256, const identity::Principal& by);

  // The working-day calendar: built-in 2026 table overlaid with the stored edits.
  Result<core::WorkingCalendar> calendar();
  Status set_calendar_day(core::Date day, core::DayKind kind, std::string note,
                          const identity::Principal& by);                    // admin
  Status clear_calendar_day(core::Date day, const identity::Principal& by);  // admin

  // One supervision pass at the clock's now: raises yellow/red alerts once per case and level,
  // clears alerts of cases no longer open, and puts a message in the inbox of every supervisor
  // and of the handling department's officials. Events "case.alert_raised".
  Result<SweepReport> sweep();
  // The same pass started early by a person: supervisors and admins only (forbidden). The pass
  // is still a system act; its events name the system.
  Result<SweepReport> sweep(const identity::Principal& by);
  Result<AlertReport> alerts(
      const identity::Principal& by,
      std::string_view dept_id);  // supervisors, admins; approvers for their dept
  // Per item, the share of materials satisfied by certificates; scoped like alerts().
  Result<std::vector<CertificateReuse>> certificate_reuse(const identity::Principal& by,
                                                          std::string_view dept_id);
  Result<std::vector<InboxMessage>> inbox(const identity::Principal& by, bool unread_only,
                                          int limit, int offset);
  Status mark_read(std::string_view message_id, const identity::Principal& by);

  // The applicant rates a completed case once. Levels 1–2 open a rectification task for the
  // department, due in `rectification_days` working days (event "rectification.opened").
  Result<Rating> rate(std::string_view case_id, const NewRating& r, const identity::Principal& by);
  // Whether `by` is the applicant of case `id` (not_found outside their view, forbidden for those
  // who see it), asked before the rating is read; rate checks again, and the state too.
  Status may_rate(std::string_view case_id, const identity::Principal& by);
  // group_by "item" or "dept"; officials see their department, supervisors and admins all.
  Result<std::vector<RatingGroup>> rating_summary(std::string_view group_by,
                                                  const identity::Principal& by);
  Result<std::vector<Rectification>> rectifications(std::string_view status,
                                                    const identity::Principal& by);
  Result<Rectification> close_rectification(std::string_view id, std::string note,
                                            const identity::Principal& by);
  // Whether `by` may close rectification `id` (not_found, forbidden), asked before the note is
  // read; close_rectification checks again.
  Status may_close_rectification(std::string_view id, const identity::Principal& by);

  // How many cases each item has had (item code → count, all states): the catalog's search
  // ranks equally relevant items by it. No personal data; for the app's wiring only.
  Result<std::map<std::string, std::int64_t>> applications_per_item();

  // The leadership cockpit for supervisors and admins (others: forbidden); `days` in 7–90.
  Result<CockpitSummary> cockpit(const identity::Principal& by, int days = 30);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs Service::sweep every `period` on its own thread until destroyed.
class SupervisionLoop {
 public:
  SupervisionLoop(Service& service, std::chrono::seconds period);
  ~SupervisionLoop();
  SupervisionLoop(const SupervisionLoop&) = delete;
  SupervisionLoop& operator=(const SupervisionLoop&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// POST/GET /api/v1/cases, GET /api/v1/cases/{id}, POST /api/v1/cases/{id}/actions,
// GET /api/v1/cases/{id}/history, POST /api/v1/cases/{id}/rating, POST /api/v1/files,
// GET /api/v1/files/{sha256}, GET /api/v1/supervision/alerts, POST /api/v1/supervision/sweep,
// GET /api/v1/supervision/certificate-reuse,
// GET /api/v1/inbox, POST /api/v1/inbox/{id}/read, GET /api/v1/calendar,
// PUT|DELETE /api/v1/calendar/{date}, GET /api/v1/ratings/summary, GET /api/v1/rectifications,
// POST /api/v1/rectifications/{id}/close, GET /api/v1/cockpit/summary.
void register_routes(http::Router& router, Service& service, identity::Service& identity);

}  // namespace yiwang::cases
