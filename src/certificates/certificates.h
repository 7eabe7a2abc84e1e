// Electronic certificates (电子证照, GB/T 36901–36905) and their use without upload (免提交).
//
// The certificate library: types (证照类型) and certificates with the GB/T 36903 catalog fields,
// issued by departments (manually, in bulk from CSV, or automatically when a case whose item
// results in a certificate completes), suspended / reinstated / revoked / expired; each issued as
// an SD-JWT VC signed by the issuing department's key, with an IETF Token Status List entry.
// Holders list theirs (wallet) and present chosen claims to a named verifier for a stated purpose
// (consent recorded). Departments use a certificate only with a stated use cause (用证事由) and get
// an annotated copy (加注件). Every change and every use appends an event ("certificate.issued",
// "certificate.suspended", "certificate.reinstated", "certificate.revoked", "certificate.expired",
// "certificate.used", "certificate.presented") that the transparency ledger follows.
//
// Lifecycle (status names are the API strings):
//   valid ─suspend→ suspended ─reinstate→ valid;  valid | suspended ─revoke→ revoked;
//   valid | suspended ─(valid_to passed, expire_due)→ expired.
//
// Thread-safety and ownership: Service is shared by all request threads; all state is in the
// store, except two caches behind one lock (parsed signing keys, signed status list tokens).
// Store, clock, random, catalog and identity must outlive it.
//
// Files by concern:
//   certificates.h     this contract
//   internal.h         Service::Impl and the helpers the service files share
//   service.cpp        construction, rows (certificates, types, departments), reading
//   types.cpp          certificate types and the standard types
//   issuance.cpp       issue, issue on case completion, CSV import
//   csv.cpp            the import's CSV records (pure: fuzz/certificate_csv_fuzz.cpp drives it)
//   lifecycle.cpp      suspend / reinstate / revoke, expiry
//   wallet.cpp         the holder's views, presentations and their verification, 用证, 免提交
//   status_lists.cpp   issuer keys, status lists and issuer metadata
//   issuer.cpp         CaseIssuer (the case.completed follower)
//   credential.*       identifiers, SD-JWT VC, token status lists (pure)
//   identifier.cpp     GB/T 36904 identifiers;  pdf.cpp  the printable copy
//   routes.cpp         the HTTP routes, through identity::Routes
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "certificates/credential.h"
#include "core/clock.h"
#include "core/result.h"
#include "identity/identity.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}

