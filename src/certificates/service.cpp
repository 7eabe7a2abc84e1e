// The certificate library: types, issuance, lifecycle, wallet, presentations, 用证, status lists.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "certificates/certificates.h"
#include "certificates/internal.h"
#include "events/events.h"

namespace yiwang::generated {
std::vector<store::Migration> certificates_migrations();
}

namespace yiwang::certificates {

std::vector<store::Migration> migrations() {
  return generated::certificates_migrations();
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::valid:
      return "valid";
    case Status::suspended:
      return "suspended";
    case Status::revoked:
      return "revoked";
    case Status::expired:
      return "expired";
  }
  return "valid";
}

std::optional<Status> parse_status(std::string_view s) {
  for (Status v : {Status::valid, Status::suspended, Status::revoked, Status::expired}) {
    if (to_string(v) == s) return v;
  }
  return std::nullopt;
}

namespace {

using Json = nlohmann::json;

constexpr std::int64_t kStatusListCapacity = 100000;
constexpr std::int64_t kStatusListTtlS = 300;
constexpr core::Millis kAnnotatedCopyValidityMs = 30 * core::kDayMs;

// Claim names every credential carries; type-specific data may not reuse them.
const std::vector<std::string>& standard_claims() {
  static const std::vector<std::string> names = {
      "name",         "number",      "holder_name", "holder_id",  "holder_id_type",
      "issuer_name",  "issuer_uscc", "issue_date",  "valid_from", "valid_to",
      "jurisdiction", "type_code",   "identifier"};
  return names;
}

const char* const kCertColumns =
    "identifier, number, name, version, type_code, type_name, issue_date, issuer_name, "
    "issuer_uscc, dept_id, valid_from, valid_to, division_code, holder_name, holder_id, "
    "holder_id_type, holder_user_id, item_code, case_id, data_json, status, status_reason, "
    "status_list_id, status_index, sd_jwt, issued_at_ms";

Certificate cert_from_row(const store::Row& r) {
  Certificate c;
  c.identifier = r.text(0);
  c.number = r.text(1);
  c.name = r.text(2);
  c.version = static_cast<int>(r.int64(3));
  c.type_code = r.text(4);
  c.type_name = r.text(5);
  c.issue_date = r.text(6);
  c.issuer_name = r.text(7);
  c.issuer_uscc = r.text(8);
  c.dept_id = r.text(9);
  c.valid_from = r.text(10);
  c.valid_to = r.text(11);
  c.division_code = r.text(12);
  c.holder_name = r.text(13);
  c.holder_id = r.text(14);
  c.holder_id_type = r.text(15);
  c.holder_user_id = r.text(16);
  c.item_code = r.text(17);
  c.case_id = r.text(18);
  c.data_json = r.text(19);
  c.status = parse_status(r.text(20)).value_or(Status::valid);
  c.status_reason = r.text(21);
  c.status_list_id = r.text(22);
  c.status_index = r.int64(23);
  c.sd_jwt = r.text(24);
  c.issued_at_ms = r.int64(25);
  return c;
}

std::optional<Certificate> load_cert(store::Tx& tx, std::string_view identifier) {
  auto row = tx.query_one(
      std::string("SELECT ") + kCertColumns + " FROM certificates WHERE identifier = ?",
      {std::string(identifier)});
  if (!row) return std::nullopt;
  return cert_from_row(*row);
}

const char* const kTypeColumns =
    "code, name, defining_body, dept_id, holder_kind, validity_years, vct";

CertificateType type_from_row(const store::Row& r) {
  CertificateType t;
  t.code = r.text(0);
  t.name = r.text(1);
  t.defining_body = r.text(2);
  t.dept_id = r.text(3);
  t.holder_kind = r.text(4);
  t.validity_years = static_cast<int>(r.int64(5));
  t.vct = r.text(6);
  return t;
}

std::optional<CertificateType> type_by(store::Tx& tx, std::string_view column,
                                       std::string_view value) {
  auto row = tx.query_one(std::string("SELECT ") + kTypeColumns + " FROM certificate_types WHERE " +
                              std::string(column) + " = ?",
                          {std::string(value)});
  if (!row) return std::nullopt;
  return type_from_row(*row);
}

struct Dept {
  std::string id;
  std::string name;
  std::string uscc;
  std::string division_code;
};

// Departments without a recorded USCC still need one for identifiers: derive a deterministic,
// valid code from the department id ("11" + division + "MB" + 7 digits + check).
std::string derived_uscc(std::string_view dept_id, std::string_view division) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : dept_id) h = (h ^ ch) * 1099511628211ULL;
  char digits[16];
  std::snprintf(digits, sizeof digits, "%07llu", static_cast<unsigned long long>(h % 10000000ULL));
  std::string div = division.size() == 6 ? std::string(division) : std::string("000000");
  std::string first17 = "11" + div + "MB" + digits;
  return first17 + identity::uscc_check(first17);
}

// Departments belong to identity; reading its table inside our transaction keeps issuance atomic
// with the case follower's transaction (identity's own calls would open a second transaction).
std::optional<Dept> load_dept(store::Tx& tx, std::string_view id) {
  auto row = tx.query_one("SELECT id, name, uscc, division_code FROM departments WHERE id = ?",
                          {std::string(id)});
  if (!row) return std::nullopt;
  Dept d{row->text(0), row->text(1), row->text(2), row->text(3)};
  if (!identity::valid_uscc(d.uscc)) d.uscc = derived_uscc(d.id, d.division_code);
  return d;
}

std::string trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Error invalid(std::string field, std::string zh, std::string en) {
  return Error{ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en)};
}

tl::unexpected<Error> not_found() {
  return fail(ErrorCode::not_found, "", "证照不存在", "certificate not found");
}

bool may_manage(const identity::Principal& by, std::string_view dept_id) {
  return by.is_official() && by.dept_id == dept_id &&
         (by.has_role(identity::Role::approver) || by.has_role(identity::Role::admin));
}


events::Actor system_actor(std::string dept_id) {
  return {"", "system", std::move(dept_id)};
}

// What events say about a certificate: no holder data (the audit trail is read widely).
std::string event_state(const Certificate& c) {
  return Json{{"identifier", c.identifier},
              {"type_code", c.type_code},
              {"status", std::string(to_string(c.status))},
              {"dept_id", c.dept_id}}
      .dump();
}

void append_event(store::Tx& tx, const core::Clock& clock, std::string type, const Certificate& c,
                  events::Actor actor, std::string reason, std::string before, std::string after,
                  Json data = nullptr) {
  events::NewEvent e;
  e.type = std::move(type);
  e.subject_type = "certificate";
  e.subject_id = c.identifier;
  e.actor = std::move(actor);
  e.reason = std::move(reason);
  e.before_json = std::move(before);
  e.after_json = std::move(after);
  if (!data.is_null()) e.data_json = data.dump();
  events::append(tx, clock, e);
}

std::optional<core::Date> date_of(std::string_view s) {
  core::Date d;
  if (!core::parse_date(s, d)) return std::nullopt;
  return d;
}

// The last day of a validity of `years` starting on `from` (2026-03-01 + 5 → 2031-02-28).
core::Date validity_end(core::Date from, int years) {
  using namespace std::chrono;
  year_month_day end{from.year() + std::chrono::years{years}, from.month(), from.day()};
  if (!end.ok()) end = year_month_day{end.year() / end.month() / last};
  return core::date_from_days(core::days_from_epoch(end) - 1);
}

