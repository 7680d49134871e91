# The two commands a newcomer needs: `make run` and `make test`.
# Everything else here is what those two are made of.

BUILD_DIR  ?= build
ASAN_DIR   ?= build-asan
FUZZ_DIR   ?= build-fuzz
# How long each fuzz target runs: in `make test`, and in `make fuzz`.
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_SECONDS ?= 60
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= 2
LISTEN     ?= 127.0.0.1:8080
DATA_DIR   ?= ./data

# ccache (when present) keys on paths relative to the checkout, so every
# clone of the repository shares one cache; precompiled headers need the
# sloppiness below to be cached at all.
export CCACHE_BASEDIR    ?= $(CURDIR)
export CCACHE_NOHASHDIR  ?= 1
export CCACHE_SLOPPINESS ?= pch_defines,time_macros,include_file_mtime,include_file_ctime

CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DAGENTSUDO_WERROR=ON

.PHONY: all deps configure build build-server build-asan build-fuzz run test test-fast test-asan \
	test-fuzz fuzz bench bench-analytics format clean

all: build

deps:
	@scripts/install-deps

# The release build never has the crash points of the ASan build below.
configure: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) -DAGENTSUDO_FAULT_INJECTION=OFF >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Only what serving needs: the binary and the dashboard, not the tests,
# benchmarks and examples that `build` adds.
build-server: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target agentsudo-server dashboard

run: build-server
	$(BUILD_DIR)/bin/agentsudo-server serve --listen $(LISTEN) --data-dir $(DATA_DIR)

# The release build's tests, then the same tests under ASan+UBSan, then each
# fuzz target briefly; says how long it all took.
test:
	@started=$$(date +%s); \
	$(MAKE) --no-print-directory test-fast test-asan test-fuzz; status=$$?; \
	echo "make test: $$(( $$(date +%s) - started )) s"; exit $$status

test-fast: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_DIR) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Debug \
	  -DAGENTSUDO_SANITIZE=ON -DAGENTSUDO_FAULT_INJECTION=ON -DAGENTSUDO_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)

test-asan: build-asan
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS)

# The libFuzzer targets of tests/fuzz, built with clang in their own build
# directory from only the sources they fuzz (see tests/fuzz/README.md).
build-fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Debug \
	  -DAGENTSUDO_FUZZ=ON -DAGENTSUDO_FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzzers

# Every target over its committed corpus, then FUZZ_SMOKE_SECONDS of new inputs.
test-fuzz: build-fuzz
	@ctest --test-dir $(FUZZ_DIR) --output-on-failure

# Every target for FUZZ_SECONDS, one after the other; prints the executions.
fuzz: build-fuzz
	@tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# The server over HTTP against an nginx ceiling (ingest, batches, /v1/check,
# and /v1/check at a fixed rate with bench/load/open_loop.cpp), then the SDK's
# calling-thread costs (Google Benchmark; medians of 5 runs), the SDK's
# delivery under load against the real server (issue 11's table), policy
# propagation, approvals (round trip, and a server holding 10,000 of them),
# then analytics and the agent preview at 10 M events, then the audit chain
# (commit-writer CPU per event with it on and off; verify speed), then
# ingestion on PostgreSQL (one node, two behind nginx) beside SQLite with
# PostgreSQL's own insert ceiling, analytics at 10 M events on PostgreSQL,
# and ingestion while retention removes a month of events (both stores).
bench: build
	@bench/run.sh $(BUILD_DIR)
	@$(BUILD_DIR)/bin/agentsudo_sdk_bench --benchmark_repetitions=5 \
	  --benchmark_report_aggregates_only=true
	@bench/sdk_delivery.sh $(BUILD_DIR)
	@bench/policy_propagation.sh $(BUILD_DIR)
	@bench/approvals.sh $(BUILD_DIR)
	@bench/analytics.sh $(BUILD_DIR)
	@bench/audit_chain.sh $(BUILD_DIR)
	@bench/postgres_http.py $(BUILD_DIR)
	@BENCH_ANALYTICS_STORE=postgres bench/analytics.sh $(BUILD_DIR)
	@bench/retention.py $(BUILD_DIR)

bench-analytics: build
	@bench/analytics.sh $(BUILD_DIR)

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
