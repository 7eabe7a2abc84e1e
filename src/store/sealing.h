// Sealing clear-text cells left by an older version (personal data at rest: core/field_cipher.h).
//
// A module whose table gains sealed columns runs this at start, before serving: every cell of the
// named columns that is neither empty nor sealed is sealed under the context
// "<table>.<column>:<key>" (FieldCipher::seal_cell with the row's key), and its keyed index written
// where the column has one. Batches of 500 rows, each in its own write transaction; a second run
// finds nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace yiwang::store {

struct SealedColumn {
  std::string name;
  std::string index_column = {};   // "" when the column has no index
  std::string index_context = {};  // e.g. core::kIdNumberIndex
};

// Returns how many cells it sealed. `table`, `key_column` and the column names are the caller's
// constants, never outside input.
Result<std::int64_t> seal_clear_cells(Store& store, const std::string& table,
                                      const std::string& key_column,
                                      const std::vector<SealedColumn>& columns);

}  // namespace yiwang::store
