// Open311 GeoReport v2 through a Router (no sockets) on both backends: discovery, services, a
// citizen's request that the grid staff take through the whole loop to 结案 (open → closed,
// status_notes following), list filters, tokens, keys, bad input in the Open311 error format —
// refused requests change nothing — and XML.
#include <cctype>
#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "disclosure/disclosure.h"
#include "events/events.h"
#include "grid/fixture.h"
#include "http/http.h"
#include "open311/open311.h"
#include "privacy/redact.h"
#include "support/router_client.h"

namespace yiwang::open311 {
namespace {

using identity::Role;
using nlohmann::json;

constexpr const char* kDemoKey = "yiwang-demo-key";
const std::string kPhoto(64, 'a');

using grid::testing::at;

const std::string kCells = grid::testing::two_cells({"jdy01"}, {"jdy01"}, "一号网格", "二号网格");

// application/x-www-form-urlencoded, as the spec sends it.
std::string form(std::initializer_list<std::pair<std::string, std::string>> fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += k + '=';
    for (unsigned char c : v) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
        out += static_cast<char>(c);
      } else if (c == ' ') {
        out += '+';
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
      }
    }
  }
  return out;
}

class Open311Test : public grid::testing::GridPlatform {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_grid(
        at(3, 2, 8, 30),  // Monday
        {{"grid", "城市运行管理中心"}, {"cgj", "城管局"}, {"zjj", "住建局"}, {"jdy", "监督员队伍"}},
        {disclosure::migrations(), migrations()}));
    centre_staff();
    cgj_ = official("cgj.clerk", "cgj", {Role::clerk});
    jdy01_ = official("jdy01", "jdy", {Role::clerk});
    grid_ = std::make_unique<grid::Service>(*store_, clock_, random_, *ids_, options());
    ASSERT_EQ(import(*grid_, kCells), 2);
    service_ = std::make_unique<Service>(*store_, clock_, random_, *grid_, *ids_);
    register_routes(router_, *service_, *ids_);
    ASSERT_TRUE(ensure_demo_key(*store_, kDemoKey, clock_));
  }

  http::Response call(const std::string& method, const std::string& target,
                      const std::string& body = "",
                      const std::string& type = "application/x-www-form-urlencoded") {
    return yiwang::testing::RouterClient(router_).call(method, target, body, "", type);
  }

  json get_json(const std::string& target, int status = 200) {
    auto r = call("GET", target);
    EXPECT_EQ(status, r.status) << target << " → " << r.body;
    EXPECT_EQ("application/json; charset=utf-8", r.content_type) << target;
    return json::parse(r.body, nullptr, false);
  }

  std::int64_t last_seq() {
    std::int64_t seq = 0;
    store_->read([&](store::Tx& tx) -> Status {
      seq = events::last_seq(tx);
      return {};
    });
    return seq;
  }

  // An Open311 error with `status` (and `field`), after which nothing has changed.
  json expect_error(const std::string& method, const std::string& target, const std::string& body,
                    int status, const std::string& field = "",
                    const std::string& type = "application/x-www-form-urlencoded") {
    auto seq = last_seq();
    auto events = grid_->list({}, admin_)->total;
    auto r = call(method, target, body, type);
    EXPECT_EQ(status, r.status) << method << " " << target << " " << body << " → " << r.body;
    auto j = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(j.is_array() && j.size() == 1) << r.body;
    if (!j.is_array() || j.empty()) return j;
    EXPECT_EQ(status, j[0].value("code", 0)) << r.body;
    EXPECT_FALSE(j[0].value("description", "").empty()) << r.body;
    if (!field.empty()) {
      EXPECT_EQ(field, j[0].value("field", "")) << r.body;
    }
    EXPECT_EQ(seq, last_seq()) << "a refused request changed something: " << body;
    EXPECT_EQ(events, grid_->list({}, admin_)->total);
    return j;
  }

  // A request at a point of cell 1 (or `lat`/`long` overrides); returns the POST body's item.
  json submit(const std::string& code = "0101", const std::string& lon = "118.005",
              const std::string& lat = "31.005") {
    auto r = call("POST", "/open311/v2/requests.json",
                  form({{"api_key", kDemoKey},
                        {"service_code", code},
                        {"lat", lat},
                        {"long", lon},
                        {"description", "路边有暴露垃圾 & 积水"},
                        {"email", "zhang.san@example.cn"},
                        {"first_name", "三"},
                        {"last_name", "张"},
                        {"phone", "13900001234"}}));
    EXPECT_EQ(201, r.status) << r.body;
    auto j = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(j.is_array() && j.size() == 1) << r.body;
    return j.is_array() && !j.empty() ? j[0] : json::object();
  }

  grid::GridEvent act(const std::string& id, grid::Action a, const identity::Principal& by,
                      int advance_min = 10) {
    clock_.advance(advance_min * 60000LL);
    grid::ActionRequest r;
    r.action = a;
    if (a == grid::Action::feedback) r.feedback = "已清理";
    if (a == grid::Action::check) r.passed = true;
    auto e = grid_->act(id, r, by);
    EXPECT_TRUE(e) << e.error().message_en;
    return e ? *e : grid::GridEvent{};
  }

  json one(const std::string& id) {
    auto j = get_json("/open311/v2/requests/" + id + ".json");
    EXPECT_TRUE(j.is_array() && j.size() == 1);
    return j.is_array() && !j.empty() ? j[0] : json::object();
  }

  std::unique_ptr<grid::Service> grid_;
  std::unique_ptr<Service> service_;
  http::Router router_;
  identity::Principal cgj_, jdy01_;
};

