find_package(ICU REQUIRED COMPONENTS uc i18n)
yiwang_module(lexicon DEPS core LIBS ICU::uc ICU::i18n)
yiwang_embed_text(yiwang_lexicon lexicon_synonyms ${CMAKE_SOURCE_DIR}/data/lexicon/synonyms.txt)