namespace yiwang::certificates {

std::vector<store::Migration> migrations();

// The holder's name and id number, the data and the SD-JWT are sealed at rest (core/field_cipher.h,
// the store's data key); this seals those an older version stored in the clear. At start, before
// serving; returns how many it sealed.
Result<std::int64_t> seal_at_rest(store::Store& store);

struct CertificateType {
  std::string code;  // type code (证照类型代码)
  std::string name;  // "营业执照", "居民身份证", … (items refer to types by this name)
  std::string defining_body;  // 定义机构
  std::string dept_id;        // issuing department on this platform
  std::string holder_kind;    // "citizen" / "business"
  int validity_years = 0;     // 0 = no expiry
  std::string vct;            // SD-JWT VC type URI
};

// A certificate's status ("valid", "suspended", "revoked", "expired").
enum class CertificateStatus { valid, suspended, revoked, expired };
std::string_view to_string(CertificateStatus s);
std::optional<CertificateStatus> parse_status(std::string_view s);
// The lifecycle rule, pure: the event type ("certificate.suspended", "certificate.reinstated",
// "certificate.revoked") of an official changing a `from` certificate to `to`; conflict (field
// "/status") for any other change. Expiry is no official's change (Service::expire_due).
Result<std::string_view> status_change_event(CertificateStatus from, CertificateStatus to);

struct Certificate {
  std::string identifier;  // GB/T 36904
  std::string number;      // 证照编号 as printed
  std::string name;        // 证照名称
  int version = 1;
  std::string type_code;
  std::string type_name;
  std::string issue_date;  // YYYY-MM-DD
  std::string issuer_name;
  std::string issuer_uscc;
  std::string dept_id;
  std::string valid_from;     // YYYY-MM-DD
  std::string valid_to;       // YYYY-MM-DD or "" (长期)
  std::string division_code;  // 颁证单位行政区划
  std::string holder_name;
  std::string holder_id;
  std::string holder_id_type;  // "111" 公民身份号码, "001" 统一社会信用代码 (see standards)
  std::string holder_user_id;    // platform account, "" when unknown
  std::string item_code;         // related item
  std::string case_id;           // issuing case, "" for manual / imported
  std::string data_json = "{}";  // type-specific fields (经营范围, …)
  CertificateStatus status = CertificateStatus::valid;
  std::string status_reason;
  std::int64_t status_index = 0;
  std::string sd_jwt;          // the SD-JWT VC as issued
  std::string status_list_id;  // the issuing department's token status list holding status_index
  core::Millis issued_at_ms = 0;
};

struct NewCertificate {
  std::string type_code;
  std::string number;  // "" = assigned
  std::string holder_name;
  std::string holder_id;
  std::string holder_id_type;
  std::string valid_from;  // "" = issue date
  std::string valid_to;    // "" = from the type's validity_years
  std::string item_code;
  std::string case_id;
  std::string data_json = "{}";
};

// The result of checking a certificate for a case material (免提交) or a presentation.
struct Verification {
  std::string identifier;
  std::string type_name;
  std::string holder_id;
  bool signature_ok = false;
  bool status_ok = false;
  bool validity_ok = false;
  bool holder_ok = false;
  std::string presentation;  // the SD-JWT presentation attached
  core::Millis verified_at_ms = 0;
  // Filled by verify_presentation: only what the holder disclosed (claim name → JSON text), the
  // issuer identifier and the vct. identifier / type_name / holder_id above are then taken from
  // the disclosures and stay "" when not disclosed.
  std::map<std::string, std::string> disclosed;
  std::string issuer;
  std::string vct;
};

// What a completed case tells the issuer (resolved by the app from the cases module).
struct CaseResult {
  std::string case_id;
  std::string item_code;
  std::string decision;  // "granted" / "denied"
  std::string holder_name;
  std::string holder_id;
  std::string holder_kind;  // "citizen" / "business"
  std::string holder_user_id;
  core::Millis completed_at_ms = 0;
};
// Looks a completed case up inside the follower's transaction; nullopt when unknown.
using CaseResolver = std::function<std::optional<CaseResult>(store::Tx&, std::string_view case_id)>;

struct ImportReport {
  int imported = 0;
  // field "/rows/<n>/<column>" with n the 1-based data row (the header row is not counted), or
  // "/header/<column>" for a missing or unknown column; non-empty = nothing imported.
  std::vector<Error> row_errors;
};

// What anyone holding the printed copy may learn online (the QR code's page): no holder data.
struct PublicRecord {
  std::string identifier;
  std::string name;
  std::string type_name;
  std::string issuer_name;
  std::string issue_date;
  std::string valid_from;
  std::string valid_to;
  CertificateStatus status = CertificateStatus::valid;
};

// 用证 by need (#16): the person a matter concerns. `matter` names one ("case:<id>",
// "appeal:<id>", "grid_event:<id>"); the answer is the id number of the person it concerns when
// `by` acts in it for their department, forbidden or not_found otherwise. Wired by the app (the
// cases, appeals and grid modules know their matters).
using MatterCheck = std::function<Result<std::string>(store::Tx&, std::string_view matter,
                                                      const identity::Principal& by)>;
// Tells a certificate's holder that an official used it (their inbox), inside the transaction.
struct UseNotice {
  std::string identifier;
  std::string type_name;
  std::string holder_id;       // id number the certificate names
  std::string holder_user_id;  // the account it was issued to, "" when none
  std::string used_by_dept;
  std::string use_cause;
  std::string matter;
  bool supervisory = false;
};
using UseNotifier = std::function<Status(store::Tx&, const UseNotice&)>;

// One use of a certificate as its holder sees it (their data-use record).
struct UseRecord {
  std::string identifier;
  std::string type_name;
  std::string used_by_dept;  // department id; "" never (the platform acts for a department)
  std::string use_cause;
  std::string matter;
  bool supervisory = false;
  core::Millis used_at_ms = 0;
};

class Service {
 public:
  Service(store::Store& store, const core::Clock& clock, core::Random& random,
          catalog::Service& catalog, identity::Service& identity, std::string public_base_url);
  ~Service();

  // Types: admin defines; anyone lists.
  Result<CertificateType> put_type(const CertificateType& type, const identity::Principal& by);
  Result<std::vector<CertificateType>> types();
  // Defines the platform's standard types (营业执照 by scjg, 居民身份证 by gaj, …: every result and
  // material certificate the demo items name) for those of their departments that exist; type
  // code = department USCC + 3 digits. Idempotent (existing names are kept); returns how many
  // were added. A system act (no admin needed): the demo and start-up call it.
  Result<int> seed_standard_types();

  // "<public_base_url>/issuers/<dept_id>": the SD-JWT VC "iss" of a department.
  std::string issuer_id(std::string_view dept_id) const;

  // Issuance by an official of the type's issuing department (or the system on case completion).
  Result<Certificate> issue(const NewCertificate& input, const identity::Principal& by);
  // Bulk import of historical certificates (CSV with a header row); all rows or none.
  Result<ImportReport> import_csv(std::string_view csv, const identity::Principal& by);
  // Whether `by` may issue or import certificates at all (approvers and administrators; which
  // types, issue decides), asked before the body is read.
  static Status may_issue(const identity::Principal& by);
  // Issues the result certificate of a completed, granted case inside the caller's transaction
  // (idempotent per case); nullopt when the item's result_certificate_type names no known type.
  Result<std::optional<Certificate>> issue_for_case(store::Tx& tx, const CaseResult& result);

