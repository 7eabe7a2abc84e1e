yiwang_module(notify DEPS events store core LIBS nlohmann_json::nlohmann_json)
