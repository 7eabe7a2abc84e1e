// The issue's "done when": a third-party RFC 6962 / signed-note implementation verifies our
// checkpoints and proofs. An in-memory log built only from ledger/merkle, tiles and note is served
// over real HTTP with the public routes, and tests/ledger/go/ledgerverify — the Go standard
// library plus golang.org/x/mod/sumdb/{note,tlog}, sharing no code with us — must accept it, and
// must reject a changed entry, a changed tile, a wrong proof, a foreign signature, a fork and a
// rollback.
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/http.h"
#include "http/server.h"
#include "ledger/merkle.h"
#include "ledger/node_map.h"
#include "ledger/note.h"
#include "ledger/tiles.h"
#include "support/prerequisites.h"

namespace yiwang::ledger {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kOrigin = "ledger.yiwang.example.gov.cn";

std::string b64(std::string_view s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                    s.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();
  return out;
}

// A key from a fixed seed, so that the checkpoint in docs/formats/ledger.md is reproducible.
SignerKey fixed_key(std::string name, unsigned char first_byte, KeyKind kind = KeyKind::ed25519) {
  std::string seed;
  for (int i = 0; i < 32; ++i) seed.push_back(static_cast<char>(first_byte + i));
  std::string data(1, kind == KeyKind::ed25519 ? '\x01' : '\x04');
  data += seed;
  // The key hash is checked on parse; compute it the way the format defines it.
  unsigned char pk[32], sk[64];
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed.data()));
  std::string hashed =
      name + "\n" + data.substr(0, 1) + std::string(reinterpret_cast<char*>(pk), 32);
  unsigned char h[32];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(hashed.data()), hashed.size());
  char hex[9];
  std::snprintf(hex, sizeof hex, "%02x%02x%02x%02x", h[0], h[1], h[2], h[3]);
  auto k = parse_signer_key("PRIVATE+KEY+" + name + "+" + hex + "+" + b64(data));
  EXPECT_TRUE(k.has_value());
  return *k;
}

// What the fake server serves. Every field may be tampered with independently of the others.
struct FakeLog {
  std::vector<std::string> entries;  // as served by the entry routes
  fake::NodeMap nodes;               // as served by tiles and proofs
  std::int64_t size = 0;
  std::string checkpoint;    // the signed note served
  std::string verifier_key;  // served at /api/v1/ledger/key
  bool corrupt_inclusion_proofs = false;

  NodeReader reader() const { return fake::reader_of(nodes); }
};

std::vector<std::string> make_entries(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(R"({"type":"case.decided","case":"C-)" + std::to_string(1000 + i) +
                  R"(","dept":"市场监管局"})");
  }
  return out;
}

// Builds an honest log over `entries` and signs its checkpoint with `key`.
std::shared_ptr<FakeLog> build_log(const std::vector<std::string>& entries, const SignerKey& key) {
  auto log = std::make_shared<FakeLog>();
  log->entries = entries;
  Edge edge;
  std::vector<Hash> leaves;
  for (const auto& e : entries) leaves.push_back(leaf_hash(e));
  for (auto& n : integrate(edge, leaves)) log->nodes[{n.id.level, n.id.index}] = n.hash;
  log->size = edge.size;
  Checkpoint c{kOrigin, edge.size, root_of(edge), {}};
  log->checkpoint = sign_note(checkpoint_body(c), key);
  log->verifier_key = verifier_key(key);
  return log;
}

http::Response text(int status, std::string body, std::string type = "text/plain; charset=utf-8") {
  http::Response r;
  r.status = status;
  r.content_type = std::move(type);
  r.body = std::move(body);
  return r;
}
http::Response json_ok(const json& j) {
  return text(200, j.dump(), "application/json");
}
http::Response not_found() {
  return text(404, "not found\n");
}

