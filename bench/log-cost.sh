#!/bin/bash
# What the transparency log costs writes: the same release pocd on two copies of one fresh
# demo database, one serving with its log and one with --no-log (test databases only), each
# creating communications under wrk at 1, 16 and 64 connections. Rounds alternate between the
# two and each cell keeps its best round; the ratio is with/without (issue 5: at least 0.9).
# Knobs: BENCH_SECONDS (per run, default 4), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_SECONDS:-4}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNECTIONS:-1 16 64}
PY=/usr/bin/python3
POCD=$PWD/build/pocd
OUT=bench/results/log-cost.md

die() {
	echo "log-cost: $*" >&2
	exit 1
}
log() { echo "log-cost: $*" >&2; }

ninja -C build pocd >/dev/null || die "building pocd"
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

"$POCD" init --db "$tmp/logged.db" --demo --test >/dev/null 2>&1 || die "pocd init"
cp "$tmp/logged.db" "$tmp/bare.db"
cp "$tmp/logged.db.credentials.json" "$tmp/bare.db.credentials.json"

# start NAME [pocd args...]: serves NAME.db on a free port; sets url_NAME
start() {
	local name=$1 port
	shift
	port=$(free_port)
	"$POCD" serve --db "$tmp/$name.db" --listen "127.0.0.1:$port" --quiet "$@" \
		--rate-limit 0 >"$tmp/$name.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
		sleep 0.05
	done
	curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || die "pocd ($name) did not start"
	printf -v "url_$name" 'http://127.0.0.1:%s' "$port"
}
start logged
start bare --no-log

token() { # URL: fra-officer's token on that server
	"$PY" - "$1" "$tmp/logged.db.credentials.json" <<'PY'
import json, sys, urllib.request
c = json.load(open(sys.argv[2]))["states"]["FRA"]["officer"]
req = urllib.request.Request(sys.argv[1] + "/api/v1/login", method="POST",
                             data=json.dumps({"username": c["username"], "password": c["password"]}).encode(),
                             headers={"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req))["token"])
PY
}
tok_logged=$(token "$url_logged")
tok_bare=$(token "$url_bare")

BENCH_BODY=$("$PY" -c 'import json; print(json.dumps({"type": "notification", "urgency": "routine", "tlp": "GREEN", "to": [{"state": "DEU", "kinds": ["technical"]}], "subject": {"text": "bench: log cost", "lang": "en"}, "description": {"text": "Scanning from 198.51.100.0/24 against exposed VPN gateways since 02:10 UTC.", "lang": "en"}}, separators=(",", ":")))')
export BENCH_BODY

# One by hand on each: both must create, and only the logged one answers with a receipt.
for name in logged bare; do
	url_var=url_$name tok_var=tok_$name
	curl -sf -X POST -H "Authorization: Bearer ${!tok_var}" -H 'Content-Type: application/json' \
		--data-binary "$BENCH_BODY" "${!url_var}/api/v1/communications" >"$tmp/$name.json" ||
		die "POST /api/v1/communications on $name"
done
grep -q '"receipt"' "$tmp/logged.json" || die "the logged pocd answered without a receipt"
grep -q '"receipt"' "$tmp/bare.json" && die "the --no-log pocd answered with a receipt"

wrk_rps() { # CONNS URL TOKEN: requests per second, every answer a 201
	local c=$1 t=2 out
	[ "$c" -lt 2 ] && t=1
	out=$(wrk -t"$t" -c"$c" -d"${DURATION}s" --latency -s bench/post-comm.lua \
		-H "Authorization: Bearer $3" "$2/api/v1/communications") || die "wrk $2"
	grep -q ' not201=0$' <<<"$(grep '^BENCH requests' <<<"$out")" || die "non-201 answers from $2: $out"
	awk '/^BENCH requests/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%d %d\n", v["requests"] * 1000000 / v["duration_us"], v["p99_us"] }' <<<"$out"
}

declare -A best_logged best_bare p99_logged p99_bare
for c in $CONNS; do best_logged[$c]=0 best_bare[$c]=0; done
for ((r = 1; r <= ROUNDS; r++)); do
	for c in $CONNS; do
		log "round $r/$ROUNDS, $c connection(s)"
		read -r rps p99 < <(wrk_rps "$c" "$url_logged" "$tok_logged")
		if [ "$rps" -gt "${best_logged[$c]}" ]; then best_logged[$c]=$rps p99_logged[$c]=$p99; fi
		read -r rps p99 < <(wrk_rps "$c" "$url_bare" "$tok_bare")
		if [ "$rps" -gt "${best_bare[$c]}" ]; then best_bare[$c]=$rps p99_bare[$c]=$p99; fi
	done
done

mkdir -p bench/results
{
	echo "## What the log costs writes ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, commit $(git rev-parse --short HEAD))"
	echo
	echo "Creating a communication (FRA officer to DEU), release pocd on copies of one fresh demo database, synchronous=FULL; best of $ROUNDS alternating rounds of ${DURATION} s."
	echo
	echo "| connections | with log /s | p99 ms | without log /s | p99 ms | ratio |"
	echo "|---:|---:|---:|---:|---:|---:|"
	for c in $CONNS; do
		awk -v c="$c" -v a="${best_logged[$c]}" -v pa="${p99_logged[$c]}" -v b="${best_bare[$c]}" \
			-v pb="${p99_bare[$c]}" 'BEGIN { printf "| %d | %d | %.1f | %d | %.1f | %.2f |\n", c, a, pa / 1000, b, pb / 1000, b ? a / b : 0 }'
	done
} | tee "$OUT"
