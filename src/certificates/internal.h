// Shared inside the certificates module only (not a public header).
#pragma once

#include <string>

#include "certificates/certificates.h"

namespace yiwang::certificates::detail {

// A one-page PDF 1.4 of the certificate: title, catalog fields and a QR code for `verify_url`.
// Chinese text uses the STSong-Light / UniGB-UCS2-H resource every PDF reader carries, so no font
// is embedded. invalid_input only if the URL does not fit a QR code.
Result<std::string> render_pdf(const Certificate& c, const std::string& verify_url);

// UTF-8 → UTF-16BE code units (BMP; other code points become U+FFFD).
std::u16string utf16(std::string_view utf8);

}  // namespace yiwang::certificates::detail
