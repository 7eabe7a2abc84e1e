// Hot-issue routes through a Router (no sockets) on both backends: who may read them, the
// window, bad parameters, JSON and the CSV export.
#include <memory>
#include <string>

#include "appeals/fixture.h"
#include "appeals/hot_issues.h"

namespace yiwang::appeals {
namespace {

using identity::Role;
using nlohmann::json;

constexpr core::Millis kStart = 1767225600000;  // 2026-01-01T00:00:00Z

class HotRoutesTest : public testing::AppealsFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open(kStart));
    for (auto id : {"12345", "zjj", "jcj"}) department(id, id);
    hotline_ = official("hotline.op", "12345", {Role::clerk});
    official("zjj.clerk", "zjj", {Role::clerk});
    official("jiancha", "jcj", {Role::supervisor});
    official("admin", "zjj", {Role::admin});
    citizen_ = citizen("zhangsan", "zhangsan", "11010519491231002", "13900000000");
    service_ = std::make_unique<Service>(*store_, clock_, random_, *ids_, testing::with_hotline());
    identity::register_routes(router_, *ids_);
    HotOptions hot;
    hot.hotline_dept_id = testing::kHotline;
    register_hot_issue_routes(router_, *store_, clock_, *ids_, hot);
    for (auto name : {"hotline.op", "zjj.clerk", "jiancha", "admin", "zhangsan"}) api_.login(name);
  }

  // A phone call entered by the hotline: each caller's number is a person of its own.
  std::string call_in(const std::string& phone, const std::string& title, const std::string& text,
                      const std::string& location = "A1区幸福里小区") {
    NewAppeal n;
    n.channel = Channel::phone;
    n.type = Type::complaint;
    n.title = title;
    n.text = text;
    n.location = location;
    n.caller = Caller{"来电人", phone};
    auto r = service_->submit(n, hotline_);
    EXPECT_TRUE(r) << (r ? "" : r.error().message_en);
    return r ? r->appeal.id : "";
  }

  http::Response call(const std::string& path, const std::string& who) {
    return api_.call("GET", path, "", who);
  }

  json get_json(const std::string& path, const std::string& who, int status) {
    return api_.call_json("GET", path, nullptr, who, status);
  }

  // Three callers about the broken lift of 幸福里 (one of them calling twice), one about
  // another estate, and one old call outside a 30-day window.
  void seed() {
    old_ = call_in("13800000009", "幸福里小区电梯经常坏", "幸福里小区的电梯经常坏，请尽快维修。");
    clock_.advance(40 * core::kDayMs);
    lift_.push_back(
        call_in("13800000001", "幸福里小区电梯经常坏",
                "A1区幸福里小区3栋的电梯经常坏，老人上下楼很困难，请物业尽快维修电梯。"));
    clock_.advance(3600 * 1000);
    lift_.push_back(call_in("13800000002", "反映幸福里小区电梯故障",
                            "幸福里小区电梯故障一个多月了，物业一直不修，老人小孩上楼困难。"));
    clock_.advance(3600 * 1000);
    lift_.push_back(call_in("13800000003", "A1区幸福里电梯坏了没人修",
                            "我们幸福里小区的电梯坏了没人维修，住高层的老人出不了门。"));
    clock_.advance(3600 * 1000);
    // The first caller again: merged into the first appeal, one more report by the same person.
    auto again = call_in("13800000001", "幸福里小区电梯经常坏",
                         "A1区幸福里小区3栋的电梯经常坏，老人上下楼很困难，请物业尽快维修电梯。");
    EXPECT_EQ(lift_[0], again);
    clock_.advance(3600 * 1000);
    other_ = call_in("13800000004", "和平花园路灯不亮",
                     "和平花园小区门口的路灯坏了半年，晚上很黑。", "A1区和平花园");
    clock_.advance(3600 * 1000);
    // Sessions expire in 8 hours; the calls above spanned 40 days.
    api_.login_again();
  }

  std::unique_ptr<Service> service_;
  http::Router router_;
  testing::SignedIn api_{router_};
  identity::Principal hotline_, citizen_;
  std::string old_, other_;
  std::vector<std::string> lift_;
};

