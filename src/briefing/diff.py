"""What changed since an edition: two composed Documents, compared block by block.

`compare(old, new)` aligns the blocks of two Documents of one brief in one language by
what they are (the title, the summary, the key facts, a section by its id, an argument
by its claim, a fact by its name, a list item by its text) and returns a *merged*
Document: the new one's blocks, with the removed ones back in place, in which every text
is a `Diff(old, new)` inline node. Each merged block carries its `change` ("same",
"changed", "added", "removed"). From it:

- `summarize` lists what changed for the terminal (sections, facts with their old and
  new formatted values, notes, other texts);
- `marked` resolves every Diff into spans (`chg-ins`, `chg-del`) that the normal HTML/PDF
  writer draws as highlights, strike-through and change bars (`CHANGES_CSS`);
- render/redline.py writes it as a Word file with tracked changes (w:ins / w:del).

Texts are compared word by word (difflib) on their visible text; a note is one token
(its text), so renumbering alone is no change, and a changed source is.
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from .document import Ask, Code, Document, Emph, FactRow, LineBreak, Link, NoteRef, Span, Str, Strong, text_of
from .inline import merge_text

PAIR_RATIO = 0.35          # two list items this similar are one item edited, not one removed and one added
TOKEN = re.compile(r"\s+|[^\s]+")
MAX_LISTED = 6             # changed texts listed per section on the terminal
MAX_LINES = 60            # lines per kind of change (sections, facts, notes, texts) on the terminal
WRITE_TIMEOUT = 120.0      # seconds to write one document's redline and marked PDF (a build's --timeout)


@dataclass
class Diff:
    """An inline node in a merged document: one text as it was and as it is."""

    old: tuple
    new: tuple

    @property
    def changed(self) -> bool:
        return [a.key for a in atoms(self.old)] != [a.key for a in atoms(self.new)]


# --- inline content as tokens ----------------------------------------------------------------

@dataclass(frozen=True)
class Atom:
    key: str          # what is compared: a word, a space, or a note's text
    node: object      # the inline node of this token alone (Str, Code, NoteRef, LineBreak)
    wrap: tuple = ()  # the wrappers around it, outermost first: ("em",), ("link", href), ("span", dir, cls)


def atoms(nodes, wrap: tuple = ()) -> list[Atom]:
    out: list[Atom] = []
    for node in nodes or ():
        if isinstance(node, Str):
            out += [Atom(t if t.strip() else " ", Str(t), wrap) for t in TOKEN.findall(node.text)]
        elif isinstance(node, Code):
            out.append(Atom(node.text, node, wrap))
        elif isinstance(node, Emph):
            out += atoms(node.children, wrap + (("em",),))
        elif isinstance(node, Strong):
            out += atoms(node.children, wrap + (("strong",),))
        elif isinstance(node, Link):
            out += atoms(node.children, wrap + (("link", node.href),))
        elif isinstance(node, Span):
            out += atoms(node.children, wrap + (("span", node.dir, node.cls),))
        elif isinstance(node, NoteRef):
            out.append(Atom("\0note:" + text_of(node.content), node, wrap))
        elif isinstance(node, LineBreak):
            out.append(Atom(" ", node, wrap))
        elif isinstance(node, Diff):  # already merged: its new side
            out += atoms(node.new, wrap)
    return out


def rebuild(items: list[Atom], *, links: bool = True, deleted: bool = False) -> tuple:
    """Inline nodes again from tokens, neighbours sharing a wrapper sharing it (a Latin
    phrase stays one left-to-right run). `deleted`: notes become their text in brackets
    (a removed note has no number); `links=False` drops link wrappers (for Word's w:ins)."""
    out: list = []
    i = 0
    while i < len(items):
        atom = items[i]
        if not atom.wrap:
            node = atom.node
            if deleted and isinstance(node, NoteRef):
                node = Str(" [" + text_of(node.content) + "]")
            out.append(node)
            i += 1
            continue
        head = atom.wrap[0]
        j = i
        while j < len(items) and items[j].wrap[:1] == (head,):
            j += 1
        inner = rebuild([dataclasses.replace(a, wrap=a.wrap[1:]) for a in items[i:j]], links=links, deleted=deleted)
        if head[0] == "em":
            out.append(Emph(inner))
        elif head[0] == "strong":
            out.append(Strong(inner))
        elif head[0] == "link":
            out.extend(inner) if not links else out.append(Link(head[1], inner))
        else:
            out.append(Span(inner, head[1], head[2]))
        i = j
    return tuple(merge_text(out))


def segments(diff: Diff) -> list[tuple[str, list[Atom]]]:
    """[(op, tokens)]: "=" unchanged, "-" removed, "+" inserted, in reading order; a
    replaced stretch gives its removed words first."""
    a, b = atoms(diff.old), atoms(diff.new)
    matcher = SequenceMatcher(None, [x.key for x in a], [x.key for x in b], autojunk=False)
    out: list[tuple[str, list[Atom]]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(("=", b[j1:j2]))
        if tag in ("delete", "replace"):
            out.append(("-", a[i1:i2]))
        if tag in ("insert", "replace"):
            out.append(("+", b[j1:j2]))
    # a lone space between two changes belongs to them (fewer, longer marks)
    merged: list[tuple[str, list[Atom]]] = []
    for k, (op, items) in enumerate(out):
        if op == "=" and all(x.key == " " for x in items) and 0 < k < len(out) - 1 and out[k - 1][0] != "=" \
                and out[k + 1][0] != "=":
            merged.append(("-", items))
            merged.append(("+", items))
            continue
        merged.append((op, items))
    result: list[tuple[str, list[Atom]]] = []
    for op, items in merged:  # join neighbours of the same kind: "-a" "+b" "-c" "+d" -> "-ac" "+bd"
        if not items:
            continue
        if op != "=" and len(result) >= 2 and result[-1][0] != "=" and result[-2][0] == op and \
                result[-1][0] != op:
            result[-2] = (op, result[-2][1] + items)
        elif result and result[-1][0] == op:
            result[-1] = (op, result[-1][1] + items)
        else:
            result.append((op, items))
    return result


# --- aligning lists ----------------------------------------------------------------------------

def _words(text: str) -> list[str]:
    return text.split()


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()


def align(old: list, new: list, key, text=None, pairable=None) -> list[tuple]:
    """[(old item | None, new item | None)] in reading order. Items with equal keys pair;
    in a stretch that differs, items pair in order while they are similar enough."""
    text = text or key
    ka, kb = [key(x) for x in old], [key(x) for x in new]
    out: list[tuple] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes():
        if tag == "equal":
            out += list(zip(old[i1:i2], new[j1:j2]))
            continue
        olds, news = list(old[i1:i2]), list(new[j1:j2])
        while olds or news:
            if olds and news and (pairable(olds[0], news[0]) if pairable else
                                  similarity(str(text(olds[0])), str(text(news[0]))) >= PAIR_RATIO):
                out.append((olds.pop(0), news.pop(0)))
            elif olds and (not news or _no_later_match(olds[0], news, text, pairable)):
                out.append((olds.pop(0), None))
            else:
                out.append((None, news.pop(0)))
    return out


def _no_later_match(item, news, text, pairable) -> bool:
    """True when `item` pairs with no later new item (so it was removed; else the first new
    one is an addition)."""
    return not any((pairable(item, n) if pairable else similarity(str(text(item)), str(text(n))) >= PAIR_RATIO)
                   for n in news[1:]) if news else True


# --- merging documents ------------------------------------------------------------------------

def _is_inlines(value) -> bool:
    return isinstance(value, tuple) and all(not isinstance(v, str) for v in value)


def block_key(block) -> tuple:
    role = block.role
    if role == "section":
        return (role, block.id)
    if role == "argument":
        return (role, text_of(block.claim))
    if role == "quote":
        return (role, text_of(block.text))
    return (role,)


def block_text(block) -> str:
    return " ".join(text_of(v) for v in _texts(block))


def _texts(block):
    for f in dataclasses.fields(block):
        value = getattr(block, f.name)
        if _is_inlines(value):
            yield value
        elif isinstance(value, list):
            for item in value:
                if _is_inlines(item):
                    yield item
                elif dataclasses.is_dataclass(item):
                    yield from _texts(item)
                elif isinstance(item, tuple) and len(item) == 2:
                    yield item[1]


UNIQUE_ROLES = ("cover", "title", "summary", "facts", "asks", "sources", "contact")


def _same_role(a, b) -> bool:
    """Whether two blocks in a stretch that differs are one block edited."""
    if a.role != b.role:
        return False
    if a.role == "section":
        return a.id == b.id or similarity(block_text(a), block_text(b)) >= 0.6
    return a.role in UNIQUE_ROLES or similarity(block_text(a), block_text(b)) >= PAIR_RATIO


def merge_blocks(old: list, new: list) -> list:
    out = []
    for a, b in align(old, new, block_key, block_text, _same_role):
        out.append(merge_block(a, b))
    return out


def merge_block(old, new):
    """A block of the same type whose texts are Diffs; `.change` says what happened."""
    base = new if new is not None else old
    values = {}
    for f in dataclasses.fields(base):
        a = getattr(old, f.name) if old is not None else None
        b = getattr(new, f.name) if new is not None else None
        values[f.name] = _merge_value(a, b, getattr(base, f.name))
    merged = type(base)(**values)
    merged.old_block = old
    merged.change = "added" if old is None else "removed" if new is None else (
        "changed" if _has_change(merged) or _words_differ(old, new) else "same")
    return merged


def _words_differ(old, new) -> bool:
    """A plain-string field (a date, a translated label) differs."""
    return any(isinstance(getattr(new, f.name), str) and getattr(old, f.name) != getattr(new, f.name)
               for f in dataclasses.fields(new))


def _merge_value(a, b, sample):
    if _is_inlines(sample) or (sample is None and (_is_inlines(a) or _is_inlines(b))):
        if a is None and b is None:
            return None
        return (Diff(tuple(a or ()), tuple(b or ())),)
    if isinstance(sample, list) or isinstance(a, list) or isinstance(b, list):
        return _merge_list(list(a or []), list(b or []))
    return b if b is not None else a


def _merge_list(a: list, b: list) -> list:
    items = a or b
    if not items:
        return []
    first = items[0]
    if hasattr(first, "role"):
        return merge_blocks(a, b)
    if isinstance(first, FactRow):
        return [_merge_item(x, y) for x, y in align(a, b, lambda r: r.name, pairable=lambda x, y: x.name == y.name)]
    if isinstance(first, Ask):
        return [_merge_item(x, y) for x, y in align(a, b, lambda r: text_of(r.to) + " " + text_of(r.ask))]
    if isinstance(first, tuple) and len(first) == 2 and isinstance(first[0], str):   # contact (field, value)
        pairs = align(a, b, lambda r: r[0], pairable=lambda x, y: x[0] == y[0])
        return [_Item((y or x)[0], Diff(tuple(x[1]) if x else (), tuple(y[1]) if y else ()),
                      "added" if x is None else "removed" if y is None else "same") for x, y in pairs]
    pairs = align(a, b, lambda t: text_of(t))
    return [_Entry((Diff(tuple(x or ()), tuple(y or ())),),
                   "added" if x is None else "removed" if y is None else "same") for x, y in pairs]


class _Entry(tuple):
    """One list item (a summary point, a piece of evidence, a source): its merged inline
    content, a tuple like any inline content, with its `change`."""

    def __new__(cls, nodes, change):
        obj = super().__new__(cls, nodes)
        obj.change = change if change != "same" or not nodes[0].changed else "changed"
        return obj


class _Item(tuple):
    """A contact line (field, merged value) with its `change`."""

    def __new__(cls, key, value, change):
        obj = super().__new__(cls, (key, (value,)))
        obj.change = change if change != "same" or not value.changed else "changed"
        return obj


def _merge_item(old, new):
    base = new if new is not None else old
    values = {f.name: _merge_value(getattr(old, f.name) if old is not None else None,
                                   getattr(new, f.name) if new is not None else None, getattr(base, f.name))
              for f in dataclasses.fields(base)}
    item = type(base)(**values)
    item.change = "added" if old is None else "removed" if new is None else (
        "changed" if _has_change(item) else "same")
    return item


def _has_change(obj) -> bool:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, tuple) and value and isinstance(value[0], Diff) and value[0].changed:
            return True
        if isinstance(value, list):
            for item in value:
                if getattr(item, "change", "same") != "same":
                    return True
    return False


def compare(old: Document, new: Document) -> Document:
    """The merged document (see the module's docstring)."""
    merged = dataclasses.replace(new, blocks=merge_blocks(old.blocks, new.blocks))
    merged.old = old
    return merged


# --- for people: what changed -------------------------------------------------------------------

@dataclass
class Summary:
    sections: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.sections or self.facts or self.notes or self.texts)

    def lines(self) -> list[str]:
        out = []
        for name, items in (("sections", self.sections), ("facts", self.facts), ("notes", self.notes),
                            ("texts", self.texts)):
            if items:
                out.append(f"  {name}:")
                out += [f"    {item}" for item in items[:MAX_LINES]]
                if len(items) > MAX_LINES:   # an edition with 100,000 removed points must not flood the terminal
                    out.append(f"    … and {len(items) - MAX_LINES} more (see the redline)")
        return out or ["  no changes"]


