"""Load and check a whole project; make one document (brief x language x format x layout)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from .atomic import atomic_path
from .briefs import SHARED_FILE, LoadedBrief, load_brief, load_shared
from .compose import Composer
from .document import Document
from .errors import BriefError, Location, Problem, Report
from .i18n.catalogs import TEMPLATE_DOMAIN, PoFile, Stats, Translator, catalog_stats, read_catalog
from .load.sources import SourceSet, load_sources
from .project import Project



@dataclass
class Loaded:
    """Everything a build reads, checked once."""

    project: Project
    sources: SourceSet
    briefs: dict[str, LoadedBrief]
    report: Report
    catalogs: dict[tuple[str, str], PoFile] = field(default_factory=dict)

    def catalog(self, lang: str, domain: str) -> PoFile | None:
        key = (lang, domain)
        if key not in self.catalogs:
            path = self.project.catalog_path(lang, domain)
            self.catalogs[key] = read_catalog(path, self.project.rel(path), lang, self.project.root) \
                if path.is_file() or path.is_symlink() else None
        return self.catalogs[key]


def load_project(project: Project, brief_ids: list[str] | None = None) -> Loaded:
    report = Report()
    sources = load_sources(project.sources_dir, project.root, report)
    paths = [project.brief_path(b) for b in brief_ids] if brief_ids else project.brief_paths()
    shared = load_shared(project.briefs_dir, project.rel(project.briefs_dir / SHARED_FILE), sources, report,
                         project.root)
    briefs: dict[str, LoadedBrief] = {}
    for path in paths:
        loaded = load_brief(path, project.rel(path), sources, report, shared, project.root)
        if loaded is not None:
            briefs[loaded.id] = loaded
    _check_template_choices(project, briefs, report)
    from .review import review
    for lb in briefs.values():  # opinions without an owner, stale facts
        report.extend(review(lb, project.config.check.stale_after_years))
    if not brief_ids:
        cited = set().union(*(b.cited_keys for b in briefs.values())) if briefs else set()
        for key, source in sources.by_id.items():
            if key not in cited and len(briefs) == len(paths):
                report.warning(f"source '{key}' is never cited", source.location,
                               "cite it as [@" + key + "] or remove it")
    return Loaded(project, sources, briefs, report)


def _check_template_choices(project: Project, briefs: dict, report: Report) -> None:
    """Every template set named (briefing.toml, a brief's `template:`) exists and compiles.
    A brief whose set is missing is reported at its `template:` line and not built."""
    from .render.html import check_templates
    from .render.templates import find_template
    checked: set = set()

    def compile_once(tset) -> None:
        if tset.folder not in checked:
            checked.add(tset.folder)
            report.extend(check_templates(tset))
            try:
                tset.style  # template.toml: palette and fonts
            except BriefError as exc:
                report.extend(exc.problems)

    try:
        compile_once(find_template(project, None))
    except BriefError as exc:
        where = _config_line(project, "template")
        for p in exc.problems:
            report.error(p.message, where, p.hint)
    for brief_id, lb in list(briefs.items()):
        if lb.brief.template:
            try:
                compile_once(find_template(project, str(lb.brief.template)))
            except BriefError as exc:
                for p in exc.problems:
                    report.error(p.message, lb.doc.where(("template",)), p.hint)
                del briefs[brief_id]


def _config_line(project: Project, key: str) -> Location:
    import re
    path = project.root / "briefing.toml"
    if path.is_file():
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(rf"\s*{key}\s*=", line):
                return Location("briefing.toml", i, 1)
    return Location("briefing.toml")


def translators(loaded: Loaded, brief_id: str, lang: str) -> tuple[Translator, Translator]:
    if lang == "en":
        return Translator(None, lang), Translator(None, lang)
    return (Translator(loaded.catalog(lang, brief_id), lang),
            Translator(loaded.catalog(lang, TEMPLATE_DOMAIN), lang))


def missing_catalog_problems(loaded: Loaded, brief_id: str, lang: str) -> list[Problem]:
    out = []
    for domain in (brief_id, TEMPLATE_DOMAIN):
        path = loaded.project.catalog_path(lang, domain)
        if lang != "en" and not path.is_file():
            out.append(Problem(f"no {lang} catalog for '{domain}': the text falls back to English",
                               Location(loaded.project.rel(path)),
                               "run 'briefing translate update' to create it", "warning"))
    return out


@dataclass
class Composed:
    document: Document
    brief_stats: Stats
    words_stats: Stats
    problems: list[Problem]
    shown: set = field(default_factory=set)   # (msgid, msgctxt) of every brief text the document shows


def compose(loaded: Loaded, brief_id: str, lang: str, *, paper: str | None = None, layout: str = "brief",
            show_untranslated: bool = False, facts_after: int = 0, template: str | None = None,
            annotate: bool = False) -> Composed:
    from .render.templates import find_template
    lb = loaded.briefs[brief_id]
    tr, words = translators(loaded, brief_id, lang)
    project = loaded.project
    paper = project.paper_for(lang, lb.brief.paper, paper)
    # the palette: briefing.toml's [colors] over the template set's over the built-in one
    palette = find_template(project, template or lb.brief.template).style.palette(project).model_dump()
    composer = Composer(lb.brief, lb.facts, lang, loaded.sources, tr, words, config=project.config,
                        show_untranslated=show_untranslated, paper=paper, layout=layout, facts_after=facts_after,
                        root=project.root, palette=palette, annotate=annotate)
    document = composer.compose()
    document.source = lb.shown
    problems = list(tr.problems) + list(words.problems)
    return Composed(document, tr.stats, words.stats, problems, set(tr.seen))


def all_problems(loaded: Loaded) -> list[Problem]:
    """What `briefing check` reports: the loading problems, then those of composing every
    language of every brief, each once."""
    problems = list(loaded.report.problems)
    seen = set(problems)
    for p in check_languages(loaded).problems:
        if p not in seen:
            seen.add(p)
            problems.append(p)
    return problems


def check_languages(loaded: Loaded) -> Report:
    """Compose every brief in every language it declares (no rendering): translation,
    glyph and fallback problems, as a build would find them."""
    report = Report()
    for brief_id, lb in sorted(loaded.briefs.items()):
        for lang in [str(x) for x in lb.brief.languages]:
            report.extend(language_problems(loaded, brief_id, lang))
    return report


def language_problems(loaded: Loaded, brief_id: str, lang: str, layout: str = "brief") -> list[Problem]:
    """Problems of one brief in one language, including those that stop it being made."""
    try:
        composed = compose(loaded, brief_id, lang, layout=layout)
    except BriefError as exc:
        return (missing_catalog_problems(loaded, brief_id, lang) if lang != "en" else []) + exc.problems
    return composition_problems(loaded, brief_id, lang, composed)


def composition_problems(loaded: Loaded, brief_id: str, lang: str, composed: "Composed") -> list[Problem]:
    """Warnings about one composed document: missing catalogs, broken translations, fallbacks.
    The fallback count is the catalog's, as `translate status` counts it (every text of the
    brief, every template word), whatever the layout shows."""
    problems = missing_catalog_problems(loaded, brief_id, lang) if lang != "en" else []
    problems += composed.problems
    project = loaded.project
    if lang == "en":
        return problems
    for domain, name in ((brief_id, brief_id), (TEMPLATE_DOMAIN, "template words")):
        stats = catalog_stats(loaded.catalog(lang, domain), lang, catalog_texts(loaded, domain))[0]
        warning = fallback_warning(name, lang, stats, project.rel(project.catalog_path(lang, domain)))
        if warning:
            problems.append(warning)
    return problems


def catalog_texts(loaded: Loaded, domain: str) -> list[tuple[str, str | None]]:
    """(msgid, msgctxt) of every string a catalog should translate: a brief's texts, or the
    template's words."""
    from .i18n.words import WORDS
    if domain == TEMPLATE_DOMAIN:
        return [(w, None) for w in WORDS]
    return [(str(t), ctx) for ctx, _p, t in loaded.briefs[domain].texts()]


