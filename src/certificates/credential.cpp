// ES256 keys and JWS, SD-JWT VC issuance / presentation / verification, Token Status Lists.
//
// Everything here is a pure function of its inputs (plus OpenSSL's CSPRNG for keys and salts), so
// the service can call it from any thread. JSON goes through nlohmann only inside this file.
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "certificates/credential.h"

namespace yiwang::certificates {

namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// ---- OpenSSL ownership --------------------------------------------------------------------------

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct SigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using Bio = std::unique_ptr<BIO, BioFree>;
using Bn = std::unique_ptr<BIGNUM, BnFree>;
using Sig = std::unique_ptr<ECDSA_SIG, SigFree>;

constexpr std::size_t kCoord = 32;  // P-256 coordinate / scalar size

std::string sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out, &n, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return std::string(reinterpret_cast<char*>(out), n);
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

bool is_p256(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "EC") != 1) return false;
  char group[64] = {0};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) !=
      1) {
    return false;
  }
  std::string_view g(group, len);
  return g == "prime256v1" || g == "P-256" || g == "secp256r1";
}

std::string coordinate(EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) throw std::runtime_error("EC coordinate");
  Bn bn(raw);
  std::string out(kCoord, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), kCoord) != kCoord) {
    throw std::runtime_error("EC coordinate size");
  }
  return out;
}

// RFC 7638: the thumbprint hashes the required members only, in lexicographic order, no spaces.
std::string thumbprint(const std::string& x_b64, const std::string& y_b64) {
  std::string canonical =
      R"({"crv":"P-256","kty":"EC","x":")" + x_b64 + R"(","y":")" + y_b64 + R"("})";
  return base64url(sha256(canonical));
}

SigningKey describe(EVP_PKEY* pkey, std::string private_pem) {
  std::string x = base64url(coordinate(pkey, OSSL_PKEY_PARAM_EC_PUB_X));
  std::string y = base64url(coordinate(pkey, OSSL_PKEY_PARAM_EC_PUB_Y));
  SigningKey key;
  key.private_pem = std::move(private_pem);
  key.kid = thumbprint(x, y);
  ordered_json jwk;
  jwk["kty"] = "EC";
  jwk["crv"] = "P-256";
  jwk["x"] = x;
  jwk["y"] = y;
  jwk["kid"] = key.kid;
  jwk["alg"] = "ES256";
  jwk["use"] = "sig";
  key.public_jwk_json = jwk.dump();
  return key;
}

Pkey read_private(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw std::runtime_error("BIO_new_mem_buf");
  return Pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

// Public key from a P-256 JWK; null when the JWK is not one or the point is not on the curve.
Pkey public_from_jwk(const json& jwk) {
  if (!jwk.is_object() || jwk.value("kty", "") != "EC" || jwk.value("crv", "") != "P-256") {
    return nullptr;
  }
  if (!jwk.contains("x") || !jwk["x"].is_string() || !jwk.contains("y") || !jwk["y"].is_string()) {
    return nullptr;
  }
  auto x = base64url_decode(jwk["x"].get<std::string>());
  auto y = base64url_decode(jwk["y"].get<std::string>());
  if (!x || !y || x->size() != kCoord || y->size() != kCoord) return nullptr;
  std::string point = "\x04" + *x + *y;

  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) return nullptr;
  Pkey pkey(raw);
  // fromdata does not promise an on-curve check; an off-curve point must never verify anything.
  PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return pkey;
}

// ---- JWS ES256 (compact) ------------------------------------------------------------------------

// JWS wants R‖S (RFC 7518 §3.4); OpenSSL signs and verifies DER ECDSA-Sig-Value.
std::string sign_es256(const std::string& signing_input, const std::string& private_pem) {
  Pkey pkey = read_private(private_pem);
  if (!pkey) throw std::invalid_argument("signing key PEM unreadable");
  MdCtx md(EVP_MD_CTX_new());
  std::size_t der_len = 0;
  if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &der_len,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    throw std::runtime_error("ES256 sign init failed");
  }
  std::string der(der_len, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(der.data()), &der_len,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    throw std::runtime_error("ES256 sign failed");
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  Sig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) throw std::runtime_error("ES256 signature not DER");
  std::string raw(2 * kCoord, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, kCoord) != kCoord ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + kCoord, kCoord) != kCoord) {
    throw std::runtime_error("ES256 signature size");
  }
  return raw;
}

