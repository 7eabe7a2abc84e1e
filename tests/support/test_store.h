// Test support: fresh stores on every backend under test, and scratch directories.
//
// Store-backed tests are parameterised over `backends()` and get a fresh, empty store from
// `make_store(backend)`. SQLite and PostgreSQL are always tested: the environment variable
// YIWANG_TEST_PG_FILE names a readable file holding the conninfo of the throwaway test cluster
// (scripts/pg-test-cluster.sh writes it; ctest's pg_cluster fixture sets the variable). Without
// it the PostgreSQL instances fail, saying so; only YIWANG_TESTS_MAY_SKIP=1 (support/
// prerequisites.h) leaves them out, with a note on stderr.
// Thread-safe. Temporary directories and PostgreSQL databases are removed when the store is
// destroyed or the process exits (set YIWANG_KEEP_TEMP=1 to keep them for a post-mortem).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace yiwang::testing {

// {"sqlite", "postgres"}; {"sqlite"} only when YIWANG_TEST_PG_FILE does not name a readable file
// and YIWANG_TESTS_MAY_SKIP=1.
std::vector<std::string> backends();

// conninfo of the test cluster's admin database. Throws std::runtime_error, naming what is
// missing and how to start it, when YIWANG_TEST_PG_FILE does not name a readable file.
std::string postgres_admin_conninfo();

// A fresh empty store: SQLite in a new file in a fresh directory, or a newly created PostgreSQL
// database in the test cluster. Throws std::runtime_error when the backend cannot be set up.
std::unique_ptr<store::Store> make_store(const std::string& backend);

// conninfo of a newly created, empty PostgreSQL database in the test cluster (for tests that
// open their own store, e.g. through the App). Dropped at process exit.
std::string make_postgres_database();

// A fresh, unique, empty directory under /tmp (removed at process exit).
std::string temp_dir();

// The source tree: $YIWANG_SOURCE_DIR, else the nearest ancestor of the working directory that
// holds CMakeLists.txt and src/. Throws std::runtime_error when neither is found.
std::string source_dir();

}  // namespace yiwang::testing
