// Grid city management (一网统管, GB/T 30428): unit grid cells (单元网格) with their supervisors,
// the component inventory (部件), the event/component classification table, and the seven-step
// closed loop on grid events with working-hours clocks, alerts and indicators.
//
// Geography. Cells are polygons imported from GeoJSON (WGS 84 lon/lat), coded 6 division + 3
// street + 3 community + 3 grid. A point belongs to the cell whose polygon covers it (interior or
// boundary); a point on a shared edge belongs to the covering cell with the smallest code, so the
// answer is deterministic. Geometry runs on GEOS (C API, reentrant `_r` functions, an STRtree of
// prepared polygons) behind `CellIndex`; this header does not expose GEOS.
//
// The loop (state names are the API strings):
//   reported ─accept→ accepted ─register→ registered ─dispatch→ dispatched ─feedback→ checking
//      │                 │                     ▲                    │  ▲                  │
//      └──reject──→ rejected ◄──reject─┘       └────send_back───────┘  └──check(failed)───┤
//                                                                           (返工, counted)   │
//   checking ─check(passed)→ checked ─close→ closed (结案) ─evaluate→ closed (综合评价, once)
// 信息采集 is `report` (state reported). 立案 is two actions: the 受理员 checks (accept / reject),
// the 值班长 approves (register / reject). 派遣 goes to a professional department, with a
// suggestion (the class's default department, or the owner of the nearest component of that class).
// 处置 ends with the department's 反馈 (feedback), which hands the case to the cell's supervisors
// for 核查; a failed check sends it back to the same department as 返工. A wrongly dispatched case
// is sent back by the department (send_back) to be dispatched again; that dispatch counts as
// inaccurate.
//
// Who acts (identity roles of the grid centre, Options::center_dept_id, default "grid"):
//   受理员 = clerk: accept, reject (from reported); 派遣员 = reviewer: dispatch;
//   值班长 = approver: register, reject (from accepted), close, evaluate;
//   监督员 = any official listed (by username) among the cell's supervisors: check;
//   专业部门 = clerks, reviewers and approvers of the dispatched department: feedback, send_back.
// Reporting: citizens and businesses report as "public"; officials as "supervisor" (listed on some
// cell, or grid-centre staff), "higher_level" (any official) or "hotline_12345" (the hotline
// department); "sensor" and system referrals come through `report` with by == nullptr.
// Admins and grid-centre approvers import cells, edit components and classes.
// A step by someone else is forbidden, a step the state does not allow is a conflict; neither
// changes anything. Officials read every grid event; citizens and businesses only their own.
//
// Clock. Each step is timed in working minutes: working days of the calendar (core/calendar.h)
// × the windows 08:30–12:00 and 13:30–17:30 China time (450 minutes a day; see WorkingHours).
// Limits come from the case's class per step (register, dispatch, dispose, check, close) and are
// snapshotted when the step starts. A step is red when its used time exceeds its limit and yellow
// from Options::yellow_ratio of it (default 0.8); readings are computed when read.
//
// Events. Every change appends an event in the same transaction: "grid.reported",
// "grid.accepted", "grid.rejected", "grid.registered", "grid.dispatched", "grid.sent_back",
// "grid.fed_back", "grid.checked", "grid.reworked", "grid.case_closed", "grid.evaluated", and
// "grid.cells_imported", "grid.component_saved", "grid.class_saved". before/after carry codes and
// states only.
//
// Thread-safe: state is in the store; the in-memory cell index is rebuilt when the stored cell
// set changes (also by another process) and guarded by a mutex. The Service owns nothing but that
// index; the store, clock, randomness and identity service it is given must outlive it.
//
// Files, by concern:
//   grid.h          this contract
//   workflow.h/.cpp the loop as a pure function: apply(record, action, principal, now)
//   internal.h      Service::Impl and the helpers the service's files share
//   service.cpp     enum names, migrations, construction, shared input checks and roles
//   geo.cpp         GeoJSON parsing, the GEOS point-in-polygon index, distances, working hours
//   cells.cpp       cell import, reading and locating
//   components.cpp  the component inventory and the nearest component
//   classes.cpp     the classification table
//   events.cpp      reporting, reading and acting on events: rows in, apply(), rows out
//   indicators.cpp  assessment indicators
//   routes.cpp      the HTTP routes (through identity::Routes)
//   demo.cpp        the demo district and its history
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
#include "identity/identity.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}

