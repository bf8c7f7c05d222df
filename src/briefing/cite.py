"""Chicago-style notes and the sources list, with localized words and dates.

The first citation of a source gives the full note; later ones a short form (author,
short title, locator). Bibliographic data (names, titles) stays as published; the words
around it ("accessed", "p.") and every date come from the catalog and Babel.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .document import Emph, Link, Span, Str
from .i18n.locale import Lang
from .i18n.words import LOCATOR_WORDS
from .load.sources import CslDate, Name, Source

ITALIC_TITLE_TYPES = {"book", "report", "thesis", "dataset", "software", "pamphlet", "map",
                      "motion_picture", "broadcast", "periodical", "standard", "document", "collection",
                      "legislation", "bill", "legal_case", "regulation", "treaty", "hearing", "classic"}
CONTAINER_TYPES = {"article", "article-journal", "article-magazine", "article-newspaper", "webpage",
                   "post", "post-weblog", "chapter", "paper-conference", "entry", "entry-dictionary",
                   "entry-encyclopedia", "review", "review-book", "interview", "speech", "figure",
                   "graphic", "song"}


@dataclass
class NoteMaker:
    """Makes note and bibliography inlines for one language."""

    lang: Lang
    word: Callable[..., str]             # word(msgid, **values) -> translated, formatted
    seen: set = field(default_factory=set)

    # --- pieces -------------------------------------------------------------------------
    def names(self, names: tuple[Name, ...], inverted: bool = False) -> str:
        if not names:
            return ""
        shown = [n.sort if (inverted and i == 0) else n.display for i, n in enumerate(names[:3])]
        if len(names) > 3:
            return shown[0] + " " + self.word("et al.")
        return self.lang.list(shown)

    def date(self, d: CslDate | None) -> str:
        if d is None:
            return self.word("n.d.")
        if d.literal and not d.year:
            return d.literal
        import datetime as _dt
        if d.day and d.month:
            return self.lang.date(_dt.date(d.year, d.month, d.day), "long")
        if d.month:
            return self.lang.month_year(d.year, d.month)
        return str(d.year)

    def locator(self, locator: tuple[str, str] | None) -> str:
        if not locator:
            return ""
        term, value = locator
        single, plural = LOCATOR_WORDS[term]
        label = self.word(plural if re.search(r"[–,-]", value) else single)
        return f"{label} {value}"

    def title(self, source: Source, short: bool = False) -> list:
        text = source.title
        if short:
            text = source.get("title-short") or _short_title(text)
        text = text.replace("'", "\u2019")
        if source.type in CONTAINER_TYPES:
            return [Str(self.lang.quote(text))]
        return [Emph((Str(text),))]

    def link(self, url: str) -> list:
        node = Link(url, (Str(url),))
        return [Span((node,), "ltr") if self.lang.rtl else node]

    # --- notes --------------------------------------------------------------------------
    def note(self, source: Source, locator: tuple[str, str] | None) -> list:
        """The note for one citation: full the first time, short afterwards."""
        if source.id in self.seen:
            return self.short(source, locator)
        self.seen.add(source.id)
        return self.full(source, locator)

    def full(self, source: Source, locator) -> list:
        parts: list[list] = []
        who = self.creators(source)
        if who:
            parts.append([Str(who)])
        parts.append(self.title(source))
        parts.extend(self.container(source))
        loc = self.locator(locator)
        if loc:
            parts.append([Str(loc)])
        if source.url:
            parts.append(self.link(source.url))
        out = _join(parts, ", ")
        extra = self._access(source)
        if extra:
            out += [Str(" (")] + extra + [Str(")")]
        return self._end(out)

    def creators(self, source: Source, inverted: bool = False) -> str:
        """Authors, or editors marked 'ed.' when a work has no author."""
        if source.names.get("author"):
            return self.names(source.names["author"], inverted)
        for role in ("editor", "director", "container-author"):
            if source.names.get(role):
                label = f", {self.word('ed.')}" if role == "editor" else ""
                return self.names(source.names[role], inverted) + label
        return ""

    def container(self, source: Source) -> list[list]:
        """Where a work appeared: journal (vol., no.), book (ed.), publisher, date."""
        parts: list[list] = []
        container = source.get("container-title")
        if source.type == "chapter" and container:
            piece = [Str(self.word("in") + " "), Emph((Str(container),))]
            editors = source.names.get("editor")
            if editors and source.names.get("author"):
                piece.append(Str(f", {self.word('ed.')} {self.names(editors)}"))
            parts.append(piece)
        elif container:
            piece = [Emph((Str(container),))]
            if source.type == "article-journal" and source.get("volume"):
                piece.append(Str(f" {source.get('volume')}"))
                if source.get("issue"):
                    piece.append(Str(f", {self.word('no.')} {source.get('issue')}"))
            parts.append(piece)
        publisher = source.get("publisher") or source.get("authority")
        if publisher and source.type not in ("article-newspaper", "article-magazine", "webpage", "post-weblog"):
            parts.append([Str(str(publisher))])
        if source.get("number") and source.type in ("report", "bill"):
            parts.append([Str(str(source.get("number")))])
        parts.append([Str(self.date(source.dates.get("issued")))])
        return parts

    def _end(self, nodes: list) -> list:
        """Close a note with the language's full stop, once."""
        last = nodes[-1] if nodes else None
        if not (isinstance(last, Str) and last.text.endswith((".", "\u0589"))):
            nodes = nodes + [Str(self.lang.full_stop())]
        return self._commas_inside_quotes(_merge(nodes))

    def _commas_inside_quotes(self, nodes: list) -> list:
        """American usage (Chicago): “Title,” not “Title”, - English only."""
        if self.lang.code != "en":
            return nodes
        close = self.lang.quote_marks[1]
        return [Str(re.sub(f"{close}([,.])", rf"\1{close}", n.text)) if isinstance(n, Str) else n
                for n in nodes]

    def short(self, source: Source, locator) -> list:
        parts: list[list] = []
        who = ", ".join(n.short for n in source.authors[:1])
        if len(source.authors) > 1:
            who = self.lang.list([n.short for n in source.authors[:3]]) if len(source.authors) <= 3 else \
                f"{source.authors[0].short} {self.word('et al.')}"
        if who:
            parts.append([Str(who)])
        parts.append(self.title(source, short=True))
        loc = self.locator(locator)
        if loc:
            parts.append([Str(loc)])
        return self._end(_join(parts, ", "))

    def _access(self, source: Source) -> list:
        out: list = []
        accessed = source.dates.get("accessed")
        if accessed and source.url:
            out.append([Str(self.word("accessed {date}", date=self.date(accessed)))])
        archived = source.get("archived")
        if archived:
            label, _, rest = self.word("archived at {url}", url="\x00").partition("\x00")
            out.append([Str(label)] + self.link(archived) + ([Str(rest)] if rest else []))
        return _join(out, "; ")

    # --- sources list -------------------------------------------------------------------
    def bibliography_entry(self, source: Source) -> list:
        parts: list[list] = []
        who = self.creators(source, inverted=True)
        if who:
            parts.append([Str(who)])
        parts.append(self.title(source))
        parts.extend(self.container(source))
        if source.get("page") and source.type in ("article-journal", "chapter", "paper-conference"):
            parts.append([Str(str(source.get("page")).replace("-", "\u2013"))])
        out = _join(parts, ", ")
        if source.url:
            out += [Str(". " if not _ends_with_stop(out) else " ")] + self.link(source.url)
        extra = self._access(source)
        if extra:
            out += [Str(" (")] + extra + [Str(")")]
        return self._end(out)


def _merge(nodes: list) -> list:
    out: list = []
    for node in nodes:
        if isinstance(node, Str) and out and isinstance(out[-1], Str):
            out[-1] = Str(out[-1].text + node.text)
        else:
            out.append(node)
    return out


def _ends_with_stop(nodes: list) -> bool:
    return bool(nodes) and isinstance(nodes[-1], Str) and nodes[-1].text.endswith(".")


def sort_key(source: Source) -> str:
    """Sources list order: by first creator (as shown), else by title."""
    for role in ("author", "editor", "director", "container-author"):
        if source.names.get(role):
            return (source.names[role][0].sort + " " + source.title).casefold()
    return source.title.casefold()


def _short_title(title: str) -> str:
    main = re.split(r"[:?.!]\s", title, maxsplit=1)[0]
    words = main.split()
    return main if len(words) <= 4 else " ".join(words[:4])


def _join(parts: list[list], sep: str) -> list:
    out: list = []
    for i, part in enumerate(p for p in parts if p):
        if i:
            out.append(Str(sep))
        out.extend(part)
    return out
