#include "ledger/verifier.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "http/client.h"
#include "http/http.h"
#include "ledger/tiles.h"

namespace yiwang::generated {
extern const char* const ledger_verify_html;
extern const char* const ledger_verify_js;
}  // namespace yiwang::generated

namespace yiwang::ledger {
namespace {

using Json = nlohmann::json;

tl::unexpected<Error> failure(std::string kind, std::string zh, std::string en) {
  // Expected verification failures are not bugs; invalid_input keeps them out of "internal".
  return fail(ErrorCode::invalid_input, std::move(kind), std::move(zh), std::move(en));
}

std::optional<std::string> base64_decode(std::string_view text) {
  return core::decode_base64(text);
}

std::string short_hash(const Hash& h) {
  return to_base64(h);
}

Result<std::vector<Hash>> parse_proof(const Json& body, const char* kind) {
  if (!body.is_object() || !body.contains("proof") || !body["proof"].is_array())
    return failure(kind, "证明格式错误：缺少 proof 数组", "malformed proof: no proof array");
  std::vector<Hash> proof;
  for (const auto& p : body["proof"]) {
    if (!p.is_string())
      return failure(kind, "证明格式错误：哈希不是字符串", "malformed proof: hash is not a string");
    auto h = hash_from_base64(p.get<std::string>());
    if (!h) return failure(kind, "证明格式错误：哈希无效", "malformed proof: bad hash");
    proof.push_back(*h);
  }
  return proof;
}

Result<Json> parse_json(const std::string& body, const char* kind) {
  auto j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return failure(kind, "服务器返回的不是 JSON 对象", "the server did not answer a JSON object");
  return j;
}

}  // namespace

Result<Endpoint> parse_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (url.substr(0, scheme.size()) != scheme)
    return fail(ErrorCode::invalid_input, "url", "地址须以 http:// 开头",
                "the URL must start with http:// (https is not supported by this client)");
  std::string_view rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    if (rest.substr(slash).find_first_not_of('/') != std::string_view::npos)
      return fail(ErrorCode::invalid_input, "url", "地址不能包含路径",
                  "the URL must not have a path: give the server root");
    rest = rest.substr(0, slash);
  }
  Endpoint e;
  std::string_view host = rest;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:8080
    auto close = rest.find(']');
    if (close == std::string_view::npos)
      return fail(ErrorCode::invalid_input, "url", "地址格式错误", "malformed URL host");
    host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest.front() != ':')
      return fail(ErrorCode::invalid_input, "url", "地址格式错误", "malformed URL host");
  } else {
    auto colon = rest.rfind(':');
    host = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon);
  }
  if (host.empty())
    return fail(ErrorCode::invalid_input, "url", "地址缺少主机名", "URL has no host");
  e.host = std::string(host);
  if (!rest.empty()) {
    std::string port(rest.substr(1));
    char* end = nullptr;
    long p = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || p < 1 || p > 65535)
      return fail(ErrorCode::invalid_input, "url", "端口无效", "invalid port in URL");
    e.port = static_cast<unsigned short>(p);
  }
  return e;
}

// ---- state file ------------------------------------------------------------------------------

namespace {
constexpr std::string_view kStateMagic = "yiwang-ledger-state v1\n";
}

Result<std::optional<TrustState>> load_state(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return std::optional<TrustState>{};
    return failure("state", "无法读取状态文件 " + path, "cannot read state file " + path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto bad = [&] {
    return failure("state", "状态文件已损坏：" + path, "corrupt state file " + path);
  };
  if (text.compare(0, kStateMagic.size(), kStateMagic) != 0) return bad();
  std::size_t pos = kStateMagic.size();
  auto eol = text.find('\n', pos);
  if (eol == std::string::npos || text.compare(pos, 4, "key ") != 0) return bad();
  TrustState state;
  state.verifier_key = text.substr(pos + 4, eol - pos - 4);
  auto cp = parse_checkpoint_body(std::string_view(text).substr(eol + 1));
  if (!cp) return bad();
  state.checkpoint = std::move(*cp);
  return std::optional<TrustState>(std::move(state));
}

Status save_state(const std::string& path, const TrustState& state) {
  namespace fs = std::filesystem;
  fs::path p(path);
  std::error_code ec;
  if (p.has_parent_path() && !fs::exists(p.parent_path())) {
    fs::create_directories(p.parent_path(), ec);
    if (!ec) ::chmod(p.parent_path().c_str(), 0700);
  }
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << kStateMagic << "key " << state.verifier_key << "\n" << checkpoint_body(state.checkpoint);
    out.flush();
    if (!out)
      return failure("state", "无法写入状态文件 " + path, "cannot write state file " + path);
  }
  fs::rename(tmp, p, ec);
  if (ec) return failure("state", "无法写入状态文件 " + path, "cannot write state file " + path);
  return {};
}

