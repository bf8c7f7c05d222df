"""`briefing new ID`: a brief with every field, commented, that passes `briefing check`;
`briefing init DIR`: a new project that passes `check` and builds at once."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .atomic import atomic_write_bytes
from .errors import BriefError, Location
from .model import SLUG_RE
from .project import CONFIG_NAME, Project
from .schema import SCHEMA_FILE, modeline, write_schema

SKELETON = """\
{modeline}
# {id}: a new brief. Fill in each field, then run `briefing check`.
# Texts may use *emphasis*, **bold**, [links](https://example.org), citations
# [@source-id] or [@source-id, p. 4], and facts written as {{fact_name}}.
# A comment line starting "# TRANSLATORS:" just above a field reaches the translators.

id: {id}                      # must match the file name
title: Title of the brief     # TRANSLATORS: keep the title short (under 10 words)
subtitle: One line that says what the reader will learn   # optional
audience: Who the brief is for, e.g. Members of the Foreign Affairs Committee
organization: {organization}   # optional; defaults to briefing.toml
author: {author}   # optional; shown in the document properties
date: {date}          # YYYY-MM-DD, formatted per language
languages: [en]               # add he, hy to build those too: `briefing translate update` then
                              # creates their catalogs, and the text shows in English until translated
paper: a4                     # a4 or letter (optional; --paper overrides)
# template: default           # a template set in templates/ (optional; default from briefing.toml)

# Numbers live here once, with their source; write {{name}} in a text to show one.
facts:
  example_share:
    label: What the number measures, in a few words
    value: 0.42               # a fraction for percentages: 0.42 shows as 42%
    format: percent           # number, integer, percent, currency, year, range, date, text
    source: {source}          # a source id from sources/
    locator: p. 4             # where in the source (optional): p. 4, pp. 4-6, para. 2, sec. 3
    as_of: {year}             # a year, a period [2016, 2020], or a date
    estimate: false           # true shows "(estimate)"
    key: true                 # show it in the key facts box
    note: Optional remark shown under the label.

# Optional: which facts the key facts box shows, in order (default: those with key: true).
# key_facts: [example_share]

summary:                      # one to seven key points; three to five read best
  - The main point, with its number ({{example_share}}) and a source [@{source}].

sections:
  - id: first-section         # optional; keeps translations stable if sections move
    heading: The first argument
    intro: One sentence that sets up the argument (optional).
    arguments:
      - id: first-argument    # optional, like the section's id
        claim: The claim, in one sentence.
        evidence:
          - A fact that supports it [@{source}].
        objection: The strongest counter-argument (optional).
        response: Your answer to it (required with an objection).

quotes:                       # short, attributed quotes (optional)
  - text: A short quotation.
    speaker: Name of the speaker
    role: Their role (optional)
    source: {source}
    locator: p. 5             # optional
    section: first-section    # show it after this section (optional)

recommendations:
  - id: first-ask             # optional
    to: the decision-maker
    ask: What you ask them to do.

# Optional: what the one-page leave-behind shows instead of the summary.
# leave_behind:
#   points: [The one thing to remember.]
#   facts: [example_share]
"""


def new_brief(project: Project, brief_id: str) -> Path:
    if not SLUG_RE.match(brief_id):
        raise BriefError(f"'{brief_id}' is not a valid brief id", None,
                         "use lower-case letters, digits and '-', e.g. arms-exports-2025")
    path = project.briefs_dir / f"{brief_id}.yaml"
    if path.exists():
        raise BriefError(f"{project.rel(path)} already exists", Location(project.rel(path)),
                         "choose another id, or edit the existing brief")
    from .errors import Report
    from .load.sources import load_sources
    sources = load_sources(project.sources_dir, project.root, Report())
    source = next(iter(sorted(sources.by_id)), "source-id")
    org = project.config.organization.name or "Your organization"
    today = dt.date.today()
    write_schema(project.root)
    text = SKELETON.format(id=brief_id, date=today.isoformat(), year=today.year, source=source,
                           organization=_yaml_text(org), author=_yaml_text(org),
                           modeline=modeline(path, project.root))
    from .safefs import check_write_target
    check_write_target(project.root, path, project.rel(path))
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- briefing init DIR ----------------------------------------------------------------------

FIRST_BRIEF = "first-brief"

CONFIG = """\
# {name}: settings for every brief of this project. See the briefing README.

