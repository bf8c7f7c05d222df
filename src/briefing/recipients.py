"""A brief for every recipient: a recipients file (CSV or YAML) -> one personalised copy each.

Each row names a person (name, title or role, organization, committee), their language,
the brief(s) to send them, and optionally their own salutation and a personal ask. A
copy is the brief's composed Document with a cover letter first (a `cover` block) and
"Prepared for …" on its title block; every sentence of the letter is a template word
(translated in template.po), the person's data is escaped text, isolated in
right-to-left documents like any Latin run.

Recipient data is personal data. It is read from the file the user names (inside the
project or not), handed to the workers in memory, and written only into the documents:
never into the build cache, and into the manifest only as a hash per row (`key`).
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os
import re
import stat
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .document import CoverBlock, Document, Span, Str, text_of
from .errors import BriefError, Location, Problem, Report, did_you_mean

MAX_BYTES = 5_000_000
MAX_ROWS = 100_000
MAX_FIELD = {"ask": 2000, "salutation": 200}
MAX_OTHER = 300
FIELDS = ("name", "title", "organization", "committee", "language", "brief", "salutation", "ask")
REQUIRED = ("name", "language", "brief")
ALIASES = {"role": "title", "position": "title", "organisation": "organization", "org": "organization",
           "briefs": "brief", "lang": "language", "personal_ask": "ask", "greeting": "salutation"}
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# control characters (no document format can hold them: Word's XML refuses them), but tab and newline
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                    *(f"lpt{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class Recipient:
    row: int                 # 1-based data row (the header is not a row)
    name: str
    language: str
    briefs: tuple[str, ...]
    title: str = ""
    organization: str = ""
    committee: str = ""
    salutation: str = ""
    ask: str = ""
    slug: str = ""           # the safe file name of their copies
    key: str = ""            # sha256 of the row: the only trace of them the manifest keeps

    def data(self) -> dict:
        """What a worker needs to personalise a document (plain data, crosses processes)."""
        return {f: getattr(self, f) for f in ("name", "title", "organization", "committee", "salutation", "ask")}


# --- reading the file ------------------------------------------------------------------------

def load_recipients(path: Path, shown: str, briefs: dict, broken: set[str] | None = None,
                    skipped: set[str] | None = None) -> list[Recipient]:
    """Read and check a recipients file; every bad row is reported (with its row and
    column) at once. `briefs`: id -> the languages the brief can be made in; `broken`: ids
    of briefs that exist but have errors; `skipped`: ids left out of this build (--brief)."""
    text = _read(path, shown)
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(text, shown)
        noun = "column"
    elif path.suffix.lower() in (".yaml", ".yml"):
        rows = _yaml_rows(path, text, shown)
        noun = "field"
    else:
        raise BriefError("a recipients file must be .csv or .yaml", Location(shown),
                         "save the spreadsheet as CSV (UTF-8), or write the list in YAML")
    report = Report()
    people: list[Recipient] = []
    for row, values, where in rows:
        person = _check_row(row, values, where, noun, briefs, broken or set(), skipped or set(), report)
        if person is not None:
            people.append(person)
    report.raise_if_errors()
    if not people:
        raise BriefError("the recipients file has no rows", Location(shown), "add one row per recipient")
    return _with_slugs(people)


def _read(path: Path, shown: str) -> str:
    try:
        st = os.stat(path)
    except OSError as exc:
        raise BriefError(f"cannot read the recipients file: {exc.strerror}", Location(shown)) from None
    if not stat.S_ISREG(st.st_mode):
        raise BriefError("the recipients file is not a regular file", Location(shown))
    if st.st_size > MAX_BYTES:
        raise BriefError(f"the recipients file is too large ({st.st_size:,} bytes; the limit is {MAX_BYTES:,})",
                         Location(shown), "split it into several files")
    try:
        return path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise BriefError("the recipients file is not valid UTF-8", Location(shown),
                         "save it as 'CSV UTF-8' (Excel, LibreOffice: Save as, character set UTF-8)") from None


def _header_name(raw: str) -> str:
    name = re.sub(r"[\s-]+", "_", raw.strip().lower())
    return ALIASES.get(name, name)


def _csv_rows(text: str, shown: str):
    """(row, {field: (value, Location)}, Location of the row) for every data row."""
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise BriefError("the recipients file is empty", Location(shown, 1, 1)) from None
    columns = _columns(first, delimiter)
    names = [_header_name(h) for h in header]
    problems = []
    for i, (raw, name) in enumerate(zip(header, names)):
        if name not in FIELDS:
            problems.append(Problem(f"unknown column '{raw.strip()}'", Location(shown, 1, columns[i] if i < len(columns)
                                                                              else 1),
                                    did_you_mean(name, FIELDS) or f"columns: {', '.join(FIELDS)}"))
    for need in REQUIRED:
        if need not in names:
            problems.append(Problem(f"the column '{need}' is missing", Location(shown, 1, 1),
                                    f"the first line names the columns; needed: {', '.join(REQUIRED)}"))
    if problems:
        raise BriefError(problems)
    out = []
    start = 2
    lines = text.splitlines()   # once: per row it would make reading quadratic (hours for 100,000 rows)
    for n, record in enumerate(_records(reader, shown), 1):
        end = reader.line_num
        if n > MAX_ROWS:
            raise BriefError(f"more than {MAX_ROWS:,} recipients", Location(shown, end), "split the file")
        if not any(cell.strip() for cell in record):
            start = end + 1
            continue
        line_text = lines[start - 1] if start == end and start - 1 < len(lines) else ""
        cols = _columns(line_text, delimiter) if line_text else []
        values = {}
        for i, name in enumerate(names):
            cell = record[i] if i < len(record) else ""
            values[name] = (cell.strip(), Location(shown, start, cols[i] if i < len(cols) else 1))
        out.append((n, values, Location(shown, start, 1)))
        start = end + 1
    return out


def _records(reader, shown: str):
    """The reader's rows; a cell too large for the csv module is an error at its line."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BriefError(f"cannot read this CSV row: {exc}", Location(shown, reader.line_num),
                             f"no cell may be longer than {max(MAX_FIELD.values()):,} characters") from None


