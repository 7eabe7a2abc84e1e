# The web app (Vue 3 + Vite, web/): built into ${CMAKE_BINARY_DIR}/web, which the binary serves by
# default (web/ beside it). scripts/install-deps.sh runs `npm ci` in web/ first.
find_program(NPM_PROGRAM npm)
option(YIWANG_WEB "Build the web app with npm (Vite)" ON)
if(YIWANG_WEB AND NPM_PROGRAM AND EXISTS ${CMAKE_SOURCE_DIR}/web/node_modules)
  file(GLOB_RECURSE YIWANG_WEB_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_SOURCE_DIR}/web/src/*.vue ${CMAKE_SOURCE_DIR}/web/src/*.js ${CMAKE_SOURCE_DIR}/web/src/*.css
       ${CMAKE_SOURCE_DIR}/web/public/*)
  add_custom_command(
    OUTPUT ${CMAKE_BINARY_DIR}/web/index.html
    COMMAND ${CMAKE_COMMAND} -E env YIWANG_WEB_OUT=${CMAKE_BINARY_DIR}/web ${NPM_PROGRAM} run --silent build
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/web
    DEPENDS ${YIWANG_WEB_SOURCES} ${CMAKE_SOURCE_DIR}/web/index.html ${CMAKE_SOURCE_DIR}/web/vite.config.js
            ${CMAKE_SOURCE_DIR}/web/package-lock.json
    COMMENT "Building the web app (Vite)"
    VERBATIM)
  add_custom_target(web ALL DEPENDS ${CMAKE_BINARY_DIR}/web/index.html)
  set(YIWANG_WEB_BUILT ON)
else()
  # web_unit and web_browser then fail, saying why (tests/node/tests.cmake).
  if(NOT YIWANG_WEB)
    set(YIWANG_WEB_MISSING "YIWANG_WEB is OFF")
  elseif(NOT NPM_PROGRAM)
    set(YIWANG_WEB_MISSING "npm was not found")
  else()
    set(YIWANG_WEB_MISSING "${CMAKE_SOURCE_DIR}/web/node_modules was missing")
  endif()
  message(WARNING "web app not built: ${YIWANG_WEB_MISSING} (run scripts/install-deps.sh); "
                  "the web_unit and web_browser tests will fail")
  set(YIWANG_WEB_BUILT OFF)
endif()