namespace yiwang::grid {

// ---- Codes and geometry -------------------------------------------------------------------------

bool valid_cell_code(std::string_view code);  // 15 digits
bool valid_component_code(
    std::string_view code);  // 16 digits: division 6, major 2, minor 2, serial 6

struct Point {
  double lon = 0;
  double lat = 0;
};

// Great-circle distance in metres (spherical earth, R = 6,371,008.8 m).
double distance_m(Point a, Point b);

struct Cell {
  std::string code;  // 15 digits
  std::string name;
  std::string division_code;  // code[0..6)
  std::string street_code;    // code[0..9)
  std::string street_name;
  std::string community_code;  // code[0..12)
  std::string community_name;
  std::vector<std::string> supervisors;  // usernames of 监督员
  std::string geometry_json;             // the GeoJSON geometry (Polygon / MultiPolygon), compact
  double min_lon = 0, min_lat = 0, max_lon = 0, max_lat = 0;
};

// Where a point lies: the cell and the community and street it belongs to.
struct Location {
  std::string cell_code;
  std::string cell_name;
  std::string community_code;
  std::string community_name;
  std::string street_code;
  std::string street_name;
  std::string division_code;
};

// Parses a GeoJSON FeatureCollection of cells strictly (see Service::import_cells). Pure: no
// store, no identity. Errors name the JSON pointer of the offending member
// ("/features/3/properties/code", "/features/0/geometry/coordinates/0").
Result<std::vector<Cell>> parse_cells_geojson(std::string_view geojson);

// An immutable point-in-polygon index over cells (GEOS STRtree of prepared geometries).
// Thread-safe after construction (lookups are serialised inside).
class CellIndex {
 public:
  // Errors: invalid_input when a geometry cannot be read or is invalid (field "/<index>").
  static Result<std::unique_ptr<CellIndex>> build(const std::vector<Cell>& cells);
  ~CellIndex();
  CellIndex(const CellIndex&) = delete;
  CellIndex& operator=(const CellIndex&) = delete;

  // Index into the cells given to build() of the covering cell (smallest code on a shared
  // boundary); nullopt outside every cell.
  std::optional<std::size_t> locate(Point p) const;
  std::size_t size() const;

