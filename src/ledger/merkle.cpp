#include "ledger/merkle.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <bit>
#include <memory>
#include <stdexcept>

#include "core/text.h"

namespace yiwang::ledger {
namespace {

// OpenSSL 3 resolves the digest on every one-shot call; fetching it once and keeping one context
// per thread makes a hash cost what SHA-256 costs (this is on the append and proof hot paths).
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!m) throw std::runtime_error("OpenSSL has no SHA256");
    return m;
  }();
  return md;
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

Hash sha256_parts(unsigned char prefix, bool with_prefix, std::string_view a, std::string_view b) {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::runtime_error("EVP_MD_CTX_new failed");
  Hash out{};
  unsigned int len = 0;
  bool ok = EVP_DigestInit_ex2(ctx.get(), sha256_md(), nullptr) == 1 &&
            (!with_prefix || EVP_DigestUpdate(ctx.get(), &prefix, 1) == 1) &&
            EVP_DigestUpdate(ctx.get(), a.data(), a.size()) == 1 &&
            EVP_DigestUpdate(ctx.get(), b.data(), b.size()) == 1 &&
            EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1;
  if (!ok || len != out.size()) throw std::runtime_error("SHA-256 failed");
  return out;
}

std::string_view view(const Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

// Largest power of two strictly below n (n ≥ 2): the RFC 6962 split point.
std::int64_t split_point(std::int64_t n) {
  return std::int64_t{1} << (63 - std::countl_zero(static_cast<std::uint64_t>(n - 1)));
}

// The perfect subtrees that make up leaves [lo, hi), largest first. Every range the RFC 6962
// recursions produce starts at a multiple of the largest power of two not above its length, so
// the binary digits of the length give aligned, stored subtrees.
void append_range_nodes(std::int64_t lo, std::int64_t hi, std::vector<NodeId>& out) {
  std::int64_t at = lo;
  for (int level = 62; level >= 0; --level) {
    std::int64_t w = std::int64_t{1} << level;
    if ((hi - lo) & w) {
      out.push_back(NodeId{level, at >> level});
      at += w;
    }
  }
}

struct Range {
  std::int64_t lo, hi;
};

Error bad_size(std::string field, std::string en) {
  return Error{ErrorCode::invalid_input, std::move(field), "树大小或索引超出范围", std::move(en)};
}

// Reads the nodes covering every range with one call and folds each range into its hash.
Result<std::vector<Hash>> range_hashes(const std::vector<Range>& ranges, const NodeReader& read) {
  std::vector<NodeId> ids;
  std::vector<std::size_t> starts;
  for (const auto& r : ranges) {
    starts.push_back(ids.size());
    append_range_nodes(r.lo, r.hi, ids);
  }
  starts.push_back(ids.size());
  std::vector<Hash> nodes;
  if (!ids.empty()) {
    auto got = read(ids);
    if (!got) return fail(got.error());
    if (got->size() != ids.size()) {
      return fail(ErrorCode::internal, "", "账本节点读取不完整",
                  "node reader returned the wrong number of hashes");
    }
    nodes = std::move(*got);
  }
  std::vector<Hash> out;
  out.reserve(ranges.size());
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    Edge e;
    e.hashes.assign(nodes.begin() + static_cast<std::ptrdiff_t>(starts[i]),
                    nodes.begin() + static_cast<std::ptrdiff_t>(starts[i + 1]));
    out.push_back(root_of(e));
  }
  return out;
}

}  // namespace

Hash leaf_hash(std::string_view entry) {
  return sha256_parts(0x00, true, entry, {});
}

Hash node_hash(const Hash& left, const Hash& right) {
  return sha256_parts(0x01, true, view(left), view(right));
}

Hash empty_root() {
  return sha256_parts(0, false, {}, {});
}

