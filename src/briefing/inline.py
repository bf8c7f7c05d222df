"""The inline text subset: emphasis, strong, links, citations and fact placeholders.

    *emphasis*  **strong**  [text](https://...)  [@key]  [@key, p. 4]  [@a; @b]  {fact}

Parsed with markdown-it-py (CommonMark rules, raw HTML off: `<b>` stays text) plus two
small inline rules for pandoc-style citations and `{fact}` placeholders.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from .errors import Problem
from .load.yamlfile import Text

# --- nodes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Str:
    text: str


@dataclass(frozen=True)
class Emph:
    children: tuple


@dataclass(frozen=True)
class Strong:
    children: tuple


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    href: str
    children: tuple


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(frozen=True)
class CiteItem:
    key: str
    locator: tuple[str, str] | None = None  # (term, value): ("page", "12")
    offset: int = 0
    prefix: str = ""                         # [see @key] -> "see"


@dataclass(frozen=True)
class Cite:
    items: tuple[CiteItem, ...]
    offset: int = 0


@dataclass(frozen=True)
class Placeholder:
    name: str
    offset: int = 0


@dataclass
class Parsed:
    nodes: tuple
    problems: list[Problem] = field(default_factory=list)


# --- locators ----------------------------------------------------------------------------

LOCATOR_TERMS = {
    "p.": "page", "pp.": "page", "page": "page", "pages": "page",
    "para.": "paragraph", "paras.": "paragraph", "¶": "paragraph",
    "sec.": "section", "secs.": "section", "§": "section", "section": "section",
}
LOCATOR_RE = re.compile(r"^(?P<label>[^\d\s]+\.?)?\s*(?P<value>[\dIVXLCivxlc][\w\s,–—-]*)$")


def parse_locator(text: str) -> tuple[str, str] | None:
    """'p. 12' -> ('page', '12'); a bare number is a page; None if not understood."""
    m = LOCATOR_RE.match(text.strip())
    if not m:
        return None
    label = (m.group("label") or "p.").strip().lower()
    term = LOCATOR_TERMS.get(label)
    if term is None:
        return None
    return term, m.group("value").strip().replace("-", "–")


# --- markdown-it rules -------------------------------------------------------------------

CITE_RE = re.compile(r"\[([^\[\]@]{0,40}@[^\[\]]*)\]")
CITE_ITEM_RE = re.compile(r"^\s*(?P<prefix>[^@;]*?)\s*@(?P<key>[A-Za-z0-9_][\w:.#$%&+?<>~/-]*?)\s*"
                          r"(?:,\s*(?P<loc>.+?))?\s*$")
PLACEHOLDER_RE = re.compile(r"\{([^{}\s]*)\}")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    m = CITE_RE.match(state.src, state.pos, state.posMax)
    if not m:
        return False
    if not silent:
        items, bad = [], []
        start = m.start(1)
        for part in m.group(1).split(";"):
            im = CITE_ITEM_RE.match(part)
            if not im:
                bad.append((part.strip(), start))
            else:
                items.append((im.group("key"), im.group("loc"), start + part.index("@") + 1,
                              im.group("prefix") or ""))
            start += len(part) + 1
        token = state.push("citation", "", 0)
        token.meta = {"items": items, "bad": bad, "pos": state.pos, "raw": m.group(0)}
    state.pos = m.end()
    return True


def _placeholder_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "{":
        return False
    m = PLACEHOLDER_RE.match(state.src, state.pos, state.posMax)
    if not m:
        return False
    if not silent:
        token = state.push("placeholder", "", 0)
        token.meta = {"name": m.group(1), "pos": state.pos}
    state.pos = m.end()
    return True


SAFE_SCHEMES = ("http://", "https://", "mailto:")




@lru_cache(maxsize=8)
def _md(lang: str | None = None) -> MarkdownIt:
    # typographic quotes and dashes per language ("'" -> "’", "--" -> "–"), from its profile;
    # none for Hebrew, where an apostrophe-like mark is the geresh of abbreviations
    from .i18n.locale import PROFILES
    quotes = PROFILES[lang].smartquotes if lang in PROFILES else None
    options = {"html": False, "typographer": bool(quotes)}
    if quotes:
        options["quotes"] = quotes
    md = MarkdownIt("zero", options).enable(["emphasis", "link", "escape", "newline", "backticks"])
    if quotes:
        md.enable(["replacements", "smartquotes"])
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.inline.ruler.before("link", "placeholder", _placeholder_rule)
    md.validateLink = lambda url: url.strip().lower().startswith(SAFE_SCHEMES)
    return md


LINK_RE = re.compile(r"\]\(\s*<?([^)\s>]*)")


@lru_cache(maxsize=4096)
def _parse_cached(raw: str, lang: str | None = None):
    tokens = _md(lang).parseInline(raw)
    children = tokens[0].children if tokens else []
    stack: list[list] = [[]]
    hrefs: list[str] = []
    meta_problems = []
    for tok in children or []:
        kind = tok.type
        if kind == "text":
            stack[-1].append(Str(tok.content))
        elif kind == "softbreak":
            stack[-1].append(Str(" "))
        elif kind == "hardbreak":
            stack[-1].append(LineBreak())
        elif kind == "code_inline":
            stack[-1].append(Code(tok.content))
        elif kind in ("em_open", "strong_open", "link_open"):
            stack.append([])
            if kind == "link_open":
                hrefs.append(tok.attrs.get("href", ""))
        elif kind in ("em_close", "strong_close", "link_close"):
            inner = tuple(stack.pop())
            if kind == "em_close":
                stack[-1].append(Emph(inner))
            elif kind == "strong_close":
                stack[-1].append(Strong(inner))
            else:
                stack[-1].append(Link(hrefs.pop(), inner))
        elif kind == "citation":
            items = []
            for key, loc_text, offset, prefix in tok.meta["items"]:
                locator = None
                if loc_text:
                    locator = parse_locator(loc_text)
                    if locator is None:
                        meta_problems.append(("locator", loc_text, offset))
                        continue
                items.append(CiteItem(key, locator, offset, prefix))
            for part, offset in tok.meta["bad"]:
                meta_problems.append(("cite", part, offset))
            stack[-1].append(Cite(tuple(items), tok.meta["pos"]))
        elif kind == "placeholder":
            name = tok.meta["name"]
            if not NAME_RE.match(name):
                meta_problems.append(("placeholder", name, tok.meta["pos"]))
            stack[-1].append(Placeholder(name, tok.meta["pos"]))
    return tuple(merge_text(stack[0])), tuple(meta_problems)


def merge_text(nodes) -> list:
    """Adjacent text nodes joined into one; empty ones dropped."""
    out: list = []
    for node in nodes:
        if isinstance(node, Str) and out and isinstance(out[-1], Str):
            out[-1] = Str(out[-1].text + node.text)
        elif not (isinstance(node, Str) and not node.text):
            out.append(node)
    return out


MAX_TEXT_CHARS = 20_000
MAX_BRACKETS = 200


def _beyond_limits(text: str) -> str | None:
    if len(text) > MAX_TEXT_CHARS:
        return f"text is longer than {MAX_TEXT_CHARS:,} characters ({len(text):,})"
    if text.count("[") > MAX_BRACKETS:
        return f"text has more than {MAX_BRACKETS} '[' characters"
    return None


def parse(text: str, lang: str | None = None) -> Parsed:
    """Parse one text; problems point into the text's file when it is a `Text`.

    With `lang`, straight quotes and double hyphens become that language's typography.
    """
    too_long = _beyond_limits(str(text))
    if too_long:  # markdown's link labels take quadratic time on many unclosed '['
        where = text.at(0) if isinstance(text, Text) else None
        return Parsed((Str(str(text)),), [Problem(too_long, where, "split the text, or remove the brackets")])
    nodes, meta = _parse_cached(str(text), lang)
    problems: list[Problem] = []

    def at(offset: int):
        return text.at(offset) if isinstance(text, Text) else None

    for kind, part, offset in meta:
        if kind == "locator":
            problems.append(Problem(f"unknown citation locator '{part}'", at(offset),
                                    "use p. 12, pp. 12-14, para. 3 or sec. 2"))
        elif kind == "cite":
            problems.append(Problem(f"malformed citation '{part}'", at(offset),
                                    "write citations as [@key], [@key, p. 4] or [@a; @b]"))
        else:
            problems.append(Problem(f"'{{{part}}}' is not a valid placeholder name", at(offset),
                                    "names use letters, digits and '_'; write \\{ for a literal brace"))
    problems += _stray_marks(str(text), at)
    for m in LINK_RE.finditer(str(text)):
        url = m.group(1)
        if url and not url.lower().startswith(SAFE_SCHEMES):
            scheme = url.split(":", 1)[0] + ":" if ":" in url else url
            problems.append(Problem(f"links to '{scheme}' are not allowed", at(m.start(1)),
                                    "links must start with https://, http:// or mailto:"))
    return Parsed(nodes, problems)


BARE_CITE_RE = re.compile(r"(?<![\w.@/\[-])@(?P<key>[A-Za-z0-9_][\w:.#$%&+?<>~/-]*[\w])")
OPEN_CITE_RE = re.compile(r"\[[^\[\]]{0,40}@[^\]]*(?=\[|$)")


def _stray_marks(raw: str, at) -> list[Problem]:
    """What would be printed as it is: a brace outside a placeholder, a citation without
    its brackets or without its closing bracket."""
    problems: list[Problem] = []
    masked = re.sub(r"\\[{}\[\]@]", "  ", raw)                      # escaped: \{ \} \[ \@
    masked = PLACEHOLDER_RE.sub(lambda m: " " * len(m.group(0)), masked)
    masked = re.sub(r"\]\([^)]*\)", lambda m: " " * len(m.group(0)), masked)  # link targets
    for m in re.finditer(r"\{([^{}\n]*)\}", masked):  # a pair that is not a placeholder: { name }
        name = re.sub(r"\s+", "_", m.group(1).strip())
        problems.append(Problem(f"'{m.group(0)}' is not a placeholder: write it without spaces, {{{name}}}",
                                at(m.start()), "write \\{ and \\} for braces that are text"))
        masked = masked[: m.start()] + " " * len(m.group(0)) + masked[m.end():]
    for m in re.finditer(r"[{}]", masked):
        problems.append(Problem(f"a lone '{m.group(0)}': placeholders are written {{fact_name}}", at(m.start()),
                                "close the placeholder, or write \\{ or \\} for a brace that is text"))
    for m in OPEN_CITE_RE.finditer(masked):
        problems.append(Problem("this citation is not closed with ']'", at(m.start()),
                                "write citations as [@key] or [@key, p. 4]"))
    inside = [(m.start(), m.end()) for m in CITE_RE.finditer(masked)]
    for m in BARE_CITE_RE.finditer(masked):
        if not any(a <= m.start() < b for a, b in inside):
            problems.append(Problem(f"'@{m.group('key')}' is not a citation: citations go in square brackets",
                                    at(m.start()), f"write [@{m.group('key')}]"))
    return problems


def walk(nodes):
    """Every node, depth first."""
    for node in nodes:
        yield node
        if isinstance(node, (Emph, Strong, Link)):
            yield from walk(node.children)