std::string infer_id_type(std::string_view id) {
  if (identity::valid_citizen_id(id)) return "111";
  if (identity::valid_uscc(id)) return "001";
  return "";
}

bool holder_matches(const Certificate& c, const identity::Principal& p) {
  if (p.is_official()) return !c.holder_user_id.empty() && c.holder_user_id == p.user_id;
  if (!c.holder_user_id.empty() && c.holder_user_id == p.user_id) return true;
  return !p.id_number.empty() && c.holder_id == p.id_number;
}

Json data_object(const std::string& data_json) {
  Json data = Json::parse(data_json.empty() ? "{}" : data_json, nullptr, false);
  if (!data.is_object()) data = Json::object();
  return data;
}

std::vector<std::string> claim_names(const Certificate& c) {
  std::vector<std::string> names = standard_claims();
  const Json data = data_object(c.data_json);
  for (const auto& [k, v] : data.items()) names.push_back(k);
  return names;
}

std::vector<Claim> claims_of(const Certificate& c) {
  auto s = [](const std::string& v) { return Json(v).dump(); };
  std::vector<Claim> claims = {{"name", s(c.name)},
                               {"number", s(c.number)},
                               {"holder_name", s(c.holder_name)},
                               {"holder_id", s(c.holder_id)},
                               {"holder_id_type", s(c.holder_id_type)},
                               {"issuer_name", s(c.issuer_name)},
                               {"issuer_uscc", s(c.issuer_uscc)},
                               {"issue_date", s(c.issue_date)},
                               {"valid_from", s(c.valid_from)},
                               {"valid_to", s(c.valid_to)},
                               {"jurisdiction", s(c.division_code)},
                               {"type_code", s(c.type_code)},
                               {"identifier", s(c.identifier)}};
  const Json data = data_object(c.data_json);
  for (const auto& [k, v] : data.items()) claims.push_back({k, v.dump()});
  return claims;
}

// One parsed CSV record per line; RFC 4180 quoting ("" inside quotes). nullopt on an unterminated
// quote.
std::optional<std::vector<std::vector<std::string>>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, any = false;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    any = true;
    if (quoted) {
      if (ch == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cell += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      row.push_back(std::move(cell));
      cell.clear();
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(cell));
      cell.clear();
      if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else {
      cell += ch;
    }
  }
  if (quoted) return std::nullopt;
  if (any) {
    row.push_back(std::move(cell));
    if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
  }
  return rows;
}

// The identifier, issuer and department of a credential, read from its (unverified) payload, to
// find the keys it must verify against.
std::optional<std::string> payload_issuer(std::string_view sd_jwt) {
  auto jwt = sd_jwt.substr(0, sd_jwt.find('~'));
  auto dot1 = jwt.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  auto dot2 = jwt.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return std::nullopt;
  auto payload = base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return std::nullopt;
  Json p = Json::parse(*payload, nullptr, false);
  if (!p.is_object() || !p.contains("iss") || !p["iss"].is_string()) return std::nullopt;
  return p["iss"].get<std::string>();
}

std::string disclosed_string(const std::map<std::string, std::string>& disclosed,
                             const std::string& name) {
  auto it = disclosed.find(name);
  if (it == disclosed.end()) return "";
  Json v = Json::parse(it->second, nullptr, false);
  return v.is_string() ? v.get<std::string>() : "";
}

}  // namespace

// ---- Service::Impl -----------------------------------------------------------------------------

struct Service::Impl {
  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  catalog::Service& catalog;
  identity::Service& identity;
  std::string base;

  std::mutex mu;
  // Parsed signing keys by PEM: the store stays the source of truth (a key generated in a
  // transaction that rolls back is never used again because lookups always start in the store).
  std::unordered_map<std::string, SigningKey> keys;
  struct CachedList {
    std::int64_t revision = -1;
    core::Millis signed_at_ms = 0;
    std::string jwt;
  };
  std::unordered_map<std::string, CachedList> lists;

  Impl(store::Store& s, const core::Clock& c, core::Random& r, catalog::Service& cat,
       identity::Service& ids, std::string b)
      : store(s), clock(c), random(r), catalog(cat), identity(ids), base(std::move(b)) {
    while (!base.empty() && base.back() == '/') base.pop_back();
  }

  std::string today() const { return core::format_date(core::china_date(clock.now_ms())); }
  std::string issuer(std::string_view dept) const { return base + "/issuers/" + std::string(dept); }
  std::string list_uri(std::string_view id) const {
    return base + "/api/v1/status-lists/" + std::string(id);
  }
  std::string new_id() { return random.hex(16); }

  SigningKey parsed(const std::string& pem) {
    std::lock_guard lock(mu);
    auto it = keys.find(pem);
    if (it != keys.end()) return it->second;
    auto k = load_signing_key(pem);
    if (!k) throw store::StoreError("certificates: stored issuer key does not load");
    keys.emplace(pem, *k);
    return *k;
  }

  std::optional<SigningKey> current_key(store::Tx& tx, std::string_view dept) {
    auto row = tx.query_one(
        "SELECT private_pem FROM issuer_keys WHERE dept_id = ? AND active = 1 "
        "ORDER BY created_at_ms DESC, kid LIMIT 1",
        {std::string(dept)});
    if (!row) return std::nullopt;
    return parsed(row->text(0));
  }

  SigningKey key_for_issuing(store::Tx& tx, std::string_view dept) {
    if (auto k = current_key(tx, dept)) return *k;
    SigningKey k = generate_signing_key();
    tx.exec(
        "INSERT INTO issuer_keys (kid, dept_id, private_pem, public_jwk, active, created_at_ms) "
        "VALUES (?, ?, ?, ?, 1, ?)",
        {k.kid, std::string(dept), k.private_pem, k.public_jwk_json, clock.now_ms()});
    return k;
  }

  std::vector<std::string> jwks(store::Tx& tx, std::string_view dept) {
    std::vector<std::string> out;
    for (const auto& r : tx.query(
             "SELECT public_jwk FROM issuer_keys WHERE dept_id = ? ORDER BY created_at_ms, kid",
             {std::string(dept)})) {
      out.push_back(r.text(0));
    }
    return out;
  }

