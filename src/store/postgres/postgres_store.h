// PostgreSQL backend (libpq): a connection pool; each write is one SERIALIZABLE transaction,
// retried on serialization failure or deadlock.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace yiwang::store {

struct PostgresOptions {
  std::string conninfo;          // libpq connection string or URI
  int connections = 8;
  int max_retries = 10;
};

std::unique_ptr<Store> open_postgres(const PostgresOptions& options);

}  // namespace yiwang::store
