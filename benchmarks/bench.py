"""Benchmarks: ratios measured in one run, against baselines measured in the same run.

    make bench            (or: .venv/bin/python benchmarks/bench.py [--quick])

Not a test: nothing here asserts on time. Each line prints the two timings, their ratio
and the target from issue 6. Timings are medians of repeated runs where a run is short.
"""
from __future__ import annotations

import argparse
import os
import resource
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
from briefing.pipeline import compose, load_project, write_output  # noqa: E402
from briefing.project import Project  # noqa: E402
from briefing.render import pdf as pdfmod  # noqa: E402
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


def line(name: str, ours: float, base: float, target: str, unit: str = "s") -> None:
    ratio = ours / base if base else float("nan")
    print(f"{name:<34} {ours:8.3f} {unit} / {base:8.3f} {unit} = {ratio:5.2f}   (target {target})", flush=True)


def copy_project(dest: Path) -> Project:
    for name in ("briefs", "sources", "locales", "templates"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    return Project.open(dest)


# 1 --------------------------------------------------------------------------------------
def overhead(repeat: int) -> None:
    project = Project.open(ROOT)
    out = Path(tempfile.mkdtemp())
    tset = find_template(project, None)

    def ours():
        loaded = load_project(project, [SAMPLE])
        composed = compose(loaded, SAMPLE, "en")
        write_output(composed, loaded, "pdf", out / "ours.pdf")

    loaded = load_project(project, [SAMPLE])
    html = render_html(compose(loaded, SAMPLE, "en").document, project, tset)

    def weasy_alone():
        import weasyprint
        weasyprint.HTML(string=html.html, base_url=html.base.as_uri() + "/").write_pdf(str(out / "alone.pdf"))

    ours(), weasy_alone()  # warm up: imports and fonts
    line("1. PDF: ours / WeasyPrint alone", median_time(ours, repeat), median_time(weasy_alone, repeat), "<= 1.10")


# 2 --------------------------------------------------------------------------------------
def docx_vs_pandoc(repeat: int) -> None:
    project = Project.open(ROOT)
    out = Path(tempfile.mkdtemp())
    loaded = load_project(project, [SAMPLE])

    def ours():
        write_output(compose(loaded, SAMPLE, "en"), loaded, "docx", out / "ours.docx")

    if not shutil.which("pandoc"):
        print("2. DOCX: skipped (pandoc is not installed; `make test` installs it)")
        return
    ours()
    markdown = out / "brief.md"  # the same content as Markdown, with its footnotes
    subprocess.run(["pandoc", "-f", "docx", "-t", "markdown", "-o", str(markdown), str(out / "ours.docx")],
                   check=True)

    def pandoc():
        subprocess.run(["pandoc", "-f", "markdown", "-t", "docx", "-o", str(out / "pandoc.docx"), str(markdown)],
                       check=True)

    line("2. DOCX: ours / pandoc (process)", median_time(ours, repeat), median_time(pandoc, repeat), "<= 1.0")


# 3, 4 -----------------------------------------------------------------------------------
def parallel_and_noop() -> None:
    work = Path(tempfile.mkdtemp())
    project = copy_project(work / "p")
    layouts = ["brief", "leave-behind"]

    def full(jobs: int, out: str) -> float:
        start = time.perf_counter()
        result = build(project, BuildOptions(jobs=jobs, out=str(work / out), layouts=layouts, force=True))
        assert not result.failed, [p.format() for r in result.failed for p in r.problems]
        return time.perf_counter() - start

    one = full(1, "one")
    two = full(2, "two")
    n = 3 * 3 * 2 * len(layouts)
    line(f"3. matrix ({n} outputs): -j2 / -j1", two, one, "<= 0.6 on 2 cores")
    start = time.perf_counter()
    result = build(project, BuildOptions(jobs=2, out=str(work / "two"), layouts=layouts))
    noop = time.perf_counter() - start
    assert result.count("up to date") == n
    line("4. no-op rebuild / full build", noop, two, "<= 0.05")


# 5 --------------------------------------------------------------------------------------
def generated_brief(pages_hint: int) -> dict:
    data = yaml.safe_load((ROOT / "briefs" / SAMPLE).with_suffix(".yaml").read_text())
    sections = []
    for i in range(max(1, pages_hint)):
        sections.append({"id": f"s{i}", "heading": f"Section about part {chr(65 + i % 26)} of the question",
                         "arguments": [{"claim": "Israeli arms gave Azerbaijan a decisive edge in the war.",
                                        "evidence": ["SIPRI data show that Israel supplied "
                                                     "{az_arms_share_2016_2020} of Azerbaijan's major arms "
                                                     "imports [@sipri-atdb]."] * 4,
                                        "objection": "Azerbaijan is a strategic partner of Israel.",
                                        "response": "A law can weigh such interests openly [@blankspot-2023]."}] * 3})
    data["sections"] = sections
    data.pop("quotes", None)
    data["languages"] = ["en"]
    return data


def scale(repeat: int) -> None:
    from pypdf import PdfReader
    work = Path(tempfile.mkdtemp())
    project = copy_project(work / "p")
    for name, hint in (("small", 2), ("large", 48)):
        data = generated_brief(hint)
        data["id"] = name
        (project.briefs_dir / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    loaded = load_project(project, ["small", "large"])
    per_page = {}
    for name in ("small", "large"):
        target = work / f"{name}.pdf"

        def run(name=name, target=target):
            write_output(compose(loaded, name, "en"), loaded, "pdf", target)
        run()
        seconds = median_time(run, repeat if name == "small" else 1)
        pages = len(PdfReader(target).pages)
        per_page[name] = (seconds / pages, pages)
    (small, sp), (large, lp) = per_page["small"], per_page["large"]
    line(f"5. time/page: {lp}-page / {sp}-page", large, small, "within 1.2")


def peak_worker_memory() -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    work = Path(tempfile.mkdtemp())
    project = copy_project(work / "p")
    data = generated_brief(100)
    data["id"] = "huge"
    (project.briefs_dir / "huge.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    result = build(project, BuildOptions(briefs=["huge"], jobs=1, out=str(work / "o"), formats=["pdf"],
                                         timeout=600))
    assert not result.failed
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{'5. peak memory of a worker (~200 p.)':<34} {peak:8.0f} MB{'':>17}(target < 400 MB; "
          f"before: {before / 1024:.0f} MB)", flush=True)


# 6 --------------------------------------------------------------------------------------
def batch(count: int) -> None:
    work = Path(tempfile.mkdtemp())
    project = copy_project(work / "p")
    samples = ["arms-export-oversight", "deca-role", "genocide-recognition"]
    for i in range(count):
        source = samples[i % 3]
        new = f"gen-{i:03d}"
        text = (project.briefs_dir / f"{source}.yaml").read_text().replace(f"id: {source}", f"id: {new}")
        (project.briefs_dir / f"{new}.yaml").write_text(text)
        for lang in ("he", "hy"):
            shutil.copy(project.catalog_path(lang, source), project.catalog_path(lang, new))
    for source in samples:
        (project.briefs_dir / f"{source}.yaml").unlink()
    docs = count * 3
    rates = {}
    for jobs in (1, 2):
        start = time.perf_counter()
        result = build(project, BuildOptions(jobs=jobs, out=str(work / f"o{jobs}"), formats=["pdf"], force=True))
        assert not result.failed
        rates[jobs] = docs / (time.perf_counter() - start)
    print(f"{f'6. batch {count} briefs x 3 languages':<34} {rates[1]:8.2f} PDF/s with 1 worker, "
          f"{rates[2]:.2f} PDF/s with 2 (x{rates[2] / rates[1]:.2f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and a smaller batch")
    args = parser.parse_args()
    repeat = 3 if args.quick else 5
    print(f"briefing benchmarks on {os.cpu_count()} cores (ours / baseline = ratio)", flush=True)
    start = time.perf_counter()
    overhead(repeat)
    docx_vs_pandoc(repeat)
    parallel_and_noop()
    scale(repeat)
    peak_worker_memory()
    batch(20 if args.quick else 100)
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
