"""Citations: syntax, notes (full then short), facts bring their source, marks after
punctuation, a Sources list, and real footnotes in PDF (same page) and Word."""
from __future__ import annotations

import re
import zipfile

import pytest

from briefing.document import NoteRef
from briefing.document import text_of as _text_of
from briefing.inline import Cite, parse
from briefing.pipeline import compose, load_project
from briefing.project import Project
from conftest import FIXTURES, ROOT, pandoc_text, run_cli, soffice_convert
from pdfnotes import notes_by_page

ZOTERO = FIXTURES / "zotero-project"


def text_of(nodes) -> str:
    """Visible text, with the no-break spaces of dates and locators as plain spaces."""
    return _text_of(nodes).replace("\u00a0", " ")
JOURNAL = "http://zotero.org/users/local/k0nJiE9d/items/VX4Q7J8B"


@pytest.mark.parametrize("text,keys,locators", [
    ("a [@k]", ["k"], [None]),
    ("a [@k, p. 12]", ["k"], [("page", "12")]),
    ("a [@k, pp. 12-14]", ["k"], [("page", "12–14")]),
    ("a [@k, para. 3]", ["k"], [("paragraph", "3")]),
    ("a [@k, sec. 2]", ["k"], [("section", "2")]),
    ("a [@a; @b, p. 4]", ["a", "b"], [None, ("page", "4")]),
    (f"a [@{JOURNAL}, p. 1]", [JOURNAL], [("page", "1")]),
])
def test_citation_syntax(text, keys, locators):
    parsed = parse(text)
    assert not parsed.problems
    cite = next(n for n in parsed.nodes if isinstance(n, Cite))
    assert [i.key for i in cite.items] == keys and [i.locator for i in cite.items] == locators


@pytest.fixture(scope="module")
def zdoc():
    loaded = load_project(Project.open(ZOTERO))
    assert not loaded.report.errors
    return compose(loaded, "cites", "en").document


def test_first_note_full_then_short(zdoc):
    notes = [text_of(n.content) for n in zdoc.notes]
    assert notes[0].startswith("Jane Doe and Piet van der Berg, “Arms transfers and the duration of wars,” "
                               "Journal of Conflict Studies 12, no. 3, June 2021, p. 102, https://doi.org/")
    assert "Doe and van der Berg, “Arms transfers,” p. 110." in notes
    assert notes[1].startswith("Richard Roe, “Cargo flights rise before the offensive,” The Daily Example, "
                               "September 18, 2023, para. 3")
    assert "(accessed February 1, 2024)" in notes[1]


def test_several_sources_in_one_note(zdoc):
    note = next(text_of(n.content) for n in zdoc.notes if "Spyware in wartime: a forensic" in text_of(n.content))
    assert "; Ann Poe, ed., Small Wars, Big Suppliers, Example University Press, 2019, pp. 10–12." in note
    assert "archived at https://web.archive.org/" in note and ").;" not in note


def test_fact_brings_its_citation_to_the_end_of_the_sentence(zdoc):
    point = zdoc.summary[1]
    assert text_of(point) == "At least 6 flights landed before the offensive."
    assert isinstance(point[-1], NoteRef), "the mark follows the full stop"
    assert "para. 3" in text_of(point[-1].content)


def test_fact_and_explicit_cite_share_one_note(zdoc):
    last = zdoc.sections[0].arguments[0].evidence[-1]
    refs = [n for n in last if isinstance(n, NoteRef)]
    assert len(refs) == 2  # the journal, then the report + the fact's source in one note
    assert text_of(refs[1].content) == ("Example Rights Institute and Digital Forensics Lab, Spyware in wartime; "
                                        "Roe, “Cargo flights rise,” para. 3.")


def test_marks_follow_punctuation(zdoc):
    claim = zdoc.sections[0].arguments[0].claim
    assert text_of(claim) == "Reports and books agree."
    assert isinstance(claim[-1], NoteRef)


