"""Word files carry their fonts (ECMA-376 §17.8.1: obfuscated TrueType subsets), so Word shows
Noto on a machine without it; and a printed web address never breaks at one of its hyphens.

The font checks read the package with an obfuscation written here from the standard (not the
writer's), parse each font with fontTools and compare it with the document's own text."""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import need, pdftotext

BRIEFS = ["arms-export-oversight", "deca-role", "genocide-recognition"]
LANGS = ["en", "he", "hy"]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
FONT_RT = R + "/font"
ODTTF = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
SCRIPT_FONTS = {"en": set(), "he": {"Noto Serif Hebrew", "Noto Sans Hebrew"},
                "hy": {"Noto Serif Armenian", "Noto Sans Armenian"}}
SCRIPT = {"he": "HEBREW", "hy": "ARMENIAN"}
TEXT_PARTS = re.compile(r"word/(document|footnotes|header\d*|footer\d*)\.xml$")
GUID = re.compile(r"^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$")


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def deobfuscate(data: bytes, key: str) -> bytes:
    """§17.8.1: the key's 32 hex digits read as 16 bytes from the last to the first, XORed
    over the first 32 bytes of the font."""
    digits = key.strip("{}").replace("-", "")
    mask = [int(digits[i:i + 2], 16) for i in range(30, -1, -2)]
    return bytes(b ^ mask[i % 16] for i, b in enumerate(data[:32])) + data[32:]


def embedded_fonts(path: Path) -> dict[tuple[str, str], dict]:
    """(family, 'Regular'|'Bold'|...) -> {'font': TTFont, 'key': ..., 'subsetted': ...} of a .docx."""
    from fontTools.ttLib import TTFont
    with zipfile.ZipFile(path) as z:
        types = etree.fromstring(z.read("[Content_Types].xml"))
        overrides = {el.get("PartName"): el.get("ContentType") for el in types if el.get("PartName")}
        defaults = {el.get("Extension"): el.get("ContentType") for el in types if el.get("Extension")}
        rels = {el.get("Id"): el for el in etree.fromstring(z.read("word/_rels/fontTable.xml.rels"))}
        table = etree.fromstring(z.read("word/fontTable.xml"))
        out = {}
        for font in table.iter(w("font")):
            for embed in font:
                if not etree.QName(embed).localname.startswith("embed"):
                    continue
                rel = rels[embed.get(f"{{{R}}}id")]
                assert rel.get("Type") == FONT_RT and rel.get("TargetMode") != "External"
                name = "word/" + rel.get("Target").lstrip("/").removeprefix("word/")
                assert overrides.get("/" + name, defaults.get(name.rsplit(".", 1)[-1])) == ODTTF
                key = embed.get(w("fontKey"))
                data = z.read(name)
                plain = deobfuscate(data, key)
                out[(font.get(w("name")), etree.QName(embed).localname[5:])] = {
                    "font": TTFont(io.BytesIO(plain)), "key": key, "raw": data, "plain": plain,
                    "subsetted": embed.get(w("subsetted"))}
        return out


def plain_body_text(path: Path) -> str:
    """The text of Normal paragraphs' runs with no style, bold or italic of their own."""
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    out = []
    for p in root.iter(w("p")):
        style = p.find(f"{w('pPr')}/{w('pStyle')}")
        if style is not None and style.get(w("val")) != "Normal":
            continue
        for r in p.iter(w("r")):
            props = r.find(w("rPr"))
            if props is None or all(props.find(w(tag)) is None for tag in ("b", "i", "rStyle")):
                out += [t.text or "" for t in r.iter(w("t"))]
    return "".join(out)


def document_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(t.text or "" for name in z.namelist() if TEXT_PARTS.match(name)
                       for t in etree.fromstring(z.read(name)).iter(w("t")))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("brief", BRIEFS)
