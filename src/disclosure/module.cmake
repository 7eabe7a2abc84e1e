yiwang_module(disclosure DEPS privacy identity events store http core LIBS nlohmann_json::nlohmann_json)
