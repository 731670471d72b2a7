#!/bin/sh
# make deb: a binary Debian package of what make build made, build/pocd_VERSION_ARCH.deb,
# put together with dpkg-deb from make install's tree (PREFIX=/usr), its Depends computed by
# dpkg-shlibdeps. No source package: debhelper and dpkg-buildpackage would rebuild through
# meson in a second tree for the same result. DEB_MAINTAINER overrides the Maintainer field.
set -eu
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
# The project has no public mailbox yet: the default names the project and an address under
# .invalid (RFC 2606), which can never deliver, so nobody mistakes it for a contact. Whoever
# distributes the package sets DEB_MAINTAINER to themselves.
maintainer=${DEB_MAINTAINER:-pocd developers <pocd-maintainers@pocd.invalid>}
version=$(meson introspect --projectinfo "$BUILD" |
	/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
arch=$(dpkg --print-architecture)
# Reproducible: file times and the changelog's date from the last commit.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

work=$BUILD/deb
pkg=$work/debian/pocd
out=$BUILD/pocd_${version}_${arch}.deb
rm -rf "$work" "$out"
mkdir -p "$pkg/DEBIAN"
umask 022

PREFIX=/usr DESTDIR=$PWD/$pkg BUILD=$BUILD packaging/install.sh
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
	"$pkg/usr/sbin/pocd" "$pkg/usr/bin/poc"
gzip -9n "$pkg/usr/share/man/man8/pocd.8" "$pkg/usr/share/man/man1/poc.1"

doc=$pkg/usr/share/doc/pocd
install -m 0644 packaging/deb/copyright "$doc/copyright"
{
	printf 'pocd (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * pocd %s, built from commit %s.\n\n' "$version" "$commit"
	printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

install -d -m 0755 "$pkg/usr/share/lintian/overrides"
install -m 0644 packaging/deb/lintian-overrides "$pkg/usr/share/lintian/overrides/pocd"

for s in postinst prerm postrm; do
	install -m 0755 "packaging/deb/$s" "$pkg/DEBIAN/$s"
done
(cd "$pkg" && find etc -type f | sed 's|^|/|' | sort) >"$pkg/DEBIAN/conffiles"

# dpkg-shlibdeps wants a debian/control beside the package's tree; it reads nothing from it.
printf 'Source: pocd\n\nPackage: pocd\nArchitecture: any\n' >"$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O debian/pocd/usr/sbin/pocd debian/pocd/usr/bin/poc |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || {
	echo "deb: dpkg-shlibdeps found no library dependencies" >&2
	exit 1
}
# adduser makes the pocd user; tzdata holds the IANA time zones PoCs are checked against; the
# mail sender signs and encrypts with gpg, whose secret keys gpg-agent holds.
depends="$shlibs, adduser, tzdata, gpg, gpg-agent"

size=$(du -k -s --exclude=DEBIAN "$pkg" | cut -f1)
cat >"$pkg/DEBIAN/control" <<CONTROL
Package: pocd
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Section: net
Priority: optional
Description: points-of-contact directory and incident-exchange service
 pocd keeps the directory of the diplomatic and technical points of contact
 of participating states' national CERTs and foreign ministries, carries the
 structured communications they exchange about ICT incidents with their
 deadlines and escalation, runs ping tests that check every contact still
 answers, and records every change and every step of an exchange in a
 transparency log (an RFC 9162 Merkle tree) whose receipts anyone can verify
 offline.
 .
 This package holds the daemon pocd, run as the pocd user by the pocd systemd
 service on an SQLite database in /var/lib/pocd, and the client poc.
CONTROL
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort |
	xargs md5sum) >"$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/conffiles" "$pkg/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out" >/dev/null
echo "deb: $out"
