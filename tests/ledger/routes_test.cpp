// Ledger routes through a Router (no sockets) on both backends: content types, cache headers,
// what is served only within the checkpoint, proofs that verify, and problem fields.
#include <sodium.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "events/events.h"
#include "http/http.h"
#include "identity/identity.h"
#include "ledger/ledger.h"
#include "support/platform.h"
#include "support/router_client.h"
#include "support/test_store.h"

namespace yiwang::ledger {
namespace {

using nlohmann::json;

constexpr core::Millis kT0 = 1795311000000;
constexpr const char* kPassword = "long-enough-1";
constexpr const char* kIdNumber = "11010519491231002X";

std::string b64decode(const std::string& text) {
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return "<bad base64>";
  }
  out.resize(len);
  return out;
}

std::string header(const http::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class LedgerRoutesTest : public yiwang::testing::PlatformTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open({migrations()}, kT0));
    identity::NewUser citizen;
    citizen.username = "zhangsan";
    citizen.password = kPassword;
    citizen.kind = identity::Kind::citizen;
    citizen.display_name = "张三";
    citizen.id_number = kIdNumber;
    citizen.division_code = "110105";
    citizen_id_ = user(citizen).user_id;
    ASSERT_FALSE(citizen_id_.empty());
    auto login = ids_->login("zhangsan", kPassword, "");
    ASSERT_TRUE(login);
    token_ = login->token;

    witness_ = generate_key("witness.audit.example", KeyKind::cosignature_v1);
    options_.origin = "ledger.test.example";
    options_.key_file = yiwang::testing::temp_dir() + "/ledger.key";
    options_.witness_keys = {verifier_key(witness_)};
    log_ = std::make_unique<Log>(*store_, clock_, options_);
    follower_ = std::make_unique<Follower>(
        *log_, *store_, [](store::Tx&, const events::Event& e) -> std::optional<std::string> {
          if (e.subject_id == "C-1") return std::string("111:") + kIdNumber;
          return std::nullopt;
        });
    register_routes(router_, *log_, *follower_, *ids_,
                    [this](const identity::Principal& who, std::string_view type,
                           std::string_view id) -> Status {
                      if (type == "case" && id == "C-1" && who.user_id == citizen_id_) return {};
                      return fail(ErrorCode::forbidden, "", "无权查看", "not yours");
                    });
  }

  // Plain text is what the cosignature intake takes.
  http::Response call(const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& token = "",
                      const std::string& content_type = "text/plain; charset=utf-8") {
    return client_.call(method, target, body, token, content_type);
  }

  json get_json(const std::string& target, int status = 200) {
    auto r = call("GET", target);
    EXPECT_EQ(status, r.status) << target << " → " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  void expect_problem(const http::Response& r, int status, const std::string& field) {
    EXPECT_EQ(status, r.status) << r.body;
    EXPECT_EQ("application/problem+json", r.content_type);
    auto p = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(p.is_object()) << r.body;
    EXPECT_EQ(field, p.value("field", "?")) << r.body;
    EXPECT_FALSE(p.value("message_zh", "").empty());
    EXPECT_FALSE(p.value("message_en", "").empty());
  }

  void emit(const std::string& type, const std::string& case_id) {
    const events::NewEvent e{
        .type = type,
        .subject_type = "case",
        .subject_id = case_id,
        .actor = {"u-clerk", "clerk", "d-1"},
        .after_json = json{{"item_code", "X-1"}, {"state", "accepted"}}.dump()};
    clock_.advance(1000);
    ASSERT_TRUE(store_->write(
        [&](store::Tx& tx) -> Result<std::int64_t> { return events::append(tx, clock_, e); }));
  }

  std::string citizen_id_, token_;
  SignerKey witness_;
  Options options_;
  std::unique_ptr<Log> log_;
  std::unique_ptr<Follower> follower_;
  http::Router router_;
  yiwang::testing::RouterClient client_{router_};
};

