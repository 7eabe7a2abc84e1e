# The two commands: `make demo` and `make test`. Both install what is missing first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
DEMO_DB ?= var/demo.db
PORT ?= 8080
FUZZ_SECONDS ?= 600

.PHONY: all deps build demo test fuzz bench clean format

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

bench: build
	bench/run.sh

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')

clean:
	rm -rf $(BUILD_DIR) build-fuzz