  // A free slot in the department's current status list (a new list when it is full).
  std::pair<std::string, std::int64_t> status_slot(store::Tx& tx, std::string_view dept) {
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

  void bump_list(store::Tx& tx, const std::string& list_id) {
    tx.exec("UPDATE status_lists SET revision = revision + 1 WHERE id = ?", {list_id});
  }

  std::string next_serial(store::Tx& tx, const std::string& type_code, const std::string& uscc) {
    for (;;) {
      auto row = tx.query_one(
          "SELECT next_serial FROM certificate_serials WHERE type_code = ? AND issuer_uscc = ?",
          {type_code, uscc});
      std::int64_t n = row ? row->int64(0) : 1;
      if (row) {
        tx.exec(
            "UPDATE certificate_serials SET next_serial = ? WHERE type_code = ? AND "
            "issuer_uscc = ?",
            {n + 1, type_code, uscc});
      } else {
        tx.exec(
            "INSERT INTO certificate_serials (type_code, issuer_uscc, next_serial) VALUES (?, ?, "
            "?)",
            {type_code, uscc, n + 1});
      }
      char serial[24];
      std::snprintf(serial, sizeof serial, "%08lld", static_cast<long long>(n));
      // Imported certificates keep their historical serials; skip any taken.
      IdentifierParts parts{type_code, uscc, serial, 1};
      if (!tx.query_one("SELECT 1 FROM certificates WHERE identifier = ?",
                        {format_identifier(parts)})) {
        return serial;
      }
    }
  }

  // Validates the input against the type, fills in defaults. Fields are the request's names.
  yiwang::Status check_input(NewCertificate& in, const CertificateType& type,
                             const std::string& prefix, const std::string& issue_date) {
    in.holder_name = trim(in.holder_name);
    in.holder_id = trim(in.holder_id);
    if (in.holder_name.empty() || utf8_length(in.holder_name) > 100)
      return fail(invalid(prefix + "/holder_name", "持证主体名称必填，且不超过100字",
                          "holder_name is required (at most 100 characters)"));
    if (in.holder_id_type.empty()) in.holder_id_type = infer_id_type(in.holder_id);
    if (in.holder_id_type.empty()) {
      return fail(invalid(prefix + "/holder_id",
                          "持证主体证件号码无效（应为公民身份号码或统一社会信用代码）",
                          "holder_id is neither a valid citizen id number nor a credit code"));
    } else if (in.holder_id_type == "111") {
      if (!identity::valid_citizen_id(in.holder_id))
        return fail(invalid(prefix + "/holder_id", "公民身份号码无效",
                            "holder_id is not a valid citizen id number (GB 11643)"));
    } else if (in.holder_id_type == "001") {
      if (!identity::valid_uscc(in.holder_id))
        return fail(invalid(prefix + "/holder_id", "统一社会信用代码无效",
                            "holder_id is not a valid unified social credit code (GB 32100)"));
    } else {
      return fail(invalid(prefix + "/holder_id_type",
                          "证件类型须为111（公民身份号码）或001（统一社会信用代码）",
                          "holder_id_type must be 111 (citizen id) or 001 (credit code)"));
    }
    if (utf8_length(in.number) > 64)
      return fail(invalid(prefix + "/number", "证照编号过长", "number is too long (max 64)"));
    if (in.valid_from.empty()) in.valid_from = issue_date;
    auto from = date_of(in.valid_from);
    if (!from)
      return fail(invalid(prefix + "/valid_from", "日期格式应为YYYY-MM-DD",
                          "valid_from must be a date YYYY-MM-DD"));
    if (in.valid_to.empty() && type.validity_years > 0)
      in.valid_to = core::format_date(validity_end(*from, type.validity_years));
    if (!in.valid_to.empty()) {
      auto to = date_of(in.valid_to);
      if (!to)
        return fail(invalid(prefix + "/valid_to", "日期格式应为YYYY-MM-DD",
                            "valid_to must be a date YYYY-MM-DD"));
      if (core::days_from_epoch(*to) < core::days_from_epoch(*from))
        return fail(invalid(prefix + "/valid_to", "有效期截止日早于起始日",
                            "valid_to is before valid_from"));
    }
    Json data = Json::parse(in.data_json.empty() ? "{}" : in.data_json, nullptr, false);
    if (!data.is_object())
      return fail(invalid(prefix + "/data", "证照信息须为JSON对象", "data must be a JSON object"));
    for (const auto& [k, v] : data.items()) {
      const auto& reserved = standard_claims();
      if (k.empty() || k.size() > 64 || k[0] == '_' ||
          std::find(reserved.begin(), reserved.end(), k) != reserved.end() || k == "iss" ||
          k == "vct" || k == "status" || k == "cnf" || k == "iat" || k == "exp" || k == "nbf")
        return fail(
            invalid(prefix + "/data/" + k, "该字段名不可用", "this field name is reserved"));
    }
    in.data_json = data.dump();
    return {};
  }

  // Inserts a certificate and its issuance event. `in` has passed check_input.
  Result<Certificate> insert(store::Tx& tx, const NewCertificate& in, const CertificateType& type,
                             const Dept& dept, const std::string& issue_date,
                             const std::string& holder_user_id,
                             const std::optional<std::string>& identifier,
                             const events::Actor& actor) {
    const core::Millis now = clock.now_ms();
    Certificate c;
    if (identifier) {
      c.identifier = *identifier;
    } else {
      IdentifierParts parts{type.code, dept.uscc, next_serial(tx, type.code, dept.uscc), 1};
      c.identifier = format_identifier(parts);
    }
    auto parts = parse_identifier(c.identifier);
    if (!parts) return fail(parts.error());
    c.version = parts->version;
    c.number = in.number.empty() ? dept.division_code + issue_date.substr(0, 4) + parts->serial
                                 : in.number;
    c.name = type.name;
    c.type_code = type.code;
    c.type_name = type.name;
    c.issue_date = issue_date;
    c.issuer_name = dept.name;
    c.issuer_uscc = dept.uscc;
    c.dept_id = dept.id;
    c.valid_from = in.valid_from;
    c.valid_to = in.valid_to;
    c.division_code = dept.division_code;
    c.holder_name = in.holder_name;
    c.holder_id = in.holder_id;
    c.holder_id_type = in.holder_id_type;
    c.holder_user_id = holder_user_id;
    c.item_code = in.item_code;
    c.case_id = in.case_id;
    c.data_json = in.data_json;
    c.status = (!c.valid_to.empty() && c.valid_to < today()) ? Status::expired : Status::valid;
    c.issued_at_ms = now;
    auto [list_id, index] = status_slot(tx, dept.id);
    c.status_list_id = list_id;
    c.status_index = index;

    CredentialInput ci;
    ci.issuer = issuer(dept.id);
    ci.vct = type.vct.empty() ? base + "/vct/" + type.code : type.vct;
    ci.issued_at = now / 1000;
    if (auto from = date_of(c.valid_from)) ci.valid_from = core::china_midnight(*from) / 1000;
    if (auto to = date_of(c.valid_to))
      ci.expires_at = (core::china_midnight(*to) + core::kDayMs) / 1000;
    ci.status_list_uri = list_uri(list_id);
    ci.status_index = index;
    ci.claims = claims_of(c);
    c.sd_jwt = issue_sd_jwt(ci, key_for_issuing(tx, dept.id));

    try {
      tx.exec(std::string("INSERT INTO certificates (") + kCertColumns +
                  ", updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                  "?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {c.identifier,
               c.number,
               c.name,
               std::int64_t{c.version},
               c.type_code,
               c.type_name,
               c.issue_date,
               c.issuer_name,
               c.issuer_uscc,
               c.dept_id,
               c.valid_from,
               c.valid_to,
               c.division_code,
               c.holder_name,
               c.holder_id,
               c.holder_id_type,
               c.holder_user_id,
               c.item_code,
               c.case_id,
               c.data_json,
               std::string(to_string(c.status)),
               c.status_reason,
               c.status_list_id,
               c.status_index,
               c.sd_jwt,
               c.issued_at_ms,
               now});
    } catch (const store::ConstraintViolation&) {
      return fail(ErrorCode::conflict, "/identifier", "证照标识已存在",
                  "a certificate with this identifier exists");
    }
    append_event(tx, clock, "certificate.issued", c, actor, "", "", event_state(c),
                 Json{{"item_code", c.item_code}, {"case_id", c.case_id}});
    return c;
  }
};

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 catalog::Service& catalog, identity::Service& identity,
                 std::string public_base_url)
    : impl_(std::make_unique<Impl>(store, clock, random, catalog, identity,
                                   std::move(public_base_url))) {}