TEST_P(HotRoutesTest, HotlineSupervisorsAndAdminsReadHotIssues) {
  seed();
  auto body = get_json("/api/v1/appeals/hot-issues", "hotline.op", 200);
  EXPECT_EQ(30, body.value("window_days", 0));
  EXPECT_EQ(core::format_instant(clock_.now_ms()), body.value("generated_at", ""));
  ASSERT_TRUE(body["issues"].is_array());
  ASSERT_EQ(1u, body["issues"].size()) << body.dump();
  const json& h = body["issues"][0];
  EXPECT_EQ("HI-" + lift_[0], h.value("id", ""));
  EXPECT_EQ("幸福里", h.value("place", ""));
  EXPECT_EQ(4, h.value("count", 0)) << "three callers, one of whom called twice";
  EXPECT_EQ(3, h.value("people", 0));
  EXPECT_EQ(0, h.value("likes", -1));
  EXPECT_EQ(lift_, h["appeal_ids"].get<std::vector<std::string>>());
  EXPECT_TRUE(h["dept_ids"].is_array() && h["dept_ids"].empty());
  EXPECT_GT(h.value("heat", 0.0), 0.0);
  EXPECT_FALSE(h.value("title", "").empty());
  EXPECT_TRUE(h["entities"].is_array());
  EXPECT_NE(h.value("first_at", ""), h.value("last_at", ""));

  // A longer window takes in the old call of the same matter.
  body = get_json("/api/v1/appeals/hot-issues?days=60&limit=5", "jiancha", 200);
  EXPECT_EQ(60, body.value("window_days", 0));
  ASSERT_EQ(1u, body["issues"].size());
  EXPECT_EQ(5, body["issues"][0].value("count", 0));
  EXPECT_EQ("HI-" + old_, body["issues"][0].value("id", ""));

  body = get_json("/api/v1/appeals/hot-issues?days=7", "admin", 200);
  EXPECT_EQ(1u, body["issues"].size());
  body = get_json("/api/v1/appeals/hot-issues?days=1", "admin", 200);
  EXPECT_EQ(1u, body["issues"].size());
  body = get_json("/api/v1/appeals/hot-issues?limit=1", "hotline.op", 200);
  EXPECT_EQ(1u, body["issues"].size());
}

// Screens refreshing an unchanged window share one grouping; any change to the window's appeals,
// or a minute's age, computes it again.
TEST_P(HotRoutesTest, AnUnchangedWindowIsGroupedOnceAMinute) {
  seed();
  const auto first = get_json("/api/v1/appeals/hot-issues", "hotline.op", 200);
  ASSERT_EQ(1u, first["issues"].size()) << first.dump();
  clock_.advance(10 * 1000);
  auto again = get_json("/api/v1/appeals/hot-issues", "jiancha", 200);
  EXPECT_EQ(first, again) << "reused, with the time it was computed";

  // A new report of the same matter.
  call_in("13800000005", "幸福里小区电梯又坏了", "幸福里小区电梯今天又坏了，老人上下楼很困难。");
  auto grown = get_json("/api/v1/appeals/hot-issues", "hotline.op", 200);
  EXPECT_EQ(core::format_instant(clock_.now_ms()), grown.value("generated_at", ""));
  ASSERT_EQ(1u, grown["issues"].size()) << grown.dump();
  EXPECT_EQ(first["issues"][0].value("count", 0) + 1, grown["issues"][0].value("count", 0));

  // A dispatch changes no count but the departments involved.
  clock_.advance(1000);
  ActionRequest dispatch;
  dispatch.dept_id = "zjj";
  ASSERT_TRUE(service_->act(lift_.front(), dispatch, hotline_));
  auto dispatched = get_json("/api/v1/appeals/hot-issues", "hotline.op", 200);
  EXPECT_EQ(std::vector<std::string>{"zjj"},
            dispatched["issues"][0]["dept_ids"].get<std::vector<std::string>>());

  // Within the minute the grouping is reused; a minute after it was computed, it is computed again.
  clock_.advance(30 * 1000);
  EXPECT_EQ(dispatched.value("generated_at", ""),
            get_json("/api/v1/appeals/hot-issues", "admin", 200).value("generated_at", ""));
  clock_.advance(31 * 1000);
  auto aged = get_json("/api/v1/appeals/hot-issues", "admin", 200);
  EXPECT_EQ(core::format_instant(clock_.now_ms()), aged.value("generated_at", ""));
  EXPECT_EQ(dispatched["issues"][0].value("count", 0), aged["issues"][0].value("count", 0));
}

