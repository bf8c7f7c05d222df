"""`briefing new ID`: a brief with every field, commented, that passes `briefing check`."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .atomic import atomic_write_bytes
from .errors import BriefError, Location
from .model import SLUG_RE
from .project import Project

SKELETON = """\
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
    text = SKELETON.format(id=brief_id, date=today.isoformat(), year=today.year, source=source,
                           organization=_yaml_text(org), author=_yaml_text(org))
    from .safefs import check_write_target
    check_write_target(project.root, path, project.rel(path))
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