Service::~Service() = default;

std::string Service::issuer_id(std::string_view dept_id) const {
  return impl_->issuer(dept_id);
}

// ---- Types -------------------------------------------------------------------------------------

Result<CertificateType> Service::put_type(const CertificateType& input,
                                          const identity::Principal& by) {
  Impl& m = *impl_;
  if (!by.is_official() || !by.has_role(identity::Role::admin))
    return fail(ErrorCode::forbidden, "", "只有管理员可以定义证照类型",
                "only administrators define certificate types");
  CertificateType t = input;
  t.name = trim(t.name);
  t.defining_body = trim(t.defining_body);
  bool code_ok = !t.code.empty() && t.code.size() <= 32 &&
                 std::all_of(t.code.begin(), t.code.end(), [](char c) {
                   return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
                 });
  if (!code_ok)
    return fail(ErrorCode::invalid_input, "/code", "证照类型代码应为1–32位数字或大写字母",
                "code must be 1-32 digits or capital letters");
  if (t.name.empty() || utf8_length(t.name) > 50)
    return fail(ErrorCode::invalid_input, "/name", "证照类型名称必填，且不超过50字",
                "name is required (at most 50 characters)");
  if (t.holder_kind != "citizen" && t.holder_kind != "business")
    return fail(ErrorCode::invalid_input, "/holder_kind", "持证主体类型应为citizen或business",
                "holder_kind must be citizen or business");
  if (t.validity_years < 0 || t.validity_years > 100)
    return fail(ErrorCode::invalid_input, "/validity_years", "有效年限应在0–100之间",
                "validity_years must be 0..100");
  if (t.vct.empty()) t.vct = m.base + "/vct/" + t.code;
  return m.store.write([&](store::Tx& tx) -> Result<CertificateType> {
    auto dept = load_dept(tx, t.dept_id);
    if (!dept)
      return fail(ErrorCode::invalid_input, "/dept_id", "部门不存在", "unknown department");
    CertificateType out = t;
    if (out.defining_body.empty()) out.defining_body = dept->name;
    auto before = type_by(tx, "code", out.code);
    auto as_json = [](const CertificateType& x) {
      return Json{{"code", x.code},
                  {"name", x.name},
                  {"dept_id", x.dept_id},
                  {"holder_kind", x.holder_kind},
                  {"validity_years", x.validity_years},
                  {"vct", x.vct},
                  {"defining_body", x.defining_body}}
          .dump();
    };
    try {
      const store::Params p{out.name,
                            out.defining_body,
                            out.dept_id,
                            out.holder_kind,
                            std::int64_t{out.validity_years},
                            out.vct,
                            m.clock.now_ms(),
                            out.code};
      if (before) {
        tx.exec(
            "UPDATE certificate_types SET name = ?, defining_body = ?, dept_id = ?, "
            "holder_kind = ?, validity_years = ?, vct = ?, updated_at_ms = ? WHERE code = ?",
            p);
      } else {
        tx.exec(
            "INSERT INTO certificate_types (name, defining_body, dept_id, holder_kind, "
            "validity_years, vct, updated_at_ms, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            p);
      }
    } catch (const store::ConstraintViolation&) {
      return fail(ErrorCode::conflict, "/name", "已有同名证照类型",
                  "another certificate type has this name");
    }
    events::NewEvent e;
    e.type = "certificate.type_defined";
    e.subject_type = "certificate_type";
    e.subject_id = out.code;
    e.actor = identity::actor_of(by);
    e.before_json = before ? as_json(*before) : "";
    e.after_json = as_json(out);
    events::append(tx, m.clock, e);
    return out;
  });
}

Result<std::vector<CertificateType>> Service::types() {
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<CertificateType>> {
    std::vector<CertificateType> out;
    for (const auto& r : tx.query(std::string("SELECT ") + kTypeColumns +
                                  " FROM certificate_types ORDER BY code")) {
      out.push_back(type_from_row(r));
    }
    return out;
  });
}

Result<int> Service::seed_standard_types() {
  Impl& m = *impl_;
  struct Seed {
    const char* dept;
    const char* name;
    const char* holder_kind;
    int years;
  };
  // Every certificate the demo items issue or ask for. Validity in years where the type has one
  // by law or practice (0 = 长期); modelled as data so a deployment can change it (PUT types).
  static const Seed seeds[] = {
      {"scjg", "营业执照", "business", 0},
      {"scjg", "食品经营许可证", "business", 5},
      {"scjg", "特种设备使用登记证", "business", 0},
      {"scjg", "特种设备安全管理和作业人员证", "citizen", 4},
      {"gaj", "居民身份证", "citizen", 20},
      {"gaj", "居民户口簿", "citizen", 0},
      {"gaj", "养犬登记证", "citizen", 1},
      {"gaj", "居住证", "citizen", 1},
      {"gaj", "机动车驾驶证", "citizen", 6},
      {"gaj", "机动车行驶证", "citizen", 0},
      {"wjw", "公共场所卫生许可证", "business", 4},
      {"wjw", "医师执业证书", "citizen", 0},
      {"wjw", "医师资格证书", "citizen", 0},
      {"wjw", "医疗机构执业许可证", "business", 5},
      {"wjw", "护士执业证书", "citizen", 5},
      {"wjw", "健康证明", "citizen", 1},
      {"wjw", "出生医学证明", "citizen", 0},
      {"wjw", "动物狂犬病免疫证明", "citizen", 1},
      {"mzj", "结婚证", "citizen", 0},
      {"mzj", "最低生活保障证", "citizen", 1},
      {"mzj", "社会团体法人登记证书", "business", 5},
      {"mzj", "残疾人证", "citizen", 0},
      {"rsj", "社会保险参保缴费证明", "citizen", 0},
      {"rsj", "就业创业证", "citizen", 0},
      {"rsj", "人力资源服务许可证", "business", 5},
      {"rsj", "社会保障卡", "citizen", 10},
      {"zjj", "建筑工程施工许可证", "business", 0},
      {"zjj", "商品房预售许可证", "business", 0},
      {"zrzy", "建设工程规划许可证", "business", 0},
      {"zrzy", "不动产权证书", "citizen", 0},
      {"jyj", "教师资格证书", "citizen", 0},
      {"jyj", "民办学校办学许可证", "business", 5},
      {"jyj", "普通话水平测试等级证书", "citizen", 0},
      {"jtj", "道路运输经营许可证", "business", 4},
      {"jtj", "出租汽车驾驶员从业资格证", "citizen", 6},
      {"jtj", "网络预约出租汽车运输证", "business", 8},
  };
  return m.store.write([&](store::Tx& tx) -> Result<int> {
    int added = 0;
    std::map<std::string, int> ordinal;  // 3-digit suffix within each department
    for (const Seed& s : seeds) {
      int n = ++ordinal[s.dept];
      auto dept = load_dept(tx, s.dept);
      if (!dept || type_by(tx, "name", s.name)) continue;
      char suffix[16];
      std::snprintf(suffix, sizeof suffix, "%03d", n);
      CertificateType t{dept->uscc + suffix, s.name,  dept->name, dept->id,
                        s.holder_kind,       s.years, ""};
      t.vct = m.base + "/vct/" + t.code;
      if (type_by(tx, "code", t.code)) continue;
      tx.exec(
          "INSERT INTO certificate_types (code, name, defining_body, dept_id, holder_kind, "
          "validity_years, vct, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          {t.code, t.name, t.defining_body, t.dept_id, t.holder_kind,
           std::int64_t{t.validity_years}, t.vct, m.clock.now_ms()});
      events::NewEvent e;
      e.type = "certificate.type_defined";
      e.subject_type = "certificate_type";
      e.subject_id = t.code;
      e.actor = system_actor("");
      e.after_json = Json{{"code", t.code}, {"name", t.name}, {"dept_id", t.dept_id}}.dump();
      events::append(tx, m.clock, e);
      ++added;
    }
    return added;
  });
}