TEST_P(LedgerRoutesTest, CheckpointKeyAndEntries) {
  expect_problem(call("GET", "/ledger/checkpoint"), 404, "");
  emit("case.accepted", "C-1");
  emit("case.granted", "C-1");
  emit("case.accepted", "C-2");
  ASSERT_TRUE(follower_->poll_once());
  ASSERT_EQ(3, *log_->integrate());

  auto cp = call("GET", "/ledger/checkpoint");
  EXPECT_EQ(200, cp.status);
  EXPECT_EQ("text/plain; charset=utf-8", cp.content_type);
  EXPECT_EQ("no-cache", header(cp, "Cache-Control"));
  EXPECT_EQ(log_->checkpoint()->note, cp.body);

  auto key = get_json("/api/v1/ledger/key");
  EXPECT_EQ("ledger.test.example", key["origin"]);
  auto verifier = parse_verifier_key(key["verifier_key"].get<std::string>());
  ASSERT_TRUE(verifier);
  ASSERT_TRUE(verify_note(cp.body, *verifier));
  auto body = parse_checkpoint_body(parse_note(cp.body)->text);
  ASSERT_TRUE(body);

  auto entry = get_json("/api/v1/ledger/entries/1");
  EXPECT_EQ(1, entry["index"]);
  const std::string data = b64decode(entry["entry"]);
  EXPECT_EQ("case.granted", json::parse(data)["act"]);
  EXPECT_EQ(to_base64(leaf_hash(data)), entry["leaf_hash"]);

  auto proof = get_json("/api/v1/ledger/proof/inclusion?index=1&size=3");
  EXPECT_EQ(1, proof["index"]);
  EXPECT_EQ(3, proof["size"]);
  EXPECT_EQ(entry["leaf_hash"], proof["leaf_hash"]);
  std::vector<Hash> path;
  for (const auto& h : proof["proof"]) path.push_back(*hash_from_base64(h.get<std::string>()));
  EXPECT_TRUE(verify_inclusion(leaf_hash(data), 1, 3, path, body->root));

  auto acts = get_json("/api/v1/ledger/acts?subject_type=case&subject_id=C-1");
  ASSERT_EQ(2u, acts["items"].size());
  EXPECT_EQ(0, acts["items"][0]["index"]);
  EXPECT_EQ("case.accepted", acts["items"][0]["act"]);
  EXPECT_EQ(to_base64(*log_->entry(0).map([](const Entry& e) { return e.leaf_hash; })),
            acts["items"][0]["leaf_hash"]);
  EXPECT_EQ(0u, get_json("/api/v1/ledger/acts?subject_type=case&subject_id=none")["items"].size());
  EXPECT_EQ(std::string::npos,
            call("GET", "/api/v1/ledger/acts?subject_type=case&subject_id=C-1").body.find("salt"));
}

TEST_P(LedgerRoutesTest, ConsistencyAndBadParameters) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log_->append("{\"i\":" + std::to_string(i) + "}"));
  ASSERT_EQ(5, *log_->integrate());
  auto old_root = log_->checkpoint()->checkpoint.root;
  for (int i = 5; i < 9; ++i) ASSERT_TRUE(log_->append("{\"i\":" + std::to_string(i) + "}"));
  ASSERT_EQ(9, *log_->integrate());
  auto new_root = log_->checkpoint()->checkpoint.root;
  auto c = get_json("/api/v1/ledger/proof/consistency?old=5&new=9");
  EXPECT_EQ(5, c["old"]);
  EXPECT_EQ(9, c["new"]);
  std::vector<Hash> proof;
  for (const auto& h : c["proof"]) proof.push_back(*hash_from_base64(h.get<std::string>()));
  EXPECT_TRUE(verify_consistency(5, 9, old_root, new_root, proof));

  expect_problem(call("GET", "/api/v1/ledger/entries/abc"), 400, "/index");
  expect_problem(call("GET", "/api/v1/ledger/entries/-1"), 400, "/index");
  expect_problem(call("GET", "/api/v1/ledger/entries/9"), 404, "");
  expect_problem(call("GET", "/api/v1/ledger/proof/inclusion?index=1"), 400, "/size");
  expect_problem(call("GET", "/api/v1/ledger/proof/inclusion?index=x&size=3"), 400, "/index");
  expect_problem(call("GET", "/api/v1/ledger/proof/inclusion?index=3&size=3"), 400, "/index");
  expect_problem(call("GET", "/api/v1/ledger/proof/inclusion?index=1&size=10"), 404, "");
  expect_problem(call("GET", "/api/v1/ledger/proof/consistency?old=0&new=9"), 400, "/old");
  expect_problem(call("GET", "/api/v1/ledger/proof/consistency?old=5&new=4"), 400, "/new");
  expect_problem(call("GET", "/api/v1/ledger/proof/consistency?old=5"), 400, "/new");
  expect_problem(call("GET", "/api/v1/ledger/acts?subject_type=case"), 400, "/subject_id");
}

