#include "app/app.h"
#include "app/city_link.h"
#include "app/review_notices.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "ai/ai.h"
#include "appeals/appeals.h"
#include "appeals/hot_issues.h"
#include "assistant/assistant.h"
#include "audit/audit.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "certificates/certificates.h"
#include "core/clock.h"
#include "core/field_cipher.h"
#include "disclosure/disclosure.h"
#include "events/events.h"
#include "grid/grid.h"
#include "http/http.h"
#include "http/json_api.h"
#include "http/server.h"
#include "http/static_site.h"
#include "identity/identity.h"
#include "identity/routes.h"
#include "iot/iot.h"
#include "ledger/ledger.h"
#include "ledger/verifier.h"
#include "notify/notify.h"
#include "open311/open311.h"
#include "participation/participation.h"
#include "store/contention.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace yiwang::generated {
extern const char* const openapi_json;
extern const char* const common_css;
extern const char* const common_js;
}  // namespace yiwang::generated

namespace yiwang::app {
namespace {

std::unique_ptr<store::Store> open_store(const Config& config) {
  if (!config.postgres.empty()) {
    store::PostgresOptions options;
    options.conninfo = config.postgres;
    options.connections = std::max(8, config.worker_threads / 2);
    return store::open_postgres(options);
  }
  auto parent = std::filesystem::path(config.db).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  store::SqliteOptions options;
  options.path = config.db;
  return store::open_sqlite(options);
}

std::vector<store::Migration> all_migrations() {
  std::vector<store::Migration> all;
  for (auto list :
       {events::migrations(), audit::migrations(), identity::migrations(), catalog::migrations(),
        cases::migrations(), certificates::migrations(), ledger::migrations(), assistant::migrations(),
        appeals::migrations(), ai::migrations(), grid::migrations(), iot::migrations(),
        open311::migrations(), participation::migrations(), disclosure::migrations()}) {
    all.insert(all.end(), list.begin(), list.end());
  }
  return all;
}

// The data key sealing personal data at rest. A new database gets a new key file (0600); one
// whose data is already sealed needs the key it was sealed under, and refuses to start without
// it or with another (store::bind_key): a wrong key would fail on every row instead.
std::shared_ptr<const core::FieldCipher> open_data_key(store::Store& store, const Config& config) {
  std::string file = config.data_key_file;
  if (file.empty()) {
    auto dir = std::filesystem::path(config.db).parent_path();
    file = (dir.empty() ? std::filesystem::path("var") : dir).append("data.key").string();
  }
  auto bound = store::bound_key(store, "data");
  if (!bound) throw std::runtime_error("data key: " + bound.error().message_en);
  if (!bound->has_value()) {
    auto parent = std::filesystem::path(file).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
  }
  auto cipher = core::FieldCipher::load(file, /*may_create=*/!bound->has_value());
  if (!cipher) {
    throw std::runtime_error(cipher.error().message_en +
                             (bound->has_value()
                                  ? " (the database's personal data is sealed under the key with "
                                    "fingerprint " +
                                        **bound + ": give its file with --data-key)"
                                  : ""));
  }
  if (auto st = store::bind_key(store, "data", (*cipher)->fingerprint()); !st) {
    throw std::runtime_error("data key " + file + ": " + st.error().message_en);
  }
  return *cipher;
}

identity::Options identity_options(const Config& config) {
  identity::Options options;
  if (config.fast_password_hashing) {
    options.pwhash_opslimit = 1;
    options.pwhash_memlimit = 8192;
  }
  return options;
}

// The platform's own routes, through the one route helper like every module's.
void add_platform_routes(http::Router& router, store::Store& store, identity::Service& identity) {
  identity::Routes api(router, identity);
  // Health is a short read of the event sequence: declared fast.
  api.open(
      "GET", "/api/v1/health",
      [&store](const http::Request&, const http::PathParams&) -> Result<http::Json> {
        auto seq =
            store.read([](store::Tx& tx) -> Result<std::int64_t> { return events::last_seq(tx); });
        if (!seq) return fail(seq.error());
        return http::Json{
            {"status", "ok"},
            {"version", "0.1.0"},
            {"store", store.dialect() == store::Dialect::sqlite ? "sqlite" : "postgres"},
            {"last_event_seq", *seq}};
      },
      http::Runs::io_thread);
  // The stylesheet and script every built-in page (公开核验, the certificate page, the wallet)
  // shares.
  router.add_asset("/assets/common.css", generated::common_css, "text/css; charset=utf-8");
  router.add_asset("/assets/common.js", generated::common_js, "text/javascript; charset=utf-8");
  api.open(
      "GET", "/api/v1/openapi.json",
      [](const http::Request&, const http::PathParams&) -> Result<http::Response> {
        http::Response r;
        r.content_type = "application/json";
        r.body = generated::openapi_json;
        r.headers.emplace_back("Cache-Control", "public, max-age=300");
        return r;
      },
      http::Runs::io_thread);
}

// A missing web app is not fatal: the API and the built-in pages still serve.
void add_web_app(http::Router& router, const std::string& web_root) {
  if (web_root.empty()) return;
  auto site = http::StaticSite::load(web_root);
  if (!site) {
    std::fprintf(stderr,
                 "yiwang: web app not served: %s (build it: cmake --build BUILD --target web)\n",
                 site.error().message_en.c_str());
    return;
  }
  http::serve_static_site(router, std::move(*site));
}

ledger::Options ledger_options(const Config& config) {
  ledger::Options options;
  options.origin = config.ledger_origin;
  options.key_file = config.ledger_key_file;
  if (options.key_file.empty()) {
    auto dir = std::filesystem::path(config.db).parent_path();
    options.key_file = (dir.empty() ? std::filesystem::path("var") : dir).append("ledger.key");
  }
  options.witness_keys = config.ledger_witness_keys;
  options.checkpoint_interval = std::chrono::milliseconds(config.checkpoint_interval_ms);
  return options;
}

// 免提交: the certificates module verifies the applicant's certificate inside the filing
// transaction; the case keeps what the official needs to see.
cases::CertificateCheck certificate_check(certificates::Service& certs) {
  return [&certs](store::Tx& tx, std::string_view identifier, std::string_view type,
                  const cases::Case& c) -> Result<std::string> {
    auto v = certs.verify_for_material(tx, identifier, type, c.applicant.id_number,
                                       {c.id, c.dept_id, c.item_name});
    if (!v) return fail(v.error());
    return nlohmann::json{{"identifier", v->identifier},
                          {"type_name", v->type_name},
                          {"holder_id", identity::mask_id_number(v->holder_id)},
                          {"signature_ok", v->signature_ok},
                          {"status_ok", v->status_ok},
                          {"validity_ok", v->validity_ok},
                          {"holder_ok", v->holder_ok},
                          {"presentation", v->presentation},
                          {"verified_at", core::format_instant(v->verified_at_ms)}}
        .dump();
  };
}

// The matters an official may use a certificate in (用证 by need, #16): a case, an appeal or a
// grid event that their department handles, concerning the certificate's holder. The answer is
// the id number of the person the matter concerns ("" when no verified person: nothing matches).
using GridEventFinder =
    std::function<std::optional<grid::GridEvent>(store::Tx&, std::string_view id)>;

certificates::MatterCheck certificate_matter_check(std::string hotline_dept,
                                                   GridEventFinder find_grid_event) {
  return [hotline_dept = std::move(hotline_dept), find_grid_event = std::move(find_grid_event)](
             store::Tx& tx, std::string_view matter,
             const identity::Principal& by) -> Result<std::string> {
    auto not_ours = [] {
      return fail(ErrorCode::forbidden, "/matter", "只能在本部门办理的事项中用证",
                  "certificates are used only in matters of one's own department");
    };
    const auto colon = matter.find(':');
    const std::string_view kind = matter.substr(0, colon == std::string_view::npos ? 0 : colon);
    const std::string_view id = colon == std::string_view::npos ? "" : matter.substr(colon + 1);
    if (kind == "case") {
      auto c = cases::find_case(tx, id);
      if (!c) return fail(ErrorCode::not_found, "/matter", "办件不存在", "no such case");
      if (!by.is_official() || c->dept_id != by.dept_id) return not_ours();
      return c->applicant.id_number;
    }
    if (kind == "appeal") {
      auto a = appeals::find(tx, id);
      if (!a) return fail(ErrorCode::not_found, "/matter", "诉求不存在", "no such appeal");
      if (!by.is_official() || (a->dept_id != by.dept_id && by.dept_id != hotline_dept)) {
        return not_ours();
      }
      return identity::verified_id_number_of(tx, a->appellant.user_id);
    }
    if (kind == "grid_event") {
      auto e = find_grid_event(tx, id);
      if (!e) return fail(ErrorCode::not_found, "/matter", "网格事件不存在", "no such grid event");
      if (!by.is_official() || e->dept_id != by.dept_id) return not_ours();
      return identity::verified_id_number_of(tx, e->reporter_user_id);
    }
    return fail(ErrorCode::invalid_input, "/matter",
                "事项须写作 case:办件号、appeal:诉求号 或 grid_event:事件号",
                "a matter is written case:<id>, appeal:<id> or grid_event:<id>");
  };
}

// The holder of a used certificate is told in their inbox: the account it was issued to and
// every account whose id number is verified as the holder's.
certificates::UseNotifier certificate_use_notice(core::Random& random, const core::Clock& clock) {
  return [&random, &clock](store::Tx& tx, const certificates::UseNotice& n) -> Status {
    std::vector<std::string> to = identity::verified_account_ids(tx, n.holder_id);
    if (!n.holder_user_id.empty() &&
        std::find(to.begin(), to.end(), n.holder_user_id) == to.end()) {
      to.push_back(n.holder_user_id);
    }
    cases::InboxMessage m;
    m.kind = n.supervisory ? "certificate.supervisory_read" : "certificate.used";
    m.title = "您的" + n.type_name + "被调用";
    m.body = "部门 " + n.used_by_dept + " 调用了您的电子证照，事由：" + n.use_cause +
             (n.matter.empty() ? "（电子监察抽查）" : "（事项 " + n.matter + "）") +
             "。可在“我的证照—用证记录”中查看。";
    m.subject_type = "certificate";
    m.subject_id = n.identifier;
    cases::post_to_inbox(tx, random, clock.now_ms(), to, m);
    return {};
  };
}

// Whom a notice about a matter goes to (notify/notify.h): the applicant's account (for a case a
// clerk filed for someone without one: the accounts verified as that person since), the
// appellant's, the certificate holder's verified accounts, a citizen reporter's.
notify::Recipients notice_recipients(certificates::Service& certs, grid::Service& grid) {
  return [&certs, &grid](store::Tx& tx, const events::Event& e) -> std::vector<std::string> {
    if (e.subject_type == "case") {
      auto c = cases::find_case(tx, e.subject_id);
      if (!c) return {};
      if (!c->applicant.user_id.empty()) return {c->applicant.user_id};
      return identity::verified_account_ids(tx, c->applicant.id_number);
    }
    if (e.subject_type == "appeal") {
      auto a = appeals::find(tx, e.subject_id);
      if (!a || a->appellant.user_id.empty()) return {};
      return {a->appellant.user_id};
    }
    if (e.subject_type == "certificate") {
      auto holder = certs.holder_of(tx, e.subject_id);
      if (!holder) return {};
      return identity::verified_account_ids(tx, *holder);
    }
    if (e.subject_type == "grid_event") {
      auto g = grid.find(tx, e.subject_id);
      if (!g || g->source != grid::Source::public_ || g->reporter_user_id.empty()) return {};
      return {g->reporter_user_id};
    }
    return {};
  };
}

// Notices reach the inbox, in both languages.
notify::Post notice_post(core::Random& random, const core::Clock& clock) {
  return [&random, &clock](store::Tx& tx, const std::vector<std::string>& to,
                           const notify::Notice& n) -> Status {
    cases::InboxMessage m;
    m.kind = n.kind;
    m.title = n.title_zh;
    m.body = n.body_zh;
    m.title_en = n.title_en;
    m.body_en = n.body_en;
    m.subject_type = n.subject_type;
    m.subject_id = n.subject_id;
    cases::post_to_inbox(tx, random, clock.now_ms(), to, m);
    return {};
  };
}

// The party a public ledger entry commits to: the applicant of a case, the holder of a
// certificate. Other acts (item publication, …) have none.
ledger::PartyResolver party_resolver(certificates::Service& certs) {
  return [&certs](store::Tx& tx, const events::Event& e) -> std::optional<std::string> {
    if (e.subject_type == "case") {
      auto c = cases::find_case(tx, e.subject_id);
      if (c) return c->applicant.id_number;
    } else if (e.subject_type == "certificate") {
      return certs.holder_of(tx, e.subject_id);
    } else if (e.subject_type == "appeal") {
      return appeals::party_of(tx, e.subject_id);
    }
    return std::nullopt;
  };
}

// Photos attached to appeals and grid reports are images their author uploaded through the cases
// module's file store (which refuses oversize files at upload).
std::function<Status(store::Tx&, std::string_view, const identity::Principal&)>
uploaded_image_check() {
  return [](store::Tx& tx, std::string_view sha256, const identity::Principal& by) {
    return cases::check_uploaded_image(tx, sha256, by.user_id);
  };
}

// Appeals count on the cases module's editable calendar, and their photos are images the
// appellant uploaded through the cases module's file store.
appeals::Options appeals_options(const Config& config, cases::Service& cases) {
  appeals::Options options;
  options.hotline_dept_id = config.hotline_dept;
  options.calendar = [&cases] { return cases.calendar(); };
  options.photo_check = uploaded_image_check();
  options.reply_checker = [](std::string_view appeal,
                             std::string_view reply) -> Result<appeals::ReplyQuality> {
    auto c = ai::check_reply(appeal, reply);
    if (!c) return fail(c.error());
    appeals::ReplyQuality q;
    q.score = c->score;
    q.relevance = c->relevance;
    for (auto& i : c->issues) q.issues.push_back({i.code, i.message_zh, i.message_en});
    return q;
  };
  return options;
}

// The classifier's suggestion for an appeal's text, for AI dispatch.
appeals::Classify appeal_classifier(ai::Service& ai) {
  return [&ai](std::string_view text) -> Result<appeals::Suggestion> {
    auto p = ai.classify(text);
    if (!p) return fail(p.error());
    return appeals::Suggestion{p->label, p->department, p->confidence};
  };
}

// Grid events count working hours on the same editable calendar as cases and appeals.
grid::Options grid_options(const Config& config, cases::Service& cases) {
  grid::Options options;
  options.hotline_dept_id = config.hotline_dept;
  options.calendar = [&cases] { return cases.calendar(); };
  options.photo_check = uploaded_image_check();
  return options;
}

// "host:port" of the sensors' broker; the subscriber starts only when serving.
iot::Options iot_options(const Config& config) {
  iot::Options options;
  if (auto colon = config.mqtt.rfind(':'); colon != std::string::npos) {
    options.broker_host = config.mqtt.substr(0, colon);
    options.broker_port = std::atoi(config.mqtt.c_str() + colon + 1);
  } else if (!config.mqtt.empty()) {
    options.broker_host = config.mqtt;
  }
  options.client_id = "yiwang-" + options.broker_host;
  return options;
}

ai::Options ai_options(const Config& config) {
  ai::Options options;
  options.models_dir = config.ai_models_dir;
  if (options.models_dir.empty()) {
    auto dir = std::filesystem::path(config.db).parent_path();
    options.models_dir = (dir.empty() ? std::filesystem::path("var") : dir) / "models" / "ai";
  }
  // Dispatch corrections come from the hotline centre, the department appeals belong to.
  options.hotline_dept = config.hotline_dept;
  return options;
}

certificates::CaseResolver case_resolver() {
  return [](store::Tx& tx, std::string_view id) -> std::optional<certificates::CaseResult> {
    auto c = cases::find_case(tx, id);
    if (!c) return std::nullopt;
    certificates::CaseResult r;
    r.case_id = c->id;
    r.item_code = c->item_code;
    r.decision = c->decision;
    r.holder_name = c->applicant.name;
    r.holder_id = c->applicant.id_number;
    r.holder_kind = c->applicant.kind;
    r.holder_user_id = c->applicant.user_id;
    r.completed_at_ms = c->completed_at_ms.value_or(0);
    return r;
  };
}

// Who may read a receipt with its commitment salt: whoever may see the subject itself.
ledger::ReceiptAccess receipt_access(cases::Service& cases, certificates::Service& certs,
                                     appeals::Service& appeals) {
  return [&cases, &certs, &appeals](const identity::Principal& who, std::string_view type,
                                    std::string_view id) -> Status {
    // A receipt opens the ledger entry's commitment to its party (their id number and the salt):
    // it is the party's own proof, for no one else, officials included (#16).
    if (who.is_official()) {
      return fail(ErrorCode::forbidden, "", "回执只提供给当事人本人",
                  "receipts are for the party concerned only");
    }
    if (type == "case") {
      if (auto c = cases.get(id, who); !c) return fail(c.error());
      return {};
    }
    if (type == "certificate") {
      if (auto c = certs.get(id, who); !c) return fail(c.error());
      return {};
    }
    if (type == "appeal") {
      if (auto a = appeals.get(id, who); !a) return fail(a.error());
      return {};
    }
    return fail(ErrorCode::not_found, "/subject_type", "没有此类回执", "no receipts of this kind");
  };
}

// The demo's SMS gateway: appends {at, to, text} lines to a file and echoes them to stderr.
class OutboxSms final : public identity::SmsSender {
 public:
  OutboxSms(std::string path, const core::Clock& clock) : path_(std::move(path)), clock_(clock) {}
  Status send(const std::string& phone, const std::string& text) override {
    const std::string line = nlohmann::json{{"at", core::format_instant(clock_.now_ms())},
                                            {"to", phone},
                                            {"text", text}}
                                 .dump();
    std::ofstream out(path_, std::ios::app);
    out << line << "\n";
    std::fprintf(stderr, "yiwang: SMS (demo outbox %s): %s\n", path_.c_str(), line.c_str());
    if (!out) {
      return fail(ErrorCode::overloaded, "", "短信发送失败，请稍后再试", "the SMS could not be sent");
    }
    return {};
  }