std::string default_state_path(std::string_view prefix, std::string_view origin) {
  std::string safe;
  for (char c : origin)
    safe +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
  const char* home = std::getenv("HOME");
  std::filesystem::path dir = home && *home ? std::filesystem::path(home) : ".";
  return (dir / ".yiwang" / (std::string(prefix) + "-" + safe + ".state")).string();
}

// ---- client ----------------------------------------------------------------------------------

LedgerClient::LedgerClient(const Endpoint& endpoint)
    : client_(std::make_unique<http::Client>(endpoint.host, endpoint.port)) {}
LedgerClient::~LedgerClient() = default;

Result<std::string> LedgerClient::get(const std::string& target, const char* what) {
  auto r = client_->request("GET", target);
  if (!r)
    return failure("network", "无法连接账本服务器：" + r.error().message_zh,
                   "cannot reach the ledger: " + r.error().message_en);
  if (r->status != 200)
    return failure("network",
                   std::string("获取") + what + "失败：HTTP " + std::to_string(r->status),
                   std::string("fetching ") + what + " failed: HTTP " + std::to_string(r->status) +
                       " for " + target);
  return std::move(r->body);
}

Result<std::string> LedgerClient::checkpoint_note() {
  return get("/ledger/checkpoint", "checkpoint");
}

Result<std::string> LedgerClient::published_key() {
  auto body = get("/api/v1/ledger/key", "key");
  if (!body) return fail(body.error());
  auto j = parse_json(*body, "key");
  if (!j) return fail(j.error());
  if (!j->contains("verifier_key") || !(*j)["verifier_key"].is_string())
    return failure("key", "密钥响应缺少 verifier_key", "key response has no verifier_key");
  return (*j)["verifier_key"].get<std::string>();
}

Result<std::string> LedgerClient::entry(std::int64_t index, Hash* server_leaf_hash) {
  auto body = get("/api/v1/ledger/entries/" + std::to_string(index), "entry");
  if (!body) return fail(body.error());
  auto j = parse_json(*body, "entry");
  if (!j) return fail(j.error());
  auto malformed = [&] {
    return failure("entry", "条目 " + std::to_string(index) + " 的响应格式错误",
                   "malformed response for entry " + std::to_string(index));
  };
  if (!j->contains("entry") || !(*j)["entry"].is_string()) return malformed();
  if (j->contains("index") &&
      (!(*j)["index"].is_number_integer() || (*j)["index"].get<std::int64_t>() != index))
    return failure("entry", "服务器返回了错误的条目序号",
                   "the server answered another entry index");
  auto data = base64_decode((*j)["entry"].get<std::string>());
  if (!data) return malformed();
  if (server_leaf_hash) {
    if (!j->contains("leaf_hash") || !(*j)["leaf_hash"].is_string()) return malformed();
    auto h = hash_from_base64((*j)["leaf_hash"].get<std::string>());
    if (!h) return malformed();
    *server_leaf_hash = *h;
  }
  return std::move(*data);
}

Result<std::vector<Hash>> LedgerClient::inclusion(std::int64_t index, std::int64_t size) {
  auto body = get("/api/v1/ledger/proof/inclusion?index=" + std::to_string(index) +
                      "&size=" + std::to_string(size),
                  "inclusion proof");
  if (!body) return fail(body.error());
  auto j = parse_json(*body, "inclusion");
  if (!j) return fail(j.error());
  return parse_proof(*j, "inclusion");
}

Result<std::vector<Hash>> LedgerClient::consistency(std::int64_t old_size, std::int64_t new_size) {
  auto body = get("/api/v1/ledger/proof/consistency?old=" + std::to_string(old_size) +
                      "&new=" + std::to_string(new_size),
                  "consistency proof");
  if (!body) return fail(body.error());
  auto j = parse_json(*body, "fork");
  if (!j) return fail(j.error());
  return parse_proof(*j, "fork");
}

Result<std::string> LedgerClient::tile(const std::string& path) {
  return get("/ledger/" + path, "tile");
}

