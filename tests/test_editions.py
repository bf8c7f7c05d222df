"""Editions: `briefing diff` against a git tag and an earlier build folder (summary, Word
redline read by pandoc and LibreOffice, marked PDF, translations that have not caught
up), and the edition named in the manifest."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import FIXTURES, ROOT, made_once, need, pdftotext, run_cli, shared_dir, soffice_pdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OLD_SECTION = """  - id: history
    heading: A short history of the trade
    arguments:
      - claim: The trade grew after 2008.
        evidence:
          - Deliveries rose in the following years [@hrw-2020, p. 7].
"""
NEW_SECTION = """  - id: oversight
    heading: What parliamentary oversight could add
    arguments:
      - claim: A committee could review licences for countries at war.
        evidence:
          - Other parliaments review arms export licences after the fact [@hrw-2020].
"""
HEBREW = "בעברית: "   # a stand-in translation that keeps every placeholder, citation and number


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           *args], capture_output=True, text=True, check=True).stdout.strip()


def commit_and_tag(repo: Path) -> Path:
    need("git")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "first edition")
    git(repo, "tag", "edition-1")
    return repo


def translate_all(po: Path) -> None:
    """Fill every empty msgstr of a fresh catalog (no fuzzy entries there)."""
    from babel.messages.pofile import normalize, read_po
    with open(po, "rb") as fh:
        catalog = read_po(fh)
    entries = po.read_text(encoding="utf-8").split("\n\n")
    for i, entry in enumerate(entries):
        m = re.search(r'^msgid ((?:".*"\n)+)msgstr ""$', entry, re.M)
        if m and m.group(1) != '""\n':
            ctx = re.search(r'^msgctxt "(.*)"', entry, re.M).group(1)
            msgid = next(msg.id for msg in catalog if msg.context == ctx)
            entries[i] = entry[:m.end(1)] + "msgstr " + normalize(HEBREW + msgid, width=76)
    po.write_text("\n\n".join(entries), encoding="utf-8")


def make_project(dest: Path) -> Path:
    """The fixture brief in English and Hebrew, with a second section and a full Hebrew catalog."""
    shutil.copytree(FIXTURES / "project", dest)
    brief = dest / "briefs" / "good.yaml"
    text = brief.read_text(encoding="utf-8").replace("languages: [en]", "languages: [en, he]")
    brief.write_text(text.replace("\nquotes:", "\n" + OLD_SECTION + "quotes:", 1), encoding="utf-8")
    (dest / "locales" / "he" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(ROOT / "locales" / "he" / "LC_MESSAGES" / "template.po", dest / "locales" / "he" / "LC_MESSAGES")
    assert run_cli("translate", "update", "--project", str(dest), "--lang", "he")[0] == 0
    translate_all(dest / "locales" / "he" / "LC_MESSAGES" / "good.po")
    return dest


def edit(repo: Path) -> None:
    """A sentence edited, a fact changed, a section removed, a section added."""
    path = repo / "briefs" / "good.yaml"
    text = path.read_text(encoding="utf-8")
    changes = [("major arms imports", "major weapons imports"), ("value: 0.69", "value: 0.71"),
               (OLD_SECTION, NEW_SECTION)]
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """A git repository of the project, tagged edition-1, then edited; and the diff's run.
    Made once per run (shared by the xdist workers): tests read it, or edit a copy."""
    def make(base: Path) -> None:
        repo = commit_and_tag(make_project(base / "repo"))
        code, stdout, stderr = run_cli("diff", "edition-1", "--project", str(repo), "--no-files")
        assert code == 0 and "good [en]: no changes" in stdout and "good [he]: no changes" in stdout, stdout + stderr
        edit(repo)
        code, stdout, stderr = run_cli("diff", "edition-1", "--project", str(repo), "--out", str(base / "diff"),
                                       "--author", "Review Desk")
        assert code == 0, stdout + stderr
        (base / "diff-stdout.txt").write_text(stdout, encoding="utf-8")
    base = made_once(shared_dir(tmp_path_factory), "editions", make)
    return base / "repo", base / "diff", (base / "diff-stdout.txt").read_text(encoding="utf-8")


def test_summary_names_sections_facts_notes_and_edits(edited):
    _repo, _out, stdout = edited
    english = stdout[stdout.index("good [en]"):stdout.index("good [he]")]
    assert "changes since edition-1" in english
    assert re.search(r"- 2\. A short history of the trade \(removed\)", english)
    assert re.search(r"\+ 2\. What parliamentary oversight could add \(added\)", english)
    assert "~ 1. Supply" not in english          # an unchanged section is not listed
    assert "Share of imports: 69% -> 71%" in english
    assert "~ summary: Israel supplied [-69%-] {+71%+} of Azerbaijan’s major [-arms-] {+weapons+} imports" in english
    # a note's text changed (its page): the new note, and the old one
    assert "notes:\n    + Human Rights Watch, “Cluster Munitions Used.”\n" \
           "    - Human Rights Watch, “Cluster Munitions Used,” p. 7." in english
    hebrew = stdout[stdout.index("good [he]"):]
    assert "69% -> 71%" in hebrew and "(removed)" in hebrew and "(added)" in hebrew


def test_translations_not_caught_up(edited):
    _repo, _out, stdout = edited
    part = stdout[stdout.index("translations of good"):]
    assert "4 string(s) whose English changed since edition-1; 4 translation(s) not caught up" in part
    assert re.search(r"summary\.1: .*\[-arms-\] \{\+weapons\+\}.*\n\s+he: the catalog still has the previous "
                     r"English: run 'briefing translate update'", part)
    assert re.search(r"sections\.oversight\.heading: new: \"What parliamentary oversight could add\"\n\s+he: "
                     r"not translated", part)


def test_translation_catches_up(edited, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(edited[0], repo)
    assert run_cli("translate", "update", "--project", str(repo), "--lang", "he")[0] == 0
    code, stdout, _ = run_cli("diff", "edition-1", "--project", str(repo), "--lang", "he", "--no-files")
    assert code == 0
    assert re.search(r"summary\.1: .*\n\s+he: fuzzy", stdout)
    # the translator reviews the entry: new wording, fuzzy mark cleared
    po = repo / "locales" / "he" / "LC_MESSAGES" / "good.po"
    entries = po.read_text(encoding="utf-8").split("\n\n")
    i = next(i for i, e in enumerate(entries) if 'msgctxt "summary.1"' in e)
    assert "#, fuzzy" in entries[i] and "arms imports" in entries[i]
    entries[i] = "\n".join(line for line in entries[i].splitlines() if not line.startswith(("#|", "#, fuzzy")))
    entries[i] = entries[i].replace("arms imports", "weapons imports")
    po.write_text("\n\n".join(entries), encoding="utf-8")
    code, stdout, _ = run_cli("diff", "edition-1", "--project", str(repo), "--lang", "he", "--no-files")
    assert re.search(r"summary\.1: .*\n\s+he: translated since", stdout), stdout


def _xml(docx_path: Path, part: str = "word/document.xml"):
    with zipfile.ZipFile(docx_path) as z:
        return etree.fromstring(z.read(part))


def test_redline_has_real_tracked_changes(edited):
    _repo, out, _ = edited
    root = _xml(out / "en" / "good.redline.docx")
    marks = root.findall(f".//{W}ins") + root.findall(f".//{W}del")
    assert marks
    ids = [m.get(f"{W}id") for m in marks]
    assert len(ids) == len(set(ids)), "every change has its own id"
    assert {m.get(f"{W}author") for m in marks} == {"Review Desk"}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m.get(f"{W}date")) for m in marks)
    inserted = " ".join(t.text for m in root.iter(f"{W}ins") for t in m.iter(f"{W}t"))
    deleted = " ".join(t.text for m in root.iter(f"{W}del") for t in m.iter(f"{W}delText"))
    assert not [t for m in root.iter(f"{W}del") for t in m.iter(f"{W}t")], "deleted runs hold w:delText"
    assert "weapons" in inserted and "71%" in inserted and "What parliamentary oversight could add" in inserted
    assert "arms" in deleted and "69%" in deleted and "A short history of the trade" in deleted
    # a removed paragraph's mark is deleted too (accepting the changes removes it)
    para_marks = root.findall(f".//{W}pPr/{W}rPr/{W}del")
    assert len(para_marks) >= 3
    # schema order: in a paragraph mark's properties the revision mark comes first
    for rpr in root.iter(f"{W}rPr"):
        names = [etree.QName(c).localname for c in rpr]
        if "del" in names or "ins" in names:
            assert names[0] in ("ins", "del")


@pytest.mark.clients
def test_pandoc_accepts_and_rejects_the_redline(edited):
    need("pandoc")
    _repo, out, _ = edited
    path = out / "en" / "good.redline.docx"

    def read(mode: str) -> str:
        return subprocess.run(["pandoc", f"--track-changes={mode}", "-f", "docx", "-t", "markdown", "--wrap=none",
                               str(path)], capture_output=True, text=True, check=True).stdout

    every = read("all")
    assert re.search(r"\[arms\]\{\.deletion author=\"Review Desk\" date=\"[^\"]+\"\}"
                     r"\[weapons\]\{\.insertion author=\"Review Desk\"", every)
    assert "{.paragraph-deletion" in every and "{.paragraph-insertion" in every
    accepted, rejected = read("accept"), read("reject")
    assert "major weapons imports" in accepted and "major arms imports" not in accepted
    assert "major arms imports" in rejected and "major weapons imports" not in rejected
    assert "What parliamentary oversight could add" in accepted and \
        "What parliamentary oversight could add" not in rejected
    assert "A short history of the trade" in rejected and "A short history of the trade" not in accepted
    assert "supplied 71%" in accepted and "supplied 69%" in rejected


@pytest.mark.clients
def test_libreoffice_opens_the_redline(edited, tmp_path):
    _repo, out, _ = edited
    text = " ".join(pdftotext(soffice_pdf(out / "en" / "good.redline.docx", tmp_path)).split())
    # LibreOffice shows both sides of each change (struck through and underlined)
    assert re.search(r"major arms ?weapons imports", text)
    assert "What parliamentary oversight could add" in text and "A short history of the trade" in text


def test_marked_pdf_highlights_and_legend(edited):
    pdfplumber = pytest.importorskip("pdfplumber")
    _repo, out, _ = edited
    text = pdftotext(out / "en" / "good.changes.pdf")
    flat = " ".join(text.split())
    assert "Changes since edition-1: new text is highlighted, removed text is struck through." in flat
    assert "What parliamentary oversight could add" in flat and "A short history of the trade" in flat
    assert re.search(r"major arms ?weapons imports", flat)  # the removed word kept (struck through), then the new one
    with pdfplumber.open(out / "en" / "good.changes.pdf") as pdf:
        fills = [tuple(round(c, 2) for c in r.get("non_stroking_color") or ()) for p in pdf.pages for r in p.rects]
    assert (1.0, 0.94, 0.65) in fills, "inserted text is highlighted"
    assert (0.7, 0.15, 0.12) in fills, "changed paragraphs have a change bar"
    hebrew = pdftotext(out / "he" / "good.changes.pdf")
    assert "שינויים לעומת" in hebrew


def test_diff_against_an_earlier_build_folder_and_the_edition_in_manifests(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "project", repo)
    commit_and_tag(repo)
    first = tmp_path / "edition-1"
    code, stdout, stderr = run_cli("build", "--project", str(repo), "--format", "json", "--out", str(first),
                                   "--jobs", "0")
    assert code == 0, stdout + stderr
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["edition"] == {"tag": "edition-1", "commit": git(repo, "rev-parse", "HEAD"), "dirty": False}
    brief = repo / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("value: 0.69", "value: 0.71").replace("An objection.",
                                                                                      "A stronger objection."))
    code, stdout, stderr = run_cli("diff", str(first), "--project", str(repo), "--no-files")
    assert code == 0, stdout + stderr
    assert "good [en]: changes since edition-1" in stdout
    assert "Share of imports: 69% -> 71%" in stdout
    assert "~ [-An-] {+A stronger+} objection." in stdout
    assert "compare with a git ref" in stdout  # a build folder keeps no English strings
    # committed but not tagged: the manifest names the commit
    git(repo, "commit", "-qam", "second")
    second = tmp_path / "second"
    assert run_cli("build", "--project", str(repo), "--format", "json", "--out", str(second), "--jobs", "0")[0] == 0
    manifest = json.loads((second / "manifest.json").read_text())
    assert manifest["edition"] == {"commit": git(repo, "rev-parse", "HEAD"), "dirty": False}


def test_diff_errors_name_the_ref(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "project", repo)
    commit_and_tag(repo)
    code, _, stderr = run_cli("diff", "edition-9", "--project", str(repo))
    assert code == 1 and "error: unknown git ref 'edition-9'" in stderr and "tags: edition-1" in stderr
    empty = tmp_path / "not-a-build"
    empty.mkdir()
    code, _, stderr = run_cli("diff", str(empty), "--project", str(repo))
    assert code == 1 and "is a folder without manifest.json" in stderr
    assert "Traceback" not in stderr


# --- an earlier build folder is untrusted (downloaded, another machine's) ---------------------------

@pytest.fixture
def earlier(tmp_path):
    """A project and a JSON build of it (the 'earlier edition'), to be tampered with."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "project", repo)
    first = tmp_path / "edition-1"
    code, stdout, stderr = run_cli("build", "--project", str(repo), "--format", "json", "--out", str(first),
                                   "--jobs", "0")
    assert code == 0, stdout + stderr
    return repo, first