TEST_P(Open311Test, DiscoveryAndServices) {
  auto d = get_json("/open311/v2/discovery.json");
  ASSERT_EQ(d["endpoints"].size(), 1u);
  EXPECT_EQ(d["endpoints"][0]["specification"], "http://wiki.open311.org/GeoReport_v2");
  EXPECT_EQ(d["endpoints"][0]["url"], "/open311/v2");
  EXPECT_EQ(d["endpoints"][0]["formats"], json({"application/json", "text/xml"}));
  EXPECT_FALSE(d.value("changeset", "").empty());
  EXPECT_FALSE(d.value("contact", "").empty());
  EXPECT_FALSE(d.value("key_service", "").empty());

  auto services = get_json("/open311/v2/services.json");
  ASSERT_TRUE(services.is_array());
  auto classes = grid_->list_classes();
  std::size_t event_classes = 0;
  for (const auto& c : *classes) event_classes += c.kind == grid::ClassKind::event;
  EXPECT_EQ(services.size(), event_classes);  // components are not services
  json first = services[0];
  EXPECT_EQ(first["service_code"], "0101");
  EXPECT_EQ(first["service_name"], "暴露垃圾");
  EXPECT_EQ(first["group"], "市容环境");
  EXPECT_EQ(first["metadata"], false);
  EXPECT_EQ(first["type"], "realtime");
  EXPECT_EQ(first["keywords"], "市容环境,暴露垃圾");
  EXPECT_NE(first.value("description", "").find("城管局"), std::string::npos);

  auto def = get_json("/open311/v2/services/0101.json");
  EXPECT_EQ(def["service_code"], "0101");
  EXPECT_EQ(def["attributes"], json::array());
  expect_error("GET", "/open311/v2/services/9999.json", "", 404, "service_code");
  EXPECT_EQ(call("GET", "/open311/v2/services/0101.csv").status, 404);

  auto xml = call("GET", "/open311/v2/services.xml");
  EXPECT_EQ(xml.status, 200);
  EXPECT_EQ(xml.content_type, "text/xml; charset=utf-8");
  EXPECT_EQ(xml.body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<services><service>", 0),
            0u)
      << xml.body.substr(0, 200);
  EXPECT_NE(xml.body.find("<service_code>0101</service_code>"), std::string::npos);
  EXPECT_NE(xml.body.find("<metadata>false</metadata>"), std::string::npos);
  auto dx = call("GET", "/open311/v2/discovery.xml");
  EXPECT_NE(dx.body.find("<endpoints><endpoint><specification>http://wiki.open311.org/"
                         "GeoReport_v2</specification>"),
            std::string::npos)
      << dx.body;
  EXPECT_NE(dx.body.find("<formats><format>application/json</format><format>text/xml</format>"),
            std::string::npos);
}

