"""Benchmarks: ratios measured in one run, against baselines measured in the same run.

    make bench            (or: .venv/bin/python benchmarks/bench.py [--quick])

Not a test: nothing here asserts on time. Each line prints our timing, the baseline's,
their ratio and the target from issue 6. Short runs are repeated and the median kept.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from briefing.build import BuildOptions, build  # noqa: E402
from briefing.project import Project  # noqa: E402

SAMPLE = "arms-export-oversight"


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired(ours, base, repeat: int) -> tuple[float, float]:
    """Medians of `ours` and `base` run in turns, so that a slower moment of the machine
    weighs on both alike."""
    a, b = [], []
    for _ in range(repeat):
        for fn, times in ((ours, a), (base, b)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def line(name: str, ours: float, base: float, target: str) -> None:
    print(f"{name:<36} {ours:8.3f} s / {base:8.3f} s = {ours / base:5.2f}   (target {target})", flush=True)


def copy_project(dest: Path) -> Project:
    for name in ("briefs", "sources", "locales", "templates"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    return Project.open(dest)


def engine_job(project: Project, brief: str, lang: str, fmt: str, target: Path):
    """One document the way a build worker makes it (project loaded once, fonts warm)."""
    from briefing.cache import project_digest
    from briefing.workers import JobSpec, render_job
    spec = JobSpec(str(project.root), project_digest(project), brief, lang, "brief",
                   ((fmt, "", str(target), ()),), BuildOptions().key(), False, 900)

    def run():
        outcomes = render_job(spec)
        assert all(o.status == "built" for o in outcomes), [p.format() for o in outcomes for p in o.problems]
    return run


def cli(*args: str, cwd: Path | None = None) -> None:
    """`briefing ARGS` as a new process (a cold start: imports, project loading, everything)."""
    subprocess.run([sys.executable, "-m", "briefing", *args], check=True, cwd=cwd, capture_output=True)


def generated_brief(sections: int) -> dict:
    """A brief of `sections` identical sections (about two and a half a page)."""
    data = yaml.safe_load((ROOT / "briefs" / f"{SAMPLE}.yaml").read_text())
    section = {"heading": "Israel became Azerbaijan's leading arms supplier",
               "intro": "Azerbaijan's forces fought with weapons bought largely from Israel [@blankspot-2023].",
               "arguments": [{"claim": "Israeli arms gave Azerbaijan a decisive edge in the war.",
                              "evidence": ["SIPRI data show that Israel supplied a large share of Azerbaijan's "
                                           "major arms imports in the years leading up to the war [@blankspot-2023].",
                                           "Israeli drones are considered to have been a substantial factor in the "
                                           "victory [@blankspot-2023].",
                                           "Deliveries continued in the run-up to renewed fighting, according to "
                                           "flight data [@haaretz-2023-flights]."],
                              "objection": "Azerbaijan is a strategic partner of Israel.",
                              "response": "A law can weigh such interests openly [@blankspot-2023]."}]}
    data["sections"] = [dict(section, id=f"s{i}") for i in range(sections)]
    data.pop("quotes", None)
    data["languages"] = ["en"]
    return data


def write_brief(project: Project, brief_id: str, data: dict) -> None:
    data = dict(data, id=brief_id)
    (project.briefs_dir / f"{brief_id}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


# 1 --------------------------------------------------------------------------------------
def cold_pdf(repeat: int) -> None:
    """One brief to PDF from a cold start (a new process) / `weasyprint` on the HTML we made."""
    out = Path(tempfile.mkdtemp())
    args = ("build", "--project", str(ROOT), "--brief", SAMPLE, "--lang", "en", "--jobs", "0", "--force")
    cli(*args, "--format", "html", "--out", str(out / "h"))
    html = out / "h" / "en" / f"{SAMPLE}.html"
    weasy = shutil.which("weasyprint", path=str(Path(sys.executable).parent)) or "weasyprint"

    def ours():
        cli(*args, "--format", "pdf", "--out", str(out / "p"))

    def weasyprint():
        subprocess.run([weasy, str(html), str(out / "w.pdf")], check=True, capture_output=True,
                       cwd=ROOT / "templates" / "default")
    ours(), weasyprint()
    line("1. PDF, cold: ours / weasyprint CLI", *paired(ours, weasyprint, repeat), "<= 1.10")


# 2 --------------------------------------------------------------------------------------
def cold_docx(repeat: int) -> None:
    """One brief to Word from a cold start / pandoc converting the equivalent Markdown."""
    if not shutil.which("pandoc"):
        print("2. DOCX: skipped (pandoc is not installed; `make test` installs it)")
        return
    out = Path(tempfile.mkdtemp())
    args = ("build", "--project", str(ROOT), "--brief", SAMPLE, "--lang", "en", "--jobs", "0", "--force",
            "--format", "docx")
    cli(*args, "--out", str(out / "first"))   # cold cache: lays the PDF out once for the placement
    markdown = out / "brief.md"  # the same content as Markdown, footnotes included
    subprocess.run(["pandoc", "-f", "docx", "-t", "markdown", f"--extract-media={out}", "-o", str(markdown),
                    str(out / "first" / "en" / f"{SAMPLE}.docx")], check=True, cwd=out)

    def ours():           # a Word-only rebuild: the placement comes from the build cache
        cli(*args, "--out", str(out / "first"))

    def cold_cache():     # a new output folder: the placement is decided again (a PDF layout)
        shutil.rmtree(out / "fresh", ignore_errors=True)
        cli(*args, "--out", str(out / "fresh"))

    def pandoc():
        subprocess.run(["pandoc", "-f", "markdown", "-t", "docx", "-o", str(out / "pandoc.docx"), str(markdown)],
                       check=True, cwd=out)
    line("2. Word, cold process: ours / pandoc", *paired(ours, pandoc, repeat), "<= 1.2")
    line("2. Word, cold process and cache / pandoc", *paired(cold_cache, pandoc, repeat), "reported")


# 2b -------------------------------------------------------------------------------------
def startup(repeat: int) -> None:
    """`briefing --help` and `briefing check` of the samples / a bare `python -c pass`."""
    def bare():
        subprocess.run([sys.executable, "-c", "pass"], check=True)

    def help_():
        cli("--help")

    def check():
        cli("check", "--project", str(ROOT))
    ours, base = paired(help_, bare, repeat)
    print(f"{'2b. briefing --help':<36} {ours:8.3f} s (python -c pass: {base:.3f} s; "
          f"+{ours - base:.3f} s)   (aim: under 0.15 s)", flush=True)
    ours, base = paired(check, bare, repeat)
    print(f"{'2b. briefing check (samples)':<36} {ours:8.3f} s (python -c pass: {base:.3f} s; "
          f"+{ours - base:.3f} s)   (aim: under 0.6 s)", flush=True)


# 3, 4 -----------------------------------------------------------------------------------
def parallel_and_noop() -> None:
    work = Path(tempfile.mkdtemp())
    project = copy_project(work / "p")
    layouts = ["brief", "leave-behind"]
    n = 3 * 3 * 2 * len(layouts)

    def full(jobs: int, out: str) -> float:
        start = time.perf_counter()
        result = build(project, BuildOptions(jobs=jobs, out=str(work / out), layouts=layouts, force=True))
        assert not result.failed, [p.format() for r in result.failed for p in r.problems]
        return time.perf_counter() - start

    one = full(1, "one")
    two = full(2, "two")
    line(f"3. matrix ({n} outputs): -j2 / -j1", two, one, "<= 0.6 on 2 cores")
    def process(out: str, *extra: str) -> float:
        start = time.perf_counter()
        cli("build", "--project", str(project.root), "--jobs", "2", "--out", str(work / out),
            "--layout", ",".join(layouts), *extra)
        return time.perf_counter() - start
    full_process = process("proc", "--force")
    noop = statistics.median(process("proc") for _ in range(3))
    line("4. no-op rebuild / full build (processes)", noop, full_process, "<= 0.03")


# 4b -------------------------------------------------------------------------------------
def watch_edit() -> None:
    """`briefing watch`: edit one sentence; time until the first rebuilt PDF, and what else
    was rebuilt (only the outputs of the edited brief in the edited language)."""
    import select
    work = Path(tempfile.mkdtemp())
    project = copy_project(work / "p")
    out = work / "o"
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "watch", "--project", str(project.root), "--out",
                             str(out), "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def lines_until(pattern: str, limit: float):
            seen, end = [], time.monotonic() + limit
            while time.monotonic() < end:
                ready, _, _ = select.select([proc.stdout], [], [], 1.0)
                if ready:
                    text = proc.stdout.readline()
                    seen.append(text)
                    if pattern in text:
                        return seen
            raise TimeoutError(f"watch did not print {pattern!r}")
        lines_until("watching", 600)
        brief = project.briefs_dir / f"{SAMPLE}.yaml"
        text = brief.read_text(encoding="utf-8")
        start = time.perf_counter()
        brief.write_text(text.replace("title: ", "title: Edited, ", 1), encoding="utf-8")
        seen = lines_until("pdf", 300)
        while not any(t.startswith("built") and ".pdf" in t for t in seen):
            seen += lines_until("pdf", 300)
        first_pdf = time.perf_counter() - start
        seen += lines_until("up to date", 300)
        built = [t for t in seen if t.startswith("built")]
        print(f"{'4b. watch: edit -> first rebuilt PDF':<36} {first_pdf:8.3f} s; rebuilt {len(built)} outputs "
              f"({', '.join(sorted({Path(t.split()[1]).name for t in built}))})", flush=True)
    finally:
        proc.terminate()
        proc.wait(30)


# 5 --------------------------------------------------------------------------------------
def scale(repeat: int) -> None:
    """Time per page of a long brief against a short one, both made the same way (a build
    with one worker, a new output folder: the placement decided, the PDF checked), and the
    memory of the worker that made the long one."""
    from pypdf import PdfReader
    work = Path(tempfile.mkdtemp())
    project = copy_project(work / "p")
    write_brief(project, "small", generated_brief(12))
    write_brief(project, "large", generated_brief(240))

    def made(name: str, out: str):
        result = build(project, BuildOptions(briefs=[name], languages=["en"], jobs=1, out=str(work / out),
                                             formats=["pdf"], timeout=900, force=True))
        assert not result.failed, [p.format() for r in result.failed for p in r.problems][:3]
        job = result.results[0]
        return job.seconds / len(PdfReader(job.job.target).pages), len(PdfReader(job.job.target).pages), job
    small = [made("small", f"s{i}") for i in range(repeat)]
    small_per_page, small_pages = statistics.median(s[0] for s in small), small[0][1]
    large_per_page, large_pages, large = made("large", "l")
    line(f"5. time/page: {large_pages} p. / {small_pages} p.", large_per_page, small_per_page, "within 1.2")
    print(f"{'5. peak memory of that worker':<36} {large.peak_mb:8.0f} MB{'':>20}(target < 400 MB)", flush=True)


# 6 --------------------------------------------------------------------------------------
def batch(count: int) -> None:
    """`count` generated short briefs, each in 3 languages (Hebrew and Armenian layout,
    English text: they have no catalogs)."""
    work = Path(tempfile.mkdtemp())
    project = copy_project(work / "p")
    for path in project.brief_paths():
        path.unlink()
    for i in range(count):
        data = generated_brief(1)  # under a page: a title, two points, two facts, one argument
        data.update(languages=["en", "he", "hy"], summary=data["summary"][:2], key_facts=data["key_facts"][:2])
        data["sections"][0]["arguments"][0]["evidence"] = data["sections"][0]["arguments"][0]["evidence"][:1]
        write_brief(project, f"gen-{i:03d}", data)
    docs = count * 3
    rates = {}
    for jobs in (1, 2):
        start = time.perf_counter()
        result = build(project, BuildOptions(jobs=jobs, out=str(work / f"o{jobs}"), formats=["pdf"], force=True))
        assert not result.failed, [p.format() for r in result.failed for p in r.problems][:3]
        rates[jobs] = docs / (time.perf_counter() - start)
    print(f"{f'6. batch: {count} briefs x 3 languages':<36} {rates[1]:8.2f} PDF/s with 1 worker, "
          f"{rates[2]:.2f} PDF/s with 2 (x{rates[2] / rates[1]:.2f})", flush=True)


def compile_bytecode() -> None:
    """Cold starts are timed as installed: with this package's bytecode compiled, as pip
    compiles WeasyPrint's and every library's (an editable install does not, and with
    PYTHONDONTWRITEBYTECODE set, as on the build machine, every start would compile ours)."""
    import compileall
    compileall.compile_dir(str(ROOT / "src" / "briefing"), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and a smaller batch")
    args = parser.parse_args()
    compile_bytecode()
    repeat = 3 if args.quick else 7
    print(f"briefing benchmarks on {os.cpu_count()} cores (ours / baseline = ratio)", flush=True)
    start = time.perf_counter()
    cold_pdf(repeat)
    cold_docx(repeat)
    startup(repeat)
    parallel_and_noop()
    watch_edit()
    scale(repeat)
    batch(20 if args.quick else 100)
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
