#!/bin/bash
# Deployment tests, one TAP line ("ok"/"not ok") per check:
#  1. make install into a DESTDIR, with PREFIX=/usr and the default /usr/local: every file, its
#     mode and the unit's paths; an existing pocd.conf is kept;
#  2. the man pages: roff warnings, and every command and option of the programs' usage;
#  3. the systemd unit: systemd-analyze verify and its exposure score (when systemd-analyze is
#     there);
#  4. make deb: control fields, Depends against each binary's NEEDED libraries, conffiles,
#     maintainer scripts, contents with owners and modes;
#  5. as root, the package installed, reinstalled, removed, purged and installed again with the
#     real dpkg, adduser and maintainer scripts, in a private mount namespace whose /etc, /usr,
#     /var (and /lib when it is not a link) are overlays written under a scratch directory, and
#     whose /run is an empty tmpfs, so that the scripts find no systemd to start the service
#     with: the host is not changed. The service's command is run as the pocd user instead.
# Needs make build done. Run from anywhere; exits non-zero when a check failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

n=0
failed=0
ok() { # description
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() { # description, detail
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/#   /'
}
check() { # description, command...: ok when the command succeeds
	local d=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$d"; else not_ok "$d" "$out"; fi
}
same() { # description, expected, actual
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2
actual:   $3"; fi
}
mode_owner() { stat -c '%a %U:%G' "$1" 2>&1 || true; }
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts "pocd serve" with the installed configuration as the pocd user on a free port, logs in
# as the Secretariat with the password in $1, and stops it; ok when the login answered 200.
serve_and_login() { # password, description
	local port pid code
	port=$(free_port)
	setpriv --reuid=pocd --regid=pocd --init-groups -- /usr/sbin/pocd serve \
		--config /etc/pocd/pocd.conf --listen "127.0.0.1:$port" --quiet >"$ns_tmp/serve.log" 2>&1 &
	pid=$!
	code=$(/usr/bin/python3 - "$port" "$1" <<'PY' 2>&1 || true
import json, sys, time, urllib.error, urllib.request
base = "http://127.0.0.1:%s" % sys.argv[1]
for _ in range(200):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=2)
        break
    except (OSError, urllib.error.URLError):
        time.sleep(0.05)
body = json.dumps({"username": "secretariat", "password": sys.argv[2]}).encode()
req = urllib.request.Request(base + "/api/v1/login", body, {"Content-Type": "application/json"})
try:
    print(urllib.request.urlopen(req, timeout=10).status)
except urllib.error.HTTPError as e:
    print(e.code)
PY
	)
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" || true
	same "$2" 200 "$code$( [ "$code" = 200 ] || cat "$ns_tmp/serve.log")"
}

dpkg_run() { # description, log name, dpkg arguments...: ok when dpkg succeeds
	local d=$1 log=$ns_tmp/$2.log
	shift 2
	if dpkg --no-triggers "$@" >"$log" 2>&1; then ok "$d"; else not_ok "$d" "$(cat "$log")"; fi
}

