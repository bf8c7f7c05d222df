"""A strict syntax check for .po files, run before Babel's lenient reader.

Babel's `read_po` repairs what it does not understand (an unterminated string, a msgstr
with no msgid, a repeated entry) without a word. A translator's mistake must instead be
reported at its line, so this small state machine reads the file first.
"""
from __future__ import annotations

import re

from ..errors import Location, Problem

KEYWORD_RE = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(.*)$")
STRING_RE = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*$')
ESCAPES = set('"\\abfnrtv') | set("01234567x")


def check_po(text: str, shown: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[tuple, int] = {}
    state = None          # keyword whose strings we are reading
    entry: dict = {}      # keyword -> (line, value) for the current entry

    def err(line: int, col: int, msg: str, hint: str | None = None):
        problems.append(Problem(msg, Location(shown, line, col), hint))

    def finish():
        nonlocal entry
        if not entry:
            return
        if "msgid" not in entry:
            line = min(v[0] for v in entry.values())
            err(line, 1, "msgstr without a msgid", "every msgstr must follow its msgid")
        elif not any(k.startswith("msgstr") for k in entry):
            err(entry["msgid"][0], 1, "msgid without a msgstr", 'add msgstr "" after it')
        else:
            key = (entry.get("msgctxt", (0, None))[1], entry["msgid"][1], entry.get("#~", False))
            if key in seen and entry["msgid"][1] != "":
                ctx = f" (context '{key[0]}')" if key[0] else ""
                err(entry["msgid"][0], 1, f"duplicate entry for msgid \"{_short(key[1])}\"{ctx}",
                    f"the first one is at line {seen[key]}; keep one")
            elif key in seen:
                err(entry["msgid"][0], 1, "a second header entry (msgid \"\")",
                    f"the first one is at line {seen[key]}")
            else:
                seen[key] = entry["msgid"][0]
        entry = {}

    lines = text.split("\n")
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        obsolete = stripped.startswith("#~")
        if obsolete:
            stripped = stripped[2:].strip()
            if stripped.startswith("|") or not stripped:
                continue
        elif stripped.startswith("#"):
            if state is not None and any(k.startswith("msgstr") for k in entry):
                finish()
                state = None
            continue
        if not stripped:
            if state is not None or entry:
                finish()
            state = None
            continue
        if stripped.startswith('"'):
            if state is None:
                err(number, 1, "a string with no keyword before it",
                    "continuation lines must follow msgid, msgstr or msgctxt")
                continue
            _string(stripped, number, line, err)
            if state in entry:
                entry[state] = (entry[state][0], entry[state][1] + _unescape(stripped))
            continue
        m = KEYWORD_RE.match(stripped)
        if not m:
            word = stripped.split()[0]
            err(number, 1, f"unknown keyword '{word}'",
                "a .po line is a comment (#), a keyword (msgid, msgstr, msgctxt) or a quoted string")
            continue
        keyword = m.group(1)
        base = keyword.split("[")[0]
        if base in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in entry):
            finish()
        if base == "msgid" and "msgid" in entry:
            err(number, 1, "msgid follows another msgid", "add the msgstr of the first entry")
            finish()
        if base == "msgctxt" and ("msgctxt" in entry or "msgid" in entry):
            finish()
        if base.startswith("msgstr") and "msgid" not in entry:
            err(number, 1, f"{keyword} without a msgid", "every msgstr must follow its msgid")
        if keyword in entry:
            err(number, 1, f"{keyword} appears twice in one entry")
        value = m.group(3)
        col = len(line) - len(line.lstrip()) + line.lstrip().index(value) + 1 if value in line else 1
        if _string(value, number, line, err, col):
            entry[keyword] = (number, _unescape(value))
        else:
            entry[keyword] = (number, "")
        if obsolete:
            entry["#~"] = True
        state = keyword
    finish()
    return problems


def _string(value: str, number: int, line: str, err, col: int = 1) -> bool:
    m = STRING_RE.match(value)
    if not m:
        if value.startswith('"') and (value.count('"') - value.count('\\"')) < 2:
            err(number, col, "unterminated string", 'end the string with a closing "')
        else:
            err(number, col, "malformed string", 'a string is written "like this", with \\" for a quote')
        return False
    body = m.group(1)
    i = 0
    while i < len(body):
        if body[i] == "\\":
            if i + 1 >= len(body) or body[i + 1] not in ESCAPES:
                err(number, col + i + 1, f"unknown escape '\\{body[i + 1:i + 2]}'",
                    'use \\" for a quote, \\\\ for a backslash, \\n for a new line')
                return False
            i += 2
        else:
            i += 1
    return True


def _unescape(value: str) -> str:
    m = STRING_RE.match(value)
    if not m:
        return ""
    return m.group(1).replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _short(text: str, n: int = 50) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def previous_ids(text: str) -> dict[tuple, str]:
    """(msgctxt, msgid) -> the previous msgid kept in '#| msgid' comments (Babel's reader
    drops them, and a translator needs them to see what changed in a fuzzy entry)."""
    found: dict[tuple, str] = {}
    prev: list[str] = []
    collecting = False
    key_ctx = key_id = None
    state = None
    for raw in text.split("\n"):
        line = raw.strip()
        if line.startswith("#|"):
            body = line[2:].strip()
            if body.startswith("msgid "):
                prev, collecting = [_unescape(body[6:].strip())], True
            elif body.startswith('"') and collecting:
                prev.append(_unescape(body))
            else:
                collecting = False
            continue
        collecting = False
        if line.startswith("msgctxt "):
            key_ctx, state = _unescape(line[8:].strip()), "ctx"
        elif line.startswith("msgid "):
            key_id, state = _unescape(line[6:].strip()), "id"
        elif line.startswith('"') and state in ("ctx", "id"):
            if state == "ctx":
                key_ctx += _unescape(line)
            else:
                key_id += _unescape(line)
        elif line.startswith("msgstr"):
            if prev:
                found[(key_ctx, key_id)] = "".join(prev)
            prev, key_ctx, key_id, state = [], None, None, None
    return found