TEST_P(Open311Test, CitizenRequestTravelsTheWholeLoop) {
  json receipt = submit();
  const std::string id = receipt.value("service_request_id", "");
  const std::string token = receipt.value("token", "");
  ASSERT_EQ(id.rfind("GE", 0), 0u) << receipt;
  EXPECT_EQ(token.size(), 32u);
  EXPECT_FALSE(receipt.value("service_notice", "").empty());

  // It is a grid event from the public, on the grid's own loop.
  auto ge = grid_->get(id, admin_);
  ASSERT_TRUE(ge);
  EXPECT_EQ(ge->event.source, grid::Source::public_);
  EXPECT_EQ(ge->event.where.cell_code, "329900001001001");
  EXPECT_EQ(ge->event.external_ref, "open311:" + token);
  EXPECT_EQ(ge->event.description, "路边有暴露垃圾 & 积水");

  auto by_token = get_json("/open311/v2/tokens/" + token + ".json");
  ASSERT_EQ(by_token.size(), 1u);
  EXPECT_EQ(by_token[0]["service_request_id"], id);
  EXPECT_EQ(by_token[0]["token"], token);
  expect_error("GET", "/open311/v2/tokens/" + std::string(32, '0') + ".json", "", 404);

  json r = one(id);
  EXPECT_EQ(r["status"], "open");
  EXPECT_EQ(r["status_notes"], "已受理，待立案 / received, awaiting registration");
  EXPECT_EQ(r["service_code"], "0101");
  EXPECT_EQ(r["service_name"], "暴露垃圾");
  EXPECT_EQ(r["agency_responsible"], "城市运行管理中心");
  EXPECT_EQ(r["requested_datetime"], "2026-03-02T08:30:00+08:00");
  EXPECT_EQ(r["updated_datetime"], "2026-03-02T08:30:00+08:00");
  // 60 + 30 + 240 + 120 + 60 working minutes from 08:30: 510 = a day (450) + 60 → Tue 09:30.
  EXPECT_EQ(r["expected_datetime"], "2026-03-03T09:30:00+08:00");
  EXPECT_EQ(r["address"], "东山街道 幸福社区 一号网格");
  EXPECT_DOUBLE_EQ(r["lat"].get<double>(), 31.005);
  EXPECT_DOUBLE_EQ(r["long"].get<double>(), 118.005);
  EXPECT_TRUE(r["media_url"].is_null());
  // Personal data never leaves through GET.
  for (const auto& path :
       {"/open311/v2/requests/" + id + ".json", std::string("/open311/v2/requests.json"),
        "/open311/v2/requests/" + id + ".xml"}) {
    auto body = call("GET", path).body;
    for (auto secret : {"zhang.san", "13900001234", "\"张\"", "三"}) {
      EXPECT_EQ(body.find(secret), std::string::npos) << path << " leaks " << secret;
    }
  }

  using grid::Action;
  act(id, Action::accept, clerk_);
  EXPECT_EQ(one(id)["status_notes"], "已核实，待批准立案 / verified, awaiting registration");
  act(id, Action::register_, chief_);
  r = one(id);
  EXPECT_EQ(r["status_notes"], "已立案，待派遣 / registered, awaiting dispatch");
  EXPECT_EQ(r["updated_datetime"], "2026-03-02T08:50:00+08:00");
  // From 立案 at 08:50: 450 working minutes → Tue 08:50.
  EXPECT_EQ(r["expected_datetime"], "2026-03-03T08:50:00+08:00");
  act(id, Action::dispatch, dispatcher_);
  r = one(id);
  EXPECT_EQ(r["status"], "open");
  EXPECT_EQ(r["status_notes"], "处置中 / being handled");
  EXPECT_EQ(r["agency_responsible"], "城管局");
  act(id, Action::feedback, cgj_, 60);
  EXPECT_EQ(one(id)["status_notes"], "已处置，核查中 / handled, being checked on site");
  act(id, Action::check, jdy01_);
  EXPECT_EQ(one(id)["status_notes"], "核查通过，待结案 / checked, awaiting closure");
  act(id, Action::close, chief_);
  r = one(id);
  EXPECT_EQ(r["status"], "closed");
  EXPECT_EQ(r["status_notes"], "已结案 / closed");
  EXPECT_TRUE(r["expected_datetime"].is_null());
  EXPECT_EQ(r["updated_datetime"], "2026-03-02T10:20:00+08:00");

  auto closed = get_json("/open311/v2/requests.json?status=closed");
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0]["service_request_id"], id);
  EXPECT_TRUE(get_json("/open311/v2/requests.json?status=open").empty());

  auto xml = call("GET", "/open311/v2/requests/" + id + ".xml");
  EXPECT_EQ(xml.status, 200);
  EXPECT_NE(xml.body.find("<service_requests><request><service_request_id>" + id),
            std::string::npos)
      << xml.body;
  EXPECT_NE(xml.body.find("<status>closed</status>"), std::string::npos);
  EXPECT_NE(xml.body.find("<description>路边有暴露垃圾 &amp; 积水</description>"),
            std::string::npos);
  EXPECT_NE(xml.body.find("<expected_datetime></expected_datetime>"), std::string::npos);

  // The link is an event of its own, without personal data.
  std::vector<events::Event> evs;
  store_->read([&](store::Tx& tx) -> Status {
    events::Filter f;
    f.type_prefix = "open311.request";
    evs = events::list(tx, f);
    return {};
  });
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].subject_id, id);
  EXPECT_EQ(evs[0].after_json.find("zhang"), std::string::npos);
}