Status LedgerClient::post_cosignature(const std::string& note) {
  auto r = client_->request("POST", "/api/v1/ledger/cosignatures", note,
                            {{"Content-Type", "text/plain; charset=utf-8"}});
  if (!r)
    return failure("network", "无法连接账本服务器：" + r.error().message_zh,
                   "cannot reach the ledger: " + r.error().message_en);
  if (r->status != 204 && r->status != 200) {
    // Problem bodies say why in "detail"; anything else is shown cut short.
    auto j = Json::parse(r->body, nullptr, false);
    std::string why = j.is_object() && j.contains("detail") && j["detail"].is_string()
                          ? j["detail"].get<std::string>()
                          : r->body.substr(0, 200);
    return failure(
        "network", "账本拒绝了见证签名：HTTP " + std::to_string(r->status),
        "the ledger refused the cosignature: HTTP " + std::to_string(r->status) + ": " + why);
  }
  return {};
}

// ---- checks ----------------------------------------------------------------------------------

Status check_consistency(LedgerClient& log, const Checkpoint& prev, const Checkpoint& next) {
  if (prev.origin != next.origin)
    return failure("origin", "账本名称变化：" + prev.origin + " → " + next.origin,
                   "origin changed: " + prev.origin + " -> " + next.origin);
  if (next.size < prev.size)
    return failure(
        "rollback",
        "回滚：树大小 " + std::to_string(next.size) + " 小于上次所见 " + std::to_string(prev.size),
        "rollback: size " + std::to_string(next.size) + " < last seen " +
            std::to_string(prev.size));
  if (next.size == prev.size) {
    if (next.root != prev.root)
      return failure("fork", "分叉：同一大小 " + std::to_string(next.size) + " 的根哈希不同",
                     "fork: size " + std::to_string(next.size) + " has root " +
                         short_hash(next.root) + " but last seen root " + short_hash(prev.root));
    return {};
  }
  if (prev.size == 0) return {};  // the empty tree is a prefix of every tree
  auto proof = log.consistency(prev.size, next.size);
  if (!proof) return fail(proof.error());
  if (!verify_consistency(prev.size, next.size, prev.root, next.root, *proof))
    return failure("fork",
                   "分叉：大小 " + std::to_string(prev.size) + " 与 " + std::to_string(next.size) +
                       " 的一致性证明无效",
                   "fork: consistency proof from size " + std::to_string(prev.size) + " to " +
                       std::to_string(next.size) + " does not verify");
  return {};
}

Status check_inclusion(LedgerClient& log, const Checkpoint& checkpoint, std::int64_t index) {
  std::string i = std::to_string(index);
  if (index < 0 || index >= checkpoint.size)
    return failure(
        "entry", "条目 " + i + " 不在大小为 " + std::to_string(checkpoint.size) + " 的检查点中",
        "entry " + i + " is not in the checkpoint of size " + std::to_string(checkpoint.size));
  Hash claimed{};
  auto data = log.entry(index, &claimed);
  if (!data) return fail(data.error());
  Hash leaf = leaf_hash(*data);
  if (leaf != claimed)
    return failure("entry", "条目 " + i + " 被篡改：内容的哈希与服务器声称的叶哈希不符",
                   "altered entry " + i + ": its bytes hash to " + short_hash(leaf) +
                       ", the server claims leaf hash " + short_hash(claimed));
  auto proof = log.inclusion(index, checkpoint.size);
  if (!proof) return fail(proof.error());
  if (!verify_inclusion(leaf, index, checkpoint.size, *proof, checkpoint.root))
    return failure("inclusion", "条目 " + i + " 的包含证明不能对应检查点根哈希",
                   "inclusion: entry " + i + " does not verify against the root of size " +
                       std::to_string(checkpoint.size));
  return {};
}

Status check_full_tree(LedgerClient& log, const Checkpoint& checkpoint) {
  Edge edge;
  std::int64_t n = 0;
  for (std::int64_t tile = 0; n < checkpoint.size; ++tile) {
    TileRef ref;
    ref.entries = true;
    ref.index = tile;
    std::int64_t left = checkpoint.size - n;
    ref.width = left >= kTileWidth ? kTileWidth : static_cast<int>(left);
    auto bundle = log.tile(tile_path(ref));
    if (!bundle) return fail(bundle.error());
    auto entries = decode_entry_bundle(*bundle);
    if (!entries || static_cast<int>(entries->size()) != ref.width)
      return failure("full", "条目包 " + tile_path(ref) + " 格式错误",
                     "malformed entry bundle " + tile_path(ref));
    std::vector<Hash> leaves;
    leaves.reserve(entries->size());
    for (const auto& e : *entries) leaves.push_back(leaf_hash(e));
    integrate(edge, leaves);
    n += ref.width;
  }
  Hash root = root_of(edge);
  if (root != checkpoint.root)
    return failure("full", "由全部条目重算的根哈希与检查点不符",
                   "full: the tree rebuilt from all " + std::to_string(checkpoint.size) +
                       " entries has root " + short_hash(root) + ", the checkpoint says " +
                       short_hash(checkpoint.root));
  return {};
}

