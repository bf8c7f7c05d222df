"""`briefing serve` in a real browser: Debian's headless Chromium driven by Playwright.

The server runs as a user starts it (`briefing serve --port 0`, a subprocess, its file
watcher on). The test opens the Hebrew preview, checks it is right-to-left, hovers a text
and reads its msgctxt, edits its translation in the side panel and saves, sees the page
update, then edits the brief file and sees the page reload by itself; Ctrl-C stops the
server. Screenshots go to the test's temp folder.

Playwright's own browser download is never used: `make test` installs Debian's chromium.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.i18n.catalogs import read_catalog
from test_serve import PO, sample_project

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.slow


def _start(project: Path, tmp_path: Path):
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "serve", "--project", str(project), "--port", "0"],
                            stdout=log, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log.seek(0)
        m = re.search(r"serving (http://127\.0\.0\.1:\d+/)", log.read())
        if m:
            return proc, log, m.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    log.seek(0)
    pytest.fail(f"the server did not start:\n{log.read()}")


def texts_msgid(page, ctx: str) -> str:
    return page.evaluate("ctx => JSON.parse(document.getElementById('b-texts').textContent)[ctx].msgid", ctx)


def test_translate_in_the_browser_and_see_changes_live(tmp_path):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI")
        pytest.skip("needs Debian's chromium (make test installs it)")
    from playwright.sync_api import expect, sync_playwright

    project = sample_project(tmp_path / "project")
    proc, log, url = _start(project, tmp_path)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            page.goto(url)
            expect(page.locator('tr[data-key="he/deca-role/brief"]')).to_contain_text("built")
            page.goto(url + "he/deca-role/")
            page.wait_for_selector("html[data-briefing-ready]")
            # right-to-left, as the PDF
            assert page.evaluate("document.documentElement.dir") == "rtl"
            assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

            # hover a text: its msgctxt and state
            text = page.locator('[data-ctx="summary.2"]')
            text.hover()
            tip = page.locator("#b-tip")
            expect(tip).to_be_visible()
            expect(tip.locator(".b-tip-ctx")).to_have_text("summary.2")
            expect(tip).to_contain_text("translated · " + PO)
            page.screenshot(path=str(tmp_path / "1-hover.png"))

            # click it: the panel, with the English, the translation and the .po line
            text.click()
            panel = page.locator("#b-panel")
            expect(panel).to_be_visible()
            expect(panel.locator(".b-ctx")).to_have_text("summary.2")
            expect(panel.locator(".b-msgid")).to_contain_text("Its test is whether a sale serves Israel's interests")
            expect(panel.locator(".b-po")).to_contain_text(PO + ":")
            # a broken translation is refused with its reason, and nothing is written
            before = (project / PO).read_bytes()
            panel.locator("textarea").fill("אמת המידה היא האינטרס של ישראל בלבד.")
            panel.locator("button.b-save").click()
            expect(panel.locator(".b-status")).to_contain_text("citation mismatch")
            assert (project / PO).read_bytes() == before
            page.screenshot(path=str(tmp_path / "2-refused.png"))
            # a good one is saved and the page shows it
            new = "אמת המידה היא האינטרס של ישראל בלבד; שום חוק אינו דורש לבדוק זכויות אדם [@blankspot-2023]."
            panel.locator("textarea").fill(new)
            panel.locator("button.b-save").click()
            expect(page.locator('[data-ctx="summary.2"]')).to_contain_text("האינטרס של ישראל בלבד", timeout=20_000)
            expect(page.locator("#b-panel .b-current")).to_contain_text("בלבד")   # the panel is open again
            saved = read_catalog(project / PO, PO, "he").catalog
            assert saved.get(texts_msgid(page, "summary.2"), context="summary.2").string == new
            page.screenshot(path=str(tmp_path / "3-saved.png"))

            # edit the brief: the English title changes, so the Hebrew page shows it, marked untranslated
            brief = project / "briefs" / "deca-role.yaml"
            started = time.monotonic()
            brief.write_text(brief.read_text(encoding="utf-8").replace(
                "title: \"What Israel's export regulator checks, and what it does not\"",
                "title: \"What the export regulator checks, and what it leaves out\""), encoding="utf-8")
            title = page.locator('[data-ctx="title"]')
            expect(title).to_have_text("What the export regulator checks, and what it leaves out", timeout=20_000)
            seconds = time.monotonic() - started
            expect(title).to_have_class(re.compile(r"\bb-untranslated\b"))
            page.screenshot(path=str(tmp_path / "4-reloaded.png"))
            print(f"brief edit shown in the preview after {seconds:.2f} s")

            # a YAML error appears in the page, and the page recovers when it is fixed
            good = brief.read_text(encoding="utf-8")
            brief.write_text(good.replace("audience: Journalists", "audience Journalists\n  oops: [", 1),
                             encoding="utf-8")
            expect(page.locator(".b-failing .b-where").first).to_contain_text("briefs/deca-role.yaml:",
                                                                              timeout=20_000)
            page.screenshot(path=str(tmp_path / "5-error.png"))
            brief.write_text(good, encoding="utf-8")
            expect(page.locator('[data-ctx="title"]')).to_be_visible(timeout=20_000)
            assert page.evaluate("document.documentElement.dir") == "rtl"
            assert not errors, errors
            browser.close()
    finally:
        proc.send_signal(signal.SIGINT)           # Ctrl-C
        try:
            code = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
        log.seek(0)
        output = log.read()
        log.close()
    assert code == 0, output
    assert "Traceback" not in output, output
    assert "stopped" in output
