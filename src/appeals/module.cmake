yiwang_module(appeals DEPS identity events store http core LIBS nlohmann_json::nlohmann_json)