def _tamper(first: Path, change) -> Path:
    path = first / "en" / "good.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    return path


def _removed_section(heading: list) -> dict:
    return {"role": "section", "number": 9, "id": "gone", "heading": heading, "intro": None, "children": []}


@pytest.mark.parametrize("heading,field,message", [
    ([{"t": "Link", "href": "javascript:alert(1)", "c": [{"t": "Str", "text": "x"}]}], None,
     "a link to 'javascript:alert(1)': only http(s), mailto and #anchor links are allowed"),
    ([{"t": "Span", "dir": 'ltr" onload="x', "class": None, "c": []}], None,
     "a span's direction is not ltr, rtl or auto: 'ltr\" onload=\"x'"),
    ([{"t": "Span", "dir": None, "class": 'a" style="x', "c": []}], None, "a span's class is not a plain word"),
    ([{"t": "Str", "text": "bad \x01 text"}], None, "a text holds the control character U+0001"),
    ([{"t": "Note", "n": "1e9", "c": []}], None, "a note's number is not a whole number"),
    ([{"t": "Str", "text": "x"}], ("id", [1, 2]), "a text field is not a text"),
    ([{"t": "Str", "text": "x"}], ("number", 10 ** 300), "a number field is not a whole number (up to 1,000,000)"),
    ([json.loads('{"t": "Emph", "c": [' * 60 + "]}" * 60)], None, "inline content is nested deeper than 40 levels"),
])
def test_a_tampered_earlier_document_is_an_error_not_a_crash_or_a_leak(earlier, heading, field, message):
    """What an earlier build folder holds reached the writers as it was: a removed section's
    unknown types crashed them ('internal error'), a span's direction was written into the
    HTML unescaped, a javascript: link was blamed on the template."""
    repo, first = earlier
    section = _removed_section(heading)
    if field:
        section[field[0]] = field[1]
    shown = _tamper(first, lambda d: d["blocks"].append(section))
    code, stdout, stderr = run_cli("diff", str(first), "--project", str(repo), "--out", str(repo / "d"))
    assert code == 1
    assert f"{shown}: error: cannot read the earlier build's document: {message}" in stderr
    assert "internal error" not in stdout + stderr and "Traceback" not in stdout + stderr
    assert not (repo / "d" / "en").exists()


