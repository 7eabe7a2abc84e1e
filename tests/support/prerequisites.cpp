#include "support/prerequisites.h"

#include <cstdlib>
#include <filesystem>

#include "support/test_store.h"

namespace yiwang::testing {

namespace fs = std::filesystem;

bool may_skip_missing_prerequisites() {
  const char* v = std::getenv("YIWANG_TESTS_MAY_SKIP");
  return v && std::string(v) == "1";
}

std::string missing_prerequisite(const std::string& what, const std::string& how) {
  return "missing test prerequisite: " + what + ". " + how +
         " (For a local run without it, YIWANG_TESTS_MAY_SKIP=1 skips the tests that need it; "
         "never set it in CI.)";
}

std::string shared_path(const std::string& relative) {
  // Not normalised lexically: like the demo, this follows the file system, symlinks included.
  return (fs::path(source_dir()) / ".." / "shared" / relative).string();
}

std::string missing_shared(const std::string& relative) {
  const std::string path = shared_path(relative);
  std::error_code ec;
  if (fs::exists(path, ec)) return {};
  return missing_prerequisite(
      "../shared/" + relative + " (looked for " + path + ")",
      "The tests read real data from ../shared beside the checkout, as CI provides it: put the "
      "project's shared data directory there.");
}

}  // namespace yiwang::testing
