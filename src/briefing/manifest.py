"""build/manifest.json: for each output, the hashes of its inputs and of itself, its
language's translation completeness, the tool version and the options. No timestamps,
so that the same inputs give the same manifest."""
from __future__ import annotations

import json
from pathlib import Path

from .atomic import atomic_write_bytes


def write_manifest(out_dir: Path, results, cache, options, version: str) -> Path:
    outputs = []
    for r in results:
        target = r.job.target
        try:
            rel = str(target.relative_to(out_dir))
        except ValueError:
            rel = str(target)
        entry = {"path": rel, "brief": r.job.brief, "language": r.job.lang, "format": r.job.fmt,
                 "layout": r.job.layout, "status": "failed" if r.status == "failed" else "built"}
        if r.status != "failed":
            entry.update({"sha256": cache.output_hash(target), "inputs": cache.parts(target),
                          "translation": r.stats or cache.stats(target)})
        else:
            entry["errors"] = [p.format() for p in r.problems if p.severity == "error"]
        outputs.append(entry)
    data = {"tool": "briefing", "version": version, "options": options.key(), "outputs": outputs}
    path = out_dir / "manifest.json"
    try:
        atomic_write_bytes(path, (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode())
    except OSError as exc:  # a full disk, a read-only folder, a folder named manifest.json
        from .errors import BriefError, Location
        shown = f"{out_dir.name}/manifest.json"
        raise BriefError(f"cannot write {shown}: {exc.strerror or exc}", Location(shown),
                         "the documents were written; free some space or make the folder writable, "
                         "and remove anything named manifest.json that is not a file") from None
    return path
