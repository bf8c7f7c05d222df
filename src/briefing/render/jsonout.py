"""The JSON writer (`--format json`): the composed document, for tools and tests.

The shape is stable and versioned (`"schema": "briefing-document/1"`): every block is an
object with its `role`; inline content is a list of nodes `{"t": TYPE, ...}` (Str, Emph,
Strong, Code, Link, LineBreak, Span, Note). A note appears where its mark goes, with its
number and content; `notes` lists them all again in order. Keys are sorted and the text is
UTF-8; keys come in reading order (a block's fields as the reader meets them), so the
notes' numbers rise through the file, and equal documents give equal bytes.
"""
from __future__ import annotations

import dataclasses
import json

from ..document import SCHEMA, Code, Document, Emph, LineBreak, Link, NoteRef, Span, Str, Strong


def inline_json(nodes) -> list:
    out = []
    for node in nodes or ():
        if isinstance(node, Str):
            out.append({"t": "Str", "text": node.text})
        elif isinstance(node, Code):
            out.append({"t": "Code", "text": node.text})
        elif isinstance(node, (Emph, Strong)):
            out.append({"t": type(node).__name__, "c": inline_json(node.children)})
        elif isinstance(node, Link):
            out.append({"t": "Link", "href": node.href, "c": inline_json(node.children)})
        elif isinstance(node, LineBreak):
            out.append({"t": "LineBreak"})
        elif isinstance(node, Span):
            out.append({"t": "Span", "dir": node.dir, "class": node.cls, "c": inline_json(node.children)})
        elif isinstance(node, NoteRef):
            out.append({"t": "Note", "n": node.number, "c": inline_json(node.content)})
    return out


def _value(value):
    if isinstance(value, tuple) and all(isinstance(n, (Str, Code, Emph, Strong, Link, LineBreak, Span, NoteRef))
                                        for n in value):
        return inline_json(value)
    if dataclasses.is_dataclass(value):
        return block_json(value)
    if isinstance(value, (list, tuple)):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    return value


def block_json(block) -> dict:
    out = {"role": block.role} if hasattr(block, "role") else {}
    for f in dataclasses.fields(block):
        out[f.name] = _value(getattr(block, f.name))
    return out


def document_json(doc: Document) -> dict:
    return {
        "schema": SCHEMA, "brief": doc.brief_id, "lang": doc.lang, "dir": doc.dir, "layout": doc.layout,
        "paper": doc.paper, "date": doc.date.isoformat(), "author": doc.author, "facts_after": doc.facts_after,
        "branding": dataclasses.asdict(doc.branding), "title": inline_json(doc.title),
        "blocks": [block_json(b) for b in doc.blocks],
        "notes": [{"n": n.number, "c": inline_json(n.content)} for n in doc.notes],
    }


def write_json(doc: Document, options=None) -> bytes:
    return (json.dumps(document_json(doc), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
