// The certificate library through its service: issuance, wallet, SD-JWT verification with the
// issuer's JWKS, lifecycle and status lists, 用证, CSV import, issuance on case completion, 免提交
// checks and the PDF; on both backends.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "certificates/certificates.h"
#include "certificates/fixture.h"

namespace yiwang::certificates {
namespace {

using nlohmann::json;

using namespace testing;

class CertificatesTest : public Fixture {
 protected:
  void SetUp() override {
    Fixture::SetUp();
    if (HasFatalFailure()) return;
    EXPECT_GT(seeded_types_, 5);
    auto again = service_->seed_standard_types();
    ASSERT_TRUE(again);
    EXPECT_EQ(0, *again);
    auto types = service_->types();
    ASSERT_TRUE(types);
    for (const auto& t : *types) types_[t.name] = t;
    approver_ = official("scjgapprover", "scjg", {identity::Role::approver});
    clerk_ = official("scjgclerk", "scjg", {identity::Role::clerk});
    gaj_approver_ = official("gajapprover", "gaj", {identity::Role::approver});
    gaj_clerk_ = official("gajclerk", "gaj", {identity::Role::clerk});
    admin_ = official("admin1", "scjg", {identity::Role::admin});
    zhangsan_id_ = citizen_id("32990019800101001");
    zhangsan_ = holder("zhangsan", "32990019800101001");
    lisi_ = holder("lisi", "32990019900202002");
  }

  Certificate issue_licence(const std::string& holder_id, std::string valid_to = "") {
    NewCertificate in;
    in.type_code = types_.at("营业执照").code;
    in.holder_name = "张三";
    in.holder_id = holder_id;
    in.valid_to = std::move(valid_to);
    in.data_json = R"({"经营范围":"餐饮服务","经营场所":"江宁市秦淮大道1号"})";
    auto c = service_->issue(in, approver_);
    EXPECT_TRUE(c) << c.error().field << " " << c.error().message_en;
    return c ? *c : Certificate{};
  }

  std::vector<std::string> jwks(const std::string& dept) {
    auto meta = service_->issuer_metadata_json(dept);
    EXPECT_TRUE(meta);
    std::vector<std::string> out;
    const json doc = json::parse(*meta);
    for (const auto& k : doc["jwks"]["keys"]) out.push_back(k.dump());
    return out;
  }

  std::int64_t now_s() const { return clock_.now_ms() / 1000; }

