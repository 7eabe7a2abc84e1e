yiwang_module(participation DEPS identity events store http core LIBS nlohmann_json::nlohmann_json)
