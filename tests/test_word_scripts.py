"""Word files as Word reads them: no template leftovers, styles referenced by id, and Hebrew
and Armenian runs whose fonts have their characters, whose direction keeps names in order
and whose language tags are right. (openxml-audit, in test_validators.py, checks the rest.)"""
from __future__ import annotations

import re
import subprocess
import zipfile
from functools import lru_cache

import pytest
from lxml import etree

from briefing.i18n.locale import hebrew_typography

BRIEFS = ["arms-export-oversight", "deca-role", "genocide-recognition"]
LANGS = ["en", "he", "hy"]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
TEXT_PARTS = re.compile(r"word/(document|footnotes|header\d*|footer\d*)\.xml$")


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("brief", BRIEFS)
def test_no_template_leftovers_and_styles_by_id(samples, brief, lang):
    files = parts(samples / lang / f"{brief}.docx")
    assert not [n for n in files if "stylesWithEffects" in n or "thumbnail" in n or n.startswith("customXml/")]
    assert b"stylesWithEffects" not in files["word/_rels/document.xml.rels"]
    app = files["docProps/app.xml"]        # briefing's own, whatever the reference document had
    assert b"Macintosh" not in app and b"<Application>briefing<" in app
    assert b"lastPrinted" not in files["docProps/core.xml"]
    zoom = etree.fromstring(files["word/settings.xml"]).find("w:zoom", NS)
    assert zoom is not None and zoom.get(w("percent")) == "100"
    style_ids = {el.get(w("styleId")) for el in etree.fromstring(files["word/styles.xml"]).iterfind("w:style", NS)}
    for name, data in files.items():
        if TEXT_PARTS.match(name):
            used = {el.get(w("val")) for el in etree.fromstring(data).iter(w("rStyle"), w("pStyle"))}
            assert used <= style_ids, f"{name} names styles that are not ids: {used - style_ids}"


@lru_cache(maxsize=None)
def cmap(family: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont
    path = subprocess.run(["fc-match", "-f", "%{file}", f"{family}:style=Regular"], capture_output=True,
                          text=True, check=True).stdout
    assert family.replace(" ", "") in path.replace(" ", ""), f"{family} is not installed ({path})"
    return frozenset(TTFont(path).getBestCmap())


def _styles(files) -> tuple[dict, str]:
    root = etree.fromstring(files["word/styles.xml"])
    styles = {}
    for el in root.iterfind("w:style", NS):
        fonts = el.find("w:rPr/w:rFonts", NS)
        based = el.find("w:basedOn", NS)
        styles[el.get(w("styleId"))] = (fonts.get(w("cs")) if fonts is not None else None,
                                         based.get(w("val")) if based is not None else None)
    default = root.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS).get(w("cs"))
    return styles, default


def _style_cs(styles, style_id):
    seen = set()
    while style_id and style_id not in seen:
        seen.add(style_id)
        cs, based = styles.get(style_id, (None, None))
        if cs:
            return cs
        style_id = based
    return None


@pytest.mark.parametrize("brief", BRIEFS)
def test_hebrew_right_to_left_runs_have_fonts_with_their_characters(samples, brief):
    """Noto Hebrew has no digits or Latin punctuation: they must not sit in a right-to-left
    run whose complex-script font is Noto Hebrew (Word would fall back to another font)."""
    files = parts(samples / "he" / f"{brief}.docx")
    styles, default = _styles(files)
    checked = 0
    for name, data in files.items():
        if not TEXT_PARTS.match(name):
            continue
        for p in etree.fromstring(data).iter(w("p")):
            p_style = p.find("w:pPr/w:pStyle", NS)
            for r in p.iter(w("r")):
                if r.find("w:rPr/w:rtl", NS) is None:
                    continue
                text = "".join(t.text or "" for t in r.iter(w("t")))
                if r.find("w:footnoteReference", NS) is not None:
                    text += "0123456789"
                fonts = r.find("w:rPr/w:rFonts", NS)
                r_style = r.find("w:rPr/w:rStyle", NS)
                family = (fonts.get(w("cs")) if fonts is not None else None) \
                    or (_style_cs(styles, r_style.get(w("val"))) if r_style is not None else None) \
                    or (_style_cs(styles, p_style.get(w("val"))) if p_style is not None else None) or default
                missing = {c for c in text if ord(c) not in cmap(family)}
                assert not missing, f"{name}: {sorted(missing)} in a right-to-left run drawn with {family}: {text!r}"
                checked += 1
    assert checked > 100


def _runs(data: bytes):
    for r in etree.fromstring(data).iter(w("r")):
        yield r, "".join(t.text or "" for t in r.iter(w("t")))


def test_latin_names_stay_one_left_to_right_run_in_hebrew(samples):
    """'Briefing samples' split as Latin | right-to-left space | Latin shows reversed in Word."""
    texts = [text for _, text in _runs(parts(samples / "he" / "deca-role.docx")["word/document.xml"])]
    assert "Briefing samples" in texts