def _columns(line: str, delimiter: str) -> list[int]:
    """1-based start column of each field of one CSV line (quotes respected)."""
    cols, quoted = [1], False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            cols.append(i + 2)
    return cols


def _yaml_rows(path: Path, text: str, shown: str):
    from .load.yamlfile import load_yaml
    doc = load_yaml(path, shown, text=text)
    data, base = doc.data, ()
    if isinstance(data, dict) and set(data) == {"recipients"}:
        data, base = data["recipients"], ("recipients",)
    if not isinstance(data, list):
        raise BriefError("a recipients file in YAML is a list of recipients (or `recipients:` with one)",
                         Location(shown, 1, 1), "start each recipient with '- name: ...'")
    out = []
    for n, item in enumerate(data, 1):
        path_ = base + (n - 1,)
        where = doc.where(path_)
        if not isinstance(item, dict):
            raise BriefError(f"recipient {n} is not a mapping of fields", where, "write 'name: ...' and so on")
        values, problems = {}, []
        for key, value in item.items():
            name = _header_name(str(key))
            loc = doc.where(path_ + (key,))
            if name not in FIELDS:
                problems.append(Problem(f"row {n}: unknown field '{key}'", doc.key_where(path_ + (key,)),
                                        did_you_mean(name, FIELDS) or f"fields: {', '.join(FIELDS)}"))
                continue
            if isinstance(value, list) and name == "brief":
                value = " ".join(str(v) for v in value)
            elif isinstance(value, (dict, list)):
                problems.append(Problem(f"row {n}, field '{key}': expected a text", loc))
                continue
            values[name] = ("" if value is None else str(value).strip(), loc)
        if problems:
            raise BriefError(problems)
        out.append((n, values, where))
    return out


