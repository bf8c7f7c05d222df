"""A rebuild with nothing to do, answered without loading the project.

A build whose every output was made or found up to date (and that reported no error)
leaves a stamp in its output folder, `.briefing-stamp.json`: the options that decide what
it makes, the size and modification time of every file it read (the project's briefs,
sources, catalogs, templates and assets, briefing.toml, the template sets, the font files
of its languages, this tool's code), the folders that list them (a file added or removed
changes its folder's time), the folders Python loads its libraries from (an installed or
upgraded library changes them), the outputs, the cache and the manifest as written, the
edition (git), and what the build reports: every output's warnings, the project's own.

`briefing build` with the same options looks at the stamp before importing the build
engine. When every recorded size and time is unchanged, the edition is the same and no
half-written temp file is left, it prints exactly what the full no-op build prints (each
output up to date, the same warnings, the same summary) and exits, without reading a brief
or hashing a file. Anything else, any doubt, takes the normal path: it loads, checks and
hashes everything, as before, and records a new stamp. Like make and ninja, this trusts
modification times: a file changed without a new time or size (restored with `touch -r`)
is not seen; `--force` rebuilds everything.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from .atomic import TMP_PREFIX as TEMP_PREFIX   # a light module: os, tempfile, time

STAMP_NAME = ".briefing-stamp.json"
STAMP_VERSION = 1
WATCHED = ("briefs", "sources", "locales", "templates", "assets")   # the project's input folders
RACY_NS = 2_000_000_000   # 2 s: the coarsest file times (FAT) and clock steps
FONTCONFIG_CACHES = ("/var/cache/fontconfig", "~/.cache/fontconfig", "~/.fontconfig")


def options_key(root: Path, out_dir: Path, *, briefs, languages, formats, layouts, strict, show_untranslated,
                paper, template, print_profile, booklet, pdf_standard) -> dict:
    """What decides which outputs a build makes and what it reports (not --jobs or --timeout)."""
    return {"root": str(root), "out": str(out_dir), "briefs": briefs, "languages": languages,
            "formats": list(formats), "layouts": list(layouts), "strict": bool(strict),
            "show_untranslated": bool(show_untranslated), "paper": paper, "template": template,
            "print": bool(print_profile), "booklet": bool(booklet), "pdf_standard": pdf_standard,
            "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
            "python": [sys.executable, sys.version, list(sys.path)], "package": str(Path(__file__).parent)}


# --- the state of the files -------------------------------------------------------------

def _stat(path: str):
    """[size, mtime_ns] of a file, "dir:mtime_ns" of a folder, None if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if os.path.isdir(path):
        return f"dir:{st.st_mtime_ns}"
    return [st.st_size, st.st_mtime_ns]


def _tree(folder: Path, into: dict) -> None:
    """Every folder and file under `folder` (not __pycache__), with its state."""
    into[str(folder)] = _stat(str(folder))
    if not folder.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        into[dirpath] = _stat(dirpath)
        for name in filenames:
            if not name.startswith(TEMP_PREFIX):
                path = os.path.join(dirpath, name)
                into[path] = _stat(path)


def snapshot(project) -> dict:
    """The state of what a build reads, taken before it reads it (a file edited while the
    build runs then differs from the stamp, and the next build looks at it again)."""
    from .render.templates import builtin_root
    state: dict = {}
    root = project.root
    for name in WATCHED:
        _tree(root / name, state)
    state[str(root / "briefing.toml")] = _stat(str(root / "briefing.toml"))
    _tree(builtin_root().resolve(), state)                 # the built-in template sets
    _tree(Path(__file__).resolve().parent, state)          # this tool's code
    for entry in sys.path:                                 # the libraries' folders (not the current one)
        if entry and os.path.isdir(entry) and os.path.abspath(entry) != os.getcwd():
            state[entry] = _stat(entry)
    return {"started": time.time_ns(), "files": state}


def _more_inputs(project, loaded, options, jobs, state: dict) -> None:
    """The template sets the briefs use and the fonts of their languages."""
    from .cache import font_files
    from .render.templates import find_template
    folders = {find_template(project, options.template).folder}
    for lb in loaded.briefs.values():
        folders.add(find_template(project, options.template or lb.brief.template).folder)
    for folder in sorted(folders):
        if str(folder) not in state:
            _tree(Path(folder), state)
    for lang in sorted({job.lang for job in jobs}):
        for path in font_files(lang):
            state[str(path)] = _stat(str(path))
            state[str(path.parent)] = _stat(str(path.parent))
    for cache in FONTCONFIG_CACHES:
        cache = os.path.expanduser(cache)
        state[cache] = _stat(cache)


def _racy(state: dict, started: int) -> bool:
    """A file changed within RACY_NS of the build's start could change again unseen (file
    times are coarse): no stamp then; the next build checks the contents and records one."""
    for value in state.values():
        mtime = int(value[4:]) if isinstance(value, str) else value[1] if value else None
        if mtime is not None and mtime > started - RACY_NS:
            return True
    return False


def _problem(p) -> dict:
    loc = p.location
    return {"message": p.message, "hint": p.hint, "severity": p.severity,
            "location": [loc.path, loc.line, loc.column] if loc else None}


def _unproblem(d: dict):
    from .errors import Location, Problem
    loc = Location(*d["location"]) if d.get("location") else None
    return Problem(d["message"], loc, d.get("hint"), d.get("severity", "warning"))


# --- recording (at the end of a build) ------------------------------------------------------

def forget(out_dir: Path) -> None:
    try:
        os.unlink(out_dir / STAMP_NAME)
    except OSError:
        pass


