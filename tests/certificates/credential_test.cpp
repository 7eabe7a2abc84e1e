// GB/T 36904 identifiers, ES256 keys, SD-JWT VC issuance / presentation / verification and Token
// Status Lists (credential.h). Pure functions: no store, so no backend parameter.
//
// The last test writes fixtures (credential, presentation, status list token, JWKS) for
// tests/node/sdjwt.test.mjs, which checks them with the independent @sd-jwt npm libraries.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "certificates/credential.h"
#include "identity/identity.h"

namespace yiwang::certificates {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// ---- Identifier ---------------------------------------------------------------------------------

// Expected check characters were computed once with a Python script written from the ISO/IEC 7064
// description in its *verification* form (try all 36 candidates; the one for which the hybrid
// running sum over data + candidate ends at S = 1 is the check), independent of the compute form
// used in identifier.cpp. USCCs were completed with the GB 32100 weights in the same script.
//
// Worked by hand for "12" (M = 36, start P = 36):
//   '1': S = (36 mod 37 + 1) mod 36 = 1,  P = 2·1 mod 37 = 2
//   '2': S = (2 + 2) mod 36 = 4,          P = 2·4 mod 37 = 8
//   check = (37 − 8) mod 36 = 29 → 'T'
constexpr const char* kUsccIssuer = "91350100M000100Y43";   // GB 32100 check '3'
constexpr const char* kUsccDefiner = "11100000000013127D";  // GB 32100 check 'D'

struct Vector {
  const char* type_code;
  const char* uscc;
  const char* serial;
  int version;
  char check;
};
const Vector kVectors[] = {
    {"11100000000013127D001", kUsccIssuer, "1", 1, '9'},
    {"11100000000013127D001", kUsccIssuer, "2024000001", 2, 'W'},
    {"L0001", kUsccDefiner, "ABC123XYZ", 999, 'K'},
};

TEST(Identifier, HandWorkedCheck) {
  EXPECT_EQ(identifier_check("1", "", "", "2"), 'T');
}

TEST(Identifier, UsccFixturesAreValid) {
  EXPECT_TRUE(identity::valid_uscc(kUsccIssuer));
  EXPECT_TRUE(identity::valid_uscc(kUsccDefiner));
}

TEST(Identifier, VectorsFormatAndParse) {
  for (const auto& v : kVectors) {
    IdentifierParts parts{v.type_code, v.uscc, v.serial, v.version};
    std::string id = format_identifier(parts);
    char version3[4];
    std::snprintf(version3, sizeof version3, "%03d", v.version);
    EXPECT_EQ(id, std::string("1.2.156.3005.2.") + v.type_code + "." + v.uscc + "." + v.serial +
                      "." + version3 + "." + v.check);
    auto parsed = parse_identifier(id);
    ASSERT_TRUE(parsed) << id << ": " << parsed.error().message_en;
    EXPECT_EQ(parsed->type_code, v.type_code);
    EXPECT_EQ(parsed->issuer_uscc, v.uscc);
    EXPECT_EQ(parsed->serial, v.serial);
    EXPECT_EQ(parsed->version, v.version);
  }
}

TEST(Identifier, EveryOtherCheckCharacterIsRejected) {
  std::string id = format_identifier({kVectors[0].type_code, kUsccIssuer, "1", 1});
  int rejected = 0;
  for (char c : std::string("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
    if (c == kVectors[0].check) continue;
    std::string wrong = id.substr(0, id.size() - 1) + c;
    auto r = parse_identifier(wrong, "/identifier");
    ASSERT_FALSE(r) << wrong;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
    EXPECT_EQ(r.error().field, "/identifier");
    EXPECT_NE(r.error().message_en.find("check character"), std::string::npos);
    ++rejected;
  }
  EXPECT_EQ(rejected, 35);
}

TEST(Identifier, EverySingleSubstitutionIsCaught) {
  // What a hybrid system guarantees: any one mistyped character changes the check. (Adjacent
  // transpositions are caught only mostly; in this very string swapping positions 25/26 is not.)
  std::string data = std::string(kVectors[1].type_code) + kUsccIssuer + "2024000001" + "002";
  char check = identifier_check(data, "", "", "");
  ASSERT_EQ(check, 'W');
  int tried = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    for (char c : std::string("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
      if (c == data[i]) continue;
      std::string t = data;
      t[i] = c;
      EXPECT_NE(identifier_check(t, "", "", ""), check) << "substitution at " << i << " by " << c;
      ++tried;
    }
  }
  EXPECT_EQ(tried, static_cast<int>(data.size()) * 35);
}

Error parse_error(const std::string& id) {
  auto r = parse_identifier(id);
  EXPECT_FALSE(r) << id;
  return r ? Error{} : r.error();
}

TEST(Identifier, InvalidInputsNameTheProblem) {
  const std::string type = kVectors[0].type_code;
  // USCC with a wrong GB 32100 check; the 7064 check is recomputed so only the USCC is wrong.
  std::string bad_uscc = std::string(kUsccIssuer).substr(0, 17) + "4";
  ASSERT_FALSE(identity::valid_uscc(bad_uscc));
  std::string id = "1.2.156.3005.2." + type + "." + bad_uscc + ".1.001." +
                   identifier_check(type, bad_uscc, "1", "001");
  EXPECT_NE(parse_error(id).message_en.find("USCC"), std::string::npos);

  auto with_version = [&](const std::string& v) {
    return "1.2.156.3005.2." + type + "." + kUsccIssuer + ".1." + v + "." +
           identifier_check(type, kUsccIssuer, "1", v);
  };
  EXPECT_NE(parse_error(with_version("000")).message_en.find("version"), std::string::npos);
  EXPECT_NE(parse_error(with_version("01")).message_en.find("version"), std::string::npos);
  EXPECT_NE(parse_error(with_version("1000")).message_en.find("version"), std::string::npos);

  std::string good = format_identifier({type, kUsccIssuer, "1", 1});
  EXPECT_NE(parse_error("1.2.156.3005.3" + good.substr(14)).message_en.find("prefix"),
            std::string::npos);
  EXPECT_NE(parse_error(good + ".X").message_en.find("must be"), std::string::npos);
  // Lower case is not in the 7064 alphabet.
  EXPECT_NE(parse_error("1.2.156.3005.2." + type + "." + kUsccIssuer + ".a.001.0")
                .message_en.find("serial"),
            std::string::npos);
  EXPECT_NE(parse_error("1.2.156.3005.2.." + std::string(kUsccIssuer) + ".1.001.0")
                .message_en.find("type code"),
            std::string::npos);
  EXPECT_EQ(identifier_check("a", "", "", ""), '\0');
  EXPECT_THROW(format_identifier({type, bad_uscc, "1", 1}), std::invalid_argument);
  EXPECT_THROW(format_identifier({type, kUsccIssuer, "1", 0}), std::invalid_argument);
}

// ---- base64url and keys -------------------------------------------------------------------------

TEST(Base64url, Rfc4648VectorsWithoutPadding) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"}};
  for (const auto& [raw, enc] : vectors) {
    EXPECT_EQ(base64url(raw), enc);
    EXPECT_EQ(base64url_decode(enc), raw);
  }
  EXPECT_FALSE(base64url_decode("Zh"));    // non-zero unused bits: a second spelling of "f"
  EXPECT_FALSE(base64url_decode("Z"));     // impossible length
  EXPECT_FALSE(base64url_decode("Zg=="));  // padding
  EXPECT_FALSE(base64url_decode("Z+8"));   // standard alphabet
}

TEST(Keys, GenerateLoadAndThumbprint) {
  SigningKey key = generate_signing_key();
  auto loaded = load_signing_key(key.private_pem);
  ASSERT_TRUE(loaded) << loaded.error().message_en;
  EXPECT_EQ(loaded->kid, key.kid);
  EXPECT_EQ(loaded->public_jwk_json, key.public_jwk_json);

  json jwk = json::parse(key.public_jwk_json);
  EXPECT_EQ(jwk["kty"], "EC");
  EXPECT_EQ(jwk["crv"], "P-256");
  EXPECT_EQ(jwk["alg"], "ES256");
  EXPECT_EQ(jwk["kid"], key.kid);
  EXPECT_EQ(base64url_decode(jwk["x"].get<std::string>())->size(), 32u);
  EXPECT_EQ(base64url_decode(jwk["y"].get<std::string>())->size(), 32u);
  // RFC 7638 §3: SHA-256 over the required members in lexicographic order, no whitespace.
  std::string canonical = R"({"crv":"P-256","kty":"EC","x":")" + jwk["x"].get<std::string>() +
                          R"(","y":")" + jwk["y"].get<std::string>() + R"("})";
  unsigned char md[32];
  unsigned int n = 0;
  EVP_Digest(canonical.data(), canonical.size(), md, &n, EVP_sha256(), nullptr);
  EXPECT_EQ(key.kid, base64url(std::string(reinterpret_cast<char*>(md), n)));

  EXPECT_NE(generate_signing_key().kid, key.kid);
}

