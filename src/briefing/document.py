"""The document every writer reads: one brief, in one language, fully resolved.

Texts are translated, parsed, facts formatted, citations turned into numbered notes and
mixed-direction runs isolated. Writers (HTML/PDF, DOCX) only lay this out.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .i18n.words import fill
from .inline import Code, Emph, LineBreak, Link, Str, Strong  # noqa: F401 - re-exported for the writers


@dataclass(frozen=True)
class NoteRef:
    """A footnote: its number and its content, placed where its mark goes."""

    number: int
    content: tuple


@dataclass(frozen=True)
class Span:
    """A run with its own direction (`dir`) and/or a class ('untranslated')."""

    children: tuple
    dir: str | None = None
    cls: str | None = None


Inlines = tuple


@dataclass
class FactRow:
    name: str
    label: Inlines
    value: Inlines
    as_of: Inlines | None
    estimate: bool
    note: Inlines | None          # the citation of the fact's source
    remark: Inlines | None = None  # the fact's own note ("SIPRI data, as reported by ...")


@dataclass
class ArgumentOut:
    claim: Inlines
    evidence: list[Inlines]
    objection: Inlines | None
    response: Inlines | None


@dataclass
class QuoteOut:
    text: Inlines
    speaker: Inlines
    role: Inlines | None
    note: Inlines
    end: str = ""        # punctuation after the closing quotation mark (Armenian "։")


@dataclass
class SectionOut:
    number: int
    id: str
    heading: Inlines
    intro: Inlines | None
    arguments: list[ArgumentOut]
    quotes: list[QuoteOut]


@dataclass
class RecommendationOut:
    to: Inlines
    ask: Inlines


@dataclass
class Document:
    brief_id: str
    lang: str
    dir: str
    layout: str
    paper: str
    title: Inlines
    subtitle: Inlines | None
    audience: Inlines
    organization: Inlines | None
    author: str | None
    date: dt.date
    date_text: str
    summary: list[Inlines]
    facts: list[FactRow]
    lead_quotes: list[QuoteOut]
    sections: list[SectionOut]
    recommendations: list[RecommendationOut]
    notes: list[NoteRef]
    sources: list[Inlines]
    words: dict[str, str]
    quote_marks: tuple = ("\u201c", "\u201d")
    timestamp: dt.datetime | None = None  # SOURCE_DATE_EPOCH, else the brief's date: the only time in outputs
    facts_after: int = 0           # where the key facts box goes: 0 after the summary, n after section n
    contact: dict = field(default_factory=dict)
    contact_items: list = field(default_factory=list)   # [(field, Inlines)]
    fonts: dict = field(default_factory=dict)

    @property
    def rtl(self) -> bool:
        return self.dir == "rtl"

    @property
    def title_text(self) -> str:
        return text_of(self.title)

    def word(self, msgid: str, **values) -> str:
        text = self.words.get(msgid, msgid)
        return fill(text, **values)


def text_of(nodes) -> str:
    out = []
    for node in nodes or ():
        if isinstance(node, Span):
            out.append(text_of(node.children))
        elif isinstance(node, NoteRef):
            continue
        elif isinstance(node, (Emph, Strong, Link)):
            out.append(text_of(node.children))
        elif isinstance(node, (Str, Code)):
            out.append(node.text)
        elif isinstance(node, LineBreak):
            out.append(" ")
    return "".join(out)
