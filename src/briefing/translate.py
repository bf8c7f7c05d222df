"""`briefing translate`: extract, update, status and check the gettext catalogs."""
from __future__ import annotations

from dataclasses import dataclass, field

from babel.messages.catalog import Catalog

from .errors import Location, Problem, Report
from .i18n.catalogs import (TEMPLATE_DOMAIN, Stats, brief_template, catalog_stats, new_translation, read_catalog,
                            serialize, words_template, write_catalog)
from .i18n.words import WORDS
from .model import SOURCE_LANGUAGE, SUPPORTED_LANGUAGES
from .pipeline import Loaded, catalog_texts, load_project
from .project import Project

TEAM = "briefing translators"


def templates(loaded: Loaded) -> dict[str, Catalog]:
    """domain -> the current .pot catalog, from the briefs as they are now."""
    out = {TEMPLATE_DOMAIN: words_template()}
    for brief_id, lb in sorted(loaded.briefs.items()):
        out[brief_id] = brief_template(lb.brief, lb.shown, lb.comments, lb.shared_used)
    return out


def target_languages(loaded: Loaded, only: list[str] | None = None) -> list[str]:
    langs = {str(lang) for lb in loaded.briefs.values() for lang in lb.brief.languages}
    langs |= set(loaded.project.catalog_languages()) & set(SUPPORTED_LANGUAGES)
    langs.discard(SOURCE_LANGUAGE)
    if only:
        langs &= set(only)
    return sorted(langs)


def _write(project: Project, cat: Catalog, path, template: bool = False) -> None:
    from .safefs import check_write_target
    check_write_target(project.root, path, project.rel(path))
    write_catalog(cat, path, template=template)


def _serialize(cat: Catalog) -> bytes:
    return serialize(cat)


def extract(project: Project) -> tuple[list[str], Report]:
    """Write locales/<domain>.pot for every brief and the template words; returns paths written."""
    loaded = load_project(project)
    return write_templates(project, templates(loaded)), loaded.report


def write_templates(project: Project, pots: dict[str, Catalog]) -> list[str]:
    """Write locales/<domain>.pot where it changed; returns the paths written."""
    written = []
    for domain, cat in pots.items():
        path = project.pot_path(domain)
        if not path.is_file() or path.is_symlink() or path.read_bytes() != _serialize_pot(cat):
            _write(project, cat, path, template=True)
            written.append(project.rel(path))
    return written


def _serialize_pot(cat: Catalog) -> bytes:
    return serialize(cat, template=True)


@dataclass
class UpdateResult:
    path: str
    created: bool = False
    new: int = 0
    fuzzy: int = 0
    obsolete: int = 0
    changed: bool = False
    template: bool = False           # a .pot file (written by update as by extract)


def update(project: Project, languages: list[str] | None = None) -> tuple[list[UpdateResult], Report]:
    """Merge the current English into every .po (new strings empty, edited ones fuzzy)."""
    loaded = load_project(project)
    report = loaded.report
    pots = templates(loaded)
    results = [UpdateResult(path, changed=True, template=True) for path in write_templates(project, pots)]
    for lang in target_languages(loaded, languages):
        for domain, pot in pots.items():
            if domain != TEMPLATE_DOMAIN and lang not in [str(x) for x in loaded.briefs[domain].brief.languages]:
                continue
            path = project.catalog_path(lang, domain)
            shown = project.rel(path)
            if not path.is_file():
                cat = new_translation(pot, lang, TEAM)
                _write(project, cat, path)
                results.append(UpdateResult(shown, created=True, new=len(cat), changed=True))
                continue
            po = read_catalog(path, shown, lang, project.root)
            if po.catalog is None:
                report.extend(po.problems)
                continue
            cat = po.catalog
            before = _serialize(cat)
            old_ids = {m.id for m in cat if m.id}
            old_fuzzy = {(m.id, m.context) for m in cat if m.id and m.fuzzy}
            old_obsolete = set(cat.obsolete)
            _follow_moves(cat, pot)
            kept = {(m.id, m.context): m.previous_id for m in cat if m.id and m.fuzzy and m.previous_id}
            cat.update(pot, update_creation_date=False)
            for msg in cat:
                msg.flags.discard("python-format")
                if msg.fuzzy and not msg.previous_id and (msg.id, msg.context) in kept:
                    msg.previous_id = kept[(msg.id, msg.context)]  # Babel's update forgets it
            new = sum(1 for m in cat if m.id and m.id not in old_ids and not m.fuzzy)
            fuzzy = sum(1 for m in cat if m.id and m.fuzzy and (m.id, m.context) not in old_fuzzy)
            obsolete = len(set(cat.obsolete) - old_obsolete)
            changed = _serialize(cat) != before
            if changed:
                _write(project, cat, path)
            results.append(UpdateResult(shown, False, new, fuzzy, obsolete, changed))
    return results, report


