// Black-box API scenarios through the assembled App's router (no sockets), on SQLite and on
// PostgreSQL: the demo catalog and accounts, a full lifecycle, and each class of bad input, which
// must be rejected with an RFC 9457 problem and change nothing.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include <sodium.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "demo/demo.h"
#include "events/events.h"
#include "http/http.h"
#include "identity/identity.h"
#include "store/store.h"
#include "support/test_store.h"

#include "api/api_fixture.h"

namespace {

using namespace yiwang::api_testing;

// Standard base64 with padding (the ledger API's encoding of entries) to bytes; "" when malformed.
std::string from_base64(const std::string& text) {
  std::string out(text.size(), '\0');
  std::size_t n = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &n, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return "";
  }
  out.resize(n);
  return out;
}

// An item of 市场监管 (the demo officials' department) with a simple one-field form.
const char* kItemCode = "11320100APITEST0001";

json test_item(const std::string& dept = "scjg") {
  return {{"code", kItemCode},
          {"basic_code", "API001"},
          {"name", "接口测试许可"},
          {"item_type", "01"},
          {"exercise_level", "3"},
          {"dept_id", dept},
          {"promised_limit", 5},
          {"legal_limit", 20},
          {"service_objects", {"1"}},
          {"handling_forms", {"2"}},
          {"case_type", "2"},
          {"form",
           {{{"name", "shop_name"},
             {"label_zh", "店名"},
             {"label_en", "Shop name"},
             {"type", "string"},
             {"required", true},
             {"max_length", 50}}}}};
}

TEST_P(ApiTest, HealthAndOpenApiAreServed) {
  auto health = call_json("GET", "/api/v1/health", nullptr, "", 200);
  EXPECT_EQ("ok", health.value("status", ""));
  auto doc = call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(200, doc.status);
  auto spec = json::parse(doc.body, nullptr, false);
  ASSERT_TRUE(spec.is_object());
  EXPECT_EQ("3.1.0", spec.value("openapi", ""));

  // Hand the registered routes to the node check, which compares them with the document.
  if (const char* file = std::getenv("YIWANG_ROUTES_FILE")) {
    std::ofstream out(file);
    for (const auto& r : app_->router().routes()) out << r.method << " " << r.path_template << "\n";
  }
}

// The demo's database is sealed under data.key beside it: without that file, or with another key,
// the platform refuses to start; the accounts table holds no id number in the clear.
TEST_P(ApiTest, TheDataKeyIsTheDatabasesOwn) {
  const std::string token = login("zhangsan");
  const std::string id_number = call_json("GET", "/api/v1/me", nullptr, token, 200)
                                    .value("id_number", "");
  ASSERT_EQ(18u, id_number.size());
  EXPECT_TRUE(fs::exists(dir_ / "data.key"));

  yiwang::app::Config other = config_;
  other.data_key_file = (dir_ / "missing.key").string();
  try {
    yiwang::app::App refused(other);
    ADD_FAILURE() << "started without its data key";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string::npos, std::string(e.what()).find("missing")) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir_ / "missing.key"));  // not made up for a database that has one
  {
    std::ofstream key(other.data_key_file);
    key << "yiwang-data-key v1\n" << std::string(64, 'a') << "\n";
  }
  try {
    yiwang::app::App refused(other);
    ADD_FAILURE() << "started with another data key";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string::npos, std::string(e.what()).find("fingerprint")) << e.what();
  }

  auto clear = app_->store().read([&](yiwang::store::Tx& tx) -> yiwang::Result<std::int64_t> {
    return tx.query_one("SELECT COUNT(*) FROM users WHERE id_number = ? OR phone LIKE '1%'",
                        {id_number})
        ->int64(0);
  });
  EXPECT_EQ(0, clear.value());
}

