# The front door: `make run` and `make test` on a fresh Debian 12, as root.
# `make fuzz` builds the fuzz targets; `make fuzz SECONDS=N` also runs each for N seconds.
BUILD := build
ASAN := build-asan
FUZZ := build-fuzz

.PHONY: all deps build asan fuzz run test bench audit format clean install deb

# make install [PREFIX=/usr/local] [DESTDIR=]: see packaging/install.sh.
PREFIX ?= /usr/local
DESTDIR ?=

all: build

deps:
	@scripts/deps.sh

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --buildtype=release >/dev/null
	@ninja -C $(BUILD) >/dev/null

asan: deps
	@[ -f $(ASAN)/build.ninja ] || meson setup $(ASAN) --buildtype=debugoptimized \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all >/dev/null
	@ninja -C $(ASAN) >/dev/null

fuzz: deps
	@[ -f $(FUZZ)/build.ninja ] || CC=clang meson setup $(FUZZ) --buildtype=debugoptimized \
		-Dfuzz=true -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link >/dev/null
	@ninja -C $(FUZZ) >/dev/null
	@[ -z "$(SECONDS)" ] || scripts/fuzz.sh "$(SECONDS)"

run: build
	@scripts/run.sh

test: deps
	@scripts/test.sh

install: build
	@PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' packaging/install.sh

deb: build
	@packaging/deb.sh

bench: deps
	@scripts/deps.sh --bench
	@bench/run.sh
	@bench/log-cost.sh
	@bench/log-scale.sh

audit: deps
	@scripts/audit.sh

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'fuzz/*.c' 'bench/*.c')

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ) tests/out
