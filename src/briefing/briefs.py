"""Load a brief: YAML -> validated model -> cross-checks (facts, citations, ids, text)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import BriefError, Location, Report, did_you_mean
from .i18n.catalogs import BIDI_CONTROLS
from .inline import Cite, Placeholder, parse, walk
from .load.sources import SourceSet
from .load.yamlfile import Text, YamlDoc, load_yaml
from .model import NAME_RE, SHARED, Brief, Fact, SharedFacts, iter_texts, text_of
from .validate import validate

SHARED_FILE = "_shared.yaml"


@dataclass
class Shared:
    """Facts shared by every brief (briefs/_shared.yaml), checked once."""

    doc: YamlDoc | None = None
    facts: dict = None  # type: ignore[assignment]

    def __post_init__(self):
        self.facts = self.facts or {}


def load_shared(briefs_dir: Path, shown: str, sources: SourceSet, report: Report,
                root: Path | None = None) -> Shared:
    path = briefs_dir / SHARED_FILE
    if not path.exists() and not path.is_symlink():
        return Shared()
    try:
        doc = load_yaml(path, shown, root=root)
    except BriefError as exc:
        report.extend(exc.problems)
        return Shared()
    report.extend(doc.warnings)
    model = validate(doc, SharedFacts, report)
    if model is None:
        return Shared()
    need_source = _source_checker(sources, report, set())
    for name, fact in model.facts.items():
        if not NAME_RE.match(name):
            report.error(f"'{name}' is not a valid fact name", doc.key_where(("facts", name)),
                         "fact names use letters, digits and '_'")
        _check_fact_source(name, fact, doc, ("facts", name), need_source, report)
        for key in ("label", "note"):
            text = getattr(fact, key)
            if text is not None:
                _check_text(text, doc.where(("facts", name, key)), {}, sources, report, set(), set(), need_source)
    return Shared(doc, dict(model.facts))

MAX_QUOTE_WORDS = 60
TYPED_NUMBER = re.compile(r"(?<![\w{@.,/-])\d+(?:[.,]\d+)*(?:\s?%)?(?![\w}])")
YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d)$")


@dataclass
class LoadedBrief:
    path: Path
    shown: str
    doc: YamlDoc
    brief: Brief
    cited_keys: set
    facts: dict            # every fact the brief can use: its own and the shared ones
    shared_used: dict      # the shared facts it does use
    shared_doc: YamlDoc | None = None

    @property
    def id(self) -> str:
        return str(self.brief.id)

    def comments(self, path: tuple) -> list[str]:
        if path and path[0] == SHARED:
            return self.shared_doc.comments_above(path[1:]) if self.shared_doc else []
        return self.doc.comments_above(path)

    def texts(self):
        return iter_texts(self.brief, self.shared_used)


def load_brief(path: Path, shown: str, sources: SourceSet, report: Report,
               shared: Shared | None = None, root: Path | None = None) -> LoadedBrief | None:
    """Load and check one brief; its problems go to `report`. None if it cannot be used."""
    local = Report()
    try:
        doc = load_yaml(path, shown, root=root)
    except BriefError as exc:
        report.extend(exc.problems)
        return None
    local.extend(doc.warnings)
    brief = validate(doc, Brief, local)
    if brief is None:
        report.extend(local.problems)
        return None
    shared = shared or Shared()
    facts = {**shared.facts, **brief.facts}
    cited, used = check_brief(brief, doc, path, sources, local, facts, shared)
    report.extend(local.problems)
    if local.errors:
        return None
    shared_used = {n: f for n, f in shared.facts.items() if n in used and n not in brief.facts}
    for fact in shared_used.values():
        if fact.source:
            cited.add(str(fact.source))
    return LoadedBrief(path, shown, doc, brief, cited, facts, shared_used, shared.doc)


def _source_checker(sources: SourceSet, report: Report, cited: set):
    unreadable_seen: set = set()

    def need_source(key: Text, where: Location, what: str) -> None:
        if key in sources:
            cited.add(str(key))
            return
        if key in sources.unreadable:  # its file's syntax error is reported: say it once, not per citation
            shown = sources.unreadable[key]
            if shown not in unreadable_seen:
                unreadable_seen.add(shown)
                report.error(f"this brief cites sources from {shown}, which cannot be read", where,
                             f"fix the error reported for {shown}; its citations are checked after that")
            return
        hint = sources.suggest(str(key)) or "add it to a file in sources/"
        report.error(f"unknown source '{key}' in {what}", where, hint)
    return need_source


def _check_fact_source(name: str, fact: Fact, doc: YamlDoc, base: tuple, need_source, report: Report) -> None:
    if fact.source:
        need_source(fact.source, doc.where(base + ("source",)), f"fact '{name}'")
    else:
        report.warning(f"fact '{name}' has no source", doc.key_where(base),
                       "add 'source: <key>' so that readers can check the number")


def check_brief(brief: Brief, doc: YamlDoc, path: Path, sources: SourceSet, report: Report,
                facts: dict | None = None, shared: Shared | None = None) -> tuple[set, set]:
    """Cross-field checks; returns the source keys the brief cites and the facts it uses."""
    facts = brief.facts if facts is None else facts
    shared = shared or Shared()
    cited: set = set()
    if brief.id != path.stem:
        report.error(f"the brief id '{brief.id}' does not match its file name '{path.name}'",
                     doc.where(("id",)), f"rename the file to {brief.id}.yaml or set id: {path.stem}")
    if brief.id == "template":
        report.error("'template' is reserved for the template's own catalog", doc.where(("id",)),
                     "choose another id")
    for name in brief.facts:
        if not NAME_RE.match(name):
            report.error(f"'{name}' is not a valid fact name", doc.key_where(("facts", name)),
                         "fact names use letters, digits and '_' (they are written {name} in texts)")
        if name in shared.facts and shared.doc is not None:
            report.error(f"fact '{name}' is already defined in {shared.doc.key_where(('facts', name))}",
                         doc.key_where(("facts", name)), "a number lives in one place: remove one of them")
    need_source = _source_checker(sources, report, cited)
    used_facts: set = set()
    for _ctx, ypath, text in iter_texts(brief):
        _check_text(text, doc.where(ypath), facts, sources, report, cited, used_facts, need_source)
    for name, fact in brief.facts.items():
        _check_fact_source(name, fact, doc, ("facts", name), need_source, report)
        if not fact.key and name not in used_facts and name not in (brief.key_facts or []):
            report.warning(f"fact '{name}' is never used", doc.key_where(("facts", name)),
                           "write {" + name + "} in a text, or set key: true to show it in the key facts box")
    _check_ids(brief, doc, report)
    _check_citations_present(brief, doc, report, facts)
    section_ids = [s.id for s in brief.sections if s.id]
    for qi, quote in enumerate(brief.quotes):
        need_source(quote.source, doc.where(("quotes", qi, "source")), "a quote")
        if quote.section and quote.section not in section_ids:
            report.error(f"quote refers to unknown section '{quote.section}'", doc.where(("quotes", qi, "section")),
                         did_you_mean(quote.section, section_ids) or "give the section an 'id:' first")
        words = len(str(quote.text).split())
        if words > MAX_QUOTE_WORDS:
            report.warning(f"this quote is long ({words} words)", doc.where(("quotes", qi, "text")),
                           f"keep quotes short (at most {MAX_QUOTE_WORDS} words) and paraphrase the rest")
    lists = [(("key_facts",), brief.key_facts or [])]
    if brief.leave_behind:
        lists.append((("leave_behind", "facts"), brief.leave_behind.facts))
    for base, names in lists:
        for fi, name in enumerate(names):
            if name not in facts:
                report.error(f"unknown fact '{name}' in {'.'.join(base)}", doc.where(base + (fi,)),
                             did_you_mean(name, facts) or "define it under 'facts:'")
            used_facts.add(str(name))
    return cited, used_facts


def _check_text(text: Text, where: Location, facts: dict, sources: SourceSet, report: Report,
                cited: set, used_facts: set, need_source) -> None:
    bad = BIDI_CONTROLS.search(text)
    if bad:
        report.error(f"invisible bidi control character U+{ord(bad.group(0)):04X} in text",
                     text.at(bad.start()) or where,
                     "remove it: such characters can make text display differently from how it reads")
    parsed = parse(text)
    report.extend(parsed.problems)
    for node in walk(parsed.nodes):
        if isinstance(node, Placeholder) and NAME_RE.match(node.name):
            if node.name not in facts:
                report.error(f"unknown fact '{{{node.name}}}'", text.at(node.offset) or where,
                             did_you_mean(node.name, facts) or "define it under 'facts:'")
            else:
                used_facts.add(node.name)
        elif isinstance(node, Cite):
            for item in node.items:
                need_source(Text(item.key, text.at(item.offset) or where, False), text.at(item.offset) or where,
                            "a citation")
    for m in TYPED_NUMBER.finditer(_without_marks(text)):
        number = m.group(0).strip()
        if not YEAR.match(number):
            report.warning(f"the number {number} is typed in the text", text.at(m.start()) or where,
                           "numbers live once, as facts: add it under 'facts:' and write its {name} here")


def _without_marks(text: str) -> str:
    # blank out citations, placeholders and link targets, keeping offsets
    return re.sub(r"\[[^\[\]]*@[^\]]*\]|\{[^}]*\}|\]\([^)]*\)", lambda m: " " * len(m.group(0)), str(text))


def _check_ids(brief: Brief, doc: YamlDoc, report: Report) -> None:
    def unique(items, path_of, what):
        seen: dict = {}
        for i, item in enumerate(items):
            if item.id is None:
                continue
            if item.id in seen:
                report.error(f"duplicate {what} id '{item.id}'", doc.where(path_of(i) + ("id",)),
                             f"it is also used by {what} {seen[item.id] + 1}; ids must be unique")
            else:
                seen[item.id] = i
    unique(brief.sections, lambda i: ("sections", i), "section")
    unique(brief.recommendations, lambda i: ("recommendations", i), "recommendation")
    for si, section in enumerate(brief.sections):
        unique(section.arguments, lambda i, si=si: ("sections", si, "arguments", i), "argument")


def _has_citation(text, facts: dict) -> bool:
    for node in walk(parse(text).nodes):
        if isinstance(node, Cite) and node.items:
            return True
        if isinstance(node, Placeholder) and node.name in facts and facts[node.name].source:
            return True
    return False


def _check_citations_present(brief: Brief, doc: YamlDoc, report: Report, facts: dict) -> None:
    for si, section in enumerate(brief.sections):
        for ai, arg in enumerate(section.arguments):
            base = ("sections", si, "arguments", ai)
            cited_any = _has_citation(text_of(arg.claim), facts)
            for ei, ev in enumerate(arg.evidence):
                if _has_citation(text_of(ev), facts):
                    cited_any = True
                else:
                    report.warning("evidence without a citation", doc.where(base + ("evidence", ei)),
                                   "add the source it comes from, e.g. [@key]")
            if not cited_any:
                report.warning("claim without a citation: neither it nor its evidence cites a source",
                               doc.where(base + ("claim",)), "cite the source that supports it")

