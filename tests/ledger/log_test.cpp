#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "ledger/ledger.h"
#include "support/test_store.h"

namespace yiwang::ledger {
namespace {

constexpr core::Millis kT0 = 1795311000000;  // 2026-11-22T09:30:00+08:00

class LogTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = yiwang::testing::make_store(GetParam());
    auto migrated = store::migrate(*store_, migrations());
    ASSERT_TRUE(migrated) << migrated.error().message_en;
    options_.origin = "ledger.test.example";
    options_.key_file = yiwang::testing::temp_dir() + "/keys/ledger.key";
    log_ = std::make_unique<Log>(*store_, clock_, options_);
  }

  void restart() {
    log_.reset();
    log_ = std::make_unique<Log>(*store_, clock_, options_);
  }

  std::vector<std::string> append_n(int n, const std::string& prefix = "entry") {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      std::string e = "{\"n\":\"" + prefix + "-" + std::to_string(i) + "\"}";
      auto a = log_->append(e);
      EXPECT_TRUE(a) << a.error().message_en;
      out.push_back(e);
    }
    return out;
  }

  std::int64_t integrate() {
    auto size = log_->integrate();
    EXPECT_TRUE(size) << size.error().message_en;
    return size ? *size : -1;
  }

  void sql(const std::string& statement) {
    auto done = store_->write([&](store::Tx& tx) -> Status {
      tx.exec(statement);
      return {};
    });
    ASSERT_TRUE(done) << done.error().message_en;
  }

  // What a client does: checkpoint signed by the published key, parsed.
  Checkpoint verified_checkpoint() {
    auto c = log_->checkpoint();
    EXPECT_TRUE(c) << c.error().message_en;
    if (!c) return {};
    auto v = parse_verifier_key(log_->verifier_key());
    EXPECT_TRUE(v);
    EXPECT_TRUE(verify_note(c->note, *v));
    auto note = parse_note(c->note);
    auto body = parse_checkpoint_body(note->text);
    EXPECT_TRUE(body);
    return *body;
  }

  // A client's inclusion check of entry `index` against a checkpoint it holds.
  bool client_includes(std::int64_t index, const Checkpoint& c) {
    auto e = log_->entry(index);
    if (!e) return false;
    auto proof = log_->inclusion(index, c.size);
    if (!proof) return false;
    return verify_inclusion(leaf_hash(e->data), index, c.size, *proof, c.root);
  }

  std::unique_ptr<store::Store> store_;
  core::ManualClock clock_{kT0};
  Options options_;
  std::unique_ptr<Log> log_;
};

Hash root_from_scratch(const std::vector<std::string>& entries) {
  Edge edge;
  std::vector<Hash> leaves;
  for (const auto& e : entries) leaves.push_back(leaf_hash(e));
  integrate(edge, leaves);
  return root_of(edge);
}

TEST_P(LogTest, ConcurrentAppendsGetDistinctDenseIndices) {
  constexpr int kThreads = 8, kEach = 150;
  std::vector<std::vector<Appended>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string e = "{\"t\":" + std::to_string(t) + ",\"i\":" + std::to_string(i) + "}";
        auto a = log_->append(e);
        if (!a) {
          ADD_FAILURE() << a.error().message_en;
          continue;
        }
        EXPECT_EQ(leaf_hash(e), a->leaf_hash);
        got[t].push_back(*a);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<std::int64_t> indices;
  for (const auto& g : got) {
    // Within one thread, later appends get later indices.
    for (std::size_t i = 1; i < g.size(); ++i) EXPECT_LT(g[i - 1].index, g[i].index);
    for (const auto& a : g) indices.push_back(a.index);
  }
  std::sort(indices.begin(), indices.end());
  ASSERT_EQ(static_cast<std::size_t>(kThreads * kEach), indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i)
    ASSERT_EQ(static_cast<std::int64_t>(i), indices[i]);

  EXPECT_EQ(kThreads * kEach, integrate());
  for (const auto& g : got) {
    for (const auto& a : g) {
      auto e = log_->entry(a.index);
      ASSERT_TRUE(e);
      EXPECT_EQ(a.leaf_hash, e->leaf_hash);
    }
  }
  EXPECT_TRUE(log_->self_check());
}

TEST_P(LogTest, RejectsEntriesTheLogCannotHold) {
  EXPECT_EQ(ErrorCode::invalid_input, log_->append("").error().code);
  EXPECT_EQ(ErrorCode::invalid_input, log_->append(std::string(65536, 'a')).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, log_->append(std::string("a\0b", 3)).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, log_->append("\xff\xfe").error().code);
  EXPECT_TRUE(log_->append(std::string(65535, 'a')));
  EXPECT_TRUE(log_->append("办件已受理"));
}

