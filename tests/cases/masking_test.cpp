// Minimum-necessary personal data in case documents (等保 level 3, issue #16): the disclosure
// each reader gets, field kinds, name and address reduction and mask_for as table tests on plain
// values; then the routes on both backends, scanning whole serialised bodies for the full values.
// Regression: case lists masked applicant.id_number but returned form.id_number and form.phone in
// full, and supervisors read every department's cases with full ids and phones.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/cases.h"
#include "cases/internal.h"
#include "cases/services.h"
#include "http/http.h"
#include "support/router_client.h"
#include "support/test_store.h"

namespace yiwang::cases {
namespace {

using detail::disclosure_for;
using detail::FieldKind;
using detail::mask_for;
using detail::Reading;
using identity::Kind;
using identity::Principal;
using identity::Role;
using nlohmann::json;

const std::string kIdNumber = yiwang::testing::citizen_id("11010519900307001");
const std::string kPhone = "13912345678";
const std::string kStreet = "江宁市秦淮区龙蟠中路66号";

Principal person(const std::string& user_id, Kind kind = Kind::citizen) {
  Principal p;
  p.user_id = user_id;
  p.kind = kind;
  return p;
}

Principal staff(const std::string& user_id, const std::string& dept, std::set<Role> roles) {
  Principal p = person(user_id, Kind::official);
  p.dept_id = dept;
  p.roles = std::move(roles);
  return p;
}

// A case of 市场监管 (scjg) with a joint step with 公安 (gaj), filed online by citizen "u-zs".
Case sample_case() {
  Case c;
  c.id = "YW2026030200000001";
  c.item_code = "ITEM";
  c.item_version = 1;
  c.dept_id = "scjg";
  c.channel = "online";
  c.filed_by = "u-zs";
  c.applicant = {"u-zs", "citizen", "张三丰", kIdNumber, kPhone, "320104"};
  c.form_json = json{{"applicant_name", "张三丰"},
                     {"id_number", kIdNumber},
                     {"phone", kPhone},
                     {"address", kStreet},
                     {"seats", 40},
                     {"shop_kind", "餐馆"},
                     {"opened_on", "2026-03-01"}}
                    .dump();
  c.materials = {
      {"身份证", std::string(64, 'a'), "", ""},
      {"营业执照", "", "1.2.156.3005.2.11320100MB0201002X.0001",
       R"({"identifier":"1.2.156.3005.2.11320100MB0201002X.0001","holder_id":"110105********0011",)"
       R"("signature_ok":true,"holder_ok":true,"presentation":"eyJhbGciOi~WyJzYWx0IiwibmFtZSIsIuW8oOS4iSJd~"})"}};
  Step review;
  review.dept_ids = {"scjg"};
  Step joint;
  joint.dept_ids = {"scjg", "gaj"};
  c.steps = {review, joint};
  return c;
}

std::vector<catalog::FormField> sample_form() {
  auto field = [](std::string name, std::string type) {
    catalog::FormField f;
    f.name = std::move(name);
    f.label_zh = f.name;
    f.type = std::move(type);
    if (f.type == "enum") f.options = {"餐馆", "小吃店"};
    return f;
  };
  return {field("applicant_name", "string"), field("id_number", "citizen_id"),
          field("phone", "phone"),           field("address", "string"),
          field("seats", "integer"),         field("shop_kind", "enum"),
          field("opened_on", "date")};
}

TEST(Disclosure, ByReaderAndReading) {
  const Case c = sample_case();
  struct Row {
    const char* who;
    Principal reader;
    Disclosure one;
    Disclosure list;
  };
  const std::vector<Row> rows = {
      {"the applicant", person("u-zs"), Disclosure::full, Disclosure::full},
      {"another citizen", person("u-ls"), Disclosure::supervision, Disclosure::supervision},
      {"a business", person("u-qy", Kind::business), Disclosure::supervision,
       Disclosure::supervision},
      {"clerk of the item's department", staff("o1", "scjg", {Role::clerk}), Disclosure::full,
       Disclosure::masked},
      {"reviewer of the item's department", staff("o2", "scjg", {Role::reviewer}), Disclosure::full,
       Disclosure::masked},
      {"approver of the item's department", staff("o3", "scjg", {Role::approver}), Disclosure::full,
       Disclosure::masked},
      {"reviewer of the joint step's department", staff("o4", "gaj", {Role::reviewer}),
       Disclosure::full, Disclosure::masked},
      {"clerk of a department it is not routed to", staff("o5", "wjw", {Role::clerk}),
       Disclosure::supervision, Disclosure::supervision},
      {"supervisor", staff("o6", "zwfw", {Role::supervisor}), Disclosure::supervision,
       Disclosure::supervision},
      {"supervisor in the item's department", staff("o7", "scjg", {Role::supervisor}),
       Disclosure::supervision, Disclosure::supervision},
      {"admin", staff("o8", "zwfw", {Role::admin}), Disclosure::supervision,
       Disclosure::supervision},
      {"admin in the item's department", staff("o9", "scjg", {Role::admin}),
       Disclosure::supervision, Disclosure::supervision},
      {"official without a department", staff("o10", "", {Role::clerk}), Disclosure::supervision,
       Disclosure::supervision},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(r.one, disclosure_for(c, r.reader, Reading::one)) << r.who;
    EXPECT_EQ(r.list, disclosure_for(c, r.reader, Reading::list)) << r.who;
  }
  // The clerk who filed at the window handles the case, whatever department it belongs to.
  Case window = c;
  window.channel = "window";
  window.filed_by = "o11";
  window.applicant.user_id = "";
  EXPECT_EQ(Disclosure::full,
            disclosure_for(window, staff("o11", "wjw", {Role::clerk}), Reading::one));
  EXPECT_EQ(Disclosure::masked,
            disclosure_for(window, staff("o11", "wjw", {Role::clerk}), Reading::list));
  // An applicant without an account is nobody's reader; an anonymous principal reads nothing.
  EXPECT_EQ(Disclosure::supervision, disclosure_for(window, person(""), Reading::one));
}

TEST(FieldKinds, DeclaredTypeThenNameThenShape) {
  struct Row {
    const char* name;
    const char* type;
    json value;
    FieldKind kind;
  };
  const std::vector<Row> rows = {
      {"child_id_number", "citizen_id", "x", FieldKind::id_number},
      {"entity", "uscc", "x", FieldKind::id_number},
      {"contact", "phone", "x", FieldKind::phone},
      {"spouse_id_number", "string", "x", FieldKind::id_number},
      {"uscc", "", "x", FieldKind::id_number},
      {"holder_uscc", "", "x", FieldKind::id_number},
      {"id_card", "", "x", FieldKind::id_number},
      {"contact_phone", "string", "x", FieldKind::phone},
      {"mobile", "", "x", FieldKind::phone},
      {"office_tel", "", "x", FieldKind::phone},
      {"hotel", "", "x", FieldKind::text},
      {"mail_address", "string", "x", FieldKind::address},
      {"residence_address", "", "x", FieldKind::address},
      {"note", "string", kIdNumber, FieldKind::id_number},
      {"note", "", yiwang::testing::uscc("91350100M000100Y4"), FieldKind::id_number},
      {"note", "text", kPhone, FieldKind::phone},
      {"note", "", "+86 13912345678", FieldKind::text},  // a separator after +86: not a shape
      {"note", "", "+8613912345678", FieldKind::phone},
      {"note", "", "025-84412345", FieldKind::phone},
      {"note", "", "12345678", FieldKind::text},
      {"note", "", "2026-03-01", FieldKind::text},
      {"applicant_name", "string", "张三", FieldKind::text},
      {"opened_on", "date", "2026-03-01", FieldKind::text},
      {"reason", "text", "开店", FieldKind::text},
      {"shop_kind", "enum", "餐馆", FieldKind::value},
      {"seats", "integer", 40, FieldKind::value},
      {"amount", "number", 12.5, FieldKind::value},
      {"online", "boolean", true, FieldKind::value},
      {"seats", "", 40, FieldKind::value},
      {"online", "", false, FieldKind::value},
      {"tags", "", json::array({"a"}), FieldKind::text},
      {"count", "enum", kPhone, FieldKind::value},  // declared enumerated: its options decide
  };
  for (const auto& r : rows) {
    EXPECT_EQ(r.kind, detail::field_kind(r.name, r.type, r.value))
        << r.name << " (" << r.type << ") = " << r.value.dump();
  }
}

TEST(DistrictOf, NothingBelowTheDistrict) {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {kStreet, "江宁市秦淮区"},
      {"江苏省南京市江宁区东山街道上元大街1号", "江苏省南京市江宁区"},
      {"某省某某县城关镇人民路8号", "某省某某县"},
      {"内蒙古自治区", "内蒙古自治区"},
      {"阿拉善左旗巴彦浩特镇", "阿拉善左旗"},
      {"江宁市幸福小区3栋", "江宁市"},        // 小区 is no district
      {"江宁市高新园区创业路1号", "江宁市"},  // nor 园区
      {"江宁市农贸市场东门", "江宁市"},       // 市场 is no city
      {"农贸市场东门", ""},
      {"中山路1号", ""},
      {"", ""},
  };
  for (const auto& [address, district] : rows) {
    EXPECT_EQ(district, detail::district_of(address)) << address;
  }
}

TEST(MaskFor, TheApplicantAndTheDecidingOfficialReadEverything) {
  const Case c = sample_case();
  for (const auto& [reader, reading] :
       {std::pair{person("u-zs"), Reading::one}, std::pair{person("u-zs"), Reading::list},
        std::pair{staff("o3", "scjg", {Role::approver}), Reading::one}}) {
    Case seen = mask_for(reader, c, reading, sample_form());
    EXPECT_EQ(Disclosure::full, seen.disclosure);
    EXPECT_EQ(c.applicant.id_number, seen.applicant.id_number);
    EXPECT_EQ(c.applicant.phone, seen.applicant.phone);
    EXPECT_EQ(c.applicant.name, seen.applicant.name);
    EXPECT_EQ(c.form_json, seen.form_json);
    EXPECT_EQ(c.materials[0].sha256, seen.materials[0].sha256);
    EXPECT_EQ(c.materials[1].verification_json, seen.materials[1].verification_json);
  }
}

TEST(MaskFor, HandlingListsMaskNumbersAndAddressesOfApplicantAndForm) {
  Case seen =
      mask_for(staff("o1", "scjg", {Role::clerk}), sample_case(), Reading::list, sample_form());
  EXPECT_EQ(Disclosure::masked, seen.disclosure);
  EXPECT_EQ("张三丰", seen.applicant.name);
  EXPECT_EQ(identity::mask_id_number(kIdNumber), seen.applicant.id_number);
  EXPECT_EQ("", seen.applicant.phone);
  EXPECT_EQ("", seen.applicant.user_id);
  EXPECT_EQ("", seen.filed_by);
  EXPECT_EQ((json{{"applicant_name", "张三丰"},
                  {"id_number", identity::mask_id_number(kIdNumber)},
                  {"phone", "139****5678"},
                  {"address", "江宁市秦淮区"},
                  {"seats", 40},
                  {"shop_kind", "餐馆"},
                  {"opened_on", "2026-03-01"}}),
            json::parse(seen.form_json));
  EXPECT_EQ(std::string(64, 'a'), seen.materials[0].sha256);  // the files are theirs to read
  EXPECT_EQ("", seen.materials[1].verification_json);         // read on the case itself
}

TEST(MaskFor, SupervisionGetsWhatSupervisionNeeds) {
  const Case c = sample_case();
  for (const auto& reader : {staff("o6", "zwfw", {Role::supervisor}),
                             staff("o8", "zwfw", {Role::admin}), person("u-ls")}) {
    for (Reading reading : {Reading::one, Reading::list}) {
      Case seen = mask_for(reader, c, reading, sample_form());
      EXPECT_EQ(Disclosure::supervision, seen.disclosure);
      EXPECT_EQ("张*", seen.applicant.name);
      EXPECT_EQ(identity::mask_id_number(kIdNumber), seen.applicant.id_number);
      EXPECT_EQ(reading == Reading::one ? "139****5678" : "", seen.applicant.phone);
      EXPECT_EQ("", seen.applicant.user_id);
      EXPECT_EQ("", seen.filed_by);  // filed online: the applicant's account id again
      EXPECT_EQ("320104", seen.applicant.division_code);
      EXPECT_EQ((json{{"id_number", identity::mask_id_number(kIdNumber)},
                      {"phone", "139****5678"},
                      {"address", "江宁市秦淮区"},
                      {"seats", 40},
                      {"shop_kind", "餐馆"}}),
                json::parse(seen.form_json));
      EXPECT_EQ("", seen.materials[0].sha256);
      EXPECT_EQ("1.2.15********0001", seen.materials[1].certificate_id);
      EXPECT_EQ((json{{"signature_ok", true}, {"holder_ok", true}}),
                json::parse(seen.materials[1].verification_json));
      // What supervision needs is untouched.
      EXPECT_EQ(c.id, seen.id);
      EXPECT_EQ(c.dept_id, seen.dept_id);
      EXPECT_EQ(c.state, seen.state);
      EXPECT_EQ(c.steps.size(), seen.steps.size());
      EXPECT_EQ("身份证", seen.materials[0].name);
    }
  }
}

TEST(MaskFor, WithoutTheFormNamesAndShapesDecide) {
  Case c = sample_case();
  c.form_json = json{{"id_number", kIdNumber},  {"contact", kPhone}, {"partner", kIdNumber},
                     {"home_address", kStreet}, {"seats", 40},       {"remark", "住龙蟠中路66号"}}
                    .dump();
  Case listed = mask_for(staff("o1", "scjg", {Role::clerk}), c, Reading::list, {});
  EXPECT_EQ((json{{"id_number", identity::mask_id_number(kIdNumber)},
                  {"contact", "139****5678"},
                  {"partner", identity::mask_id_number(kIdNumber)},
                  {"home_address", "江宁市秦淮区"},
                  {"seats", 40},
                  {"remark", "住龙蟠中路66号"}}),
            json::parse(listed.form_json));
  Case watched = mask_for(staff("o6", "zwfw", {Role::supervisor}), c, Reading::one, {});
  EXPECT_EQ((json{{"id_number", identity::mask_id_number(kIdNumber)},
                  {"contact", "139****5678"},
                  {"partner", identity::mask_id_number(kIdNumber)},
                  {"home_address", "江宁市秦淮区"},
                  {"seats", 40}}),
            json::parse(watched.form_json));
}

// ---- The routes, on both backends -------------------------------------------------------------

const char* kItem = "11320100MASKTEST0001";

class CaseMaskingRoutesTest : public testing::CasesFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open(yiwang::testing::at(2026, 3, 2)));
    Options options;
    options.files_dir = yiwang::testing::temp_dir();
    service_ = std::make_unique<Service>(*store_, clock_, random_, *catalog_, *ids_, options);
    register_routes(router_, *service_, *ids_);
    identity::register_routes(router_, *ids_);  // sign-in
    city_departments();
    admin_ = official("admin", "zwfw", {Role::admin});
    clerk_ = official("chuangkou", "scjg", {Role::clerk});
    reviewer_ = official("shencha", "scjg", {Role::reviewer});
    approver_ = official("juece", "scjg", {Role::approver});
    supervisor_ = official("jiancha", "zwfw", {Role::supervisor});
    citizen_ = citizen("zhangsan", "张三丰", "11010519900307001", kPhone);
    ASSERT_EQ(kIdNumber, citizen_.id_number);

    catalog::Item i = licence_item(kItem, "MASK01", "餐饮服务许可（脱敏测试）");
    i.case_type = "2";
    i.form = sample_form();
    i.materials = {{"身份证", "申请人", 0, 1, true, "", ""}};
    ASSERT_TRUE(catalog_->publish(i, admin_));
  }

  // Filed online by 张三丰 with an uploaded copy of their id card.
  json file_case() {
    auto token = client_.login("zhangsan", std::string(yiwang::testing::kPassword));
    auto upload =
        client_.call("POST", "/api/v1/files", "%PDF-1.7 id card", token, "application/pdf");
    EXPECT_EQ(201, upload.status) << upload.body;
    sha256_ = json::parse(upload.body).value("sha256", "");
    return client_.call_json("POST", "/api/v1/cases",
                             {{"item_code", kItem},
                              {"form",
                               {{"applicant_name", "张三丰"},
                                {"id_number", kIdNumber},
                                {"phone", kPhone},
                                {"address", kStreet},
                                {"seats", 40},
                                {"shop_kind", "餐馆"},
                                {"opened_on", "2026-03-01"}}},
                              {"materials", {{{"name", "身份证"}, {"sha256", sha256_}}}}},
                             token, 201);
  }

  json read(const std::string& username, const std::string& target) {
    return client_.call_json("GET", target, nullptr,
                             client_.login(username, std::string(yiwang::testing::kPassword)), 200);
  }

  // A serialised body holds none of the applicant's full personal data.
  void expect_nothing_personal(const json& body, const std::string& who) {
    const std::string text = body.dump();
    EXPECT_EQ(std::string::npos, text.find(kIdNumber)) << who << ": " << text;
    EXPECT_EQ(std::string::npos, text.find(kPhone)) << who << ": " << text;
    EXPECT_EQ(std::string::npos, text.find("龙蟠中路")) << who << ": " << text;
    EXPECT_EQ(std::string::npos, text.find("张三丰")) << who << ": " << text;
    EXPECT_EQ(std::string::npos, text.find(sha256_)) << who << ": " << text;
    EXPECT_EQ(std::string::npos, text.find(citizen_.user_id)) << who << ": " << text;
  }

  static const json& only_case(const json& list) {
    EXPECT_EQ(1u, list["cases"].size()) << list.dump();
    return list["cases"][0];
  }

  http::Router router_;
  yiwang::testing::RouterClient client_{router_};
  std::string sha256_;
  Principal admin_, clerk_, reviewer_, approver_, supervisor_, citizen_;
};

