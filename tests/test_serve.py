"""`briefing serve`, in-process with Starlette's test client: the index, previews, PDFs and
Word files, errors on the page, the one write (a translation) with and without its token,
and the safety rules (Host, CORS, confined files, escaping).

The project is a copy of the sample brief deca-role (en, he, hy) with its catalogs; the
watcher is off here (tests/test_serve_browser.py drives the real server and its watcher),
so tests tell the server what changed, as the watcher would.
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from briefing.i18n.catalogs import read_catalog
from briefing.i18n.poedit import entries, set_translation
from briefing.serve.app import create_app, host_name
from briefing.serve.state import Previews, affects
from conftest import ROOT, need, run_cli

BASE = "http://127.0.0.1:8000"
PO = "locales/he/LC_MESSAGES/deca-role.po"


SNAPSHOT = ROOT / "tests" / "fixtures" / "serve-project"


def sample_project(dest: Path) -> Path:
    """A snapshot of one sample brief (deca-role) with its shared facts, sources, catalogs,
    settings and assets: frozen, so that editing the samples' content does not move these tests."""
    shutil.copytree(SNAPSHOT, dest)
    return dest


@pytest.fixture
def project(tmp_path) -> Path:
    return sample_project(tmp_path / "project")


@pytest.fixture
def server(project):
    previews = Previews(project, follow=False)
    app = create_app(previews, host="127.0.0.1", port=8000, watch=False)
    with TestClient(app, base_url=BASE) as client:
        client.previews = previews
        client.token = app.state.token
        client.project = project
        yield client


def token_of(page: str) -> str:
    return re.search(r'<meta name="briefing-token" content="([^"]+)"', page).group(1)


