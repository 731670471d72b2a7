#!/bin/bash
# make test: builds release, sanitizer and fuzz builds, then runs every suite and prints
# one summary line "N passed, N failed". Exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
out=tests/out
rm -rf "$out"
mkdir -p "$out"
passed=0
failed=0
failures=()

tally() { # name, passed, failed
	passed=$((passed + $2))
	failed=$((failed + $3))
	if [ "$3" -ne 0 ]; then failures+=("$1"); fi
	printf '%-28s %4d passed, %d failed\n' "$1" "$2" "$3"
}

step() { # name, command...: a step that must succeed (a build)
	local name=$1
	shift
	if "$@" >"$out/$name.log" 2>&1; then
		tally "$name" 1 0
	else
		tally "$name" 0 1
		tail -40 "$out/$name.log"
	fi
}

step build-release make --no-print-directory build
step build-asan make --no-print-directory asan
step build-fuzz make --no-print-directory fuzz

# Formatting is part of the build: clang-format with the project's .clang-format.
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'fuzz/*.c' 'bench/*.c')
step clang-format clang-format --dry-run --Werror $files

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Unit tests (cmocka, TAP output), under ASan and UBSan.
for t in build-asan/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=unit/$(basename "$t")
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$out/$(basename "$t").tap" 2>&1
	rc=$?
	ok=$(grep -c '^ok ' "$out/$(basename "$t").tap")
	bad=$(grep -c '^not ok ' "$out/$(basename "$t").tap")
	if [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
	tally "$name" "$ok" "$bad"
	[ "$bad" -ne 0 ] && grep -v '^ok ' "$out/$(basename "$t").tap" | tail -30
done

junit() { # a pytest junit xml file: "passed failed", skipped counted as failed
	/usr/bin/python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    r = ET.parse(sys.argv[1]).getroot()
    s = r if r.tag == "testsuite" else r.find("testsuite")
    t, f, e, sk = (int(s.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
    print(t - f - e - sk, f + e + sk)
except Exception:
    print(0, 1)
PY
}

# API tests: a real pocd (the ASan build) on loopback ports, driven over HTTP; the release
# build too where the sanitizers change what is tested (the seccomp filter).
POCD_BIN=$PWD/build-asan/pocd POC_BIN=$PWD/build-asan/poc POCD_RELEASE_BIN=$PWD/build/pocd \
	/usr/bin/python3 -m pytest -q -p no:cacheprovider --junitxml="$out/api.xml" tests/api \
	>"$out/api.log" 2>&1
read -r api_ok api_bad < <(junit "$out/api.xml")
tally api "$api_ok" "$api_bad"
[ "$api_bad" -ne 0 ] && tail -60 "$out/api.log"

# Web tests: the interface's files, and headless Chromium on the ASan pocd (screenshots of
# the main pages in tests/out/web/).
POCD_BIN=$PWD/build-asan/pocd WEB_TEST_OUT=$PWD/$out/web /usr/bin/python3 -m pytest -q \
	-p no:cacheprovider --junitxml="$out/web.xml" tests/web >"$out/web.log" 2>&1
read -r web_ok web_bad < <(junit "$out/web.xml")
tally web "$web_ok" "$web_bad"
[ "$web_bad" -ne 0 ] && tail -60 "$out/web.log"

# The web interface's main scenarios driven by playwright-core (pinned in
# tests/browser/package-lock.json) in Debian's Chromium; screenshots in tests/out/browser/.
if [ ! -d tests/browser/node_modules/playwright-core ]; then
	npm ci --prefix tests/browser --no-audit --no-fund >"$out/npm.log" 2>&1 || tail -20 "$out/npm.log"
fi
POCD_BIN=$PWD/build-asan/pocd BROWSER_OUT=$PWD/$out/browser node tests/browser/scenarios.mjs \
	>"$out/browser.tap" 2>&1
rc=$?
ok=$(grep -c '^ok ' "$out/browser.tap")
bad=$(grep -c '^not ok ' "$out/browser.tap")
if [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
tally browser "$ok" "$bad"
[ "$bad" -ne 0 ] && grep -v '^ok ' "$out/browser.tap" | tail -40

# Deployment: make install, the man pages, the unit, make deb, and the package installed with
# dpkg in a private mount namespace (tests/deploy/test_deploy.sh, TAP output).
tests/deploy/test_deploy.sh >"$out/deploy.tap" 2>&1
rc=$?
ok=$(grep -c '^ok ' "$out/deploy.tap")
bad=$(grep -c '^not ok ' "$out/deploy.tap")
if [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
tally deploy "$ok" "$bad"
[ "$bad" -ne 0 ] && grep -v '^ok ' "$out/deploy.tap" | tail -40

# Fuzz corpus replay: every saved input of every target runs once, under ASan and UBSan.
for f in build-fuzz/fuzz_*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	target=${f#build-fuzz/fuzz_}
	if "$f" -runs=0 "fuzz/corpus/$target" >"$out/fuzz_$target.log" 2>&1; then
		tally "fuzz/$target" 1 0
	else
		tally "fuzz/$target" 0 1
		tail -30 "$out/fuzz_$target.log"
	fi
done

echo
[ ${#failures[@]} -ne 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
