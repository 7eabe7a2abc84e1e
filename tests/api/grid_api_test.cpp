// Grid reports through the assembled App on both backends: photos are images the reporter
// uploaded through the file store (which refuses oversize files), and refusals change nothing.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/api_fixture.h"
#include "grid/grid.h"

namespace {

using namespace yiwang::api_testing;

class GridApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    district_.cells = 4;
    district_.columns = 2;
    district_.events = 0;
    ASSERT_TRUE(yiwang::grid::load_demo(app_->grid(), app_->identity(), district_,
                                        yiwang::demo::kPassword, app_->clock().now_ms()));
  }

  std::string upload(const std::string& token, const std::string& bytes,
                     const std::string& content_type, int status = 201) {
    auto r = call("POST", "/api/v1/files", bytes, token, content_type);
    EXPECT_EQ(status, r.status) << r.body;
    return json::parse(r.body, nullptr, false).value("sha256", "");
  }

  json report(std::vector<std::string> photos) {
    return {{"source", "supervisor"},
            {"class_code", "0101"},
            {"description", "人行道上有暴露垃圾"},
            {"location",
             {{"lon", district_.origin.lon + 0.002}, {"lat", district_.origin.lat + 0.002}}},
            {"photos", photos}};
  }

  yiwang::grid::DemoOptions district_;
};

TEST_P(GridApiTest, ReportPhotosAreImagesTheReporterUploaded) {
  auto cell = app_->grid().locate({district_.origin.lon + 0.002, district_.origin.lat + 0.002});
  ASSERT_TRUE(cell) << cell.error().message_en;
  auto detail = app_->grid().get_cell(cell->cell_code);
  ASSERT_TRUE(detail && !detail->supervisors.empty());
  const std::string supervisor = login(detail->supervisors.front());
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "pixels";
  const std::string mine = upload(supervisor, png, "image/png");
  const std::string pdf = upload(supervisor, "%PDF-1.4\n%%EOF\n", "application/pdf");
  const std::string theirs = upload(login("zhangsan"), png + "other", "image/png");
  // Oversize files are refused when uploaded, so no report can reference one.
  upload(supervisor, png + std::string(10 * 1024 * 1024, 'x'), "image/png", 413);

  const auto before = last_event();
  expect_problem(call("POST", "/api/v1/grid/events", report({mine, pdf}).dump(), supervisor), 400,
                 "/photos/1");
  expect_problem(call("POST", "/api/v1/grid/events", report({theirs}).dump(), supervisor), 400,
                 "/photos/0");
  EXPECT_EQ(before, last_event());
  auto filed = call_json("POST", "/api/v1/grid/events", report({mine}), supervisor, 201);
  EXPECT_EQ(1u, filed["photos"].size()) << filed.dump();
  // The centre's staff see the photo of the event; a citizen who did not report it does not.
  EXPECT_EQ(200, call("GET", "/api/v1/files/" + mine, "", login("grid.clerk")).status);
  EXPECT_EQ(404, call("GET", "/api/v1/files/" + mine, "", login("qiye")).status);
}

// 用证 by need (#16): the department a grid event was dispatched to may use the reporter's
// certificates with the event as the matter; another department may not.
TEST_P(GridApiTest, AGridEventIsAMatterToUseTheReportersCertificatesIn) {
  namespace grid = yiwang::grid;
  auto& ids = app_->identity();
  auto person = [&](const char* username) { return *ids.find_by_username(username); };
  grid::NewReport r;
  r.source = grid::Source::public_;
  r.class_code = "0101";
  r.description = "小区门口人行道上有暴露垃圾";
  r.location = {district_.origin.lon + 0.002, district_.origin.lat + 0.002};
  const auto reporter = person("zhangsan");
  auto event = app_->grid().report(r, &reporter);
  ASSERT_TRUE(event) << event.error().message_en;
  grid::ActionRequest step;
  step.action = grid::Action::accept;
  ASSERT_TRUE(app_->grid().act(event->id, step, person("grid.clerk")));
  step.action = grid::Action::register_;
  ASSERT_TRUE(app_->grid().act(event->id, step, person("grid.chief")));
  step.action = grid::Action::dispatch;
  step.dept_id = "zjj";
  auto dispatched = app_->grid().act(event->id, step, person("grid.dispatcher"));
  ASSERT_TRUE(dispatched) << dispatched.error().message_en;

  const std::string citizen = login("zhangsan");
  auto wallet = call_json("GET", "/api/v1/wallet/certificates", nullptr, citizen, 200);
  ASSERT_FALSE(wallet["items"].empty()) << "the demo issues zhangsan certificates";
  const std::string use = "/api/v1/certificates/" + wallet["items"][0].value("identifier", "") +
                          "?use_cause=" + yiwang::http::percent_encode("核实报告人身份") +
                          "&matter=grid_event:" + event->id;
  call_json("GET", use, nullptr, login("zjj.clerk"), 200);
  expect_problem(call("GET", use, "", login("gaj.clerk")), 403, "/matter");
}

TEST_P(GridApiTest, EventFiltersAreCheckedAndApplied) {
  const std::string centre = login("grid.clerk");
  expect_problem(call("GET", "/api/v1/grid/events?source=satellite", "", centre), 400, "source");
  expect_problem(call("GET", "/api/v1/grid/events?from=2026-13-01", "", centre), 400, "from");
  auto cell = app_->grid().locate({district_.origin.lon + 0.002, district_.origin.lat + 0.002});
  ASSERT_TRUE(cell) << cell.error().message_en;
  auto detail = app_->grid().get_cell(cell->cell_code);
  ASSERT_TRUE(detail && !detail->supervisors.empty());
  auto filed =
      call_json("POST", "/api/v1/grid/events", report({}), login(detail->supervisors.front()), 201);
  const std::string today = filed.value("reported_at", "").substr(0, 10);
  auto listed =
      call_json("GET", "/api/v1/grid/events?source=supervisor&from=" + today + "&to=" + today,
                nullptr, centre, 200);
  EXPECT_EQ(1, listed.value("total", 0)) << listed.dump();
  EXPECT_EQ(0, call_json("GET", "/api/v1/grid/events?source=sensor", nullptr, centre, 200)
                   .value("total", -1));
}

INSTANTIATE_TEST_SUITE_P(Backends, GridApiTest, ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