def test_fonts_are_embedded_and_cover_the_text(samples, brief, lang):
    path = samples / lang / f"{brief}.docx"
    fonts = embedded_fonts(path)
    families = {family for family, _ in fonts}
    assert {"Noto Serif", "Noto Sans"} | SCRIPT_FONTS[lang] <= families
    assert ("Noto Serif", "Regular") in fonts and ("Noto Serif", "Bold") in fonts
    for (family, face), item in fonts.items():
        font = item["font"]
        assert GUID.match(item["key"]) and item["subsetted"] == "1"
        assert item["raw"][:32] != item["plain"][:32], "the part is obfuscated"
        assert font["name"].getDebugName(1) == family and font["name"].getDebugName(4)
        assert not font["OS/2"].fsType & 0x0302, "the font's licence lets it be embedded and subset"
        assert "glyf" in font
        bold = bool(font["OS/2"].fsSelection & 0x20)
        italic = bool(font["OS/2"].fsSelection & 0x01)
        assert (bold, italic) == ("Bold" in face, "Italic" in face)
    # every letter of the text is in an embedded face of its script's fonts; each face holds
    # the document's characters and the fixed repertoire only (a subset, the same one for every
    # document); plain body text is in the body's regular face
    text = document_text(path)
    script = {ch for ch in text if lang in SCRIPT and SCRIPT[lang] in unicodedata.name(ch, "")}
    latin = {ch for ch in text if ch.isascii() and ch.isalnum()}
    for families, letters in ((SCRIPT_FONTS[lang], script), ({"Noto Serif", "Noto Sans"}, latin)):
        covered = set().union(*(item["font"].getBestCmap() for (family, _), item in fonts.items()
                                if family in families))
        assert not {ch for ch in letters if ord(ch) not in covered}
    if lang != "en":
        assert script, "the document has text in its own script"
    from briefing.render.docx_fonts import REPERTOIRE
    allowed = {ord(ch) for ch in text + "0123456789 -\u2011" + REPERTOIRE}
    for key, item in fonts.items():
        assert set(item["font"].getBestCmap()) <= allowed, f"{key} holds characters the document lacks"
    body = {"he": "Noto Serif Hebrew", "hy": "Noto Serif Armenian"}.get(lang, "Noto Serif")
    plain = plain_body_text(path)
    letters = {ch for ch in plain if (script and ch in script) or (lang == "en" and ch in latin)}
    assert letters and {ord(ch) for ch in letters} <= set(fonts[(body, "Regular")]["font"].getBestCmap())
    # subsets: far smaller than the installed fonts
    assert sum(len(item["raw"]) for item in fonts.values()) < 600_000
    with zipfile.ZipFile(path) as z:
        settings = etree.fromstring(z.read("word/settings.xml"))
    names = [etree.QName(el).localname for el in settings]
    assert names.index("embedTrueTypeFonts") < names.index("saveSubsetFonts")


def test_font_key_round_trips_and_output_is_reproducible(tmp_path):
    from briefing.render import docx_fonts
    data = bytes(range(256)) * 4
    key = docx_fonts.font_key(data)
    assert GUID.match(key) and key == docx_fonts.font_key(data) and key != docx_fonts.font_key(data[1:])
    hidden = docx_fonts.obfuscate(data, key)
    assert hidden[32:] == data[32:] and hidden[:32] != data[:32]
    assert deobfuscate(hidden, key) == data == docx_fonts.obfuscate(hidden, key)
    # the same document written again, in a worker process and in this one, its subsets cut
    # again, gives the same bytes (the build cache and the golden files rely on it)
    from conftest import ROOT, run_cli
    made = []
    for jobs in ("1", "0"):
        docx_fonts.subset_font.cache_clear()
        out = tmp_path / jobs
        code, stdout, stderr = run_cli("build", "--project", str(ROOT), "--out", str(out), "--brief", "deca-role",
                                       "--lang", "hy", "--format", "docx", "--jobs", jobs)
        assert code == 0, stdout + stderr
        made.append((out / "hy" / "deca-role.docx").read_bytes())
    assert made[0] == made[1] and b"word/fonts/font1.odttf" in made[0]


@pytest.mark.clients
@pytest.mark.parametrize("lang", ["he", "hy"])
def test_libreoffice_uses_the_embedded_fonts_without_noto_installed(samples, lang, tmp_path):
    """LibreOffice with fontconfig showing it no Noto font still sets the text in Noto."""
    need("soffice", "pdffonts", "fc-match")
    other = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True).stdout
    if "noto" in other.lower() or not other:
        pytest.skip("needs a font that is not Noto")
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{Path(other).parent}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>")
    env = {**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")}
    listed = subprocess.run(["fc-list"], capture_output=True, text=True, env=env).stdout
    assert "Noto" not in listed
    source = samples / lang / "arms-export-oversight.docx"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(source)], env=env, capture_output=True, check=True,
                   timeout=180)
    report = subprocess.run(["pdffonts", str(tmp_path / "arms-export-oversight.pdf")], capture_output=True,
                            text=True, check=True).stdout
    used = {line.split()[0].split("+")[-1] for line in report.splitlines()[2:]}
    script = {"he": "Hebrew", "hy": "Armenian"}[lang]
    assert {f"NotoSerif{script}-Regular", f"NotoSans{script}-Bold", "NotoSerif-Regular", "NotoSans-Regular"} <= used


