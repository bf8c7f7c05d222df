"""How a build reports: a progress bar on a terminal, one line per output in a log, and a
summary table at the end (built, up to date, failed with each failure's message)."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from typing import TYPE_CHECKING

from .errors import printable

if TYPE_CHECKING:  # pragma: no cover  (not imported: a build with nothing to do reports without the engine)
    from .build import BuildResult, JobResult


class Reporter:
    """What a build tells its user (build.Reporter's interface)."""

    def start(self, total: int) -> None: ...

    def done(self, result: "JobResult") -> None: ...


def plain_console(file, width: int | None = None) -> Console:
    """A console that prints text as it is: no markup ('[@key]' stays), no emoji codes
    (':100:' stays), no highlighting. Paths and messages come from users' files."""
    return Console(file=file, width=width, markup=False, emoji=False, highlight=False)


class LineReporter(Reporter):
    """One line per output: for CI logs and pipes."""

    def __init__(self, out, project):
        self.out, self.project = out, project

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def done(self, result: "JobResult") -> None:
        took = f" ({result.seconds:.1f} s)" if result.seconds else ""
        self.out.print(f"{result.status:10} {self.project.rel(result.job.target)}{took}")


class BarReporter(Reporter):
    """A rich progress bar: for a terminal."""

    def __init__(self, out, project):
        self.out, self.project = out, project
        self.progress = Progress(TextColumn("[bold]building"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("{task.description}", markup=False),
                                 console=plain_console(out.stdout), transient=True)
        self.task = None

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def start(self, total: int) -> None:
        self.task = self.progress.add_task("", total=total)

    def done(self, result: "JobResult") -> None:
        self.progress.update(self.task, advance=1, description=escape(printable(self.project.rel(result.job.target))))


def reporter_for(out, project) -> Reporter:
    isatty = getattr(out.stdout, "isatty", lambda: False)()
    return BarReporter(out, project) if isatty else LineReporter(out, project)


def summary(out, project, result: "BuildResult") -> None:
    """The table of outcomes, then every problem once (warnings and errors)."""
    console = plain_console(out.stdout, 110)
    table = Table(title="Build summary", show_lines=False)
    table.add_column("status")
    table.add_column("outputs", justify="right")
    for status in ("built", "up to date", "failed"):
        table.add_row(status, str(result.count(status)))
    console.print(table)
    if result.failed:
        failed = Table(title="Failures", show_lines=True)
        failed.add_column("output")
        failed.add_column("message")
        for r in result.failed:
            messages = [p.format() for p in r.problems if p.severity == "error"] or ["failed"]
            failed.add_row(Text(printable(project.rel(r.job.target))), Text("\n".join(messages)))
        console.print(failed)
    seen: set = set()
    problems = list(result.problems)
    for r in result.results:
        problems += r.problems
    out.problems([p for p in problems if not (p in seen or seen.add(p))])  # plain lines, greppable in logs
    out.print(f"{result.count('built')} built, {result.count('up to date')} up to date, "
              f"{len(result.failed)} failed -> {project.rel(result.out_dir)}/")
