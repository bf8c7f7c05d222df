"""Babel's .po reader, made strict: every mistake is a Problem at its line and column.

Babel's `PoFileParser` repairs what it does not understand without a word (a msgstr with no
msgid is dropped, a repeated entry replaces the first, an unknown escape is kept as it is)
or stops at the first error. A translator's mistake must instead be reported at its line,
all of them at once, and nothing half-read may reach a build. This subclass keeps Babel's
grammar and catalog, and adds the checks and the reporting; it also keeps the previous msgid
of a fuzzy entry (`#| msgid "..."`), which Babel's reader files as a plain comment.
"""
from __future__ import annotations

import io
import re

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileParser, unescape

from ..errors import Location, Problem

STRING_RE = re.compile(r'^"((?:[^"\\]|\\.)*)"$')
ESCAPES = set('"\\abfnrtv') | set("01234567x")
KEYWORDS = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\])$")


class StrictPoParser(PoFileParser):
    def __init__(self, catalog: Catalog, text: str, shown: str):
        super().__init__(catalog, ignore_obsolete=False, abort_invalid=False)
        self.lines = text.split("\n")
        self.shown = shown
        self.problems: list[Problem] = []
        self.seen: dict[tuple, int] = {}
        self.keywords: set[str] = set()     # the keywords of the entry being read
        self.previous: list[str] | None = None
        self.previous_open = False

    # --- reporting ---------------------------------------------------------------------
    def error(self, lineno: int, message: str, hint: str | None = None, col: int = 1) -> None:
        self.problems.append(Problem(message, Location(self.shown, lineno + 1, col), hint))

    def _invalid_pofile(self, line, lineno, msg) -> None:  # Babel's own findings
        if msg.startswith("Got line starting with"):
            self.error(lineno, "a string with no keyword before it",
                       "continuation lines must follow msgid, msgstr or msgctxt")
        elif msg.startswith("missing msgstr"):
            self.error(lineno, "msgid without a msgstr", 'add msgstr "" after it')
        elif msg.startswith("Unknown or misformatted keyword"):
            word = line.split()[0] if line.split() else line
            self.error(lineno, f"unknown keyword '{word}'",
                       "a .po line is a comment (#), a keyword (msgid, msgstr, msgctxt) or a quoted string")
        elif "num_plurals" in msg:
            self.error(lineno, "more plural forms (msgstr[N]) than the language has",
                       "keep msgstr[0] .. msgstr[nplurals-1] as the header's Plural-Forms says")
        else:
            self.error(lineno, msg)

    def _column(self, lineno: int, value: str) -> int:
        raw = self.lines[lineno].rstrip("\r") if lineno < len(self.lines) else ""
        at = raw.find(value) if value else -1
        return at + 1 if at >= 0 else 1

    def _string_ok(self, lineno: int, value: str) -> bool:
        col = self._column(lineno, value)
        m = STRING_RE.match(value)
        if not m:
            if value.startswith('"') and (value.count('"') - value.count('\\"')) < 2:
                self.error(lineno, "unterminated string", 'end the string with a closing "', col)
            else:
                self.error(lineno, "malformed string",
                           'a string is written "like this", with \\" for a quote', col)
            return False
        body, i = m.group(1), 0
        while i < len(body):
            if body[i] == "\\":
                if i + 1 >= len(body) or body[i + 1] not in ESCAPES:
                    self.error(lineno, f"unknown escape '\\{body[i + 1:i + 2]}'",
                               'use \\" for a quote, \\\\ for a backslash, \\n for a new line', col + i + 1)
                    return False
                i += 2
            else:
                i += 1
        return True

    # --- the grammar, with the checks Babel leaves out -----------------------------------
    def _process_message_line(self, lineno, line, obsolete=False) -> None:
        if obsolete and line.startswith("|"):
            return  # the previous msgid of an obsolete entry
        super()._process_message_line(lineno, line, obsolete)

    def _process_keyword_line(self, lineno, line, obsolete=False) -> None:
        keyword, _, arg = line.partition(" ")
        arg = arg.strip()
        if not KEYWORDS.match(keyword):
            return self._invalid_pofile(line, lineno, "Unknown or misformatted keyword")
        base = keyword.split("[")[0]
        if base in ("msgid", "msgctxt"):
            if self.messages and (self.translations or base == "msgctxt"):
                self.keywords = set()   # a new entry: Babel finishes the one before
            elif not self.messages and self.translations:
                self.translations, self.keywords = [], set()  # after a stray msgstr (reported)
        if base.startswith("msgstr") and self.translations and not self.lines[lineno - 1].strip():
            self._finish_current_message()  # a msgstr after a blank line starts no new entry
        if base == "msgctxt" and "msgctxt" in self.keywords:
            self.error(lineno, "msgctxt appears twice in one entry")
        elif base.startswith("msgstr") and not self.messages:
            self.error(lineno, f"{keyword} without a msgid", "every msgstr must follow its msgid")
        elif base != "msgid" and keyword in self.keywords:
            self.error(lineno, f"{keyword} appears twice in one entry")
        if not self._string_ok(lineno, arg):
            arg = '""'
        super()._process_keyword_line(lineno, f"{keyword} {arg}", obsolete)
        self.keywords.add(keyword)

    def _process_string_continuation_line(self, line, lineno) -> None:
        if self._string_ok(lineno, line):
            super()._process_string_continuation_line(line, lineno)
        elif self.in_msgid or self.in_msgstr or self.in_msgctxt:
            super()._process_string_continuation_line('""', lineno)

    def _process_comment(self, line) -> None:
        if not self.messages and self.translations:
            self.translations, self.keywords = [], set()  # after a stray msgstr (reported)
        if line.startswith("#|"):
            self._finish_current_message()
            body = line[2:].strip()
            if body.startswith("msgid "):
                self.previous, self.previous_open = [unescape(body[6:].strip())], True
            elif body.startswith('"') and self.previous_open and self.previous is not None:
                self.previous.append(unescape(body))
            else:
                self.previous_open = False
            return
        self.previous_open = False
        super()._process_comment(line)

    def _add_message(self) -> None:
        msgid = self.messages[0].denormalize()
        context = self.context.denormalize() if self.context else None
        key = (context, msgid, self.obsolete)
        lineno, previous = self.offset, self.previous
        self.keywords, self.previous, self.previous_open = set(), None, False
        if key in self.seen:
            if msgid:
                ctx = f" (context '{context}')" if context else ""
                self.error(lineno, f"duplicate entry for msgid \"{_short(msgid)}\"{ctx}",
                           f"the first one is at line {self.seen[key] + 1}; keep one")
            else:
                self.error(lineno, "a second header entry (msgid \"\")",
                           f"the first one is at line {self.seen[key] + 1}")
            self._reset_message_state()
            return
        self.seen[key] = lineno
        obsolete = self.obsolete
        super()._add_message()
        if previous and not obsolete and msgid:
            message = self.catalog.get(msgid, context=context)
            if message is not None and message.fuzzy:
                message.previous_id = ["".join(previous)]


def read_po_strict(text: str, shown: str, lang: str | None = None) -> tuple[Catalog | None, list[Problem]]:
    """The catalog in `text` and the problems found in it; no catalog when there are any."""
    catalog = Catalog(locale=lang)
    parser = StrictPoParser(catalog, text, shown)
    parser.parse(io.StringIO(text))
    problems = sorted(parser.problems, key=lambda p: (p.location.line or 0, p.location.column or 0))
    return (None if problems else catalog), problems


def po_problems(text: str, shown: str) -> list[Problem]:
    return read_po_strict(text, shown)[1]


def _short(text: str, n: int = 50) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
