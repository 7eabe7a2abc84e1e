pkg_check_modules(FASTTEXT REQUIRED IMPORTED_TARGET fasttext)
yiwang_module(ai DEPS identity events store http core
              LIBS PkgConfig::FASTTEXT nlohmann_json::nlohmann_json)
yiwang_embed_text(yiwang_ai ai_departments ${CMAKE_SOURCE_DIR}/data/ai/departments.tsv)
