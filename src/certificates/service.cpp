// The certificate library's common ground: construction, the rows (certificates, types,
// departments), status names, claims, and reading a certificate (holder, department, public).
#include <cstdio>

#include <nlohmann/json.hpp>

#include "certificates/internal.h"
#include "core/names.h"
#include "store/record_id.h"
#include "store/sealing.h"

namespace yiwang::generated {
std::vector<store::Migration> certificates_migrations();
}

namespace yiwang::certificates {

std::vector<store::Migration> migrations() {
  return generated::certificates_migrations();
}

namespace {

using Json = nlohmann::json;

constexpr auto kStatuses =
    core::enum_names<CertificateStatus>("valid", "suspended", "revoked", "expired");

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

Json data_object(const std::string& data_json) {
  Json data = Json::parse(data_json.empty() ? "{}" : data_json, nullptr, false);
  if (!data.is_object()) data = Json::object();
  return data;
}

}  // namespace

std::string_view to_string(CertificateStatus s) {
  return kStatuses.name(s);
}

std::optional<CertificateStatus> parse_status(std::string_view s) {
  return kStatuses.parse(s);
}

// ---- Rows and shared helpers
// ---------------------------------------------------------------------

namespace detail {

Certificate cert_from_row(const store::Row& r, const core::FieldCipher& cipher) {
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
  c.holder_name = cipher.open_cell(r.text(13), "certificates.holder_name", c.identifier);
  c.holder_id = cipher.open_cell(r.text(14), "certificates.holder_id", c.identifier);
  c.holder_id_type = r.text(15);
  c.holder_user_id = r.text(16);
  c.item_code = r.text(17);
  c.case_id = r.text(18);
  c.data_json = cipher.open_cell(r.text(19), "certificates.data_json", c.identifier);
  c.status = parse_status(r.text(20)).value_or(CertificateStatus::valid);
  c.status_reason = r.text(21);
  c.status_list_id = r.text(22);
  c.status_index = r.int64(23);
  c.sd_jwt = cipher.open_cell(r.text(24), "certificates.sd_jwt", c.identifier);
  c.issued_at_ms = r.int64(25);
  return c;
}

}  // namespace detail

Result<std::int64_t> seal_at_rest(store::Store& store) {
  return store::seal_clear_cells(
      store, "certificates", "identifier",
      {{"holder_id", "holder_id_index", std::string(core::kIdNumberIndex)},
       {"holder_name"},
       {"data_json"},
       {"sd_jwt"}});
}

namespace detail {

std::optional<Certificate> load_cert(store::Tx& tx, std::string_view identifier) {
  auto row = tx.query_one(
      std::string("SELECT ") + kCertColumns + " FROM certificates WHERE identifier = ?",
      {std::string(identifier)});
  if (!row) return std::nullopt;
  return cert_from_row(*row, tx.cipher());
}

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

const std::vector<std::string>& standard_claims() {
  static const std::vector<std::string> names = {
      "name",         "number",      "holder_name", "holder_id",  "holder_id_type",
      "issuer_name",  "issuer_uscc", "issue_date",  "valid_from", "valid_to",
      "jurisdiction", "type_code",   "identifier"};
  return names;
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

bool holder_matches(const Certificate& c, const identity::Principal& p) {
  if (p.is_official()) return !c.holder_user_id.empty() && c.holder_user_id == p.user_id;
  if (!c.holder_user_id.empty() && c.holder_user_id == p.user_id) return true;
  // A claimed id number binds nothing: only a verified one is the holder's (#16).
  return p.id_verified() && !p.id_number.empty() && c.holder_id == p.id_number;
}

std::string event_state(const Certificate& c) {
  return Json{{"identifier", c.identifier},
              {"type_code", c.type_code},
              {"status", std::string(to_string(c.status))},
              {"dept_id", c.dept_id}}
      .dump();
}

std::optional<core::Date> date_of(std::string_view s) {
  core::Date d;
  if (!core::parse_date(s, d)) return std::nullopt;
  return d;
}

}  // namespace detail

// ---- Service::Impl
// ---------------------------------------------------------------------------------

Service::Impl::Impl(store::Store& s, const core::Clock& c, core::Random& r, catalog::Service& cat,
                    identity::Service& ids, std::string b)
    : store(s), clock(c), random(r), catalog(cat), identity(ids), base(std::move(b)) {
  while (!base.empty() && base.back() == '/') base.pop_back();
}

std::string Service::Impl::today() const {
  return core::format_date(core::china_date(clock.now_ms()));
}

std::string Service::Impl::issuer(std::string_view dept) const {
  return base + "/issuers/" + std::string(dept);
}

std::string Service::Impl::list_uri(std::string_view id) const {
  return base + "/api/v1/status-lists/" + std::string(id);
}

std::string Service::Impl::new_id() {
  return store::opaque_id(random, "", 16);
}

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 catalog::Service& catalog, identity::Service& identity,
                 std::string public_base_url)
    : impl_(std::make_unique<Impl>(store, clock, random, catalog, identity,
                                   std::move(public_base_url))) {}

Service::~Service() = default;

std::string Service::issuer_id(std::string_view dept_id) const {
  return impl_->issuer(dept_id);
}

// ---- Reading
// -----------------------------------------------------------------------------------------

Result<Certificate> Service::get(std::string_view identifier, const identity::Principal& by) {
  Impl& m = *impl_;
  if (auto parsed = parse_identifier(identifier); !parsed) return fail(parsed.error());
  return m.store.read([&](store::Tx& tx) -> Result<Certificate> {
    auto c = detail::load_cert(tx, identifier);
    if (!c) return detail::not_found();
    if (detail::holder_matches(*c, by) || (by.is_official() && by.dept_id == c->dept_id)) return *c;
    if (by.is_official())
      return fail(ErrorCode::forbidden, "/use_cause", "调用他部门证照须说明用证事由",
                  "using another department's certificate requires a use cause");
    return detail::not_found();
  });
}

Result<PublicRecord> Service::public_record(std::string_view identifier) {
  Impl& m = *impl_;
  if (auto parsed = parse_identifier(identifier); !parsed) return fail(parsed.error());
  return m.store.read([&](store::Tx& tx) -> Result<PublicRecord> {
    auto c = detail::load_cert(tx, identifier);
    if (!c) return detail::not_found();
    return PublicRecord{c->identifier, c->name,       c->type_name, c->issuer_name,
                        c->issue_date, c->valid_from, c->valid_to,  c->status};
  });
}

std::optional<std::string> Service::holder_of(store::Tx& tx, std::string_view identifier) {
  auto row = tx.query_one("SELECT holder_id FROM certificates WHERE identifier = ?",
                          {std::string(identifier)});
  if (!row) return std::nullopt;
  return tx.cipher().open_cell(row->text(0), "certificates.holder_id", identifier);
}

Result<std::string> Service::pdf(std::string_view identifier, const identity::Principal& by) {
  // The printable copy is the holder's. Officials read a certificate only through 用证 (a use
  // cause and a matter, recorded and told to the holder), which the PDF would bypass (#16).
  if (by.is_official()) {
    return fail(ErrorCode::forbidden, "", "工作人员须以用证方式调用证照（说明事由和所办事项）",
                "officials use certificates through a use with a cause and a matter");
  }
  auto c = get(identifier, by);
  if (!c) return fail(c.error());
  return detail::render_pdf(*c, impl_->base + "/verify/certificates/" + c->identifier);
}

}  // namespace yiwang::certificates
