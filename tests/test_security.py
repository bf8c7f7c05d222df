"""Untrusted input: no file leaks, no network, no code, no hangs, no tracebacks.

Briefs, translations and templates come from many volunteers. Each trick here must end in
a clear error (or be shown as plain text), never in a leak, a crash or a hang.
"""
from __future__ import annotations

import base64
import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.briefs import check_brief
from briefing.errors import BriefError, Report
from briefing.load.sources import SourceSet
from briefing.load.yamlfile import load_yaml
from briefing.model import Brief
from briefing.validate import validate
from conftest import FIXTURES, ROOT, pdftotext, run_cli


@pytest.fixture
def project(tmp_path) -> Path:
    dest = tmp_path / "p"
    shutil.copytree(FIXTURES / "project", dest)
    shutil.copytree(ROOT / "templates" / "default", dest / "templates" / "evil",
                    ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    return dest


def build(project: Path, *args: str) -> tuple[int, str]:
    code, out, err = run_cli("build", "--project", str(project), "--template", "evil", "--format", "pdf",
                             "--out", str(project / "out"), "--jobs", "0", *args)
    return code, out + err


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# --- the PDF renderer's files ----------------------------------------------------------

@pytest.mark.parametrize("url,reason", [
    ("../../../../../../etc/passwd", "file is outside the template and assets folders"),
    ("%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "paths with '..' are refused"),
    ("..%2f..%2f..%2f..%2f..%2f..%2fetc/passwd", "paths with '..' are refused"),
    ("file:///etc/passwd", "file is outside the template and assets folders"),
    ("http://example.org/track.png", "network access is refused"),
    ("https://example.org/style.css", "network access is refused"),
    ("ftp://example.org/x", "network access is refused"),
    ("missing-image.png", "file not found"),
])
def test_template_resources_are_confined(project, url, reason):
    append(project / "templates" / "evil" / "style.css", f'\n.trick {{ background: url("{url}"); }}\n')
    html = project / "templates" / "evil" / "document.html"
    html.write_text(html.read_text().replace("<body", '<div class="trick">x</div><body', 1))
    code, out = build(project)
    assert code == 1
    assert f"resource refused ({reason}" in out
    assert "Traceback" not in out and not (project / "out" / "en" / "good.pdf").exists()


def test_symlink_out_of_the_template_folder_is_refused(project):
    (project / "templates" / "evil" / "innocent.css").symlink_to("/etc/passwd")
    head = project / "templates" / "evil" / "head.html"
    head.write_text(head.read_text().replace("</head>", '<link rel="stylesheet" href="innocent.css"></head>'))
    assert "innocent.css" in head.read_text()
    code, out = build(project)
    assert code == 1 and "file is outside the template and assets folders" in out


def test_large_data_url_is_refused_small_one_and_assets_work(project):
    html = project / "templates" / "evil" / "document.html"
    big = base64.b64encode(b"\0" * 3_000_000).decode()
    original = html.read_text()
    html.write_text(original.replace("<body", f'<img src="data:image/png;base64,{big}"><body', 1))
    code, out = build(project)
    assert code == 1 and "data: URL larger than" in out
    # an image in assets/ through briefing.toml, and a small data: URL, are fine
    (project / "assets").mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "logo.svg", project / "assets" / "logo.svg")
    (project / "briefing.toml").write_text('[organization]\nname = "Test Org"\nlogo = "assets/logo.svg"\n')
    html.write_text(original)
    code, out = build(project)
    assert code == 0, out


# --- the templates' code ---------------------------------------------------------------

@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ doc|attr('__class__') }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(doc) }}",
    "{{ '{x.__class__}'.format_map({'x': doc}) }}",
    "{{ doc.word.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
])
def test_sandbox_stops_escape_payloads(project, payload):
    html = project / "templates" / "evil" / "document.html"
    lines = html.read_text().split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("<body"))
    lines.insert(at + 1, payload)
    html.write_text("\n".join(lines))
    code, out = build(project)
    assert code == 1
    assert f"templates/evil/document.html:{at + 2}: error: template" in out, out
    assert "Traceback" not in out


def test_template_cannot_include_files_outside_its_folder(project):
    html = project / "templates" / "evil" / "document.html"
    append(html, '{% include "../../../../etc/passwd" %}')
    code, out = build(project)
    assert code == 1 and "template error" in out and "root:" not in out


