// Geometry of the grid: strict GeoJSON parsing of cells, the GEOS-backed point-in-polygon index
// and great-circle distances. GEOS is used only through its reentrant C API, whose ABI is stable
// across releases (the C++ API is not).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <geos_c.h>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/thread_annotations.h"
#include "core/utf8.h"
#include "grid/grid.h"

namespace yiwang::grid {

namespace {

using Json = nlohmann::json;

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

void collect_message(const char* message, void* userdata) {
  *static_cast<std::string*>(userdata) = message ? message : "";
}

// A GEOS context with its last error message kept (GEOS reports errors through a callback).
struct Context {
  GEOSContextHandle_t h = nullptr;
  std::string last_error;
  Context() {
    h = GEOS_init_r();
    if (!h) throw std::runtime_error("GEOS_init_r failed");
    GEOSContext_setErrorMessageHandler_r(h, collect_message, &last_error);
    GEOSContext_setNoticeMessageHandler_r(h, nullptr, nullptr);
  }
  ~Context() { GEOS_finish_r(h); }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
};

struct GeomDeleter {
  GEOSContextHandle_t h;
  void operator()(GEOSGeometry* g) const {
    if (g) GEOSGeom_destroy_r(h, g);
  }
};
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;

// Reads one linear ring of GeoJSON positions into a GEOS ring; `path` names the ring.
Result<GEOSGeometry*> ring_of(Context& c, const Json& ring, const std::string& path,
                              double box[4]) {
  if (!ring.is_array()) return bad(path, "环须为坐标数组", "a ring must be an array of positions");
  if (ring.size() < 4) {
    return bad(path, "环至少需要 4 个坐标（首尾相同）",
               "a ring needs at least 4 positions (first equal to last)");
  }
  GEOSCoordSequence* seq = GEOSCoordSeq_create_r(c.h, static_cast<unsigned>(ring.size()), 2);
  if (!seq) throw std::runtime_error("GEOSCoordSeq_create_r failed");
  for (std::size_t i = 0; i < ring.size(); ++i) {
    const Json& pos = ring[i];
    std::string at = path + "/" + std::to_string(i);
    if (!pos.is_array() || pos.size() < 2 || pos.size() > 3 || !pos[0].is_number() ||
        !pos[1].is_number() || (pos.size() == 3 && !pos[2].is_number())) {
      GEOSCoordSeq_destroy_r(c.h, seq);
      return bad(at, "坐标须为 [经度, 纬度]", "a position must be [lon, lat]");
    }
    double x = pos[0].get<double>(), y = pos[1].get<double>();
    if (!std::isfinite(x) || !std::isfinite(y) || x < -180 || x > 180 || y < -90 || y > 90) {
      GEOSCoordSeq_destroy_r(c.h, seq);
      return bad(at, "经纬度超出范围", "longitude or latitude out of range");
    }
    box[0] = std::min(box[0], x);
    box[1] = std::min(box[1], y);
    box[2] = std::max(box[2], x);
    box[3] = std::max(box[3], y);
    GEOSCoordSeq_setXY_r(c.h, seq, static_cast<unsigned>(i), x, y);
  }
  const Json& first = ring.front();
  const Json& last = ring.back();
  if (first[0].get<double>() != last[0].get<double>() ||
      first[1].get<double>() != last[1].get<double>()) {
    GEOSCoordSeq_destroy_r(c.h, seq);
    return bad(path, "环未闭合（首尾坐标须相同）", "ring is not closed (first and last differ)");
  }
  GEOSGeometry* g = GEOSGeom_createLinearRing_r(c.h, seq);  // takes the sequence
  if (!g) return bad(path, "无法构造环：" + c.last_error, "cannot build ring: " + c.last_error);
  return g;
}

Result<GEOSGeometry*> polygon_of(Context& c, const Json& rings, const std::string& path,
                                 double box[4]) {
  if (!rings.is_array() || rings.empty()) {
    return bad(path, "多边形须为非空的环数组", "a polygon must be a non-empty array of rings");
  }
  std::vector<GEOSGeometry*> parts;
  auto drop = [&] {
    for (auto* g : parts) GEOSGeom_destroy_r(c.h, g);
  };
  for (std::size_t i = 0; i < rings.size(); ++i) {
    auto r = ring_of(c, rings[i], path + "/" + std::to_string(i), box);
    if (!r) {
      drop();
      return fail(r.error());
    }
    parts.push_back(*r);
  }
  GEOSGeometry* poly = GEOSGeom_createPolygon_r(c.h, parts[0], parts.data() + 1,
                                                static_cast<unsigned>(parts.size() - 1));
  if (!poly) {
    drop();
    return bad(path, "无法构造多边形", "cannot build polygon");
  }
  return poly;
}

// A GeoJSON Polygon or MultiPolygon geometry object → a valid GEOS geometry. `path` is the
// geometry's pointer ("/features/3/geometry").
Result<GeomPtr> geometry_of(Context& c, const Json& g, const std::string& path, double box[4]) {
  if (!g.is_object()) return bad(path, "geometry 须为对象", "geometry must be an object");
  for (auto it = g.begin(); it != g.end(); ++it) {
    if (it.key() != "type" && it.key() != "coordinates" && it.key() != "bbox") {
      return bad(path + "/" + it.key(), "未知字段", "unknown field");
    }
  }
  auto t = g.find("type");
  if (t == g.end() || !t->is_string()) {
    return bad(path + "/type", "缺少几何类型", "geometry type is required");
  }
  auto coords = g.find("coordinates");
  if (coords == g.end()) {
    return bad(path + "/coordinates", "缺少坐标", "coordinates are required");
  }
  const std::string type = t->get<std::string>();
  GEOSGeometry* out = nullptr;
  if (type == "Polygon") {
    auto p = polygon_of(c, *coords, path + "/coordinates", box);
    if (!p) return fail(p.error());
    out = *p;
  } else if (type == "MultiPolygon") {
    if (!coords->is_array() || coords->empty()) {
      return bad(path + "/coordinates", "MultiPolygon 须为非空数组",
                 "a MultiPolygon needs at least one polygon");
    }
    std::vector<GEOSGeometry*> polys;
    for (std::size_t i = 0; i < coords->size(); ++i) {
      auto p = polygon_of(c, (*coords)[i], path + "/coordinates/" + std::to_string(i), box);
      if (!p) {
        for (auto* q : polys) GEOSGeom_destroy_r(c.h, q);
        return fail(p.error());
      }
      polys.push_back(*p);
    }
    out = GEOSGeom_createCollection_r(c.h, GEOS_MULTIPOLYGON, polys.data(),
                                      static_cast<unsigned>(polys.size()));
    if (!out) {
      for (auto* q : polys) GEOSGeom_destroy_r(c.h, q);
      return bad(path, "无法构造多多边形", "cannot build MultiPolygon");
    }
  } else {
    return bad(path + "/type", "网格几何须为 Polygon 或 MultiPolygon",
               "a cell's geometry must be a Polygon or MultiPolygon");
  }
  GeomPtr geom(out, GeomDeleter{c.h});
  if (GEOSisValid_r(c.h, out) != 1) {
    char* why = GEOSisValidReason_r(c.h, out);
    std::string reason = why ? why : "invalid";
    if (why) GEOSFree_r(c.h, why);
    return bad(path, "几何无效：" + reason, "invalid geometry: " + reason);
  }
  if (GEOSisEmpty_r(c.h, out) == 1) return bad(path, "几何为空", "empty geometry");
  return geom;
}

const std::set<std::string, std::less<>> kFeatureKeys = {"type", "geometry", "properties", "id",
                                                         "bbox"};
const std::set<std::string, std::less<>> kPropertyKeys = {"code", "name", "street_name",
                                                          "community_name", "supervisors"};

bool valid_username(std::string_view s) {
  if (s.size() < 3 || s.size() > 32) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
           ch == '-';
  });
}

