"""Chicago-style notes and the sources list, with localized words and dates.

The first citation of a source gives the full note; later ones a short form (author,
short title, locator). Bibliographic data (names, titles) stays as published; the words
around it ("accessed", "p.") and every date come from the catalog and Babel.

In a right-to-left document each piece of bibliographic data written in a left-to-right
script (a name, a title, a journal) is one left-to-right unit, so that a title with a
colon or a leading number keeps its order; the pieces themselves follow in the reading
order of the document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .document import Emph, Link, Span, Str
from .i18n.locale import Lang
from .i18n.words import LOCATOR_WORDS
from .inline import merge_text
from .load.sources import CslDate, Name, Source

CONTAINER_TYPES = {"article", "article-journal", "article-magazine", "article-newspaper", "webpage",
                   "post", "post-weblog", "chapter", "paper-conference", "entry", "entry-dictionary",
                   "entry-encyclopedia", "review", "review-book", "interview", "speech", "figure",
                   "graphic", "song"}
NO_PUBLISHER_TYPES = ("article-newspaper", "article-magazine", "webpage", "post-weblog")
SHORT = 40   # characters: a shorter name or title never breaks; a longer one, or a web address, in a
             # right-to-left note is a "unit": it moves to the next line whole rather than wrap at the
             # line's far end, and wraps left-to-right on lines of its own when longer than a line
RTL_LETTER = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


@dataclass
class NoteMaker:
    """Makes note and bibliography inlines for one language."""

    lang: Lang
    word: Callable[..., str]             # word(msgid, **values) -> translated, formatted
    seen: set = field(default_factory=set)

    # --- pieces -------------------------------------------------------------------------
    def data(self, node) -> object:
        """Bibliographic data as one unit: left-to-right inside right-to-left text, and a
        short one (a name, a journal) never split across lines."""
        text = _plain(node)
        if self.lang.rtl and not RTL_LETTER.search(text):
            return Span((node,), "ltr", "nowrap" if len(text) <= SHORT else "unit")
        return node

    def names(self, names: tuple[Name, ...], inverted: bool = False) -> list:
        if not names:
            return []
        shown = [n.sort if (inverted and i == 0) else n.display for i, n in enumerate(names[:3])]
        if len(names) > 3:
            return [self.data(Str(shown[0])), Str(" " + self.word("et al."))]
        nodes = self._list([self.data(Str(s)) for s in shown])
        if inverted and len(shown) == 2 and self.lang.code == "en" and "," in shown[0]:
            # "Doe, Jane, and Piet van der Berg": after an inverted name, a comma before "and"
            nodes = [Str(", and ") if isinstance(n, Str) and n.text == " and " else n for n in nodes]
        return nodes

    def _list(self, nodes: list) -> list:
        """The language's list pattern ('A, B and C') around nodes."""
        marks = [f"\ue000{i}\ue001" for i in range(len(nodes))]
        pattern = self.lang.list(marks)
        out: list = []
        for piece in re.split(r"(\ue000\d+\ue001)", pattern):
            m = re.fullmatch(r"\ue000(\d+)\ue001", piece)
            if m:
                out.append(nodes[int(m.group(1))])
            elif piece:
                out.append(Str(piece))
        if self.lang.profile.prefix_hyphen:  # "ו" before a Latin name is written "ו-" (a hyphen that does not break)
            out = [Str(n.text + "\u2011") if isinstance(n, Str) and n.text.endswith("\u05d5") and i + 1 < len(out)
                   and not RTL_LETTER.search(_plain(out[i + 1])[:1]) else n for i, n in enumerate(out)]
        return out

    def date(self, d: CslDate | None) -> list:
        if d is None:
            return [Str(self.word("n.d."))]
        if d.literal and not d.year:
            return [self.data(Str(d.literal))]
        import datetime as _dt
        if d.day and d.month:
            return [Str(self.lang.date(_dt.date(d.year, d.month, d.day), "long"))]
        if d.month:
            return [Str(self.lang.month_year(d.year, d.month))]
        return [Str(str(d.year))]

    def locator(self, locator: tuple[str, str] | None) -> list:
        if not locator:
            return []
        term, value = locator
        single, plural = LOCATOR_WORDS[term]
        label = self.word(plural if re.search(r"[–,-]", value) else single)
        return [Str(f"{label}\u00a0{value}")]

    def title(self, source: Source, short: bool = False) -> list:
        text = source.title
        if short:
            text = source.get("title-short") or _short_title(text)
        text = text.replace("'", "\u2019")
        if source.type in CONTAINER_TYPES:
            if self.lang.rtl and not RTL_LETTER.search(text):
                # a left-to-right title in right-to-left text keeps its own language's marks,
                # inside its left-to-right unit: “Israel’s Arms Export”, not ”Israel’s Arms Export”
                return [self.data(Str(Lang("en").quote(text)))]
            return [self.data(Str(self.lang.quote(text)))]
        return [self.data(Emph((Str(text),)))]

    def link(self, url: str) -> list:
        node = Link(url, (Str(url),))
        return [Span((node,), "ltr", "unit") if self.lang.rtl else node]

    # --- notes --------------------------------------------------------------------------
    def note(self, source: Source, locator: tuple[str, str] | None) -> list:
        """The note for one citation: full the first time, short afterwards."""
        if source.id in self.seen:
            return self.short(source, locator)
        self.seen.add(source.id)
        return self.full(source, locator)

    def full(self, source: Source, locator) -> list:
        parts = [self.creators(source), self.title(source), *self.container(source), self.locator(locator)]
        if source.url:
            parts.append(self.link(source.url))
        return self._end(_join(parts, ", ") + self._access(source))

    def short(self, source: Source, locator) -> list:
        authors = source.authors
        if len(authors) > 3:
            who = [self.data(Str(authors[0].short)), Str(" " + self.word("et al."))]
        else:
            who = self._list([self.data(Str(n.short)) for n in authors])
        return self._end(_join([who, self.title(source, short=True), self.locator(locator)], ", "))

    def creators(self, source: Source, inverted: bool = False) -> list:
        """Authors, or editors marked 'ed.' when a work has no author."""
        if source.names.get("author"):
            return self.names(source.names["author"], inverted)
        for role in ("editor", "director", "container-author"):
            if source.names.get(role):
                label = [Str(f", {self.word('ed.')}")] if role == "editor" else []
                return self.names(source.names[role], inverted) + label
        return []

    def container(self, source: Source) -> list[list]:
        """Where a work appeared: journal (vol., no.), book (ed.), publisher, number, date."""
        parts: list[list] = []
        container = source.get("container-title")
        if source.type == "chapter" and container:
            piece = [Str(self.word("in") + " "), self.data(Emph((Str(container),)))]
            editors = source.names.get("editor")
            if editors and source.names.get("author"):
                piece += [Str(f", {self.word('ed.')} ")] + self.names(editors)
            parts.append(piece)
        elif container:
            piece = [self.data(Emph((Str(container),)))]
            if source.type == "article-journal" and source.get("volume"):
                piece.append(Str(f" {source.get('volume')}"))
                if source.get("issue"):
                    piece.append(Str(f", {self.word('no.')}\u00a0{source.get('issue')}"))
            parts.append(piece)
        if source.get("number") and source.type in ("report", "bill"):
            # a report's number with its label: "Research Report HR-7" (its genre), else "no. HR-7"
            genre = str(source.get("genre") or "").strip()
            label = [self.data(Str(genre)), Str("\u00a0")] if genre else [Str(self.word("no.") + "\u00a0")]
            parts.append(label + [self.data(Str(str(source.get("number"))))])
        publisher = source.get("publisher") or source.get("authority")
        if publisher and source.type not in NO_PUBLISHER_TYPES:
            parts.append([self.data(Str(str(publisher)))])
        parts.append(self.date(source.dates.get("issued")))
        return parts

    def _access(self, source: Source) -> list:
        out: list = []
        accessed = source.dates.get("accessed")
        if accessed and source.url:
            out.append([Str(self.word("accessed {date}", date=_plain_nodes(self.date(accessed))))])
        archived = source.get("archived")
        if archived:
            label, _, rest = self.word("archived at {url}", url="\x00").partition("\x00")
            out.append([Str(label)] + self.link(archived) + ([Str(rest)] if rest else []))
        return [Str(" (")] + _join(out, "; ") + [Str(")")] if out else []

    def _end(self, nodes: list) -> list:
        """Close a note with the language's full stop (after an abbreviation's period too)."""
        nodes = merge_text(nodes)
        last = nodes[-1] if nodes else None
        stop = self.lang.full_stop()
        if not (isinstance(last, Str) and last.text.endswith(stop)):
            nodes = nodes + [Str(stop)]
        return self._commas_inside_quotes(merge_text(nodes))

    def _commas_inside_quotes(self, nodes: list) -> list:
        """American usage (Chicago): “Title,” not “Title”, - English only."""
        if self.lang.code != "en":
            return nodes
        close = self.lang.quote_marks[1]
        return [Str(re.sub(f"{close}([,.])", rf"\1{close}", n.text)) if isinstance(n, Str) else
                Span(tuple(self._commas_inside_quotes(list(n.children))), n.dir, n.cls) if isinstance(n, Span)
                else n for n in nodes]

    # --- sources list -------------------------------------------------------------------
    def bibliography_entry(self, source: Source) -> list:
        parts = [self.creators(source, inverted=True), self.title(source), *self.container(source)]
        if source.get("page") and source.type in ("article-journal", "chapter", "paper-conference"):
            parts.append([Str(str(source.get("page")).replace("-", "\u2013"))])
        out = merge_text(_join(parts, ", "))
        if source.url:
            stop = self.lang.full_stop()
            ends = isinstance(out[-1], Str) and out[-1].text.endswith(stop)
            out += [Str(" " if ends else stop + " ")] + self.link(source.url)
        return self._end(out + self._access(source))


