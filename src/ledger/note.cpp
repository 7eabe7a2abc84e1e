#include "ledger/note.h"

#include <sodium.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "core/text.h"

namespace yiwang::ledger {
namespace {

constexpr unsigned char kAlgEd25519 = 0x01;
constexpr unsigned char kAlgCosignatureV1 = 0x04;
constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // U+2014 em dash, space
constexpr std::string_view kPrivatePrefix = "PRIVATE+KEY+";
constexpr std::size_t kMaxSignatures = 100;  // as golang.org/x/mod/sumdb/note

void ensure_sodium() {
  static const int ready = sodium_init();
  if (ready < 0) throw std::runtime_error("sodium_init failed");
}

unsigned char alg_of(KeyKind kind) {
  return kind == KeyKind::ed25519 ? kAlgEd25519 : kAlgCosignatureV1;
}

std::optional<std::string> unb64(std::string_view text) {
  return core::decode_base64(text);
}

std::uint32_t be32(std::string_view b) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(b[static_cast<size_t>(i)]);
  return v;
}

std::string put_be32(std::uint32_t v) {
  std::string out(4, '\0');
  for (int i = 3; i >= 0; --i, v >>= 8) out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  return out;
}

std::string put_be64(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  return out;
}

std::uint32_t compute_key_hash(std::string_view name, unsigned char alg, std::string_view pub) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(name.data()), name.size());
  const unsigned char sep[2] = {'\n', alg};
  crypto_hash_sha256_update(&st, sep, 2);
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(pub.data()), pub.size());
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, out);
  return be32(std::string_view(reinterpret_cast<const char*>(out), 4));
}

std::string hex8(std::uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kDigits[v & 15];
  return out;
}

std::optional<std::uint32_t> parse_hex8(std::string_view s) {
  if (s.size() != 8) return std::nullopt;
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when malformed (overlong forms,
// surrogates and values above U+10FFFF included), and the code point in *cp.
std::size_t utf8_decode(std::string_view s, std::size_t i, std::uint32_t* cp) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  std::uint32_t v = c & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    v = (v << 6) | (d & 0x3F);
  }
  static constexpr std::uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

bool is_unicode_space(std::uint32_t c) {
  // Go's unicode.IsSpace: the Latin-1 spaces plus category Zs and the line/paragraph separators.
  switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

// Names as golang.org/x/mod/sumdb/note accepts them: non-empty UTF-8 without spaces or '+'.
bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size();) {
    std::uint32_t cp = 0;
    std::size_t n = utf8_decode(name, i, &cp);
    if (n == 0 || cp == '+' || is_unicode_space(cp)) return false;
    i += n;
  }
  return true;
}

// Valid UTF-8 without ASCII control characters other than newline.
bool valid_note_text(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    std::size_t n = utf8_decode(s, i, &cp);
    if (n == 0 || (cp < 0x20 && cp != '\n')) return false;
    i += n;
  }
  return true;
}

Error invalid(std::string field, std::string zh, std::string en) {
  return Error{ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en)};
}

std::string sign_bytes(std::string_view message, const SignerKey& key) {
  ensure_sodium();
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  if (key.seed.size() != crypto_sign_SEEDBYTES ||
      crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(key.seed.data())) !=
          0) {
    throw std::invalid_argument("signer key without a 32-byte seed");
  }
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), sk);
  sodium_memzero(sk, sizeof sk);
  return std::string(reinterpret_cast<const char*>(sig), sizeof sig);
}

bool verify_bytes(std::string_view message, std::string_view sig, std::string_view pub) {
  ensure_sodium();
  return sig.size() == crypto_sign_BYTES && pub.size() == crypto_sign_PUBLICKEYBYTES &&
         crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(),
                                     reinterpret_cast<const unsigned char*>(pub.data())) == 0;
}

std::string cosigned_message(std::string_view checkpoint_text, std::uint64_t t) {
  return "cosignature/v1\ntime " + std::to_string(t) + "\n" + std::string(checkpoint_text);
}

std::string signature_line(std::string_view name, std::string_view payload) {
  std::string line(kSigPrefix);
  line += name;
  line += ' ';
  line += base64(payload);
  return line;
}

