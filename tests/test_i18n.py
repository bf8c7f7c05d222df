"""Hebrew and Armenian: catalogs, translators' safety net, fallbacks, locale formatting,
and right-to-left output checked with real clients."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from babel.messages.pofile import read_po
from lxml import etree

from briefing.i18n.catalogs import read_catalog
from briefing.i18n.locale import Lang
from briefing.pipeline import compose, load_project
from briefing.project import Project
from conftest import ROOT, need, pdftotext, run_cli, soffice_pdf

BRIEFS = ["arms-export-oversight", "deca-role", "genocide-recognition"]
PO_FILES = sorted((ROOT / "locales").glob("*/LC_MESSAGES/*.po"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEBREW = re.compile(r"[\u0590-\u05ff]")


def words(text: str) -> set[str]:
    # direction marks stand between runs where a space was: split there too
    return set(re.findall(r"[^\W\d_]{2,}", re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", " ", text).lower()))


def msgstr_words(po: Path) -> set[str]:
    """Words of the translations the document shows (a fact label outside the facts box is not shown)."""
    with open(po, "rb") as fh:
        cat = read_po(fh)
    lang, brief = po.parent.parent.name, po.stem
    shown = compose(load_project(Project.open(ROOT), [brief]), brief, lang).shown
    out: set[str] = set()
    for msg in cat:
        if msg.id and msg.string and (msg.id, msg.context) in shown:
            text = re.sub(r"\{\w+\}|\[@[^\]]*\]|\]\([^)]*\)", " ", msg.string)
            out |= words(text)
    return out


# --- catalogs -------------------------------------------------------------------------

def test_every_catalog_is_complete():
    code, out, err = run_cli("translate", "status", "--json", "--project", str(ROOT))
    rows = json.loads(out)
    assert {(r["brief"], r["language"]) for r in rows} == {(b, lang) for b in BRIEFS + ["template"]
                                                          for lang in ("he", "hy")}
    assert all(r["percent"] == 100.0 and r["invalid"] == 0 for r in rows), rows


@pytest.mark.clients
@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_msgfmt_and_pofilter_accept(po, tmp_path):
    need("msgfmt")
    result = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lang = po.parent.parent.name
    out = tmp_path / "pofilter"
    pofilter = shutil.which("pofilter") or str(Path(__import__("sys").executable).parent / "pofilter")
    subprocess.run([pofilter, "-t", "pythonbraceformat", "-t", "numbers", "-t", "xmltags", "-t", "urls",
                    f"--language={lang}", str(po), str(out)], capture_output=True, check=True)
    complaints = out.read_text(encoding="utf-8") if out.is_file() else ""
    assert "msgid" not in complaints.split("msgstr", 1)[-1] and "(pofilter)" not in complaints, complaints


def test_plural_forms_headers():
    for po in PO_FILES:
        text = po.read_text(encoding="utf-8")
        lang = po.parent.parent.name
        expected = {"he": "nplurals=3; plural=(n == 1) ? 0 : ((n == 2) ? 1 : 2);",
                    "hy": "nplurals=2; plural=(n > 1);"}[lang]
        assert f'"Plural-Forms: {expected}\\n"' in text, po


def test_catalog_entries_point_at_the_brief():
    text = (ROOT / "locales" / "he" / "LC_MESSAGES" / "deca-role.po").read_text(encoding="utf-8")
    assert re.search(r'#: briefs/deca-role\.yaml:\d+\nmsgctxt "title"', text)
    assert 'msgctxt "sections.spyware.arguments.1.claim"' in text
    assert "#, python-brace-format" in text and "python-format" not in text.replace("python-brace-format", "")


# --- a copy of the project that tests may edit ----------------------------------------

@pytest.fixture
def project(tmp_path) -> Path:
    dest = tmp_path / "p"
    for name in ("briefs", "sources", "locales", "templates"):
        shutil.copytree(ROOT / name, dest / name)
    return dest


def set_translation(po: Path, ctx: str, new: str) -> None:
    text = po.read_text(encoding="utf-8")
    i = text.index(f'msgctxt "{ctx}"')
    j = text.index("msgstr ", i)
    k = text.index("\n\n", j)
    po.write_text(text[:j] + "msgstr " + json.dumps(new, ensure_ascii=False) + text[k:], encoding="utf-8")


@pytest.mark.parametrize("english,translation,ok", [
    ("Since the 1990s [@x].", "מאז שנות ה-90 [@x].", True),      # a decade, as Hebrew writes it
    ("Since the 1990s [@x].", "מאז שנות ה-1990 [@x].", True),
    ("Since the 1990s [@x].", "מאז שנות ה-80 [@x].", False),
    ("Since 1990 [@x].", "מאז 90 [@x].", False),                  # a year is not a decade
])
def test_a_decade_may_be_written_short(english, translation, ok):
    from briefing.i18n.catalogs import translation_problems
    assert (translation_problems(english, translation) == []) is ok


@pytest.mark.parametrize("ctx,broken,problem,english", [
    ("summary.1", "מאז {deca_sinse} פועל אפ\"י [@blankspot-2023].",
     "placeholder mismatch: drops {deca_since} and adds {deca_sinse}", "Defense Export Controls Agency (DECA) was established"),
    ("summary.2", "המבחן שלו הוא אם העסקה משרתת את האינטרסים של ישראל.", "citation mismatch: drops [@blankspot-2023]",
     "only concern is that Israeli weapons do not end up"),
    ("sections.spyware.arguments.1.evidence.3",
     "לדברי מרטירוסיאן, הטלפון נתקף {naghdalyan_targeted} פעמים במלחמה בת 45 ימים [@blankspot-2023].",
     "numbers differ", "The phone of Anna Naghdalyan"),
    ("title", "<b>מה בודק</b> מפקח הייצוא", "adds markup '<b>'", "<h1><bdi dir=\"ltr\">What Israel"),
    ("subtitle", "אגף הפיקוח \u202eעל הייצוא", "contains the invisible bidi control U+202E",
     "The Defense Export Controls Agency, spyware sales"),
])
def test_broken_translation_is_reported_and_not_used(project, ctx, broken, problem, english, tmp_path):
    po = project / "locales" / "he" / "LC_MESSAGES" / "deca-role.po"
    set_translation(po, ctx, broken)
    code, out, err = run_cli("translate", "check", "--project", str(project), "--lang", "he")
    assert code == 1
    line = next(l for l in err.splitlines() if problem in l)
    assert re.match(r"locales/he/LC_MESSAGES/deca-role\.po:\d+: error: translation of \"", line), line
    # the build uses the English text instead, and says so
    code, out, err = run_cli("build", "--project", str(project), "--brief", "deca-role", "--lang", "he",
                             "--format", "html", "--out", str(tmp_path / "o"), "--jobs", "0")
    assert code == 0
    assert re.search(r"deca-role \[he\]: 1 of \d+ strings shown in English \(1 invalid\)", err)
    html = (tmp_path / "o" / "he" / "deca-role.html").read_text(encoding="utf-8")
    assert english in html.replace("&#39;", "'").replace("’", "'")
    assert "\u202e" not in html and "<b>מה" not in html


def test_links_must_stay(project):
    po = project / "locales" / "he" / "LC_MESSAGES" / "template.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgid "archived at {url}"\nmsgstr "', 'msgid "archived at {url}"\nmsgstr "https://evil.example ')
    po.write_text(text, encoding="utf-8")
    code, out, err = run_cli("translate", "check", "--project", str(project), "--lang", "he")
    assert code == 1 and "links differ from the English" in err


def test_edited_english_gives_exactly_one_fuzzy_per_language(project, tmp_path):
    brief = project / "briefs" / "deca-role.yaml"
    old = ("DECA licenses Israel's defence exports; its published guidelines include national security, "
           "foreign policy, regional stability and \"human rights aspects\" [@deca-mod].")
    brief.write_text(brief.read_text().replace(old, old.replace("licenses", "grants licences for")))
    code, out, err = run_cli("translate", "extract", "--project", str(project))
    assert code == 0
    code, out, err = run_cli("translate", "update", "--project", str(project))
    assert code == 0, err
    assert "updated locales/he/LC_MESSAGES/deca-role.po: 0 new, 1 fuzzy, 0 obsolete" in out
    assert "updated locales/hy/LC_MESSAGES/deca-role.po: 0 new, 1 fuzzy, 0 obsolete" in out
    for lang in ("he", "hy"):
        po = project / "locales" / lang / "LC_MESSAGES" / "deca-role.po"
        cat = read_catalog(po, po.name, lang).catalog
        fuzzy = [m for m in cat if m.id and m.fuzzy]
        assert len(fuzzy) == 1
        assert fuzzy[0].previous_id == [old]
        assert fuzzy[0].string  # the old translation stays for the translator to adjust
        if shutil.which("msgfmt"):
            assert subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)]).returncode == 0
        assert any(line.startswith("#|") and '"DECA licenses' in line  # a valid '#|' comment
                   for line in po.read_text(encoding="utf-8").splitlines())
    # a second update changes nothing and keeps the previous msgid for the translator
    code, out, err = run_cli("translate", "update", "--project", str(project))
    assert "catalogs are up to date" in out
    assert any(line.startswith("#|") and '"DECA licenses' in line
               for line in (project / "locales/he/LC_MESSAGES/deca-role.po").read_text(encoding="utf-8").splitlines())
    code, out, err = run_cli("build", "--project", str(project), "--brief", "deca-role", "--lang", "he",
                             "--format", "html", "--out", str(tmp_path / "o"), "--jobs", "0")
    assert code == 0
    assert re.search(r"deca-role \[he\]: 1 of \d+ strings shown in English \(1 fuzzy\)", err)
    assert "grants licences for Israel" in (tmp_path / "o" / "he" / "deca-role.html").read_text(encoding="utf-8")
    code, out, err = run_cli("build", "--project", str(project), "--brief", "deca-role", "--lang", "he",
                             "--format", "html", "--out", str(tmp_path / "o2"), "--strict", "--jobs", "0")
    assert code == 1 and not (tmp_path / "o2" / "he" / "deca-role.html").exists()
    code, out, err = run_cli("build", "--project", str(project), "--brief", "deca-role", "--lang", "he",
                             "--format", "html,docx", "--out", str(tmp_path / "o3"), "--show-untranslated",
                             "--jobs", "0")
    assert code == 0
    html = (tmp_path / "o3" / "he" / "deca-role.html").read_text(encoding="utf-8")
    assert re.search(r'<bdi class="untranslated" dir="ltr">DECA grants licences', html)
    with zipfile.ZipFile(tmp_path / "o3" / "he" / "deca-role.docx") as z:
        assert '<w:highlight w:val="yellow"/>' in z.read("word/document.xml").decode()


def test_new_strings_arrive_empty_and_removed_become_obsolete(project):
    brief = project / "briefs" / "deca-role.yaml"
    text = brief.read_text()
    text = text.replace("ask: Hold a hearing on DECA's", "ask: Hold a public hearing on DECA's")
    brief.write_text(text)
    brief.write_text(text.replace("recommendations:\n", "recommendations:\n  - to: editors\n    ask: Check every number.\n"))
    code, out, err = run_cli("translate", "update", "--project", str(project), "--lang", "hy")
    # the recommendations below the inserted one keep their translations; the edited one turns fuzzy
    assert "updated locales/hy/LC_MESSAGES/deca-role.po: 2 new, 1 fuzzy, 0 obsolete" in out, out
    with open(project / "locales" / "hy" / "LC_MESSAGES" / "deca-role.po", "rb") as fh:
        cat = read_po(fh)
    new = cat.get("Check every number.", context="recommendations.1.ask")
    assert new is not None and new.string == ""
    moved = cat.get("the Knesset", context="recommendations.4.to")
    assert moved is not None and moved.string and not moved.fuzzy
    edited = read_catalog(project / "locales" / "hy" / "LC_MESSAGES" / "deca-role.po", "x", "hy").catalog.get(
        "Hold a public hearing on DECA's licensing criteria and on its oversight of spyware exports.",
        context="recommendations.4.ask")
    assert edited.fuzzy and edited.previous_id[0].startswith("Hold a hearing on DECA")


def test_removed_strings_become_obsolete(project):
    brief = project / "briefs" / "deca-role.yaml"
    text = brief.read_text()
    start = text.index("quotes:")
    brief.write_text(text[:start] + text[text.index("recommendations:"):])
    code, out, err = run_cli("translate", "update", "--project", str(project), "--lang", "he")
    assert "updated locales/he/LC_MESSAGES/deca-role.po: 0 new, 0 fuzzy, 3 obsolete" in out, out
    text = (project / "locales" / "he" / "LC_MESSAGES" / "deca-role.po").read_text(encoding="utf-8")
    assert '#~ msgid "Samvel Martirosyan"' in text


@pytest.mark.parametrize("text,line", [
    ('msgid "a"\nmsgstr "b\n', 'unterminated string'),
    ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 'duplicate entry for msgid "a"'),
    ('msgstr "orphan"\n', "msgstr without a msgid"),
    ('msgid "a"\nmsgstr "b" x\n', "malformed string"),
])
def test_malformed_po_is_an_error_with_its_line(project, text, line):
    po = project / "locales" / "he" / "LC_MESSAGES" / "deca-role.po"
    po.write_text(po.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    code, out, err = run_cli("translate", "check", "--project", str(project), "--lang", "he")
    assert code == 1
    assert re.search(r"locales/he/LC_MESSAGES/deca-role\.po:\d+(:\d+)?: error: " + re.escape(line), err), err


STRICT_PO_CASES = [
    ('msgid "a"\nmsgstr "b\n', "2:8: unterminated string"),
    ('msgid "a"\nmsgstr "b" x\n', "2:8: malformed string"),
    ('msgid "a"\nmsgstr "b\\q"\n', "2:10: unknown escape '\\q'"),
    ('msgstr "orphan"\n"more"\n\nmsgid "x"\nmsgstr "y"\n', "1:1: msgstr without a msgid"),
    ('msgid "a"\nmsgid "b"\nmsgstr "c"\n', "1:1: msgid without a msgstr"),
    ('msgid "a"\nmsgstr "b"\nmsgstr "c"\n', "3:1: msgstr appears twice in one entry"),
    ('msgid "a"\nmsgstr "b"\n\nmsgstr "c"\n', "4:1: msgstr without a msgid"),
    ('msgctxt "a"\nmsgctxt "b"\nmsgid "x"\nmsgstr "y"\n', "2:1: msgctxt appears twice in one entry"),
    ('"lonely"\n', "1:1: a string with no keyword before it"),
    ('msgid "a"\nmsgstr "b"\nfoo "x"\n', "3:1: unknown keyword 'foo'"),
    ('msgctxt "c"\nmsgid "a"\nmsgstr "1"\n\nmsgctxt "c"\nmsgid "a"\nmsgstr "2"\n',
     "6:1: duplicate entry for msgid \"a\" (context 'c')"),
    ('msgid ""\nmsgstr "A: 1\\n"\n\nmsgid ""\nmsgstr "A: 2\\n"\n', '4:1: a second header entry (msgid "")'),
]


@pytest.mark.parametrize("text,found", STRICT_PO_CASES)
def test_the_strict_reader_reports_what_babel_lets_through(text, found):
    """Each mistake has exactly one problem, at its line and column; Babel's own lenient
    reader accepts every one of these files without a word."""
    import io
    from babel.messages.pofile import read_po
    from briefing.i18n.poread import read_po_strict
    read_po(io.StringIO(text), locale="he")      # lenient: no exception, something is lost
    cat, problems = read_po_strict(text, "x.po", "he")
    assert cat is None
    assert [f"{p.location}: {p.message}" for p in problems] == [f"x.po:{found}"]


def test_the_strict_reader_keeps_what_babel_drops():
    from briefing.i18n.poread import read_po_strict
    text = ('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            '#, fuzzy\n#| msgid "Old English"\n#| "text"\nmsgctxt "a.b"\nmsgid "New"\nmsgstr "חדש"\n\n'
            '  msgid "two"\r\n  msgstr ""\r\n  "lines"\r\n\n'
            '#~ msgid "gone"\n#~ msgstr "g"\n#~| msgid "older"\n')
    cat, problems = read_po_strict(text, "x.po", "he")
    assert problems == []
    assert cat.get("New", context="a.b").previous_id == ["Old Englishtext"]
    assert cat.get("two").string == "lines" and list(cat.obsolete) == ["gone"]


# --- locale formatting -----------------------------------------------------------------

def test_babel_formatting_per_language():
    import datetime as dt
    he, hy, en = Lang("he"), Lang("hy"), Lang("en")
    assert en.percent(0.69) == "69%" and hy.number(120000) == "120\u00a0000"
    assert en.date(dt.date(2023, 9, 19)) == "September\u00a019,\u00a02023"
    assert hy.date(dt.date(2020, 10, 5)).startswith("2020\u00a0թ.\u00a0հոկտեմբերի")
    assert he.list(["SIPRI", "Human Rights Watch", "Amnesty"]) == "SIPRI, Human Rights Watch ו\u2011Amnesty"
    assert hy.list(["a", "b"]) == "a և b"
    assert (en.quote("x"), he.quote("x"), hy.quote("x")) == ("“x”", "”x”", "«x»")
    assert hy.sentence("Վերջ") == "Վերջ\u0589"


# --- output, read by real clients ------------------------------------------------------

@pytest.mark.parametrize("brief", BRIEFS)
def test_hebrew_pdf_words_match_the_translation(samples, brief):
    text = pdftotext(samples / "he" / f"{brief}.pdf")
    expected = msgstr_words(ROOT / "locales" / "he" / "LC_MESSAGES" / f"{brief}.po")
    missing = expected - words(text)
    assert not missing, sorted(missing)[:20]


@pytest.mark.parametrize("brief", BRIEFS)
def test_armenian_pdf_words_match_the_translation(samples, brief):
    text = pdftotext(samples / "hy" / f"{brief}.pdf")
    missing = msgstr_words(ROOT / "locales" / "hy" / "LC_MESSAGES" / f"{brief}.po") - words(text)
    assert not missing, sorted(missing)[:20]


def test_hebrew_pdf_is_mirrored(samples):
    import pdfplumber
    with pdfplumber.open(str(samples / "he" / "deca-role.pdf")) as pdf:
        # the key facts box: on page 1, or after section 1 when the summary fills page 1
        page = next(pg for pg in pdf.pages if any(w["text"].startswith("2006") for w in pg.extract_words()))
        value = next(w for w in page.extract_words() if w["text"].startswith("2006"))
        label = next(w for w in page.extract_words() if HEBREW.search(w["text"]) and abs(w["top"] - value["top"]) < 6)
        assert value["x0"] > label["x1"], "the figure column is on the right"
        footer = [w for w in page.extract_words() if w["top"] > page.height - 70]
        assert footer and max(w["x1"] for w in footer) < page.width / 2, "page number on the left"


@pytest.mark.clients
@pytest.mark.parametrize("lang", ["he", "hy"])
def test_libreoffice_reads_translated_docx(samples, lang, tmp_path):
    for brief in BRIEFS:
        pdf = soffice_pdf(samples / lang / f"{brief}.docx", tmp_path)
        missing = msgstr_words(ROOT / "locales" / lang / "LC_MESSAGES" / f"{brief}.po") - words(pdftotext(pdf))
        assert not missing, (brief, sorted(missing)[:20])


@pytest.mark.parametrize("brief", BRIEFS)
def test_every_hebrew_paragraph_and_run_is_marked(samples, brief):
    with zipfile.ZipFile(samples / "he" / f"{brief}.docx") as z:
        for part in ("word/document.xml", "word/footnotes.xml", "word/header1.xml", "word/footer1.xml"):
            if part not in z.namelist():
                continue
            root = etree.fromstring(z.read(part))
            for p in root.iter(f"{W}p"):
                if not "".join(t.text or "" for t in p.iter(f"{W}t")).strip():
                    continue
                assert p.find(f"{W}pPr/{W}bidi") is not None, (part, etree.tostring(p)[:200])
                for r in p.iter(f"{W}r"):
                    text = "".join(t.text or "" for t in r.iter(f"{W}t"))
                    lang = r.find(f"{W}rPr/{W}lang")
                    if HEBREW.search(text):
                        assert r.find(f"{W}rPr/{W}rtl") is not None, text
                        assert r.find(f"{W}rPr/{W}rFonts").get(f"{W}cs").startswith("Noto")
                        assert lang is not None and lang.get(f"{W}bidi") == "he-IL", text
        document = etree.fromstring(z.read("word/document.xml"))
        assert document.find(f".//{W}body/{W}sectPr/{W}bidi") is not None
        assert document.find(f".//{W}tblPr/{W}bidiVisual") is not None
        styles = z.read("word/styles.xml").decode()
        assert 'w:cs="Noto Serif Hebrew"' in styles and "<w:szCs " in styles


def test_armenian_runs_are_tagged(samples):
    d = docx.Document(str(samples / "hy" / "deca-role.docx"))
    runs = [r for p in d.paragraphs for r in p.runs if re.search(r"[\u0531-\u0587]", r.text)]
    assert runs
    for r in runs:
        rpr = r._r.rPr
        assert rpr.find(f"{W}lang").get(f"{W}val") == "hy-AM"
        assert rpr.find(f"{W}rFonts").get(f"{W}ascii").startswith("Noto") and "Armenian" in \
            rpr.find(f"{W}rFonts").get(f"{W}ascii")


def test_hebrew_typography():
    from briefing.i18n.locale import hebrew_typography
    assert hebrew_typography('אפ"י פועל ב-19 בספטמבר; עמ\' 4; "לעולם לא עוד"; וAmnesty') == \
        "אפ\u05f4י פועל ב\u201119 בספטמבר; עמ\u05f3 4; \u201dלעולם לא עוד\u201d; ו\u2011Amnesty"


def test_hebrew_currency_is_the_amount_then_the_name():
    """Israeli government and press style: "65,000 דולר", not CLDR's "‏65,000 ‏$" (read "$ 65,000")."""
    he = Lang("he")
    assert he.currency(65000, "USD") == "65,000\u00a0דולר"
    assert he.currency(1200.5, "ILS") == "1,200.50\u00a0ש\u05f4ח"
    assert he.currency(65000, "usd") == "65,000\u00a0דולר"
    assert "\u00a4" not in he.currency(10, "GBP") and "10" in he.currency(10, "GBP")  # others: CLDR's pattern
    assert Lang("en").currency(65000, "USD") == "$65,000"