 private:
  struct Impl;
  explicit CellIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- Working-hours clock ------------------------------------------------------------------------

// Daily windows in minutes after 00:00 China time, sorted and disjoint.
struct WorkingHours {
  std::vector<std::pair<int, int>> windows = {{8 * 60 + 30, 12 * 60}, {13 * 60 + 30, 17 * 60 + 30}};
};

// Working milliseconds in [from, to) on working days of `calendar`; 0 when to <= from.
std::int64_t working_ms_between(const core::WorkingCalendar& calendar, core::Millis from,
                                core::Millis to, const WorkingHours& hours = {});
// The instant at which `working_ms` working milliseconds after `from` have passed.
core::Millis add_working_ms(const core::WorkingCalendar& calendar, core::Millis from,
                            std::int64_t working_ms, const WorkingHours& hours = {});

// ---- Classification ----------------------------------------------------------------------------

enum class ClassKind { event, component };
std::string_view to_string(ClassKind k);
std::optional<ClassKind> parse_class_kind(std::string_view s);

// The timed steps of the loop.
enum class Step { register_, dispatch, dispose, check, close };
std::string_view to_string(Step s);  // "register", "dispatch", "dispose", "check", "close"
std::optional<Step> parse_step(std::string_view s);

struct Limits {  // working minutes per step, each 1..100,000
  int register_ = 60;
  int dispatch = 30;
  int dispose = 450;
  int check = 120;
  int close = 60;
  int of(Step s) const;
  int total_after_register() const { return dispatch + dispose + check + close; }
};

struct Class {
  ClassKind kind = ClassKind::event;
  std::string code;  // 4 digits: major + minor
  std::string major_name;
  std::string minor_name;
  std::string dept_id;  // default handling department
  Limits limits;
};

// The built-in table (data/grid/classes.tsv).
std::vector<Class> default_classes();

// ---- Components --------------------------------------------------------------------------------

struct Component {
  std::string code;        // 16 digits
  std::string class_code;  // code[6..10): component class major + minor
  std::string type;        // free name ("雨水井盖")
  std::string dept_id;     // owner department
  Point location;
  std::string state = "normal";  // normal / damaged / missing / removed
  std::string cell_code;         // set from the location ("" outside every cell)
  core::Millis updated_at_ms = 0;
};

struct NearestComponent {
  Component component;
  double distance_m = 0;
};

// ---- Events and the loop -----------------------------------------------------------------------

enum class Source { supervisor, public_, sensor, hotline_12345, higher_level };
std::string_view to_string(Source s);  // "public" for public_
std::optional<Source> parse_source(std::string_view s);

enum class State {
  reported,
  accepted,
  rejected,
  registered,
  dispatched,
  checking,
  checked,
  closed
};
std::string_view to_string(State s);
std::optional<State> parse_state(std::string_view s);
bool is_open(State s);  // not rejected, not closed

enum class Action {
  accept,
  reject,
  register_,
  dispatch,
  send_back,
  feedback,
  check,
  close,
  evaluate
};
std::string_view to_string(Action a);  // "register" for register_
std::optional<Action> parse_action(std::string_view s);
// "grid.accepted", "grid.rejected", "grid.registered", "grid.dispatched", "grid.sent_back",
// "grid.fed_back", "grid.checked" (a failed check is "grid.reworked"), "grid.case_closed",
// "grid.evaluated".
std::string_view event_type(Action a);

struct NewReport {
  Source source = Source::public_;
  ClassKind kind = ClassKind::event;
  std::string class_code;           // 4 digits, must exist for `kind`
  std::string description;          // 1–2,000 characters
  std::vector<std::string> photos;  // ≤ 9 sha256 (64 lower-case hex) of uploaded files
  Point location;
  std::string external_ref;  // sensor id, appeal id, higher-level document number (≤ 64)
};

struct StepClock {
  Step step = Step::register_;
  core::Millis started_at_ms = 0;
  int limit_min = 0;
  int used_min = 0;       // working minutes so far (or until the step ended)
  int remaining_min = 0;  // limit - used (negative when overdue)
  core::Millis deadline_ms = 0;
  core::Alert alert = core::Alert::none;
};

struct StepRecord {
  Step step = Step::register_;
  std::string dept_id;  // the grid centre, or the handling department for dispose
  core::Millis started_at_ms = 0;
  std::optional<core::Millis> ended_at_ms;
  int limit_min = 0;
  int used_min = 0;           // final once ended
  std::string outcome;        // "" while open; "done", "rejected", "sent_back", "rework"
  std::string actor_user_id;  // who ended it
};

struct GridEvent {
  std::string id;  // "GE" + yyyymmdd + 8 digits
  Source source = Source::public_;
  std::string reporter_user_id;  // "" for the system; hidden ("") from other citizens
  std::string external_ref;
  ClassKind kind = ClassKind::event;
  std::string class_code;
  std::string class_name;  // "市容环境/暴露垃圾"
  std::string description;
  std::vector<std::string> photos;
  Point location;
  Location where;
  std::string component_code;  // the nearest component of the class, if any within range
  State state = State::reported;
  std::string dept_id;           // handling department once dispatched
  std::string suggested_dept;    // the automatic dispatch suggestion
  std::string suggestion_basis;  // "class" / "component"
  std::string feedback;          // the department's 处置反馈
  std::string reason;            // last opinion (rejection, send back, failed check, …)
  int rework_count = 0;
  int send_back_count = 0;
  std::optional<int> evaluation;  // 综合评价 1–5
  core::Millis reported_at_ms = 0;
  std::optional<core::Millis> registered_at_ms;
  std::optional<core::Millis> dispatched_at_ms;  // latest dispatch
  std::optional<core::Millis> fed_back_at_ms;
  std::optional<core::Millis> closed_at_ms;
  std::optional<StepClock> clock;  // the open step, while open
  // 按期结案: working minutes from 立案 to 结案 within the sum of the later steps' limits.
  std::optional<bool> closed_on_time;
  core::Millis updated_at_ms = 0;
  std::int64_t revision = 0;
};

struct GridEventDetail {
  GridEvent event;
  std::vector<StepRecord> steps;  // oldest first
};

struct ActionRequest {
  Action action = Action::accept;
  std::string reason;               // reject, send_back, failed check: required
  std::string dept_id;              // dispatch ("" = the suggestion)
  std::string feedback;             // feedback: required
  std::vector<std::string> photos;  // feedback / check: evidence photos (sha256)
  std::optional<bool> passed;       // check: required
  std::optional<int> level;         // evaluate: 1–5
  std::string class_code;           // accept: the 受理员 may correct the class (same kind)
  std::optional<std::int64_t> expected_revision;  // conflict when the event changed
};

struct EventQuery {
  std::optional<State> state;
  std::string cell_code, street_code, dept_id, class_code;
  std::optional<core::Alert> alert;  // open steps at this level
  std::optional<Source> source;
  core::Millis from_ms = 0;  // reported in [from, to); 0: unbounded
  core::Millis to_ms = 0;
  int limit = 20;
  int offset = 0;
};

struct EventList {
  std::vector<GridEvent> events;  // newest first
  std::int64_t total = 0;
};

// ---- Indicators --------------------------------------------------------------------------------

enum class GroupBy { dept, street, cell };
std::optional<GroupBy> parse_group_by(std::string_view s);

struct IndicatorQuery {
  GroupBy by = GroupBy::dept;
  core::Millis from_ms = 0;  // events reported in [from, to)
  core::Millis to_ms = 0;
};

// Figures of events reported in the period. Each rate's numerator and denominator are counted
// in the same group, so that a row's rate is its own figures' ratio and the total's counts are
// the sums of the rows'. Event-level figures (reported, registered, closed, rework) go to the
// event's group (for departments: the handling department, the grid centre when never
// dispatched); step-level figures (register, dispatch, disposal, overdue steps) to the group of
// the step (for departments: the step's department, so registration counts for the centre that
// registers, and a department that registers nothing has no 按时立案率, not 0 %).
struct Indicators {
  std::string key;   // dept id, street code or cell code
  std::string name;  // street or cell name; dept id for departments
  std::int64_t reported = 0;
  std::int64_t registered = 0;          // events registered (立案), the close rate's denominator
  std::int64_t steps = 0;               // steps of the group (any outcome, open ones too)
  std::int64_t register_steps = 0;      // register steps ended by registration
  std::int64_t registered_on_time = 0;  // of those, within their limit
  std::int64_t dispatches = 0;          // dispose steps started (one per dispatch)
  std::int64_t sent_back = 0;
  std::int64_t disposed = 0;  // dispose steps ended by feedback
  std::int64_t disposed_on_time = 0;
  std::int64_t closed = 0;
  std::int64_t closed_on_time = 0;
  std::int64_t rework = 0;           // failed checks
  std::int64_t overdue = 0;          // of `steps`, over their limit (ended late, or open and red)
  std::int64_t dispose_minutes = 0;  // sum of working minutes of disposed steps
  // Rates in [0, 1]; nullopt when the denominator is 0.
  std::optional<double> on_time_register_rate;  // 按时立案率 = registered_on_time / register_steps
  std::optional<double> accurate_dispatch_rate;  // 准确派遣率 = 1 - sent_back / dispatches
  std::optional<double> on_time_dispose_rate;    // 按期处置率 = disposed_on_time / disposed
  std::optional<double> close_rate;              // 结案率 = closed / registered
  std::optional<double> on_time_close_rate;      // 按期结案率 = closed_on_time / closed
  std::optional<double> avg_dispose_minutes;     // 平均处置时长 (working minutes)
  bool meets_goal = false;                       // on_time_close_rate ≥ goal
  int rank = 0;  // 1 = best: on_time_close_rate, close_rate, fewer overdue, key
};

struct IndicatorReport {
  double goal = 0.95;
  std::vector<Indicators> rows;  // by rank
  Indicators total;              // key "", all events of the period
  core::Millis computed_at_ms = 0;  // figures are computed off the request path, ≤ 60 s old
};

// ---- Service -----------------------------------------------------------------------------------

using CalendarSource = std::function<Result<core::WorkingCalendar>()>;
// Checks, inside the transaction, that `sha256` is an image `by` uploaded (the app wires the
// cases module's file store, which also refuses oversize files at upload). Unset, only the form
// of the reference is checked. Not called for the platform's own reports (sensors, 12345).
using PhotoCheck =
    std::function<Status(store::Tx& tx, std::string_view sha256, const identity::Principal& by)>;

struct Options {
  std::string center_dept_id = "grid";  // 城市运行管理（监督指挥）中心
  std::string hotline_dept_id;  // may report as hotline_12345 (app::Config::hotline_dept); "": none
  double yellow_ratio = 0.8;
  double on_time_goal = 0.95;
  double component_radius_m = 50;  // a component farther away is not "nearest"
  WorkingHours hours;
  CalendarSource calendar;  // unset: core::WorkingCalendar::china_2026()
  PhotoCheck photo_check;
};

std::vector<store::Migration> migrations();
// Seals event descriptions, feedback and reasons an older version stored in the clear
// (docs/data-at-rest.md); run at start before serving. Returns how many it sealed.
Result<std::int64_t> seal_at_rest(store::Store& store);

class Service {
 public:
  Service(store::Store& store, const core::Clock& clock, core::Random& random,
          identity::Service& identity, Options options = {});
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const Options& options() const;