def fallback_warning(brief_id: str, lang: str, stats: Stats, where: str) -> Problem | None:
    if stats.fallbacks <= 0:
        return None
    parts = []
    for name in ("untranslated", "fuzzy", "invalid"):
        n = getattr(stats, name)
        if n:
            parts.append(f"{n} {name}")
    return Problem(f"{brief_id} [{lang}]: {stats.fallbacks} of {stats.total} strings shown in English "
                   f"({', '.join(parts)})", Location(where),
                   "translate them in the .po file (Poedit), or see 'briefing translate status'", "warning")


@dataclass(frozen=True)
class Output:
    """One file to write: a format, a variant ("", "print" or "booklet") and where."""

    fmt: str
    target: Path
    variant: str = ""


def write_outputs(loaded: Loaded, brief_id: str, lang: str, layout: str, outputs: list[Output], *,
                  paper: str | None = None, show_untranslated: bool = False, template: str | None = None,
                  pdf_standard: str | None = None, strict: bool = False,
                  facts_after: int | None = None, recipient: dict | None = None) -> tuple[Composed, list[Problem]]:
    """Compose one document once, make its one layout-dependent choice once (or take the
    one an earlier build made, `facts_after`), and write every output from it, each file
    atomically. A `recipient` gets their personalised copy (recipients.personalise).
    Returns the composition (the document as decided, not personalised) and its warnings."""
    from .render.templates import find_template
    from .writers import WriteOptions, write

    project = loaded.project
    if brief_id not in loaded.briefs:  # its input has errors: they are the answer, not a bug
        shown = project.rel(project.brief_path(brief_id))
        raise BriefError([p for p in loaded.report.problems if p.severity == "error" and p.location
                          and p.location.path in (shown, "briefs/_shared.yaml")]
                         or [Problem(f"brief '{brief_id}' cannot be used", Location(shown))])
    lb = loaded.briefs[brief_id]
    options = WriteOptions(project, find_template(project, template or lb.brief.template), pdf_standard=pdf_standard)

    def make(facts_after: int = 0, paper_override: str | None = None) -> Composed:
        return compose(loaded, brief_id, lang, paper=paper_override or paper, layout=layout,
                       show_untranslated=show_untranslated, facts_after=facts_after, template=template)

    first = make()
    problems = composition_problems(loaded, brief_id, lang, first)
    if any(p.severity == "error" for p in problems) or (strict and problems):
        raise BriefError([p.as_error() for p in problems])
    if facts_after is None:
        from .render.pdf import decide_placement
        doc = decide_placement(lambda n: first.document if n == 0 else make(n).document, options)
    else:
        doc = first.document if facts_after == first.document.facts_after else make(facts_after).document
    first.document = doc

    def personal(document: Document) -> Document:
        if recipient is None:
            return document
        from .recipients import personalise
        return personalise(document, recipient)

    copy = personal(doc)
    for output in outputs:
        document, variant_options = copy, options
        if output.variant:
            variant_options = replace(options, variant=output.variant)
        if output.variant == "booklet":  # the same document on A5 pages
            document = personal(make(doc.facts_after, "a5").document)
        data = write(document, output.fmt, variant_options)
        with atomic_path(output.target) as tmp:
            tmp.write_bytes(data)
    return first, problems
