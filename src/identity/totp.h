// RFC 6238 time-based one-time passwords (SHA-1, 30-second steps, 6 digits — what every
// authenticator app reads from an otpauth:// URI), through liboath. Secrets are base32 text.
// Pure functions of their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace yiwang::identity::totp {

constexpr int kStepSeconds = 30;
constexpr int kDigits = 6;

// A new 160-bit secret, base32 without padding (32 characters).
std::string new_secret(core::Random& random);

// The code for the step that holds `at_ms`; "" when the secret is not valid base32.
std::string code_at(std::string_view secret, core::Millis at_ms);

// The time step (unix seconds / 30) whose code `code` is, looking one step either side of `now`
// for clock drift; nullopt when it is none of them or the secret is not valid base32.
std::optional<std::int64_t> matching_step(std::string_view secret, std::string_view code,
                                          core::Millis now_ms);

// otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret);

}  // namespace yiwang::identity::totp