Result<VerifyReport> verify(const VerifyOptions& options) {
  auto endpoint = parse_url(options.url);
  if (!endpoint) return fail(endpoint.error());
  LedgerClient log(*endpoint);
  VerifyReport report;

  auto note_text = log.checkpoint_note();
  if (!note_text) return fail(note_text.error());
  auto note = parse_note(*note_text);
  if (!note)
    return failure("signature", "检查点不是有效的签名文档", "the checkpoint is not a signed note");
  auto checkpoint = parse_checkpoint_body(note->text);
  if (!checkpoint) return failure("signature", "检查点正文格式错误", "malformed checkpoint body");
  report.checkpoint = *checkpoint;

  report.state_file = options.state_file.empty() ? default_state_path("ledger", checkpoint->origin)
                                                 : options.state_file;
  auto state = load_state(report.state_file);
  if (!state) return fail(state.error());

  // Which key to trust: the one given, else the pinned one, else the published one (TOFU).
  std::string key = options.verifier_key;
  if (key.empty() && *state) {
    key = (*state)->verifier_key;
    auto published = log.published_key();
    if (!published) return fail(published.error());
    if (*published != key)
      return failure("key", "账本公钥已变化：现公布 " + *published + "，本地信任 " + key,
                     "key changed: the log now publishes " + *published +
                         " but the state file trusts " + key +
                         " (check the new key out of band, then pass it with --key)");
  } else if (key.empty()) {
    auto published = log.published_key();
    if (!published) return fail(published.error());
    key = *published;
    report.key_pinned_now = true;
    report.notes.push_back("trust on first use: pinned log key " + key);
  } else if (*state && (*state)->verifier_key != key) {
    return failure("key", "给定公钥与状态文件中信任的公钥不同",
                   "key changed: --key differs from the key pinned in " + report.state_file + " (" +
                       (*state)->verifier_key + "); remove the state file to re-pin");
  }
  report.verifier_key = key;
  auto verifier = parse_verifier_key(key);
  if (!verifier) return failure("key", "公钥格式错误：" + key, "malformed verifier key: " + key);
  if (auto ok = verify_note(*note_text, *verifier); !ok)
    return failure("signature", "检查点签名无效：" + ok.error().message_zh,
                   "signature: the checkpoint is not validly signed by " + verifier->name + ": " +
                       ok.error().message_en);
  report.notes.push_back("checkpoint " + checkpoint->origin + " size " +
                         std::to_string(checkpoint->size) + " root " +
                         short_hash(checkpoint->root) + ": signature ok");

  if (*state) {
    report.previous = (*state)->checkpoint;
    if (auto ok = check_consistency(log, (*state)->checkpoint, *checkpoint); !ok)
      return fail(ok.error());
    report.notes.push_back("consistent with last seen size " +
                           std::to_string((*state)->checkpoint.size));
  }
  for (auto index : options.entries) {
    if (auto ok = check_inclusion(log, *checkpoint, index); !ok) return fail(ok.error());
    report.notes.push_back("entry " + std::to_string(index) + ": included");
  }
  if (options.full) {
    if (auto ok = check_full_tree(log, *checkpoint); !ok) return fail(ok.error());
    report.notes.push_back("full tree of " + std::to_string(checkpoint->size) +
                           " entries rebuilt: root matches");
  }
  if (auto ok = save_state(report.state_file, TrustState{key, *checkpoint}); !ok)
    return fail(ok.error());
  return report;
}

// ---- the public verification page -----------------------------------------------------------

void register_web_routes(http::Router& router) {
  // Everything the page does is same-origin; inline styles only (no inline script).
  router.add_asset("/verify", generated::ledger_verify_html, "text/html; charset=utf-8");
  router.add_asset("/verify/app.js", generated::ledger_verify_js, "text/javascript; charset=utf-8");
}

}  // namespace yiwang::ledger
