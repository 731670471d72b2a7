#!/bin/bash
# make bench: pocd's read endpoints under wrk, each beside nginx serving the same bytes as a
# static file in the same run, at 1, 16 and 64 connections: the per-state lookup, the directory
# export (JSON, vCard), the first page of an inbox and an inclusion proof. Prints a markdown
# table and writes it, with the date, machine and commit, to bench/results/latest.md. Records
# pocd's start-up time (serve to the first 200 on /healthz, median of several) and optionally
# callgrind's instruction count for one per-state lookup.
#
# The data: a fresh `pocd init --demo --test` database brought to BENCH_SCALE by
# bench/fill.c (build/bench_fill) through pocd's own write path: at scale S, 1,000 x S PoCs
# and 100,000 x S communications with their recipients, steps, replies, events and log leaves
# (a year of history; see bench/fill.c). Every server of the run starts on a copy of it.
#
# Then the write path: creating a communication (POST /api/v1/communications as fra-officer, one
# recipient) under wrk, beside bench/sqlite_insert.c, a C driver inserting the same rows into a
# copy of the same database (at scale) with pocd's durability (WAL, synchronous=FULL) and no HTTP:
# once with one commit per communication, once with BENCH_BATCH per commit (what group commit
# approaches). pocd's /metrics gives the communications per commit its writer achieved.
#
# Knobs (environment): BENCH_SECONDS (wrk duration per run, default 4), BENCH_ROUNDS (runs of
# each server per cell, alternating, best kept; default 2), BENCH_CONNECTIONS
# (default "1 16 64"), BENCH_THREADS (pocd worker threads, default nproc), BENCH_CALLGRIND
# (1 = record instructions per lookup, default 1; 0 skips), NGINX (default /usr/sbin/nginx),
# BENCH_SCALE (1, 10 or 100, default 1; 0 = the bare demo), BENCH_FILL_DIR (where the fill
# runs before the database is copied to the run's directory on disk: default /dev/shm when it
# has room, which spares the fill's fsyncs; the bench itself always runs on disk),
# BENCH_DB_CACHE (a directory keeping filled databases, reused by later runs at the same scale,
# schema and filler; default none), BENCH_STARTS (start-up runs, default 5),
# BENCH_WRITES (1 = measure creating communications, default 1; 0 skips),
# BENCH_WRITE_CONNECTIONS (default "1 16 64"), BENCH_BATCH (rows per commit of the batched raw
# SQLite run, default 64), POCD_BIN (bench this pocd binary instead of building build/pocd).
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
WRITES=${BENCH_WRITES:-1}
WCONNS=${BENCH_WRITE_CONNECTIONS:-"1 16 64"}
BATCH=${BENCH_BATCH:-64}
PY=/usr/bin/python3
LUA=$PWD/bench/wrk-report.lua
POST_LUA=$PWD/bench/post-comm.lua
RESULTS=bench/results/latest.md
SCALE=${BENCH_SCALE:-1}
STARTS=${BENCH_STARTS:-5}
case $SCALE in
0 | 1 | 10 | 100) ;;
*)
	echo "bench: BENCH_SCALE must be 0, 1, 10 or 100" >&2
	exit 2
	;;
esac

die() {
	local rc=0
	echo "bench: FAILED: $*" >&2
	# A server that died under load explains the failure better than the failure does.
	if [ -n "${pocd_live:-}" ] && ! kill -0 "$pocd_live" 2>/dev/null; then
		wait "$pocd_live" 2>/dev/null || rc=$?
		echo "bench: pocd (pid $pocd_live) is gone: exit status $rc$( ((rc > 128)) && echo " (signal $((rc - 128)))")" >&2
		tail -20 "$tmp/pocd.log" >&2 || true
	fi
	exit 1
}
log() { echo "bench: $*" >&2; }

