// SHA-256 as the platform writes it everywhere (file names, token and phone hashes, ledger
// document digests): 64 lower-case hex digits. core::is_sha256_hex (core/text.h) recognises it.
#pragma once

#include <string>
#include <string_view>

namespace yiwang::core {

// The SHA-256 digest of `bytes` in lower-case hex.
std::string sha256_hex(std::string_view bytes);

}  // namespace yiwang::core
