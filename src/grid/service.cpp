// The grid service's frame: enum names, migrations, construction, and the input checks and role
// predicates every concern shares.
#include <algorithm>
#include <cmath>

#include "core/names.h"
#include "core/text.h"
#include "core/text_check.h"
#include "core/utf8.h"
#include "grid/internal.h"

namespace yiwang::generated {
std::vector<store::Migration> grid_migrations();
}  // namespace yiwang::generated

namespace yiwang::grid {

namespace {

constexpr auto kKinds = core::enum_names<ClassKind>("event", "component");
constexpr auto kSteps = core::enum_names<Step>("register", "dispatch", "dispose", "check", "close");
constexpr auto kSources =
    core::enum_names<Source>("supervisor", "public", "sensor", "hotline_12345", "higher_level");
constexpr auto kStates = core::enum_names<State>("reported", "accepted", "rejected", "registered",
                                                 "dispatched", "checking", "checked", "closed");
constexpr auto kActions =
    core::enum_names<Action>("accept", "reject", "register", "dispatch", "send_back", "feedback",
                             "check", "close", "evaluate");
// The event type of each action, in the order of Action.
constexpr auto kEventTypes = core::enum_names<Action>(
    "grid.accepted", "grid.rejected", "grid.registered", "grid.dispatched", "grid.sent_back",
    "grid.fed_back", "grid.checked", "grid.case_closed", "grid.evaluated");
constexpr auto kGroupBy = core::enum_names<GroupBy>("dept", "street", "cell");

}  // namespace

// ---- Enums -------------------------------------------------------------------------------------

std::string_view to_string(ClassKind k) {
  return kKinds.name(k);
}
std::optional<ClassKind> parse_class_kind(std::string_view s) {
  return kKinds.parse(s);
}
std::string_view to_string(Step s) {
  return kSteps.name(s);
}
std::optional<Step> parse_step(std::string_view s) {
  return kSteps.parse(s);
}
std::string_view to_string(Source s) {
  return kSources.name(s);
}
std::optional<Source> parse_source(std::string_view s) {
  return kSources.parse(s);
}
std::string_view to_string(State s) {
  return kStates.name(s);
}
std::optional<State> parse_state(std::string_view s) {
  return kStates.parse(s);
}
bool is_open(State s) {
  return s != State::rejected && s != State::closed;
}
std::string_view to_string(Action a) {
  return kActions.name(a);
}
std::optional<Action> parse_action(std::string_view s) {
  return kActions.parse(s);
}
std::string_view event_type(Action a) {
  return kEventTypes.name(a);
}
std::optional<GroupBy> parse_group_by(std::string_view s) {
  return kGroupBy.parse(s);
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

std::vector<store::Migration> migrations() {
  auto list = generated::grid_migrations();
  // The default class table is data (data/grid/classes.tsv), so its seed migration is written
  // from the embedded file rather than copied into SQL by hand.
  list.push_back({"grid", 1000, "default_classes", detail::default_classes_sql(), "", ""});
  return list;
}

// ---- Service -----------------------------------------------------------------------------------

Service::Impl::Impl(store::Store& s, const core::Clock& c, core::Random& r, identity::Service& i,
                    Options o)
    : store(s), clock(c), random(r), identity(i), options(std::move(o)) {
  indicators = detail::indicator_cache(*this);
}

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 identity::Service& identity, Options options)
    : impl_(std::make_unique<Impl>(store, clock, random, identity, std::move(options))) {}

Service::~Service() = default;

const Options& Service::options() const {
  return impl_->options;
}

Result<core::WorkingCalendar> Service::calendar() const {
  return impl_->calendar();
}

Result<core::WorkingCalendar> Service::Impl::calendar() const {
  if (options.calendar) return options.calendar();
  return core::WorkingCalendar::china_2026();
}

namespace detail {

// ---- Errors and input checks -------------------------------------------------------------------

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}
tl::unexpected<Error> forbidden(std::string zh, std::string en) {
  return fail(ErrorCode::forbidden, "", std::move(zh), std::move(en));
}
tl::unexpected<Error> conflict(std::string zh, std::string en) {
  return fail(ErrorCode::conflict, "", std::move(zh), std::move(en));
}

Status check_text(std::string_view v, const std::string& field, std::size_t min, std::size_t max,
                  bool multiline) {
  return core::check_text(v, field, {.min = min, .max = max, .multiline = multiline});
}

Status check_photo_refs(const std::vector<std::string>& photos, const std::string& field) {
  if (photos.size() > 9) return bad(field, "照片最多 9 张", "at most 9 photos");
  for (std::size_t i = 0; i < photos.size(); ++i) {
    std::string at = field + "/" + std::to_string(i);
    if (!core::is_sha256_hex(photos[i])) {
      return bad(at, "照片以其 SHA-256（64 位小写十六进制）引用",
                 "a photo is referenced by its sha256: 64 lower-case hex digits");
    }
    auto end = photos.begin() + static_cast<std::ptrdiff_t>(i);
    if (std::find(photos.begin(), end, photos[i]) != end) {
      return bad(at, "照片重复", "duplicate photo");
    }
  }
  return {};
}

std::optional<Error> upload_refusal(store::Tx& tx, const Options& o,
                                    const std::vector<std::string>& photos,
                                    const std::string& field, const identity::Principal& by) {
  if (!o.photo_check) return std::nullopt;
  for (std::size_t i = 0; i < photos.size(); ++i) {
    if (auto st = o.photo_check(tx, photos[i], by); !st) {
      Error e = st.error();
      e.field = field + "/" + std::to_string(i);
      return e;
    }
  }
  return std::nullopt;
}

Status check_point(Point p) {
  if (!std::isfinite(p.lon) || !std::isfinite(p.lat) || p.lon < -180 || p.lon > 180 ||
      p.lat < -90 || p.lat > 90) {
    return bad("/location", "经纬度无效", "invalid longitude / latitude");
  }
  return {};
}

// ---- Who is who --------------------------------------------------------------------------------

bool is_center_staff(const identity::Principal& by, const Options& o) {
  return by.is_official() && by.dept_id == o.center_dept_id;
}
bool center_role(const identity::Principal& by, std::string_view center, identity::Role r) {
  return by.is_official() && by.dept_id == center && by.has_role(r);
}
bool is_admin(const identity::Principal& by) {
  return by.is_official() && by.has_role(identity::Role::admin);
}
bool dept_official(const identity::Principal& by, std::string_view dept) {
  using identity::Role;
  return by.is_official() && !dept.empty() && by.dept_id == dept &&
         (by.has_role(Role::clerk) || by.has_role(Role::reviewer) || by.has_role(Role::approver));
}

}  // namespace detail
}  // namespace yiwang::grid
