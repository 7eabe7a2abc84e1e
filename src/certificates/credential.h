// Certificate identifiers (GB/T 36904), SD-JWT VC credentials and IETF Token Status Lists.
//
// Pure functions over OpenSSL 3 and zlib; thread-safe; no store access. The certificates service
// (certificates.h) stores what these produce.
//
// - Identifier: "1.2.156.3005.2.<type code>.<issuer USCC>.<serial>.<3-digit version>.<check>", the
//   check character ISO/IEC 7064 MOD 37,36 over type code ‖ USCC ‖ serial ‖ version (dots removed,
//   OID prefix excluded; see shared/standards.md).
// - SD-JWT VC (draft-ietf-oauth-sd-jwt-vc, RFC 9901 SD-JWT): issuer-signed JWT (typ "dc+sd-jwt",
//   ES256 over P-256) whose every claim is a disclosure ("_sd" digests, "_sd_alg": "sha-256");
//   "iss", "iat", "nbf"/"exp", "vct", "status" {"status_list": {"idx", "uri"}} and optional "cnf"
//   stay in the clear. Serialisation: <jwt>~<disclosure>~…~[<kb-jwt>].
// - Token Status List (draft-ietf-oauth-status-list): a JWT (typ "statuslist+jwt") whose
//   "status_list" is {"bits": 2, "lst": base64url(zlib-deflate(bytes))}; values 0 valid,
//   1 invalid (revoked), 2 suspended.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace yiwang::certificates {

// ---- Identifier (GB/T 36904) --------------------------------------------------------------------

struct IdentifierParts {
  std::string type_code;    // e.g. the defining body's USCC + 3 digits
  std::string issuer_uscc;  // 18 chars (GB 32100, validated)
  std::string serial;       // [0-9A-Z]{1,32}
  int version = 1;          // 1..999, written with 3 digits
};
char identifier_check(std::string_view type_code, std::string_view issuer_uscc,
                      std::string_view serial, std::string_view version3);  // MOD 37,36
std::string format_identifier(const IdentifierParts& parts);
// invalid_input (field `field`) naming what is wrong: prefix, part syntax, USCC check, check char.
Result<IdentifierParts> parse_identifier(std::string_view identifier,
                                         std::string_view field = "/identifier");

// ---- Keys -----------------------------------------------------------------------------------------

// An issuer signing key (ES256, P-256). The PEM holds the private key; `kid` is the RFC 7638 JWK
// thumbprint (base64url).
struct SigningKey {
  std::string private_pem;
  std::string kid;
  std::string public_jwk_json;  // {"kty":"EC","crv":"P-256","x":…,"y":…,"kid":…,"alg":"ES256","use":"sig"}
};
SigningKey generate_signing_key();
Result<SigningKey> load_signing_key(std::string_view private_pem);

std::string base64url(std::string_view bytes);                 // no padding
std::optional<std::string> base64url_decode(std::string_view text);

// ---- SD-JWT VC ------------------------------------------------------------------------------------

struct Claim {
  std::string name;
  std::string json_value;  // JSON text of the value: "\"张三\"", "true", "{…}"
};

struct CredentialInput {
  std::string issuer;          // "iss": https URL of the issuing department's issuer identifier
  std::string vct;             // certificate type URI
  std::int64_t issued_at = 0;  // unix seconds
  std::optional<std::int64_t> valid_from;
  std::optional<std::int64_t> expires_at;
  std::string status_list_uri;
  std::int64_t status_index = 0;
  std::optional<std::string> holder_jwk_json;  // cnf.jwk for key binding, when the holder has one
  std::vector<Claim> claims;                   // all selectively disclosable
};

// Issues an SD-JWT VC with one disclosure per claim (random 128-bit salts). Returns the full
// serialisation "<jwt>~<d1>~…~<dn>~".
std::string issue_sd_jwt(const CredentialInput& input, const SigningKey& key);

// Keeps the issuer JWT and only the disclosures of the named claims (a presentation). When a
// key-binding JWT is wanted the caller appends it; without one the result ends in "~".
Result<std::string> select_disclosures(std::string_view sd_jwt,
                                       const std::vector<std::string>& claim_names);

struct VerifiedCredential {
  std::string issuer;
  std::string vct;
  std::string kid;
  std::int64_t issued_at = 0;
  std::optional<std::int64_t> valid_from;
  std::optional<std::int64_t> expires_at;
  std::string status_list_uri;
  std::int64_t status_index = 0;
  std::map<std::string, std::string> disclosed;  // claim name → JSON text of the value
};

// Verifies signature (with the issuer's public JWK of matching kid), structure, that every
// disclosure's digest is in the payload ("altered disclosure" otherwise) and no digest repeats,
// and the time window at `now_s`. Status is NOT checked here (the caller resolves the list).
// Fails with invalid_input, field "/sd_jwt", naming the reason (forged signature, altered
// disclosure, expired, not yet valid, malformed).
Result<VerifiedCredential> verify_sd_jwt(std::string_view sd_jwt,
                                         const std::vector<std::string>& issuer_jwks_json,
                                         std::int64_t now_s);

// ---- Token Status List ------------------------------------------------------------------------

enum class CredentialStatus : std::uint8_t { valid = 0, invalid = 1, suspended = 2 };

// Builds the status list token for `statuses` (index → status), 2 bits per entry.
std::string status_list_jwt(std::string_view uri, const std::vector<CredentialStatus>& statuses,
                            std::int64_t issued_at, std::int64_t ttl_s, const SigningKey& key);
// Reads entry `index` of a status list token (after verifying its signature).
Result<CredentialStatus> status_at(std::string_view status_list_jwt, std::int64_t index,
                                   const std::vector<std::string>& issuer_jwks_json);

}  // namespace yiwang::certificates
