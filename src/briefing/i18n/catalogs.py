"""Gettext catalogs: extraction, update, reading (strictly), checking and lookup.

One catalog per brief (domain = brief id) and one for the template's own words
(domain `template`). msgid is the English text; msgctxt a stable path into the brief;
`#:` points at briefs/<id>.yaml:LINE.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import normalize, unescape, write_po

from .. import __version__
from ..errors import Location, Problem
from ..inline import Emph, Link, Strong, parse, walk
from ..model import Brief, iter_texts
from .locale import PLURAL_FORMS, Lang
from .poread import read_po_strict
from .words import WORDS

TEMPLATE_DOMAIN = "template"
MAX_CATALOG_BYTES = 10_000_000
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
PLACEHOLDER = re.compile(r"(?<!\\)\{([A-Za-z_][A-Za-z0-9_]*)\}")
CITE = re.compile(r"@([A-Za-z0-9_][\w:.#$%&+?<>~/-]*?)(?=[\s,;\]])")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
DECADE = re.compile(r"\b(\d\d)(\d0)s\b")   # 1990s: a translation may write the decade as 90
URL = re.compile(r"(?:https?://|mailto:)[^\s)\]>]+")
TAG = re.compile(r"</?[A-Za-z!][^<>]*>")  # [^<>]: linear on "<a<a<a..."
HEADER = """\
# {title}.
# Translators: keep every {{placeholder}}, [@source] citation, number and link as in the English text.
# `briefing translate check` verifies it.
#"""


# --- extraction -------------------------------------------------------------------------

def brief_template(brief: Brief, shown: str, comments, shared: dict | None = None) -> Catalog:
    """The .pot catalog of one brief. `comments(path)` gives translator comments."""
    cat = _new_catalog(None, brief.id, f"Translations of the brief '{brief.id}'",
                       dt.datetime.combine(brief.date, dt.time(), dt.timezone.utc))
    for ctx, path, text in iter_texts(brief, shared):
        where = (text.loc.path, text.loc.line) if text.loc else (shown, 0)
        _add(cat, str(text), ctx, [where], comments(path))
    return cat