def test_hebrew_footnote_separators_are_right_to_left(samples):
    root = etree.fromstring(parts(samples / "he" / "deca-role.docx")["word/footnotes.xml"])
    separators = [fn for fn in root.iterfind("w:footnote", NS) if fn.get(w("type"))]
    assert len(separators) == 2
    assert all(fn.find("w:p/w:pPr/w:bidi", NS) is not None for fn in separators)
    english = etree.fromstring(parts(samples / "en" / "deca-role.docx")["word/footnotes.xml"])
    assert english.find("w:footnote/w:p/w:pPr/w:bidi", NS) is None


def test_hebrew_as_of_keeps_its_prefix_with_the_date(samples):
    assert hebrew_typography("נכון ל-{date}") == "נכון ל\u2011{date}"
    text = "".join(t for _, t in _runs(parts(samples / "he" / "arms-export-oversight.docx")["word/document.xml"]))
    assert "נכון ל\u2011" in text and "נכון ל-" not in text


def test_hebrew_single_quoted_quotation_closes_with_a_quotation_mark():
    assert hebrew_typography("איך נוכל לומר 'לעולם לא עוד'?") == "איך נוכל לומר \u2019לעולם לא עוד\u2019?"
    assert hebrew_typography("עמ' 4, אזרבייג'ן") == "עמ\u05f3 4, אזרבייג\u05f3ן"


@pytest.mark.parametrize("brief", BRIEFS)
def test_armenian_files_tag_english_words_en_us(samples, brief):
    files = parts(samples / "hy" / f"{brief}.docx")
    latin = armenian = 0
    for name, data in files.items():
        if not TEXT_PARTS.match(name):
            continue
        for r, text in _runs(data):
            lang = r.find("w:rPr/w:lang", NS)
            tag = lang.get(w("val")) if lang is not None else None
            if re.search(r"[A-Za-z]", text):
                assert tag == "en-US", f"{name}: {text!r} is tagged {tag}"
                latin += 1
            if re.search(r"[\u0531-\u0587]", text):
                assert tag == "hy-AM", f"{name}: {text!r} is tagged {tag}"
                armenian += 1
    assert latin and armenian


@pytest.mark.parametrize("brief", BRIEFS)
def test_hebrew_notes_quote_english_titles_with_english_marks(samples, brief):
    """Round 3 (he 1): an English title in a Hebrew note showed as ”Israel’s Arms Export…”
    (the Hebrew mark, closing-shaped, before its first word) inside its left-to-right run.
    Both writers: the PDF's HTML and the Word footnotes."""
    html = (samples / "he" / f"{brief}.html").read_text(encoding="utf-8")
    assert not re.search(r'<bdi[^>]*dir="ltr"[^>]*>\u201d[A-Za-z]', html)
    quoted = re.findall(r'<bdi[^>]*dir="ltr"[^>]*>(\u201c[A-Za-z][^<]*\u201d)</bdi>', html)
    assert quoted, "no English title in the notes: the test proves nothing"
    notes = "".join(t for _, t in _runs(parts(samples / "he" / f"{brief}.docx")["word/footnotes.xml"]))
    notes = notes.replace("\u00a0", " ").replace("\u2011", "-")   # a short title never breaks in Word
    assert not re.search(r"\u201d[A-Za-z]", notes)
    assert all(title in notes for title in quoted)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("brief", BRIEFS)
def test_word_keeps_the_facts_table_and_an_objection_with_its_response_on_one_page(samples, brief, lang):
    """Round 3 (he 5, 6): in Word (LibreOffice) the key facts table split across pages and an
    objection ended a page whose next began with its response; the PDF keeps both together.
    Word's way: rows that cannot split and whose paragraphs keep with the next row; the
    objection keeps with its response, neither paragraph split."""
    root = etree.fromstring(parts(samples / lang / f"{brief}.docx")["word/document.xml"])
    tables = root.findall("w:body/w:tbl", NS)
    assert tables, "no key facts table"
    for table in tables:
        rows = table.findall("w:tr", NS)
        assert len(rows) > 1
        assert all(row.find("w:trPr/w:cantSplit", NS) is not None for row in rows)
        for row in rows[:-1]:
            assert all(p.find("w:pPr/w:keepNext", NS) is not None for p in row.iter(w("p")))
    paragraphs = root.findall("w:body/w:p", NS)
    style = [p.find("w:pPr/w:pStyle", NS) for p in paragraphs]
    style = [s.get(w("val")) if s is not None else "" for s in style]
    pairs = [i for i in range(len(paragraphs) - 1) if style[i] == "Objection" and style[i + 1] == "Response"]
    assert pairs, "no objection with a response: the test proves nothing"
    for i in pairs:
        assert paragraphs[i].find("w:pPr/w:keepNext", NS) is not None
        assert all(paragraphs[j].find("w:pPr/w:keepLines", NS) is not None for j in (i, i + 1))
