// What the grid's tests (and the IoT and Open311 tests, which stand on the grid) share: square
// cells as GeoJSON, the two-cell district they import, and the test platform
// (tests/support/platform.h) with the grid's migrations and the grid centre's staff.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "grid/grid.h"
#include "support/platform.h"
#include "support/test_store.h"

namespace yiwang::grid::testing {

using identity::Principal;
using identity::Role;

// `hour`:`minute` China time on a 2026 date (2 March 2026 is a Monday).
inline core::Millis at(unsigned m, unsigned d, int hour, int minute = 0) {
  return yiwang::testing::at(2026, m, d, hour) + minute * 60000LL;
}

// A square cell of `side` degrees with its south-west corner at (x0, y0), as a GeoJSON Feature in
// 东山街道 / 幸福社区; `props` is appended to its properties (`,"supervisors":["jdy01"]`).
inline std::string square(const std::string& code, double x0, double y0, double side,
                          const std::string& props = "", const std::string& name = "网格") {
  auto f = [](double v) { return std::to_string(v); };
  double x1 = x0 + side, y1 = y0 + side;
  return R"({"type":"Feature","properties":{"code":")" + code + R"(","name":")" + name +
         R"(","street_name":"东山街道","community_name":"幸福社区")" + props +
         R"(},"geometry":{"type":"Polygon","coordinates":[[[)" + f(x0) + "," + f(y0) + "],[" +
         f(x1) + "," + f(y0) + "],[" + f(x1) + "," + f(y1) + "],[" + f(x0) + "," + f(y1) + "],[" +
         f(x0) + "," + f(y0) + "]]]}}";
}

// `,"supervisors":[…]` with the usernames given.
inline std::string supervisors(const std::vector<std::string>& usernames) {
  std::string s = R"(,"supervisors":[)";
  for (std::size_t i = 0; i < usernames.size(); ++i) {
    s += (i ? ",\"" : "\"") + usernames[i] + "\"";
  }
  return s + "]";
}

inline std::string collection(const std::vector<std::string>& features) {
  std::string s = R"({"type":"FeatureCollection","features":[)";
  for (std::size_t i = 0; i < features.size(); ++i) s += (i ? "," : "") + features[i];
  return s + "]}";
}

// The district of the service tests: cells 329900001001001 (x 118.00–118.01) and
// 329900001001002 (118.01–118.02) at latitude 31.00–31.01, with their supervisors.
inline std::string two_cells(const std::vector<std::string>& first_supervisors,
                             const std::vector<std::string>& second_supervisors,
                             const std::string& first_name = "网格",
                             const std::string& second_name = "网格") {
  return collection(
      {square("329900001001001", 118.0, 31.0, 0.01, supervisors(first_supervisors), first_name),
       square("329900001001002", 118.01, 31.0, 0.01, supervisors(second_supervisors),
              second_name)});
}

// The platform with the grid's migrations: a test opens it with its departments, makes the
// centre's staff and builds its services.
class GridPlatform : public yiwang::testing::PlatformTest {
 protected:
  // The store migrated with the grid's migrations (then `more`), the clock at `start`, and the
  // departments given (id, name) in order.
  void open_grid(core::Millis start, const std::vector<std::pair<std::string, std::string>>& depts,
                 const yiwang::testing::Modules& more = {}) {
    yiwang::testing::Modules modules = {migrations()};
    modules.insert(modules.end(), more.begin(), more.end());
    ASSERT_NO_FATAL_FAILURE(open(modules, start));
    for (const auto& [id, name] : depts) department(id, name);
  }

  // The grid centre's 受理员 (clerk), 派遣员 (dispatcher), 值班长 (chief) and an admin.
  void centre_staff() {
    clerk_ = official("grid.clerk", "grid", {Role::clerk});
    dispatcher_ = official("grid.dispatcher", "grid", {Role::reviewer});
    chief_ = official("grid.chief", "grid", {Role::approver});
    admin_ = official("admin", "grid", {Role::admin});
  }

  // The options the tests run the grid with: the hotline department is "12345".
  static Options options() {
    Options o;
    o.hotline_dept_id = "12345";
    return o;
  }

  // Imports `geojson` (replacing the cell set) as the admin; the number of cells imported.
  std::int64_t import(Service& grid, const std::string& geojson) {
    auto n = grid.import_cells(geojson, true, admin_);
    EXPECT_TRUE(n) << n.error().field << " " << n.error().message_en;
    return n ? *n : -1;
  }

  Principal clerk_, dispatcher_, chief_, admin_;
};

}  // namespace yiwang::grid::testing
