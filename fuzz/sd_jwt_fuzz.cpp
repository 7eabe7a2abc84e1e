// Electronic certificates from outside (certificates/credential.h): SD-JWT VCs presented by
// holders and verifiers, Token Status Lists, GB/T 36904 identifiers and base64url.
//
// The first byte picks what the rest is:
//   0  a whole presentation, verified as is against the issuer key;
//   1  "<payload JSON>~<disclosure>~…~[<kb-jwt>]": the harness adds the disclosures' digests to
//      "_sd" and signs the payload with the issuer key, so verification gets past the signature
//      to the claims, the disclosures and key binding (what a forger cannot reach, a bug in our
//      own issuance could); a verified one is narrowed with select_disclosures and verified again;
//   2  a status list payload JSON, signed, then read at the index in the next 2 bytes;
//   3  an identifier: one that parses formats back to itself;
//   4  base64url text: what decodes encodes back to itself (one encoding per byte string).
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "certificates/credential.h"
#include "fuzz_check.h"

namespace yiwang {
namespace {

using certificates::base64url;
using Json = nlohmann::json;

const certificates::SigningKey& issuer() {
  static const certificates::SigningKey key = certificates::generate_signing_key();
  return key;
}

// ES256 over `input` as JWS wants it (R‖S), with the issuer key.
std::string sign(std::string_view input) {
  const auto& pem = issuer().private_pem;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), int(pem.size())),
                                                BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char der[128];
  std::size_t der_len = sizeof der;
  fuzz::check(
      key && md && EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
          EVP_DigestSign(md.get(), der, &der_len,
                         reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1,
      "the harness signs");
  const unsigned char* p = der;
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &p, long(der_len)), ECDSA_SIG_free);
  std::string raw(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 32, 32);
  return raw;
}

std::string jws(std::string_view typ, const Json& payload) {
  Json header = {{"alg", "ES256"}, {"typ", typ}, {"kid", issuer().kid}};
  std::string input = base64url(header.dump()) + "." + base64url(payload.dump());
  return input + "." + base64url(sign(input));
}

std::string sha256_b64url(std::string_view text) {
  unsigned char h[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), h);
  return base64url(std::string_view(reinterpret_cast<const char*>(h), sizeof h));
}

constexpr std::int64_t kNow = 1796000000;  // 2026-11

void verify_presentation(std::string_view text) {
  auto verified = certificates::verify_sd_jwt(text, {issuer().public_jwk_json}, kNow);
  if (!verified) {
    fuzz::check(verified.error().code == ErrorCode::invalid_input, "a refusal is invalid input");
    return;
  }
  std::vector<std::string> names;
  for (const auto& [name, value] : verified->disclosed) {
    fuzz::check(!Json::parse(value, nullptr, false).is_discarded(), "a claim value is JSON");
    if (names.size() < verified->disclosed.size() / 2 + 1) names.push_back(name);
  }
  if (text.back() != '~') return;  // key-bound: cannot be narrowed
  auto narrowed = certificates::select_disclosures(text, names);
  fuzz::check(narrowed.has_value(), "a verified credential narrows to its own claims");
  auto again = certificates::verify_sd_jwt(*narrowed, {issuer().public_jwk_json}, kNow);
  fuzz::check(again.has_value(), "a narrowed credential verifies");
  fuzz::check(again->disclosed.size() == names.size(), "a narrowed one discloses what was chosen");
}

void signed_presentation(std::string_view text) {
  auto tilde = text.find('~');
  if (tilde == std::string_view::npos) return;
  Json payload = Json::parse(text.substr(0, tilde), nullptr, false);
  if (!payload.is_object()) return;
  // The disclosures are every piece between the first and the last '~'.
  std::string_view rest = text.substr(tilde + 1);
  auto last = rest.rfind('~');
  std::string_view disclosures = last == std::string_view::npos ? "" : rest.substr(0, last);
  if (!payload.contains("_sd")) payload["_sd"] = Json::array();
  if (payload["_sd"].is_array()) {
    for (std::size_t start = 0; start < disclosures.size();) {
      auto end = disclosures.find('~', start);
      if (end == std::string_view::npos) end = disclosures.size();
      payload["_sd"].push_back(sha256_b64url(disclosures.substr(start, end - start)));
      start = end + 1;
    }
  }
  verify_presentation(jws("dc+sd-jwt", payload) + "~" + std::string(rest));
}

void status_list(std::string_view text) {
  if (text.size() < 2) return;
  std::int64_t index =
      static_cast<unsigned char>(text[0]) << 8 | static_cast<unsigned char>(text[1]);
  Json payload = Json::parse(text.substr(2), nullptr, false);
  if (!payload.is_object()) return;
  auto status =
      certificates::status_at(jws("statuslist+jwt", payload), index, {issuer().public_jwk_json});
  if (status) {
    fuzz::check(*status == certificates::CredentialStatus::valid ||
                    *status == certificates::CredentialStatus::invalid ||
                    *status == certificates::CredentialStatus::suspended,
                "a status is one of the three");
  }
}

void identifier(std::string_view text) {
  auto parts = certificates::parse_identifier(text);
  if (!parts) return;
  fuzz::check(certificates::format_identifier(*parts) == text, "an identifier formats back");
}

void base64(std::string_view text) {
  auto bytes = certificates::base64url_decode(text);
  if (bytes) fuzz::check(base64url(*bytes) == text, "base64url has one encoding per bytes");
}

}  // namespace
}  // namespace yiwang

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yiwang;
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0:
      if (!text.empty()) verify_presentation(text);
      break;
    case 1:
      signed_presentation(text);
      break;
    case 2:
      status_list(text);
      break;
    case 3:
      identifier(text);
      break;
    default:
      base64(text);
      break;
  }
  return 0;
}
