# The two commands: `make demo` and `make test`. Both install what is missing first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
DEMO_DB ?= var/demo.db
PORT ?= 8080
FUZZ_SECONDS ?= 600
SOAK_SECONDS ?= 3600

.PHONY: all deps build demo test fuzz soak bench clean format

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@mkdir -p $(dir $(DEMO_DB))
	$(BUILD_DIR)/yiwang demo --db $(DEMO_DB) --port $(PORT)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The long fuzz run (docs/fuzzing.md): every target FUZZ_SECONDS (10 minutes) in build-fuzz.
fuzz: deps
	scripts/fuzz.sh --seconds $(FUZZ_SECONDS)

# The hour-long soak (docs/soak.md): mixed load, SIGKILL and restart every few minutes, then
# every acknowledged write read back, the ledger verified, memory and file handles judged flat.
# Not part of `make test` (ctest soak_short runs five minutes of it). Report in BUILD_DIR.
soak: build
	YIWANG_SOAK_SECONDS=$(SOAK_SECONDS) YIWANG_SOURCE_DIR=$(CURDIR) \
	  YIWANG_LEDGERVERIFY=$(abspath $(BUILD_DIR))/ledgerverify \
	  node tests/soak/soak.mjs --binary $(abspath $(BUILD_DIR))/yiwang \
	    --report $(abspath $(BUILD_DIR))/soak-report.json

bench: build
	bench/run.sh

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')

clean:
	rm -rf $(BUILD_DIR) build-fuzz
