#!/bin/bash
# make audit: the long security checks that stay out of make test.
#  1. every libFuzzer target (make fuzz; build-fuzz/fuzz_*) for AUDIT_FUZZ_SECONDS each (default
#     600), seeded from fuzz/corpus/<target>/ but writing new inputs to a scratch corpus under
#     $AUDIT_OUT/corpus/<target>/ (kept between audits), so the repository's corpus is not flooded;
#     AUDIT_FUZZ_JOBS targets at a time (default nproc);
#  2. sqlmap (--level 3 --risk 2) against a fresh demo pocd's read endpoints, with a Bearer token,
#     on their query parameters and path segments.
#  3. testssl.sh (Debian's testssl.sh) against pocd serving HTTPS with a throwaway self-signed
#     certificate: protocols, ciphers, key exchange, known TLS vulnerabilities, headers.
# Each run's logs, crash inputs and a summary go to $AUDIT_OUT/latest/ (default build-audit/;
# the previous run moves to $AUDIT_OUT/previous/). Exits non-zero when a fuzzer crashed, sqlmap
# found an injection or could not reach a verdict, pocd failed (5xx, exit) under sqlmap, or
# testssl.sh rated a finding MEDIUM or worse (other than the test certificate's own trust).
# AUDIT_SKIP_FUZZ=1, AUDIT_SKIP_SQLMAP=1 or AUDIT_SKIP_TESTSSL=1 skips a part.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${AUDIT_FUZZ_SECONDS:-600}
JOBS=${AUDIT_FUZZ_JOBS:-$(nproc)}
FUZZ_BUILD=${AUDIT_FUZZ_BUILD:-build-fuzz}
OUT=${AUDIT_OUT:-build-audit}
SQLMAP_TIMEOUT=${AUDIT_SQLMAP_TIMEOUT:-1800}
PY=/usr/bin/python3

mkdir -p "$OUT"
rm -rf "$OUT/previous"
[ -d "$OUT/latest" ] && mv "$OUT/latest" "$OUT/previous"
run=$OUT/latest
mkdir -p "$run"
summary=$run/summary.txt
: >"$summary"
problems=0

say() { echo "audit: $*" | tee -a "$summary" >&2; }
problem() {
	problems=$((problems + 1))
	say "PROBLEM: $*"
}

tmp=$(mktemp -d /tmp/pocd-audit.XXXXXX)
pids=()
cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
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

