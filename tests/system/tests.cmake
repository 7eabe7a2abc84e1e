# Process-level tests: run the real `yiwang` binary (durability under SIGKILL, graceful SIGTERM;
# the ledger against independent verifiers, the witness and the public page in Chromium).
add_executable(test_system ${CMAKE_SOURCE_DIR}/tests/system/durability_test.cpp
                           ${CMAKE_SOURCE_DIR}/tests/system/ledger_test.cpp)
target_link_libraries(test_system PRIVATE yiwang_ledger yiwang_http yiwang_test_support
                      PkgConfig::SQLITE3 nlohmann_json::nlohmann_json GTest::gtest_main)
add_dependencies(test_system yiwang)
if(TARGET ledgerverify)
  add_dependencies(test_system ledgerverify)
endif()
add_test(NAME system COMMAND test_system --gtest_brief=1)
set_tests_properties(system PROPERTIES
  ENVIRONMENT "YIWANG_SOURCE_DIR=${CMAKE_SOURCE_DIR};YIWANG_BINARY=$<TARGET_FILE:yiwang>;YIWANG_LEDGERVERIFY=${YIWANG_LEDGERVERIFY}"
  TIMEOUT 900)
