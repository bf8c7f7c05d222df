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
    """Remove temp files a killed build left behind; returns how many."""
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.rglob(TMP_PREFIX + "*"):
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed
