"""Load and check a whole project; make one document (brief x language x format x layout)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .atomic import atomic_path
from .briefs import SHARED_FILE, LoadedBrief, load_brief, load_shared
from .compose import Composer
from .document import Document
from .errors import BriefError, Location, Problem, Report
from .i18n.catalogs import TEMPLATE_DOMAIN, PoFile, Stats, Translator, read_catalog
from .load.sources import SourceSet, load_sources
from .project import Project


PDF_VARIANTS = {"ua": "pdf/ua-1", "a": "pdf/a-3b", None: None}


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
            show_untranslated: bool = False, facts_after: int = 0) -> Composed:
    lb = loaded.briefs[brief_id]
    tr, words = translators(loaded, brief_id, lang)
    project = loaded.project
    paper = project.paper_for(lang, lb.brief.paper, paper)
    composer = Composer(lb.brief, lb.facts, lang, loaded.sources, tr, words, config=project.config,
                        show_untranslated=show_untranslated, paper=paper, layout=layout, facts_after=facts_after)
    document = composer.compose()
    problems = list(tr.problems) + list(words.problems)
    return Composed(document, tr.stats, words.stats, problems, set(tr.seen))


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
    """Warnings about one composed document: missing catalogs, broken translations, fallbacks."""
    problems = missing_catalog_problems(loaded, brief_id, lang) if lang != "en" else []
    problems += composed.problems
    project = loaded.project
    layout = composed.document.layout
    for stats, domain in ((composed.brief_stats, brief_id), (composed.words_stats, "template")):
        name = (brief_id if domain != "template" else "template words") + ("" if layout == "brief" else f", {layout}")
        warning = fallback_warning(name, lang, stats, project.rel(project.catalog_path(lang, domain)))
        if warning:
            problems.append(warning)
    return problems


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


def write_output(composed: Composed, loaded: Loaded, fmt: str, target: Path, *, options: dict | None = None,
                 recompose=None, variant: str = "") -> None:
    """Render one document to `target` atomically.

    `recompose(**changes)` makes the same document again with other settings: the key facts
    box after the first section (when, after the summary, it would leave page one mostly
    empty), or A5 pages for a booklet. `variant` is "", "print" or "booklet".
    """
    from .render.templates import find_template
    options = options or {}
    project = loaded.project
    lb = loaded.briefs[composed.document.brief_id]
    tset = find_template(project, options.get("template") or lb.brief.template)
    if variant == "booklet" and recompose:
        base = recompose

        def recompose(**changes):  # every version of a booklet has A5 pages
            return base(**{"paper": "a5", **changes})
        composed = recompose()
    doc = composed.document
    if fmt in ("pdf", "html"):
        from .render.html import render_html
        result = render_html(doc, project, tset)
        if fmt == "html":
            from .render.active import portable_html
            html = portable_html(result.html, tset.allowed_roots(project), Location(tset.shown("brief.html")))
            with atomic_path(target) as tmp:
                tmp.write_text(html, encoding="utf-8")
            return
        _write_pdf(doc, result, project, tset, target, options, recompose, variant, lb.shown)
        return
    if fmt == "docx":
        from .render.docx import DocxWriter
        ref = tset.reference_docx
        recolor = "colors" in project.config.model_fields_set
        writer = DocxWriter(doc, ref, project.config.colors, tset.shown("reference.docx") if ref else "",
                            recolor=recolor, logo=_logo_for_word(project))
        with atomic_path(target) as tmp:
            writer.write(tmp)
        return
    raise BriefError(f"unknown format '{fmt}'")


def _write_pdf(doc, result, project, tset, target: Path, options: dict, recompose, variant: str, shown: str):
    from .render import pdf
    from .render.html import render_html
    where = Location(tset.shown("brief.html"))
    sheets = [pdf.print_stylesheet()] if variant == "print" else None

    def render(html_result):
        return pdf.render(html_result.html, html_result.base, tset.allowed_roots(project), shown=where.path,
                          stylesheets=sheets)

    rendered = render(result)
    if recompose and doc.layout == "brief" and doc.facts and doc.sections and \
            pdf.element_page(rendered, "facts") not in (None, 0) and pdf.first_page_gap(rendered) > 0.2:
        alternative = render_html(recompose(facts_after=1).document, project, tset)
        alt_rendered = render(alternative)
        if len(alt_rendered.pages) <= len(rendered.pages):
            rendered, result = alt_rendered, alternative
    if doc.layout == "leave-behind" and len(rendered.pages) > 1:
        parts = pdf.overflowing_parts(rendered) or ["the last part"]
        raise BriefError(f"the leave-behind does not fit on one page in {doc.lang}; what reaches page 2: "
                         f"{', '.join(parts)}", Location(shown),
                         "shorten leave_behind.points (or the summary), list fewer leave_behind.facts, "
                         "or shorten the asks")
    standard = PDF_VARIANTS.get(options.get("pdf_standard"))
    with atomic_path(target) as tmp:
        if variant == "booklet":
            from .render.booklet import impose
            a5 = tmp.with_suffix(".a5.pdf")
            try:
                pdf.write(rendered, a5, variant=standard)
                pdf.preflight(a5, result.html, where)
                impose(a5, tmp, rtl=doc.rtl)
            finally:
                a5.unlink(missing_ok=True)
        elif variant == "print":
            from .render.printmarks import add_crop_marks
            bled = tmp.with_suffix(".bleed.pdf")
            try:
                pdf.write(rendered, bled, variant=standard)
                pdf.preflight(bled, result.html, where)
                add_crop_marks(bled, tmp)
            finally:
                bled.unlink(missing_ok=True)
        else:
            pdf.write(rendered, tmp, variant=standard)
            pdf.preflight(tmp, result.html, where)


def _logo_for_word(project) -> Path | None:
    """Word takes PNG or JPEG: the configured logo, or a PNG beside an SVG one."""
    logo = project.config.organization.logo
    if not logo:
        return None
    path = (project.root / logo).resolve()
    if path.suffix.lower() == ".svg":
        path = path.with_suffix(".png")
    if path.suffix.lower() in (".png", ".jpg", ".jpeg") and path.is_file() and project.root in path.parents:
        return path
    return None
