yiwang_module(participation DEPS disclosure privacy identity events store http core LIBS nlohmann_json::nlohmann_json)
