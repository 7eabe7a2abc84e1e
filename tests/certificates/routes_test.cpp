// The certificate routes through the router (no sockets), on both backends.
#include <cctype>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "certificates/certificates.h"
#include "certificates/fixture.h"
#include "http/http.h"
#include "support/router_client.h"

namespace yiwang::certificates {
namespace {

using nlohmann::json;

using namespace testing;

class CertificateRoutesTest : public Fixture {
 protected:
  void SetUp() override {
    Fixture::SetUp();
    if (HasFatalFailure()) return;
    register_routes(router_, *service_, *ids_);
    approver_ = token(official("scjgapprover", "scjg", {identity::Role::approver}));
    admin_ = token(official("admin1", "scjg", {identity::Role::admin}));
    reviewer_ = token(official("gajreviewer", "gaj", {identity::Role::reviewer}));
    holder_id_ = citizen_id("32990019800101001");
    citizen_ = token(holder("zhangsan", "32990019800101001"));
    auto types = service_->types();
    ASSERT_TRUE(types);
    for (const auto& t : *types) {
      if (t.name == "营业执照") licence_code_ = t.code;
    }
  }

  std::string token(const identity::Principal& who) {
    auto login = ids_->login(who.username, std::string(yiwang::testing::kPassword), "127.0.0.1");
    EXPECT_TRUE(login);
    return login ? login->token : "";
  }

  // A request through the router as the server makes it; `query` is percent-encoded.
  http::Response call(const std::string& method, const std::string& path,
                      const std::string& token = "", const std::string& body = "",
                      const std::multimap<std::string, std::string>& query = {},
                      const std::string& content_type = "application/json") {
    std::string target = path;
    for (const auto& [k, v] : query) {
      target += (target == path ? "?" : "&") + k + "=" + http::percent_encode(v);
    }
    return client_.call(method, target, body, token, content_type);
  }
  static json body(const http::Response& r) { return json::parse(r.body, nullptr, false); }

  json issue() {
    auto r = call("POST", "/api/v1/certificates", approver_,
                  json{{"type_code", licence_code_},
                       {"holder_name", "张三"},
                       {"holder_id", holder_id_},
                       {"data", {{"经营范围", "餐饮服务"}}}}
                      .dump());
    EXPECT_EQ(201, r.status) << r.body;
    return body(r);
  }

  std::vector<std::string> jwks(const std::string& dept) {
    auto r = call("GET", "/.well-known/jwt-vc-issuer/issuers/" + dept);
    EXPECT_EQ(200, r.status);
    json meta = body(r);
    EXPECT_EQ(std::string(kBase) + "/issuers/" + dept, meta["issuer"]);
    std::vector<std::string> out;
    for (const auto& k : meta["jwks"]["keys"]) out.push_back(k.dump());
    return out;
  }

