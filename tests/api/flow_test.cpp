// End-to-end scenarios across modules, through the assembled App's router, on both backends:
// a certificate issued when a case completes is reused by a second application without upload
// (免提交), verified for the official, revoked; and every government act of it lands in the
// transparency ledger, provable against a signed checkpoint, with the applicant only as a salted
// commitment that the applicant's receipt opens.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "api/api_fixture.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace {

using namespace yiwang::api_testing;
namespace ledger = yiwang::ledger;

const char* kLicenceItem = "11329900MB0201001000";  // 个体工商户设立登记 → 营业执照
const char* kFoodItem = "11329900MB0201002000";     // 食品经营许可（新办）: accepts a 营业执照

class FlowTest : public ApiTest {
 protected:
  std::string act(const std::string& id, const std::string& token, const json& body) {
    auto r = call_json("POST", "/api/v1/cases/" + id + "/actions", body, token, 200);
    return r.value("state", "");
  }

  // zhangsan applies for an individual business licence and the 市场监管 officials see it through.
  std::string licence_case() {
    auto me = call_json("GET", "/api/v1/me", nullptr, citizen_, 200);
    json form = {{"applicant_name", "张三"},
                 {"id_number", me.value("id_number", "")},
                 {"phone", "13912345678"},
                 {"business_name", "江宁市秦淮区张三小吃店"},
                 {"business_scope", "小吃服务"},
                 {"address", "江宁市秦淮区长乐路8号"}};
    auto filed = call_json("POST", "/api/v1/cases", {{"item_code", kLicenceItem}, {"form", form}},
                           citizen_, 201);
    std::string id = filed.value("id", "");
    act(id, clerk_, {{"action", "accept"}});
    act(id, reviewer_, {{"action", "approve"}, {"opinion", "材料齐全"}});
    act(id, approver_, {{"action", "grant"}, {"opinion", "准予登记"}});
    EXPECT_EQ("completed", act(id, clerk_, {{"action", "complete"}}));
    return id;
  }

  json food_form() {
    return {{"entity_name", "江宁市秦淮区张三小吃店"},
            {"uscc", "11329900MB0100025F"},
            {"contact_phone", "13912345678"},
            {"operator_type", "餐饮服务经营者"},
            {"premises_area", 36},
            {"address", "江宁市秦淮区长乐路8号"}};
  }

  void SetUp() override {
    ApiTest::SetUp();
    citizen_ = login("zhangsan");
    clerk_ = login("chuangkou");
    reviewer_ = login("shencha");
    approver_ = login("juece");
  }

  std::string citizen_, clerk_, reviewer_, approver_;
};

// Writes what the independent npm check (tests/node/case_certificate.test.mjs) verifies.
void write_fixture(const std::string& name, const std::string& text) {
  const char* dir = std::getenv("YIWANG_CREDENTIAL_FIXTURES");
  if (!dir) return;
  fs::create_directories(fs::path(dir) / "case");
  std::ofstream(fs::path(dir) / "case" / name) << text;
}

