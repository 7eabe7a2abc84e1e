// Grid events and the loop: reporting, reading, and acting (read the rows → workflow::apply →
// write the rows and the event). Every change is one write transaction holding the event row, its
// step rows and the outbox event.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/field_cipher.h"
#include "events/events.h"
#include "grid/internal.h"
#include "grid/workflow.h"
#include "store/sealing.h"
#include "store/record_id.h"

namespace yiwang::grid {

namespace {

using Json = nlohmann::json;
using detail::bad;
using identity::Principal;

tl::unexpected<Error> event_not_found() {
  return fail(ErrorCode::not_found, "", "案卷不存在", "grid event not found");
}

// ---- Rows --------------------------------------------------------------------------------------

// e.* columns, then the open step (s.*) of a LEFT JOIN, the class's and the cell's names.
constexpr const char* kEventSelect =
    "SELECT e.id, e.source, e.reporter_user_id, e.external_ref, e.kind, e.class_code, "
    "e.description, e.photos_json, e.lon, e.lat, e.cell_code, e.community_code, e.street_code, "
    "e.component_code, e.state, e.dept_id, e.suggested_dept, e.suggestion_basis, e.feedback, "
    "e.reason, e.rework_count, e.send_back_count, e.evaluation, e.total_limit_min, "
    "e.reported_at_ms, e.registered_at_ms, e.dispatched_at_ms, e.fed_back_at_ms, "
    "e.closed_at_ms, e.closed_on_time, e.updated_at_ms, e.revision, "
    "s.step, s.started_at_ms, s.limit_min, c.major_name, c.minor_name, g.name, g.community_name, "
    "g.street_name, g.division_code "
    "FROM grid_events e "
    "LEFT JOIN grid_steps s ON s.event_id = e.id AND s.ended_at_ms IS NULL "
    "LEFT JOIN grid_classes c ON c.kind = e.kind AND c.code = e.class_code "
    "LEFT JOIN grid_cells g ON g.code = e.cell_code ";

struct Loaded {
  GridEvent e;
  int total_limit_min = 0;
};

// The row of kEventSelect: a flat list of columns, read in order. The description, feedback and
// reason are sealed at rest ("grid_events.<column>:<id>").
Loaded event_of(const store::Row& r, const core::FieldCipher& cipher) {
  Loaded l;
  GridEvent& e = l.e;
  e.id = r.text(0);
  e.source = *parse_source(r.text(1));
  e.reporter_user_id = r.text(2);
  e.external_ref = r.text(3);
  e.kind = *parse_class_kind(r.text(4));
  e.class_code = r.text(5);
  e.description = cipher.open_cell(r.text(6), "grid_events.description", e.id);
  for (const auto& p : Json::parse(r.text(7))) e.photos.push_back(p.get<std::string>());
  e.location = {r.real(8), r.real(9)};
  e.where.cell_code = r.text(10);
  e.where.community_code = r.text(11);
  e.where.street_code = r.text(12);
  e.component_code = r.text(13);
  e.state = *parse_state(r.text(14));
  e.dept_id = r.text(15);
  e.suggested_dept = r.text(16);
  e.suggestion_basis = r.text(17);
  e.feedback = cipher.open_cell(r.text(18), "grid_events.feedback", e.id);
  e.reason = cipher.open_cell(r.text(19), "grid_events.reason", e.id);
  e.rework_count = static_cast<int>(r.int64(20));
  e.send_back_count = static_cast<int>(r.int64(21));
  if (auto v = r.opt_int64(22)) e.evaluation = static_cast<int>(*v);
  l.total_limit_min = static_cast<int>(r.int64(23));
  e.reported_at_ms = r.int64(24);
  e.registered_at_ms = r.opt_int64(25);
  e.dispatched_at_ms = r.opt_int64(26);
  e.fed_back_at_ms = r.opt_int64(27);
  e.closed_at_ms = r.opt_int64(28);
  if (auto v = r.opt_int64(29)) e.closed_on_time = *v != 0;
  e.updated_at_ms = r.int64(30);
  e.revision = r.int64(31);
  if (!r.is_null(32)) {
    StepClock c;
    c.step = *parse_step(r.text(32));
    c.started_at_ms = r.int64(33);
    c.limit_min = static_cast<int>(r.int64(34));
    e.clock = c;
  }
  e.class_name = r.text(35) + "/" + r.text(36);
  e.where.cell_name = r.text(37);
  e.where.community_name = r.text(38);
  e.where.street_name = r.text(39);
  e.where.division_code = r.text(40);
  return l;
}

std::optional<Loaded> load_event(store::Tx& tx, std::string_view id) {
  auto row = tx.query_one(std::string(kEventSelect) + "WHERE e.id = ?", {std::string(id)});
  if (!row) return std::nullopt;
  return event_of(*row, tx.cipher());
}

store::Value flag(const std::optional<bool>& v) {
  return store::nullable(v ? std::optional<std::int64_t>(*v ? 1 : 0) : std::nullopt);
}

void insert_event(store::Tx& tx, const GridEvent& e) {
  tx.exec(
      "INSERT INTO grid_events (id, source, reporter_user_id, external_ref, kind, class_code, "
      "description, photos_json, lon, lat, cell_code, community_code, street_code, "
      "component_code, state, dept_id, suggested_dept, suggestion_basis, feedback, reason, "
      "rework_count, send_back_count, evaluation, total_limit_min, reported_at_ms, "
      "registered_at_ms, dispatched_at_ms, fed_back_at_ms, closed_at_ms, closed_on_time, "
      "updated_at_ms, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
      {e.id,
       std::string(to_string(e.source)),
       e.reporter_user_id,
       e.external_ref,
       std::string(to_string(e.kind)),
       e.class_code,
       tx.cipher().seal_cell(e.description, "grid_events.description", e.id),
       Json(e.photos).dump(),
       e.location.lon,
       e.location.lat,
       e.where.cell_code,
       e.where.community_code,
       e.where.street_code,
       e.component_code,
       std::string(to_string(e.state)),
       e.dept_id,
       e.suggested_dept,
       e.suggestion_basis,
       tx.cipher().seal_cell(e.feedback, "grid_events.feedback", e.id),
       tx.cipher().seal_cell(e.reason, "grid_events.reason", e.id),
       static_cast<std::int64_t>(e.rework_count),
       static_cast<std::int64_t>(e.send_back_count),
       store::nullable(e.evaluation),
       e.reported_at_ms,
       store::nullable(e.registered_at_ms),
       store::nullable(e.dispatched_at_ms),
       store::nullable(e.fed_back_at_ms),
       store::nullable(e.closed_at_ms),
       flag(e.closed_on_time),
       e.updated_at_ms,
       e.revision});
}

void update_event(store::Tx& tx, const GridEvent& e, int total_limit_min) {
  tx.exec(
      "UPDATE grid_events SET class_code = ?, state = ?, dept_id = ?, feedback = ?, reason = ?, "
      "rework_count = ?, send_back_count = ?, evaluation = ?, total_limit_min = ?, "
      "registered_at_ms = ?, dispatched_at_ms = ?, fed_back_at_ms = ?, closed_at_ms = ?, "
      "closed_on_time = ?, updated_at_ms = ?, revision = ? WHERE id = ?",
      {e.class_code, std::string(to_string(e.state)), e.dept_id,
       tx.cipher().seal_cell(e.feedback, "grid_events.feedback", e.id),
       tx.cipher().seal_cell(e.reason, "grid_events.reason", e.id),
       static_cast<std::int64_t>(e.rework_count), static_cast<std::int64_t>(e.send_back_count),
       store::nullable(e.evaluation), static_cast<std::int64_t>(total_limit_min),
       store::nullable(e.registered_at_ms), store::nullable(e.dispatched_at_ms),
       store::nullable(e.fed_back_at_ms), store::nullable(e.closed_at_ms), flag(e.closed_on_time),
       e.updated_at_ms, e.revision, e.id});
}

void open_step(store::Tx& tx, std::string_view event_id, Step step, std::string_view dept,
               core::Millis at, int limit_min) {
  auto n =
      tx.query_one("SELECT COUNT(*) FROM grid_steps WHERE event_id = ?", {std::string(event_id)});
  tx.exec(
      "INSERT INTO grid_steps (event_id, n, step, dept_id, started_at_ms, ended_at_ms, limit_min, "
      "used_min, outcome, actor_user_id) VALUES (?, ?, ?, ?, ?, NULL, ?, 0, '', '')",
      {std::string(event_id), n ? n->int64(0) : 0, std::string(to_string(step)), std::string(dept),
       at, static_cast<std::int64_t>(limit_min)});
}

// The open step of an event: its number and its working minutes until `now`.
struct OpenStep {
  std::int64_t n = 0;
  int used_min = 0;
};

std::optional<OpenStep> open_step_of(store::Tx& tx, std::string_view event_id,
                                     const core::WorkingCalendar& cal, const Options& o,
                                     core::Millis now) {
  auto row = tx.query_one(
      "SELECT n, started_at_ms FROM grid_steps WHERE event_id = ? AND ended_at_ms IS NULL",
      {std::string(event_id)});
  if (!row) return std::nullopt;
  return OpenStep{row->int64(0),
                  static_cast<int>(working_ms_between(cal, row->int64(1), now, o.hours) / 60000)};
}

std::vector<StepRecord> load_steps(store::Tx& tx, std::string_view id) {
  std::vector<StepRecord> out;
  for (const auto& r :
       tx.query("SELECT step, dept_id, started_at_ms, ended_at_ms, limit_min, used_min, outcome, "
                "actor_user_id FROM grid_steps WHERE event_id = ? ORDER BY n",
                {std::string(id)})) {
    StepRecord s;
    s.step = *parse_step(r.text(0));
    s.dept_id = r.text(1);
    s.started_at_ms = r.int64(2);
    s.ended_at_ms = r.opt_int64(3);
    s.limit_min = static_cast<int>(r.int64(4));
    s.used_min = static_cast<int>(r.int64(5));
    s.outcome = r.text(6);
    s.actor_user_id = r.text(7);
    out.push_back(std::move(s));
  }
  return out;
}

// Reads the open step's clock at `now` (minutes, floored).
void read_clock(StepClock& c, const core::WorkingCalendar& cal, const Options& o,
                core::Millis now) {
  std::int64_t used = working_ms_between(cal, c.started_at_ms, now, o.hours);
  c.used_min = static_cast<int>(used / 60000);
  c.remaining_min = c.limit_min - c.used_min;
  c.deadline_ms = add_working_ms(cal, c.started_at_ms, c.limit_min * 60000LL, o.hours);
  if (c.used_min > c.limit_min) {
    c.alert = core::Alert::red;
  } else if (c.used_min >= o.yellow_ratio * c.limit_min) {
    c.alert = core::Alert::yellow;
  } else {
    c.alert = core::Alert::none;
  }
}

// ---- Reporting ---------------------------------------------------------------------------------

// Whether `by` may report from `source`: the public as "public"; officials as "supervisor"
// (listed on some cell, or grid-centre staff), "higher_level" or (the hotline) "hotline_12345".
bool may_report_as(store::Tx& tx, const Options& o, Source source, const Principal& by) {
  if (!by.is_official()) return source == Source::public_;
  switch (source) {
    case Source::supervisor:
      return detail::is_center_staff(by, o) ||
             tx.query_one("SELECT 1 FROM grid_supervisors WHERE username = ?", {by.username})
                 .has_value();
    case Source::higher_level:
      return true;
    case Source::hotline_12345:
      return !o.hotline_dept_id.empty() && by.dept_id == o.hotline_dept_id;
    case Source::public_:
    case Source::sensor:
      return false;
  }
  return false;
}

// The report's inputs in the order of the form; the class it names.
Result<Class> check_report(store::Tx& tx, const Options& o, const NewReport& n,
                           const Principal* by) {
  if (by && !may_report_as(tx, o, n.source, *by)) {
    return fail(ErrorCode::forbidden, "/source", "无权以该来源上报",
                "you may not report with this source");
  }
  auto cls = detail::load_class(tx, n.kind, n.class_code);
  if (!cls) {
    return bad("/class_code", "未知的分类：" + n.class_code, "unknown class: " + n.class_code);
  }
  if (auto st = detail::check_text(n.description, "/description", 1, 2000, true); !st) {
    return fail(st.error());
  }
  if (auto st = detail::check_photo_refs(n.photos, "/photos"); !st) return fail(st.error());
  if (by) {
    if (auto refusal = detail::upload_refusal(tx, o, n.photos, "/photos", *by)) {
      return fail(std::move(*refusal));
    }
  }
  if (auto st = detail::check_text(n.external_ref, "/external_ref", 0, 64, false); !st) {
    return fail(st.error());
  }
  return *cls;
}

// A new event from a checked report, located, with its dispatch suggestion: the class's default
// department, or for a component the owner of the nearest one (the owner of the broken thing is
// the one to fix it).
GridEvent new_event(store::Tx& tx, const Options& o, const NewReport& n, const Class& cls,
                    const Location& where, const Principal* by, core::Millis now) {
  GridEvent e;
  e.source = n.source;
  e.reporter_user_id = by ? by->user_id : "";
  e.external_ref = n.external_ref;
  e.kind = n.kind;
  e.class_code = n.class_code;
  e.class_name = cls.major_name + "/" + cls.minor_name;
  e.description = n.description;
  e.photos = n.photos;
  e.location = n.location;
  e.where = where;
  e.suggested_dept = cls.dept_id;
  e.suggestion_basis = "class";
  if (n.kind == ClassKind::component) {
    if (auto near = detail::nearest_in(tx, n.location, o.component_radius_m, n.class_code)) {
      e.component_code = near->component.code;
      e.suggested_dept = near->component.dept_id;
      e.suggestion_basis = "component";
    }
  }
  e.state = State::reported;
  e.reported_at_ms = now;
  e.updated_at_ms = now;
  e.revision = 1;
  return e;
}

// ---- Acting ------------------------------------------------------------------------------------

// The photos' upload check, made where the rules will consult it (feedback and check evidence of
// well-formed references).
std::optional<Error> evidence_refusal(store::Tx& tx, const Options& o, const ActionRequest& a,
                                      const Principal& by) {
  if (a.action != Action::feedback && a.action != Action::check) return std::nullopt;
  if (!detail::check_photo_refs(a.photos, "/photos")) return std::nullopt;
  return detail::upload_refusal(tx, o, a.photos, "/photos", by);
}

}  // namespace

namespace detail {

void index_photos(store::Tx& tx, const std::string& event_id,
                  const std::vector<std::string>& photos) {
  for (const auto& sha : photos) {
    tx.exec(
        "INSERT INTO grid_photos (sha256, event_id) VALUES (?, ?) ON CONFLICT (sha256, event_id) "
        "DO NOTHING",
        {sha, event_id});
  }
}

}  // namespace detail

// ---- Impl: the loop ----------------------------------------------------------------------------

Result<GridEvent> Service::Impl::report_in(store::Tx& tx, const core::Clock& clk,
                                           const core::WorkingCalendar& cal, const NewReport& n,
                                           const Principal* by) {
  auto cls = check_report(tx, options, n, by);
  if (!cls) return fail(cls.error());
  auto where = locate_in(tx, n.location);
  if (!where) return fail(where.error());
  const core::Millis now = clk.now_ms();
  GridEvent e = new_event(tx, options, n, *cls, *where, by, now);
  auto id = store::new_record_id(tx, random, now, {.table = "grid_events", .prefix = "GE"});
  if (!id) return fail(id.error());
  e.id = *id;
  insert_event(tx, e);
  detail::index_photos(tx, e.id, e.photos);
  open_step(tx, e.id, Step::register_, options.center_dept_id, now, cls->limits.register_);
  StepClock c;
  c.step = Step::register_;
  c.started_at_ms = now;
  c.limit_min = cls->limits.register_;
  read_clock(c, cal, options, now);
  e.clock = c;
  Json data = {{"source", std::string(to_string(e.source))},
               {"channel", std::string(to_string(e.source))},
               {"external_ref", e.external_ref},
               {"suggested_dept", e.suggested_dept}};
  events::append(tx, clk,
                 {.type = "grid.reported",
                  .subject_type = "grid_event",
                  .subject_id = e.id,
                  .actor = identity::actor_of(by),
                  .after_json = workflow::snapshot(e),
                  .data_json = data.dump()});
  return e;
}

namespace {

// What the rules read for `a` on event `id` at `now`: the event (not_found outside `by`'s view,
// conflict for a changed revision), its class's limits, the open step's minutes, and what the
// action names (the cell's supervisors, another class, the photos' upload check).
struct Read {
  workflow::Record record;
  std::optional<OpenStep> step;
};

Result<Read> read_record(Service::Impl& m, store::Tx& tx, const core::WorkingCalendar& cal,
                         std::string_view id, const ActionRequest& a, const Principal& by,
                         core::Millis now) {
  auto loaded = load_event(tx, id);
  if (!loaded || !workflow::may_see(loaded->e, by)) return event_not_found();
  if (a.expected_revision && *a.expected_revision != loaded->e.revision) {
    return detail::conflict("案卷已被他人修改，请刷新", "the event changed meanwhile; reload it");
  }
  Read out;
  workflow::Record& r = out.record;
  r.center_dept_id = m.options.center_dept_id;
  r.event = std::move(loaded->e);
  r.total_limit_min = loaded->total_limit_min;
  auto cls = detail::load_class(tx, r.event.kind, r.event.class_code);
  r.limits = cls ? cls->limits : Limits{};
  out.step = open_step_of(tx, id, cal, m.options, now);
  if (out.step) r.step_used_min = out.step->used_min;
  if (a.action == Action::close && r.event.registered_at_ms) {
    r.since_registered_min =
        working_ms_between(cal, *r.event.registered_at_ms, now, m.options.hours) / 60000;
  }
  if (a.action == Action::check) {
    if (auto cell = m.cell_in(tx, r.event.where.cell_code)) r.supervisors = cell->supervisors;
  }
  if (a.action == Action::accept && !a.class_code.empty() && a.class_code != r.event.class_code) {
    r.requested_class = detail::load_class(tx, r.event.kind, a.class_code);
  }
  r.photo_refusal = evidence_refusal(tx, m.options, a, by);
  return out;
}

// Writes what apply() decided: evidence photos, the step rows, the event row.
void write_outcome(store::Tx& tx, const workflow::Outcome& out, const Principal& by,
                   core::Millis now, const std::optional<OpenStep>& step) {
  const GridEvent& e = out.after;
  detail::index_photos(tx, e.id, out.index_photos);
  if (out.end_step && step) {
    tx.exec(
        "UPDATE grid_steps SET ended_at_ms = ?, used_min = ?, outcome = ?, actor_user_id = ? "
        "WHERE event_id = ? AND n = ?",
        {now, static_cast<std::int64_t>(step->used_min), *out.end_step, by.user_id, e.id, step->n});
  }
  if (out.start_step) {
    open_step(tx, e.id, out.start_step->step, out.start_step->dept_id, now,
              out.start_step->limit_min);
  }
  update_event(tx, e, out.total_limit_min);
}

// The clock of the event's open step as stored (not read).
std::optional<StepClock> open_clock(store::Tx& tx, const std::string& event_id) {
  auto row = tx.query_one(
      "SELECT step, started_at_ms, limit_min FROM grid_steps WHERE event_id = ? AND "
      "ended_at_ms IS NULL",
      {event_id});
  if (!row) return std::nullopt;
  StepClock c;
  c.step = *parse_step(row->text(0));
  c.started_at_ms = row->int64(1);
  c.limit_min = static_cast<int>(row->int64(2));
  return c;
}

}  // namespace

Result<GridEvent> Service::Impl::act_in(store::Tx& tx, const core::Clock& clk,
                                        const core::WorkingCalendar& cal, std::string_view id,
                                        const ActionRequest& a, const Principal& by) {
  const core::Millis now = clk.now_ms();
  auto read = read_record(*this, tx, cal, id, a, by, now);
  if (!read) return fail(read.error());
  auto out = workflow::apply(read->record, a, by, now);
  if (!out) return fail(out.error());
  write_outcome(tx, *out, by, now, read->step);
  GridEvent e = out->after;
  if (is_open(e.state)) {
    e.clock = open_clock(tx, e.id);
    if (e.clock) read_clock(*e.clock, cal, options, now);
  }
  events::append(tx, clk,
                 {.type = out->event_type,
                  .subject_type = "grid_event",
                  .subject_id = e.id,
                  .actor = identity::actor_of(by),
                  .reason = out->reason,
                  .before_json = workflow::snapshot(read->record.event),
                  .after_json = workflow::snapshot(e),
                  .data_json = out->data_json});
  return e;
}

// ---- Service -----------------------------------------------------------------------------------

Result<GridEvent> Service::report(const NewReport& r, const Principal* by) {
  auto& m = *impl_;
  auto cal = m.calendar();
  if (!cal) return fail(cal.error());
  return m.store.write([&](store::Tx& tx) { return m.report_in(tx, m.clock, *cal, r, by); });
}

Result<GridEvent> Service::report(store::Tx& tx, const core::WorkingCalendar& calendar,
                                  const NewReport& r, const Principal* by) {
  return impl_->report_in(tx, impl_->clock, calendar, r, by);
}

bool Service::may_see_photo(store::Tx& tx, std::string_view sha256, const Principal& by) {
  for (const auto& row :
       tx.query("SELECT event_id FROM grid_photos WHERE sha256 = ?", {std::string(sha256)})) {
    auto l = load_event(tx, row.text(0));
    if (l && workflow::may_see(l->e, by)) return true;
  }
  return false;
}

std::optional<GridEvent> Service::find(store::Tx& tx, std::string_view id) {
  auto l = load_event(tx, id);
  if (!l) return std::nullopt;
  return l->e;
}

std::optional<GridEvent> Service::find_by_external_ref(store::Tx& tx, Source source,
                                                       std::string_view external_ref) {
  auto row = tx.query_one(
      "SELECT id FROM grid_events WHERE external_ref = ? AND source = ? ORDER BY id LIMIT 1",
      {std::string(external_ref), std::string(to_string(source))});
  if (!row) return std::nullopt;
  return find(tx, row->text(0));
}

Result<GridEventDetail> Service::get(std::string_view id, const Principal& by) {
  auto& m = *impl_;
  auto cal = m.calendar();
  if (!cal) return fail(cal.error());
  return m.store.read([&](store::Tx& tx) -> Result<GridEventDetail> {
    auto l = load_event(tx, id);
    if (!l || !workflow::may_see(l->e, by)) return event_not_found();
    GridEventDetail d;
    d.event = l->e;
    if (d.event.clock) read_clock(*d.event.clock, *cal, m.options, m.clock.now_ms());
    if (!by.is_official()) d.event.reporter_user_id = by.user_id;
    d.steps = load_steps(tx, id);
    return d;
  });
}

namespace {

// The WHERE clause of a listing and its parameters.
struct Filter {
  std::string where = "WHERE 1 = 1";
  store::Params params;

