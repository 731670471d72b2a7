#!/bin/bash
# The transparency log at scale (issue 5's targets): a fresh test database's log filled with
# LOG_LEAVES leaves by bench/log_scale.c through pocd's own write path, inclusion and consistency
# proofs timed on it (target: under 1 ms each), then `pocd log verify` over the whole log and its
# checkpoints, timed wall clock (target: under 10 s). Prints a markdown table and appends it,
# with the date, machine and commit, to bench/results/log-scale.md.
#
# Beside wall times it gives CPU times (the proving thread's, verify's user + system): on a
# shared machine a proof that loses its core for a scheduler tick (4 ms) misses in wall time
# only, and the CPU time tells the two apart.
#
# Knobs (environment): LOG_LEAVES (default 1000000, even), LOG_DIR (where the database goes,
# default a new directory under /tmp; it is removed afterwards).
#
# Fails on any error (a failed proof check, a verify that finds problems); a missed target is
# reported as such, not a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

LEAVES=${LOG_LEAVES:-1000000}
RESULTS=bench/results/log-scale.md

die() {
	echo "log-scale: FAILED: $*" >&2
	exit 1
}
log() { echo "log-scale: $*" >&2; }
# set -e stops quietly: say where.
trap 'echo "log-scale: FAILED at line $LINENO" >&2' ERR

log "building log_scale and pocd"
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build log_scale pocd >/dev/null || die "building build/log_scale and build/pocd"
buildtype=$(meson introspect --buildoptions build |
	python3 -c 'import json, sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "buildtype"][0])')
[ "$buildtype" = release ] || log "warning: build/ is a $buildtype build, not release"

tmp=$(mktemp -d "${LOG_DIR:-/tmp}/pocd-log-scale.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
db=$tmp/pocd.db

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "filling a log of $LEAVES leaves and timing proofs"
out=$(build/log_scale "$db" "$LEAVES") || die "build/log_scale $db $LEAVES"
line=$(grep '^LOG_SCALE ' <<<"$out") || die "no summary from build/log_scale: $out"
# field NAME: a value of the line; those after a bare word (inclusion_us) are WORD.NAME.
field() {
	awk -v want="$1" '{
		for (i = 2; i <= NF; i++) {
			if (index($i, "=") == 0) { group = $i "."; continue }
			split($i, kv, "=")
			if (group kv[1] == want) print kv[2]
		}
	}' <<<"$line"
}
fill_rate=$(field fill_per_s)
fill_s=$(field fill_s)
events=$(field events)
inc_p50=$(field inclusion_us.p50)
inc_p99=$(field inclusion_us.p99)
inc_max=$(field inclusion_us.max)
con_p50=$(field consistency_us.p50)
con_p99=$(field consistency_us.p99)
con_max=$(field consistency_us.max)
inc_cpu_p99=$(field inclusion_cpu_us.p99)
inc_cpu_max=$(field inclusion_cpu_us.max)
con_cpu_p99=$(field consistency_cpu_us.p99)
con_cpu_max=$(field consistency_cpu_us.max)
if [ -z "$fill_rate" ] || [ -z "$inc_max" ] || [ -z "$con_cpu_max" ]; then
	die "cannot read: $line"
fi

log "pocd log verify"
verify_out=$tmp/verify.out
rc=0
/usr/bin/time -f '%e %U %S' -o "$tmp/verify.time" build/pocd log verify --db "$db" \
	>"$verify_out" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	head -20 "$verify_out" >&2
	die "pocd log verify exited with $rc"
fi
read -r verify_s verify_user verify_sys <"$tmp/verify.time"
verify_cpu=$(awk -v u="$verify_user" -v s="$verify_sys" 'BEGIN { printf "%.2f", u + s }')
files=("$db")
[ ! -f "$db-wal" ] || files+=("$db-wal")
db_mb=$(stat -c %s "${files[@]}" | awk '{ s += $1 } END { printf "%.1f", s / 1048576 }')
checkpoints=$(python3 -c '
import sqlite3, sys
print(sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True).execute(
    "SELECT count(*) FROM log_checkpoints").fetchone()[0])' "$db")

# target VALUE LIMIT: whether VALUE is under LIMIT.
target() { awk -v v="$1" -v l="$2" 'BEGIN { print (v < l) ? "target met" : "target missed" }'; }
inc_target=$(target "$inc_max" 1000)
con_target=$(target "$con_max" 1000)
ver_target=$(target "$verify_s" 10)
inc_cpu_target=$(target "$inc_cpu_max" 1000)
con_cpu_target=$(target "$con_cpu_max" 1000)
ver_cpu_target=$(target "$verify_cpu" 10)

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
report=$tmp/report.md
{
	echo "## Log at scale: $LEAVES leaves"
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr); load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
	echo "- commit: $commit; build/ is a $buildtype build"
	echo "- log: $events communication.sent events FRA to DEU (2 leaves each) through record_event, 1000 events per commit, in ${fill_s} s; $checkpoints checkpoints stored; database $db_mb MB on $(df -PT "$tmp" | awk 'NR == 2 { print $2 }')"
	echo "- proofs: 1000 of each on one reader connection, random leaves (inclusion) and random earlier sizes (consistency) against the full size, each checked against the roots; times exclude the check"
	echo
	echo "| measure | value | target |"
	echo "|---|---:|---|"
	echo "| fill rate | $fill_rate leaves/s | |"
	echo "| inclusion proof p50 / p99 / max, wall | $inc_p50 / $inc_p99 / $inc_max µs | < 1 ms: $inc_target |"
	echo "| inclusion proof p99 / max, CPU | $inc_cpu_p99 / $inc_cpu_max µs | < 1 ms: $inc_cpu_target |"
	echo "| consistency proof p50 / p99 / max, wall | $con_p50 / $con_p99 / $con_max µs | < 1 ms: $con_target |"
	echo "| consistency proof p99 / max, CPU | $con_cpu_p99 / $con_cpu_max µs | < 1 ms: $con_cpu_target |"
	echo "| \`pocd log verify\`, wall | $verify_s s | < 10 s: $ver_target |"
	echo "| \`pocd log verify\`, CPU (user $verify_user s + system $verify_sys s) | $verify_cpu s | < 10 s: $ver_cpu_target |"
	echo "| database size | $db_mb MB | |"
	echo
} >"$report"
mkdir -p bench/results
cat "$report" >>"$RESULTS"
cat "$report"
