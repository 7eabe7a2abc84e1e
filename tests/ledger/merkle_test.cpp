// RFC 6962 / 9162 Merkle hashing and proofs: known answers from the Certificate Transparency
// reference tests, a straight transcription of the RFC recursions as an oracle, and incremental
// integration checked against one-shot building.
#include "ledger/merkle.h"

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ledger/node_map.h"

namespace yiwang::ledger {
namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// The eight leaves of the Certificate Transparency reference tree (merkle_tree_test.cc).
std::vector<std::string> ct_leaves() {
  std::vector<std::string> out;
  for (auto hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                   "606162636465666768696a6b6c6d6e6f"}) {
    out.push_back(unhex(hex));
  }
  return out;
}

// --- The RFC 9162 §2.1 definitions, transcribed literally as an oracle. ---
Hash ref_mth(const std::vector<Hash>& leaves, std::int64_t lo, std::int64_t hi) {
  if (hi - lo == 0) return empty_root();
  if (hi - lo == 1) return leaves[static_cast<std::size_t>(lo)];
  std::int64_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return node_hash(ref_mth(leaves, lo, lo + k), ref_mth(leaves, lo + k, hi));
}

std::vector<Hash> ref_path(const std::vector<Hash>& leaves, std::int64_t m, std::int64_t lo,
                           std::int64_t hi) {
  if (hi - lo == 1) return {};
  std::int64_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  std::vector<Hash> out;
  if (m < k) {
    out = ref_path(leaves, m, lo, lo + k);
    out.push_back(ref_mth(leaves, lo + k, hi));
  } else {
    out = ref_path(leaves, m - k, lo + k, hi);
    out.push_back(ref_mth(leaves, lo, lo + k));
  }
  return out;
}

std::vector<Hash> ref_subproof(const std::vector<Hash>& leaves, std::int64_t m, std::int64_t lo,
                               std::int64_t hi, bool b) {
  std::int64_t n = hi - lo;
  if (m == n) return b ? std::vector<Hash>{} : std::vector<Hash>{ref_mth(leaves, lo, hi)};
  std::int64_t k = 1;
  while (k * 2 < n) k *= 2;
  std::vector<Hash> out;
  if (m <= k) {
    out = ref_subproof(leaves, m, lo, lo + k, b);
    out.push_back(ref_mth(leaves, lo + k, hi));
  } else {
    out = ref_subproof(leaves, m - k, lo + k, hi, false);
    out.push_back(ref_mth(leaves, lo, lo + k));
  }
  return out;
}

// A tree whose stored nodes come from integrate(), behind a NodeReader that counts its calls.
struct MemTree {
  std::vector<std::string> entries;
  std::vector<Hash> leaves;
  fake::NodeMap nodes;
  Edge edge;
  mutable int reads = 0;

  explicit MemTree(std::vector<std::string> e) {
    for (auto& s : e) append(s);
  }
  void append(std::string entry) {
    leaves.push_back(leaf_hash(entry));
    entries.push_back(std::move(entry));
    for (auto& n : integrate(edge, {leaves.back()})) nodes[{n.id.level, n.id.index}] = n.hash;
  }
  NodeReader reader() const { return fake::reader_of(nodes, &reads); }
};

MemTree numbered_tree(int n) {
  std::vector<std::string> e;
  for (int i = 0; i < n; ++i) e.push_back("entry " + std::to_string(i));
  return MemTree(e);
}

TEST(Merkle, EmptyAndLeafHashesAreRfc6962) {
  EXPECT_EQ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            to_hex(empty_root()));
  // SHA-256 of the single byte 0x00.
  EXPECT_EQ("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            to_hex(leaf_hash("")));
  MemTree t({});
  auto r = root_hash(0, t.reader());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(empty_root(), *r);
  EXPECT_EQ(0, t.reads);  // the empty tree needs no nodes
}

TEST(Merkle, CertificateTransparencyReferenceRoots) {
  const char* roots[] = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  MemTree t(ct_leaves());
  for (int n = 1; n <= 8; ++n) {
    auto r = root_hash(n, t.reader());
    ASSERT_TRUE(r.has_value()) << n;
    EXPECT_EQ(roots[n - 1], to_hex(*r)) << "size " << n;
    auto e = edge_of(n, t.reader());
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(std::popcount(static_cast<unsigned>(n)), static_cast<int>(e->hashes.size()));
    EXPECT_EQ(roots[n - 1], to_hex(root_of(*e)));
  }
}

