// The ledger verifier and witness against an in-process log server that we can make misbehave:
// roll back, fork, sign with another key, alter entries. The fake log is built from the pure
// merkle/tiles/note functions, so these tests check the clients, not the real Log.
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "http/http.h"
#include "http/json_api.h"
#include "http/server.h"
#include "ledger/merkle.h"
#include "ledger/node_map.h"
#include "ledger/note.h"
#include "ledger/tiles.h"
#include "ledger/verifier.h"
#include "ledger/witness.h"
#include "support/test_store.h"

namespace yiwang::ledger {
namespace {

using http::Json;

std::string b64(std::string_view bytes) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8 |
                 (unsigned char)bytes[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += abc[(v >> s) & 63];
  }
  if (i + 1 == bytes.size()) {
    unsigned v = (unsigned char)bytes[i] << 16;
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8;
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += abc[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// One tree: entries and every stored node, from the same functions the real log uses.
struct Tree {
  std::vector<std::string> entries;
  fake::NodeMap nodes;
  Edge edge;

  void append(std::vector<std::string> more) {
    std::vector<Hash> leaves;
    for (auto& e : more) {
      leaves.push_back(leaf_hash(e));
      entries.push_back(std::move(e));
    }
    for (const auto& n : integrate(edge, leaves)) nodes[{n.id.level, n.id.index}] = n.hash;
  }
  NodeReader reader() const { return fake::reader_of(nodes); }
  Hash root(std::int64_t size) const { return *root_hash(size, reader()); }
};

std::vector<std::string> acts(int from, int to, std::string tag = "") {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i)
    out.push_back("{\"act\":\"case.accepted\",\"n\":" + std::to_string(i) + tag + "}");
  return out;
}

// A log server whose answers the test controls.
class FakeLog {
 public:
  FakeLog() : key_(generate_key("log.test.example", KeyKind::ed25519)) {
    tree_.append(acts(0, 20));
    size_ = 20;
    register_routes();
    server_ = std::make_unique<http::Server>(router_, options());
    server_->start();
  }
  ~FakeLog() {
    server_->stop();
    server_->wait();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::string key() const { return verifier_key(key_); }

  // Test controls (each takes the lock: handlers run on server threads).
  void grow(int n) {
    std::lock_guard l(mu_);
    int from = static_cast<int>(tree_.entries.size());
    tree_.append(acts(from, from + n));
    size_ = tree_.entries.size();
    cosignatures_.clear();
  }
  void serve_size(std::int64_t size) {  // serve an older (smaller) checkpoint: rollback
    std::lock_guard l(mu_);
    size_ = size;
  }
  void replace_tree(Tree t) {  // a different history: fork
    std::lock_guard l(mu_);
    tree_ = std::move(t);
    size_ = tree_.entries.size();
    cosignatures_.clear();
  }
  void resign_with(SignerKey k, bool publish) {
    std::lock_guard l(mu_);
    published_ = verifier_key(key_);  // what it keeps publishing when `publish` is false
    key_ = std::move(k);
    publish_key_ = publish;
  }
  void alter_served_entry(std::int64_t index, std::string data, bool lie_about_leaf_hash) {
    std::lock_guard l(mu_);
    altered_[index] = {std::move(data), lie_about_leaf_hash};
  }
  void accept_witness(const std::string& vkey) {
    std::lock_guard l(mu_);
    witness_ = *parse_verifier_key(vkey);
  }
  int cosignatures_received() const { return received_.load(); }
  const Tree& tree() const { return tree_; }

 private:
  static http::ServerOptions options() {
    http::ServerOptions o;
    o.port = 0;
    o.io_threads = 1;
    o.worker_threads = 2;
    o.access_log_path = "-";
    return o;
  }

  std::string note_locked() const {
    Checkpoint c{"log.test.example", size_, tree_.root(size_), {}};
    std::string note = sign_note(checkpoint_body(c), key_);
    for (const auto& line : cosignatures_) note = add_signature_line(note, line);
    return note;
  }

  static http::Response text(std::string body, int status = 200) {
    http::Response r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::move(body);
    return r;
  }

  void register_routes() {
    router_.add("GET", "/ledger/checkpoint", [this](const http::Request&, const http::PathParams&) {
      std::lock_guard l(mu_);
      return text(note_locked());
    });
    router_.add("GET", "/api/v1/ledger/key", [this](const http::Request&, const http::PathParams&) {
      std::lock_guard l(mu_);
      return http::ok(Json{{"origin", "log.test.example"},
                           {"verifier_key", publish_key_ ? verifier_key(key_) : published_}});
    });
    router_.add(
        "GET", "/api/v1/ledger/entries/{index}",
        [this](const http::Request&, const http::PathParams& p) {
          std::lock_guard l(mu_);
          auto i = std::stoll(p.at("index"));
          if (i < 0 || i >= size_) return text("no", 404);
          std::string data = tree_.entries[i];
          Hash leaf = leaf_hash(data);
          if (auto it = altered_.find(i); it != altered_.end()) {
            data = it->second.first;
            if (it->second.second) leaf = leaf_hash(data);
          }
          return http::ok(Json{{"index", i}, {"entry", b64(data)}, {"leaf_hash", to_base64(leaf)}});
        });
    router_.add("GET", "/api/v1/ledger/proof/inclusion",
                [this](const http::Request& r, const http::PathParams&) {
                  std::lock_guard l(mu_);
                  auto proof = inclusion_proof(std::stoll(*r.query_param("index")),
                                               std::stoll(*r.query_param("size")), tree_.reader());
                  if (!proof) return text("bad", 400);
                  Json j{{"proof", Json::array()}};
                  for (auto& h : *proof) j["proof"].push_back(to_base64(h));
                  return http::ok(j);
                });
    router_.add("GET", "/api/v1/ledger/proof/consistency",
                [this](const http::Request& r, const http::PathParams&) {
                  std::lock_guard l(mu_);
                  auto proof = consistency_proof(std::stoll(*r.query_param("old")),
                                                 std::stoll(*r.query_param("new")), tree_.reader());
                  if (!proof) return text("bad", 400);
                  Json j{{"proof", Json::array()}};
                  for (auto& h : *proof) j["proof"].push_back(to_base64(h));
                  return http::ok(j);
                });
    auto bundle = [this](const http::Request& r, const http::PathParams&) {
      std::lock_guard l(mu_);
      auto ref = parse_tile_path(r.path.substr(std::string("/ledger/").size()));
      if (!ref || !ref->entries || !tile_exists(*ref, size_)) return text("no", 404);
      std::vector<std::string> es;
      for (std::int64_t i = ref->index * kTileWidth; i < ref->index * kTileWidth + ref->width;
           ++i) {
        auto it = altered_.find(i);
        es.push_back(it != altered_.end() ? it->second.first : tree_.entries[i]);
      }
      return text(encode_entry_bundle(es));
    };
    router_.add("GET", "/ledger/tile/entries/{n}", bundle);
    router_.add("GET", "/ledger/tile/entries/{n}/{w}", bundle);
    router_.add("POST", "/api/v1/ledger/cosignatures",
                [this](const http::Request& r, const http::PathParams&) {
                  std::lock_guard l(mu_);
                  ++received_;
                  auto note = parse_note(r.body);
                  if (!note || note->text != parse_note(note_locked())->text ||
                      !verify_note(r.body, witness_))
                    return text("rejected", 400);
                  for (const auto& line : note->lines)
                    if (line.rfind("\xE2\x80\x94 " + witness_.name + " ", 0) == 0)
                      cosignatures_.push_back(line);
                  return text("", 204);
                });
  }

  mutable std::mutex mu_;
  SignerKey key_;
  bool publish_key_ = true;
  std::string published_;
  Tree tree_;
  std::int64_t size_ = 0;
  std::map<std::int64_t, std::pair<std::string, bool>> altered_;
  Verifier witness_;
  std::vector<std::string> cosignatures_;
  std::atomic<int> received_{0};
  http::Router router_;
  std::unique_ptr<http::Server> server_;
};

class VerifierTest : public ::testing::Test {
 protected:
  Result<VerifyReport> run(std::vector<std::int64_t> entries = {}, std::string key = "",
                           bool full = false) {
    VerifyOptions o;
    o.url = log.url();
    o.verifier_key = std::move(key);
    o.state_file = state;
    o.entries = std::move(entries);
    o.full = full;
    return verify(o);
  }
  std::int64_t saved_size() { return (*load_state(state))->checkpoint.size; }

  FakeLog log;
  std::string state = testing::temp_dir() + "/ledger.state";
};

TEST_F(VerifierTest, TrustsOnFirstUseThenFollowsAGrowingLog) {
  auto first = run({0, 7, 19});
  ASSERT_TRUE(first) << first.error().message_en;
  EXPECT_TRUE(first->key_pinned_now);
  EXPECT_EQ(first->verifier_key, log.key());
  EXPECT_EQ(saved_size(), 20);

  log.grow(300);  // crosses a full entry bundle: tiles 000 and 001.p/64
  auto second = run({0, 319}, "", /*full=*/true);
  ASSERT_TRUE(second) << second.error().message_en;
  EXPECT_FALSE(second->key_pinned_now);
  ASSERT_TRUE(second->previous);
  EXPECT_EQ(second->previous->size, 20);
  EXPECT_EQ(saved_size(), 320);

  auto again = run({}, log.key());  // unchanged checkpoint, explicit key: fine
  ASSERT_TRUE(again) << again.error().message_en;
}

TEST_F(VerifierTest, RollbackFailsAndKeepsTheLastSeenCheckpoint) {
  log.grow(10);
  ASSERT_TRUE(run());
  log.serve_size(12);
  auto r = run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "rollback");
  EXPECT_EQ(r.error().message_en, "rollback: size 12 < last seen 30");
  EXPECT_EQ(saved_size(), 30);
  EXPECT_FALSE(run());  // still failing next time: the state did not move
}

TEST_F(VerifierTest, ForkAtTheSameSizeFails) {
  ASSERT_TRUE(run());
  Tree other;
  other.append(acts(0, 19));
  other.append({"{\"act\":\"case.granted\",\"n\":19}"});
  log.replace_tree(std::move(other));
  auto r = run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "fork");
  EXPECT_NE(r.error().message_en.find("fork: size 20"), std::string::npos) << r.error().message_en;
}

TEST_F(VerifierTest, ForkWithAGrownTreeFailsTheConsistencyProof) {
  ASSERT_TRUE(run());
  Tree other;  // rewrites entry 3, then grows past what was seen
  other.append(acts(0, 3));
  other.append(acts(3, 4, ",\"x\":1"));
  other.append(acts(4, 40));
  log.replace_tree(std::move(other));
  auto r = run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "fork");
  EXPECT_EQ(r.error().message_en, "fork: consistency proof from size 20 to 40 does not verify");
  EXPECT_EQ(saved_size(), 20);
}

TEST_F(VerifierTest, WrongKeyFails) {
  auto stranger = generate_key("log.test.example", KeyKind::ed25519);
  auto r = run({}, verifier_key(stranger));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "signature");
  EXPECT_FALSE(std::filesystem::exists(state));  // nothing pinned after a failure
}

