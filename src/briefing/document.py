"""The composed document: the contract between `compose` and every writer.

One brief, in one language and layout, fully resolved: texts translated and parsed, facts
formatted, citations turned into numbered notes, mixed-direction runs isolated, template
words filled in, and every placement decided (the key facts box included). It is an
ordered tree of blocks with meaning-based roles; writers (HTML/PDF, Word, JSON) walk
`Document.blocks` in order and style each role; none of them decides order or numbering.

Inline content is a tuple of nodes: Str, Emph, Strong, Code, Link, LineBreak (from the
inline parser), Span (a run with its own direction and/or a mark such as "untranslated"
or "nowrap") and NoteRef (a numbered footnote, placed where its mark goes).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar, Iterator

from .i18n.words import fill
from .inline import Code, Emph, LineBreak, Link, Str, Strong  # noqa: F401 - re-exported for the writers

SCHEMA = "briefing-document/1"   # the JSON export's version: bump when the shape changes


@dataclass(frozen=True)
class NoteRef:
    """A footnote: its number and its content, placed where its mark goes."""

    number: int
    content: tuple


@dataclass(frozen=True)
class Span:
    """A run with its own direction (`dir`) and/or a mark (`cls`):

    - "untranslated": English shown in a translated document (highlighted on review copies);
    - "nowrap": never broken across lines (an e-mail address, a phone number);
    - "unit": a long left-to-right title or web address in right-to-left text: it starts a
      line of its own when it does not fit the rest of one, so that wrapped it reads left to
      right on consecutive lines (PDF); Word, which has no such unit, wraps it in place.

    `ctx` is set only in documents composed with `annotate=True` (the preview server's):
    the msgctxt of the brief text the span holds, for a translator's in-context view.
    Writers ignore it, except the HTML writer, which writes it as `data-ctx`.
    """

    children: tuple
    dir: str | None = None
    cls: str | None = None
    ctx: str | None = None


Inlines = tuple


# --- blocks ---------------------------------------------------------------------------------
# Every block has a `role` (what it is, not how it looks) and `keep_together` (never split
# across pages: CSS break-inside: avoid; Word keep-with-next on every paragraph but the last).


@dataclass
class TitleBlock:
    role: ClassVar[str] = "title"
    label: str                      # "Policy brief" / "Leave-behind", translated
    date_text: str
    title: Inlines
    subtitle: Inlines | None = None
    audience: Inlines | None = None       # "For the Knesset ..." (filled template word)
    prepared_by: Inlines | None = None    # "Prepared by ..." (filled template word)
    prepared_for: Inlines | None = None   # "Prepared for ..." on a recipient's copy (recipients.py)
    keep_together: bool = True


@dataclass
class CoverBlock:
    """A short cover letter on its own page, first in a recipient's copy (recipients.py):
    every sentence a template word, the recipient's own data escaped as text."""

    role: ClassVar[str] = "cover"
    date_text: str
    addressee: list[Inlines]        # name, title, organization, committee: one line each
    salutation: Inlines             # "Dear Dana Cohen," or the recipient's own salutation
    paragraphs: list[Inlines]
    ask_heading: str | None = None
    ask: Inlines | None = None      # the recipient's personal ask
    closing: str = ""               # "Yours sincerely,"
    signature: Inlines | None = None   # the organization
    keep_together: bool = True


@dataclass
class PointsBlock:
    """The key points: the summary of a brief, the points of a leave-behind."""

    role: ClassVar[str] = "summary"
    heading: str | None
    points: list[Inlines]
    keep_together: bool = False


@dataclass
class FactRow:
    """One row of the key facts box; fields in reading order (the value and its note first)."""

    name: str
    value: Inlines
    note: Inlines | None            # the mark of the fact's source note
    label: Inlines
    qualifier: Inlines | None       # "(estimate, as of 2021)", filled and translated
    remark: Inlines | None = None   # the fact's own note ("SIPRI data, as reported by ...")
    estimate: bool = False
    as_of: Inlines | None = None


@dataclass
class FactsBlock:
    role: ClassVar[str] = "facts"
    heading: str
    value_heading: str              # column headings ("Figure", "Fact")
    label_heading: str
    rows: list[FactRow]
    keep_together: bool = True


@dataclass
class QuoteBlock:
    role: ClassVar[str] = "quote"
    text: Inlines                   # with the language's quotation marks and final stop
    attribution: Inlines            # "— Speaker, role" and the source's note mark
    keep_together: bool = True


@dataclass
class ArgumentBlock:
    role: ClassVar[str] = "argument"
    claim: Inlines
    evidence: list[Inlines]
    objection: Inlines | None = None
    response: Inlines | None = None
    objection_label: str = ""
    response_label: str = ""
    keep_together: bool = False


@dataclass
class SectionBlock:
    role: ClassVar[str] = "section"
    number: int
    id: str
    heading: Inlines
    intro: Inlines | None
    children: list                  # ArgumentBlock and QuoteBlock, in reading order
    keep_together: bool = False

    @property
    def arguments(self) -> list[ArgumentBlock]:
        return [c for c in self.children if isinstance(c, ArgumentBlock)]

    @property
    def quotes(self) -> list[QuoteBlock]:
        return [c for c in self.children if isinstance(c, QuoteBlock)]


@dataclass
class Ask:
    to: Inlines                     # "To the Knesset" (filled template word)
    ask: Inlines


@dataclass
class AsksBlock:
    role: ClassVar[str] = "asks"
    heading: str
    items: list[Ask]
    keep_together: bool = False


@dataclass
class SourcesBlock:
    role: ClassVar[str] = "sources"
    heading: str
    entries: list[Inlines]
    keep_together: bool = False


@dataclass
class ContactBlock:
    role: ClassVar[str] = "contact"
    heading: str
    items: list[tuple[str, Inlines]]      # (field, value): name, website, email, phone, address
    keep_together: bool = True


BLOCK_TYPES = (CoverBlock, TitleBlock, PointsBlock, FactsBlock, QuoteBlock, ArgumentBlock, SectionBlock, AsksBlock,
               SourcesBlock, ContactBlock)


def _palette() -> dict:
    from .project import Colors
    return Colors().model_dump()


@dataclass
class Branding:
    organization: str = ""
    colors: dict = field(default_factory=_palette)  # primary, accent, muted, box: "#rrggbb"
    logo: str | None = None                        # project-relative path of the logo (SVG or PNG)
    logo_raster: str | None = None                 # a PNG/JPEG for Word, when there is one


@dataclass
class Document:
    brief_id: str
    lang: str
    dir: str
    layout: str                     # "brief" | "leave-behind"
    paper: str                      # "a4" | "letter" | "a5"
    title: Inlines                  # for the running header and the metadata
    author: str | None
    date: dt.date
    date_text: str
    blocks: list
    notes: list[NoteRef]
    words: dict[str, str]           # the template's words, translated (page furniture)
    quote_marks: tuple = ("\u201c", "\u201d")
    timestamp: dt.datetime | None = None  # SOURCE_DATE_EPOCH, else the brief's date: the only time in outputs
    facts_after: int = 0            # where the key facts box went: 0 after the summary, n after section n
    fonts: dict = field(default_factory=dict)
    branding: Branding = field(default_factory=Branding)
    source: str = ""                # the brief's file, as messages show it (briefs/x.yaml)

    @property
    def rtl(self) -> bool:
        return self.dir == "rtl"

    @property
    def title_block(self) -> TitleBlock | None:
        return next((b for b in self.blocks if isinstance(b, TitleBlock)), None)

    @property
    def title_text(self) -> str:
        return text_of(self.title)

    def word(self, msgid: str, **values) -> str:
        """A template word, translated; `values` fill its plain {name} placeholders."""
        return fill(self.words.get(msgid, msgid), values)

    def walk(self) -> Iterator:
        """Every block, depth first, in reading order."""
        def visit(blocks):
            for block in blocks:
                yield block
                yield from visit(getattr(block, "children", ()))
        yield from visit(self.blocks)

    def find(self, role: str) -> list:
        return [b for b in self.walk() if b.role == role]

    # conveniences for writers and checks
    @property
    def sections(self) -> list[SectionBlock]:
        return self.find("section")

    @property
    def facts(self) -> list[FactRow]:
        return [row for b in self.find("facts") for row in b.rows]

    @property
    def summary(self) -> list[Inlines]:
        return [point for b in self.find("summary") for point in b.points]

    @property
    def sources(self) -> list[Inlines]:
        return [entry for b in self.find("sources") for entry in b.entries]


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


def fill_inline(pattern: str, name: str, nodes) -> Inlines:
    """A translated pattern with one inline value in it: 'For {audience}' -> inlines."""
    before, _, after = pattern.partition("{" + name + "}")
    return ((Str(before),) if before else ()) + tuple(nodes) + ((Str(after),) if after else ())


def notes_in(nodes) -> Iterator[NoteRef]:
    """The notes of some inline content, in order."""
    for node in nodes or ():
        if isinstance(node, NoteRef):
            yield node
        elif isinstance(node, (Span, Emph, Strong, Link)):
            yield from notes_in(node.children)