TEST(Merkle, CertificateTransparencyReferenceProofs) {
  MemTree t(ct_leaves());
  struct Case {
    std::int64_t index, size;
    std::vector<const char*> path;
  };
  const std::vector<Case> inclusion = {
      {0, 1, {}},
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const auto& c : inclusion) {
    auto p = inclusion_proof(c.index, c.size, t.reader());
    ASSERT_TRUE(p.has_value());
    std::vector<std::string> got;
    for (auto& h : *p) got.push_back(to_hex(h));
    EXPECT_EQ(std::vector<std::string>(c.path.begin(), c.path.end()), got)
        << "inclusion " << c.index << " in " << c.size;
  }
  const std::vector<Case> consistency = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const auto& c : consistency) {
    auto p = consistency_proof(c.index, c.size, t.reader());
    ASSERT_TRUE(p.has_value());
    std::vector<std::string> got;
    for (auto& h : *p) got.push_back(to_hex(h));
    EXPECT_EQ(std::vector<std::string>(c.path.begin(), c.path.end()), got)
        << "consistency " << c.index << " → " << c.size;
  }
}

Hash flip(Hash h, int bit) {
  h[static_cast<std::size_t>(bit / 8) % 32] ^= static_cast<unsigned char>(1 << (bit % 8));
  return h;
}

TEST(Merkle, EveryInclusionProofUpTo64VerifiesAndAnyFlippedBitFails) {
  MemTree t = numbered_tree(64);
  for (std::int64_t n = 1; n <= 64; ++n) {
    auto root = root_hash(n, t.reader());
    ASSERT_TRUE(root.has_value());
    ASSERT_EQ(ref_mth(t.leaves, 0, n), *root) << n;
    for (std::int64_t i = 0; i < n; ++i) {
      t.reads = 0;
      auto p = inclusion_proof(i, n, t.reader());
      ASSERT_TRUE(p.has_value());
      EXPECT_LE(t.reads, 1) << "one batched read";
      ASSERT_EQ(ref_path(t.leaves, i, 0, n), *p) << i << "/" << n;
      const Hash& leaf = t.leaves[static_cast<std::size_t>(i)];
      ASSERT_TRUE(verify_inclusion(leaf, i, n, *p, *root)) << i << "/" << n;
      for (std::size_t k = 0; k < p->size(); ++k) {
        auto bad = *p;
        bad[k] = flip(bad[k], static_cast<int>(i * 7 + k));
        EXPECT_FALSE(verify_inclusion(leaf, i, n, bad, *root)) << i << "/" << n << " elem " << k;
      }
      EXPECT_FALSE(verify_inclusion(flip(leaf, static_cast<int>(i)), i, n, *p, *root));
      EXPECT_FALSE(verify_inclusion(leaf, i, n, *p, flip(*root, 200)));
      if (i + 1 < n) {
        EXPECT_FALSE(verify_inclusion(leaf, i + 1, n, *p, *root));
      }
      // A size for which the proof has another shape (sizes with the same shape share proofs).
      EXPECT_FALSE(verify_inclusion(leaf, i, 2 * n + 1, *p, *root));
      auto longer = *p;
      longer.push_back(*root);
      EXPECT_FALSE(verify_inclusion(leaf, i, n, longer, *root));
      if (!p->empty()) {
        auto shorter = *p;
        shorter.pop_back();
        EXPECT_FALSE(verify_inclusion(leaf, i, n, shorter, *root));
      }
    }
  }
}

TEST(Merkle, EveryConsistencyProofUpTo64VerifiesAndAnyFlippedBitFails) {
  MemTree t = numbered_tree(64);
  std::vector<Hash> roots(65);
  for (std::int64_t n = 0; n <= 64; ++n)
    roots[static_cast<std::size_t>(n)] = *root_hash(n, t.reader());
  for (std::int64_t n = 1; n <= 64; ++n) {
    for (std::int64_t m = 1; m <= n; ++m) {
      t.reads = 0;
      auto p = consistency_proof(m, n, t.reader());
      ASSERT_TRUE(p.has_value());
      EXPECT_LE(t.reads, 1);
      const Hash& old_root = roots[static_cast<std::size_t>(m)];
      const Hash& new_root = roots[static_cast<std::size_t>(n)];
      if (m < n) {
        ASSERT_EQ(ref_subproof(t.leaves, m, 0, n, true), *p) << m << "→" << n;
      }
      ASSERT_TRUE(verify_consistency(m, n, old_root, new_root, *p)) << m << "→" << n;
      for (std::size_t k = 0; k < p->size(); ++k) {
        auto bad = *p;
        bad[k] = flip(bad[k], static_cast<int>(m * 5 + k));
        EXPECT_FALSE(verify_consistency(m, n, old_root, new_root, bad)) << m << "→" << n;
      }
      EXPECT_FALSE(verify_consistency(m, n, flip(old_root, 3), new_root, *p));
      EXPECT_FALSE(verify_consistency(m, n, old_root, flip(new_root, 9), *p));
      if (m < n) {
        // A proof for another pair of sizes must not pass for this one.
        EXPECT_FALSE(
            verify_consistency(m, n, old_root, roots[static_cast<std::size_t>(n - 1)], *p));
        auto longer = *p;
        longer.push_back(new_root);
        EXPECT_FALSE(verify_consistency(m, n, old_root, new_root, longer));
        EXPECT_FALSE(verify_consistency(m, n, old_root, new_root, {}));
      }
    }
  }
  EXPECT_TRUE(verify_consistency(0, 10, empty_root(), roots[10], {}));
  EXPECT_FALSE(verify_consistency(0, 10, roots[1], roots[10], {}));
  EXPECT_FALSE(verify_consistency(5, 4, roots[5], roots[4], {}));
}