TEST_F(VerifierTest, KeyChangeAfterFirstUseFails) {
  ASSERT_TRUE(run());
  log.resign_with(generate_key("log.test.example", KeyKind::ed25519), /*publish=*/true);
  auto r = run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "key");
  EXPECT_EQ(r.error().message_en.rfind("key changed", 0), 0u) << r.error().message_en;
}

TEST_F(VerifierTest, CheckpointSignedByAnUnpublishedKeyFails) {
  ASSERT_TRUE(run());
  log.resign_with(generate_key("log.test.example", KeyKind::ed25519), /*publish=*/false);
  auto r = run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "signature");
}

TEST_F(VerifierTest, AlteredEntryFails) {
  log.alter_served_entry(7, "{\"act\":\"case.rejected\",\"n\":7}", /*lie=*/false);
  auto r = run({7});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "entry");
  EXPECT_EQ(r.error().message_en.rfind("altered entry 7", 0), 0u) << r.error().message_en;
  EXPECT_TRUE(run({6}));  // the other entries are still fine
}

TEST_F(VerifierTest, AlteredEntryWithAMatchingClaimedHashFailsInclusion) {
  log.alter_served_entry(7, "{\"act\":\"case.rejected\",\"n\":7}", /*lie=*/true);
  auto r = run({7});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "inclusion");
}

