"""A Babel extractor for briefs, registered as the `briefing` extraction method.

    # babel.cfg
    [briefing: briefs/*.yaml]

makes `pybabel extract -F babel.cfg` read briefs as `briefing translate extract` does:
one message per text, with its msgctxt (a path into the brief) and translator comments.
"""
from __future__ import annotations

import io
from pathlib import Path

from ..errors import BriefError, Report
from ..load.sources import SourceSet
from ..load.yamlfile import load_yaml
from ..model import Brief, iter_texts
from ..validate import validate


def extract_brief(fileobj, keywords, comment_tags, options):
    """Yield (lineno, funcname, (msgctxt, msgid), comments) for every text of a brief."""
    name = getattr(fileobj, "name", "brief.yaml")
    text = fileobj.read()
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        doc = load_yaml(Path(str(name)), str(name), text=text)
    except BriefError:
        return
    brief = validate(doc, Brief, Report())
    if brief is None:
        return
    for ctx, path, msg in iter_texts(brief):
        line = msg.loc.line if msg.loc else 0
        yield line, "pgettext", (ctx, str(msg)), doc.comments_above(path)


def extract_text(text: str, name: str = "brief.yaml"):
    """The same, from a string (for tests and tools)."""
    buf = io.StringIO(text)
    buf.name = name
    return list(extract_brief(buf, None, None, {}))


__all__ = ["extract_brief", "extract_text", "SourceSet"]