// Splits "<name>+<hash>+<base64 key data>" and checks the hash and the algorithm byte.
struct KeyParts {
  std::string name;
  KeyKind kind;
  std::string key;  // key data after the algorithm byte
  std::uint32_t hash;
};
Result<KeyParts> split_key(std::string_view text, std::string_view field) {
  auto bad = [&](std::string en) {
    return fail(invalid(std::string(field), "密钥格式不正确", "malformed key: " + en));
  };
  auto p1 = text.find('+');
  if (p1 == std::string_view::npos) return bad("no '+'");
  auto p2 = text.find('+', p1 + 1);
  // The key data is base64 and may itself contain '+'; names and hashes cannot.
  if (p2 == std::string_view::npos) return bad("want <name>+<hash>+<key>");
  KeyParts k;
  k.name = std::string(text.substr(0, p1));
  if (!valid_name(k.name)) return bad("invalid name");
  auto hash = parse_hex8(text.substr(p1 + 1, p2 - p1 - 1));
  if (!hash) return bad("key hash is not 8 hex digits");
  auto data = unb64(text.substr(p2 + 1));
  if (!data || data->size() != 33) return bad("key data is not base64 of 33 bytes");
  auto alg = static_cast<unsigned char>((*data)[0]);
  if (alg == kAlgEd25519) {
    k.kind = KeyKind::ed25519;
  } else if (alg == kAlgCosignatureV1) {
    k.kind = KeyKind::cosignature_v1;
  } else {
    return bad("unknown algorithm");
  }
  k.key = data->substr(1);
  k.hash = *hash;
  return k;
}

}  // namespace

std::string base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

SignerKey generate_key(std::string name, KeyKind kind) {
  ensure_sodium();
  if (!valid_name(name)) throw std::invalid_argument("invalid key name: " + name);
  SignerKey k;
  k.name = std::move(name);
  k.kind = kind;
  unsigned char seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES],
      sk[crypto_sign_SECRETKEYBYTES];
  randombytes_buf(seed, sizeof seed);
  crypto_sign_seed_keypair(pk, sk, seed);
  k.seed.assign(reinterpret_cast<const char*>(seed), sizeof seed);
  k.public_key.assign(reinterpret_cast<const char*>(pk), sizeof pk);
  sodium_memzero(seed, sizeof seed);
  sodium_memzero(sk, sizeof sk);
  k.key_hash = compute_key_hash(k.name, alg_of(kind), k.public_key);
  return k;
}

Result<SignerKey> parse_signer_key(std::string_view text) {
  ensure_sodium();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (!text.starts_with(kPrivatePrefix)) {
    return fail(invalid("signer_key", "签名私钥格式不正确", "signer key must start PRIVATE+KEY+"));
  }
  auto parts = split_key(text.substr(kPrivatePrefix.size()), "signer_key");
  if (!parts) return fail(parts.error());
  SignerKey k;
  k.name = parts->name;
  k.kind = parts->kind;
  k.seed = parts->key;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(k.seed.data()));
  sodium_memzero(sk, sizeof sk);
  k.public_key.assign(reinterpret_cast<const char*>(pk), sizeof pk);
  k.key_hash = compute_key_hash(k.name, alg_of(k.kind), k.public_key);
  if (k.key_hash != parts->hash) {
    return fail(
        invalid("signer_key", "签名私钥的密钥哈希不匹配", "signer key hash does not match"));
  }
  return k;
}

std::string format_signer_key(const SignerKey& key) {
  std::string data(1, static_cast<char>(alg_of(key.kind)));
  data += key.seed;
  return std::string(kPrivatePrefix) + key.name + "+" + hex8(key.key_hash) + "+" + base64(data);
}

std::string verifier_key(const SignerKey& key) {
  std::string data(1, static_cast<char>(alg_of(key.kind)));
  data += key.public_key;
  return key.name + "+" + hex8(key.key_hash) + "+" + base64(data);
}

Result<Verifier> parse_verifier_key(std::string_view text) {
  auto parts = split_key(text, "verifier_key");
  if (!parts) return fail(parts.error());
  Verifier v;
  v.name = parts->name;
  v.kind = parts->kind;
  v.public_key = parts->key;
  v.key_hash = compute_key_hash(v.name, alg_of(v.kind), v.public_key);
  if (v.key_hash != parts->hash) {
    return fail(
        invalid("verifier_key", "验证公钥的密钥哈希不匹配", "verifier key hash does not match"));
  }
  return v;
}

std::string checkpoint_body(const Checkpoint& c) {
  std::string out = c.origin + "\n" + std::to_string(c.size) + "\n" + to_base64(c.root) + "\n";
  for (const auto& e : c.extensions) out += e + "\n";
  return out;
}

