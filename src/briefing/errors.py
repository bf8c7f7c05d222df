"""One error type for every problem a user can fix: a location, a message and a hint.

Expected problems (bad input) are `Problem`s, collected and raised together as a
`BriefError`. Anything else that escapes is a bug in this tool.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable

import re

ERROR = "error"
# C0 and C1 controls (ESC, CR, BEL, backspace...), and invisible bidi controls
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def printable(text: str, keep: str = "") -> str:
    """Text safe to print on a terminal: control characters become visible escapes (\\x1b)."""
    def escape(m):
        ch = m.group(0)
        if ch in keep:
            return ch
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
    return _UNPRINTABLE.sub(escape, text)
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; line and column are 1-based, 0 means unknown."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.path}:{self.line}:{self.column}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path

    def shifted(self, columns: int) -> "Location":
        return Location(self.path, self.line, self.column + columns) if self.column else self


@dataclass(frozen=True)
class Problem:
    message: str
    location: Location | None = None
    hint: str | None = None
    severity: str = ERROR

    def format(self) -> str:
        """One line (and a hint line); control characters from a file are shown escaped, so a
        YAML key or a .po line cannot move the cursor, recolour or fake a summary."""
        where = f"{printable(str(self.location))}: " if self.location else ""
        text = f"{where}{self.severity}: {printable(self.message)}"
        if self.hint:
            text += f"\n  hint: {printable(self.hint)}"
        return text

    def as_error(self) -> "Problem":
        return Problem(self.message, self.location, self.hint, ERROR)


class BriefError(Exception):
    """Raised with every problem found, so that a user sees them all at once."""

    def __init__(self, problems: Iterable[Problem] | Problem | str, location: Location | None = None,
                 hint: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems, location, hint)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = sorted(problems, key=_sort_key)
        super().__init__("\n".join(p.format() for p in self.problems))


def _sort_key(p: Problem):
    loc = p.location or Location("")
    return (loc.path, loc.line, loc.column)


@dataclass
class Report:
    """Collects problems while a stage runs; `raise_if_errors` ends the stage."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, message: str, location: Location | None = None, hint: str | None = None) -> None:
        self.problems.append(Problem(message, location, hint, ERROR))

    def warning(self, message: str, location: Location | None = None, hint: str | None = None) -> None:
        self.problems.append(Problem(message, location, hint, WARNING))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def raise_if_errors(self, strict: bool = False) -> None:
        if self.errors or (strict and self.warnings):
            problems = [p.as_error() if strict else p for p in self.problems]
            raise BriefError(problems)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest choice, or None."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None