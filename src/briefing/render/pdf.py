"""HTML -> PDF with WeasyPrint, reading only files inside allowed folders."""
from __future__ import annotations

import gc
import logging
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import BriefError, Location
from ..safefs import read_project_file

MAX_DATA_URL = 2_000_000
MAX_FILE = 20_000_000


def _weasy():
    import weasyprint
    from weasyprint import urls
    from .linebreak import install
    install()   # a line no longer ends after its first word (see linebreak.py)
    return weasyprint, urls


class ResourceRefused(BaseException):
    """Raised inside WeasyPrint's fetch; a BaseException so that rendering stops."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{reason}: {url[:120]}")
        self.url = url
        self.reason = reason


def make_fetcher(roots: list[Path]):
    """A URL fetcher confined to `roots` (no network, no other files, small data: URLs)."""
    weasyprint, urls = _weasy()
    roots = [r.resolve() for r in roots]

    class ConfinedFetcher(urls.URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                if len(url) > MAX_DATA_URL:
                    raise _fatal(url, f"data: URL larger than {MAX_DATA_URL:,} bytes")
                return super().fetch(url, headers)
            if scheme != "file":
                raise _fatal(url, "network access is refused; only files inside the template and assets "
                                  "folders may be used")
            raw_path = urlsplit(url).path
            decoded = unquote(raw_path)
            if ".." in raw_path.split("/") or ".." in decoded.split("/") or "\x00" in decoded:
                raise _fatal(url, "paths with '..' are refused")
            try:
                real = Path(decoded).resolve()  # follows symlinks: a link out of the folder is out
            except (OSError, RuntimeError):
                raise _fatal(url, "file not found") from None
            root = next((r for r in roots if real == r or r in real.parents), None)
            if root is None:
                raise _fatal(url, "file is outside the template and assets folders")
            if not real.exists():
                raise _fatal(url, "file not found")
            try:
                data = read_project_file(root, real, real.name, max_bytes=MAX_FILE)
            except BriefError as exc:
                raise _fatal(url, exc.problems[0].message.replace(f" {real.name}", "", 1)) from None
            mime = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
            return urls.URLFetcherResponse(url, data, {"Content-Type": mime})

    refused: list = []

    def _fatal(url, reason):
        exc = ResourceRefused(url, reason)
        refused.append(exc)  # WeasyPrint swallows errors of images inside SVG, drawn while writing
        return exc

    fetcher = ConfinedFetcher()
    fetcher.refused = refused
    return fetcher


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        msg = record.getMessage()
        if re.search(r"(?i)failed to load|cannot load|unable to load|failed to fetch|error", msg):
            self.messages.append(msg.splitlines()[0])


def render(html: str, base: Path, roots: list[Path], *, shown: str, stylesheets=None):
    """Lay out `html` (a WeasyPrint Document); every resource must load."""
    weasyprint, _ = _weasy()
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    fetcher = make_fetcher(roots)
    try:
        document = weasyprint.HTML(string=html, base_url=base.resolve().as_uri() + "/",
                                   url_fetcher=fetcher).render(stylesheets=stylesheets)
    except ResourceRefused as exc:
        raise BriefError(f"resource refused ({exc.reason}): {exc.url[:120]}", Location(shown),
                         "keep images, fonts and stylesheets inside the template set or assets/") from None
    finally:
        logger.removeHandler(collector)
    if collector.messages:
        raise BriefError(f"a resource failed to load: {collector.messages[0]}", Location(shown))
    document._briefing_checks = (fetcher.refused, shown)
    return document


PDF_STANDARDS = {"ua": "pdf/ua-1", "a": "pdf/a-3a", None: "pdf/ua-1"}  # every PDF is tagged PDF/UA-1


def write(document, *, variant: str | None = None) -> bytes:
    """A laid-out document as tagged PDF bytes: PDF/UA-1 by default, or the PDF/A `variant`
    ('pdf/a-3a'), which is PDF/UA-1 as well (pdfua.py)."""
    from . import pdfua
    variant = variant or PDF_STANDARDS[None]
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        data = document.write_pdf(finisher=pdfua.finisher(variant), pdf_variant=variant, pdf_tags=True)
    finally:
        logger.removeHandler(collector)
    refused, shown = getattr(document, "_briefing_checks", ([], "the PDF"))
    if refused:  # an image inside an SVG, fetched (and refused) only while writing
        exc = refused[0]
        raise BriefError(f"resource refused ({exc.reason}): {exc.url[:120]}", Location(shown),
                         "keep images, fonts and stylesheets inside the template set or assets/")
    if collector.messages:
        raise BriefError(f"a resource failed to load: {collector.messages[0]}", Location(shown))
    return data


# --- the writer -----------------------------------------------------------------------------

def lay_out(doc, options, html_result=None):
    """Lay out the document's pages (a WeasyPrint document), for its variant."""
    from .html import render_html
    result = html_result or render_html(doc, options.project, options.template)
    sheets = [print_stylesheet()] if options.variant == "print" else []
    if getattr(options, "extra_css", ""):
        sheets.append(_weasy()[0].CSS(string=options.extra_css))
    laid = render(result.html, result.base, options.template.allowed_roots(options.project),
                  shown=options.template.shown("document.html"), stylesheets=sheets or None)
    return result, laid


