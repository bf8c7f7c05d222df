"""A brief for every recipient: personalised copies in three languages, bad rows named by
row and column, safe and unique file names, and no personal data in the cache or manifest."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from briefing.recipients import load_recipients, privacy_warnings, slugify
from conftest import ROOT, made_once, need, pandoc_text, pdftotext, run_cli, shared_dir

PEOPLE = """\
name,title,organization,language,brief,salutation,ask,committee
Dana Cohen,Member of the Knesset,Knesset,he,deca-role,,Please raise DECA's licensing in the committee.,Foreign Affairs and Defense Committee
Արամ Պետրոսյան,Deputy,National Assembly,hy,deca-role,,,
Jane Smith,Senior Adviser,"Office of MK Levi, Jerusalem",en,deca-role,"Dear Jane,",Ask the ministry for the criteria.,
"""
PERSONAL = ("Dana", "Cohen", "Արամ", "Պետրոսյան", "Jane", "Smith", "Levi", "licensing in the committee")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every recipient's copy, built once per run (shared by the xdist workers; read only)."""
    def make(base: Path) -> None:
        project = base / "p"
        for name in ("briefs", "sources", "locales"):
            shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("*.pot"))
        people = base / "private" / "people.csv"
        people.parent.mkdir()
        people.write_text(PEOPLE, encoding="utf-8")
        code, stdout, stderr = run_cli("build", "--project", str(project), "--recipients", str(people), "--out",
                                       str(base / "out"), "--format", "pdf,docx", "--jobs", "0")
        assert code == 0, stdout + stderr
    base = made_once(shared_dir(tmp_path_factory), "recipients", make)
    return base / "out", base / "private" / "people.csv"


def test_one_copy_per_recipient_in_their_language(built):
    out, _ = built
    folder = out / "recipients"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.*")) == [
        "dana-cohen/deca-role.docx", "dana-cohen/deca-role.pdf", "jane-smith/deca-role.docx",
        "jane-smith/deca-role.pdf", "արամ-պետրոսյան/deca-role.docx", "արամ-պետրոսյան/deca-role.pdf"]
    english = " ".join(pdftotext(folder / "jane-smith" / "deca-role.pdf").split())
    assert "Dear Jane," in english and "Dear Jane Smith" not in english      # her own salutation
    assert "We are writing to you in your capacity as Senior Adviser." in english
    assert "Our request to you" in english.replace("OUR REQUEST TO YOU", "Our request to you")
    assert "Prepared for Jane Smith" in english and "Yours sincerely," in english
    # the cover letter is page 1; the brief's title block starts page 2
    first_page = pdftotext(folder / "jane-smith" / "deca-role.pdf", "-l", "1")
    assert "Office of MK Levi, Jerusalem" in first_page and "Key facts" not in first_page.replace("KEY FACTS", "Key facts")
    hebrew = pdftotext(folder / "dana-cohen" / "deca-role.pdf")
    assert "הוכן עבור" in hebrew and "שלום רב" in hebrew and "בכבוד רב" in hebrew and "Dana Cohen" in hebrew
    assert "נייר המדיניות נוגע ישירות לעבודת ועדתך" in hebrew
    armenian = pdftotext(folder / "արամ-պետրոսյան" / "deca-role.pdf")
    assert "Մեծարգո Արամ Պետրոսյան," in armenian and "Հարգանքով՝" in armenian
    assert "Անհատական օրինակ՝ Արամ Պետրոսյան" in armenian


@pytest.mark.clients
def test_word_copies_carry_the_cover_letter(built):
    out, _ = built
    text = " ".join(pandoc_text(out / "recipients" / "dana-cohen" / "deca-role.docx").split())
    assert "Dana Cohen, שלום רב," in text or "Dana Cohen" in text and "שלום רב" in text
    assert "Please raise DECA's licensing in the committee." in text
    assert "הוכן עבור" in text
    english = " ".join(pandoc_text(out / "recipients" / "jane-smith" / "deca-role.docx").split())
    assert english.index("Dear Jane,") < english.index("Prepared for Jane Smith") < english.index("Summary")


def test_no_personal_data_in_cache_or_manifest(built):
    out, people = built
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    cache = (out / ".briefing-cache.json").read_text(encoding="utf-8")
    raw = (out / "manifest.json").read_text(encoding="utf-8")
    for word in PERSONAL:
        assert word not in raw and word not in cache
    assert "recipients/" not in cache
    import hashlib
    assert manifest["recipients"] == {"sha256": hashlib.sha256(people.read_bytes()).hexdigest()}
    entries = manifest["outputs"]
    assert len(entries) == 6 and all("path" not in e and len(e["recipient"]) == 64 for e in entries)
    assert {e["language"] for e in entries} == {"en", "he", "hy"}
    pdf = out / "recipients" / "jane-smith" / "deca-role.pdf"
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() in {e["sha256"] for e in entries}