TEST_P(LogTest, NothingBeforeTheFirstCheckpoint) {
  EXPECT_EQ(ErrorCode::not_found, log_->checkpoint().error().code);
  EXPECT_EQ(0, integrate());
  EXPECT_EQ(ErrorCode::not_found, log_->checkpoint().error().code);
  EXPECT_TRUE(log_->self_check());
}

TEST_P(LogTest, CheckpointsVerifyWithProofs) {
  auto first = append_n(300);
  EXPECT_EQ(300, integrate());
  EXPECT_EQ(300, integrate());  // nothing new: no new checkpoint
  Checkpoint c1 = verified_checkpoint();
  EXPECT_EQ(options_.origin, c1.origin);
  EXPECT_EQ(300, c1.size);
  EXPECT_EQ(root_from_scratch(first), c1.root);
  for (std::int64_t i : {0, 1, 7, 255, 256, 299}) EXPECT_TRUE(client_includes(i, c1)) << i;

  auto more = append_n(213, "more");
  EXPECT_EQ(513, integrate());
  Checkpoint c2 = verified_checkpoint();
  EXPECT_EQ(513, c2.size);
  auto proof = log_->consistency(300, 513);
  ASSERT_TRUE(proof) << proof.error().message_en;
  EXPECT_TRUE(verify_consistency(300, 513, c1.root, c2.root, *proof));
  // An old tree size still has its proofs.
  auto old_proof = log_->inclusion(5, 300);
  ASSERT_TRUE(old_proof);
  EXPECT_TRUE(verify_inclusion(leaf_hash(first[5]), 5, 300, *old_proof, c1.root));
  EXPECT_TRUE(log_->self_check());
}

TEST_P(LogTest, TilesAndEntriesOnlyWithinTheCheckpoint) {
  auto entries = append_n(10);
  EXPECT_EQ(10, integrate());
  append_n(5, "late");  // durable, not yet checkpointed

  EXPECT_EQ(ErrorCode::not_found, log_->entry(10).error().code);
  EXPECT_TRUE(log_->entry(9));
  EXPECT_EQ(ErrorCode::not_found, log_->inclusion(0, 15).error().code);
  EXPECT_EQ(ErrorCode::not_found, log_->consistency(10, 15).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, log_->inclusion(10, 10).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, log_->consistency(0, 10).error().code);

  TileRef bundle{true, 0, 0, 10};
  auto b = log_->tile(bundle);
  ASSERT_TRUE(b) << b.error().message_en;
  auto decoded = decode_entry_bundle(*b);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(entries, *decoded);
  EXPECT_EQ(ErrorCode::not_found, log_->tile(TileRef{true, 0, 0, 15}).error().code);
  EXPECT_EQ(ErrorCode::not_found, log_->tile(TileRef{true, 0, 0, 256}).error().code);

  auto hashes = log_->tile(TileRef{false, 0, 0, 10});
  ASSERT_TRUE(hashes);
  std::vector<Hash> leaves;
  for (const auto& e : entries) leaves.push_back(leaf_hash(e));
  EXPECT_EQ(encode_hash_tile(leaves), *hashes);
  EXPECT_EQ(ErrorCode::not_found, log_->tile(TileRef{false, 0, 0, 11}).error().code);
  EXPECT_EQ(ErrorCode::not_found, log_->tile(TileRef{false, 1, 0, 1}).error().code);
}

TEST_P(LogTest, FullTilesAndHigherLevels) {
  auto entries = append_n(256 * 2 + 3);
  EXPECT_EQ(515, integrate());
  auto full = log_->tile(TileRef{false, 0, 1, 256});
  ASSERT_TRUE(full) << full.error().message_en;
  EXPECT_EQ(256u * 32, full->size());
  auto level1 = log_->tile(TileRef{false, 1, 0, 2});
  ASSERT_TRUE(level1) << level1.error().message_en;
  std::vector<std::string> first(entries.begin(), entries.begin() + 256);
  Hash first_subtree{};
  std::copy_n(level1->begin(), 32, first_subtree.begin());
  EXPECT_EQ(root_from_scratch(first), first_subtree);
  auto bundle = log_->tile(TileRef{true, 0, 1, 256});
  ASSERT_TRUE(bundle);
  EXPECT_EQ(entries[256], decode_entry_bundle(*bundle)->front());

  // Full tiles are kept once built: a second read is the same bytes, and so is a fresh log's.
  EXPECT_EQ(*full, *log_->tile(TileRef{false, 0, 1, 256}));
  EXPECT_EQ(*bundle, *log_->tile(TileRef{true, 0, 1, 256}));
  restart();
  EXPECT_EQ(*full, *log_->tile(TileRef{false, 0, 1, 256}));
  // Existence still follows the latest checkpoint: after a rollback the kept tile is refused.
  sql("DELETE FROM ledger_checkpoints WHERE size > 0");
  EXPECT_EQ(ErrorCode::not_found, log_->tile(TileRef{false, 0, 1, 256}).error().code);
}