  // -- Cells. Admins or grid-centre approvers (forbidden). All or nothing: invalid_input with the
  // feature path for bad GeoJSON, codes, names, geometry or unknown supervisors
  // ("/features/2/properties/supervisors/0"); with `replace` every stored cell not in the file
  // is removed. Returns the number of cells imported.
  Result<std::int64_t> import_cells(std::string_view geojson, bool replace,
                                    const identity::Principal& by);
  Result<std::vector<Cell>> list_cells(std::string_view street_code = "");
  Result<Cell> get_cell(std::string_view code);  // not_found
  // invalid_input on "/location" when the point lies outside every cell (or is not a valid
  // lon/lat); the error message says so.
  Result<Location> locate(Point p);

  // -- Components. Admins or grid-centre staff; invalid_input on "/code", "/type", "/dept_id",
  // "/location", "/state". Upsert by code; the class must exist as a component class.
  Result<Component> save_component(const Component& c, const identity::Principal& by);
  // Whether `by` may edit components at all (forbidden), asked before the body is read.
  Status may_edit_components(const identity::Principal& by) const;
  Result<Component> get_component(std::string_view code);
  Result<std::vector<Component>> list_components(std::string_view cell_code, int limit, int offset);
  // The nearest component within `max_m` metres (optionally of one component class);
  // nullopt when there is none.
  Result<std::optional<NearestComponent>> nearest_component(Point p, double max_m,
                                                            std::string_view class_code = "");