for t in wrk curl cc "$NGINX" "$PY"; do
	command -v "$t" >/dev/null || die "$t is missing (make bench installs wrk, nginx-light, valgrind)"
done

# Only the daemon: the bench needs nothing else, so work in progress elsewhere cannot stop it.
if [ -n "${POCD_BIN:-}" ]; then
	# Another build (say, a candidate fix in a scratch tree): recorded as such in the results.
	POCD=$(realpath "$POCD_BIN")
	[ -x "$POCD" ] || die "POCD_BIN=$POCD_BIN is not an executable"
	log "using $POCD, not built from this tree"
	binary_line="$POCD (POCD_BIN), not built from this tree"
else
	log "building the optimized pocd"
	[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
	ninja -C build pocd bench_fill >/dev/null || die "building build/pocd and build/bench_fill"
	buildtype=$(meson introspect --buildoptions build |
		"$PY" -c 'import json, sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "buildtype"][0])')
	[ "$buildtype" = release ] || log "warning: build/ is a $buildtype build, not release"
	POCD=$PWD/build/pocd
	[ -x "$POCD" ] || die "build/pocd was not built"
	binary_line="build/pocd ($buildtype), built from this tree"
fi
if [ "$SCALE" != 0 ]; then
	# The filler is this tree's even when the server is not: it writes through the library.
	[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
	ninja -C build bench_fill >/dev/null || die "building build/bench_fill"
fi
# Rate limits would measure the limiter, not the endpoint.
serve_args=(--quiet --threads "$THREADS")
# (The usage text is read whole first: pocd may exit non-zero after it, which under pipefail
# would fail a pipe into grep.)
usage=$("$POCD" --help 2>&1 || true)
if grep -q -- '--rate-limit' <<<"$usage"; then
	serve_args+=(--rate-limit 0)
fi

tmp=$(mktemp -d /tmp/pocd-bench.XXXXXX)
pids=()
fill_work=

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
	[ -z "$fill_work" ] || rm -rf "$fill_work"
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

# --- 1. the database at scale, pocd on a free loopback port, a fra-admin session -------------
db=$tmp/pocd.db
# copy_db FROM TO: a database with its credentials and log key.
copy_db() {
	local e
	for e in "" -wal .credentials.json .logkey; do
		[ ! -f "$1$e" ] || cp "$1$e" "$2$e"
	done
}
# fill_db DB: brings a fresh demo database to SCALE where it fills fastest; sets fill_line.
fill_db() {
	local dir=${BENCH_FILL_DIR:-} need_kb=$((500000 * SCALE)) out line
	if [ -z "$dir" ]; then
		dir=$tmp
		if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -gt $((need_kb * 2)) ]; then
			dir=/dev/shm
		fi
	fi
	# A global, so that cleanup removes it when the run stops half-way (it may be in memory).
	fill_work=$(mktemp -d "$dir/pocd-bench-fill.XXXXXX")
	copy_db "$1" "$fill_work/fill.db"
	log "filling to scale ${SCALE}x in $dir (about a minute at 1x, ten at 10x; 100x takes hours)"
	out=$(build/bench_fill "$fill_work/fill.db" "$SCALE" 2>&1) || die "build/bench_fill: $out"
	line=$(grep '^FILL ' <<<"$out") || die "no summary from build/bench_fill: $out"
	rm -f "$1" "$1-wal" "$1-shm"
	copy_db "$fill_work/fill.db" "$1"
	rm -rf "$fill_work"
	fill_work=
	ffield() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$line"; }
	fill_line="$(ffield pocs) PoCs of $(ffield states) participating states (193 listed), $(ffield comms) communications to $(ffield recipients) recipients, $(ffield events) events, $(ffield leaves) log leaves; filled by build/bench_fill in $(ffield total_s) s in $dir (load average $(cut -d' ' -f1-3 /proc/loadavg) after)"
}
"$POCD" init --db "$db" --demo --test >"$tmp/init.log" 2>&1 || {
	cat "$tmp/init.log" >&2
	die "pocd init"
}
if [ "$SCALE" = 0 ]; then
	scale_line="fresh demo database ($(grep -o '[0-9]* participating states, [0-9]* PoCs' "$tmp/init.log" || echo "demo"))"
else
	cache=
	if [ -n "${BENCH_DB_CACHE:-}" ]; then
		# Reused only for the same scale, schema version and filler.
		mkdir -p "$BENCH_DB_CACHE"
		key=$("$PY" -c '
import sqlite3, sys
print(sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True).execute("PRAGMA user_version").fetchone()[0])' "$db")-$(sha256sum bench/fill.c | cut -c1-12)
		cache=$BENCH_DB_CACHE/scale$SCALE-$key.db
	fi
	if [ -n "$cache" ] && [ -f "$cache" ] && [ -f "$cache.line" ]; then
		log "using the filled database $cache"
		rm -f "$db" "$db-wal" "$db-shm"
		copy_db "$cache" "$db"
		fill_line="$(cat "$cache.line") (reused from $cache)"
	else
		fill_db "$db"
		if [ -n "$cache" ]; then
			copy_db "$db" "$cache"
			echo "$fill_line" >"$cache.line"
		fi
	fi
	scale_line="scale ${SCALE}x: $fill_line"
fi
# The raw SQLite driver's database: a copy of pocd's, so its schema and size are exactly pocd's.
rawdb=$tmp/raw.db
cp "$db" "$rawdb"
[ ! -f "$db-wal" ] || cp "$db-wal" "$rawdb-wal"
if [ "$WRITES" = 1 ]; then
	log "building bench/sqlite_insert.c"
	cc -O2 bench/sqlite_insert.c -lsqlite3 -o "$tmp/sqlite_insert" || die "building bench/sqlite_insert.c"
fi

pocd_port=$(free_port)
pocd_url=http://127.0.0.1:$pocd_port
t0=$(now_ms)
"$POCD" serve --db "$db" --listen "127.0.0.1:$pocd_port" "${serve_args[@]}" >"$tmp/pocd.log" 2>&1 &
pocd_pid=$!
pocd_live=$pocd_pid
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
# The inclusion proof is of a leaf a third of the way into the log, against its whole size: an
# old event's receipt, whose nodes come from the database rather than the newest-leaves cache.
log_size=$("$PY" -c '
import sqlite3, sys
print(sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True).execute(
    "SELECT count(*) FROM log_leaves").fetchone()[0])' "$db") || die "reading the log size"
[ "$log_size" -gt 0 ] || die "the log is empty"
# name|pocd path|static file
endpoints=(
	"per-state lookup (FRA)|/api/v1/states/FRA/pocs|fra-pocs.json"
	"directory export, JSON|/api/v1/directory|directory.json"
	"directory export, vCard|/api/v1/directory?format=vcard|directory.vcf"
	"inbox, first page (FRA)|/api/v1/communications?box=inbox|fra-inbox.json"
	"inclusion proof|/api/v1/log/proof/inclusion?index=$((log_size / 3))&size=$log_size|proof.json"
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
# response, socket error, or responses whose size does not fit the expected body. With
# WRK_SCRIPT=bench/post-comm.lua, also dies unless every answer was a 201.
run_wrk() {
	local c=$1 url=$2 size=$3 t=2 out=$tmp/wrk.out line req dur bytes errs per
	shift 3
	[ "$c" -lt 2 ] && t=1 # wrk needs at least one connection per thread
	if ! wrk -t"$t" -c"$c" -d"${DURATION}s" --latency -s "${WRK_SCRIPT:-$LUA}" "$@" "$url" \
		>"$out" 2>&1; then
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
	if [ -n "$(field created)" ]; then
		if [ "$(field not201)" -ne 0 ] || [ "$(field created)" -ne "$req" ]; then
			cat "$out" >&2
			die "$url: $(field created) of $req answers were 201, $(field not201) were not"
		fi
		created=$(field created)
	fi
	# Every response must be the full body plus headers: this catches 304s and short answers.
	# wrk also counts the bytes of the responses still arriving when it stops, up to one per
	# connection: with large bodies (the export at 10x) they weigh on the mean.
	per=$((bytes / req))
	if [ "$per" -lt "$size" ] || [ "$per" -gt $((size + 4096 + c * (size + 4096) / req)) ]; then
		cat "$out" >&2
		die "$url: $per bytes per response, expected $size plus headers"
	fi
	rps=$(awk -v r="$req" -v d="$dur" 'BEGIN { printf "%.0f", r * 1e6 / d }')
	p50=$(field p50_us)
	p99=$(field p99_us)
}

fmt_us() { awk -v u="$1" 'BEGIN { if (u < 1000) printf "%d µs", u; else printf "%.2f ms", u / 1000 }'; }
size_of() { awk -v b="$1" 'BEGIN { if (b < 10240) printf "%d B", b; else if (b < 10485760) printf "%.0f KiB", b / 1024; else printf "%.1f MiB", b / 1048576 }'; }
# The one-minute load average when a cell ends: other engineers' work shows in it.
load1() { cut -d' ' -f1 /proc/loadavg; }

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
		rows+=("| $name | $c | $p_rps | $n_rps | $ratio | $(fmt_us "$p_p50") | $(fmt_us "$p_p99") | $(fmt_us "$n_p50") | $(fmt_us "$n_p99") | $(size_of "$size") | $(load1) |")
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

# --- 3b. writes: creating a communication, beside raw SQLite inserts of the same rows ----------
# metrics: sets m_jobs m_commits m_max from pocd's /metrics (read as the Secretariat).
metrics() {
	local out
	out=$(curl -sf -H "$sec_auth" "$pocd_url/metrics") || die "GET /metrics as the Secretariat"
	m_jobs=$(awk '$1 == "pocd_db_jobs_total" { print $2 }' <<<"$out")
	m_commits=$(awk '$1 == "pocd_db_commits_total" { print $2 }' <<<"$out")
	m_max=$(awk '$1 == "pocd_db_batch_max" { print $2 }' <<<"$out")
	if [ -z "$m_jobs" ] || [ -z "$m_commits" ] || [ -z "$m_max" ]; then
		die "/metrics lacks pocd_db_*"
	fi
}
# run_raw BATCH: sets r_rps r_p50 r_p99 r_rows from one run of the C driver.
run_raw() {
	local out line
	out=$("$tmp/sqlite_insert" "$rawdb" "$DURATION" "$1" "$officer" "$comm_to" "$comm_content") ||
		die "bench/sqlite_insert with $1 per commit"
	line=$(grep '^SQLITE ' <<<"$out") || die "no summary from bench/sqlite_insert: $out"
	rfield() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
	r_rows=$(rfield rows)
	r_rps=$(awk -v r="$r_rows" -v d="$(rfield duration_us)" 'BEGIN { printf "%.0f", r * 1e6 / d }')
	r_p50=$(rfield p50_us)
	r_p99=$(rfield p99_us)
}
# login USER PASSWORD: prints a session token.
login() {
	local body
	body=$("$PY" -c 'import json, sys; print(json.dumps({"username": sys.argv[1], "password": sys.argv[2]}))' \
		"$1" "$2")
	curl -sf -X POST -H 'Content-Type: application/json' --data-binary "$body" \
		"$pocd_url/api/v1/login" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["token"])' ||
		die "login as $1"
}
wrows=()
w_line="not measured (BENCH_WRITES=0)"
if [ "$WRITES" = 1 ]; then
	read -r officer opass spass < <("$PY" -c '
import json, sys
c = json.load(open(sys.argv[1]))
o = c["states"]["FRA"]["officer"]
print(o["username"], o["password"], c["secretariat"]["password"])' "$db.credentials.json")
	comm_to=DEU
	wauth="Authorization: Bearer $(login "$officer" "$opass")"
	sec_auth="Authorization: Bearer $(login secretariat "$spass")"
	# A routine notification to DEU's technical PoCs, with a description of a realistic length.
	export BENCH_BODY
	BENCH_BODY=$("$PY" -c '
import json, sys
d = ("Scanning from 198.51.100.0/24 against exposed VPN gateways of energy operators since "
     "02:10 UTC; no compromise confirmed. Sharing for awareness; indicators to follow.")
print(json.dumps({"type": "notification", "urgency": "routine", "tlp": "GREEN",
                  "to": [{"state": sys.argv[1], "kinds": ["technical"]}],
                  "subject": {"text": "bench: scanning of VPN gateways", "lang": "en"},
                  "description": {"text": d, "lang": "en"}}, separators=(",", ":")))' "$comm_to")
	# One by hand: it must be a 201, its size is what wrk checks, and the content pocd stored for
	# it is what the C driver inserts (so that the rows have the same size).
	code=$(curl -s -o "$tmp/comm.json" -w '%{http_code}' -X POST -H "$wauth" \
		-H 'Content-Type: application/json' --data-binary "$BENCH_BODY" \
		"$pocd_url/api/v1/communications")
	[ "$code" = 201 ] || {
		cat "$tmp/comm.json" >&2
		die "POST /api/v1/communications answered $code"
	}
	comm_size=$(stat -c %s "$tmp/comm.json")
	comm_id=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/comm.json")
	comm_content=$("$PY" -c '
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute("SELECT content FROM communications WHERE id = ?", (sys.argv[2],)).fetchone()[0])' \
		"$db" "$comm_id") || die "reading the stored communication"

	count_comms() { # DB...: the communications each holds
		"$PY" -c '
import sqlite3, sys
print(*(sqlite3.connect("file:" + p + "?mode=ro", uri=True).execute(
    "SELECT count(*) FROM communications").fetchone()[0] for p in sys.argv[1:]))' "$@"
	}
	# The data at scale holds communications already: both copies held as many before the
	# one by hand.
	base=$(count_comms "$rawdb") || die "counting communications"
	# Per round: raw one commit per row, pocd at each connection count, raw batched; each cell
	# keeps its best round (and that round's latencies and batch size).
	raw1_rps=0 rawb_rps=0 raw_rows=0 pocd_created=1 inflight=0
	declare -A w_rps w_p50 w_p99 w_avg w_load
	for c in $WCONNS; do w_rps[$c]=0; done
	for ((r = 1; r <= ROUNDS; r++)); do
		log "create a communication, round $r/$ROUNDS: raw SQLite 1 per commit, pocd at $WCONNS connection(s), raw SQLite $BATCH per commit"
		run_raw 1
		raw_rows=$((raw_rows + r_rows))
		if [ "$r_rps" -gt "$raw1_rps" ]; then raw1_rps=$r_rps raw1_p50=$r_p50 raw1_p99=$r_p99 raw1_load=$(load1); fi
		for c in $WCONNS; do
			metrics
			j0=$m_jobs c0=$m_commits
			WRK_SCRIPT=$POST_LUA run_wrk "$c" "$pocd_url/api/v1/communications" "$comm_size" -H "$wauth"
			pocd_created=$((pocd_created + created)) inflight=$((inflight + c))
			metrics
			avg=$(awk -v j=$((m_jobs - j0)) -v n=$((m_commits - c0)) 'BEGIN { printf "%.1f", n ? j / n : 0 }')
			if [ "$rps" -gt "${w_rps[$c]}" ]; then
				w_rps[$c]=$rps w_p50[$c]=$p50 w_p99[$c]=$p99 w_avg[$c]=$avg w_load[$c]=$(load1)
			fi
		done
		run_raw "$BATCH"
		raw_rows=$((raw_rows + r_rows))
		if [ "$r_rps" -gt "$rawb_rps" ]; then rawb_rps=$r_rps rawb_p50=$r_p50 rawb_p99=$r_p99 rawb_load=$(load1); fi
	done
	metrics
	# Every 201 is a communication in pocd's database, every driver row one in its copy.
	read -r n_pocd n_raw < <(count_comms "$db" "$rawdb")
	n_pocd=$((n_pocd - base)) n_raw=$((n_raw - base))
	# wrk stops with up to one request per connection in flight: those may be committed too.
	if [ "$n_pocd" -lt "$pocd_created" ] || [ "$n_pocd" -gt $((pocd_created + inflight)) ]; then
		die "pocd answered $pocd_created 201s but holds $n_pocd new communications"
	fi
	[ "$n_raw" -eq "$raw_rows" ] || die "the driver inserted $raw_rows rows but $rawdb holds $n_raw new ones"
	rss_w=$(awk '/^VmHWM:/ { printf "%.1f MB", $2 / 1024 }' "/proc/$pocd_pid/status" 2>/dev/null || true)

	ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
	for c in $WCONNS; do
		wrows+=("| pocd, POST /api/v1/communications | $c | ${w_rps[$c]} | $(fmt_us "${w_p50[$c]}") | $(fmt_us "${w_p99[$c]}") | ${w_avg[$c]} | $(ratio "${w_rps[$c]}" "$raw1_rps") | $(ratio "${w_rps[$c]}" "$rawb_rps") | ${w_load[$c]} |")
	done
	wrows+=("| raw SQLite, 1 communication per commit | 1 | $raw1_rps | $(fmt_us "$raw1_p50") | $(fmt_us "$raw1_p99") | 1 | 1.00 | $(ratio "$raw1_rps" "$rawb_rps") | $raw1_load |")
	wrows+=("| raw SQLite, $BATCH communications per commit | 1 | $rawb_rps | $(fmt_us "$rawb_p50") | $(fmt_us "$rawb_p99") | $BATCH | $(ratio "$rawb_rps" "$raw1_rps") | 1.00 | $rawb_load |")
	fs=$(df -PT "$tmp" | awk 'NR == 2 { print $2 " on " $1 }')
	w_line="fra-officer creates a routine notification to DEU's technical PoCs (${#BENCH_BODY} byte body; pocd stores ${#comm_content} bytes of content and answers 201 with $comm_size bytes); per communication 1 communications, 1 comm_recipients, 1 comm_steps, 1 events, 2 log_leaves, 1 outbox and 1 ack_links row; raw SQLite: bench/sqlite_insert.c, the same rows (not the log's tree nodes and checkpoints, a few per commit) into a copy of the same database (WAL, synchronous=FULL, foreign_keys=ON), one connection, no HTTP; database on $fs; pocd's writer over the whole run: ${m_jobs} jobs in ${m_commits} commits, at most ${m_max} in one"
fi
pocd_live=
stop "$pocd_pid"

# --- start-up: serve to the first 200 on /healthz -----------------------------------------------
# One Python process starts pocd and polls /healthz every millisecond, so that the figure holds
# no process start of curl's; STARTS runs on the database at scale, the median reported. Each
# run is stopped (SIGTERM) before the next.
log "start-up: $STARTS runs"
startup_port=$(free_port)
startups=$("$PY" - "$STARTS" "$POCD" "$db" "$startup_port" "$tmp/startup.log" "${serve_args[@]}" <<'PY'
import http.client, statistics, subprocess, sys, time

runs, pocd, db, port, logf = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
extra = sys.argv[6:]
times = []
for _ in range(runs):
    with open(logf, "a") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen([pocd, "serve", "--db", db, "--listen", "127.0.0.1:" + port] + extra,
                             stdout=out, stderr=out)
        while True:
            if p.poll() is not None:
                sys.exit("pocd exited at start-up with %d" % p.returncode)
            try:
                c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=1)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() - t0 > 30:
                p.kill()
                sys.exit("no 200 on /healthz within 30 s")
            time.sleep(0.001)
        times.append((time.perf_counter() - t0) * 1000)
        p.terminate()
        p.wait()
print("%.0f %s" % (statistics.median(times), " ".join("%.0f" % t for t in times)))
PY
) || {
	cat "$tmp/startup.log" >&2
	die "measuring start-up"
}
read -r startup_med startup_all <<<"$startups"
startup_load=$(load1)

# --- callgrind: instructions for one per-state lookup ------------------------------------------
# Two runs of pocd under callgrind with one worker thread: warm-up and N lookups over one
# keep-alive connection, N = 0 and N = 100; the difference of the totals over 100 is the cost of
# a lookup (start-up, shutdown and the warm-up cancel out).
cg_total() { # N: sets ir to the total instruction count of a run with N lookups
	local n=$1 port pid out=$tmp/callgrind.$1.out args=() codes i
	port=$(free_port)
	# Valgrind makes pocd's system calls itself: no seccomp filter under it.
	valgrind --tool=callgrind --callgrind-out-file="$out" "$POCD" serve --db "$db" \
		--listen "127.0.0.1:$port" --quiet --rate-limit 0 --no-seccomp --threads 1 \
		>"$tmp/callgrind.$n.log" 2>&1 &
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
	echo "- commit: $commit; binary: $binary_line"
	echo "- data: $scale_line; requests as fra-admin with a Bearer token; database $(du -sh --apparent-size "$db" | cut -f1) on $(df -PT "$tmp" | awk 'NR == 2 { print $2 }')"
	echo "- pocd: ${serve_args[*]}; peak RSS ${rss:-unknown} after the reads${rss_w:+, $rss_w after the writes} (target: under 50 MB at 1x)"
	echo "- start-up, \`pocd serve\` to the first 200 on /healthz: median ${startup_med} ms of $STARTS runs ($startup_all ms; load $startup_load; target: under 100 ms); the first run of the bench answered after ${startup_ms} ms"
	echo "- limit: $nginx_version, same bytes as static files (worker_processes auto, sendfile, access_log off)"
	echo "- load: wrk on the same machine, 2 threads (1 at 1 connection); per cell, $ROUNDS rounds of ${DURATION} s alternating pocd and nginx, the best round of each shown"
	echo "- callgrind: $cg_line"
	echo
	echo "| endpoint | connections | pocd req/s | nginx req/s | pocd/nginx | pocd p50 | pocd p99 | nginx p50 | nginx p99 | body | load |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "## Writes: creating a communication"
	echo
	echo "- writes: $w_line"
	if [ "${#wrows[@]}" -gt 0 ]; then
		echo "- per cell, $ROUNDS rounds of ${DURATION} s (raw 1 per commit, pocd at each connection count, raw $BATCH per commit), the best round shown; raw latencies are per commit (BEGIN to end of COMMIT), pocd's per request; \"per commit\" for pocd is pocd_db_jobs_total / pocd_db_commits_total over that round (group commit)"
		echo
		echo "| writer | connections | communications/s | p50 | p99 | per commit | vs raw 1 per commit | vs raw $BATCH per commit | load |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
		printf '%s\n' "${wrows[@]}"
	fi
} >"$tmp/latest.md"
mkdir -p bench/results
cp "$tmp/latest.md" "$RESULTS"
cat "$RESULTS"

# --- 5. ping tests on the database at scale: a campaign over every PoC, answers by link ---------
BENCH_PING_DB=$([ "$SCALE" = 0 ] || echo "$db") POCD_BIN=$POCD BENCH_THREADS=$THREADS BENCH_RESULTS=$RESULTS bench/pings.sh || die "bench/pings.sh"