TEST_P(Open311Test, JsonBodyMediaAndAddress) {
  json body = {{"api_key", kDemoKey},
               {"service_code", "0503"},
               {"lat", 31.005},
               {"long", 118.015},
               {"media_url", "/api/v1/files/" + kPhoto}};
  auto r = call("POST", "/open311/v2/requests.json", body.dump(), "application/json");
  ASSERT_EQ(r.status, 201) << r.body;
  std::string id = json::parse(r.body)[0]["service_request_id"];
  json got = one(id);
  EXPECT_EQ(got["media_url"], "/api/v1/files/" + kPhoto);
  EXPECT_EQ(got["service_code"], "0503");
  EXPECT_EQ(got["description"], "街面秩序/占道废品收购");  // the spec makes it optional
  EXPECT_EQ(got["address"], "东山街道 幸福社区 二号网格");

  // Offline: outside media is refused, not fetched.
  body["media_url"] = "http://example.com/p.jpg";
  expect_error("POST", "/open311/v2/requests.json", body.dump(), 400, "media_url",
               "application/json");
  body["media_url"] = "/api/v1/files/xyz";
  expect_error("POST", "/open311/v2/requests.json", body.dump(), 400, "media_url",
               "application/json");
  // A parameter given twice is refused in JSON as it is in a form.
  expect_error("POST", "/open311/v2/requests.json",
               std::string(R"({"api_key":")") + kDemoKey +
                   R"(","service_code":"0503","service_code":"0101","lat":31.005,"long":118.015})",
               400, "service_code", "application/json");

  // Without coordinates, an address naming one grid cell places the request in it.
  auto a = call("POST", "/open311/v2/requests.xml",
                form({{"api_key", kDemoKey},
                      {"service_code", "0101"},
                      {"address_string", "二号网格"},
                      {"description", "垃圾"}}));
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_EQ(a.content_type, "text/xml; charset=utf-8");
  auto start = a.body.find("<service_request_id>") + 20;
  std::string aid = a.body.substr(start, a.body.find('<', start) - start);
  got = one(aid);
  EXPECT_EQ(got["address"], "二号网格");
  EXPECT_DOUBLE_EQ(got["long"].get<double>(), 118.015);
  expect_error(
      "POST", "/open311/v2/requests.json",
      form({{"api_key", kDemoKey}, {"service_code", "0101"}, {"address_string", "人民路 1 号"}}),
      400, "address_string");
}

