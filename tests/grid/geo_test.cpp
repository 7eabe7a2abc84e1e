// Pure parts of the grid: GeoJSON parsing with feature paths, the GEOS point-in-polygon index
// (inside, outside, boundary, shared edges, holes) and the working-hours clock.
#include <chrono>

#include <gtest/gtest.h>

#include "grid/fixture.h"

namespace yiwang::grid {
namespace {

using testing::collection;
using testing::square;

TEST(GridGeoJson, ParsesCellsAndDerivesCodes) {
  auto cells = parse_cells_geojson(
      collection({square("329900001001001", 118.0, 31.0, 0.01),
                  square("329900001001002", 118.01, 31.0, 0.01, R"(,"supervisors":["jdy01"])")}));
  ASSERT_TRUE(cells) << cells.error().field << " " << cells.error().message_en;
  ASSERT_EQ(cells->size(), 2u);
  EXPECT_EQ((*cells)[1].street_code, "329900001");
  EXPECT_EQ((*cells)[1].community_code, "329900001001");
  EXPECT_EQ((*cells)[1].division_code, "329900");
  EXPECT_EQ((*cells)[1].supervisors, std::vector<std::string>{"jdy01"});
  EXPECT_DOUBLE_EQ((*cells)[0].max_lon, 118.01);
}

TEST(GridGeoJson, BadCodeNamesTheFeaturePath) {
  auto r = parse_cells_geojson(collection(
      {square("329900001001001", 118, 31, 0.01), square("329900001001002", 118.01, 31, 0.01),
       square("329900001001003", 118.02, 31, 0.01), square("32990000100100", 118.03, 31, 0.01)}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(r.error().field, "/features/3/properties/code");
}

TEST(GridGeoJson, DuplicateCodeAndUnknownProperty) {
  auto dup = parse_cells_geojson(collection(
      {square("329900001001001", 118, 31, 0.01), square("329900001001001", 118.01, 31, 0.01)}));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().field, "/features/1/properties/code");
  auto unknown = parse_cells_geojson(
      collection({square("329900001001001", 118, 31, 0.01, R"(,"colour":"red")")}));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "/features/0/properties/colour");
}

TEST(GridGeoJson, BadGeometry) {
  // A bow tie: self-intersecting, invalid for GEOS.
  std::string bowtie = R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":
    {"code":"329900001001001","name":"a","street_name":"s","community_name":"c"},
    "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]})";
  auto r = parse_cells_geojson(bowtie);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "/features/0/geometry");
  EXPECT_NE(r.error().message_en.find("invalid geometry"), std::string::npos);

  std::string open_ring = R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":
    {"code":"329900001001001","name":"a","street_name":"s","community_name":"c"},
    "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0.5]]]}}]})";
  r = parse_cells_geojson(open_ring);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "/features/0/geometry/coordinates/0");

  std::string point = R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":
    {"code":"329900001001001","name":"a","street_name":"s","community_name":"c"},
    "geometry":{"type":"Point","coordinates":[0,0]}}]})";
  r = parse_cells_geojson(point);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "/features/0/geometry/type");

  std::string bad_pos = R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":
    {"code":"329900001001001","name":"a","street_name":"s","community_name":"c"},
    "geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,"x"],[0,0]]]]}}]})";
  r = parse_cells_geojson(bad_pos);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "/features/0/geometry/coordinates/0/0/3");

  EXPECT_EQ(parse_cells_geojson("{").error().field, "");
  EXPECT_EQ(parse_cells_geojson(R"({"type":"FeatureCollection","features":[]})").error().field,
            "/features");
}

