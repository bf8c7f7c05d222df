"""The brief format as a JSON Schema (draft 2020-12), generated from the pydantic model that
validates briefs (model.py), so the editor's help and `briefing check` never disagree on
what a field is called, what it holds and which values it allows.

Editors read it through a first line in each brief (the Red Hat YAML extension for VS Code,
and every editor built on yaml-language-server):

    # yaml-language-server: $schema=../.briefing/brief.schema.json
"""
from __future__ import annotations

import json
from pathlib import Path

from .atomic import atomic_write_bytes
from .model import Brief

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = Path(".briefing") / "brief.schema.json"     # inside a project
MODELINE_PREFIX = "# yaml-language-server: $schema="


def brief_schema() -> dict:
    schema = Brief.model_json_schema()
    return {"$schema": DRAFT, **schema}


def schema_bytes() -> bytes:
    return (json.dumps(brief_schema(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_schema(root: Path) -> Path:
    """Write (or refresh) the project's copy of the schema; returns its path."""
    path = root / SCHEMA_FILE
    data = schema_bytes()
    if not path.is_file() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)
    return path


def modeline(brief_path: Path, root: Path) -> str:
    """The first line of a brief that points editors at the project's schema, relatively."""
    import os
    rel = os.path.relpath(root / SCHEMA_FILE, brief_path.parent).replace(os.sep, "/")
    return MODELINE_PREFIX + rel
