yiwang_module(cases DEPS catalog privacy identity events store http core LIBS nlohmann_json::nlohmann_json OpenSSL::Crypto Threads::Threads)