def _plain(node) -> str:
    if isinstance(node, Str):
        return node.text
    return "".join(_plain(c) for c in getattr(node, "children", ()))


def _plain_nodes(nodes: list) -> str:
    return "".join(_plain(n) for n in nodes)


def sort_key(source: Source) -> str:
    """Sources list order: by first creator (as shown), else by title."""
    for role in ("author", "editor", "director", "container-author"):
        if source.names.get(role):
            return (source.names[role][0].sort + " " + source.title).casefold()
    return source.title.casefold()


ARTICLES = {"a", "an", "the"}
# words a short title never ends on: articles, prepositions, conjunctions (Chicago 14.30: a short
# title is the first up-to-four key words of the main title, without a leading article)
DANGLING = ARTICLES | set("""
about above across after against along among around as at before behind below beside between beyond
but by despite down during for from in inside into like near nor of off on onto or out over past per
since so than through to toward towards under until up upon versus via with within without yet and
its their his her our your my whose which that this these those is are was were be
""".split())


def _short_title(title: str) -> str:
    """Chicago's short title: the main title (before a subtitle), without a leading article,
    at most four words, never ending on a comma or on a word that leaves it hanging."""
    main = re.split(r"[:?!]\s|\.\s|\s[\u2013\u2014-]\s", title.strip(), maxsplit=1)[0]
    words = main.split()
    if len(words) > 1 and words[0].casefold() in ARTICLES:
        words = words[1:]
    words = words[:4]
    while len(words) > 1 and words[-1].strip(",;:.\u2013\u2014-").casefold() in DANGLING | {""}:
        words = words[:-1]
    text = " ".join(words).rstrip(",;:\u2013\u2014- ")
    return text or main


def _join(parts: list[list], sep: str) -> list:
    out: list = []
    for i, part in enumerate(p for p in parts if p):
        if i:
            out.append(Str(sep))
        out.extend(part)
    return out
