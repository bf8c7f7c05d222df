"""Sources: CSL-JSON/YAML loading, a Zotero export as it comes, and every source error located."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.errors import Report
from briefing.load.sources import load_sources

FIXTURES = Path(__file__).parent / "fixtures"


def load(folder: Path):
    report = Report()
    sources = load_sources(folder, folder, report)
    return sources, report


def test_zotero_export_loads_without_edits():
    sources, report = load(FIXTURES / "zotero")
    assert report.problems == []
    assert len(sources.by_id) == 12
    types = {s.type for s in sources.by_id.values()}
    assert {"article-journal", "article-newspaper", "report", "webpage", "book", "chapter", "legal_case",
            "legislation", "bill", "thesis", "motion_picture", "post-weblog"} == types
    journal = sources["http://zotero.org/users/local/k0nJiE9d/items/VX4Q7J8B"]
    # fields the tool does not use are kept as they are
    assert journal.get("ISSN") == "1234-5678" and journal.get("abstract")
    assert journal.dates["issued"].year == 2021 and journal.dates["issued"].month == 6  # "2021" as a string
    assert journal.url == "https://doi.org/10.1234/jcs.2021.0042"
    assert sources["bill-1"].dates["issued"].literal == "Spring 2022"
    assert sources["ngo-report-2023"].dates["issued"].day == 25  # {"raw": "2023-05-25"}


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def messages(report: Report) -> list[str]:
    return [p.format().split("\n")[0] for p in report.problems]


def test_duplicate_id_names_both_places(tmp_path):
    write(tmp_path, "a.yaml", "- id: sipri\n  title: One\n")
    write(tmp_path, "b.json", '[\n  {"id": "other", "title": "X"},\n  {"id": "sipri", "title": "Two"}\n]\n')
    _, report = load(tmp_path)
    assert messages(report) == ["b.json:3:3: error: source id 'sipri' is defined twice"]
    assert report.problems[0].hint == "it is also defined at a.yaml:1:3; give one of them another id"


@pytest.mark.parametrize("name,text,expected", [
    ("t.yaml", "- id: x\n  type: report\n", "t.yaml:1:3: error: source 'x' has no title"),
    ("t.json", '[\n {"id": "x", "type": "report"}\n]', "t.json:2:2: error: source 'x' has no title"),
    ("t.yaml", "- id: x\n  title: T\n  issued: 2023-02-30\n", "t.yaml:3:11: error: '2023-02-30' is not a real date "
     "(day is out of range for month)"),
    ("t.yaml", "- id: x\n  title: T\n  issued: {date-parts: [[2023, 13]]}\n",
     "t.yaml:3:11: error: source 'x': malformed date in 'issued': {\"date-parts\": [[2023, 13]]}"),
    ("t.json", '[\n {"id": "x", "title": "T",\n  "issued": "May 2023"}\n]',
     "t.json:3:3: error: source 'x': malformed date in 'issued': \"May 2023\""),
    ("t.yaml", "- id: x\n  title: T\n  type: newspaper\n",
     "t.yaml:3:9: error: source 'x': 'newspaper' is not a CSL item type"),
    ("t.json", '[\n {"id": "x", "title": "T",\n "type": "blog"}\n]', "t.json:3:2: error: source 'x': 'blog' is not a CSL item type"),
    ("t.json", '[\n {"id": "x", "title": "T",}\n]', "t.json:2:27: error: JSON syntax error: Expecting property name "
     "enclosed in double quotes"),
    ("t.yaml", "- id: x\n  title: T\n  author: Jane Doe\n", "t.yaml:3:11: error: source 'x': 'author' should be a list of names"),
    ("t.yaml", "- id: x\n  title: T\n  URL: example.org/report\n",
     "t.yaml:3:8: error: source 'x': 'URL' must be a web address starting with https:// or http://"),
    ("t.json", '[\n {"id": "x", "title": "T",\n "archived": "file:///etc/passwd"}\n]',
     "t.json:3:2: error: source 'x': 'archived' must be a web address starting with https:// or http://"),
])
def test_source_errors_are_located(tmp_path, name, text, expected):
    write(tmp_path, name, text)
    _, report = load(tmp_path)
    assert messages(report) == [expected]


def test_one_bad_field_keeps_the_source(tmp_path):
    """The field is reported once; the source stays, so its citations do not fail too."""
    write(tmp_path, "t.yaml", "- id: x\n  title: T\n  type: newspaper\n  issued: 2023-13\n")
    sources, report = load(tmp_path)
    assert "x" in sources and len(report.errors) == 2


def test_type_error_suggests(tmp_path):
    write(tmp_path, "t.yaml", "- id: x\n  title: T\n  type: article-newspapr\n")
    _, report = load(tmp_path)
    assert report.problems[0].hint == "did you mean 'article-newspaper'?"


def test_references_mapping_form(tmp_path):
    write(tmp_path, "refs.yaml", "references:\n  - id: a\n    title: A\n")
    sources, report = load(tmp_path)
    assert "a" in sources and not report.problems


def test_zotero_json_is_valid_json():
    json.loads((FIXTURES / "zotero" / "export.json").read_text())