// ---- Issuance ----------------------------------------------------------------------------------

Result<Certificate> Service::issue(const NewCertificate& input, const identity::Principal& by) {
  Impl& m = *impl_;
  return m.store.write([&](store::Tx& tx) -> Result<Certificate> {
    auto type = type_by(tx, "code", input.type_code);
    if (!type)
      return fail(ErrorCode::invalid_input, "/type_code", "证照类型不存在",
                  "unknown certificate type");
    if (!may_manage(by, type->dept_id))
      return fail(ErrorCode::forbidden, "", "只有发证部门的审批人或管理员可以发证",
                  "only approvers or administrators of the issuing department issue it");
    auto dept = load_dept(tx, type->dept_id);
    if (!dept) return fail(ErrorCode::internal, "", "发证部门不存在", "issuing department missing");
    NewCertificate in = input;
    in.case_id.clear();  // only the case follower links a case
    const std::string issue_date = m.today();
    if (auto st = m.check_input(in, *type, "", issue_date); !st) return fail(st.error());
    return m.insert(tx, in, *type, *dept, issue_date, "", std::nullopt, identity::actor_of(by));
  });
}

Result<std::optional<Certificate>> Service::issue_for_case(store::Tx& tx,
                                                           const CaseResult& result) {
  Impl& m = *impl_;
  if (result.decision != "granted") return std::optional<Certificate>{};
  if (auto row = tx.query_one(
          std::string("SELECT ") + kCertColumns + " FROM certificates WHERE case_id = ?",
          {result.case_id});
      row && !result.case_id.empty()) {
    return std::optional<Certificate>(cert_from_row(*row));
  }
  // The catalog reads in its own snapshot: items are published long before cases complete.
  auto item = m.catalog.get(result.item_code);
  if (!item) {
    if (item.error().code == ErrorCode::not_found) return std::optional<Certificate>{};
    return fail(item.error());
  }
  if (item->result_certificate_type.empty()) return std::optional<Certificate>{};
  auto type = type_by(tx, "name", item->result_certificate_type);
  if (!type) return std::optional<Certificate>{};
  auto dept = load_dept(tx, type->dept_id);
  if (!dept) return std::optional<Certificate>{};
  NewCertificate in;
  in.type_code = type->code;
  in.holder_name = result.holder_name;
  in.holder_id = result.holder_id;
  in.item_code = result.item_code;
  in.case_id = result.case_id;
  in.data_json = Json{{"item_name", item->name}}.dump();
  const core::Millis when = result.completed_at_ms ? result.completed_at_ms : m.clock.now_ms();
  const std::string issue_date = core::format_date(core::china_date(when));
  if (auto st = m.check_input(in, *type, "", issue_date); !st) return fail(st.error());
  auto c = m.insert(tx, in, *type, *dept, issue_date, result.holder_user_id, std::nullopt,
                    system_actor(type->dept_id));
  if (!c) return fail(c.error());
  return std::optional<Certificate>(std::move(*c));
}

Result<ImportReport> Service::import_csv(std::string_view csv, const identity::Principal& by) {
  Impl& m = *impl_;
  if (!by.is_official() ||
      !(by.has_role(identity::Role::approver) || by.has_role(identity::Role::admin)))
    return fail(ErrorCode::forbidden, "", "只有发证部门的审批人或管理员可以导入证照",
                "only approvers or administrators of the issuing department import certificates");
  auto rows = parse_csv(csv);
  if (!rows)
    return fail(ErrorCode::invalid_input, "", "CSV格式错误：引号未闭合",
                "malformed CSV: unterminated quote");
  if (rows->empty())
    return fail(ErrorCode::invalid_input, "", "CSV为空", "the CSV has no header row");
  if (rows->size() > 10001)
    return fail(ErrorCode::too_large, "", "一次最多导入10000行", "at most 10000 rows per import");

  static const std::set<std::string> known = {
      "identifier", "type_code",  "number",   "holder_name", "holder_id", "holder_id_type",
      "issue_date", "valid_from", "valid_to", "item_code",   "data_json"};
  static const std::vector<std::string> required = {"type_code", "number", "holder_name",
                                                    "holder_id", "issue_date"};
  ImportReport report;
  std::map<std::string, std::size_t> column;
  const auto& header = rows->front();
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string name = trim(header[i]);
    if (!known.count(name) || column.count(name)) {
      report.row_errors.push_back(
          invalid("/header/" + name, "未知或重复的列", "unknown or repeated column"));
    }
    column[name] = i;
  }
  for (const auto& name : required) {
    if (!column.count(name))
      report.row_errors.push_back(
          invalid("/header/" + name, "缺少必需的列", "required column missing"));
  }
  if (!report.row_errors.empty()) return report;

  auto cell = [&](const std::vector<std::string>& row, const std::string& name) -> std::string {
    auto it = column.find(name);
    if (it == column.end() || it->second >= row.size()) return "";
    return trim(row[it->second]);
  };

  std::optional<ImportReport> out;
  auto written = m.store.write([&](store::Tx& tx) -> yiwang::Status {
    ImportReport r;
    std::set<std::string> seen_ids;
    struct Ready {
      NewCertificate in;
      CertificateType type;
      std::string issue_date;
      std::optional<std::string> identifier;
    };
    std::vector<Ready> ready;
    auto dept = load_dept(tx, by.dept_id);
    for (std::size_t n = 1; n < rows->size(); ++n) {
      const auto& row = (*rows)[n];
      const std::string at = "/rows/" + std::to_string(n);
      if (row.size() != header.size()) {
        r.row_errors.push_back(
            invalid(at, "列数与表头不一致", "column count differs from the header"));
        continue;
      }
      auto type = type_by(tx, "code", cell(row, "type_code"));
      if (!type) {
        r.row_errors.push_back(
            invalid(at + "/type_code", "证照类型不存在", "unknown certificate type"));
        continue;
      }
      if (!dept || !may_manage(by, type->dept_id)) {
        r.row_errors.push_back(invalid(at + "/type_code", "不是本部门发放的证照类型",
                                       "not a type your department issues"));
        continue;
      }
      Ready x;
      x.type = *type;
      x.in.type_code = type->code;
      x.in.number = cell(row, "number");
      x.in.holder_name = cell(row, "holder_name");
      x.in.holder_id = cell(row, "holder_id");
      x.in.holder_id_type = cell(row, "holder_id_type");
      x.in.valid_from = cell(row, "valid_from");
      x.in.valid_to = cell(row, "valid_to");
      x.in.item_code = cell(row, "item_code");
      x.in.data_json = cell(row, "data_json");
      if (x.in.data_json.empty()) x.in.data_json = "{}";
      x.issue_date = cell(row, "issue_date");
      if (x.in.number.empty()) {
        r.row_errors.push_back(invalid(at + "/number", "证照编号必填", "number is required"));
        continue;
      }
      if (!date_of(x.issue_date)) {
        r.row_errors.push_back(invalid(at + "/issue_date", "日期格式应为YYYY-MM-DD",
                                       "issue_date must be a date YYYY-MM-DD"));
        continue;
      }
      if (auto st = m.check_input(x.in, x.type, at, x.issue_date); !st) {
        Error e = st.error();
        if (e.field == at + "/data" || e.field.rfind(at + "/data/", 0) == 0)
          e.field = at + "/data_json";
        r.row_errors.push_back(std::move(e));
        continue;
      }
      if (std::string id = cell(row, "identifier"); !id.empty()) {
        auto parts = parse_identifier(id, at + "/identifier");
        if (!parts) {
          r.row_errors.push_back(parts.error());
          continue;
        }
        if (parts->type_code != type->code || parts->issuer_uscc != dept->uscc) {
          r.row_errors.push_back(invalid(at + "/identifier",
                                         "证照标识的类型代码或发证机构代码与本行不符",
                                         "identifier's type code or issuer code does not match"));
          continue;
        }
        if (!seen_ids.insert(id).second ||
            tx.query_one("SELECT 1 FROM certificates WHERE identifier = ?", {id})) {
          r.row_errors.push_back(
              invalid(at + "/identifier", "证照标识重复", "identifier already exists"));
          continue;
        }
        x.identifier = id;
      }
      ready.push_back(std::move(x));
    }
    if (!r.row_errors.empty()) {
      out = std::move(r);
      // Nothing half-imported: roll back whatever serials or keys were touched.
      return fail(ErrorCode::invalid_input, "", "导入失败", "import failed");
    }
    for (const auto& x : ready) {
      auto c = m.insert(tx, x.in, x.type, *dept, x.issue_date, "", x.identifier, identity::actor_of(by));
      if (!c) return fail(c.error());
    }
    r.imported = static_cast<int>(ready.size());
    out = std::move(r);
    return {};
  });
  if (!written) {
    if (out && !out->row_errors.empty()) return std::move(*out);
    return fail(written.error());
  }
  return std::move(*out);
}

