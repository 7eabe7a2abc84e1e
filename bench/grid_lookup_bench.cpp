// Point-in-polygon lookups per second over a 100 × 100 lattice of irregular quadrilateral cells
// (10,000 cells), through the same GEOS STRtree index the grid service uses.
// Usage: bench_grid_lookup [lookups=1000000] [side=100]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "grid/grid.h"

int main(int argc, char** argv) {
  using namespace yiwang;
  const long lookups = argc > 1 ? std::atol(argv[1]) : 1000000;
  const int side = argc > 2 ? std::atoi(argv[2]) : 100;
  const double deg = 0.004;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> jitter(-0.15, 0.15);
  std::vector<std::vector<grid::Point>> v(side + 1, std::vector<grid::Point>(side + 1));
  for (int r = 0; r <= side; ++r) {
    for (int c = 0; c <= side; ++c) {
      double jx = (c > 0 && c < side) ? jitter(rng) : 0, jy = (r > 0 && r < side) ? jitter(rng) : 0;
      v[r][c] = {118.0 + (c + jx) * deg, 31.0 + (r + jy) * deg};
    }
  }
  nlohmann::json features = nlohmann::json::array();
  for (int r = 0; r < side; ++r) {
    for (int c = 0; c < side; ++c) {
      nlohmann::json ring = nlohmann::json::array();
      for (auto p : {v[r][c], v[r][c + 1], v[r + 1][c + 1], v[r + 1][c], v[r][c]}) {
        ring.push_back({p.lon, p.lat});
      }
      char code[32];
      std::snprintf(code, sizeof code, "329900%03d%03d%03d", c + 1, r + 1, 1);
      features.push_back({{"type", "Feature"},
                          {"geometry", {{"type", "Polygon"}, {"coordinates", {ring}}}},
                          {"properties",
                           {{"code", code},
                            {"name", "cell"},
                            {"street_name", std::string("street ") + std::to_string(c)},
                            {"community_name", std::string("community ") + std::to_string(r)}}}});
    }
  }
  std::string doc = nlohmann::json{{"type", "FeatureCollection"}, {"features", features}}.dump();
  auto t0 = std::chrono::steady_clock::now();
  auto cells = grid::parse_cells_geojson(doc);
  if (!cells) {
    std::fprintf(stderr, "parse: %s %s\n", cells.error().field.c_str(),
                 cells.error().message_en.c_str());
    return 1;
  }
  auto t1 = std::chrono::steady_clock::now();
  auto index = grid::CellIndex::build(*cells);
  if (!index) return 1;
  auto t2 = std::chrono::steady_clock::now();
  std::uniform_real_distribution<double> lon(118.0 - deg, 118.0 + (side + 1) * deg);
  std::uniform_real_distribution<double> lat(31.0 - deg, 31.0 + (side + 1) * deg);
  std::vector<grid::Point> points(static_cast<std::size_t>(lookups));
  for (auto& p : points) p = {lon(rng), lat(rng)};
  long found = 0;
  auto t3 = std::chrono::steady_clock::now();
  for (const auto& p : points) found += (*index)->locate(p).has_value();
  auto t4 = std::chrono::steady_clock::now();
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf(
      "cells=%zu parse+validate=%.2fs build=%.2fs lookups=%ld inside=%ld "
      "rate=%.0f lookups/s (%.2f us each, one thread)\n",
      cells->size(), secs(t0, t1), secs(t1, t2), lookups, found, lookups / secs(t3, t4),
      1e6 * secs(t3, t4) / lookups);
  return 0;
}
