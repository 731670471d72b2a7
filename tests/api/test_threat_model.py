"""docs/threat-model.md names, for each defence, the tests that cover it: each one it names
exists, so that the page cannot go on citing a test that was renamed or removed."""
import os
import re

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
DOC = os.path.join(ROOT, "docs", "threat-model.md")


def _cited():
    """(file, test) pairs the page cites: `file.py::test` (under tests/api/, or a path from the
    top such as `tests/web/test_csp.py::test`), and `::test` after one of them."""
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    out, last = [], None
    for m in re.finditer(r"`(?:([\w/]+\.py))?::(\w+)`", text):
        last = m.group(1) or last
        assert last is not None, "a ::test before any file: %s" % m.group(0)
        out.append((last, m.group(2)))
    files = re.findall(r"`((?:tests/unit|fuzz)/\w+\.c)`", text)
    return out, files


def test_every_cited_test_exists():
    tests, files = _cited()
    assert len(tests) >= 40, "the page cites too few tests to be read"
    for name, test in tests:
        p = os.path.join(ROOT, name) if "/" in name else os.path.join(ROOT, "tests", "api", name)
        assert os.path.exists(p), name
        with open(p, encoding="utf-8") as f:
            assert re.search(r"^(async )?def %s\(" % test, f.read(), re.M), "%s::%s" % (name, test)
    for name in files:
        assert os.path.exists(os.path.join(ROOT, name)), name
