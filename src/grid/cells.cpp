// Unit grid cells: GeoJSON import, reading, and locating a point through the in-memory index of
// the stored cell set.
#include <map>

#include <nlohmann/json.hpp>

#include "events/events.h"
#include "grid/internal.h"

namespace yiwang::grid {

namespace {

using Json = nlohmann::json;
using detail::bad;
using identity::Principal;

Location location_of(const Cell& c) {
  return Location{c.code,        c.name,        c.community_code, c.community_name,
                  c.street_code, c.street_name, c.division_code};
}

// Supervisors must be officials with accounts; each name is looked up once, outside the write.
Status check_supervisors(const std::vector<Cell>& cells, identity::Service& identity) {
  std::map<std::string, bool> known;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto& sup = cells[i].supervisors;
    for (std::size_t j = 0; j < sup.size(); ++j) {
      auto [it, fresh] = known.emplace(sup[j], false);
      if (fresh) {
        auto u = identity.find_by_username(sup[j]);
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
  return {};
}

void insert_cell(store::Tx& tx, const Cell& c, core::Millis now) {
  Json sup = c.supervisors;
  tx.exec(std::string("INSERT INTO grid_cells (") + detail::kCellColumns +
              ", updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {c.code, c.name, c.division_code, c.street_code, c.street_name, c.community_code,
           c.community_name, sup.dump(), c.geometry_json, c.min_lon, c.min_lat, c.max_lon,
           c.max_lat, now});
  for (const auto& u : c.supervisors) {
    tx.exec("INSERT INTO grid_supervisors (username, cell_code) VALUES (?, ?)", {u, c.code});
  }
}

// Stores `cells` (replacing the whole set, or each cell by code), moves the revision the index
// follows and records the import.
Status write_cells(store::Tx& tx, const core::Clock& clock, const std::vector<Cell>& cells,
                   bool replace, const Principal& by) {
  const core::Millis now = clock.now_ms();
  if (replace) {
    tx.exec("DELETE FROM grid_cells");
    tx.exec("DELETE FROM grid_supervisors");
  }
  for (const auto& c : cells) {
    if (!replace) {
      tx.exec("DELETE FROM grid_cells WHERE code = ?", {c.code});
      tx.exec("DELETE FROM grid_supervisors WHERE cell_code = ?", {c.code});
    }
    insert_cell(tx, c, now);
  }
  tx.exec("UPDATE grid_meta SET value = value + 1 WHERE name = 'cells_revision'");
  auto total = tx.query_one("SELECT COUNT(*) FROM grid_cells");
  Json data = {{"imported", static_cast<std::int64_t>(cells.size())},
               {"replace", replace},
               {"total", total ? total->int64(0) : 0}};
  events::append(tx, clock,
                 {.type = "grid.cells_imported",
                  .subject_type = "grid_cells",
                  .actor = identity::actor_of(by),
                  .data_json = data.dump()});
  return {};
}

}  // namespace

namespace detail {

const char* const kCellColumns =
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

}  // namespace detail

// ---- Impl --------------------------------------------------------------------------------------

Result<std::shared_ptr<const IndexSnapshot>> Service::Impl::index_in(store::Tx& tx) {
  auto rev = tx.query_one("SELECT value FROM grid_meta WHERE name = 'cells_revision'");
  std::int64_t revision = rev ? rev->int64(0) : 0;
  {
    core::MutexLock lock(index_mu);
    if (index && index->revision == revision) return index;
  }
  // Built outside the lock: readers of the current snapshot do not wait for a rebuild.
  auto snap = std::make_shared<IndexSnapshot>();
  snap->revision = revision;
  for (const auto& r :
       tx.query(std::string("SELECT ") + detail::kCellColumns + " FROM grid_cells ORDER BY code")) {
    snap->cells.push_back(detail::cell_of(r));
  }
  auto built = CellIndex::build(snap->cells);
  if (!built) return fail(built.error());
  snap->index = std::move(*built);
  core::MutexLock lock(index_mu);
  if (!index || index->revision <= revision) index = snap;
  return std::shared_ptr<const IndexSnapshot>(snap);
}

Result<Location> Service::Impl::locate_in(store::Tx& tx, Point p) {
  if (auto st = detail::check_point(p); !st) return fail(st.error());
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
  auto row = tx.query_one(
      std::string("SELECT ") + detail::kCellColumns + " FROM grid_cells WHERE code = ?",
      {std::string(code)});
  if (!row) return fail(ErrorCode::not_found, "", "网格不存在", "grid cell not found");
  return detail::cell_of(*row);
}

// ---- Service -----------------------------------------------------------------------------------

Result<std::int64_t> Service::import_cells(std::string_view geojson, bool replace,
                                           const Principal& by) {
  auto& m = *impl_;
  if (!detail::is_admin(by) &&
      !detail::center_role(by, m.options.center_dept_id, identity::Role::approver)) {
    return detail::forbidden("仅管理员或值班长可导入网格",
                             "only admins or the centre's approver import cells");
  }
  auto cells = parse_cells_geojson(geojson);
  if (!cells) return fail(cells.error());
  if (auto st = check_supervisors(*cells, m.identity); !st) return fail(st.error());
  auto st = m.store.write(
      [&](store::Tx& tx) -> Status { return write_cells(tx, m.clock, *cells, replace, by); });
  if (!st) return fail(st.error());
  return static_cast<std::int64_t>(cells->size());
}

Result<std::vector<Cell>> Service::list_cells(std::string_view street_code) {
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<Cell>> {
    std::vector<Cell> out;
    std::string sql = std::string("SELECT ") + detail::kCellColumns + " FROM grid_cells";
    store::Params p;
    if (!street_code.empty()) {
      sql += " WHERE street_code = ?";
      p.push_back(std::string(street_code));
    }
    for (const auto& r : tx.query(sql + " ORDER BY code", p)) out.push_back(detail::cell_of(r));
    return out;
  });
}

Result<Cell> Service::get_cell(std::string_view code) {
  return impl_->store.read([&](store::Tx& tx) { return impl_->cell_in(tx, code); });
}

Result<Location> Service::locate(Point p) {
  return impl_->store.read([&](store::Tx& tx) { return impl_->locate_in(tx, p); });
}

}  // namespace yiwang::grid
