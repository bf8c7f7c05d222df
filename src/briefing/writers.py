"""Writers: pure functions (Document, WriteOptions) -> bytes, in one dispatch table.

Every format is written from the same composed Document; a writer styles the blocks it
walks and decides nothing about order, numbering or placement. Adding a format is one
function and one line in WRITERS. Writers are imported when first used, so a command
that writes only Word never imports WeasyPrint.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from .errors import BriefError

if TYPE_CHECKING:  # pragma: no cover
    from .document import Document
    from .project import Project
    from .render.templates import TemplateSet

# format -> "module:function" (relative to this package)
WRITERS: dict[str, str] = {
    "pdf": "render.pdf:write_pdf",
    "docx": "render.docx:write_docx",
    "html": "render.html:write_html",
    "json": "render.jsonout:write_json",
}
FORMATS = tuple(WRITERS)
LAYOUTS = ("brief", "leave-behind")
VARIANTS = {"": "", "print": "print", "booklet": "booklet"}   # PDF only: bleed and crop marks; A5 folded on A4


@dataclass
class WriteOptions:
    project: "Project"
    template: "TemplateSet"
    variant: str = ""                  # "" | "print" | "booklet" (PDF only)
    pdf_standard: str | None = None    # None (PDF/UA-1 tagging as the writer does by default) | "ua" | "a"
    # laid-out pages kept by the placement decision, so the PDF writer does not lay out twice
    layouts: dict = field(default_factory=dict)


def writer_for(fmt: str) -> Callable[["Document", WriteOptions], bytes]:
    try:
        module, function = WRITERS[fmt].split(":")
    except KeyError:
        raise BriefError(f"unknown format '{fmt}'", None, f"formats: {', '.join(FORMATS)}") from None
    return getattr(importlib.import_module(f".{module}", __package__), function)


def write(document: "Document", fmt: str, options: WriteOptions) -> bytes:
    """One document in one format, as bytes."""
    return writer_for(fmt)(document, options)