def test_template_output_is_bounded(project):
    html = project / "templates" / "evil" / "document.html"
    append(html, "{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxx{% endfor %}{% endfor %}")
    code, out = build(project)
    assert code == 1 and "template output is larger than" in out


def test_template_syntax_error_has_its_line(project):
    html = project / "templates" / "evil" / "document.html"
    lines = html.read_text().split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("<body"))
    lines[at] = "{% if %}"
    html.write_text("\n".join(lines))
    code, out = build(project)
    assert code == 1 and f"templates/evil/document.html:{at + 1}: error: template syntax error" in out


# --- text is text ------------------------------------------------------------------------

def test_markup_in_briefs_is_shown_not_run(project):
    brief = project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("title: A good brief",
                                               "title: 'A <img src=\"file:///etc/passwd\"> & <script>x</script>'"))
    code, out, err = run_cli("build", "--project", str(project), "--format", "pdf,docx,html",
                             "--out", str(project / "out"), "--jobs", "0")
    assert code == 0, out + err
    html = (project / "out" / "en" / "good.html").read_text()
    assert "&lt;img src=“file:///etc/passwd”&gt;" in html and "<script>" not in html and "<img src=\"file" not in html
    assert "<img src=“file:///etc/passwd”> & <script>x</script>" in pdftotext(project / "out" / "en" / "good.pdf").replace("\n", "")
    with zipfile.ZipFile(project / "out" / "en" / "good.docx") as z:
        assert "&lt;img src=“file:///etc/passwd”&gt; &amp; &lt;script&gt;" in z.read("word/document.xml").decode()


# --- a user's reference .docx ------------------------------------------------------------

def reference(project: Path, data: bytes) -> None:
    (project / "templates" / "evil" / "reference.docx").write_bytes(data)


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("make,message", [
    (lambda: b"not a zip at all", "reference document is not a .docx (zip) file"),
    (lambda: b"PK" + os.urandom(11_000_000), "reference document is too large"),
    (lambda: zip_bytes({f"f{i}.xml": b"<a/>" for i in range(600)}), "reference document has too many parts"),
    (lambda: zip_bytes({"word/document.xml": b"\0" * 120_000_000}), "(a zip bomb?)"),
    (lambda: zip_bytes({"word/styles.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'}),
     "declares XML entities"),
])
def test_reference_docx_limits(project, make, message):
    reference(project, make())
    code, out, err = run_cli("build", "--project", str(project), "--template", "evil", "--format", "docx",
                             "--out", str(project / "out"), "--jobs", "0")
    assert code == 1 and message in out + err and "Traceback" not in out + err


# --- rendering limits --------------------------------------------------------------------

def test_enormous_font_size_ends_quickly(project):
    append(project / "templates" / "evil" / "style.css", "\nhtml { font-size: 50000pt !important; }\n")
    code, out = build(project, "--timeout", "60")
    assert code in (0, 1) and "Traceback" not in out
    if code == 1:
        assert "rendering took longer" in out or "pages" in out


# --- property: the loader accepts or explains, never crashes ----------------------------

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
                    st.dates())
KEYS = st.sampled_from(["id", "title", "audience", "date", "languages", "summary", "sections", "facts", "heading",
                        "arguments", "claim", "evidence", "objection", "response", "quotes", "text", "speaker",
                        "source", "value", "format", "label", "x", "paper", "recommendations", "to", "ask"])
TREES = st.recursive(SCALARS, lambda children: st.one_of(st.lists(children, max_size=4),
                                                         st.dictionaries(KEYS, children, max_size=6)), max_leaves=30)


def load_and_check(text: str) -> None:
    try:
        doc = load_yaml(Path("briefs/x.yaml"), "briefs/x.yaml", text=text)
        report = Report()
        brief = validate(doc, Brief, report)
        if brief is not None:
            check_brief(brief, doc, Path("briefs/x.yaml"), SourceSet(), report)
    except BriefError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_any_text_is_accepted_or_explained(text):
    load_and_check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_any_yaml_tree_is_accepted_or_explained(tree):
    load_and_check(yaml.safe_dump(tree, allow_unicode=True))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(KEYS, TREES, max_size=8))
def test_brief_shaped_trees(tree):
    base = {"id": "x", "title": "T", "audience": "A", "date": "2024-01-01", "summary": ["S"],
            "sections": [{"heading": "H", "arguments": [{"claim": "C", "evidence": ["E"]}]}]}
    base.update(tree)
    load_and_check(yaml.safe_dump(base, allow_unicode=True, default_flow_style=False))
