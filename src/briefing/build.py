"""The build: briefs x languages x formats x layouts, in parallel, incremental and atomic.

Reads like a script:

1. sweep temp files a killed build left behind;
2. load and check the whole project once (all problems at once);
3. plan the jobs and hash every input of each output;
4. skip outputs whose inputs did not change (the cache is disposable);
5. render the rest in worker processes (each imports WeasyPrint and loads fonts once,
   and runs under a time and memory limit), writing each file atomically;
6. record the cache and manifest.json.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .atomic import output_lock, sweep_temp_files
from .safefs import check_write_dir
from .cache import Cache, input_digest, project_digest
from .errors import BriefError, Problem
from .manifest import write_manifest
from .model import SUPPORTED_LANGUAGES
from .pipeline import Loaded, load_project
from .project import Project
from .workers import JobSpec, run_jobs

from .writers import FORMATS  # noqa: E402  (pdf, docx, html, json)
DEFAULT_FORMATS = ("pdf", "docx")
from .writers import LAYOUTS  # noqa: E402,F401


@dataclass
class BuildOptions:
    briefs: list[str] | None = None
    languages: list[str] | None = None
    formats: list[str] = field(default_factory=lambda: list(DEFAULT_FORMATS))
    layouts: list[str] = field(default_factory=lambda: ["brief"])
    out: str | None = None
    strict: bool = False
    show_untranslated: bool = False
    paper: str | None = None
    template: str | None = None
    jobs: int | None = None          # None: one worker per core; 0: in this process
    force: bool = False
    timeout: float = 120.0           # seconds per document
    memory_mb: int = 2048            # per worker process
    print_profile: bool = False      # bleed and crop marks
    booklet: bool = False
    pdf_standard: str | None = None  # "ua" or "a"
    recipients: str | None = None    # a recipients file (CSV or YAML): one personalised copy per row
    shard: tuple[int, int] | None = None  # (K, N): build only the K-th of N disjoint parts of the job list

    def key(self) -> dict:
        """The options that change an output's bytes."""
        return {"paper": self.paper, "template": self.template, "show_untranslated": self.show_untranslated,
                "print": self.print_profile, "booklet": self.booklet, "pdf_standard": self.pdf_standard,
                "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH")}


@dataclass(frozen=True)
class Job:
    brief: str
    lang: str
    fmt: str
    layout: str
    target: Path
    variant: str = ""                # "" | "print" (bleed, crop marks) | "booklet" (A5 folded on A4)
    recipient: str = ""              # a personalised copy: the row's hash (recipients.py), never their data


@dataclass
class JobResult:
    job: Job
    status: str                      # built | up to date | failed | bug
    problems: list[Problem] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    seconds: float = 0.0
    peak_mb: float = 0.0
    inputs: tuple = ()               # (digest, {input: hash}) of a copy the cache does not keep


@dataclass
class BuildResult:
    results: list[JobResult]
    problems: list[Problem]
    out_dir: Path

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status in ("failed", "bug")]

    @property
    def bugs(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "bug"]

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def ok(self) -> bool:
        return not self.failed and not any(p.severity == "error" for p in self.problems)


def output_name(brief: str, layout: str, fmt: str, variant: str = "") -> str:
    suffix = "" if layout == "brief" else f".{layout}"
    if variant:
        suffix += f".{variant}"
    return f"{brief}{suffix}.{fmt}"


def plan(loaded: Loaded, options: BuildOptions, out_dir: Path) -> list[Job]:
    jobs = []
    for brief_id, lb in sorted(loaded.briefs.items()):
        langs = [str(lang) for lang in lb.brief.languages]
        if options.languages:
            langs = [lang for lang in options.languages if lang in langs]
        for lang in langs:
            for layout, fmt, variant in document_outputs(options):
                name = output_name(brief_id, layout, fmt, variant)
                jobs.append(Job(brief_id, lang, fmt, layout, out_dir / lang / name, variant))
    return jobs


def document_outputs(options: BuildOptions):
    """(layout, format, variant) of every file a document is written as: print replaces the
    plain PDF (bleed and crop marks); a booklet is one more PDF of a full brief."""
    for layout in options.layouts:
        for fmt in options.formats:
            variants = ["print" if fmt == "pdf" and options.print_profile else ""]
            if fmt == "pdf" and options.booklet and layout == "brief":
                variants.append("booklet")
            for variant in variants:
                yield layout, fmt, variant


class Reporter:
    """What a build tells its user; the CLI gives a terminal or a log version."""

    def start(self, total: int) -> None: ...

    def done(self, result: JobResult) -> None: ...


def build(project: Project, options: BuildOptions, reporter: Reporter | None = None,
          pool=None) -> BuildResult:
    out_dir = project.output_dir(options.out)
    with output_lock(out_dir, project.rel(out_dir)):
        return _build(project, options, reporter, out_dir, pool)


