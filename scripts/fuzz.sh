#!/bin/bash
# make fuzz SECONDS=N: runs every libFuzzer target of build-fuzz/ for N seconds, one after the
# other, seeded from fuzz/corpus/<target>/ (and its dictionary fuzz/<target>.dict), writing new
# inputs to a scratch corpus build-fuzz/corpus/<target>/ kept between runs, and crash inputs to
# build-fuzz/findings/<target>/. Prints one line per target: runs, coverage, findings. Exits
# non-zero when any target found something. Keeping what a run found:
#   build-fuzz/fuzz_NAME -merge=1 fuzz/corpus/NAME build-fuzz/corpus/NAME
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:?usage: scripts/fuzz.sh SECONDS}
case $secs in '' | *[!0-9]*) echo "fuzz: SECONDS must be a whole number" >&2; exit 2 ;; esac
bad=0
for bin in build-fuzz/fuzz_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	name=${bin#build-fuzz/fuzz_}
	scratch=build-fuzz/corpus/$name
	found=build-fuzz/findings/$name
	log=build-fuzz/findings/$name.log
	rm -rf "$found"
	mkdir -p "$scratch" "$found"
	args=(-max_total_time="$secs" -timeout=25 -print_final_stats=1 -artifact_prefix="$found/")
	[ -f "fuzz/$name.dict" ] && args+=(-dict="fuzz/$name.dict")
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$bin" "${args[@]}" "$scratch" "fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	n=$(find "$found" -type f | wc -l)
	printf 'fuzz_%-14s %9s runs in %ss, coverage %s, %d finding(s)\n' "$name" "${runs:-?}" \
		"$secs" "${cov:-?}" "$n"
	if [ "$rc" -ne 0 ] || [ "$n" -ne 0 ]; then
		bad=1
		grep -m1 -A12 'ERROR: \|runtime error' "$log" | sed 's/^/    /'
		echo "    log: $log; inputs: $found/"
	fi
done
exit "$bad"