TEST_P(CaseMaskingRoutesTest, HandlingClerksListMasksTheFormsIdNumberAndPhone) {
  file_case();
  const json listed = only_case(read("chuangkou", "/api/v1/cases"));
  EXPECT_EQ("masked", listed.value("disclosure", ""));
  EXPECT_EQ(identity::mask_id_number(kIdNumber), listed["form"].value("id_number", ""));
  EXPECT_EQ("139****5678", listed["form"].value("phone", ""));
  EXPECT_EQ("江宁市秦淮区", listed["form"].value("address", ""));
  EXPECT_EQ(identity::mask_id_number(kIdNumber), listed["applicant"].value("id_number", ""));
  EXPECT_FALSE(listed["applicant"].contains("phone"));
  const std::string text = listed.dump();
  EXPECT_EQ(std::string::npos, text.find(kIdNumber)) << text;
  EXPECT_EQ(std::string::npos, text.find(kPhone)) << text;
  EXPECT_EQ(std::string::npos, text.find("龙蟠中路")) << text;
}

TEST_P(CaseMaskingRoutesTest, SupervisorsAndAdminsReadNoFullIdentityInOneCaseOrList) {
  const std::string id = file_case().value("id", "");
  for (const std::string who : {"jiancha", "admin"}) {
    const json one = read(who, "/api/v1/cases/" + id);
    expect_nothing_personal(one, who + " reading the case");
    EXPECT_EQ("supervision", one.value("disclosure", "")) << who;
    EXPECT_EQ("张*", one["applicant"].value("name", "")) << who;
    EXPECT_EQ(identity::mask_id_number(kIdNumber), one["applicant"].value("id_number", ""));
    EXPECT_EQ("139****5678", one["applicant"].value("phone", ""));
    EXPECT_FALSE(one["applicant"].contains("user_id"));
    EXPECT_EQ((json{{"id_number", identity::mask_id_number(kIdNumber)},
                    {"phone", "139****5678"},
                    {"address", "江宁市秦淮区"},
                    {"seats", 40},
                    {"shop_kind", "餐馆"}}),
              one["form"]);
    EXPECT_EQ((json::array({{{"name", "身份证"}}})), one["materials"]);
    // What supervision needs is there.
    EXPECT_EQ(id, one.value("id", ""));
    EXPECT_EQ("scjg", one.value("dept_id", ""));
    EXPECT_EQ("submitted", one.value("state", ""));

    expect_nothing_personal(read(who, "/api/v1/cases"), who + " listing cases");
    expect_nothing_personal(read(who, "/api/v1/cases?dept=scjg&state=submitted"),
                            who + " listing a department's cases");
    expect_nothing_personal(read(who, "/api/v1/cases/" + id + "/history"),
                            who + " reading the history");
    // Nor the uploaded copy of the id card.
    auto token = client_.login(who, std::string(yiwang::testing::kPassword));
    EXPECT_EQ(404, client_.call("GET", "/api/v1/files/" + sha256_, "", token).status) << who;
  }
}

