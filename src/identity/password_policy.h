// Which new passwords an account may have (等保 2.0: 口令复杂度). Internal to identity/.
#pragma once

#include <string_view>

#include "core/result.h"

namespace yiwang::identity {

// Once the length rule holds (at least 8 characters, checked by the caller): not a dictionary word
// or one lightly changed ("password123"), not a simple or systematic sequence ("12345678",
// "Abcdefgh"), and not containing the user name — cracklib's dictionary through libpwquality
// (Debian's cracklib-runtime). invalid_input "/password" with the reason in Chinese and English;
// internal when the dictionary cannot be read (a broken installation, not the user's fault).
Status check_password(std::string_view username, std::string_view password);

}  // namespace yiwang::identity