TEST_P(Open311Test, BadInputIsRefusedInTheOpen311Format) {
  const std::string path = "/open311/v2/requests.json";
  auto base = [](std::string key, std::string code, std::string lon, std::string lat) {
    return form({{"api_key", key},
                 {"service_code", code},
                 {"lat", lat},
                 {"long", lon},
                 {"description", "垃圾"}});
  };
  expect_error("POST", path, base("wrong-key", "0101", "118.005", "31.005"), 403, "api_key");
  expect_error("POST", path,
               form({{"service_code", "0101"}, {"lat", "31.005"}, {"long", "118.005"}}), 403,
               "api_key");
  expect_error("POST", path, base(kDemoKey, "9999", "118.005", "31.005"), 400, "service_code");
  expect_error("POST", path, base(kDemoKey, "", "118.005", "31.005"), 400, "service_code");
  // Outside every grid cell: the grid's error, on the spec's parameter.
  auto out = expect_error("POST", path, base(kDemoKey, "0101", "119.5", "31.005"), 400, "lat");
  EXPECT_NE(out[0].value("description", "").find("grid"), std::string::npos) << out;
  expect_error("POST", path, base(kDemoKey, "0101", "118.005", "91"), 400, "lat");
  expect_error("POST", path, base(kDemoKey, "0101", "east", "31.005"), 400, "long");
  expect_error("POST", path,
               form({{"api_key", kDemoKey}, {"service_code", "0101"}, {"lat", "31.005"}}), 400,
               "long");
  expect_error("POST", path, form({{"api_key", kDemoKey}, {"service_code", "0101"}}), 400, "lat");
  expect_error("POST", path, base(kDemoKey, "0101", "118.005", "31.005") + "&colour=red", 400,
               "colour");
  expect_error("POST", path, base(kDemoKey, "0101", "118.005", "31.005") + "&lat=31.006", 400,
               "lat");
  expect_error("POST", path, base(kDemoKey, "0101", "118.005", "31.005") + "&email=not-an-address",
               400, "email");
  expect_error("POST", path, "{\"api_key\":", 400, "", "application/json");
  expect_error("POST", path, base(kDemoKey, "0101", "118.005", "31.005"), 415, "", "text/plain");
  auto xml =
      call("POST", "/open311/v2/requests.xml", base("wrong-key", "0101", "118.005", "31.005"));
  EXPECT_EQ(xml.status, 403);
  EXPECT_NE(xml.body.find("<errors><error><code>403</code><description>"), std::string::npos)
      << xml.body;
  expect_error("GET", "/open311/v2/requests/GE2026030200000000.json", "", 404);
  expect_error("GET", "/open311/v2/requests.json?start_date=yesterday", "", 400, "start_date");
  expect_error("GET", "/open311/v2/requests.json?start_date=2026-03-02T08:00:00", "", 400,
               "start_date");  // a time zone is required
  expect_error("GET", "/open311/v2/requests.json?status=pending", "", 400, "status");
  expect_error("GET", "/open311/v2/requests.json?page=2", "", 400, "page");

  // A revoked key is refused too.
  auto k = service_->create_key("街道 App", &admin_);
  ASSERT_TRUE(k);
  EXPECT_EQ(submit("0101").value("service_request_id", "").size(), 18u);
  ASSERT_TRUE(service_->revoke_key(k->key.id, &admin_));
  expect_error("POST", path, base(k->secret, "0101", "118.005", "31.005"), 403, "api_key");
}

