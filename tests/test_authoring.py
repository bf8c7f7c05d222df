"""Authoring without traps: what a new user meets after YAML's own traps (those are in the
bad-input corpus) - locators, --strict, plain-text tables, help, catalogs with a BOM, counts
that agree, a broken source file, currencies, and a template set's palette and fonts."""
from __future__ import annotations

import argparse
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run_cli


def brief_of(project: Path) -> Path:
    return project / "briefs" / "good.yaml"


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def samples_copy(tmp_path) -> Path:
    dest = tmp_path / "s"
    for name in ("briefs", "sources", "locales", "templates"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("*.pot"))
    return dest


# --- texts ------------------------------------------------------------------------------------

def test_a_citation_locator_is_not_a_typed_number(tiny_project):
    replace(brief_of(tiny_project), "response: A response [@hrw-2020, p. 4].",
            "response: A response [see @hrw-2020, p. 130]; compare [@sipri-2021, pp. 12-14].")
    code, out, err = run_cli("check", "--strict", "--project", str(tiny_project))
    assert code == 0 and "typed in the text" not in err, err
    replace(brief_of(tiny_project), "A response [see", "130 people responded [see")
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert "warning: the number 130 is typed in the text" in err  # a number in the sentence still counts


def test_multi_line_text_points_at_the_number_line(tiny_project):
    replace(brief_of(tiny_project), "      - claim: A claim.",
            "      - claim: >\n          A claim that runs\n          over 450 lines [@hrw-2020].")
    code, out, err = run_cli("check", "--project", str(tiny_project))
    lines = brief_of(tiny_project).read_text().splitlines()
    row = next(i for i, line in enumerate(lines, 1) if "over 450" in line)
    col = lines[row - 1].index("450") + 1
    assert f"briefs/good.yaml:{row}:{col}: warning: the number 450 is typed in the text" in err, err


def test_a_comment_written_as_a_comment_is_left_alone(tiny_project):
    replace(brief_of(tiny_project), "title: A good brief", "title: A good brief   # TRANSLATORS: keep it short")
    code, out, err = run_cli("check", "--strict", "--project", str(tiny_project))
    assert code == 0, err


# --- --strict, and tables as plain text ------------------------------------------------------

def test_strict_check_says_errors_once_and_counts_them(tiny_project):
    replace(brief_of(tiny_project), "Evidence with a source [@hrw-2020].", "Evidence without a source.")
    replace(brief_of(tiny_project), "claim: A claim.", "claim: A claim [@hrw-2020].")
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 0 and "warning: evidence without a citation" in err and "0 error(s), 1 warning(s)" in out
    code, out, err = run_cli("check", "--strict", "--project", str(tiny_project))
    assert code == 1 and "warning" not in err and err.count("error: evidence without a citation") == 1
    assert "1 error(s), 0 warning(s)" in out
    code, out, err = run_cli("build", "--strict", "--jobs", "0", "--project", str(tiny_project),
                             "--out", str(tiny_project / "o"))
    assert code == 1 and "warning" not in err and err.count("error: evidence without a citation") == 1, err


def test_failure_table_prints_locations_and_citations_as_written(tiny_project):
    """rich would turn ':100:' into an emoji and eat '[@key]' as markup."""
    text = brief_of(tiny_project).read_text()
    text = text.replace("recommendations:", "#\n" * (100 - text[:text.index("recommendations:")].count("\n") - 5)
                        + "recommendations:")
    brief_of(tiny_project).write_text(text + "  - to: the committee\n    ask: Act [@nowhere].\n")
    lines = brief_of(tiny_project).read_text().splitlines()
    row = next(i for i, line in enumerate(lines, 1) if "[@nowhere]" in line)
    assert row == 100
    code, out, err = run_cli("build", "--jobs", "0", "--project", str(tiny_project), "--out", str(tiny_project / "o"))
    assert code == 1
    assert "good.yaml:100:" in out and "\U0001f4af" not in out, out   # the failures table
    assert "unknown source 'nowhere'" in out