  // -- Classes. Everyone reads; admins edit (upsert by kind + code). invalid_input on
  // "/major_name", "/minor_name", "/dept_id" (unknown department), "/limits/dispose", ….
  Result<std::vector<Class>> list_classes();
  Result<Class> save_class(const Class& c, const identity::Principal& by);

  // -- The loop. `by` == nullptr is the platform itself (sensors, the 12345 link): any source.
  // Errors: invalid_input ("/class_code", "/description", "/photos/1", "/location" outside the
  // grid), forbidden for a source the reporter may not use. Nothing is stored on error.
  Result<GridEvent> report(const NewReport& r, const identity::Principal* by);
  // The same inside the caller's transaction, on a calendar read beforehand (followers of the
  // event stream, e.g. the 12345 link, may not open another transaction).
  Result<GridEvent> report(store::Tx& tx, const core::WorkingCalendar& calendar, const NewReport& r,
                           const identity::Principal* by);
  // Whether `by` may see an event whose photos (report or evidence) include `sha256`.
  bool may_see_photo(store::Tx& tx, std::string_view sha256, const identity::Principal& by);
  // An event as stored, without access checks or clock readings (followers).
  std::optional<GridEvent> find(store::Tx& tx, std::string_view id);
  // The first event from `source` carrying `external_ref` (the sensor alarm, appeal or client
  // request it came from), so that a caller retrying after a crash does not report twice.
  std::optional<GridEvent> find_by_external_ref(store::Tx& tx, Source source,
                                                std::string_view external_ref);
  // The working-day calendar the loop counts on, read outside any transaction (for callers of
  // the transactional report()).
  Result<core::WorkingCalendar> calendar() const;
  Result<GridEventDetail> get(std::string_view id, const identity::Principal& by);
  Result<EventList> list(const EventQuery& q, const identity::Principal& by);
  // One step; not_found outside scope, forbidden for the wrong role / department / supervisor,
  // conflict for a step the state does not allow (or a changed revision), invalid_input for
  // missing fields ("/reason", "/feedback", "/passed", "/level", "/dept_id").
  Result<GridEvent> act(std::string_view id, const ActionRequest& a, const identity::Principal& by);
  // Whether `by` may take any step on event `id` at all (not_found outside their view, forbidden
  // for one who takes none), asked before the action is read; act checks the action itself.
  Status may_act(std::string_view id, const identity::Principal& by);