Result<std::string> name_prop(const Json& props, const std::string& path, const char* key) {
  auto it = props.find(key);
  std::string at = path + "/" + key;
  if (it == props.end() || !it->is_string()) return bad(at, "须为字符串", "must be a string");
  std::string v = it->get<std::string>();
  for (unsigned char ch : v) {
    if (ch < 0x20 || ch == 0x7F) return bad(at, "含有控制字符", "contains control characters");
  }
  const std::size_t n = core::utf8_length(v);
  if (n == 0) return bad(at, "不能为空", "must not be empty");
  if (n > 100) return bad(at, "不得超过 100 个字符", "at most 100 characters");
  return v;
}

}  // namespace

bool valid_cell_code(std::string_view code) {
  return core::is_digits(code, 15);
}
bool valid_component_code(std::string_view code) {
  return core::is_digits(code, 16);
}

double distance_m(Point a, Point b) {
  constexpr double kR = 6371008.8;
  constexpr double kRad = M_PI / 180.0;
  double dlat = (b.lat - a.lat) * kRad, dlon = (b.lon - a.lon) * kRad;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(a.lat * kRad) *
                                                           std::cos(b.lat * kRad) *
                                                           std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kR * std::asin(std::min(1.0, std::sqrt(h)));
}

namespace {

// What one import has seen so far: codes, and the names given to each street and community code.
struct Seen {
  std::map<std::string, std::size_t> codes;
  std::map<std::string, std::string> community_names, street_names;
};

// The top level: a FeatureCollection of 1–100,000 features and nothing unknown.
Result<const Json*> features_of(const Json& doc) {
  if (!doc.is_object()) return bad("", "须为 GeoJSON 对象", "must be a GeoJSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() != "type" && it.key() != "features" && it.key() != "name" && it.key() != "crs" &&
        it.key() != "bbox") {
      return bad("/" + it.key(), "未知字段", "unknown field");
    }
  }
  if (!doc.contains("type") || doc["type"] != "FeatureCollection") {
    return bad("/type", "须为 FeatureCollection", "must be a FeatureCollection");
  }
  if (!doc.contains("features") || !doc["features"].is_array()) {
    return bad("/features", "features 须为数组", "features must be an array");
  }
  const Json& features = doc["features"];
  if (features.empty()) return bad("/features", "没有网格", "no cells");
  if (features.size() > 100000) {
    return bad("/features", "一次最多导入 100000 个网格", "at most 100,000 cells per import");
  }
  return &features;
}

