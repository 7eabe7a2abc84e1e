// Cells, components, classes, the seven-step loop and indicators. Every change is one write
// transaction holding the rows, the step records and the events.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/utf8.h"
#include "events/events.h"
#include "grid/internal.h"

namespace yiwang::generated {
std::vector<store::Migration> grid_migrations();
extern const char* const grid_classes;
}  // namespace yiwang::generated

namespace yiwang::grid {

namespace {

using Json = nlohmann::json;
using identity::Principal;
using identity::Role;

constexpr std::array<std::string_view, 2> kKinds = {"event", "component"};
constexpr std::array<std::string_view, 5> kSteps = {"register", "dispatch", "dispose", "check",
                                                    "close"};
constexpr std::array<std::string_view, 5> kSources = {"supervisor", "public", "sensor",
                                                      "hotline_12345", "higher_level"};
constexpr std::array<std::string_view, 8> kStates = {"reported",   "accepted",   "rejected",
                                                     "registered", "dispatched", "checking",
                                                     "checked",    "closed"};
constexpr std::array<std::string_view, 9> kActions = {"accept",   "reject",    "register",
                                                      "dispatch", "send_back", "feedback",
                                                      "check",    "close",     "evaluate"};
constexpr std::array<std::string_view, 9> kEventTypes = {
    "grid.accepted", "grid.rejected", "grid.registered",  "grid.dispatched", "grid.sent_back",
    "grid.fed_back", "grid.checked",  "grid.case_closed", "grid.evaluated"};
const std::set<std::string, std::less<>> kComponentStates = {"normal", "damaged", "missing",
                                                             "removed"};

template <class E, std::size_t N>
std::optional<E> parse_enum(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}
tl::unexpected<Error> forbidden(std::string zh, std::string en) {
  return fail(ErrorCode::forbidden, "", std::move(zh), std::move(en));
}
tl::unexpected<Error> conflict(std::string zh, std::string en) {
  return fail(ErrorCode::conflict, "", std::move(zh), std::move(en));
}
tl::unexpected<Error> event_not_found() {
  return fail(ErrorCode::not_found, "", "案卷不存在", "grid event not found");
}

std::size_t length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Status check_text(std::string_view v, const std::string& field, std::size_t min, std::size_t max,
                  bool multiline) {
  if (!core::valid_utf8(v)) return bad(field, "不是有效的 UTF-8 文本", "not valid UTF-8");
  for (unsigned char c : v) {
    if (c == 0x7F || (c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t')))) {
      return bad(field, "含有控制字符", "contains control characters");
    }
  }
  std::size_t n = length(v);
  if (n < min) return bad(field, "不能为空", "must not be empty");
  if (n > max) {
    return bad(field, "不得超过 " + std::to_string(max) + " 个字符",
               "at most " + std::to_string(max) + " characters");
  }
  return {};
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char ch) {
           return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
         });
}

bool digits(std::string_view s, std::size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status check_photos(const std::vector<std::string>& photos, const std::string& field) {
  if (photos.size() > 9) return bad(field, "照片最多 9 张", "at most 9 photos");
  for (std::size_t i = 0; i < photos.size(); ++i) {
    std::string at = field + "/" + std::to_string(i);
    if (!is_hex64(photos[i])) {
      return bad(at, "照片以其 SHA-256（64 位小写十六进制）引用",
                 "a photo is referenced by its sha256: 64 lower-case hex digits");
    }
    if (std::find(photos.begin(), photos.begin() + static_cast<std::ptrdiff_t>(i), photos[i]) !=
        photos.begin() + static_cast<std::ptrdiff_t>(i)) {
      return bad(at, "照片重复", "duplicate photo");
    }
  }
  return {};
}

// The form of each reference, then (for a person's report or evidence) that it is an image the
// person uploaded; the field names the photo.
Status check_photos(store::Tx& tx, const Options& o, const std::vector<std::string>& photos,
                    const std::string& field, const Principal* by) {
  if (auto st = check_photos(photos, field); !st || !o.photo_check || !by) return st;
  for (std::size_t i = 0; i < photos.size(); ++i) {
    if (auto st = o.photo_check(tx, photos[i], *by); !st) {
      Error e = st.error();
      e.field = field + "/" + std::to_string(i);
      return fail(std::move(e));
    }
  }
  return {};
}

// Records which event names which photo, for read access to the files (may_see_photo).
void index_photos(store::Tx& tx, const std::string& event_id,
                  const std::vector<std::string>& photos) {
  for (const auto& sha : photos) {
    tx.exec(
        "INSERT INTO grid_photos (sha256, event_id) VALUES (?, ?) ON CONFLICT (sha256, event_id) "
        "DO NOTHING",
        {sha, event_id});
  }
}

Status check_point(Point p) {
  if (!std::isfinite(p.lon) || !std::isfinite(p.lat) || p.lon < -180 || p.lon > 180 ||
      p.lat < -90 || p.lat > 90) {
    return bad("/location", "经纬度无效", "invalid longitude / latitude");
  }
  return {};
}

// ---- Who is who --------------------------------------------------------------------------------

bool center_role(const Principal& by, const Options& o, Role r) {
  return by.is_official() && by.dept_id == o.center_dept_id && by.has_role(r);
}
bool is_center_staff(const Principal& by, const Options& o) {
  return by.is_official() && by.dept_id == o.center_dept_id;
}
bool is_admin(const Principal& by) {
  return by.is_official() && by.has_role(Role::admin);
}
bool dept_official(const Principal& by, std::string_view dept) {
  return by.is_official() && !dept.empty() && by.dept_id == dept &&
         (by.has_role(Role::clerk) || by.has_role(Role::reviewer) || by.has_role(Role::approver));
}


// ---- Rows --------------------------------------------------------------------------------------

constexpr const char* kCellColumns =
    "code, name, division_code, street_code, street_name, community_code, community_name, "
    "supervisors_json, geometry_json, min_lon, min_lat, max_lon, max_lat";

Cell cell_of(const store::Row& r) {
  Cell c;
  c.code = r.text(0);
  c.name = r.text(1);
  c.division_code = r.text(2);
  c.street_code = r.text(3);
  c.street_name = r.text(4);
  c.community_code = r.text(5);
  c.community_name = r.text(6);
  for (const auto& s : Json::parse(r.text(7))) c.supervisors.push_back(s.get<std::string>());
  c.geometry_json = r.text(8);
  c.min_lon = r.real(9);
  c.min_lat = r.real(10);
  c.max_lon = r.real(11);
  c.max_lat = r.real(12);
  return c;
}

Location location_of(const Cell& c) {
  return Location{c.code,        c.name,        c.community_code, c.community_name,
                  c.street_code, c.street_name, c.division_code};
}

constexpr const char* kComponentColumns =
    "code, class_code, type, dept_id, lon, lat, state, cell_code, updated_at_ms";

Component component_of(const store::Row& r) {
  Component c;
  c.code = r.text(0);
  c.class_code = r.text(1);
  c.type = r.text(2);
  c.dept_id = r.text(3);
  c.location = {r.real(4), r.real(5)};
  c.state = r.text(6);
  c.cell_code = r.text(7);
  c.updated_at_ms = r.int64(8);
  return c;
}

constexpr const char* kClassColumns =
    "kind, code, major_name, minor_name, dept_id, register_min, dispatch_min, dispose_min, "
    "check_min, close_min";

Class class_of(const store::Row& r) {
  Class c;
  c.kind = *parse_class_kind(r.text(0));
  c.code = r.text(1);
  c.major_name = r.text(2);
  c.minor_name = r.text(3);
  c.dept_id = r.text(4);
  c.limits.register_ = static_cast<int>(r.int64(5));
  c.limits.dispatch = static_cast<int>(r.int64(6));
  c.limits.dispose = static_cast<int>(r.int64(7));
  c.limits.check = static_cast<int>(r.int64(8));
  c.limits.close = static_cast<int>(r.int64(9));
  return c;
}

std::optional<Class> load_class(store::Tx& tx, ClassKind kind, std::string_view code) {
  auto row = tx.query_one(
      std::string("SELECT ") + kClassColumns + " FROM grid_classes WHERE kind = ? AND code = ?",
      {std::string(to_string(kind)), std::string(code)});
  if (!row) return std::nullopt;
  return class_of(*row);
}

// e.* columns, then the open step (s.*) of a LEFT JOIN.
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

Loaded event_of(const store::Row& r) {
  Loaded l;
  GridEvent& e = l.e;
  e.id = r.text(0);
  e.source = *parse_source(r.text(1));
  e.reporter_user_id = r.text(2);
  e.external_ref = r.text(3);
  e.kind = *parse_class_kind(r.text(4));
  e.class_code = r.text(5);
  e.description = r.text(6);
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
  e.feedback = r.text(18);
  e.reason = r.text(19);
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

std::string snapshot(const GridEvent& e) {
  Json j = {{"state", std::string(to_string(e.state))},
            {"class_code", e.class_code},
            {"cell_code", e.where.cell_code},
            {"dept_id", e.dept_id},
            {"rework_count", e.rework_count}};
  return j.dump();
}

void save_event(store::Tx& tx, const GridEvent& e, bool insert, int total_limit_min) {
  Json photos = e.photos;
  auto opt = [](const std::optional<core::Millis>& v) -> store::Value {
    if (v) return *v;
    return nullptr;
  };
  store::Value evaluation = nullptr;
  if (e.evaluation) evaluation = static_cast<std::int64_t>(*e.evaluation);
  store::Value on_time = nullptr;
  if (e.closed_on_time) on_time = static_cast<std::int64_t>(*e.closed_on_time ? 1 : 0);
  if (insert) {
    tx.exec(
        "INSERT INTO grid_events (id, source, reporter_user_id, external_ref, kind, class_code, "
        "description, photos_json, lon, lat, cell_code, community_code, street_code, "
        "component_code, state, dept_id, suggested_dept, suggestion_basis, feedback, reason, "
        "rework_count, send_back_count, evaluation, total_limit_min, reported_at_ms, "
        "registered_at_ms, dispatched_at_ms, fed_back_at_ms, closed_at_ms, closed_on_time, "
        "updated_at_ms, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {e.id,
         std::string(to_string(e.source)),
         e.reporter_user_id,
         e.external_ref,
         std::string(to_string(e.kind)),
         e.class_code,
         e.description,
         photos.dump(),
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
         e.feedback,
         e.reason,
         static_cast<std::int64_t>(e.rework_count),
         static_cast<std::int64_t>(e.send_back_count),
         evaluation,
         static_cast<std::int64_t>(total_limit_min),
         e.reported_at_ms,
         opt(e.registered_at_ms),
         opt(e.dispatched_at_ms),
         opt(e.fed_back_at_ms),
         opt(e.closed_at_ms),
         on_time,
         e.updated_at_ms,
         e.revision});
    return;
  }
  tx.exec(
      "UPDATE grid_events SET class_code = ?, state = ?, dept_id = ?, feedback = ?, reason = ?, "
      "rework_count = ?, send_back_count = ?, evaluation = ?, total_limit_min = ?, "
      "registered_at_ms = ?, dispatched_at_ms = ?, fed_back_at_ms = ?, closed_at_ms = ?, "
      "closed_on_time = ?, updated_at_ms = ?, revision = ? WHERE id = ?",
      {e.class_code, std::string(to_string(e.state)), e.dept_id, e.feedback, e.reason,
       static_cast<std::int64_t>(e.rework_count), static_cast<std::int64_t>(e.send_back_count),
       evaluation, static_cast<std::int64_t>(total_limit_min), opt(e.registered_at_ms),
       opt(e.dispatched_at_ms), opt(e.fed_back_at_ms), opt(e.closed_at_ms), on_time,
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

// Ends the open step; returns its used working minutes.
int close_step(store::Tx& tx, std::string_view event_id, const core::WorkingCalendar& cal,
               const Options& o, core::Millis at, std::string_view outcome,
               std::string_view actor) {
  auto row = tx.query_one(
      "SELECT n, started_at_ms FROM grid_steps WHERE event_id = ? AND ended_at_ms IS NULL",
      {std::string(event_id)});
  if (!row) return 0;
  int used = static_cast<int>(working_ms_between(cal, row->int64(1), at, o.hours) / 60000);
  tx.exec(
      "UPDATE grid_steps SET ended_at_ms = ?, used_min = ?, outcome = ?, actor_user_id = ? "
      "WHERE event_id = ? AND n = ?",
      {at, static_cast<std::int64_t>(used), std::string(outcome), std::string(actor),
       std::string(event_id), row->int64(0)});
  return used;
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

std::optional<Loaded> load_event(store::Tx& tx, std::string_view id) {
  auto row = tx.query_one(std::string(kEventSelect) + "WHERE e.id = ?", {std::string(id)});
  if (!row) return std::nullopt;
  return event_of(*row);
}

bool can_see(const GridEvent& e, const Principal& by) {
  if (by.is_official()) return true;
  return !by.user_id.empty() && e.reporter_user_id == by.user_id;
}

std::vector<Class> parse_classes_tsv(std::string_view text) {
  std::vector<Class> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::size_t start = 0;
    while (true) {
      auto tab = line.find('\t', start);
      f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (f.size() != 11) throw std::runtime_error("data/grid/classes.tsv: bad line: " + line);
    Class c;
    auto kind = parse_class_kind(f[0]);
    if (!kind || !digits(f[1], 2) || !digits(f[3], 2)) {
      throw std::runtime_error("data/grid/classes.tsv: bad kind or code: " + line);
    }
    c.kind = *kind;
    c.code = f[1] + f[3];
    c.major_name = f[2];
    c.minor_name = f[4];
    c.dept_id = f[5];
    c.limits.register_ = std::stoi(f[6]);
    c.limits.dispatch = std::stoi(f[7]);
    c.limits.dispose = std::stoi(f[8]);
    c.limits.check = std::stoi(f[9]);
    c.limits.close = std::stoi(f[10]);
    out.push_back(std::move(c));
  }
  return out;
}

std::string sql_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

Status check_limits(const Limits& l) {
  for (Step s : {Step::register_, Step::dispatch, Step::dispose, Step::check, Step::close}) {
    int v = l.of(s);
    if (v < 1 || v > 100000) {
      return bad("/limits/" + std::string(to_string(s)), "时限须为 1–100000 个工作分钟",
                 "a limit is 1-100,000 working minutes");
    }
  }
  return {};
}

}  // namespace

// ---- Enums -------------------------------------------------------------------------------------

std::string_view to_string(ClassKind k) {
  return kKinds[static_cast<std::size_t>(k)];
}
std::optional<ClassKind> parse_class_kind(std::string_view s) {
  return parse_enum<ClassKind>(kKinds, s);
}
std::string_view to_string(Step s) {
  return kSteps[static_cast<std::size_t>(s)];
}
std::optional<Step> parse_step(std::string_view s) {
  return parse_enum<Step>(kSteps, s);
}
std::string_view to_string(Source s) {
  return kSources[static_cast<std::size_t>(s)];
}
std::optional<Source> parse_source(std::string_view s) {
  return parse_enum<Source>(kSources, s);
}
std::string_view to_string(State s) {
  return kStates[static_cast<std::size_t>(s)];
}
std::optional<State> parse_state(std::string_view s) {
  return parse_enum<State>(kStates, s);
}
bool is_open(State s) {
  return s != State::rejected && s != State::closed;
}
std::string_view to_string(Action a) {
  return kActions[static_cast<std::size_t>(a)];
}
std::optional<Action> parse_action(std::string_view s) {
  return parse_enum<Action>(kActions, s);
}
std::string_view event_type(Action a) {
  return kEventTypes[static_cast<std::size_t>(a)];
}
std::optional<GroupBy> parse_group_by(std::string_view s) {
  if (s == "dept") return GroupBy::dept;
  if (s == "street") return GroupBy::street;
  if (s == "cell") return GroupBy::cell;
  return std::nullopt;
}

int Limits::of(Step s) const {
  switch (s) {
    case Step::register_:
      return register_;
    case Step::dispatch:
      return dispatch;
    case Step::dispose:
      return dispose;
    case Step::check:
      return check;
    case Step::close:
      return close;
  }
  return 0;
}

std::vector<Class> default_classes() {
  return parse_classes_tsv(generated::grid_classes);
}

std::vector<store::Migration> migrations() {
  auto list = generated::grid_migrations();
  // The default class table is data (data/grid/classes.tsv), so its seed migration is written
  // here from the embedded file rather than copied into SQL by hand.
  std::string sql;
  for (const auto& c : default_classes()) {
    sql +=
        "INSERT INTO grid_classes (kind, code, major_name, minor_name, dept_id, register_min, "
        "dispatch_min, dispose_min, check_min, close_min, updated_at_ms) VALUES (" +
        sql_quote(to_string(c.kind)) + ", " + sql_quote(c.code) + ", " + sql_quote(c.major_name) +
        ", " + sql_quote(c.minor_name) + ", " + sql_quote(c.dept_id) + ", " +
        std::to_string(c.limits.register_) + ", " + std::to_string(c.limits.dispatch) + ", " +
        std::to_string(c.limits.dispose) + ", " + std::to_string(c.limits.check) + ", " +
        std::to_string(c.limits.close) + ", 0);\n";
  }
  list.push_back({"grid", 1000, "default_classes", sql, "", ""});
  return list;
}

// ---- Impl --------------------------------------------------------------------------------------

Result<core::WorkingCalendar> Service::Impl::calendar() const {
  if (options.calendar) return options.calendar();
  return core::WorkingCalendar::china_2026();
}

Result<std::shared_ptr<const IndexSnapshot>> Service::Impl::index_in(store::Tx& tx) {
  auto rev = tx.query_one("SELECT value FROM grid_meta WHERE name = 'cells_revision'");
  std::int64_t revision = rev ? rev->int64(0) : 0;
  {
    std::lock_guard lock(index_mu);
    if (index && index->revision == revision) return index;
  }
  auto snap = std::make_shared<IndexSnapshot>();
  snap->revision = revision;
  for (const auto& r :
       tx.query(std::string("SELECT ") + kCellColumns + " FROM grid_cells ORDER BY code")) {
    snap->cells.push_back(cell_of(r));
  }
  auto built = CellIndex::build(snap->cells);
  if (!built) return fail(built.error());
  snap->index = std::move(*built);
  std::lock_guard lock(index_mu);
  if (!index || index->revision <= revision) index = snap;
  return std::shared_ptr<const IndexSnapshot>(snap);
}

Result<Location> Service::Impl::locate_in(store::Tx& tx, Point p) {
  if (auto st = check_point(p); !st) return fail(st.error());
  auto snap = index_in(tx);
  if (!snap) return fail(snap.error());
  auto i = (*snap)->index->locate(p);
  if (!i) {
    return bad("/location", "该位置不在本辖区任何单元网格内",
               "the location lies outside every grid cell of this district");
  }
  return location_of((*snap)->cells[*i]);
}

Result<Cell> Service::Impl::cell_in(store::Tx& tx, std::string_view code) {
  auto row = tx.query_one(std::string("SELECT ") + kCellColumns + " FROM grid_cells WHERE code = ?",
                          {std::string(code)});
  if (!row) return fail(ErrorCode::not_found, "", "网格不存在", "grid cell not found");
  return cell_of(*row);
}

Result<GridEvent> Service::Impl::report_in(store::Tx& tx, const core::Clock& clk,
                                           const core::WorkingCalendar& cal, const NewReport& n,
                                           const Principal* by) {
  const Options& o = options;
  if (by) {
    bool allowed = false;
    if (!by->is_official()) {
      allowed = n.source == Source::public_;
    } else if (n.source == Source::supervisor) {
      allowed = is_center_staff(*by, o) ||
                tx.query_one("SELECT 1 FROM grid_supervisors WHERE username = ?", {by->username})
                    .has_value();
    } else if (n.source == Source::higher_level) {
      allowed = true;
    } else if (n.source == Source::hotline_12345) {
      allowed = by->dept_id == o.hotline_dept_id;
    }
    if (!allowed) {
      return fail(ErrorCode::forbidden, "/source", "无权以该来源上报",
                  "you may not report with this source");
    }
  }
  auto cls = load_class(tx, n.kind, n.class_code);
  if (!cls)
    return bad("/class_code", "未知的分类：" + n.class_code, "unknown class: " + n.class_code);
  if (auto st = check_text(n.description, "/description", 1, 2000, true); !st)
    return fail(st.error());
  if (auto st = check_photos(tx, o, n.photos, "/photos", by); !st) return fail(st.error());
  if (auto st = check_text(n.external_ref, "/external_ref", 0, 64, false); !st) {
    return fail(st.error());
  }
  auto where = locate_in(tx, n.location);
  if (!where) return fail(where.error());

  const core::Millis now = clk.now_ms();
  GridEvent e;
  // Eight random digits a day: at thousands of reports a day two draws meet now and then, so
  // draw again rather than fail the report.
  const std::string day = core::compact_date(core::china_date(now));
  do {
    e.id = "GE" + day + random.digits(8);
  } while (tx.query_one("SELECT 1 FROM grid_events WHERE id = ?", {e.id}));
  e.source = n.source;
  e.reporter_user_id = by ? by->user_id : "";
  e.external_ref = n.external_ref;
  e.kind = n.kind;
  e.class_code = n.class_code;
  e.class_name = cls->major_name + "/" + cls->minor_name;
  e.description = n.description;
  e.photos = n.photos;
  e.location = n.location;
  e.where = *where;
  e.suggested_dept = cls->dept_id;
  e.suggestion_basis = "class";
  if (n.kind == ClassKind::component) {
    // The owner of the broken thing is the one to fix it.
    double dlat = o.component_radius_m / 111320.0;
    double dlon = dlat / std::max(0.01, std::cos(n.location.lat * M_PI / 180));
    double best = o.component_radius_m + 1;
    for (const auto& r :
         tx.query(std::string("SELECT ") + kComponentColumns +
                      " FROM grid_components WHERE lat >= ? AND lat <= ? AND lon >= ? AND lon <= ? "
                      "AND class_code = ? AND state <> 'removed' ORDER BY code",
                  {n.location.lat - dlat, n.location.lat + dlat, n.location.lon - dlon,
                   n.location.lon + dlon, n.class_code})) {
      Component c = component_of(r);
      double d = distance_m(n.location, c.location);
      if (d <= o.component_radius_m && d < best) {
        best = d;
        e.component_code = c.code;
        e.suggested_dept = c.dept_id;
        e.suggestion_basis = "component";
      }
    }
  }
  e.state = State::reported;
  e.reported_at_ms = now;
  e.updated_at_ms = now;
  e.revision = 1;
  save_event(tx, e, true, 0);
  index_photos(tx, e.id, e.photos);
  open_step(tx, e.id, Step::register_, o.center_dept_id, now, cls->limits.register_);
  StepClock c;
  c.step = Step::register_;
  c.started_at_ms = now;
  c.limit_min = cls->limits.register_;
  read_clock(c, cal, o, now);
  e.clock = c;
  Json data = {{"source", std::string(to_string(e.source))},
               {"channel", std::string(to_string(e.source))},
               {"external_ref", e.external_ref},
               {"suggested_dept", e.suggested_dept}};
  events::append(tx, clk,
                 events::NewEvent{"grid.reported", "grid_event", e.id, identity::actor_of(by), "", "",
                                  snapshot(e), data.dump()});
  return e;
}

Result<GridEvent> Service::Impl::act_in(store::Tx& tx, const core::Clock& clk,
                                        const core::WorkingCalendar& cal, std::string_view id,
                                        const ActionRequest& a, const Principal& by) {
  const Options& o = options;
  auto loaded = load_event(tx, id);
  if (!loaded || !can_see(loaded->e, by)) return event_not_found();
  GridEvent e = loaded->e;
  int total_limit = loaded->total_limit_min;
  const GridEvent before = e;
  const core::Millis now = clk.now_ms();
  auto wrong_state = [&] {
    return conflict("案卷当前状态（" + std::string(to_string(e.state)) + "）不允许此操作",
                    "action " + std::string(to_string(a.action)) + " is not allowed in state " +
                        std::string(to_string(e.state)));
  };
  auto need_role = [&](bool ok, const char* who_zh, const char* who_en) -> Status {
    if (ok) return {};
    return forbidden(std::string("此操作须由") + who_zh + "办理",
                     std::string("this action is for the ") + who_en);
  };
  if (a.expected_revision && *a.expected_revision != e.revision) {
    return conflict("案卷已被他人修改，请刷新", "the event changed meanwhile; reload it");
  }
  auto cls = load_class(tx, e.kind, e.class_code);
  Limits limits = cls ? cls->limits : Limits{};
  std::string reason = a.reason;
  std::string type(event_type(a.action));
  Json data = Json::object();

  switch (a.action) {
    case Action::accept: {
      if (auto st = need_role(center_role(by, o, Role::clerk), "监督中心受理员",
                              "supervision "
                              "centre's clerk (受理员)");
          !st)
        return fail(st.error());
      if (e.state != State::reported) return wrong_state();
      if (!a.class_code.empty() && a.class_code != e.class_code) {
        auto c = load_class(tx, e.kind, a.class_code);
        if (!c) return bad("/class_code", "未知的分类：" + a.class_code, "unknown class");
        data["class_from"] = e.class_code;
        e.class_code = a.class_code;
        e.class_name = c->major_name + "/" + c->minor_name;
        // The owner of a component keeps the suggestion; otherwise follow the new class.
        if (e.suggestion_basis == "class") e.suggested_dept = c->dept_id;
      }
      e.state = State::accepted;
      break;
    }
    case Action::reject: {
      bool clerk = center_role(by, o, Role::clerk), approver = center_role(by, o, Role::approver);
      if (auto st = need_role(clerk || approver, "监督中心受理员或值班长",
                              "supervision centre's clerk or approver");
          !st) {
        return fail(st.error());
      }
      if (e.state != State::reported && e.state != State::accepted) return wrong_state();
      if (e.state == State::accepted && !approver) {
        return forbidden("已受理的案卷须由值班长决定不予立案",
                         "an accepted event is rejected by the approver (值班长)");
      }
      if (auto st = check_text(a.reason, "/reason", 1, 1000, true); !st) return fail(st.error());
      close_step(tx, e.id, cal, o, now, "rejected", by.user_id);
      e.state = State::rejected;
      e.reason = a.reason;
      break;
    }
    case Action::register_: {
      if (auto st = need_role(center_role(by, o, Role::approver), "值班长", "approver (值班长)");
          !st) {
        return fail(st.error());
      }
      if (e.state != State::accepted) return wrong_state();
      int used = close_step(tx, e.id, cal, o, now, "done", by.user_id);
      data["register_used_min"] = used;
      e.state = State::registered;
      e.registered_at_ms = now;
      total_limit = limits.total_after_register();
      open_step(tx, e.id, Step::dispatch, o.center_dept_id, now, limits.dispatch);
      break;
    }
    case Action::dispatch: {
      if (auto st = need_role(center_role(by, o, Role::reviewer), "指挥中心派遣员",
                              "command centre's dispatcher (reviewer)");
          !st) {
        return fail(st.error());
      }
      if (e.state != State::registered) return wrong_state();
      std::string dept = a.dept_id.empty() ? e.suggested_dept : a.dept_id;
      if (dept.empty()) return bad("/dept_id", "请指定处置部门", "dept_id is required");
      if (dept == o.center_dept_id) {
        return bad("/dept_id", "不能派遣给监督指挥中心本身",
                   "cannot dispatch to the centre itself");
      }
      close_step(tx, e.id, cal, o, now, "done", by.user_id);
      e.state = State::dispatched;
      e.dept_id = dept;
      e.dispatched_at_ms = now;
      data["dept_id"] = dept;
      data["suggested"] = dept == e.suggested_dept;
      open_step(tx, e.id, Step::dispose, dept, now, limits.dispose);
      break;
    }
    case Action::send_back: {
      if (auto st = need_role(dept_official(by, e.dept_id), "承办部门", "handling department");
          !st) {
        return fail(st.error());
      }
      if (e.state != State::dispatched) return wrong_state();
      if (auto st = check_text(a.reason, "/reason", 1, 1000, true); !st) return fail(st.error());
      close_step(tx, e.id, cal, o, now, "sent_back", by.user_id);
      data["dept_id"] = e.dept_id;
      e.state = State::registered;
      e.dept_id = "";
      e.reason = a.reason;
      e.send_back_count += 1;
      open_step(tx, e.id, Step::dispatch, o.center_dept_id, now, limits.dispatch);
      break;
    }
    case Action::feedback: {
      if (auto st = need_role(dept_official(by, e.dept_id), "承办部门", "handling department");
          !st) {
        return fail(st.error());
      }
      if (e.state != State::dispatched) return wrong_state();
      if (auto st = check_text(a.feedback, "/feedback", 1, 2000, true); !st) {
        return fail(st.error());
      }
      if (auto st = check_photos(tx, o, a.photos, "/photos", &by); !st) return fail(st.error());
      index_photos(tx, e.id, a.photos);
      int used = close_step(tx, e.id, cal, o, now, "done", by.user_id);
      data["dispose_used_min"] = used;
      data["photos"] = a.photos;
      e.state = State::checking;
      e.feedback = a.feedback;
      e.fed_back_at_ms = now;
      open_step(tx, e.id, Step::check, o.center_dept_id, now, limits.check);
      break;
    }
    case Action::check: {
      auto cell = cell_in(tx, e.where.cell_code);
      bool listed = cell && by.is_official() &&
                    std::find(cell->supervisors.begin(), cell->supervisors.end(), by.username) !=
                        cell->supervisors.end();
      if (auto st = need_role(listed, "本网格监督员", "cell's supervisor (监督员)"); !st) {
        return fail(st.error());
      }
      if (e.state != State::checking) return wrong_state();
      if (!a.passed) return bad("/passed", "请填写核查结果", "passed is required");
      if (auto st = check_photos(tx, o, a.photos, "/photos", &by); !st) return fail(st.error());
      index_photos(tx, e.id, a.photos);
      data["passed"] = *a.passed;
      data["photos"] = a.photos;
      if (*a.passed) {
        close_step(tx, e.id, cal, o, now, "done", by.user_id);
        e.state = State::checked;
        open_step(tx, e.id, Step::close, o.center_dept_id, now, limits.close);
      } else {
        if (auto st = check_text(a.reason, "/reason", 1, 1000, true); !st) {
          return fail(st.error());
        }
        close_step(tx, e.id, cal, o, now, "rework", by.user_id);
        type = "grid.reworked";
        e.state = State::dispatched;
        e.reason = a.reason;
        e.rework_count += 1;
        open_step(tx, e.id, Step::dispose, e.dept_id, now, limits.dispose);
      }
      break;
    }
    case Action::close: {
      if (auto st = need_role(center_role(by, o, Role::approver), "值班长", "approver (值班长)");
          !st) {
        return fail(st.error());
      }
      if (e.state != State::checked) return wrong_state();
      close_step(tx, e.id, cal, o, now, "done", by.user_id);
      e.state = State::closed;
      e.closed_at_ms = now;
      std::int64_t used = working_ms_between(cal, *e.registered_at_ms, now, o.hours) / 60000;
      e.closed_on_time = used <= total_limit;
      data["outcome"] = *e.closed_on_time ? "closed_on_time" : "closed_late";
      data["used_min"] = used;
      data["limit_min"] = total_limit;
      break;
    }
    case Action::evaluate: {
      if (auto st = need_role(center_role(by, o, Role::approver), "值班长", "approver (值班长)");
          !st) {
        return fail(st.error());
      }
      if (e.state != State::closed) return wrong_state();
      if (e.evaluation) return conflict("已评价", "already evaluated");
      if (!a.level || *a.level < 1 || *a.level > 5) {
        return bad("/level", "评价等级须为 1–5", "level must be 1-5");
      }
      if (auto st = check_text(a.reason, "/reason", 0, 1000, true); !st) return fail(st.error());
      e.evaluation = *a.level;
      data["level"] = *a.level;
      break;
    }
  }
  e.updated_at_ms = now;
  e.revision += 1;
  save_event(tx, e, false, total_limit);
  e.clock.reset();
  if (is_open(e.state)) {
    auto row = tx.query_one(
        "SELECT step, started_at_ms, limit_min FROM grid_steps WHERE event_id = ? AND "
        "ended_at_ms IS NULL",
        {e.id});
    if (row) {
      StepClock c;
      c.step = *parse_step(row->text(0));
      c.started_at_ms = row->int64(1);
      c.limit_min = static_cast<int>(row->int64(2));
      read_clock(c, cal, o, now);
      e.clock = c;
    }
  }
  events::append(tx, clk,
                 events::NewEvent{type, "grid_event", e.id, identity::actor_of(&by), reason, snapshot(before),
                                  snapshot(e), data.dump()});
  return e;
}

// ---- Service -----------------------------------------------------------------------------------

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 identity::Service& identity, Options options)
    : impl_(new Impl{store, clock, random, identity, std::move(options), {}, {}}) {}

Service::~Service() = default;

const Options& Service::options() const {
  return impl_->options;
}

Result<core::WorkingCalendar> Service::calendar() const {
  return impl_->calendar();
}

std::optional<GridEvent> Service::find_by_external_ref(store::Tx& tx, Source source,
                                                       std::string_view external_ref) {
  auto row = tx.query_one(
      "SELECT id FROM grid_events WHERE external_ref = ? AND source = ? ORDER BY id LIMIT 1",
      {std::string(external_ref), std::string(to_string(source))});
  if (!row) return std::nullopt;
  return find(tx, row->text(0));
}

Result<std::int64_t> Service::import_cells(std::string_view geojson, bool replace,
                                           const Principal& by) {
  auto& m = *impl_;
  if (!is_admin(by) && !center_role(by, m.options, Role::approver)) {
    return forbidden("仅管理员或值班长可导入网格",
                     "only admins or the centre's approver import cells");
  }
  auto cells = parse_cells_geojson(geojson);
  if (!cells) return fail(cells.error());
  // Supervisors must be officials with accounts; look each name up once, outside the write.
  std::map<std::string, bool> known;
  for (std::size_t i = 0; i < cells->size(); ++i) {
    const auto& sup = (*cells)[i].supervisors;
    for (std::size_t j = 0; j < sup.size(); ++j) {
      auto [it, fresh] = known.emplace(sup[j], false);
      if (fresh) {
        auto u = m.identity.find_by_username(sup[j]);
        it->second = u && u->is_official();
      }
      if (!it->second) {
        return bad(
            "/features/" + std::to_string(i) + "/properties/supervisors/" + std::to_string(j),
            "监督员须为已登记的工作人员账号：" + sup[j],
            "a supervisor must be an official's username: " + sup[j]);
      }
    }
  }
  const core::Millis now = m.clock.now_ms();
  auto st = m.store.write([&](store::Tx& tx) -> Status {
    if (replace) {
      tx.exec("DELETE FROM grid_cells");
      tx.exec("DELETE FROM grid_supervisors");
    }
    for (const auto& c : *cells) {
      if (!replace) {
        tx.exec("DELETE FROM grid_cells WHERE code = ?", {c.code});
        tx.exec("DELETE FROM grid_supervisors WHERE cell_code = ?", {c.code});
      }
      Json sup = c.supervisors;
      tx.exec(std::string("INSERT INTO grid_cells (") + kCellColumns +
                  ", updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {c.code, c.name, c.division_code, c.street_code, c.street_name, c.community_code,
               c.community_name, sup.dump(), c.geometry_json, c.min_lon, c.min_lat, c.max_lon,
               c.max_lat, now});
      for (const auto& u : c.supervisors) {
        tx.exec("INSERT INTO grid_supervisors (username, cell_code) VALUES (?, ?)", {u, c.code});
      }
    }
    tx.exec("UPDATE grid_meta SET value = value + 1 WHERE name = 'cells_revision'");
    auto total = tx.query_one("SELECT COUNT(*) FROM grid_cells");
    Json data = {{"imported", static_cast<std::int64_t>(cells->size())},
                 {"replace", replace},
                 {"total", total ? total->int64(0) : 0}};
    events::append(tx, m.clock,
                   events::NewEvent{"grid.cells_imported", "grid_cells", "", identity::actor_of(&by), "", "",
                                    "", data.dump()});
    return {};
  });
  if (!st) return fail(st.error());
  return static_cast<std::int64_t>(cells->size());
}

Result<std::vector<Cell>> Service::list_cells(std::string_view street_code) {
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<Cell>> {
    std::vector<Cell> out;
    std::string sql = std::string("SELECT ") + kCellColumns + " FROM grid_cells";
    store::Params p;
    if (!street_code.empty()) {
      sql += " WHERE street_code = ?";
      p.push_back(std::string(street_code));
    }
    for (const auto& r : tx.query(sql + " ORDER BY code", p)) out.push_back(cell_of(r));
    return out;
  });
}

Result<Cell> Service::get_cell(std::string_view code) {
  return impl_->store.read([&](store::Tx& tx) { return impl_->cell_in(tx, code); });
}

Result<Location> Service::locate(Point p) {
  return impl_->store.read([&](store::Tx& tx) { return impl_->locate_in(tx, p); });
}

Result<Component> Service::save_component(const Component& in, const Principal& by) {
  auto& m = *impl_;
  if (!is_admin(by) && !is_center_staff(by, m.options)) {
    return forbidden("仅管理员或监督指挥中心可维护部件",
                     "only admins or the grid centre edit components");
  }
  if (!valid_component_code(in.code)) {
    return bad("/code", "部件编码须为 16 位数字（6 位区划 + 2 位大类 + 2 位小类 + 6 位序号）",
               "a component code is 16 digits: division 6, major 2, minor 2, serial 6");
  }
  if (auto st = check_text(in.type, "/type", 1, 50, false); !st) return fail(st.error());
  if (!kComponentStates.contains(in.state)) {
    return bad("/state", "状态须为 normal、damaged、missing 或 removed",
               "state must be normal, damaged, missing or removed");
  }
  if (auto st = check_point(in.location); !st) return fail(st.error());
  if (in.dept_id.empty() || !m.identity.get_department(in.dept_id)) {
    return bad("/dept_id", "权属部门不存在", "no such owner department");
  }
  Component c = in;
  c.class_code = in.code.substr(6, 4);
  c.updated_at_ms = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Result<Component> {
    if (!load_class(tx, ClassKind::component, c.class_code)) {
      return bad("/code", "编码中的部件分类不存在：" + c.class_code,
                 "the code's component class does not exist: " + c.class_code);
    }
    auto where = m.locate_in(tx, c.location);
    if (!where) return fail(where.error());
    c.cell_code = where->cell_code;
    auto old = tx.query_one("SELECT state, dept_id FROM grid_components WHERE code = ?", {c.code});
    tx.exec("DELETE FROM grid_components WHERE code = ?", {c.code});
    tx.exec(std::string("INSERT INTO grid_components (") + kComponentColumns +
                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {c.code, c.class_code, c.type, c.dept_id, c.location.lon, c.location.lat, c.state,
             c.cell_code, c.updated_at_ms});
    Json after = {
        {"code", c.code}, {"state", c.state}, {"dept_id", c.dept_id}, {"cell_code", c.cell_code}};
    std::string before;
    if (old)
      before = Json{{"code", c.code}, {"state", old->text(0)}, {"dept_id", old->text(1)}}.dump();
    events::append(tx, m.clock,
                   events::NewEvent{"grid.component_saved", "grid_component", c.code, identity::actor_of(&by),
                                    "", before, after.dump(), ""});
    return c;
  });
}

Result<Component> Service::get_component(std::string_view code) {
  return impl_->store.read([&](store::Tx& tx) -> Result<Component> {
    auto row = tx.query_one(
        std::string("SELECT ") + kComponentColumns + " FROM grid_components WHERE code = ?",
        {std::string(code)});
    if (!row) return fail(ErrorCode::not_found, "", "部件不存在", "component not found");
    return component_of(*row);
  });
}

Result<std::vector<Component>> Service::list_components(std::string_view cell_code, int limit,
                                                        int offset) {
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<Component>> {
    std::string sql = std::string("SELECT ") + kComponentColumns + " FROM grid_components";
    store::Params p;
    if (!cell_code.empty()) {
      sql += " WHERE cell_code = ?";
      p.push_back(std::string(cell_code));
    }
    sql += " ORDER BY code LIMIT ? OFFSET ?";
    p.push_back(static_cast<std::int64_t>(limit));
    p.push_back(static_cast<std::int64_t>(offset));
    std::vector<Component> out;
    for (const auto& r : tx.query(sql, p)) out.push_back(component_of(r));
    return out;
  });
}

