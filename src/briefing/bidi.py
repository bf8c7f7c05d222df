"""Mixed direction in right-to-left text.

In a Hebrew paragraph the Unicode bidi algorithm reorders what it considers weak or
neutral: "2016–2020" shows as "2020–2016", "+15%" as "15%+", a URL breaks into pieces.
`isolate` wraps such runs (URLs, Latin names, ranges, signed numbers) in left-to-right
spans, which the HTML writer turns into <bdi dir="ltr"> and the DOCX writer into LTR runs
bracketed by LEFT-TO-RIGHT MARKs.
"""
from __future__ import annotations

import re

from .document import Code, Emph, Link, NoteRef, Span, Str, Strong

URL = r"(?:https?://|www\.)[^\s<>()\[\]{}\"\u0590-\u05ff]*[^\s<>()\[\]{}\"'.,;:!?\u201d\u2019\u0590-\u05ff]"
# a Latin name, a title: words joined by spaces; a later word may be a number ("Pegasus 2"),
# but not the start of a range ("Amnesty 2016–2020": the range is isolated on its own) or a URL
LATIN = (r"[A-Za-z][A-Za-z0-9'\u2019&./+-]*(?:[ \u00a0](?!https?://|www\.)"
         r"(?:[A-Za-z][A-Za-z0-9'\u2019&./+-]*|\d++(?![\u2013\u2014.,\d-])))*")
NUMBER = r"\d(?:[\d.,\u00a0]*\d)?%?"  # ends with a digit: a comma after it stays outside
RANGE = rf"{NUMBER}\s?[\u2013\u2014-]\s?{NUMBER}"
SIGNED = r"[+\u2212][\d][\d.,]*%?"
PATTERN = re.compile(rf"(?P<url>{URL})|(?P<range>{RANGE})|(?P<signed>{SIGNED})|(?P<latin>{LATIN})")
TRAILING = ".,:;!?'\u2019-"
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def split(text: str) -> list[tuple[str, bool]]:
    """[(piece, needs_ltr_isolation)] for one string of RTL text."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in PATTERN.finditer(text):
        piece = m.group(0)
        if m.lastgroup == "latin":
            if not re.search(r"\b[A-Z]\.[A-Z]\.$", piece):  # keep "U.S." whole
                piece = piece.rstrip(TRAILING)
            if not piece:
                continue
        start, end = m.start(), m.start() + len(piece)
        if start > pos:
            out.append((text[pos:start], False))
        out.append((piece, True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def isolate(nodes) -> tuple:
    """Wrap LTR runs inside RTL text in Span(dir='ltr')."""
    out: list = []
    for node in nodes:
        if isinstance(node, Str):
            for piece, ltr in split(node.text):
                out.append(Span((Str(piece),), "ltr") if ltr else Str(piece))
        elif isinstance(node, Code):
            out.append(Span((node,), "ltr"))
        elif isinstance(node, Link):
            children = isolate(node.children)
            out.append(Link(node.href, children))
        elif isinstance(node, (Emph, Strong)):
            out.append(type(node)(isolate(node.children)))
        elif isinstance(node, Span) and node.dir is None:
            out.append(Span(isolate(node.children), None, node.cls, node.ctx))
        elif isinstance(node, NoteRef):  # its content was isolated when the note was made
            out.append(node)
        else:
            out.append(node)
    return tuple(out)


def strip_marks(text: str) -> str:
    """Remove direction marks and embeddings (for comparing extracted text)."""
    return BIDI_MARKS.sub("", text)