@pytest.mark.parametrize("manifest,message", [
    ({"tool": "briefing", "outputs": [{"brief": "good", "language": "en", "layout": "brief", "status": "built",
                                       "format": "json", "path": 5}]}, "output 1 of the manifest: 'path' is not a text"),
    ({"tool": "briefing", "outputs": [{"brief": "good", "language": "en", "layout": "brief", "status": "built",
                                       "format": "json", "path": "../../repo/briefs/good.yaml"}]},
     "output 1 of the manifest: its path '../../repo/briefs/good.yaml' leads out of the build folder"),
    ('{"tool": "briefing", "outputs": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "not a briefing manifest: it is nested too deeply"),
])
def test_a_tampered_earlier_manifest_is_an_error(earlier, manifest, message):
    repo, first = earlier
    path = first / "manifest.json"
    path.write_text(manifest if isinstance(manifest, str) else json.dumps(manifest))
    code, stdout, stderr = run_cli("diff", str(first), "--project", str(repo), "--no-files")
    assert code == 1 and f"{path}: error: {message}" in stderr
    assert "internal error" not in stdout + stderr


def test_an_earlier_manifest_linking_out_of_its_folder_is_refused(earlier, tmp_path):
    repo, first = earlier
    elsewhere = tmp_path / "elsewhere.json"
    (first / "manifest.json").rename(elsewhere)
    (first / "manifest.json").symlink_to(elsewhere)
    code, _, stderr = run_cli("diff", str(first), "--project", str(repo), "--no-files")
    assert code == 1 and "error: the earlier build's manifest is a link out of its folder" in stderr


def test_an_enormous_earlier_edition_stops_at_the_time_limit(earlier, monkeypatch):
    """20,000 removed points in a 1 MB earlier document: the marked PDF was laid out in the
    command's own process without a limit (hours); now it stops at the build's time limit."""
    import briefing.diff
    monkeypatch.setattr(briefing.diff, "WRITE_TIMEOUT", 3.0)
    repo, first = earlier

    def many(data):
        summary = next(b for b in data["blocks"] if b["role"] == "summary")
        summary["points"] += [[{"t": "Str", "text": f"removed point {i}"}] for i in range(20_000)]
    _tamper(first, many)
    code, stdout, stderr = run_cli("diff", str(first), "--project", str(repo), "--out", str(repo / "d"))
    assert code == 1
    assert "error: the changes of good [en] took longer than 3 s to write, and were not written" in stderr
    assert not (repo / "d" / "en" / "good.changes.pdf").exists()
    # the terminal lists the first changes and counts the rest
    assert stdout.count("removed point") <= 60 and "more (see the redline)" in stdout


def test_a_project_at_a_ref_too_large_to_unpack_is_refused(tmp_path, monkeypatch):
    """git keeps a file of zeros a thousand times smaller than it is: an edition whose tree holds
    one was unpacked whole into memory (500 MB of zeros: 1 GB). Now it is streamed and limited."""
    import briefing.editions
    monkeypatch.setattr(briefing.editions, "MAX_FILE_BYTES", 1_000_000)
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "project", repo)
    (repo / "assets").mkdir(exist_ok=True)
    (repo / "assets" / "zeros.png").write_bytes(bytes(3_000_000))
    commit_and_tag(repo)
    code, stdout, stderr = run_cli("diff", "edition-1", "--project", str(repo), "--no-files")
    assert code == 1
    assert "error: the project at 'edition-1' is too large to compare (over 1 MB in assets/zeros.png" in stderr
    assert "Traceback" not in stdout + stderr
    (repo / "assets" / "zeros.png").unlink()
    git(repo, "commit", "-qam", "no zeros")
    git(repo, "tag", "edition-2")
    code, stdout, stderr = run_cli("diff", "edition-2", "--project", str(repo), "--no-files")
    assert code == 0 and "good [en]: no changes" in stdout, stdout + stderr