Result<std::optional<NearestComponent>> Service::nearest_component(Point p, double max_m,
                                                                   std::string_view class_code) {
  if (auto st = check_point(p); !st) return fail(st.error());
  if (!(max_m > 0) || max_m > 10000) {
    return bad("max_m", "搜索半径须在 0–10000 米之间", "max_m must be in (0, 10000] metres");
  }
  return impl_->store.read([&](store::Tx& tx) -> Result<std::optional<NearestComponent>> {
    double dlat = max_m / 111320.0;
    double dlon = dlat / std::max(0.01, std::cos(p.lat * M_PI / 180));
    std::string sql = std::string("SELECT ") + kComponentColumns +
                      " FROM grid_components WHERE lat >= ? AND lat <= ? AND lon >= ? AND "
                      "lon <= ? AND state <> 'removed'";
    store::Params params = {p.lat - dlat, p.lat + dlat, p.lon - dlon, p.lon + dlon};
    if (!class_code.empty()) {
      sql += " AND class_code = ?";
      params.push_back(std::string(class_code));
    }
    std::optional<NearestComponent> best;
    for (const auto& r : tx.query(sql + " ORDER BY code", params)) {
      Component c = component_of(r);
      double d = distance_m(p, c.location);
      if (d <= max_m && (!best || d < best->distance_m)) best = NearestComponent{c, d};
    }
    return best;
  });
}