// A Feature object with known members and a properties object; its properties.
Result<const Json*> properties_of(const Json& f, const std::string& path) {
  if (!f.is_object()) return bad(path, "须为 Feature 对象", "must be a Feature object");
  for (auto it = f.begin(); it != f.end(); ++it) {
    if (!kFeatureKeys.contains(it.key())) {
      return bad(path + "/" + it.key(), "未知字段", "unknown field");
    }
  }
  if (!f.contains("type") || f["type"] != "Feature") {
    return bad(path + "/type", "须为 Feature", "must be a Feature");
  }
  if (!f.contains("properties") || !f["properties"].is_object()) {
    return bad(path + "/properties", "properties 须为对象", "properties must be an object");
  }
  const Json& props = f["properties"];
  for (auto it = props.begin(); it != props.end(); ++it) {
    if (!kPropertyKeys.contains(it.key())) {
      return bad(path + "/properties/" + it.key(), "未知字段", "unknown field");
    }
  }
  return &props;
}

// The code (15 digits, not seen before) and the codes it implies.
Status read_code(Cell& cell, const Json& props, const std::string& pp, std::size_t i, Seen& seen) {
  auto code = props.find("code");
  if (code == props.end() || !code->is_string() || !valid_cell_code(code->get<std::string>())) {
    return bad(pp + "/code", "网格编码须为 15 位数字（6 位区划 + 3 位街道 + 3 位社区 + 3 位网格）",
               "a cell code is 15 digits: division 6, street 3, community 3, grid 3");
  }
  cell.code = code->get<std::string>();
  if (auto [it, fresh] = seen.codes.emplace(cell.code, i); !fresh) {
    return bad(pp + "/code", "网格编码重复（与 /features/" + std::to_string(it->second) + "）",
               "duplicate cell code (as /features/" + std::to_string(it->second) + ")");
  }
  cell.division_code = cell.code.substr(0, 6);
  cell.street_code = cell.code.substr(0, 9);
  cell.community_code = cell.code.substr(0, 12);
  return {};
}

// The names of the cell, its street and its community; one name per street and community code.
Status read_names(Cell& cell, const Json& props, const std::string& pp, Seen& seen) {
  auto name = name_prop(props, pp, "name");
  if (!name) return fail(name.error());
  cell.name = *name;
  auto street = name_prop(props, pp, "street_name");
  if (!street) return fail(street.error());
  cell.street_name = *street;
  auto community = name_prop(props, pp, "community_name");
  if (!community) return fail(community.error());
  cell.community_name = *community;
  if (auto [it, fresh] = seen.street_names.emplace(cell.street_code, cell.street_name);
      !fresh && it->second != cell.street_name) {
    return bad(pp + "/street_name", "同一街道编码的名称不一致：" + it->second,
               "street code already named differently: " + it->second);
  }
  if (auto [it, fresh] = seen.community_names.emplace(cell.community_code, cell.community_name);
      !fresh && it->second != cell.community_name) {
    return bad(pp + "/community_name", "同一社区编码的名称不一致：" + it->second,
               "community code already named differently: " + it->second);
  }
  return {};
}