# Up to this many pages, deciding the placement keeps both layouts (the one not chosen is
# dropped after); beyond, the first is dropped before the second is made (about 3 MB a
# page), and made again only if it is chosen and a PDF is written from it.
KEEP_BOTH_PAGES = 24


def decide_placement(make, options):
    """The one layout-dependent choice, made once for every writer: the key facts box goes
    after the first section when, after the summary, it would leave page one mostly empty
    (and that does not add a page). `make(facts_after)` composes the document."""
    doc = make(0)
    if doc.layout == "leave-behind":  # laid out once, for its one-page check in every format
        result, laid = lay_out(doc, options)
        options.layouts[(id(doc), options.variant)] = (doc, result, laid)
        return doc
    if not doc.facts or not doc.sections:
        return doc
    result, laid = lay_out(doc, options)
    if element_page(laid, "facts") not in (None, 0) and first_page_gap(laid) > 0.2:
        pages = len(laid.pages)
        if pages > KEEP_BOTH_PAGES:  # a long document: one layout in memory at a time
            result = laid = None
            gc.collect()             # WeasyPrint's boxes refer to each other: free them now
        alternative = make(1)
        alt_result, alt_laid = lay_out(alternative, options)
        if len(alt_laid.pages) <= pages:
            doc, result, laid = alternative, alt_result, alt_laid
        elif laid is None:           # the first one stays, and is laid out again if a PDF needs it
            alt_result = alt_laid = None
            gc.collect()
            return doc
    options.layouts[(id(doc), options.variant)] = (doc, result, laid)
    return doc


def laid_out(doc, options):
    """The document's pages for its variant: the ones laid out for the placement decision, if
    that was this very document, else laid out now (and kept)."""
    kept = options.layouts.get((id(doc), options.variant))
    if kept and kept[0] is doc:
        return kept[1], kept[2]
    result, laid = lay_out(doc, options)
    options.layouts[(id(doc), options.variant)] = (doc, result, laid)
    return result, laid


def one_page(doc, options) -> None:
    """A leave-behind must fit one page: else name what reaches page 2 (PDF and Word alike)."""
    if doc.layout != "leave-behind":
        return
    _result, laid = laid_out(doc, options)
    if len(laid.pages) > 1:
        parts = overflowing_parts(laid) or ["the last part"]
        where = Location(doc.source) if doc.source else Location(options.template.shown("document.html"))
        raise BriefError(f"the leave-behind does not fit on one page in {doc.lang}; what reaches page 2: "
                         f"{', '.join(parts)}", where,
                         "shorten leave_behind.points (or the summary), list fewer leave_behind.facts, "
                         "or shorten the asks")


def write_pdf(doc, options) -> bytes:
    """The PDF writer: HTML through the template set, laid out by WeasyPrint, then the
    variant's post-processing (crop marks for print, imposition for a booklet) and the
    font preflight."""
    result, laid = laid_out(doc, options)
    where = Location(options.template.shown("document.html"))
    one_page(doc, options)
    data = write(laid, variant=PDF_STANDARDS.get(options.pdf_standard))
    preflight(data, result.html, where, fonts_of(laid))
    if options.variant == "print":
        from .printmarks import add_crop_marks
        data = add_crop_marks(data)
    elif options.variant == "booklet":
        from .booklet import impose
        data = impose(data, rtl=doc.rtl)
    return data


