"""Read a composed document back from its JSON (`--format json`): the inverse of jsonout.

`briefing diff` uses it to compare the project with an earlier build folder. Only the
fields that JSON keeps come back (blocks, notes, title, dates, branding); the template's
words are not in the JSON and are left empty.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import typing

from ..document import (BLOCK_TYPES, Ask, Branding, Code, Document, Emph, FactRow, LineBreak, Link, NoteRef,
                        Span, Str, Strong)

ROLES = {cls.role: cls for cls in BLOCK_TYPES}


class JsonDocumentError(ValueError):
    pass


def inlines(data) -> tuple:
    if data is None:
        return ()
    if not isinstance(data, list):
        raise JsonDocumentError("inline content must be a list")
    out = []
    for node in data:
        kind = node.get("t") if isinstance(node, dict) else None
        if kind == "Str":
            out.append(Str(str(node["text"])))
        elif kind == "Code":
            out.append(Code(str(node["text"])))
        elif kind in ("Emph", "Strong"):
            out.append((Emph if kind == "Emph" else Strong)(inlines(node["c"])))
        elif kind == "Link":
            out.append(Link(str(node["href"]), inlines(node["c"])))
        elif kind == "LineBreak":
            out.append(LineBreak())
        elif kind == "Span":
            out.append(Span(inlines(node["c"]), node.get("dir"), node.get("class")))
        elif kind == "Note":
            out.append(NoteRef(int(node["n"]), inlines(node["c"])))
        else:
            raise JsonDocumentError(f"unknown inline node {kind!r}")
    return tuple(out)


def _field(annotation: str, value):
    annotation = annotation.replace(" ", "")
    if value is None:
        return None
    if annotation in ("Inlines", "Inlines|None", "tuple"):
        return inlines(value)
    if annotation == "list[Inlines]":
        return [inlines(v) for v in value]
    if annotation == "list[FactRow]":
        return [_dataclass(FactRow, v) for v in value]
    if annotation == "list[Ask]":
        return [_dataclass(Ask, v) for v in value]
    if annotation == "list[tuple[str,Inlines]]":
        return [(str(k), inlines(v)) for k, v in value]
    if annotation == "list":          # a section's children: blocks
        return [block(v) for v in value]
    return value


def _dataclass(cls, data: dict):
    if not isinstance(data, dict):
        raise JsonDocumentError(f"expected an object for {cls.__name__}")
    hints = {f.name: f.type if isinstance(f.type, str) else typing.get_type_hints(cls)[f.name]
             for f in dataclasses.fields(cls)}
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            values[f.name] = _field(str(hints[f.name]), data[f.name])
    return cls(**values)


def block(data: dict):
    role = data.get("role") if isinstance(data, dict) else None
    if role not in ROLES:
        raise JsonDocumentError(f"unknown block role {role!r}")
    return _dataclass(ROLES[role], {k: v for k, v in data.items() if k != "role"})


def read_document(data: dict) -> Document:
    """A Document from the JSON writer's output (schema briefing-document/1)."""
    if not isinstance(data, dict) or not str(data.get("schema", "")).startswith("briefing-document/"):
        raise JsonDocumentError("not a briefing JSON document")
    blocks = [block(b) for b in data.get("blocks", [])]
    notes = [NoteRef(int(n["n"]), inlines(n["c"])) for n in data.get("notes", [])]
    date = dt.date.fromisoformat(data["date"])
    title = next((b for b in blocks if b.role == "title"), None)
    branding = Branding(**data["branding"]) if isinstance(data.get("branding"), dict) else Branding()
    return Document(brief_id=data["brief"], lang=data["lang"], dir=data["dir"], layout=data["layout"],
                    paper=data["paper"], title=inlines(data.get("title")), author=data.get("author"), date=date,
                    date_text=title.date_text if title else date.isoformat(), blocks=blocks, notes=notes, words={},
                    facts_after=int(data.get("facts_after") or 0), branding=branding)