def test_armenian_dates_currency_and_quotes(samples):
    import datetime as dt
    hy = Lang("hy")
    assert hy.period(2021) == "2021\u00a0թ." and hy.period(2016, 2020) == "2016\u2013\u200d2020\u00a0թթ."  # no break after the dash
    assert hy.currency(65000, "USD") == "65\u00a0000\u00a0ԱՄՆ\u00a0դոլար"
    # year, genitive month, day: Armenian official and press order, not CLDR's "5 հոկտեմբերի, 2020 թ."
    assert hy.date(dt.date(2020, 10, 5)) == "2020\u00a0թ.\u00a0հոկտեմբերի\u00a05"
    text = pdftotext(samples / "hy" / "genocide-recognition.pdf")
    assert "»\u0589" in text and "\u0589»" not in text  # «...»։


@pytest.mark.clients
def test_hebrew_word_contact_and_latin_runs_keep_their_order(samples, tmp_path):
    path = samples / "he" / "arms-export-oversight.docx"
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/footnotes.xml").decode()
    # every Latin run in a note is opened and closed by an LRM and followed by an RLM, so that a
    # date after it stays in the Hebrew order
    assert xml.count("\u200f") > 0 and xml.count("\u200e") == 2 * xml.count("\u200f")
    text = pdftotext(soffice_pdf(path, tmp_path))
    assert "Avi Scharf" in text and "Oded Yaron" in text


def test_babel_extractor_entry_point():
    """`pybabel extract` can read briefs with the registered `briefing` method."""
    from babel.messages.extract import extract
    with open(ROOT / "briefs" / "deca-role.yaml", "rb") as fh:
        messages = list(extract("briefing", fh))
    by_context = {m[3]: m for m in messages}  # (line, message, comments, context)
    assert "sections.spyware.arguments.1.claim" in by_context
    assert by_context["title"][:2] == (3, "What Israel's export regulator checks, and what it does not")