def short(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _side(nodes, which: str) -> str:
    return " ".join(text_of(getattr(n, which)) if isinstance(n, Diff) else text_of((n,)) for n in nodes or ())


def note_changes(merged: Document) -> tuple[list[str], list[str]]:
    old = Counter(text_of(n.content) for n in merged.old.notes)
    new = Counter(text_of(n.content) for n in merged.notes)
    return sorted((new - old).elements()), sorted((old - new).elements())


def summarize(merged: Document) -> Summary:
    s = Summary()
    for block in merged.blocks:
        _summarize_block(block, s)
    added, removed = note_changes(merged)
    for sign, texts in (("+", added), ("-", removed)):
        for text, n in Counter(texts).items():
            s.notes.append(f"{sign} {short(text)}" + (f" (x{n})" if n > 1 else ""))
    return s


def _summarize_block(block, s: Summary, where: str = "") -> None:
    change = block.change
    role = block.role
    if change == "same":
        return
    if role == "section":
        heading = short(_side(block.heading, "new" if change != "removed" else "old"))
        if change in ("added", "removed"):
            s.sections.append(f"{'+' if change == 'added' else '-'} {block.number}. {heading} ({change})")
            return
        texts = list(_changed_texts(block))
        s.sections.append(f"~ {block.number}. {heading}: {len(texts)} text(s) changed")
        for kind, d in texts[:MAX_LISTED]:
            s.sections.append(f"    {kind} " + (changed_words(d) if kind == "~" else
                                                 short(text_of(d.new if kind == "+" else d.old))))
        if len(texts) > MAX_LISTED:
            s.sections.append(f"    … and {len(texts) - MAX_LISTED} more (see the redline)")
        return
    if role == "facts":
        for row in block.rows:
            label = short(_side(row.label, "new" if row.change != "removed" else "old"), 50)
            old_value, new_value = _side(row.value, "old"), _side(row.value, "new")
            if row.change == "added":
                s.facts.append(f"+ {label}: {new_value}")
            elif row.change == "removed":
                s.facts.append(f"- {label}: {old_value}")
            elif row.change == "changed":
                if old_value != new_value:
                    s.facts.append(f"~ {label}: {old_value} -> {new_value}")
                else:
                    s.facts.append(f"~ {label}: {new_value} (wording or note changed)")
        return
    name = {"title": "title block", "summary": "summary", "asks": "recommendations", "sources": "sources",
            "contact": "contact", "quote": "quote", "cover": "cover letter"}.get(role, role)
    if change in ("added", "removed"):
        s.texts.append(f"{'+' if change == 'added' else '-'} {name}: {short(block_text_side(block, change))}")
        return
    old_block = getattr(block, "old_block", None)
    if role == "title" and old_block is not None and old_block.date_text != block.date_text:
        s.texts.append(f"~ date: {old_block.date_text} -> {block.date_text}")
    for kind, d in _changed_texts(block):
        if kind == "~":
            s.texts.append(f"~ {name}: {changed_words(d)}")
        else:
            s.texts.append(f"{kind} {name}: {short(text_of(d.new if kind == '+' else d.old))}")


def block_text_side(block, change: str) -> str:
    which = "old" if change == "removed" else "new"
    return " ".join(_side(v, which) for v in _texts(block))


def _changed_texts(obj):
    """(kind, Diff) of every changed text in a block: ~ edited, + added, - removed."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, tuple) and value and isinstance(value[0], Diff):
            d = value[0]
            if d.changed:
                yield ("+" if not d.old else "-" if not d.new else "~"), d
        elif isinstance(value, list):
            for item in value:
                change = getattr(item, "change", "same")
                if change == "same":
                    continue
                if dataclasses.is_dataclass(item):
                    if change in ("added", "removed"):
                        which = "new" if change == "added" else "old"
                        text = (Str(" ".join(_side(v, which) for v in _texts(item))),)
                        yield ("+", Diff((), text)) if change == "added" else ("-", Diff(text, ()))
                    else:
                        yield from _changed_texts(item)
                else:
                    d = item[0] if isinstance(item[0], Diff) else item[1][0]
                    yield {"added": "+", "removed": "-"}.get(change, "~"), d


def changed_words(diff: Diff, context: int = 3, width: int = 120) -> str:
    """The changed words with a few words around them, as wdiff writes them:
    '…at least [-12-]{+13+} people in…'."""
    def words(items) -> list[str]:
        text = "".join(a.node.text if isinstance(a.node, (Str, Code)) else
                       (" [note] " if isinstance(a.node, NoteRef) else " ") for a in items)
        return text.split()

    segs = segments(diff)
    parts: list[str] = []
    for k, (op, items) in enumerate(segs):
        w = words(items)
        if op == "=":
            first, last = k == 0, k == len(segs) - 1
            if first and len(w) > context:
                w = ["…"] + w[-context:]
            elif last and len(w) > context:
                w = w[:context] + ["…"]
            elif not first and not last and len(w) > 2 * context:
                w = w[:context] + ["…"] + w[-context:]
            parts.append(" ".join(w))
        elif w:
            parts.append(("[-" if op == "-" else "{+") + " ".join(w) + ("-]" if op == "-" else "+}"))
    return short(" ".join(p for p in parts if p), width)


# --- for the PDF: the new document with its changes marked -------------------------------------

def marked(merged: Document) -> Document:
    """A plain Document (no Diff left) for the normal writers: inserted words in
    Span(cls="chg-ins"), removed words kept in Span(cls="chg-del")."""
    return dataclasses.replace(merged, blocks=[_resolve_block(b) for b in merged.blocks])


def resolve(nodes) -> tuple:
    out: list = []
    for node in nodes or ():
        if not isinstance(node, Diff):
            out.append(node)
            continue
        for op, items in segments(node):
            if op == "=":
                out.extend(rebuild(items))
            elif any(a.key.strip() for a in items):
                out.append(Span(rebuild(items, deleted=op == "-"), None, "chg-ins" if op == "+" else "chg-del"))
            elif op == "+":
                out.extend(rebuild(items))
    return tuple(out)


def _resolve_block(block):
    values = {}
    for f in dataclasses.fields(block):
        values[f.name] = _resolve_value(getattr(block, f.name))
    return type(block)(**values)


def _resolve_value(value):
    if isinstance(value, _Item):
        return (value[0], resolve(value[1]))
    if isinstance(value, tuple) and value and isinstance(value[0], Diff):
        return resolve(value)
    if isinstance(value, list):
        return [_resolve_value(v) for v in value]
    if dataclasses.is_dataclass(value):
        return _resolve_block(value)
    return value


def changes_css(rtl: bool, legend: str) -> str:
    """Highlights, strike-through and a change bar in the margin beside every changed
    paragraph, list item, heading or table cell; the legend at the foot of each page."""
    from .render.html import css_string
    side = "right" if rtl else "left"
    bar = ", ".join(f"{tag}:has(.chg-ins, .chg-del)" for tag in ("p", "li", "h1", "h2", "h3", "td", "blockquote"))
    return f"""
@page {{ @bottom-center {{ content: {css_string(legend)}; font-size: 7pt; color: #b3261e;
  vertical-align: top; padding-top: 3mm; }} }}
.chg-ins {{ background: #fff0a6; text-decoration: underline; text-decoration-color: #1a7f37; }}
.chg-del {{ text-decoration: line-through; color: #b3261e; }}
.chg-del + .chg-ins {{ margin-inline-start: 0.2em; }}
{bar} {{ position: relative; }}
{", ".join(t + "::before" for t in bar.split(", "))} {{
  content: ""; position: absolute; top: 0; bottom: 0; {side}: -7mm; width: 2.5pt; background: #b3261e; }}
"""


# --- translations: which strings changed, and who caught up ------------------------------------

@dataclass
class StringChange:
    context: str
    old: str | None           # None: a new string
    new: str
    states: dict              # lang -> "caught up" | "fuzzy" | "outdated" | "untranslated" | "invalid"


def translation_changes(old_loaded, new_loaded, brief: str, langs: list[str]) -> list[StringChange]:
    """Every string of `brief` whose English changed (or is new) since the old project,
    and for each language whether its current catalog has a usable translation of the new
    English ("caught up"), marks it fuzzy (translate update ran; the translator has not
    reviewed it), still holds the old English ("outdated": run translate update), or has
    nothing ("untranslated")."""
    from .i18n.catalogs import Translator
    old_lb = old_loaded.briefs.get(brief) if old_loaded is not None else None
    new_lb = new_loaded.briefs[brief]
    before = {ctx: str(text) for ctx, _p, text in old_lb.texts()} if old_lb else {}
    out = []
    for ctx, _path, text in new_lb.texts():
        english = str(text)
        if before.get(ctx) == english:
            continue
        states = {}
        for lang in langs:
            po = new_loaded.catalog(lang, brief)
            _text, ok = Translator(po, lang)(english, ctx)
            if ok:
                states[lang] = "caught up"
                continue
            msg = po.get(english, ctx) if po else None
            if msg is not None and msg.fuzzy:
                states[lang] = "fuzzy"
            elif msg is not None and msg.string:
                states[lang] = "invalid"
            elif ctx in before and po is not None and po.get(before[ctx], ctx) is not None:
                states[lang] = "outdated"
            else:
                states[lang] = "untranslated"
        out.append(StringChange(ctx, before.get(ctx), english, states))
    return out


STATE_HINTS = {
    "caught up": "translated since",
    "fuzzy": "fuzzy: the translation is of the previous English, to review",
    "outdated": "the catalog still has the previous English: run 'briefing translate update'",
    "untranslated": "not translated",
    "invalid": "the translation breaks a placeholder, number or citation",
}


# --- the command ------------------------------------------------------------------------------

class _GitEdition:
    def __init__(self, project, ref: str):
        import tempfile
        from .editions import materialize
        from .session import Session
        self.ref = ref
        self._tmp = tempfile.TemporaryDirectory(prefix="briefing-diff-")
        root = materialize(project.root, ref, Path(self._tmp.name))
        self.session = Session(root)
        self.label = ref

    @property
    def loaded(self):
        return self.session.loaded

    def document(self, brief: str, lang: str, facts_after: int = 0):
        """(Document | None, problems)."""
        from .errors import BriefError
        from .pipeline import composition_problems
        lb = self.loaded.briefs.get(brief)
        if lb is None:
            return None, self._problems(brief)
        if lang not in [str(x) for x in lb.brief.languages]:
            return None, []
        try:
            composed = self.session.composed(brief, lang)
        except BriefError as exc:
            return None, [self._at_ref(p) for p in exc.problems]
        errors = [p for p in composition_problems(self.loaded, brief, lang, composed) if p.severity == "error"]
        return (None if errors else composed.document), [self._at_ref(p) for p in errors]

    def _problems(self, brief: str) -> list:
        path = self.session.project.briefs_dir / f"{brief}.yaml"
        if not path.is_file():
            return []
        return [self._at_ref(p) for p in self.loaded.report.problems
                if p.severity == "error" and p.location and p.location.path.endswith(f"{brief}.yaml")]

    def _at_ref(self, problem):
        from .errors import Location, Problem
        loc = problem.location
        where = Location(f"{self.ref}:{loc.path}", loc.line, loc.column) if loc else Location(self.ref)
        return Problem(problem.message, where, problem.hint, problem.severity)

    def close(self) -> None:
        self._tmp.cleanup()


class _BuildFolder:
    """An earlier build's folder: its manifest.json and the JSON documents (--format json)."""

    MAX_BYTES = 20_000_000

    def __init__(self, folder):
        from .editions import label
        from .errors import BriefError, Location
        from .shards import read_manifest
        self.folder = folder
        path = folder / "manifest.json"
        shown = str(path)
        if folder.resolve() not in path.resolve().parents:
            raise BriefError("the earlier build's manifest is a link out of its folder", Location(shown))
        # checked as a shard's manifest is: a regular file of sane size and shape, paths inside the folder
        self.manifest = read_manifest(path, shown)
        edition = self.manifest.get("edition")
        edition = {k: v for k, v in edition.items() if isinstance(v, bool if k == "dirty" else str)
                   and k in ("tag", "commit", "dirty")} if isinstance(edition, dict) else None
        self.label = label(edition) or folder.name
        self.loaded = None

    def document(self, brief: str, lang: str, facts_after: int = 0):
        import json
        from .errors import Location, Problem
        from .render.jsonin import JsonDocumentError, read_document
        entries = [o for o in self.manifest["outputs"] if isinstance(o, dict) and o.get("brief") == brief
                   and o.get("language") == lang and o.get("layout") == "brief" and not o.get("recipient")
                   and o.get("status") == "built"]
        json_entry = next((o for o in entries if o.get("format") == "json" and o.get("path")), None)
        if json_entry is None:
            if entries:
                return None, [Problem(f"the earlier build has no JSON document of {brief} [{lang}]",
                                      Location(str(self.folder / "manifest.json")),
                                      "compare with a git ref, or build editions with --format json,pdf,docx")]
            return None, []
        path = (self.folder / json_entry["path"]).resolve()
        shown = str(self.folder / json_entry["path"])
        if self.folder.resolve() not in path.parents or not path.is_file() or path.is_symlink():
            return None, [Problem("the earlier build's document is missing or outside its folder", Location(shown))]
        if path.stat().st_size > self.MAX_BYTES:
            return None, [Problem("the earlier build's document is too large", Location(shown))]
        try:
            return read_document(json.loads(path.read_text(encoding="utf-8"))), []
        except RecursionError:
            return None, [Problem("cannot read the earlier build's document: it is nested too deeply", Location(shown))]
        except (OSError, ValueError, KeyError, TypeError, JsonDocumentError) as exc:
            return None, [Problem(f"cannot read the earlier build's document: {exc}", Location(shown))]

    def close(self) -> None:
        pass


def diff_date() -> str:
    """w:date of the tracked changes: SOURCE_DATE_EPOCH when set, else now (UTC)."""
    import datetime as dt
    from .cache import environment_epoch
    epoch = environment_epoch()
    when = dt.datetime.fromtimestamp(epoch, dt.timezone.utc) if epoch is not None else \
        dt.datetime.now(dt.timezone.utc)
    return when.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_diff(project, args, out) -> int:
    """`briefing diff REF`: print what changed per brief and language, write the redlines
    and marked PDFs, and list the translations that have not caught up."""
    from .atomic import atomic_write_bytes
    from .errors import BriefError
    from .pipeline import composition_problems
    from .session import Session
    from .writers import write
    session = Session(project.root)
    given = Path(args.ref)
    candidates = [given] if given.is_absolute() else [Path.cwd() / given, project.root / given]
    folder = next((c for c in candidates if c.is_dir()), None)
    if folder is not None and not (folder / "manifest.json").is_file():
        raise BriefError(f"'{args.ref}' is a folder without manifest.json", None,
                         "give an earlier build folder, or a git tag or commit")
    old = _BuildFolder(folder) if folder is not None else _GitEdition(project, args.ref)
    try:
        loaded = session.loaded
        wanted = args.brief or sorted(loaded.briefs)
        unknown = [b for b in wanted if b not in loaded.briefs]
        if unknown:
            from .errors import did_you_mean
            raise BriefError(f"unknown brief '{unknown[0]}'", None, did_you_mean(unknown[0], loaded.briefs))
        out_dir = project.output_dir(args.out or f"{project.config.build.output}/diff")
        author = args.author or project.config.organization.name or "briefing"
        date = diff_date()
        errors = 0
        written = []
        for brief in wanted:
            langs = [str(x) for x in loaded.briefs[brief].brief.languages]
            if args.lang:
                langs = [x for x in langs if x in args.lang]
            for lang in langs:
                try:
                    composed = session.composed(brief, lang)
                    problems = [p for p in composition_problems(loaded, brief, lang, composed) if p.severity == "error"]
                    if problems:
                        raise BriefError(problems)
                except BriefError as exc:
                    out.problems(exc.problems)
                    errors += 1
                    continue
                new_doc = composed.document
                old_doc, problems = old.document(brief, lang)
                if problems:
                    out.problems(problems)
                    errors += 1
                    continue
                if old_doc is None:
                    out.print(f"{brief} [{lang}]: new since {old.label}")
                    continue
                if old_doc.facts_after != new_doc.facts_after:  # the same placement on both sides
                    new_doc = session.composed(brief, lang, facts_after=old_doc.facts_after).document
                merged = compare(old_doc, new_doc)
                summary = summarize(merged)
                out.print(f"{brief} [{lang}]: " + ("no changes" if summary.empty else f"changes since {old.label}"))
                if summary.empty:
                    continue
                for line in summary.lines():
                    out.print(line)
                if args.no_files:
                    continue
                from .render.redline import write_redline
                from .workers import time_limit
                options = session.write_options(brief)
                redline = out_dir / lang / f"{brief}.redline.docx"
                pdf = out_dir / lang / f"{brief}.changes.pdf"
                legend = new_doc.word("Changes since {edition}: new text is highlighted, removed text is struck "
                                      "through.", edition=old.label)
                try:
                    # as a build's worker: an earlier edition (a downloaded build folder) with 100,000
                    # removed points must not keep the command laying out pages for hours
                    with time_limit(WRITE_TIMEOUT):
                        redline_bytes = write_redline(merged, options, author=author, date=date)
                        options = dataclasses.replace(options, extra_css=changes_css(new_doc.rtl, legend))
                        pdf_bytes = write(marked(merged), "pdf", options)
                except TimeoutError:
                    from .errors import Location, Problem
                    out.problems([Problem(f"the changes of {brief} [{lang}] took longer than {WRITE_TIMEOUT:.0f} s to "
                                          "write, and were not written", Location(project.rel(redline)),
                                          f"the earlier edition ({old.label}) may not be a build of this project")])
                    errors += 1
                    continue
                atomic_write_bytes(redline, redline_bytes)
                atomic_write_bytes(pdf, pdf_bytes)
                written += [redline, pdf]
        if old.loaded is not None:
            errors += _print_translations(old, loaded, wanted, args, out)
        else:
            out.print(f"translations: compare with a git ref to see which strings changed ({old.label} is a build "
                      f"folder; its documents do not keep the English strings)")
        for path in written:
            out.print(f"wrote {project.rel(path)}")
        return 1 if errors else 0
    finally:
        old.close()


def _print_translations(old, loaded, wanted, args, out) -> int:
    for brief in wanted:
        langs = [str(x) for x in loaded.briefs[brief].brief.languages if str(x) != "en"]
        if args.lang:
            langs = [x for x in langs if x in args.lang]
        if not langs:
            continue
        changes = translation_changes(old.loaded, loaded, brief, langs)
        if not changes:
            out.print(f"translations of {brief}: no English string changed since {old.label}")
            continue
        behind = sum(1 for c in changes for s in c.states.values() if s != "caught up")
        out.print(f"translations of {brief}: {len(changes)} string(s) whose English changed since {old.label}"
                  f"{f'; {behind} translation(s) not caught up' if behind else '; every language caught up'}")
        for c in changes:
            what = f"new: \"{short(c.new, 60)}\"" if c.old is None else \
                changed_words(Diff((Str(c.old),), (Str(c.new),)), width=100)
            out.print(f"  {c.context}: {what}")
            for lang, state in c.states.items():
                out.print(f"    {lang}: {STATE_HINTS[state]}")
    return 0
