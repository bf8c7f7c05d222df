"""Shared fixtures: the repository as a project, and builds made once per test run.

What many tests read is made once and shared by every xdist worker (`made_once`: a file
lock guards it): the sample build (`samples`, the files a user gets from `make briefings`),
the print-shop and PDF/A variants, and LibreOffice's conversions of the samples' Word files
(`soffice_pdf`); test modules use it too (recipients' copies, the editions' diff, validators). Under `pytest -n` the tests are handed out one at a time, long jobs first
(pytest_configure, pytest_collection_modifyitems).
"""
from __future__ import annotations

import fcntl
import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_configure(config):
    """`pytest -n N`: hand the tests out one at a time, in the order below, so that a worker
    that is free takes the next test (xdist's default sends long runs of consecutive tests
    to each worker up front: one worker could get every slow test)."""
    if getattr(config.option, "dist", "no") == "load" and config.option.maxschedchunk is None:
        config.option.maxschedchunk = 1


def pytest_collection_modifyitems(config, items):
    """Run first the tests that start a long single-threaded job others wait for (`first`:
    a validator over many files, made once per run), then the slow tests, then the rest; the
    tests that only read such a job's results come last, when they are ready, so no worker
    sits waiting on a lock while the other does that job."""
    def rank(item) -> int:
        if item.get_closest_marker("first"):
            return 0
        if WAITS_FOR_FIRST & set(getattr(item, "fixturenames", ())):
            return 3
        return 1 if item.get_closest_marker("slow") else 2
    items.sort(key=rank)   # stable: each rank keeps the files' order


# made once per run by the `first` tests: test_validators.py's validator results, and the
# variants that veraPDF's test builds before it validates
WAITS_FOR_FIRST = {"vera", "audited", "print_shop", "pdf_a"}


def run_cli(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """Run `briefing` in-process; returns (exit code, stdout, stderr)."""
    from briefing.cli import main
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    if cwd:
        os.chdir(cwd)
    try:
        code = main(list(args), stdout=out, stderr=err)
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/project: one valid brief and two sources."""
    dest = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", dest)
    return dest


def shared_dir(tmp_path_factory) -> Path:
    """The folder every xdist worker of this run sees (the parent of the workers' own)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def made_once(shared: Path, name: str, make: Callable[[Path], None]) -> Path:
    """`shared/name`, made by `make(folder)` once per test run: the first worker to ask makes it
    while the others wait on a file lock. A failure is kept, so that the other workers report
    it instead of making the same thing again."""
    out = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        failed = shared / f"{name}.failed"
        if failed.exists():
            pytest.fail(f"making {name} failed in another worker:\n{failed.read_text()}")
        if not (out / ".done").exists():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            try:
                make(out)
            except Exception as exc:
                failed.write_text(f"{type(exc).__name__}: {exc}")
                raise
            (out / ".done").write_text("ok")
    return out


def build_into(out: Path, *args: str, project: Path = ROOT) -> None:
    code, stdout, stderr = run_cli("build", "--project", str(project), "--out", str(out), *args)
    assert code == 0, stdout + stderr


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> Path:
    """build/ of the sample briefs (every language and layout, PDF + DOCX + HTML + JSON), built once per run."""
    return made_once(shared_dir(tmp_path_factory), "samples-build", lambda out: build_into(
        out, "--format", "pdf,docx,html,json", "--layout", "brief,leave-behind"))


# The variants made for a print shop or an archive are checked on every language, each in one
# of the briefs, turn by turn (every brief appears in each variant); the plain brief and the
# leave-behind (`samples`) are checked on every brief in every language.
PRINT_SHOP = {"en": "deca-role", "he": "genocide-recognition", "hy": "arms-export-oversight"}
PDF_A = {"en": "arms-export-oversight", "he": "deca-role", "hy": "genocide-recognition"}


def _each(out: Path, pairs: dict[str, str], *args: str) -> None:
    for lang, brief in pairs.items():   # one document each, rendered in this process
        build_into(out, "--lang", lang, "--brief", brief, "--jobs", "0", *args)


@pytest.fixture(scope="session")
def print_shop(tmp_path_factory) -> Path:
    """NAME.print.pdf (bleed, crop marks) and NAME.booklet.pdf of PRINT_SHOP's briefs, made once per run."""
    return made_once(shared_dir(tmp_path_factory), "print-shop", lambda out: _each(
        out, PRINT_SHOP, "--format", "pdf", "--print", "--booklet"))


@pytest.fixture(scope="session")
def pdf_a(tmp_path_factory) -> Path:
    """--pdf-standard a: PDF_A's briefs and their leave-behinds, made once per run."""
    return made_once(shared_dir(tmp_path_factory), "pdf-a", lambda out: _each(
        out, PDF_A, "--format", "pdf", "--layout", "brief,leave-behind", "--pdf-standard", "a"))


def need(*programs: str) -> None:
    """Skip (never fail silently) when a client is missing; `make test` installs them all."""
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"missing programs in CI: {', '.join(missing)}")
        pytest.skip(f"needs {', '.join(missing)}")


def pdftotext(pdf: Path, *opts: str) -> str:
    need("pdftotext")
    return subprocess.run(["pdftotext", *opts, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def soffice_convert(docx: Path, outdir: Path, fmt: str = "pdf") -> Path:
    """Convert with LibreOffice headless, in a private profile (safe in parallel); returns
    outdir/NAME.fmt. The sample build's Word files are converted once per run, a language's
    files in one LibreOffice start (starting LibreOffice costs more than converting a file)."""
    need("soffice")
    build = docx.parent.parent
    if build.name == "samples-build" and (build / ".done").is_file():
        lang = docx.parent.name
        done = made_once(build.parent, f"samples-libreoffice-{fmt}-{lang}",
                         lambda out: _soffice(sorted(docx.parent.glob("*.docx")), out, fmt))
        shutil.copy(done / f"{docx.stem}.{fmt}", outdir / f"{docx.stem}.{fmt}")
    else:
        _soffice([docx], outdir, fmt)
    converted = outdir / f"{docx.stem}.{fmt}"
    assert converted.is_file(), f"LibreOffice did not convert {docx}"
    return converted


def _soffice(files: list[Path], outdir: Path, fmt: str) -> None:
    profile = outdir / "lo-profile"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", fmt,
                    "--outdir", str(outdir), *map(str, files)], capture_output=True, text=True, check=True,
                   timeout=120 + 60 * len(files))
    for docx in files:
        assert (outdir / f"{docx.stem}.{fmt}").is_file(), f"LibreOffice did not convert {docx}"


def soffice_pdf(docx: Path, outdir: Path) -> Path:
    return soffice_convert(docx, outdir, "pdf")


def pandoc_text(docx: Path, fmt: str = "plain") -> str:
    need("pandoc")
    return subprocess.run(["pandoc", "-f", "docx", "-t", fmt, "--wrap=none", str(docx)], capture_output=True,
                          text=True, check=True).stdout