def test_bad_rows_are_named_by_row_and_column(tiny_project, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("name,role,language,brief\n"
                      "Dana Cohen,MK,fr,good\n"
                      "Jane Smith,Adviser,,good\n"
                      "Aram,Deputy,en,god\n"
                      "Levi,MK,he,good\n"
                      ",Staff,en,good\n"
                      "Sam,Staff,en,\n", encoding="utf-8")
    code, stdout, stderr = run_cli("build", "--project", str(tiny_project), "--recipients", str(people),
                                   "--out", str(tmp_path / "o"), "--format", "docx", "--jobs", "0")
    assert code == 1
    shown = str(people)
    assert f"{shown}:2:15: error: row 1, column 'language': unknown language 'fr'" in stderr
    assert f"{shown}:3:20: error: row 2, column 'language': missing language" in stderr
    assert f"{shown}:4:16: error: row 3, column 'brief': unknown brief 'god'\n  hint: did you mean 'good'?" in stderr
    assert f"{shown}:5:9: error: row 4, column 'language': the brief 'good' is not made in 'he' (its languages: en)" \
        in stderr
    assert f"{shown}:6:1: error: row 5, column 'name': the name is empty" in stderr
    assert f"{shown}:7:14: error: row 6, column 'brief': missing brief" in stderr
    assert "Traceback" not in stderr and not (tmp_path / "o" / "recipients").exists()


def test_unknown_column_and_yaml_rows(tiny_project, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("name,langauge,brief\nDana,en,good\n", encoding="utf-8")
    code, _, stderr = run_cli("build", "--project", str(tiny_project), "--recipients", str(people), "--jobs", "0")
    assert code == 1 and f"{people}:1:6: error: unknown column 'langauge'\n  hint: did you mean 'language'?" in stderr
    yaml_file = tmp_path / "people.yaml"
    yaml_file.write_text("recipients:\n"
                         "  - name: Dana Cohen\n    language: en\n    briefs: [good]\n    committee: Finance\n"
                         "  - name: Dana Cohen\n    language: en\n    brief: good\n"
                         "  - name: Jane\n    language: xx\n    brief: good\n", encoding="utf-8")
    with pytest.raises(Exception) as info:
        load_recipients(yaml_file, "people.yaml", {"good": ["en"]})
    assert [p.format() for p in info.value.problems] == [
        "people.yaml:10:15: error: row 3, field 'language': unknown language 'xx'\n  hint: supported: en, he, hy"]
    yaml_file.write_text(yaml_file.read_text().replace("xx", "en"))
    people_ = load_recipients(yaml_file, "people.yaml", {"good": ["en"]})
    assert [(p.slug, p.briefs, p.committee) for p in people_] == [
        ("dana-cohen", ("good",), "Finance"), ("dana-cohen-2", ("good",), ""), ("jane", ("good",), "")]
    assert len({p.key for p in people_}) == 3


def test_safe_slugs():
    assert slugify("Dana  Cohen") == "dana-cohen"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("Ռուբեն Մուրադյան") == "ռուբեն-մուրադյան"
    assert slugify("דָּנָה כֹּהֵן") == "דנה-כהן"   # vowel points dropped
    assert slugify("Con") == "con-1" and slugify("...") == ""
    assert "/" not in slugify("a/b\\c:d*e?f") and "." not in slugify("J. R. R. Tolkien")


def test_recipients_file_must_be_ignored_by_git(tmp_path):
    need("git")
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    people = repo / "people.csv"
    people.write_text("name,language,brief\n", encoding="utf-8")
    warnings = privacy_warnings(people, "people.csv")
    assert [(w.severity, w.message) for w in warnings] == [
        ("warning", "the recipients file (personal data) is not ignored by git")]
    (repo / ".gitignore").write_text("people.csv\n")
    assert privacy_warnings(people, "people.csv") == []
    outside = tmp_path / "elsewhere.csv"   # not in a repository
    outside.write_text("name,language,brief\n", encoding="utf-8")
    assert privacy_warnings(outside, str(outside)) == []


class _CountingText(str):
    """The file's text, counting how often it is split into lines."""

    splits = 0

    def splitlines(self, *args, **kwargs):
        type(self).splits += 1
        return super().splitlines(*args, **kwargs)


def test_reading_many_rows_is_linear():
    """A 5 MB file of 100,000 rows took hours: the text was split into lines once per row."""
    from briefing.recipients import _csv_rows
    _CountingText.splits = 0
    rows = "".join(f"Person {i},en,good\n" for i in range(2000))
    text = _CountingText("name,language,brief\n" + rows)
    out = _csv_rows(text, "people.csv")
    assert len(out) == 2000 and out[-1][1]["name"][0] == "Person 1999"
    assert _CountingText.splits <= 1


@pytest.mark.parametrize("cell,message", [
    ("Dana\x00Cohen", "row 1, column 'name': contains the control character U+0000 at character 5"),
    ("Dana \x1b[2JCohen", "row 1, column 'name': contains the control character U+001B at character 6"),
    ("Dana\x0bCohen", "row 1, column 'name': contains the control character U+000B at character 5"),
])
def test_control_characters_in_a_row_are_refused_not_a_crash(tiny_project, tmp_path, cell, message):
    """A NUL or an escape in a name crashed the Word writer (an 'internal error' per copy)."""
    people = tmp_path / "people.csv"
    people.write_text(f"name,language,brief\n{cell},en,good\n", encoding="utf-8")
    code, _, stderr = run_cli("build", "--project", str(tiny_project), "--recipients", str(people),
                              "--out", str(tmp_path / "o"), "--format", "docx", "--jobs", "0")
    assert code == 1 and f"{people}:2:1: error: {message}" in stderr
    assert "internal error" not in stderr and "Traceback" not in stderr and "\x1b" not in stderr
    assert not (tmp_path / "o" / "recipients").exists()


def test_a_cell_too_large_for_the_csv_module_is_an_error_at_its_line(tiny_project, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text('name,language,brief\nDana,en,good\n"' + "x" * 200_000 + '",en,good\n', encoding="utf-8")
    code, _, stderr = run_cli("build", "--project", str(tiny_project), "--recipients", str(people),
                              "--out", str(tmp_path / "o"), "--format", "docx", "--jobs", "0")
    assert code == 1 and f"{people}:3: error: cannot read this CSV row: field larger than field limit" in stderr
    assert "Traceback" not in stderr
