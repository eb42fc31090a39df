# Front door. `make run` and `make test` are the two set-up commands in the README; both bootstrap first.
.PHONY: run test bench lint format fuzz-smoke bootstrap build-dev build-release clean lodestar deb bench-smoke

# The main job on a fresh machine: a mini-Ephemery devnet on the pinned Lodestar (see docs/devnet.md).
ARGS ?= devnet --lodestar $(CURDIR)/tools/lodestar/node_modules/.bin/lodestar
JOBS ?= $(shell nproc)

bootstrap:
	@./scripts/bootstrap

build-dev: bootstrap
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

build-release: bootstrap
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# Builds the optimised program, installs Lodestar and starts the main job, the devnet (override with ARGS="...").
run: build-release lodestar
	./build/release/src/cmd/ephemery $(ARGS)

# Lodestar v1.5.1 in tools/lodestar, patched, for the devnet and the integration tests (npm ci; skipped when current).
lodestar: bootstrap
	@./scripts/install-lodestar

# Every test, under AddressSanitizer and UndefinedBehaviorSanitizer, the Lodestar integration test included.
test: build-dev lodestar
	@ctest --preset dev

bench: build-release
	@./scripts/bench

# Every benchmark once at a tiny size with the same agreement checks against the peers (CI runs it).
bench-smoke: build-release
	@./scripts/bench --smoke

# A Debian package of the release build: build/release/ephemery_<version>_amd64.deb (docs/install.md).
deb: build-release
	@cd build/release && cpack -G DEB

lint: build-dev
	@./scripts/lint

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

fuzz-smoke: bootstrap
	@./scripts/fuzz-smoke

clean:
	rm -rf build
