# The soak test's short version (docs/soak.md): five minutes of mixed load against the real
# binary with SIGKILLs and restarts; every acknowledged write read back, the ledger verified from
# outside (with the Go verifier too when it was built), memory and file handles judged flat.
# `make soak` runs the hour-long version outside ctest.
find_program(NODE_PROGRAM node REQUIRED)
add_test(NAME soak_short
         COMMAND ${NODE_PROGRAM} ${CMAKE_SOURCE_DIR}/tests/soak/soak.mjs --binary $<TARGET_FILE:yiwang>
                 --seconds 300 --report ${CMAKE_BINARY_DIR}/soak-short-report.json
         WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
# Seeding, five minutes of load and the read-back of every acknowledged write take about eight
# minutes on the 2-core machine; the timeout leaves room for a loaded CI host.
set_tests_properties(soak_short PROPERTIES TIMEOUT 1500 LABELS soak ENVIRONMENT
                     "YIWANG_SOURCE_DIR=${CMAKE_SOURCE_DIR};YIWANG_LEDGERVERIFY=${YIWANG_LEDGERVERIFY}")

# The soak's detectors (rollback, fork, leaks, forms) on made-up inputs, in a second.
add_test(NAME soak_parts COMMAND ${NODE_PROGRAM} --test ${CMAKE_SOURCE_DIR}/tests/soak/parts.test.mjs
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/soak)
