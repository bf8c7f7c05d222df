"""A Session: one open project, loaded once and reloaded only when its files change.

It is the public way in, for the CLI's `watch`, the benchmarks, the tests and tools:

    import briefing
    session = briefing.open_project("path/to/project")
    doc = session.compose("deca-role", "he")          # the composed Document (placement decided)
    pdf = session.write(doc, "pdf")                   # bytes; also "docx", "html", "json"
    result = session.build(briefing.BuildOptions(languages=["he"]))

`clock` is the only time a session reads (for `watch` and the tests); outputs carry the
brief's date or SOURCE_DATE_EPOCH, never the clock.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from .build import BuildOptions, BuildResult, Reporter, build
from .cache import project_digest
from .document import Document
from .errors import BriefError, Report
from .pipeline import Composed, Loaded, all_problems, compose, composition_problems, load_project
from .project import Project


class Session:
    def __init__(self, root: Path | str = ".", *, clock: Callable[[], float] = time.monotonic):
        self.project = Project.open(root)
        self.clock = clock
        self._loaded: Loaded | None = None
        self._digest: str | None = None
        self._pool = None
        self._layouts: dict = {}

    # --- the loaded project, cached ---------------------------------------------------------
    @property
    def loaded(self) -> Loaded:
        """The project's briefs, sources and catalogs, checked once; reloaded when a file
        under briefs/, sources/, locales/, templates/, assets/ or briefing.toml changes."""
        digest = project_digest(self.project)
        if self._loaded is None or digest != self._digest:
            self.project = Project.open(self.project.root)
            self._loaded, self._digest = load_project(self.project), digest
        return self._loaded

    def check(self) -> Report:
        """Every problem of the project, as `briefing check` reports them."""
        report = Report()
        report.extend(all_problems(self.loaded))
        return report

    # --- one document ---------------------------------------------------------------------------
    def composed(self, brief: str, lang: str = "en", *, layout: str = "brief", paper: str | None = None,
                 show_untranslated: bool = False, facts_after: int = 0, template: str | None = None,
                 annotate: bool = False) -> Composed:
        """The composition with its translation statistics, without the placement decision
        (`annotate`: every brief text carries its msgctxt, for the preview server)."""
        loaded = self.loaded
        if brief not in loaded.briefs:
            raise BriefError(loaded.report.problems or [f"no usable brief '{brief}'"])
        return compose(loaded, brief, lang, paper=paper, layout=layout, show_untranslated=show_untranslated,
                       facts_after=facts_after, template=template, annotate=annotate)

    def compose(self, brief: str, lang: str = "en", *, layout: str = "brief", paper: str | None = None,
                show_untranslated: bool = False, template: str | None = None) -> Document:
        """The Document every writer reads, with its layout-dependent choice made."""
        from .render.pdf import decide_placement
        first = self.composed(brief, lang, layout=layout, paper=paper, show_untranslated=show_untranslated,
                              template=template)
        problems = composition_problems(self.loaded, brief, lang, first)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise BriefError(errors)
        options = self.write_options(brief, template)
        document = decide_placement(lambda n: first.document if n == 0 else self.composed(
            brief, lang, layout=layout, paper=paper, show_untranslated=show_untranslated, facts_after=n,
            template=template).document, options)
        while len(self._layouts) > 8:   # pages laid out for the decision, kept for a PDF of the same document
            self._layouts.pop(next(iter(self._layouts)))
        return document

    def write_options(self, brief: str, template: str | None = None, **changes):
        from .render.templates import find_template
        from .writers import WriteOptions
        lb = self.loaded.briefs[brief]
        return WriteOptions(self.project, find_template(self.project, template or lb.brief.template),
                            layouts=self._layouts, **changes)

    def write(self, document: Document, fmt: str, *, template: str | None = None, variant: str = "",
              pdf_standard: str | None = None) -> bytes:
        """One format of a composed document, as bytes (nothing is written to disk)."""
        from .writers import write
        options = self.write_options(document.brief_id, template, variant=variant, pdf_standard=pdf_standard)
        return write(document, fmt, options)

    # --- many documents ---------------------------------------------------------------------------
    def build(self, options: BuildOptions | None = None, reporter: Reporter | None = None) -> BuildResult:
        """A build, on this session's warm workers (kept for the next build)."""
        import os

        from .workers import WorkerPool
        options = options or BuildOptions()
        pool = None
        if options.jobs != 0:
            workers = options.jobs or os.cpu_count() or 1
            if self._pool is None or self._pool.workers != workers:
                self.close()
                self._pool = WorkerPool(workers, options.memory_mb)
            pool = self._pool
        self.project = Project.open(self.project.root)   # briefing.toml may have changed
        return build(self.project, options, reporter, pool)

    def close(self) -> None:
        """Stop the warm workers."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_project(root: Path | str = ".", **kwargs) -> Session:
    return Session(root, **kwargs)