def words_template() -> Catalog:
    cat = _new_catalog(None, TEMPLATE_DOMAIN, "Translations of the template's own words",
                       dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    for msgid, comment in WORDS.items():
        _add(cat, msgid, None, [("src/briefing/i18n/words.py", 0)], [comment])
    return cat


def _new_catalog(locale, domain, title, when) -> Catalog:
    cat = Catalog(locale=locale, domain=domain, header_comment=HEADER.format(title=title),
                  project="briefing", version=__version__, creation_date=when, revision_date=when,
                  copyright_holder="", fuzzy=False)
    cat.msgid_bugs_address = ""
    return cat


def _add(cat: Catalog, msgid: str, ctx, locations, comments) -> None:
    flags = {"python-brace-format"} if PLACEHOLDER.search(msgid) else set()
    msg = cat.add(msgid, locations=[(p, l) for p, l in locations if l] or [], context=ctx,
                  auto_comments=comments, flags=flags)
    msg.flags.discard("python-format")


# --- reading ----------------------------------------------------------------------------

@dataclass
class PoFile:
    path: Path
    shown: str
    catalog: Catalog | None
    problems: list[Problem] = field(default_factory=list)

    def get(self, msgid: str, ctx: str | None) -> Message | None:
        if self.catalog is None:
            return None
        return self.catalog.get(msgid, context=ctx)


def read_catalog(path: Path, shown: str, lang: str, root: Path | None = None) -> PoFile:
    """Read a .po file; syntax problems (with lines) keep the whole file out of the build."""
    from ..errors import BriefError
    from ..safefs import read_project_file
    try:
        data = read_project_file(root if root is not None else Path(path).parent, path, shown,
                                 max_bytes=MAX_CATALOG_BYTES)
    except BriefError as exc:
        return PoFile(path, shown, None, exc.problems)
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")  # a BOM, as Poedit and msgfmt accept
    except UnicodeDecodeError:
        return PoFile(path, shown, None, [Problem("file is not valid UTF-8", Location(shown),
                                                  "save it as UTF-8 (Poedit does by default)")])
    cat, problems = read_po_strict(text, shown, lang)
    if problems:
        return PoFile(path, shown, None, problems)
    for msg in cat:
        msg.flags.discard("python-format")
    for msg in cat.obsolete.values():
        msg.flags.discard("python-format")
    _set_plural_forms(cat, lang)
    return PoFile(path, shown, cat)


def _set_plural_forms(cat: Catalog, lang: str) -> None:
    forms = PLURAL_FORMS.get(lang)
    if forms:
        n, expr = re.match(r"nplurals=(\d+); plural=(.*);$", forms).groups()
        cat._num_plurals = int(n)
        cat._plural_expr = expr


def serialize(cat: Catalog, *, template: bool = False) -> bytes:
    """The .po text of a catalog, with previous msgids written as valid '#|' comments.

    (Babel's own `include_previous` wraps the quoted previous msgid like prose, which
    breaks the PO grammar; so it is written here instead.)
    """
    buf = io.BytesIO()
    write_po(buf, cat, width=76, include_previous=False, sort_output=False, omit_header=False)
    text = buf.getvalue().decode("utf-8")
    previous = {(m.context, m.id): m.previous_id[0] for m in cat if m.id and m.fuzzy and m.previous_id}
    if previous:
        entries = text.split("\n\n")
        for i, entry in enumerate(entries):
            key = _entry_key(entry)
            if key in previous:
                lines = entry.split("\n")
                at = next(n for n, line in enumerate(lines) if line.startswith(("msgctxt ", "msgid ")))
                old = normalize(previous[key], width=76).split("\n")
                prev = [f"#| msgid {old[0]}"] + [f"#| {line}" for line in old[1:]]
                entries[i] = "\n".join(lines[:at] + prev + lines[at:])
        text = "\n\n".join(entries)
    data = text.encode("utf-8")
    if template:
        data = data.replace(b'"Language: \\n"\n', b"")
    return data


def _entry_key(entry: str) -> tuple:
    ctx = msgid = None
    current = None
    for line in entry.split("\n"):
        if line.startswith("msgctxt "):
            ctx, current = _unquote(line[8:]), "ctx"
        elif line.startswith("msgid "):
            msgid, current = _unquote(line[6:]), "id"
        elif line.startswith('"') and current == "ctx":
            ctx += _unquote(line)
        elif line.startswith('"') and current == "id":
            msgid += _unquote(line)
        else:
            current = None
    return ctx, msgid


def _unquote(text: str) -> str:
    return unescape(text.strip())


def write_catalog(cat: Catalog, path: Path, *, template: bool = False) -> None:
    from ..atomic import atomic_write_bytes
    atomic_write_bytes(path, serialize(cat, template=template))


def new_translation(template: Catalog, lang: str, team: str) -> Catalog:
    cat = Catalog(locale=lang, domain=template.domain, header_comment=template.header_comment,
                  project=template.project, version=template.version,
                  creation_date=template.creation_date, revision_date=template.creation_date,
                  last_translator=team, language_team=f"{Lang(lang).english_name} <{team}>",
                  fuzzy=False)
    cat.msgid_bugs_address = ""
    _set_plural_forms(cat, lang)
    cat.update(template, update_creation_date=False)
    return cat


# --- checking a translation -------------------------------------------------------------

def translation_problems(msgid: str, msgstr: str) -> list[str]:
    """What a translation breaks: placeholders, citations, numbers, links, markup, bidi."""
    problems = []
    if BIDI_CONTROLS.search(msgstr):
        ch = BIDI_CONTROLS.search(msgstr).group(0)
        problems.append(f"contains the invisible bidi control U+{ord(ch):04X}; remove it "
                        "(the layout handles direction)")
    for what, pattern in (("placeholder", PLACEHOLDER), ("citation", CITE)):
        want, got = Counter(pattern.findall(msgid)), Counter(pattern.findall(msgstr))
        if want != got:
            missing = sorted((want - got).elements())
            extra = sorted((got - want).elements())
            fmt = "{%s}" if what == "placeholder" else "[@%s]"
            parts = []
            if missing:
                parts.append("drops " + ", ".join(fmt % m for m in missing))
            if extra:
                parts.append("adds " + ", ".join(fmt % m for m in extra))
            problems.append(f"{what} mismatch: {' and '.join(parts)}")
    src_text = URL.sub(" ", PLACEHOLDER.sub(" ", CITE.sub(" ", msgid)))
    dst_text = URL.sub(" ", PLACEHOLDER.sub(" ", CITE.sub(" ", msgstr)))
    want_n = Counter(_num(n) for n in NUMBER.findall(src_text))
    got_n = Counter(_num(n) for n in NUMBER.findall(dst_text))
    for century, decade in DECADE.findall(src_text):   # "the 1990s" may be "שנות ה-90"
        if want_n[century + decade] > got_n[century + decade] and got_n[decade] > want_n[decade]:
            want_n[century + decade] -= 1
            want_n[decade] += 1
    want_n, got_n = +want_n, +got_n
    if want_n != got_n:
        problems.append(f"numbers differ: the English has {_list(want_n)}, the translation {_list(got_n)}")
    if Counter(URL.findall(msgid)) != Counter(URL.findall(msgstr)):
        problems.append("links differ from the English: keep every URL exactly")
    if TAG.search(msgstr) and not TAG.search(msgid):
        problems.append(f"adds markup {TAG.search(msgstr).group(0)!r}; only the English text's markup is allowed")
    src_nodes, dst_nodes = parse(msgid), parse(msgstr)
    for kind, name in ((Emph, "emphasis"), (Strong, "bold"), (Link, "links")):
        n_src = sum(isinstance(n, kind) for n in walk(src_nodes.nodes))
        n_dst = sum(isinstance(n, kind) for n in walk(dst_nodes.nodes))
        if n_dst > n_src:
            problems.append(f"adds {name} the English text does not have")
    problems.extend(p.message for p in dst_nodes.problems)
    return problems


def _num(text: str) -> str:
    return re.sub(r"[.,](?=\d{3}\b)", "", text)


def _list(counter: Counter) -> str:
    return ", ".join(sorted(counter.elements())) or "none"


# --- lookup for a build -----------------------------------------------------------------

@dataclass
class Stats:
    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    invalid: int = 0

    @property
    def fallbacks(self) -> int:
        return self.total - self.translated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def as_dict(self) -> dict:
        return {"total": self.total, "translated": self.translated, "fuzzy": self.fuzzy,
                "untranslated": self.untranslated, "invalid": self.invalid}


class Translator:
    """Looks up translations for one catalog; counts and reports what falls back to English."""

    def __init__(self, po: PoFile | None, lang: str):
        self.po = po
        self.lang = lang
        self.stats = Stats()
        self.problems: list[Problem] = list(po.problems) if po else []
        self._seen: set = set()

    @property
    def seen(self) -> set:
        """(msgid, msgctxt) of every text looked up so far."""
        return self._seen

    def where(self, msgid: str, ctx: str | None = None) -> Location | None:
        """The .po line of a message's translation."""
        msg = self.po.get(msgid, ctx) if self.po else None
        return Location(self.po.shown, msg.lineno or 0) if msg is not None else None

    def __call__(self, msgid: str, ctx: str | None = None) -> tuple[str, bool]:
        """(text, translated?) - English when there is no usable translation."""
        key = (msgid, ctx)
        count = key not in self._seen
        self._seen.add(key)
        if self.lang == "en":
            if count:
                self.stats.total += 1
                self.stats.translated += 1
            return msgid, True
        if count:
            self.stats.total += 1
        msg = self.po.get(msgid, ctx) if self.po else None
        if msg is None or not msg.string or (isinstance(msg.string, tuple) and not all(msg.string)):
            if count:
                self.stats.untranslated += 1
            return msgid, False
        if msg.fuzzy:
            if count:
                self.stats.fuzzy += 1
            return msgid, False
        string = msg.string if isinstance(msg.string, str) else msg.string[0]
        issues = translation_problems(msgid, string)
        if issues:
            if count:
                self.stats.invalid += 1
                where = Location(self.po.shown, msg.lineno or 0)
                for issue in issues:
                    # a warning for the build (it falls back to English); `translate check` makes it an error
                    self.problems.append(Problem(
                        f"translation of \"{_short(msgid)}\" {issue}", where,
                        "fix the translation; until then the English text is used", "warning"))
            return msgid, False
        if count:
            self.stats.translated += 1
        return string, True


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def catalog_stats(po: PoFile | None, lang: str, texts) -> tuple[Stats, list[Problem]]:
    """How complete one catalog is for `texts` ((msgid, msgctxt) pairs): the one count that
    `translate status`, `translate check` and the build's fallback warning all report."""
    tr = Translator(po, lang)
    for msgid, ctx in texts:
        tr(msgid, ctx)
    return tr.stats, tr.problems