# --- 1. fuzzing ------------------------------------------------------------------------------
fuzz_start() { # target binary: starts it in the background; sets fpid
	local bin=$1 name args=()
	name=${bin##*/fuzz_}
	mkdir -p "$OUT/corpus/$name" "$run/fuzz/$name"
	args=(-max_total_time="$SECS" -timeout=25 -print_final_stats=1
		-artifact_prefix="$run/fuzz/$name/")
	[ -f "fuzz/$name.dict" ] && args+=(-dict="fuzz/$name.dict")
	args+=("$OUT/corpus/$name") # the first corpus directory receives the new inputs
	[ -d "fuzz/corpus/$name" ] && args+=("fuzz/corpus/$name")
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$bin" "${args[@]}" >"$run/fuzz/$name.log" 2>&1 &
	fpid=$!
}

if [ "${AUDIT_SKIP_FUZZ:-0}" != 1 ]; then
	targets=()
	built=1
	if [ "$FUZZ_BUILD" = build-fuzz ]; then
		say "building the fuzz targets (make fuzz)"
		if ! make --no-print-directory fuzz >"$run/make-fuzz.log" 2>&1; then
			built=0
			# The Makefile hides ninja's output: get the compiler's message.
			{ [ -f build-fuzz/build.ninja ] && ninja -C build-fuzz >>"$run/make-fuzz.log" 2>&1; } || true
			grep -E 'error|FAILED' "$run/make-fuzz.log" | head -10 >&2 || true
			problem "make fuzz failed (log: $run/make-fuzz.log); fuzzing skipped"
		fi
	fi
	for f in "$FUZZ_BUILD"/fuzz_*; do
		[ "$built" = 1 ] && [ -f "$f" ] && [ -x "$f" ] && targets+=("$f")
	done
	if [ "$built" = 0 ]; then
		:
	elif [ ${#targets[@]} -eq 0 ]; then
		problem "no fuzz targets in $FUZZ_BUILD/"
	else
		say "fuzzing ${#targets[@]} target(s), ${SECS} s each, $JOBS at a time"
		declare -A fname=() frc=()
		reap() { # waits for one fuzzer to end and records its exit status
			local p r q keep=()
			if wait -n -p p "${!fname[@]}"; then r=0; else r=$?; fi
			frc[${fname[$p]}]=$r
			unset "fname[$p]"
			for q in "${pids[@]}"; do [ "$q" = "$p" ] || keep+=("$q"); done
			pids=("${keep[@]+"${keep[@]}"}")
		}
		for f in "${targets[@]}"; do
			while [ ${#fname[@]} -ge "$JOBS" ]; do reap; done
			fuzz_start "$f"
			fname[$fpid]=${f##*/fuzz_}
			pids+=("$fpid")
		done
		while [ ${#fname[@]} -gt 0 ]; do reap; done
		for f in "${targets[@]}"; do
			name=${f##*/fuzz_}
			log=$run/fuzz/$name.log
			rc=${frc[$name]:-?}
			execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
			cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
			corp=$(find "$OUT/corpus/$name" -type f | wc -l)
			found=$(find "$run/fuzz/$name" -type f \( -name 'crash-*' -o -name 'leak-*' \
				-o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | sort)
			if [ "$rc" != 0 ] || [ -n "$found" ]; then
				problem "fuzz_$name failed (exit $rc) after ${execs:-?} runs; inputs: ${found:-none}; log: $log"
				grep -m1 -A12 'ERROR: \|runtime error' "$log" | sed 's/^/    /' | tee -a "$summary" >&2 || true
			else
				say "fuzz_$name: ok, ${execs:-?} runs, coverage ${cov:-?}, scratch corpus $corp inputs"
			fi
		done
		say "to keep what the fuzzers found: $FUZZ_BUILD/fuzz_NAME -merge=1 fuzz/corpus/NAME $OUT/corpus/NAME"
	fi
fi

# --- 2. sqlmap against a demo pocd -------------------------------------------------------------
free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if [ "${AUDIT_SKIP_SQLMAP:-0}" != 1 ]; then
	if ! command -v sqlmap >/dev/null; then
		[ "$(id -u)" -eq 0 ] || {
			echo "audit: sqlmap is missing; run as root, or: sudo apt-get install sqlmap" >&2
			exit 1
		}
		say "installing sqlmap"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq --no-install-recommends sqlmap >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends sqlmap >/dev/null; }
	fi
	[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
	ninja -C build pocd >/dev/null
	db=$tmp/pocd.db
	build/pocd init --db "$db" --demo --test >"$tmp/init.log" 2>&1 || {
		cat "$tmp/init.log" >&2
		exit 1
	}
	port=$(free_port)
	base=http://127.0.0.1:$port
	pocd_log=$run/pocd-sqlmap.log # not --quiet: one line per request, to count 5xx
	build/pocd serve --db "$db" --listen "127.0.0.1:$port" --rate-limit 0 >"$pocd_log" 2>&1 &
	pocd_pid=$!
	pids+=("$pocd_pid")
	for _ in $(seq 500); do
		code=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/" || true)
		# 000: not listening yet; 503: listening, not yet confined
		[ "$code" != 000 ] && [ "$code" != 503 ] && break
		kill -0 "$pocd_pid" 2>/dev/null || break
		sleep 0.01
	done
	if ! kill -0 "$pocd_pid" 2>/dev/null; then
		cat "$pocd_log" >&2
		problem "pocd did not start"
		exit 1
	fi
	login=$("$PY" -c '
import json, sys
a = json.load(open(sys.argv[1]))["states"]["FRA"]["admin"]
print(json.dumps({"username": a["username"], "password": a["password"]}))' "$db.credentials.json")
	token=$(curl -sf -X POST -H 'Content-Type: application/json' --data-binary "$login" \
		"$base/api/v1/login" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["token"])')
	auth="Authorization: Bearer $token"
	jget() { # path, python expression on the decoded body d
		curl -sf -H "$auth" "$base$1" | "$PY" -c "import json, sys; d = json.load(sys.stdin); print($2)"
	}
	cursor=$(jget '/api/v1/directory?limit=2' 'd["next"]')
	poc=$(jget /api/v1/states/FRA/pocs 'd["items"][0]["id"]')
	# '*' marks a path segment as an injection point for sqlmap.
	urls=(
		"/api/v1/directory?state=FRA&kind=technical&lang=fr&q=duty"
		"/api/v1/directory?format=csv&limit=2&cursor=$cursor"
		"/api/v1/states/FRA*/pocs"
		"/api/v1/states/FRA*"
		"/api/v1/pocs/$poc*"
		"/api/v1/pocs/$poc*/history"
	)
	i=0
	for u in "${urls[@]}"; do
		i=$((i + 1))
		slog=$run/sqlmap-$i.log
		say "sqlmap $u"
		set +e
		TERM=dumb timeout "$SQLMAP_TIMEOUT" sqlmap -u "$base$u" -H "$auth" --batch --level 3 --risk 2 \
			--disable-coloring --output-dir="$tmp/sqlmap" >"$slog" 2>&1
		src=$?
		set -e
		if grep -q 'identified the following injection point' "$slog"; then
			problem "sqlmap found an injection in $u (log: $slog)"
			sed -n '/identified the following injection point/,/^---$/p' "$slog" | tee -a "$summary" >&2
		elif grep -q 'all tested parameters do not appear to be injectable' "$slog"; then
			say "  no injection found ($(grep -c 'does not seem to be injectable' "$slog") parameters tested)"
		else
			problem "sqlmap reached no verdict on $u (exit $src; log: $slog)"
			grep -E 'CRITICAL|ERROR' "$slog" | tail -5 | tee -a "$summary" >&2 || true
		fi
	done
	if ! kill -0 "$pocd_pid" 2>/dev/null; then
		problem "pocd exited during sqlmap (log: $pocd_log)"
	fi
	# Request lines end "STATUS MICROSECONDS ACCOUNT"; the path before them may hold spaces.
	n5=$(awk 'NF >= 5 && $(NF-2) ~ /^5[0-9][0-9]$/' "$pocd_log" | wc -l)
	total=$(awk 'NF >= 5 && $(NF-2) ~ /^[1-5][0-9][0-9]$/ && $(NF-1) ~ /^[0-9]+$/' "$pocd_log" | wc -l)
	if [ "$n5" -ne 0 ]; then
		problem "pocd answered 5xx to $n5 of $total sqlmap requests (log: $pocd_log)"
	else
		say "pocd answered $total sqlmap requests, none with 5xx"
	fi
fi

# --- 3. testssl.sh against pocd over TLS ---------------------------------------------------------
# Findings about the throwaway certificate itself (self-signed, no revocation, no CT, short
# life) say nothing about pocd's TLS: they are listed, not counted.
CERT_ONLY='^(cert_|OCSP_|DNS_CAArecord|certificate_transparency|chain_of_trust|intermediate_cert)'

if [ "${AUDIT_SKIP_TESTSSL:-0}" != 1 ]; then
	if ! command -v testssl >/dev/null; then
		[ "$(id -u)" -eq 0 ] || {
			echo "audit: testssl is missing; run as root, or: sudo apt-get install testssl.sh" >&2
			exit 1
		}
		say "installing testssl.sh"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq --no-install-recommends testssl.sh bsdextrautils >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null &&
				apt-get install -y -qq --no-install-recommends testssl.sh bsdextrautils >/dev/null; }
	fi
	[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
	ninja -C build pocd >/dev/null
	tdb=$tmp/tls.db
	build/pocd init --db "$tdb" --test >"$tmp/tls-init.log" 2>&1 || {
		cat "$tmp/tls-init.log" >&2
		exit 1
	}
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		-keyout "$tmp/tls.key" -out "$tmp/tls.crt" >/dev/null 2>&1
	chmod 600 "$tmp/tls.key"
	port=$(free_port)
	tls_log=$run/pocd-testssl.log
	build/pocd serve --db "$tdb" --listen "127.0.0.1:$port" --rate-limit 0 --quiet \
		--tls-cert "$tmp/tls.crt" --tls-key "$tmp/tls.key" >"$tls_log" 2>&1 &
	tls_pid=$!
	pids+=("$tls_pid")
	for _ in $(seq 500); do
		[ "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/healthz" || true)" = 200 ] && break
		kill -0 "$tls_pid" 2>/dev/null || break
		sleep 0.01
	done
	if ! kill -0 "$tls_pid" 2>/dev/null; then
		cat "$tls_log" >&2
		problem "pocd did not start with TLS"
	else
		say "testssl.sh https://127.0.0.1:$port (about 5 minutes)"
		set +e
		TERM=dumb testssl --quiet --color 0 --warnings batch --nodns min --sneaky \
			--jsonfile "$run/testssl.json" "https://127.0.0.1:$port/healthz" >"$run/testssl.log" 2>&1
		trc=$?
		set -e
		if [ ! -s "$run/testssl.json" ]; then
			problem "testssl.sh wrote no findings (exit $trc; log: $run/testssl.log)"
		else
			"$PY" - "$run/testssl.json" "$CERT_ONLY" >"$tmp/testssl.verdict" <<'PY'
import json, re, sys
findings = json.load(open(sys.argv[1]))
cert_only = re.compile(sys.argv[2])
bad = {"MEDIUM", "HIGH", "CRITICAL"}
for f in findings:
    sev, fid = f.get("severity", ""), f.get("id", "")
    if sev in bad | {"LOW", "WARN"}:
        kind = "cert" if cert_only.match(fid) else ("PROBLEM" if sev in bad else "note")
        print("%s\t%s\t%s\t%s" % (kind, sev, fid, f.get("finding", "")))
PY
			while IFS=$'\t' read -r kind sev fid finding; do
				case $kind in
				PROBLEM) problem "testssl.sh $sev $fid: $finding" ;;
				note) say "  testssl.sh $sev $fid: $finding" ;;
				cert) say "  testssl.sh $sev $fid (the throwaway certificate): $finding" ;;
				esac
			done <"$tmp/testssl.verdict"
			say "testssl.sh: $(grep -c '' "$tmp/testssl.verdict") finding(s) LOW or worse; all in $run/testssl.json"
		fi
		kill -0 "$tls_pid" 2>/dev/null || problem "pocd exited under testssl.sh (log: $tls_log)"
	fi
fi

if [ "$problems" -ne 0 ]; then
	say "$problems problem(s); see $summary"
	exit 1
fi
say "no problems found; see $summary"