  std::map<std::string, CertificateType> types_;
  identity::Principal approver_, clerk_, gaj_approver_, gaj_clerk_, admin_, zhangsan_, lisi_;
  std::string zhangsan_id_;
};

TEST_P(CertificatesTest, StandardTypesAreDefinedByTheirDepartments) {
  const auto& licence = types_.at("营业执照");
  EXPECT_EQ("scjg", licence.dept_id);
  EXPECT_EQ(std::string(kScjgUscc) + "001", licence.code);
  EXPECT_EQ(std::string(kBase) + "/vct/" + licence.code, licence.vct);
  EXPECT_EQ("gaj", types_.at("居民身份证").dept_id);
  EXPECT_EQ(0u, types_.count("结婚证"));  // mzj does not exist in this store
}

TEST_P(CertificatesTest, IssuedCertificateIsInTheWalletWithAVerifiableCredential) {
  Certificate c = issue_licence(zhangsan_id_);
  auto parts = parse_identifier(c.identifier);
  ASSERT_TRUE(parts) << parts.error().message_en;
  EXPECT_EQ(types_.at("营业执照").code, parts->type_code);
  EXPECT_EQ(kScjgUscc, parts->issuer_uscc);
  EXPECT_EQ(1, parts->version);
  EXPECT_EQ("111", c.holder_id_type);
  EXPECT_EQ(CertificateStatus::valid, c.status);
  EXPECT_EQ("", c.valid_to);  // 营业执照: 长期

  Certificate second = issue_licence(zhangsan_id_);
  auto parts2 = parse_identifier(second.identifier);
  ASSERT_TRUE(parts2);
  EXPECT_EQ(std::stoll(parts->serial) + 1, std::stoll(parts2->serial));

  auto wallet = service_->wallet(zhangsan_);
  ASSERT_TRUE(wallet);
  ASSERT_EQ(2u, wallet->size());
  EXPECT_TRUE(service_->wallet(lisi_)->empty());

  auto vc = verify_sd_jwt((*wallet)[0].sd_jwt, jwks("scjg"), now_s());
  ASSERT_TRUE(vc) << vc.error().message_en;
  EXPECT_EQ(std::string(kBase) + "/issuers/scjg", vc->issuer);
  EXPECT_EQ(types_.at("营业执照").vct, vc->vct);
  EXPECT_EQ(json(zhangsan_id_).dump(), vc->disclosed.at("holder_id"));
  EXPECT_EQ(json("餐饮服务").dump(), vc->disclosed.at("经营范围"));
  EXPECT_EQ(json(kScjgUscc).dump(), vc->disclosed.at("issuer_uscc"));
  EXPECT_EQ(std::string(kBase) + "/api/v1/status-lists/" + (*wallet)[0].status_list_id,
            vc->status_list_uri);
  // Another department's keys do not verify it.
  NewCertificate id_card;
  id_card.type_code = types_.at("居民身份证").code;
  id_card.holder_name = "张三";
  id_card.holder_id = zhangsan_id_;
  ASSERT_TRUE(service_->issue(id_card, gaj_approver_));
  EXPECT_FALSE(verify_sd_jwt((*wallet)[0].sd_jwt, jwks("gaj"), now_s()));

  auto events = events_of("certificate.issued");
  ASSERT_EQ(3u, events.size());
  EXPECT_EQ(std::string::npos, events[0].after_json.find(zhangsan_id_));
  EXPECT_EQ(std::string::npos, events[0].data_json.find(zhangsan_id_));
}

// The holder's name and id number, the data and the SD-JWT (whose disclosures carry them) are
// sealed at rest; the wallet finds the holder by the keyed index; a row an older version left in
// the clear is sealed at start and still found.
TEST_P(CertificatesTest, TheHoldersDataIsSealedAtRest) {
  Certificate c = issue_licence(zhangsan_id_);
  auto raw = [&] {
    return store_
        ->read([&](store::Tx& tx) -> Result<std::string> {
          auto row = tx.query_one(
              "SELECT holder_name || holder_id || data_json || sd_jwt || holder_id_index "
              "FROM certificates WHERE identifier = ?",
              {c.identifier});
          return row->text(0);
        })
        .value();
  };
  const std::string sealed = raw();
  EXPECT_EQ(std::string::npos, sealed.find(zhangsan_id_)) << sealed;
  EXPECT_EQ(std::string::npos, sealed.find("餐饮服务")) << sealed;
  ASSERT_EQ(1u, service_->wallet(zhangsan_)->size());
  auto index_of = [&] {
    return store_
        ->read([&](store::Tx& tx) -> Result<std::string> {
          return tx
              .query_one("SELECT holder_id_index FROM certificates WHERE identifier = ?",
                         {c.identifier})
              ->text(0);
        })
        .value();
  };
  const std::string index = index_of();
  EXPECT_EQ(32u, index.size());

  auto st = store_->write([&](store::Tx& tx) -> Status {
    tx.exec("UPDATE certificates SET holder_name = ?, holder_id = ?, data_json = ?, sd_jwt = ?, "
            "holder_id_index = '' WHERE identifier = ?",
            {c.holder_name, c.holder_id, c.data_json, c.sd_jwt, c.identifier});
    return {};
  });
  ASSERT_TRUE(st);
  EXPECT_EQ(4, seal_at_rest(*store_).value());
  EXPECT_EQ(0, seal_at_rest(*store_).value());
  EXPECT_EQ(index, index_of());  // written again, the same as at issue
  EXPECT_EQ(std::string::npos, raw().find(zhangsan_id_));
  auto wallet = service_->wallet(zhangsan_);
  ASSERT_EQ(1u, wallet->size());
  EXPECT_EQ(c.sd_jwt, (*wallet)[0].sd_jwt);
  EXPECT_EQ(zhangsan_id_, (*wallet)[0].holder_id);
}

// Finding (#16): registration checked only the id number's check digit and the wallet showed
// every certificate whose holder id matched: anyone could register with a stranger's number and
// present their credentials. A claimed number now binds nothing until it is verified.
TEST_P(CertificatesTest, AClaimedIdNumberSeesNoCertificatesUntilVerified) {
  const std::string wangwu_id = citizen_id("32990019850505005");
  Certificate c = issue_licence(wangwu_id);
  identity::NewUser u;
  u.username = "squatter";
  u.kind = identity::Kind::citizen;
  u.display_name = "王五";
  u.id_number = wangwu_id;
  identity::Principal claimed = user(u);  // self-registered: only claimed
  ASSERT_EQ(identity::Assurance::claimed, claimed.assurance);
  ASSERT_TRUE(service_->wallet(claimed)->empty());
  EXPECT_FALSE(service_->get(c.identifier, claimed));
  EXPECT_FALSE(service_->present(c.identifier, {"经营范围"}, "verifier", "purpose", claimed));

  // A window clerk checks the identity card: now it is the holder's.
  auto verified = ids_->verify_in_person(claimed.user_id, clerk_);
  ASSERT_TRUE(verified) << verified.error().message_en;
  EXPECT_EQ(identity::Assurance::in_person, verified->assurance);
  ASSERT_EQ(1u, service_->wallet(*verified)->size());
  EXPECT_TRUE(service_->get(c.identifier, *verified));
  // Only window clerks verify, never for themselves.
  EXPECT_EQ(ErrorCode::forbidden, ids_->verify_in_person(lisi_.user_id, approver_).error().code);
  EXPECT_EQ(ErrorCode::forbidden, ids_->verify_in_person(clerk_.user_id, clerk_).error().code);
}

TEST_P(CertificatesTest, OnlyTheIssuingDepartmentIssuesAndChangesStatus) {
  NewCertificate in;
  in.type_code = types_.at("营业执照").code;
  in.holder_name = "张三";
  in.holder_id = zhangsan_id_;
  EXPECT_EQ(ErrorCode::forbidden, service_->issue(in, clerk_).error().code);
  EXPECT_EQ(ErrorCode::forbidden, service_->issue(in, gaj_approver_).error().code);
  in.holder_id = "329900198001010010";
  EXPECT_EQ("/holder_id", service_->issue(in, approver_).error().field);
  in.holder_id = zhangsan_id_;
  in.type_code = "NOSUCHTYPE";
  EXPECT_EQ("/type_code", service_->issue(in, approver_).error().field);

  Certificate c = issue_licence(zhangsan_id_);
  EXPECT_EQ(ErrorCode::forbidden,
            service_->change_status(c.identifier, CertificateStatus::revoked, "x", gaj_approver_)
                .error()
                .code);
  EXPECT_EQ("/reason",
            service_->change_status(c.identifier, CertificateStatus::revoked, "  ", approver_)
                .error()
                .field);
  EXPECT_EQ(
      ErrorCode::conflict,
      service_->change_status(c.identifier, CertificateStatus::valid, "x", approver_).error().code);
}

TEST_P(CertificatesTest, RevocationShowsInTheStatusListAndFailsPresentations) {
  Certificate c = issue_licence(zhangsan_id_);
  auto presentation = service_->present(c.identifier, {"name", "holder_name"}, "江宁银行",
                                        "开立对公账户", zhangsan_);
  ASSERT_TRUE(presentation) << presentation.error().message_en;
  EXPECT_EQ(ErrorCode::not_found,
            service_->present(c.identifier, {"name"}, "x", "y", lisi_).error().code);
  EXPECT_EQ("/claims/1",
            service_->present(c.identifier, {"name", "colour"}, "x", "y", zhangsan_).error().field);
  EXPECT_EQ("/purpose",
            service_->present(c.identifier, {"name"}, "x", " ", zhangsan_).error().field);

  auto ok = service_->verify_presentation(*presentation);
  ASSERT_TRUE(ok) << ok.error().message_en;
  EXPECT_EQ(2u, ok->disclosed.size());
  EXPECT_EQ("营业执照", ok->type_name);
  EXPECT_EQ("", ok->holder_id);  // not disclosed
  EXPECT_EQ(1u, events_of("certificate.presented").size());

  auto list = service_->status_list(c.status_list_id);
  ASSERT_TRUE(list);
  EXPECT_EQ(CredentialStatus::valid, *status_at(*list, c.status_index, jwks("scjg")));

  ASSERT_TRUE(
      service_->change_status(c.identifier, CertificateStatus::suspended, "核查中", approver_));
  list = service_->status_list(c.status_list_id);
  EXPECT_EQ(CredentialStatus::suspended, *status_at(*list, c.status_index, jwks("scjg")));
  auto suspended = service_->verify_presentation(*presentation);
  ASSERT_FALSE(suspended);
  EXPECT_NE(std::string::npos, suspended.error().message_en.find("suspended"));

  ASSERT_TRUE(
      service_->change_status(c.identifier, CertificateStatus::valid, "核查无误", approver_));
  EXPECT_TRUE(service_->verify_presentation(*presentation));

  auto revoked = service_->change_status(c.identifier, CertificateStatus::revoked, "以欺骗手段取得",
                                         approver_);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(CertificateStatus::revoked, revoked->status);
  list = service_->status_list(c.status_list_id);
  EXPECT_EQ(CredentialStatus::invalid, *status_at(*list, c.status_index, jwks("scjg")));
  auto failed = service_->verify_presentation(*presentation);
  ASSERT_FALSE(failed);
  EXPECT_EQ(ErrorCode::invalid_input, failed.error().code);
  EXPECT_EQ("/presentation", failed.error().field);
  EXPECT_NE(std::string::npos, failed.error().message_en.find("revoked"));
  EXPECT_EQ(ErrorCode::conflict,
            service_->present(c.identifier, {"name"}, "x", "y", zhangsan_).error().code);

  auto revocations = events_of("certificate.revoked");
  ASSERT_EQ(1u, revocations.size());
  EXPECT_EQ("以欺骗手段取得", revocations[0].reason);
  EXPECT_NE(std::string::npos, revocations[0].before_json.find("\"valid\""));
  EXPECT_NE(std::string::npos, revocations[0].after_json.find("\"revoked\""));
  EXPECT_EQ(std::string::npos, revocations[0].after_json.find(zhangsan_id_));
}

TEST_P(CertificatesTest, TamperedPresentationsAreRejected) {
  Certificate c = issue_licence(zhangsan_id_);
  auto p = service_->present(c.identifier, {"holder_name"}, "v", "p", zhangsan_);
  ASSERT_TRUE(p);
  // Forged signature: flip one character of the signature.
  std::string forged = *p;
  std::size_t sig = forged.rfind('.', forged.find('~')) + 5;
  forged[sig] = forged[sig] == 'A' ? 'B' : 'A';
  auto f = service_->verify_presentation(forged);
  ASSERT_FALSE(f);
  EXPECT_EQ("/presentation", f.error().field);
  // Altered disclosure: one that the issuer never signed.
  std::string altered = p->substr(0, p->find('~') + 1) +
                        base64url(R"(["c2FsdHNhbHRzYWx0","holder_name","李四"])") + "~";
  auto a = service_->verify_presentation(altered);
  ASSERT_FALSE(a);
  EXPECT_EQ("/presentation", a.error().field);
  EXPECT_FALSE(service_->verify_presentation("not-a-presentation"));
}

TEST_P(CertificatesTest, ExpiryFailsVerificationAndIsMarked) {
  Certificate c = issue_licence(
      zhangsan_id_, core::format_date(core::date_from_days(
                        core::days_from_epoch(core::china_date(clock_.now_ms())) + 10)));
  auto p = service_->present(c.identifier, {"name"}, "v", "p", zhangsan_);
  ASSERT_TRUE(p);
  ASSERT_TRUE(service_->verify_presentation(*p));
  EXPECT_EQ(0, *service_->expire_due());

  clock_.advance(20 * core::kDayMs);
  auto failed = service_->verify_presentation(*p);
  ASSERT_FALSE(failed);
  EXPECT_NE(std::string::npos, failed.error().message_en.find("expired"));
  EXPECT_EQ(1, *service_->expire_due());
  EXPECT_EQ(0, *service_->expire_due());
  auto list = service_->status_list(c.status_list_id);
  EXPECT_EQ(CredentialStatus::invalid, *status_at(*list, c.status_index, jwks("scjg")));
  EXPECT_EQ(1u, events_of("certificate.expired").size());
  EXPECT_EQ(CertificateStatus::expired, service_->get(c.identifier, zhangsan_)->status);
}

// Finding (#16): any official of any department read any certificate with full holder data for
// any free-text cause. Now only within a matter of their department that concerns the holder, or
// as a supervisor's reviewed read; the holder is told and sees it in their data-use record.
TEST_P(CertificatesTest, UseIsByNeedWithinAMatterAndTheHolderIsTold) {
  Certificate c = issue_licence(zhangsan_id_);
  matters_["case:G1"] = {"gaj", zhangsan_id_};
  matters_["case:G2"] = {"gaj", citizen_id("32990019900202002")};
  matters_["case:S1"] = {"scjg", zhangsan_id_};
  auto refused = service_->use(c.identifier, "  ", gaj_clerk_, "case:G1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(ErrorCode::invalid_input, refused.error().code);
  EXPECT_EQ("/use_cause", refused.error().field);
  EXPECT_EQ(ErrorCode::forbidden, service_->use(c.identifier, "x", zhangsan_).error().code);
  EXPECT_EQ(ErrorCode::forbidden, service_->get(c.identifier, gaj_clerk_).error().code);
  EXPECT_EQ(ErrorCode::not_found, service_->get(c.identifier, lisi_).error().code);
  // A cause alone is not a need.
  auto no_matter = service_->use(c.identifier, "办理户籍迁移核验经营情况", gaj_clerk_);
  ASSERT_FALSE(no_matter);
  EXPECT_EQ("/matter", no_matter.error().field);
  // A matter of the department about someone else, or another department's matter.
  EXPECT_EQ(ErrorCode::forbidden,
            service_->use(c.identifier, "核验", gaj_clerk_, "case:G2").error().code);
  EXPECT_EQ(ErrorCode::forbidden,
            service_->use(c.identifier, "核验", gaj_clerk_, "case:S1").error().code);
  EXPECT_TRUE(events_of("certificate.used").empty());
  EXPECT_TRUE(notices_.empty());

  auto copy = service_->use(c.identifier, "办理户籍迁移核验经营情况", gaj_clerk_, "case:G1");
  ASSERT_TRUE(copy) << copy.error().message_en;
  EXPECT_EQ(c.identifier, copy->certificate.identifier);
  EXPECT_EQ(gaj_clerk_.user_id, copy->used_by);
  EXPECT_EQ("gaj", copy->used_by_dept);
  EXPECT_EQ(clock_.now_ms() + 30 * core::kDayMs, copy->valid_until_ms);
  auto used = events_of("certificate.used");
  ASSERT_EQ(1u, used.size());
  EXPECT_EQ(c.identifier, used[0].subject_id);
  EXPECT_EQ(gaj_clerk_.user_id, used[0].actor.user_id);
  EXPECT_EQ("办理户籍迁移核验经营情况", used[0].reason);
  EXPECT_EQ(std::string::npos, used[0].data_json.find(zhangsan_id_));
  ASSERT_EQ(1u, notices_.size());
  EXPECT_EQ(zhangsan_id_, notices_[0].holder_id);
  EXPECT_EQ("gaj", notices_[0].used_by_dept);
  EXPECT_FALSE(notices_[0].supervisory);

  // 电子监察 reads without a matter; the read is marked for review.
  auto supervisor = official("jiancha1", "gaj", {identity::Role::supervisor});
  ASSERT_TRUE(service_->use(c.identifier, "监察抽查", supervisor));
  ASSERT_EQ(2u, notices_.size());
  EXPECT_TRUE(notices_[1].supervisory);

  // The holder's data-use record shows both, newest first.
  auto record = service_->uses(zhangsan_);
  ASSERT_TRUE(record);
  ASSERT_EQ(2u, record->size());
  EXPECT_TRUE((*record)[0].supervisory || (*record)[1].supervisory);
  EXPECT_TRUE(service_->uses(lisi_)->empty());
}

TEST_P(CertificatesTest, CsvImportIsAllOrNothingWithRowErrors) {
  const std::string code = types_.at("食品经营许可证").code;
  const std::string header =
      "type_code,number,holder_name,holder_id,issue_date,valid_to,data_json\n";
  const std::string good1 =
      code + ",JY13299000001,张三," + zhangsan_id_ +
      ",2024-01-05,2029-01-04,\"{\"\"主体业态\"\":\"\"餐饮服务经营者\"\"}\"\n";
  const std::string good2 = code + ",JY13299000002,\"李四, 个体\"," +
                            citizen_id("32990019900202002") + ",2019-03-01,2024-02-28,\n";
  const std::string bad = code + ",JY13299000003,王五,123456,2024-01-05,,\n";

  auto report = service_->import_csv(header + good1 + bad + good2, approver_);
  ASSERT_TRUE(report) << report.error().message_en;
  EXPECT_EQ(0, report->imported);
  ASSERT_EQ(1u, report->row_errors.size());
  EXPECT_EQ("/rows/2/holder_id", report->row_errors[0].field);
  EXPECT_TRUE(service_->wallet(zhangsan_)->empty());

  auto bad_date = service_->import_csv(
      header + good1 + code + ",N,王五," + zhangsan_id_ + ",2024-13-05,,\n", approver_);
  ASSERT_TRUE(bad_date);
  ASSERT_EQ(1u, bad_date->row_errors.size());
  EXPECT_EQ("/rows/2/issue_date", bad_date->row_errors[0].field);

  auto other_dept = service_->import_csv(header + good1, gaj_approver_);
  ASSERT_TRUE(other_dept);
  ASSERT_EQ(1u, other_dept->row_errors.size());
  EXPECT_EQ("/rows/1/type_code", other_dept->row_errors[0].field);

  auto unknown = service_->import_csv("type_code,colour\n", approver_);
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->row_errors.empty());
  EXPECT_EQ("/header/colour", unknown->row_errors[0].field);

  auto done = service_->import_csv(header + good1 + good2, approver_);
  ASSERT_TRUE(done) << done.error().message_en;
  EXPECT_TRUE(done->row_errors.empty());
  EXPECT_EQ(2, done->imported);
  auto wallet = service_->wallet(zhangsan_);
  ASSERT_EQ(1u, wallet->size());
  EXPECT_EQ("2024-01-05", (*wallet)[0].issue_date);
  EXPECT_EQ("JY13299000001", (*wallet)[0].number);
  EXPECT_EQ(CertificateStatus::valid, (*wallet)[0].status);
  auto lisi = service_->wallet(lisi_);
  ASSERT_EQ(1u, lisi->size());
  EXPECT_EQ("李四, 个体", (*lisi)[0].holder_name);
  EXPECT_EQ(CertificateStatus::expired,
            (*lisi)[0].status);  // historical, already past its validity
}

TEST_P(CertificatesTest, CaseIssuerIssuesOnceForACompletedGrantedCase) {
  std::ifstream in(yiwang::testing::source_dir() + "/data/demo/items.json");
  std::stringstream text;
  text << in.rdbuf();
  json doc;
  for (const auto& item : json::parse(text.str())) {
    if (item["code"] == "11329900MB0201001000") doc = item;
  }
  ASSERT_FALSE(doc.is_null());
  auto item = catalog::item_from_json(doc.dump());
  ASSERT_TRUE(item) << item.error().field;
  auto published = catalog_->publish(*item, admin_);
  ASSERT_TRUE(published) << published.error().field << " " << published.error().message_en;

  std::map<std::string, CaseResult> cases;
  cases["YW2026092100000001"] = {
      "YW2026092100000001", "11329900MB0201001000", "granted", "张三", zhangsan_id_, "citizen",
      zhangsan_.user_id,    clock_.now_ms()};
  cases["YW2026092100000002"] = {"YW2026092100000002",
                                 "11329900MB0201001000",
                                 "denied",
                                 "李四",
                                 citizen_id("32990019900202002"),
                                 "citizen",
                                 lisi_.user_id,
                                 clock_.now_ms()};
  int resolved = 0;
  CaseIssuer issuer(*service_, *store_,
                    [&](store::Tx&, std::string_view id) -> std::optional<CaseResult> {
                      ++resolved;
                      auto it = cases.find(std::string(id));
                      if (it == cases.end()) return std::nullopt;
                      return it->second;
                    });
  auto complete = [&](const std::string& case_id) {
    ASSERT_TRUE(store_->write([&](store::Tx& tx) -> Result<std::int64_t> {
      return events::append(tx, clock_,
                            {.type = "case.completed",
                             .subject_type = "case",
                             .subject_id = case_id,
                             .actor = events::system_actor("scjg")});
    }));
  };
  complete("YW2026092100000001");
  complete("YW2026092100000002");
  complete("YW-unknown");
  auto handled = issuer.poll_once();
  ASSERT_TRUE(handled) << handled.error().message_en;
  EXPECT_EQ(3, resolved);

  auto wallet = service_->wallet(zhangsan_);
  ASSERT_EQ(1u, wallet->size());
  const Certificate& c = (*wallet)[0];
  EXPECT_EQ("营业执照", c.type_name);
  EXPECT_EQ("YW2026092100000001", c.case_id);
  EXPECT_EQ("11329900MB0201001000", c.item_code);
  EXPECT_EQ(zhangsan_.user_id, c.holder_user_id);
  EXPECT_TRUE(service_->wallet(lisi_)->empty());

  // The same completion seen again (a replayed event) issues nothing new.
  complete("YW2026092100000001");
  ASSERT_TRUE(issuer.poll_once());
  EXPECT_EQ(1u, service_->wallet(zhangsan_)->size());
  EXPECT_EQ(1u, events_of("certificate.issued").size());
  auto direct = store_->write([&](store::Tx& tx) -> Result<std::optional<Certificate>> {
    return service_->issue_for_case(tx, cases["YW2026092100000001"]);
  });
  ASSERT_TRUE(direct && *direct);
  EXPECT_EQ(c.identifier, (*direct)->identifier);
}

TEST_P(CertificatesTest, VerifyForMaterialChecksTypeHolderStatusAndSignature) {
  Certificate c = issue_licence(zhangsan_id_);
  auto check = [&](std::string_view type, std::string_view applicant) {
    return store_->write([&](store::Tx& tx) -> Result<Verification> {
      return service_->verify_for_material(tx, c.identifier, type, applicant,
                                           {"YW2026092100000009", "scjg", "食品经营许可"});
    });
  };
  auto ok = check("营业执照", zhangsan_id_);
  ASSERT_TRUE(ok) << ok.error().message_en;
  EXPECT_TRUE(ok->signature_ok && ok->status_ok && ok->validity_ok && ok->holder_ok);
  EXPECT_EQ(c.identifier, ok->identifier);

  // The use is recorded: a 用证 row and an audited certificate.used event naming the case.
  auto used = events_of("certificate.used");
  ASSERT_EQ(1u, used.size());
  EXPECT_EQ("scjg", used[0].actor.dept_id);
  EXPECT_NE(std::string::npos, used[0].reason.find("YW2026092100000009"));

  auto other = check("营业执照", citizen_id("32990019900202002"));
  ASSERT_FALSE(other);
  EXPECT_EQ("/materials", other.error().field);
  EXPECT_NE(std::string::npos, other.error().message_en.find("another holder"));
  EXPECT_EQ("/materials", check("居民身份证", zhangsan_id_).error().field);

  ASSERT_TRUE(
      service_->change_status(c.identifier, CertificateStatus::revoked, "撤销登记", approver_));
  auto revoked = check("营业执照", zhangsan_id_);
  ASSERT_FALSE(revoked);
  EXPECT_NE(std::string::npos, revoked.error().message_en.find("revoked"));

  auto bad_check = store_->write([&](store::Tx& tx) -> Result<Verification> {
    std::string id = c.identifier;
    id.back() = id.back() == 'A' ? 'B' : 'A';
    return service_->verify_for_material(tx, id, "营业执照", zhangsan_id_,
                                         {"YW2026092100000009", "scjg", "食品经营许可"});
  });
  ASSERT_FALSE(bad_check);
  EXPECT_EQ(ErrorCode::invalid_input, bad_check.error().code);
}

TEST_P(CertificatesTest, PdfHasTheFieldsFontAndQrCode) {
  Certificate c = issue_licence(zhangsan_id_);
  auto pdf = service_->pdf(c.identifier, zhangsan_);
  ASSERT_TRUE(pdf) << pdf.error().message_en;
  EXPECT_EQ(0u, pdf->rfind("%PDF-1.4", 0));
  EXPECT_NE(std::string::npos, pdf->find("/BaseFont /STSong-Light"));
  EXPECT_NE(std::string::npos, pdf->find("/Encoding /UniGB-UCS2-H"));
  EXPECT_NE(std::string::npos, pdf->find("%%EOF"));
  std::size_t rects = 0;
  for (std::size_t at = pdf->find(" re\n"); at != std::string::npos;
       at = pdf->find(" re\n", at + 1))
    ++rects;
  EXPECT_GT(rects, 100u);  // a QR code of version ≥ 3 has well over 100 dark runs
  // "营业执照" in UTF-16BE as the title.
  EXPECT_NE(std::string::npos, pdf->find("<84254E1A62677167>"));
  EXPECT_EQ(ErrorCode::not_found, service_->pdf(c.identifier, lisi_).error().code);
  if (const char* out = std::getenv("YIWANG_CERT_PDF_OUT")) {
    std::ofstream(out, std::ios::binary) << *pdf;  // for looking at it by eye
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, CertificatesTest,
                         ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::certificates
