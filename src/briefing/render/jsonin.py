"""Read a composed document back from its JSON (`--format json`): the inverse of jsonout.

`briefing diff` uses it to compare the project with an earlier build folder. Only the
fields that JSON keeps come back (blocks, notes, title, dates, branding); the template's
words are not in the JSON and are left empty.

An earlier build folder may come from anywhere (another machine, a download): every value
is checked against the shape the JSON writer gives it before it reaches a writer (texts
are texts without control characters, numbers are whole numbers of a sane size, links are
http(s)/mailto/#anchors, a span's direction and mark are plain words, nesting is at most
40 levels); anything else is a `JsonDocumentError` that says where.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing

from ..document import (BLOCK_TYPES, Ask, Branding, Code, Document, Emph, FactRow, LineBreak, Link, NoteRef,
                        Span, Str, Strong)

ROLES = {cls.role: cls for cls in BLOCK_TYPES}


class JsonDocumentError(ValueError):
    pass


MAX_DEPTH = 40
MAX_NUMBER = 1_000_000
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
WORD = re.compile(r"[a-z][a-z0-9-]{0,40}")
LINK = re.compile(r"(?:https?:|mailto:|#)", re.I)


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise JsonDocumentError(f"{what} is not a text")
    bad = CONTROL.search(value)
    if bad:
        raise JsonDocumentError(f"{what} holds the control character U+{ord(bad.group(0)):04X}")
    return value


def _number(value, what: str) -> int:
    if type(value) is not int or not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise JsonDocumentError(f"{what} is not a whole number (up to {MAX_NUMBER:,})")
    return value


def _word(value, what: str) -> str | None:
    if value is not None and (not isinstance(value, str) or not WORD.fullmatch(value)):
        raise JsonDocumentError(f"{what} is not a plain word: {str(value)[:40]!r}")
    return value


def inlines(data, depth: int = 0) -> tuple:
    if data is None:
        return ()
    if not isinstance(data, list):
        raise JsonDocumentError("inline content must be a list")
    if depth > MAX_DEPTH:
        raise JsonDocumentError(f"inline content is nested deeper than {MAX_DEPTH} levels")
    out = []
    for node in data:
        kind = node.get("t") if isinstance(node, dict) else None
        if kind == "Str":
            out.append(Str(_text(node["text"], "a text")))
        elif kind == "Code":
            out.append(Code(_text(node["text"], "a code text")))
        elif kind in ("Emph", "Strong"):
            out.append((Emph if kind == "Emph" else Strong)(inlines(node["c"], depth + 1)))
        elif kind == "Link":
            href = _text(node["href"], "a link")
            if not LINK.match(href.strip()):
                raise JsonDocumentError(f"a link to {href[:80]!r}: only http(s), mailto and #anchor links are allowed")
            out.append(Link(href, inlines(node["c"], depth + 1)))
        elif kind == "LineBreak":
            out.append(LineBreak())
        elif kind == "Span":
            direction = node.get("dir")
            if direction not in (None, "ltr", "rtl", "auto"):
                raise JsonDocumentError(f"a span's direction is not ltr, rtl or auto: {str(direction)[:40]!r}")
            out.append(Span(inlines(node["c"], depth + 1), direction, _word(node.get("class"), "a span's class")))
        elif kind == "Note":
            out.append(NoteRef(_number(node["n"], "a note's number"), inlines(node["c"], depth + 1)))
        else:
            raise JsonDocumentError(f"unknown inline node {str(kind)[:40]!r}")
    return tuple(out)


def _field(annotation: str, value, depth: int = 0):
    annotation = annotation.replace(" ", "")
    if value is None:
        return None
    if depth > MAX_DEPTH:
        raise JsonDocumentError(f"blocks are nested deeper than {MAX_DEPTH} levels")
    if annotation in ("str", "str|None"):
        return _text(value, "a text field")
    if annotation == "int":
        return _number(value, "a number field")
    if annotation == "bool":
        if not isinstance(value, bool):
            raise JsonDocumentError("a yes/no field is not true or false")
        return value
    if annotation in ("Inlines", "Inlines|None", "tuple"):
        return inlines(value)
    if annotation.startswith("list") and not isinstance(value, list):
        raise JsonDocumentError("a list field is not a list")
    if annotation == "list[Inlines]":
        return [inlines(v) for v in value]
    if annotation == "list[FactRow]":
        return [_dataclass(FactRow, v) for v in value]
    if annotation == "list[Ask]":
        return [_dataclass(Ask, v) for v in value]
    if annotation == "list[tuple[str,Inlines]]":
        if not all(isinstance(v, list) and len(v) == 2 for v in value):
            raise JsonDocumentError("a contact line is not [field, text]")
        return [(_text(k, "a contact field"), inlines(v)) for k, v in value]
    if annotation == "list":          # a section's children: blocks
        return [block(v, depth + 1) for v in value]
    raise JsonDocumentError(f"a field of an unexpected kind ({annotation})")


def _dataclass(cls, data: dict, depth: int = 0):
    if not isinstance(data, dict):
        raise JsonDocumentError(f"expected an object for {cls.__name__}")
    hints = {f.name: f.type if isinstance(f.type, str) else typing.get_type_hints(cls)[f.name]
             for f in dataclasses.fields(cls)}
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            values[f.name] = _field(str(hints[f.name]), data[f.name], depth)
    return cls(**values)


def block(data: dict, depth: int = 0):
    role = data.get("role") if isinstance(data, dict) else None
    if not isinstance(role, str) or role not in ROLES:
        raise JsonDocumentError(f"unknown block role {str(role)[:40]!r}")
    return _dataclass(ROLES[role], {k: v for k, v in data.items() if k != "role"}, depth)


def read_document(data: dict) -> Document:
    """A Document from the JSON writer's output (schema briefing-document/1)."""
    if not isinstance(data, dict) or not str(data.get("schema", "")).startswith("briefing-document/"):
        raise JsonDocumentError("not a briefing JSON document")
    if not isinstance(data.get("blocks", []), list) or not isinstance(data.get("notes", []), list):
        raise JsonDocumentError("its blocks and notes are not lists")
    blocks = [block(b) for b in data.get("blocks", [])]
    notes = [NoteRef(_number(n["n"], "a note's number"), inlines(n["c"])) for n in data.get("notes", [])]
    date = dt.date.fromisoformat(_text(data["date"], "the date"))
    title = next((b for b in blocks if b.role == "title"), None)
    branding = Branding()
    if isinstance(data.get("branding"), dict):
        own = data["branding"]
        branding = Branding(organization=_text(own.get("organization") or "", "the organization"))
    facts_after = _number(data.get("facts_after") or 0, "facts_after")
    if facts_after < 0:
        raise JsonDocumentError("facts_after is negative")
    text = {k: _text(data[k], k) for k in ("brief", "lang", "dir", "layout", "paper")}
    author = data.get("author")
    return Document(brief_id=text["brief"], lang=text["lang"], dir=text["dir"], layout=text["layout"],
                    paper=text["paper"], title=inlines(data.get("title")),
                    author=None if author is None else _text(author, "the author"), date=date,
                    date_text=title.date_text if title else date.isoformat(), blocks=blocks, notes=notes, words={},
                    facts_after=facts_after, branding=branding)