// ---- Reading and lifecycle ----------------------------------------------------------------------

Result<Certificate> Service::get(std::string_view identifier, const identity::Principal& by) {
  Impl& m = *impl_;
  if (auto parsed = parse_identifier(identifier); !parsed) return fail(parsed.error());
  return m.store.read([&](store::Tx& tx) -> Result<Certificate> {
    auto c = load_cert(tx, identifier);
    if (!c) return not_found();
    if (holder_matches(*c, by) || (by.is_official() && by.dept_id == c->dept_id)) return *c;
    if (by.is_official())
      return fail(ErrorCode::forbidden, "/use_cause", "调用他部门证照须说明用证事由",
                  "using another department's certificate requires a use cause");
    return not_found();
  });
}

Result<PublicRecord> Service::public_record(std::string_view identifier) {
  Impl& m = *impl_;
  if (auto parsed = parse_identifier(identifier); !parsed) return fail(parsed.error());
  return m.store.read([&](store::Tx& tx) -> Result<PublicRecord> {
    auto c = load_cert(tx, identifier);
    if (!c) return not_found();
    return PublicRecord{c->identifier, c->name,       c->type_name, c->issuer_name,
                        c->issue_date, c->valid_from, c->valid_to,  c->status};
  });
}

std::optional<std::string> Service::holder_of(store::Tx& tx, std::string_view identifier) {
  auto row = tx.query_one("SELECT holder_id FROM certificates WHERE identifier = ?",
                          {std::string(identifier)});
  if (!row) return std::nullopt;
  return row->text(0);
}

Result<Certificate> Service::change_status(std::string_view identifier, Status to,
                                           std::string reason, const identity::Principal& by) {
  Impl& m = *impl_;
  reason = trim(reason);
  if (to == Status::expired)
    return fail(ErrorCode::invalid_input, "/status", "过期由系统按有效期处理",
                "expiry follows the validity period; use suspended, valid or revoked");
  if (reason.empty() || utf8_length(reason) > 500)
    return fail(ErrorCode::invalid_input, "/reason", "须说明理由（不超过500字）",
                "a reason is required (at most 500 characters)");
  if (auto parsed = parse_identifier(identifier); !parsed) return fail(parsed.error());
  return m.store.write([&](store::Tx& tx) -> Result<Certificate> {
    auto c = load_cert(tx, identifier);
    if (!c) return not_found();
    if (!may_manage(by, c->dept_id))
      return fail(ErrorCode::forbidden, "", "只有发证部门的审批人或管理员可以变更证照状态",
                  "only approvers or administrators of the issuing department change its status");
    const Status from = c->status;
    const char* type = nullptr;
    if (to == Status::suspended && from == Status::valid) type = "certificate.suspended";
    if (to == Status::valid && from == Status::suspended) type = "certificate.reinstated";
    if (to == Status::revoked && (from == Status::valid || from == Status::suspended))
      type = "certificate.revoked";
    if (!type)
      return fail(ErrorCode::conflict, "/status",
                  "证照当前状态为" + std::string(to_string(from)) + "，不能变更为" +
                      std::string(to_string(to)),
                  "cannot change a " + std::string(to_string(from)) + " certificate to " +
                      std::string(to_string(to)));
    const std::string before = event_state(*c);
    c->status = to;
    c->status_reason = to == Status::valid ? "" : reason;
    tx.exec(
        "UPDATE certificates SET status = ?, status_reason = ?, updated_at_ms = ? "
        "WHERE identifier = ?",
        {std::string(to_string(to)), c->status_reason, m.clock.now_ms(), c->identifier});
    m.bump_list(tx, c->status_list_id);
    append_event(tx, m.clock, type, *c, identity::actor_of(by), reason, before, event_state(*c));
    return *c;
  });
}

Result<int> Service::expire_due() {
  Impl& m = *impl_;
  return m.store.write([&](store::Tx& tx) -> Result<int> {
    auto rows = tx.query(std::string("SELECT ") + kCertColumns +
                             " FROM certificates WHERE status IN ('valid', 'suspended') AND "
                             "valid_to <> '' AND valid_to < ? ORDER BY identifier LIMIT 1000",
                         {m.today()});
    std::set<std::string> lists;
    std::vector<std::pair<Certificate, std::string>> changed;
    for (const auto& r : rows) {
      Certificate c = cert_from_row(r);
      std::string before = event_state(c);
      c.status = Status::expired;
      tx.exec("UPDATE certificates SET status = 'expired', updated_at_ms = ? WHERE identifier = ?",
              {m.clock.now_ms(), c.identifier});
      lists.insert(c.status_list_id);
      changed.emplace_back(std::move(c), std::move(before));
    }
    for (const auto& l : lists) m.bump_list(tx, l);
    for (const auto& [c, before] : changed) {
      append_event(tx, m.clock, "certificate.expired", c, system_actor(c.dept_id), "有效期届满",
                   before, event_state(c));
    }
    return static_cast<int>(changed.size());
  });
}

