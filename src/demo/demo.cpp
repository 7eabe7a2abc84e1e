#include "demo/demo.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "assistant/assistant.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "certificates/certificates.h"
#include "core/clock.h"
#include "demo/demo_appeals.h"
#include "demo/demo_cases.h"
#include "demo/demo_participation.h"
#include "grid/grid.h"
#include "identity/identity.h"
#include "iot/iot.h"
#include "ledger/ledger.h"
#include "open311/open311.h"
#include "store/store.h"

namespace yiwang::demo {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct Account {
  const char* username;
  identity::Kind kind;
  const char* display_name;
  const char* dept_id;
  std::set<identity::Role> roles;
  const char* note_zh;
};

// The accounts printed by `make demo`. Officials of 市场监管 handle most demo cases.
const std::vector<Account>& demo_accounts() {
  using identity::Kind;
  using identity::Role;
  static const std::vector<Account> accounts = {
      {"zhangsan", Kind::citizen, "张三", "", {}, "市民"},
      {"qiye", Kind::business, "江宁市青禾餐饮有限公司", "", {}, "企业"},
      {"chuangkou", Kind::official, "窗口受理员 李明", "scjg", {Role::clerk}, "窗口受理"},
      {"shencha", Kind::official, "审查员 王芳", "scjg", {Role::reviewer}, "审查"},
      {"juece", Kind::official, "决定人 赵强", "scjg", {Role::approver}, "决定"},
      {"jiancha", Kind::official, "电子监察员 陈静", "zwfw", {Role::supervisor}, "电子监察"},
      {"admin", Kind::official, "系统管理员", "zwfw", {Role::admin}, "系统管理员"},
      {"anquan", Kind::official, "安全管理员 周敏", "zwfw", {Role::security_admin}, "安全管理员"},
      {"shenji", Kind::official, "审计管理员 吴刚", "zwfw", {Role::auditor}, "审计管理员"},
  };
  return accounts;
}

Result<json> read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) {
    return fail(ErrorCode::not_found, path.string(), "找不到演示数据文件",
                "demo data file not found");
  }
  json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return fail(ErrorCode::invalid_input, path.string(), "演示数据不是合法 JSON",
                "demo data is not valid JSON");
  }
  return doc;
}

Status create_departments(identity::Service& ids, const json& doc) {
  for (const auto& d : doc) {
    identity::Department dept;
    dept.id = d.at("id");
    dept.name = d.at("name");
    dept.uscc = d.at("uscc");
    dept.division_code = d.at("division_code");
    dept.parent_id = d.value("parent_id", "");
    auto created = ids.create_department(dept, nullptr);
    if (!created) return fail(created.error());
  }
  return {};
}

Status create_divisions(identity::Service& ids) {
  const std::vector<identity::Division> divisions = {
      {"320000", "江苏省", ""},
      {"329900", "江宁市（虚构）", "320000"},
      {"329902", "江宁市青溪区", "329900"},
      {"329903", "江宁市秦淮湾区", "329900"},
      {"329904", "江宁市栖霞山区", "329900"},
      {"329905", "江宁市雨花台区", "329900"},
  };
  for (const auto& d : divisions)
    if (auto s = ids.upsert_division(d); !s) return s;
  return {};
}

// Made-up residents of the registry (id number, name) for trying online verification.
std::vector<std::pair<std::string, std::string>> registry_people() {
  return {{make_citizen_id("329902", 1990, 5, 17, 211), "王小明"},
          {make_citizen_id("329903", 1985, 11, 2, 322), "李晓红"}};
}

Result<identity::Principal> create_account(identity::Service& ids, const Account& a,
                                           const std::string& id_number) {
  identity::NewUser u;
  u.username = a.username;
  u.password = kPassword;
  u.kind = a.kind;
  u.display_name = a.display_name;
  u.id_number = id_number;
  u.division_code = "329902";
  u.phone = "13905250000";
  u.dept_id = a.dept_id;
  u.roles = a.roles;
  return ids.create_user(u, nullptr);
}

