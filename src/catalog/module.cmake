yiwang_module(catalog DEPS lexicon identity events store http core LIBS PkgConfig::XAPIAN nlohmann_json::nlohmann_json)