// The optional supervisors: distinct usernames.
Status read_supervisors(Cell& cell, const Json& props, const std::string& pp) {
  auto sup = props.find("supervisors");
  if (sup == props.end()) return {};
  if (!sup->is_array()) {
    return bad(pp + "/supervisors", "须为用户名数组", "must be an array of usernames");
  }
  for (std::size_t j = 0; j < sup->size(); ++j) {
    const Json& u = (*sup)[j];
    std::string at = pp + "/supervisors/" + std::to_string(j);
    if (!u.is_string() || !valid_username(u.get<std::string>())) {
      return bad(at, "不是有效的用户名", "not a valid username");
    }
    if (std::find(cell.supervisors.begin(), cell.supervisors.end(), u.get<std::string>()) !=
        cell.supervisors.end()) {
      return bad(at, "监督员重复", "duplicate supervisor");
    }
    cell.supervisors.push_back(u.get<std::string>());
  }
  return {};
}

// The geometry, valid, kept compact with its bounding box.
Status read_geometry(Cell& cell, Context& c, const Json& f, const std::string& path) {
  if (!f.contains("geometry") || f["geometry"].is_null()) {
    return bad(path + "/geometry", "缺少几何", "geometry is required");
  }
  double box[4] = {180, 90, -180, -90};
  auto g = geometry_of(c, f["geometry"], path + "/geometry", box);
  if (!g) return fail(g.error());
  Json normal = {{"type", f["geometry"]["type"]}, {"coordinates", f["geometry"]["coordinates"]}};
  cell.geometry_json = normal.dump();
  cell.min_lon = box[0];
  cell.min_lat = box[1];
  cell.max_lon = box[2];
  cell.max_lat = box[3];
  return {};
}

// Feature `i`, checked in the order of its members: code, names, supervisors, geometry.
Result<Cell> cell_of_feature(Context& c, const Json& f, std::size_t i, Seen& seen) {
  const std::string path = "/features/" + std::to_string(i);
  auto props = properties_of(f, path);
  if (!props) return fail(props.error());
  const std::string pp = path + "/properties";
  Cell cell;
  if (auto st = read_code(cell, **props, pp, i, seen); !st) return fail(st.error());
  if (auto st = read_names(cell, **props, pp, seen); !st) return fail(st.error());
  if (auto st = read_supervisors(cell, **props, pp); !st) return fail(st.error());
  if (auto st = read_geometry(cell, c, f, path); !st) return fail(st.error());
  return cell;
}

}  // namespace