Result<Checkpoint> parse_checkpoint_body(std::string_view body) {
  auto bad = [](std::string en) {
    return fail(invalid("checkpoint", "检查点格式不正确", "malformed checkpoint: " + en));
  };
  if (body.empty() || body.back() != '\n') return bad("must end in a newline");
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < body.size();) {
    auto nl = body.find('\n', at);
    lines.push_back(body.substr(at, nl - at));
    at = nl + 1;
  }
  if (lines.size() < 3) return bad("want origin, size and root lines");
  Checkpoint c;
  if (lines[0].empty()) return bad("empty origin");
  c.origin = std::string(lines[0]);
  auto s = lines[1];
  // Decimal without sign or leading zeros, so that one tree has exactly one checkpoint text.
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0') ||
      s.find_first_not_of("0123456789") != std::string_view::npos) {
    return bad("size is not a canonical decimal");
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), c.size);
  if (ec != std::errc() || p != s.data() + s.size() || c.size < 0) return bad("size out of range");
  auto root = hash_from_base64(lines[2]);
  if (!root) return bad("root is not base64 of 32 bytes");
  c.root = *root;
  for (std::size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return bad("empty extension line");
    c.extensions.emplace_back(lines[i]);
  }
  return c;
}

Result<Note> parse_note(std::string_view note) {
  auto bad = [](std::string en) {
    return fail(invalid("signature", "签名说明格式不正确", "malformed note: " + en));
  };
  if (!valid_note_text(note)) return bad("not UTF-8 or contains control characters");
  auto split = note.rfind("\n\n");
  if (split == std::string_view::npos) return bad("no signature block");
  Note n;
  n.text = std::string(note.substr(0, split + 1));
  auto sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') return bad("signature block must end in a newline");
  while (!sigs.empty()) {
    auto nl = sigs.find('\n');
    auto line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    if (!line.starts_with(kSigPrefix)) return bad("signature line without em dash");
    auto rest = line.substr(kSigPrefix.size());
    auto sp = rest.find(' ');
    if (sp == std::string_view::npos) return bad("signature line without a space");
    auto name = rest.substr(0, sp);
    auto sig = unb64(rest.substr(sp + 1));
    if (!valid_name(name) || !sig || sig->size() < 5) return bad("bad signature line");
    if (n.lines.size() == kMaxSignatures) return bad("too many signatures");
    n.lines.emplace_back(line);
  }
  return n;
}

std::string format_note(const Note& note) {
  std::string out = note.text + "\n";
  for (const auto& l : note.lines) out += l + "\n";
  return out;
}

std::string sign_note(std::string_view text, const SignerKey& key) {
  if (text.empty() || text.back() != '\n') throw std::invalid_argument("note text must end in \\n");
  Note n;
  n.text = std::string(text);
  n.lines.push_back(signature_line(key.name, put_be32(key.key_hash) + sign_bytes(text, key)));
  return format_note(n);
}

std::string cosignature_line(std::string_view checkpoint_text, const SignerKey& cosigner,
                             std::int64_t unix_seconds) {
  auto t = static_cast<std::uint64_t>(unix_seconds);
  std::string payload = put_be32(cosigner.key_hash) + put_be64(t) +
                        sign_bytes(cosigned_message(checkpoint_text, t), cosigner);
  return signature_line(cosigner.name, payload);
}

std::string add_signature_line(std::string_view note, std::string_view line) {
  std::string out(note);
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += line;
  out += '\n';
  return out;
}

Status verify_note(std::string_view note, const Verifier& verifier, std::int64_t* cosigned_time) {
  auto n = parse_note(note);
  if (!n) return fail(n.error());
  for (const auto& line : n->lines) {
    auto rest = std::string_view(line).substr(kSigPrefix.size());
    auto sp = rest.find(' ');
    if (rest.substr(0, sp) != verifier.name) continue;
    auto sig = unb64(rest.substr(sp + 1));  // parse_note checked it decodes to ≥ 5 bytes
    if (be32(*sig) != verifier.key_hash) continue;
    std::string_view body = std::string_view(*sig).substr(4);
    bool ok = false;
    if (verifier.kind == KeyKind::ed25519) {
      ok = verify_bytes(n->text, body, verifier.public_key);
    } else if (body.size() == 8 + crypto_sign_BYTES) {
      std::uint64_t t = 0;
      for (int i = 0; i < 8; ++i) t = (t << 8) | static_cast<unsigned char>(body[i]);
      ok = t <= static_cast<std::uint64_t>(INT64_MAX) &&
           verify_bytes(cosigned_message(n->text, t), body.substr(8), verifier.public_key);
      if (ok && cosigned_time) *cosigned_time = static_cast<std::int64_t>(t);
    }
    if (!ok) {
      return fail(invalid("signature", "签名无效", "invalid signature by " + verifier.name));
    }
    return {};
  }
  return fail(invalid("signature", "缺少该密钥的签名", "no signature by " + verifier.name));
}

}  // namespace yiwang::ledger