def test_sources_list_every_cited_source_once(zdoc):
    entries = [text_of(e) for e in zdoc.sources]
    assert len(entries) == 12 == len(set(entries))
    report = next(e for e in entries if e.startswith("Example Rights Institute"))
    assert "https://rights.example.org/reports/spyware-wartime" in report
    assert "accessed June 1, 2023" in report and "archived at https://web.archive.org/" in report


def test_words_and_dates_are_localized(tmp_path):
    loaded = load_project(Project.open(ZOTERO))
    doc = compose(loaded, "cites", "hy").document
    first = text_of(doc.notes[1].content)
    assert "2023 թ. սեպտեմբերի 18" in first.replace("\u00a0", " ")  # Armenian order: year, month (genitive), day
    assert first.endswith("\u0589")  # Armenian full stop


def test_prefix_and_abbreviations(tiny_project):
    brief = tiny_project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace(
        "  - Israel supplied {az_share} of Azerbaijan's major arms imports [@sipri-2021].",
        "  - Israel supplied {az_share} of the imports (cf. the U.S. and e.g. Russia) in 2016–2020.\n"
        "  - A second point [see @hrw-2020, p. 4]."))
    loaded = load_project(Project.open(tiny_project))
    assert not loaded.report.errors, [p.format() for p in loaded.report.problems]
    doc = compose(loaded, "good", "en").document
    first, second = doc.summary
    assert isinstance(first[-1], NoteRef) and text_of(first).endswith("in 2016–2020."), "the mark ends the sentence"
    assert text_of(second[-1].content).startswith("See Human Rights Watch, “Cluster Munitions Used,” ")


def test_chicago_notes_from_a_zotero_export(tmp_path):
    """Short titles made when Zotero exports no title-short (Chicago 14.30), "See" opening a
    note, the serial comma, and a report's number with its label."""
    import json
    import shutil
    project = tmp_path / "z"
    shutil.copytree(ZOTERO, project)
    export = project / "sources" / "zotero-export.json"
    items = json.loads(export.read_text(encoding="utf-8"))
    items.append({"id": "http://zotero.org/users/local/k0nJiE9d/items/DECADES1", "type": "article-magazine",
                  "title": "Decades after the war, the arms still flow", "container-title": "Example Monthly",
                  "author": [{"family": "Ash", "given": "Ada"}, {"family": "Birch", "given": "Ben"},
                             {"family": "Cedar", "given": "Cy"}],
                  "issued": {"date-parts": [["2022", 5, 1]]}})
    items.append({"id": "report-no-genre", "type": "report", "title": "The Annual Review of Licences",
                  "number": "12", "publisher": "Example Agency", "issued": {"date-parts": [[2021]]}})
    export.write_text(json.dumps(items, indent=2), encoding="utf-8")
    brief = project / "briefs" / "cites.yaml"
    key = "http://zotero.org/users/local/k0nJiE9d/items/DECADES1"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "  - At least {flights} flights", f"  - The arms flow [see @{key}, p. 3; see @report-no-genre].\n"
        f"  - They still flow [see @{key}, p. 4].\n  - At least {{flights}} flights"), encoding="utf-8")
    loaded = load_project(Project.open(project))
    assert not loaded.report.errors, [p.format() for p in loaded.report.problems]
    doc = compose(loaded, "cites", "en").document
    notes = [text_of(n.content) for n in doc.notes]
    first = next(n for n in notes if "Decades" in n)
    assert first.startswith("See Ada Ash, Ben Birch, and Cy Cedar, “Decades after the war, the arms still flow,” ")
    assert "; see The Annual Review of Licences, no. 12, Example Agency, 2021." in first  # lower case inside
    assert "See Ash, Birch, and Cedar, “Decades after the war,” p. 4." in notes
    assert not any(",.”" in n or ",”." in n for n in notes)
    report = next(n for n in notes if "Spyware in wartime:" in n)
    assert "Spyware in wartime: a forensic study, Research report HR-2023-7, Example Rights Institute" in report
    entries = [text_of(e) for e in doc.sources]
    assert "Doe, Jane, and Piet van der Berg, “Arms transfers and the duration of wars,” " in "\n".join(entries)
    assert any(e.startswith("Ash, Ada, Ben Birch, and Cy Cedar, ") for e in entries)


