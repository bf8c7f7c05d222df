"""What an output depends on, and whether it is up to date.

An output's inputs: its brief, the shared facts, the sources, its language's catalogs,
the template set and assets, the project config, the font files of its language, the
versions of this tool and its libraries, and the options. Their hashes decide whether to
rebuild. The cache (build/.briefing-cache.json) is disposable: a missing, corrupt or
foreign cache is a cache miss, never an error.
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .i18n.catalogs import TEMPLATE_DOMAIN
from .i18n.locale import SANS, SERIF
from .uptodate import WATCHED

CACHE_NAME = ".briefing-cache.json"
CACHE_VERSION = 1
LIBRARIES = ("weasyprint", "pydyf", "python-docx", "Jinja2", "PyYAML", "Babel", "pydantic", "markdown-it-py",
             "fonttools", "lxml", "pypdf")

_file_hashes: dict[tuple, str] = {}


def file_hash(path: Path) -> str:
    """sha256 of a file, remembered by (path, mtime, size) within a process."""
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _file_hashes:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        _file_hashes[key] = h.hexdigest()
    return _file_hashes[key]


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and not p.name.startswith(".briefing-tmp-"))


def project_digest(project) -> str:
    """A quick fingerprint of every project file (names, sizes, times): workers reload on change."""
    h = hashlib.sha256()
    for name in WATCHED:
        for path in _files(project.root / name):
            try:
                st = path.stat()
            except OSError:  # vanished since it was listed
                continue
            h.update(f"{path}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    cfg = project.root / "briefing.toml"
    if cfg.is_file():
        h.update(f"{cfg}|{cfg.stat().st_mtime_ns}".encode())
    return h.hexdigest()


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    out = {}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "absent"
    return out


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """The code that makes the outputs: a hash of the package's own files (so that an
    edited or upgraded briefing rebuilds, even before its version number changes)."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def font_files(lang: str) -> list[Path]:
    from .fonts import _font_files
    files = _font_files()
    return sorted({Path(p) for family in SERIF.get(lang, []) + SANS.get(lang, []) for p in files.get(family, [])})


def input_digest(loaded, job, options, tool_version: str) -> tuple[str, dict]:
    """(digest, {input: hash}) for one output."""
    from .render.templates import find_template
    project = loaded.project
    lb = loaded.briefs[job.brief]
    parts: dict[str, str] = {}

    def add(path: Path) -> None:
        try:
            if path.is_file():
                parts[project.rel(path)] = file_hash(path)
        except OSError:  # vanished while the build ran (watch): the next change rebuilds
            parts[project.rel(path)] = "missing"

    add(lb.path)
    add(project.briefs_dir / "_shared.yaml")
    for path in _files(project.sources_dir):
        add(path)
    if job.lang != "en":
        add(project.catalog_path(job.lang, job.brief))
        add(project.catalog_path(job.lang, TEMPLATE_DOMAIN))
    tset = find_template(project, options.template or lb.brief.template)
    for path in _files(tset.folder):
        parts[f"template:{path.relative_to(tset.folder)}"] = file_hash(path)
    for path in _files(project.assets_dir):
        add(path)
    add(project.root / "briefing.toml")
    for path in font_files(job.lang):
        parts[f"font:{path.name}"] = file_hash(path)
    meta = {"tool": tool_version, "code": tool_fingerprint(), "libraries": versions(), "options": options.key(),
            "format": job.fmt, "layout": job.layout, "language": job.lang, "variant": job.variant}
    parts["settings"] = hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return digest, parts


class Cache:
    def __init__(self, path: Path, entries: dict | None = None, placements: dict | None = None):
        self.path = path
        self.entries: dict = entries or {}
        # layout-dependent choices made for a document (where its key facts box goes), by the
        # digest of the inputs of its PDF: a Word-only rebuild reuses the PDF's choice
        self.placements: dict = placements or {}

    @classmethod
    def load(cls, out_dir: Path) -> "Cache":
        path = out_dir / CACHE_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") == CACHE_VERSION and isinstance(data.get("entries"), dict):
                placements = data.get("placements")
                placements = {k: v for k, v in placements.items() if isinstance(v, int) and not isinstance(v, bool)
                              } if isinstance(placements, dict) else {}
                return cls(path, data["entries"], placements)
        except (OSError, ValueError, AttributeError):
            pass  # missing, corrupt or foreign: start afresh
        return cls(path)

    def _entry(self, target: Path) -> dict | None:
        """An entry of the expected shape, else None (a miss): a hand-edited or foreign cache
        never breaks a build."""
        entry = self.entries.get(str(target))
        shape = {"inputs": str, "output": str, "problems": list, "stats": dict, "parts": dict}
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), t) for k, t in shape.items()):
            return None
        return entry

    def fresh(self, target: Path, inputs: tuple[str, dict]) -> bool:
        entry = self._entry(target)
        if not entry or entry.get("inputs") != inputs[0] or not target.is_file():
            return False
        try:
            return file_hash(target) == entry.get("output")
        except OSError:
            return False

    def record(self, target: Path, inputs: tuple[str, dict], problems, stats: dict) -> None:
        self.entries[str(target)] = {"inputs": inputs[0], "parts": inputs[1], "output": file_hash(target),
                                     "problems": [_problem_dict(p) for p in problems], "stats": stats}

    def forget(self, target: Path) -> None:
        self.entries.pop(str(target), None)

    def problems(self, target: Path) -> list:
        from .errors import Location, Problem
        out = []
        for p in (self._entry(target) or {}).get("problems", []):
            try:
                loc = Location(*p["location"]) if p.get("location") else None
                out.append(Problem(p["message"], loc, p.get("hint"), p.get("severity", "warning")))
            except (KeyError, TypeError, AttributeError, ValueError):
                continue
        return out

    def stats(self, target: Path) -> dict:
        return (self._entry(target) or {}).get("stats", {})

    def parts(self, target: Path) -> dict:
        return (self._entry(target) or {}).get("parts", {})

    def output_hash(self, target: Path) -> str | None:
        return (self._entry(target) or {}).get("output")

    def save(self) -> None:
        from .atomic import atomic_write_bytes
        data = json.dumps({"version": CACHE_VERSION, "entries": self.entries, "placements": self.placements},
                          indent=1, sort_keys=True)
        try:
            atomic_write_bytes(self.path, data.encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only costs time next run


def _problem_dict(p) -> dict:
    loc = p.location
    return {"message": p.message, "hint": p.hint, "severity": p.severity,
            "location": [loc.path, loc.line, loc.column] if loc else None}


def environment_epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        return int(value) if value else None
    except ValueError:
        return None
