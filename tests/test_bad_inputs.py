"""The bad-brief corpus: one mistake per file, its exact message on the file's first line.

    # expect: LINE:COL: error: MESSAGE | hint: HINT
    # expect --strict: LINE:COL: error: MESSAGE | hint: HINT   (a warning, an error with --strict)

Each file is checked as the only brief of a small project: exactly that one error must
be reported (with its hint), the exit code is 1, there is no traceback, and a build
writes nothing for it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli

BAD = sorted((Path(__file__).parent / "bad").glob("*.yaml"))


def expectation(path: Path) -> tuple[str, str | None, list[str]]:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    for prefix, args in (("# expect: ", []), ("# expect --strict: ", ["--strict"])):
        if first.startswith(prefix):
            message, _, hint = first[len(prefix):].partition(" | hint: ")
            return message, hint or None, args
    raise AssertionError(f"{path.name}: first line must be '# expect: ...' or '# expect --strict: ...'")


@pytest.fixture
def bad_project(tmp_path: Path):
    def make(path: Path) -> Path:
        root = tmp_path / "p"
        (root / "briefs").mkdir(parents=True)
        shutil.copytree(FIXTURES / "project" / "sources", root / "sources")
        shutil.copy(path, root / "briefs" / path.name)
        return root
    return make


def test_corpus_is_large_enough():
    messages = {expectation(p)[0].split(": error: ")[1] for p in BAD}
    assert len(BAD) >= 15 and len(messages) == len(BAD), "each file shows a distinct mistake"


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_brief(path: Path, bad_project):
    message, hint, strict = expectation(path)
    root = bad_project(path)
    if strict:  # without --strict the mistake is a warning: checked, reported, not fatal
        code, out, err = run_cli("check", "--project", str(root))
        assert code == 0 and [line for line in err.splitlines() if ": warning: " in line] == [
            f"briefs/{path.name}:{message.replace(': error: ', ': warning: ')}"], err
    code, out, err = run_cli("check", "--project", str(root), *strict)
    assert code == 1, out + err
    assert "Traceback" not in err
    lines = err.splitlines()
    errors = [line for line in lines if ": error: " in line]
    expected = f"briefs/{path.name}:{message}"
    assert errors == [expected], f"expected exactly:\n  {expected}\ngot:\n" + err
    if hint:
        assert lines[lines.index(expected) + 1] == f"  hint: {hint}"

    if strict:
        assert not [line for line in lines if ": warning: " in line], "--strict prints no warning"
    code, out, err = run_cli("build", "--project", str(root), "--out", str(root / "out"), *strict)
    assert code == 1 and "Traceback" not in err
    assert err.count(expected) == 1, "the problem is printed once:\n" + err
    assert not list((root / "out").rglob("*.pdf")) and not list((root / "out").rglob("*.docx"))