Result<std::vector<Class>> Service::list_classes() {
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<Class>> {
    std::vector<Class> out;
    for (const auto& r : tx.query(std::string("SELECT ") + kClassColumns +
                                  " FROM grid_classes ORDER BY kind DESC, code")) {
      out.push_back(class_of(r));
    }
    return out;
  });
}

Result<Class> Service::save_class(const Class& c, const Principal& by) {
  auto& m = *impl_;
  if (!is_admin(by)) return forbidden("仅管理员可修改分类", "only admins edit classes");
  if (!digits(c.code, 4))
    return bad("/code", "分类编码须为 4 位数字（大类 2 + 小类 2）",
               "a class code is 4 digits: major 2 + minor 2");
  if (auto st = check_text(c.major_name, "/major_name", 1, 50, false); !st) return fail(st.error());
  if (auto st = check_text(c.minor_name, "/minor_name", 1, 50, false); !st) return fail(st.error());
  if (auto st = check_limits(c.limits); !st) return fail(st.error());
  if (c.dept_id.empty() || !m.identity.get_department(c.dept_id)) {
    return bad("/dept_id", "处置部门不存在", "no such department");
  }
  return m.store.write([&](store::Tx& tx) -> Result<Class> {
    auto old = load_class(tx, c.kind, c.code);
    // The major name is shared by all minors of a major class.
    auto sibling = tx.query_one(
        "SELECT major_name FROM grid_classes WHERE kind = ? AND code LIKE ? AND code <> ?",
        {std::string(to_string(c.kind)), c.code.substr(0, 2) + "%", c.code});
    if (sibling && sibling->text(0) != c.major_name) {
      return bad("/major_name", "同一大类名称须一致：" + sibling->text(0),
                 "the major class is named " + sibling->text(0));
    }
    tx.exec("DELETE FROM grid_classes WHERE kind = ? AND code = ?",
            {std::string(to_string(c.kind)), c.code});
    tx.exec(std::string("INSERT INTO grid_classes (") + kClassColumns +
                ", updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {std::string(to_string(c.kind)), c.code, c.major_name, c.minor_name, c.dept_id,
             static_cast<std::int64_t>(c.limits.register_),
             static_cast<std::int64_t>(c.limits.dispatch),
             static_cast<std::int64_t>(c.limits.dispose), static_cast<std::int64_t>(c.limits.check),
             static_cast<std::int64_t>(c.limits.close), m.clock.now_ms()});
    auto js = [](const Class& x) {
      return Json{{"kind", std::string(to_string(x.kind))},
                  {"code", x.code},
                  {"dept_id", x.dept_id},
                  {"limits",
                   {{"register", x.limits.register_},
                    {"dispatch", x.limits.dispatch},
                    {"dispose", x.limits.dispose},
                    {"check", x.limits.check},
                    {"close", x.limits.close}}}}
          .dump();
    };
    events::append(tx, m.clock,
                   events::NewEvent{"grid.class_saved", "grid_class",
                                    std::string(to_string(c.kind)) + ":" + c.code, identity::actor_of(&by),
                                    "", old ? js(*old) : "", js(c), ""});
    return c;
  });
}

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
    if (l && can_see(l->e, by)) return true;
  }
  return false;
}

