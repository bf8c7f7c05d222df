"""Scale past one machine: `build --shard K/N` parts are disjoint and complete, and
`manifest merge` joins their manifests into one listing the whole set."""
from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from briefing.build import Job
from briefing.errors import BriefError
from briefing.shards import merge_manifests, parse_shard, shard_jobs
from conftest import run_cli


def jobs() -> list[Job]:
    out = []
    for brief in ("a", "b", "c"):
        for lang in ("en", "he", "hy"):
            for person in ("", "k1", "k2"):
                for fmt in ("pdf", "docx"):
                    out.append(Job(brief, lang, fmt, "brief", Path(f"/o/{lang}/{brief}{person}.{fmt}"), "", person))
    return out


@pytest.mark.parametrize("count", [1, 2, 3, 5, 7, 60])
def test_parts_are_disjoint_complete_balanced_and_deterministic(count):
    every = jobs()
    parts = [shard_jobs(every, k, count) for k in range(1, count + 1)]
    assert sorted(map(id, (j for part in parts for j in part))) == sorted(map(id, every))   # each job once
    documents = [{(j.brief, j.lang, j.layout, j.recipient) for j in part} for part in parts]
    assert max(map(len, documents)) - min(map(len, documents)) <= 1
    for part in parts:   # a document's formats stay together
        for job in part:
            assert sum(1 for j in part if (j.brief, j.lang, j.recipient) == (job.brief, job.lang, job.recipient)) == 2
    shuffled = every[:]
    random.Random(count).shuffle(shuffled)
    assert [set(shard_jobs(shuffled, k, count)) for k in range(1, count + 1)] == [set(p) for p in parts]


def test_shard_argument(capsys):
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "x", "1/0", "1/2/3"):
        with pytest.raises(ValueError):
            parse_shard(bad)
    assert run_cli("build", "--shard", "3/2")[0] == 2
    assert "K must be from 1 to N" in capsys.readouterr().err


@pytest.fixture
def three_briefs(tiny_project) -> Path:
    good = tiny_project / "briefs" / "good.yaml"
    for name in ("second", "third"):
        (tiny_project / "briefs" / f"{name}.yaml").write_text(good.read_text().replace("id: good", f"id: {name}"))
    return tiny_project


def test_shards_build_and_merge_into_the_whole_set(three_briefs, tmp_path):
    parts = []
    for k in (1, 2):
        out = tmp_path / f"part{k}"
        code, stdout, stderr = run_cli("build", "--project", str(three_briefs), "--format", "json,docx",
                                       "--shard", f"{k}/2", "--out", str(out), "--jobs", "0")
        assert code == 0, stdout + stderr
        assert f"part {k}/2:" in stdout
        parts.append(out)
    made = [sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.suffix in (".json", ".docx")
                   and not p.name.startswith((".", "manifest"))) for out in parts]
    assert not set(made[0]) & set(made[1])
    assert sorted(made[0] + made[1]) == sorted(f"en/{b}.{f}" for b in ("good", "second", "third")
                                               for f in ("json", "docx"))
    manifests = [json.loads((out / "manifest.json").read_text()) for out in parts]
    assert [m["shard"] for m in manifests] == [{"index": 1, "count": 2}, {"index": 2, "count": 2}]
    merged_path = tmp_path / "manifest.json"
    code, stdout, stderr = run_cli("manifest", "merge", str(parts[0] / "manifest.json"),
                                   str(parts[1] / "manifest.json"), "-o", str(merged_path))
    assert code == 0 and "6 output(s) from 2 manifest(s)" in stdout and not stderr
    merged = json.loads(merged_path.read_text())
    assert "shard" not in merged and merged["merged"] == {"parts": [1, 2], "count": 2}
    assert sorted(o["path"] for o in merged["outputs"]) == sorted(made[0] + made[1])
    for entry in merged["outputs"]:  # each hash is the file its part made
        part = parts[0] if entry["path"] in made[0] else parts[1]
        assert entry["sha256"] == hashlib.sha256((part / entry["path"]).read_bytes()).hexdigest()

    # a part missing: merged with a warning; a part twice or from another build: refused
    code, _, stderr = run_cli("manifest", "merge", str(parts[0] / "manifest.json"), "-o", str(tmp_path / "m1.json"))
    assert code == 0 and "warning: the merged manifest lacks part(s) 2/2" in stderr
    code, _, stderr = run_cli("manifest", "merge", str(parts[0] / "manifest.json"), str(parts[0] / "manifest.json"),
                              "-o", str(tmp_path / "m2.json"))
    assert code == 1 and "part 1/2 is given twice" in stderr
    other = tmp_path / "other.json"
    data = json.loads((parts[1] / "manifest.json").read_text())
    data["options"]["paper"] = "letter"
    other.write_text(json.dumps(data))
    code, _, stderr = run_cli("manifest", "merge", str(parts[0] / "manifest.json"), str(other),
                              "-o", str(tmp_path / "m3.json"))
    assert code == 1 and "built with a different options" in stderr


