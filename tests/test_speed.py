"""What the speed work (issue 11) relies on: the shortcuts give the answers of the long way."""
from __future__ import annotations

import struct
from pathlib import Path

import pytest

from briefing import fonts
from briefing.i18n.locale import SANS, SERIF


def stack_fonts() -> list[str]:
    files = fonts._font_files()
    return sorted({p for lang in ("en", "he", "hy") for family in SERIF.get(lang, []) + SANS.get(lang, [])
                   for p in files.get(family, [])})


def test_the_stacks_fonts_are_read_without_fonttools():
    paths = stack_fonts()
    if not paths:
        pytest.skip("fontconfig knows none of the Noto fonts")
    for path in paths:
        assert fonts._read_cmap(path) is not None, path   # the fast reader knows these fonts


@pytest.mark.parametrize("path", stack_fonts() + sorted({p for ps in fonts._font_files().values() for p in ps})[::25])
def test_cmap_reader_agrees_with_fonttools(path):
    """The direct reader gives fontTools' getBestCmap code points, or hands the font over."""
    try:
        fast = fonts._read_cmap(path)
    except (OSError, ValueError, struct.error):
        fast = None
    slow = fonts._cmap_fonttools(path)
    if fast is not None:
        assert fast == slow
    assert fonts._cmap.__wrapped__(path) == slow


def test_cmap_reader_reads_a_font_that_fonttools_wrote(tmp_path: Path):
    """A format 4 subtable with two segments (and the closing 0xFFFF one, not a character)."""
    from fontTools.fontBuilder import FontBuilder
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", "A", "B"])
    fb.setupCharacterMap({0x41: "A", 0x42: "B", 0x5D0: "A"})
    fb.setupGlyf({name: _empty_glyph() for name in (".notdef", "A", "B")})
    fb.setupHorizontalMetrics({name: (500, 0) for name in (".notdef", "A", "B")})
    fb.setupHorizontalHeader()
    fb.setupNameTable({"familyName": "T", "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    path = tmp_path / "t.ttf"
    fb.save(str(path))
    assert fonts._read_cmap(str(path)) == fonts._cmap_fonttools(str(path)) == {0x41, 0x42, 0x5D0}


def _empty_glyph():
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    return TTGlyphPen(None).glyph()