  Result<Certificate> get(std::string_view identifier, const identity::Principal& by);
  // Lifecycle: suspend / reinstate / revoke by the issuing department; reason required.
  Result<Certificate> change_status(std::string_view identifier, CertificateStatus to,
                                    std::string reason, const identity::Principal& by);
  // Whether `by` may change the status of certificate `identifier` (not_found, forbidden), asked
  // before the body is read; change_status checks again.
  Status may_change_status(std::string_view identifier, const identity::Principal& by);
  // Marks certificates past valid_to as expired; returns how many.
  Result<int> expire_due();

  // The holder's own certificates (wallet).
  Result<std::vector<Certificate>> wallet(const identity::Principal& holder);
  // 免提交 before filing: for each material of the item that a certificate may satisfy, the
  // holder's certificates of that type that are valid today (the applicant then files with the
  // chosen identifier, which is the consent). not_found for an unknown item.
  struct MaterialMatch {
    std::string material;          // the item's material name
    std::string certificate_type;  // the type that satisfies it
    std::vector<Certificate> certificates;
  };
  Result<std::vector<MaterialMatch>> matches(std::string_view item_code,
                                             const identity::Principal& holder);
  // Holder builds a presentation disclosing only `claims` to `verifier` for `purpose`; consent is
  // recorded (event "certificate.presented").
  Result<std::string> present(std::string_view identifier, const std::vector<std::string>& claims,
                              std::string verifier, std::string purpose,
                              const identity::Principal& holder);
  // Whether `holder` holds certificate `identifier` (not_found otherwise), asked before the
  // presentation request is read; present checks again, and the status too.
  Status may_present(std::string_view identifier, const identity::Principal& holder);
  // Verifies a presentation: signature, disclosures, status, validity; fails with the reason.
  Result<Verification> verify_presentation(std::string_view presentation);

  // 用证: an authorised official gets an annotated copy (加注件) for a stated use cause; audited.
  struct AnnotatedCopy {
    Certificate certificate;
    std::string used_by;  // user id
    std::string used_by_dept;
    std::string use_cause;
    core::Millis used_at_ms = 0;
    core::Millis valid_until_ms = 0;
  };
  // By need (#16): `matter` names the case, appeal or grid event of the official's department that
  // concerns the certificate's holder (checked through the MatterCheck; invalid_input "/matter"
  // when missing, forbidden when the matter is not theirs or concerns someone else). A supervisor (电子监察) may
  // read without a matter; such reads are marked supervisory and reviewed. The holder is told.
  Result<AnnotatedCopy> use(std::string_view identifier, std::string use_cause,
                            const identity::Principal& by, std::string_view matter = "");
  // Set at start-up by the app, before requests are served.
  void set_need_checks(MatterCheck check, UseNotifier notify);
  // The holder's data-use record: every use of the certificates in their wallet, newest first.
  Result<std::vector<UseRecord>> uses(const identity::Principal& holder, int limit = 200);

  // 免提交 inside a case filing: checks the applicant's certificate of `type_name` and returns it
  // verified (holder = applicant id). Runs inside the caller's (cases') write transaction, where
  // it also records the use: the handling department uses the certificate for the case with the
  // applicant's consent (filing with it is the consent) — a 用证 row and "certificate.used".
  struct MaterialUse {
    std::string case_id;
    std::string dept_id;  // the department handling the case
    std::string item_name;
  };
  Result<Verification> verify_for_material(store::Tx& tx, std::string_view identifier,
                                           std::string_view type_name,
                                           std::string_view applicant_id, const MaterialUse& use);

  // Status list token for list `id` (served at GET /api/v1/status-lists/{id}); issuer metadata.
  Result<std::string> status_list(std::string_view id);
  std::string issuer_metadata_json();  // /.well-known/jwt-vc-issuer with jwks (all departments)
  // /.well-known/jwt-vc-issuer/issuers/<dept>: {"issuer": issuer_id(dept), "jwks": {"keys": […]}};
  // not_found for an unknown department.
  Result<std::string> issuer_metadata_json(std::string_view dept_id);
  // Public facts behind the QR code (no holder data); not_found when unknown.
  Result<PublicRecord> public_record(std::string_view identifier);
  // The holder's id number inside the caller's transaction, for the ledger's party commitment
  // (never for requests); nullopt when unknown.
  std::optional<std::string> holder_of(store::Tx& tx, std::string_view identifier);

  // PDF rendering with a QR code leading to the online verification page: the holder's printable
  // copy. Forbidden to officials, who read certificates only through use().
  Result<std::string> pdf(std::string_view identifier, const identity::Principal& by);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Follows the event stream and issues result certificates on "case.completed" (exactly once).
class CaseIssuer {
 public:
  CaseIssuer(Service& service, store::Store& store, CaseResolver resolve);
  ~CaseIssuer();
  Result<int> poll_once(int max_events = 500);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

void register_routes(http::Router& router, Service& service, identity::Service& identity);

}  // namespace yiwang::certificates