std::optional<GridEvent> Service::find(store::Tx& tx, std::string_view id) {
  auto l = load_event(tx, id);
  if (!l) return std::nullopt;
  return l->e;
}

Result<GridEventDetail> Service::get(std::string_view id, const Principal& by) {
  auto& m = *impl_;
  auto cal = m.calendar();
  if (!cal) return fail(cal.error());
  return m.store.read([&](store::Tx& tx) -> Result<GridEventDetail> {
    auto l = load_event(tx, id);
    if (!l || !can_see(l->e, by)) return event_not_found();
    GridEventDetail d;
    d.event = l->e;
    if (d.event.clock) read_clock(*d.event.clock, *cal, m.options, m.clock.now_ms());
    if (!by.is_official()) d.event.reporter_user_id = by.user_id;
    d.steps = load_steps(tx, id);
    return d;
  });
}

Result<EventList> Service::list(const EventQuery& q, const Principal& by) {
  auto& m = *impl_;
  auto cal = m.calendar();
  if (!cal) return fail(cal.error());
  const core::Millis now = m.clock.now_ms();
  return m.store.read([&](store::Tx& tx) -> Result<EventList> {
    std::string where = "WHERE 1 = 1";
    store::Params p;
    auto add = [&](const char* sql, std::string v) {
      if (v.empty()) return;
      where += sql;
      p.push_back(std::move(v));
    };
    if (!by.is_official())
      add(" AND e.reporter_user_id = ?", by.user_id.empty() ? "-" : by.user_id);
    if (q.state) add(" AND e.state = ?", std::string(to_string(*q.state)));
    add(" AND e.cell_code = ?", q.cell_code);
    add(" AND e.street_code = ?", q.street_code);
    add(" AND e.dept_id = ?", q.dept_id);
    add(" AND e.class_code = ?", q.class_code);
    if (q.source) add(" AND e.source = ?", std::string(to_string(*q.source)));
    if (q.from_ms > 0) {
      where += " AND e.reported_at_ms >= ?";
      p.push_back(q.from_ms);
    }
    if (q.to_ms > 0) {
      where += " AND e.reported_at_ms < ?";
      p.push_back(q.to_ms);
    }
    EventList out;
    if (!q.alert) {
      auto total = tx.query_one("SELECT COUNT(*) FROM grid_events e " + where, p);
      out.total = total ? total->int64(0) : 0;
      store::Params pp = p;
      pp.push_back(static_cast<std::int64_t>(q.limit));
      pp.push_back(static_cast<std::int64_t>(q.offset));
      for (const auto& r : tx.query(std::string(kEventSelect) + where +
                                        " ORDER BY e.reported_at_ms DESC, e.id LIMIT ? OFFSET ?",
                                    pp)) {
        GridEvent e = event_of(r).e;
        if (e.clock) read_clock(*e.clock, *cal, m.options, now);
        out.events.push_back(std::move(e));
      }
      return out;
    }
    // Alerts are readings at `now`, not stored: filter the open events in memory.
    for (const auto& r :
         tx.query(std::string(kEventSelect) + where +
                      " AND s.step IS NOT NULL ORDER BY e.reported_at_ms DESC, e.id",
                  p)) {
      GridEvent e = event_of(r).e;
      read_clock(*e.clock, *cal, m.options, now);
      if (e.clock->alert != *q.alert) continue;
      if (out.total >= q.offset && out.total < q.offset + q.limit) out.events.push_back(e);
      ++out.total;
    }
    return out;
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

Result<IndicatorReport> Service::indicators(const IndicatorQuery& q, const Principal& by) {
  auto& m = *impl_;
  if (!by.is_official())
    return forbidden("仅工作人员可查看考核指标", "indicators are for officials");
  if (q.to_ms <= q.from_ms) return bad("/to", "结束时间须晚于开始时间", "to must be after from");
  auto cal = m.calendar();
  if (!cal) return fail(cal.error());
  const core::Millis now = m.clock.now_ms();
  const Options& o = m.options;
  std::map<std::string, std::string> dept_names;
  if (q.by == GroupBy::dept) {
    if (auto ds = m.identity.list_departments()) {
      for (const auto& d : *ds) dept_names[d.id] = d.name;
    }
  }
  return m.store.read([&](store::Tx& tx) -> Result<IndicatorReport> {
    IndicatorReport rep;
    rep.goal = o.on_time_goal;
    std::map<std::string, Indicators> groups;
    auto group = [&](const std::string& key, const std::string& name) -> Indicators& {
      auto& g = groups[key];
      if (g.key.empty()) {
        g.key = key;
        g.name = name;
      }
      return g;
    };
    struct Ev {
      std::string dept, street, street_name, cell, cell_name;
      bool registered = false, closed = false, closed_on_time = false;
      int rework = 0;
    };
    std::map<std::string, Ev> evs;
    for (const auto& r :
         tx.query("SELECT e.id, e.dept_id, e.street_code, e.cell_code, e.registered_at_ms, "
                  "e.closed_at_ms, e.closed_on_time, e.rework_count, g.street_name, g.name "
                  "FROM grid_events e LEFT JOIN grid_cells g ON g.code = e.cell_code "
                  "WHERE e.reported_at_ms >= ? AND e.reported_at_ms < ?",
                  {q.from_ms, q.to_ms})) {
      Ev ev;
      ev.dept = r.text(1).empty() ? o.center_dept_id : r.text(1);
      ev.street = r.text(2);
      ev.cell = r.text(3);
      ev.registered = !r.is_null(4);
      ev.closed = !r.is_null(5);
      ev.closed_on_time = r.int64(6) != 0;
      ev.rework = static_cast<int>(r.int64(7));
      ev.street_name = r.text(8);
      ev.cell_name = r.text(9);
      evs.emplace(r.text(0), std::move(ev));
    }
    auto event_group = [&](const Ev& ev) -> Indicators& {
      switch (q.by) {
        case GroupBy::dept:
          return group(ev.dept, dept_names.count(ev.dept) ? dept_names[ev.dept] : ev.dept);
        case GroupBy::street:
          return group(ev.street, ev.street_name);
        case GroupBy::cell:
          break;
      }
      return group(ev.cell, ev.cell_name);
    };
    auto add_event = [](Indicators& g, const Ev& ev) {
      g.reported += 1;
      g.registered += ev.registered;
      g.closed += ev.closed;
      g.closed_on_time += ev.closed && ev.closed_on_time;
      g.rework += ev.rework;
    };
    for (const auto& [id, ev] : evs) {
      add_event(event_group(ev), ev);
      add_event(rep.total, ev);
    }
    for (const auto& r : tx.query(
             "SELECT s.event_id, s.step, s.dept_id, s.started_at_ms, s.ended_at_ms, s.limit_min, "
             "s.used_min, s.outcome FROM grid_steps s JOIN grid_events e ON e.id = s.event_id "
             "WHERE e.reported_at_ms >= ? AND e.reported_at_ms < ?",
             {q.from_ms, q.to_ms})) {
      auto it = evs.find(r.text(0));
      if (it == evs.end()) continue;
      const Ev& ev = it->second;
      Step step = *parse_step(r.text(1));
      int limit = static_cast<int>(r.int64(5));
      bool ended = !r.is_null(4);
      int used = ended
                     ? static_cast<int>(r.int64(6))
                     : static_cast<int>(working_ms_between(*cal, r.int64(3), now, o.hours) / 60000);
      std::string outcome = r.text(7);
      Indicators* g = nullptr;
      if (q.by == GroupBy::dept) {
        std::string d = r.text(2);
        g = &group(d, dept_names.count(d) ? dept_names[d] : d);
      } else {
        g = &event_group(ev);
      }
      for (Indicators* x : {g, &rep.total}) {
        if (used > limit) x->overdue += 1;
        if (step == Step::register_ && outcome == "done" && used <= limit) {
          x->registered_on_time += 1;
        }
        if (step == Step::dispose) {
          x->dispatches += 1;
          if (outcome == "sent_back") x->sent_back += 1;
          if (outcome == "done") {
            x->disposed += 1;
            x->disposed_on_time += used <= limit;
            x->dispose_minutes += used;
          }
        }
      }
    }
    auto rate = [](std::int64_t num, std::int64_t den) -> std::optional<double> {
      if (den <= 0) return std::nullopt;
      return static_cast<double>(num) / static_cast<double>(den);
    };
    auto finish = [&](Indicators& g) {
      g.on_time_register_rate = rate(g.registered_on_time, g.registered);
      g.accurate_dispatch_rate = rate(g.dispatches - g.sent_back, g.dispatches);
      g.on_time_dispose_rate = rate(g.disposed_on_time, g.disposed);
      g.close_rate = rate(g.closed, g.registered);
      g.on_time_close_rate = rate(g.closed_on_time, g.closed);
      if (g.disposed > 0) {
        g.avg_dispose_minutes = static_cast<double>(g.dispose_minutes) / g.disposed;
      }
      g.meets_goal = g.on_time_close_rate && *g.on_time_close_rate >= rep.goal;
    };
    for (auto& [k, g] : groups) {
      finish(g);
      rep.rows.push_back(g);
    }
    finish(rep.total);
    auto key = [](const std::optional<double>& v) { return v ? *v : -1.0; };
    std::sort(rep.rows.begin(), rep.rows.end(), [&](const Indicators& a, const Indicators& b) {
      if (key(a.on_time_close_rate) != key(b.on_time_close_rate)) {
        return key(a.on_time_close_rate) > key(b.on_time_close_rate);
      }
      if (key(a.close_rate) != key(b.close_rate)) return key(a.close_rate) > key(b.close_rate);
      if (a.overdue != b.overdue) return a.overdue < b.overdue;
      return a.key < b.key;
    });
    for (std::size_t i = 0; i < rep.rows.size(); ++i) rep.rows[i].rank = static_cast<int>(i + 1);
    return rep;
  });
}

}  // namespace yiwang::grid