 private:
  const std::string path_;
  const core::Clock& clock_;
};

}  // namespace

struct App::Parts {
  Config config;
  core::SystemClock system_clock;
  const core::Clock* clock;
  core::SystemRandom random;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<identity::SmsSender> sms;
  std::unique_ptr<identity::Service> identity;
  std::unique_ptr<catalog::Service> catalog;
  std::unique_ptr<certificates::Service> certificates;
  std::unique_ptr<cases::Service> cases;
  std::unique_ptr<ledger::Log> ledger;
  std::unique_ptr<ledger::Follower> ledger_follower;
  std::unique_ptr<certificates::CaseIssuer> certificate_issuer;
  std::unique_ptr<assistant::Service> assistant;
  std::unique_ptr<appeals::Service> appeals;
  std::unique_ptr<ai::Service> ai;
  std::unique_ptr<appeals::AutoDispatcher> appeal_dispatcher;
  std::unique_ptr<grid::Service> grid;
  std::unique_ptr<CityLink> city_link;
  std::unique_ptr<ReviewNotices> review_notices;
  std::unique_ptr<notify::Notifier> notifier;
  std::unique_ptr<open311::Service> open311;
  std::unique_ptr<iot::Service> iot;
  std::unique_ptr<participation::Service> participation;
  std::unique_ptr<disclosure::Service> disclosure;
  std::unique_ptr<audit::Sealer> audit_sealer;
  http::Router router;
};

namespace {

// The catalog's search ranks equally relevant items by how often they are applied for.
constexpr int kPopularityEveryS = 60;

void refresh_popularity(cases::Service& cases, catalog::Service& catalog) {
  if (auto filed = cases.applications_per_item()) {
    catalog.set_popularity(*filed);
  } else {
    std::fprintf(stderr, "search popularity: %s\n", filed.error().message_en.c_str());
  }
}

}  // namespace

App::App(Config config, const core::Clock* clock) : parts_(std::make_unique<Parts>()) {
  auto& p = *parts_;
  p.config = std::move(config);
  p.clock = clock ? clock : &p.system_clock;
  p.store = open_store(p.config);
  if (auto migrated = store::migrate(*p.store, all_migrations()); !migrated) {
    throw std::runtime_error("migration failed: " + migrated.error().message_en);
  }
  p.store->use_cipher(open_data_key(*p.store, p.config));
  p.identity =
      std::make_unique<identity::Service>(*p.store, *p.clock, p.random, identity_options(p.config));
  // Personal data an older version stored in the clear is sealed before anything reads it.
  for (auto sealed : {p.identity->seal_at_rest(), cases::seal_at_rest(*p.store),
                      certificates::seal_at_rest(*p.store), appeals::seal_at_rest(*p.store),
                      open311::seal_at_rest(*p.store), ledger::seal_at_rest(*p.store),
                      grid::seal_at_rest(*p.store), ai::seal_at_rest(*p.store),
                      participation::seal_at_rest(*p.store)}) {
    if (!sealed) throw std::runtime_error("sealing personal data: " + sealed.error().message_en);
    if (*sealed > 0) {
      std::fprintf(stderr, "yiwang: sealed %lld personal values stored in the clear\n",
                   static_cast<long long>(*sealed));
    }
  }
  p.catalog = std::make_unique<catalog::Service>(*p.store, *p.clock);
  p.certificates = std::make_unique<certificates::Service>(*p.store, *p.clock, p.random, *p.catalog,
                                                           *p.identity, p.config.public_base_url);
  cases::Options case_options;
  case_options.files_dir = p.config.data_dir;
  case_options.certificate_check = certificate_check(*p.certificates);
  // Photos of appeals and grid events are read by whoever may see the appeal or the event. The
  // services are built below; the hook runs only for requests, after construction.
  case_options.file_access = [&p](store::Tx& tx, std::string_view sha256,
                                  const identity::Principal& by) {
    return p.appeals->may_see_photo(tx, sha256, by) || p.grid->may_see_photo(tx, sha256, by);
  };
  p.cases = std::make_unique<cases::Service>(*p.store, *p.clock, p.random, *p.catalog, *p.identity,
                                             case_options);
  refresh_popularity(*p.cases, *p.catalog);
  // A person whose identity is verified finds the cases a window filed for them under theirs.
  p.identity->on_verified([&p](store::Tx& tx, const identity::Principal& user) {
    return cases::link_window_cases(tx, *p.clock, user);
  });
  // The grid service is built below; the finder runs only for requests, after construction.
  p.certificates->set_need_checks(
      certificate_matter_check(p.config.hotline_dept,
                               [&p](store::Tx& tx, std::string_view id) {
                                 return p.grid->find(tx, id);
                               }),
      certificate_use_notice(p.random, *p.clock));
  if (!p.config.sms_outbox.empty()) {
    p.sms = std::make_unique<OutboxSms>(p.config.sms_outbox, *p.clock);
    p.identity->set_sms_sender(p.sms.get());
  }
  p.ledger = std::make_unique<ledger::Log>(*p.store, *p.clock, ledger_options(p.config));
  p.ledger_follower =
      std::make_unique<ledger::Follower>(*p.ledger, *p.store, party_resolver(*p.certificates));
  p.certificate_issuer =
      std::make_unique<certificates::CaseIssuer>(*p.certificates, *p.store, case_resolver());
  p.assistant = std::make_unique<assistant::Service>(*p.store, *p.clock, p.random, *p.catalog);
  p.appeals = std::make_unique<appeals::Service>(*p.store, *p.clock, p.random, *p.identity,
                                                 appeals_options(p.config, *p.cases));
  p.ai = std::make_unique<ai::Service>(*p.store, *p.clock, p.random, ai_options(p.config));
  p.grid = std::make_unique<grid::Service>(*p.store, *p.clock, p.random, *p.identity,
                                           grid_options(p.config, *p.cases));
  p.iot = std::make_unique<iot::Service>(*p.store, *p.clock, p.random, *p.identity, *p.grid,
                                         iot_options(p.config));
  p.participation =
      std::make_unique<participation::Service>(*p.store, *p.clock, p.random, *p.identity);
  p.open311 =
      std::make_unique<open311::Service>(*p.store, *p.clock, p.random, *p.grid, *p.identity);
  p.disclosure = std::make_unique<disclosure::Service>(*p.store, *p.clock);
  p.city_link = std::make_unique<CityLink>(*p.store, *p.appeals, *p.grid);
  p.review_notices = std::make_unique<ReviewNotices>(*p.store, p.random, *p.clock);
  p.notifier = std::make_unique<notify::Notifier>(
      *p.store, notice_recipients(*p.certificates, *p.grid), notice_post(p.random, *p.clock));
  p.appeal_dispatcher =
      std::make_unique<appeals::AutoDispatcher>(*p.appeals, *p.store, appeal_classifier(*p.ai));
  p.audit_sealer = std::make_unique<audit::Sealer>(*p.store);
  // Public texts from before the publication review: what the redaction holds waits for review.
  for (auto held : {appeals::hold_public_texts(*p.store, *p.clock), p.open311->hold_public_texts(),
                    p.participation->hold_public_texts()}) {
    if (!held) throw std::runtime_error("holding public texts: " + held.error().message_en);
    if (*held > 0) {
      std::fprintf(stderr, "yiwang: %lld public texts held for publication review\n",
                   static_cast<long long>(*held));
    }
  }

  add_platform_routes(p.router, *p.store, *p.identity);
  identity::register_routes(p.router, *p.identity);
  catalog::register_routes(p.router, *p.catalog, *p.identity);
  cases::register_routes(p.router, *p.cases, *p.identity);
  audit::register_routes(p.router, *p.store, *p.clock, *p.identity);
  certificates::register_routes(p.router, *p.certificates, *p.identity);
  ledger::register_routes(p.router, *p.ledger, *p.ledger_follower, *p.identity,
                          receipt_access(*p.cases, *p.certificates, *p.appeals));
  ledger::register_web_routes(p.router);
  assistant::register_routes(p.router, *p.assistant, *p.identity);
  appeals::register_routes(p.router, *p.appeals, *p.identity);
  appeals::HotOptions hot_options;
  hot_options.hotline_dept_id = p.config.hotline_dept;
  appeals::register_hot_issue_routes(p.router, *p.store, *p.clock, *p.identity, hot_options);
  ai::register_routes(p.router, *p.ai, *p.identity);
  grid::register_routes(p.router, *p.grid, *p.identity);
  open311::register_routes(p.router, *p.open311, *p.identity);
  iot::register_routes(p.router, *p.iot, *p.identity);
  participation::register_routes(p.router, *p.participation, *p.identity);
  disclosure::register_routes(p.router, *p.disclosure, *p.identity);
  add_web_app(p.router, p.config.web_root);
}

namespace {

// Polls `follower` until it has nothing left.
template <class Follower>
Status drain(Follower& follower) {
  for (;;) {
    auto read = follower.poll_once();
    if (!read) return fail(read.error());
    if (*read == 0) return {};
  }
}

}  // namespace

Status App::catch_up() {
  auto& p = *parts_;
  // Followers that write events come before the ledger, which then logs what they wrote: AI
  // dispatch (an appeal it sends to the grid centre becomes a grid event through the 12345
  // link), the link, and certificate issuance on completed cases.
  if (auto s = drain(*p.appeal_dispatcher); !s) return s;
  if (auto s = drain(*p.city_link); !s) return s;
  if (auto s = drain(*p.review_notices); !s) return s;
  if (auto s = drain(*p.certificate_issuer); !s) return s;
  // After certificate issuance, so that an issued certificate's notice goes out too.
  if (auto s = drain(*p.notifier); !s) return s;
  if (auto s = drain(*p.ledger_follower); !s) return s;
  if (auto size = p.ledger->integrate(); !size) return fail(size.error());
  if (auto s = drain(*p.assistant); !s) return s;
  if (auto s = drain(*p.audit_sealer); !s) return s;
  // The chain's head goes to the ledger now, as the server's loop does every kAnchorEveryMs.
  if (auto a = audit::anchor(*p.store, *p.clock, 0); !a) return fail(a.error());
  if (auto s = drain(*p.ledger_follower); !s) return s;
  if (auto size = p.ledger->integrate(); !size) return fail(size.error());
  return drain(*p.audit_sealer);
}

void App::check_audit_trail() {
  auto& p = *parts_;
  auto result = audit::check(*p.store, *p.clock);
  if (!result) {
    std::fprintf(stderr, "audit trail check failed: %s\n", result.error().message_en.c_str());
    return;
  }
  if (result->verified) {
    std::fprintf(stderr, "audit trail: %lld sealed events verified (%lld not yet sealed)\n",
                 static_cast<long long>(result->events), static_cast<long long>(result->unsealed));
  } else {
    std::fprintf(stderr, "SECURITY: the audit trail's hash chain is broken at event %lld: %s\n",
                 static_cast<long long>(*result->broken_at), result->problem.c_str());
    if (auto s = audit::report_broken(*p.store, *p.clock, *result); !s) {
      std::fprintf(stderr, "audit trail: %s\n", s.error().message_en.c_str());
    }
  }
}

App::~App() = default;

Status App::serve() {
  auto& p = *parts_;
  http::ServerOptions options;
  options.address = p.config.address;
  options.port = p.config.port;
  options.io_threads = p.config.io_threads;
  options.worker_threads = p.config.worker_threads;
  options.access_log_path = p.config.access_log;
  options.inline_reads = p.store->dialect() == store::Dialect::sqlite;
  options.handle_signals = true;
  http::Server server(p.router, options);
  std::unique_ptr<cases::SupervisionLoop> supervision;
  if (p.config.supervision_interval_s > 0) {
    supervision = std::make_unique<cases::SupervisionLoop>(
        *p.cases, std::chrono::seconds(p.config.supervision_interval_s));
  }
  // The event-stream followers: the ledger's sequencer (entries, then a signed checkpoint every
  // interval) and certificate issuance on completed cases (and expiry).
  std::unique_ptr<ledger::Sequencer> sequencer;
  std::jthread certificates;
  std::jthread stream_followers;
  if (p.config.run_followers) {
    sequencer = std::make_unique<ledger::Sequencer>(
        *p.ledger, p.ledger_follower.get(),
        std::chrono::milliseconds(p.config.checkpoint_interval_ms));
    certificates = std::jthread([this](std::stop_token stop) { issue_certificates(stop); });
    // The assistant's index follows item and document changes (also by other processes), AI
    // dispatch follows appeal intake, the 12345 link follows dispatches and grid closures, the
    // review notices follow texts held for publication review, and the notices tell people of
    // what happened to their matters.
    // They rest only when all are caught up, so a burst of appeals is dispatched at full speed.
    stream_followers = std::jthread([&p](std::stop_token stop) {
      std::mutex mu;
      std::condition_variable_any wake;
      std::map<std::string, store::FailureStreak> failures;  // this thread's own
      auto poll = [&failures](const char* name, Result<int> n) {
        if (n) {
          failures[name].succeeded();
        } else if (failures[name].report(n.error())) {
          std::fprintf(stderr, "%s: %s\n", name, n.error().message_en.c_str());
        }
        return n && *n > 0;
      };
      auto popularity_at = std::chrono::steady_clock::now();
      while (!stop.stop_requested()) {
        if (std::chrono::steady_clock::now() >= popularity_at) {
          refresh_popularity(*p.cases, *p.catalog);
          popularity_at += std::chrono::seconds(kPopularityEveryS);
        }
        bool busy = poll("assistant index", p.assistant->poll_once());
        busy = poll("audit chain", p.audit_sealer->poll_once()) || busy;
        if (auto a = audit::anchor(*p.store, *p.clock, audit::kAnchorEveryMs); !a) {
          std::fprintf(stderr, "audit anchor: %s\n", a.error().message_en.c_str());
        }
        busy = poll("appeal dispatch", p.appeal_dispatcher->poll_once()) || busy;
        busy = poll("12345 link", p.city_link->poll_once()) || busy;
        busy = poll("review notices", p.review_notices->poll_once()) || busy;
        busy = poll("notices", p.notifier->poll_once()) || busy;
        if (busy) continue;
        std::unique_lock lock(mu);
        wake.wait_for(lock, stop, std::chrono::milliseconds(500), [] { return false; });
      }
    });
  }
  // The audit trail's chain is checked at every start, beside serving (it reads the whole trail).
  std::jthread audit_check([this] { check_audit_trail(); });
  if (!p.config.mqtt.empty()) {
    // An unreachable broker is retried in the background; only bad options fail here.
    if (auto s = p.iot->start(); !s) return s;
  }
  server.start();
  server.run_until_signal();
  p.iot->stop();
  return {};
}

void App::issue_certificates(std::stop_token stop) {
  auto& p = *parts_;
  std::mutex mu;
  std::condition_variable_any wake;
  const auto interval = std::chrono::milliseconds(std::max(50, p.config.checkpoint_interval_ms));
  auto next_expiry = std::chrono::steady_clock::now();
  store::FailureStreak failures;
  while (!stop.stop_requested()) {
    for (;;) {
      auto issued = p.certificate_issuer->poll_once();
      if (issued) {
        failures.succeeded();
      } else if (failures.report(issued.error())) {
        std::fprintf(stderr, "certificate issuance: %s\n", issued.error().message_en.c_str());
      }
      if (!issued || *issued == 0) break;
    }
    if (std::chrono::steady_clock::now() >= next_expiry) {
      if (auto n = p.certificates->expire_due(); !n) {
        std::fprintf(stderr, "certificate expiry: %s\n", n.error().message_en.c_str());
      }
      next_expiry = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    }
    std::unique_lock lock(mu);
    wake.wait_for(lock, stop, interval, [] { return false; });
  }
}

appeals::Service& App::appeals() {
  return *parts_->appeals;
}
ai::Service& App::ai() {
  return *parts_->ai;
}
grid::Service& App::grid() {
  return *parts_->grid;
}
participation::Service& App::participation() {
  return *parts_->participation;
}
iot::Service& App::iot() {
  return *parts_->iot;
}
const Config& App::config() const {
  return parts_->config;
}
http::Router& App::router() {
  return parts_->router;
}
store::Store& App::store() {
  return *parts_->store;
}
const core::Clock& App::clock() {
  return *parts_->clock;
}
core::Random& App::random() {
  return parts_->random;
}
identity::Service& App::identity() {
  return *parts_->identity;
}
catalog::Service& App::catalog() {
  return *parts_->catalog;
}
cases::Service& App::cases() {
  return *parts_->cases;
}
ledger::Log& App::ledger() {
  return *parts_->ledger;
}
ledger::Follower& App::ledger_follower() {
  return *parts_->ledger_follower;
}
certificates::Service& App::certificates() {
  return *parts_->certificates;
}
certificates::CaseIssuer& App::certificate_issuer() {
  return *parts_->certificate_issuer;
}
assistant::Service& App::assistant() {
  return *parts_->assistant;
}

std::string App::ai_models_dir() const {
  return ai_options(parts_->config).models_dir;
}

}  // namespace yiwang::app
