pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
find_package(ZLIB REQUIRED)
yiwang_module(certificates DEPS catalog identity events store http core LIBS OpenSSL::Crypto ZLIB::ZLIB PkgConfig::QRENCODE nlohmann_json::nlohmann_json)
# The page a certificate's QR code opens (公开核验 of one certificate).
yiwang_embed_text(yiwang_certificates certificate_verify_html ${CMAKE_SOURCE_DIR}/web/verify/certificate.html)
yiwang_embed_text(yiwang_certificates certificate_verify_js ${CMAKE_SOURCE_DIR}/web/verify/certificate.js)
# The holder's wallet page (我的电子证照).
yiwang_embed_text(yiwang_certificates wallet_html ${CMAKE_SOURCE_DIR}/web/wallet/index.html)
yiwang_embed_text(yiwang_certificates wallet_js ${CMAKE_SOURCE_DIR}/web/wallet/app.js)