[organization]
name = "Your coalition"          # shown in the header, "Prepared by", the contact block and document properties
# logo = "assets/logo.svg"       # SVG or PNG inside the project
# website = "https://..."
# email = "..."
# phone = "..."

# Colours for both PDF and Word (#rrggbb); without this section the template set's palette is used.
# [colors]
# primary = "#1d3557"
# accent = "#b23a48"
# muted = "#5c6770"
# box = "#eef2f6"

[build]
template = "default"             # a template set: the built-in one, or one in templates/
paper = "a4"                     # a4 or letter
"""

SOURCES = """\
# Sources, with CSL-JSON field names (the format Zotero exports: File > Export > CSL JSON,
# saved into sources/ as a .json file, works as it is). Cite a source as [@id].
# Leave out what you cannot confirm: never guess a URL, a date or a page number.

- id: sipri-atdb
  type: dataset
  title: SIPRI Arms Transfers Database
  title-short: Arms Transfers Database
  author:
    - literal: Stockholm International Peace Research Institute
  publisher: SIPRI
  URL: https://www.sipri.org/databases/armstransfers
"""

GITIGNORE = """\
# outputs and caches: made again by `briefing build`
build/
*.mo
.briefing-tmp-*
# a Python environment, if you make one here
.venv/
__pycache__/
"""

TEAM_README = """\
# {name}

Policy briefs written as YAML and built with `briefing` into PDF and Word documents,
in English, Hebrew and Armenian.

## Day to day

```sh
briefing new my-brief        # start a brief: briefs/my-brief.yaml, every field commented
briefing check               # find every mistake, with its file:line:column and a hint
briefing build               # write build/<language>/<brief>.pdf and .docx
briefing watch               # rebuild whenever a file is saved
```

- `briefs/` holds one brief per file; `briefs/first-brief.yaml` is an example to copy.
- `sources/` holds what the briefs cite, with CSL-JSON field names. A Zotero export
  (*File > Export...*, format *CSL JSON*) saved here works as it is; cite a source as `[@id]`.
- `briefing.toml` holds the organization's name, contact block, colours and paper size.
- Translations: add `he` or `hy` to a brief's `languages:`, run `briefing translate update`,
  and open `locales/<lang>/LC_MESSAGES/<brief>.po` in Poedit. Commit `.po` and `.pot` files.

## Your editor helps

Each brief starts with a line that points editors at the brief format
(`.briefing/brief.schema.json`; `briefing schema --write` refreshes it). In VS Code, install
the *YAML* extension by Red Hat: field names complete as you type, hovering shows what a
field is for, and a misspelt field or a wrong value is underlined. Keep the file committed.

## YAML in one minute

- Indent with spaces, never tabs.
- Put a text in quotes when it starts with `{{`, `[`, `"`, `*` or `&`, or when it contains
  `: ` or ` #`: `- "{{share}} of the imports came from Israel [@sipri-atdb]."`
- `briefing check` explains each of these when it meets one.
"""


def init_project(dest: Path) -> list[Path]:
    """Create a new project in `dest` (a new or empty folder); returns the files written."""
    dest = dest.resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BriefError(f"'{dest}' already exists and is not empty", Location(str(dest)),
                         "choose a new folder name; init never overwrites files")
    name = dest.name
    files = {
        CONFIG_NAME: CONFIG.format(name=name),
        "sources/sources.yaml": SOURCES,
        ".gitignore": GITIGNORE,
        "README.md": TEAM_README.format(name=name),
    }
    written = []
    for rel, text in files.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, text.encode("utf-8"))
        written.append(path)
    (dest / "briefs").mkdir(exist_ok=True)
    project = Project.open(dest)
    written.append(new_brief(project, FIRST_BRIEF))
    written.append(dest / SCHEMA_FILE)
    return written
