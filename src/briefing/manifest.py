"""build/manifest.json: for each output, the hashes of its inputs and of itself, its
language's translation completeness, the tool version, the options and the edition (the
git tag or commit the project was at). No timestamps, so that the same inputs give the
same manifest.

A recipient's copy is listed by the hash of its row (`recipient`), never by a path or a
name: the manifest holds no personal data. A shard's manifest (`--shard K/N`) lists its
part and says which part it is; `briefing manifest merge` joins the parts.
"""
from __future__ import annotations

import json
from pathlib import Path

from .atomic import atomic_write_bytes

SHARED_KEYS = ("tool", "version", "options", "edition", "recipients")


def write_manifest(out_dir: Path, results, cache, options, version: str, project=None) -> Path:
    from .cache import file_hash
    outputs = []
    for r in results:
        target = r.job.target
        try:
            rel = str(target.relative_to(out_dir))
        except ValueError:
            rel = str(target)
        entry = {"brief": r.job.brief, "language": r.job.lang, "format": r.job.fmt,
                 "layout": r.job.layout, "status": "failed" if r.status in ("failed", "bug") else "built"}
        if getattr(r.job, "recipient", ""):
            entry["recipient"] = r.job.recipient       # the hash of the row, not the path (it holds the name)
        else:
            entry["path"] = rel
        if entry["status"] == "built":
            if getattr(r.job, "recipient", ""):
                entry.update({"sha256": file_hash(target) if target.is_file() else None,
                              "inputs": r.inputs[1] if r.inputs else {}, "translation": r.stats})
            else:
                entry.update({"sha256": cache.output_hash(target), "inputs": cache.parts(target),
                              "translation": r.stats or cache.stats(target)})
        else:
            entry["errors"] = [p.format() for p in r.problems if p.severity == "error"]
        outputs.append(entry)
    data = {"tool": "briefing", "version": version, "options": options.key(), "outputs": outputs}
    if project is not None:
        from .editions import edition
        found = edition(project.root)
        if found:
            data["edition"] = found
    if getattr(options, "recipients", None):
        from .recipients import file_digest
        data["recipients"] = {"sha256": file_digest(Path(options.recipients))}
    if getattr(options, "shard", None):
        data["shard"] = {"index": options.shard[0], "count": options.shard[1]}
    path = out_dir / "manifest.json"
    save(path, data)
    return path


def save(path: Path, data: dict) -> None:
    try:
        atomic_write_bytes(path, (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode())
    except OSError as exc:  # a full disk, a read-only folder, a folder named manifest.json
        from .errors import BriefError, Location
        shown = f"{path.parent.name}/{path.name}"
        raise BriefError(f"cannot write {shown}: {exc.strerror or exc}", Location(shown),
                         "the documents were written; free some space or make the folder writable, "
                         f"and remove anything named {path.name} that is not a file") from None
