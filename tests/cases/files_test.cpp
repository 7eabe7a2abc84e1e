// Uploaded materials on both backends: magic numbers against the declared type, size limits,
// content addressing and deduplication, the bytes on disk, who may download, and the HTTP routes.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/cases.h"
#include "cases/services.h"
#include "events/events.h"
#include "http/http.h"
#include "support/test_store.h"

namespace yiwang::cases {
namespace {

using identity::Role;
using nlohmann::json;
namespace fs = std::filesystem;

const std::string kPdf = "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8) + "rest-of-png";
const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0", 4) + "jfif";
const std::string kOfd = std::string("PK\x03\x04", 4) + "OFD.xml";
const char* kItem = "11320100FILETEST0001";

class FilesTest : public testing::CasesFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open(1'772'416'800'000));  // 2026-03-02 10:00 +08:00
    dir_ = yiwang::testing::temp_dir();
    Options options;
    options.files_dir = dir_;
    options.max_file_bytes = 1024;
    service_ = std::make_unique<Service>(*store_, clock_, random_, *catalog_, *ids_, options);
    city_departments();
    admin_ = official("admin", "zwfw", {Role::admin});
    clerk_ = official("chuangkou", "scjg", {Role::clerk});
    wjw_clerk_ = official("wjw_chuangkou", "wjw", {Role::clerk});
    citizen_ = citizen("zhangsan", "zhangsan", "11010519900307001", "");
    other_ = citizen("lisi", "lisi", "11010519880101002", "");

    catalog::Item i = licence_item(kItem, "FILE01", "材料测试事项");
    auto published = catalog_->publish(i, admin_);
    ASSERT_TRUE(published) << published.error().message_en << published.error().field;
  }

  std::int64_t last_seq() {
    return *store_->read(
        [](store::Tx& tx) -> Result<std::int64_t> { return events::last_seq(tx); });
  }

  std::string dir_;
  identity::Principal admin_, clerk_, wjw_clerk_, citizen_, other_;
};

