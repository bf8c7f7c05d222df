"""Render jobs in worker processes, each under a time and memory limit.

A worker imports WeasyPrint and loads the fonts once, when it starts, then renders many
documents; it keeps the loaded project while the project's files do not change. A
document that takes too long, exhausts memory or crashes its worker fails alone; the
others go on.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BriefError, Location, Problem

MB = 1024 * 1024


@dataclass(frozen=True)
class JobSpec:
    """Everything a worker needs for one document (a brief in one language and layout) and
    the outputs to write from it; plain data, so it crosses processes."""

    root: str
    digest: str
    brief: str
    lang: str
    layout: str
    outputs: tuple               # ((fmt, variant, target, inputs), ...)
    options: dict
    strict: bool
    timeout: float
    bug_dir: str = ""            # where a bug's traceback is kept
    placement: int | None = None  # the key facts box's place, when an earlier build decided it
    recipient: dict | None = None  # a personalised copy: the recipient's data (in memory only)

    @property
    def targets(self) -> list[str]:
        return [o[2] for o in self.outputs]


@dataclass
class Outcome:
    target: str
    status: str
    problems: list[Problem] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    seconds: float = 0.0
    inputs: tuple = ()
    peak_mb: float = 0.0      # the worker's peak resident memory so far
    placement: int | None = None


# --- in the worker ----------------------------------------------------------------------

_loaded: dict = {}
_placements: dict = {}   # (project digest, brief, lang, layout, options) -> facts_after: one decision per document


def _trace(event: str) -> None:
    """BRIEFING_TRACE_WORKERS=FILE records worker starts and jobs (for tests of the engine)."""
    path = os.environ.get("BRIEFING_TRACE_WORKERS")
    if path:
        with open(path, "a") as fh:
            fh.write(f"{event} {os.getpid()}\n")


def init_worker(memory_mb: int | None, parent_pid: int | None = None) -> None:
    """Limit memory, then import the renderers and load the fonts once for this process."""
    _trace("init")
    die_with_parent(parent_pid)
    if memory_mb:
        import resource
        limit = memory_mb * MB
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    warm_up()


def die_with_parent(parent_pid: int | None) -> None:
    """A worker ends when the build that started it is killed (even with SIGKILL): the kernel
    kills it when its own parent (the forkserver) dies, and a watchdog thread ends it when
    the main process is gone. Then the forkserver, left without workers, exits too."""
    import threading
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if not parent_pid:
        return

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass
    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def warm_up() -> None:
    import docx  # noqa: F401
    import weasyprint
    weasyprint.HTML(string='<p style="font-family: \'Noto Serif\', \'Noto Serif Hebrew\', '
                           '\'Noto Serif Armenian\'">Aa 1 א Ա</p>').render()


@contextmanager
def time_limit(seconds: float):
    """Raise TimeoutError after `seconds` (main thread of a process only)."""
    if not seconds or not hasattr(signal, "SIGALRM"):
        yield
        return

    def expired(signum, frame):
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _peak_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _project(spec: JobSpec):
    from .pipeline import load_project
    from .project import Project
    key = (spec.root, spec.digest)
    if key not in _loaded:
        _loaded.clear()
        _loaded[key] = load_project(Project.open(spec.root))
    return _loaded[key]


def lend_loaded(root: str, digest: str, loaded) -> None:
    """A build that renders in its own process (jobs=0) hands over the project it has just
    loaded and checked, so that it is not loaded a second time."""
    _loaded.clear()
    _loaded[(root, digest)] = loaded


EXIT_BUG = 3   # the CLI's exit code when the tool itself failed


def render_job(spec: JobSpec) -> list[Outcome]:
    """Compose one document and write its outputs; every expected problem comes back as
    data. Anything else is a bug in this tool: its traceback is kept in a file."""
    from .pipeline import Output, write_outputs
    _trace("job")
    start = time.perf_counter()
    where = Location(f"briefs/{spec.brief}.yaml")

    def failed(problems, status="failed") -> list[Outcome]:
        return [Outcome(t, status, problems, seconds=time.perf_counter() - start) for t in spec.targets]

    try:
        with time_limit(spec.timeout):
            loaded = _project(spec)
            opts = spec.options
            memo = (spec.digest, spec.brief, spec.lang, spec.layout, repr(sorted(opts.items())))
            placement = spec.placement if spec.placement is not None else _placements.get(memo)
            composed, problems = write_outputs(
                loaded, spec.brief, spec.lang, spec.layout,
                [Output(fmt, Path(target), variant) for fmt, variant, target, _ in spec.outputs],
                paper=opts.get("paper"), show_untranslated=opts.get("show_untranslated", False),
                template=opts.get("template"), pdf_standard=opts.get("pdf_standard"), strict=spec.strict,
                facts_after=placement, recipient=spec.recipient)
            _placements[memo] = composed.document.facts_after
        stats = {"brief": composed.brief_stats.as_dict(), "template": composed.words_stats.as_dict()}
        seconds = time.perf_counter() - start
        return [Outcome(target, "built", problems, stats, seconds, inputs, _peak_mb(), composed.document.facts_after)
                for _fmt, _variant, target, inputs in spec.outputs]
    except BriefError as exc:
        return failed(exc.problems)
    except TimeoutError:
        return failed([Problem(
            f"rendering took longer than {spec.timeout:g} seconds and was stopped", where,
            "look for an enormous list, table or font size in the brief")])
    except MemoryError:
        return failed([Problem(
            "rendering ran out of memory and was stopped", where,
            "look for an enormous list, table or font size in the brief")])
    except RecursionError:
        return failed([Problem("the brief is nested too deeply to render", where)])
    except Exception:  # a bug in this tool: keep its traceback, report it, build the others
        report = keep_traceback(spec)
        return failed([Problem(
            f"internal error (a bug in briefing) while making this document; the traceback is in {report}",
            where, "please report it with that file and the brief that triggers it")], status="bug")


def keep_traceback(spec: JobSpec) -> str:
    """Write the current exception's traceback under the output folder; returns its path."""
    import traceback
    folder = Path(spec.bug_dir or Path(spec.targets[0]).parent)
    path = folder / f"{spec.brief}.{spec.lang}.{spec.layout}.traceback.txt"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(traceback.format_exc(), encoding="utf-8")
    except OSError:
        return "(it could not be written)"
    return str(path)