TEST_P(Open311Test, ListFilters) {
  std::string a = submit("0101").value("service_request_id", "");  // Mon 3-02 08:30
  clock_.set(at(3, 4, 9));
  std::string b = submit("0503").value("service_request_id", "");  // Wed 3-04 09:00
  clock_.set(at(3, 6, 9));
  std::string c = submit("0101").value("service_request_id", "");  // Fri 3-06 09:00
  // Rejected by the 受理员: closed for Open311.
  grid::ActionRequest reject;
  reject.action = grid::Action::reject;
  reject.reason = "重复上报";
  ASSERT_TRUE(grid_->act(c, reject, clerk_));
  EXPECT_EQ(one(c)["status_notes"], "不予立案 / not registered");
  // A report from the grid's own channels is in the feed too (#17: a city's feed looked empty
  // although 600 grid events existed), its text redacted, with the cell for an address and no
  // media; the supervisor's phone number in it is not published.
  grid::NewReport own;
  own.source = grid::Source::supervisor;
  own.class_code = "0101";
  own.description = "监督员上报，联系电话13912345678";
  own.location = {118.005, 31.005};
  clock_.set(at(3, 6, 10));
  auto s = grid_->report(own, &jdy01_);
  ASSERT_TRUE(s);
  json seen = one(s->id);
  EXPECT_EQ(seen["service_code"], "0101");
  EXPECT_EQ(seen["description"].get<std::string>().find("13912345678"), std::string::npos)
      << seen.dump();
  EXPECT_NE(seen["address"].get<std::string>().find("一号网格"), std::string::npos);
  EXPECT_TRUE(seen["media_url"].is_null());
  expect_error("GET", "/open311/v2/requests/GE2026010100000000.json", "", 404);

  auto ids_of = [&](const std::string& query) {
    std::vector<std::string> out;
    for (const auto& r : get_json("/open311/v2/requests.json" + query)) {
      out.push_back(r["service_request_id"].get<std::string>());
    }
    return out;
  };
  using V = std::vector<std::string>;
  const std::string d = s->id;  // the supervisor's, reported Fri 3-06 10:00
  EXPECT_EQ(ids_of(""), (V{d, c, b, a}));  // newest first
  EXPECT_EQ(ids_of("?status=open"), (V{d, b, a}));
  EXPECT_EQ(ids_of("?status=closed"), (V{c}));
  EXPECT_EQ(ids_of("?status=open,closed"), (V{d, c, b, a}));
  EXPECT_EQ(ids_of("?service_code=0101"), (V{d, c, a}));
  EXPECT_EQ(ids_of("?service_code=0101&status=open"), (V{d, a}));
  EXPECT_EQ(ids_of("?start_date=2026-03-03T00:00:00%2B08:00"), (V{d, c, b}));
  EXPECT_EQ(ids_of("?start_date=2026-03-02T01:00:00Z&end_date=2026-03-04T01:00:00Z"), (V{b}));
  EXPECT_EQ(ids_of("?end_date=2026-03-04"), (V{a}));
  // Ids: every other filter is ignored, unknown ids are left out.
  EXPECT_EQ(ids_of("?service_request_id=" + a + "," + c + ",GE2026010100000000&status=open"),
            (V{a, c}));
  expect_error("GET", "/open311/v2/requests.json?start_date=2026-03-05&end_date=2026-03-04", "",
               400, "end_date");

  // By default, the last 90 days.
  clock_.set(at(6, 3, 9));  // 93 days after a, 91 after b, 89 after c and d
  EXPECT_EQ(ids_of(""), (V{d, c}));
  EXPECT_EQ(ids_of("?start_date=2026-03-01"), (V{d, c, b, a}));
}

TEST_P(Open311Test, KeysAreHashedAndAdminsIssueThem) {
  EXPECT_EQ(service_->create_key("街道 App", &clerk_).error().code, ErrorCode::forbidden);
  EXPECT_EQ(service_->create_key("", &admin_).error().field, "/name");
  auto k = service_->create_key("街道 App", &admin_);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->secret.size(), 48u);
  EXPECT_EQ(k->key.id, key_hash(k->secret).substr(0, 16));
  EXPECT_TRUE(service_->check_key(k->secret));
  EXPECT_EQ(service_->check_key("nope").error().code, ErrorCode::forbidden);
  // The demo key is idempotent; secrets are stored only as hashes.
  auto again = ensure_demo_key(*store_, kDemoKey, clock_);
  ASSERT_TRUE(again);
  auto keys = service_->list_keys(admin_);
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_EQ(service_->list_keys(clerk_).error().code, ErrorCode::forbidden);
  store_->read([&](store::Tx& tx) -> Status {
    for (const auto& r : tx.query("SELECT id, name, key_hash FROM open311_keys")) {
      for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_NE(r.text(i), k->secret);
        EXPECT_NE(r.text(i), kDemoKey);
      }
    }
    return {};
  });
  EXPECT_EQ(service_->revoke_key("0000000000000000", &admin_).error().code, ErrorCode::not_found);
  EXPECT_EQ(service_->revoke_key(k->key.id, &clerk_).error().code, ErrorCode::forbidden);
  ASSERT_TRUE(service_->revoke_key(k->key.id, &admin_));
  EXPECT_EQ(service_->check_key(k->secret).error().code, ErrorCode::forbidden);
}