TEST_P(ApiTest, DemoCatalogIsSearchable) {
  auto all = call_json("GET", "/api/v1/items?limit=100", nullptr, "", 200);
  EXPECT_GE(all.value("total", 0), 30);
  auto found = call_json("GET",
                         "/api/v1/items?q="
                         "%E8%BA%AB%E4%BB%BD%E8%AF%81",
                         nullptr, "", 200);  // 身份证
  ASSERT_FALSE(found["items"].empty());
  EXPECT_NE(std::string::npos, found["items"][0].value("name", "").find("身份证"));
}

TEST_P(ApiTest, FullLifecycleThroughTheApi) {
  std::string admin = login("admin");
  call_json("POST", "/api/v1/items", test_item(), admin, 201);
  std::string citizen = login("zhangsan");
  auto filed =
      call_json("POST", "/api/v1/cases",
                {{"item_code", kItemCode}, {"form", {{"shop_name", "老王面馆"}}}}, citizen, 201);
  std::string id = filed.value("id", "");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ("submitted", filed.value("state", ""));

  std::string clerk = login("chuangkou"), reviewer = login("shencha"), approver = login("juece");
  call_json("POST", "/api/v1/cases/" + id + "/actions",
            {{"action", "accept"}, {"opinion", "材料齐全"}}, clerk, 200);
  call_json("POST", "/api/v1/cases/" + id + "/actions",
            {{"action", "approve"}, {"opinion", "审查通过"}}, reviewer, 200);
  call_json("POST", "/api/v1/cases/" + id + "/actions",
            {{"action", "grant"}, {"opinion", "准予许可"}}, approver, 200);
  auto done = call_json("POST", "/api/v1/cases/" + id + "/actions",
                        {{"action", "complete"}, {"opinion", "办结"}}, clerk, 200);
  EXPECT_EQ("completed", done.value("state", ""));

  auto rated = call_json("POST", "/api/v1/cases/" + id + "/rating",
                         {{"level", 5}, {"comment", "很快"}}, citizen, 201);
  EXPECT_EQ("非常满意", rated.value("label", ""));

  // The citizen reads roles and departments; officials also read the names of the officials.
  auto history = call_json("GET", "/api/v1/cases/" + id + "/history", nullptr, citizen, 200);
  ASSERT_EQ(6u, history["transitions"].size()) << history.dump();  // five steps and the rating
  for (const auto& t : history["transitions"])
    EXPECT_TRUE(t["actor"]["name"].is_null()) << t.dump();
  auto seen = call_json("GET", "/api/v1/cases/" + id + "/history", nullptr, clerk, 200);
  int named = 0;
  for (const auto& t : seen["transitions"]) {
    if (t["actor"].value("role", "") == "citizen") {
      EXPECT_TRUE(t["actor"]["name"].is_null()) << "the applicant: " << t.dump();
      continue;
    }
    auto user = app_->identity().get_user(t["actor"].value("user_id", ""));
    ASSERT_TRUE(user) << t.dump();
    EXPECT_EQ(user->display_name, t["actor"].value("name", "")) << t.dump();
    ++named;
  }
  EXPECT_EQ(4, named) << seen.dump();

  // The audit trail shows each transition with who did it, to the audit administrator only.
  auto audit = call_json("GET", "/api/v1/audit?subject_type=case&subject_id=" + id, nullptr,
                         login("shenji"), 200);
  ASSERT_GE(audit["events"].size(), 5u);
  EXPECT_EQ("case.submitted", audit["events"][0].value("type", ""));
  bool saw_grant = false;
  for (const auto& e : audit["events"])
    if (e.value("type", "") == "case.granted") {
      saw_grant = true;
      EXPECT_EQ("approver", e["actor"].value("role", ""));
      EXPECT_EQ("scjg", e["actor"].value("dept_id", ""));
      EXPECT_EQ("准予许可", e.value("reason", ""));
    }
  EXPECT_TRUE(saw_grant);
  // Supervisors may read case events; citizens, the system and the security administrators may
  // not read the audit trail at all (三员分立).
  call_json("GET", "/api/v1/audit?subject_type=case", nullptr, login("jiancha"), 200);
  for (const std::string& who : {citizen, admin, login("anquan")}) {
    expect_problem(call("GET", "/api/v1/audit?subject_type=case", "", who), 403);
    expect_problem(call("GET", "/api/v1/audit/integrity", "", who), 403);
    expect_problem(call("GET", "/api/v1/audit/export?from=2026-01-01&to=2026-12-31", "", who), 403);
  }

  // Sealed by the followers, the chain verifies, and the export is a file of JSON lines.
  ASSERT_TRUE(app_->catch_up());
  const std::string auditor = login("shenji");
  auto integrity = call_json("GET", "/api/v1/audit/integrity", nullptr, auditor, 200);
  EXPECT_TRUE(integrity.value("verified", false)) << integrity.dump();
  EXPECT_GT(integrity.value("events", 0), 5);
  EXPECT_EQ(180, integrity.value("retention_days", 0));
  namespace core = yiwang::core;
  const core::Millis now = core::SystemClock().now_ms();
  const std::string range = "from=" + core::format_date(core::china_date(now - core::kDayMs)) +
                            "&to=" + core::format_date(core::china_date(now));
  auto exported = call("GET", "/api/v1/audit/export?" + range, "", auditor);
  ASSERT_EQ(200, exported.status) << exported.body;
  EXPECT_EQ(0u, exported.content_type.rfind("application/x-ndjson", 0));
  EXPECT_NE(std::string::npos, exported.body.find("\"case.granted\""));
  EXPECT_NE(std::string::npos, exported.body.find("\"chain\""));
  // The chain's head is anchored in the public ledger (catch_up anchors as the server does every
  // ten minutes): the ledger entry's chain_head is the export's chain hash at that seq.
  auto anchored = app_->store().read([](yiwang::store::Tx& tx) -> yiwang::Result<std::string> {
    auto row = tx.query_one(
        "SELECT subject_id FROM events WHERE type = 'audit.anchored' ORDER BY seq DESC LIMIT 1");
    return row ? row->text(0) : std::string();
  });
  ASSERT_TRUE(anchored && !anchored->empty());
  auto acts = call_json("GET", "/api/v1/ledger/acts?subject_type=audit_chain&subject_id=" +
                                   *anchored, nullptr, "", 200);
  ASSERT_EQ(1u, acts["items"].size()) << acts.dump();
  auto entry = call_json(
      "GET", "/api/v1/ledger/entries/" + std::to_string(acts["items"][0].value("index", -1)),
      nullptr, "", 200);
  const json published = json::parse(from_base64(entry.value("entry", "")), nullptr, false);
  ASSERT_TRUE(published.is_object()) << entry.dump();
  EXPECT_EQ("audit.anchored", published.value("act", ""));
  const json details = published["details"];
  EXPECT_EQ(std::stoll(*anchored), details.value("sealed_through", std::int64_t{-1}));
  std::string chain_at_anchor;
  std::istringstream lines(exported.body);
  for (std::string line; std::getline(lines, line);) {
    auto e = json::parse(line, nullptr, false);
    if (e.is_object() && e.value("seq", std::int64_t{-1}) == std::stoll(*anchored)) {
      chain_at_anchor = e.value("chain", "");
    }
  }
  ASSERT_EQ(64u, chain_at_anchor.size()) << "the anchored seq is in the export";
  EXPECT_EQ(chain_at_anchor, details.value("chain_head", ""));
  // For the outside auditor's script (ctest audit_export_verify).
  if (const char* file = std::getenv("YIWANG_AUDIT_EXPORT_FILE")) {
    std::ofstream(file, std::ios::binary) << exported.body;
    std::ofstream(std::string(file) + ".anchor") << *anchored << ":" << chain_at_anchor;
  }
  expect_problem(call("GET", "/api/v1/audit/export?from=2026-13-01&to=2026-12-31", "", auditor),
                 400, "/from");
}

