# Process-level tests: run the real `yiwang` binary (durability under SIGKILL, graceful SIGTERM).
add_executable(test_system ${CMAKE_SOURCE_DIR}/tests/system/durability_test.cpp)
target_link_libraries(test_system PRIVATE yiwang_http yiwang_test_support nlohmann_json::nlohmann_json GTest::gtest_main)
add_dependencies(test_system yiwang)
add_test(NAME system COMMAND test_system --gtest_brief=1)
set_tests_properties(system PROPERTIES
  ENVIRONMENT "YIWANG_SOURCE_DIR=${CMAKE_SOURCE_DIR};YIWANG_BINARY=$<TARGET_FILE:yiwang>"
  TIMEOUT 600)
