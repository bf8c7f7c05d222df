"""Which characters the document's fonts can draw.

A character that no font of a language's stack has would print as an empty box (or a
fallback font the template never named). The composer asks `missing()` for every text
and reports such a character with its name and where it was written.
"""
from __future__ import annotations

import shutil
import struct
import subprocess
import unicodedata
from functools import lru_cache

from .i18n.locale import SANS, SERIF

# characters that draw nothing and need no glyph
INVISIBLE = {"\u200e", "\u200f", "\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\n", "\t", "\r"}


@lru_cache(maxsize=None)
def _font_files() -> dict[str, list[str]]:
    """family -> font files, from fontconfig (one call per process)."""
    if not shutil.which("fc-list"):
        return {}
    out = subprocess.run(["fc-list", ":", "family", "file"], capture_output=True, text=True).stdout
    files: dict[str, list[str]] = {}
    for line in out.splitlines():
        path, _, families = line.partition(": ")
        for family in families.split(","):
            files.setdefault(family.strip(), []).append(path.strip())
    return files


@lru_cache(maxsize=None)
def _cmap(path: str) -> frozenset[int]:
    """The code points of the font's best character map (fontTools' `getBestCmap`), read
    directly for the usual subtable formats (4 and 12): importing fontTools and parsing the
    map with it costs a cold start about 0.2 s. Anything else goes to fontTools."""
    try:
        points = _read_cmap(path)
    except (OSError, ValueError, struct.error):
        points = None
    return points if points is not None else _cmap_fonttools(path)


def _cmap_fonttools(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont
    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception:  # an unreadable font file covers nothing; fontconfig knew it, we skip it
        return frozenset()


# fontTools' getBestCmap preferences: (platform, encoding) of the subtable to read, in order
CMAP_PREFERENCES = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


def _read_cmap(path: str) -> frozenset[int] | None:
    """The code points that the preferred subtable maps to a glyph, decoded as fontTools
    decodes a format 4 subtable (every segment but the last, 0xFFFF one; glyph 0 is no
    glyph), or None for anything else or anything unusual: then fontTools reads it."""
    with open(path, "rb") as fh:
        data = fh.read()
    base = 0
    if data[:4] == b"ttcf":   # a collection: its first font, as fontNumber=0
        base = struct.unpack_from(">L", data, 12)[0]
    num_tables = struct.unpack_from(">H", data, base + 4)[0]
    cmap = None
    for i in range(num_tables):
        tag, _checksum, offset, _length = struct.unpack_from(">4sLLL", data, base + 12 + 16 * i)
        if tag == b"cmap":
            cmap = offset
    if cmap is None:
        return None
    count = struct.unpack_from(">H", data, cmap + 2)[0]
    subtables: dict[tuple[int, int], int] = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHL", data, cmap + 4 + 8 * i)
        fmt, length = struct.unpack_from(">HH", data, cmap + offset)
        if fmt != 4 or length < 16:   # another format, or one fontTools skips or refuses
            return None
        subtables.setdefault((platform, encoding), cmap + offset)   # the first of each, as getcmap
    at = next((subtables[key] for key in CMAP_PREFERENCES if key in subtables), None)
    if at is None:
        return None
    length = struct.unpack_from(">H", data, at + 2)[0]
    segments = struct.unpack_from(">H", data, at + 6)[0] // 2
    words = (length - 14) // 2               # the subtable's 16-bit words after its header
    if at + length > len(data) or words < 4 * segments + 1:
        return None
    table = struct.unpack_from(f">{words}H", data, at + 14)
    ends = table[:segments]
    starts = table[segments + 1: 2 * segments + 1]
    deltas = table[2 * segments + 1: 3 * segments + 1]
    range_offsets = table[3 * segments + 1: 4 * segments + 1]
    glyphs = table[4 * segments + 1:]
    points: set[int] = set()
    for i in range(segments - 1):             # not the last segment (0xFFFF), as fontTools
        start, end, delta, range_offset = starts[i], ends[i], deltas[i], range_offsets[i]
        if range_offset == 0:
            points.update(c for c in range(start, end + 1) if (c + delta) & 0xFFFF)
            continue
        partial = range_offset // 2 - start + i - segments
        for c in range(start, end + 1):
            index = c + partial
            if not 0 <= index < len(glyphs):
                return None                    # fontTools refuses the font
            if glyphs[index] and (glyphs[index] + delta) & 0xFFFF:
                points.add(c)
    return frozenset(points)


@lru_cache(maxsize=None)
def coverage(lang: str) -> frozenset[int] | None:
    """Code points drawable by the language's serif and sans stacks; None if fonts are unknown."""
    files = _font_files()
    if not files:
        return None
    points: set[int] = set()
    for family in SERIF.get(lang, SERIF["en"]) + SANS.get(lang, SANS["en"]):
        for path in files.get(family, []):
            points |= _cmap(path)
    return frozenset(points) if points else None


def missing(text: str, lang: str) -> list[tuple[int, str]]:
    """(offset, character) for each character no font of `lang` can draw."""
    covered = coverage(lang)
    if covered is None:
        return []
    return [(i, ch) for i, ch in enumerate(text)
            if ord(ch) not in covered and ch not in INVISIBLE and not ch.isspace()]


def describe(ch: str) -> str:
    return f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED CHARACTER')})"