TEST_P(ApiTest, MalformedJsonIsRejectedAndChangesNothing) {
  std::string citizen = login("zhangsan");
  auto before = last_event();
  expect_problem(call("POST", "/api/v1/cases", "{\"item_code\": ", citizen), 400);
  expect_problem(call("POST", "/api/v1/cases", "[1,2]", citizen), 400);
  expect_problem(
      call("POST", "/api/v1/cases", "item_code=x", citizen, "application/x-www-form-urlencoded"),
      415);
  EXPECT_EQ(before, last_event());
}

TEST_P(ApiTest, WrongTypesAndUnknownFieldsNameTheField) {
  std::string admin = login("admin");
  call_json("POST", "/api/v1/items", test_item(), admin, 201);
  std::string citizen = login("zhangsan");
  auto before = last_event();
  expect_problem(call("POST", "/api/v1/cases",
                      json{{"item_code", 42}, {"form", json::object()}}.dump(), citizen),
                 400, "/item_code");
  expect_problem(call("POST", "/api/v1/cases",
                      json{{"item_code", kItemCode}, {"form", {{"shop_name", 7}}}}.dump(), citizen),
                 400, "/form/shop_name");
  expect_problem(
      call("POST", "/api/v1/cases",
           json{{"item_code", kItemCode}, {"form", {{"shop_name", "x"}}}, {"colour", "red"}}.dump(),
           citizen),
      400, "/colour");
  expect_problem(call("POST", "/api/v1/cases",
                      json{{"item_code", kItemCode}, {"form", json::object()}}.dump(), citizen),
                 400, "/form/shop_name");
  expect_problem(call("POST", "/api/v1/auth/login",
                      json{{"username", "admin"}, {"password", "x"}, {"otp", 1}}.dump()),
                 400, "/otp");
  EXPECT_EQ(before, last_event());
}

