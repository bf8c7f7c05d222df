"""Brief + language -> Document: translate, parse, format facts, number notes, isolate.

Parts are composed in reading order, which is also the order of note numbers.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from . import bidi, fonts
from .cite import NoteMaker, sort_key
from .errors import BriefError, Problem
from .document import (ArgumentOut, Document, Emph, FactRow, Link, NoteRef, QuoteOut,
                       RecommendationOut, SectionOut, Span, Str, Strong, text_of)
from .facts import format_as_of, format_value
from .i18n.catalogs import Translator
from .i18n.locale import DOCX_FONTS, SANS, SERIF, Lang, hebrew_typography
from .i18n.words import WORDS, fill
from .inline import Cite, CiteItem, Placeholder, merge_text, parse
from .load.sources import SourceSet
from .model import Brief
from .project import Config

SENTENCE_END = re.compile(r"[.!?\u0589](?=\s|$)")
ABBREVIATIONS = {"cf", "e.g", "i.e", "etc", "vs", "u.s", "u.k", "u.n", "e.u", "no", "p", "pp", "vol", "dr", "mr",
                 "mrs", "ms", "st", "jr", "sr", "inc", "ltd", "co", "approx", "fig", "sec", "para", "ed", "eds", "al",
                 "jan", "feb", "mar", "apr", "aug", "sept", "sep", "oct", "nov", "dec", "gen", "col", "lt", "gov"}


def sentence_end(text: str):
    """The first full stop (or ! ? ։) that ends a sentence: not the period of "cf.", "U.S."
    or an initial, nor one followed by a lower-case word."""
    for m in SENTENCE_END.finditer(text):
        if m.group(0) == ".":
            before = re.search(r"([\w.]+)$", text[: m.start()])
            word = before.group(1) if before else ""
            if word.lower().rstrip(".") in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            if re.match(r"\s+[a-z]", text[m.end():]):
                continue
        return m
    return None
PUNCT_AFTER_MARK = ".,;:!?\u0589"
LAYOUTS = ("brief", "leave-behind")


class Composer:
    def __init__(self, brief: Brief, facts: dict, lang: str, sources: SourceSet, tr: Translator, words: Translator,
                 *, config: Config | None = None, show_untranslated: bool = False, paper: str = "a4",
                 layout: str = "brief", facts_after: int = 0):
        self.brief = brief
        self.facts = facts
        self.lang = Lang(lang)
        self.sources = sources
        self.tr = tr
        self.words_tr = words
        self.config = config or Config()
        self.show_untranslated = show_untranslated
        self.paper = paper
        self.layout = layout
        self.facts_after = facts_after if layout == "brief" else 0  # 0: after the summary; n: after section n
        self.notes: list[NoteRef] = []
        self.problems: list[Problem] = []
        self.cited: dict[str, object] = {}
        self.maker = NoteMaker(self.lang, self.word)
        self._facts: dict[str, str] = {}

    # --- words and texts ----------------------------------------------------------------
    def word(self, msgid: str, **values) -> str:
        text, translated = self.words_tr(msgid)
        if self.lang.code == "he" and translated:
            text = hebrew_typography(text)
        return fill(text, **values)

    def text(self, ctx: str, source_text) -> tuple:
        translated, ok = self.tr(str(source_text), ctx)
        self._check_glyphs(translated, source_text, ctx, ok)
        parsed = parse(translated, self.lang.code)
        explicit = {item.key for node in _walk(parsed.nodes) if isinstance(node, Cite) for item in node.items}
        pending: list[CiteItem] = []
        nodes = self._resolve(parsed.nodes, pending, explicit, top=True)
        if pending:
            nodes.append(self._note(pending))
        nodes = _punctuate(nodes)
        if self.lang.code == "he" and ok:
            nodes = _map_str(nodes, hebrew_typography)
        if self.lang.rtl and not (not ok and self.lang.code != "en"):
            nodes = list(bidi.isolate(nodes))
        if not ok and self.lang.code != "en":
            # English shown in a translated document: its own direction, marked on review copies
            cls = "untranslated" if self.show_untranslated else None
            nodes = [Span(tuple(nodes), "ltr" if self.lang.rtl else None, cls)]
        return tuple(nodes)

    def _check_glyphs(self, text: str, source_text, ctx: str, translated: bool) -> None:
        for offset, ch in fonts.missing(text, self.lang.code):
            if translated and self.lang.code != "en":
                where = self.tr.where(str(source_text), ctx)
            else:
                where = source_text.at(offset) if hasattr(source_text, "at") else None
            self.problems.append(Problem(
                f"no font for {self.lang.english_name} has the character {fonts.describe(ch)}", where,
                "replace the character, or add a font that has it to the template's font stack"))

    def _resolve(self, nodes, pending: list, explicit: set, top: bool) -> list:
        out: list = []
        for node in nodes:
            if isinstance(node, Placeholder):
                fact = self.facts.get(node.name)
                if fact is None:  # checked before composing; keep the mark visible if not
                    out.append(Str("{" + node.name + "}"))
                    continue
                out.append(Str(self.fact_value(node.name)))
                if fact.source and fact.source not in explicit and all(p.key != fact.source for p in pending):
                    pending.append(CiteItem(str(fact.source), _locator(fact.locator)))
            elif isinstance(node, Cite):
                items = list(node.items) + [p for p in pending if all(p.key != i.key for i in node.items)]
                pending.clear()
                out.append(self._note(items))
            elif isinstance(node, (Emph, Strong)):
                out.append(type(node)(tuple(self._resolve(node.children, pending, explicit, False))))
            elif isinstance(node, Link):
                out.append(Link(node.href, tuple(self._resolve(node.children, pending, explicit, False))))
            elif isinstance(node, Str) and top and pending:
                text = node.text
                m = sentence_end(text)
                while m and pending:
                    out.append(Str(text[: m.end()]))
                    out.append(self._note(pending))
                    pending.clear()
                    text = text[m.end():]
                    m = sentence_end(text)
                if text:
                    out.append(Str(text))
            else:
                out.append(node)
        return out

    def _note(self, items) -> NoteRef:
        """One numbered note for the citations at one mark: 'A, Title, p. 4; B, Other.'"""
        stop = self.lang.full_stop()
        notes = []
        for item in items:
            source = self.sources.by_id.get(item.key)
            if source is not None:
                self.cited[source.id] = source
                note = self.maker.note(source, item.locator)
                if item.prefix:  # [see @key] -> "see Author, Title ..."
                    note = [Str(item.prefix + " ")] + note
                for _, ch in fonts.missing(text_of(note), self.lang.code)[:1]:
                    self.problems.append(Problem(
                        f"source '{source.id}' has the character {fonts.describe(ch)}, which no font for "
                        f"{self.lang.english_name} has", source.location, "add a font that has it, or transliterate"))
                notes.append(note)
        parts: list = []
        for i, note in enumerate(notes):
            if i < len(notes) - 1 and isinstance(note[-1], Str) and note[-1].text.endswith(stop):
                note = note[:-1] + [Str(note[-1].text[: -len(stop)])]
            parts.extend(([Str(self.lang.list_separator)] if i else []) + note)
        ref = NoteRef(len(self.notes) + 1, tuple(merge_text(parts)))
        self.notes.append(ref)
        return ref

    def fact_value(self, name: str) -> str:
        if name not in self._facts:
            fact = self.facts[name]
            text_value = None
            if fact.format == "text":
                text_value, _ = self.tr(str(fact.value), f"facts.{name}.value")
            self._facts[name] = format_value(fact, self.lang, text_value)
        return self._facts[name]

    # --- parts --------------------------------------------------------------------------
    def compose(self) -> Document:
        b = self.brief
        leave = self.layout == "leave-behind"
        title = self.text("title", b.title)
        subtitle = self.text("subtitle", b.subtitle) if b.subtitle else None
        audience = self.text("audience", b.audience)
        org_text = b.organization
        organization = self.text("organization", org_text) if org_text else (
            (Str(self.config.organization.name),) if self.config.organization.name else None)
        if leave and b.leave_behind and b.leave_behind.points:
            summary = [self.text(f"leave_behind.points.{i + 1}", t) for i, t in enumerate(b.leave_behind.points)]
        else:
            summary = [self.text(f"summary.{i + 1}", t) for i, t in enumerate(b.summary)]
        # composed in reading order, which numbers the notes
        facts = self._facts_box(leave) if not self.facts_after else []
        lead_quotes, sections = [], []
        if not leave:
            lead_quotes = [self._quote(i) for i, q in enumerate(b.quotes) if not q.section]
            for si in range(len(b.sections)):
                sections.append(self._section(si))
                if si + 1 == self.facts_after:
                    facts = self._facts_box(leave)
        recs = [RecommendationOut(self.text(f"recommendations.{r.id or i + 1}.to", r.to),
                                  self.text(f"recommendations.{r.id or i + 1}.ask", r.ask))
                for i, r in enumerate(b.recommendations)]
        sources = [tuple(self.maker.bibliography_entry(s)) for s in sorted(self.cited.values(), key=sort_key)]
        if self.lang.rtl:
            sources = [bidi.isolate(s) for s in sources]
        words = {w: self.word(w) for w in WORDS}
        if self.problems:
            raise BriefError(self.problems)
        org = self.config.organization
        return Document(
            brief_id=str(b.id), lang=self.lang.code, dir=self.lang.dir, layout=self.layout, paper=self.paper,
            title=title, subtitle=subtitle, audience=audience, organization=organization,
            author=str(b.author) if b.author else (org.name or None), date=b.date,
            date_text=self.lang.date(b.date, "long"), summary=summary, facts=facts,
            lead_quotes=lead_quotes, sections=sections, recommendations=recs, notes=self.notes,
            facts_after=self.facts_after, timestamp=_timestamp(b.date),
            sources=sources, words=words, quote_marks=self.lang.quote_marks,
            contact={k: v for k, v in org.model_dump().items() if v and k not in ("logo",)},
            contact_items=self._contact(),
            fonts={"serif": SERIF[self.lang.code], "sans": SANS[self.lang.code],
                   "docx": DOCX_FONTS[self.lang.code]})

    def _contact(self) -> list[tuple[str, tuple]]:
        """(field, text) of the organization's contact block; in right-to-left documents each
        Latin value (a name, an address, a phone number) keeps its own order."""
        items = []
        for key, value in self.config.organization.model_dump().items():
            if not value or key == "logo":
                continue
            nodes: tuple = (Str(str(value)),)
            if self.lang.rtl:
                nodes = (Span(nodes, "ltr", "keep"),) if key in ("website", "email", "phone") else bidi.isolate(nodes)
            items.append((key, nodes))
        return items

    def _facts_box(self, leave: bool) -> list[FactRow]:
        b = self.brief
        names = [str(n) for n in b.key_facts] if b.key_facts is not None else \
            [n for n, f in b.facts.items() if f.key]
        if leave and b.leave_behind and b.leave_behind.facts:
            names = [str(n) for n in b.leave_behind.facts]
        rows = []
        for name in names:
            fact = self.facts[name]
            value: tuple = (Str(self.fact_value(name)),)
            as_of = format_as_of(fact.as_of, self.lang)
            as_of_nodes: tuple | None = (Str(as_of),) if as_of else None
            note = (self._note([CiteItem(str(fact.source), _locator(fact.locator))]),) if fact.source else None
            if self.lang.rtl:
                value, note = bidi.isolate(value), bidi.isolate(note) if note else None
                as_of_nodes = bidi.isolate(as_of_nodes) if as_of_nodes else None
            remark = self.text(f"facts.{name}.note", fact.note) if fact.note else None
            rows.append(FactRow(name, self.text(f"facts.{name}.label", fact.label), value,
                                as_of_nodes, fact.estimate, note, remark))
        return rows

    def _section(self, si: int) -> SectionOut:
        b = self.brief
        section = b.sections[si]
        sk = f"sections.{b.section_key(si)}"
        intro = self.text(f"{sk}.intro", section.intro) if section.intro else None
        args = []
        for ai, arg in enumerate(section.arguments):
            ak = f"{sk}.arguments.{arg.id or ai + 1}"
            args.append(ArgumentOut(
                self.text(f"{ak}.claim", arg.claim),
                [self.text(f"{ak}.evidence.{ei + 1}", ev) for ei, ev in enumerate(arg.evidence)],
                self.text(f"{ak}.objection", arg.objection) if arg.objection else None,
                self.text(f"{ak}.response", arg.response) if arg.response else None))
        quotes = [self._quote(qi) for qi, q in enumerate(b.quotes) if section.id and q.section == section.id]
        heading = self.text(f"{sk}.heading", section.heading)
        return SectionOut(si + 1, str(section.id or f"section-{si + 1}"), heading, intro, args, quotes)

    def _quote(self, qi: int) -> QuoteOut:
        q = self.brief.quotes[qi]
        text = self.text(f"quotes.{qi + 1}.text", q.text)
        speaker = self.text(f"quotes.{qi + 1}.speaker", q.speaker)
        role = self.text(f"quotes.{qi + 1}.role", q.role) if q.role else None
        note = (self._note([CiteItem(str(q.source), _locator(q.locator))]),)
        if self.lang.rtl:
            note = bidi.isolate(note)
        end = ""
        if self.lang.code == "hy" and text and isinstance(text[-1], Str) and text[-1].text.endswith("\u0589"):
            # Armenian puts the full stop after the closing guillemet: «...»։
            text, end = text[:-1] + (Str(text[-1].text[:-1]),), "\u0589"
        return QuoteOut(text, speaker, role, note, end)


def _timestamp(date) -> dt.datetime:
    """Outputs carry one time: SOURCE_DATE_EPOCH when set (reproducible builds), else the brief's date."""
    from .cache import environment_epoch
    epoch = environment_epoch()
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
    return dt.datetime.combine(date, dt.time(0, 0), dt.timezone.utc)


