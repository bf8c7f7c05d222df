"""Past one machine: a deterministic split of the job list, and the merge of the manifests.

`briefing build --shard K/N` builds the K-th of N disjoint parts (K from 1 to N). The
unit is a document (brief x language x layout, or one recipient's copy): all the formats
of a document are written from one composition, so they stay on one machine. Documents
are sorted by a key every machine computes alike, and dealt out in turn: the parts are
disjoint, together they are the whole list, and they differ in size by one document at
most. Any engine that runs N copies of a command with an index runs it (a GitHub Actions
matrix, a Kubernetes Indexed Job; see docs/); there is no scheduler here.

`briefing manifest merge A B ... -o M` joins the parts' manifests into the manifest of the
whole set, and refuses parts that do not belong together.
"""
from __future__ import annotations

import json
from pathlib import Path

from .errors import BriefError, Location, Problem

SHARED = ("tool", "version", "options", "edition", "recipients")


def parse_shard(text: str) -> tuple[int, int]:
    """'2/4' -> (2, 4); raises ValueError with a message for argparse."""
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise ValueError(f"'{text}' is not K/N (e.g. 2/4)") from None
    if n < 1 or not 1 <= k <= n:
        raise ValueError(f"'{text}': K must be from 1 to N (e.g. 1/4 ... 4/4)")
    return k, n


def document_key(job) -> tuple:
    return (job.brief, job.lang, job.layout, getattr(job, "recipient", ""))


def shard_jobs(jobs: list, index: int, count: int) -> list:
    """The jobs of part `index` (1-based) of `count`."""
    keys = sorted({document_key(j) for j in jobs})
    mine = {key for i, key in enumerate(keys) if i % count == index - 1}
    return [j for j in jobs if document_key(j) in mine]


def _output_key(entry: dict) -> tuple:
    return tuple(entry.get(k) or "" for k in ENTRY_KEYS)


# --- reading a part's manifest: it comes from another machine; checked before it is used ------------

MAX_MANIFEST_BYTES = 64_000_000
MAX_PARTS = 10_000
ENTRY_KEYS = ("path", "recipient", "brief", "language", "format", "layout")


def read_manifest(path: Path, shown: str) -> dict:
    """A part's manifest.json: a regular file of at most 64 MB (a named pipe would hang the
    read), JSON, with the shape `write_manifest` gives it: each output's names are texts, its
    path relative and inside the build folder, `shard` two whole numbers 1 <= index <= count
    <= 10,000 (a count of 10**12 made the merge list the missing parts forever)."""
    import os
    import stat
    where = Location(shown)
    hint = "give the manifest.json of each part, as the build wrote it"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise BriefError(f"cannot read the manifest: {exc.strerror}", where) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise BriefError("the manifest is not a regular file", where, hint)
        if st.st_size > MAX_MANIFEST_BYTES:
            raise BriefError(f"the manifest is too large ({st.st_size:,} bytes; the limit is "
                             f"{MAX_MANIFEST_BYTES:,})", where, hint)
        os.set_blocking(fd, True)
        with os.fdopen(os.dup(fd), "rb") as fh:
            raw = fh.read(MAX_MANIFEST_BYTES + 1)
    except OSError as exc:
        raise BriefError(f"cannot read the manifest: {exc.strerror}", where) from None
    finally:
        os.close(fd)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BriefError("the manifest is not UTF-8 text", where, hint) from None
    except ValueError as exc:
        raise BriefError(f"not a JSON manifest: {exc}", where, hint) from None
    except RecursionError:
        raise BriefError("not a briefing manifest: it is nested too deeply", where, hint) from None
    if not isinstance(data, dict) or data.get("tool") != "briefing" or not isinstance(data.get("outputs"), list):
        raise BriefError("not a briefing manifest", where, hint)
    for n, entry in enumerate(data["outputs"], 1):
        if not isinstance(entry, dict):
            raise BriefError(f"output {n} of the manifest is not an object", where, hint)
        for key in ENTRY_KEYS:
            if entry.get(key) is not None and not isinstance(entry[key], str):
                raise BriefError(f"output {n} of the manifest: '{key}' is not a text", where, hint)
        rel = entry.get("path")
        if rel is not None and (rel.startswith(("/", "\\")) or "\x00" in rel or
                                ".." in rel.replace("\\", "/").split("/") or ":" in rel.split("/")[0]):
            raise BriefError(f"output {n} of the manifest: its path {rel[:80]!r} leads out of the build folder",
                             where, hint)
    shard = data.get("shard")
    if shard is not None:
        index, count = (shard.get("index"), shard.get("count")) if isinstance(shard, dict) else (None, None)
        if not all(type(v) is int for v in (index, count)) or not 1 <= index <= count <= MAX_PARTS:
            raise BriefError("the manifest's 'shard' is not a part K of N (1 <= K <= N <= "
                             f"{MAX_PARTS:,})", where, hint)
    return data


def merge_manifests(paths: list[Path]) -> tuple[dict, list[Problem]]:
    """One manifest listing the outputs of every part; (manifest, warnings). Errors (parts
    of different builds, an output in two parts with different bytes, a part twice) raise."""
    parts = [(str(path), read_manifest(path, str(path))) for path in paths]
    if not parts:
        raise BriefError("no manifests to merge")
    problems: list[Problem] = []
    first_shown, first = parts[0]
    for shown, data in parts[1:]:
        for key in SHARED:
            if data.get(key) != first.get(key):
                raise BriefError(f"this part was built with a different {key} than {first_shown}", Location(shown),
                                 "every part must come from the same commit, options and briefing version")
    counts = {d["shard"]["count"] for _, d in parts if isinstance(d.get("shard"), dict)}
    if len(counts) > 1:
        raise BriefError(f"the parts come from different splits: {', '.join(f'N={n}' for n in sorted(counts))}")
    seen_parts: dict[int, str] = {}
    for shown, data in parts:
        shard = data.get("shard")
        if isinstance(shard, dict):
            if shard["index"] in seen_parts:
                raise BriefError(f"part {shard['index']}/{shard['count']} is given twice (also {seen_parts[shard['index']]})",
                                 Location(shown))
            seen_parts[shard["index"]] = shown
    if counts:
        count = counts.pop()
        missing = [k for k in range(1, count + 1) if k not in seen_parts]
        if missing:
            problems.append(Problem(f"the merged manifest lacks part(s) {', '.join(f'{k}/{count}' for k in missing)}",
                                    None, "merge every part's manifest to list the whole set", "warning"))
    outputs: dict[tuple, dict] = {}
    origin: dict[tuple, str] = {}
    for shown, data in parts:
        for entry in data["outputs"]:
            key = _output_key(entry)
            if key in outputs and outputs[key] != entry:
                raise BriefError(f"'{key[0] or key[1]}' ({entry.get('format')}) is in two parts with different "
                                 f"contents (also in {origin[key]})", Location(shown),
                                 "parts must be disjoint: use the same N and a different K on each machine")
            outputs[key] = entry
            origin[key] = shown
    merged = {key: first[key] for key in SHARED if key in first}
    merged["tool"] = "briefing"
    merged["outputs"] = [outputs[k] for k in sorted(outputs)]
    if seen_parts:
        merged["merged"] = {"parts": sorted(seen_parts), "count": max(
            d["shard"]["count"] for _, d in parts if isinstance(d.get("shard"), dict))}
    return merged, problems
