// The transparency ledger end to end on the real binary: `yiwang demo` serves a ledger fed by its
// seeded cases; the independent Go verifier (sumdb note/tlog), `yiwang ledger verify` and the
// public verification page in headless Chromium all accept it; `yiwang witness` cosigns and the
// ledger then serves the cosignature; and after an entry is changed in the database behind the
// server's back, both verifiers fail, each with its exact report of that entry.
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/client.h"
#include "support/demo_accounts.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/witness.h"
#include "support/prerequisites.h"
#include "system/process.h"

namespace {

using namespace yiwang::system_testing;
using nlohmann::json;
namespace fs = std::filesystem;

// Runs a shell command; returns its exit code and combined output.
std::pair<int, std::string> shell(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return {-1, ""};
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// The first column of every row of a query, read from the server's SQLite file directly.
std::vector<std::string> column_of(const fs::path& db_file, const char* sql) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

std::string sh_quote(const std::string& s) {
  return "'" + s + "'";
}

// Runs page tests with `node --test` (TAP output) and checks that they all ran and passed: node
// exits 0 when every test is skipped, so its exit code alone proves nothing. Skips are allowed
// only with YIWANG_TESTS_MAY_SKIP=1.
void expect_node_tests_pass(const std::string& environment, const std::string& files,
                            int expected_tests) {
  auto [rc, out] = shell("cd " + sh_quote(env("YIWANG_SOURCE_DIR") + "/tests/node") + " && " +
                         environment + " node --test --test-reporter=tap " + files);
  EXPECT_EQ(0, rc) << out;
  auto count = [&out = out](const std::string& what) {  // from the summary at the end
    auto at = out.rfind("\n# " + what + " ");
    return at == std::string::npos ? -1 : std::atoi(out.c_str() + at + what.size() + 4);
  };
  EXPECT_EQ(expected_tests, count("tests")) << out;
  EXPECT_EQ(0, count("fail")) << out;
  if (yiwang::testing::may_skip_missing_prerequisites()) {
    EXPECT_EQ(expected_tests, count("pass") + count("skipped")) << out;
  } else {
    EXPECT_EQ(0, count("skipped")) << out;
    EXPECT_EQ(expected_tests, count("pass")) << out;
  }
}

class LedgerSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(env("YIWANG_BINARY").empty());
    dir_ = fs::temp_directory_path() / ("yiwang-ledger-system-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "ledger.db").string();
    port_ = free_port();
    url_ = "http://127.0.0.1:" + std::to_string(port_);
    witness_key_file_ = (dir_ / "witness.key").string();
    auto key = yiwang::ledger::load_or_create_witness_key(witness_key_file_, kWitness);
    ASSERT_TRUE(key) << key.error().message_en;
    witness_vkey_ = yiwang::ledger::verifier_key(*key);
    start();
  }
  void TearDown() override {
    stop();
    fs::remove_all(dir_);
  }

  void start() {
    pid_ = spawn({env("YIWANG_BINARY"), "demo", "--db", db_, "--port", std::to_string(port_),
                  "--cases", "40", "--demo-data", env("YIWANG_SOURCE_DIR") + "/data/demo",
                  "--witness-keys", witness_vkey_, "--checkpoint-ms", "200"});
    // Seeding 40 cases comes first.
    for (int i = 0; i < 600 && !wait_healthy(port_); ++i) {
    }
    ASSERT_TRUE(wait_healthy(port_));
  }
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  json get_json(const std::string& target) {
    yiwang::http::Client c("127.0.0.1", port_);
    auto r = c.request("GET", target);
    EXPECT_TRUE(r && r->status == 200) << target;
    return r ? json::parse(r->body, nullptr, false) : json();
  }
  std::string checkpoint() {
    yiwang::http::Client c("127.0.0.1", port_);
    auto r = c.request("GET", "/ledger/checkpoint");
    return r && r->status == 200 ? r->body : "";
  }

  static constexpr const char* kWitness = "witness.audit.example.gov.cn";
  fs::path dir_;
  std::string db_, url_, witness_key_file_, witness_vkey_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

TEST_F(LedgerSystemTest, IndependentVerifiersAcceptTheLogAndCatchATamperedEntry) {
  // The demo's acts reach a signed checkpoint within a few intervals.
  std::string note;
  for (int i = 0; i < 100 && note.empty(); ++i) {
    note = checkpoint();
    if (note.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(note.empty());
  const std::string log_key = get_json("/api/v1/ledger/key").value("verifier_key", "");
  ASSERT_FALSE(log_key.empty());

  // 1. The third-party implementation (Go sumdb note + tlog).
  const std::string go = env("YIWANG_LEDGERVERIFY");
  const bool have_go = !go.empty() && fs::exists(go);
  if (have_go) {
    auto [rc, out] = shell(sh_quote(go) + " -key " + sh_quote(log_key) + " " + url_);
    EXPECT_EQ(0, rc) << out;
  } else if (!yiwang::testing::may_skip_missing_prerequisites()) {
    ADD_FAILURE() << yiwang::testing::missing_prerequisite(
        "the Go ledger verifier (YIWANG_LEDGERVERIFY=" + go + ")",
        "Install golang-go and golang-golang-x-mod-dev (scripts/install-deps.sh), then "
        "reconfigure and rebuild.");
  }

  // 2. Our own command-line verifier, pinning the key and proving a few entries in full.
  const std::string state = (dir_ / "verify.state").string();
  const std::string verify = sh_quote(env("YIWANG_BINARY")) + " ledger verify --url " + url_ +
                             " --key " + sh_quote(log_key) + " --state " + sh_quote(state);
  {
    auto [rc, out] = shell(verify + " --entry 0 --entry 3 --full");
    EXPECT_EQ(0, rc) << out;
  }

  // 3. The witness cosigns; the ledger serves the cosignature on its checkpoint.
  {
    auto [rc, out] = shell(sh_quote(env("YIWANG_BINARY")) + " witness --url " + url_ +
                           " --log-key " + sh_quote(log_key) + " --key-file " +
                           sh_quote(witness_key_file_) + " --name " + kWitness + " --once");
    EXPECT_EQ(0, rc) << out;
    const std::string cosigned = checkpoint();
    EXPECT_NE(std::string::npos, cosigned.find(std::string("— ") + kWitness + " ")) << cosigned;
    if (have_go) {
      auto [grc, gout] = shell(sh_quote(go) + " -key " + sh_quote(log_key) + " -witness-key " +
                               sh_quote(witness_vkey_) + " " + url_);
      EXPECT_EQ(0, grc) << gout;
    }
  }

  // 4. The public page, in headless Chromium, checks a case's acts against the checkpoint.
  auto cases_db = dir_ / "ledger.db";
  auto completed = column_of(cases_db,
                             "SELECT subject_id FROM ledger_acts WHERE subject_type = 'case' "
                             "AND act = 'case.completed' ORDER BY idx LIMIT 1");
  const std::string receipt = completed.empty() ? "" : completed.front();
  ASSERT_FALSE(receipt.empty());
  // Five against an independent mock ledger, one against this server.
  expect_node_tests_pass("YIWANG_TEST_URL=" + url_ + " YIWANG_TEST_RECEIPT=" + receipt,
                         "ledger_page.test.mjs", 6);

  // 4b. The page a certificate's QR code opens: one valid, one revoked by its department.
  const auto licences =
      column_of(cases_db,
                // EXISTS, not a join: a certificate with several acts (issued, used) is one row.
                "SELECT c.identifier FROM certificates c WHERE EXISTS (SELECT 1 FROM ledger_acts a "
                "WHERE a.subject_type = 'certificate' AND a.subject_id = c.identifier) "
                "AND c.dept_id = 'scjg' AND c.status = 'valid' AND c.holder_id_index NOT IN "
                "(SELECT holder_id_index FROM certificates WHERE holder_user_id = "
                "(SELECT id FROM users WHERE username = 'zhangsan')) "
                "ORDER BY c.identifier LIMIT 2");  // the wallet test below counts zhangsan's
  ASSERT_EQ(2u, licences.size());
  {
    yiwang::http::Client c("127.0.0.1", port_);
    auto login = c.request("POST", "/api/v1/auth/login",
                           yiwang::testing::demo_login_body(db_, "juece").dump());
    ASSERT_TRUE(login && login->status == 200);
    const std::string token = json::parse(login->body).value("token", "");
    auto revoked =
        c.request("POST", "/api/v1/certificates/" + licences[1] + "/status",
                  json{{"status", "revoked"}, {"reason", "系统测试：吊销"}}.dump(),
                  {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
    ASSERT_TRUE(revoked && revoked->status == 200) << (revoked ? revoked->body : "");
    // Three certificate page tests, one wallet test.
    expect_node_tests_pass("YIWANG_TEST_URL=" + url_ + " YIWANG_TEST_CERTIFICATE=" + licences[0] +
                               " YIWANG_TEST_REVOKED=" + licences[1],
                           "certificate_page.test.mjs wallet_page.test.mjs", 4);
  }

  // 5. An entry changed in the database behind the server's back: both verifiers refuse it, each
  // with its exact report of entry 3. The server now serves the altered bytes (and their hash as
  // leaf_hash), while its tree, signed by the checkpoint, still holds the original leaf.
  const std::string original_leaf = get_json("/api/v1/ledger/entries/3").value("leaf_hash", "");
  ASSERT_FALSE(original_leaf.empty());
  stop();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(SQLITE_OK, sqlite3_open(cases_db.c_str(), &db));
    char* error = nullptr;
    ASSERT_EQ(SQLITE_OK,
              sqlite3_exec(db,
                           "UPDATE ledger_entries SET data = replace(data, '\"act\":\"', "
                           "'\"act\":\"x') WHERE idx = 3",
                           nullptr, nullptr, &error))
        << (error ? error : "");
    EXPECT_EQ(1, sqlite3_changes(db));
    sqlite3_close(db);
  }
  const auto altered = column_of(cases_db, "SELECT data FROM ledger_entries WHERE idx = 3");
  ASSERT_EQ(1u, altered.size());
  const std::string altered_leaf = yiwang::ledger::to_base64(yiwang::ledger::leaf_hash(altered[0]));
  ASSERT_NE(original_leaf, altered_leaf);
  start();
  const json served = get_json("/api/v1/ledger/entries/3");
  ASSERT_EQ(altered_leaf, served.value("leaf_hash", "")) << served.dump();
  // The size of the signed tree the verifiers check against (the restarted demo adds no acts).
  const std::string signed_note = checkpoint();
  const auto first_break = signed_note.find('\n');
  ASSERT_NE(std::string::npos, first_break) << signed_note;
  const long long size = std::atoll(signed_note.c_str() + first_break + 1);
  ASSERT_GT(size, 3);
  const std::string size_text = std::to_string(size);
  {
    // Ours: entry 3's bytes have no inclusion proof to the signed root.
    auto [rc, out] = shell(verify + " --entry 3");
    EXPECT_EQ(1, rc) << out;
    EXPECT_EQ(
        "yiwang ledger verify: FAILED: inclusion: entry 3 does not verify against the root "
        "of size " +
            size_text + "\n核验失败：条目 3 的包含证明不能对应检查点根哈希\n",
        out);
  }
  if (have_go) {
    // Go, asked for entry 3: the served entry's hash is not the leaf in the authenticated tiles.
    {
      auto [rc, out] = shell(sh_quote(go) + " -key " + sh_quote(log_key) + " -index 3 " + url_);
      EXPECT_EQ(1, rc) << out;
      EXPECT_EQ(
          "ledgerverify: FAILED: entry 3: served entry does not match the leaf hash in the "
          "tiles\n",
          out);
    }
    // Go's default run (entries 0, N/2 and N-1, then every entry bundle): the first bundle holds
    // entry 3, which has no inclusion proof to the signed root.
    {
      auto [rc, out] = shell(sh_quote(go) + " -key " + sh_quote(log_key) + " " + url_);
      EXPECT_EQ(1, rc) << out;
      const std::string bundle =
          size >= 256 ? "tile/entries/000" : "tile/entries/000.p/" + size_text;
      EXPECT_EQ("ledgerverify: FAILED: " + bundle +
                    ": entry 3 does not hash to its leaf in the tree: invalid transparency proof\n",
                out);
    }
  }
}

}  // namespace