std::optional<std::int64_t> query_int(const http::Request& req, std::string_view name) {
  auto v = req.query_param(name);
  if (!v || v->empty() || v->size() > 18 ||
      v->find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(*v);
}

std::vector<std::string> b64_list(const std::vector<Hash>& hs) {
  std::vector<std::string> out;
  for (const auto& h : hs) out.push_back(to_base64(h));
  return out;
}

class ThirdPartyVerifier : public ::testing::Test {
 protected:
  // The Go verifier is built by CMake (tests/ledger/go/ledgerverify.cmake) when `go` is there;
  // YIWANG_LEDGERVERIFY names the binary. Without it every test here fails (or, with
  // YIWANG_TESTS_MAY_SKIP=1, skips), saying so.
  static void SetUpTestSuite() {
    const char* built = std::getenv("YIWANG_LEDGERVERIFY");
    if (!built || !fs::exists(built)) {
      missing_ = yiwang::testing::missing_prerequisite(
          "the Go ledger verifier (YIWANG_LEDGERVERIFY=" + std::string(built ? built : "") +
              "): the third-party (Go sumdb) verification of the ledger cannot run",
          "Install golang-go and golang-golang-x-mod-dev (scripts/install-deps.sh), then "
          "reconfigure and rebuild (cmake -S . -B build).");
      return;
    }
    binary_ = built;
    char tmpl[] = "/tmp/yiwang-ledgerverify-XXXXXX";
    ASSERT_NE(nullptr, ::mkdtemp(tmpl));
    dir_ = tmpl;
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void SetUp() override {
    if (!missing_.empty()) YIWANG_MISSING_PREREQUISITE(missing_);
    ASSERT_TRUE(fs::exists(binary_));
    key_ = fixed_key(kOrigin, 1);
    add_routes();
    http::ServerOptions o;
    o.port = 0;
    o.io_threads = 1;
    o.worker_threads = 2;
    o.access_log_path = "-";
    server_ = std::make_unique<http::Server>(router_, o);
    server_->start();
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    if (server_) server_->stop(), server_->wait();
  }

  static std::pair<int, std::string> run(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return {-1, "popen failed"};
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
  }

  // Serves `log` and runs the verifier with `args`; returns its exit code and output.
  std::pair<int, std::string> verify(std::shared_ptr<FakeLog> log, const std::string& args = "") {
    {
      std::lock_guard lock(mu_);
      log_ = std::move(log);
    }
    auto r = run("'" + binary_.string() + "' " + args + " " + url_ + " 2>&1");
    return r;
  }

  std::shared_ptr<const FakeLog> current() {
    std::lock_guard lock(mu_);
    return log_;
  }

  void add_routes() {
    router_.add("GET", "/ledger/checkpoint", [this](const http::Request&, const http::PathParams&) {
      return text(200, current()->checkpoint);
    });
    router_.add("GET", "/api/v1/ledger/key", [this](const http::Request&, const http::PathParams&) {
      return json_ok({{"verifier_key", current()->verifier_key}});
    });
    // Tile paths have 3 to 9 segments below /ledger/; the router has no wildcard.
    std::string tmpl = "/ledger/tile/{a}";
    for (char c = 'b'; c <= 'i'; ++c) {
      tmpl += "/{" + std::string(1, c) + "}";
      router_.add("GET", tmpl, [this](const http::Request& req, const http::PathParams&) {
        auto log = current();
        auto t =
            parse_tile_path(std::string_view(req.path).substr(std::string_view("/ledger/").size()));
        if (!t || !tile_exists(*t, log->size)) return not_found();
        if (t->entries) {
          auto first = log->entries.begin() + t->index * kTileWidth;
          return text(200, encode_entry_bundle({first, first + t->width}),
                      "application/octet-stream");
        }
        auto hashes = log->reader()(tile_nodes(*t));
        if (!hashes) return not_found();
        return text(200, encode_hash_tile(*hashes), "application/octet-stream");
      });
    }
    router_.add(
        "GET", "/api/v1/ledger/entries/{index}",
        [this](const http::Request&, const http::PathParams& p) {
          auto log = current();
          std::int64_t i = std::stoll(p.at("index"));
          if (i < 0 || i >= log->size) return not_found();
          const auto& e = log->entries[static_cast<std::size_t>(i)];
          return json_ok({{"index", i}, {"entry", b64(e)}, {"leaf_hash", to_base64(leaf_hash(e))}});
        });
    router_.add("GET", "/api/v1/ledger/proof/inclusion",
                [this](const http::Request& req, const http::PathParams&) {
                  auto log = current();
                  auto i = query_int(req, "index"), n = query_int(req, "size");
                  if (!i || !n || *n > log->size) return text(400, "bad request\n");
                  auto proof = inclusion_proof(*i, *n, log->reader());
                  if (!proof) return text(400, proof.error().message_en);
                  if (log->corrupt_inclusion_proofs && !proof->empty()) proof->back()[0] ^= 1;
                  return json_ok({{"index", *i},
                                  {"size", *n},
                                  {"leaf_hash", to_base64(log->nodes.at({0, *i}))},
                                  {"proof", b64_list(*proof)}});
                });
    router_.add("GET", "/api/v1/ledger/proof/consistency",
                [this](const http::Request& req, const http::PathParams&) {
                  auto log = current();
                  auto m = query_int(req, "old"), n = query_int(req, "new");
                  if (!m || !n || *n > log->size) return text(400, "bad request\n");
                  auto proof = consistency_proof(*m, *n, log->reader());
                  if (!proof) return text(400, proof.error().message_en);
                  return json_ok({{"old", *m}, {"new", *n}, {"proof", b64_list(*proof)}});
                });
  }

  fs::path file(const std::string& name) const { return dir_ / name; }

  static inline std::string missing_;
  static inline fs::path dir_;
  static inline fs::path binary_;
  SignerKey key_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::string url_;
  std::mutex mu_;
  std::shared_ptr<const FakeLog> log_;
};

#define EXPECT_VERIFIES(r) EXPECT_EQ(0, (r).first) << (r).second
#define EXPECT_REJECTED(r, why)                                     \
  do {                                                              \
    auto r_ = (r);                                                  \
    EXPECT_EQ(1, r_.first) << r_.second;                            \
    EXPECT_NE(std::string::npos, r_.second.find(why)) << r_.second; \
  } while (0)

TEST_F(ThirdPartyVerifier, AcceptsAnHonestLogAndItsGrowth) {
  auto all = make_entries(600);  // two full level-0 tiles, a partial one, a level-1 tile
  std::vector<std::string> first(all.begin(), all.begin() + 300);
  auto old_cp = file("honest-300.checkpoint");
  auto r = verify(build_log(first, key_), "--save-checkpoint " + old_cp.string());
  EXPECT_VERIFIES(r);
  EXPECT_NE(std::string::npos, r.second.find("OK ledger.yiwang.example.gov.cn size 300"))
      << r.second;

  // The log grew: consistency with the checkpoint seen before, entries from every tile.
  r = verify(build_log(all, key_),
             "--old-checkpoint " + old_cp.string() +
                 " --index 0 --index 255 --index 256 --index 511 --index 599");
  EXPECT_VERIFIES(r);
  EXPECT_NE(std::string::npos, r.second.find("consistent with the old checkpoint of size 300"));
  EXPECT_NE(std::string::npos, r.second.find("3 entry bundles"));

  // The key can also be given instead of fetched; the same checkpoint again is consistent.
  EXPECT_VERIFIES(verify(build_log(first, key_),
                         "--key " + verifier_key(key_) + " --old-checkpoint " + old_cp.string()));
}

TEST_F(ThirdPartyVerifier, EverySmallTreeSizeVerifies) {
  auto all = make_entries(40);
  for (int n : {0, 1, 2, 3, 7, 8, 9, 31, 40}) {
    std::vector<std::string> e(all.begin(), all.begin() + n);
    auto r = verify(build_log(e, key_));
    EXPECT_VERIFIES(r) << "size " << n;
  }
}

TEST_F(ThirdPartyVerifier, AcceptsAWitnessCosignature) {
  auto witness = fixed_key("audit.yiwang.example.gov.cn", 100, KeyKind::cosignature_v1);
  auto log = build_log(make_entries(20), key_);
  auto body = parse_note(log->checkpoint).value().text;
  log->checkpoint =
      add_signature_line(log->checkpoint, cosignature_line(body, witness, 1767225600));
  auto r = verify(log, "--witness-key " + verifier_key(witness));
  EXPECT_VERIFIES(r);
  EXPECT_NE(std::string::npos, r.second.find("cosigned at 1767225600")) << r.second;

  auto other = fixed_key("audit.yiwang.example.gov.cn", 150, KeyKind::cosignature_v1);
  EXPECT_REJECTED(verify(log, "--witness-key " + verifier_key(other)), "no cosignature");
}

TEST_F(ThirdPartyVerifier, RejectsAChangedEntry) {
  auto log = build_log(make_entries(300), key_);
  auto changed = std::make_shared<FakeLog>(*log);
  changed->entries[123][10] ^= 1;  // the stored entry changed after it was logged
  EXPECT_REJECTED(verify(changed), "entry 123 does not hash to its leaf");
  EXPECT_REJECTED(verify(changed, "--index 123 --max-bundles 0"), "entry 123");

  // Entry and its leaf in tile/0/000 changed together: only the signed root catches it.
  changed->nodes.at({0, 123}) = leaf_hash(changed->entries[123]);
  EXPECT_REJECTED(verify(changed, "--index 299"), "tile/entries/000: entry");
  EXPECT_REJECTED(verify(changed, "--index 123"), "entry 123");
}

TEST_F(ThirdPartyVerifier, RejectsAChangedTileOrProof) {
  auto log = build_log(make_entries(300), key_);
  auto tile = std::make_shared<FakeLog>(*log);
  tile->nodes.at({0, 77})[5] ^= 0x80;  // a leaf hash in tile/0/000 changed
  EXPECT_REJECTED(verify(tile), "invalid transparency proof");
  tile = std::make_shared<FakeLog>(*log);
  tile->nodes.at({8, 0})[0] ^= 1;  // the level-1 tile, which the root is computed from
  EXPECT_REJECTED(verify(tile), "inconsistent tile");

  auto proof = std::make_shared<FakeLog>(*log);
  proof->corrupt_inclusion_proofs = true;
  EXPECT_REJECTED(verify(proof), "inclusion proof");
}

TEST_F(ThirdPartyVerifier, RejectsAForeignSignature) {
  auto impostor = fixed_key(kOrigin, 50);  // same name, other key
  auto log = build_log(make_entries(30), impostor);
  // Even when the server also hands out the impostor's key, a pinned key catches it.
  EXPECT_REJECTED(verify(log, "--key " + verifier_key(key_)), "checkpoint signature");
  log->verifier_key = verifier_key(key_);
  EXPECT_REJECTED(verify(log), "checkpoint signature");
}

TEST_F(ThirdPartyVerifier, RejectsARollbackAndAFork) {
  auto all = make_entries(300);
  auto old_cp = file("before-rollback.checkpoint");
  EXPECT_VERIFIES(verify(build_log(all, key_), "--save-checkpoint " + old_cp.string()));

  // Rolled back to 200 entries: every signature and proof is fine, only the history is not.
  std::vector<std::string> fewer(all.begin(), all.begin() + 200);
  EXPECT_VERIFIES(verify(build_log(fewer, key_)));
  EXPECT_REJECTED(verify(build_log(fewer, key_), "--old-checkpoint " + old_cp.string()),
                  "rollback");

  // A rewritten history, re-signed with the log's own key: a fork at the same and a larger size.
  auto rewritten = all;
  rewritten[100] = R"({"type":"case.decided","case":"C-FORGED"})";
  EXPECT_VERIFIES(verify(build_log(rewritten, key_)));
  EXPECT_REJECTED(verify(build_log(rewritten, key_), "--old-checkpoint " + old_cp.string()),
                  "fork");
  rewritten.push_back("one more");
  EXPECT_REJECTED(verify(build_log(rewritten, key_), "--old-checkpoint " + old_cp.string()),
                  "consistency 300→301");
}

// The test vector of docs/formats/ledger.md: fixed key, ten entries "entry 0" … "entry 9".
TEST_F(ThirdPartyVerifier, DocumentedTestVector) {
  std::vector<std::string> e;
  for (int i = 0; i < 10; ++i) e.push_back("entry " + std::to_string(i));
  auto log = build_log(e, key_);
  const std::string expected_key =
      "ledger.yiwang.example.gov.cn+5bb3bea0+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk";
  const std::string expected_checkpoint =
      "ledger.yiwang.example.gov.cn\n10\nId2nDoH1Te0FxsAQn83djqHRDGGvR3jfXWJWGOklN2c=\n\n"
      "\xE2\x80\x94 ledger.yiwang.example.gov.cn "
      "W7O+oOIKqosx0m4lKa/"
      "7hCk2Rma1n7ylvRkvg4476IUwWDptTx2ibC3By+waWVPUTTa291c6G8gzNJRGSdOCGRg4+ws=\n";
  std::printf("verifier key: %s\nsigner key: %s\ncheckpoint:\n%s", log->verifier_key.c_str(),
              format_signer_key(key_).c_str(), log->checkpoint.c_str());
  auto joined = [](const std::vector<Hash>& hs) {
    std::string out;
    for (const auto& h : hs) out += (out.empty() ? "" : " ") + to_base64(h);
    return out;
  };
  auto inclusion = inclusion_proof(3, 10, log->reader());
  auto consistency = consistency_proof(4, 10, log->reader());
  ASSERT_TRUE(inclusion.has_value());
  ASSERT_TRUE(consistency.has_value());
  std::printf("leaf 3: %s\ninclusion 3/10: %s\nconsistency 4->10: %s\n",
              to_base64(leaf_hash(e[3])).c_str(), joined(*inclusion).c_str(),
              joined(*consistency).c_str());
  EXPECT_EQ("YcoROfaBWEHVuvLQ0tm9nf7pfImN1ve6DAqpQe5sAes=", to_base64(leaf_hash(e[3])));
  EXPECT_EQ(
      "V8efTzGuApxdS9MLBzwnyU35NDiytGl+Hh7vW8A5SkE= WkdmL9ijF9lgSaP59HxV3GfKZgUbqjaD27GbL+CaB7A= "
      "GhZ/vGuCwqdE9v+gpidhde2wC9MFkqXnT3ohqdIDqCg= NPGhc+gS1FizwN90N6k6y6k7nFyGNMwOXTtLlqtkdyM=",
      joined(*inclusion));
  EXPECT_EQ(
      "GhZ/vGuCwqdE9v+gpidhde2wC9MFkqXnT3ohqdIDqCg= NPGhc+gS1FizwN90N6k6y6k7nFyGNMwOXTtLlqtkdyM=",
      joined(*consistency));
  EXPECT_EQ(expected_key, log->verifier_key);
  EXPECT_EQ(expected_checkpoint, log->checkpoint);
  EXPECT_VERIFIES(verify(log, "--key " + expected_key + " --index 3"));
}

}  // namespace
}  // namespace yiwang::ledger
