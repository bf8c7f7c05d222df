"""Document -> HTML through a sandboxed Jinja template set.

Every string from a brief or a catalog is escaped here; markup only comes from the
inline nodes this module writes itself. Template errors are reported as file:line.
"""
from __future__ import annotations

import re
import traceback
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path

from jinja2 import ChoiceLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from ..document import Code, Document, Emph, LineBreak, Link, NoteRef, Span, Str, Strong, text_of
from ..errors import BriefError, Location
from ..project import Project
from .templates import TemplateSet, builtin_root

MAX_OUTPUT_CHARS = 20_000_000
URL_TEXT = re.compile(r"(?:https?://|www\.)\S+")


def url_html(text: str) -> str:
    """A printed web address that breaks only after a '/' of its path: never right after
    'https://', inside the host name, or at a hyphen (U+2060 WORD JOINER, invisible and not
    part of the text a reader copies, ties those characters together)."""
    head = re.match(r"(?:https?://)?[^/]*/?", text).group(0)
    rest = text[len(head):]
    head = re.sub(r"(?<=[/.\-])(?=.)", "\u2060", head)     # https:/⁠/⁠www.⁠host.⁠org
    rest = re.sub(r"(?<=[\-.])(?=[^/])", "\u2060", rest)    # a-⁠hyphenated-⁠name
    return str(escape(head + rest))


def inline(nodes, notes: bool = True) -> Markup:
    """Inline nodes -> escaped HTML. Notes become WeasyPrint footnotes (float: footnote)."""
    out: list[str] = []
    nodes = tuple(nodes or ())
    skip = False
    for i, node in enumerate(nodes):
        if skip:
            skip = False
            continue
        nxt = nodes[i + 1] if i + 1 < len(nodes) else None
        if isinstance(node, Str) and isinstance(nxt, NoteRef) and notes and node.text[-1:].strip():
            # a footnote mark never starts a line: keep it with the word before it
            head, _, tail = node.text.rpartition(" ")
            out.append(f"{escape(head + ' ' if head or node.text.startswith(' ') else '')}"
                       f'<span class="nobr">{escape(tail)}{inline((nxt,), notes)}</span>')
            skip = True
        elif isinstance(node, Str):
            out.append(str(escape(node.text)))
        elif isinstance(node, Emph):
            out.append(f"<em>{inline(node.children, notes)}</em>")
        elif isinstance(node, Strong):
            out.append(f"<strong>{inline(node.children, notes)}</strong>")
        elif isinstance(node, Code):
            out.append(f"<code>{escape(node.text)}</code>")
        elif isinstance(node, Link):
            only = node.children[0] if len(node.children) == 1 else None
            text = url_html(only.text) if isinstance(only, Str) and URL_TEXT.fullmatch(only.text) \
                else inline(node.children, notes)
            out.append(f'<a href="{escape(node.href)}">{text}</a>')
        elif isinstance(node, LineBreak):
            out.append("<br>")
        elif isinstance(node, Span):
            attrs = ""
            if node.cls:
                attrs += f' class="{escape(node.cls)}"'
            if node.dir:
                attrs += f' dir="{escape(node.dir)}"'
            if node.ctx:  # only in annotated documents (the preview server's)
                attrs += f' data-ctx="{escape(node.ctx)}"'
            tag = "bdi" if node.dir else "span"
            out.append(f"<{tag}{attrs}>{inline(node.children, notes)}</{tag}>")
        elif isinstance(node, NoteRef) and notes:
            out.append(f'<span class="fn" id="fn{node.number}" data-n="{node.number}">'
                       f"{inline(node.content, False)}</span>")
    return Markup("".join(out))


@dataclass
class HtmlResult:
    html: str
    base: Path          # folder that relative URLs (CSS, logo) resolve against
    template: TemplateSet


def write_html(doc: Document, options) -> bytes:
    """The HTML writer (`--format html`): the page the PDF is made from, its images carried
    as data: URLs (no path of the building machine in the file)."""
    from .active import portable_html
    tset = options.template
    html = render_html(doc, options.project, tset).html
    return portable_html(html, tset.allowed_roots(options.project), Location(tset.shown("document.html"))).encode()


def render_html(doc: Document, project: Project, tset: TemplateSet) -> HtmlResult:
    env = _environment(tset)
    name = "document.html"
    try:
        template = env.get_template(name)
        context = _context(doc, project, tset)
        chunks, size = [], 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise BriefError(f"template output is larger than {MAX_OUTPUT_CHARS:,} characters",
                                 Location(tset.shown(name)), "check the template for runaway loops")
            chunks.append(chunk)
    except TemplateSyntaxError as exc:
        raise BriefError(f"template syntax error: {exc.message}",
                         Location(tset.shown(Path(exc.filename or name).name), exc.lineno or 0)) from None
    except SecurityError as exc:
        raise BriefError(f"template tried something unsafe: {exc}", _template_location(exc, tset, name),
                         "templates may only format the document they are given") from None
    except TemplateError as exc:
        raise BriefError(f"template error: {exc}", _template_location(exc, tset, name)) from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        # the template's own code (`{{ 1 + "a" }}`) is the author's error; the same
        # exception inside this tool's filters is a bug, and is reported as one
        if not _raised_in_template(exc):
            raise
        raise BriefError(f"template error: {exc}", _template_location(exc, tset, name)) from None
    html = "".join(chunks)
    from .active import check_html
    check_html(html, Location(tset.shown(name)))  # no scripts, attachments or non-web links
    return HtmlResult(html, tset.folder, tset)


