"""Brief + language + layout -> Document: translate, parse, format facts, number notes, isolate.

The reading order lives here, once: blocks are made in the order the reader meets them,
which is also the order of the note numbers. Every writer walks the blocks it is given.
Message contexts come from the one walker of a brief's texts (`model.iter_texts`), the
same one that extraction uses, so a catalog can never drift from what a document asks.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from . import bidi, fonts
from .attribution import as_of_phrase
from .cite import NoteMaker, sort_key
from .errors import BriefError, Problem
from .document import (ArgumentBlock, Ask, AsksBlock, Branding, ContactBlock, Document, Emph, FactRow,
                       FactsBlock, Link, NoteRef, PointsBlock, QuoteBlock, SectionBlock, SourcesBlock, Span, Str,
                       Strong, TitleBlock, fill_inline, text_of)
from .facts import format_as_of, format_value
from .i18n.catalogs import Translator
from .i18n.locale import Lang, typeset
from .i18n.words import WORDS, fill
from .inline import Cite, CiteItem, Placeholder, merge_text, parse
from .load.sources import SourceSet
from .model import SHARED, Brief, iter_texts
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
# a note mark goes after these; Armenian: full stop ։, mijaket ․ (U+2024, as Armenian typing gives it), but ՝
PUNCT_AFTER_MARK = ".,;:!?\u0589\u2024\u055d"
LAYOUTS = ("brief", "leave-behind")
ENDS_NUMBER = re.compile(r"\d%?$")           # a fact value that is a number: "6", "1 000", "69%"
NUMBER_THEN_WORD = re.compile(r"^ (?=\w)")


class Composer:
    def __init__(self, brief: Brief, facts: dict, lang: str, sources: SourceSet, tr: Translator, words: Translator,
                 *, config: Config | None = None, show_untranslated: bool = False, paper: str = "a4",
                 layout: str = "brief", facts_after: int = 0, root=None, palette: dict | None = None,
                 annotate: bool = False):
        self.brief = brief
        self.facts = facts
        self.lang = Lang(lang)
        self.sources = sources
        self.tr = tr
        self.words_tr = words
        self.config = config or Config()
        self.show_untranslated = show_untranslated
        self.annotate = annotate   # each brief text in a Span carrying its msgctxt (the preview's)
        self.paper = paper
        self.layout = layout
        self.root = root
        self.palette = palette or self.config.colors.model_dump()
        self.facts_after = facts_after if layout == "brief" else 0  # 0: after the summary; n: after section n
        self.notes: list[NoteRef] = []
        self.problems: list[Problem] = []
        self.cited: dict[str, object] = {}
        self.maker = NoteMaker(self.lang, self.word)
        self._facts: dict[str, str] = {}
        shared = {n: f for n, f in facts.items() if n not in brief.facts}
        # yaml path -> msgctxt, from the one walker (shared facts' paths lose their prefix)
        self.contexts = {(path[1:] if path and path[0] == SHARED else path): ctx
                         for ctx, path, _text in iter_texts(brief, shared)}

    # --- words and texts ----------------------------------------------------------------
    def word(self, msgid: str, **values) -> str:
        text, translated = self.words_tr(msgid)
        if translated:
            text = typeset(text, self.lang.code)
        return fill(text, values)

    def text(self, path: tuple, source_text) -> tuple:
        """The text at `path` in the brief (a yaml path), translated, parsed and resolved;
        when annotating, inside a Span that carries its msgctxt."""
        nodes = self._text(path, source_text)
        return (Span(nodes, ctx=self.contexts[path]),) if self.annotate else nodes

    def _text(self, path: tuple, source_text) -> tuple:
        ctx = self.contexts[path]
        translated, ok = self.tr(str(source_text), ctx)
        fallback = not ok and self.lang.code != "en"   # English shown in a translated document
        self._check_glyphs(translated, source_text, ctx, ok)
        parsed = parse(translated, self.lang.code)
        explicit = {item.key for node in _walk(parsed.nodes) if isinstance(node, Cite) for item in node.items}
        pending: list[CiteItem] = []
        nodes = self._resolve(parsed.nodes, pending, explicit, top=True)
        if pending:
            nodes.append(self._note(pending))
        nodes = _punctuate(nodes)
        if ok and self.lang.profile.typography:
            nodes = _map_str(nodes, self.lang.profile.typography)
        if fallback:
            # its own direction, marked on review copies
            cls = "untranslated" if self.show_untranslated else None
            return (Span(tuple(nodes), "ltr" if self.lang.rtl else None, cls),)
        return self.isolated(nodes)

    def isolated(self, nodes) -> tuple:
        """Mixed direction decided once, here: in right-to-left documents Latin runs, URLs,
        ranges and signed numbers become left-to-right spans that every writer keeps."""
        return bidi.isolate(nodes) if self.lang.rtl else tuple(nodes)

    def stated(self, path: tuple, item) -> tuple:
        """A text that may say whose view it is and when it was true (attribution.py)."""
        from .attribution import render_statement
        return render_statement(self, path, item)

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
        after_number = False
        for node in nodes:
            if after_number and isinstance(node, Str):
                # a number stays with the word it counts ("at least 6 flights", "1 000 phone numbers")
                node = Str(NUMBER_THEN_WORD.sub("\u00a0", node.text, count=1))
            after_number = False
            if isinstance(node, Placeholder):
                fact = self.facts.get(node.name)
                if fact is None:  # checked before composing; keep the mark visible if not
                    out.append(Str("{" + node.name + "}"))
                    continue
                out.append(Str(self.fact_value(node.name)))
                after_number = bool(ENDS_NUMBER.search(out[-1].text))
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
                if item.prefix:  # [see @key] -> "See Author, Title ..." (capitalized where it starts the note)
                    prefix = item.prefix[:1].upper() + item.prefix[1:] if not notes else item.prefix
                    note = [Str(prefix + " ")] + note
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
        ref = NoteRef(len(self.notes) + 1, self.isolated(merge_text(parts)))
        self.notes.append(ref)
        return ref

    def _cite(self, key, locator) -> tuple:
        """A note mark for one source (a fact's, a quote's)."""
        return (self._note([CiteItem(str(key), _locator(locator))]),)

    def fact_value(self, name: str) -> str:
        if name not in self._facts:
            fact = self.facts[name]
            text_value = None
            if fact.format == "text":
                text_value, _ = self.tr(str(fact.value), self.contexts[("facts", name, "value")])
            self._facts[name] = format_value(fact, self.lang, text_value)
        return self._facts[name]

    # --- the reading order ----------------------------------------------------------------
    def compose(self) -> Document:
        """Blocks in reading order: composing them in this order numbers the notes."""
        b = self.brief
        leave = self.layout == "leave-behind"
        blocks: list = [self._title(leave)]
        if leave and b.leave_behind and b.leave_behind.points:
            points = [self.stated(("leave_behind", "points", i), t) for i, t in enumerate(b.leave_behind.points)]
        else:
            points = [self.stated(("summary", i), t) for i, t in enumerate(b.summary)]
        blocks.append(PointsBlock(None if leave else self.word("Summary"), points))
        facts_box = self._facts_box(leave)
        if facts_box and not self.facts_after:
            blocks.append(facts_box())
        if not leave:
            blocks += [self._quote(i) for i, q in enumerate(b.quotes) if not q.section]
            for si in range(len(b.sections)):
                blocks.append(self._section(si))
                if facts_box and si + 1 == self.facts_after:
                    blocks.append(facts_box())
        if b.recommendations:
            blocks.append(AsksBlock(self.word("What we ask" if leave else "Recommendations"), [
                Ask(fill_inline(self.word("To {recipient}"), "recipient", self.text(("recommendations", i, "to"), r.to)),
                    self.text(("recommendations", i, "ask"), r.ask))
                for i, r in enumerate(b.recommendations)]))
        if not leave and self.cited:
            entries = [self.isolated(self.maker.bibliography_entry(s))
                       for s in sorted(self.cited.values(), key=sort_key)]
            blocks.append(SourcesBlock(self.word("Sources"), entries))
        contact = self._contact()
        if contact:
            blocks.append(ContactBlock(self.word("Contact"), contact))
        words = {w: self.word(w) for w in WORDS}
        if self.problems:
            raise BriefError(self.problems)
        org = self.config.organization
        profile = self.lang.profile
        return Document(
            brief_id=str(b.id), lang=self.lang.code, dir=self.lang.dir, layout=self.layout, paper=self.paper,
            title=blocks[0].title, author=str(b.author) if b.author else (org.name or None), date=b.date,
            date_text=self.lang.date(b.date, "long"), blocks=blocks, notes=self.notes, words=words,
            quote_marks=self.lang.quote_marks, timestamp=_timestamp(b.date), facts_after=self.facts_after,
            fonts={"serif": list(profile.serif), "sans": list(profile.sans), "docx": profile.docx_fonts},
            branding=self._branding())

    def _title(self, leave: bool) -> TitleBlock:
        b = self.brief
        title = self.text(("title",), b.title)
        block = TitleBlock(self.word("Leave-behind" if leave else "Policy brief"), self.lang.date(b.date, "long"),
                           title)
        if leave:
            return block
        block.subtitle = self.text(("subtitle",), b.subtitle) if b.subtitle else None
        block.audience = fill_inline(self.word("For {audience}"), "audience", self.text(("audience",), b.audience))
        if b.organization:
            org = self.text(("organization",), b.organization)
        else:
            org = self.isolated((Str(self.config.organization.name),)) if self.config.organization.name else None
        if org:
            block.prepared_by = fill_inline(self.word("Prepared by {organization}"), "organization", org)
        return block

    def _branding(self) -> Branding:
        org = self.config.organization
        logo = raster = None
        if org.logo:
            logo = org.logo
            path = (self.root / org.logo) if self.root else None
            if path is not None:
                candidate = path.with_suffix(".png") if path.suffix.lower() == ".svg" else path
                if candidate.suffix.lower() in (".png", ".jpg", ".jpeg") and candidate.is_file():
                    raster = str(candidate.relative_to(self.root))
        return Branding(org.name, dict(self.palette), logo, raster)

    def _contact(self) -> list[tuple[str, tuple]]:
        """(field, text) of the organization's contact block; an address, a phone number or
        a web address never breaks, and in right-to-left documents each Latin value keeps
        its own order."""
        items = []
        for key, value in self.config.organization.model_dump().items():
            if not value or key == "logo":
                continue
            nodes: tuple = (Str(str(value)),)
            if key == "website" and re.match(r"https?://", str(value), re.I):
                nodes = (Link(str(value), nodes),)           # printed addresses are links too
            elif key == "email" and "@" in str(value):
                nodes = (Link("mailto:" + str(value), nodes),)
            if key in ("website", "email", "phone"):
                nodes = (Span(nodes, "ltr" if self.lang.rtl else None, "nowrap"),)
            else:
                nodes = self.isolated(nodes)
            items.append((key, nodes))
        return items

    def _facts_box(self, leave: bool):
        """The key facts box, made when it is placed (its notes take their numbers there)."""
        b = self.brief
        names = [str(n) for n in b.key_facts] if b.key_facts is not None else \
            [n for n, f in b.facts.items() if f.key]
        if leave and b.leave_behind and b.leave_behind.facts:
            names = [str(n) for n in b.leave_behind.facts]
        if not names:
            return None

        def make() -> FactsBlock:
            rows = []
            for name in names:
                fact = self.facts[name]
                value = self.isolated((Str(self.fact_value(name)),))
                as_of_text = format_as_of(fact.as_of, self.lang)
                as_of = self.isolated((Str(as_of_text),)) if as_of_text else None
                note = self.isolated(self._cite(fact.source, fact.locator)) if fact.source else None
                qual: list = []
                if fact.estimate:
                    qual.append(Str(self.word("estimate")))
                if as_of:
                    qual += ([Str(", ")] if qual else []) + list(as_of_phrase(self, fact.as_of, as_of))
                qualifier = (Str("("),) + tuple(qual) + (Str(")"),) if qual else None
                remark = self.text(("facts", name, "note"), fact.note) if fact.note else None
                rows.append(FactRow(name, value, note, self.text(("facts", name, "label"), fact.label), qualifier,
                                    remark, bool(fact.estimate), as_of))
            return FactsBlock(self.word("Key facts"), self.word("Figure"), self.word("Fact"), rows)
        return make

    def _section(self, si: int) -> SectionBlock:
        b = self.brief
        section = b.sections[si]
        base = ("sections", si)
        heading = self.text(base + ("heading",), section.heading)
        intro = self.text(base + ("intro",), section.intro) if section.intro else None
        children: list = []
        for ai, arg in enumerate(section.arguments):
            ap = base + ("arguments", ai)
            children.append(ArgumentBlock(
                self.stated(ap + ("claim",), arg.claim),
                [self.stated(ap + ("evidence", ei), ev) for ei, ev in enumerate(arg.evidence)],
                self.stated(ap + ("objection",), arg.objection) if arg.objection else None,
                self.stated(ap + ("response",), arg.response) if arg.response else None,
                self.word("Objection"), self.word("Response")))
        children += [self._quote(qi) for qi, q in enumerate(b.quotes) if section.id and q.section == section.id]
        return SectionBlock(si + 1, str(section.id or f"section-{si + 1}"), heading, intro, children)

    def _quote(self, qi: int) -> QuoteBlock:
        q = self.brief.quotes[qi]
        text = self._text(("quotes", qi, "text"), q.text)
        speaker = self.text(("quotes", qi, "speaker"), q.speaker)
        role = self.text(("quotes", qi, "role"), q.role) if q.role else None
        note = self.isolated(self._cite(q.source, q.locator))
        end = ""
        stop = self.lang.full_stop()
        if self.lang.profile.stop_after_quote and text and isinstance(text[-1], Str) and text[-1].text.endswith(stop):
            # Armenian puts the full stop after the closing guillemet: «...»։
            text, end = text[:-1] + (Str(text[-1].text[: -len(stop)]),), stop
        if self.annotate:
            text = (Span(text, ctx=self.contexts[("quotes", qi, "text")]),)
        opening, closing = self.lang.quote_marks
        quoted = tuple(merge_text((Str(opening),) + text + (Str(closing + end),)))
        attribution = (Str("\u2014 "),) + speaker + (((Str(", "),) + role) if role else ()) + note
        return QuoteBlock(quoted, tuple(merge_text(attribution)))


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
    """Marks go after punctuation and touch the word before them: 'text [@a].' -> 'text.¹';
    a run of marks ('[@a] [@b].') stays together after the punctuation: 'text.¹²'."""
    out: list = []
    i = 0
    while i < len(nodes):
        node = nodes[i]
        if not isinstance(node, NoteRef):
            out.append(node)
            i += 1
            continue
        run = [node]
        i += 1
        while i < len(nodes) and (isinstance(nodes[i], NoteRef) or (
                isinstance(nodes[i], Str) and not nodes[i].text.strip() and i + 1 < len(nodes)
                and isinstance(nodes[i + 1], NoteRef))):
            if isinstance(nodes[i], NoteRef):
                run.append(nodes[i])
            i += 1
        if out and isinstance(out[-1], Str):
            out[-1] = Str(out[-1].text.rstrip())
        nxt = nodes[i] if i < len(nodes) else None
        if isinstance(nxt, Str):
            lead = len(nxt.text) - len(nxt.text.lstrip(PUNCT_AFTER_MARK))
            if lead:
                out.append(Str(nxt.text[:lead]))
                nodes = nodes[:i] + [Str(nxt.text[lead:])] + nodes[i + 1:]
        out.extend(run)
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
