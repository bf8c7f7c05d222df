"""Editorial checks a fact-checker would make: opinions without an owner, stale facts.

Both are warnings (errors with --strict):

- a statement marked `opinion: true` without `according_to` (whose view is it?);
- a fact (or a statement) whose `as_of` is older than `[check] stale_after_years` in
  briefing.toml (default 5) at the brief's date, unless the fact is `historical: true`.
"""
from __future__ import annotations

import datetime as dt

from .errors import Problem
from .model import SHARED, Brief, Statement

STALE_HINT = ("check for newer figures and update value and as_of; if the fact describes a closed past "
              "period and the text says so, set historical: true")


def review(lb, stale_after_years: int) -> list[Problem]:
    """Every editorial warning for one loaded brief (briefs.LoadedBrief)."""
    problems: list[Problem] = []
    brief, doc = lb.brief, lb.doc
    for path, item in statements(brief):
        if item.opinion and not item.according_to:
            problems.append(Problem(
                "an opinion without 'according_to': the reader cannot tell whose view it is",
                doc.key_where(path + ("opinion",)),
                "add 'according_to: <who holds it>' (it is printed before the text), or remove 'opinion: true' "
                "if the source states it as fact", "warning"))
        if item.as_of is not None:
            years = age_in_years(item.as_of, brief.date)
            if stale_after_years and years > stale_after_years:
                problems.append(Problem(
                    f"this statement is {years:.0f} years old at the brief's date ({brief.date.isoformat()}): "
                    f"as_of {_shown(item.as_of)} is older than {stale_after_years} years",
                    doc.where(path + ("as_of",)), "check that it is still true and update as_of", "warning"))
    used = {n: f for n, f in brief.facts.items()}
    used.update(lb.shared_used)
    for name, fact in used.items():
        if fact.as_of is None or fact.historical or not stale_after_years:
            continue
        years = age_in_years(fact.as_of, brief.date)
        if years > stale_after_years:
            shared = name not in brief.facts
            where_doc = lb.shared_doc if shared and lb.shared_doc is not None else doc
            where = where_doc.where(("facts", name, "as_of"))
            whose = f" (used by {brief.id})" if shared else ""
            problems.append(Problem(
                f"fact '{name}' is stale{whose}: as_of {_shown(fact.as_of)} is {years:.0f} years before the "
                f"brief's date ({brief.date.isoformat()}), more than {stale_after_years}", where, STALE_HINT,
                "warning"))
    return problems


def statements(brief: Brief):
    """(yaml path, Statement) of every text written as a mapping."""
    def one(path, item):
        if isinstance(item, Statement):
            yield path, item
    for i, item in enumerate(brief.summary):
        yield from one(("summary", i), item)
    for si, section in enumerate(brief.sections):
        for ai, arg in enumerate(section.arguments):
            base = ("sections", si, "arguments", ai)
            yield from one(base + ("claim",), arg.claim)
            for ei, ev in enumerate(arg.evidence):
                yield from one(base + ("evidence", ei), ev)
            for name in ("objection", "response"):
                if getattr(arg, name) is not None:
                    yield from one(base + (name,), getattr(arg, name))
    if brief.leave_behind:
        for pi, point in enumerate(brief.leave_behind.points):
            yield from one(("leave_behind", "points", pi), point)


def last_day(as_of) -> dt.date:
    """The last day an as_of covers: a year -> 31 December, a period -> its last year, a date -> itself."""
    if isinstance(as_of, dt.date):
        return as_of
    year = as_of[-1] if isinstance(as_of, tuple) else as_of
    return dt.date(int(year), 12, 31)


def age_in_years(as_of, on: dt.date) -> float:
    return (on - last_day(as_of)).days / 365.25


def _shown(as_of) -> str:
    if isinstance(as_of, tuple):
        return f"{as_of[0]}–{as_of[1]}"
    return as_of.isoformat() if isinstance(as_of, dt.date) else str(as_of)


__all__ = ["review", "statements", "age_in_years", "SHARED"]