TEST_P(LogTest, RestartContinuesTheTree) {
  auto all = append_n(100);
  EXPECT_EQ(100, integrate());
  Checkpoint before = verified_checkpoint();
  const std::string key = log_->verifier_key();
  auto late = append_n(7, "unintegrated");  // acknowledged, then the process "dies"
  all.insert(all.end(), late.begin(), late.end());

  restart();
  EXPECT_EQ(key, log_->verifier_key());  // same key file
  Checkpoint same = verified_checkpoint();
  EXPECT_EQ(before.size, same.size);
  EXPECT_EQ(before.root, same.root);

  auto more = append_n(50, "after");
  all.insert(all.end(), more.begin(), more.end());
  EXPECT_EQ(157, integrate());
  Checkpoint after = verified_checkpoint();
  EXPECT_EQ(root_from_scratch(all), after.root);
  auto proof = log_->consistency(100, 157);
  ASSERT_TRUE(proof);
  EXPECT_TRUE(verify_consistency(100, 157, before.root, after.root, *proof));
  for (std::int64_t i : {100, 106, 107}) EXPECT_TRUE(client_includes(i, after)) << i;
  EXPECT_TRUE(log_->self_check());
}

TEST_P(LogTest, KeyFileIsPrivateAndReused) {
  struct stat st {};
  ASSERT_EQ(0, ::stat(options_.key_file.c_str(), &st));
  EXPECT_EQ(0600u, st.st_mode & 0777);
  const std::string key = log_->verifier_key();
  EXPECT_EQ(0u, key.rfind(options_.origin + "+", 0));
  restart();
  EXPECT_EQ(key, log_->verifier_key());
}

TEST_P(LogTest, ChangedEntryIsDetected) {
  append_n(20);
  EXPECT_EQ(20, integrate());
  Checkpoint held = verified_checkpoint();
  EXPECT_TRUE(client_includes(7, held));
  sql("UPDATE ledger_entries SET data = '{\"n\":\"forged\"}' WHERE idx = 7");

  auto check = log_->self_check();
  ASSERT_FALSE(check);
  EXPECT_EQ(ErrorCode::internal, check.error().code);
  EXPECT_NE(std::string::npos, check.error().message_en.find("index 7:"))
      << check.error().message_en;
  EXPECT_FALSE(client_includes(7, held));
  EXPECT_TRUE(client_includes(8, held));
}

TEST_P(LogTest, DroppedEntryIsDetected) {
  append_n(20);
  EXPECT_EQ(20, integrate());
  Checkpoint held = verified_checkpoint();
  sql("DELETE FROM ledger_entries WHERE idx = 12");

  auto check = log_->self_check();
  ASSERT_FALSE(check);
  EXPECT_NE(std::string::npos, check.error().message_en.find("index 12:"))
      << check.error().message_en;
  EXPECT_FALSE(client_includes(12, held));
  restart();
  EXPECT_FALSE(log_->self_check());
}

TEST_P(LogTest, RolledBackCheckpointIsDetected) {
  append_n(10);
  EXPECT_EQ(10, integrate());
  append_n(10, "second");
  EXPECT_EQ(20, integrate());
  Checkpoint held = verified_checkpoint();  // a client or witness saw size 20
  sql("DELETE FROM ledger_checkpoints WHERE size = 20");

  auto check = log_->self_check();
  ASSERT_FALSE(check);
  EXPECT_NE(std::string::npos, check.error().message_en.find("index 10:"))
      << check.error().message_en;
  // A fresh process that never saw size 20 still finds the nodes the rollback left behind.
  restart();
  check = log_->self_check();
  ASSERT_FALSE(check);
  EXPECT_NE(std::string::npos, check.error().message_en.find("index 10:"))
      << check.error().message_en;
  // The client: the served tree is smaller than one it holds, so no consistency proof can exist.
  Checkpoint served = verified_checkpoint();
  EXPECT_EQ(10, served.size);
  EXPECT_FALSE(verify_consistency(held.size, served.size, held.root, served.root, {}));
  EXPECT_EQ(ErrorCode::not_found, log_->consistency(held.size, held.size).error().code);
}

