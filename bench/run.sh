#!/bin/bash
# make bench: pocd's read endpoints under wrk, each beside nginx serving the same bytes as a
# static file in the same run, at 1, 16 and 64 connections. Prints a markdown table and writes
# it, with the date, machine and commit, to bench/results/latest.md. Optionally records
# callgrind's instruction count for one per-state lookup.
#
# Knobs (environment): BENCH_SECONDS (wrk duration per run, default 4), BENCH_ROUNDS (runs of
# each server per cell, alternating, best kept; default 2), BENCH_CONNECTIONS
# (default "1 16 64"), BENCH_THREADS (pocd worker threads, default nproc), BENCH_CALLGRIND
# (1 = record instructions per lookup, default 1; 0 skips), NGINX (default /usr/sbin/nginx).
#
# Both servers and wrk share this machine's cores: the numbers compare pocd with nginx under the
# same conditions, they are not absolute capacities.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_SECONDS:-4}
ROUNDS=${BENCH_ROUNDS:-2}
CONNS=${BENCH_CONNECTIONS:-"1 16 64"}
THREADS=${BENCH_THREADS:-$(nproc)}
CALLGRIND=${BENCH_CALLGRIND:-1}
NGINX=${NGINX:-/usr/sbin/nginx}
PY=/usr/bin/python3
LUA=$PWD/bench/wrk-report.lua
RESULTS=bench/results/latest.md

die() {
	echo "bench: FAILED: $*" >&2
	exit 1
}
log() { echo "bench: $*" >&2; }

for t in wrk curl "$NGINX" "$PY"; do
	command -v "$t" >/dev/null || die "$t is missing (make bench installs wrk, nginx-light, valgrind)"
done

# Only the daemon: the bench needs nothing else, so work in progress elsewhere cannot stop it.
log "building the optimized pocd"
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build pocd >/dev/null || die "building build/pocd"
buildtype=$(meson introspect --buildoptions build |
	"$PY" -c 'import json, sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "buildtype"][0])')
[ "$buildtype" = release ] || log "warning: build/ is a $buildtype build, not release"
POCD=$PWD/build/pocd
[ -x "$POCD" ] || die "build/pocd was not built"

tmp=$(mktemp -d /tmp/pocd-bench.XXXXXX)
pids=()

cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# stop PID: SIGTERM, wait for it, and forget it.
stop() {
	local p=$1 q keep=()
	kill -TERM "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	for q in "${pids[@]}"; do [ "$q" = "$p" ] || keep+=("$q"); done
	pids=("${keep[@]+"${keep[@]}"}")
}