def test_every_option_and_sub_command_has_help():
    from briefing.cli import parser
    missing = []

    def walk(p: argparse.ArgumentParser, name: str) -> None:
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice, sub in action.choices.items():
                    helps = {a.dest: a.help for a in action._choices_actions}
                    if not helps.get(choice):
                        missing.append(f"{name} {choice}")
                    walk(sub, f"{name} {choice}")
            elif not isinstance(action, (argparse._HelpAction, argparse._VersionAction)) and not action.help:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    walk(parser(), "briefing")
    assert not missing, missing


@pytest.mark.parametrize("option", ["--brief", "--paper", "--strict", "--show-untranslated"])
def test_watch_takes_the_build_options(option, capsys):
    code, out, err = run_cli("watch", "--help")
    assert code == 0 and option in capsys.readouterr().out + out


def test_check_one_brief(samples_copy):
    code, out, err = run_cli("check", "--brief", "deca-role", "--project", str(samples_copy))
    assert code == 0 and out.startswith("checked 1 brief(s)"), out + err
    replace(samples_copy / "briefs" / "arms-export-oversight.yaml", "title:", "titel:")
    assert run_cli("check", "--brief", "deca-role", "--project", str(samples_copy))[0] == 0
    assert run_cli("check", "--project", str(samples_copy))[0] == 1


# --- catalogs ---------------------------------------------------------------------------------

def test_a_po_file_with_a_bom_is_read(samples_copy, tmp_path):
    po = samples_copy / "locales" / "he" / "LC_MESSAGES" / "deca-role.po"
    po.write_bytes(b"\xef\xbb\xbf" + po.read_bytes())
    code, out, err = run_cli("translate", "check", "--lang", "he", "--project", str(samples_copy))
    assert code == 0 and "unknown keyword" not in err, err
    code, out, err = run_cli("translate", "status", "--json", "--lang", "he", "--project", str(samples_copy))
    row = next(r for r in json.loads(out) if r["brief"] == "deca-role")
    assert row["translated"] == row["total"] > 0
    code, out, err = run_cli("build", "--brief", "deca-role", "--lang", "he", "--format", "html", "--jobs", "0",
                             "--project", str(samples_copy), "--out", str(tmp_path / "o"))
    assert code == 0 and "shown in English" not in err, err


def test_update_writes_the_templates_and_status_counts_as_the_build(samples_copy, tmp_path):
    code, out, err = run_cli("translate", "update", "--project", str(samples_copy))
    assert code == 0 and "wrote locales/deca-role.pot" in out and "wrote locales/template.pot" in out, out
    assert (samples_copy / "locales" / "deca-role.pot").is_file()
    # leave one brief string and one template word untranslated: the word "Leave-behind", which
    # the full brief does not show, and a summary point
    from briefing.i18n.catalogs import read_catalog, write_catalog
    for domain, msgid, ctx in (("deca-role", None, "summary.1"), ("template", "Leave-behind", None)):
        po = samples_copy / "locales" / "he" / "LC_MESSAGES" / f"{domain}.po"
        cat = read_catalog(po, po.name, "he").catalog
        msg = next(m for m in cat if m.id and (m.context == ctx if ctx else m.id == msgid))
        assert msg.string
        msg.string = ""
        write_catalog(cat, po)
    code, out, err = run_cli("translate", "status", "--json", "--lang", "he", "--project", str(samples_copy))
    rows = {r["brief"]: r for r in json.loads(out)}
    assert rows["deca-role"]["untranslated"] == 1 and rows["template"]["untranslated"] == 1
    for layout in ("brief", "leave-behind"):
        code, out, err = run_cli("build", "--brief", "deca-role", "--lang", "he", "--format", "html", "--layout",
                                 layout, "--jobs", "0", "--project", str(samples_copy), "--out", str(tmp_path / layout))
        total = rows["deca-role"]["total"]
        assert f"deca-role [he]: 1 of {total} strings shown in English (1 untranslated)" in err, err
        assert f"template words [he]: 1 of {rows['template']['total']} strings shown in English" in err, err


# --- sources ----------------------------------------------------------------------------------