# --- in the parent ----------------------------------------------------------------------

PRELOAD = ["__main__", "weasyprint", "docx"]   # imported once, in the forkserver


def _context():
    """Workers are forked from a server process that has imported the renderers once, so
    that each worker does not import them again (it still loads the fonts itself)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


class WorkerPool:
    """Warm workers kept between builds (by a Session, for `watch`): WeasyPrint imported and
    the fonts loaded once, not once per rebuild."""

    def __init__(self, workers: int, memory_mb: int | None):
        self.workers = workers
        self.memory_mb = memory_mb
        self._executor: ProcessPoolExecutor | None = None

    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(self.workers, mp_context=_context(),
                                                 initializer=init_worker,
                                                 initargs=(self.memory_mb, os.getpid()))
        return self._executor

    def broken(self) -> None:
        """A worker died: the next build starts fresh workers."""
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def run_jobs(specs: list[JobSpec], jobs: int | None, memory_mb: int | None, pool: WorkerPool | None = None):
    """Yield an Outcome per spec, as they finish. jobs=0 renders in this process; `pool`
    lends warm workers that outlive this build."""
    if not specs:
        return
    if jobs == 0:
        for spec in specs:
            yield from render_job(spec)
        return
    workers = max(1, min(jobs or os.cpu_count() or 1, len(specs)))
    if workers > 1 or (pool is not None and pool.workers > 1):
        specs = longest_first(specs)
    suspects: list[JobSpec] = []
    if pool is not None:
        yield from _submit(pool.executor(), specs, suspects)
        if suspects:
            pool.broken()
    else:
        yield from _pool(specs, workers, memory_mb, suspects)
    for spec in suspects:  # a worker died: try its documents one by one, each in a fresh worker
        retry: list[JobSpec] = []
        outcomes = list(_pool([spec], 1, memory_mb, retry))
        if retry:
            for target in spec.targets:
                yield Outcome(target, "failed", [Problem(
                    "the renderer process died while making this document (out of memory?)",
                    Location(f"briefs/{spec.brief}.yaml"), "look for an enormous list, table or font size")])
        else:
            yield from outcomes


def longest_first(specs: list[JobSpec]) -> list[JobSpec]:
    """Full briefs before one-page leave-behinds (otherwise in the given order): with several
    workers, the short documents fill the gaps at the end instead of a long one finishing
    alone while the other workers wait."""
    return sorted(specs, key=lambda spec: (spec.layout != "brief", -len(spec.outputs)))


def _pool(specs: list[JobSpec], workers: int, memory_mb: int | None, suspects: list[JobSpec]):
    context = _context()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker,
                             initargs=(memory_mb, os.getpid())) as pool:
        yield from _submit(pool, specs, suspects)


def _submit(pool: ProcessPoolExecutor, specs: list[JobSpec], suspects: list[JobSpec]):
    try:
        pending = {pool.submit(render_job, spec): spec for spec in specs}
    except BrokenProcessPool:
        suspects.extend(specs)
        return
    try:
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                spec = pending.pop(future)
                try:
                    yield from future.result()
                except BrokenProcessPool:
                    suspects.append(spec)
    except (KeyboardInterrupt, GeneratorExit):
        # Ctrl-C: stop now; queued documents are not made, half-written ones stay temp files
        for process in list((pool._processes or {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