def record(project, loaded, options, out_dir: Path, results, problems, before: dict | None) -> None:
    """Write the stamp after a build with nothing failed and no error; else remove it.
    `before` is the snapshot taken when the build started."""
    from .atomic import atomic_write_bytes
    from .cache import CACHE_NAME, Cache
    forget(out_dir)
    if before is None or options.recipients or options.shard or not results \
            or any(r.status not in ("built", "up to date") for r in results) \
            or any(p.severity == "error" for p in problems):
        return
    jobs = [r.job for r in results]
    try:
        state = dict(before["files"])
        _more_inputs(project, loaded, options, jobs, state)
        if _racy(state, before["started"]):
            return
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        cache = Cache.load(out_dir)
        outputs = [{"target": str(job.target), "shown": project.rel(job.target),
                    "problems": [_problem(p) for p in cache.problems(job.target)]} for job in jobs]
        for path in [job.target for job in jobs] + [out_dir / CACHE_NAME, out_dir / "manifest.json"]:
            state[str(path)] = _stat(str(path))
        stamp = {"version": STAMP_VERSION, "key": key_of(project.root, out_dir, options),
                 "out_shown": project.rel(out_dir), "edition": manifest.get("edition"),
                 "outputs": outputs, "problems": [_problem(p) for p in problems],
                 "folders": sorted({str(job.target.parent) for job in jobs}), "files": state}
        atomic_write_bytes(out_dir / STAMP_NAME, json.dumps(stamp, sort_keys=True).encode("utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        forget(out_dir)   # no stamp: the next build takes the normal path


def key_of(root: Path, out_dir: Path, options) -> dict:
    return options_key(root, out_dir, briefs=options.briefs, languages=options.languages, formats=options.formats,
                       layouts=options.layouts, strict=options.strict, show_untranslated=options.show_untranslated,
                       paper=options.paper, template=options.template, print_profile=options.print_profile,
                       booklet=options.booklet, pdf_standard=options.pdf_standard)


# --- answering (before the build engine is imported) ------------------------------------------

class _Shown:
    """The project as the reporters see it: names of paths, as the build recorded them."""

    def __init__(self, names: dict[str, str]):
        self.names = names

    def rel(self, path) -> str:
        return self.names[str(path)]


class _Job:
    def __init__(self, target: str):
        self.target = Path(target)


class _Result:
    seconds = 0.0
    stats: dict = {}

    def __init__(self, job: _Job, problems: list):
        self.job, self.status, self.problems = job, "up to date", problems


class _BuildResult:
    def __init__(self, results: list, problems: list, out_dir: Path):
        self.results, self.problems, self.out_dir = results, problems, out_dir
        self.failed: list = []

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)


def _out_dir(root: Path, out: str | None) -> tuple[Path, str] | None:
    """The output folder as Project.output_dir finds it (None: let the normal path decide)."""
    from .safefs import check_write_dir
    if out:
        folder = Path(out) if Path(out).is_absolute() else root / out
        return check_write_dir(root, folder, str(out), from_command_line=True), str(out)
    import tomllib
    config = root / "briefing.toml"
    output = "build"
    if config.exists() or config.is_symlink():
        if config.is_symlink() or not config.is_file():
            return None
        data = tomllib.loads(config.read_text(encoding="utf-8"))
        build = data.get("build", {})
        output = build.get("output", "build") if isinstance(build, dict) else None
        if not isinstance(output, str):
            return None
    folder = root / output
    return check_write_dir(root, folder, output), ""


def _fresh(stamp: dict, out_dir: Path) -> bool:
    for path, state in stamp["files"].items():
        if _stat(path) != state:
            return False
    for folder in [str(out_dir)] + stamp["folders"]:   # a temp file a killed build left behind
        try:
            if any(name.startswith(TEMP_PREFIX) for name in os.listdir(folder)):
                return False
        except OSError:
            return False
    return True


def answer(args, out) -> int | None:
    """The exit code of a build with nothing to do, its report printed; None: build normally."""
    if args.force or args.recipients or args.shard:
        return None
    try:
        root = Path(args.project).resolve()
        found = _out_dir(root, args.out)
        if found is None:
            return None
        out_dir, _ = found
        stamp = json.loads((out_dir / STAMP_NAME).read_text(encoding="utf-8"))
        key = options_key(root, out_dir, briefs=args.brief, languages=args.lang, formats=args.format,
                          layouts=args.layout, strict=args.strict, show_untranslated=args.show_untranslated,
                          paper=args.paper, template=args.template, print_profile=args.print_profile,
                          booklet=args.booklet, pdf_standard=args.pdf_standard)
        if stamp.get("version") != STAMP_VERSION or stamp.get("key") != json.loads(json.dumps(key)):
            return None
    except Exception:  # noqa: BLE001  no stamp, a foreign or damaged one, an unusual project: build normally
        return None
    from .atomic import output_lock
    from .safefs import check_write_dir
    with output_lock(out_dir, stamp["out_shown"]):
        try:
            if not _fresh(stamp, out_dir):
                return None
            for folder in stamp["folders"]:   # as the build checks them: build/en must not be a link out
                check_write_dir(out_dir, Path(folder), "")
            from .editions import edition
            if edition(root) != stamp["edition"]:
                return None
            names = {o["target"]: o["shown"] for o in stamp["outputs"]}
            names[str(out_dir)] = stamp["out_shown"]
            results = [_Result(_Job(o["target"]), [_unproblem(p) for p in o["problems"]]) for o in stamp["outputs"]]
            problems = [_unproblem(p) for p in stamp["problems"]]
        except Exception:  # noqa: BLE001  any doubt: build normally
            return None
        from .progress import reporter_for, summary
        shown = _Shown(names)
        reporter = reporter_for(out, shown)
        with reporter:
            reporter.start(len(results))
            for result in results:
                reporter.done(result)
        summary(out, shown, _BuildResult(results, problems, out_dir))
    return 0