@pytest.mark.parametrize("title,short", [
    ("Decades after the war, the arms still flow", "Decades after the war"),
    ("The Arms Trade Treaty", "Arms Trade Treaty"),
    ("Arms transfers and the duration of wars", "Arms transfers"),
    ("Spyware in wartime: a forensic study", "Spyware in wartime"),
    ("Israel, Azerbaijan and the war", "Israel, Azerbaijan"),
    ("Drones", "Drones"),
])
def test_chicago_short_titles(title, short):
    from briefing.cite import _short_title
    assert _short_title(title) == short


def test_unknown_key_and_uncited(tiny_project):
    brief = tiny_project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("[@hrw-2020].", "[@hrw-2021]."))
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 1 and "unknown source 'hrw-2021' in a citation" in err and "did you mean 'hrw-2020'?" in err
    brief.write_text(brief.read_text().replace(" [@hrw-2021].", ".").replace(
        "response: A response [@hrw-2020, p. 4].", "response: A response.").replace("source: hrw-2020", "source: sipri-2021"))
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 0
    assert "warning: source 'hrw-2020' is never cited" in err
    assert "warning: evidence without a citation" in err
    assert run_cli("check", "--project", str(tiny_project), "--strict")[0] == 1


def test_zotero_project_builds_all_formats(tmp_path):
    code, out, err = run_cli("build", "--project", str(ZOTERO), "--lang", "en", "--format", "pdf,docx,html",
                             "--out", str(tmp_path), "--jobs", "0")
    assert code == 0, err


SAMPLES = ["arms-export-oversight", "deca-role", "genocide-recognition"]


@pytest.mark.parametrize("brief", SAMPLES)
def test_pdf_footnotes_sit_on_the_page_of_their_mark(samples, brief):
    pages = notes_by_page(samples / "en" / f"{brief}.pdf")
    seen = []
    for calls, bodies in pages:
        assert sorted(calls) == sorted(bodies)
        seen += calls
    assert seen == list(range(1, len(seen) + 1)) and seen, "numbered through the document"


def note_count(brief: str, lang: str = "en") -> int:
    loaded = load_project(Project.open(ROOT), [brief])
    return len(compose(loaded, brief, lang).document.notes)


@pytest.mark.clients
@pytest.mark.parametrize("brief", SAMPLES)
def test_word_footnotes_seen_by_pandoc_and_libreoffice(samples, brief, tmp_path):
    path = samples / "en" / f"{brief}.docx"
    expected = note_count(brief)
    md = pandoc_text(path, "markdown")
    assert len(re.findall(r"^\[\^\d+\]:", md, re.M)) == expected
    fodt = soffice_convert(path, tmp_path, "fodt").read_text(encoding="utf-8")
    assert len(re.findall(r'<text:note [^>]*text:note-class="footnote"', fodt)) == expected
    with zipfile.ZipFile(path) as z:
        assert "footnotes.xml" in z.read("word/_rels/document.xml.rels").decode()


def test_word_links_are_clickable_in_text_and_notes(samples):
    with zipfile.ZipFile(samples / "en" / "arms-export-oversight.docx") as z:
        for part in ("word/_rels/document.xml.rels", "word/_rels/footnotes.xml.rels"):
            rels = z.read(part).decode()
            assert 'Target="https://www.hrw.org/news/2020/10/23/' in rels and 'TargetMode="External"' in rels
        assert "<w:hyperlink" in z.read("word/footnotes.xml").decode()
