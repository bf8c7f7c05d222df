"""Whose view a text is, and when it was true: rendered the same way in every language.

A claim, an evidence item, an objection, a response or a summary point may be written as
a mapping (model.Statement) instead of a plain text:

    text: ...                 the statement
    according_to: ...         whose view or words it is: "According to {who}:" before it
    as_of: 2026-06-30         when it was true: "(as of {date})" before its full stop

The patterns are template words (i18n/words.py), so each language orders them its own
way ("לדברי {who}:", "{who} կարծիքով՝"); they are filled by plain `{name}` substitution,
never by str.format on a translated string.
"""
from __future__ import annotations

import datetime as dt
import re

from . import bidi
from .document import NoteRef, Str
from .facts import format_as_of
from .inline import merge_text
from .model import Statement

ACCORDING_TO = "According to {who}:"
AS_OF = "as of {date}"          # a year or a period of years
AS_OF_DAY = "as of {day}"       # a full date: its own word, since grammar may differ (hy "…6-ի դրությամբ")
FULL_STOP = re.compile(r"[.!?\u0589]$")


def fill(pattern: str, name: str, nodes) -> tuple:
    """`pattern` with `{name}` replaced by inline `nodes` (once); any other brace is text."""
    before, found, after = pattern.partition("{" + name + "}")
    if not found:
        return (Str(pattern),)
    return ((Str(before),) if before else ()) + tuple(nodes) + ((Str(after),) if after else ())


def render_statement(composer, path: tuple, item) -> tuple:
    """The inline nodes of the text at `path` (a yaml path), led by whose view it is and
    closed by its as-of date."""
    if not isinstance(item, Statement):
        return composer.text(path, item)
    nodes = list(composer.text(path + ("text",), item.text))
    if item.as_of is not None:
        nodes = _before_full_stop(nodes, list(as_of_nodes(composer, item.as_of)))
    if item.according_to:
        who = composer.text(path + ("according_to",), item.according_to)
        lead = fill(composer.word(ACCORDING_TO), "who", who)
        nodes = list(lead) + [Str(" ")] + nodes
    return tuple(merge_text(nodes))


def as_of_phrase(composer, as_of, date_nodes) -> tuple:
    """'as of 2021' / 'as of 30 June 2026' in the document's language: a full date has its
    own template word, because some languages inflect it (Armenian "2023 թ. մարտի 6-ի
    դրությամբ", but "2023 թ. դրությամբ")."""
    if isinstance(as_of, dt.date):
        return fill(composer.word(AS_OF_DAY), "day", date_nodes)
    return fill(composer.word(AS_OF), "date", date_nodes)


def as_of_nodes(composer, as_of) -> tuple:
    """'(as of 30 June 2026)' in the document's language, its date kept in one direction."""
    date: tuple = (Str(format_as_of(as_of, composer.lang) or ""),)
    if composer.lang.rtl:
        date = tuple(bidi.isolate(date))
    return (Str("("),) + as_of_phrase(composer, as_of, date) + (Str(")"),)


def _before_full_stop(nodes: list, extra: list) -> list:
    """Insert ' (as of ...)' before the sentence's closing full stop (and its note marks)."""
    i = len(nodes) - 1
    while i >= 0 and isinstance(nodes[i], NoteRef):
        i -= 1
    if i >= 0 and isinstance(nodes[i], Str):
        text = nodes[i].text.rstrip()
        m = FULL_STOP.search(text)
        if m:
            return nodes[:i] + [Str(text[: m.start()].rstrip() + " ")] + extra + [Str(text[m.start():])] + nodes[i + 1:]
    return nodes + [Str(" ")] + extra