# --- web addresses ------------------------------------------------------------------------------
def _address_links(path: Path):
    """(target, shown text) of each hyperlink whose text is a web address, in every part."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not TEXT_PARTS.match(name):
                continue
            rels_name = name.replace("word/", "word/_rels/") + ".rels"
            if rels_name not in z.namelist():
                continue
            targets = {el.get("Id"): el.get("Target") for el in etree.fromstring(z.read(rels_name))}
            for link in etree.fromstring(z.read(name)).iter(w("hyperlink")):
                shown = "".join("-" if el.tag == w("noBreakHyphen") else el.text or ""
                                for el in link.iter(w("t"), w("noBreakHyphen")))
                if re.match(r"https?://|www\.", shown):
                    yield targets[link.get(f"{{{R}}}id")], shown, link


@pytest.mark.parametrize("lang", LANGS)
def test_web_address_has_no_breakable_hyphen_and_its_link_is_exact(samples, lang):
    path = samples / lang / "arms-export-oversight.docx"
    links = list(_address_links(path))
    assert any("-" in target for target, _, _ in links)
    for target, shown, link in links:
        assert shown == target
        assert not [t.text for t in link.iter(w("t")) if "-" in (t.text or "") or "\u2011" in (t.text or "")]


@pytest.mark.clients
def test_pandoc_reads_the_exact_link_and_a_no_break_hyphen(samples):
    need("pandoc")
    path = samples / "he" / "arms-export-oversight.docx"
    doc = json.loads(subprocess.run(["pandoc", "-f", "docx", "-t", "json", str(path)], capture_output=True,
                                    text=True, check=True).stdout)
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") == "Link":
                text = "".join(i.get("c", "") for i in node["c"][1] if i["t"] == "Str")
                found.append((node["c"][2][0], text))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(doc)
    addresses = [(target, text) for target, text in found if text.startswith(("http", "www."))]
    assert addresses and any("-" in target for target, _ in addresses)
    for target, text in addresses:
        assert text.replace("\u2011", "-") == target and "-" not in text


@pytest.mark.clients
@pytest.mark.parametrize("lang", LANGS)
def test_libreoffice_never_cuts_a_web_address_at_a_hyphen(samples, lang, tmp_path):
    from conftest import soffice_pdf
    text = pdftotext(soffice_pdf(samples / lang / "arms-export-oversight.docx", tmp_path))
    for line in text.splitlines():
        words = line.replace("\u200e", " ").replace("\u200f", " ").replace("\u202a", " ").replace(
            "\u202b", " ").replace("\u202c", " ").split()
        for word in words[:1] + words[-1:]:
            if "://" in word or word.startswith("www."):
                assert not re.search(r"[-\u2011]$", word), f"a web address cut at {word!r}"


def test_a_subset_is_made_once_per_machine_and_a_damaged_copy_is_not_used(tmp_path, monkeypatch):
    from briefing.render import docx_fonts
    path = docx_fonts._installed().get(("Noto Serif", "Regular"))
    if path is None:
        pytest.skip("Noto Serif is not installed")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for cache in (docx_fonts._cache_dir, docx_fonts.subset_font):
        cache.cache_clear()
    made = docx_fonts.subset_font(path, "abc")
    stored = list((tmp_path / "briefing" / "font-subsets").iterdir())
    assert len(stored) == 1 and stored[0].read_bytes()[:-32] == made
    docx_fonts.subset_font.cache_clear()
    stored[0].write_bytes(b"\0" * 64 + stored[0].read_bytes()[64:])   # damaged on disk
    assert docx_fonts.subset_font(path, "abc") == made
    assert stored[0].read_bytes()[:-32] == made, "made again and stored again"
    docx_fonts._cache_dir.cache_clear()
    docx_fonts.subset_font.cache_clear()
