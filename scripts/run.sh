#!/bin/sh
# make run: creates the demo database on first use, prints the demo logins, serves on :8080.
set -eu
cd "$(dirname "$0")/.."
db=var/pocd.db
mkdir -p var
chmod 700 var
if [ ! -f "$db" ]; then
	build/pocd init --db "$db" --demo
fi
/usr/bin/python3 - "$db.credentials.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
print("Demo logins (also in %s):" % sys.argv[1])
s = c["secretariat"]
print("  %-22s %-24s %s" % ("Secretariat", s["username"], s["password"]))
for code, accts in sorted(c["states"].items()):
    for slot in ("admin", "admin2", "officer"):
        a = accts[slot]
        print("  %-22s %-24s %s" % (code + " " + slot, a["username"], a["password"]))
print("API: http://127.0.0.1:8080/api/v1  (try: build/poc login fra-admin)")
PY
exec build/pocd serve --db "$db" --listen 127.0.0.1:8080