TEST_P(ApiTest, InvalidIdentityNumbersAreRejected) {
  auto before = last_event();
  json citizen = {{"username", "lisi"},
                  {"password", "long-enough-1"},
                  {"kind", "citizen"},
                  {"display_name", "李四"},
                  {"id_number", "110105194912310021"}};  // wrong check digit
  expect_problem(call("POST", "/api/v1/auth/register", citizen.dump()), 400, "/id_number");
  json business = {{"username", "lisi-co"},
                   {"password", "long-enough-1"},
                   {"kind", "business"},
                   {"display_name", "李四公司"},
                   {"id_number", "91350100M000100Y44"}};  // wrong check char
  expect_problem(call("POST", "/api/v1/auth/register", business.dump()), 400, "/id_number");
  EXPECT_EQ(before, last_event());
  citizen["id_number"] = "11010519491231002X";
  call_json("POST", "/api/v1/auth/register", citizen, "", 201);
}

TEST_P(ApiTest, IllegalTransitionWrongRoleAndWrongDepartmentChangeNothing) {
  std::string admin = login("admin");
  call_json("POST", "/api/v1/items", test_item(), admin, 201);
  std::string citizen = login("zhangsan");
  auto filed =
      call_json("POST", "/api/v1/cases",
                {{"item_code", kItemCode}, {"form", {{"shop_name", "面馆"}}}}, citizen, 201);
  std::string id = filed.value("id", "");
  std::string clerk = login("chuangkou"), reviewer = login("shencha"), approver = login("juece");

  // Logging in is itself an event, so every session is opened before counting.
  auto before = last_event();
  // A reviewer cannot accept (wrong role); the citizen cannot approve.
  expect_problem(
      call("POST", "/api/v1/cases/" + id + "/actions", json{{"action", "accept"}}.dump(), reviewer),
      403);
  expect_problem(
      call("POST", "/api/v1/cases/" + id + "/actions", json{{"action", "approve"}}.dump(), citizen),
      403);
  // Approving before acceptance is an illegal transition.
  expect_problem(
      call("POST", "/api/v1/cases/" + id + "/actions", json{{"action", "grant"}}.dump(), approver),
      409);
  expect_problem(
      call("POST", "/api/v1/cases/" + id + "/actions", json{{"action", "fly"}}.dump(), clerk), 400,
      "/action");
  EXPECT_EQ(before, last_event());

  call_json("POST", "/api/v1/cases/" + id + "/actions",
            {{"action", "withdraw"}, {"opinion", "不办了"}}, citizen, 200);
  before = last_event();
  auto snapshot = call_json("GET", "/api/v1/cases/" + id, nullptr, citizen, 200);
  expect_problem(
      call("POST", "/api/v1/cases/" + id + "/actions", json{{"action", "accept"}}.dump(), clerk),
      409);
  EXPECT_EQ(before, last_event());
  EXPECT_EQ(snapshot, call_json("GET", "/api/v1/cases/" + id, nullptr, citizen, 200));

  // An official of another department neither sees nor acts on the case.
  const json other = call_json("POST", "/api/v1/users",
                         {{"username", "gaj_clerk"},
                          {"password", "long-enough-1"},
                          {"kind", "official"},
                          {"display_name", "公安窗口"},
                          {"dept_id", "gaj"},
                          {"roles", {"clerk"}}},
                         login("anquan"), 201);
  auto filed2 =
      call_json("POST", "/api/v1/cases",
                {{"item_code", kItemCode}, {"form", {{"shop_name", "面馆"}}}}, citizen, 201);
  remember_secret("gaj_clerk", other);
  std::string gaj = login("gaj_clerk", "long-enough-1");
  before = last_event();
  auto r = call("POST", "/api/v1/cases/" + filed2.value("id", "") + "/actions",
                json{{"action", "accept"}}.dump(), gaj);
  EXPECT_TRUE(r.status == 403 || r.status == 404) << r.body;
  EXPECT_EQ(before, last_event());
}

