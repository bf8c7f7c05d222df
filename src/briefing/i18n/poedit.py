"""One translation edited in place in a .po file; every other byte of the file stays as it was.

The preview server's translator panel saves through here. The file is checked (Babel's reader made strict,
`poread`), the entry found by (msgctxt, msgid), its `msgstr` lines
replaced (quoted and wrapped as `write_po` writes them), and, when asked, its fuzzy flag
and previous-msgid (`#|`) lines removed, as Poedit does when a translator clears "Needs
work". Comments, locations, other entries, line endings and a BOM are kept. The new text
is read back by the same strict reader before it replaces the file, atomically.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import normalize, unescape

from ..errors import BriefError, Location
from .poread import po_problems, read_po_strict

KEYWORD_RE = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(.*)$")
WIDTH = 76   # as `catalogs.serialize` writes


@dataclass
class Entry:
    """Where one entry's parts are: 0-based line indexes into the file's lines."""

    start: int
    parts: dict = field(default_factory=dict)     # keyword -> [first line, last line]
    values: dict = field(default_factory=dict)    # keyword -> unescaped text
    flags_line: int | None = None
    previous_lines: list = field(default_factory=list)
    flags: list = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return self.values.get("msgctxt"), self.values.get("msgid")

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def lineno(self) -> int:
        """The msgid's line, 1-based (as Babel and the build's messages count)."""
        return self.parts["msgid"][0] + 1


def entries(lines: list[str]) -> list[Entry]:
    """The active (not obsolete) entries of a syntactically valid .po file."""
    found: list[Entry] = []
    cur: Entry | None = None
    state = None

    def finish():
        nonlocal cur, state
        if cur is not None and "msgid" in cur.parts:
            found.append(cur)
        cur, state = None, None

    for i, raw in enumerate(lines):
        line = raw.strip()
        if line.startswith("#~") or not line:
            finish()
            continue
        if line.startswith("#"):
            if cur is not None and any(k.startswith("msgstr") for k in cur.parts):
                finish()
            if cur is None:
                cur = Entry(i)
            if line.startswith("#,"):
                cur.flags_line = i
                cur.flags = [f.strip() for f in line[2:].split(",") if f.strip()]
            elif line.startswith("#|"):
                cur.previous_lines.append(i)
            state = None
            continue
        m = KEYWORD_RE.match(line)
        if m:
            keyword = m.group(1)
            if cur is not None and keyword in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in cur.parts):
                finish()
            if cur is None:
                cur = Entry(i)
            cur.parts[keyword] = [i, i]
            cur.values[keyword] = unescape(m.group(2).strip())
            state = keyword
        elif line.startswith('"') and cur is not None and state:
            cur.parts[state][1] = i
            cur.values[state] += unescape(line)
    finish()
    return found


@dataclass
class Saved:
    lineno: int          # the entry's msgid line after the edit
    fuzzy: bool
    created: bool = False


def set_translation(path: Path, shown: str, lang: str, msgid: str, ctx: str | None, msgstr: str, *,
                    clear_fuzzy: bool, expected: str | None = None, location: str | None = None,
                    brace_format: bool = False) -> Saved:
    """Write `msgstr` as the translation of (ctx, msgid) in the .po file at `path`.

    `expected`: the translation the editor showed; if the file now holds another one (a
    translator saved from Poedit meanwhile), nothing is written. A missing entry is added
    (with `location` as its `#:` line). Raises BriefError with the reason when refused."""
    from ..atomic import atomic_write_bytes
    if path.is_symlink() or not path.is_file():
        raise BriefError("the catalog is not a regular file", Location(shown),
                         "run 'briefing translate update' to create it")
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise BriefError("file is not valid UTF-8", Location(shown), "save it as UTF-8") from None
    problems = po_problems(text, shown)
    if problems:
        raise BriefError([problems[0]])
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    found = [e for e in entries(lines) if e.key == (ctx, msgid)]
    created = not found
    if found:
        entry = found[0]
        if any(k.startswith("msgstr[") for k in entry.parts):
            raise BriefError("this entry has plural forms", Location(shown, entry.lineno),
                             "edit it in a .po editor such as Poedit")
        current = entry.values.get("msgstr", "")
        if expected is not None and current != expected:
            raise BriefError("the translation was changed in the file since this page was loaded",
                             Location(shown, entry.lineno), "reload the page and edit the current translation")
        first, last = entry.parts["msgstr"]
        edits = [(first, last + 1, _quoted("msgstr", msgstr))]
        if clear_fuzzy and entry.fuzzy:
            rest = [f for f in entry.flags if f != "fuzzy"]
            edits.append((entry.flags_line, entry.flags_line + 1, ["#, " + ", ".join(rest)] if rest else []))
            edits += [(i, i + 1, []) for i in entry.previous_lines]
        for a, b, new in sorted(edits, reverse=True):
            lines[a:b] = new
    else:
        if expected:
            raise BriefError("the entry is no longer in the file", Location(shown),
                             "reload the page; run 'briefing translate update' if the English changed")
        block = ([f"#: {location}"] if location else []) + (["#, python-brace-format"] if brace_format else [])
        block += (_quoted("msgctxt", ctx) if ctx is not None else []) + _quoted("msgid", msgid) + \
            _quoted("msgstr", msgstr)
        at = _before_obsolete(lines)
        if at > 0 and lines[at - 1].strip():
            block = [""] + block
        if at < len(lines) and lines[at].strip():
            block = block + [""]
        lines[at:at] = block
    new_text = newline.join(lines)
    catalog, problems = read_po_strict(new_text, shown, lang)
    if problems:  # never write a file the strict reader would refuse
        raise BriefError(f"the edit would break the file: {problems[0].message}", problems[0].location)
    # read back: the entry must hold exactly what was asked
    message = catalog.get(msgid, context=ctx)
    if message is None or (message.string or "") != msgstr:
        raise BriefError("the edit could not be verified; the file was not changed", Location(shown))
    atomic_write_bytes(path, (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8"))
    lineno = next((e.lineno for e in entries(lines) if e.key == (ctx, msgid)), 0)
    return Saved(lineno, bool(message.fuzzy), created)


def _quoted(keyword: str, value: str) -> list[str]:
    """`keyword "..."` lines, quoted and wrapped as Babel's write_po does."""
    return f"{keyword} {normalize(value, prefix='', width=WIDTH)}".split("\n")


def _before_obsolete(lines: list[str]) -> int:
    """Where a new entry goes: before the obsolete (#~) entries that close a file, else at the end."""
    for i, line in enumerate(lines):
        if line.startswith("#~"):
            while i > 0 and lines[i - 1].startswith("#") and not lines[i - 1].startswith("#~"):
                i -= 1   # its comments
            return i
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    return end
