"""A new user's path, end to end, outside this repository: `briefing init`, `new`, `check`,
`build`; and the editor's help: `briefing schema`, generated from the model that validates."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT


def briefing(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefing", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.slow
def test_init_new_check_build_in_an_empty_folder(tmp_path):
    assert ROOT not in tmp_path.parents
    r = briefing("init", "coalition", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    project = tmp_path / "coalition"
    for name in ("briefing.toml", "briefs/first-brief.yaml", "sources/sources.yaml", "README.md", ".gitignore",
                 ".briefing/brief.schema.json"):
        assert (project / name).is_file(), name
    assert "build/" in (project / ".gitignore").read_text().splitlines()

    r = briefing("check", "--strict", cwd=project)
    assert r.returncode == 0 and "0 error(s), 0 warning(s)" in r.stdout, r.stdout + r.stderr
    r = briefing("new", "arms-exports-2025", cwd=project)
    assert r.returncode == 0, r.stderr
    first = (project / "briefs" / "arms-exports-2025.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../.briefing/brief.schema.json"
    r = briefing("check", "--strict", cwd=project)
    assert r.returncode == 0 and "checked 2 brief(s), 1 source(s): 0 error(s), 0 warning(s)" in r.stdout, r.stderr

    r = briefing("build", "--layout", "brief,leave-behind", "--jobs", "1", cwd=project)
    assert r.returncode == 0, r.stdout + r.stderr
    for brief in ("first-brief", "arms-exports-2025"):
        for name in (f"{brief}.pdf", f"{brief}.docx", f"{brief}.leave-behind.pdf", f"{brief}.leave-behind.docx"):
            assert (project / "build" / "en" / name).stat().st_size > 1000, name
    # the project is a project of its own: nothing was written outside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coalition"]
    # the Word leave-behinds are one page, as LibreOffice lays them out
    from pypdf import PdfReader

    from conftest import soffice_pdf
    for brief in ("first-brief", "arms-exports-2025"):
        pdf = soffice_pdf(project / "build" / "en" / f"{brief}.leave-behind.docx", tmp_path / "lo")
        assert len(PdfReader(pdf).pages) == 1, brief


def test_init_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    r = briefing("init", "full", cwd=tmp_path)
    assert r.returncode == 1 and "already exists and is not empty" in r.stderr and "Traceback" not in r.stderr
    assert (tmp_path / "full" / "notes.txt").read_text() == "mine"


# --- the schema ---------------------------------------------------------------------------

jsonschema = pytest.importorskip("jsonschema")


def as_json(value):
    """A brief as an editor's YAML server sees it: dates are text."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    r = briefing("schema", cwd=tmp_path_factory.mktemp("s"))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_schema_is_draft_2020_12_and_accepts_every_sample(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    briefs = sorted((ROOT / "briefs").glob("[!_]*.yaml"))
    assert len(briefs) >= 3
    for path in briefs:
        errors = list(validator.iter_errors(as_json(yaml.safe_load(path.read_text(encoding="utf-8")))))
        assert not errors, f"{path.name}: {errors[0].message}"


@pytest.mark.parametrize("change,message", [
    (lambda b: b.update(titel=b.pop("title")), "Additional properties are not allowed ('titel'"),
    (lambda b: next(iter(b["facts"].values())).update(format="percentage"), "'percentage' is not one of"),
    (lambda b: b.update(languages=["en", "fr"]), "'fr' is not one of"),
    (lambda b: b["sections"][0].pop("heading"), "'heading' is a required property"),
])
def test_schema_refuses_what_check_refuses(schema, change, message):
    brief = as_json(yaml.safe_load((ROOT / "briefs" / "deca-role.yaml").read_text(encoding="utf-8")))
    change(brief)
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(brief)]
    assert any(message in e for e in errors), errors


def test_schema_explains_every_field_and_lists_choices(schema):
    from briefing.model import FACT_FORMATS, SUPPORTED_LANGUAGES
    missing = []
    for name, definition in [("Brief", schema), *schema["$defs"].items()]:
        assert definition.get("description"), f"{name} has no description"
        for field, prop in definition["properties"].items():
            if not prop.get("description"):
                missing.append(f"{name}.{field}")
    assert not missing, missing
    assert schema["$defs"]["Fact"]["properties"]["format"]["enum"] == list(FACT_FORMATS)
    assert schema["properties"]["languages"]["items"]["enum"] == list(SUPPORTED_LANGUAGES)


def test_schema_file_is_written_and_matches_the_printed_one(schema, tmp_path):
    r = briefing("init", "p", cwd=tmp_path)
    assert r.returncode == 0
    written = json.loads((tmp_path / "p" / ".briefing" / "brief.schema.json").read_text(encoding="utf-8"))
    assert written == schema
    new = yaml.safe_load((tmp_path / "p" / "briefs" / "first-brief.yaml").read_text(encoding="utf-8"))
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors(as_json(new)))