def _follow_moves(cat: Catalog, pot: Catalog) -> None:
    """A text whose English is unchanged but whose place moved (a section or recommendation
    inserted above it) keeps its translation under the new context instead of turning fuzzy."""
    wanted = {(m.id, m.context) for m in pot if m.id}
    movable: dict[str, list] = {}
    for msg in cat:
        if msg.id and (msg.id, msg.context) not in wanted:
            movable.setdefault(msg.id, []).append(msg)
    for msg in pot:
        if not msg.id or cat.get(msg.id, context=msg.context) is not None or not movable.get(msg.id):
            continue
        old = movable[msg.id].pop(0)
        cat.delete(old.id, context=old.context)
        cat.add(old.id, old.string, locations=old.locations, flags=old.flags, auto_comments=old.auto_comments,
                user_comments=old.user_comments, previous_id=old.previous_id, context=msg.context)


@dataclass
class StatusRow:
    brief: str
    lang: str
    stats: Stats
    catalog: str
    exists: bool

    def as_dict(self) -> dict:
        return {"brief": self.brief, "language": self.lang, "catalog": self.catalog, "exists": self.exists,
                **self.stats.as_dict(), "percent": round(self.stats.percent, 1)}


@dataclass
class StatusReport:
    rows: list[StatusRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def status(project: Project, languages: list[str] | None = None) -> StatusReport:
    """Per brief and language: translated, fuzzy, untranslated, invalid - against the current English."""
    loaded = load_project(project)
    result = StatusReport(problems=list(loaded.report.problems))
    for lang in target_languages(loaded, languages):
        for brief_id, lb in sorted(loaded.briefs.items()) + [(TEMPLATE_DOMAIN, None)]:
            if lb is not None and lang not in [str(x) for x in lb.brief.languages]:
                continue
            po = loaded.catalog(lang, brief_id)
            stats, problems = catalog_stats(po, lang, catalog_texts(loaded, brief_id))
            result.problems.extend(problems)
            path = project.catalog_path(lang, brief_id)
            result.rows.append(StatusRow(brief_id, lang, stats, project.rel(path), po is not None))
    return result


def check(project: Project, languages: list[str] | None = None) -> list[Problem]:
    """Every problem a translator must fix: syntax, broken placeholders, numbers, links, markup."""
    report = status(project, languages)
    problems = [p.as_error() for p in report.problems
                if p.location and p.location.path.startswith("locales") and "translation of" in p.message
                or p.severity == "error" and p.location and p.location.path.endswith(".po")]
    loaded = load_project(project)
    for lang in target_languages(loaded, languages):
        for domain in list(loaded.briefs) + [TEMPLATE_DOMAIN]:
            po = loaded.catalog(lang, domain)
            if po is None or po.catalog is None:
                continue
            current = {(str(t), ctx) for ctx, _p, t in loaded.briefs[domain].texts()} \
                if domain in loaded.briefs else {(w, None) for w in WORDS}
            for msg in po.catalog:
                if msg.id and (msg.id, msg.context) not in current and msg.string:
                    problems.append(Problem(
                        f"translation of \"{_short(msg.id)}\" is for English text that has changed or gone",
                        Location(po.shown, msg.lineno or 0), "run 'briefing translate update'", "warning"))
    return sorted(set(problems), key=lambda p: (p.location.path, p.location.line) if p.location else ("", 0))


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
