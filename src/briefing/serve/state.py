"""What the preview server knows: every document (brief x language x layout) of the project,
composed from one Session, with its state, its texts' translation status and its outputs.

Everything here is synchronous and guarded by one lock (a Session is not thread-safe);
the web layer calls it from worker threads. A change to some files recomposes only the
documents those files feed (`affects`); each recomposition bumps the document's version,
which open pages compare with their own to reload.
"""
from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..compose import LAYOUTS
from ..document import Document
from ..errors import BriefError, Location, Problem
from ..i18n.catalogs import PLACEHOLDER, TEMPLATE_DOMAIN, Stats, catalog_stats, translation_problems
from ..model import SUPPORTED_LANGUAGES
from ..session import Session

MAX_TRANSLATION = 20_000   # characters in one saved translation


@dataclass
class DocState:
    brief: str
    lang: str
    layout: str
    version: int = 0
    document: Document | None = None      # annotated (every brief text carries its msgctxt)
    html: str = ""                        # the HTML writer's page of `document`
    problems: list = field(default_factory=list)     # errors: the document cannot be made
    warnings: list = field(default_factory=list)
    texts: dict = field(default_factory=dict)        # msgctxt -> what the translator's panel shows
    facts_after: int = 0                  # the placement decision last made for this document
    placed: bool = False                  # ... for its current inputs
    outputs: dict = field(default_factory=dict)      # "pdf" | "docx" -> bytes, for the current inputs
    placed_doc: Document | None = None    # the plain document the files are written from
    output_problems: list = field(default_factory=list)
    viewed: bool = False                  # a preview was asked for: its PDF follows its changes

    @property
    def key(self) -> str:
        return f"{self.lang}/{self.brief}/{self.layout}"

    @property
    def ok(self) -> bool:
        return self.document is not None


def doc_key(brief: str, lang: str, layout: str) -> tuple[str, str, str]:
    return brief, lang, layout