struct DemoCertificate {
  const char* holder;  // demo account
  const char* type_name;
  const char* issuer;     // an approver of the issuing department
  const char* data_json;  // type-specific fields
};

// The demo citizen's and business's own certificates, so their wallets and 免提交 have
// something to show beyond what their seeded cases produced.
const DemoCertificate kDemoCertificates[] = {
    {"zhangsan", "居民身份证", "gaj.approver", R"({"address":"江宁市秦淮区龙蟠中路66号"})"},
    {"zhangsan", "结婚证", "mzj.approver", R"({"spouse_name":"李梅"})"},
    {"zhangsan", "营业执照", "juece",
     R"({"business_name":"江宁市秦淮区张三面馆","business_scope":"餐饮服务","type":"个体工商户"})"},
    {"qiye", "营业执照", "juece",
     R"({"business_scope":"餐饮服务；食品销售","legal_representative":"周青","registered_capital":"200万元人民币","type":"有限责任公司"})"},
    {"qiye", "食品经营许可证", "juece",
     R"({"operator_type":"餐饮服务经营者","premises":"江宁市建邺区江东中路102号"})"},
};

Status seed_certificates(app::App& app, std::ostream& log) {
  auto& ids = app.identity();
  auto types = app.certificates().types();
  if (!types) return fail(types.error());
  int issued = 0;
  for (const auto& d : kDemoCertificates) {
    auto holder = ids.find_by_username(d.holder);
    auto issuer = ids.find_by_username(d.issuer);
    if (!holder) return fail(holder.error());
    if (!issuer) return fail(issuer.error());
    auto type = std::find_if(types->begin(), types->end(),
                             [&](const auto& t) { return t.name == d.type_name; });
    if (type == types->end()) {
      return fail(ErrorCode::not_found, d.type_name, "演示证照类型不存在",
                  "demo certificate type missing");
    }
    certificates::NewCertificate c;
    c.type_code = type->code;
    c.holder_name = holder->display_name;
    c.holder_id = holder->id_number;
    c.data_json = d.data_json;
    auto done = app.certificates().issue(c, *issuer);
    if (!done) return fail(done.error());
    ++issued;
  }
  log << "certificates: " << issued << " issued to the demo citizen and business\n";

  // 免提交 in the queue: qiye applies for a food licence with its electronic business licence.
  auto qiye = ids.find_by_username("qiye");
  if (!qiye) return fail(qiye.error());
  auto wallet = app.certificates().wallet(*qiye);
  if (!wallet) return fail(wallet.error());
  auto licence = std::find_if(wallet->begin(), wallet->end(),
                              [](const auto& c) { return c.type_name == "营业执照"; });
  if (licence != wallet->end()) {
    cases::NewCase c;
    c.item_code = "11329900MB0201002000";  // 食品经营许可（新办）
    c.form_json = json{
        {"entity_name", qiye->display_name},
        {"uscc", qiye->id_number},
        {"contact_phone", "02584561234"},
        {"operator_type", "餐饮服务经营者"},
        {"premises_area", 180},
        {"address", "江宁市建邺区江东中路102号"},
        {"online_sales",
         true}}.dump();
    c.materials = {{"营业执照", "", licence->identifier, ""}};
    if (auto filed = app.cases().file(c, *qiye); !filed) return fail(filed.error());
    log << "免提交: qiye filed 食品经营许可 with its electronic business licence\n";
  }
  if (auto s = app.catch_up(); !s) return s;
  auto total = app.store().read([](store::Tx& tx) -> Result<std::int64_t> {
    return tx.query_one("SELECT COUNT(*) FROM certificates")->int64(0);
  });
  auto checkpoint = app.ledger().checkpoint();
  if (total && checkpoint) {
    log << "certificates: " << *total << " in the library (with those issued on completed cases); "
        << "ledger: " << checkpoint->checkpoint.size
        << " government acts under a signed checkpoint\n";
  }
  return {};
}

