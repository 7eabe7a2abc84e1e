// The catalog service on both backends: publishing, versions, validation, permissions, search,
// and the demo catalog in data/demo.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "events/events.h"
#include "identity/identity.h"
#include "support/platform.h"
#include "support/test_store.h"

namespace yiwang::catalog {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// A principal as authentication would give it (the catalog reads no accounts).
identity::Principal principal(std::set<identity::Role> roles, std::string dept = "scjg") {
  identity::Principal p;
  p.user_id = "u-" + dept;
  p.username = "official";
  p.kind = identity::Kind::official;
  p.roles = std::move(roles);
  p.dept_id = std::move(dept);
  return p;
}

const identity::Principal kAdmin = principal({identity::Role::admin}, "zwfw");

// A complete, valid licence item of 卫健 with a joint review step.
Item hygiene_licence() {
  Item item;
  item.code = "11329900MB0401001000";
  item.basic_code = "0104000100";
  item.name = "公共场所卫生许可";
  item.item_type = "01";
  item.exercise_level = "3";
  item.dept_id = "wjw";
  item.joint_dept_ids = {"xfj"};
  item.legal_limit = 20;
  item.promised_limit = 5;
  item.acceptance_conditions = "已取得营业执照；卫生设施符合公共场所卫生标准。";
  item.materials = {{"公共场所卫生许可申请表", "申请人", 1, 0, true, "", ""},
                    {"营业执照", "市场监督管理部门", 1, 0, true, "", "营业执照"},
                    {"卫生检测报告", "检测机构", 1, 0, true, "", ""}};
  item.service_objects = {"2", "6"};
  item.handling_forms = {"1", "2"};
  item.result_name = "公共场所卫生许可证";
  item.faqs = {{"许可证有效期多长？", "有效期4年。"}};
  FormField venue;
  venue.name = "venue_type";
  venue.label_zh = "场所类别";
  venue.type = "enum";
  venue.required = true;
  venue.options = {"住宿场所", "游泳场所"};
  FormField area;
  area.name = "area";
  area.label_zh = "面积";
  area.type = "number";
  area.min = 1;
  area.max = 100000;
  item.form = {venue, area};
  item.workflow = {{"审查", "review", {"wjw"}, "reviewer"},
                   {"联合审查", "review", {"wjw", "xfj"}, "reviewer"},
                   {"决定", "decide", {"wjw"}, "approver"}};
  item.instant_rules_json =
      R"({"rules":[{"id":"area","description_zh":"面积不超过1000平方米","when":{"fact":"form.area","op":"le","value":1000}}]})";
  return item;
}

Item simple(std::string code, std::string name, std::string dept, std::string type,
            std::vector<std::string> objects, std::string conditions = "") {
  Item item;
  item.code = std::move(code);
  item.basic_code = "B" + item.code.substr(item.code.size() - 4);
  item.name = std::move(name);
  item.item_type = std::move(type);
  item.exercise_level = "3";
  item.dept_id = std::move(dept);
  item.legal_limit = 20;
  item.promised_limit = 10;
  item.service_objects = std::move(objects);
  item.handling_forms = {"1"};
  item.acceptance_conditions = std::move(conditions);
  return item;
}

class CatalogTest
    : public yiwang::testing::PlatformTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open({catalog::migrations()}, 1'790'000'000'000));
    service_ = std::make_unique<Service>(*store_, clock_);
    ASSERT_TRUE(ids_->upsert_division({"320000", "江苏省", ""}));
    ASSERT_TRUE(ids_->upsert_division({"329900", "江宁市（虚构）", "320000"}));
  }

  void add_department(const std::string& id, const std::string& name, const std::string& uscc) {
    identity::Department d{id, name, uscc, "329900", ""};
    auto created = ids_->create_department(d, nullptr);
    ASSERT_TRUE(created) << created.error().message_en;
  }
  void add_departments() {
    add_department("wjw", "江宁市卫生健康委员会", "11329900MB01000415");
    add_department("xfj", "江宁市消防救援支队", "11329900MB0100111P");
    add_department("gaj", "江宁市公安局", "11329900MB0100033A");
    add_department("zwfw", "江宁市政务服务管理办公室", "11329900MB0100017L");
  }

  std::int64_t count(const std::string& table) {
    auto n = store_->read([&](store::Tx& tx) -> Result<std::int64_t> {
      return tx.query_one("SELECT COUNT(*) FROM " + table)->int64(0);
    });
    return n.value();
  }
  std::vector<events::Event> item_events() {
    return store_
        ->read([](store::Tx& tx) -> Result<std::vector<events::Event>> {
          events::Filter f;
          f.type_prefix = "item.";
          return events::list(tx, f);
        })
        .value();
  }
  std::vector<std::string> names(const SearchQuery& q) {
    auto r = service_->search(q);
    EXPECT_TRUE(r) << r.error().message_en;
    std::vector<std::string> out;
    if (r) {
      for (const auto& i : r->items) out.push_back(i.name);
    }
    return out;
  }

  std::unique_ptr<Service> service_;
};

