"""Atomic file writes: a temp file in the target's folder, fsync, then rename.

A reader (or a build killed with SIGKILL) sees either the old file or the new one, never
a half-written file. Temp files carry a fixed prefix so the next run can sweep them.
"""
from __future__ import annotations

import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

TMP_PREFIX = ".briefing-tmp-"


@contextmanager
def atomic_path(target: Path):
    """Yield a temp path next to `target`; on success it replaces `target`."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        if os.environ.get("BRIEFING_TEST_WRITE_DELAY"):  # lets tests kill a build mid-write
            time.sleep(float(os.environ["BRIEFING_TEST_WRITE_DELAY"]))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def sweep_temp_files(folder: Path) -> int:
    """Remove temp files a killed build left behind in `folder` and its own direct
    subfolders (not through symbolic links, nowhere else); returns how many."""
    if not folder.is_dir():
        return 0
    removed = 0
    folders = [folder] + sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())
    for where in folders:
        for path in where.glob(TMP_PREFIX + "*"):
            try:
                if path.is_symlink() or path.is_file():
                    path.unlink()
                    removed += 1
            except OSError:
                pass
    return removed


LOCK_NAME = ".briefing-lock"


@contextmanager
def output_lock(folder: Path, shown: str):
    """One build per output folder at a time: a second one is refused, never interleaved."""
    import fcntl

    from .errors import BriefError, Location
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC,
                     0o644)
    except OSError as exc:
        raise BriefError(f"cannot write to the output folder {shown}: {exc.strerror}", Location(shown),
                         "check that the folder is writable and the disk is not full") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BriefError(f"another build is running in {shown}", Location(shown),
                             "wait for it to finish, or build into another folder with --out") from None
        yield
    finally:
        os.close(fd)
