yiwang_module(appeals DEPS disclosure privacy identity events store http core LIBS nlohmann_json::nlohmann_json)