TEST(Merkle, IntegrateInRandomBatchesMatchesOneShot) {
  std::vector<Hash> leaves;
  for (int i = 0; i < 700; ++i) leaves.push_back(leaf_hash("e" + std::to_string(i)));
  Edge one;
  auto all = integrate(one, leaves);
  std::map<std::pair<int, std::int64_t>, Hash> expected;
  for (auto& n : all) expected[{n.id.level, n.id.index}] = n.hash;
  // Every complete subtree exactly once: 2·700 − popcount(700).
  EXPECT_EQ(2 * 700 - std::popcount(700u), static_cast<int>(all.size()));
  EXPECT_EQ(all.size(), expected.size());

  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    Edge e;
    std::map<std::pair<int, std::int64_t>, Hash> got;
    std::size_t at = 0;
    while (at < leaves.size()) {
      std::size_t n = std::min<std::size_t>(leaves.size() - at, rng() % 300);
      std::vector<Hash> batch(leaves.begin() + static_cast<std::ptrdiff_t>(at),
                              leaves.begin() + static_cast<std::ptrdiff_t>(at + n));
      for (auto& node : integrate(e, batch)) {
        // Stored children first: a crash between two writes never leaves a parent without them.
        if (node.id.level > 0) {
          ASSERT_TRUE(got.count({node.id.level - 1, node.id.index * 2 + 1}));
          ASSERT_TRUE(got.count({node.id.level - 1, node.id.index * 2}));
        }
        ASSERT_TRUE(got.emplace(std::pair{node.id.level, node.id.index}, node.hash).second);
      }
      at += n;
      ASSERT_EQ(static_cast<std::int64_t>(at), e.size);
      ASSERT_EQ(ref_mth(leaves, 0, e.size), root_of(e));
    }
    EXPECT_EQ(expected, got);
    EXPECT_EQ(one.hashes, e.hashes);
  }
}

TEST(Merkle, IntegrateResumesFromAStoredEdge) {
  MemTree t = numbered_tree(39);
  auto e = edge_of(39, t.reader());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(t.edge.hashes, e->hashes);
  auto nodes = integrate(*e, {leaf_hash("more")});
  t.append("more");
  EXPECT_EQ(t.edge.hashes, e->hashes);
  EXPECT_EQ(40, e->size);
  // 39 = 100111b: the three trailing ones complete {1,19}, {2,9} and {3,4}.
  ASSERT_EQ(4u, nodes.size());
  EXPECT_EQ((NodeId{0, 39}), nodes.front().id);
  EXPECT_EQ((NodeId{3, 4}), nodes.back().id);
}

TEST(Merkle, BadArgumentsAndReaderFailures) {
  MemTree t = numbered_tree(10);
  EXPECT_EQ(ErrorCode::invalid_input, root_hash(-1, t.reader()).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, inclusion_proof(10, 10, t.reader()).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, inclusion_proof(-1, 10, t.reader()).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, inclusion_proof(0, 0, t.reader()).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, consistency_proof(5, 4, t.reader()).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, consistency_proof(-1, 4, t.reader()).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, edge_of(-2, t.reader()).error().code);
  // Beyond what is stored: the reader's error comes through, no hash is made up.
  EXPECT_EQ(ErrorCode::not_found, root_hash(11, t.reader()).error().code);
  EXPECT_EQ(ErrorCode::not_found, inclusion_proof(0, 12, t.reader()).error().code);
  NodeReader short_reader = [](const std::vector<NodeId>&) -> Result<std::vector<Hash>> {
    return std::vector<Hash>{};
  };
  EXPECT_EQ(ErrorCode::internal, root_hash(3, short_reader).error().code);
  EXPECT_EQ(ErrorCode::internal, consistency_proof(3, 5, short_reader).error().code);
}

TEST(Merkle, HexAndBase64) {
  Hash h = leaf_hash("x");
  EXPECT_EQ(h, hash_from_hex(to_hex(h)));
  EXPECT_EQ(h, hash_from_base64(to_base64(h)));
  EXPECT_EQ(44u, to_base64(h).size());
  EXPECT_EQ("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", to_base64(empty_root()));
  EXPECT_FALSE(hash_from_hex(to_hex(h).substr(2)));
  EXPECT_FALSE(hash_from_hex(std::string(64, 'g')));
  EXPECT_FALSE(hash_from_base64("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"));   // no padding
  EXPECT_FALSE(hash_from_base64("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV="));  // bits
  EXPECT_FALSE(hash_from_base64("47DEQpj8HBSa-_TImW+5JCeuQeRkm5NMpJWZG3hSuFU="));  // url alphabet
  EXPECT_FALSE(hash_from_base64(""));
}

}  // namespace
}  // namespace yiwang::ledger
