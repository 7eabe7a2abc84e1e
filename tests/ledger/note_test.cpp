// Signed notes, checkpoints and cosignatures. The known answer is the example in the package
// documentation of golang.org/x/mod/sumdb/note (Ed25519 signatures are deterministic, so the same
// key and text must give the same signature line byte for byte).
#include "ledger/note.h"

#include <vector>

#include <gtest/gtest.h>

namespace yiwang::ledger {
namespace {

constexpr const char* kGoSigner =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr const char* kGoVerifier =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr const char* kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr const char* kGoNote =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

Verifier verifier_of(const SignerKey& k) {
  auto v = parse_verifier_key(verifier_key(k));
  EXPECT_TRUE(v.has_value());
  return *v;
}

TEST(Note, GoDocumentationExampleSignsIdentically) {
  auto key = parse_signer_key(kGoSigner);
  ASSERT_TRUE(key.has_value()) << key.error().message_en;
  EXPECT_EQ("PeterNeumann", key->name);
  EXPECT_EQ(0xc74f20a3u, key->key_hash);
  EXPECT_EQ(kGoVerifier, verifier_key(*key));
  EXPECT_EQ(kGoSigner, format_signer_key(*key));
  EXPECT_EQ(kGoNote, sign_note(kGoText, *key));

  auto v = parse_verifier_key(kGoVerifier);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(key->public_key, v->public_key);
  EXPECT_TRUE(verify_note(kGoNote, *v).has_value());
}

TEST(Note, SignVerifyAndTamperingFails) {
  auto key = generate_key("ledger.yiwang.example.gov.cn", KeyKind::ed25519);
  auto parsed = parse_signer_key(format_signer_key(key) + "\n");  // as read from the key file
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(key.seed, parsed->seed);
  EXPECT_EQ(key.public_key, parsed->public_key);
  EXPECT_EQ(key.key_hash, parsed->key_hash);

  std::string text = "hello\nworld\n";
  std::string note = sign_note(text, key);
  Verifier v = verifier_of(key);
  EXPECT_TRUE(verify_note(note, v).has_value());

  // Another key of the same name: its key hash differs, so the note has no signature by it.
  auto other = generate_key(key.name, KeyKind::ed25519);
  auto r = verify_note(note, verifier_of(other));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(ErrorCode::invalid_input, r.error().code);
  EXPECT_EQ("signature", r.error().field);

  // Same name and key hash, other public key: a bad signature, not a missing one.
  Verifier impostor = v;
  impostor.public_key = other.public_key;
  EXPECT_FALSE(verify_note(note, impostor).has_value());

  std::string altered = note;
  altered[0] = 'j';
  EXPECT_FALSE(verify_note(altered, v).has_value());

  // One base64 character of the signature changed (still valid base64, still 68 bytes).
  std::string bad_sig = note;
  auto pos = bad_sig.size() - 10;
  bad_sig[pos] = bad_sig[pos] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_note(bad_sig, v).has_value());

