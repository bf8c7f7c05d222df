"""Which characters the document's fonts can draw.

A character that no font of a language's stack has would print as an empty box (or a
fallback font the template never named). The composer asks `missing()` for every text
and reports such a character with its name and where it was written.
"""
from __future__ import annotations

import shutil
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
    from fontTools.ttLib import TTFont
    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception:  # an unreadable font file covers nothing; fontconfig knew it, we skip it
        return frozenset()


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
