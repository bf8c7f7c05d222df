"""Shared fixtures: the repository as a project, and one build of the samples per test run.

The sample build is made once and shared by every xdist worker (a file lock guards it),
so the tests that drive real clients read the same files a user gets from `make briefings`.
"""
from __future__ import annotations

import fcntl
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> Path:
    """build/ of the sample briefs (every language and layout, PDF + DOCX + HTML + JSON), built once per run."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = shared / "samples-build"
    with open(shared / "samples.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / ".done").exists():
            code, stdout, stderr = run_cli("build", "--project", str(ROOT), "--out", str(out),
                                           "--format", "pdf,docx,html,json", "--layout", "brief,leave-behind")
            assert code == 0, stdout + stderr
            (out / ".done").write_text("ok")
    return out


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


def soffice_pdf(docx: Path, outdir: Path) -> Path:
    """Convert with LibreOffice headless, in a private profile (safe in parallel)."""
    need("soffice")
    profile = outdir / "lo-profile"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
                    "--outdir", str(outdir), str(docx)], capture_output=True, text=True, check=True, timeout=180)
    pdf = outdir / (docx.stem + ".pdf")
    assert pdf.is_file(), f"LibreOffice did not convert {docx}"
    return pdf


def pandoc_text(docx: Path, fmt: str = "plain") -> str:
    need("pandoc")
    return subprocess.run(["pandoc", "-f", "docx", "-t", fmt, "--wrap=none", str(docx)], capture_output=True,
                          text=True, check=True).stdout