  // Signatures by others before ours are skipped.
  std::string extra = "\xE2\x80\x94 someone.else AAAAAAAA\n";
  auto n = parse_note(note);
  ASSERT_TRUE(n.has_value());
  n->lines.insert(n->lines.begin(), extra.substr(0, extra.size() - 1));
  EXPECT_TRUE(verify_note(format_note(*n), v).has_value());
}

TEST(Note, MalformedNotesAreRejected) {
  auto key = generate_key("log", KeyKind::ed25519);
  std::string good = sign_note("a\n", key);
  ASSERT_TRUE(parse_note(good).has_value());
  EXPECT_FALSE(parse_note("a\n\xE2\x80\x94 log AAAAAAAA\n").has_value());  // no blank line
  EXPECT_FALSE(parse_note("a\n\n- log AAAAAAAA\n").has_value());           // hyphen, not em dash
  EXPECT_FALSE(parse_note("a\n\n\xE2\x80\x94 log AAAAAAAA").has_value());  // no final newline
  EXPECT_FALSE(parse_note("a\n\n\xE2\x80\x94 log AAAA\n").has_value());    // under 5 bytes
  EXPECT_FALSE(parse_note("a\n\n\xE2\x80\x94 log A!AAAAAA\n").has_value());
  EXPECT_FALSE(parse_note("a\n\n\xE2\x80\x94 lo+g AAAAAAAA\n").has_value());
  EXPECT_FALSE(parse_note("a\tb\n\n\xE2\x80\x94 log AAAAAAAA\n").has_value());   // control char
  EXPECT_FALSE(parse_note("a\xff\n\n\xE2\x80\x94 log AAAAAAAA\n").has_value());  // not UTF-8
  std::string many = "a\n\n";
  for (int i = 0; i < 101; ++i) many += "\xE2\x80\x94 log AAAAAAAA\n";
  EXPECT_FALSE(parse_note(many).has_value());

  EXPECT_FALSE(verify_note("not a note", verifier_of(key)).has_value());
}

TEST(Note, KeyStringsAreChecked) {
  auto key = generate_key("log", KeyKind::ed25519);
  std::string vk = verifier_key(key);
  ASSERT_TRUE(parse_verifier_key(vk).has_value());
  std::string wrong_hash = vk;
  wrong_hash[4] = wrong_hash[4] == '0' ? '1' : '0';
  EXPECT_FALSE(parse_verifier_key(wrong_hash).has_value());
  EXPECT_FALSE(parse_verifier_key("log+abc+AAAA").has_value());
  EXPECT_FALSE(parse_verifier_key("lo g+" + vk.substr(4)).has_value());
  EXPECT_FALSE(parse_verifier_key(vk + "+x").has_value());
  // Unknown algorithm byte (0x02).
  std::string alg2 = vk;
  alg2[alg2.find('+', alg2.find('+') + 1) + 1] = 'C';  // an unknown algorithm byte (0x09)
  EXPECT_FALSE(parse_verifier_key(alg2).has_value());
  EXPECT_FALSE(parse_signer_key(vk).has_value());
  std::string sk = format_signer_key(key);
  sk[sk.size() - 3] = sk[sk.size() - 3] == 'A' ? 'B' : 'A';  // another seed: hash no longer fits
  EXPECT_FALSE(parse_signer_key(sk).has_value());
  EXPECT_THROW(generate_key("has space", KeyKind::ed25519), std::invalid_argument);
}

TEST(Checkpoint, BodyRoundTripAndStrictParsing) {
  Checkpoint c;
  c.origin = "ledger.yiwang.example.gov.cn";
  c.size = 1234;
  c.root = leaf_hash("r");
  std::string body = checkpoint_body(c);
  EXPECT_EQ("ledger.yiwang.example.gov.cn\n1234\n" + to_base64(c.root) + "\n", body);
  auto p = parse_checkpoint_body(body);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(c.origin, p->origin);
  EXPECT_EQ(c.size, p->size);
  EXPECT_EQ(c.root, p->root);
  EXPECT_TRUE(p->extensions.empty());

  c.extensions = {"timestamp 1700000000"};
  p = parse_checkpoint_body(checkpoint_body(c));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(c.extensions, p->extensions);

  std::string root = to_base64(c.root);
  for (const std::string& bad : std::vector<std::string>{
           "o\n12\n" + root, "\n12\n" + root + "\n", "o\n012\n" + root + "\n",
           "o\n-1\n" + root + "\n", "o\n+1\n" + root + "\n", std::string("o\n1\nAAAA\n"),
           "o\n12\n" + root + "\n\n", std::string("o\n12\n"),
           "o\n99999999999999999999\n" + root + "\n"}) {
    EXPECT_FALSE(parse_checkpoint_body(bad).has_value()) << bad;
  }
  EXPECT_TRUE(parse_checkpoint_body("o\n0\n" + to_base64(empty_root()) + "\n").has_value());
}

TEST(Cosignature, RoundTripAndTampering) {
  auto log = generate_key("ledger.example", KeyKind::ed25519);
  auto witness = generate_key("audit.example", KeyKind::cosignature_v1);
  std::string vk = verifier_key(witness);
  // Algorithm 0x04 makes the key data start with 'B' in base64.
  EXPECT_EQ('B', vk[vk.find('+', vk.find('+') + 1) + 1]);
  auto wv = parse_verifier_key(vk);
  ASSERT_TRUE(wv.has_value());
  EXPECT_EQ(KeyKind::cosignature_v1, wv->kind);
  auto parsed = parse_signer_key(format_signer_key(witness));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(KeyKind::cosignature_v1, parsed->kind);

  Checkpoint c{"ledger.example", 5, leaf_hash("x"), {}};
  std::string text = checkpoint_body(c);
  std::string note = sign_note(text, log);
  std::string cosigned = add_signature_line(note, cosignature_line(text, witness, 1700000000));
  std::int64_t t = 0;
  ASSERT_TRUE(verify_note(cosigned, *wv, &t).has_value());
  EXPECT_EQ(1700000000, t);
  EXPECT_TRUE(verify_note(cosigned, verifier_of(log)).has_value());  // the log's still there
  // The same key material as a plain Ed25519 key has another key hash: not a cosignature.
  EXPECT_FALSE(verify_note(note, *wv).has_value());

  // A cosignature over another checkpoint, or with a changed timestamp, fails.
  Checkpoint c2 = c;
  c2.size = 6;
  std::string wrong = add_signature_line(note, cosignature_line(checkpoint_body(c2), witness, 1));
  EXPECT_FALSE(verify_note(wrong, *wv).has_value());
  auto n = parse_note(cosigned);
  ASSERT_TRUE(n.has_value());
  auto line = n->lines.back();
  std::string b64 = line.substr(line.rfind(' ') + 1);
  // Bytes 4..11 are the timestamp; base64 characters 6..15 cover them.
  b64[10] = b64[10] == 'A' ? 'B' : 'A';
  n->lines.back() = line.substr(0, line.rfind(' ') + 1) + b64;
  EXPECT_FALSE(verify_note(format_note(*n), *wv).has_value());
}

}  // namespace
}  // namespace yiwang::ledger
