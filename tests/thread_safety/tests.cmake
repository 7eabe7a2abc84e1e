# clang's -Wthread-safety over every source that uses core/thread_annotations.h (the GUARDED_BY /
# REQUIRES contracts of the classes that hold locks). clang comes from Debian (install-deps.sh).
find_program(CLANGXX_PROGRAM NAMES clang++ clang++-14 REQUIRED)
find_program(NODE_FOR_THREAD_SAFETY node REQUIRED)
add_test(NAME thread_safety
         COMMAND ${NODE_FOR_THREAD_SAFETY} ${CMAKE_SOURCE_DIR}/tests/thread_safety/check.mjs
                 ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR} ${CLANGXX_PROGRAM})
set_tests_properties(thread_safety PROPERTIES TIMEOUT 1200)