  // -- Indicators. Officials only (forbidden for citizens); invalid_input "/to" when to <= from.
  // Computed once per change and shared (core::RefreshCache, the last 64 periods asked for): a
  // report is at most 60 s old, or fresh after any write.
  Result<IndicatorReport> indicators(const IndicatorQuery& q, const identity::Principal& by);

  struct Impl;  // internal.h; public only so that the module's own free functions can name it

 private:
  std::unique_ptr<Impl> impl_;
  friend struct DemoAccess;
};

// Routes under /api/v1/grid: POST cells/import (?replace=true), GET cells (?street=), GET
// cells/{code}, GET lookup?lon=&lat=, GET/POST components, GET components/nearest?lon=&lat=,
// GET components/{code}, GET classes, PUT classes/{kind}/{code}, POST/GET events, GET
// events/{id}, POST events/{id}/actions, GET indicators?by=&from=&to=.
void register_routes(http::Router& router, Service& service, identity::Service& identity);

// ---- Demo --------------------------------------------------------------------------------------

struct DemoOptions {
  int columns = 10;  // cells per row; rows = ceil(cells / columns)
  int cells = 60;    // ≥ 1
  int events = 600;
  int days = 90;  // history length before `now`
  std::uint64_t seed = 20261122;
  std::string division_code = "329900";
  Point origin{118.78, 31.95};  // south-west corner of the district
  double cell_deg = 0.004;      // side of a cell (≈ 400 m)
};

struct DemoSummary {
  std::int64_t cells = 0, components = 0, events = 0, closed = 0;
};

// Builds a fictional district: the grid-centre and professional departments when missing
// (grid, cgj, yllh, szgs, plus existing jtj, zjj, sthj, gaj are used when present), centre
// staff and supervisors (password `password`, created when missing), a lattice of cells in
// streets and communities, components, and `events` historical events spread over the past
// `days` days, played through the real state machine on a simulated clock: most closed on time,
// some overdue, reworked, sent back, rejected or still open. Run once on an empty grid
// (conflict when cells already exist).
Result<DemoSummary> load_demo(Service& service, identity::Service& identity,
                              const DemoOptions& options, const std::string& password,
                              core::Millis now);

}  // namespace yiwang::grid