// ---- Wallet and presentations -------------------------------------------------------------------

Result<std::vector<Certificate>> Service::wallet(const identity::Principal& holder) {
  Impl& m = *impl_;
  return m.store.read([&](store::Tx& tx) -> Result<std::vector<Certificate>> {
    std::vector<Certificate> out;
    store::Rows rows;
    if (!holder.is_official() && !holder.id_number.empty()) {
      rows = tx.query(std::string("SELECT ") + kCertColumns +
                          " FROM certificates WHERE holder_id = ? OR holder_user_id = ? "
                          "ORDER BY issued_at_ms DESC, identifier",
                      {holder.id_number, holder.user_id});
    } else {
      rows = tx.query(std::string("SELECT ") + kCertColumns +
                          " FROM certificates WHERE holder_user_id = ? "
                          "ORDER BY issued_at_ms DESC, identifier",
                      {holder.user_id});
    }
    for (const auto& r : rows) out.push_back(cert_from_row(r));
    return out;
  });
}

Result<std::vector<Service::MaterialMatch>> Service::matches(std::string_view item_code,
                                                             const identity::Principal& holder) {
  auto item = impl_->catalog.get(item_code);
  if (!item) return fail(item.error());
  auto mine = wallet(holder);
  if (!mine) return fail(mine.error());
  const std::string today = impl_->today();
  std::vector<MaterialMatch> out;
  for (const auto& material : item->materials) {
    if (material.certificate_type.empty()) continue;
    MaterialMatch match{material.name, material.certificate_type, {}};
    for (const auto& c : *mine) {
      const bool in_force = c.status == Status::valid && c.valid_from <= today &&
                            (c.valid_to.empty() || c.valid_to >= today);
      if (c.type_name == material.certificate_type && in_force) match.certificates.push_back(c);
    }
    out.push_back(std::move(match));
  }
  return out;
}

Result<std::string> Service::present(std::string_view identifier,
                                     const std::vector<std::string>& claims, std::string verifier,
                                     std::string purpose, const identity::Principal& holder) {
  Impl& m = *impl_;
  verifier = trim(verifier);
  purpose = trim(purpose);
  if (verifier.empty() || utf8_length(verifier) > 200)
    return fail(ErrorCode::invalid_input, "/verifier", "须写明向谁出示（不超过200字）",
                "verifier is required (at most 200 characters)");
  if (purpose.empty() || utf8_length(purpose) > 500)
    return fail(ErrorCode::invalid_input, "/purpose", "须写明用证事由（不超过500字）",
                "purpose is required (at most 500 characters)");
  if (claims.empty())
    return fail(ErrorCode::invalid_input, "/claims", "至少选择一项出示的信息",
                "choose at least one claim to disclose");
  if (auto parsed = parse_identifier(identifier); !parsed) return fail(parsed.error());
  return m.store.write([&](store::Tx& tx) -> Result<std::string> {
    auto c = load_cert(tx, identifier);
    if (!c || !holder_matches(*c, holder)) return not_found();
    if (c->status != Status::valid)
      return fail(ErrorCode::conflict, "",
                  "证照状态为" + std::string(to_string(c->status)) + "，不能出示",
                  "a " + std::string(to_string(c->status)) + " certificate cannot be presented");
    const auto names = claim_names(*c);
    std::set<std::string> chosen;
    for (std::size_t i = 0; i < claims.size(); ++i) {
      if (std::find(names.begin(), names.end(), claims[i]) == names.end())
        return fail(ErrorCode::invalid_input, "/claims/" + std::to_string(i), "证照没有该项信息",
                    "the certificate has no such claim");
      chosen.insert(claims[i]);
    }
    std::vector<std::string> list(chosen.begin(), chosen.end());
    auto presentation = select_disclosures(c->sd_jwt, list);
    if (!presentation) return fail(presentation.error());
    tx.exec(
        "INSERT INTO certificate_presentations (id, identifier, holder_user_id, verifier, "
        "purpose, claims_json, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {m.new_id(), c->identifier, holder.user_id, verifier, purpose, Json(list).dump(),
         m.clock.now_ms()});
    append_event(tx, m.clock, "certificate.presented", *c, identity::actor_of(holder), purpose, "", "",
                 Json{{"verifier", verifier}, {"purpose", purpose}, {"claims", list}});
    return *presentation;
  });
}

Result<Verification> Service::verify_presentation(std::string_view presentation) {
  Impl& m = *impl_;
  auto problem = [](std::string zh, std::string en) {
    return fail(ErrorCode::invalid_input, "/presentation", std::move(zh), std::move(en));
  };
  auto iss = payload_issuer(presentation);
  const std::string prefix = m.base + "/issuers/";
  if (!iss) return problem("出示内容格式错误", "malformed presentation");
  if (iss->rfind(prefix, 0) != 0) return problem("签发者不是本平台", "unknown issuer");
  const std::string dept = iss->substr(prefix.size());
  return m.store.read([&](store::Tx& tx) -> Result<Verification> {
    auto jwks = m.jwks(tx, dept);
    if (jwks.empty()) return problem("签发者不是本平台", "unknown issuer");
    const core::Millis now = m.clock.now_ms();
    auto vc = verify_sd_jwt(presentation, jwks, now / 1000);
    if (!vc) {
      Error e = vc.error();
      e.field = "/presentation";
      return fail(std::move(e));
    }
    const std::string list_prefix = m.base + "/api/v1/status-lists/";
    if (vc->status_list_uri.rfind(list_prefix, 0) != 0)
      return problem("状态列表不是本平台的", "unknown status list");
    auto row = tx.query_one(std::string("SELECT ") + kCertColumns +
                                " FROM certificates WHERE status_list_id = ? AND status_index = ?",
                            {vc->status_list_uri.substr(list_prefix.size()), vc->status_index});
    if (!row) return problem("证照不存在", "certificate unknown to its issuer");
    Certificate c = cert_from_row(*row);
    if (c.status == Status::revoked)
      return problem("证照已吊销：" + c.status_reason, "certificate revoked");
    if (c.status == Status::suspended)
      return problem("证照已暂停使用：" + c.status_reason, "certificate suspended");
    if (c.status == Status::expired || (!c.valid_to.empty() && c.valid_to < m.today()))
      return problem("证照已过期", "certificate expired");
    if (c.valid_from > m.today()) return problem("证照尚未生效", "certificate not yet valid");
    Verification v;
    v.disclosed = vc->disclosed;
    v.issuer = vc->issuer;
    v.vct = vc->vct;
    v.identifier = disclosed_string(v.disclosed, "identifier");
    v.type_name = disclosed_string(v.disclosed, "name");
    v.holder_id = disclosed_string(v.disclosed, "holder_id");
    v.signature_ok = v.status_ok = v.validity_ok = true;
    v.holder_ok = false;  // no holder binding asked for here
    v.presentation = std::string(presentation);
    v.verified_at_ms = now;
    return v;
  });
}

// ---- 用证 and 免提交 ----------------------------------------------------------------------------