TEST(Keys, RejectsWhatIsNotAP256PrivateKey) {
  EXPECT_FALSE(load_signing_key("not a pem"));
  EVP_PKEY* ed = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  ASSERT_NE(ed, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, ed, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(ed);
  auto r = load_signing_key(pem);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
}

// ---- SD-JWT VC ----------------------------------------------------------------------------------

constexpr std::int64_t kIssued = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kFrom = kIssued;
constexpr std::int64_t kUntil = 2082758400;  // 2036-01-01T00:00:00Z

CredentialInput business_licence(std::int64_t index = 7) {
  CredentialInput in;
  in.issuer = "https://yiwang.example/issuers/scjgj";
  in.vct = "https://yiwang.example/vct/business-licence";
  in.issued_at = kIssued;
  in.valid_from = kFrom;
  in.expires_at = kUntil;
  in.status_list_uri = "https://yiwang.example/api/v1/status-lists/scjgj-1";
  in.status_index = index;
  in.claims = {
      {"identifier", "\"" + format_identifier({kVectors[0].type_code, kUsccIssuer, "1", 1}) + "\""},
      {"holder_name", "\"江宁市张三小吃店\""},
      {"holder_id", "\"92329900MA00000000\""},
      {"legal_representative", "\"张三\""},
      {"registered_capital", "50000"},
      {"address", R"({"division_code":"329900","street":"人民路 1 号"})"},
      {"long_term", "true"},
  };
  return in;
}

json jwt_part(const std::string& sd_jwt, int part) {
  std::string jwt = sd_jwt.substr(0, sd_jwt.find('~'));
  auto d1 = jwt.find('.');
  auto d2 = jwt.find('.', d1 + 1);
  std::string seg = part == 0 ? jwt.substr(0, d1) : jwt.substr(d1 + 1, d2 - d1 - 1);
  return json::parse(*base64url_decode(seg));
}

std::vector<std::string> disclosures_of(const std::string& sd_jwt) {
  std::vector<std::string> out;
  std::size_t start = sd_jwt.find('~') + 1;
  while (start < sd_jwt.size()) {
    auto t = sd_jwt.find('~', start);
    out.push_back(sd_jwt.substr(start, t - start));
    start = t + 1;
  }
  return out;
}

class SdJwtTest : public ::testing::Test {
 protected:
  SigningKey key_ = generate_signing_key();
  std::vector<std::string> jwks_{key_.public_jwk_json};
};

TEST_F(SdJwtTest, IssueAndVerifyRoundTrip) {
  CredentialInput in = business_licence();
  std::string sd = issue_sd_jwt(in, key_);
  ASSERT_EQ(sd.back(), '~');

  json header = jwt_part(sd, 0);
  EXPECT_EQ(header["typ"], "dc+sd-jwt");
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["kid"], key_.kid);
  json payload = jwt_part(sd, 1);
  EXPECT_EQ(payload["_sd_alg"], "sha-256");
  ASSERT_EQ(payload["_sd"].size(), in.claims.size());
  EXPECT_TRUE(std::is_sorted(payload["_sd"].begin(), payload["_sd"].end()));
  EXPECT_EQ(payload["status"]["status_list"]["idx"], 7);
  for (const auto& c : in.claims) EXPECT_FALSE(payload.contains(c.name)) << c.name;
  // Raw R‖S, not DER.
  std::string jwt = sd.substr(0, sd.find('~'));
  EXPECT_EQ(base64url_decode(jwt.substr(jwt.rfind('.') + 1))->size(), 64u);

  auto v = verify_sd_jwt(sd, jwks_, kIssued + 100);
  ASSERT_TRUE(v) << v.error().message_en;
  EXPECT_EQ(v->issuer, in.issuer);
  EXPECT_EQ(v->vct, in.vct);
  EXPECT_EQ(v->kid, key_.kid);
  EXPECT_EQ(v->issued_at, kIssued);
  EXPECT_EQ(v->valid_from, kFrom);
  EXPECT_EQ(v->expires_at, kUntil);
  EXPECT_EQ(v->status_list_uri, in.status_list_uri);
  EXPECT_EQ(v->status_index, 7);
  ASSERT_EQ(v->disclosed.size(), in.claims.size());
  for (const auto& c : in.claims) {
    EXPECT_EQ(json::parse(v->disclosed.at(c.name)), json::parse(c.json_value)) << c.name;
  }
  // Salts are random: the same input never yields the same disclosures.
  EXPECT_NE(disclosures_of(issue_sd_jwt(in, key_))[0], disclosures_of(sd)[0]);
  // A JWKS document works as well as a bare JWK.
  EXPECT_TRUE(verify_sd_jwt(sd, {R"({"keys":[)" + key_.public_jwk_json + "]}"}, kIssued));
}

