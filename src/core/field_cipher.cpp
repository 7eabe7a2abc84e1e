#include "core/field_cipher.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace yiwang::core {
namespace {

constexpr std::string_view kFileHeader = "yiwang-data-key v1";
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "yiwangfc";
constexpr std::uint64_t kSealKeyId = 1, kIndexKeyId = 2, kFingerprintKeyId = 3;

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

// BLAKE2b-128 under `key` of the length-prefixed context and value: "ab"+"c" ≠ "a"+"bc".
std::string keyed_digest(const std::array<unsigned char, 32>& key, std::string_view context,
                         std::string_view value) {
  crypto_generichash_state state;
  unsigned char out[16];
  crypto_generichash_init(&state, key.data(), key.size(), sizeof out);
  const std::string length = std::to_string(context.size()) + ":";
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(length.data()),
                            length.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(context.data()),
                            context.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(value.data()),
                            value.size());
  crypto_generichash_final(&state, out, sizeof out);
  return to_hex(out, sizeof out);
}

tl::unexpected<Error> key_file_error(const std::string& path, const std::string& why) {
  return fail(ErrorCode::internal, "/data_key", "数据密钥文件 " + path + " 不可用：" + why,
              "data key file " + path + ": " + why);
}

Result<std::array<unsigned char, 32>> read_key(const std::string& path) {
  std::ifstream in(path);
  std::string header, hex;
  if (!std::getline(in, header) || !std::getline(in, hex) || header != kFileHeader) {
    return key_file_error(path, "not a Yiwang data key file");
  }
  std::array<unsigned char, 32> key{};
  std::size_t n = 0;
  if (hex.size() != 64 ||
      sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &n, nullptr) != 0 ||
      n != key.size()) {
    return key_file_error(path, "the key is not 64 hex digits");
  }
  return key;
}

Result<std::array<unsigned char, 32>> create_key(const std::string& path) {
  std::array<unsigned char, 32> key{};
  randombytes_buf(key.data(), key.size());
  const std::string text = std::string(kFileHeader) + "\n" + to_hex(key.data(), key.size()) + "\n";
  // O_EXCL: two processes starting at once must not each write their own key.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return read_key(path);
    return key_file_error(path, std::strerror(errno));
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return key_file_error(path, "could not be written");
  return key;
}

}  // namespace

FieldCipher::FieldCipher(const std::array<unsigned char, 32>& key) {
  ensure_sodium();
  crypto_kdf_derive_from_key(seal_key_.data(), seal_key_.size(), kSealKeyId, kKdfContext,
                             key.data());
  crypto_kdf_derive_from_key(index_key_.data(), index_key_.size(), kIndexKeyId, kKdfContext,
                             key.data());
  std::array<unsigned char, 32> check{};
  crypto_kdf_derive_from_key(check.data(), check.size(), kFingerprintKeyId, kKdfContext,
                             key.data());
  fingerprint_ = keyed_digest(check, "fingerprint", "yiwang data key");
  sodium_memzero(check.data(), check.size());
}

FieldCipher::~FieldCipher() {
  sodium_memzero(seal_key_.data(), seal_key_.size());
  sodium_memzero(index_key_.data(), index_key_.size());
}

Result<std::shared_ptr<const FieldCipher>> FieldCipher::load(const std::string& key_file,
                                                             bool may_create) {
  ensure_sodium();
  struct stat st {};
  Result<std::array<unsigned char, 32>> key = key_file_error(key_file, "missing");
  if (::stat(key_file.c_str(), &st) == 0) {
    key = read_key(key_file);
  } else if (may_create) {
    key = create_key(key_file);
  }
  if (!key) return fail(key.error());
  auto cipher = std::make_shared<const FieldCipher>(*key);
  sodium_memzero(key->data(), key->size());
  return cipher;
}

std::shared_ptr<const FieldCipher> FieldCipher::ephemeral() {
  ensure_sodium();
  std::array<unsigned char, 32> key{};
  randombytes_buf(key.data(), key.size());
  return std::make_shared<const FieldCipher>(key);
}

std::string FieldCipher::seal(std::string_view plaintext, std::string_view context) const {
  if (plaintext.empty()) return {};
  std::vector<unsigned char> out(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plaintext.size() +
                                 crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned char* nonce = out.data();
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &length,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(context.data()), context.size(), nullptr, nonce,
      seal_key_.data());
  std::string text(sodium_base64_encoded_len(out.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                   '\0');
  sodium_bin2base64(text.data(), text.size(), out.data(), out.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  text.pop_back();  // the terminating NUL
  return std::string(kPrefix) + text;
}

Result<std::string> FieldCipher::open(std::string_view stored, std::string_view context) const {
  if (stored.empty()) return std::string();
  auto refused = [&](const char* why) {
    return fail(ErrorCode::internal, "", "加密存储的数据无法解密（" + std::string(context) + "）",
                std::string("a sealed value does not open (") + std::string(context) + "): " + why);
  };
  if (!is_sealed(stored)) return refused("it is not sealed");
  stored.remove_prefix(kPrefix.size());
  std::vector<unsigned char> raw(stored.size());
  std::size_t n = 0;
  if (sodium_base642bin(raw.data(), raw.size(), stored.data(), stored.size(), nullptr, &n, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      n < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
              crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return refused("malformed");
  }
  const unsigned char* nonce = raw.data();
  const unsigned char* sealed = nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  const std::size_t sealed_size = n - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string plain(sealed_size - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &length, nullptr, sealed, sealed_size,
          reinterpret_cast<const unsigned char*>(context.data()), context.size(), nonce,
          seal_key_.data()) != 0) {
    return refused("another key, another context, or altered");
  }
  plain.resize(length);
  return plain;
}

std::string FieldCipher::seal_cell(std::string_view plaintext, std::string_view column,
                                   std::string_view row_key) const {
  return seal(plaintext, std::string(column) + ":" + std::string(row_key));
}

std::string FieldCipher::open_cell(std::string_view stored, std::string_view column,
                                   std::string_view row_key) const {
  auto plain = open(stored, std::string(column) + ":" + std::string(row_key));
  if (!plain) throw std::runtime_error(plain.error().message_en);
  return std::move(*plain);
}

std::string FieldCipher::index(std::string_view plaintext, std::string_view context) const {
  return keyed_digest(index_key_, context, plaintext);
}

}  // namespace yiwang::core