TEST_F(VerifierTest, FullRebuildDetectsAnAlteredBundle) {
  log.alter_served_entry(11, "{\"act\":\"case.rejected\",\"n\":11}", /*lie=*/true);
  auto r = run({}, "", /*full=*/true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "full");
}

TEST_F(VerifierTest, EntryBeyondTheCheckpointFails) {
  auto r = run({20});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "entry");
}

TEST(VerifierUrl, ParsesHostAndPort) {
  auto a = parse_url("http://127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  auto b = parse_url("http://ledger.example/");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->port, 80);
  auto c = parse_url("http://[::1]:9000");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "::1");
  EXPECT_FALSE(parse_url("https://ledger.example"));
  EXPECT_FALSE(parse_url("http://ledger.example:0"));
  EXPECT_FALSE(parse_url("http://ledger.example/api"));
  EXPECT_FALSE(parse_url("http://:80"));
}

TEST(VerifierState, DefaultPathSanitizesTheOrigin) {
  auto p = default_state_path("ledger", "ledger.example/../x y");
  EXPECT_NE(p.find("/.yiwang/ledger-ledger.example_.._x_y.state"), std::string::npos) << p;
}

TEST(VerifierWeb, ServesThePageAndScript) {
  http::Router router;
  register_web_routes(router);
  http::Request req;
  req.method = "GET";
  ASSERT_TRUE(http::set_target(req, "/verify"));
  auto page = router.dispatch(req);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type.rfind("text/html", 0), 0u);
  EXPECT_NE(page.body.find("公开核验"), std::string::npos);
  EXPECT_NE(page.body.find("/verify/app.js"), std::string::npos);
  ASSERT_TRUE(http::set_target(req, "/verify/app.js"));
  auto js = router.dispatch(req);
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type.rfind("text/javascript", 0), 0u);
  EXPECT_NE(js.body.find("crypto.subtle"), std::string::npos);
}

