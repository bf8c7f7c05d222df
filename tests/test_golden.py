"""Golden composed documents: the JSON export of a small brief in English, Hebrew and
Armenian, in both layouts, compared with the reviewed files in tests/golden/.

A change to composition (order, notes, isolation, words, punctuation) shows here as a
diff to review. After a deliberate change, regenerate them with one command:

    make golden          (= .venv/bin/python tests/test_golden.py --update)
"""
from __future__ import annotations

import difflib
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "fixtures" / "golden-project"
GOLDEN = HERE / "golden"
CASES = [(lang, layout) for lang in ("en", "he", "hy") for layout in ("brief", "leave-behind")]


def composed_json(lang: str, layout: str) -> str:
    import os

    import briefing
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    session = briefing.open_project(PROJECT)
    return session.write(session.compose("good", lang, layout=layout), "json").decode("utf-8")


def golden_path(lang: str, layout: str) -> Path:
    return GOLDEN / f"good.{lang}.{layout}.json"


@pytest.mark.parametrize("lang,layout", CASES)
def test_composed_document_matches_its_golden_file(lang, layout):
    expected = golden_path(lang, layout).read_text(encoding="utf-8")
    actual = composed_json(lang, layout)
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            str(golden_path(lang, layout)), "composed now", n=2))
        pytest.fail("the composed document changed; review the diff, then run `make golden`:\n" + diff[:6000])


if __name__ == "__main__":
    if "--update" not in sys.argv:
        sys.exit("usage: python tests/test_golden.py --update   (rewrites tests/golden/*.json)")
    GOLDEN.mkdir(exist_ok=True)
    for lang, layout in CASES:
        golden_path(lang, layout).write_text(composed_json(lang, layout), encoding="utf-8")
        print(f"wrote {golden_path(lang, layout).relative_to(HERE.parent)}")
