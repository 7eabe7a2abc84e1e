// GeoJSON cells for the grid (grid/grid.h): the FeatureCollection an admin imports
// (Service::import_cells), parsed strictly, then indexed with GEOS as the service does.
//
// The input is the GeoJSON. Checks: every parsed cell has a 15-digit code whose prefixes are its
// division, street and community codes, a compact geometry that is JSON, and a bounding box
// with min ≤ max; the index builds or refuses with invalid_input; a point the index places lies
// within that cell's bounding box.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "grid/grid.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yiwang;
  std::string_view geojson(reinterpret_cast<const char*>(data), size);
  auto cells = grid::parse_cells_geojson(geojson);
  if (!cells) {
    fuzz::check(cells.error().code == ErrorCode::invalid_input, "a refusal is invalid input");
    return 0;
  }
  for (const auto& c : *cells) {
    fuzz::check(c.code.size() == 15 && c.code.starts_with(c.division_code) &&
                    c.code.starts_with(c.street_code) && c.code.starts_with(c.community_code),
                "a cell code and its prefixes");
    fuzz::check(!nlohmann::json::parse(c.geometry_json, nullptr, false).is_discarded(),
                "a cell geometry is JSON");
    fuzz::check(c.min_lon <= c.max_lon && c.min_lat <= c.max_lat, "a bounding box");
  }
  auto index = grid::CellIndex::build(*cells);
  if (!index) {
    fuzz::check(index.error().code == ErrorCode::invalid_input, "an unindexable cell is refused");
    return 0;
  }
  for (const auto& c : *cells) {
    grid::Point centre{(c.min_lon + c.max_lon) / 2, (c.min_lat + c.max_lat) / 2};
    if (auto at = (*index)->locate(centre)) {
      fuzz::check(*at < cells->size(), "the index names a cell");
      const auto& found = (*cells)[*at];
      fuzz::check(centre.lon >= found.min_lon && centre.lon <= found.max_lon &&
                      centre.lat >= found.min_lat && centre.lat <= found.max_lat,
                  "a located point lies in its cell's box");
    }
    fuzz::check(std::isfinite(grid::distance_m(centre, {c.min_lon, c.min_lat})),
                "a distance is finite");
  }
  return 0;
}