# --- 5. inside the private mount namespace (this script run again by unshare) ------------------
in_namespace() { # scratch directory, package
	ns_tmp=$1
	local deb=$2 d out pw pw_line passwd
	for d in etc usr var lib; do
		if [ ! -d "/$d" ] || [ -L "/$d" ]; then continue; fi
		mkdir -p "$ns_tmp/ov/$d/upper" "$ns_tmp/ov/$d/work"
		mount -t overlay overlay \
			-o "lowerdir=/$d,upperdir=$ns_tmp/ov/$d/upper,workdir=$ns_tmp/ov/$d/work" "/$d"
	done
	mount -t tmpfs -o mode=0755 tmpfs /run
	# Nothing may reach the host: every written tree must be an overlay here.
	for d in etc usr var lib; do
		[ -L "/$d" ] && continue
		# The last line of mountinfo for a mount point is what it shows; its type follows "-".
		if [ "$(awk -v m="/$d" '$5 == m { for (i = 7; $i != "-"; i++); t = $(i + 1) }
			END { print t }' /proc/self/mountinfo)" != overlay ]; then
			not_ok "private overlay on /$d"
			return
		fi
	done
	[ ! -e /run/systemd/system ] || {
		not_ok "no systemd in the namespace"
		return
	}

	dpkg_run "dpkg -i installs the package" install -i "$deb"
	same "dpkg knows it installed" "install ok installed" "$(dpkg-query -W -f='${Status}' pocd 2>&1)"
	passwd=$(getent passwd pocd || true)
	same "postinst made the system user pocd" "/var/lib/pocd:/usr/sbin/nologin" \
		"$(echo "$passwd" | cut -d: -f6,7)"
	check "pocd's uid is a system one" test "$(echo "$passwd" | cut -d: -f3)" -lt 1000
	check "and its group pocd" getent group pocd
	same "/var/lib/pocd: 0700 pocd" "700 pocd:pocd" "$(mode_owner /var/lib/pocd)"
	same "the database, made by the pocd user" "600 pocd:pocd" "$(mode_owner /var/lib/pocd/pocd.db)"
	same "the log key" "600 pocd:pocd" "$(mode_owner /var/lib/pocd/pocd.db.logkey)"
	same "/etc/pocd/pocd.conf: 0640 root:pocd" "640 root:pocd" "$(mode_owner /etc/pocd/pocd.conf)"
	same "/etc/pocd/initial-password: 0600 root" "600 root:root" \
		"$(mode_owner /etc/pocd/initial-password)"
	pw_line=$(grep -m1 '^Secretariat login: secretariat / ' /etc/pocd/initial-password || true)
	pw=${pw_line#Secretariat login: secretariat / }
	check "the installer was shown the Secretariat's password" \
		grep -qF -- "${pw_line:-no password line}" "$ns_tmp/install.log"
	check "and told where its copy is" grep -q 'A copy is in /etc/pocd/initial-password' \
		"$ns_tmp/install.log"
	same "the unit is enabled" /lib/systemd/system/pocd.service \
		"$(readlink /etc/systemd/system/multi-user.target.wants/pocd.service || true)"
	check "no service started without systemd" test ! -e /run/systemd
	# The unit as dpkg installed it, with its real ExecStart. Starting it needs systemd as
	# PID 1, which this container lacks: serve_and_login runs its command as its User= instead.
	if command -v systemd-analyze >/dev/null; then
		check "systemd-analyze verify: the installed unit" \
			systemd-analyze verify /lib/systemd/system/pocd.service
	fi
	serve_and_login "$pw" "the installed pocd serves its configuration, the password logs in"

	dpkg_run "dpkg -i again (an upgrade)" reinstall -i "$deb"
	check "an upgrade makes no new database" \
		sh -c "! grep -q 'Secretariat login' '$ns_tmp/reinstall.log'"
	same "nor a new password" "$pw_line" "$(grep -m1 '^Secretariat' /etc/pocd/initial-password 2>&1 || true)"

	dpkg_run "dpkg -r removes it" remove -r pocd
	check "remove: the programs are gone" test ! -e /usr/sbin/pocd -a ! -e /usr/bin/poc
	check "remove: the configuration stays" test -f /etc/pocd/pocd.conf
	check "remove: the data stays" test -f /var/lib/pocd/pocd.db
	same "remove: the unit is masked" /dev/null "$(readlink /etc/systemd/system/pocd.service || true)"

	dpkg_run "dpkg -P purges it" purge -P pocd
	check "purge: /etc/pocd is gone" test ! -e /etc/pocd
	check "purge: the user is gone" sh -c '! getent passwd pocd'
	check "purge: the group is gone" sh -c '! getent group pocd'
	check "purge: the unit's enablement and mask are gone" \
		test ! -e /etc/systemd/system/multi-user.target.wants/pocd.service -a ! -L /etc/systemd/system/pocd.service
	check "purge: the data stays" test -f /var/lib/pocd/pocd.db -a -f /var/lib/pocd/pocd.db.logkey
	same "purge: and goes to root" "700 root:root" "$(mode_owner /var/lib/pocd)"
	same "purge: every file of it" "" "$(find /var/lib/pocd ! -user root)"
	check "purge: the installer is told the data is kept" grep -q 'WARNING: /var/lib/pocd is kept' \
		"$ns_tmp/purge.log"

	dpkg_run "dpkg -i after the purge" again -i "$deb"
	check "it uses the kept database" grep -q 'using the existing database' "$ns_tmp/again.log"
	same "and gives it back to pocd" "" "$(find /var/lib/pocd ! -user pocd)"
	serve_and_login "$pw" "the kept database serves, the first password still logs in"
}

if [ "${1:-}" = --in-namespace ]; then
	in_namespace "$2" "$3"
	exit $((failed > 0))
fi

tmp=$(mktemp -d /tmp/pocd-deploy.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# --- 1. make install ---------------------------------------------------------------------------
listing() { # root: each file and link below it with its mode, sorted
	(cd "$1" && find . -mindepth 1 ! -type d -printf '%m %p\n' | sed 's| \./| |' | sort -k2)
}
expected_usr="644 etc/pocd/pocd.conf
644 etc/pocd/pocd.conf.example
644 lib/systemd/system/pocd.service
755 usr/bin/poc
755 usr/sbin/pocd
644 usr/share/doc/pocd/README.md
644 usr/share/doc/pocd/operations.md
644 usr/share/man/man1/poc.1
644 usr/share/man/man8/pocd.8"
dest=$tmp/usr
if out=$(make --no-print-directory install DESTDIR="$dest" PREFIX=/usr 2>&1); then
	ok "make install DESTDIR PREFIX=/usr"
else
	not_ok "make install DESTDIR PREFIX=/usr" "$out"
fi
same "PREFIX=/usr: the files and their modes" "$expected_usr" "$(listing "$dest")"
unit=$dest/lib/systemd/system/pocd.service
same "the unit starts /usr/sbin/pocd with /etc/pocd/pocd.conf" \
	"ExecStart=/usr/sbin/pocd serve --config /etc/pocd/pocd.conf" "$(grep '^ExecStart=' "$unit" || true)"
check "the unit has no placeholder left" sh -c "! grep -q '@[A-Z]*@' '$unit'"
same "pocd.conf names the database and the address" \
	"db = /var/lib/pocd/pocd.db
listen = 127.0.0.1:8080" "$(grep -v '^#' "$dest/etc/pocd/pocd.conf")"
check "the installed binaries run" sh -c "'$dest/usr/sbin/pocd' help >/dev/null && '$dest/usr/bin/poc' --help >/dev/null"

echo "# edited" >>"$dest/etc/pocd/pocd.conf"
make --no-print-directory install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1 || true
check "make install keeps an existing pocd.conf" grep -q '^# edited$' "$dest/etc/pocd/pocd.conf"

if out=$(make --no-print-directory install DESTDIR="$tmp/local" 2>&1); then
	same "default PREFIX=/usr/local: the files and their modes" \
		"$(echo "$expected_usr" | sed -E 's#^([0-9]+) (lib|usr)/#\1 usr/local/\2/#; s#local/usr/#local/#' | sort -k2)" \
		"$(listing "$tmp/local")"
	same "and the unit starts /usr/local/sbin/pocd" \
		"ExecStart=/usr/local/sbin/pocd serve --config /etc/pocd/pocd.conf" \
		"$(grep '^ExecStart=' "$tmp/local/usr/local/lib/systemd/system/pocd.service" || true)"
else
	not_ok "make install DESTDIR (default PREFIX)" "$out"
fi

# --- 2. the man pages ----------------------------------------------------------------------------
for page in man/pocd.8 man/poc.1; do
	check "$page: no roff warnings" sh -c "LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 '$page' 2>&1 | grep . && exit 1 || exit 0"
	if command -v mandoc >/dev/null; then
		check "$page: mandoc -Tlint -W warning" mandoc -Tlint -W warning "$page"
	fi
done
# Every option of the usage texts, and every command, is in its page.
missing() { # page, words...: prints the words not in the page's source
	local text w
	text=$(sed 's/\\-/-/g' "$1")
	shift
	for w in "$@"; do
		[[ $text == *"$w"* ]] || echo "$w"
	done
}
pocd_usage=$(build/pocd help)
poc_usage=$(build/poc --help)
# shellcheck disable=SC2046 # one word per option
same "pocd.8 has every option of pocd help" "" \
	"$(missing man/pocd.8 $(echo "$pocd_usage" | grep -oE -- '--[a-z-]+' | sort -u))"
same "pocd.8 has every command" "" \
	"$(missing man/pocd.8 "pocd init" "pocd serve" "pocd backup" "pocd restore" "pocd log rotate-key" "pocd mail rotate-key" "pocd log verify" "pocd secretariat add")"
# shellcheck disable=SC2046
same "poc.1 has every option of poc --help" "" \
	"$(missing man/poc.1 $(echo "$poc_usage" | grep -oE -- '--[a-z-]+' | sort -u))"
mapfile -t poc_cmds < <(echo "$poc_usage" | sed -n '/^commands:/,/^options:/p' |
	sed -nE 's/^  ([a-z]+)( ([a-z][a-z-]*))?.*/\1 \3/p' | sed 's/ $//' | sort -u)
same "poc.1 has every command of poc --help (${#poc_cmds[@]})" "" "$(missing man/poc.1 "${poc_cmds[@]}")"

# --- 3. the unit ---------------------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	# verify checks that ExecStart's program exists: point it at the staged one.
	mkdir -p "$tmp/unit"
	sed "s|^ExecStart=/usr/sbin/pocd|ExecStart=$dest/usr/sbin/pocd|" "$unit" >"$tmp/unit/pocd.service"
	check "systemd-analyze verify pocd.service" \
		env MANPATH="$dest/usr/share/man" systemd-analyze verify "$tmp/unit/pocd.service"
	exposure=$(systemd-analyze security --offline=yes "$tmp/unit/pocd.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for pocd.service: \([0-9.]*\).*/\1/p')
	check "systemd-analyze security: exposure ${exposure:-?} is at most 2.0" \
		awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'
else
	echo "# skip: systemd-analyze is not installed"
fi

# --- 4. make deb ---------------------------------------------------------------------------------
version=$(meson introspect --projectinfo build |
	/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
arch=$(dpkg --print-architecture)
deb=build/pocd_${version}_${arch}.deb
if out=$(make --no-print-directory deb 2>&1) && [ -f "$deb" ]; then
	ok "make deb makes $deb"
else
	not_ok "make deb makes $deb" "$out"
	exit 1
fi
field() { dpkg-deb -f "$deb" "$1"; }
same "Package" pocd "$(field Package)"
same "Version: the project's" "$version" "$(field Version)"
same "Architecture" "$arch" "$(field Architecture)"
depends=$(field Depends)
lib_package() { # library path: the package that holds it (Debian 12 lists /lib or /usr/lib)
	local c o
	for c in "$1" "/usr$1" "${1#/usr}"; do
		o=$(dpkg -S "$c" 2>/dev/null) && {
			echo "${o%%:*}"
			return
		}
	done
}
for lib in $(objdump -p build/pocd build/poc | awk '$1 == "NEEDED" { print $2 }' | sort -u); do
	owner=$(lib_package "$(/sbin/ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')")
	check "Depends has ${owner:-?}, for $lib" \
		sh -c "echo '$depends' | tr ',' '\n' | grep -qE '^ *${owner:-none}( |\$)'"
done
for p in adduser tzdata gpg gpg-agent; do
	check "Depends has $p" sh -c "echo '$depends' | tr ',' '\n' | grep -qE '^ *$p( |$)'"
done
mkdir -p "$tmp/ctrl"
dpkg-deb -e "$deb" "$tmp/ctrl"
same "conffiles: the configuration and its example" "/etc/pocd/pocd.conf
/etc/pocd/pocd.conf.example" "$(cat "$tmp/ctrl/conffiles")"
for s in postinst prerm postrm; do
	check "$s: executable, /bin/sh, set -eu" sh -c "test -x '$tmp/ctrl/$s' && head -1 '$tmp/ctrl/$s' | grep -qx '#!/bin/sh' && grep -qx 'set -eu' '$tmp/ctrl/$s' && sh -n '$tmp/ctrl/$s'"
	if command -v shellcheck >/dev/null; then
		check "$s: shellcheck" shellcheck -s sh "$tmp/ctrl/$s"
	fi
done
check "md5sums match the contents" sh -c "mkdir -p '$tmp/x' && dpkg-deb -x '$deb' '$tmp/x' && cd '$tmp/x' && md5sum --quiet -c '$tmp/ctrl/md5sums'"
same "contents: files, owners and modes" "-rw-r--r-- root/root ./etc/pocd/pocd.conf
-rw-r--r-- root/root ./etc/pocd/pocd.conf.example
-rw-r--r-- root/root ./lib/systemd/system/pocd.service
-rwxr-xr-x root/root ./usr/bin/poc
-rwxr-xr-x root/root ./usr/sbin/pocd
-rw-r--r-- root/root ./usr/share/doc/pocd/README.md
-rw-r--r-- root/root ./usr/share/doc/pocd/changelog.gz
-rw-r--r-- root/root ./usr/share/doc/pocd/copyright
-rw-r--r-- root/root ./usr/share/doc/pocd/operations.md
-rw-r--r-- root/root ./usr/share/lintian/overrides/pocd
-rw-r--r-- root/root ./usr/share/man/man1/poc.1.gz
-rw-r--r-- root/root ./usr/share/man/man8/pocd.8.gz" \
	"$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $1, $2, $6 }' | sort -k3)"
check "the directories are root's, mode 0755" sh -c "! dpkg-deb -c '$deb' | awk '\$1 ~ /^d/ && (\$1 != \"drwxr-xr-x\" || \$2 != \"root/root\")' | grep ."
check "the binaries are stripped" sh -c "! readelf -S '$tmp/x/usr/sbin/pocd' '$tmp/x/usr/bin/poc' | grep -q '\.symtab'"

# --- 5. a real installation, in a private mount namespace ----------------------------------------
if [ "$(id -u)" -ne 0 ]; then
	echo "# skip: installing the package needs root"
elif ! unshare --mount --propagation private true 2>/dev/null; then
	echo "# skip: no private mount namespace here (unshare --mount failed)"
else
	chmod 0755 "$tmp" # the pocd user reaches the overlays' files through it
	rc=0
	unshare --mount --propagation private -- "$0" --in-namespace "$tmp" "$PWD/$deb" || rc=$?
	# The namespace numbers its own lines; scripts/test.sh counts every "ok" and "not ok".
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
fi

exit $((failed > 0))
