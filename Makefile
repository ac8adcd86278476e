# The two commands: `make demo` (the main job) and `make test` (everything).
SHELL := /bin/bash
SWIFT ?= swift

.PHONY: demo test setup requirements build embedded unit release boards boards-test mcu mcu-demo mcu-test bench clean fuzz fuzz-replay

demo: setup
	$(SWIFT) build --product hostsim
	$$($(SWIFT) build --show-bin-path)/hostsim demo

test: setup requirements embedded unit release boards-test mcu-test fuzz-replay

# Checks each path and program in scripts/requirements.txt and installs what is missing,
# before anything is compiled.
setup:
	@./scripts/setup.sh

# Fails when the scripts, boards or tests use a path or program requirements.txt does not list.
requirements: setup
	./scripts/check-requirements.sh

build: setup
	$(SWIFT) build

# The no-allocation proof: the core as Embedded Swift, -no-allocations, for x86_64, aarch64
# and armv7; embedded-probe.sh proves that an allocating line fails that build.
embedded: setup
	./scripts/embedded-build.sh
	./scripts/embedded-probe.sh

unit: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel

# The optimizer sees code the debug build does not (cross-module inlining); `make bench`
# runs this build, so `make test` proves it compiles.
release: setup
	$(SWIFT) build -c release --product hostsim --scratch-path .build-release

# The core as libtlscore.a + tls-device for each boards/<board> (ARM Linux), with a size
# table; boards-test runs them under qemu against openssl s_server.
boards: setup
	./scripts/build-boards.sh

boards-test: boards
	./scripts/test-boards.sh

# The bare-metal Cortex-M4 board (boards/cortex-m4-mps2, QEMU mps2-an386): Mbed TLS from
# Debian's source package, the core as Embedded Swift for armv7em, the firmware, and its flash
# and RAM split (README "A microcontroller board"). mcu-demo runs it through hostsim gateway
# to openssl s_server; mcu-test runs TLS 1.3, TLS 1.2 and a wrong anchor as a test.
mcu: setup
	./scripts/build-mcu.sh

mcu-demo: setup
	./scripts/mcu-demo.sh

mcu-test: mcu
	./scripts/test-mcu.sh

# The core beside Mbed TLS's own TLS client, and the core's hot paths (BENCHMARKS.md). Not
# part of `make test`; several minutes (callgrind). Report: .build-bench/bench-report.md.
bench: setup
	python3 Benchmarks/bench.py --out .build-bench/bench-report.md
	@mkdir -p .build-bench
	gcc -O2 -Wall Benchmarks/worst-case/verify_cost.c -o .build-bench/verify-cost -lmbedcrypto
	arm-linux-gnueabihf-gcc -O2 -Wall -static Benchmarks/worst-case/verify_cost.c -o .build-bench/verify-cost-armv7 \
		-L/usr/lib/arm-linux-gnueabihf -lmbedcrypto
	@echo "verification costs, x86_64 host:" && .build-bench/verify-cost 50
	@echo "verification costs, armv7 under qemu-arm:" && qemu-arm -L /usr/arm-linux-gnueabihf .build-bench/verify-cost-armv7 10

# Every fuzz target in Fuzz/Targets for FUZZ_SECONDS each: executions, coverage (edges) and
# crashes per target; a crash leaves its input in Fuzz/crashes/TARGET and fails (README "Fuzzing").
FUZZ_SECONDS ?= 60
fuzz: setup
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/fuzz.sh

# Part of `make test`: the committed fuzz seeds and saved crash inputs through the same
# entry functions, without the fuzzer (seconds).
fuzz-replay: setup
	./scripts/fuzz-replay.sh

clean:
	rm -rf .build .build-embedded .build-boards .build-release .build-mcu