// The city's policy notes shipped in data/demo/policy (written for the fictional city) become
// the Q&A assistant's knowledge base; in a development checkout (../shared/seeds beside the
// repository) the documents the project was created from join them.
Status import_policy_documents(app::App& app, const Options& options, std::ostream& log) {
  const auto policy = fs::path(options.data_dir) / "policy";
  const auto seeds = fs::path(options.data_dir) / ".." / ".." / ".." / "shared" / "seeds";
  for (const auto& [dir, ext] : {std::pair{policy, ".md"}, std::pair{seeds, ".txt"}}) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() == ext && e.path().filename() != "README.md") {
        files.push_back(e.path().string());
      }
    }
    std::sort(files.begin(), files.end());
    int passages = 0;
    for (const auto& f : files) {
      auto r = app.assistant().import_file(f, assistant::system_principal());
      if (!r) return fail(r.error());
      passages += r->first.passages;
    }
    log << "assistant: " << files.size() << " policy documents (" << passages
        << " passages) from " << dir.lexically_normal().string() << "\n";
  }
  return {};
}

}  // namespace

std::string default_data_dir(const char* argv0) {
  if (fs::exists("data/demo/items.json")) return "data/demo";
  fs::path exe = fs::weakly_canonical(fs::path(argv0));
  for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path();
       dir = dir.parent_path()) {
    if (fs::exists(dir / "data/demo/items.json")) return (dir / "data/demo").string();
  }
  return "data/demo";
}

// demo-accounts.json beside the database (demo only, never `serve`): every demo account with a
// second factor, [{username, role, totp_secret}], for testers and outside checks to compute the
// codes (base32, RFC 6238 SHA-1, 30 s, 6 digits). Officials were given factors as they were
// created; the demo issues each a fresh one here, as the platform itself would (by == system), so
// that the file holds secrets that work.
Status write_demo_accounts(identity::Service& ids, const app::Config& config, std::ostream& log) {
  std::vector<identity::Principal> users;
  for (int offset = 0;; offset += 1000) {
    auto page = ids.list_users(1000, offset);
    if (!page) return fail(page.error());
    users.insert(users.end(), page->begin(), page->end());
    if (page->size() < 1000) break;
  }
  json accounts = json::array();
  for (const auto& u : users) {
    if (!u.is_official()) continue;
    auto factor = ids.reset_second_factor(u.user_id, nullptr);
    if (!factor) return fail(factor.error());
    accounts.push_back({{"username", u.username},
                        {"role", identity::main_role(u)},
                        {"totp_secret", factor->secret}});
  }
  const fs::path file = fs::absolute(config.db).parent_path() / "demo-accounts.json";
  std::ofstream out(file);
  out << accounts.dump(2) << "\n";
  if (!out) {
    return fail(ErrorCode::internal, "", "无法写入 demo-accounts.json",
                "cannot write " + file.string());
  }
  log << "second factors: " << accounts.size() << " officials, secrets in " << file.string()
      << " (`yiwang totp --secret <base32>` prints the current code)\n";
  return {};
}