std::string to_hex(const Hash& h) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned char c : h) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::optional<Hash> hash_from_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Hash h{};
  for (std::size_t i = 0; i < 32; ++i) {
    int hi = digit(hex[2 * i]), lo = digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    h[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return h;
}

std::string to_base64(const Hash& h) {
  char buf[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(buf, sizeof buf, h.data(), h.size(), sodium_base64_VARIANT_ORIGINAL);
  return buf;
}

std::optional<Hash> hash_from_base64(std::string_view b64) {
  auto bytes = core::decode_base64(b64);
  if (!bytes || bytes->size() != 32) return std::nullopt;
  Hash h{};
  std::copy(bytes->begin(), bytes->end(), h.begin());
  return h;
}

Result<Hash> root_hash(std::int64_t size, const NodeReader& read) {
  if (size < 0) return fail(bad_size("size", "tree size must not be negative"));
  if (size == 0) return empty_root();
  auto r = range_hashes({Range{0, size}}, read);
  if (!r) return fail(r.error());
  return r->front();
}

Result<std::vector<Hash>> inclusion_proof(std::int64_t index, std::int64_t size,
                                          const NodeReader& read) {
  if (size <= 0) return fail(bad_size("size", "tree size must be positive"));
  if (index < 0 || index >= size) return fail(bad_size("index", "index must be below the size"));
  // PATH(m, D[lo:hi]) = PATH(…, child holding m) : MTH(other child); collected root-down.
  std::vector<Range> siblings;
  std::int64_t lo = 0, hi = size;
  while (hi - lo > 1) {
    std::int64_t k = split_point(hi - lo);
    if (index < lo + k) {
      siblings.push_back({lo + k, hi});
      hi = lo + k;
    } else {
      siblings.push_back({lo, lo + k});
      lo += k;
    }
  }
  auto hashes = range_hashes(siblings, read);
  if (!hashes) return fail(hashes.error());
  return std::vector<Hash>(hashes->rbegin(), hashes->rend());
}

Result<std::vector<Hash>> consistency_proof(std::int64_t old_size, std::int64_t new_size,
                                            const NodeReader& read) {
  if (old_size < 0) return fail(bad_size("old", "old size must not be negative"));
  if (new_size < old_size) return fail(bad_size("new", "new size must not be below the old size"));
  if (old_size == 0 || old_size == new_size) return std::vector<Hash>{};
  // SUBPROOF(m, D[lo:hi], b), unrolled root-down; the RFC's list is the reverse of this walk.
  std::vector<Range> parts;
  std::int64_t m = old_size, lo = 0, hi = new_size;
  bool complete = true;
  while (true) {
    std::int64_t n = hi - lo;
    if (m == n) {
      if (!complete) parts.push_back({lo, hi});
      break;
    }
    std::int64_t k = split_point(n);
    if (m <= k) {
      parts.push_back({lo + k, hi});
      hi = lo + k;
    } else {
      parts.push_back({lo, lo + k});
      lo += k;
      m -= k;
      complete = false;
    }
  }
  auto hashes = range_hashes(parts, read);
  if (!hashes) return fail(hashes.error());
  return std::vector<Hash>(hashes->rbegin(), hashes->rend());
}

bool verify_inclusion(const Hash& leaf, std::int64_t index, std::int64_t size,
                      const std::vector<Hash>& proof, const Hash& root) {
  if (index < 0 || size <= 0 || index >= size) return false;
  std::uint64_t fn = static_cast<std::uint64_t>(index);
  std::uint64_t sn = static_cast<std::uint64_t>(size - 1);
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = node_hash(p, r);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool verify_consistency(std::int64_t old_size, std::int64_t new_size, const Hash& old_root,
                        const Hash& new_root, const std::vector<Hash>& proof) {
  if (old_size < 0 || new_size < old_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  // The empty tree is a prefix of every tree; there is nothing to prove.
  if (old_size == 0) return proof.empty() && old_root == empty_root();
  if (proof.empty()) return false;
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(static_cast<std::uint64_t>(old_size))) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  std::uint64_t fn = static_cast<std::uint64_t>(old_size - 1);
  std::uint64_t sn = static_cast<std::uint64_t>(new_size - 1);
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (std::size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

Result<Edge> edge_of(std::int64_t size, const NodeReader& read) {
  if (size < 0) return fail(bad_size("size", "tree size must not be negative"));
  Edge e;
  e.size = size;
  if (size == 0) return e;
  std::vector<NodeId> ids;
  append_range_nodes(0, size, ids);
  auto got = read(ids);
  if (!got) return fail(got.error());
  if (got->size() != ids.size()) {
    return fail(ErrorCode::internal, "", "账本节点读取不完整",
                "node reader returned the wrong number of hashes");
  }
  e.hashes = std::move(*got);
  return e;
}

Hash root_of(const Edge& edge) {
  if (edge.hashes.empty()) return empty_root();
  Hash r = edge.hashes.back();
  for (auto it = edge.hashes.rbegin() + 1; it != edge.hashes.rend(); ++it) r = node_hash(*it, r);
  return r;
}

std::vector<StoredNode> integrate(Edge& edge, const std::vector<Hash>& new_leaf_hashes) {
  std::vector<StoredNode> out;
  out.reserve(new_leaf_hashes.size() * 2);
  for (const Hash& leaf : new_leaf_hashes) {
    std::int64_t n = edge.size;
    out.push_back({NodeId{0, n}, leaf});
    Hash h = leaf;
    int level = 0;
    // Each trailing one bit of the old size is a left sibling on the edge that now completes.
    while (n & 1) {
      h = node_hash(edge.hashes.back(), h);
      edge.hashes.pop_back();
      n >>= 1;
      ++level;
      out.push_back({NodeId{level, n}, h});
    }
    edge.hashes.push_back(h);
    ++edge.size;
  }
  return out;
}

}  // namespace yiwang::ledger