void expect_rejected(const Result<VerifiedCredential>& r, const std::string& reason) {
  ASSERT_FALSE(r) << "expected rejection: " << reason;
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(r.error().field, "/sd_jwt");
  EXPECT_NE(r.error().message_en.find(reason), std::string::npos) << r.error().message_en;
  EXPECT_FALSE(r.error().message_zh.empty());
}

TEST_F(SdJwtTest, ForgedSignatureIsRejected) {
  // The forger signs with their own key but claims the issuer's kid.
  SigningKey forger = generate_signing_key();
  forger.kid = key_.kid;
  expect_rejected(verify_sd_jwt(issue_sd_jwt(business_licence(), forger), jwks_, kIssued),
                  "forged signature");
  // A key the verifier does not know.
  expect_rejected(
      verify_sd_jwt(issue_sd_jwt(business_licence(), generate_signing_key()), jwks_, kIssued),
      "forged signature");
  // The issuer's signature over a changed payload (status index moved to a valid slot).
  std::string sd = issue_sd_jwt(business_licence(), key_);
  json payload = jwt_part(sd, 1);
  payload["status"]["status_list"]["idx"] = 0;
  auto d1 = sd.find('.');
  auto d2 = sd.find('.', d1 + 1);
  std::string tampered = sd.substr(0, d1 + 1) + base64url(payload.dump()) + sd.substr(d2);
  expect_rejected(verify_sd_jwt(tampered, jwks_, kIssued), "forged signature");
}