free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http PID URL TRIES LOG: polls every 10 ms until URL answers at all (any status).
wait_http() {
	local pid=$1 url=$2 tries=$3 logf=$4 i
	for ((i = 0; i < tries; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			cat "$logf" >&2 || true
			die "the server for $url exited at start-up"
		fi
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)" != 000 ] && return 0
		sleep 0.01
	done
	cat "$logf" >&2 || true
	die "nothing answered on $url"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Other work on the machine skews everything, and on a VM an idle machine is no better: at one
# connection a request waits for an idle vCPU to wake. Record the load so runs can be compared.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${load_before%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
	log "warning: load average $load_before on $(nproc) cores: other work will skew the numbers"
fi

# --- 1. a fresh demo database, pocd on a free loopback port, a fra-admin session -------------
db=$tmp/pocd.db
"$POCD" init --db "$db" --demo --test >"$tmp/init.log" 2>&1 || {
	cat "$tmp/init.log" >&2
	die "pocd init"
}
scale=$(grep -o '[0-9]* participating states, [0-9]* PoCs' "$tmp/init.log" || echo "demo")

pocd_port=$(free_port)
pocd_url=http://127.0.0.1:$pocd_port
t0=$(now_ms)
"$POCD" serve --db "$db" --listen "127.0.0.1:$pocd_port" --quiet --threads "$THREADS" \
	>"$tmp/pocd.log" 2>&1 &
pocd_pid=$!
pids+=("$pocd_pid")
wait_http "$pocd_pid" "$pocd_url/api/v1/" 1000 "$tmp/pocd.log"
startup_ms=$(($(now_ms) - t0))

read -r user pass < <("$PY" -c '
import json, sys
a = json.load(open(sys.argv[1]))["states"]["FRA"]["admin"]
print(a["username"], a["password"])' "$db.credentials.json")
login=$("$PY" -c 'import json, sys; print(json.dumps({"username": sys.argv[1], "password": sys.argv[2]}))' \
	"$user" "$pass")
token=$(curl -sf -X POST -H 'Content-Type: application/json' --data-binary "$login" \
	"$pocd_url/api/v1/login" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["token"])') ||
	die "login as $user"
auth="Authorization: Bearer $token"

# --- 2. the exact response bytes as static files, served by nginx ----------------------------
# name|pocd path|static file
endpoints=(
	"per-state lookup (FRA)|/api/v1/states/FRA/pocs|fra-pocs.json"
	"directory export, JSON|/api/v1/directory|directory.json"
	"directory export, vCard|/api/v1/directory?format=vcard|directory.vcf"
)
www=$tmp/www
mkdir -p "$www" "$tmp/nginx"
for e in "${endpoints[@]}"; do
	IFS='|' read -r _ path file <<<"$e"
	code=$(curl -s -o "$www/$file" -w '%{http_code}' -H "$auth" "$pocd_url$path")
	[ "$code" = 200 ] || die "GET $path answered $code"
done

nginx_port=$(free_port)
nginx_url=http://127.0.0.1:$nginx_port
{
	# As root, nginx's workers would switch to nobody, who cannot read the temp dir.
	[ "$(id -u)" -eq 0 ] && echo "user $(id -un) $(id -gn);"
	cat <<EOF
worker_processes auto;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000; # like pocd: a wrk connection stays open for the whole run
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	types { application/json json; text/vcard vcf; }
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$nginx_port;
		root $www;
	}
}
EOF
} >"$tmp/nginx/nginx.conf"
"$NGINX" -p "$tmp/nginx/" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" \
	>"$tmp/nginx/stdout.log" 2>&1 &
nginx_pid=$!
pids+=("$nginx_pid")
wait_http "$nginx_pid" "$nginx_url/" 1000 "$tmp/nginx/error.log"
for e in "${endpoints[@]}"; do
	IFS='|' read -r _ _ file <<<"$e"
	curl -sf -o "$tmp/check" "$nginx_url/$file" || die "nginx does not serve /$file"
	cmp -s "$tmp/check" "$www/$file" || die "nginx serves other bytes for /$file"
done

# --- 3. wrk against both ----------------------------------------------------------------------
# run_wrk CONNS URL SIZE [wrk args...]: sets rps p50 p99 (microseconds); dies on any error
# response, socket error, or responses whose size does not fit the expected body.
run_wrk() {
	local c=$1 url=$2 size=$3 t=2 out=$tmp/wrk.out line req dur bytes errs per
	shift 3
	[ "$c" -lt 2 ] && t=1 # wrk needs at least one connection per thread
	if ! wrk -t"$t" -c"$c" -d"${DURATION}s" --latency -s "$LUA" "$@" "$url" >"$out" 2>&1; then
		cat "$out" >&2
		die "wrk $url"
	fi
	line=$(grep '^BENCH ' "$out") || {
		cat "$out" >&2
		die "no summary from wrk for $url"
	}
	field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
	req=$(field requests)
	dur=$(field duration_us)
	bytes=$(field bytes)
	errs=$(($(field connect) + $(field read) + $(field write) + $(field timeout)))
	if [ "$(field status)" -ne 0 ] || grep -q 'Non-2xx' "$out"; then
		cat "$out" >&2
		die "$url: $(field status) responses were not 2xx/3xx"
	fi
	if [ "$errs" -ne 0 ]; then
		cat "$out" >&2
		die "$url: $errs socket errors"
	fi
	[ "$req" -gt 0 ] || die "$url: no request completed"
	# Every response must be the full body plus headers: this catches 304s and short answers.
	per=$((bytes / req))
	if [ "$per" -lt "$size" ] || [ "$per" -gt $((size + 4096)) ]; then
		cat "$out" >&2
		die "$url: $per bytes per response, expected $size plus headers"
	fi
	rps=$(awk -v r="$req" -v d="$dur" 'BEGIN { printf "%.0f", r * 1e6 / d }')
	p50=$(field p50_us)
	p99=$(field p99_us)
}

fmt_us() { awk -v u="$1" 'BEGIN { if (u < 1000) printf "%d µs", u; else printf "%.2f ms", u / 1000 }'; }

rows=()
for e in "${endpoints[@]}"; do
	IFS='|' read -r name path file <<<"$e"
	size=$(stat -c %s "$www/$file")
	for c in $CONNS; do
		# Rounds alternate pocd and nginx so that a burst of other work hits both; each keeps
		# its best round (and that round's latencies).
		p_rps=0 n_rps=0
		for ((r = 1; r <= ROUNDS; r++)); do
			log "$name, $c connection(s), round $r/$ROUNDS: pocd, nginx"
			run_wrk "$c" "$pocd_url$path" "$size" -H "$auth"
			if [ "$rps" -gt "$p_rps" ]; then p_rps=$rps p_p50=$p50 p_p99=$p99; fi
			run_wrk "$c" "$nginx_url/$file" "$size"
			if [ "$rps" -gt "$n_rps" ]; then n_rps=$rps n_p50=$p50 n_p99=$p99; fi
		done
		ratio=$(awk -v a="$p_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }')
		rows+=("| $name | $c | $p_rps | $n_rps | $ratio | $(fmt_us "$p_p50") | $(fmt_us "$p_p99") | $(fmt_us "$n_p50") | $(fmt_us "$n_p99") |")
	done
done

# pocd must still give the same bytes after the load.
for e in "${endpoints[@]}"; do
	IFS='|' read -r _ path file <<<"$e"
	code=$(curl -s -o "$tmp/check" -w '%{http_code}' -H "$auth" "$pocd_url$path")
	[ "$code" = 200 ] || die "after the load, GET $path answered $code"
	cmp -s "$tmp/check" "$www/$file" || die "after the load, GET $path gave other bytes"
done
rss=$(awk '/^VmHWM:/ { printf "%.1f MB", $2 / 1024 }' "/proc/$pocd_pid/status" 2>/dev/null || true)
stop "$nginx_pid"
stop "$pocd_pid"

# --- callgrind: instructions for one per-state lookup ------------------------------------------
# Two runs of pocd under callgrind with one worker thread: warm-up and N lookups over one
# keep-alive connection, N = 0 and N = 100; the difference of the totals over 100 is the cost of
# a lookup (start-up, shutdown and the warm-up cancel out).
cg_total() { # N: sets ir to the total instruction count of a run with N lookups
	local n=$1 port pid out=$tmp/callgrind.$1.out args=() codes i
	port=$(free_port)
	valgrind --tool=callgrind --callgrind-out-file="$out" "$POCD" serve --db "$db" \
		--listen "127.0.0.1:$port" --quiet --threads 1 >"$tmp/callgrind.$n.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_http "$pid" "http://127.0.0.1:$port/api/v1/" 6000 "$tmp/callgrind.$n.log"
	codes=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "http://127.0.0.1:$port/api/v1/states/FRA/pocs")
	for ((i = 0; i < n; i++)); do args+=(-o /dev/null "http://127.0.0.1:$port/api/v1/states/FRA/pocs"); done
	if [ "$n" -gt 0 ]; then
		codes="$codes $(curl -s -w '%{http_code} ' -H "$auth" "${args[@]}")"
	fi
	stop "$pid"
	[ "$(tr ' ' '\n' <<<"$codes" | grep -c '^200$')" -eq $((n + 1)) ] ||
		die "callgrind run: lookups did not all answer 200"
	ir=$(sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$out" | head -1)
	[ -n "$ir" ] || die "callgrind wrote no totals"
	# memset on its own: valgrind counts each byte of a `rep stosb` as an instruction, so
	# clearing buffers weighs far more in the count than in time.
	irm=$(callgrind_annotate "$out" 2>/dev/null |
		awk '/memset/ { gsub(",", "", $1); s += $1 } END { print s + 0 }')
}
cg_line="not measured (BENCH_CALLGRIND=0 or valgrind missing)"
if [ "$CALLGRIND" = 1 ] && command -v valgrind >/dev/null; then
	log "callgrind: instructions per lookup"
	cg_total 0
	ir0=$ir irm0=$irm
	cg_total 100
	ir100=$ir irm100=$irm
	cg_per=$(((ir100 - ir0) / 100))
	cg_memset=$(((irm100 - irm0) / 100))
	cg_line="$cg_per instructions per \`GET /api/v1/states/FRA/pocs\`, of which $cg_memset in memset (callgrind, --threads 1, keep-alive; totals $ir0 for 0 and $ir100 for 100 lookups)"
fi

# --- 4. the table ------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
nginx_version=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')
{
	echo "# pocd benchmark"
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr); load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
	echo "- commit: $commit"
	echo "- data: fresh demo database ($scale); requests as fra-admin with a Bearer token"
	echo "- pocd: --threads $THREADS --quiet; start-up to first answer ${startup_ms} ms; peak RSS ${rss:-unknown}"
	echo "- limit: $nginx_version, same bytes as static files (worker_processes auto, sendfile, access_log off)"
	echo "- load: wrk on the same machine, 2 threads (1 at 1 connection); per cell, $ROUNDS rounds of ${DURATION} s alternating pocd and nginx, the best round of each shown"
	echo "- callgrind: $cg_line"
	echo
	echo "| endpoint | connections | pocd req/s | nginx req/s | pocd/nginx | pocd p50 | pocd p99 | nginx p50 | nginx p99 |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${rows[@]}"
} >"$tmp/latest.md"
mkdir -p bench/results
cp "$tmp/latest.md" "$RESULTS"
cat "$RESULTS"