  void add(const char* sql, std::string v) {
    if (v.empty()) return;
    where += sql;
    params.push_back(std::move(v));
  }
};

Filter filter_of(const EventQuery& q, const Principal& by) {
  Filter f;
  if (!by.is_official()) {
    f.add(" AND e.reporter_user_id = ?", by.user_id.empty() ? "-" : by.user_id);
  }
  if (q.state) f.add(" AND e.state = ?", std::string(to_string(*q.state)));
  f.add(" AND e.cell_code = ?", q.cell_code);
  f.add(" AND e.street_code = ?", q.street_code);
  f.add(" AND e.dept_id = ?", q.dept_id);
  f.add(" AND e.class_code = ?", q.class_code);
  if (q.source) f.add(" AND e.source = ?", std::string(to_string(*q.source)));
  if (q.from_ms > 0) {
    f.where += " AND e.reported_at_ms >= ?";
    f.params.push_back(q.from_ms);
  }
  if (q.to_ms > 0) {
    f.where += " AND e.reported_at_ms < ?";
    f.params.push_back(q.to_ms);
  }
  return f;
}

}  // namespace

Result<EventList> Service::list(const EventQuery& q, const Principal& by) {
  auto& m = *impl_;
  auto cal = m.calendar();
  if (!cal) return fail(cal.error());
  const core::Millis now = m.clock.now_ms();
  const Filter f = filter_of(q, by);
  return m.store.read([&](store::Tx& tx) -> Result<EventList> {
    EventList out;
    if (!q.alert) {
      auto total = tx.query_one("SELECT COUNT(*) FROM grid_events e " + f.where, f.params);
      out.total = total ? total->int64(0) : 0;
      store::Params pp = f.params;
      pp.push_back(static_cast<std::int64_t>(q.limit));
      pp.push_back(static_cast<std::int64_t>(q.offset));
      for (const auto& r : tx.query(std::string(kEventSelect) + f.where +
                                        " ORDER BY e.reported_at_ms DESC, e.id LIMIT ? OFFSET ?",
                                    pp)) {
        GridEvent e = event_of(r, tx.cipher()).e;
        if (e.clock) read_clock(*e.clock, *cal, m.options, now);
        out.events.push_back(std::move(e));
      }
      return out;
    }
    // Alerts are readings at `now`, not stored: filter the open events in memory.
    for (const auto& r :
         tx.query(std::string(kEventSelect) + f.where +
                      " AND s.step IS NOT NULL ORDER BY e.reported_at_ms DESC, e.id",
                  f.params)) {
      GridEvent e = event_of(r, tx.cipher()).e;
      read_clock(*e.clock, *cal, m.options, now);
      if (e.clock->alert != *q.alert) continue;
      if (out.total >= q.offset && out.total < q.offset + q.limit) out.events.push_back(e);
      ++out.total;
    }
    return out;
  });
}

Status Service::may_act(std::string_view id, const Principal& by) {
  auto& m = *impl_;
  return m.store.read([&](store::Tx& tx) -> Status {
    auto loaded = load_event(tx, id);
    if (!loaded || !workflow::may_see(loaded->e, by)) return event_not_found();
    workflow::Record r;
    r.center_dept_id = m.options.center_dept_id;
    r.event = std::move(loaded->e);
    if (auto cell = m.cell_in(tx, r.event.where.cell_code)) r.supervisors = cell->supervisors;
    return workflow::may_act_on(r, by);
  });
}

Result<GridEvent> Service::act(std::string_view id, const ActionRequest& a, const Principal& by) {
  auto& m = *impl_;
  auto cal = m.calendar();
  if (!cal) return fail(cal.error());
  if (a.action == Action::dispatch && !a.dept_id.empty()) {
    if (!m.identity.get_department(a.dept_id)) {
      return bad("/dept_id", "处置部门不存在", "no such department");
    }
  }
  return m.store.write([&](store::Tx& tx) { return m.act_in(tx, m.clock, *cal, id, a, by); });
}

Result<std::int64_t> seal_at_rest(store::Store& store) {
  return store::seal_clear_cells(store, "grid_events", "id",
                                 {{"description"}, {"feedback"}, {"reason"}});
}

}  // namespace yiwang::grid