bool verify_es256(std::string_view signing_input, std::string_view raw, EVP_PKEY* pkey) {
  if (raw.size() != 2 * kCoord) return false;
  const auto* r_bytes = reinterpret_cast<const unsigned char*>(raw.data());
  Sig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(r_bytes, kCoord, nullptr);
  BIGNUM* s = BN_bin2bn(r_bytes + kCoord, kCoord, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return false;
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> der_owner(
      der, [](unsigned char* d) { OPENSSL_free(d); });
  MdCtx md(EVP_MD_CTX_new());
  return md && EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
         EVP_DigestVerify(md.get(), der, static_cast<std::size_t>(der_len),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

std::string make_jws(const ordered_json& header, const ordered_json& payload,
                     const SigningKey& key) {
  std::string input = base64url(header.dump()) + "." + base64url(payload.dump());
  return input + "." + base64url(sign_es256(input, key.private_pem));
}

struct Jws {
  json header;
  json payload;
  std::string signing_input;
  std::string signature;
};

std::optional<json> parse_json(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::optional<Jws> split_jws(std::string_view compact) {
  auto d1 = compact.find('.');
  if (d1 == std::string_view::npos) return std::nullopt;
  auto d2 = compact.find('.', d1 + 1);
  if (d2 == std::string_view::npos || compact.find('.', d2 + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto header = base64url_decode(compact.substr(0, d1));
  auto payload = base64url_decode(compact.substr(d1 + 1, d2 - d1 - 1));
  auto signature = base64url_decode(compact.substr(d2 + 1));
  if (!header || !payload || !signature) return std::nullopt;
  auto h = parse_json(*header);
  auto p = parse_json(*payload);
  if (!h || !p || !h->is_object() || !p->is_object()) return std::nullopt;
  return Jws{std::move(*h), std::move(*p), std::string(compact.substr(0, d2)),
             std::move(*signature)};
}

// Each entry is a JWK, or a JWKS {"keys": […]}; the first JWK with `kid` wins.
std::optional<json> find_jwk(const std::vector<std::string>& jwks, const std::string& kid) {
  for (const auto& text : jwks) {
    auto j = parse_json(text);
    if (!j || !j->is_object()) continue;
    std::vector<json> candidates;
    if (j->contains("keys") && (*j)["keys"].is_array()) {
      for (const auto& k : (*j)["keys"]) candidates.push_back(k);
    } else {
      candidates.push_back(*j);
    }
    for (const auto& k : candidates) {
      if (k.is_object() && k.contains("kid") && k["kid"].is_string() && k["kid"] == kid) return k;
    }
  }
  return std::nullopt;
}

std::string string_member(const json& obj, const char* name) {
  if (!obj.contains(name) || !obj[name].is_string()) return {};
  return obj[name].get<std::string>();
}

std::optional<std::int64_t> int_member(const json& obj, const char* name) {
  if (!obj.contains(name) || !obj[name].is_number_integer()) return std::nullopt;
  return obj[name].get<std::int64_t>();
}

tl::unexpected<Error> sd_fail(std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, "/sd_jwt", std::move(zh), std::move(en));
}

tl::unexpected<Error> malformed(const std::string& what) {
  return sd_fail("电子证照凭证格式错误：" + what, "malformed credential: " + what);
}

enum class JwsCheck { ok, malformed, unknown_key, bad_signature };

// Verifies a compact ES256 JWS with the issuer key named by its `kid` and checks `typ`.
JwsCheck check_jws(const Jws& jws, const std::vector<std::string>& jwks,
                   std::initializer_list<std::string_view> types) {
  if (string_member(jws.header, "alg") != "ES256") return JwsCheck::malformed;
  std::string typ = string_member(jws.header, "typ");
  if (std::find(types.begin(), types.end(), typ) == types.end()) return JwsCheck::malformed;
  std::string kid = string_member(jws.header, "kid");
  if (kid.empty()) return JwsCheck::unknown_key;
  auto jwk = find_jwk(jwks, kid);
  if (!jwk) return JwsCheck::unknown_key;
  Pkey pub = public_from_jwk(*jwk);
  if (!pub) return JwsCheck::unknown_key;
  return verify_es256(jws.signing_input, jws.signature, pub.get()) ? JwsCheck::ok
                                                                   : JwsCheck::bad_signature;
}

// ---- SD-JWT serialisation -----------------------------------------------------------------------

// RFC 9901 claims that must stay in the clear (or are SD-JWT syntax) and so cannot be disclosures.
const std::set<std::string, std::less<>> kClearClaims = {
    "_sd", "...", "_sd_alg", "iss", "iat", "nbf", "exp", "vct", "vct#integrity", "status", "cnf"};

struct Parts {
  std::string jwt;
  std::vector<std::string> disclosures;
  std::string kb_jwt;  // "" when absent
};

std::optional<Parts> split_sd_jwt(std::string_view text) {
  if (text.find('~') == std::string_view::npos) return std::nullopt;
  Parts parts;
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  while (true) {
    auto t = text.find('~', start);
    if (t == std::string_view::npos) {
      pieces.push_back(text.substr(start));
      break;
    }
    pieces.push_back(text.substr(start, t - start));
    start = t + 1;
  }
  parts.jwt = std::string(pieces.front());
  parts.kb_jwt = std::string(pieces.back());
  for (std::size_t i = 1; i + 1 < pieces.size(); ++i) {
    if (pieces[i].empty()) return std::nullopt;
    parts.disclosures.emplace_back(pieces[i]);
  }
  if (parts.jwt.empty()) return std::nullopt;
  return parts;
}

struct Disclosure {
  std::string name;
  json value;
};

std::optional<Disclosure> decode_disclosure(std::string_view encoded) {
  auto text = base64url_decode(encoded);
  if (!text) return std::nullopt;
  auto j = parse_json(*text);
  // Array-element disclosures ([salt, value]) are not issued by us; they fail here as malformed.
  if (!j || !j->is_array() || j->size() != 3 || !(*j)[0].is_string() || !(*j)[1].is_string()) {
    return std::nullopt;
  }
  return Disclosure{(*j)[1].get<std::string>(), (*j)[2]};
}

std::string digest(std::string_view disclosure) {
  return base64url(sha256(disclosure));
}

}  // namespace

// ---- base64url ----------------------------------------------------------------------------------

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    std::uint32_t v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

// Strict: no padding, no whitespace, and unused trailing bits must be zero, so every byte string
// has exactly one accepted encoding (a disclosure's digest is over its text, not its bytes).
std::optional<std::string> base64url_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

// ---- Keys ---------------------------------------------------------------------------------------

SigningKey generate_signing_key() {
  Pkey pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!pkey) throw std::runtime_error("P-256 key generation failed");
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw std::runtime_error("PEM encoding failed");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return describe(pkey.get(), std::string(data, static_cast<std::size_t>(n)));
}

Result<SigningKey> load_signing_key(std::string_view private_pem) {
  Pkey pkey = read_private(private_pem);
  if (!pkey || !is_p256(pkey.get())) {
    return fail(ErrorCode::invalid_input, "/private_pem", "签名私钥须为 PEM 格式的 P-256 私钥",
                "signing key must be a P-256 private key in PEM");
  }
  return describe(pkey.get(), std::string(private_pem));
}

// ---- SD-JWT VC ----------------------------------------------------------------------------------

std::string issue_sd_jwt(const CredentialInput& input, const SigningKey& key) {
  std::vector<std::string> disclosures;
  std::vector<std::string> digests;
  std::set<std::string, std::less<>> names;
  for (const auto& claim : input.claims) {
    if (kClearClaims.count(claim.name) || !names.insert(claim.name).second) {
      throw std::invalid_argument("issue_sd_jwt: reserved or repeated claim " + claim.name);
    }
    auto value = parse_json(claim.json_value);
    if (!value) throw std::invalid_argument("issue_sd_jwt: claim value is not JSON: " + claim.name);
    json array = json::array({base64url(random_bytes(16)), claim.name, *value});
    disclosures.push_back(base64url(array.dump()));
    digests.push_back(digest(disclosures.back()));
  }
  // Sorted digests reveal nothing about claim order (RFC 9901 §4.2.4.1).
  std::sort(digests.begin(), digests.end());

  ordered_json payload;
  payload["_sd"] = digests;
  payload["iss"] = input.issuer;
  payload["iat"] = input.issued_at;
  if (input.valid_from) payload["nbf"] = *input.valid_from;
  if (input.expires_at) payload["exp"] = *input.expires_at;
  payload["vct"] = input.vct;
  if (!input.status_list_uri.empty()) {
    payload["status"]["status_list"] = {{"idx", input.status_index},
                                        {"uri", input.status_list_uri}};
  }
  if (input.holder_jwk_json) {
    auto jwk = parse_json(*input.holder_jwk_json);
    if (!jwk || !jwk->is_object()) throw std::invalid_argument("issue_sd_jwt: holder JWK");
    payload["cnf"]["jwk"] = *jwk;
  }
  payload["_sd_alg"] = "sha-256";

  ordered_json header;
  header["alg"] = "ES256";
  header["typ"] = "dc+sd-jwt";
  header["kid"] = key.kid;

  std::string out = make_jws(header, payload, key) + "~";
  for (const auto& d : disclosures) out += d + "~";
  return out;
}

Result<std::string> select_disclosures(std::string_view sd_jwt,
                                       const std::vector<std::string>& claim_names) {
  auto parts = split_sd_jwt(sd_jwt);
  if (!parts) return malformed("not <jwt>~<disclosure>~…~");
  if (!parts->kb_jwt.empty()) {
    return malformed("a key-bound presentation cannot be narrowed further");
  }
  std::set<std::string, std::less<>> wanted(claim_names.begin(), claim_names.end());
  std::set<std::string, std::less<>> found;
  std::string out = parts->jwt + "~";
  for (const auto& d : parts->disclosures) {
    auto disclosure = decode_disclosure(d);
    if (!disclosure) return malformed("undecodable disclosure");
    if (wanted.count(disclosure->name)) {
      out += d + "~";
      found.insert(disclosure->name);
    }
  }
  for (const auto& name : wanted) {
    if (!found.count(name)) {
      return fail(ErrorCode::invalid_input, "/claims", "证照中没有可披露的字段：" + name,
                  "the credential has no disclosable claim " + name);
    }
  }
  return out;
}

namespace {

// The claims in the clear: iss, vct, iat (required), nbf, exp, _sd_alg and the status entry.
Status read_clear_claims(const json& payload, VerifiedCredential& out) {
  out.issuer = string_member(payload, "iss");
  out.vct = string_member(payload, "vct");
  auto iat = int_member(payload, "iat");
  if (out.issuer.empty() || out.vct.empty() || !iat) return malformed("iss, vct and iat required");
  out.issued_at = *iat;
  if (payload.contains("nbf")) {
    out.valid_from = int_member(payload, "nbf");
    if (!out.valid_from) return malformed("nbf must be an integer");
  }
  if (payload.contains("exp")) {
    out.expires_at = int_member(payload, "exp");
    if (!out.expires_at) return malformed("exp must be an integer");
  }
  if (payload.contains("_sd_alg") && payload["_sd_alg"] != "sha-256") {
    return malformed("_sd_alg must be sha-256");
  }
  if (payload.contains("status")) {
    const json& status = payload["status"];
    if (!status.is_object() || !status.contains("status_list") ||
        !status["status_list"].is_object()) {
      return malformed("status must hold status_list");
    }
    auto idx = int_member(status["status_list"], "idx");
    out.status_list_uri = string_member(status["status_list"], "uri");
    if (!idx || *idx < 0 || out.status_list_uri.empty()) {
      return malformed("status_list needs idx and uri");
    }
    out.status_index = *idx;
  }
  return {};
}

// Each disclosure once, its digest among the payload's "_sd", naming no clear or repeated claim.
Status read_disclosures(const json& payload, const std::vector<std::string>& disclosures,
                        VerifiedCredential& out) {
  std::set<std::string, std::less<>> sd;
  if (payload.contains("_sd")) {
    if (!payload["_sd"].is_array()) return malformed("_sd must be an array");
    for (const auto& d : payload["_sd"]) {
      if (!d.is_string() || !sd.insert(d.get<std::string>()).second) {
        return malformed("_sd digests must be distinct strings");
      }
    }
  }
  std::set<std::string, std::less<>> seen;
  for (const auto& d : disclosures) {
    std::string h = digest(d);
    if (!seen.insert(h).second) {
      return sd_fail("同一披露项重复出现",
                     "duplicate disclosure: the same disclosure appears twice");
    }
    if (!sd.count(h)) {
      return sd_fail("披露项被篡改或不属于本证照",
                     "altered disclosure: a disclosure is not part of this credential");
    }
    auto disclosure = decode_disclosure(d);
    if (!disclosure) return malformed("undecodable disclosure");
    if (kClearClaims.count(disclosure->name) || payload.contains(disclosure->name) ||
        out.disclosed.count(disclosure->name)) {
      return malformed("disclosure repeats or overrides claim " + disclosure->name);
    }
    out.disclosed.emplace(disclosure->name, disclosure->value.dump());
  }
  return {};
}

// Key binding: the holder signed over this exact presentation (sd_hash) with the cnf key.
Status check_key_binding(std::string_view sd_jwt, const std::string& kb_jwt, const json& payload) {
  auto kb = split_jws(kb_jwt);
  if (!kb || string_member(kb->header, "alg") != "ES256" ||
      string_member(kb->header, "typ") != "kb+jwt") {
    return malformed("key binding JWT must be ES256 kb+jwt");
  }
  if (!payload.contains("cnf") || !payload["cnf"].is_object() || !payload["cnf"].contains("jwk")) {
    return malformed("key binding JWT without cnf.jwk");
  }
  Pkey holder = public_from_jwk(payload["cnf"]["jwk"]);
  std::string presented(sd_jwt.substr(0, sd_jwt.size() - kb_jwt.size()));
  if (!holder || !verify_es256(kb->signing_input, kb->signature, holder.get()) ||
      string_member(kb->payload, "sd_hash") != base64url(sha256(presented))) {
    return sd_fail("持有人密钥绑定签名无效", "forged signature: key binding does not verify");
  }
  return {};
}

}  // namespace

Result<VerifiedCredential> verify_sd_jwt(std::string_view sd_jwt,
                                         const std::vector<std::string>& issuer_jwks_json,
                                         std::int64_t now_s) {
  auto parts = split_sd_jwt(sd_jwt);
  if (!parts) return malformed("not <jwt>~<disclosure>~…~");
  auto jws = split_jws(parts->jwt);
  if (!jws) return malformed("issuer JWT undecodable");

  switch (check_jws(*jws, issuer_jwks_json, {"dc+sd-jwt", "vc+sd-jwt"})) {
    case JwsCheck::ok:
      break;
    case JwsCheck::malformed:
      return malformed("header must carry alg ES256 and typ dc+sd-jwt");
    case JwsCheck::unknown_key:
      return sd_fail("签名无效：签发密钥不属于已知的签发机构（伪造签名）",
                     "forged signature: the signing key is not a known issuer key");
    case JwsCheck::bad_signature:
      return sd_fail("签名无效：凭证被篡改或由他人伪造（伪造签名）",
                     "forged signature: the issuer signature does not verify");
  }

  const json& payload = jws->payload;
  VerifiedCredential out;
  out.kid = string_member(jws->header, "kid");
  if (auto st = read_clear_claims(payload, out); !st) return fail(st.error());
  if (auto st = read_disclosures(payload, parts->disclosures, out); !st) return fail(st.error());
  if (!parts->kb_jwt.empty()) {
    if (auto st = check_key_binding(sd_jwt, parts->kb_jwt, payload); !st) return fail(st.error());
  }
  if (out.expires_at && now_s >= *out.expires_at) {
    return sd_fail("电子证照凭证已过期", "credential expired");
  }
  if (out.valid_from && now_s < *out.valid_from) {
    return sd_fail("电子证照凭证尚未生效", "credential not yet valid");
  }
  return out;
}

// ---- Token Status List --------------------------------------------------------------------------

std::string status_list_jwt(std::string_view uri, const std::vector<CredentialStatus>& statuses,
                            std::int64_t issued_at, std::int64_t ttl_s, const SigningKey& key) {
  // Entry i occupies bits 2*(i%4)… of byte i/4, least significant first (status list draft §4.1).
  std::string bytes((statuses.size() + 3) / 4, '\0');
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    auto v = static_cast<unsigned char>(statuses[i]) & 0x3;
    bytes[i / 4] =
        static_cast<char>(static_cast<unsigned char>(bytes[i / 4]) | (v << (2 * (i % 4))));
  }
  uLongf out_len = compressBound(static_cast<uLong>(bytes.size()));
  std::string compressed(out_len, '\0');
  if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &out_len,
                reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uLong>(bytes.size()),
                Z_BEST_COMPRESSION) != Z_OK) {
    throw std::runtime_error("zlib compress failed");
  }
  compressed.resize(out_len);

  ordered_json header;
  header["alg"] = "ES256";
  header["typ"] = "statuslist+jwt";
  header["kid"] = key.kid;
  ordered_json payload;
  payload["sub"] = std::string(uri);
  payload["iat"] = issued_at;
  if (ttl_s > 0) payload["ttl"] = ttl_s;
  payload["status_list"] = {{"bits", 2}, {"lst", base64url(compressed)}};
  return make_jws(header, payload, key);
}

