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


# --- a build with nothing to do (uptodate.py) ------------------------------------------------

def _age(*folders: Path, seconds: int = 60) -> None:
    """Date every file and folder `seconds` back: a build right after an edit records no
    stamp (file times are coarse), so the tests set the edits in the past."""
    import os
    import time
    then = time.time() - seconds
    for folder in folders:
        for path in [folder, *folder.rglob("*")]:
            os.utime(path, (then, then), follow_symlinks=False)


@pytest.fixture
def warned_project(tiny_project: Path) -> Path:
    """The tiny project in English and Hebrew (no Hebrew catalog: warnings for each output)
    with a source nobody cites (a warning of the project)."""
    brief = tiny_project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("languages: [en]", "languages: [en, he]"))
    with open(tiny_project / "sources" / "sources.yaml", "a") as fh:
        fh.write("- id: unused-1999\n  type: book\n  title: Nobody Cites This\n  issued: 1999\n")
    _age(tiny_project)
    return tiny_project


class Calls:
    """Counts the builds that ran the engine (the normal path)."""

    def __init__(self, monkeypatch):
        import briefing.build
        self.count = 0
        real = briefing.build.build

        def counted(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)
        monkeypatch.setattr(briefing.build, "build", counted)


def _build(project: Path, *extra: str):
    from conftest import run_cli
    return run_cli("build", "--project", str(project), "--out", str(project / "out"), "--jobs", "0",
                   "--format", "docx,json", *extra)


def test_nothing_to_do_is_answered_as_the_full_build_answers(warned_project: Path, monkeypatch):
    out = warned_project / "out"
    first = _build(warned_project)
    assert first[0] == 0 and "4 built" in first[1] and (out / ".briefing-stamp.json").is_file()
    (out / ".briefing-stamp.json").unlink()
    calls = Calls(monkeypatch)
    full = _build(warned_project)                      # the engine finds everything up to date
    assert calls.count == 1 and (out / ".briefing-stamp.json").is_file()
    assert "0 built, 4 up to date" in full[1] and "no he catalog" in full[2] and "never cited" in full[2]
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (out / "manifest.json",
                                                                       out / ".briefing-cache.json")}
    quick = _build(warned_project)
    assert calls.count == 1                            # answered from the stamp: no engine
    assert quick == full                               # same exit code, same lines, same warnings
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (out / "manifest.json",
                                                                     out / ".briefing-cache.json")} == before


def test_any_change_takes_the_normal_path(warned_project: Path, monkeypatch):
    import os
    out = warned_project / "out"
    _build(warned_project)
    _build(warned_project)
    calls = Calls(monkeypatch)

    def normal(*extra) -> tuple:
        n = calls.count
        result = _build(warned_project, *extra)
        assert calls.count == n + 1, "the engine did not run"
        return result

    def settle() -> None:      # the stamp again, as after an edit made a while ago
        _age(warned_project)
        normal()
        quick = _build(warned_project)
        assert calls.count and quick[0] == 0 and (out / ".briefing-stamp.json").is_file()

    settle()
    brief = warned_project / "briefs" / "good.yaml"
    os.utime(brief)                                    # touched: same bytes, a new time
    assert "0 built, 4 up to date" in normal()[1]
    settle()
    brief.write_text(brief.read_text().replace("A good brief", "A better brief"))
    assert "built      out/en/good.docx" in normal()[1]
    assert not (out / ".briefing-stamp.json").exists()   # edited just now: times too close to trust
    settle()
    (warned_project / "assets").mkdir()                # a new folder the build reads
    normal()
    settle()
    (warned_project / "sources" / "more.yaml").write_text("[]\n")   # a new file in a watched folder
    normal()
    settle()
    left = out / "en" / ".briefing-tmp-x.docx"         # what a killed build leaves behind
    left.write_bytes(b"half")
    normal()
    assert not left.exists()
    settle()
    (out / "en" / "good.json").unlink()               # an output gone
    assert "1 built" in normal()[1]
    settle()
    normal("--lang", "en")                             # other options: other outputs, another report
    settle()
    brief.write_text(brief.read_text().replace("languages: [en, he]", "languages: [en, hy]"))
    (warned_project / "sources" / "more.yaml").write_text("- id: [\n")   # an error: no stamp
    assert normal()[0] == 1
    assert not (out / ".briefing-stamp.json").exists()


# --- the placement decision of a long document (render/pdf.py) --------------------------------

def test_dropping_the_first_layout_changes_no_decision_and_no_byte(tmp_path: Path, monkeypatch):
    """A long document's first layout is dropped before the alternative is laid out: the
    same placement and the same PDF as when both are kept."""
    import shutil
    import sys

    import yaml

    from briefing.build import BuildOptions, build
    from briefing.project import Project
    from briefing import workers
    from briefing.render import pdf
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "benchmarks"))
    try:
        from bench import generated_brief
    finally:
        sys.path.remove(str(root / "benchmarks"))
    for name in ("briefs", "sources", "locales", "templates", "assets"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    data = dict(generated_brief(3), id="long")
    data["summary"] = (data["summary"] * 6)[:6]   # the facts box starts page 2: the alternative is tried
    (tmp_path / "briefs" / "long.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    project = Project.open(tmp_path)
    laid: list[int] = []
    real = pdf.lay_out

    def counted(doc, options, html_result=None):
        result = real(doc, options, html_result)
        laid.append(len(result[1].pages))
        return result
    monkeypatch.setattr(pdf, "lay_out", counted)
    outputs = {}
    for keep in (100, 0):   # both kept; the first dropped
        monkeypatch.setattr(pdf, "KEEP_BOTH_PAGES", keep)
        laid.clear()
        workers._placements.clear()   # decided again, not taken from the first round
        result = build(project, BuildOptions(briefs=["long"], languages=["en"], formats=["pdf"], jobs=0,
                                             out=str(tmp_path / f"out{keep}"), force=True))
        assert not result.failed, [p.format() for r in result.failed for p in r.problems]
        assert len(laid) == 2, laid   # the alternative placement was laid out too
        outputs[keep] = (tmp_path / f"out{keep}" / "en" / "long.pdf").read_bytes()
    assert outputs[100] == outputs[0]
