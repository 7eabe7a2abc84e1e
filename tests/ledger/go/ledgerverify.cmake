# The independent Go verifier of the ledger (Go standard library + golang.org/x/mod/sumdb from
# Debian's golang-golang-x-mod-dev), built offline in GOPATH mode. Tests find it through
# YIWANG_LEDGERVERIFY and fail, saying so, when it could not be built (they skip only with
# YIWANG_TESTS_MAY_SKIP=1).
find_program(GO_PROGRAM go)
set(YIWANG_LEDGERVERIFY ${CMAKE_BINARY_DIR}/ledgerverify)
if(GO_PROGRAM)
  set(go_source ${CMAKE_SOURCE_DIR}/tests/ledger/go/ledgerverify/main.go)
  if(DEFINED ENV{YIWANG_GOPATH})
    set(go_path $ENV{YIWANG_GOPATH})
  else()
    set(go_path /usr/share/gocode)
  endif()
  add_custom_command(
    OUTPUT ${YIWANG_LEDGERVERIFY}
    COMMAND ${CMAKE_COMMAND} -E env GO111MODULE=off GOFLAGS= GOENV=off GOPATH=${go_path}
            GOCACHE=${CMAKE_BINARY_DIR}/go-cache ${GO_PROGRAM} build -o ${YIWANG_LEDGERVERIFY} .
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/ledger/go/ledgerverify
    DEPENDS ${go_source}
    COMMENT "Building the Go ledger verifier")
  add_custom_target(ledgerverify ALL DEPENDS ${YIWANG_LEDGERVERIFY})
else()
  message(WARNING "go not found: the third-party ledger verification tests will fail "
                  "(install golang-go and golang-golang-x-mod-dev: scripts/install-deps.sh)")
endif()