TEST_P(LedgerRoutesTest, Tiles) {
  std::vector<std::string> entries;
  for (int i = 0; i < 258; ++i) {
    entries.push_back("{\"i\":" + std::to_string(i) + "}");
    ASSERT_TRUE(log_->append(entries.back()));
  }
  expect_problem(call("GET", "/ledger/tile/entries/000"), 404, "");  // not checkpointed yet
  ASSERT_EQ(258, *log_->integrate());

  auto full = call("GET", "/ledger/tile/entries/000");
  EXPECT_EQ(200, full.status) << full.body;
  EXPECT_EQ("application/octet-stream", full.content_type);
  EXPECT_EQ("public, max-age=31536000, immutable", header(full, "Cache-Control"));
  auto decoded = decode_entry_bundle(full.body);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(std::vector<std::string>(entries.begin(), entries.begin() + 256), *decoded);

  auto partial = call("GET", "/ledger/tile/entries/001.p/2");
  EXPECT_EQ(200, partial.status);
  EXPECT_NE("public, max-age=31536000, immutable", header(partial, "Cache-Control"));
  EXPECT_EQ(entries[257], decode_entry_bundle(partial.body)->at(1));

  auto hashes = call("GET", "/ledger/tile/0/000");
  EXPECT_EQ(200, hashes.status);
  EXPECT_EQ(256u * 32, hashes.body.size());
  auto top = call("GET", "/ledger/tile/1/000.p/1");
  EXPECT_EQ(200, top.status) << top.body;
  EXPECT_EQ(32u, top.body.size());

  expect_problem(call("GET", "/ledger/tile/entries/001.p/3"), 404, "");  // past the checkpoint
  expect_problem(call("GET", "/ledger/tile/entries/001"), 404, "");
  expect_problem(call("GET", "/ledger/tile/0/x001/000"), 404, "");
  expect_problem(call("GET", "/ledger/tile/0/0000"), 404, "/path");  // not canonical
  expect_problem(call("GET", "/ledger/tile/nonsense"), 404, "/path");
}

TEST_P(LedgerRoutesTest, Cosignatures) {
  ASSERT_TRUE(log_->append("{\"a\":1}"));
  ASSERT_EQ(1, *log_->integrate());
  const std::string note = log_->checkpoint()->note;
  const std::string text = parse_note(note)->text;
  const std::string line = cosignature_line(text, witness_, kT0 / 1000);
  const std::string cosigned = add_signature_line(note, line);

  expect_problem(call("POST", "/api/v1/ledger/cosignatures", cosigned, "", "application/json"), 415,
                 "");
  SignerKey stranger = generate_key("stranger.example", KeyKind::cosignature_v1);
  expect_problem(call("POST", "/api/v1/ledger/cosignatures",
                      add_signature_line(note, cosignature_line(text, stranger, kT0 / 1000))),
                 400, "signature");
  auto ok = call("POST", "/api/v1/ledger/cosignatures", cosigned);
  EXPECT_EQ(204, ok.status) << ok.body;
  auto served = call("GET", "/ledger/checkpoint");
  EXPECT_NE(std::string::npos, served.body.find(line));
}

TEST_P(LedgerRoutesTest, ReceiptsOnlyForTheParty) {
  emit("case.accepted", "C-1");
  emit("case.accepted", "C-2");
  ASSERT_TRUE(follower_->poll_once());

  expect_problem(call("GET", "/api/v1/ledger/receipts/case/C-1"), 401, "");
  expect_problem(call("GET", "/api/v1/ledger/receipts/case/C-2", "", token_), 403, "");
  auto r = call("GET", "/api/v1/ledger/receipts/case/C-1", "", token_);
  ASSERT_EQ(200, r.status) << r.body;
  EXPECT_EQ("no-store", header(r, "Cache-Control"));
  auto j = json::parse(r.body);
  EXPECT_EQ("case", j["subject_type"]);
  EXPECT_EQ("C-1", j["subject_id"]);
  ASSERT_EQ(1u, j["acts"].size());
  EXPECT_EQ(std::string("111:") + kIdNumber, j["party"]);
  EXPECT_EQ(commitment_of(j["salt"].get<std::string>(), j["party"].get<std::string>()),
            j["commitment"]);
  // The public entry carries that commitment, and only it.
  const std::string entry = log_->integrate() ? log_->entry(j["acts"][0]["index"])->data : "";
  EXPECT_EQ(j["commitment"], json::parse(entry)["party"]);
  EXPECT_EQ(std::string::npos, entry.find(kIdNumber));
}

INSTANTIATE_TEST_SUITE_P(Backends, LedgerRoutesTest,
                         ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::ledger
