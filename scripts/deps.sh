#!/bin/sh
# Installs the Debian packages pocd needs that are missing; quiet when all are there.
set -eu
want="build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
libmicrohttpd-dev libgnutls28-dev libseccomp-dev libjansson-dev libsqlite3-dev libsodium-dev
libcurl4-openssl-dev libcmocka-dev libbsd-dev libarchive-dev nettle-dev iso-codes tzdata
python3-requests python3-pytest python3-vobject python3-yaml python3-cryptography"
# Mail tests: a real SMTP server.
want="$want python3-aiosmtpd"
# Mail encryption: GPGME and gpg.
want="$want libgpgme-dev gnupg"
# Browser tests: Debian's Chromium driven by Selenium.
want="$want chromium chromium-driver python3-selenium"
# Browser scenarios driven by playwright-core from npm: Debian's Node.js where there is none.
command -v npm >/dev/null 2>&1 || want="$want nodejs npm"
# Deployment tests: the package's Depends, and the man pages' check.
want="$want adduser groff-base"
if [ "${1:-}" = "--bench" ]; then
	want="$want wrk nginx-light valgrind"
fi
missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "pocd needs these Debian packages:$missing" >&2
	echo "run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