TEST_F(SdJwtTest, AlteredDisclosureIsRejected) {
  std::string sd = issue_sd_jwt(business_licence(), key_);
  auto ds = disclosures_of(sd);
  json d = json::parse(*base64url_decode(ds[1]));
  ASSERT_EQ(d[1], "holder_name");
  d[2] = "江宁市李四小吃店";
  std::string altered = base64url(d.dump());
  std::string tampered = sd;
  tampered.replace(tampered.find(ds[1]), ds[1].size(), altered);
  expect_rejected(verify_sd_jwt(tampered, jwks_, kIssued), "altered disclosure");
}

TEST_F(SdJwtTest, DisclosureFromAnotherCredentialIsRejected) {
  std::string mine = issue_sd_jwt(business_licence(7), key_);
  std::string theirs = issue_sd_jwt(business_licence(8), key_);  // same issuer, other holder
  auto foreign = disclosures_of(theirs)[2];
  auto presented = select_disclosures(mine, {"holder_name"});
  ASSERT_TRUE(presented);
  expect_rejected(verify_sd_jwt(*presented + foreign + "~", jwks_, kIssued), "altered disclosure");
}

TEST_F(SdJwtTest, DuplicateDisclosureIsRejected) {
  std::string sd = issue_sd_jwt(business_licence(), key_);
  expect_rejected(verify_sd_jwt(sd + disclosures_of(sd)[0] + "~", jwks_, kIssued), "duplicate");
}

TEST_F(SdJwtTest, TimeWindow) {
  std::string sd = issue_sd_jwt(business_licence(), key_);
  EXPECT_TRUE(verify_sd_jwt(sd, jwks_, kFrom));
  EXPECT_TRUE(verify_sd_jwt(sd, jwks_, kUntil - 1));
  expect_rejected(verify_sd_jwt(sd, jwks_, kUntil), "expired");
  expect_rejected(verify_sd_jwt(sd, jwks_, kFrom - 1), "not yet valid");

  CredentialInput open_ended = business_licence();
  open_ended.valid_from.reset();
  open_ended.expires_at.reset();
  auto v = verify_sd_jwt(issue_sd_jwt(open_ended, key_), jwks_, kUntil * 2);
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->expires_at);
  EXPECT_FALSE(v->valid_from);
}