TEST_P(LogTest, WitnessCosignatures) {
  SignerKey witness = generate_key("witness.audit.example", KeyKind::cosignature_v1);
  SignerKey stranger = generate_key("stranger.example", KeyKind::cosignature_v1);
  options_.witness_keys = {verifier_key(witness)};
  restart();
  append_n(3);
  EXPECT_EQ(3, integrate());
  auto c = log_->checkpoint();
  ASSERT_TRUE(c);
  const std::string text = parse_note(c->note)->text;
  const std::int64_t now_s = kT0 / 1000;

  // A line from a key we do not trust, and a line over another text, are refused.
  auto foreign = add_signature_line(c->note, cosignature_line(text, stranger, now_s));
  EXPECT_EQ(ErrorCode::invalid_input, log_->add_cosignature(foreign).error().code);
  Checkpoint forged = *parse_checkpoint_body(text);
  forged.root[0] ^= 1;
  const std::string forged_text = checkpoint_body(forged);
  std::string forged_note = format_note(Note{forged_text, parse_note(c->note)->lines});
  forged_note = add_signature_line(forged_note, cosignature_line(forged_text, witness, now_s));
  EXPECT_EQ(ErrorCode::invalid_input, log_->add_cosignature(forged_note).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, log_->add_cosignature("not a note").error().code);

  const std::string line = cosignature_line(text, witness, now_s);
  ASSERT_TRUE(log_->add_cosignature(add_signature_line(c->note, line)));
  auto served = log_->checkpoint();
  ASSERT_TRUE(served);
  EXPECT_NE(std::string::npos, served->note.find(line));
  EXPECT_EQ(std::string::npos, served->note.find(cosignature_line(text, stranger, now_s)));
  auto wv = parse_verifier_key(verifier_key(witness));
  std::int64_t t = 0;
  EXPECT_TRUE(verify_note(served->note, *wv, &t));
  EXPECT_EQ(now_s, t);
  EXPECT_TRUE(verify_note(served->note, *parse_verifier_key(log_->verifier_key())));
  // Resubmitting replaces rather than duplicates.
  ASSERT_TRUE(log_->add_cosignature(add_signature_line(c->note, line)));
  auto again = log_->checkpoint();
  EXPECT_EQ(served->note, again->note);
}

// Rotation: while both keys sign, verifiers pinned to either accept the checkpoints; once the old
// key is retired only the new one signs, and the old checkpoints still pass the self check.
TEST_P(LogTest, KeyRotationKeepsOldAndNewVerifiersWorkingThenRetiresTheOldKey) {
  append_n(5);
  integrate();
  auto old_key = parse_verifier_key(log_->verifier_key());
  ASSERT_TRUE(old_key);

  log_.reset();
  auto added = rotate_key(options_.key_file, options_.origin, Rotation::add);
  ASSERT_TRUE(added) << added.error().message_en;
  struct stat st {};
  ASSERT_EQ(0, ::stat(options_.key_file.c_str(), &st));
  EXPECT_EQ(0600u, st.st_mode & 0777);
  restart();
  EXPECT_EQ(*added, log_->verifier_key());
  auto new_key = parse_verifier_key(*added);
  ASSERT_TRUE(new_key);
  EXPECT_NE(old_key->key_hash, new_key->key_hash);
  append_n(3, "during");
  integrate();
  auto both = log_->checkpoint();
  ASSERT_TRUE(both);
  EXPECT_TRUE(verify_note(both->note, *old_key));
  EXPECT_TRUE(verify_note(both->note, *new_key));

  log_.reset();
  ASSERT_TRUE(rotate_key(options_.key_file, options_.origin, Rotation::retire));
  restart();
  append_n(2, "after");
  integrate();
  auto only_new = log_->checkpoint();
  ASSERT_TRUE(only_new);
  EXPECT_TRUE(verify_note(only_new->note, *new_key));
  EXPECT_FALSE(verify_note(only_new->note, *old_key));
  EXPECT_TRUE(log_->self_check());
}

INSTANTIATE_TEST_SUITE_P(Backends, LogTest, ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::ledger
