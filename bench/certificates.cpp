// Electronic certificates in process, on the real durable store: T threads issue certificates
// (each an SD-JWT VC signed with the department's ES256 key, a GB/T 36904 identifier, a status
// list entry and an audit event, committed durably) for S seconds; then T threads verify
// presentations (signature, disclosures, validity, status) for S seconds.
//
// usage: bench_certificates [--threads T] [--seconds S]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "certificates/certificates.h"
#include "core/clock.h"
#include "events/events.h"
#include "core/field_cipher.h"
#include "identity/identity.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using SteadyClock = std::chrono::steady_clock;
using namespace yiwang;

template <class F>
double run_for(int threads, int seconds, std::atomic<long>& done, std::atomic<long>& failed, F work) {
  const auto start = SteadyClock::now();
  const auto deadline = start + std::chrono::seconds(seconds);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (long n = 0; SteadyClock::now() < deadline; ++n) {
        if (work(t, n)) {
          done.fetch_add(1);
        } else {
          failed.fetch_add(1);
        }
      }
    });
  }
  for (auto& p : pool) p.join();
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 16, seconds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--threads") threads = std::atoi(argv[i + 1]);
    else if (k == "--seconds") seconds = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  auto dir = std::filesystem::temp_directory_path() /
             ("yiwang-bench-certs-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  store::SqliteOptions so;
  so.path = (dir / "certs.db").string();
  auto store = store::open_sqlite(so);
  std::vector<store::Migration> all;
  for (auto list : {events::migrations(), identity::migrations(), catalog::migrations(),
                    certificates::migrations()}) {
    all.insert(all.end(), list.begin(), list.end());
  }
  if (!store::migrate(*store, all)) return 1;
  core::SystemClock clock;
  core::SystemRandom random;
  identity::Options io;
  io.pwhash_opslimit = 1;
  io.pwhash_memlimit = 8192;
  store->use_cipher(core::FieldCipher::ephemeral());
  identity::Service ids(*store, clock, random, io);
  catalog::Service catalog(*store, clock);
  certificates::Service certs(*store, clock, random, catalog, ids, "https://gov.example");
  if (!ids.create_department({"scjg", "江宁市市场监督管理局", "11329900MB0100025F", "329900", ""},
                             nullptr)) {
    return 1;
  }
  if (!certs.seed_standard_types()) return 1;
  identity::NewUser u;
  u.username = "approver";
  u.password = "bench-lantern-42";
  u.kind = identity::Kind::official;
  u.display_name = "发证人";
  u.dept_id = "scjg";
  u.roles = {identity::Role::approver};
  auto approver = ids.create_user(u, nullptr);
  auto types = certs.types();
  if (!approver || !types) return 1;
  std::string licence;
  for (const auto& t : *types)
    if (t.name == "营业执照") licence = t.code;

  const std::string holder_uscc =
      std::string("91329902573002186") + identity::uscc_check("91329902573002186");
  // Issuance: every certificate to one holder (the identifier's serial still differs).
  std::vector<std::string> issued_jwts(static_cast<std::size_t>(threads));
  std::atomic<long> issued{0}, issue_failed{0};
  double issue_secs = run_for(threads, seconds, issued, issue_failed, [&](int t, long) {
    certificates::NewCertificate c;
    c.type_code = licence;
    c.holder_name = "江宁市青禾餐饮有限公司";
    c.holder_id = holder_uscc;
    c.data_json = R"({"business_scope":"餐饮服务"})";
    auto r = certs.issue(c, *approver);
    if (r) issued_jwts[static_cast<std::size_t>(t)] = r->sd_jwt;
    return static_cast<bool>(r);
  });

  std::atomic<long> verified{0}, verify_failed{0};
  double verify_secs = run_for(threads, seconds, verified, verify_failed, [&](int t, long) {
    const auto& jwt = issued_jwts[static_cast<std::size_t>(t)];
    return !jwt.empty() && static_cast<bool>(certs.verify_presentation(jwt));
  });

  std::printf("%d threads, %d s each, SQLite durable\n", threads, seconds);
  std::printf("issuances: %ld (%.0f/s), failures %ld\n", issued.load(),
              static_cast<double>(issued.load()) / issue_secs, issue_failed.load());
  std::printf("verifications: %ld (%.0f/s), failures %ld\n", verified.load(),
              static_cast<double>(verified.load()) / verify_secs, verify_failed.load());
  std::filesystem::remove_all(dir);
  return issue_failed.load() || verify_failed.load() ? 1 : 0;
}
