// 免提交 inside filing: a material the item accepts as a certificate is satisfied by the
// applicant's certificate through the injected check, whose verification the official then sees;
// anything else is refused and changes nothing. The certificates module itself is tested in its own
// folder; here the check is a stand-in that records what it was asked.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/cases.h"
#include "cases/services.h"
#include "events/events.h"
#include "support/test_store.h"

namespace yiwang::cases {
namespace {

using identity::Role;
const char* kItem = "11320100CERTMAT00001";
const char* kLicence = "营业执照";

struct CheckCall {
  std::string identifier, type, applicant, case_id;
};

class CertificateMaterialsTest : public testing::CasesFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open(1'772'416'800'000));  // 2026-03-02 10:00 +08:00
    Options options;
    options.files_dir = yiwang::testing::temp_dir();
    options.certificate_check = [this](store::Tx&, std::string_view identifier,
                                       std::string_view type,
                                       const Case& c) -> Result<std::string> {
      calls_.push_back({std::string(identifier), std::string(type), c.applicant.id_number, c.id});
      if (identifier != "CERT-OK" || c.applicant.id_number != applicant_id_) {
        return fail(ErrorCode::invalid_input, "", "证照持有人与申请人不符",
                    "the certificate's holder is not the applicant");
      }
      return std::string(R"({"identifier":"CERT-OK","signature_ok":true,"holder_ok":true})");
    };
    service_ = std::make_unique<Service>(*store_, clock_, random_, *catalog_, *ids_, options);
    ASSERT_TRUE(ids_->create_department({"scjg", "市场监督管理局", "", "", ""}, nullptr));
    ASSERT_TRUE(ids_->create_department({"zwfw", "政务服务管理办公室", "", "", ""}, nullptr));
    admin_ = official("admin", "zwfw", {Role::admin, Role::supervisor});
    clerk_ = official("clerk", "scjg", {Role::clerk});
    identity::NewUser u;
    u.username = "wangwu";
    u.password = std::string(yiwang::testing::kPassword);
    u.kind = identity::Kind::citizen;
    u.display_name = "王五";
    u.id_number = applicant_id_;
    citizen_ = verified(*ids_->create_user(u, nullptr));  // 免提交 needs a verified identity

    catalog::Item i = licence_item(kItem, "CERT01", "食品经营许可（免提交测试）");
    i.materials = {{"申请书", "申请人", 1, 0, true, "", ""},
                   {"营业执照", "市场监管部门", 1, 0, true, "", kLicence}};
    ASSERT_TRUE(catalog_->publish(i, admin_));
  }

  std::int64_t last_seq() {
    return *store_->read(
        [](store::Tx& tx) -> Result<std::int64_t> { return events::last_seq(tx); });
  }

  Result<Case> file_with(std::vector<MaterialRef> materials) {
    NewCase nc;
    nc.item_code = kItem;
    nc.materials = std::move(materials);
    return service_->file(nc, citizen_);
  }

  std::string applicant_id_ = testing::citizen_id("32011519850612003");
  std::vector<CheckCall> calls_;
  identity::Principal admin_, clerk_, citizen_;
};

TEST_P(CertificateMaterialsTest, CertificateReplacesTheUploadAndTheOfficialSeesItVerified) {
  auto filed = file_with({{"营业执照", "", "CERT-OK", ""}});
  ASSERT_TRUE(filed) << filed.error().message_en << " " << filed.error().field;
  ASSERT_EQ(1u, calls_.size());
  EXPECT_EQ(kLicence, calls_[0].type);
  EXPECT_EQ(applicant_id_, calls_[0].applicant);
  EXPECT_EQ(filed->id, calls_[0].case_id);  // the check knows which case uses the certificate

  auto seen = service_->get(filed->id, clerk_);
  ASSERT_TRUE(seen);
  ASSERT_EQ(1u, seen->materials.size());
  EXPECT_EQ("CERT-OK", seen->materials[0].certificate_id);
  auto verification = nlohmann::json::parse(seen->materials[0].verification_json);
  EXPECT_TRUE(verification.at("signature_ok").get<bool>());

  auto reuse = service_->certificate_reuse(admin_, "");
  ASSERT_TRUE(reuse);
  ASSERT_EQ(1u, reuse->size());
  EXPECT_EQ(1, (*reuse)[0].materials);
  EXPECT_EQ(1, (*reuse)[0].by_certificate);
}

TEST_P(CertificateMaterialsTest, RefusalsNameTheMaterialAndChangeNothing) {
  const auto before = last_seq();
  // The item does not accept a certificate for this material.
  auto not_accepted = file_with({{"申请书", "", "CERT-OK", ""}});
  ASSERT_FALSE(not_accepted);
  EXPECT_EQ("/materials/0/certificate_id", not_accepted.error().field);
  // The check refuses (someone else's certificate).
  auto refused = file_with({{"营业执照", "", "CERT-OTHER", ""}});
  ASSERT_FALSE(refused);
  EXPECT_EQ("/materials/0/certificate_id", refused.error().field);
  EXPECT_EQ("the certificate's holder is not the applicant", refused.error().message_en);
  // Both an upload and a certificate for one material.
  auto both = file_with({{"营业执照", std::string(64, 'a'), "CERT-OK", ""}});
  ASSERT_FALSE(both);
  EXPECT_EQ("/materials/0/certificate_id", both.error().field);
  EXPECT_EQ(before, last_seq());
}

// #16: with a merely claimed id number anyone could file with a stranger's certificates (the
// holder check compares the certificate with the id number the filer typed).
TEST_P(CertificateMaterialsTest, AClaimedIdentityCannotFileWithCertificates) {
  identity::NewUser u;
  u.username = "claims";
  u.kind = identity::Kind::citizen;
  u.display_name = "王六";
  u.id_number = testing::citizen_id("32011519850612011");
  identity::Principal claimed = user(u);
  const auto before = last_seq();
  NewCase nc;
  nc.item_code = kItem;
  nc.materials = {{"营业执照", "", "CERT-OK", ""}};
  auto refused = service_->file(nc, claimed);
  ASSERT_FALSE(refused);
  EXPECT_EQ(ErrorCode::forbidden, refused.error().code);
  EXPECT_EQ("/materials/0/certificate_id", refused.error().field);
  EXPECT_TRUE(calls_.empty());  // the certificate was not even looked at
  EXPECT_EQ(before, last_seq());
}

TEST_P(CertificateMaterialsTest, OnlyOversightRolesSeeTheReuseReport) {
  EXPECT_EQ(ErrorCode::forbidden, service_->certificate_reuse(clerk_, "").error().code);
  EXPECT_EQ(ErrorCode::forbidden, service_->certificate_reuse(citizen_, "").error().code);
}

INSTANTIATE_TEST_SUITE_P(Backends, CertificateMaterialsTest,
                         ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::cases
