"""The facts register: every fact of every brief, as a fact-checker works through them.

`briefing facts` lists, for each fact: its key, where it is defined, its label, its value as
printed in each language, source, locator, as_of, whether it is an estimate or historical,
and every place it is used. It warns when two facts give different values for the same
thing: the same source and the same label, or the same explicit `shared_key`.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field

from .errors import Problem
from .facts import format_as_of, format_value
from .i18n.catalogs import Translator
from .i18n.locale import Lang
from .inline import Placeholder, parse, walk
from .model import SHARED, SUPPORTED_LANGUAGES

COLUMNS = ("key", "defined_in", "label", "values", "source", "locator", "as_of", "estimate", "historical",
           "shared_key", "used_in")


@dataclass
class FactEntry:
    key: str
    defined_in: str                      # "briefs/deca-role.yaml:12" or "briefs/_shared.yaml:5"
    label: str
    values: dict[str, str]               # language -> the value as printed
    source: str = ""
    locator: str = ""
    as_of: str = ""
    estimate: bool = False
    historical: bool = False
    shared_key: str = ""
    used_in: list[str] = field(default_factory=list)   # "deca-role: summary.1", "deca-role: key facts"
    raw: object = None                   # the value as written, for comparisons

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("raw")
        return d


def build(loaded) -> tuple[list[FactEntry], list[Problem]]:
    """The register of a loaded project (pipeline.Loaded) and its consistency warnings."""
    entries: dict[tuple[str, str], FactEntry] = {}   # (scope, key) -> entry; scope "" = shared
    facts: dict[tuple[str, str], object] = {}
    languages = [lang for lang in SUPPORTED_LANGUAGES
                 if any(lang in [str(x) for x in lb.brief.languages] for lb in loaded.briefs.values())]
    for brief_id, lb in sorted(loaded.briefs.items()):
        own = {n: ("", f) for n, f in lb.shared_used.items()}
        own.update({n: (brief_id, f) for n, f in lb.brief.facts.items()})
        for name, (scope, fact) in own.items():
            key = (scope, name)
            if key in entries:
                continue
            doc = lb.doc if scope else lb.shared_doc
            where = doc.key_where(("facts", name)) if doc is not None else None
            values = {}
            for lang in languages:
                text_value = None
                if fact.format == "text":
                    po = loaded.catalog(lang, brief_id) if lang != "en" else None
                    text_value, _ = Translator(po, lang)(str(fact.value), f"facts.{name}.value")
                values[lang] = format_value(fact, Lang(lang), text_value)
            entries[key] = FactEntry(
                key=name, defined_in=str(where) if where else "", label=str(fact.label), values=values,
                source=str(fact.source or ""), locator=str(fact.locator or ""),
                as_of=format_as_of(fact.as_of, Lang("en")) or "", estimate=fact.estimate,
                historical=fact.historical, shared_key=str(fact.shared_key or ""), raw=(fact.value, fact.as_of))
            facts[key] = fact
        for name, scope in [(n, s) for n, (s, _) in own.items()]:
            entries[(scope, name)].used_in.extend(_uses(lb, name))
    problems = _conflicts(entries)
    return sorted(entries.values(), key=lambda e: (e.defined_in.split(":")[0], e.key)), problems


def _uses(lb, name: str) -> list[str]:
    out = []
    for ctx, _path, text in lb.texts():
        if any(isinstance(n, Placeholder) and n.name == name for n in walk(parse(text).nodes)):
            out.append(f"{lb.id}: {ctx}")
    if lb.brief.key_facts is not None and name in [str(n) for n in lb.brief.key_facts]:
        out.append(f"{lb.id}: key facts")
    if lb.brief.leave_behind and name in [str(n) for n in lb.brief.leave_behind.facts]:
        out.append(f"{lb.id}: leave-behind facts")
    return out


def _norm(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().rstrip(".").lower())


def _conflicts(entries: dict) -> list[Problem]:
    groups: dict[tuple, list[FactEntry]] = {}
    for entry in entries.values():
        if entry.shared_key:
            groups.setdefault(("shared_key", entry.shared_key), []).append(entry)
        if entry.source:
            groups.setdefault(("label", entry.source, _norm(entry.label)), []).append(entry)
    problems = []
    reported: set = set()
    for group, members in groups.items():
        first = members[0]
        for other in members[1:]:
            pair = (first.defined_in, other.defined_in)
            if other.raw == first.raw or pair in reported:
                continue
            reported.add(pair)
            why = f"the same shared_key '{group[1]}'" if group[0] == "shared_key" else \
                f"the same source '{first.source}' and label"
            problems.append(Problem(
                f"facts '{first.key}' and '{other.key}' give different values for the same thing ({why}): "
                f"{first.values.get('en')}{_as_of(first)} at {first.defined_in}, "
                f"{other.values.get('en')}{_as_of(other)} here", _location(other.defined_in),
                "make them agree, or move the fact to briefs/_shared.yaml so that it is written once", "warning"))
    return problems


def _as_of(entry: FactEntry) -> str:
    return f" (as of {entry.as_of})" if entry.as_of else ""


def _location(text: str):
    from .errors import Location
    path, _, rest = text.partition(":")
    line, _, col = rest.partition(":")
    return Location(path, int(line) if line.isdigit() else 0, int(col) if col.isdigit() else 0)


def used_by_brief(entry: FactEntry) -> list[str]:
    """'brief: ctx, ctx' lines, one per brief."""
    groups: dict[str, list[str]] = {}
    for use in entry.used_in:
        brief, _, ctx = use.partition(": ")
        groups.setdefault(brief, []).append(ctx)
    return [f"{b}: {', '.join(c)}" for b, c in groups.items()]


def to_json(entries: list[FactEntry]) -> str:
    return json.dumps([e.as_dict() for e in entries], indent=2, ensure_ascii=False)


def to_csv(entries: list[FactEntry], languages: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["key", "defined_in", "label"] + [f"value_{lang}" for lang in languages] +
               ["source", "locator", "as_of", "estimate", "historical", "shared_key", "used_in"])
    for e in entries:
        w.writerow([e.key, e.defined_in, e.label] + [e.values.get(lang, "") for lang in languages] +
                   [e.source, e.locator, e.as_of, "yes" if e.estimate else "", "yes" if e.historical else "",
                    e.shared_key, "; ".join(e.used_in)])
    return buf.getvalue()


__all__ = ["FactEntry", "build", "to_json", "to_csv", "SHARED"]
