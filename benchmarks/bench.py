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
from briefing.pipeline import compose, load_project  # noqa: E402
from briefing.project import Project  # noqa: E402
from briefing.render.html import render_html  # noqa: E402
from briefing.render.templates import find_template  # noqa: E402

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
    spec = JobSpec(str(project.root), project_digest(project), brief, lang, fmt, "brief", str(target),
                   BuildOptions().key(), False, 900, ())

    def run():
        outcome = render_job(spec)
        assert outcome.status == "built", [p.format() for p in outcome.problems]
    return run


def generated_brief(sections: int) -> dict:
    """A brief of `sections` identical sections (about two and a half a page)."""
    data = yaml.safe_load((ROOT / "briefs" / f"{SAMPLE}.yaml").read_text())
    section = {"heading": "Israel became Azerbaijan's leading arms supplier",
               "intro": "Azerbaijan's forces fought with weapons bought largely from Israel [@blankspot-2023].",
               "arguments": [{"claim": "Israeli arms gave Azerbaijan a decisive edge in the war.",
                              "evidence": ["SIPRI data show that Israel supplied a large share of Azerbaijan's "
                                           "major arms imports in the years leading up to the war [@sipri-atdb].",
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
def overhead(repeat: int) -> None:
    project = Project.open(ROOT)
    out = Path(tempfile.mkdtemp())
    ours = engine_job(project, SAMPLE, "en", "pdf", out / "ours.pdf")
    loaded = load_project(project, [SAMPLE])
    html = render_html(compose(loaded, SAMPLE, "en").document, project, find_template(project, None))

    def weasy_alone():
        import weasyprint
        weasyprint.HTML(string=html.html, base_url=html.base.as_uri() + "/").write_pdf(str(out / "alone.pdf"))

    ours(), weasy_alone()  # warm up: imports and fonts, as a build worker does once
    line("1. PDF: ours / WeasyPrint alone", *paired(ours, weasy_alone, repeat), "<= 1.10")


# 2 --------------------------------------------------------------------------------------
def docx_vs_pandoc(repeat: int) -> None:
    project = Project.open(ROOT)
    out = Path(tempfile.mkdtemp())
    ours = engine_job(project, SAMPLE, "en", "docx", out / "ours.docx")
    if not shutil.which("pandoc"):
        print("2. DOCX: skipped (pandoc is not installed; `make test` installs it)")
        return
    ours()
    markdown = out / "brief.md"  # the same content as Markdown, footnotes included
    subprocess.run(["pandoc", "-f", "docx", "-t", "markdown", f"--extract-media={out}", "-o", str(markdown),
                    str(out / "ours.docx")], check=True, cwd=out)

    def pandoc():
        subprocess.run(["pandoc", "-f", "markdown", "-t", "docx", "-o", str(out / "pandoc.docx"), str(markdown)],
                       check=True, cwd=out)

    line("2. DOCX: ours / pandoc (process)", *paired(ours, pandoc, repeat), "<= 1.0")


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
    start = time.perf_counter()
    result = build(project, BuildOptions(jobs=2, out=str(work / "two"), layouts=layouts))
    noop = time.perf_counter() - start
    assert result.count("up to date") == n
    line("4. no-op rebuild / full build", noop, two, "<= 0.05")


# 5 --------------------------------------------------------------------------------------
def scale(repeat: int) -> None:
    """Time per page of a long brief against a short one, and the memory of the worker that
    made the long one (a real build with one worker)."""
    from pypdf import PdfReader
    work = Path(tempfile.mkdtemp())
    project = copy_project(work / "p")
    write_brief(project, "small", generated_brief(12))
    write_brief(project, "large", generated_brief(240))
    small = work / "small.pdf"
    run = engine_job(project, "small", "en", "pdf", small)
    run()
    small_pages = len(PdfReader(small).pages)
    small_per_page = median_time(run, repeat) / small_pages
    result = build(project, BuildOptions(briefs=["large"], jobs=1, out=str(work / "o"), formats=["pdf"],
                                         timeout=900, force=True))
    assert not result.failed
    large = result.results[0]
    large_pages = len(PdfReader(large.job.target).pages)
    line(f"5. time/page: {large_pages} p. / {small_pages} p.", large.seconds / large_pages, small_per_page,
         "within 1.2")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and a smaller batch")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    print(f"briefing benchmarks on {os.cpu_count()} cores (ours / baseline = ratio)", flush=True)
    start = time.perf_counter()
    overhead(repeat)
    docx_vs_pandoc(repeat)
    parallel_and_noop()
    scale(repeat)
    batch(20 if args.quick else 100)
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
