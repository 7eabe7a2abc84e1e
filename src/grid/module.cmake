pkg_check_modules(GEOS REQUIRED IMPORTED_TARGET geos)
yiwang_module(grid DEPS identity events store http core
              LIBS PkgConfig::GEOS nlohmann_json::nlohmann_json)
yiwang_embed_text(yiwang_grid grid_classes ${CMAKE_SOURCE_DIR}/data/grid/classes.tsv)