TEST(GridIndex, InsideOutsideBoundaryAndHoles) {
  // Two squares sharing the edge x = 1, and a third with a hole.
  std::string holed = R"({"type":"Feature","properties":{"code":"329900001001003","name":"h",
    "street_name":"东山街道","community_name":"幸福社区"},"geometry":{"type":"Polygon",
    "coordinates":[[[3,0],[5,0],[5,2],[3,2],[3,0]],[[3.5,0.5],[4.5,0.5],[4.5,1.5],[3.5,1.5],[3.5,0.5]]]}})";
  auto cells = parse_cells_geojson(
      collection({square("329900001001002", 1, 0, 1), square("329900001001001", 0, 0, 1), holed}));
  ASSERT_TRUE(cells) << cells.error().message_en;
  auto index = CellIndex::build(*cells);
  ASSERT_TRUE(index);
  auto code = [&](double x, double y) -> std::string {
    auto i = (*index)->locate({x, y});
    return i ? (*cells)[*i].code : "";
  };
  EXPECT_EQ(code(0.5, 0.5), "329900001001001");
  EXPECT_EQ(code(1.5, 0.5), "329900001001002");
  EXPECT_EQ(code(1.0, 0.5), "329900001001001");  // shared edge: smallest code
  EXPECT_EQ(code(2.0, 0.5), "329900001001002");  // outer boundary belongs to the cell
  EXPECT_EQ(code(0.0, 0.0), "329900001001001");  // corner
  EXPECT_EQ(code(2.5, 0.5), "");
  EXPECT_EQ(code(-0.000001, 0.5), "");
  EXPECT_EQ(code(4.0, 1.0), "");  // in the hole
  EXPECT_EQ(code(3.2, 1.0), "329900001001003");
  EXPECT_EQ((*index)->size(), 3u);
}

core::Millis at(unsigned m, unsigned d, int hour, int minute = 0) {
  using namespace std::chrono;
  return core::china_midnight(core::Date{year{2026}, month{m}, day{d}}) +
         (hour * 60 + minute) * 60000LL;
}

TEST(GridClock, WorkingMinutes) {
  auto cal = core::WorkingCalendar::china_2026();
  // Monday 2026-03-02: 08:30-12:00 and 13:30-17:30 is 450 minutes.
  EXPECT_EQ(working_ms_between(cal, at(3, 2, 0), at(3, 3, 0)), 450 * 60000LL);
  EXPECT_EQ(working_ms_between(cal, at(3, 2, 11, 30), at(3, 2, 14, 0)), 60 * 60000LL);
  // Friday 17:00 to Monday 09:00: 30 + 30 minutes.
  EXPECT_EQ(working_ms_between(cal, at(3, 6, 17), at(3, 9, 9)), 60 * 60000LL);
  EXPECT_EQ(working_ms_between(cal, at(3, 9, 9), at(3, 6, 17)), 0);
  // Labour Day holiday 2026-05-01..05: nothing counts.
  EXPECT_EQ(working_ms_between(cal, at(5, 1, 0), at(5, 6, 0)), 0);
  // 60 working minutes from Friday 17:00 end on Monday 09:00.
  EXPECT_EQ(add_working_ms(cal, at(3, 6, 17), 60 * 60000LL), at(3, 9, 9));
  // From lunch time the clock starts at 13:30.
  EXPECT_EQ(add_working_ms(cal, at(3, 2, 12, 10), 30 * 60000LL), at(3, 2, 14));
  // Exactly a morning's worth ends at 12:00.
  EXPECT_EQ(add_working_ms(cal, at(3, 2, 8, 30), 210 * 60000LL), at(3, 2, 12));
}

TEST(GridCodes, Validators) {
  EXPECT_TRUE(valid_cell_code("329900001001001"));
  EXPECT_FALSE(valid_cell_code("32990000100100a"));
  EXPECT_TRUE(valid_component_code("3299000101000001"));
  EXPECT_FALSE(valid_component_code("329900010100001"));
  EXPECT_NEAR(distance_m({118.78, 31.95}, {118.78, 31.96}), 1111.9, 1.0);
  EXPECT_GE(default_classes().size(), 40u);
}

}  // namespace
}  // namespace yiwang::grid
