"""Editions: which version of the project a build was made from, and an earlier one to compare.

An edition is a git tag at HEAD (`git describe --tags --exact-match`), else the commit;
`dirty` says the project folder had uncommitted changes. A project outside git has no
edition. `materialize` writes the project as it was at a ref into a folder (read-only use:
`git archive REF | tar -x`, nothing in the repository changes).
"""
from __future__ import annotations

import subprocess
import tarfile
import tempfile

from pathlib import Path, PurePosixPath

from .errors import BriefError

TIMEOUT = 60


def _git(root: Path, *args: str, binary: bool = False):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=not binary, timeout=TIMEOUT)


def in_git(root: Path) -> bool:
    try:
        r = _git(root, "rev-parse", "--is-inside-work-tree")
    except (OSError, subprocess.SubprocessError):
        return False
    return r.returncode == 0 and r.stdout.strip() == "true"


def edition(root: Path) -> dict | None:
    """{"tag": ..., "commit": ..., "dirty": bool} for the project at `root`, or None."""
    if not in_git(root):
        return None
    commit = _git(root, "rev-parse", "--verify", "-q", "HEAD")
    if commit.returncode != 0:
        return None  # a repository without commits
    out = {"commit": commit.stdout.strip()}
    tag = _git(root, "describe", "--tags", "--exact-match", "HEAD")
    if tag.returncode == 0 and tag.stdout.strip():
        out["tag"] = tag.stdout.strip()
    status = _git(root, "status", "--porcelain", "--untracked-files=no", "--", ".")
    out["dirty"] = bool(status.stdout.strip())
    return out


def label(ed: dict | None) -> str:
    """How an edition is named to people: its tag, else its short commit."""
    if not ed:
        return ""
    name = ed.get("tag") or ed.get("commit", "")[:12]
    return name + (" (with uncommitted changes)" if ed.get("dirty") else "")


def _inside(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not PurePosixPath(name).is_absolute() and ".." not in parts


def materialize(root: Path, ref: str, dest: Path) -> Path:
    """The project folder as it was at `ref`, written under `dest`; returns its path."""
    if not in_git(root):
        raise BriefError(f"'{ref}' is not a folder, and the project is not in a git repository", None,
                         "give a git tag or commit of the project, or the folder of an earlier build")
    if ref.startswith("-"):
        raise BriefError(f"'{ref}' is not a git ref", None, "give a tag (edition-2026-11) or a commit")
    resolved = _git(root, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}")
    if resolved.returncode != 0:
        tags = _git(root, "tag", "--list").stdout.split()
        hint = ("tags: " + ", ".join(tags[-8:])) if tags else "the repository has no tags; give a commit"
        raise BriefError(f"unknown git ref '{ref}' (and no build folder of that name)", None, hint)
    commit = resolved.stdout.strip()
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.strip()
    args = ["archive", "--format=tar", commit] + ([prefix] if prefix else [])
    dest.mkdir(parents=True, exist_ok=True)
    # streamed, and limited: git compresses a file of zeros a thousand times, so a few megabytes
    # of history can hold gigabytes (read whole, 500 MB of zeros took 1 GB of memory)
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(["git", "-C", str(root), *args], stdout=subprocess.PIPE, stderr=errors)
        try:
            _extract(proc.stdout, dest, ref)
        finally:
            proc.stdout.close()
            try:
                proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.returncode != 0:
            errors.seek(0)
            message = errors.read(4000).decode("utf-8", "replace").strip().splitlines()
            raise BriefError(f"the project folder did not exist at '{ref}'", None, message[0] if message else None)
    return dest / prefix if prefix else dest


MAX_FILE_BYTES = 100_000_000        # one file of the project at a ref
MAX_TOTAL_BYTES = 1_000_000_000     # all of them
MAX_FILES = 50_000


def _extract(stream, dest: Path, ref: str) -> None:
    """Only plain files and folders, each inside dest: no absolute paths, no '..', no links,
    no devices (by hand: Debian 12's Python 3.11.2 predates tarfile's extraction filters);
    within the limits above."""
    total = count = 0
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                if not (member.isfile() or member.isdir()) or not _inside(member.name):
                    continue
                count += 1
                total += member.size
                if member.size > MAX_FILE_BYTES or total > MAX_TOTAL_BYTES or count > MAX_FILES:
                    raise BriefError(f"the project at '{ref}' is too large to compare (over "
                                     f"{MAX_FILE_BYTES // 1_000_000} MB in {member.name}, or "
                                     f"{MAX_TOTAL_BYTES // 1_000_000} MB or {MAX_FILES:,} files in all)", None,
                                     "compare with another edition, or with the folder of an earlier build")
                member.mode = (member.mode & 0o755) | (0o700 if member.isdir() else 0o600)
                tar.extract(member, dest)
    except tarfile.TarError as exc:
        raise BriefError(f"cannot read the project at '{ref}': {exc}", None) from None