  http::Router router_;
  yiwang::testing::RouterClient client_{router_};
  std::string approver_, admin_, reviewer_, citizen_, holder_id_, licence_code_;
};

TEST_P(CertificateRoutesTest, WalletPresentationAndVerification) {
  EXPECT_EQ(401, call("GET", "/api/v1/wallet/certificates").status);
  json issued = issue();
  auto wallet = call("GET", "/api/v1/wallet/certificates", citizen_);
  ASSERT_EQ(200, wallet.status) << wallet.body;
  json items = body(wallet)["items"];
  ASSERT_EQ(1u, items.size());
  EXPECT_EQ(issued["identifier"], items[0]["identifier"]);
  EXPECT_EQ("valid", items[0]["status"]);
  EXPECT_EQ("营业执照", items[0]["type_name"]);
  auto vc =
      verify_sd_jwt(items[0]["sd_jwt"].get<std::string>(), jwks("scjg"), clock_.now_ms() / 1000);
  ASSERT_TRUE(vc) << vc.error().message_en;
  EXPECT_EQ(json("餐饮服务").dump(), vc->disclosed.at("经营范围"));

  const std::string id = issued["identifier"];
  auto presented = call(
      "POST", "/api/v1/wallet/certificates/" + id + "/presentations", citizen_,
      json{{"claims", {"name", "holder_name"}}, {"verifier", "江宁银行"}, {"purpose", "开立账户"}}
          .dump());
  ASSERT_EQ(201, presented.status) << presented.body;
  const std::string presentation = body(presented)["presentation"];

  auto verified =
      call("POST", "/api/v1/presentations/verify", "", json{{"presentation", presentation}}.dump());
  ASSERT_EQ(200, verified.status) << verified.body;
  EXPECT_EQ(true, body(verified)["valid"]);
  EXPECT_EQ("张三", body(verified)["disclosed"]["holder_name"]);
  EXPECT_FALSE(body(verified)["disclosed"].contains("holder_id"));

  // Revocation: the status list served over HTTP says so at once, and verification fails.
  auto revoke = call("POST", "/api/v1/certificates/" + id + "/status", approver_,
                     json{{"status", "revoked"}, {"reason", "依法撤销"}}.dump());
  ASSERT_EQ(200, revoke.status) << revoke.body;
  EXPECT_EQ(400, call("POST", "/api/v1/certificates/" + id + "/status", approver_,
                      json{{"status", "gone"}, {"reason", "x"}}.dump())
                     .status);
  auto list = call("GET", "/api/v1/status-lists/" + issued["status_list"]["id"].get<std::string>());
  ASSERT_EQ(200, list.status);
  EXPECT_EQ("application/statuslist+jwt", list.content_type);
  auto st = status_at(list.body, issued["status_list"]["index"].get<std::int64_t>(), jwks("scjg"));
  ASSERT_TRUE(st);
  EXPECT_EQ(CredentialStatus::invalid, *st);
  auto failed =
      call("POST", "/api/v1/presentations/verify", "", json{{"presentation", presentation}}.dump());
  EXPECT_EQ(400, failed.status);
  EXPECT_EQ("/presentation", body(failed)["field"]);
  EXPECT_NE(std::string::npos, body(failed)["message_en"].get<std::string>().find("revoked"));

  auto pub = call("GET", "/api/v1/certificates/" + id + "/verification");
  ASSERT_EQ(200, pub.status);
  EXPECT_EQ("revoked", body(pub)["status"]);
  EXPECT_FALSE(body(pub).contains("holder_id"));
}

TEST_P(CertificateRoutesTest, OfficialsUseWithACauseAndGetAnAnnotatedCopy) {
  const std::string id = issue()["identifier"];
  auto refused = call("GET", "/api/v1/certificates/" + id, reviewer_);
  EXPECT_EQ(400, refused.status);
  EXPECT_EQ("/use_cause", body(refused)["field"]);
  EXPECT_EQ(400,
            call("GET", "/api/v1/certificates/" + id, reviewer_, "", {{"use_cause", " "}}).status);
  auto causeless =
      call("GET", "/api/v1/certificates/" + id, reviewer_, "", {{"use_cause", "核验经营主体资格"}});
  EXPECT_EQ(400, causeless.status);
  EXPECT_EQ("/matter", body(causeless)["field"]);
  matters_["case:G1"] = {"gaj", holder_id_};
  auto used = call("GET", "/api/v1/certificates/" + id, reviewer_, "",
                   {{"use_cause", "核验经营主体资格"}, {"matter", "case:G1"}});
  ASSERT_EQ(200, used.status) << used.body;
  json copy = body(used);
  EXPECT_EQ(id, copy["identifier"]);
  EXPECT_EQ("核验经营主体资格", copy["annotation"]["use_cause"]);
  EXPECT_EQ("gaj", copy["annotation"]["dept"]);
  EXPECT_EQ(core::format_instant(clock_.now_ms() + 30 * core::kDayMs),
            copy["annotation"]["valid_until"]);
  auto events = events_of("certificate.used");
  ASSERT_EQ(1u, events.size());
  EXPECT_EQ(id, events[0].subject_id);

  // The holder sees the use in their data-use record.
  auto uses = call("GET", "/api/v1/wallet/uses", citizen_);
  ASSERT_EQ(200, uses.status) << uses.body;
  ASSERT_EQ(1u, body(uses)["uses"].size());
  EXPECT_EQ("gaj", body(uses)["uses"][0]["used_by_dept"]);

  // The holder reads their own without a cause; the PDF is theirs too.
  auto own = call("GET", "/api/v1/certificates/" + id, citizen_);
  EXPECT_EQ(200, own.status);
  auto pdf = call("GET", "/api/v1/certificates/" + id + "/pdf", citizen_);
  ASSERT_EQ(200, pdf.status) << pdf.body;
  EXPECT_EQ("application/pdf", pdf.content_type);
  EXPECT_EQ(0u, pdf.body.rfind("%PDF-1.4", 0));
  // Officials, the issuing department's included, do not get the printable copy: it would be a
  // read without a cause, a matter, a record or a notice to the holder (#16).
  for (const std::string& official : {approver_, reviewer_, admin_}) {
    EXPECT_EQ(403, call("GET", "/api/v1/certificates/" + id + "/pdf", official).status);
  }
}

TEST_P(CertificateRoutesTest, CsvImportReportsRowErrorsAndImportsNothing) {
  const std::string csv = "type_code,number,holder_name,holder_id,issue_date\n" + licence_code_ +
                          ",N1,张三," + holder_id_ + ",2020-05-01\n" + licence_code_ +
                          ",N2,李四,not-an-id,2020-05-01\n";
  EXPECT_EQ(415, call("POST", "/api/v1/certificates/import", approver_, csv).status);
  auto failed = call("POST", "/api/v1/certificates/import", approver_, csv, {}, "text/csv");
  ASSERT_EQ(400, failed.status) << failed.body;
  json problem = body(failed);
  EXPECT_EQ("/rows/2/holder_id", problem["field"]);
  ASSERT_EQ(1u, problem["errors"].size());
  EXPECT_EQ("/rows/2/holder_id", problem["errors"][0]["field"]);
  EXPECT_TRUE(body(call("GET", "/api/v1/wallet/certificates", citizen_))["items"].empty());

  const std::string fixed = csv.substr(0, csv.rfind(licence_code_));
  auto ok =
      call("POST", "/api/v1/certificates/import", approver_, fixed, {}, "text/csv; charset=utf-8");
  ASSERT_EQ(200, ok.status) << ok.body;
  EXPECT_EQ(1, body(ok)["imported"]);
  EXPECT_EQ(1u, body(call("GET", "/api/v1/wallet/certificates", citizen_))["items"].size());
}

TEST_P(CertificateRoutesTest, TypesAreListedAndDefinedByAdmins) {
  auto list = call("GET", "/api/v1/certificate-types");
  ASSERT_EQ(200, list.status);
  EXPECT_GT(body(list)["items"].size(), 5u);
  json type = {{"name", "农药经营许可证"},
               {"dept_id", "scjg"},
               {"holder_kind", "business"},
               {"validity_years", 5}};
  const std::string code = "11329900MB0100025F099";
  EXPECT_EQ(403, call("PUT", "/api/v1/certificate-types/" + code, approver_, type.dump()).status);
  auto put = call("PUT", "/api/v1/certificate-types/" + code, admin_, type.dump());
  ASSERT_EQ(200, put.status) << put.body;
  EXPECT_EQ(std::string(kBase) + "/vct/" + code, body(put)["vct"]);
  type["colour"] = "red";
  EXPECT_EQ("/colour",
            body(call("PUT", "/api/v1/certificate-types/" + code, admin_, type.dump()))["field"]);
  EXPECT_EQ(404, call("GET", "/.well-known/jwt-vc-issuer/issuers/nosuch").status);
  EXPECT_EQ(404, call("GET", "/api/v1/status-lists/nosuch-1").status);
}

INSTANTIATE_TEST_SUITE_P(Backends, CertificateRoutesTest,
                         ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::certificates
