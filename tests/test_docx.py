"""The English Word files: real styles, fields, properties; read back by LibreOffice and pandoc."""
from __future__ import annotations

import re
import zipfile

import docx
import pytest

from conftest import pandoc_text, pdftotext, soffice_pdf

BRIEFS = ["arms-export-oversight", "deca-role", "genocide-recognition"]


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", text.lower()))  # letters only: note marks stick to words


@pytest.mark.parametrize("brief", BRIEFS)
def test_styles_fields_properties(samples, brief):
    path = samples / "en" / f"{brief}.docx"
    d = docx.Document(str(path))
    used = {p.style.name for p in d.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "List Bullet", "List Number", "Intense Quote"} <= used
    assert d.tables and d.tables[0].style.name == "Key Facts"
    props = d.core_properties
    assert props.title and props.language == "en-US" and props.keywords == brief
    footer = d.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    with zipfile.ZipFile(path) as z:
        assert "word/footnotes.xml" in z.namelist()


@pytest.mark.clients
@pytest.mark.parametrize("brief", BRIEFS)
def test_libreoffice_and_pandoc_read_it(samples, brief, tmp_path):
    path = samples / "en" / f"{brief}.docx"
    pdf = soffice_pdf(path, tmp_path)
    lo_text = pdftotext(pdf)
    d = docx.Document(str(path))
    body = "\n".join(p.text for p in d.paragraphs)
    assert words(body) <= words(lo_text)
    md = pandoc_text(path)
    assert words(body) <= words(md)
    # footnotes survive as footnotes in pandoc's model
    notes = len(re.findall(r"\[\^\d+\]:", pandoc_text(path, "markdown")))
    with zipfile.ZipFile(path) as z:
        ours = len(re.findall(r'<w:footnote w:id="[1-9]', z.read("word/footnotes.xml").decode()))
    assert notes == ours > 0
