"""Benchmark: a brief for every recipient, on one machine and projected on N machines.

    .venv/bin/python benchmarks/recipients.py [--count 700] [--brief deca-role] [--shards 4]

Generates a recipients file of COUNT people (languages en, he, hy in turn; some with a
committee, a role and a personal ask) for one sample brief, then builds their PDFs:

1. with 1 worker, then with 2 workers: documents per second, and the peak resident memory
   of the workers (the largest `ru_maxrss` a worker reported after a document);
2. part 1 of N (`--shard 1/N`) with 2 workers: the time one of N machines takes (parts
   differ by one document at most, so the slowest machine takes about that long). The two
   2-worker runs give a fixed cost per machine and a time per document; from them, the
   projected wall time of the batch (and of 700 documents) on 1, 2, 4, 8 and 16 machines of
   2 cores each.

Not a test: nothing asserts on time. Timings depend on the machine's load; say how loaded
it was when quoting them.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from briefing.build import BuildOptions, Reporter, build  # noqa: E402
from briefing.project import Project  # noqa: E402

FIRST = {"en": ["Jane", "Robert", "Maria", "David", "Sarah"], "he": ["דנה", "יוסי", "מיכל", "אבי", "נועה"],
         "hy": ["Արամ", "Անի", "Տիգրան", "Նարե", "Դավիթ"]}
LAST = {"en": ["Smith", "Johnson", "Lee", "Brown", "Garcia"], "he": ["כהן", "לוי", "מזרחי", "פרץ", "ביטון"],
        "hy": ["Պետրոսյան", "Հակոբյան", "Սարգսյան", "Գրիգորյան", "Ավետիսյան"]}
ROLE = {"en": "Member of Parliament", "he": "חברת הכנסת", "hy": "Ազգային ժողովի պատգամավոր"}
ASK = {"en": "Please raise the licensing criteria at the next committee session.",
       "he": "נבקש להעלות את אמות המידה לרישוי בישיבת הוועדה הבאה.",
       "hy": "Խնդրում ենք բարձրացնել լիցենզավորման չափանիշների հարցը հանձնաժողովի հաջորդ նիստում։"}


def recipients(path: Path, count: int, brief: str) -> None:
    langs = ("en", "he", "hy")
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "title", "organization", "committee", "language", "brief", "ask"])
        for i in range(count):
            lang = langs[i % 3]
            name = f"{FIRST[lang][i % 5]} {LAST[lang][(i // 5) % 5]} {i:03d}"
            out.writerow([name, ROLE[lang], "Parliament", "Foreign Affairs" if i % 2 else "", lang, brief,
                          ASK[lang] if i % 4 == 0 else ""])


class Peaks(Reporter):
    def __init__(self):
        self.results = []

    def done(self, result) -> None:
        self.results.append(result)


def run(project: Project, people: Path, out: Path, jobs: int, shard=None) -> tuple[float, int, float]:
    """(seconds, documents built, peak worker memory in MB)."""
    reporter = Peaks()
    start = time.perf_counter()
    result = build(project, BuildOptions(formats=["pdf"], out=str(out), jobs=jobs, recipients=str(people),
                                         shard=shard, force=True), reporter)
    seconds = time.perf_counter() - start
    failed = [r for r in result.results if r.status != "built"]
    if failed:
        raise SystemExit(f"{len(failed)} document(s) failed: {failed[0].problems}")
    return seconds, len(result.results), max((r.peak_mb for r in reporter.results), default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=700, help="recipients (default 700)")
    parser.add_argument("--brief", default="deca-role")
    parser.add_argument("--shards", type=int, default=4, help="N of the --shard 1/N run (default 4)")
    args = parser.parse_args()
    begin = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as tmp:
        base = Path(tmp)
        for name in ("briefs", "sources", "locales"):
            shutil.copytree(ROOT / name, base / "p" / name, ignore=shutil.ignore_patterns("*.pot"))
        project = Project.open(base / "p")
        people = base / "people.csv"
        recipients(people, args.count, args.brief)
        print(f"{args.count} recipients of '{args.brief}' (en, he, hy in turn), PDF; load average before: "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores", flush=True)
        figures = {}
        for jobs in (1, 2):
            seconds, n, peak = run(project, people, base / f"out{jobs}", jobs)
            figures[jobs] = (seconds, n)
            print(f"{jobs} worker(s): {n} documents in {seconds:7.1f} s = {n / seconds:5.2f} documents/s; "
                  f"peak memory per worker {peak:.0f} MB", flush=True)
        speedup = figures[1][0] / figures[2][0]
        print(f"2 workers / 1 worker: x{speedup:.2f}")
        n_shards = args.shards
        seconds, n, peak = run(project, people, base / "shard", 2, (1, n_shards))
        # two points with 2 workers (the whole batch, and one part): time = fixed + documents x per_document
        total_s, total_n = figures[2]
        per_document = (total_s - seconds) / (total_n - n) if total_n > n else total_s / total_n
        fixed = max(0.0, seconds - n * per_document)
        print(f"part 1/{n_shards} with 2 workers: {n} documents in {seconds:.1f} s (peak {peak:.0f} MB); "
              f"so per machine: {fixed:.1f} s fixed (workers, fonts, project) + {per_document:.2f} s per document")
        print("projected wall time on machines of 2 cores (fixed + documents per machine x time per document):")
        for count in sorted({args.count, 700}):
            label = "measured batch" if count == args.count else "extrapolated"
            row = []
            for machines in (1, 2, 4, 8, 16):
                row.append(f"{machines} -> {fixed + -(-count // machines) * per_document:6.0f} s")
            print(f"  {count} documents ({label}): " + ", ".join(row))
        per_doc = statistics.mean([figures[1][0] / figures[1][1], figures[2][0] / figures[2][1]])
        print(f"(mean time per document over both runs: {per_doc:.2f} s)")
    print(f"total {time.perf_counter() - begin:.0f} s; load average after: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
