// RFC 6962 / RFC 9162 Merkle tree hashing, proofs and incremental integration.
//
// leaf = SHA-256(0x00 ‖ entry), node = SHA-256(0x01 ‖ left ‖ right). The log stores, for every
// complete (perfect) subtree, its hash under a NodeId {level, index}: the subtree over leaves
// [index << level, (index + 1) << level). Level 0 holds the leaf hashes. Everything a reader needs
// (root of any size, inclusion and consistency proofs, tiles) is computed from those stored nodes,
// which never change once written. Pure functions: thread-safe, no I/O except through NodeReader.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace yiwang::ledger {

using Hash = std::array<unsigned char, 32>;

Hash leaf_hash(std::string_view entry);
Hash node_hash(const Hash& left, const Hash& right);
Hash empty_root();  // SHA-256 of the empty string: the root of the empty tree

std::string to_hex(const Hash& h);
std::optional<Hash> hash_from_hex(std::string_view hex);
std::string to_base64(const Hash& h);                     // standard alphabet, padded
std::optional<Hash> hash_from_base64(std::string_view b64);

struct NodeId {
  int level = 0;
  std::int64_t index = 0;
  friend bool operator==(const NodeId&, const NodeId&) = default;
};

// Fetches stored complete-subtree hashes; returns them in the order asked (one per id). An id that
// is not stored is an error (ErrorCode::not_found or internal), never a made-up hash.
using NodeReader = std::function<Result<std::vector<Hash>>(const std::vector<NodeId>&)>;

// Each function asks `read` once (or a few times) for all the nodes it needs, so a store-backed
// reader can answer with one query. Size and index arguments out of range give invalid_input.
Result<Hash> root_hash(std::int64_t size, const NodeReader& read);
Result<std::vector<Hash>> inclusion_proof(std::int64_t index, std::int64_t size,
                                          const NodeReader& read);
Result<std::vector<Hash>> consistency_proof(std::int64_t old_size, std::int64_t new_size,
                                            const NodeReader& read);

// RFC 9162 §2.1.3.2 and §2.1.4.2 verification. Pure; false on any mismatch or malformed proof.
bool verify_inclusion(const Hash& leaf, std::int64_t index, std::int64_t size,
                      const std::vector<Hash>& proof, const Hash& root);
bool verify_consistency(std::int64_t old_size, std::int64_t new_size, const Hash& old_root,
                        const Hash& new_root, const std::vector<Hash>& proof);

// The right edge of a tree of `size` leaves: the hashes of the perfect subtrees that partition
// [0, size), largest (leftmost) first; popcount(size) of them. Root = fold from the right.
struct Edge {
  std::int64_t size = 0;
  std::vector<Hash> hashes;
};
Result<Edge> edge_of(std::int64_t size, const NodeReader& read);
Hash root_of(const Edge& edge);

// Appends leaves to a tree: returns every node that becomes complete (the new leaves at level 0
// included), in an order safe to store, and advances `edge` to the new size.
struct StoredNode {
  NodeId id;
  Hash hash;
};
std::vector<StoredNode> integrate(Edge& edge, const std::vector<Hash>& new_leaf_hashes);

}  // namespace yiwang::ledger
