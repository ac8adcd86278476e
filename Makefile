# The two commands: `make demo` (the main job) and `make test` (everything).
SHELL := /bin/bash
SWIFT ?= swift

.PHONY: demo test setup build embedded unit clean

demo: setup
	$(SWIFT) build --product hostsim
	$$($(SWIFT) build --show-bin-path)/hostsim selfcheck

test: setup embedded unit

setup:
	@./scripts/setup.sh

build: setup
	$(SWIFT) build

# The no-allocation proof (DESIGN.md promise 1): the core as Embedded Swift, -no-allocations,
# for x86_64, aarch64 and armv7.
embedded: setup
	./scripts/embedded-build.sh
	./scripts/embedded-probe.sh

unit: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel

clean:
	rm -rf .build .build-embedded
