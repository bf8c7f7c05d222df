"""Safe YAML with positions.

The file is composed into nodes by PyYAML's pure-Python safe loader (the C loader
crashes on deep nesting), then turned into plain values here, so that:

* every value keeps the place it came from (`YamlDoc.where(path)`),
* strings become `Text`, a `str` that knows its location,
* duplicate keys, unknown tags and merge keys are errors, not silent surprises,
* size, nesting depth and alias expansion are bounded (no "billion laughs").
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from ..errors import BriefError, Location, Problem, Report

MAX_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_NODES = 50_000
MAX_EXPANDED_BYTES = 4_000_000   # text after alias expansion: a 1 MB file cannot become gigabytes

STR = "tag:yaml.org,2002:str"
SCALAR_TAGS = {
    STR, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
}
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"

Path_ = tuple  # a path into the document: keys and indexes


class Text(str):
    """A string from a user's file that remembers where it was written.

    `exact` is true when each character sits at its own column on one line (a plain or
    simply quoted one-line scalar), so `at(i)` can point at a character inside it. A text
    over several lines keeps `anchors`: (offset, line, column) of each word as written, so
    `at(i)` points at the word's own line and column.
    """

    loc: Location | None
    exact: bool
    anchors: tuple

    def __new__(cls, value: str, loc: Location | None = None, exact: bool = False, anchors: tuple = ()):
        self = super().__new__(cls, value)
        self.loc = loc
        self.exact = exact
        self.anchors = anchors
        return self

    def at(self, offset: int) -> Location | None:
        if self.loc is None:
            return None
        if self.exact:
            return self.loc.shifted(offset)
        best = None
        for start, line, column in self.anchors:
            if start > offset:
                break
            best = (start, line, column)
        if best is None:
            return self.loc
        start, line, column = best
        return Location(self.loc.path, line, column + (offset - start))

    def __reduce__(self):
        return (Text, (str(self), self.loc, self.exact, self.anchors))


@dataclass
class Scalar:
    raw: str
    tag: str
    plain: bool


@dataclass
class YamlDoc:
    path: str
    data: Any
    lines: list[str]
    positions: dict[Path_, Location] = field(default_factory=dict)
    key_positions: dict[Path_, Location] = field(default_factory=dict)
    scalars: dict[Path_, Scalar] = field(default_factory=dict)
    warnings: list = field(default_factory=list)   # Problems that do not stop loading (a cut text)

    def where(self, path: Path_) -> Location:
        """The closest known location for a path (its value, else its parent)."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), Location(self.path, 1, 1))

    def key_where(self, path: Path_) -> Location:
        return self.key_positions.get(tuple(path)) or self.where(path)

    def comments_above(self, path: Path_) -> list[str]:
        """`# TRANSLATORS:` comment lines just above a key, for translators."""
        loc = self.key_positions.get(tuple(path))
        if loc is None:
            return []
        found: list[str] = []
        i = loc.line - 2
        while i >= 0 and self.lines[i].strip().startswith("#"):
            text = self.lines[i].strip().lstrip("#").strip()
            if text.lower().startswith("translators:"):
                found.insert(0, text.split(":", 1)[1].strip())
            i -= 1
        return found


class _DepthLimit:
    """PyYAML's Python composer, refusing nesting deeper than `max_depth` (the C composer
    recurses without limit and crashes on ~50,000 nested brackets)."""

    def compose_node(self, parent, index):  # noqa: D401 - PyYAML hook
        self._depth += 1
        try:
            if self._depth > self._max_depth:
                raise _TooDeep(self.peek_event().start_mark)
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1


if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser

    class _Loader(_DepthLimit, CParser, Composer, SafeConstructor, Resolver):
        """libyaml's fast scanner and parser, with the Python composer (depth-limited)."""

        def __init__(self, stream: str, max_depth: int):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._depth, self._max_depth = 0, max_depth

        get_single_node = Composer.get_single_node
        compose_document = Composer.compose_document
else:  # pragma: no cover - PyYAML built without libyaml
    class _Loader(_DepthLimit, yaml.SafeLoader):
        def __init__(self, stream: str, max_depth: int):
            yaml.SafeLoader.__init__(self, stream)
            self._depth, self._max_depth = 0, max_depth


