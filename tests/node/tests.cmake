# JavaScript checks of our open interfaces with independent libraries (npm packages installed by
# scripts/install-deps.sh into tests/node/node_modules). Runs after the API tests dump the routes.
find_program(NODE_PROGRAM node REQUIRED)
set(YIWANG_ROUTES_FILE ${CMAKE_BINARY_DIR}/routes.txt)
add_test(NAME node_openapi COMMAND ${NODE_PROGRAM} --test ${CMAKE_SOURCE_DIR}/tests/node/openapi.test.mjs
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/node)
# The route comparison reads the route list that test_api dumps.
set_tests_properties(node_openapi PROPERTIES DEPENDS api ENVIRONMENT
                     "YIWANG_SOURCE_DIR=${CMAKE_SOURCE_DIR};YIWANG_ROUTES_FILE=${YIWANG_ROUTES_FILE}")

# The authorisation matrix: every operation of docs/openapi.json against the policy tables beside
# the routes (src/<module>/access.tsv), then called as each identity on a fresh demo it starts
# from the built binary (docs/authorization.md).
add_test(NAME node_authz_matrix
         COMMAND ${NODE_PROGRAM} --test ${CMAKE_SOURCE_DIR}/tests/node/authz_matrix.test.mjs
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/node)
set_tests_properties(node_authz_matrix PROPERTIES TIMEOUT 900 ENVIRONMENT
                     "YIWANG_SOURCE_DIR=${CMAKE_SOURCE_DIR};YIWANG_BINARY=$<TARGET_FILE:yiwang>")

# SD-JWT VCs and status lists issued by our C++ code, verified with the @sd-jwt libraries. The
# fixtures are written by test_certificates (NodeFixtures.Write).
set(YIWANG_CREDENTIAL_FIXTURES ${CMAKE_BINARY_DIR}/credential-fixtures)
if(TEST certificates)
  set_property(TEST certificates APPEND PROPERTY ENVIRONMENT
               "YIWANG_CREDENTIAL_FIXTURES=${YIWANG_CREDENTIAL_FIXTURES}")
endif()
add_test(NAME node_sdjwt COMMAND ${NODE_PROGRAM} --test ${CMAKE_SOURCE_DIR}/tests/node/sdjwt.test.mjs
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/node)
set_tests_properties(node_sdjwt PROPERTIES DEPENDS certificates ENVIRONMENT
                     "YIWANG_CREDENTIAL_FIXTURES=${YIWANG_CREDENTIAL_FIXTURES}")

# The certificate issued at case completion in the API flow test, verified the same way.
if(TEST api)
  set_property(TEST api APPEND PROPERTY ENVIRONMENT
               "YIWANG_CREDENTIAL_FIXTURES=${YIWANG_CREDENTIAL_FIXTURES}")
endif()
add_test(NAME node_case_certificate
         COMMAND ${NODE_PROGRAM} --test ${CMAKE_SOURCE_DIR}/tests/node/case_certificate.test.mjs
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/node)
set_tests_properties(node_case_certificate PROPERTIES DEPENDS api ENVIRONMENT
                     "YIWANG_CREDENTIAL_FIXTURES=${YIWANG_CREDENTIAL_FIXTURES}")

# The web app: Vitest unit tests (web/src/**/*.test.js), and the browser tests in headless
# Chromium against `yiwang demo` serving the built app (screenshots in build/artifacts). Both are
# always registered: when the app could not be built (web.cmake: npm or web/node_modules missing
# at configure time) they fail, saying so, instead of vanishing from the run; with
# YIWANG_TESTS_MAY_SKIP=1 they are reported as skipped (exit code 77).
if(YIWANG_WEB_BUILT)
  find_program(NPM_FOR_TESTS npm REQUIRED)
  add_test(NAME web_unit COMMAND ${NPM_FOR_TESTS} test --silent WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/web)
  add_test(NAME web_browser
           COMMAND ${CMAKE_SOURCE_DIR}/tests/node/run-web-tests.sh $<TARGET_FILE:yiwang>
                   ${CMAKE_BINARY_DIR}/web ${CMAKE_BINARY_DIR}/artifacts)
  set_tests_properties(web_browser PROPERTIES TIMEOUT 2700)
else()
  foreach(web_test IN ITEMS web_unit web_browser)
    add_test(NAME ${web_test}
             COMMAND ${CMAKE_SOURCE_DIR}/tests/support/missing-prerequisite.sh
                     "the web app was not built: ${YIWANG_WEB_MISSING}. Run scripts/install-deps.sh, then configure again (cmake -S . -B ${CMAKE_BINARY_DIR}) and rebuild.")
  endforeach()
endif()
set_tests_properties(web_unit web_browser PROPERTIES SKIP_RETURN_CODE 77)