TEST_F(SdJwtTest, SelectiveDisclosureHidesTheRest) {
  std::string sd = issue_sd_jwt(business_licence(), key_);
  auto presented = select_disclosures(sd, {"identifier", "holder_name"});
  ASSERT_TRUE(presented) << presented.error().message_en;
  EXPECT_EQ(presented->back(), '~');
  EXPECT_EQ(disclosures_of(*presented).size(), 2u);
  for (const auto& d : disclosures_of(sd)) {
    bool kept = presented->find(d) != std::string::npos;
    std::string name = json::parse(*base64url_decode(d))[1];
    EXPECT_EQ(kept, name == "identifier" || name == "holder_name") << name;
  }
  auto v = verify_sd_jwt(*presented, jwks_, kIssued);
  ASSERT_TRUE(v) << v.error().message_en;
  EXPECT_EQ(v->disclosed.size(), 2u);
  EXPECT_TRUE(v->disclosed.count("identifier"));
  EXPECT_EQ(v->disclosed.at("holder_name"), "\"江宁市张三小吃店\"");
  EXPECT_FALSE(v->disclosed.count("legal_representative"));
  EXPECT_FALSE(v->disclosed.count("address"));

  auto none = select_disclosures(sd, {});
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, sd.substr(0, sd.find('~') + 1));
  auto v0 = verify_sd_jwt(*none, jwks_, kIssued);
  ASSERT_TRUE(v0);
  EXPECT_TRUE(v0->disclosed.empty());

  auto unknown = select_disclosures(sd, {"marital_status"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "/claims");
  EXPECT_FALSE(select_disclosures("no tildes here", {"identifier"}));
}

TEST_F(SdJwtTest, MalformedInputIsRejectedNotCrashed) {
  std::string sd = issue_sd_jwt(business_licence(), key_);
  for (std::string bad : {std::string(""), std::string("~"), std::string("a.b.c~"),
                          sd.substr(0, sd.find('~')), sd + "~", "x" + sd, sd + "!!!~"}) {
    auto r = verify_sd_jwt(bad, jwks_, kIssued);
    EXPECT_FALSE(r) << bad;
  }
  EXPECT_THROW(issue_sd_jwt(
                   [] {
                     auto in = business_licence();
                     in.claims.push_back({"exp", "1"});
                     return in;
                   }(),
                   key_),
               std::invalid_argument);
}

// ---- Token Status List --------------------------------------------------------------------------

std::string inflate_lst(const std::string& token) {
  json payload = jwt_part(token + "~", 1);
  std::string compressed = *base64url_decode(payload["status_list"]["lst"].get<std::string>());
  std::string out(1024, '\0');
  uLongf n = out.size();
  EXPECT_EQ(uncompress(reinterpret_cast<Bytef*>(out.data()), &n,
                       reinterpret_cast<const Bytef*>(compressed.data()), compressed.size()),
            Z_OK);
  out.resize(n);
  return out;
}

TEST(StatusList, MatchesTheDraftExample) {
  // draft-ietf-oauth-status-list §4.1, bits = 2: bytes C9 44 F9, lst "eNo76fITAAPfAgc" (zlib level
  // 9, re-checked with Python's zlib). Value 3 is application-specific, outside our enum.
  const std::vector<int> values = {1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3};
  std::vector<CredentialStatus> statuses;
  for (int v : values) statuses.push_back(static_cast<CredentialStatus>(v));
  SigningKey key = generate_signing_key();
  std::string token = status_list_jwt("https://x/1", statuses, kIssued, 300, key);
  json payload = jwt_part(token + "~", 1);
  EXPECT_EQ(payload["status_list"]["bits"], 2);
  EXPECT_EQ(payload["status_list"]["lst"], "eNo76fITAAPfAgc");
  EXPECT_EQ(inflate_lst(token), std::string("\xC9\x44\xF9"));
}

