yiwang_module(open311 DEPS disclosure privacy grid identity events store http core LIBS nlohmann_json::nlohmann_json)
