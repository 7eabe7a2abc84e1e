# A fresh clone stands alone: the demo seeded from a copy of data/ with no ../shared beside it
# has data in every area (tests/demo/standalone.sh).
find_program(SQLITE3_PROGRAM sqlite3 REQUIRED)
add_test(NAME demo_standalone
         COMMAND ${CMAKE_SOURCE_DIR}/tests/demo/standalone.sh $<TARGET_FILE:yiwang>
                 ${CMAKE_SOURCE_DIR})
set_tests_properties(demo_standalone PROPERTIES TIMEOUT 900)