def _check_row(row: int, values: dict, where: Location, noun: str, briefs: dict, broken: set, skipped: set,
               report: Report) -> Recipient | None:
    from .model import SUPPORTED_LANGUAGES

    def value(name: str) -> str:
        return values.get(name, ("", where))[0]

    def at(name: str) -> Location:
        return values.get(name, ("", where))[1]

    def bad(name: str, message: str, hint: str | None = None) -> None:
        report.error(f"row {row}, {noun} '{name}': {message}", at(name), hint)

    before = len(report.errors)
    for name in FIELDS:
        text = value(name)
        limit = MAX_FIELD.get(name, MAX_OTHER)
        if len(text) > limit:
            bad(name, f"longer than {limit} characters")
        if BIDI_CONTROLS.search(text):
            bad(name, f"contains the invisible bidi control U+{ord(BIDI_CONTROLS.search(text).group(0)):04X}",
                "remove it: the layout isolates names itself")
        control = CONTROL.search(text)
        if control:
            bad(name, f"contains the control character U+{ord(control.group(0)):04X} at character "
                      f"{control.start() + 1}", "remove it (a copy from another program can carry one)")
    if not value("name"):
        bad("name", "the name is empty")
    lang = value("language")
    if not lang:
        bad("language", "missing language", f"write one of: {', '.join(SUPPORTED_LANGUAGES)}")
    elif lang not in SUPPORTED_LANGUAGES:
        bad("language", f"unknown language '{lang}'",
            did_you_mean(lang, SUPPORTED_LANGUAGES) or f"supported: {', '.join(SUPPORTED_LANGUAGES)}")
    ids = tuple(dict.fromkeys(b for b in re.split(r"[\s,;]+", value("brief")) if b))
    if not ids:
        bad("brief", "missing brief", f"name one of: {', '.join(sorted(briefs)) or '(no brief)'}")
    for brief in ids:
        if brief in skipped:
            continue
        if brief in broken:
            bad("brief", f"the brief '{brief}' has errors", "run 'briefing check' and fix them first")
        elif brief not in briefs:
            bad("brief", f"unknown brief '{brief}'",
                did_you_mean(brief, briefs) or f"briefs: {', '.join(sorted(briefs))}")
        elif lang in SUPPORTED_LANGUAGES and lang not in briefs[brief]:
            bad("language", f"the brief '{brief}' is not made in '{lang}' (its languages: "
                            f"{', '.join(briefs[brief])})",
                f"add {lang} to the brief's `languages:` and translate it, or send this recipient another language")
    if len(report.errors) > before:
        return None
    fields = {f: value(f) for f in ("title", "organization", "committee", "salutation", "ask")}
    return Recipient(row, value("name"), lang, ids, **fields)


# --- the build's jobs ----------------------------------------------------------------------

def recipient_plan(project, loaded, options, out_dir: Path):
    """The jobs of a recipients build: each recipient's briefs, in their language, in the
    formats and layouts asked for, written to OUT/recipients/<slug>/<brief>.<format>.
    Returns (jobs, {row hash: the data a worker needs}, warnings)."""
    from .build import Job, document_outputs, output_name
    path = Path(options.recipients)
    shown = project.rel(path)
    existing = {p.stem for p in project.brief_paths()}
    briefs = {bid: [str(lang) for lang in lb.brief.languages] for bid, lb in loaded.briefs.items()}
    skipped = existing - set(options.briefs) if options.briefs else set()
    people = load_recipients(path, shown, briefs, existing - set(briefs) - skipped, skipped)
    jobs = []
    for person in people:
        if options.languages and person.language not in options.languages:
            continue
        for brief in person.briefs:
            if brief in skipped:
                continue
            for layout, fmt, variant in document_outputs(options):
                target = out_dir / "recipients" / person.slug / output_name(brief, layout, fmt, variant)
                jobs.append(Job(brief, person.language, fmt, layout, target, variant, person.key))
    return jobs, {p.key: p.data() for p in people}, privacy_warnings(path, shown)


# --- names of their files ------------------------------------------------------------------

