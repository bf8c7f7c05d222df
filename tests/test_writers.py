"""Each writer alone, on a Document made by hand (no brief, no catalog, no composer):
what it is given is what it writes, in the given order, with the given notes."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pytest

from briefing.document import (ArgumentBlock, Ask, AsksBlock, ContactBlock, Document, FactRow, FactsBlock, NoteRef,
                               PointsBlock, QuoteBlock, SectionBlock, SourcesBlock, Span, Str, TitleBlock)
from briefing.project import Project
from briefing.render.templates import find_template
from briefing.writers import FORMATS, WriteOptions, write

N1 = NoteRef(1, (Str("First Source, A Title."),))
N2 = NoteRef(2, (Str("Second Source, Another."),))


def handmade(lang: str = "en", direction: str = "ltr") -> Document:
    blocks = [
        TitleBlock("Policy brief", "1 March 2024", (Str("HANDMADE TITLE"),), (Str("A subtitle"),),
                   (Str("For the readers"),), (Str("Prepared by Us"),)),
        PointsBlock("Summary", [(Str("Point one."), N1), (Str("Point two."),)]),
        FactsBlock("Key facts", "Figure", "Fact", [FactRow("share", (Str("69%"),), None, (Str("Share of imports"),),
                                                           (Str("(as of 2016\u20132020)"),))]),
        SectionBlock(1, "first", (Str("FIRST SECTION"),), None, [
            ArgumentBlock((Str("A CLAIM"),), [(Str("Evidence."), N2)], (Str("An objection."),),
                          (Str("A response."),), "Objection", "Response"),
            QuoteBlock((Str("\u201cA QUOTE\u201d"),), (Str("\u2014 Someone"),)),
        ]),
        AsksBlock("Recommendations", [Ask((Str("To the Knesset"),), (Str("ACT NOW."),))]),
        SourcesBlock("Sources", [(Str("First Source. A Title."),), (Str("Second Source. Another."),)]),
        ContactBlock("Contact", [("email", (Span((Str("team@example.org"),), None, "nowrap"),))]),
    ]
    return Document("handmade", lang, direction, "brief", "a4", (Str("HANDMADE TITLE"),), "Us", dt.date(2024, 3, 1),
                    "1 March 2024", blocks, [N1, N2], {"Page {page} of {pages}": "Page {page} of {pages}"},
                    timestamp=dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc),
                    fonts={"serif": ["Noto Serif"], "sans": ["Noto Sans"], "docx": ("Noto Serif", "Noto Serif")})


ORDER = ["HANDMADE TITLE", "Point one", "Share of imports", "FIRST SECTION", "A CLAIM", "A QUOTE", "ACT NOW",
         "Second Source. Another", "team@example.org"]


@pytest.fixture
def options(tiny_project):
    project = Project.open(tiny_project)
    return WriteOptions(project, find_template(project, None))


def in_order(text: str) -> bool:
    positions = [text.find(marker) for marker in ORDER]
    return -1 not in positions and positions == sorted(positions)


def test_every_format_has_one_writer():
    assert set(FORMATS) == {"pdf", "docx", "html", "json"}


def test_json_writer_alone(options):
    data = json.loads(write(handmade(), "json", options))
    assert [b["role"] for b in data["blocks"]] == ["title", "summary", "facts", "section", "asks", "sources", "contact"]
    assert [c["role"] for c in data["blocks"][3]["children"]] == ["argument", "quote"]
    assert [n["n"] for n in data["notes"]] == [1, 2]
    assert data["blocks"][1]["points"][0][1] == {"t": "Note", "n": 1, "c": [{"t": "Str",
                                                                          "text": "First Source, A Title."}]}


def test_html_writer_alone(options):
    html = write(handmade(), "html", options).decode()
    assert in_order(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1])))
    assert html.count('class="fn"') == 2
    assert '<span class="nowrap">' in html or 'class="nowrap"' in html
    assert 'class="facts box keep"' in html             # kept together, as the block says


def test_docx_writer_alone(options):
    import docx
    data = write(handmade(), "docx", options)
    document = docx.Document(io.BytesIO(data))
    body = "\n".join(p.text for p in document.paragraphs)        # the facts table is read apart
    markers = [m for m in ORDER if m != "Share of imports"]
    positions = [body.find(m) for m in markers]
    assert -1 not in positions and positions == sorted(positions)
    assert document.tables[0].rows[0].cells[1].text.startswith("Share of imports")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        notes = z.read("word/footnotes.xml").decode()
        xml = z.read("word/document.xml").decode()
    assert "First Source, A Title." in notes and "Second Source, Another." in notes
    assert xml.count("<w:footnoteReference") == 2


def test_pdf_writer_alone(options):
    from pypdf import PdfReader
    data = write(handmade(), "pdf", options)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert in_order(text)


def test_an_error_in_a_template_is_the_authors_and_one_in_a_filter_is_a_bug(options, monkeypatch):
    from briefing.errors import BriefError
    from briefing.render import html
    folder = options.template.folder
    # the template's own mistake: reported at its file and line
    custom = options.project.root / "templates" / "mine"
    custom.mkdir(parents=True)
    (custom / "style.css").write_text((folder / "style.css").read_text())
    (custom / "document.html").write_text("<html>\n{{ 1 + 'a' }}\n</html>\n")
    mine = WriteOptions(options.project, find_template(options.project, "mine"))
    with pytest.raises(BriefError) as exc:
        write(handmade(), "html", mine)
    assert "templates/mine/document.html:2" in exc.value.problems[0].format()
    # the same kind of exception inside the tool's own filter: not blamed on the template
    def broken(nodes, notes=True):
        raise TypeError("a bug in the inline filter")
    monkeypatch.setattr(html, "inline", broken)
    html._environment.cache_clear()
    try:
        with pytest.raises(TypeError, match="a bug in the inline filter"):
            write(handmade(), "html", options)
    finally:
        html._environment.cache_clear()
