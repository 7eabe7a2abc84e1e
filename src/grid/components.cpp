// The component inventory (部件): upserts, reads and the nearest component to a point (which also
// suggests who fixes a reported component).
#include <algorithm>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "events/events.h"
#include "grid/internal.h"

namespace yiwang::grid {

namespace {

using Json = nlohmann::json;
using detail::bad;
using identity::Principal;

const std::set<std::string, std::less<>> kComponentStates = {"normal", "damaged", "missing",
                                                             "removed"};

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

Status may_edit(const Principal& by, const Options& o) {
  if (detail::is_admin(by) || detail::is_center_staff(by, o)) return {};
  return detail::forbidden("仅管理员或监督指挥中心可维护部件",
                           "only admins or the grid centre edit components");
}

// Admins or grid-centre staff; code, type, state, location, then the owner (asked of identity).
Status check_component(const Component& in, const Principal& by, const Options& o,
                       identity::Service& identity) {
  if (auto st = may_edit(by, o); !st) return st;
  if (!valid_component_code(in.code)) {
    return bad("/code", "部件编码须为 16 位数字（6 位区划 + 2 位大类 + 2 位小类 + 6 位序号）",
               "a component code is 16 digits: division 6, major 2, minor 2, serial 6");
  }
  if (auto st = detail::check_text(in.type, "/type", 1, 50, false); !st) return st;
  if (!kComponentStates.contains(in.state)) {
    return bad("/state", "状态须为 normal、damaged、missing 或 removed",
               "state must be normal, damaged, missing or removed");
  }
  if (auto st = detail::check_point(in.location); !st) return st;
  if (in.dept_id.empty() || !identity.get_department(in.dept_id)) {
    return bad("/dept_id", "权属部门不存在", "no such owner department");
  }
  return {};
}

// Replaces the row of `c.code` and records the change (state and owner before and after).
void write_component(store::Tx& tx, const core::Clock& clock, const Component& c,
                     const Principal& by) {
  auto old = tx.query_one("SELECT state, dept_id FROM grid_components WHERE code = ?", {c.code});
  tx.exec("DELETE FROM grid_components WHERE code = ?", {c.code});
  tx.exec(std::string("INSERT INTO grid_components (") + kComponentColumns +
              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {c.code, c.class_code, c.type, c.dept_id, c.location.lon, c.location.lat, c.state,
           c.cell_code, c.updated_at_ms});
  Json after = {
      {"code", c.code}, {"state", c.state}, {"dept_id", c.dept_id}, {"cell_code", c.cell_code}};
  std::string before;
  if (old) {
    before = Json{{"code", c.code}, {"state", old->text(0)}, {"dept_id", old->text(1)}}.dump();
  }
  events::append(tx, clock,
                 {.type = "grid.component_saved",
                  .subject_type = "grid_component",
                  .subject_id = c.code,
                  .actor = identity::actor_of(by),
                  .before_json = before,
                  .after_json = after.dump()});
}

}  // namespace

namespace detail {

std::optional<NearestComponent> nearest_in(store::Tx& tx, Point p, double max_m,
                                           std::string_view class_code) {
  // A box of max_m around the point narrows the rows; the distance decides.
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
}

}  // namespace detail

Status Service::may_edit_components(const Principal& by) const {
  return may_edit(by, impl_->options);
}

Result<Component> Service::save_component(const Component& in, const Principal& by) {
  auto& m = *impl_;
  if (auto st = check_component(in, by, m.options, m.identity); !st) return fail(st.error());
  Component c = in;
  c.class_code = in.code.substr(6, 4);
  c.updated_at_ms = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Result<Component> {
    if (!detail::load_class(tx, ClassKind::component, c.class_code)) {
      return bad("/code", "编码中的部件分类不存在：" + c.class_code,
                 "the code's component class does not exist: " + c.class_code);
    }
    auto where = m.locate_in(tx, c.location);
    if (!where) return fail(where.error());
    c.cell_code = where->cell_code;
    write_component(tx, m.clock, c, by);
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
  if (auto st = detail::check_point(p); !st) return fail(st.error());
  if (!(max_m > 0) || max_m > 10000) {
    return bad("max_m", "搜索半径须在 0–10000 米之间", "max_m must be in (0, 10000] metres");
  }
  return impl_->store.read([&](store::Tx& tx) -> Result<std::optional<NearestComponent>> {
    return detail::nearest_in(tx, p, max_m, class_code);
  });
}

}  // namespace yiwang::grid
