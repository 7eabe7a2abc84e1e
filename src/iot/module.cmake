pkg_check_modules(MOSQUITTO REQUIRED IMPORTED_TARGET libmosquitto)
yiwang_module(iot DEPS grid identity events store http core
              LIBS PkgConfig::MOSQUITTO nlohmann_json::nlohmann_json Threads::Threads)