class _TooDeep(Exception):
    def __init__(self, mark):
        self.mark = mark


def _loc(path: str, mark) -> Location:
    return Location(path, mark.line + 1, mark.column + 1)


def read_text(path: Path, shown: str, max_bytes: int = MAX_BYTES, root: Path | None = None) -> str:
    """A project file's text: a regular file inside `root` (else its own folder), UTF-8."""
    from ..safefs import read_project_file
    data = read_project_file(root if root is not None else Path(path).parent, path, shown, max_bytes=max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BriefError("file is not valid UTF-8", Location(shown, line),
                         "save the file as UTF-8 (most editors offer it under 'Save as')") from None
    return text.lstrip("\ufeff")


def load_yaml(path: Path, shown: str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH,
              max_nodes: int = MAX_NODES, text: str | None = None, root: Path | None = None) -> YamlDoc:
    """Read one YAML document; raise BriefError with every problem found."""
    if text is None:
        text = read_text(path, shown, max_bytes, root)
    elif len(text.encode()) > max_bytes:
        raise BriefError(f"file is too large (the limit is {max_bytes:,} bytes)", Location(shown))
    loader = _Loader(text, max_depth)
    try:
        node = loader.get_single_node()
    except _TooDeep as exc:
        raise BriefError(f"nesting is deeper than {max_depth} levels", _loc(shown, exc.mark),
                         "flatten the structure") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        trap = None if "tab" in problem else _trap(
            text.splitlines(), shown, [m for m in (exc.problem_mark, exc.context_mark) if m])
        if trap is not None:
            raise BriefError([trap]) from None
        if exc.context and "quoted scalar" in exc.context and exc.context_mark:
            raise BriefError("YAML syntax error: this quoted text is never closed",
                             _loc(shown, exc.context_mark),
                             "add the closing quote; inside double quotes write \\\" for a quote") from None
        raise BriefError(f"YAML syntax error: {problem}", _loc(shown, mark) if mark else Location(shown),
                         _syntax_hint(problem)) from None
    except yaml.YAMLError as exc:  # e.g. ReaderError: control characters
        mark = getattr(exc, "position", None)
        raise BriefError(f"YAML syntax error: {exc}", Location(shown)) from None
    finally:
        loader.dispose()
    doc = YamlDoc(shown, None, text.splitlines())
    if node is None:
        raise BriefError("the file is empty", Location(shown, 1, 1))
    report = Report()
    doc.data = _Builder(doc, report, max_nodes, max_depth).build(node, ())
    report.raise_if_errors()
    return doc


_KEY_OR_DASH = re.compile(r"^[ \t]*(?:-[ \t]+)*(?:[A-Za-z_][\w-]*[ \t]*:[ \t]+)?")
_STARTS = {
    "{": "a text that starts with '{' must be in quotes: YAML reads '{' as the start of a mapping",
    "[": "a text that starts with '[' must be in quotes: YAML reads '[' as the start of a list",
    '"': "a text that starts with a quotation mark must be in quotes as a whole: "
         "YAML reads the first quoted part as the whole text",
    "'": "a text that starts with an apostrophe must be in quotes as a whole: "
         "YAML reads the first quoted part as the whole text",
    "*": "a text that starts with '*' must be in quotes: YAML reads '*' as a reference to an anchor",
    "&": "a text that starts with '&' must be in quotes: YAML reads '&' as an anchor's name",
}


def _trap(lines: list[str], shown: str, marks) -> Problem | None:
    """YAML's traps behind a cryptic syntax error: a tab before a key, or a text that starts
    with a character YAML gives a meaning to ({, [, a quotation mark, *, &)."""
    for mark in marks:
        if mark.line >= len(lines):
            continue
        line = lines[mark.line]
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent or line[mark.column:mark.column + 1] == "\t":
            col = indent.index("\t") if "\t" in indent else mark.column
            return Problem("YAML syntax error: a tab character before a key", Location(shown, mark.line + 1, col + 1),
                           "indent with spaces, not tabs (set your editor to insert spaces)")
        start = _KEY_OR_DASH.match(line).end()
        value = line[start:].rstrip()
        if value[:1] in _STARTS and _continues(value):
            return Problem(f"YAML syntax error: {_STARTS[value[0]]}", Location(shown, mark.line + 1, start + 1),
                           f"write it in quotes: {quoted(value)}")
    return None


def _continues(value: str) -> bool:
    """Does text follow what YAML reads as a complete value ({...}, [...], "...", '...', *name)?"""
    first = value[0]
    if first in "*&":
        return True
    if first in "{[":
        close, depth = {"{": "}", "[": "]"}[first], 0
        for i, ch in enumerate(value):
            depth += (ch == first) - (ch == close)
            if depth == 0:
                return bool(value[i + 1:].strip()) and not value[i + 1:].lstrip().startswith(("#", ","))
        return False
    i = 1
    while i < len(value):
        if first == '"' and value[i] == "\\":
            i += 2
            continue
        if value[i] == first:
            if first == "'" and value[i + 1:i + 2] == "'":
                i += 2
                continue
            rest = value[i + 1:].strip()
            return bool(rest) and not rest.startswith("#")
        i += 1
    return False


def quoted(text: str) -> str:
    """`text` as a YAML quoted scalar a user can paste: double quotes unless it holds one."""
    if '"' not in text and "\\" not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "''") + "'"