def test_a_broken_source_file_is_reported_once(tmp_path):
    project = tmp_path / "z"
    shutil.copytree(FIXTURES / "zotero-project", project)
    export = project / "sources" / "zotero-export.json"
    text = export.read_text(encoding="utf-8")
    export.write_text(text.replace('"title":', '"title"', 1), encoding="utf-8")  # a missing colon
    code, out, err = run_cli("check", "--project", str(project))
    assert code == 1
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert len(errors) == 2, err
    assert re.match(r"sources/zotero-export\.json:\d+:\d+: error: JSON syntax error: Expecting ':' delimiter",
                    errors[0])
    assert "error: this brief cites sources from sources/zotero-export.json, which cannot be read" in errors[1]
    assert "unknown source" not in err
    # a citation that no file defines is still an error
    replace(project / "briefs" / "cites.yaml", "[@webpage-2]", "[@webpage-3]")
    code, out, err = run_cli("check", "--project", str(project))
    assert "unknown source 'webpage-3' in a citation" in err


def test_currency_codes_are_iso_4217(tiny_project):
    replace(brief_of(tiny_project), "    format: percent", "    format: currency\n    currency: XYZ")
    replace(brief_of(tiny_project), "    value: 0.69", "    value: 65000")
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 1 and "error: 'XYZ' is not an ISO 4217 currency code" in err
    replace(brief_of(tiny_project), "currency: XYZ", "currency: usd")
    assert "did you mean 'USD'?" in run_cli("check", "--project", str(tiny_project))[2]
    replace(brief_of(tiny_project), "currency: usd", "currency: AMD")
    assert run_cli("check", "--project", str(tiny_project))[0] == 0


# --- a template set's palette and fonts -------------------------------------------------------

def test_template_set_palette_and_fonts_reach_both_formats(tiny_project, tmp_path):
    project = tiny_project
    (project / "briefing.toml").write_text('[organization]\nname = "Partners"\n\n[build]\ntemplate = "partner"\n')
    assert run_cli("template", "init", "templates/partner", "--project", str(project), cwd=project)[0] == 0
    (project / "templates" / "partner" / "template.toml").write_text(
        '[colors]\nprimary = "#004d40"\naccent = "#6a1b9a"\n\n[fonts]\ntext = "sans"\nheadings = "serif"\n')

    def outputs(name: str):
        code, out, err = run_cli("build", "--format", "html,docx", "--jobs", "0", "--project", str(project),
                                 "--out", str(tmp_path / name))
        assert code == 0, out + err
        html = (tmp_path / name / "en" / "good.html").read_text(encoding="utf-8")
        with zipfile.ZipFile(tmp_path / name / "en" / "good.docx") as z:
            styles = z.read("word/styles.xml").decode()
        return html, styles

    html, styles = outputs("a")
    assert "#004d40" in html and "#6a1b9a" in html and "#eef2f6" in html   # box: the built-in default
    assert re.search(r'html \{ font-family: "Noto Sans", sans-serif;', html)
    assert re.search(r'h1[^{]*\{[^}]*font-family: "Noto Serif", serif', html)
    assert 'w:color w:val="004D40"' in styles and 'w:color w:val="6A1B9A"' in styles
    defaults = styles.split("</w:docDefaults>")[0]
    assert 'w:ascii="Noto Sans"' in defaults                                # Word's body follows template.toml
    heading1 = re.search(r'<w:style [^>]*w:styleId="Heading1".*?</w:style>', styles, re.S).group(0)
    assert 'w:ascii="Noto Serif"' in heading1

    # briefing.toml's [colors] wins, colour by colour
    (project / "briefing.toml").write_text('[organization]\nname = "Partners"\n\n[colors]\nprimary = "#8b0000"\n\n'
                                           '[build]\ntemplate = "partner"\n')
    html, styles = outputs("b")
    assert "#8b0000" in html and "#004d40" not in html and "#6a1b9a" in html
    assert 'w:color w:val="8B0000"' in styles and 'w:color w:val="6A1B9A"' in styles


def test_a_bad_template_toml_is_reported_with_its_line(tiny_project):
    shutil.copytree(ROOT / "templates" / "default", tiny_project / "templates" / "default")
    (tiny_project / "templates" / "default" / "template.toml").write_text('[colors]\nprimary = "navy"\n[font]\n')
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 1
    assert "templates/default/template.toml:2:1: error: setting 'colors.primary': 'navy' is not a colour" in err
    assert "unknown setting 'font'" in err and "did you mean 'fonts'?" in err