TEST_P(CatalogTest, PublishGetAndVersions) {
  add_departments();
  auto v1 = service_->publish(hygiene_licence(), kAdmin);
  ASSERT_TRUE(v1) << v1.error().field << " " << v1.error().message_en;
  EXPECT_EQ(1, v1->version);
  EXPECT_EQ(clock_.now_ms(), v1->published_at_ms);

  auto got = service_->get("11329900MB0401001000");
  ASSERT_TRUE(got);
  EXPECT_EQ("公共场所卫生许可", got->name);
  EXPECT_EQ(3u, got->materials.size());
  EXPECT_EQ("营业执照", got->materials[1].certificate_type);
  ASSERT_EQ(2u, got->form.size());
  EXPECT_EQ(100000, got->form[1].max.value_or(0));
  EXPECT_FALSE(got->form[0].min.has_value());
  ASSERT_EQ(3u, got->workflow.size());
  EXPECT_EQ((std::vector<std::string>{"wjw", "xfj"}), got->workflow[1].dept_ids);
  EXPECT_EQ(json::parse(hygiene_licence().instant_rules_json),
            json::parse(got->instant_rules_json));
  EXPECT_EQ((std::vector<std::string>{"2", "6"}), got->service_objects);
  EXPECT_EQ("有效期4年。", got->faqs[0].answer);

  clock_.advance(60'000);
  Item changed = hygiene_licence();
  changed.name = "公共场所卫生许可（新办）";
  changed.promised_limit = 3;
  auto v2 = service_->publish(changed, kAdmin);
  ASSERT_TRUE(v2);
  EXPECT_EQ(2, v2->version);
  EXPECT_EQ("公共场所卫生许可（新办）", service_->get("11329900MB0401001000")->name);
  auto old = service_->get_version("11329900MB0401001000", 1);
  ASSERT_TRUE(old);
  EXPECT_EQ("公共场所卫生许可", old->name);
  EXPECT_EQ(5, old->promised_limit);
  EXPECT_EQ(ErrorCode::not_found, service_->get_version("11329900MB0401001000", 3).error().code);
  EXPECT_EQ(ErrorCode::not_found, service_->get("NOPE").error().code);

  auto evs = item_events();
  ASSERT_EQ(2u, evs.size());
  EXPECT_EQ("item.published", evs[1].type);
  EXPECT_EQ("11329900MB0401001000", evs[1].subject_id);
  auto data = json::parse(evs[1].data_json);
  EXPECT_EQ(2, data["version"]);
  EXPECT_EQ("wjw", data["dept_id"]);
  EXPECT_EQ("公共场所卫生许可", json::parse(evs[1].before_json)["name"]);
  EXPECT_TRUE(evs[0].before_json.empty());
  EXPECT_EQ(1, count("items"));
  EXPECT_EQ(2, count("item_versions"));
  EXPECT_EQ(2, count("item_service_objects"));

  // Create-only and update-only modes (POST and PUT).
  EXPECT_EQ(ErrorCode::conflict,
            service_->publish(hygiene_licence(), kAdmin, PublishMode::create_only).error().code);
  Item fresh = simple("NEW0001", "新事项", "gaj", "20", {"1"});
  EXPECT_EQ(ErrorCode::not_found,
            service_->publish(fresh, kAdmin, PublishMode::update_only).error().code);
}

TEST_P(CatalogTest, InvalidItemsNameTheFieldAndWriteNothing) {
  add_departments();
  struct Case {
    std::string field;
    std::function<void(Item&)> spoil;
  };
  const std::vector<Case> cases = {
      {"/code", [](Item& i) { i.code = "1234567890123456789012345"; }},
      {"/code", [](Item& i) { i.code = "11-32"; }},
      {"/basic_code", [](Item& i) { i.basic_code = "12345678901"; }},
      {"/name", [](Item& i) { i.name = ""; }},
      {"/item_type", [](Item& i) { i.item_type = "11"; }},
      {"/exercise_level", [](Item& i) { i.exercise_level = "8"; }},
      {"/dept_id", [](Item& i) { i.dept_id = "nosuch"; }},
      {"/joint_dept_ids/0", [](Item& i) { i.joint_dept_ids = {"nosuch"}; }},
      {"/promised_limit", [](Item& i) { i.promised_limit = 30; }},
      {"/legal_limit", [](Item& i) { i.legal_limit = -1; }},
      {"/service_objects/1",
       [](Item& i) {
         i.service_objects = {"1", "7"};
       }},
      {"/handling_forms/0", [](Item& i) { i.handling_forms = {"5"}; }},
      {"/case_type", [](Item& i) { i.case_type = "3"; }},
      {"/materials/2/name", [](Item& i) { i.materials[2].name = ""; }},
      {"/materials/0/copies", [](Item& i) { i.materials[0].copies = -1; }},
      {"/form/0/type", [](Item& i) { i.form[0].type = "blob"; }},
      {"/form/1/name", [](Item& i) { i.form[1].name = "venue_type"; }},
      {"/form/0/name", [](Item& i) { i.form[0].name = "Venue"; }},
      {"/form/0/options", [](Item& i) { i.form[0].options.clear(); }},
      {"/form/1/min", [](Item& i) { i.form[1].min = 5, i.form[1].max = 1; }},
      {"/workflow/1/dept_ids/0", [](Item& i) { i.workflow[1].dept_ids[0] = "nosuch"; }},
      {"/workflow/0/role", [](Item& i) { i.workflow[0].role = "boss"; }},
      {"/workflow/0/kind", [](Item& i) { i.workflow[0].kind = "approve"; }},
      {"/workflow/0/kind", [](Item& i) { i.workflow[0].kind = "decide"; }},
      {"/workflow", [](Item& i) { i.workflow[2].kind = "review"; }},
      {"/instant_rules/rules/0/when/fact",
       [](Item& i) {
         i.instant_rules_json =
             R"({"rules":[{"id":"x","description_zh":"x","when":{"fact":"form.colour","op":"exists"}}]})";
       }},
  };
  for (const auto& c : cases) {
    Item item = hygiene_licence();
    c.spoil(item);
    auto r = service_->publish(item, kAdmin);
    ASSERT_FALSE(r) << c.field;
    EXPECT_EQ(ErrorCode::invalid_input, r.error().code) << c.field;
    EXPECT_EQ(c.field, r.error().field) << r.error().message_en;
    EXPECT_FALSE(r.error().message_zh.empty());
  }
  EXPECT_EQ(0, count("items"));
  EXPECT_EQ(0, count("item_versions"));
  EXPECT_TRUE(item_events().empty());
  EXPECT_EQ(0, service_->search({}).value().total);
}

TEST_P(CatalogTest, OnlyAdminsPublishAndWithdraw) {
  add_departments();
  for (const auto& who : {principal({identity::Role::reviewer, identity::Role::approver}, "wjw"),
                          principal({identity::Role::clerk}, "wjw")}) {
    EXPECT_EQ(ErrorCode::forbidden, service_->publish(hygiene_licence(), who).error().code);
  }
  identity::Principal citizen;
  citizen.user_id = "c1";
  citizen.kind = identity::Kind::citizen;
  citizen.roles = {identity::Role::admin};  // roles mean nothing on a citizen
  EXPECT_EQ(ErrorCode::forbidden, service_->publish(hygiene_licence(), citizen).error().code);
  EXPECT_EQ(0, count("items"));

  ASSERT_TRUE(service_->publish(hygiene_licence(), kAdmin));
  auto approver = principal({identity::Role::approver}, "wjw");
  EXPECT_EQ(ErrorCode::forbidden,
            service_->set_active("11329900MB0401001000", false, approver).error().code);
  EXPECT_EQ(ErrorCode::not_found, service_->set_active("NOPE", false, kAdmin).error().code);
}

TEST_P(CatalogTest, DryRunValidatesTheFormAndEvaluatesRules) {
  add_departments();
  ASSERT_TRUE(service_->publish(hygiene_licence(), kAdmin));
  auto approver = principal({identity::Role::approver}, "wjw");
  auto ok = service_->dry_run("11329900MB0401001000", R"({"venue_type": "住宿场所", "area": 800})",
                              {}, approver);
  ASSERT_TRUE(ok) << ok.error().message_en;
  EXPECT_TRUE(ok->eligible);
  auto big = service_->dry_run("11329900MB0401001000",
                               R"({"venue_type": "住宿场所", "area": 1200})", {}, approver);
  ASSERT_TRUE(big);
  EXPECT_FALSE(big->eligible);
  EXPECT_EQ("form.area = 1200, needs ≤ 1000", big->outcomes[0].detail);
  EXPECT_EQ(
      "/form/venue_type",
      service_->dry_run("11329900MB0401001000", R"({"area": 5})", {}, approver).error().field);
  EXPECT_EQ(ErrorCode::forbidden,
            service_->dry_run("11329900MB0401001000", "{}", {}, principal({identity::Role::clerk}))
                .error()
                .code);
}

TEST_P(CatalogTest, ChineseSearchFiltersAndRanking) {
  add_departments();
  ASSERT_TRUE(service_->publish(hygiene_licence(), kAdmin));
  ASSERT_TRUE(service_->publish(simple("11329900MB0307001000", "居民身份证换领", "gaj", "07", {"1"},
                                       "居民身份证有效期满、损坏的可申请换领。"),
                                kAdmin));
  ASSERT_TRUE(
      service_->publish(simple("11329900MB0320002000", "养犬登记", "gaj", "20", {"1"}), kAdmin));
  ASSERT_TRUE(service_->publish(simple("11329900MB0120001000", "政府信息公开申请", "zwfw", "20",
                                       {"1", "2"}, "公民、法人可申请获取政府信息。"),
                                kAdmin));

  auto first = [&](std::string q) {
    SearchQuery s;
    s.q = std::move(q);
    auto n = names(s);
    return n.empty() ? std::string() : n.front();
  };
  EXPECT_EQ("居民身份证换领", first("身份证"));
  EXPECT_EQ("公共场所卫生许可", first("卫生"));
  EXPECT_EQ("公共场所卫生许可", first("卫生健康委员会"));  // the department's name is indexed
  EXPECT_EQ("公共场所卫生许可", first("检测报告"));        // material names too
  EXPECT_EQ("政府信息公开申请", first("政府信息"));
  EXPECT_EQ("养犬登记", first("11329900MB0320002000"));  // exact code first
  EXPECT_EQ("", first("飞机"));

  SearchQuery all;
  EXPECT_EQ((std::vector<std::string>{"公共场所卫生许可", "养犬登记", "居民身份证换领",
                                      "政府信息公开申请"}),
            names(all))
      << "an empty query lists by name";
  EXPECT_EQ(4, service_->search(all).value().total);

  SearchQuery by_dept;
  by_dept.dept_id = "gaj";
  EXPECT_EQ((std::vector<std::string>{"养犬登记", "居民身份证换领"}), names(by_dept));
  SearchQuery by_type;
  by_type.item_type = "20";
  by_type.q = "登记";
  EXPECT_EQ((std::vector<std::string>{"养犬登记"}), names(by_type));
  SearchQuery by_object;
  by_object.service_object = "2";
  EXPECT_EQ((std::vector<std::string>{"公共场所卫生许可", "政府信息公开申请"}), names(by_object));

  SearchQuery page;
  page.limit = 1;
  page.offset = 1;
  auto paged = service_->search(page);
  ASSERT_TRUE(paged);
  EXPECT_EQ(4, paged->total);
  EXPECT_EQ((std::vector<std::string>{"养犬登记"}), names(page));

  // Withdrawn items leave the public list; the index survives a restart (rebuilt from the store).
  ASSERT_TRUE(service_->set_active("11329900MB0320002000", false, kAdmin));
  EXPECT_FALSE(service_->get("11329900MB0320002000")->active);
  EXPECT_EQ(3, service_->search(all).value().total);
  SearchQuery with_inactive;
  with_inactive.include_inactive = true;
  EXPECT_EQ(4, service_->search(with_inactive).value().total);

  service_ = std::make_unique<Service>(*store_, clock_);
  EXPECT_EQ("居民身份证换领", first("身份证"));
  EXPECT_EQ(3, service_->search(all).value().total);
  ASSERT_TRUE(service_->set_active("11329900MB0320002000", true, kAdmin));
  EXPECT_EQ("养犬登记", first("养犬"));

  // An update replaces the document: the old name no longer matches.
  Item renamed = simple("11329900MB0307001000", "居民证件换领", "gaj", "07", {"1"});
  ASSERT_TRUE(service_->publish(renamed, kAdmin));
  EXPECT_EQ("", first("身份证"));
}

// Publishing and searching from several threads: the index is shared and guarded; every item
// published ends up both in the store and in the index.
TEST_P(CatalogTest, ConcurrentPublishAndSearch) {
  add_departments();
  constexpr int kThreads = 4, kPerThread = 10;
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string code = "CONC" + std::to_string(t) + "X" + std::to_string(1000 + i);
        auto r = service_->publish(simple(code, "并发事项" + std::to_string(i), "gaj", "20", {"1"}),
                                   kAdmin);
        SearchQuery q;
        q.q = "并发";
        if (!r || !service_->search(q)) failed = true;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_FALSE(failed);
  SearchQuery q;
  q.q = "并发事项";
  EXPECT_EQ(kThreads * kPerThread, service_->search(q).value().total);
  EXPECT_EQ(kThreads * kPerThread, count("items"));
}

fs::path demo_dir() {
  if (const char* src = std::getenv("YIWANG_SOURCE_DIR")) return fs::path(src) / "data/demo";
  return fs::path(__FILE__).parent_path() / "../../data/demo";
}

json read_json(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

TEST_P(CatalogTest, DemoCatalogPublishesWithoutError) {
  json departments = read_json(demo_dir() / "departments.json");
  ASSERT_GE(departments.size(), 9u);
  for (const auto& d : departments) {
    EXPECT_TRUE(identity::valid_uscc(d["uscc"].get<std::string>())) << d;
    add_department(d["id"], d["name"], d["uscc"]);
  }
  json items = read_json(demo_dir() / "items.json");
  ASSERT_GE(items.size(), 36u);
  std::set<std::string> depts;
  int instant = 0, joint = 0, on_the_spot = 0;
  for (const auto& doc : items) {
    auto item = item_from_json(doc.dump());
    ASSERT_TRUE(item) << doc.value("name", "") << item.error().field << item.error().message_en;
    auto published = service_->publish(*item, kAdmin, PublishMode::create_only);
    ASSERT_TRUE(published) << item->name << " " << published.error().field << " "
                           << published.error().message_en;
    // What is read back is what was published.
    EXPECT_EQ(json::parse(item_to_json(*published)),
              json::parse(item_to_json(*service_->get(item->code))));
    depts.insert(item->dept_id);
    instant += !item->instant_rules_json.empty();
    on_the_spot += item->case_type == "1";
    for (const auto& step : item->workflow) joint += step.dept_ids.size() > 1;
  }
  EXPECT_GE(depts.size(), 9u);
  EXPECT_GE(instant, 1);
  EXPECT_GE(joint, 3);
  EXPECT_GE(on_the_spot, 3);
  SearchQuery all;
  all.limit = 1000;
  EXPECT_EQ(static_cast<std::int64_t>(items.size()), service_->search(all).value().total);

  SearchQuery q;
  q.q = "高龄津贴";
  auto found = service_->search(q).value();
  ASSERT_FALSE(found.items.empty());
  EXPECT_EQ("高龄津贴申领", found.items[0].name);
  // The demo's 秒批 item grants an 81-year-old resident, and explains a 79-year-old's refusal.
  ApplicantFacts a;
  a.kind = "citizen";
  a.age = 81;
  a.division_code = "329902";
  a.open_cases_same_item = 0;
  auto approver = principal({identity::Role::approver}, "mzj");
  const Item& elderly = found.items[0];
  json form = {{"applicant_name", "王秀英"},
               {"id_number", "11010519491231002X"},
               {"phone", "13905250000"},
               {"bank_name", "江宁农商银行"},
               {"bank_account", "6228480000000000"}};
  auto yes = service_->dry_run(elderly.code, form.dump(), a, approver);
  ASSERT_TRUE(yes) << yes.error().field << yes.error().message_en;
  EXPECT_TRUE(yes->eligible);
  a.age = 79;
  auto no = service_->dry_run(elderly.code, form.dump(), a, approver);
  ASSERT_TRUE(no);
  EXPECT_FALSE(no->eligible);
  EXPECT_EQ("applicant.age = 79, needs ≥ 80", no->outcomes[0].detail);
}

TEST(ItemJson, StrictParseNamesUnknownAndMistypedFields) {
  auto bad = item_from_json(R"({"code": "A1", "colour": "red"})");
  ASSERT_FALSE(bad);
  EXPECT_EQ("/colour", bad.error().field);
  EXPECT_EQ("/materials/0/copies",
            item_from_json(R"({"materials": [{"name": "x", "copies": "2"}]})").error().field);
  EXPECT_EQ("/form/0/shape",
            item_from_json(R"({"form": [{"name": "x", "shape": 1}]})").error().field);
  EXPECT_EQ("/limit_unit", item_from_json(R"({"limit_unit": "weeks"})").error().field);
  EXPECT_EQ("/instant_rules", item_from_json(R"({"instant_rules": "x"})").error().field);
  auto ok = item_from_json(R"({"code": "A1", "limit_unit": "natural_days", "item_type_name": "x",
                               "instant_rules": {"rules": []}, "form": [{"name": "n", "min": 1.5}]})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(LimitUnit::natural_days, ok->limit_unit);
  EXPECT_EQ(R"({"rules":[]})", ok->instant_rules_json);
  EXPECT_EQ(1.5, ok->form[0].min.value_or(0));
  auto round = json::parse(item_to_json(*ok));
  EXPECT_EQ("natural_days", round["limit_unit"]);
  EXPECT_EQ("", round["item_type_name"]);
  EXPECT_FALSE(round["form"][0].contains("max"));
  EXPECT_EQ(1.5, round["form"][0]["min"]);
}

TEST(ItemTypes, GbT39046TableA1) {
  EXPECT_TRUE(valid_item_type("01"));
  EXPECT_TRUE(valid_item_type("20"));
  EXPECT_FALSE(valid_item_type("11"));
  EXPECT_FALSE(valid_item_type("1"));
  EXPECT_EQ("行政许可", item_type_name("01"));
  EXPECT_EQ("公共服务", item_type_name("20"));
  EXPECT_EQ("", item_type_name("99"));
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogTest, ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::catalog
