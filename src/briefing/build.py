"""The build: briefs x languages x formats x layouts, each output written atomically."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import BriefError, Problem, Report
from .model import SUPPORTED_LANGUAGES
from .pipeline import Loaded, compose, fallback_warning, load_project, missing_catalog_problems, write_output
from .project import Project

FORMATS = ("pdf", "docx", "html")
DEFAULT_FORMATS = ("pdf", "docx")
LAYOUTS = ("brief", "leave-behind")


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


@dataclass(frozen=True)
class Job:
    brief: str
    lang: str
    fmt: str
    layout: str
    target: Path


@dataclass
class JobResult:
    job: Job
    status: str                      # built | failed
    problems: list[Problem] = field(default_factory=list)


@dataclass
class BuildResult:
    results: list[JobResult]
    report: Report

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.report.errors


def output_name(brief: str, layout: str, fmt: str) -> str:
    suffix = "" if layout == "brief" else f".{layout}"
    return f"{brief}{suffix}.{fmt}"


def plan(loaded: Loaded, options: BuildOptions, out_dir: Path) -> list[Job]:
    jobs = []
    for brief_id, lb in sorted(loaded.briefs.items()):
        langs = [str(lang) for lang in lb.brief.languages]
        if options.languages:
            langs = [lang for lang in options.languages if lang in langs]
        for lang in langs:
            for layout in options.layouts:
                for fmt in options.formats:
                    jobs.append(Job(brief_id, lang, fmt, layout, out_dir / lang / output_name(brief_id, layout, fmt)))
    return jobs


def build(project: Project, options: BuildOptions, on_result=None) -> BuildResult:
    """Build every job; one failing document does not stop the others."""
    for lang in options.languages or []:
        if lang not in SUPPORTED_LANGUAGES:
            raise BriefError(f"unsupported language '{lang}'", None,
                             f"supported: {', '.join(SUPPORTED_LANGUAGES)}")
    loaded = load_project(project, options.briefs)
    report = loaded.report
    out_dir = project.output_dir(options.out)
    jobs = plan(loaded, options, out_dir)
    results: list[JobResult] = []
    warned: set = set()
    for job in jobs:
        result = run_job(loaded, job, options, warned, report)
        results.append(result)
        if on_result:
            on_result(result)
    return BuildResult(results, report)


def run_job(loaded: Loaded, job: Job, options: BuildOptions, warned: set, report: Report) -> JobResult:
    try:
        composed = compose(loaded, job.brief, job.lang, paper=options.paper, layout=job.layout,
                           show_untranslated=options.show_untranslated)
        problems: list[Problem] = []
        key = (job.brief, job.lang)
        if key not in warned:
            warned.add(key)
            problems += missing_catalog_problems(loaded, job.brief, job.lang) if job.lang != "en" else []
            problems += composed.problems
            for stats, domain in ((composed.brief_stats, job.brief), (composed.words_stats, "template")):
                w = fallback_warning(job.brief if domain != "template" else "template words", job.lang, stats,
                                     loaded.project.rel(loaded.project.catalog_path(job.lang, domain)))
                if w:
                    problems.append(w)
            report.extend(problems)
        if options.strict and any(p.severity == "warning" for p in report.problems):
            raise BriefError([p.as_error() for p in problems] or
                             [Problem("warnings are errors with --strict", None)])
        def recompose(**kw):
            return compose(loaded, job.brief, job.lang, paper=options.paper, layout=job.layout,
                           show_untranslated=options.show_untranslated, **kw)
        write_output(composed, loaded, job.fmt, job.target, recompose=recompose)
        return JobResult(job, "built", problems)
    except BriefError as exc:
        return JobResult(job, "failed", exc.problems)