def texts_of(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="b-texts">(.*?)</script>', page, re.S).group(1))


def span_text(page: str, ctx: str) -> str:
    """The visible text of the span carrying a msgctxt."""
    m = re.search(r'<span data-ctx="%s" class="([^"]*)"[^>]*>(.*?)</span>' % re.escape(html.escape(ctx)), page, re.S)
    assert m, f"no span for {ctx}"
    return m.group(1), html.unescape(re.sub(r"<[^>]+>", "", m.group(2)))


def save(client, body: dict, token: str | None = "right", **headers):
    if token == "right":
        token = client.token
    if token is not None:
        headers["x-briefing-token"] = token
    return client.post("/api/translation", content=json.dumps(body), headers={"content-type": "application/json",
                                                                                 **headers})


# --- pages ---------------------------------------------------------------------------------------

def test_index_lists_every_document_with_state_and_progress(server):
    page = server.get("/").text
    for lang in ("en", "he", "hy"):
        for layout in ("brief", "leave-behind"):
            row = re.search(rf'<tr data-key="{lang}/deca-role/{layout}">(.*?)</tr>', page, re.S).group(1)
            assert "built" in row
            query = "" if layout == "brief" else "?layout=leave-behind"
            assert f'href="/{lang}/deca-role/{query}"' in row
            name = "deca-role" + ("" if layout == "brief" else ".leave-behind")
            assert f'href="/{lang}/{name}.pdf"' in row and f'href="/{lang}/{name}.docx"' in row
    # progress per language, counted as `translate status` counts
    code, out, _ = run_cli("translate", "status", "--json", "--project", str(server.project))
    status = {(r["brief"], r["language"]): r for r in json.loads(out)}
    he = status[("deca-role", "he")]
    assert f"{he['translated']}/{he['total']} translated" in page
    assert "Hebrew (he)" in page and "Armenian (hy)" in page


def test_hebrew_preview_is_the_html_writers_page_with_every_text_marked(server):
    response = server.get("/he/deca-role/")
    assert response.status_code == 200
    page = response.text
    assert re.search(r'<html lang="he" dir="rtl">', page)
    # the same page the PDF is made from: the HTML writer's output, annotated
    session = server.previews.session
    composed = session.composed("deca-role", "he", annotate=True)
    shown = {ctx for _msgid, ctx in composed.shown}
    marked = {html.unescape(c) for c in re.findall(r'<span data-ctx="([^"]*)"', page)}
    assert shown and shown == marked
    texts = texts_of(page)
    info = texts["summary.1"]
    assert info["msgid"].startswith("Since {deca_since}, the Defense Export Controls Agency")
    assert info["state"] == "translated" and info["po"] == PO
    po_lines = (server.project / PO).read_text(encoding="utf-8").splitlines()
    assert po_lines[info["line"] - 1].startswith("msgid") and 'msgctxt "summary.1"' in po_lines[info["line"] - 2]
    assert info["source"].startswith("briefs/deca-role.yaml:")
    cls, text = span_text(page, "title")
    assert "b-translated" in cls and "הייצוא" in text
    # the tool's script and stylesheet, the session token, the document's version
    assert '<script src="/_briefing/preview.js" defer></script>' in page
    assert token_of(page) == server.token
    assert re.search(r'<meta name="briefing-version" content="\d+">', page)


@pytest.mark.parametrize("lang", ["en", "he", "hy"])
def test_annotations_are_only_in_the_preview(project, lang):
    """Normal builds carry no msgctxt; the annotated document reads the same, text for text."""
    import briefing
    session = briefing.open_project(project)
    for layout in ("brief", "leave-behind"):
        plain = session.composed("deca-role", lang, layout=layout).document
        annotated = session.composed("deca-role", lang, layout=layout, annotate=True).document
        plain_html = session.write(plain, "html").decode()
        annotated_html = session.write(annotated, "html").decode()
        assert "data-ctx" not in plain_html and '"ctx"' not in session.write(plain, "json").decode()
        assert annotated_html.count("data-ctx") >= 14
        visible = lambda page: re.sub(r"<[^>]+>", "", page)
        assert visible(annotated_html) == visible(plain_html)


def entry(text: str, ctx: str) -> re.Match:
    """The (non-obsolete) entry of a msgctxt in a .po file: its comments, flags and strings."""
    m = re.search(r'(?m)^((?:#[:.] .*\n)*)((?:#, .*\n)?)(msgctxt "%s"\n(?:msgid .*\n(?:".*"\n)*)'
                  r'msgstr )((?:".*"\n?)+)' % re.escape(ctx), text)
    assert m, f"no entry for {ctx}"
    return m


def with_flag(text: str, ctx: str, previous: str | None = None) -> str:
    """Mark an entry fuzzy (keeping its other flags), with a previous English if given."""
    m = entry(text, ctx)
    flags = m.group(2)
    flags = ("#, fuzzy, " + flags[3:]) if flags else "#, fuzzy\n"
    prev = f'#| msgid "{previous}"\n' if previous else ""
    return text[:m.start(2)] + flags + prev + text[m.start(3):]


def test_untranslated_fuzzy_and_invalid_texts_are_marked_with_why(server):
    po = server.project / PO
    text = po.read_text(encoding="utf-8")
    m = entry(text, "audience")                                                                # untranslated
    text = text[:m.start(4)] + '""\n' + text[m.end(4):]
    text = with_flag(text, "title", "What the regulator checks")                             # fuzzy
    m = entry(text, "summary.1")                                                              # broken placeholder
    assert "{deca_since}" in m.group(4)
    text = text[:m.start(4)] + m.group(4).replace("{deca_since}", "{deca_snce}", 1) + text[m.end(4):]
    po.write_text(text, encoding="utf-8")
    server.previews.refresh([PO])
    page = server.get("/he/deca-role/").text
    texts = texts_of(page)
    assert span_text(page, "audience")[0] == "b-t b-untranslated"
    assert span_text(page, "audience")[1] == "Journalists and partner organizations"   # English shown
    assert span_text(page, "title")[0] == "b-t b-fuzzy"
    assert texts["title"]["previous"] == "What the regulator checks"
    assert span_text(page, "summary.1")[0] == "b-t b-invalid"
    assert any("placeholder mismatch" in why for why in texts["summary.1"]["why"])
    assert span_text(page, "summary.2")[0] == "b-t b-translated"
    # the English preview has nothing to translate
    assert texts_of(server.get("/en/deca-role/").text)["title"]["state"] == "source"


def test_pdf_and_word_are_the_build_s_files(server, tmp_path):
    pdf = server.get("/he/deca-role.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    docx = server.get("/he/deca-role.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    out = tmp_path / "out"
    code, stdout, stderr = run_cli("build", "--project", str(server.project), "--lang", "he", "--format", "pdf,docx",
                                   "--out", str(out), "--jobs", "0")
    assert code == 0, stdout + stderr
    assert pdf.content == (out / "he" / "deca-role.pdf").read_bytes()
    assert docx.content == (out / "he" / "deca-role.docx").read_bytes()
    assert server.get("/he/deca-role.leave-behind.docx").content[:2] == b"PK"
    assert server.get("/he/nothing.pdf").status_code == 404
    assert server.get("/xx/deca-role.pdf").status_code == 404
    assert server.get("/he/deca-role.html").status_code == 404


# --- errors on the page ------------------------------------------------------------------------

def test_a_yaml_error_is_shown_where_the_document_would_be_and_the_server_recovers(server):
    brief = server.project / "briefs" / "deca-role.yaml"
    good = brief.read_text(encoding="utf-8")
    brief.write_text(good.replace("audience: Journalists", "audience Journalists\n  bad: [", 1), encoding="utf-8")
    server.previews.refresh(["briefs/deca-role.yaml"])
    for url in ("/he/deca-role/", "/en/deca-role/?layout=leave-behind"):
        page = server.get(url).text
        assert "This document cannot be made" in page
        where = re.search(r'<code class="b-where">(briefs/deca-role\.yaml:\d+:\d+)</code>', page)
        assert where, page
        assert '<span class="b-sev">error:</span>' in page
    index = server.get("/").text
    assert "failing" in index and "briefs/deca-role.yaml:" in index
    pdf = server.get("/he/deca-role.pdf")
    assert pdf.status_code == 422 and "briefs/deca-role.yaml:" in pdf.text
    # fixed: everything is back
    brief.write_text(good, encoding="utf-8")
    server.previews.refresh(["briefs/deca-role.yaml"])
    page = server.get("/he/deca-role/").text
    assert "cannot be made" not in page and 'dir="rtl"' in page
    assert "failing" not in server.get("/").text


def test_a_catalog_error_fails_only_its_language_and_is_located(server):
    versions = server.previews.versions()["docs"]
    po = server.project / PO
    good = po.read_text(encoding="utf-8")
    po.write_text(good.replace('msgstr "עיתונאים וארגונים שותפים"', 'msgstr "עיתונאים וארגונים שותפים'),
                  encoding="utf-8")
    changed = server.previews.refresh([PO])
    assert sorted(changed) == ["he/deca-role/brief", "he/deca-role/leave-behind"]   # only what the file feeds
    after = server.previews.versions()["docs"]
    assert after["en/deca-role/brief"] == versions["en/deca-role/brief"]
    assert after["he/deca-role/brief"] == versions["he/deca-role/brief"] + 1
    page = server.get("/he/deca-role/").text
    line = next(i for i, l in enumerate(po.read_text(encoding="utf-8").splitlines(), 1)
                if l.startswith('msgstr "עיתונאים'))
    assert f'<code class="b-where">{PO}:{line}:8</code>' in page
    assert "unterminated string" in page
    assert "cannot be made" not in server.get("/hy/deca-role/").text


def test_what_a_change_affects():
    key = ("deca-role", "he", "brief")
    assert affects(["briefs/deca-role.yaml"], key) and not affects(["briefs/other.yaml"], key)
    assert affects(["briefs/_shared.yaml"], key)
    assert affects(["locales/he/LC_MESSAGES/template.po"], key)
    assert not affects(["locales/hy/LC_MESSAGES/deca-role.po"], key)
    assert not affects(["locales/deca-role.pot"], key)
    assert affects(["sources/sources.yaml"], key) and affects(["templates/x/style.css"], key)
    assert affects(["assets/logo.svg"], key) and affects(["briefing.toml"], key)


# --- the one write: a translation ----------------------------------------------------------------

def _body(server, ctx="summary.2", msgstr=None, **extra):
    texts = texts_of(server.get("/he/deca-role/").text)
    info = texts[ctx]
    return {"lang": "he", "brief": "deca-role", "ctx": ctx, "msgid": info["msgid"],
            "msgstr": info["translation"] if msgstr is None else msgstr, "expected": info["translation"], **extra}


def test_saving_needs_the_session_token(server):
    po = server.project / PO
    before = po.read_bytes()
    body = _body(server, msgstr="טקסט חדש [@blankspot-2023].")
    for token in (None, "", "not-the-token"):
        response = save(server, body, token=token)
        assert response.status_code == 403 and "token" in response.json()["problems"][0]["message"]
    assert save(server, body, Origin="http://evil.example").status_code == 403
    assert save(server, body, **{"sec-fetch-site": "cross-site"}).status_code == 403
    assert po.read_bytes() == before
    # a form post (what another site could send) is refused too
    response = server.post("/api/translation", data=body, headers={"x-briefing-token": server.token})
    assert response.status_code == 415
    assert po.read_bytes() == before
    # nothing else is writable
    for method in ("put", "delete", "patch"):
        assert getattr(server, method)("/he/deca-role/").status_code == 405
    assert server.post("/he/deca-role/", content=b"x").status_code == 405


def test_saving_a_translation_edits_only_its_entry_and_updates_the_page(server):
    po = server.project / PO
    before = po.read_text(encoding="utf-8").splitlines()
    version = server.previews.versions()["docs"]["he/deca-role/brief"]
    new = "המבחן שלו הוא רק האינטרס של ישראל; שום חוק אינו מחייב לבדוק זכויות אדם [@blankspot-2023]."
    response = save(server, _body(server, msgstr=new))
    assert response.status_code == 200, response.text
    assert response.json()["text"]["translation"] == new and response.json()["text"]["state"] == "translated"
    after = po.read_text(encoding="utf-8").splitlines()
    old_first, old_last = next(e for e in entries(before) if e.key[0] == "summary.2").parts["msgstr"]
    new_first, new_last = next(e for e in entries(after) if e.key[0] == "summary.2").parts["msgstr"]
    # every other line of the file (comments, flags, other entries) is as it was
    assert old_first == new_first
    assert after[:new_first] + after[new_last + 1:] == before[:old_first] + before[old_last + 1:]
    assert after[new_first:new_last + 1] != before[old_first:old_last + 1]
    assert read_catalog(po, PO, "he").catalog.get(_body(server)["msgid"], context="summary.2").string == new
    # the page shows it, with a new version
    assert server.previews.versions()["docs"]["he/deca-role/brief"] > version
    page = server.get("/he/deca-role/").text
    assert "רק האינטרס של ישראל" in span_text(page, "summary.2")[1]
    # the catalogs still pass `translate check`
    code, out, err = run_cli("translate", "check", "--project", str(server.project))
    assert code == 0, out + err


def test_a_broken_translation_is_refused_with_its_reason(server):
    po = server.project / PO
    before = po.read_bytes()
    cases = {
        "המבחן שלו הוא האינטרס של ישראל.": "citation mismatch: drops [@blankspot-2023]",
        "המבחן, 12 פעמים [@blankspot-2023].": "numbers differ",
        "המבחן \u202eשלו [@blankspot-2023].": "bidi control U+202E",
        "המבחן <b>שלו</b> [@blankspot-2023].": "adds markup",
    }
    for msgstr, reason in cases.items():
        response = save(server, _body(server, msgstr=msgstr))
        assert response.status_code == 422, msgstr
        messages = " ".join(p["message"] for p in response.json()["problems"])
        assert reason in messages, messages
    assert po.read_bytes() == before
    # a stale page (the file changed meanwhile) or a changed English is a conflict
    assert save(server, _body(server, expected="something else")).status_code == 409
    assert save(server, _body(server, msgid="Another English text")).status_code == 409
    assert save(server, {**_body(server), "ctx": "no.such.text"}).status_code == 422
    assert save(server, {**_body(server), "lang": "en"}).status_code == 422
    assert po.read_bytes() == before


def test_clearing_fuzzy_keeps_the_other_flags_and_drops_the_previous_english(server):
    po = server.project / PO
    text = po.read_text(encoding="utf-8")
    assert "#, python-brace-format\n" in entry(text, "summary.1").group(2)
    po.write_text(with_flag(text, "summary.1", "Since {deca_since}, DECA has overseen exports."), encoding="utf-8")
    server.previews.refresh([PO])
    body = _body(server, "summary.1")
    assert texts_of(server.get("/he/deca-role/").text)["summary.1"]["state"] == "fuzzy"
    # saved without clearing: still fuzzy, still shown in English
    assert save(server, {**body, "clear_fuzzy": False}).json()["text"]["state"] == "fuzzy"
    response = save(server, {**body, "clear_fuzzy": True})
    assert response.json()["text"]["state"] == "translated"
    text = po.read_text(encoding="utf-8")
    assert entry(text, "summary.1").group(2) == "#, python-brace-format\n"
    assert "#| msgid" not in text
    cls, shown = span_text(server.get("/he/deca-role/").text, "summary.1")
    assert cls == "b-t b-translated" and "אגף הפיקוח" in shown


def test_po_edit_keeps_bom_crlf_and_adds_missing_entries(tmp_path):
    need("msgfmt")
    po = tmp_path / "x.po"
    shutil.copy(ROOT / PO, po)
    original = po.read_text(encoding="utf-8").replace("\n", "\r\n")
    po.write_bytes(b"\xef\xbb\xbf" + original.encode("utf-8"))
    cat = read_catalog(po, "x.po", "he").catalog
    msg = cat.get("Journalists and partner organizations", context="audience")
    set_translation(po, "x.po", "he", msg.id, "audience", "קהל \"עיתונאים\" ושותפים", clear_fuzzy=True,
                    expected=msg.string)
    set_translation(po, "x.po", "he", "A new text", "summary.9", "טקסט חדש", clear_fuzzy=True,
                    location="briefs/deca-role.yaml:60")
    data = po.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    cat = read_catalog(po, "x.po", "he").catalog
    assert cat.get(msg.id, context="audience").string == "קהל \"עיתונאים\" ושותפים"
    assert cat.get("A new text", context="summary.9").string == "טקסט חדש"
    assert list(cat.get("A new text", context="summary.9").locations) == [("briefs/deca-role.yaml", 60)]
    plain = tmp_path / "plain.po"
    plain.write_bytes(data[3:].replace(b"\r\n", b"\n"))
    result = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(plain)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- safe by default ----------------------------------------------------------------------------------

def test_a_foreign_host_is_refused(server):
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example", "192.168.1.9:8000"):
        assert server.get("/", headers={"host": host}).status_code == 403
        response = save(server, _body(server), host=host)
        assert response.status_code == 403
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"):
        assert server.get("/", headers={"host": host}).status_code == 200
    assert host_name("[::1]:8000") == "::1" and host_name("Example.org:80") == "example.org"


def test_security_headers_and_no_cors(server):
    for url in ("/", "/he/deca-role/", "/_briefing/preview.js", "/assets/logo.svg", "/nothing"):
        response = server.get(url, headers={"origin": "http://evil.example"})
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    options = server.options("/api/translation", headers={"origin": "http://evil.example",
                                                           "access-control-request-method": "POST"})
    assert options.status_code == 405 and "access-control-allow-origin" not in options.headers


def test_only_the_projects_outputs_and_the_tools_assets_are_served(server, tmp_path):
    project = server.project
    assert server.get("/assets/logo.svg").status_code == 200
    assert server.get("/he/deca-role/style.css").status_code == 200          # the template set's resources
    assert server.get("/_briefing/preview.css").status_code == 200
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"secret")
    (project / "assets" / "link.png").symlink_to(secret)
    (project / "assets" / ".hidden.png").write_bytes(b"x")
    for url in ("/assets/link.png", "/assets/.hidden.png", "/assets/../briefing.toml", "/assets/%2e%2e/briefing.toml",
                "/assets/..%2fbriefing.toml", "/he/deca-role/document.html", "/he/deca-role/template.toml",
                "/he/deca-role/reference.docx", "/he/deca-role/../../briefing.toml", "/_briefing/app.py",
                "/_briefing/../state.py", "/briefs/deca-role.yaml", "/locales/he/LC_MESSAGES/deca-role.po",
                "/xx/deca-role/style.css", "/he/nothing/style.css", "/etc/passwd"):
        response = server.get(url)
        assert response.status_code == 404, url
        assert b"secret" not in response.content
    # the logo the PDF reads as a file is served through the confined route
    page = server.get("/he/deca-role/").text
    assert 'src="/assets/logo.svg"' in page and "file://" not in page


def test_a_symlinked_assets_folder_leading_out_is_not_served(server, tmp_path):
    """assets/ -> a folder outside the project: nothing under it is served (as the PDF renderer
    does not read it), not even a file of a resource type."""
    project = server.project
    outside = tmp_path / "home"
    outside.mkdir()
    (outside / "id_rsa.css").write_text("SECRET KEY")
    shutil.move(project / "assets", outside / "assets")
    (project / "assets").symlink_to(outside)
    for url in ("/assets/id_rsa.css", "/assets/assets/logo.svg"):
        response = server.get(url)
        assert response.status_code == 404, url
        assert b"SECRET" not in response.content and b"<svg" not in response.content


def test_everything_shown_is_escaped(server):
    brief = server.project / "briefs" / "deca-role.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("audience: Journalists and partner organizations",
                                  "audience: 'Journalists </script><script>alert(1)</script> & <b>partners</b>'"),
                     encoding="utf-8")
    server.previews.refresh(["briefs/deca-role.yaml"])
    page = server.get("/en/deca-role/").text
    assert "<script>alert(1)" not in page and "<b>partners" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    data = texts_of(page)          # the JSON for the page's script cannot close its element
    assert "</script><script>alert(1)</script>" in data["audience"]["msgid"]
    # an error message quoting the file is escaped too
    brief.write_text(text.replace("date: 2026-11-16", "date: <img src=x onerror=alert(1)>"), encoding="utf-8")
    server.previews.refresh(["briefs/deca-role.yaml"])
    page = server.get("/en/deca-role/").text
    assert "cannot be made" in page and "<img src=x" not in page


def test_events_stream_starts_with_the_versions(server):
    with server.stream("GET", "/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        assert next(lines) == "retry: 1000"
        while (line := next(lines)) != "event: versions":
            pass
        data = json.loads(next(lines).removeprefix("data: "))
    assert data["docs"]["he/deca-role/brief"] == server.previews.versions()["docs"]["he/deca-role/brief"]


# --- the command ---------------------------------------------------------------------------------------

def test_serve_command_line(project, capsys):
    code, out, err = run_cli("serve", "--help")
    assert code == 0 and "--port" in capsys.readouterr().out
    assert run_cli("serve", "--port", "70000")[0] == 2
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, out, err = run_cli("serve", "--project", str(project), "--port", str(port))
    assert code == 1
    assert f"error: cannot listen on 127.0.0.1:{port}" in err and "--port" in err
