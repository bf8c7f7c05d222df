"""The build engine: workers, incremental builds, atomic writes under SIGKILL,
reproducible bytes, manifest, progress lines, failures that stop nothing else, watch.

The engine is the point here, not the samples' content: the tests build a small project
(tests/fixtures/golden-project: one brief in English, Hebrew and Armenian, with its
catalogs), except reproducibility, which compares a build of every sample with the run's
shared sample build (conftest's `samples`)."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import FIXTURES, ROOT, run_cli


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the golden project: the brief `good` in en, he and hy."""
    dest = tmp_path / "p"
    shutil.copytree(FIXTURES / "golden-project", dest, ignore=shutil.ignore_patterns("*.pot"))
    return dest


def build(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`briefing build` as its own process (with its worker pool)."""
    return subprocess.run([sys.executable, "-m", "briefing", "build", "--project", str(project), *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600)


def build_here(project: Path, *args: str) -> subprocess.CompletedProcess:
    """`briefing build` in this process (--jobs 0), where the processes are not the point."""
    args = ("build", "--project", str(project), "--jobs", "0", *args)
    return subprocess.CompletedProcess(args, *run_cli(*args))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outputs(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): digest(p) for p in sorted(out.rglob("*"))
            if p.suffix in (".pdf", ".docx") and not p.name.startswith(".briefing-tmp-")}


def test_workers_start_once_and_render_many(project, tmp_path):
    trace = tmp_path / "trace"
    r = build(project, "--brief", "good", "--jobs", "2", "--out", str(tmp_path / "o"),
              env={"BRIEFING_TRACE_WORKERS": str(trace)})
    assert r.returncode == 0, r.stderr
    events = [line.split() for line in trace.read_text().splitlines()]
    inits = [pid for kind, pid in events if kind == "init"]
    jobs = [pid for kind, pid in events if kind == "job"]
    # one job per document (brief x language), which writes its PDF and its Word file
    assert len(jobs) == 3 and len(inits) == len(set(inits)) <= 2
    assert set(jobs) <= set(inits), "every job ran in a warmed-up worker"


@pytest.mark.slow
def test_incremental_force_and_disposable_cache(project, tmp_path):
    out = tmp_path / "o"
    first = build_here(project, "--brief", "good", "--out", str(out))
    assert first.returncode == 0 and first.stdout.count("built ") >= 6
    before = outputs(out)
    again = build_here(project, "--brief", "good", "--out", str(out))
    assert "0 built, 6 up to date" in again.stdout
    # one catalog changes: only that language is rebuilt
    po = project / "locales" / "hy" / "LC_MESSAGES" / "template.po"
    text = po.read_text(encoding="utf-8")
    assert "Էջ {page}" in text
    po.write_text(text.replace("Էջ {page}", "էջ {page}", 1), encoding="utf-8")
    r = build_here(project, "--brief", "good", "--out", str(out))
    assert "2 built, 4 up to date" in r.stdout
    assert all(" hy/" in line or "/hy/" in line for line in r.stdout.splitlines() if line.startswith("built "))
    # --force rebuilds all; the bytes are the same for unchanged inputs
    r = build_here(project, "--brief", "good", "--out", str(out), "--force")
    assert "6 built, 0 up to date" in r.stdout
    after = outputs(out)
    assert {k: v for k, v in after.items() if not k.startswith("hy/")} == \
        {k: v for k, v in before.items() if not k.startswith("hy/")}
    # a corrupt or foreign cache is a miss, never an error
    for junk in ("{not json", json.dumps({"version": 99, "entries": []}), json.dumps([1, 2])):
        (out / ".briefing-cache.json").write_text(junk)
        r = build_here(project, "--brief", "good", "--out", str(out))
        assert r.returncode == 0 and "6 built" in r.stdout, r.stdout + r.stderr
    # an output edited by hand is rebuilt
    (out / "en" / "good.pdf").write_bytes(b"%PDF-1.7 broken")
    r = build_here(project, "--brief", "good", "--out", str(out))
    assert "1 built, 5 up to date" in r.stdout


@pytest.mark.slow
def test_sigkill_mid_write_leaves_previous_outputs_intact(project, tmp_path):
    out = tmp_path / "o"
    assert build_here(project, "--brief", "good", "--out", str(out)).returncode == 0
    before = outputs(out)
    brief = project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("Members of the test committee", "Members of the whole test committee"))
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "build", "--project", str(project), "--brief",
                             "good", "--out", str(out), "--jobs", "2"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "BRIEFING_TEST_WRITE_DELAY": "30"})
    deadline = time.time() + 120
    while not list(out.rglob(".briefing-tmp-*")) and time.time() < deadline:
        time.sleep(0.05)
    assert list(out.rglob(".briefing-tmp-*")), "a temp file was being written"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert outputs(out) == before, "every previous output is untouched"
    for name in before:  # and every one still opens
        if name.endswith(".pdf"):
            assert len(PdfReader(out / name).pages) >= 1
        else:
            assert zipfile.ZipFile(out / name).testzip() is None
    r = build_here(project, "--brief", "good", "--out", str(out))
    assert r.returncode == 0 and not list(out.rglob(".briefing-tmp-*"))


@pytest.mark.slow
def test_reproducible_across_days_and_orders(samples, tmp_path):
    """The samples, built again three days later, by one worker, in another order, are the
    same bytes as the run's shared sample build (conftest's `samples`: a worker per core,
    every layout and format)."""
    code = ("import time, sys; real = time.time; time.time = lambda: real() + 3 * 86400; "
            "from briefing.cli import main; sys.exit(main(sys.argv[1:]))")
    b = subprocess.run([sys.executable, "-c", code, "build", "--project", str(ROOT), "--out",
                        str(tmp_path / "b"), "--jobs", "1", "--brief", "genocide-recognition", "--brief", "deca-role",
                        "--brief", "arms-export-oversight"], capture_output=True, text=True, timeout=600)
    assert b.returncode == 0, b.stderr
    again = outputs(tmp_path / "b")
    assert len(again) == 18
    assert again == {name: digest for name, digest in outputs(samples).items() if name in again}


def test_source_date_epoch_sets_every_timestamp(project, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    r = build_here(project, "--brief", "good", "--lang", "en", "--out", str(tmp_path / "o"))
    assert r.returncode == 0
    info = PdfReader(tmp_path / "o" / "en" / "good.pdf").metadata
    assert info["/CreationDate"].startswith("D:20231114")
    with zipfile.ZipFile(tmp_path / "o" / "en" / "good.docx") as z:
        assert {i.date_time[:3] for i in z.infolist()} == {(2023, 11, 14)}
        assert "2023-11-14T22:13:20Z" in z.read("docProps/core.xml").decode()


def test_manifest_lists_inputs_and_completeness(project, tmp_path):
    out = tmp_path / "o"
    assert build_here(project, "--brief", "good", "--out", str(out)).returncode == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["version"] and manifest["options"]["paper"] is None
    entry = next(o for o in manifest["outputs"] if o["path"] == "he/good.pdf")
    assert entry["sha256"] == digest(out / "he" / "good.pdf")
    assert {"briefs/good.yaml", "locales/he/LC_MESSAGES/good.po", "sources/sources.yaml",
            "template:style.css", "settings"} <= set(entry["inputs"])
    assert any(k.startswith("font:NotoSerifHebrew") for k in entry["inputs"])
    assert entry["translation"]["brief"]["untranslated"] == 0


def test_log_lines_summary_and_one_failure_stops_nothing(project, tmp_path):
    good = project / "briefs" / "good.yaml"
    for name in ("second", "bad"):
        (project / "briefs" / f"{name}.yaml").write_text(good.read_text().replace("id: good", f"id: {name}"))
    bad = project / "briefs" / "bad.yaml"
    bad.write_text(bad.read_text().replace("title: A good brief", "title: ✈ A good brief"))
    r = build(project, "--lang", "en", "--format", "pdf", "--out", str(tmp_path / "o"))
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert sum(line.startswith("built ") for line in lines) == 2
    assert any(line.startswith("failed ") and "bad.pdf" in line for line in lines)
    assert "Build summary" in r.stdout and "Failures" in r.stdout and "U+2708 AIRPLANE" in r.stdout
    assert "Traceback" not in r.stderr + r.stdout
    assert (tmp_path / "o" / "en" / "second.pdf").is_file()


@pytest.mark.slow
def test_time_limit_stops_a_pathological_brief(project, tmp_path):
    brief = project / "briefs" / "huge.yaml"
    text = (project / "briefs" / "good.yaml").read_text().replace("id: good", "id: huge")
    items = "".join("          - Evidence item [@hrw-2020].\n" for _ in range(5000))  # > 35 s of CPU to render
    text = text.replace("        evidence:\n", "        evidence:\n" + items, 1)
    brief.write_text(text.replace("languages: [en, he, hy]", "languages: [en]"))
    assert "Evidence item" in brief.read_text()
    r = build(project, "--lang", "en", "--format", "pdf", "--out", str(tmp_path / "o"), "--timeout", "15",
              "--brief", "huge", "--brief", "good")
    assert r.returncode == 1
    assert "rendering took longer than 15 seconds and was stopped" in r.stdout + r.stderr
    assert (tmp_path / "o" / "en" / "good.pdf").is_file()


def test_watch_rebuilds_on_change(project, tmp_path):
    out = tmp_path / "o"
    import queue
    import threading
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # lines must come unbuffered anyway
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "watch", "--project", str(project), "--lang", "en",
                             "--format", "html", "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    try:
        seen: list[str] = []
        deadline = time.time() + 120

        def wait_for(text):
            while time.time() < deadline:
                try:
                    line = lines.get(timeout=1)
                except queue.Empty:
                    continue
                seen.append(line)
                if text in line:
                    return
            raise AssertionError("".join(seen))
        wait_for("watching")
        brief = project / "briefs" / "good.yaml"
        brief.write_text(brief.read_text().replace("Members of the test committee", "Members of the audit committee"))
        wait_for("changed: briefs/good.yaml")
        wait_for("1 built")
        assert "Members of the audit committee" in (out / "en" / "good.html").read_text()
        brief.write_text(brief.read_text().replace("title:", "titel:"))  # an error does not stop watching
        wait_for("unknown field 'titel'")
        brief.write_text(brief.read_text().replace("titel:", "title:"))
        wait_for("changed: briefs/good.yaml")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_memory_limit_ends_in_a_clear_failure(project, tmp_path):
    """A worker that runs out of memory fails its document with a message, not a traceback."""
    from briefing.build import BuildOptions
    from briefing.build import build as run_build
    from briefing.project import Project
    result = run_build(Project.open(project), BuildOptions(briefs=["good"], languages=["en"], formats=["pdf"],
                                                          out=str(tmp_path / "o"), jobs=1, memory_mb=60))
    assert result.failed
    messages = " ".join(p.message for r in result.failed for p in r.problems)
    assert "out of memory" in messages or "renderer process died" in messages