def first_page_gap(document) -> float:
    """How much of the first page is left empty above its footnotes (0..1)."""
    page = document.pages[0]._page_box
    html = next((c for c in page.children if getattr(c, "element_tag", None) == "html"), None)
    body = html.children[0] if html is not None and html.children else None
    if body is None or not body.children:
        return 0.0
    last = body.children[-1]
    bottom = last.position_y + last.margin_height()
    area = next((c for c in page.children if type(c).__name__ == "FootnoteAreaBox"), None)
    limit = area.position_y if area is not None and area.children else page.content_box_y() + page.height
    return max(0.0, (limit - bottom) / page.height)


def element_page(document, css_class: str) -> int | None:
    """Index of the first page that holds an element with this class."""
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None and css_class in (element.get("class") or "").split():
                return index
    return None


# --- print and preflight ----------------------------------------------------------------

PRINT_CSS = "@page { bleed: 3mm; marks: none; }"  # crop marks: printmarks.py, outside the bleed
GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "inherit", "initial"}


def print_stylesheet():
    weasyprint, _ = _weasy()
    return weasyprint.CSS(string=PRINT_CSS)


def overflowing_parts(document) -> list[str]:
    """The `data-part` names of elements laid out after the first page, in order."""
    parts: list[str] = []
    for page in document.pages[1:]:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            name = element.get("data-part") if element is not None else None
            if name and name not in parts:
                parts.append(name)
    return parts


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def named_fonts(html: str) -> set[str]:
    """Font families the template names in its CSS (normalized)."""
    names: set[str] = set()
    for value in re.findall(r"font-family\s*:\s*([^;}\"]+(?:\"[^\"]*\"[^;}\"]*)*)", html):
        for family in value.split(","):
            family = family.strip().strip("'\"").strip()
            if family and family.lower() not in GENERIC_FAMILIES:
                names.add(_norm(family))
    return names


def used_fonts(pdf: bytes, reader=None) -> set[str]:
    import io

    from pypdf import PdfReader
    found: set[str] = set()
    for page in (reader or PdfReader(io.BytesIO(pdf))).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            base = str(ref.get_object().get("/BaseFont", ""))
            found.add(base.lstrip("/").split("+", 1)[-1])
    return found


STYLE_SUFFIXES = ("bolditalic", "semibolditalic", "italic", "oblique", "bold", "semibold", "extrabold", "black",
                  "medium", "light", "extralight", "thin", "regular", "condensed")


def font_family(postscript_name: str) -> str:
    """'Noto-Serif-Hebrew-Bold' -> 'notoserifhebrew' (normalized, style removed)."""
    name = _norm(postscript_name)
    changed = True
    while changed:
        changed = False
        for suffix in STYLE_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                name, changed = name[: -len(suffix)], True
                break
    return name


def fonts_of(laid) -> set[str] | None:
    """The fonts a written WeasyPrint document embedded ('Noto-Serif-Bold'), as the PDF names
    them: known without parsing the PDF again (which costs seconds for a long brief)."""
    fonts = getattr(laid, "fonts", None)
    if not fonts:
        return None
    names = set()
    for font in fonts.values():
        name = getattr(font, "name", b"")
        name = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        names.add(name.lstrip("/").split("+", 1)[-1])
    return names


def preflight(pdf: bytes, html: str, where: Location, used: set[str] | None = None) -> None:
    """Refuse a PDF that uses a font the template did not name (a silent fallback), or that
    carries active content (non-web links, scripts, attachments)."""
    import io

    from pypdf import PdfReader

    from .active import HINT, pdf_problems
    reader = PdfReader(io.BytesIO(pdf))
    active = pdf_problems(reader)
    if active:
        raise BriefError(f"the PDF would carry {', '.join(active)}", where, HINT)
    named = named_fonts(html)
    for font in sorted(used if used is not None else used_fonts(pdf, reader)):
        if font_family(font) not in named:
            raise BriefError(f"the PDF would use the font '{font}', which the template does not name", where,
                             "name it in a font-family of the template, or remove the characters that need it")