Status seed(const app::Config& config, const Options& options, std::ostream& log) {
  core::SystemClock now;
  core::ManualClock clock(now.now_ms());
  app::App app(config, &clock);
  auto& ids = app.identity();
  if (ids.find_by_username("admin")) {
    log << "demo data already present in " << config.db << "\n";
    return {};
  }
  auto departments = read_json(fs::path(options.data_dir) / "departments.json");
  if (!departments) return fail(departments.error());
  auto items = read_json(fs::path(options.data_dir) / "items.json");
  if (!items) return fail(items.error());

  // Walk the clock through the past so cases have real ages on the statutory clock.
  clock.set(now.now_ms() - kHistoryDays * core::kDayMs);
  if (auto s = create_divisions(ids); !s) return s;
  if (auto s = create_departments(ids, *departments); !s) return s;
  if (auto types = app.certificates().seed_standard_types(); !types) return fail(types.error());

  std::map<std::string, identity::Principal> accounts;
  for (const auto& a : demo_accounts()) {
    std::string id_number;
    if (a.kind == identity::Kind::citizen) id_number = make_citizen_id("329902", 1944, 3, 8, 123);
    if (a.kind == identity::Kind::business) id_number = make_uscc("91", "329902", 57300218);
    auto created = create_account(ids, a, id_number);
    if (!created) return fail(created.error());
    accounts[a.username] = *created;
  }
  for (const char* person : {"zhangsan", "qiye"}) {
    if (auto st = verify_at_window(ids, accounts.at(person)); !st) return st;
  }
  // People in the population registry without an account yet: a visitor registers as one of
  // them and verifies online; the code arrives in sms-outbox.log beside the database.
  for (const auto& [id_number, name] : registry_people()) {
    if (auto st = ids.upsert_registry_record(id_number, name, "13905259999"); !st) return st;
  }
  log << "accounts: " << accounts.size() << " demo accounts\n";

  const auto& admin = accounts.at("admin");
  int published = 0;
  for (const auto& item_json : *items) {
    auto item = catalog::item_from_json(item_json.dump());
    if (!item) return fail(item.error());
    auto done = app.catalog().publish(*item, admin);
    if (!done) {
      auto e = done.error();
      e.field = item->code + e.field;
      return fail(e);
    }
    ++published;
  }
  log << "catalog: " << published << " items\n";

  CaseSeeder seeder(app, clock, options.seed);
  if (auto s = seeder.run(options.cases, now.now_ms(), log); !s) return s;
  if (auto s = seed_certificates(app, log); !s) return s;
  if (auto s = !options.appeals ? Status{}
                                : seed_appeals(app, clock, options.data_dir, now.now_ms(),
                                               kHistoryDays, log);
      !s) {
    return s;
  }
  if (options.appeals) {
    if (auto s = seed_participation(app, clock, now.now_ms(), log); !s) return s;
  }
  if (options.grid) {
    auto g = grid::load_demo(app.grid(), ids, grid::DemoOptions{}, kPassword, now.now_ms());
    if (!g) return fail(g.error());
    if (auto k = open311::ensure_demo_key(app.store(), "yiwang-demo-key", clock); !k) {
      return fail(k.error());
    }
    auto admin = ids.find_by_username("admin");
    if (!admin) return fail(admin.error());
    iot::DemoSensorOptions sensors;
    sensors.now_ms = now.now_ms();
    if (auto s = iot::load_demo_sensors(app.iot(), *admin, sensors); !s) return s;
    log << "grid: " << g->cells << " cells, " << g->components << " components, " << g->events
        << " events (" << g->closed << " closed)\n";
  }
  if (auto s = import_policy_documents(app, options, log); !s) return s;
  if (auto s = write_demo_accounts(ids, config, log); !s) return s;
  // Everything seeded above is dispatched, linked and in the ledger before anyone looks: a
  // server that starts on this database begins with a settled log.
  return app.catch_up();
}

Status verify_at_window(identity::Service& ids, const identity::Principal& person) {
  auto clerk = ids.find_by_username("chuangkou");
  if (!clerk) return fail(clerk.error());
  auto done = ids.verify_in_person(person.user_id, *clerk);
  if (!done) return fail(done.error());
  return {};
}

void print_accounts(std::ostream& out, const app::Config& config) {
  out << "\nYiwang demo (" << (config.postgres.empty() ? config.db : "PostgreSQL") << ")\n"
      << "Accounts (password: " << kPassword << "; officials also a one-time code from their "
      << "secret in demo-accounts.json beside the database: `yiwang totp --secret …`):\n";
  for (const auto& a : demo_accounts()) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-10s %s · %s%s%s\n", a.username, a.note_zh, a.display_name,
                  *a.dept_id ? " · 部门 " : "", a.dept_id);
    out << line;
  }
  out << "Online identity verification: register as one of these people of the registry, then "
         "ask for a code (it arrives in sms-outbox.log beside the database):\n";
  for (const auto& [id_number, name] : registry_people()) {
    out << "  " << name << "  " << id_number << "\n";
  }
}

}  // namespace yiwang::demo
