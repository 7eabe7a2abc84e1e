yiwang_module(ledger DEPS identity events store http core LIBS PkgConfig::SODIUM OpenSSL::Crypto nlohmann_json::nlohmann_json Threads::Threads)
# The public verification page (公开核验), served by ledger::register_web_routes.
yiwang_embed_text(yiwang_ledger ledger_verify_html ${CMAKE_SOURCE_DIR}/web/verify/index.html)
yiwang_embed_text(yiwang_ledger ledger_verify_js ${CMAKE_SOURCE_DIR}/web/verify/app.js)