TEST(StatusList, RoundTripAndBoundaries) {
  SigningKey key = generate_signing_key();
  std::vector<std::string> jwks{key.public_jwk_json};
  std::vector<CredentialStatus> statuses(13, CredentialStatus::valid);
  statuses[0] = CredentialStatus::suspended;
  statuses[3] = CredentialStatus::invalid;    // last entry of byte 0
  statuses[4] = CredentialStatus::suspended;  // first entry of byte 1
  statuses[12] = CredentialStatus::invalid;   // last entry, alone in byte 3
  std::string token = status_list_jwt("https://yiwang.example/api/v1/status-lists/scjgj-1",
                                      statuses, kIssued, 300, key);
  json header = jwt_part(token + "~", 0);
  EXPECT_EQ(header["typ"], "statuslist+jwt");
  EXPECT_EQ(header["kid"], key.kid);
  json payload = jwt_part(token + "~", 1);
  EXPECT_EQ(payload["sub"], "https://yiwang.example/api/v1/status-lists/scjgj-1");
  EXPECT_EQ(payload["iat"], kIssued);
  EXPECT_EQ(payload["ttl"], 300);
  EXPECT_EQ(inflate_lst(token).size(), 4u);

  for (std::size_t i = 0; i < statuses.size(); ++i) {
    auto s = status_at(token, static_cast<std::int64_t>(i), jwks);
    ASSERT_TRUE(s) << i << ": " << s.error().message_en;
    EXPECT_EQ(*s, statuses[i]) << i;
  }
  // Index 13..15 are padding inside the last byte: they read as valid, as the draft allows; past
  // the last byte is an error.
  EXPECT_EQ(status_at(token, 15, jwks), CredentialStatus::valid);
  EXPECT_FALSE(status_at(token, 16, jwks));
  EXPECT_FALSE(status_at(token, -1, jwks));

  auto other = status_at(token, 0, {generate_signing_key().public_jwk_json});
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message_en.find("key"), std::string::npos);
  // A credential is not a status list.
  EXPECT_FALSE(status_at(issue_sd_jwt(business_licence(), key), 0, jwks));
}

// ---- Fixtures for the independent check (tests/node/sdjwt.test.mjs) ----------------------------

// Test output, so in the build tree, never in the working directory (which may be the source
// tree): $YIWANG_CREDENTIAL_FIXTURES (ctest sets build/credential-fixtures), else beside the yiwang
// binary, else build/credential-fixtures for this executable in build/tests/.
fs::path fixture_dir() {
  if (const char* dir = std::getenv("YIWANG_CREDENTIAL_FIXTURES")) return dir;
  if (const char* bin = std::getenv("YIWANG_BINARY")) {
    return fs::path(bin).parent_path() / "credential-fixtures";
  }
  return fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "credential-fixtures";
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

TEST(NodeFixtures, Write) {
  SigningKey key = generate_signing_key();
  std::string credential = issue_sd_jwt(business_licence(1), key);
  std::string revoked = issue_sd_jwt(business_licence(2), key);
  std::string suspended = issue_sd_jwt(business_licence(5), key);
  auto presentation = select_disclosures(credential, {"identifier", "holder_name"});
  ASSERT_TRUE(presentation);
  std::vector<CredentialStatus> statuses(9, CredentialStatus::valid);
  statuses[2] = CredentialStatus::invalid;
  statuses[5] = CredentialStatus::suspended;
  statuses[8] = CredentialStatus::invalid;
  std::string list =
      status_list_jwt(business_licence().status_list_uri, statuses, kIssued, 300, key);
  // Our own verifier accepts what we hand to the independent one.
  ASSERT_TRUE(verify_sd_jwt(credential, {key.public_jwk_json}, kIssued + 1));
  ASSERT_TRUE(verify_sd_jwt(*presentation, {key.public_jwk_json}, kIssued + 1));

  fs::path dir = fixture_dir();
  fs::create_directories(dir);
  write_file(dir / "credential.sd-jwt", credential);
  write_file(dir / "revoked.sd-jwt", revoked);
  write_file(dir / "suspended.sd-jwt", suspended);
  write_file(dir / "presentation.sd-jwt", *presentation);
  write_file(dir / "status-list.jwt", list);
  write_file(dir / "jwks.json", R"({"keys":[)" + key.public_jwk_json + "]}");
  json expected;
  expected["now"] = kIssued + 1;
  expected["iss"] = business_licence().issuer;
  expected["vct"] = business_licence().vct;
  expected["kid"] = key.kid;
  expected["status_list_uri"] = business_licence().status_list_uri;
  expected["statuses"] = json::array();
  for (auto s : statuses) expected["statuses"].push_back(static_cast<int>(s));
  expected["claims"] = json::object();
  for (const auto& c : business_licence().claims) {
    expected["claims"][c.name] = json::parse(c.json_value);
  }
  expected["presented"] = {"identifier", "holder_name"};
  write_file(dir / "expected.json", expected.dump(2));
}

}  // namespace
}  // namespace yiwang::certificates