// Regression (#16, item 5): requests.json published citizens' descriptions verbatim. The public
// feed now shows them through privacy::public_text; the grid staff still read the original.
TEST_P(Open311Test, PublicFeedNeverCarriesPersonalData) {
  auto post = [&](const std::string& description, const std::string& address = "") {
    auto r = call("POST", "/open311/v2/requests.json",
                  form({{"api_key", kDemoKey},
                        {"service_code", "0101"},
                        {"lat", "31.005"},
                        {"long", "118.005"},
                        {"address_string", address},
                        {"description", description},
                        {"first_name", "小明"},
                        {"last_name", "王"}}));
    EXPECT_EQ(201, r.status) << r.body;
    auto j = json::parse(r.body, nullptr, false);
    return j.is_array() && !j.empty() ? j[0].value("service_request_id", "") : std::string();
  };
  const std::string leaky =
      post("垃圾堆在门口，电话 138-1234-5678 身份证 110105 19900101 001X，王小明",
           "幸福小区 12 栋 3 单元 501 室");
  const std::string unclear = post("请回电 1234567 找我");
  clock_.advance(60'000);

  for (const char* target : {"/open311/v2/requests.json", "/open311/v2/requests.xml"}) {
    auto r = call("GET", target);
    ASSERT_EQ(200, r.status) << r.body;
    for (const char* leaked :
         {"138-1234-5678", "110105 19900101 001X", "王小明", "501 室", "1234567"}) {
      EXPECT_EQ(std::string::npos, r.body.find(leaked)) << leaked << " in " << target;
    }
  }
  auto list = get_json("/open311/v2/requests.json");
  ASSERT_EQ(2u, list.size());
  for (const auto& item : list) {
    if (item["service_request_id"] == leaky) {
      EXPECT_EQ("垃圾堆在门口，电话 [电话] 身份证 [身份证号]，[姓名]", item["description"]);
      EXPECT_EQ("幸福小区 *栋 *单元 *室", item["address"]);
    } else {
      EXPECT_EQ(unclear, item["service_request_id"]);
      EXPECT_EQ(std::string(privacy::kWithheld), item["description"]);  // held, not published
    }
  }
  EXPECT_EQ("垃圾堆在门口，电话 [电话] 身份证 [身份证号]，[姓名]", one(leaky)["description"]);
  // The held description waits for the grid centre's publication review; once an official
  // publishes an edited text, the feed shows it.
  disclosure::Service review(*store_, clock_);
  auto queue = review.list(disclosure::State::pending, 50, 0, clerk_);
  ASSERT_TRUE(queue) << queue.error().message_en;
  ASSERT_EQ(1, queue->total);
  EXPECT_EQ(unclear, queue->reviews[0].subject_id);
  EXPECT_EQ(disclosure::Surface::grid_event_description, queue->reviews[0].surface);
  EXPECT_EQ(0, review.list(disclosure::State::pending, 50, 0, cgj_)->total);
  // Requests from before the review existed are held once, at start.
  ASSERT_TRUE(store_->write([](store::Tx& tx) -> Status {
    tx.exec("DELETE FROM disclosure_reviews");
    return {};
  }));
  EXPECT_EQ(1, service_->hold_public_texts().value());
  EXPECT_EQ(0, service_->hold_public_texts().value());
  queue = review.list(disclosure::State::pending, 50, 0, clerk_);
  ASSERT_EQ(1, queue->total);
  ASSERT_TRUE(review.decide(queue->reviews[0].id,
                            {disclosure::Decision::Kind::publish, "请回电找我", "", {}}, clerk_));
  EXPECT_EQ("请回电找我", one(unclear)["description"]);
  // The grid's own (signed-in) view keeps what the citizen wrote.
  auto original = grid_->get(leaky, admin_);
  ASSERT_TRUE(original) << original.error().message_en;
  EXPECT_NE(std::string::npos, original->event.description.find("138-1234-5678"));

  // The contact data is sealed at rest; a row an older version left in the clear is sealed once.
  auto stored = [&] {
    return store_
        ->read([&](store::Tx& tx) -> Result<std::string> {
          std::string all;
          for (const auto& row : tx.query("SELECT address_string || first_name || last_name "
                                          "FROM open311_requests")) {
            all += row.text(0);
          }
          return all;
        })
        .value();
  };
  EXPECT_EQ(std::string::npos, stored().find("小明"));
  EXPECT_EQ(std::string::npos, stored().find("幸福小区"));
  ASSERT_TRUE(store_->write([&](store::Tx& tx) -> Status {
    tx.exec("UPDATE open311_requests SET first_name = '小明' WHERE grid_event_id = ?", {leaky});
    return {};
  }));
  EXPECT_EQ(1, seal_at_rest(*store_).value());
  EXPECT_EQ(std::string::npos, stored().find("小明"));
  EXPECT_EQ("垃圾堆在门口，电话 [电话] 身份证 [身份证号]，[姓名]", one(leaky)["description"]);
}

// Finding (#16): anonymous writes were not throttled. Reports are limited per client address
// (429 with Retry-After, in the spec's error format), and per client key, so that a key that
// leaked cannot flood the centre from many addresses; another address, or another key, is not
// held back.
TEST_P(Open311Test, ReportsAreLimitedPerClientAddressAndPerKey) {
  Options limited;
  limited.max_requests_per_address_hour = 2;
  limited.max_requests_per_key_hour = 3;
  Service service(*store_, clock_, random_, *grid_, *ids_, limited);
  http::Router router;
  register_routes(router, service, *ids_);
  yiwang::testing::RouterClient client(router);
  auto post = [&](int address, const std::string& key = kDemoKey) {
    client.remote_address = "203.0.113." + std::to_string(address);
    return client.call(
        "POST", "/open311/v2/requests.json",
        form({{"api_key", key}, {"service_code", "0101"}, {"lat", "31.005"}, {"long", "118.005"}}),
        "", "application/x-www-form-urlencoded");
  };
  auto refused = [](const http::Response& r) {
    EXPECT_EQ(429, r.status) << r.body;
    EXPECT_FALSE(yiwang::testing::header_of(r, "Retry-After").empty());
  };
  EXPECT_EQ(201, post(7).status);
  EXPECT_EQ(201, post(7).status);
  refused(post(7));                // the address's share
  EXPECT_EQ(201, post(8).status);  // another address: the key's third
  refused(post(9));                // the key's share, from any address
  auto other = service.create_key("街道 App", nullptr);
  ASSERT_TRUE(other) << other.error().message_en;
  EXPECT_EQ(201, post(9, other->secret).status);
}

INSTANTIATE_TEST_SUITE_P(Backends, Open311Test, ::testing::ValuesIn(yiwang::testing::backends()));

TEST(Open311Datetime, ParseAndFormat) {
  const core::Millis t = at(3, 2, 8, 30);
  EXPECT_EQ(parse_datetime("2026-03-02T08:30:00+08:00"), t);
  EXPECT_EQ(parse_datetime("2026-03-02T00:30:00Z"), t);
  EXPECT_EQ(parse_datetime("2026-03-01T19:30:00-05:00"), t);
  EXPECT_EQ(parse_datetime("2026-03-02T08:30+0800"), t);
  EXPECT_EQ(parse_datetime("2026-03-02T00:30:00.250Z"), t + 250);
  EXPECT_EQ(parse_datetime("2026-03-02"), at(3, 2, 0));
  for (auto bad : {"", "2026-03-02T08:30:00", "2026-02-30", "2026-03-02T24:00:00Z",
                   "2026-03-02 08:30:00Z", "2026-03-02T08:30:00+08:00x", "26-03-02"}) {
    EXPECT_FALSE(parse_datetime(bad)) << bad;
  }
  EXPECT_EQ(format_datetime(t), "2026-03-02T08:30:00+08:00");
  EXPECT_EQ(format_datetime(at(3, 2, 0) - 1000), "2026-03-01T23:59:59+08:00");
}

}  // namespace
}  // namespace yiwang::open311