def check_templates(tset: TemplateSet) -> list:
    """Compile every template file of a set: syntax errors at file:line, before any build."""
    from ..errors import Problem
    env = _environment(tset)
    problems = []
    for path in sorted(tset.folder.iterdir()):
        if path.suffix in (".html", ".css") and path.is_file():
            try:
                env.get_template(path.name)
            except TemplateSyntaxError as exc:
                problems.append(Problem(f"template syntax error: {exc.message}",
                                        Location(tset.shown(path.name), exc.lineno or 0)))
            except TemplateError as exc:  # a refused file (a link out, a FIFO)
                problems.append(Problem(f"template error: {exc}", Location(tset.shown(path.name))))
    return problems


def _raised_in_template(exc: Exception) -> bool:
    """Whether the innermost frame that raised is a template's code (or Jinja's, acting for
    it), rather than Python code the template called (this tool's filters)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return True
    where = frames[-1].filename.replace("\\", "/")
    return where.endswith((".html", ".css", ".j2")) or where == "<template>" or "/jinja2/" in where \
        or "/markupsafe/" in where


def _template_location(exc: Exception, tset: TemplateSet, name: str) -> Location:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and frame.filename.endswith((".html", ".css", ".j2")):
            return Location(tset.shown(Path(frame.filename).name), frame.lineno or 0)
    return Location(tset.shown(name))


@lru_cache(maxsize=8)
def _environment(tset: TemplateSet) -> ImmutableSandboxedEnvironment:
    """One sandboxed environment per template set: templates compile once per process
    (and recompile when a file changes: Jinja checks their times)."""
    from .safe_templates import ConfinedLoader, sandbox_class
    # a set may restyle only some roles: the others come from the built-in set; both read
    # through the confined loader (regular files inside their folder, no links out, no FIFOs)
    builtin = builtin_root() / "default"
    loader = ChoiceLoader([ConfinedLoader(tset.folder, tset.shown),
                           ConfinedLoader(builtin, lambda name: f"{builtin.name}/{name}")])
    # optimized=False: no constant folding while compiling ('x'*10**9 would run in this process);
    # the sandbox also bounds `*` and `**` when the template runs
    env = sandbox_class()(loader=loader, autoescape=True, optimized=False,
                                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["inline"] = inline
    env.filters["plain"] = text_of
    env.filters["css_string"] = css_string
    return env


def css_string(text: str) -> Markup:
    """A CSS string literal (for `content:`), safe inside a <style> element."""
    body = "".join(ch if ch.isalnum() or ch in " .,:;!?-–—'()" or ord(ch) > 127 else f"\\{ord(ch):x} "
                   for ch in str(text))
    return Markup(f'"{body}"')


def page_counter_css(pattern: str) -> Markup:
    """'Page {page} of {pages}' (translated) -> a CSS `content` value with counters."""
    parts: list[str] = []
    rest = pattern
    while rest:
        i = min((rest.find(k) for k in ("{page}", "{pages}") if k in rest), default=-1)
        if i < 0:
            parts.append(css_string(rest))
            break
        if i:
            parts.append(css_string(rest[:i]))
        if rest.startswith("{pages}", i):
            parts.append("counter(pages)")
            rest = rest[i + len("{pages}"):]
        else:
            parts.append("counter(page)")
            rest = rest[i + len("{page}"):]
    return Markup(" ".join(parts))


def _context(doc: Document, project: Project, tset: TemplateSet) -> dict:
    def t(msgid: str, **values) -> Markup:
        return escape(doc.word(msgid, **{k: text_of(v) if isinstance(v, tuple) else v for k, v in values.items()}))

    def font_stack(kind: str) -> Markup:
        return Markup(", ".join(f'"{f}"' for f in doc.fonts[kind]) + (", serif" if kind == "serif" else ", sans-serif"))

    brand = doc.branding
    style = tset.style  # the set's template.toml: fonts (the palette is the document's branding)
    return {
        "doc": doc, "t": t, "colors": brand.colors, "org": {"name": brand.organization},
        "serif": font_stack("serif"), "sans": font_stack("sans"),
        "text_font": Markup(style.css_stack("text", doc.lang)),
        "heading_font": Markup(style.css_stack("headings", doc.lang)),
        "page_counter": page_counter_css(doc.word("Page {page} of {pages}")),
        "paper": {"a4": "A4", "letter": "letter", "a5": "A5"}.get(doc.paper, "A4"),
        "logo": tset.logo_url(project),
    }
