#!/usr/bin/env python3
"""Writes a C file with the web interface's files: the table of src/api/web.h.

usage: embed_web.py WEBDIR OUT FILE...

Each FILE is served at its path under WEBDIR ("web/i18n/en.json" at "/i18n/en.json"), with the
media type its extension names and an ETag made of its bytes. An extension outside the table
below fails the build rather than go out with a guessed type.
"""
import hashlib
import os
import sys

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}


def main():
    webdir, out, inputs = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3:]
    files = []
    for src in inputs:
        rel = os.path.relpath(os.path.abspath(src), webdir)
        if rel.startswith("..") or "\\" in rel or '"' in rel:
            sys.exit("embed_web.py: %s is not a plain file under %s" % (src, webdir))
        ext = os.path.splitext(rel)[1]
        if ext not in TYPES:
            sys.exit("embed_web.py: %s: no media type for %r" % (src, ext))
        with open(src, "rb") as f:
            data = f.read()
        files.append(("/" + rel, TYPES[ext], data))
    files.sort()
    with open(out, "w") as f:
        f.write("/* Generated from web/ by scripts/embed_web.py. */\n")
        f.write('#include "api/web.h"\n\n')
        for i, (_, _, data) in enumerate(files):
            f.write("static const unsigned char f%d[] = {\n" % i)
            for j in range(0, len(data), 20):
                f.write("".join("%d," % b for b in data[j:j + 20]) + "\n")
            f.write("0};\n")
        f.write("\nconst struct web_file web_files[] = {\n")
        for i, (path, ctype, data) in enumerate(files):
            etag = hashlib.sha256(data).hexdigest()[:32]
            f.write('    {"%s", "%s", f%d, %d, "\\"%s\\""},\n' % (path, ctype, i, len(data), etag))
        f.write("};\nconst size_t web_nfiles = %d;\n" % len(files))


main()
