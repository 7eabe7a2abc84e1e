// SQLite backend: WAL, synchronous=FULL, one writer thread that group-commits, a pool of readers.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace yiwang::store {

struct SqliteOptions {
  std::string path;              // database file; ":memory:" is not supported (readers need a file)
  int reader_connections = 4;
  int max_batch = 256;           // most write closures sharing one COMMIT
};

std::unique_ptr<Store> open_sqlite(const SqliteOptions& options);

}  // namespace yiwang::store
