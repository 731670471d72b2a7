#!/bin/sh
# make install: copies what make build made, the man pages, the systemd unit, the example
# configuration and the operator's documentation under $DESTDIR$PREFIX (PREFIX default
# /usr/local), the configuration under $DESTDIR$SYSCONFDIR/pocd (default /etc/pocd).
#   pocd -> PREFIX/sbin: a daemon started by the init system and run by the administrator;
#   poc  -> PREFIX/bin: the client, for every user.
# The unit goes to /lib/systemd/system when PREFIX is /usr (where Debian 12 keeps packaged
# units), otherwise to PREFIX/lib/systemd/system (UNITDIR overrides both). An existing
# pocd.conf is never overwritten. Creates no user and no database: see docs/operations.md.
set -eu
cd "$(dirname "$0")/.."

PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
SYSCONFDIR=${SYSCONFDIR:-/etc}
BUILD=${BUILD:-build}
case $PREFIX in
/*) ;;
*)
	echo "install: PREFIX must be an absolute path, not '$PREFIX'" >&2
	exit 2
	;;
esac
if [ -z "${UNITDIR:-}" ]; then
	if [ "$PREFIX" = /usr ]; then UNITDIR=/lib/systemd/system; else UNITDIR=$PREFIX/lib/systemd/system; fi
fi
for f in "$BUILD/pocd" "$BUILD/poc"; do
	[ -x "$f" ] || {
		echo "install: $f is missing: run make build first" >&2
		exit 1
	}
done

sbindir=$PREFIX/sbin
bindir=$PREFIX/bin
mandir=$PREFIX/share/man
docdir=$PREFIX/share/doc/pocd
confdir=$SYSCONFDIR/pocd

install -d -m 0755 "$DESTDIR$sbindir" "$DESTDIR$bindir" "$DESTDIR$mandir/man1" \
	"$DESTDIR$mandir/man8" "$DESTDIR$docdir" "$DESTDIR$UNITDIR" "$DESTDIR$confdir"
install -m 0755 "$BUILD/pocd" "$DESTDIR$sbindir/pocd"
install -m 0755 "$BUILD/poc" "$DESTDIR$bindir/poc"
install -m 0644 man/pocd.8 "$DESTDIR$mandir/man8/pocd.8"
install -m 0644 man/poc.1 "$DESTDIR$mandir/man1/poc.1"
install -m 0644 README.md docs/operations.md "$DESTDIR$docdir/"

unit=$(mktemp)
trap 'rm -f "$unit"' EXIT
sed -e "s|@SBINDIR@|$sbindir|g" -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" -e "s|@DOCDIR@|$docdir|g" \
	packaging/pocd.service.in >"$unit"
install -m 0644 "$unit" "$DESTDIR$UNITDIR/pocd.service"

install -m 0644 packaging/pocd.conf.example "$DESTDIR$confdir/pocd.conf.example"
if [ -e "$DESTDIR$confdir/pocd.conf" ]; then
	echo "install: keeping the existing $DESTDIR$confdir/pocd.conf" >&2
else
	install -m 0644 packaging/pocd.conf "$DESTDIR$confdir/pocd.conf"
fi
