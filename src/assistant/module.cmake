pkg_check_modules(POPPLER_CPP REQUIRED IMPORTED_TARGET poppler-cpp)
yiwang_module(assistant DEPS lexicon catalog identity events store http core
              LIBS PkgConfig::XAPIAN PkgConfig::POPPLER_CPP OpenSSL::Crypto nlohmann_json::nlohmann_json)
# The assistant's data (question words, intents, blocked phrases, life-event bundles).
foreach(f question_words:question_words.txt intents:intents.txt
          blocked:blocked.txt life_events:life_events.json)
  string(REPLACE ":" ";" pair ${f})
  list(GET pair 0 sym)
  list(GET pair 1 file)
  yiwang_embed_text(yiwang_assistant assistant_${sym} ${CMAKE_SOURCE_DIR}/data/assistant/${file})
endforeach()