TEST_P(FilesTest, UploadIsContentAddressedAndDurableOnDisk) {
  auto ref = service_->put_file("application/pdf", kPdf, citizen_);
  ASSERT_TRUE(ref) << ref.error().message_en;
  EXPECT_EQ(static_cast<std::int64_t>(kPdf.size()), ref->size);
  EXPECT_EQ("application/pdf", ref->content_type);
  fs::path on_disk = fs::path(dir_) / ref->sha256.substr(0, 2) / ref->sha256;
  ASSERT_TRUE(fs::exists(on_disk));
  std::ifstream in(on_disk, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  EXPECT_EQ(kPdf, bytes.str());
  // No temporary file is left behind.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(on_disk.parent_path())) ++entries;
  EXPECT_EQ(1, entries);

  // The same bytes from someone else: the same file, one row, a second uploader.
  auto again = service_->put_file("application/pdf; charset=binary", kPdf, other_);
  ASSERT_TRUE(again);
  EXPECT_EQ(ref->sha256, again->sha256);
  auto counts = store_->read([&](store::Tx& tx) -> Result<std::pair<std::int64_t, std::int64_t>> {
    return std::pair{tx.query_one("SELECT COUNT(*) FROM files")->int64(0),
                     tx.query_one("SELECT COUNT(*) FROM file_uploads")->int64(0)};
  });
  EXPECT_EQ(1, counts->first);
  EXPECT_EQ(2, counts->second);
  auto uploads = store_->read([](store::Tx& tx) -> Result<std::vector<events::Event>> {
    events::Filter f;
    f.type_prefix = "file.";
    return events::list(tx, f);
  });
  ASSERT_EQ(2u, uploads->size());
  EXPECT_EQ("file.uploaded", (*uploads)[0].type);
  EXPECT_EQ(ref->sha256, (*uploads)[0].subject_id);
}

TEST_P(FilesTest, KnownSha256) {
  auto ref = service_->put_file("application/pdf", "%PDF-", citizen_);
  ASSERT_TRUE(ref);
  // printf '%PDF-' | sha256sum
  EXPECT_EQ("38523c087796e5d5dd1cf9bad1fb026781a838dd9dd2cf8af58b9f6502a46778", ref->sha256);
}

TEST_P(FilesTest, EveryAcceptedTypeByItsMagic) {
  for (auto [type, bytes] : {std::pair{"application/pdf", kPdf},
                             {"image/png", kPng},
                             {"image/jpeg", kJpeg},
                             {"application/ofd", kOfd}}) {
    auto ref = service_->put_file(type, bytes, citizen_);
    ASSERT_TRUE(ref) << type << ": " << ref.error().message_en;
    EXPECT_EQ(type, ref->content_type);
  }
}

TEST_P(FilesTest, BadUploadsAreRejectedAndChangeNothing) {
  auto seq = last_seq();
  auto mismatch = service_->put_file("application/pdf", kPng, citizen_);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(ErrorCode::unsupported_media, mismatch.error().code);
  auto unknown = service_->put_file("text/html", "<html>", citizen_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(ErrorCode::unsupported_media, unknown.error().code);
  auto disguised = service_->put_file("image/png", kPdf, citizen_);
  EXPECT_EQ(ErrorCode::unsupported_media, disguised.error().code);
  auto big = service_->put_file("application/pdf", "%PDF-" + std::string(1020, 'x'), citizen_);
  ASSERT_FALSE(big);
  EXPECT_EQ(ErrorCode::too_large, big.error().code);
  auto empty = service_->put_file("application/pdf", "", citizen_);
  ASSERT_FALSE(empty);
  EXPECT_EQ(ErrorCode::invalid_input, empty.error().code);
  EXPECT_EQ(seq, last_seq());
  EXPECT_TRUE(fs::is_empty(dir_));
  // Exactly at the limit is fine.
  EXPECT_TRUE(service_->put_file("application/pdf", "%PDF-" + std::string(1019, 'x'), citizen_));
}

TEST_P(FilesTest, DownloadByUploaderAndOfficialsHandlingTheCase) {
  auto ref = service_->put_file("application/pdf", kPdf, citizen_);
  ASSERT_TRUE(ref);
  auto own = service_->get_file(ref->sha256, citizen_);
  ASSERT_TRUE(own) << own.error().message_en;
  EXPECT_EQ(kPdf, own->bytes);
  EXPECT_EQ("application/pdf", own->ref.content_type);

  // Before any case names it, nobody else may read it.
  EXPECT_EQ(ErrorCode::not_found, service_->get_file(ref->sha256, clerk_).error().code);
  EXPECT_EQ(ErrorCode::not_found, service_->get_file(ref->sha256, other_).error().code);

  // Someone else cannot attach it to their case.
  NewCase nc;
  nc.item_code = kItem;
  nc.materials = {{"营业执照", ref->sha256, "", ""}};
  auto stolen = service_->file(nc, other_);
  ASSERT_FALSE(stolen);
  EXPECT_EQ("/materials/0/sha256", stolen.error().field);

  auto filed = service_->file(nc, citizen_);
  ASSERT_TRUE(filed) << filed.error().message_en << filed.error().field;
  ASSERT_EQ(1u, filed->materials.size());
  EXPECT_EQ(ref->sha256, filed->materials[0].sha256);
  EXPECT_TRUE(service_->get_file(ref->sha256, clerk_));
  // Admins see the case, but not its materials' content (minimum necessary: masking.cpp).
  EXPECT_EQ(ErrorCode::not_found, service_->get_file(ref->sha256, admin_).error().code);
  EXPECT_EQ(ErrorCode::not_found, service_->get_file(ref->sha256, wjw_clerk_).error().code);
  EXPECT_EQ(ErrorCode::not_found, service_->get_file(ref->sha256, other_).error().code);
  EXPECT_EQ(ErrorCode::not_found, service_->get_file(std::string(64, '0'), citizen_).error().code);
  EXPECT_EQ(ErrorCode::not_found, service_->get_file("../../etc/passwd", citizen_).error().code);
}

// The routes end to end with real sessions.
class FileRoutesTest : public FilesTest {
 protected:
  void SetUp() override {
    FilesTest::SetUp();
    register_routes(router_, *service_, *ids_);
  }
  std::string login(const std::string& name) {
    auto r = ids_->login(name, std::string(yiwang::testing::kPassword), "127.0.0.1");
    EXPECT_TRUE(r) << r.error().message_en;
    return r ? r->token : "";
  }
  http::Response call(const std::string& method, const std::string& target, const std::string& body,
                      const std::string& token, const std::string& type = "application/json") {
    http::Request req;
    req.method = method;
    EXPECT_TRUE(http::set_target(req, target));
    req.body = body;
    if (!body.empty()) req.headers["content-type"] = type;
    if (!token.empty()) req.headers["authorization"] = "Bearer " + token;
    return router_.dispatch(req);
  }
  static std::string header(const http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }
  http::Router router_;
};

TEST_P(FileRoutesTest, UploadFileACaseActAndDownload) {
  std::string citizen = login("zhangsan"), clerk = login("chuangkou");
  auto up = call("POST", "/api/v1/files", kPng, citizen, "image/png");
  ASSERT_EQ(201, up.status) << up.body;
  auto ref = json::parse(up.body);
  std::string sha = ref.value("sha256", "");
  EXPECT_EQ("image/png", ref.value("content_type", ""));
  EXPECT_EQ("/api/v1/files/" + sha, header(up, "Location"));
  EXPECT_EQ(415, call("POST", "/api/v1/files", kPng, citizen, "application/pdf").status);

  json body = {{"item_code", kItem},
               {"form", json::object()},
               {"materials", {{{"name", "照片"}, {"sha256", sha}}}}};
  auto filed = call("POST", "/api/v1/cases", body.dump(), citizen);
  ASSERT_EQ(201, filed.status) << filed.body;
  auto c = json::parse(filed.body);
  std::string id = c.value("id", "");
  EXPECT_EQ("/api/v1/cases/" + id, header(filed, "Location"));
  EXPECT_EQ("submitted", c.value("state", ""));
  EXPECT_TRUE(c["clock"].is_null());
  EXPECT_TRUE(c["accepted_at"].is_null());
  EXPECT_EQ(citizen_.id_number, c["applicant"].value("id_number", ""));

  body["materials"][0]["colour"] = "red";
  auto bad = call("POST", "/api/v1/cases", body.dump(), citizen);
  EXPECT_EQ(400, bad.status);
  EXPECT_EQ("/materials/0/colour", json::parse(bad.body).value("field", ""));

  auto fly =
      call("POST", "/api/v1/cases/" + id + "/actions", json{{"action", "fly"}}.dump(), clerk);
  EXPECT_EQ(400, fly.status);
  EXPECT_EQ("/action", json::parse(fly.body).value("field", ""));
  auto accepted =
      call("POST", "/api/v1/cases/" + id + "/actions",
           json{{"action", "accept"}, {"opinion", "齐全"}, {"expected_revision", 1}}.dump(), clerk);
  ASSERT_EQ(200, accepted.status) << accepted.body;
  auto a = json::parse(accepted.body);
  EXPECT_EQ("in_review", a.value("state", ""));
  EXPECT_EQ(5, a["clock"].value("remaining_days", 0));
  EXPECT_EQ("2026-03-09", a["clock"].value("deadline", ""));
  EXPECT_EQ("none", a["clock"].value("alert", ""));
  EXPECT_EQ(2, a.value("revision", 0));

  auto list = call("GET", "/api/v1/cases?state=in_review&mine=true", "", clerk);
  ASSERT_EQ(200, list.status) << list.body;
  auto l = json::parse(list.body);
  EXPECT_EQ(0, l.value("total", -1));  // waits on the reviewer, not the clerk
  list = call("GET", "/api/v1/cases?state=in_review", "", clerk);
  l = json::parse(list.body);
  ASSERT_EQ(1, l.value("total", 0));
  EXPECT_EQ(identity::mask_id_number(citizen_.id_number),
            l["cases"][0]["applicant"].value("id_number", ""));
  EXPECT_EQ(400, call("GET", "/api/v1/cases?state=flying", "", clerk).status);

  auto history = call("GET", "/api/v1/cases/" + id + "/history", "", citizen);
  ASSERT_EQ(200, history.status);
  auto h = json::parse(history.body);
  EXPECT_EQ(id, h.value("case_id", ""));
  ASSERT_EQ(2u, h["transitions"].size());
  EXPECT_EQ("accept", h["transitions"][1].value("action", ""));
  EXPECT_EQ("clerk", h["transitions"][1]["actor"].value("role", ""));

  auto download = call("GET", "/api/v1/files/" + sha, "", clerk);
  ASSERT_EQ(200, download.status) << download.body;
  EXPECT_EQ(kPng, download.body);
  EXPECT_EQ("image/png", download.content_type);
  EXPECT_EQ("nosniff", header(download, "X-Content-Type-Options"));
  EXPECT_EQ("private", header(download, "Cache-Control"));
  EXPECT_EQ(0u, header(download, "Content-Disposition").rfind("attachment", 0));
  EXPECT_EQ(404, call("GET", "/api/v1/files/" + sha, "", login("lisi")).status);
  EXPECT_EQ(401, call("GET", "/api/v1/files/" + sha, "", "").status);
}

// Finding (#16): no upload quota — 20 × 2 MiB in 0.3 s were accepted. Citizens' new files are
// counted per day per account and per address, with a burst limit per minute; officials have none.
TEST_P(FilesTest, UploadsHaveQuotasPerDayAndABurstLimit) {
  Options options;
  options.files_dir = dir_;
  options.max_file_bytes = 1024;
  options.max_uploads_per_day = 3;
  options.max_upload_bytes_per_day = 100'000;
  options.max_uploads_per_address_day = 5;
  options.max_uploads_per_minute = 4;
  auto limited = std::make_unique<Service>(*store_, clock_, random_, *catalog_, *ids_, options);
  auto pdf = [](int i) { return kPdf + "% " + std::to_string(i) + "\n"; };
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(limited->put_file("application/pdf", pdf(i), citizen_, "10.0.0.1")) << i;
  }
  // The same bytes again are not a new file.
  EXPECT_TRUE(limited->put_file("application/pdf", pdf(0), citizen_, "10.0.0.1"));
  auto over = limited->put_file("application/pdf", pdf(3), citizen_, "10.0.0.1");
  ASSERT_FALSE(over);
  EXPECT_EQ(ErrorCode::rate_limited, over.error().code);
  EXPECT_GT(over.error().retry_after_s, 0);
  // Another account from the same address, up to the address's quota.
  ASSERT_TRUE(limited->put_file("application/pdf", pdf(10), other_, "10.0.0.1"));
  ASSERT_TRUE(limited->put_file("application/pdf", pdf(11), other_, "10.0.0.1"));
  EXPECT_EQ(ErrorCode::rate_limited,
            limited->put_file("application/pdf", pdf(12), other_, "10.0.0.1").error().code);
  EXPECT_TRUE(limited->put_file("application/pdf", pdf(12), other_, "10.0.0.2"));
  // Officials scanning at a window are not limited.
  for (int i = 20; i < 30; ++i) {
    ASSERT_TRUE(limited->put_file("application/pdf", pdf(i), clerk_, "10.0.0.1")) << i;
  }
  // A new Beijing day starts the count again; the burst limit still holds within a minute.
  clock_.advance(core::kDayMs);
  for (int i = 40; i < 43; ++i) {
    ASSERT_TRUE(limited->put_file("application/pdf", pdf(i), citizen_, "10.0.0.3")) << i;
  }
  options.max_uploads_per_day = 100;
  auto burst = std::make_unique<Service>(*store_, clock_, random_, *catalog_, *ids_, options);
  for (int i = 50; i < 54; ++i) ASSERT_TRUE(burst->put_file("application/pdf", pdf(i), other_, "10.0.0.4"));
  EXPECT_EQ(ErrorCode::rate_limited,
            burst->put_file("application/pdf", pdf(54), other_, "10.0.0.4").error().code);
}

INSTANTIATE_TEST_SUITE_P(Backends, FilesTest, ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, FileRoutesTest, ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace yiwang::cases