def _syntax_hint(problem: str) -> str | None:
    if "tab" in problem or "\\t" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "a ':' followed by a space starts a new key; put the whole text in quotes"
    if "could not find expected ':'" in problem:
        return "check the indentation of this line and the one above"
    if "found character '@'" in problem or "found character '`'" in problem:
        return "a value cannot start with '@' or '`'; put the whole text in quotes"
    if "expected <block end>" in problem:
        return "check the indentation: items of one list or mapping must line up"
    return None


class _Builder:
    def __init__(self, doc: YamlDoc, report: Report, max_nodes: int, max_depth: int):
        self.doc = doc
        self.report = report
        self.max_nodes = max_nodes
        self.max_depth = max_depth
        self.count = 0
        self.constructor = SafeConstructor()
        self.too_many = False
        self.size = 0

    def build(self, node, path: Path_, depth: int = 0):
        self.count += 1
        if isinstance(node, yaml.ScalarNode):
            self.size += len(node.value) + 8
        if self.size > MAX_EXPANDED_BYTES and not self.too_many:
            self.too_many = True
            self.report.error(f"the document expands to more than {MAX_EXPANDED_BYTES:,} bytes of text",
                              _loc(self.doc.path, node.start_mark),
                              "anchors and aliases (&name / *name) may repeat a value only a few times")
        if self.too_many:
            return None
        if self.count > self.max_nodes or depth > self.max_depth:
            if not self.too_many:
                self.too_many = True
                self.report.error(
                    f"the document expands to more than {self.max_nodes:,} values"
                    if self.count > self.max_nodes else f"nesting is deeper than {self.max_depth} levels",
                    _loc(self.doc.path, node.start_mark),
                    "anchors and aliases (&name / *name) may repeat a value only a few times")
            return None
        loc = _loc(self.doc.path, node.start_mark)
        self.doc.positions[path] = loc
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path, loc)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != SEQ:
                return self.bad_tag(node, loc)
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if node.tag != MAP:
                return self.bad_tag(node, loc)
            return self.mapping(node, path, depth)
        return None  # pragma: no cover - PyYAML has no other node kind

    def bad_tag(self, node, loc):
        self.report.error(f"unsupported YAML tag '{node.tag}'", loc,
                          "remove the tag; briefs hold only text, numbers, dates, lists and mappings")
        return None

    def scalar(self, node, path: Path_, loc: Location):
        plain = not node.style  # None (Python parser) or "" (libyaml)
        self.doc.scalars[path] = Scalar(node.value, node.tag, plain)
        if node.tag not in SCALAR_TAGS:
            return self.bad_tag(node, loc)
        if node.tag == STR:
            return self._text(node, loc)
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            if node.tag.endswith(":timestamp"):
                self.report.error(f"'{node.value}' is not a real date ({exc})", loc,
                                  "write dates as YYYY-MM-DD, e.g. 2024-03-01")
            else:
                self.report.error(f"invalid value {node.value!r}: {exc}", loc, "put it in quotes if it is text")
            return None

    def _text(self, node, loc: Location) -> Text:
        start = node.start_mark
        line = self.doc.lines[start.line] if start.line < len(self.doc.lines) else ""
        if node.style in ("'", '"'):
            # content starts after the quote; exact only when it stands there as written (no escapes)
            col = start.column + 1
            exact = "\n" not in node.value and line[col:col + len(node.value)] == node.value
            return Text(node.value, loc.shifted(1), exact, () if exact else self._anchors(node, start.line, col))
        if not node.style:
            exact = "\n" not in node.value and line[start.column:start.column + len(node.value)] == node.value
            self._cut_by_comment(node, loc)
            return Text(node.value, loc, exact, () if exact else self._anchors(node, start.line, start.column))
        # block scalars ('|', '>'): content begins on the next line
        first = next((i for i, line in enumerate(self.doc.lines[start.line + 1:], start.line + 2)
                      if line.strip()), start.line + 2)
        indent = len(self.doc.lines[first - 1]) - len(self.doc.lines[first - 1].lstrip()) \
            if first - 1 < len(self.doc.lines) else 0
        return Text(node.value, Location(self.doc.path, first, indent + 1), False,
                    self._anchors(node, first - 1, 0))

    def _anchors(self, node, line: int, column: int) -> tuple:
        """Where each word of a multi-line text stands in the file: folding and indentation
        change only the spaces between words, so the words are found in order."""
        lines, last = self.doc.lines, min(node.end_mark.line, len(self.doc.lines) - 1)
        out = []
        for m in re.finditer(r"\S+", node.value):
            word, at = m.group(0), None
            while line <= last:
                found = lines[line].find(word, column)
                if found >= 0:
                    at = (line, found)
                    break
                line, column = line + 1, 0
            if at is None:  # an escape sequence: the word is not written as it reads
                break
            out.append((m.start(), at[0] + 1, at[1] + 1))
            line, column = at[0], at[1] + len(word)
        return tuple(out)

    def _cut_by_comment(self, node, loc: Location) -> None:
        """A ' #' inside an unquoted text starts a YAML comment and silently cuts the text
        ("Researcher, #1 in ..." reads "Researcher,"). A comment written as a comment
        ("# note", with a space) is left alone; '#' glued to a word, or a text that ends
        mid-sentence (on ',', ':', ';', '(' or a dash), is reported."""
        end = node.end_mark
        if end.line >= len(self.doc.lines):
            return
        rest = self.doc.lines[end.line][end.column:]
        m = re.match(r"([ \t]+)#(.*)$", rest)
        if not m:
            return
        comment = m.group(2)
        glued = comment[:1] not in ("", " ", "\t", "#")
        dangling = node.value.rstrip()[-1:] in (",", ":", ";", "(", "-", "\u2013", "\u2014")
        if not (glued or dangling):
            return
        where = Location(self.doc.path, end.line + 1, end.column + len(m.group(1)) + 1)
        whole = f"{node.value}{m.group(1)}#{comment}".strip()
        self.doc.warnings.append(Problem(
            f"this text is cut at '#{_clip(comment)}': YAML reads ' #' as the start of a comment",
            where, f"put the whole text in quotes: {quoted(whole) if chr(10) not in whole else 'use quotes'}",
            "warning"))

    def mapping(self, node, path: Path_, depth: int) -> dict:
        result: dict = {}
        first_seen: dict = {}
        for key_node, value_node in node.value:
            kloc = _loc(self.doc.path, key_node.start_mark)
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.report.error("merge keys ('<<') are not supported", kloc,
                                  "write the fields out in full")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.report.error("a key must be a plain name, not a list or mapping", kloc)
                continue
            key = key_node.value if key_node.tag in (STR, "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
                                                     "tag:yaml.org,2002:int", "tag:yaml.org,2002:float") \
                else None
            if key is None:
                self.report.error(f"unsupported key {key_node.value!r}", kloc)
                continue
            if key in first_seen:
                self.report.error(f"duplicate key '{key}'", kloc,
                                  f"'{key}' is already set at line {first_seen[key].line}; keep one of them")
                continue
            first_seen[key] = kloc
            self.doc.key_positions[path + (key,)] = kloc
            result[key] = self.build(value_node, path + (key,), depth + 1)
        return result


def _clip(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[:n].rstrip() + "…"


def describe(value: Any) -> str:
    """How a YAML value reads to a user, for type errors."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (dt.date, dt.datetime)):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text"
