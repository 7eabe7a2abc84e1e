# JavaScript checks of our open interfaces with independent libraries (npm packages installed by
# scripts/install-deps.sh into tests/node/node_modules). Runs after the API tests dump the routes.
find_program(NODE_PROGRAM node REQUIRED)
set(YIWANG_ROUTES_FILE ${CMAKE_BINARY_DIR}/routes.txt)
add_test(NAME node_openapi COMMAND ${NODE_PROGRAM} --test ${CMAKE_SOURCE_DIR}/tests/node/openapi.test.mjs
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/node)
# The route comparison reads the route list that test_api dumps.
set_tests_properties(node_openapi PROPERTIES DEPENDS api ENVIRONMENT
                     "YIWANG_SOURCE_DIR=${CMAKE_SOURCE_DIR};YIWANG_ROUTES_FILE=${YIWANG_ROUTES_FILE}")
