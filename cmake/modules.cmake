# yiwang_module(NAME [DIR dir] [DEPS module…] [LIBS target…])
# Builds static library yiwang_NAME from DIR/*.cpp (default src/NAME). SQL files in DIR/migrations
# are embedded into a generated source that defines yiwang::generated::NAME_migrations().
function(yiwang_module name)
  cmake_parse_arguments(M "" "DIR" "DEPS;LIBS" ${ARGN})
  if(NOT M_DIR)
    set(M_DIR src/${name})
  endif()
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${M_DIR}/*.cpp)
  file(GLOB sql_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${M_DIR}/migrations/*.sql)
  if(sql_files)
    set(generated ${CMAKE_BINARY_DIR}/generated/${name}_migrations.cpp)
    add_custom_command(
      OUTPUT ${generated}
      COMMAND ${CMAKE_COMMAND} -DNAME=${name} -DDIR=${CMAKE_SOURCE_DIR}/${M_DIR}/migrations
              -DOUT=${generated} -P ${CMAKE_SOURCE_DIR}/cmake/embed_migrations.cmake
      DEPENDS ${sql_files} ${CMAKE_SOURCE_DIR}/cmake/embed_migrations.cmake
      COMMENT "Embedding ${name} migrations")
    list(APPEND sources ${generated})
  endif()
  add_library(yiwang_${name} STATIC ${sources})
  target_include_directories(yiwang_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  foreach(dep ${M_DEPS})
    target_link_libraries(yiwang_${name} PUBLIC yiwang_${dep})
  endforeach()
  target_link_libraries(yiwang_${name} PUBLIC ${M_LIBS})
endfunction()

# yiwang_embed_file(TARGET VAR FILE): defines `extern const char* const VAR` with FILE's text.
function(yiwang_embed_text target symbol file)
  set(generated ${CMAKE_BINARY_DIR}/generated/${symbol}.cpp)
  add_custom_command(
    OUTPUT ${generated}
    COMMAND ${CMAKE_COMMAND} -DSYMBOL=${symbol} -DIN=${file} -DOUT=${generated}
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_text.cmake
    DEPENDS ${file} ${CMAKE_SOURCE_DIR}/cmake/embed_text.cmake
    COMMENT "Embedding ${file}")
  target_sources(${target} PRIVATE ${generated})
endfunction()
