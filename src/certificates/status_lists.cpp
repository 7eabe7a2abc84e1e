// Issuer keys, token status lists and issuer metadata: what verifiers outside the platform fetch.
#include <nlohmann/json.hpp>

#include "certificates/internal.h"

namespace yiwang::certificates {

namespace {

using Json = nlohmann::json;

constexpr std::int64_t kStatusListCapacity = 100000;
constexpr std::int64_t kStatusListTtlS = 300;

CredentialStatus credential_status(const std::string& stored) {
  return stored == "valid"       ? CredentialStatus::valid
         : stored == "suspended" ? CredentialStatus::suspended
                                 : CredentialStatus::invalid;  // revoked, expired
}

}  // namespace

// ---- Keys --------------------------------------------------------------------------------------

SigningKey Service::Impl::parsed(const std::string& pem) {
  core::MutexLock lock(mu);
  auto it = keys.find(pem);
  if (it != keys.end()) return it->second;
  auto k = load_signing_key(pem);
  if (!k) throw store::StoreError("certificates: stored issuer key does not load");
  keys.emplace(pem, *k);
  return *k;
}

std::optional<SigningKey> Service::Impl::current_key(store::Tx& tx, std::string_view dept) {
  auto row = tx.query_one(
      "SELECT private_pem FROM issuer_keys WHERE dept_id = ? AND active = 1 "
      "ORDER BY created_at_ms DESC, kid LIMIT 1",
      {std::string(dept)});
  if (!row) return std::nullopt;
  return parsed(row->text(0));
}

SigningKey Service::Impl::key_for_issuing(store::Tx& tx, std::string_view dept) {
  if (auto k = current_key(tx, dept)) return *k;
  SigningKey k = generate_signing_key();
  tx.exec(
      "INSERT INTO issuer_keys (kid, dept_id, private_pem, public_jwk, active, created_at_ms) "
      "VALUES (?, ?, ?, ?, 1, ?)",
      {k.kid, std::string(dept), k.private_pem, k.public_jwk_json, clock.now_ms()});
  return k;
}

std::vector<std::string> Service::Impl::jwks(store::Tx& tx, std::string_view dept) {
  std::vector<std::string> out;
  for (const auto& r :
       tx.query("SELECT public_jwk FROM issuer_keys WHERE dept_id = ? ORDER BY created_at_ms, kid",
                {std::string(dept)})) {
    out.push_back(r.text(0));
  }
  return out;
}

// ---- Status lists
// --------------------------------------------------------------------------------

std::pair<std::string, std::int64_t> Service::Impl::status_slot(store::Tx& tx,
                                                                std::string_view dept) {
  auto row = tx.query_one(
      "SELECT id, next_index, capacity FROM status_lists WHERE dept_id = ? "
      "ORDER BY created_at_ms DESC, id DESC LIMIT 1",
      {std::string(dept)});
  std::string id;
  std::int64_t index = 0;
  if (row && row->int64(1) < row->int64(2)) {
    id = row->text(0);
    index = row->int64(1);
  } else {
    auto count =
        tx.query_one("SELECT COUNT(*) FROM status_lists WHERE dept_id = ?", {std::string(dept)});
    id = std::string(dept) + "-" + std::to_string((count ? count->int64(0) : 0) + 1);
    tx.exec(
        "INSERT INTO status_lists (id, dept_id, next_index, capacity, revision, created_at_ms) "
        "VALUES (?, ?, 0, ?, 0, ?)",
        {id, std::string(dept), kStatusListCapacity, clock.now_ms()});
  }
  tx.exec(
      "UPDATE status_lists SET next_index = next_index + 1, revision = revision + 1 WHERE id = ?",
      {id});
  return {id, index};
}

void Service::Impl::bump_list(store::Tx& tx, const std::string& list_id) {
  tx.exec("UPDATE status_lists SET revision = revision + 1 WHERE id = ?", {list_id});
}

std::optional<std::string> Service::Impl::cached_list(const std::string& id, std::int64_t revision,
                                                      core::Millis now) {
  core::MutexLock lock(mu);
  auto it = lists.find(id);
  // Re-signed well before its ttl runs out, and at once after any change.
  if (it != lists.end() && it->second.revision == revision &&
      now - it->second.signed_at_ms < kStatusListTtlS * 1000 / 2) {
    return it->second.jwt;
  }
  return std::nullopt;
}

void Service::Impl::keep_list(const std::string& id, std::int64_t revision, core::Millis now,
                              const std::string& jwt) {
  core::MutexLock lock(mu);
  auto& slot = lists[id];
  if (slot.revision <= revision) slot = {revision, now, jwt};
}

Result<std::string> Service::status_list(std::string_view id_view) {
  Impl& m = *impl_;
  const core::Millis now = m.clock.now_ms();
  const std::string id(id_view);
  return m.store.read([&](store::Tx& tx) -> Result<std::string> {
    auto list =
        tx.query_one("SELECT dept_id, next_index, revision FROM status_lists WHERE id = ?", {id});
    if (!list) return fail(ErrorCode::not_found, "", "状态列表不存在", "status list not found");
    const std::int64_t revision = list->int64(2);
    if (auto jwt = m.cached_list(id, revision, now)) return std::move(*jwt);
    auto key = m.current_key(tx, list->text(0));
    if (!key) return fail(ErrorCode::internal, "", "缺少签名密钥", "issuer key missing");
    std::vector<CredentialStatus> statuses(static_cast<std::size_t>(list->int64(1)),
                                           CredentialStatus::valid);
    for (const auto& r :
         tx.query("SELECT status_index, status FROM certificates WHERE status_list_id = ?", {id})) {
      auto idx = static_cast<std::size_t>(r.int64(0));
      if (idx >= statuses.size()) statuses.resize(idx + 1, CredentialStatus::valid);
      statuses[idx] = credential_status(r.text(1));
    }
    std::string jwt = status_list_jwt(m.list_uri(id), statuses, now / 1000, kStatusListTtlS, *key);
    m.keep_list(id, revision, now, jwt);
    return jwt;
  });
}

// ---- Issuer metadata
// -----------------------------------------------------------------------------

Result<std::string> Service::issuer_metadata_json(std::string_view dept_id) {
  Impl& m = *impl_;
  return m.store.read([&](store::Tx& tx) -> Result<std::string> {
    if (!tx.query_one("SELECT 1 FROM departments WHERE id = ?", {std::string(dept_id)}))
      return fail(ErrorCode::not_found, "", "签发者不存在", "issuer not found");
    Json keys = Json::array();
    for (const auto& k : m.jwks(tx, dept_id)) keys.push_back(Json::parse(k));
    return Json{{"issuer", m.issuer(dept_id)}, {"jwks", {{"keys", keys}}}}.dump();
  });
}

std::string Service::issuer_metadata_json() {
  Impl& m = *impl_;
  auto r = m.store.read([&](store::Tx& tx) -> Result<std::string> {
    Json keys = Json::array();
    for (const auto& row :
         tx.query("SELECT public_jwk FROM issuer_keys ORDER BY dept_id, created_at_ms, kid")) {
      keys.push_back(Json::parse(row.text(0)));
    }
    return Json{{"issuer", m.base}, {"jwks", {{"keys", keys}}}}.dump();
  });
  if (!r) throw store::StoreError("certificates: " + r.error().message_en);
  return *r;
}

}  // namespace yiwang::certificates
