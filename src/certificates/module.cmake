pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
find_package(ZLIB REQUIRED)
yiwang_module(certificates DEPS catalog identity events store http core LIBS OpenSSL::Crypto ZLIB::ZLIB PkgConfig::QRENCODE nlohmann_json::nlohmann_json)
