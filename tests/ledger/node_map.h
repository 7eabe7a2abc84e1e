// The ledger tests' in-memory node store: what the log keeps in ledger_nodes, as a map.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "ledger/merkle.h"

namespace yiwang::ledger::fake {

// Stored hashes by (level, index).
using NodeMap = std::map<std::pair<int, std::int64_t>, Hash>;

// A NodeReader over `nodes` (which must outlive it): not_found for a node it lacks. Counts its
// calls in `*reads` when given.
inline NodeReader reader_of(const NodeMap& nodes, int* reads = nullptr) {
  return [&nodes, reads](const std::vector<NodeId>& ids) -> Result<std::vector<Hash>> {
    if (reads) ++*reads;
    std::vector<Hash> out;
    for (const auto& id : ids) {
      auto it = nodes.find({id.level, id.index});
      if (it == nodes.end()) return fail(ErrorCode::not_found, "", "无此节点", "no such node");
      out.push_back(it->second);
    }
    return out;
  };
}

}  // namespace yiwang::ledger::fake