// ---- witness ------------------------------------------------------------------------------

class WitnessTest : public ::testing::Test {
 protected:
  WitnessOptions options() {
    WitnessOptions o;
    o.url = log.url();
    o.log_key = log.key();
    o.key_file = dir + "/witness.key";
    o.name = "witness.audit.test";
    return o;
  }
  FakeLog log;
  std::string dir = testing::temp_dir();
  core::ManualClock clock{1'790'000'000'000};
};

TEST_F(WitnessTest, CreatesAPrivateKeyAndCosigns) {
  Witness w(options(), clock);
  EXPECT_TRUE(w.key_created());
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/witness.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto vk = parse_verifier_key(w.verifier_key());
  ASSERT_TRUE(vk);
  EXPECT_EQ(vk->kind, KeyKind::cosignature_v1);
  log.accept_witness(w.verifier_key());

  auto r = w.round();
  ASSERT_TRUE(r) << r.error().message_en;
  EXPECT_EQ(r->outcome, RoundResult::Outcome::cosigned);
  EXPECT_EQ(log.cosignatures_received(), 1);

  auto again = w.round();  // the log now serves our cosignature: nothing to add
  ASSERT_TRUE(again) << again.error().message_en;
  EXPECT_EQ(again->outcome, RoundResult::Outcome::already_cosigned);
  EXPECT_EQ(log.cosignatures_received(), 1);

  log.grow(5);
  auto grown = w.round();
  ASSERT_TRUE(grown) << grown.error().message_en;
  EXPECT_EQ(grown->outcome, RoundResult::Outcome::cosigned);
  EXPECT_EQ(grown->previous_size, 20);

  Witness reloaded(options(), clock);  // same key on the next start
  EXPECT_FALSE(reloaded.key_created());
  EXPECT_EQ(reloaded.verifier_key(), w.verifier_key());
}

TEST_F(WitnessTest, RefusesRollbackAndForkWithoutPosting) {
  Witness w(options(), clock);
  log.accept_witness(w.verifier_key());
  log.grow(10);
  ASSERT_TRUE(w.round());
  int posted = log.cosignatures_received();

  log.serve_size(25);
  auto r = w.round();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "rollback");
  EXPECT_EQ(log.cosignatures_received(), posted);

  Tree other;
  other.append(acts(0, 30, ",\"forged\":true"));
  log.replace_tree(std::move(other));
  std::ostringstream out, err;
  std::atomic<bool> stop{false};
  EXPECT_EQ(w.run(out, err, stop, /*once=*/true), 1);
  EXPECT_NE(err.str().find("REFUSES"), std::string::npos);
  EXPECT_NE(err.str().find("fork"), std::string::npos) << err.str();
  EXPECT_EQ(log.cosignatures_received(), posted);
}

TEST_F(WitnessTest, RejectsAWrongLogSignature) {
  auto o = options();
  o.log_key = verifier_key(generate_key("log.test.example", KeyKind::ed25519));
  Witness w(o, clock);
  auto r = w.round();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "signature");
  EXPECT_EQ(log.cosignatures_received(), 0);
}

TEST(WitnessKey, RefusesAnEd25519KeyFile) {
  std::string path = testing::temp_dir() + "/log.key";
  std::ofstream(path) << format_signer_key(generate_key("w", KeyKind::ed25519)) << "\n";
  auto k = load_or_create_witness_key(path, "w");
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().field, "key");
}

}  // namespace
}  // namespace yiwang::ledger
