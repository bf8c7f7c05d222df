"""One document, every writer: the PDF, the Word file and the JSON export of a brief carry
the same blocks and the same notes, in the same order, because every writer walks the one
composed Document. Read back with real clients: pdfplumber/pdftotext and pandoc."""
from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from briefing.bidi import BIDI_MARKS
from briefing.document import QuoteBlock, Str
from conftest import ROOT, need, pandoc_text
from pdfnotes import notes_by_page

BRIEFS = sorted(p.stem for p in (ROOT / "briefs").glob("*.yaml") if not p.stem.startswith("_"))
LANGS = ("en", "he", "hy")
LAYOUTS = ("brief", "leave-behind")


def words(text: str) -> list[str]:
    """Words, direction marks (pdftotext's embeddings) made spaces and no-break characters unified, for comparing what two
    clients extracted (pdftotext gives Hebrew in visual order: compare as sets or sorted)."""
    text = unicodedata.normalize("NFKC", BIDI_MARKS.sub(" ", text)).replace("\u2011", "-")
    return re.findall(r"\w+", text)


def json_notes(path: Path) -> list[str]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [_plain(note["c"]) for note in doc["notes"]]


def _plain(nodes) -> str:
    out = []
    for node in nodes:
        if node["t"] in ("Str", "Code"):
            out.append(node["text"])
        elif node["t"] == "LineBreak":
            out.append(" ")
        elif node["t"] != "Note":
            out.append(_plain(node["c"]))
    return "".join(out)


def pandoc_notes(docx: Path) -> list[str]:
    """The footnotes pandoc finds in a Word file, in document order, as plain text."""
    need("pandoc")
    tree = json.loads(subprocess.run(["pandoc", "-f", "docx", "-t", "json", str(docx)], capture_output=True,
                                     text=True, check=True).stdout)
    notes: list[str] = []

    def text(node) -> str:
        if isinstance(node, list):
            return "".join(text(n) for n in node)
        if isinstance(node, dict):
            kind = node.get("t")
            if kind == "Str":
                return node["c"]
            if kind in ("Space", "SoftBreak", "LineBreak"):
                return " "
            if kind == "Note":
                return ""
            return text(node.get("c", []))
        return ""

    def visit(node) -> None:
        if isinstance(node, list):
            for n in node:
                visit(n)
        elif isinstance(node, dict):
            if node.get("t") == "Note":
                notes.append(text(node["c"]))
                return
            visit(node.get("c", []))

    visit(tree["blocks"])
    return notes


def name(layout: str, brief: str, ext: str) -> str:
    return f"{brief}.{ext}" if layout == "brief" else f"{brief}.{layout}.{ext}"


@pytest.mark.clients
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("brief", BRIEFS)
def test_pdf_word_and_json_carry_the_same_notes_in_the_same_order(samples, brief, lang, layout):
    folder = samples / lang
    expected = json_notes(folder / name(layout, brief, "json"))
    assert expected, "every sample cites its sources"
    # Word, through pandoc: the same notes, one by one, in the same order
    found = pandoc_notes(folder / name(layout, brief, "docx"))
    assert len(found) == len(expected)
    for i, (ours, theirs) in enumerate(zip(expected, found), 1):
        assert words(ours) == words(theirs), f"note {i} differs in Word"
    # PDF, through pdfplumber: the notes are numbered 1..n in reading order, each printed with
    # the JSON's words on its page (pdftotext)
    pdf = folder / name(layout, brief, "pdf")
    pages = notes_by_page(pdf)
    assert [n for _calls, bodies in pages for n in bodies] == list(range(1, len(expected) + 1))
    need("pdftotext")
    for index, (_calls, bodies) in enumerate(pages, 1):
        page_words = set(words(subprocess.run(["pdftotext", "-f", str(index), "-l", str(index), str(pdf), "-"],
                                              capture_output=True, text=True, check=True).stdout))
        page_words |= {w[::-1] for w in page_words}      # pdftotext may give a Hebrew word in visual order
        for n in bodies:
            # a URL may be broken anywhere at a line end: compare the words around it
            missing = set(words(re.sub(r"https?://\S+", " ", expected[n - 1]))) - page_words
            assert not missing, f"note {n} on page {index}: {missing}"


def test_json_export_is_the_composed_document(samples):
    doc = json.loads((samples / "en" / "deca-role.json").read_text(encoding="utf-8"))
    assert doc["schema"] == "briefing-document/1"
    roles = [b["role"] for b in doc["blocks"]]
    assert roles[:2] == ["title", "summary"] and roles[-2:] == ["sources", "contact"]
    assert "facts" in roles and "section" in roles and "asks" in roles
    # a note is where its mark is, and listed again in order
    numbers = [int(n) for n in re.findall(r'"t": "Note", "n": (\d+)', json.dumps(doc["blocks"]))]
    assert numbers == list(range(1, len(doc["notes"]) + 1))


# --- the reading order exists once -------------------------------------------------------------

def test_a_new_or_reordered_block_reaches_every_format(tmp_path):
    """Change the composed document, not a writer: both formats follow it."""
    import briefing
    session = briefing.open_project(ROOT)
    doc = session.compose("deca-role", "en")
    sections = [b for b in doc.blocks if b.role == "section"]
    assert len(sections) >= 2
    first, last = sections[0], sections[-1]
    i, j = doc.blocks.index(first), doc.blocks.index(last)
    doc.blocks[i], doc.blocks[j] = last, first                      # reordered
    marker = "A QUOTE ADDED TO THE DOCUMENT"
    doc.blocks.insert(1, QuoteBlock((Str(marker),), (Str("\u2014 Tester"),)))   # new
    first_heading = " ".join(words("".join(n.text for n in first.heading if isinstance(n, Str))))
    last_heading = " ".join(words("".join(n.text for n in last.heading if isinstance(n, Str))))
    html = session.write(doc, "html").decode()
    (tmp_path / "d.docx").write_bytes(session.write(doc, "docx"))
    word = pandoc_text(tmp_path / "d.docx")
    for text in (" ".join(words(re.sub(r"<[^>]+>", " ", html))), " ".join(words(word))):
        assert marker in text
        assert text.index(marker) < text.index(last_heading) < text.index(first_heading)


def test_placement_is_decided_once_for_every_format(samples):
    """The facts box goes where the PDF needs it, and the Word file and JSON follow."""
    for lang in LANGS:
        for brief in BRIEFS:
            doc = json.loads((samples / lang / f"{brief}.json").read_text(encoding="utf-8"))
            roles = [b["role"] for b in doc["blocks"]]
            at = roles.index("facts")
            if doc["facts_after"]:
                assert roles[at - 1] == "section"
            else:
                assert roles[at - 1] == "summary"