TEST_P(HotRoutesTest, NothingHotWithoutRepeatedReports) {
  auto body = get_json("/api/v1/appeals/hot-issues", "hotline.op", 200);
  EXPECT_TRUE(body["issues"].empty());
  call_in("13800000004", "和平花园路灯不亮", "和平花园小区门口的路灯坏了半年，晚上很黑。");
  body = get_json("/api/v1/appeals/hot-issues", "hotline.op", 200);
  EXPECT_TRUE(body["issues"].empty());
}

TEST_P(HotRoutesTest, OthersAreRefused) {
  seed();
  for (auto path : {"/api/v1/appeals/hot-issues", "/api/v1/appeals/hot-issues.csv"}) {
    auto p = get_json(path, "zhangsan", 403);
    EXPECT_FALSE(p.value("message_zh", "").empty());
    get_json(path, "zjj.clerk", 403);
    get_json(path, "", 401);
  }
}

TEST_P(HotRoutesTest, BadParametersNameTheField) {
  for (auto [query, field] :
       std::vector<std::pair<std::string, std::string>>{{"days=0", "days"},
                                                        {"days=367", "days"},
                                                        {"days=abc", "days"},
                                                        {"days=", "days"},
                                                        {"days=-3", "days"},
                                                        {"limit=0", "limit"},
                                                        {"limit=101", "limit"},
                                                        {"limit=1x", "limit"}}) {
    auto r = call("/api/v1/appeals/hot-issues?" + query, "hotline.op");
    EXPECT_EQ(400, r.status) << query << " → " << r.body;
    EXPECT_EQ("application/problem+json", r.content_type);
    EXPECT_EQ(field, json::parse(r.body, nullptr, false).value("field", "")) << query;
  }
  auto r = call("/api/v1/appeals/hot-issues.csv?days=0", "hotline.op");
  EXPECT_EQ(400, r.status);
  // Refused callers learn nothing about the parameters.
  EXPECT_EQ(403, call("/api/v1/appeals/hot-issues?days=0", "zhangsan").status);
}

TEST_P(HotRoutesTest, CsvExportForExcel) {
  seed();
  auto r = call("/api/v1/appeals/hot-issues.csv?days=30", "hotline.op");
  ASSERT_EQ(200, r.status) << r.body;
  EXPECT_EQ("text/csv; charset=utf-8", r.content_type);
  ASSERT_GE(r.body.size(), 3u);
  EXPECT_EQ("\xEF\xBB\xBF", r.body.substr(0, 3));
  std::string disposition;
  for (const auto& [k, v] : r.headers) {
    if (k == "Content-Disposition") disposition = v;
  }
  EXPECT_EQ("attachment; filename=\"hot-issues-2026-02-10.csv\"", disposition);
  std::vector<std::string> lines;
  std::string rest = r.body.substr(3);
  for (std::size_t at; (at = rest.find("\r\n")) != std::string::npos; rest = rest.substr(at + 2)) {
    lines.push_back(rest.substr(0, at));
  }
  EXPECT_TRUE(rest.empty());
  ASSERT_EQ(2u, lines.size()) << r.body;
  EXPECT_EQ(
      "rank,id,title,place,entities,count,people,likes,first_at,last_at,span_days,heat,dept_ids,"
      "appeal_ids",
      lines[0]);
  EXPECT_EQ(0u, lines[1].find("1,HI-" + lift_[0] + ",")) << lines[1];
  EXPECT_NE(std::string::npos, lines[1].find(",幸福里,")) << lines[1];
  EXPECT_NE(std::string::npos, lines[1].find(",4,3,0,")) << lines[1];
  EXPECT_NE(std::string::npos, lines[1].find(lift_[0] + ";" + lift_[1] + ";" + lift_[2]))
      << lines[1];
}

INSTANTIATE_TEST_SUITE_P(Backends, HotRoutesTest, ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::appeals