def test_overlapping_parts_with_different_bytes_are_refused(tmp_path):
    entry = {"path": "en/a.pdf", "brief": "a", "language": "en", "format": "pdf", "layout": "brief",
             "status": "built", "sha256": "1" * 64}
    paths = []
    for k, digest in ((1, "1" * 64), (2, "2" * 64)):
        path = tmp_path / f"m{k}.json"
        path.write_text(json.dumps({"tool": "briefing", "version": "x", "options": {}, "shard": {"index": k, "count": 2},
                                    "outputs": [dict(entry, sha256=digest)]}))
        paths.append(path)
    with pytest.raises(BriefError) as info:
        merge_manifests(paths)
    assert "'en/a.pdf' (pdf) is in two parts with different contents" in str(info.value)


def merge_in_a_process(*args: str) -> tuple[int, str, str]:
    """`briefing manifest merge` in its own process, so that a hang fails the test instead of freezing it."""
    import subprocess
    import sys
    p = subprocess.run([sys.executable, "-m", "briefing", "manifest", "merge", *args], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def _part(tmp_path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("data,message", [
    # a count of 10**12 made the merge list the missing parts for ever (a hang, then no memory)
    ({"shard": {"index": 1, "count": 10 ** 12}}, "the manifest's 'shard' is not a part K of N (1 <= K <= N <= 10,000)"),
    ({"shard": {"index": [1], "count": 2}}, "the manifest's 'shard' is not a part K of N"),
    ({"shard": {}}, "the manifest's 'shard' is not a part K of N"),
    ({"shard": {"index": 1, "count": "2"}}, "the manifest's 'shard' is not a part K of N"),
    ({"shard": {"index": True, "count": 2}}, "the manifest's 'shard' is not a part K of N"),
    ({"outputs": [1]}, "output 1 of the manifest is not an object"),
    ({"outputs": [{"path": "en/a.pdf", "brief": ["a"]}]}, "output 1 of the manifest: 'brief' is not a text"),
    ({"outputs": [{"path": "../../home/me/.ssh/id_rsa"}]},
     "output 1 of the manifest: its path '../../home/me/.ssh/id_rsa' leads out of the build folder"),
    ({"outputs": [{"path": "/etc/passwd"}]}, "output 1 of the manifest: its path '/etc/passwd' leads out of the build"),
])
def test_a_hostile_part_is_refused_with_its_reason(tmp_path, data, message):
    """A part's manifest comes from another machine: anything but the shape the build writes is
    an error naming the file, never a traceback, a hang or a path out of the build folder."""
    manifest = {"tool": "briefing", "version": "x", "options": {}, "outputs": [], **data}
    path = _part(tmp_path, "m1.json", json.dumps(manifest))
    code, stdout, stderr = merge_in_a_process(str(path), "-o", str(tmp_path / "merged.json"))
    assert code == 1 and f"{path}: error: {message}" in stderr
    assert "Traceback" not in stdout + stderr and not (tmp_path / "merged.json").exists()


def test_mixed_names_and_deep_nesting_are_not_crashes(tmp_path):
    # an output whose brief is missing beside one that has it: sorting them crashed
    mixed = _part(tmp_path, "mixed.json", json.dumps({"tool": "briefing", "outputs": [
        {"path": "a", "brief": None}, {"path": "a", "brief": "x"}]}))
    merged, _ = merge_manifests([mixed])
    assert [o.get("brief") for o in merged["outputs"]] == [None, "x"]
    deep = _part(tmp_path, "deep.json", '{"tool": "briefing", "outputs": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, _, stderr = run_cli("manifest", "merge", str(deep), "-o", str(tmp_path / "m.json"))
    assert code == 1 and f"{deep}: error: not a briefing manifest: it is nested too deeply" in stderr


def test_a_named_pipe_for_a_manifest_does_not_hang(tmp_path):
    import os
    fifo = tmp_path / "manifest.json"
    os.mkfifo(fifo)
    code, _, stderr = merge_in_a_process(str(fifo), "-o", str(tmp_path / "m.json"))
    assert code == 1 and f"{fifo}: error: the manifest is not a regular file" in stderr
