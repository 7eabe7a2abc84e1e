// Private to the certificates module: Service::Impl and the helpers its source files share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "certificates/certificates.h"
#include "core/field_cipher.h"
#include "core/thread_annotations.h"
#include "events/events.h"

namespace yiwang::certificates {

// A department as issuance needs it (identity's table, read inside our transaction).
struct Dept {
  std::string id;
  std::string name;
  std::string uscc;
  std::string division_code;
};

struct Service::Impl {
  // Constant after construction: read without the lock.
  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  catalog::Service& catalog;
  identity::Service& identity;
  std::string base;  // public base URL without a trailing '/'
  // Set once at start-up (set_need_checks), before requests: read without the lock.
  MatterCheck matter_check;
  UseNotifier use_notifier;

  Impl(store::Store& s, const core::Clock& c, core::Random& r, catalog::Service& cat,
       identity::Service& ids, std::string b);

  std::string today() const;                        // the China date of now, YYYY-MM-DD
  std::string issuer(std::string_view dept) const;  // "<base>/issuers/<dept>"
  std::string list_uri(std::string_view id) const;  // "<base>/api/v1/status-lists/<id>"
  std::string new_id();                             // an opaque row id (32 hex digits)

  // ---- Keys and status lists (status_lists.cpp) ----
  // The signing key of a stored PEM, parsed once.
  SigningKey parsed(const std::string& pem) EXCLUDES(mu);
  // The department's newest active key; nullopt when it has none yet.
  std::optional<SigningKey> current_key(store::Tx& tx, std::string_view dept) EXCLUDES(mu);
  // The current key, generated and stored on the department's first issuance.
  SigningKey key_for_issuing(store::Tx& tx, std::string_view dept) EXCLUDES(mu);
  // Every public JWK the department ever signed with, oldest first.
  std::vector<std::string> jwks(store::Tx& tx, std::string_view dept);
  // A free slot in the department's current status list (a new list when it is full).
  std::pair<std::string, std::int64_t> status_slot(store::Tx& tx, std::string_view dept);
  // Marks a list changed, so its token is signed again.
  void bump_list(store::Tx& tx, const std::string& list_id);
  // The signed token of list `id` at `revision` when it is still fresh at `now`.
  std::optional<std::string> cached_list(const std::string& id, std::int64_t revision,
                                         core::Millis now) EXCLUDES(mu);
  void keep_list(const std::string& id, std::int64_t revision, core::Millis now,
                 const std::string& jwt) EXCLUDES(mu);

  // ---- Issuance (issuance.cpp) ----
  // Inserts a certificate and its issuance event. `in` has been checked (issuance.cpp).
  Result<Certificate> insert(store::Tx& tx, const NewCertificate& in, const CertificateType& type,
                             const Dept& dept, const std::string& issue_date,
                             const std::string& holder_user_id,
                             const std::optional<std::string>& identifier,
                             const events::Actor& actor);

 private:
  std::string next_serial(store::Tx& tx, const std::string& type_code, const std::string& uscc);

  struct CachedList {
    std::int64_t revision = -1;
    core::Millis signed_at_ms = 0;
    std::string jwt;
  };
  core::Mutex mu;
  // Parsed signing keys by PEM: the store stays the source of truth (a key generated in a
  // transaction that rolls back is never used again because lookups always start in the store).
  std::unordered_map<std::string, SigningKey> keys GUARDED_BY(mu);
  // Signed status list tokens by list id.
  std::unordered_map<std::string, CachedList> lists GUARDED_BY(mu);
};

namespace detail {

// The columns of a certificates row, in cert_from_row's order.
inline constexpr const char* kCertColumns =
    "identifier, number, name, version, type_code, type_name, issue_date, issuer_name, "
    "issuer_uscc, dept_id, valid_from, valid_to, division_code, holder_name, holder_id, "
    "holder_id_type, holder_user_id, item_code, case_id, data_json, status, status_reason, "
    "status_list_id, status_index, sd_jwt, issued_at_ms";
inline constexpr const char* kTypeColumns =
    "code, name, defining_body, dept_id, holder_kind, validity_years, vct";

// The sealed cells (holder name and id number, data, SD-JWT) are opened with `cipher`.
Certificate cert_from_row(const store::Row& r, const core::FieldCipher& cipher);
std::optional<Certificate> load_cert(store::Tx& tx, std::string_view identifier);
CertificateType type_from_row(const store::Row& r);
// The type whose `column` ("code" or "name") is `value`.
std::optional<CertificateType> type_by(store::Tx& tx, std::string_view column,
                                       std::string_view value);
// The department with its USCC (a derived, valid one when none is recorded).
std::optional<Dept> load_dept(store::Tx& tx, std::string_view id);

// Claim names every credential carries; type-specific data may not reuse them.
const std::vector<std::string>& standard_claims();
// The claims of a certificate's credential: the standard ones, then its data's.
std::vector<Claim> claims_of(const Certificate& c);
std::vector<std::string> claim_names(const Certificate& c);

Error invalid(std::string field, std::string zh, std::string en);

// ---- CSV import (csv.cpp) -----------------------------------------------------------------

using CsvRows = std::vector<std::vector<std::string>>;
// One parsed CSV record per line; RFC 4180 quoting ("" inside quotes), a leading UTF-8 BOM
// skipped, lines of one empty cell dropped. nullopt on an unterminated quote.
std::optional<CsvRows> parse_csv(std::string_view text);
// The CSV's records: a header row and at most 10000 data rows. invalid_input for an unterminated
// quote or no header, too_large beyond 10000 rows.
Result<CsvRows> parse_import(std::string_view csv);
tl::unexpected<Error> not_found();
// An approver or administrator of the department.
bool may_manage(const identity::Principal& by, std::string_view dept_id);
// The principal holds the certificate (by account, or a citizen or business by id number).
bool holder_matches(const Certificate& c, const identity::Principal& p);
// What events say about a certificate: no holder data (the audit trail is read widely).
std::string event_state(const Certificate& c);
std::optional<core::Date> date_of(std::string_view s);

// A one-page PDF 1.4 of the certificate: title, catalog fields and a QR code for `verify_url`.
// Chinese text uses the STSong-Light / UniGB-UCS2-H resource every PDF reader carries, so no font
// is embedded. invalid_input only if the URL does not fit a QR code.
Result<std::string> render_pdf(const Certificate& c, const std::string& verify_url);
// `text` as a QR code (level L, byte mode), an SVG image with its quiet zone.
Result<std::string> qr_svg(const std::string& text);

// UTF-8 → UTF-16BE code units (BMP; other code points become U+FFFD).
std::u16string utf16(std::string_view utf8);

}  // namespace detail
}  // namespace yiwang::certificates