Result<std::vector<Cell>> parse_cells_geojson(std::string_view geojson) {
  Json doc = Json::parse(geojson, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return bad("", "GeoJSON 格式错误", "malformed JSON");
  auto features = features_of(doc);
  if (!features) return fail(features.error());
  Context c;
  std::vector<Cell> cells;
  cells.reserve((*features)->size());
  Seen seen;
  for (std::size_t i = 0; i < (*features)->size(); ++i) {
    auto cell = cell_of_feature(c, (**features)[i], i, seen);
    if (!cell) return fail(cell.error());
    cells.push_back(std::move(*cell));
  }
  return cells;
}

// ---- CellIndex ----------------------------------------------------------------------------------

struct CellIndex::Impl {
  struct Entry {
    std::size_t index;
    std::string code;
    GEOSGeometry* geom = nullptr;
    const GEOSPreparedGeometry* prepared = nullptr;
  };
  // Prepared geometries build their own indexes lazily on first use, so concurrent lookups
  // through one context are not safe: they are serialised by `mu`. build() fills these before
  // the index is shared (under the lock, for the analysis); afterwards only locate() uses them.
  mutable core::Mutex mu;
  Context c GUARDED_BY(mu);
  std::vector<Entry> entries GUARDED_BY(mu);
  GEOSSTRtree* tree GUARDED_BY(mu) = nullptr;

  ~Impl() {
    if (tree) GEOSSTRtree_destroy_r(c.h, tree);
    for (auto& e : entries) {
      if (e.prepared) GEOSPreparedGeom_destroy_r(c.h, e.prepared);
      if (e.geom) GEOSGeom_destroy_r(c.h, e.geom);
    }
  }
};

CellIndex::CellIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CellIndex::~CellIndex() = default;

Result<std::unique_ptr<CellIndex>> CellIndex::build(const std::vector<Cell>& cells) {
  auto impl = std::make_unique<Impl>();
  {
    // Not shared yet; locked for the analysis' sake.
    core::MutexLock lock(impl->mu);
    auto& c = impl->c;
    impl->entries.reserve(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) {
      Json g = Json::parse(cells[i].geometry_json, nullptr, false);
      double box[4] = {180, 90, -180, -90};
      auto geom = geometry_of(c, g, "/" + std::to_string(i), box);
      if (!geom) return fail(geom.error());
      Impl::Entry e;
      e.index = i;
      e.code = cells[i].code;
      e.geom = geom->release();
      impl->entries.push_back(std::move(e));
      impl->entries.back().prepared = GEOSPrepare_r(c.h, impl->entries.back().geom);
      if (!impl->entries.back().prepared) throw std::runtime_error("GEOSPrepare_r failed");
    }
    impl->tree = GEOSSTRtree_create_r(c.h, 10);
    if (!impl->tree) throw std::runtime_error("GEOSSTRtree_create_r failed");
    for (auto& e : impl->entries) GEOSSTRtree_insert_r(c.h, impl->tree, e.geom, &e);
  }
  return std::unique_ptr<CellIndex>(new CellIndex(std::move(impl)));
}

std::size_t CellIndex::size() const {
  core::MutexLock lock(impl_->mu);
  return impl_->entries.size();
}

std::optional<std::size_t> CellIndex::locate(Point p) const {
  if (!std::isfinite(p.lon) || !std::isfinite(p.lat)) return std::nullopt;
  core::MutexLock lock(impl_->mu);
  auto& c = impl_->c;
  if (impl_->entries.empty()) return std::nullopt;
  GeomPtr pt(GEOSGeom_createPointFromXY_r(c.h, p.lon, p.lat), GeomDeleter{c.h});
  struct Hits {
    std::vector<const Impl::Entry*> v;
  } hits;
  GEOSSTRtree_query_r(
      c.h, impl_->tree, pt.get(),
      [](void* item, void* user) {
        static_cast<Hits*>(user)->v.push_back(static_cast<const Impl::Entry*>(item));
      },
      &hits);
  const Impl::Entry* best = nullptr;
  for (const auto* e : hits.v) {
    if (best && e->code >= best->code) continue;
    // Intersects for a point = covers: the boundary belongs to the cell.
    if (GEOSPreparedIntersects_r(c.h, e->prepared, pt.get()) == 1) best = e;
  }
  if (!best) return std::nullopt;
  return best->index;
}

// ---- Working hours ------------------------------------------------------------------------------

std::int64_t working_ms_between(const core::WorkingCalendar& calendar, core::Millis from,
                                core::Millis to, const WorkingHours& hours) {
  if (to <= from) return 0;
  std::int32_t d0 = core::days_from_epoch(core::china_date(from));
  std::int32_t d1 = core::days_from_epoch(core::china_date(to));
  std::int64_t total = 0;
  for (std::int32_t d = d0; d <= d1; ++d) {
    core::Date date = core::date_from_days(d);
    if (!calendar.is_working_day(date)) continue;
    core::Millis mid = core::china_midnight(date);
    for (auto [s, e] : hours.windows) {
      core::Millis ws = mid + s * 60000LL, we = mid + e * 60000LL;
      core::Millis a = std::max<core::Millis>(ws, from), b = std::min<core::Millis>(we, to);
      if (b > a) total += b - a;
    }
  }
  return total;
}

core::Millis add_working_ms(const core::WorkingCalendar& calendar, core::Millis from,
                            std::int64_t working_ms, const WorkingHours& hours) {
  if (working_ms <= 0 || hours.windows.empty()) return from;
  std::int64_t left = working_ms;
  std::int32_t d = core::days_from_epoch(core::china_date(from));
  // Ten years of days: any sane limit ends long before; a calendar without working days ends here.
  for (int guard = 0; guard < 3660; ++guard, ++d) {
    core::Date date = core::date_from_days(d);
    if (!calendar.is_working_day(date)) continue;
    core::Millis mid = core::china_midnight(date);
    for (auto [s, e] : hours.windows) {
      core::Millis ws = std::max<core::Millis>(mid + s * 60000LL, from);
      core::Millis we = mid + e * 60000LL;
      if (we <= ws) continue;
      if (we - ws >= left) return ws + left;
      left -= we - ws;
    }
  }
  return from + working_ms;
}

}  // namespace yiwang::grid
