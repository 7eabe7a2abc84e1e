// C2SP tlog-tiles: the static, cacheable read layout of the log (tile height 8, width 256).
//
//   tile/<L>/<N>[.p/<W>]        hashes at tree level 8·L, indices [256·N, 256·N + W), 32 bytes each
//   tile/entries/<N>[.p/<W>]    entry bundle: entries [256·N, 256·N + W), each a uint16 big-endian
//                               length followed by the entry bytes
// <N> is written in groups of three digits, all but the last prefixed "x": 1234067 → x001/x234/067.
// A full tile has no ".p/<W>"; a partial one has 1 ≤ W ≤ 255. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ledger/merkle.h"

namespace yiwang::ledger {

constexpr int kTileHeight = 8;
constexpr int kTileWidth = 256;
constexpr std::size_t kMaxEntryBytes = 65535;  // uint16 length prefix in entry bundles

struct TileRef {
  bool entries = false;  // an entry bundle rather than a hash tile
  int level = 0;         // tile level L (hash tiles only)
  std::int64_t index = 0;
  int width = kTileWidth;  // 256 for a full tile
};

// Path below the log prefix, e.g. "tile/0/x001/067.p/12" or "tile/entries/000".
std::string tile_path(const TileRef& t);
// Parses a path below the prefix (no leading "/"); nullopt when it is not a well-formed tile path
// (non-canonical digit groups, W outside 1..255, and the like).
std::optional<TileRef> parse_tile_path(std::string_view path);

// How many hashes at tile level `level` exist in a tree of `size` leaves, and so whether `t` can be
// served: a hash tile (or entry bundle) is servable when all its W items exist in the tree.
std::int64_t hashes_at_tile_level(std::int64_t size, int level);
bool tile_exists(const TileRef& t, std::int64_t tree_size);

// The NodeIds a hash tile consists of (level 8·L, indices 256·N … 256·N + W − 1).
std::vector<NodeId> tile_nodes(const TileRef& t);
std::string encode_hash_tile(const std::vector<Hash>& hashes);
std::string encode_entry_bundle(const std::vector<std::string>& entries);
Result<std::vector<std::string>> decode_entry_bundle(std::string_view bundle);

}  // namespace yiwang::ledger