class Previews:
    def __init__(self, root: Path | str, *, log: Callable[[str], None] | None = None, follow: bool = True):
        self.session = Session(root)
        self.follow = follow                # make the PDF of viewed documents in the background
        self.files_session = Session(root)  # PDF and Word files: laid out apart from the previews
        self.files_lock = threading.Lock()
        self.lock = threading.RLock()
        self.docs: dict[tuple, DocState] = {}
        self.generation = 0                 # bumps on every refresh: the index compares it
        self.global_problems: list[Problem] = []   # problems of no one brief (sources, settings)
        self.progress: dict[tuple, Stats] = {}     # (domain, lang) -> catalog statistics
        self.log = log or (lambda text: None)
        self.on_change: Callable[[dict], None] | None = None   # set by the web layer
        self._stamps: dict[str, tuple] = {}
        self._known_languages: dict[str, list[str]] = {}
        self._queue: list[tuple] = []
        self._wake = threading.Condition()
        self._worker: threading.Thread | None = None
        self._stopping = False

    @property
    def project(self):
        return self.session.project

    # --- the matrix of documents -------------------------------------------------------------
    def matrix(self) -> list[tuple]:
        """(brief, lang, layout) of every document the project declares; a brief that cannot
        be loaded keeps the languages it had (English if it never loaded)."""
        loaded = self._loaded()
        keys = []
        for path in self.project.brief_paths():
            brief = path.stem
            if loaded is not None and brief in loaded.briefs:
                langs = [str(x) for x in loaded.briefs[brief].brief.languages]
                self._known_languages[brief] = langs
            else:
                langs = self._known_languages.get(brief, ["en"])
            keys += [(brief, lang, layout) for lang in langs for layout in LAYOUTS]
        return keys

    def _loaded(self):
        try:
            return self.session.loaded
        except BriefError:
            return None

    def has(self, brief: str, lang: str) -> bool:
        with self.lock:
            return any(k[0] == brief and k[1] == lang for k in self.docs)

    def versions(self) -> dict:
        with self.lock:
            return {"generation": self.generation, "docs": {st.key: st.version for st in self.docs.values()}}

    # --- (re)composing ----------------------------------------------------------------------
    def refresh(self, paths: list[str] | None = None, *, dedupe: bool = False) -> list[str]:
        """Recompose the documents the changed files feed (every document when `paths` is
        None); returns their keys. With `dedupe`, files already seen in their current state
        (a translation the server itself just saved) change nothing."""
        with self.lock:
            if paths is not None and dedupe:
                paths = [p for p in paths if self._stamp(p) != self._stamps.get(p)]
                if not paths:
                    return []
            for p in paths or ():
                self._stamps[p] = self._stamp(p)
            started = time.perf_counter()
            settings_error = None
            try:
                loaded = self.session.loaded
            except BriefError as exc:   # briefing.toml cannot be read: every document waits for it
                loaded, settings_error = None, exc.problems
            keys = self.matrix()
            wanted = set(keys)
            for key in list(self.docs):
                if key not in wanted:
                    del self.docs[key]
            affected = [k for k in keys if k not in self.docs or paths is None or affects(paths, k)]
            self.global_problems = settings_error or self._global_problems(loaded)
            for key in affected:
                self._compose(key, settings_error)
            self._progress(loaded)
            self.generation += 1
            if paths is not None:
                self.log(f"changed: {', '.join(paths)}: {len(affected)} document(s) recomposed in "
                         f"{time.perf_counter() - started:.2f} s")
            for key in affected:
                st = self.docs[key]
                if st.viewed and st.ok:
                    self._schedule(key)
            return [self.docs[k].key for k in affected]

    def _stamp(self, rel: str):
        try:
            st = (self.project.root / rel).stat()
            return st.st_mtime_ns, st.st_size
        except OSError:
            return None

    def _compose(self, key: tuple, settings_error=None) -> None:
        brief, lang, layout = key
        st = self.docs.setdefault(key, DocState(brief, lang, layout))
        st.version += 1
        st.outputs, st.output_problems, st.placed, st.placed_doc = {}, [], False, None
        st.document, st.html, st.problems, st.warnings, st.texts = None, "", [], [], {}
        if settings_error:
            st.problems = settings_error
            return
        loaded = self.session.loaded
        if brief not in loaded.briefs:
            st.problems = self._unloadable(brief, loaded)
            return
        try:
            self._compose_document(st)
        except BriefError as exc:
            st.document, st.html = None, ""
            st.problems = [p for p in exc.problems if p.severity == "error"] or exc.problems
        except Exception as exc:  # a bug in briefing: keep the traceback, say where, keep serving
            st.document, st.html = None, ""
            st.problems = [self._bug(st, exc)]
        try:
            st.texts = self._texts(loaded, brief, lang)
        except Exception as exc:  # pragma: no cover - a bug: the page still shows the document
            st.warnings.append(self._bug(st, exc))

    def _compose_document(self, st: DocState) -> None:
        from ..pipeline import composition_problems
        from ..render.html import render_html
        loaded = self.session.loaded
        composed = self.session.composed(st.brief, st.lang, layout=st.layout, facts_after=st.facts_after,
                                         annotate=True)
        problems = composition_problems(loaded, st.brief, st.lang, composed)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise BriefError(errors)
        options = self.session.write_options(st.brief)
        st.html = render_html(composed.document, options.project, options.template).html
        st.document = composed.document
        mine = [p for p in loaded.report.warnings if p.location and p.location.path == loaded.briefs[st.brief].shown]
        st.warnings = mine + [p for p in problems if p.severity == "warning"]

    def _bug(self, st: DocState, exc: Exception) -> Problem:
        folder = self.project.output_dir() / "bug-reports"
        where = folder / f"serve.{st.brief}.{st.lang}.{st.layout}.traceback.txt"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            where.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
            shown = self.project.rel(where)
        except OSError:
            shown = "(could not be written)"
        self.log(f"internal error in briefing ({type(exc).__name__}) for {st.key}; traceback in {shown}")
        return Problem(f"internal error in briefing ({type(exc).__name__}: {exc})", None,
                       f"this is a bug in briefing, not in your files; its traceback is in {shown}")

    def _unloadable(self, brief: str, loaded) -> list[Problem]:
        """The errors that keep a brief from loading: its own, else those of shared files."""
        shown = self.project.rel(self.project.brief_path(brief))
        errors = loaded.report.errors
        mine = [p for p in errors if p.location and p.location.path == shown]
        if mine:
            return mine
        briefs = {self.project.rel(p) for p in self.project.brief_paths()}
        shared = [p for p in errors if not p.location or p.location.path not in briefs]
        return shared or [Problem(f"the brief '{brief}' cannot be loaded", Location(shown),
                                  "run 'briefing check' for details")]

    def _global_problems(self, loaded) -> list[Problem]:
        if loaded is None:
            return []
        briefs = {self.project.rel(p) for p in self.project.brief_paths()}
        return [p for p in loaded.report.problems if not (p.location and p.location.path in briefs)]

    def _progress(self, loaded) -> None:
        """Translated / fuzzy / untranslated per catalog, counted as `translate status` counts."""
        from ..pipeline import catalog_texts
        self.progress = {}
        if loaded is None:
            return
        for brief, lb in loaded.briefs.items():
            for lang in [str(x) for x in lb.brief.languages if str(x) != "en"]:
                self.progress[(brief, lang)] = catalog_stats(loaded.catalog(lang, brief), lang,
                                                             catalog_texts(loaded, brief))[0]
                if (TEMPLATE_DOMAIN, lang) not in self.progress:
                    self.progress[(TEMPLATE_DOMAIN, lang)] = catalog_stats(
                        loaded.catalog(lang, TEMPLATE_DOMAIN), lang, catalog_texts(loaded, TEMPLATE_DOMAIN))[0]

    # --- what the translator's panel shows ----------------------------------------------------
    def _texts(self, loaded, brief: str, lang: str) -> dict:
        lb = loaded.briefs[brief]
        po = loaded.catalog(lang, brief) if lang != "en" else None
        po_shown = self.project.rel(self.project.catalog_path(lang, brief))
        out = {}
        for ctx, _path, text in lb.texts():
            msgid = str(text)
            loc = text.loc
            info = {"msgid": msgid, "source": str(loc) if loc else lb.shown, "translation": "", "why": [],
                    "po": None, "line": None, "previous": None, "editable": False}
            if lang == "en":
                info.update(state="source", translation=msgid,
                            why=["English is the source text: edit it in the brief"])
            elif po is None:
                info.update(state="untranslated", po=po_shown,
                            why=[f"there is no {lang} catalog yet: run 'briefing translate update'"])
            elif po.catalog is None:
                info.update(state="untranslated", po=po_shown,
                            why=[f"{p.location}: {p.message}" for p in po.problems[:3]] +
                            ["the catalog cannot be read: fix it in a text editor first"])
            else:
                msg = po.get(msgid, ctx)
                string = msg.string if msg is not None and isinstance(msg.string, str) else ""
                info.update(po=po_shown, translation=string, editable=True,
                            line=msg.lineno if msg is not None else None)
                if msg is None:
                    info.update(state="untranslated", why=["not in the catalog yet: saving adds it"])
                elif not string:
                    info.update(state="untranslated", why=["no translation yet"])
                elif msg.fuzzy:
                    info.update(state="fuzzy", why=["marked fuzzy (needs work): the English changed since it was "
                                                    "translated; the English is shown until it is cleared"],
                                previous=msg.previous_id[0] if msg.previous_id else None)
                else:
                    issues = translation_problems(msgid, string)
                    if issues:
                        info.update(state="invalid", why=issues + ["the English is shown until it is fixed"])
                    else:
                        info.update(state="translated")
            out[ctx] = info
        return out

    # --- pages and files ------------------------------------------------------------------------
    def get(self, brief: str, lang: str, layout: str = "brief") -> DocState | None:
        with self.lock:
            if not self.docs:
                self.refresh()
            st = self.docs.get((brief, lang, layout))
            if st is not None and not st.viewed:
                st.viewed = True
                if st.ok and not st.placed:
                    self._schedule((brief, lang, layout))
            return st

    def output(self, brief: str, lang: str, layout: str, fmt: str) -> bytes:
        """The current PDF or Word file, written from the composed document with its placement
        decided (as `briefing build` writes it). Raises BriefError when it cannot be made.

        Files are made with a second Session under their own lock, so that laying out a PDF
        (seconds) never holds up recomposing a preview (a tenth of a second)."""
        with self.lock:
            st = self.docs.get((brief, lang, layout))
            if st is None:
                raise BriefError(f"no document {lang}/{brief} ({layout})")
            if not st.ok:
                raise BriefError(st.problems)
            if fmt in st.outputs:
                return st.outputs[fmt]
            version, placed = st.version, st.placed_doc
        with self.files_lock:
            try:
                if placed is None:
                    placed = self.files_session.compose(brief, lang, layout=layout)
                data = self.files_session.write(placed, fmt)
            except BriefError as exc:
                with self.lock:
                    if st.version == version:
                        st.output_problems = exc.problems
                raise
        with self.lock:
            if st.version == version:   # still the document's current inputs: keep it
                st.outputs[fmt], st.placed_doc, st.placed = data, placed, True
                if placed.facts_after != st.facts_after:
                    # the placement differs from the one the preview used: recompose the preview
                    st.facts_after = placed.facts_after
                    outputs = st.outputs
                    self._compose((brief, lang, layout))
                    st.outputs, st.placed_doc, st.placed = outputs, placed, True
                    self._notify()
        return data

    # --- the PDF follows: placement and PDF of viewed documents, in one background thread ---------
    def _schedule(self, key: tuple) -> None:
        if not self.follow:
            return
        with self._wake:
            if key not in self._queue:
                self._queue.append(key)
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="briefing-pdf", daemon=True)
                self._worker.start()
            self._wake.notify()

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                key = self._queue.pop(0)
            try:
                self.output(*key, "pdf")
            except BriefError:
                pass            # shown on the page and the index
            except Exception as exc:  # a bug: kept, shown, and the server goes on
                with self.lock:
                    st = self.docs.get(key)
                    if st is not None:
                        st.output_problems = [self._bug(st, exc)]
            self._notify()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        self.session.close()
        self.files_session.close()

    def _notify(self) -> None:
        if self.on_change is not None:
            self.on_change(self.versions())

    # --- the one thing a page may write: a translation -----------------------------------------
    def save_translation(self, brief: str, lang: str, ctx: str, msgid: str, msgstr: str, *,
                         clear_fuzzy: bool = True, expected: str | None = None) -> dict:
        """Write a translation into the brief's .po file for `lang`, after the guards of
        `translate check`; returns the text's new panel info. BriefError says why not."""
        from .. import fonts
        from ..i18n.poedit import set_translation
        with self.lock:
            if lang not in SUPPORTED_LANGUAGES or lang == "en":
                raise BriefError(f"'{lang}' is not a language translations are written for")
            loaded = self.session.loaded
            lb = loaded.briefs.get(brief)
            if lb is None:
                raise BriefError(f"the brief '{brief}' cannot be loaded", None, "fix its errors first")
            if lang not in [str(x) for x in lb.brief.languages]:
                raise BriefError(f"the brief '{brief}' is not made in '{lang}'")
            texts = {c: t for c, _p, t in lb.texts()}
            if ctx not in texts:
                raise BriefError(f"the brief '{brief}' has no text '{ctx}'", None, "reload the page")
            source = texts[ctx]
            if str(source) != msgid:
                raise BriefError("the English text changed since this page was loaded", source.loc,
                                 "reload the page")
            msgstr = msgstr.replace("\r\n", "\n").replace("\r", "\n")
            if len(msgstr) > MAX_TRANSLATION:
                raise BriefError(f"the translation is longer than {MAX_TRANSLATION:,} characters")
            path = self.project.catalog_path(lang, brief)
            shown = self.project.rel(path)
            locales = self.project.locales_dir.resolve()
            if path.is_symlink() or locales not in path.resolve().parents or not path.is_file():
                raise BriefError(f"{shown} is not a catalog this server may write", Location(shown),
                                 f"run 'briefing translate update --lang {lang}' to create it")
            if msgstr:
                where = Location(shown)
                reasons = [Problem(issue, where, "fix it and save again")
                           for issue in translation_problems(msgid, msgstr)]
                from ..i18n.locale import Lang
                for _offset, ch in fonts.missing(msgstr, lang)[:1]:
                    reasons.append(Problem(f"no font for {Lang(lang).english_name} has the character "
                                           f"{fonts.describe(ch)}", where, "replace the character"))
                if reasons:
                    raise BriefError(reasons)
            loc = source.loc
            saved = set_translation(path, shown, lang, msgid, ctx, msgstr, clear_fuzzy=clear_fuzzy,
                                    expected=expected, location=f"{loc.path}:{loc.line}" if loc else None,
                                    brace_format=bool(PLACEHOLDER.search(msgid)))
            self.log(f"saved the {lang} translation of '{ctx}' in {shown}:{saved.lineno}")
            self.refresh([shown])
            st = self.docs.get((brief, lang, "brief")) or self.docs.get((brief, lang, "leave-behind"))
            info = dict(st.texts.get(ctx, {})) if st else {}
            self._notify()
            return info


def affects(paths: list[str], key: tuple) -> bool:
    """Whether a change to these project files (relative paths) changes the document."""
    brief, lang, _layout = key
    for rel in paths:
        parts = Path(rel).parts
        if not parts:
            continue
        if parts[0] == "briefs":
            name = Path(rel)
            if name.stem == brief or name.name.startswith("_"):   # its own file, or the shared facts
                return True
        elif parts[0] == "locales":
            if len(parts) == 4 and parts[2] == "LC_MESSAGES" and parts[3].endswith(".po"):
                domain = parts[3][:-3]
                if parts[1] == lang and domain in (brief, TEMPLATE_DOMAIN):
                    return True
            # .pot files feed no document
        else:   # sources, templates, assets, briefing.toml: every document
            return True
    return False
