"""Regenerate templates/default/reference.docx, the Word styles of the built-in template.

    .venv/bin/python scripts/make_reference_docx.py

Users restyle their own copy in Word or LibreOffice ('briefing template init DIR');
this script only rebuilds the built-in one from python-docx's default styles.
"""
from pathlib import Path

import docx

from briefing.render.docx import save_reproducibly, set_margins
from briefing.render.docx_package import clean_package
from briefing.render.docx_styles import ensure_styles, set_fonts

TARGET = Path(__file__).resolve().parents[1] / "templates" / "default" / "reference.docx"


def main() -> None:
    d = docx.Document()
    set_fonts(d)
    ensure_styles(d, recolor=True)
    section = d.sections[0]
    set_margins(section)
    section.different_first_page_header_footer = True
    props = d.core_properties
    props.title = "briefing reference styles"
    props.author = "briefing"
    props.comments = "Edit the styles (Title, Heading 1, Heading 2, List Bullet, Intense Quote, Key Facts, ...) " \
                     "in Word or LibreOffice; the text of this document is ignored."
    d.add_paragraph("Reference document: only its styles, page margins, header and footer styles are used.")
    clean_package(d)
    TARGET.write_bytes(save_reproducibly(d, 1704110400))
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