Result<CredentialStatus> status_at(std::string_view status_list_jwt, std::int64_t index,
                                   const std::vector<std::string>& issuer_jwks_json) {
  auto bad = [](const std::string& what) {
    return fail(ErrorCode::invalid_input, "/status_list", "状态列表无效：" + what,
                "invalid status list: " + what);
  };
  auto jws = split_jws(status_list_jwt);
  if (!jws) return bad("undecodable JWT");
  switch (check_jws(*jws, issuer_jwks_json, {"statuslist+jwt"})) {
    case JwsCheck::ok:
      break;
    case JwsCheck::malformed:
      return bad("header must carry alg ES256 and typ statuslist+jwt");
    case JwsCheck::unknown_key:
      return bad("signing key is not a known issuer key");
    case JwsCheck::bad_signature:
      return bad("signature does not verify");
  }
  const json& payload = jws->payload;
  if (!payload.contains("status_list") || !payload["status_list"].is_object()) {
    return bad("status_list missing");
  }
  auto bits = int_member(payload["status_list"], "bits");
  std::string lst = string_member(payload["status_list"], "lst");
  if (!bits || (*bits != 1 && *bits != 2 && *bits != 4 && *bits != 8)) {
    return bad("bits must be 1, 2, 4 or 8");
  }
  auto compressed = base64url_decode(lst);
  if (!compressed) return bad("lst is not base64url");

  // Inflate in steps with a ceiling: the list comes from outside and could be a zip bomb.
  constexpr std::size_t kMaxBytes = 16u << 20;
  std::string bytes;
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) throw std::runtime_error("inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(compressed->data());
  zs.avail_in = static_cast<uInt>(compressed->size());
  int rc = Z_OK;
  std::array<char, 16384> chunk{};
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk.data());
    zs.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    bytes.append(chunk.data(), chunk.size() - zs.avail_out);
    if (bytes.size() > kMaxBytes) rc = Z_MEM_ERROR;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return bad("lst is not a complete zlib stream");

  auto per_byte = 8 / *bits;
  if (index < 0 || static_cast<std::uint64_t>(index) / per_byte >= bytes.size()) {
    return fail(ErrorCode::invalid_input, "/status/status_list/idx", "状态列表中没有该序号",
                "status index is outside the status list");
  }
  auto byte = static_cast<unsigned char>(bytes[static_cast<std::size_t>(index / per_byte)]);
  unsigned value = (byte >> (*bits * (index % per_byte))) & ((1u << *bits) - 1);
  if (value > 2) return bad("status value " + std::to_string(value) + " is not defined here");
  return static_cast<CredentialStatus>(value);
}

}  // namespace yiwang::certificates