def _locator(text):
    from .inline import parse_locator
    return parse_locator(str(text)) if text else None


def _walk(nodes):
    for node in nodes:
        yield node
        if isinstance(node, (Emph, Strong, Link)):
            yield from _walk(node.children)


def _punctuate(nodes: list) -> list:
    """Marks go after punctuation and touch the word before them: 'text [@a].' -> 'text.¹'."""
    out: list = []
    i = 0
    while i < len(nodes):
        node = nodes[i]
        if isinstance(node, NoteRef):
            if out and isinstance(out[-1], Str):
                out[-1] = Str(out[-1].text.rstrip())
            nxt = nodes[i + 1] if i + 1 < len(nodes) else None
            if isinstance(nxt, Str):
                lead = len(nxt.text) - len(nxt.text.lstrip(PUNCT_AFTER_MARK))
                if lead:
                    out.append(Str(nxt.text[:lead]))
                    out.append(node)
                    rest = nxt.text[lead:]
                    if rest:
                        out.append(Str(rest))
                    i += 2
                    continue
        out.append(node)
        i += 1
    return merge_text(out)


def _map_str(nodes, fn: Callable[[str], str]) -> list:
    out = []
    for node in nodes:
        if isinstance(node, Str):
            out.append(Str(fn(node.text)))
        elif isinstance(node, (Emph, Strong)):
            out.append(type(node)(tuple(_map_str(node.children, fn))))
        else:  # links (their text is often the URL itself), notes, spans: as they are
            out.append(node)
    return out
