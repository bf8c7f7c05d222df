"""The English PDFs, read by real clients (pdftotext, pdffonts) and pypdf."""
from __future__ import annotations

import re
import subprocess

import pytest
from pypdf import PdfReader

from conftest import ROOT, need, pdftotext, run_cli

BRIEFS = ["arms-export-oversight", "deca-role", "genocide-recognition"]
A4 = (595.3, 841.9)
LETTER = (612.0, 792.0)


@pytest.mark.parametrize("brief", BRIEFS)
def test_layout_parts_and_page_numbers(samples, brief):
    pdf = samples / "en" / f"{brief}.pdf"
    pages = pdftotext(pdf, "-layout").split("\f")[:-1]
    text = "\n".join(pages)
    for part in ("POLICY BRIEF", "SUMMARY", "KEY FACTS", "Recommendations", "Sources"):
        assert part in text, part
    assert re.search(r"^\s*1\s+\S", text, re.M), "numbered sections"
    n = len(pages)
    for i, page in enumerate(pages, 1):
        assert f"Page {i} of {n}" in page
    title = PdfReader(pdf).metadata.title
    # running header: the title on every page but the first
    assert title.split()[0] not in pages[0].split("\n")[0]
    for page in pages[1:]:
        assert title[:20] in " ".join(page.split()[:20])


@pytest.mark.parametrize("brief", BRIEFS)
def test_fonts_embedded_and_subset(samples, brief):
    need("pdffonts")
    out = subprocess.run(["pdffonts", str(samples / "en" / f"{brief}.pdf")], capture_output=True, text=True,
                         check=True).stdout.splitlines()[2:]
    assert out, "fonts listed"
    for line in out:
        cols = line.split()
        emb, sub = cols[-5], cols[-4]
        assert (emb, sub) == ("yes", "yes"), line
        assert "Noto" in cols[0]


def test_metadata_and_bookmarks(samples):
    reader = PdfReader(samples / "en" / "arms-export-oversight.pdf")
    assert reader.metadata.title.startswith("Arms to Azerbaijan")
    def flat(items):
        for item in items:
            yield from flat(item) if isinstance(item, list) else [item.title]
    titles = list(flat(reader.outline))
    assert titles[0].startswith("Arms to Azerbaijan")
    assert {"Summary", "Key facts", "Recommendations", "Sources"} <= {t.strip().capitalize() for t in titles}
    assert any("Israel became" in t for t in titles)
    assert reader.pages[0].mediabox.width == pytest.approx(A4[0], abs=1)


@pytest.mark.parametrize("paper,size", [("a4", A4), ("letter", LETTER)])
def test_paper_sizes(tmp_path, paper, size):
    code, out, err = run_cli("build", "--project", str(ROOT), "--brief", "deca-role", "--lang", "en",
                             "--format", "pdf", "--paper", paper, "--out", str(tmp_path), "--jobs", "0")
    assert code == 0, err
    box = PdfReader(tmp_path / "en" / "deca-role.pdf").pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(size, abs=1)


def test_every_number_comes_from_a_fact(samples):
    """The facts box shows the formatted facts: 69%, 92, $65,000 ... as Babel writes them."""
    text = pdftotext(samples / "en" / "deca-role.pdf")
    for value in ("2006", "12", "27", "1,000", "$65,000"):
        assert value in text
