// The transparency ledger's inputs from outside (ledger/note.h, tiles.h, merkle.h): checkpoints
// and witness cosignatures posted to the log, checkpoints, tiles, entry bundles and proofs that
// `yiwang ledger verify` and `yiwang witness` read from a server, and the key strings of both.
//
// The first byte picks what the rest is:
//   0  a signed note: one that parses formats back to itself; its text, when a checkpoint,
//      formats back to itself; verified against the log key and a witness key;
//   1  a checkpoint signed by the log and cosigned by a witness, with the input's lines appended
//      as further signature lines: both signatures still verify, the cosigned time is the one
//      signed (what Log::add_cosignature relies on);
//   2  a verifier or signer key string: one that parses formats back to itself;
//   3  a tile path or an entry bundle: one that parses formats back to itself;
//   4  a tree of up to 512 leaves built by integrate() from the input: its inclusion and
//      consistency proofs verify against root_hash; flipped, they do not.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/tiles.h"

namespace yiwang {
namespace {

using namespace ledger;

const SignerKey& log_key() {
  static const SignerKey k = generate_key("ledger.example.gov.cn", KeyKind::ed25519);
  return k;
}
const SignerKey& witness_key() {
  static const SignerKey k = generate_key("witness.example.gov.cn", KeyKind::cosignature_v1);
  return k;
}
Verifier verifier_of(const SignerKey& k) {
  auto v = parse_verifier_key(verifier_key(k));
  fuzz::check(v.has_value(), "our own verifier key parses");
  return *v;
}

void note(std::string_view text) {
  auto n = parse_note(text);
  if (!n) return;
  fuzz::check(format_note(*n) == text, "a note formats back to itself");
  if (auto c = parse_checkpoint_body(n->text)) {
    fuzz::check(checkpoint_body(*c) == n->text, "a checkpoint formats back to itself");
  }
  std::int64_t t = -1;
  (void)verify_note(text, verifier_of(log_key()));
  if (verify_note(text, verifier_of(witness_key()), &t)) {
    fuzz::check(t >= 0, "a cosignature carries its time");
  }
}

void cosigned(std::string_view lines) {
  Checkpoint c{.origin = "ledger.example.gov.cn", .size = 42, .root = leaf_hash(lines)};
  std::string text = checkpoint_body(c);
  std::string note = sign_note(text, log_key());
  note = add_signature_line(note, cosignature_line(text, witness_key(), 1796000000));
  for (std::size_t start = 0; start < lines.size();) {
    auto nl = lines.find('\n', start);
    if (nl == std::string_view::npos) nl = lines.size();
    // An empty line would end the text elsewhere: a different note, not more signatures.
    if (nl > start) note = add_signature_line(note, lines.substr(start, nl - start));
    start = nl + 1;
  }
  if (!parse_note(note)) return;  // the extra lines made it malformed
  fuzz::check(verify_note(note, verifier_of(log_key())).has_value(), "the log's signature holds");
  std::int64_t t = -1;
  // The input's lines come after ours: the first line in the witness's name and key hash is ours.
  fuzz::check(verify_note(note, verifier_of(witness_key()), &t).has_value() && t == 1796000000,
              "the witness's cosignature holds, with the time it signed");
}

void key(std::string_view text) {
  if (auto v = parse_verifier_key(text)) {
    fuzz::check(v->public_key.size() == 32, "a verifier key holds 32 bytes");
  }
  if (auto s = parse_signer_key(text)) {
    fuzz::check(format_signer_key(*s) == text, "a signer key formats back to itself");
    fuzz::check(parse_verifier_key(verifier_key(*s)).has_value(), "its verifier key parses");
  }
}

void tile(std::string_view text) {
  if (auto t = parse_tile_path(text)) {
    fuzz::check(tile_path(*t) == text, "a tile path formats back to itself");
    fuzz::check(t->width >= 1 && t->width <= kTileWidth, "a tile's width is 1..256");
    (void)tile_exists(*t, 1000000);
  }
  if (auto entries = decode_entry_bundle(text)) {
    fuzz::check(encode_entry_bundle(*entries) == text, "an entry bundle encodes back");
  }
}

void tree(std::string_view bytes) {
  if (bytes.size() < 2) return;
  const std::int64_t n =
      1 + (static_cast<unsigned char>(bytes[0]) << 1 | (static_cast<unsigned char>(bytes[1]) & 1));
  std::map<std::pair<int, std::int64_t>, Hash> stored;
  Edge edge;
  std::vector<Hash> leaves;
  for (std::int64_t i = 0; i < n; ++i) {
    leaves.push_back(leaf_hash(bytes.substr(std::min<std::size_t>(i, bytes.size()), 1)));
  }
  for (const auto& node : integrate(edge, leaves))
    stored[{node.id.level, node.id.index}] = node.hash;
  NodeReader read = [&](const std::vector<NodeId>& ids) -> Result<std::vector<Hash>> {
    std::vector<Hash> out;
    for (const auto& id : ids) {
      auto it = stored.find({id.level, id.index});
      if (it == stored.end()) return fail(ErrorCode::not_found, "", "无", "no such node");
      out.push_back(it->second);
    }
    return out;
  };
  auto root = root_hash(n, read);
  fuzz::check(root.has_value() && *root == root_of(edge), "the root of the tree");
  const std::int64_t index = static_cast<unsigned char>(bytes[1]) % n;
  auto proof = inclusion_proof(index, n, read);
  fuzz::check(proof && verify_inclusion(leaves[index], index, n, *proof, *root),
              "an inclusion proof verifies");
  if (!proof->empty()) {
    auto forged = *proof;
    forged[0][0] ^= 1;
    fuzz::check(!verify_inclusion(leaves[index], index, n, forged, *root),
                "a forged inclusion proof does not verify");
  }
  const std::int64_t old_size = 1 + index;
  auto old_root = root_hash(old_size, read);
  auto consistency = consistency_proof(old_size, n, read);
  fuzz::check(
      old_root && consistency && verify_consistency(old_size, n, *old_root, *root, *consistency),
      "a consistency proof verifies");
  // Proofs from outside: whatever they say, verification answers without failing.
  std::vector<Hash> junk;
  for (std::size_t i = 2; i + 32 <= bytes.size() && junk.size() < 64; i += 32) {
    Hash h;
    std::copy_n(bytes.data() + i, 32, h.begin());
    junk.push_back(h);
  }
  (void)verify_inclusion(leaves[index], index, n, junk, *root);
  (void)verify_consistency(old_size, n, *old_root, *root, junk);
}

}  // namespace
}  // namespace yiwang

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yiwang;
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0:
      note(text);
      break;
    case 1:
      cosigned(text);
      break;
    case 2:
      key(text);
      break;
    case 3:
      tile(text);
      break;
    default:
      tree(text);
      break;
  }
  return 0;
}