def _build(project: Project, options: BuildOptions, reporter: Reporter | None, out_dir: Path,
           pool=None) -> BuildResult:
    reporter = reporter or Reporter()
    for lang in options.languages or []:
        if lang not in SUPPORTED_LANGUAGES:
            raise BriefError(f"unsupported language '{lang}'", None, f"supported: {', '.join(SUPPORTED_LANGUAGES)}")
    sweep_temp_files(out_dir)
    from .uptodate import forget, snapshot
    forget(out_dir)              # this build may change what the stamp of the last one says
    before = snapshot(project)   # what it reads, before it reads it
    loaded = load_project(project, options.briefs)
    # under --strict a warning is an error, reported once (the blocked briefs carry the same)
    problems = [p.as_error() if options.strict else p for p in loaded.report.problems]
    blocked = _blocked_briefs(loaded, options)
    jobs = plan(loaded, options, out_dir)
    people: dict = {}
    if options.recipients:  # one copy per recipient instead (personal data: never cached)
        from .recipients import recipient_plan
        jobs, people, warnings = recipient_plan(project, loaded, options, out_dir)
        problems += warnings
    for folder in sorted({job.target.parent for job in jobs}):  # build/en must not be a link out
        check_write_dir(out_dir, folder, project.rel(folder))
    cache = Cache.load(out_dir)
    digest = project_digest(project)
    results: list[JobResult] = _unloadable(project, loaded, options)
    if not jobs and not results:
        raise BriefError("nothing to build: no brief declares the languages asked for", None,
                         "add the language to the brief's `languages:`, or drop --lang")
    if options.shard:
        from .shards import shard_jobs
        jobs = shard_jobs(jobs, *options.shard)
    # one document per brief x language x layout: every stale output of it is written from it
    documents: dict[tuple, list] = {}
    placement_keys: dict[tuple, str] = {}
    by_target: dict[str, Job] = {}
    for job in jobs:
        if job.brief in blocked:
            results.append(JobResult(job, "failed", blocked[job.brief]))
            continue
        inputs = input_digest(loaded, job, options, __version__)
        if not options.force and not job.recipient and cache.fresh(job.target, inputs):
            results.append(JobResult(job, "up to date", cache.problems(job.target), cache.stats(job.target)))
            continue
        documents.setdefault((job.brief, job.lang, job.layout, job.recipient), []).append(
            (job.fmt, job.variant, str(job.target), inputs))
        placement_keys[(job.brief, job.lang, job.layout)] = placement_key(loaded, job, options)
        by_target[str(job.target)] = job
    specs = [JobSpec(str(project.root), digest, brief, lang, layout, tuple(outputs), options.key(), options.strict,
                     options.timeout, str(out_dir / "bug-reports"),
                     cache.placements.get(placement_keys[(brief, lang, layout)]),
                     people.get(recipient))
             for (brief, lang, layout, recipient), outputs in documents.items()]
    if options.jobs == 0:  # rendered here: the project just loaded serves the jobs
        from .workers import lend_loaded
        lend_loaded(str(project.root), digest, loaded)
    reporter.start(len(jobs))
    for result in results:
        reporter.done(result)
    try:
        for outcome in run_jobs(specs, options.jobs, options.memory_mb, pool):
            job = by_target[outcome.target]
            result = JobResult(job, outcome.status, outcome.problems, outcome.stats, outcome.seconds,
                               outcome.peak_mb, outcome.inputs if job.recipient else ())
            results.append(result)
            if result.status == "built":
                if not job.recipient:  # a recipient's copy is personal data: never in the cache
                    cache.record(job.target, outcome.inputs, result.problems, result.stats)
                if outcome.placement is not None:
                    cache.placements[placement_keys[(job.brief, job.lang, job.layout)]] = outcome.placement
            elif not job.recipient:
                cache.forget(job.target)
            reporter.done(result)
    finally:
        cache.save()  # also on Ctrl-C: what finished is not made again
    order = {job: i for i, job in enumerate(jobs)}
    results.sort(key=lambda r: order.get(r.job, -1))
    write_manifest(out_dir, results, cache, options, __version__, project)
    from .uptodate import record  # lets the next build with nothing to do answer at once
    record(project, loaded, options, out_dir, results, problems, before)
    return BuildResult(results, problems, out_dir)


def placement_key(loaded: Loaded, job: Job, options: BuildOptions) -> str:
    """What a document's layout-dependent choice depends on: the inputs of its plain PDF."""
    from dataclasses import replace
    return input_digest(loaded, replace(job, fmt="pdf", variant=""), options, __version__)[0]


def _unloadable(project: Project, loaded: Loaded, options: BuildOptions) -> list[JobResult]:
    """A brief with input errors makes no output: it counts as one failure, with its errors."""
    results = []
    wanted = options.briefs or [p.stem for p in project.brief_paths()]
    for path in project.brief_paths():
        if path.stem in wanted and path.stem not in loaded.briefs:
            shown = project.rel(path)
            mine = [p for p in loaded.report.problems if p.location and p.location.path == shown
                    and p.severity == "error"]
            results.append(JobResult(Job(path.stem, "", "", "brief", path), "failed", mine))
    return results


def _blocked_briefs(loaded: Loaded, options: BuildOptions) -> dict[str, list[Problem]]:
    """With --strict, a brief whose checks gave warnings is not built."""
    if not options.strict:
        return {}
    blocked: dict[str, list[Problem]] = {}
    warnings = [p for p in loaded.report.problems if p.severity == "warning"]
    for brief_id, lb in loaded.briefs.items():
        mine = [p.as_error() for p in warnings if p.location is None or p.location.path in (
            lb.shown, "briefs/_shared.yaml") or p.location.path.startswith("sources/")]
        if mine:
            blocked[brief_id] = mine
    return blocked
