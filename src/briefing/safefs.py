"""Every file the tool reads from a project goes through here.

A file is read only when it is a regular file whose resolved path lies inside the
project (or inside one of the tool's own installed template folders). A symlink that
leads out, a FIFO, a device or a folder is refused with an error naming the path as the
project shows it; nothing of a refused file is read, so nothing of it can reach a
message. Checks are made on the open descriptor (fstat), so a file swapped for a FIFO or
a link between the check and the read is refused too.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import BriefError, Location

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class Refused(BriefError):
    """A file the tool will not read (outside the project, not a regular file, too large)."""


def inside(path: Path, roots) -> bool:
    return any(path == r or r in path.parents for r in roots)


def _roots(project_root: Path, extra) -> list[Path]:
    from .render.templates import builtin_root
    roots = [Path(project_root).resolve(), builtin_root().resolve()]
    roots += [Path(r).resolve() for r in extra]
    return roots


def check_path(project_root: Path, path: Path, shown: str | None = None, allowed_extra_roots=()) -> Path:
    """The resolved path of `path` if it may be read; raises `Refused` otherwise."""
    path = Path(path)
    shown = shown or str(path)
    where = Location(shown)
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise Refused(f"file not found: {shown}", where) from None
    except (OSError, RuntimeError):  # a symlink loop
        raise Refused(f"cannot read {shown}: a symbolic link that leads nowhere", where) from None
    roots = _roots(project_root, allowed_extra_roots)
    if not inside(real, roots):
        if inside(Path(os.path.abspath(path)), roots):
            raise Refused(f"refused to read {shown}: it is a symbolic link to a file outside the project", where,
                          "copy the file into the project instead of linking to it")
        raise Refused(f"refused to read {shown}: it is outside the project", where,
                      "keep every file the project uses inside its folder")
    try:
        st = os.stat(real)
    except OSError as exc:
        raise Refused(f"cannot read {shown}: {exc.strerror}", where) from None
    if not stat.S_ISREG(st.st_mode):
        raise Refused(f"refused to read {shown}: it is {_kind(st.st_mode)}, not a regular file", where,
                      "only regular files are read")
    return real


def read_project_file(project_root: Path, path: Path, shown: str | None = None, *, allowed_extra_roots=(),
                      max_bytes: int | None = None) -> bytes:
    """The bytes of a project file, after the checks above (and a size limit, if given)."""
    real = check_path(project_root, path, shown, allowed_extra_roots)
    shown = shown or str(path)
    where = Location(shown)
    try:
        fd = os.open(real, _FLAGS | _NOFOLLOW)
    except OSError as exc:
        raise Refused(f"cannot read {shown}: {exc.strerror}", where) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"refused to read {shown}: it is {_kind(st.st_mode)}, not a regular file", where,
                          "only regular files are read")
        if max_bytes is not None and st.st_size > max_bytes:
            raise Refused(f"file is too large ({st.st_size:,} bytes; the limit is {max_bytes:,})", where,
                          "split it into smaller files")
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:  # grew while being read
                raise Refused(f"file is too large (over {max_bytes:,} bytes)", where, "split it into smaller files")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise Refused(f"cannot read {shown}: {exc.strerror}", where) from None
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def regular_files(folder: Path, suffixes=None) -> list[Path]:
    """Direct entries of `folder` that are regular files or links (checked again when read)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if suffixes is None or p.suffix.lower() in suffixes)


# --- writes ------------------------------------------------------------------------------

def check_write_dir(project_root: Path, folder: Path, shown: str, *, from_command_line: bool = False) -> Path:
    """The folder outputs go to: inside the project, unless named on the command line.

    Refuses a folder (or a parent inside the project) that is a symlink leading out of it,
    and an existing file of that name."""
    root = Path(project_root).resolve()
    folder = Path(folder)
    where = Location(shown)
    if folder.exists() and not folder.is_dir():
        raise BriefError(f"the output folder {shown} is a file, not a folder", where,
                         "name a folder with --out, or remove the file")
    real = folder.resolve()
    if not from_command_line and not inside(real, [root]):
        raise BriefError(f"the output folder {shown} is outside the project (or a link out of it)", where,
                         "write outputs inside the project (e.g. output = \"build\"), or name another folder "
                         "on the command line with --out")
    return real


def check_write_target(project_root: Path, path: Path, shown: str) -> None:
    """A file the tool writes inside the project (a catalog, a new brief): its folder must
    resolve inside the project, so a symlinked locales/ or briefs/ cannot send it elsewhere."""
    root = Path(project_root).resolve()
    if not inside(Path(path).parent.resolve(), [root]):
        raise BriefError(f"refused to write {shown}: its folder is a symbolic link out of the project",
                         Location(shown), "replace the link with a real folder")
    if Path(path).is_symlink() or (Path(path).exists() and not Path(path).is_file()):
        raise BriefError(f"refused to write {shown}: it is not a regular file", Location(shown),
                         "replace it with a regular file")