TEST_P(ApiTest, UnauthenticatedRequestsAreRejected) {
  expect_problem(call("GET", "/api/v1/me"), 401);
  expect_problem(call("GET", "/api/v1/cases", "", "not-a-token"), 401);
  expect_problem(call("GET", "/api/v1/supervision/alerts", "", login("zhangsan")), 403);
}

TEST_P(ApiTest, ItemDocumentFollowsNewVersionsAndWithdrawal) {
  std::string admin = login("admin");
  call_json("POST", "/api/v1/items", test_item(), admin, 201);
  std::string target = std::string("/api/v1/items/") + kItemCode;
  EXPECT_EQ("接口测试许可", call_json("GET", target, nullptr, "", 200).value("name", ""));
  EXPECT_EQ("接口测试许可",
            call_json("GET", target, nullptr, "", 200).value("name", ""));  // served again
  json renamed = test_item();
  renamed["name"] = "接口测试许可（新版）";
  call_json("PUT", target, renamed, admin, 200);
  auto current = call_json("GET", target, nullptr, "", 200);
  EXPECT_EQ("接口测试许可（新版）", current.value("name", ""));
  EXPECT_EQ(2, current.value("version", 0));
  call_json("PUT", target + "/active", {{"active", false}}, admin, 200);
  EXPECT_FALSE(call_json("GET", target, nullptr, "", 200).value("active", true));
}

TEST_P(ApiTest, OversizeBodyIsRejectedAndChangesNothing) {
  std::string citizen = login("zhangsan");
  auto before = last_event();
  std::string big =
      json{{"item_code", kItemCode}, {"form", {{"shop_name", std::string(2 << 20, 'x')}}}}.dump();
  expect_problem(call("POST", "/api/v1/cases", big, citizen), 413);
  EXPECT_EQ(before, last_event());
}

