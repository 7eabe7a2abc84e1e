// TOTP through liboath (totp.h).
#include "identity/totp.h"

#include <liboath/oath.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "http/http.h"

namespace yiwang::identity::totp {
namespace {

constexpr std::size_t kSecretBytes = 20;

void ensure_oath() {
  static const int ready = oath_init();
  if (ready != OATH_OK) throw std::runtime_error("oath_init failed");
}

// The raw key of a base32 secret; nullopt when it is not base32 or empty.
std::optional<std::string> key_of(std::string_view secret) {
  ensure_oath();
  if (secret.empty() || secret.size() > 128) return std::nullopt;
  char* out = nullptr;
  std::size_t len = 0;
  const std::string text(secret);
  if (oath_base32_decode(text.data(), text.size(), &out, &len) != OATH_OK) return std::nullopt;
  std::unique_ptr<char, decltype(&std::free)> owned(out, &std::free);
  if (len == 0) return std::nullopt;
  return std::string(out, len);
}

bool six_digits(std::string_view code) {
  if (code.size() != static_cast<std::size_t>(kDigits)) return false;
  for (char c : code)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

std::string new_secret(core::Random& random) {
  ensure_oath();
  unsigned char key[kSecretBytes];
  random.fill(key, sizeof key);
  char* out = nullptr;
  std::size_t len = 0;
  if (oath_base32_encode(reinterpret_cast<const char*>(key), sizeof key, &out, &len) != OATH_OK) {
    throw std::runtime_error("oath_base32_encode failed");
  }
  std::unique_ptr<char, decltype(&std::free)> owned(out, &std::free);
  std::string secret(out, len);
  while (!secret.empty() && secret.back() == '=') secret.pop_back();
  return secret;
}

std::string code_at(std::string_view secret, core::Millis at_ms) {
  auto key = key_of(secret);
  if (!key) return "";
  char otp[kDigits + 1] = {};
  if (oath_totp_generate(key->data(), key->size(), static_cast<time_t>(at_ms / 1000),
                         kStepSeconds, 0, kDigits, otp) != OATH_OK) {
    return "";
  }
  return otp;
}

std::optional<std::int64_t> matching_step(std::string_view secret, std::string_view code,
                                          core::Millis now_ms) {
  if (!six_digits(code)) return std::nullopt;
  auto key = key_of(secret);
  if (!key) return std::nullopt;
  const std::string otp(code);
  const time_t now = static_cast<time_t>(now_ms / 1000);
  int position = 0;
  const int rc = oath_totp_validate2(key->data(), key->size(), now, kStepSeconds, 0, 1, &position,
                                     otp.c_str());
  if (rc < 0) return std::nullopt;
  return static_cast<std::int64_t>(now / kStepSeconds) + position;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret) {
  return "otpauth://totp/" + http::percent_encode(issuer) + ":" + http::percent_encode(account) +
         "?secret=" + std::string(secret) + "&issuer=" + http::percent_encode(issuer) +
         "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace yiwang::identity::totp
