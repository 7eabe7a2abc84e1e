# The fuzz targets' smoke run (fuzz/, docs/fuzzing.md): builds them with clang, ASan and UBSan in
# a directory of their own and runs each 20 s from its seeds; a crash, a leak, a timeout or a
# broken invariant fails. clang and libFuzzer's runtime come from Debian (install-deps.sh).
# COST makes ctest start it early: its build and runs are the longest single test.
find_program(CLANGXX_FOR_FUZZ NAMES clang++ clang++-14 REQUIRED)
add_test(NAME fuzz_smoke
         COMMAND ${CMAKE_SOURCE_DIR}/scripts/fuzz.sh --build-dir ${CMAKE_BINARY_DIR}/fuzz-smoke
                 --seconds 20 --jobs 2 --fresh)
set_tests_properties(fuzz_smoke PROPERTIES TIMEOUT 1200 COST 10000)