def slugify(name: str) -> str:
    """A safe file name from a person's name: letters of any script and digits, joined by
    '-'; no dots, slashes, spaces or control characters; at most 60 characters."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    text = unicodedata.normalize("NFC", text).casefold()
    slug = re.sub(r"[^\w]+|_+", "-", text).strip("-")[:60].strip("-")
    if slug in WINDOWS_RESERVED:
        slug += "-1"
    return slug


def _with_slugs(people: list[Recipient]) -> list[Recipient]:
    """Every recipient gets their own slug: a second 'Dana Cohen' becomes dana-cohen-2."""
    used: set[str] = set()
    out = []
    for person in people:
        base = slugify(person.name) or f"recipient-{person.row}"
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        row = json.dumps({**dataclasses.asdict(person), "slug": slug}, sort_keys=True, ensure_ascii=False)
        out.append(dataclasses.replace(person, slug=slug, key=hashlib.sha256(row.encode()).hexdigest()))
    return out


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def privacy_warnings(path: Path, shown: str) -> list[Problem]:
    """A recipients file inside a git work tree must be ignored by git (personal data)."""
    folder = path.resolve().parent
    try:
        inside = subprocess.run(["git", "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
                                capture_output=True, text=True, timeout=20)
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return []
        tracked = subprocess.run(["git", "-C", str(folder), "ls-files", "--error-unmatch", path.name],
                                 capture_output=True, timeout=20).returncode == 0
        ignored = subprocess.run(["git", "-C", str(folder), "check-ignore", "-q", path.name],
                                 capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return []
    if tracked:
        return [Problem("the recipients file (personal data) is committed to git", Location(shown),
                        f"git rm --cached {shown}, add it to .gitignore, and keep it outside the repository",
                        "warning")]
    if not ignored:
        return [Problem("the recipients file (personal data) is not ignored by git", Location(shown),
                        f"add '{path.name}' (or a private/ folder) to .gitignore, or keep it outside the repository",
                        "warning")]
    return []


# --- the personalised document --------------------------------------------------------------

def personalise(doc: Document, recipient: dict) -> Document:
    """A copy of `doc` for one person: "Prepared for …" on its title block and, in a full
    brief, a cover letter first. The letter's sentences are the document's template words
    (already translated); the person's data is text, isolated in right-to-left documents."""
    from . import bidi

    def own(text: str) -> tuple:
        nodes = (Str(text),)
        if not doc.rtl:
            return nodes
        if _first_strong(text) == "L":  # a Latin name or sentence keeps its own order, stop included
            return (Span(nodes, "ltr"),)
        return bidi.isolate(nodes)

    def word(msgid: str, name: str | None = None, nodes: tuple = ()) -> tuple:
        """A template word, with one inline value for its {name} placeholder."""
        pattern = doc.words.get(msgid, msgid)
        if name is None:
            return own(pattern)
        before, _, after = pattern.partition("{" + name + "}")
        return (own(before) if before else ()) + tuple(nodes) + (own(after) if after else ())

    name = recipient["name"]
    blocks = list(doc.blocks)
    for i, block in enumerate(blocks):
        if block.role == "title":
            blocks[i] = dataclasses.replace(block, prepared_for=word("Prepared for {name}", "name", own(name)))
            break
    if doc.layout == "brief":
        opening, closing = doc.quote_marks
        title = own(opening + text_of(doc.title) + closing)
        paragraphs = [word("We are pleased to send you our policy brief {title}.", "title", title)]
        if recipient.get("title"):
            paragraphs.append(word("We are writing to you in your capacity as {role}.", "role",
                                   own(recipient["title"])))
        if recipient.get("committee"):
            paragraphs.append(word("It bears directly on the work of your committee."))
        paragraphs.append(word("We would welcome the opportunity to discuss it with you."))
        addressee = [own(recipient[f]) for f in ("name", "title", "organization", "committee") if recipient.get(f)]
        salutation = own(recipient["salutation"]) if recipient.get("salutation") else \
            word("Dear {name},", "name", own(name))
        signature = own(doc.branding.organization) if doc.branding.organization else None
        cover = CoverBlock(doc.date_text, addressee, salutation, paragraphs,
                           doc.word("Our request to you") if recipient.get("ask") else None,
                           own(recipient["ask"]) if recipient.get("ask") else None,
                           doc.word("Yours sincerely,"), signature)
        blocks.insert(0, cover)
    return dataclasses.replace(doc, blocks=blocks)


def _first_strong(text: str) -> str | None:
    """'L' or 'R': the direction of the first letter with a strong direction (as dir="auto")."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return None