TEST_P(FlowTest, CertificateFromACompletedCaseIsReusedWithoutUploadAndRevocable) {
  const std::string case_id = licence_case();
  ASSERT_TRUE(app_->catch_up());

  // The 营业执照 is in zhangsan's wallet, tied to the case that produced it.
  auto wallet = call_json("GET", "/api/v1/wallet/certificates", nullptr, citizen_, 200);
  json licence;
  for (const auto& c : wallet["items"]) {
    if (c.value("case_id", "") == case_id) licence = c;
  }
  ASSERT_TRUE(licence.is_object()) << wallet.dump();
  EXPECT_EQ("营业执照", licence.value("type_name", ""));
  EXPECT_EQ("valid", licence.value("status", ""));
  const std::string identifier = licence.value("identifier", "");

  // Before the second application the platform finds the licence for the item's material.
  auto matches = call_json("GET", std::string("/api/v1/wallet/matches?item_code=") + kFoodItem,
                           nullptr, citizen_, 200);
  bool offered = false;
  for (const auto& m : matches["items"]) {
    if (m.value("material", "") != "营业执照") continue;
    for (const auto& c : m["certificates"]) offered = offered || c.value("identifier", "") == identifier;
  }
  EXPECT_TRUE(offered) << matches.dump();

  // Second application: the licence stands in for the material, nothing uploaded.
  auto filed = call_json("POST", "/api/v1/cases",
                         {{"item_code", kFoodItem},
                          {"form", food_form()},
                          {"materials", {{{"name", "营业执照"}, {"certificate_id", identifier}}}}},
                         citizen_, 201);
  auto seen = call_json("GET", "/api/v1/cases/" + filed.value("id", ""), nullptr, clerk_, 200);
  ASSERT_EQ(1u, seen["materials"].size()) << seen.dump();
  const auto& verification = seen["materials"][0]["verification"];
  EXPECT_TRUE(verification.value("signature_ok", false)) << verification.dump();
  EXPECT_TRUE(verification.value("status_ok", false));
  EXPECT_TRUE(verification.value("validity_ok", false));
  EXPECT_TRUE(verification.value("holder_ok", false));
  EXPECT_EQ(identifier, verification.value("identifier", ""));

  auto reuse = call_json("GET", "/api/v1/supervision/certificate-reuse", nullptr,
                         login("jiancha"), 200);
  bool counted = false;
  for (const auto& r : reuse["items"]) {
    if (r.value("item_code", "") == kFoodItem) counted = r.value("by_certificate", 0) >= 1;
  }
  EXPECT_TRUE(counted) << reuse.dump();

  // What an independent verifier needs: the credential, the issuer's keys, the status list.
  auto issuer = call_json("GET", "/.well-known/jwt-vc-issuer/issuers/scjg", nullptr, "", 200);
  const std::string list_id = licence["status_list"].value("id", "");
  auto valid_list = call("GET", "/api/v1/status-lists/" + list_id);
  ASSERT_EQ(200, valid_list.status);
  write_fixture("credential.sd-jwt", licence.value("sd_jwt", ""));
  write_fixture("jwks.json", issuer["jwks"].dump());
  write_fixture("status-valid.jwt", valid_list.body);
  write_fixture("index.txt", std::to_string(licence["status_list"].value("index", -1)));

  // Revoked by the issuing department: the list says so at once and reuse is refused.
  call_json("POST", "/api/v1/certificates/" + identifier + "/status",
            {{"status", "revoked"}, {"reason", "营业执照被依法吊销"}}, approver_, 200);
  auto after_revocation = call_json(
      "GET", std::string("/api/v1/wallet/matches?item_code=") + kFoodItem, nullptr, citizen_, 200);
  EXPECT_EQ(std::string::npos, after_revocation.dump().find(identifier));
  auto revoked_list = call("GET", "/api/v1/status-lists/" + list_id);
  ASSERT_EQ(200, revoked_list.status);
  EXPECT_NE(valid_list.body, revoked_list.body);
  write_fixture("status-revoked.jwt", revoked_list.body);
  const auto before = last_event();
  expect_problem(call("POST", "/api/v1/cases",
                      json{{"item_code", kFoodItem},
                           {"form", food_form()},
                           {"materials", {{{"name", "营业执照"}, {"certificate_id", identifier}}}}}
                          .dump(),
                      citizen_),
                 400, "/materials/0/certificate_id");
  EXPECT_EQ(before, last_event());

  // Issuance and revocation are government acts in the public ledger.
  ASSERT_TRUE(app_->catch_up());
  auto acts = call_json("GET",
                        "/api/v1/ledger/acts?subject_type=certificate&subject_id=" + identifier,
                        nullptr, "", 200);
  std::set<std::string> kinds;
  for (const auto& a : acts["items"]) kinds.insert(a.value("act", ""));
  EXPECT_TRUE(kinds.count("certificate.issued")) << acts.dump();
  EXPECT_TRUE(kinds.count("certificate.revoked")) << acts.dump();
}

// #17: applicants never got a message. Each step of their case reaches their inbox in both
// languages, and so does the certificate issued on completion — each once; the officials who
// acted and other people are told nothing of it.
TEST_P(FlowTest, TheApplicantIsToldOfEachStepInBothLanguages) {
  // The notices of one person: those about `case_id`, by kind, and how many certificates
  // issued they were told of.
  struct Told {
    std::multiset<std::string> kinds;
    std::map<std::string, json> by_kind;
    int certificates = 0;
  };
  auto told = [&](const std::string& token, const std::string& case_id) {
    Told t;
    const json inbox = call_json("GET", "/api/v1/inbox?limit=200", nullptr, token, 200);
    for (const auto& m : inbox["messages"]) {
      const std::string kind = m.value("kind", "");
      t.certificates += kind == "certificate.issued" ? 1 : 0;
      if (m.value("subject_id", "") != case_id) continue;
      t.kinds.insert(kind);
      t.by_kind[kind] = m;
    }
    return t;
  };
  ASSERT_TRUE(app_->catch_up());
  const int before = told(citizen_, "").certificates;
  const std::string case_id = licence_case();
  ASSERT_TRUE(app_->catch_up());
  ASSERT_TRUE(app_->catch_up());  // a second pass tells nobody twice
  const Told mine = told(citizen_, case_id);
  EXPECT_EQ((std::multiset<std::string>{"case.accepted", "case.completed", "case.granted"}),
            mine.kinds);
  EXPECT_EQ(before + 1, mine.certificates) << "the licence issued on completion";
  const json& accepted = mine.by_kind.at("case.accepted");
  EXPECT_EQ("申请已受理", accepted.value("title", ""));
  EXPECT_EQ("Application accepted", accepted.value("title_en", ""));
  EXPECT_NE(std::string::npos, accepted.value("body", "").find(case_id));
  EXPECT_NE(std::string::npos, accepted.value("body_en", "").find(case_id));
  EXPECT_EQ("case", accepted.value("subject_type", ""));
  EXPECT_FALSE(accepted.value("read", true));
  for (const std::string& other : {clerk_, approver_, login("qiye")}) {
    EXPECT_TRUE(told(other, case_id).kinds.empty());
  }
}

