"""Sources in CSL-JSON shape, from sources/*.yaml and sources/*.json (Zotero's export).

Fields the tool does not use are kept as they are. Problems: the same id in two
files (both places named), a missing title, a malformed date, a type outside CSL.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BriefError, Location, Report, did_you_mean
from ..i18n.catalogs import BIDI_CONTROLS
from .yamlfile import MAX_BYTES, Text, YamlDoc, describe, load_yaml, read_text

CSL_TYPES = frozenset("""
article article-journal article-magazine article-newspaper bill book broadcast chapter classic
collection dataset document entry entry-dictionary entry-encyclopedia event figure graphic hearing
interview legal_case legislation manuscript map motion_picture musical_score pamphlet
paper-conference patent performance periodical personal_communication post post-weblog regulation
report review review-book software song speech standard thesis treaty webpage
""".split())
NAME_FIELDS = ("author", "editor", "translator", "container-author", "collection-editor", "director",
               "interviewer", "recipient", "reviewed-author", "composer", "illustrator")
DATE_FIELDS = ("issued", "accessed", "event-date", "original-date", "submitted", "available-date")
WEB_FIELDS = ("URL", "archived")
WEB = ("https://", "http://")
EDTF_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class CslDate:
    year: int
    month: int | None = None
    day: int | None = None
    literal: str | None = None


@dataclass(frozen=True)
class Name:
    family: str | None = None
    given: str | None = None
    literal: str | None = None

    @property
    def display(self) -> str:
        if self.literal:
            return self.literal
        return " ".join(p for p in (self.given, self.family) if p)

    @property
    def sort(self) -> str:
        if self.literal:
            return self.literal
        return ", ".join(p for p in (self.family, self.given) if p)

    @property
    def short(self) -> str:
        return self.literal or self.family or self.given or ""


@dataclass(frozen=True)
class Source:
    id: str
    type: str
    title: str
    location: Location
    names: dict = field(default_factory=dict)      # role -> tuple[Name, ...]
    dates: dict = field(default_factory=dict)      # field -> CslDate
    fields: dict = field(default_factory=dict)     # every other CSL field, kept as given

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    @property
    def authors(self) -> tuple[Name, ...]:
        return self.names.get("author") or self.names.get("editor") or ()

    @property
    def url(self) -> str | None:
        return self.fields.get("URL") or (f"https://doi.org/{self.fields['DOI']}" if self.fields.get("DOI") else None)


@dataclass
class SourceSet:
    by_id: dict[str, Source] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    # ids that a file which cannot be read seems to define -> that file: their citations are
    # not reported as unknown, one by one, when the file's own error says it all
    unreadable: dict[str, str] = field(default_factory=dict)

    def __contains__(self, key: str) -> bool:
        return key in self.by_id

    def __getitem__(self, key: str) -> Source:
        return self.by_id[key]

    def suggest(self, key: str) -> str | None:
        return did_you_mean(key, self.by_id)


def load_sources(folder: Path, root: Path | None, report: Report) -> SourceSet:
    """Load every source file in `folder`; problems go to `report`."""
    result = SourceSet()
    if not folder.is_dir():
        return result
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".yaml", ".yml", ".json") or path.name.startswith("."):
            continue
        shown = _shown(path, root)
        result.files.append(shown)
        try:
            items = _read_items(path, shown, report, root)
        except BriefError as exc:
            report.extend(exc.problems)
            for key in _ids_in(path):
                result.unreadable.setdefault(key, shown)
            continue
        for raw, where in items:
            source = _source(raw, where, report)
            if source is None:
                continue
            if source.id in result.by_id:
                first = result.by_id[source.id].location
                report.error(f"source id '{source.id}' is defined twice", source.location,
                             f"it is also defined at {first}; give one of them another id")
                continue
            result.by_id[source.id] = source
    return result


_ID_PATTERNS = (re.compile(r'"id"\s*:\s*"((?:[^"\\]|\\.)+)"'), re.compile(r'"id"\s*:\s*(\d+)'),
                re.compile(r'^[ \t]*(?:-[ \t]+)?id[ \t]*:[ \t]*["\']?([^"\'\s#]+)', re.M))


def _ids_in(path: Path) -> list[str]:
    """The ids a source file that cannot be parsed seems to define, read from its raw text."""
    from ..safefs import read_project_file
    try:  # the same checks as every read: no FIFO, no link out of the sources folder
        text = read_project_file(path.parent, path, path.name, max_bytes=MAX_BYTES).decode("utf-8", "replace")
    except (OSError, BriefError):
        return []
    return [m.group(1) for pattern in _ID_PATTERNS for m in pattern.finditer(text)]


def _shown(path: Path, root: Path | None) -> str:
    """The path as the project shows it (a link's own name, not where it leads)."""
    if not root:
        return str(path)
    for a, b in ((path, root), (path.resolve(), root.resolve())):
        try:
            return str(a.relative_to(b))
        except ValueError:
            continue
    return str(path)


class _Where:
    """Finds the location of an item's fields, for YAML (exact) or JSON (searched)."""

    def __init__(self, shown: str, doc: YamlDoc | None = None, base: tuple = (), text: str = "",
                 start: int = 0):
        self.shown, self.doc, self.base, self.text, self.start = shown, doc, base, text, start

    def __call__(self, name: str | None = None) -> Location:
        if self.doc is not None:
            return self.doc.where(self.base + ((name,) if name else ()))
        offset = self.start
        if name:
            m = re.compile(r'"%s"\s*:' % re.escape(name)).search(self.text, self.start)
            if m:
                offset = m.start()
        line = self.text.count("\n", 0, offset) + 1
        col = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return Location(self.shown, line, col)


def _read_items(path: Path, shown: str, report: Report, root: Path | None = None) -> list[tuple[dict, _Where]]:
    if path.suffix.lower() == ".json":
        text = read_text(path, shown, MAX_BYTES, root)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BriefError(f"JSON syntax error: {exc.msg}", Location(shown, exc.lineno, exc.colno)) from None
        except RecursionError:
            raise BriefError("JSON is nested too deeply", Location(shown, 1, 1),
                             "export from Zotero with the 'CSL JSON' format") from None
        if _json_depth(data) > 40:
            raise BriefError("JSON is nested deeper than 40 levels", Location(shown, 1, 1),
                             "export from Zotero with the 'CSL JSON' format")
        if isinstance(data, dict) and "items" in data:
            data = data["items"]
        if not isinstance(data, list):
            raise BriefError("expected a list of sources (a CSL-JSON array)", Location(shown, 1, 1),
                             "export from Zotero with the 'CSL JSON' format")
        items, pos = [], 0
        for item in data:
            start = pos
            if isinstance(item, dict) and isinstance(item.get("id"), (str, int)):
                m = re.compile(r'"id"\s*:\s*%s' % re.escape(json.dumps(item["id"]))).search(text, pos)
                if m:
                    start = text.rfind("{", 0, m.start())
                    pos = m.end()
            items.append((item, _Where(shown, text=text, start=max(start, 0))))
        return items
    doc = load_yaml(path, shown, root=root)
    report.extend(doc.warnings)
    data = doc.data
    base: tuple = ()
    if isinstance(data, dict) and "references" in data:
        data, base = data["references"], ("references",)
    if not isinstance(data, list):
        raise BriefError("expected a list of sources (or 'references:' with a list)", doc.where(()),
                         "start each source with '- id: ...'")
    return [(item, _Where(shown, doc, base + (i,))) for i, item in enumerate(data)]


def _source(raw: Any, where: _Where, report: Report) -> Source | None:
    if not isinstance(raw, dict):
        report.error(f"a source should be a mapping of CSL fields, found {describe(raw)}", where())
        return None
    sid = raw.get("id")
    if isinstance(sid, int) and not isinstance(sid, bool):
        sid = str(sid)
    if not isinstance(sid, str) or not sid.strip():
        report.error("source has no 'id'", where(), "add an id, e.g. id: sipri-2021, and cite it as [@sipri-2021]")
        return None
    sid = str(sid).strip()
    lookalike = _deceptive_id(sid)
    if lookalike:
        report.error(f"source id {sid!r} {lookalike}", where("id"),
                     "write ids in plain Latin letters, digits and '-', e.g. hrw-2020")
        return None
    for key, value in raw.items():
        for text in _strings(value):
            bidi = BIDI_CONTROLS.search(text)
            if bidi:
                report.error(f"source '{sid}': invisible bidi control character U+{ord(bidi.group(0)):04X} in "
                             f"'{key}'", where(key),
                             "remove it: it can make the text display in a different order than it is stored")
                return None
    # a problem in one field is reported, and the source is kept (so that the citations of
    # it still resolve and the one mistake is reported once)
    ctype = raw.get("type")
    if ctype is None:
        ctype = "document"
    elif ctype not in CSL_TYPES:
        report.error(f"source '{sid}': '{ctype}' is not a CSL item type", where("type"),
                     did_you_mean(ctype, CSL_TYPES) or "for example: article-newspaper, report, webpage")
        ctype = "document"
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        report.error(f"source '{sid}' has no title", where(), "add 'title:'; every source needs one")
        title = sid
    names: dict = {}
    dates: dict = {}
    fields: dict = {}
    for key, value in raw.items():
        if key in NAME_FIELDS:
            parsed = _names(value)
            if parsed is None:
                report.error(f"source '{sid}': '{key}' should be a list of names", where(key),
                             "write - {family: Martirosyan, given: Samvel} or - {literal: SIPRI}")
            else:
                names[key] = parsed
        elif key in DATE_FIELDS:
            parsed_date = _date(value)
            if parsed_date is None:
                report.error(f"source '{sid}': malformed date in '{key}': {_show(value)}", where(key),
                             "write 2023-05-30, 2023-05 or 2023, or date-parts: [[2023, 5, 30]]")
            else:
                dates[key] = parsed_date
        elif key in WEB_FIELDS and not (isinstance(value, str) and value.strip().lower().startswith(WEB)):
            report.error(f"source '{sid}': '{key}' must be a web address starting with https:// or http://",
                         where(key), f"write the full address, e.g. https://{str(value).lstrip('/')}")
        elif key not in ("id", "type", "title"):
            fields[key] = str(value) if isinstance(value, Text) else value
    return Source(sid, ctype, str(title).strip(), where(), names, dates, fields)


def _show(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _names(value: Any) -> tuple[Name, ...] | None:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return None
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(Name(literal=item))
        elif isinstance(item, dict) and any(item.get(k) for k in ("family", "given", "literal")):
            out.append(Name(*(str(item[k]) if item.get(k) else None for k in ("family", "given", "literal"))))
        else:
            return None
    return tuple(out)


def _date(value: Any) -> CslDate | None:
    import datetime as dt
    if isinstance(value, dt.date):
        return CslDate(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 2999:
        return CslDate(value)
    if isinstance(value, str):
        return _edtf(value.strip())
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if parts is not None:
            if not (isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]):
                return None
            first = parts[0]
            try:
                nums = [int(p) for p in first[:3]]
            except (TypeError, ValueError):
                return None
            return _checked(*nums)
        for key in ("raw", "literal"):
            if isinstance(value.get(key), str):
                parsed = _edtf(value[key].strip())
                return parsed or (CslDate(0, literal=value[key]) if key == "literal" else None)
    return None


def _edtf(text: str) -> CslDate | None:
    m = EDTF_RE.match(text)
    if not m:
        return None
    return _checked(*(int(g) for g in m.groups() if g))


def _checked(year: int, month: int | None = None, day: int | None = None) -> CslDate | None:
    import calendar
    if not 1000 <= year <= 2999:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not (month and 1 <= day <= calendar.monthrange(year, month)[1]):
        return None
    return CslDate(year, month, day)

def _json_depth(value, depth: int = 0) -> int:
    if depth > 40:
        return depth
    if isinstance(value, dict):
        return max((_json_depth(v, depth + 1) for v in value.values()), default=depth + 1)
    if isinstance(value, list):
        return max((_json_depth(v, depth + 1) for v in value), default=depth + 1)
    return depth


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _deceptive_id(sid: str) -> str | None:
    """Why an id could pass for another one: invisible characters, or letters of more than
    one script ('hrw-2020' with a Cyrillic 'һ'), or any letter outside Latin that looks like one."""
    import unicodedata
    scripts = set()
    for ch in sid:
        cat = unicodedata.category(ch)
        if cat in ("Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me"):
            return f"contains the invisible character U+{ord(ch):04X}"
        if ch.isalpha():
            scripts.add(unicodedata.name(ch, "UNKNOWN").split()[0])
    if len(scripts) > 1:
        names = " and ".join(sorted(s.title() for s in scripts))
        return f"mixes {names} letters (a lookalike of another id?)"
    if scripts and scripts != {"LATIN"} and scripts & {"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC"} \
            and all(ch.isascii() or _looks_latin(ch) for ch in sid):
        return f"is written in {next(iter(scripts)).title()} letters that look like Latin ones"
    return None


def _looks_latin(ch: str) -> bool:
    return ch in "аеорсухіјѕһԁԛԝаАВЕКМНОРСТХІЈЅԜαοτνκιρΑΒΕΖΗΙΚΜΝΟΡΤΥΧօոսհ"