Result<Service::AnnotatedCopy> Service::use(std::string_view identifier, std::string use_cause,
                                            const identity::Principal& by) {
  Impl& m = *impl_;
  if (!by.is_official() || by.roles.empty())
    return fail(ErrorCode::forbidden, "", "只有部门工作人员可以用证",
                "only department officials use certificates");
  use_cause = trim(use_cause);
  if (use_cause.empty() || utf8_length(use_cause) > 200)
    return fail(ErrorCode::invalid_input, "/use_cause", "用证须说明用证事由（不超过200字）",
                "a use cause (用证事由) is required (at most 200 characters)");
  if (auto parsed = parse_identifier(identifier); !parsed) return fail(parsed.error());
  return m.store.write([&](store::Tx& tx) -> Result<AnnotatedCopy> {
    auto c = load_cert(tx, identifier);
    if (!c) return not_found();
    AnnotatedCopy copy;
    copy.certificate = std::move(*c);
    copy.used_by = by.user_id;
    copy.used_by_dept = by.dept_id;
    copy.use_cause = use_cause;
    copy.used_at_ms = m.clock.now_ms();
    copy.valid_until_ms = copy.used_at_ms + kAnnotatedCopyValidityMs;
    tx.exec(
        "INSERT INTO certificate_uses (id, identifier, used_by, used_by_dept, use_cause, "
        "used_at_ms, valid_until_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {m.new_id(), copy.certificate.identifier, by.user_id, by.dept_id, use_cause,
         copy.used_at_ms, copy.valid_until_ms});
    append_event(tx, m.clock, "certificate.used", copy.certificate, identity::actor_of(by), use_cause, "", "",
                 Json{{"use_cause", use_cause},
                      {"valid_until", core::format_instant(copy.valid_until_ms)},
                      {"type_code", copy.certificate.type_code},
                      {"dept_id", copy.certificate.dept_id}});
    return copy;
  });
}

Result<Verification> Service::verify_for_material(store::Tx& tx, std::string_view identifier,
                                                  std::string_view type_name,
                                                  std::string_view applicant_id,
                                                  const MaterialUse& use) {
  Impl& m = *impl_;
  auto problem = [](std::string zh, std::string en) {
    return fail(ErrorCode::invalid_input, "/materials", std::move(zh), std::move(en));
  };
  auto parsed = parse_identifier(identifier, "/materials");
  if (!parsed) return fail(parsed.error());
  auto c = load_cert(tx, identifier);
  if (!c) return problem("证照不存在", "certificate not found");
  if (c->type_name != type_name)
    return problem("证照类型不符：需要" + std::string(type_name),
                   "certificate is not of the required type");
  if (c->holder_id != applicant_id)
    return problem("证照持有人不是申请人", "certificate belongs to another holder");
  if (c->status != Status::valid)
    return problem("证照状态为" + std::string(to_string(c->status)),
                   "certificate " + std::string(to_string(c->status)));
  const std::string today = m.today();
  if (!c->valid_to.empty() && c->valid_to < today)
    return problem("证照已过期", "certificate expired");
  if (c->valid_from > today) return problem("证照尚未生效", "certificate not yet valid");
  const core::Millis now = m.clock.now_ms();
  auto vc = verify_sd_jwt(c->sd_jwt, m.jwks(tx, c->dept_id), now / 1000);
  if (!vc)
    return problem("证照签名验证失败：" + vc.error().message_zh,
                   "signature check failed: " + vc.error().message_en);
  Verification v;
  v.identifier = c->identifier;
  v.type_name = c->type_name;
  v.holder_id = c->holder_id;
  v.signature_ok = v.status_ok = v.validity_ok = v.holder_ok = true;
  // Government use within statutory duty: the deciding official sees the whole certificate.
  v.presentation = c->sd_jwt;
  v.verified_at_ms = now;
  v.disclosed = vc->disclosed;
  v.issuer = vc->issuer;
  v.vct = vc->vct;
  const std::string cause = "免提交：办理" + use.item_name + "（申报号 " + use.case_id + "）";
  tx.exec(
      "INSERT INTO certificate_uses (id, identifier, used_by, used_by_dept, use_cause, "
      "used_at_ms, valid_until_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {m.new_id(), c->identifier, std::string(""), use.dept_id, cause, now,
       now + kAnnotatedCopyValidityMs});
  append_event(tx, m.clock, "certificate.used", *c, events::Actor{"", "system", use.dept_id}, cause,
               "", "",
               Json{{"use_cause", cause},
                    {"case_id", use.case_id},
                    {"consent", "applicant filed with it"},
                    {"type_code", c->type_code},
                    {"dept_id", c->dept_id}});
  return v;
}

// ---- Status lists and issuer metadata -----------------------------------------------------------

Result<std::string> Service::status_list(std::string_view id) {
  Impl& m = *impl_;
  const core::Millis now = m.clock.now_ms();
  return m.store.read([&](store::Tx& tx) -> Result<std::string> {
    auto list = tx.query_one("SELECT dept_id, next_index, revision FROM status_lists WHERE id = ?",
                             {std::string(id)});
    if (!list) return fail(ErrorCode::not_found, "", "状态列表不存在", "status list not found");
    const std::int64_t revision = list->int64(2);
    {
      std::lock_guard lock(m.mu);
      auto it = m.lists.find(std::string(id));
      // Re-signed well before its ttl runs out, and at once after any change.
      if (it != m.lists.end() && it->second.revision == revision &&
          now - it->second.signed_at_ms < kStatusListTtlS * 1000 / 2) {
        return it->second.jwt;
      }
    }
    auto key = m.current_key(tx, list->text(0));
    if (!key) return fail(ErrorCode::internal, "", "缺少签名密钥", "issuer key missing");
    std::vector<CredentialStatus> statuses(static_cast<std::size_t>(list->int64(1)),
                                           CredentialStatus::valid);
    for (const auto& r :
         tx.query("SELECT status_index, status FROM certificates WHERE status_list_id = ?",
                  {std::string(id)})) {
      auto idx = static_cast<std::size_t>(r.int64(0));
      if (idx >= statuses.size()) statuses.resize(idx + 1, CredentialStatus::valid);
      const std::string s = r.text(1);
      statuses[idx] = s == "valid"       ? CredentialStatus::valid
                      : s == "suspended" ? CredentialStatus::suspended
                                         : CredentialStatus::invalid;  // revoked, expired
    }
    std::string jwt = status_list_jwt(m.list_uri(id), statuses, now / 1000, kStatusListTtlS, *key);
    std::lock_guard lock(m.mu);
    auto& slot = m.lists[std::string(id)];
    if (slot.revision <= revision) slot = {revision, now, jwt};
    return jwt;
  });
}

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
    for (const auto& row : tx.query("SELECT public_jwk FROM issuer_keys ORDER BY dept_id, "
                                    "created_at_ms, kid")) {
      keys.push_back(Json::parse(row.text(0)));
    }
    return Json{{"issuer", m.base}, {"jwks", {{"keys", keys}}}}.dump();
  });
  if (!r) throw store::StoreError("certificates: " + r.error().message_en);
  return *r;
}

// ---- PDF
// ------------------------------------------------------------------------------------------

Result<std::string> Service::pdf(std::string_view identifier, const identity::Principal& by) {
  auto c = get(identifier, by);
  if (!c) return fail(c.error());
  return detail::render_pdf(*c, impl_->base + "/verify/certificates/" + c->identifier);
}

}  // namespace yiwang::certificates
