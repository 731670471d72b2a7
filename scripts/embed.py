#!/usr/bin/env python3
"""Writes a C file defining one const char array with the bytes of a data file."""
import sys

src, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(src, "rb").read()
with open(out, "w") as f:
    f.write("/* Generated from %s by scripts/embed.py. */\n" % src.split("/")[-1])
    f.write("#include <stddef.h>\n")
    f.write("extern const char %s[];\nextern const size_t %s_len;\n" % (name, name))
    f.write("const char %s[] = {\n" % name)
    for i in range(0, len(data), 16):
        f.write("".join("%d," % b for b in data[i:i + 16]) + "\n")
    f.write("0};\nconst size_t %s_len = %d;\n" % (name, len(data)))