TEST_P(ApiTest, WindowFilingValidatesTheApplicant) {
  std::string admin = login("admin");
  call_json("POST", "/api/v1/items", test_item(), admin, 201);
  std::string clerk = login("chuangkou");
  auto before = last_event();
  json bad = {
      {"item_code", kItemCode},
      {"form", {{"shop_name", "老李早点"}}},
      {"applicant", {{"kind", "citizen"}, {"name", "李四"}, {"id_number", "110105194912310021"}}}};
  expect_problem(call("POST", "/api/v1/cases", bad.dump(), clerk), 400, "/applicant/id_number");
  // A citizen cannot file in someone else's name.
  bad["applicant"]["id_number"] = "11010519491231002X";
  auto r = call("POST", "/api/v1/cases", bad.dump(), login("zhangsan"));
  EXPECT_TRUE(r.status == 400 || r.status == 403) << r.body;
  before = last_event();
  auto filed = call_json("POST", "/api/v1/cases", bad, clerk, 201);
  EXPECT_EQ("window", filed.value("channel", ""));
  EXPECT_EQ("李四", filed["applicant"].value("name", ""));
  EXPECT_GT(last_event(), before);
}

TEST_P(ApiTest, StatutoryClockShowsRemainingWorkingDays) {
  std::string admin = login("admin");
  call_json("POST", "/api/v1/items", test_item(), admin, 201);
  auto filed = call_json("POST", "/api/v1/cases",
                         {{"item_code", kItemCode}, {"form", {{"shop_name", "面馆"}}}},
                         login("zhangsan"), 201);
  EXPECT_TRUE(filed["clock"].is_null());  // the clock starts at acceptance
  auto accepted = call_json("POST", "/api/v1/cases/" + filed.value("id", "") + "/actions",
                            {{"action", "accept"}, {"opinion", "受理"}}, login("chuangkou"), 200);
  ASSERT_TRUE(accepted["clock"].is_object()) << accepted.dump();
  EXPECT_EQ(5, accepted["clock"].value("limit_days", 0));
  EXPECT_EQ(5, accepted["clock"].value("remaining_days", 0));
  EXPECT_FALSE(accepted["clock"].value("deadline", "").empty());
  EXPECT_EQ("in_review", accepted.value("state", ""));
}

// The demo's case history: every official's queue holds cases, supervision shows alerts with
// department roll-ups, and ratings roll up.
class DemoHistoryTest : public ApiTest {
 protected:
  int demo_cases() const override { return 120; }
};

TEST_P(DemoHistoryTest, QueuesAlertsAndRatingsAreNotEmpty) {
  for (const char* official : {"chuangkou", "shencha", "juece"}) {
    auto list = call_json("GET", "/api/v1/cases?limit=5", nullptr, login(official), 200);
    EXPECT_GT(list.value("total", 0), 10) << official;
  }
  auto mine = call_json("GET", "/api/v1/cases?limit=5", nullptr, login("zhangsan"), 200);
  EXPECT_GT(mine.value("total", 0), 0);
  std::string supervisor = login("jiancha");
  auto alerts = call_json("GET", "/api/v1/supervision/alerts", nullptr, supervisor, 200);
  EXPECT_FALSE(alerts["alerts"].empty());
  EXPECT_GE(alerts["departments"].size(), 8u);
  auto inbox = call_json("GET", "/api/v1/inbox", nullptr, supervisor, 200);
  EXPECT_FALSE(inbox["messages"].empty());
  auto ratings = call_json("GET", "/api/v1/ratings/summary?by=dept", nullptr, supervisor, 200);
  EXPECT_FALSE(ratings["groups"].empty());
  // Cases are in many states, not only the first and the last.
  std::set<std::string> states;
  auto all = call_json("GET", "/api/v1/cases?limit=200", nullptr, supervisor, 200);
  for (const auto& c : all["cases"]) states.insert(c.value("state", ""));
  EXPECT_GE(states.size(), 5u);
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoHistoryTest,
                         ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

INSTANTIATE_TEST_SUITE_P(Backends, ApiTest, ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
