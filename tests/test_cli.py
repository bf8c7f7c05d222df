"""The command line: help, exit codes, project selection, `new`, `check`, `build`."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli

COMMANDS = [["build"], ["check"], ["new"], ["translate"], ["translate", "extract"], ["translate", "update"],
            ["translate", "status"], ["translate", "check"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_on_every_command(command, capsys):
    code, out, err = run_cli(*command, "--help")
    captured = capsys.readouterr()
    assert code == 0
    assert "usage: briefing" in captured.out + out


def test_usage_errors_exit_2(capsys):
    assert run_cli()[0] == 2
    assert run_cli("frobnicate")[0] == 2
    assert run_cli("build", "--lang", "fr")[0] == 2
    assert run_cli("build", "--format", "odt")[0] == 2
    assert "unknown language fr" in capsys.readouterr().err


def test_module_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "briefing", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("briefing ")


def test_not_a_project(tmp_path):
    code, out, err = run_cli("check", "--project", str(tmp_path))
    assert code == 1
    assert "is not a briefing project" in err and "--project" in err


def test_check_repository_is_clean():
    code, out, err = run_cli("check", "--project", str(ROOT), "--strict")
    assert code == 0, err
    assert "0 error(s), 0 warning(s)" in out


def test_check_reports_all_problems_at_once(tiny_project):
    brief = tiny_project / "briefs" / "good.yaml"
    text = brief.read_text().replace("{az_share}", "{az_shar}").replace("[@hrw-2020].", "[@hrw2020].")
    brief.write_text(text.replace("audience:", "audiance:"))
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 1
    # the schema errors stop that brief before its texts are read: the unknown field is reported
    assert "unknown field 'audiance'" in err
    brief.write_text(text)
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 1
    assert "unknown fact '{az_shar}'" in err and "unknown source 'hrw2020'" in err


def test_project_from_current_folder(tiny_project):
    code, out, err = run_cli("check", cwd=tiny_project)
    assert code == 0, err


def test_new_scaffold_passes_check_and_builds(tiny_project):
    code, out, err = run_cli("new", "fresh-brief", "--project", str(tiny_project))
    assert code == 0, err
    path = tiny_project / "briefs" / "fresh-brief.yaml"
    text = path.read_text()
    for field in ("id:", "title:", "subtitle:", "audience:", "organization:", "date:", "languages:", "paper:",
                  "facts:", "summary:", "sections:", "claim:", "evidence:", "objection:", "response:", "quotes:",
                  "recommendations:", "leave_behind:"):
        assert field in text, field
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 0, err
    code, out, err = run_cli("build", "--project", str(tiny_project), "--brief", "fresh-brief", "--format", "html",
                             "--out", str(tiny_project / "out"), "--jobs", "0")
    assert code == 0, err
    assert (tiny_project / "out" / "en" / "fresh-brief.html").is_file()
    # never overwrite
    assert run_cli("new", "fresh-brief", "--project", str(tiny_project))[0] == 1
    assert run_cli("new", "Not Valid", "--project", str(tiny_project))[0] == 1


def test_build_unknown_brief_suggests(tiny_project):
    code, out, err = run_cli("build", "--project", str(tiny_project), "--brief", "god")
    assert code == 1
    assert "no brief with id 'god'" in err and "did you mean 'good'?" in err


def test_strict_turns_warnings_into_errors(tiny_project):
    brief = tiny_project / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("Evidence with a source [@hrw-2020].", "Evidence without one."))
    assert run_cli("check", "--project", str(tiny_project))[0] == 0
    code, out, err = run_cli("check", "--project", str(tiny_project), "--strict")
    assert code == 1 and "evidence without a citation" in err
    code, out, err = run_cli("build", "--project", str(tiny_project), "--strict", "--format", "html",
                             "--out", str(tiny_project / "out"))
    assert code == 1
    assert not (tiny_project / "out" / "en" / "good.html").exists()


def test_a_brief_with_errors_counts_as_failed_and_others_build(tiny_project):
    shutil.copy(tiny_project / "briefs" / "good.yaml", tiny_project / "briefs" / "other.yaml")
    other = tiny_project / "briefs" / "other.yaml"
    other.write_text(other.read_text().replace("id: good", "id: other").replace("title:", "titel:"))
    code, out, err = run_cli("build", "--project", str(tiny_project), "--format", "html", "--out",
                             str(tiny_project / "out"), "--jobs", "0")
    assert code == 1
    assert "1 built, 0 up to date, 1 failed" in out and "unknown field 'titel'" in err
    assert (tiny_project / "out" / "en" / "good.html").is_file()


def test_nothing_to_build_is_an_error(tiny_project):
    code, out, err = run_cli("build", "--project", str(tiny_project), "--lang", "hy")
    assert code == 1 and "nothing to build" in err


def test_check_compiles_templates(tiny_project):
    code, out, err = run_cli("template", "init", str(tiny_project / "templates" / "mine"), "--project",
                             str(tiny_project))
    html = tiny_project / "templates" / "mine" / "document.html"
    html.write_text(html.read_text().replace("<body", "{% if %}<body", 1))
    (tiny_project / "briefing.toml").write_text('[build]\ntemplate = "mine"\n')
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 1 and re.search(r"templates/mine/document\.html:\d+: error: template syntax error", err)
    (tiny_project / "briefing.toml").write_text('[build]\ntemplate = "mien"\n')
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 1 and "briefing.toml:2:1: error: no template set 'mien'" in err and "did you mean 'mine'?" in err
