// The IoT service's frame: migrations, construction, the subscriber's start and stop, counters,
// status, and the errors and access checks its files share.
#include <cstdio>

#include "iot/internal.h"

namespace yiwang::generated {
std::vector<store::Migration> iot_migrations();
}

namespace yiwang::iot {

using identity::Principal;
using identity::Role;

std::vector<store::Migration> migrations() {
  return generated::iot_migrations();
}

void Service::Impl::log(std::string_view line) const {
  if (options.log) {
    options.log(line);
  } else {
    std::fprintf(stderr, "iot: %.*s\n", static_cast<int>(line.size()), line.data());
  }
}

// ---- Service -----------------------------------------------------------------------------------

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 identity::Service& identity, grid::Service& grid, Options options)
    : impl_(std::make_unique<Impl>(store, clock, random, identity, grid, std::move(options))) {}

Service::~Service() {
  stop();
}

const Options& Service::options() const {
  return impl_->options;
}

bool Service::connected() const {
  return impl_->connected.load();
}

Status Service::start() {
  auto resumed = impl_->sweep(0);
  if (!resumed) impl_->log("start: " + resumed.error().message_en);
  return impl_->start_subscriber();
}

void Service::stop() {
  impl_->stop_subscriber();
}

Result<IngestResult> Service::ingest(std::string_view topic, std::string_view payload) {
  return impl_->ingest(topic, payload);
}

Result<SweepResult> Service::sweep() {
  return impl_->sweep(detail::kMinute);
}

Counters Service::counters() const {
  const auto& c = impl_->counters;
  Counters out;
  out.received = c.received;
  out.malformed = c.malformed;
  out.unknown_sensor = c.unknown_sensor;
  out.replayed = c.replayed;
  out.heartbeats = c.heartbeats;
  out.below_threshold = c.below_threshold;
  out.created = c.created;
  out.deduplicated = c.deduplicated;
  out.suppressed = c.suppressed;
  out.failed = c.failed;
  return out;
}

Result<StatusSummary> Service::status(const Principal& by) {
  auto& m = *impl_;
  if (auto st = detail::can_read(by, m.grid); !st) return fail(st.error());
  auto s = m.store.read([&](store::Tx& tx) -> Result<StatusSummary> {
    StatusSummary out;
    auto row = tx.query_one(
        "SELECT COUNT(*), "
        "COALESCE(SUM(CASE WHEN state = 'online' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN last_seen_at_ms IS NULL THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(in_alarm), 0), COALESCE(SUM(flapping), 0) FROM iot_sensors");
    out.sensors = row->int64(0);
    out.online = row->int64(1);
    out.offline = out.sensors - out.online;
    out.never_seen = row->int64(2);
    out.in_alarm = row->int64(3);
    out.flapping = row->int64(4);
    out.pending_alarms =
        tx.query_one("SELECT COUNT(*) FROM iot_alarms WHERE outcome = 'pending'")->int64(0);
    return out;
  });
  if (!s) return s;
  s->subscriber_running = m.subscriber_running();
  s->broker_connected = m.connected.load();
  s->counters = counters();
  return s;
}

namespace detail {

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}
tl::unexpected<Error> forbidden(std::string zh, std::string en) {
  return fail(ErrorCode::forbidden, "", std::move(zh), std::move(en));
}
tl::unexpected<Error> sensor_not_found() {
  return fail(ErrorCode::not_found, "", "传感器不存在", "sensor not found");
}
tl::unexpected<Error> rule_missing() {
  return fail(ErrorCode::internal, "", "缺少规则", "rule missing");
}

bool is_admin(const Principal& p) {
  return p.is_official() && p.has_role(Role::admin);
}

Status can_read(const Principal& by, const grid::Service& grid) {
  if (is_admin(by) || (by.is_official() && by.dept_id == grid.options().center_dept_id)) return {};
  return forbidden("仅管理员或监督指挥中心可查看物联感知",
                   "only admins and the grid centre see IoT data");
}

Status can_edit_sensors(const Principal& by, const grid::Service& grid) {
  if (is_admin(by) || (by.is_official() && by.dept_id == grid.options().center_dept_id &&
                       by.has_role(Role::approver))) {
    return {};
  }
  return forbidden("仅管理员或监督指挥中心值班长可维护传感器",
                   "only admins and grid-centre approvers edit sensors");
}

}  // namespace detail
}  // namespace yiwang::iot