TEST_P(FlowTest, CaseActsAreInTheLedgerProvableAndOnlyTheApplicantOpensTheCommitment) {
  const std::string case_id = licence_case();
  ASSERT_TRUE(app_->catch_up());

  // The checkpoint is signed by the key the ledger publishes.
  auto key = call_json("GET", "/api/v1/ledger/key", nullptr, "", 200);
  auto verifier = ledger::parse_verifier_key(key.value("verifier_key", ""));
  ASSERT_TRUE(verifier);
  auto note = call("GET", "/ledger/checkpoint");
  ASSERT_EQ(200, note.status);
  ASSERT_TRUE(ledger::verify_note(note.body, *verifier));
  auto parsed = ledger::parse_note(note.body);
  ASSERT_TRUE(parsed);
  auto checkpoint = ledger::parse_checkpoint_body(parsed->text);
  ASSERT_TRUE(checkpoint);
  EXPECT_EQ(key.value("origin", ""), checkpoint->origin);

  auto me = call_json("GET", "/api/v1/me", nullptr, citizen_, 200);
  const std::string id_number = me.value("id_number", "");
  auto receipt = call_json("GET", "/api/v1/ledger/receipts/case/" + case_id, nullptr, citizen_, 200);
  const std::string salt = receipt.value("salt", "");
  ASSERT_EQ(32u, salt.size());
  EXPECT_EQ(ledger::commitment_of(salt, id_number), receipt.value("commitment", ""));

  std::set<std::string> kinds;
  for (const auto& a : receipt["acts"]) {
    kinds.insert(a.value("act", ""));
    const auto index = a.value("index", std::int64_t{-1});
    auto entry = call_json("GET", "/api/v1/ledger/entries/" + std::to_string(index), nullptr, "",
                           200);
    auto proof = call_json("GET",
                           "/api/v1/ledger/proof/inclusion?index=" + std::to_string(index) +
                               "&size=" + std::to_string(checkpoint->size),
                           nullptr, "", 200);
    std::vector<ledger::Hash> path;
    for (const auto& h : proof["proof"]) path.push_back(*ledger::hash_from_base64(h.get<std::string>()));
    auto leaf = ledger::hash_from_base64(proof.value("leaf_hash", ""));
    ASSERT_TRUE(leaf);
    EXPECT_TRUE(ledger::verify_inclusion(*leaf, index, checkpoint->size, path, checkpoint->root))
        << a.dump();
    EXPECT_EQ(entry.value("leaf_hash", ""), proof.value("leaf_hash", ""));
  }
  EXPECT_TRUE(kinds.count("case.accepted"));
  EXPECT_TRUE(kinds.count("case.granted"));
  EXPECT_TRUE(kinds.count("case.completed"));

  // No entry of the whole log carries the applicant's id number or name.
  auto all = app_->store().read([](yiwang::store::Tx& tx) -> yiwang::Result<std::vector<std::string>> {
    std::vector<std::string> out;
    for (const auto& row : tx.query("SELECT data FROM ledger_entries")) out.push_back(row.text(0));
    return out;
  });
  ASSERT_TRUE(all);
  ASSERT_FALSE(all->empty());
  bool committed = false;
  for (const auto& e : *all) {
    EXPECT_EQ(std::string::npos, e.find(id_number));
    EXPECT_EQ(std::string::npos, e.find("张三"));
    committed = committed || e.find(receipt.value("commitment", "")) != std::string::npos;
  }
  EXPECT_TRUE(committed);

  // Someone else's receipt is not theirs to read.
  expect_problem(call("GET", "/api/v1/ledger/receipts/case/" + case_id, "", login("qiye")), 404);
  // Nor any official's: the receipt opens the commitment to the applicant's id number (#16).
  for (const char* official : {"chuangkou", "jiancha", "admin", "anquan", "shenji"}) {
    expect_problem(call("GET", "/api/v1/ledger/receipts/case/" + case_id, "", login(official)),
                   403);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, FlowTest, ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
