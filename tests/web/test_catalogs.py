"""The web interface's files, without a browser: every catalog has every key, every key the
code uses is in the catalogs, and every file of web/ is embedded (listed in web/meson.build)."""
import json
import os
import re

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WEB = os.path.join(ROOT, "web")
LANGS = ["ar", "zh", "en", "fr", "ru", "es"]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalog(lang):
    with open(os.path.join(WEB, "i18n", lang + ".json"), encoding="utf-8") as f:
        return json.load(f)


def web_files(ext=None):
    out = []
    for d, _, names in os.walk(WEB):
        for n in names:
            p = os.path.relpath(os.path.join(d, n), WEB)
            if ext is None or p.endswith(ext):
                out.append(p)
    return sorted(out)


def read(rel):
    with open(os.path.join(WEB, rel), encoding="utf-8") as f:
        return f.read()


def used_keys():
    """Keys the code names: t('x.y') calls, any quoted 'section.key' string of a section the
    catalogs have (maps of codes to keys), and data-i18n attributes of the HTML."""
    sections = {k.split(".")[0] for k in catalog("en")}
    keys = {}
    for rel in web_files(".js"):
        for m in re.finditer(r"""['"]([a-z_]+)\.([a-z0-9_]+)['"]""", read(rel)):
            if m.group(1) in sections:
                keys.setdefault(m.group(1) + "." + m.group(2), rel)
    for rel in web_files(".html"):
        for m in re.finditer(r'data-i18n(?:-label)?="([^"]+)"', read(rel)):
            keys.setdefault(m.group(1), rel)
    return keys


def test_catalogs_are_json_objects_of_strings():
    for lang in LANGS:
        c = catalog(lang)
        assert c, lang
        bad = [k for k, v in c.items() if not isinstance(v, str) or not v.strip()]
        assert not bad, (lang, bad)


@pytest.mark.parametrize("lang", [l for l in LANGS if l != "en"])
def test_every_catalog_has_every_key(lang):
    en, other = catalog("en"), catalog(lang)
    missing = sorted(set(en) - set(other))
    extra = sorted(set(other) - set(en))
    assert not missing, "%s.json lacks %s" % (lang, missing)
    assert not extra, "%s.json has keys English lacks: %s" % (lang, extra)


@pytest.mark.parametrize("lang", [l for l in LANGS if l != "en"])
def test_placeholders_agree(lang):
    en, other = catalog("en"), catalog(lang)
    bad = [k for k in en if k in other and
           set(PLACEHOLDER.findall(en[k])) != set(PLACEHOLDER.findall(other[k]))]
    assert not bad, "%s.json: placeholders differ from English in %s" % (lang, bad)


@pytest.mark.parametrize("lang", [l for l in LANGS if l != "en"])
def test_catalogs_are_translated(lang):
    """Most strings differ from English (a few, such as "Communications" in French, may
    not)."""
    en, other = catalog("en"), catalog(lang)
    same = [k for k in en if other.get(k) == en[k]]
    assert len(same) <= len(en) // 20, "%s.json: not translated: %s" % (lang, same)


def test_every_used_key_is_in_the_catalogs():
    used = used_keys()
    assert len(used) > 100, len(used)
    for lang in LANGS:
        c = catalog(lang)
        missing = sorted("%s (%s)" % (k, f) for k, f in used.items() if k not in c)
        assert not missing, "%s.json lacks keys the code uses: %s" % (lang, missing)


def test_every_key_is_used():
    unused = sorted(set(catalog("en")) - set(used_keys()))
    assert not unused, "keys no code uses: %s" % unused


def test_every_file_is_embedded():
    with open(os.path.join(WEB, "meson.build"), encoding="utf-8") as f:
        listed = set(re.findall(r"'([^']+)'", f.read()))
    files = set(web_files()) - {"meson.build"}
    assert files - listed == set(), "in web/ but not in web/meson.build: %s" % sorted(files - listed)
    assert listed & files == listed - {"web_files", "web_files.c", "@OUTPUT@", "@INPUT@",
                                       "../scripts/embed_web.py"}


def test_no_inline_script_or_style():
    """The Content-Security-Policy refuses them: they would not run anyway."""
    for rel in web_files(".html"):
        text = read(rel)
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), rel
        assert "<style" not in text and " style=" not in text, rel
        assert not re.search(r"\son[a-z]+=", text), rel
    for rel in web_files(".js"):
        text = read(rel)
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, rel
        assert ".style." not in text and "'style'" not in text, rel
        assert "localStorage.setItem" not in text or rel == "lib/i18n.js", rel
        assert not re.search(r"\beval\(|new Function\(", text), rel