TEST_P(CaseMaskingRoutesTest, TheApplicantStillSeesEverything) {
  const std::string id = file_case().value("id", "");
  for (const json& seen :
       {read("zhangsan", "/api/v1/cases/" + id), only_case(read("zhangsan", "/api/v1/cases"))}) {
    EXPECT_EQ("full", seen.value("disclosure", ""));
    EXPECT_EQ(kIdNumber, seen["form"].value("id_number", ""));
    EXPECT_EQ(kPhone, seen["form"].value("phone", ""));
    EXPECT_EQ(kStreet, seen["form"].value("address", ""));
    EXPECT_EQ(kIdNumber, seen["applicant"].value("id_number", ""));
    EXPECT_EQ("张三丰", seen["applicant"].value("name", ""));
  }
  EXPECT_EQ(kPhone, read("zhangsan", "/api/v1/cases/" + id)["applicant"].value("phone", ""));
}

TEST_P(CaseMaskingRoutesTest, TheDecidingOfficialSeesTheFullForm) {
  const std::string id = file_case().value("id", "");
  auto act = [&](const std::string& who, const std::string& action) {
    return client_.call_json("POST", "/api/v1/cases/" + id + "/actions",
                             {{"action", action}, {"opinion", "同意"}},
                             client_.login(who, std::string(yiwang::testing::kPassword)), 200);
  };
  const json accepted = act("chuangkou", "accept");
  EXPECT_EQ(kIdNumber, accepted["form"].value("id_number", ""));  // the acting clerk's answer
  act("shencha", "approve");
  const json one = read("juece", "/api/v1/cases/" + id);
  EXPECT_EQ("full", one.value("disclosure", ""));
  EXPECT_EQ(kIdNumber, one["form"].value("id_number", ""));
  EXPECT_EQ(kPhone, one["form"].value("phone", ""));
  EXPECT_EQ(kStreet, one["form"].value("address", ""));
  EXPECT_EQ("2026-03-01", one["form"].value("opened_on", ""));
  EXPECT_EQ(kIdNumber, one["applicant"].value("id_number", ""));
  EXPECT_EQ(kPhone, one["applicant"].value("phone", ""));
  EXPECT_EQ(sha256_, one["materials"][0].value("sha256", ""));
  auto token = client_.login("juece", std::string(yiwang::testing::kPassword));
  EXPECT_EQ(200, client_.call("GET", "/api/v1/files/" + sha256_, "", token).status);
  // In the same official's list, the numbers are masked again.
  const json listed = only_case(read("juece", "/api/v1/cases"));
  EXPECT_EQ(identity::mask_id_number(kIdNumber), listed["form"].value("id_number", ""));
  EXPECT_EQ("139****5678", listed["form"].value("phone", ""));
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseMaskingRoutesTest,
                         ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace yiwang::cases
