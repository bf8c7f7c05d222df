"""The server's pages: the index, a document's preview (the HTML writer's page with the
translator's view added), and the error page that stands where a document would be.

Everything shown is escaped here (markupsafe); the only markup that is not ours is the
HTML writer's, which escapes every text itself. Data for the page's script travels as JSON
inside <script type="application/json">, with '<' escaped so it can never close the element.
"""
from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markupsafe import Markup, escape

from ..compose import LAYOUTS
from ..errors import Problem
from ..i18n.catalogs import TEMPLATE_DOMAIN
from .state import DocState, Previews

STATES = ("translated", "fuzzy", "untranslated", "invalid", "source")
LANGUAGE_NAMES = {"en": "English", "he": "Hebrew", "hy": "Armenian"}


def _json(data) -> Markup:
    text = json.dumps(data, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _head(title: str, token: str, extra: dict) -> Markup:
    metas = "".join(f'<meta name="briefing-{escape(k)}" content="{escape(v)}">' for k, v in extra.items())
    return Markup(f'<meta charset="utf-8"><title>{escape(title)}</title>'
                  f'<meta name="briefing-token" content="{escape(token)}">{metas}'
                  '<link rel="stylesheet" href="/_briefing/preview.css">'
                  '<script src="/_briefing/preview.js" defer></script>')


def problem_html(p: Problem) -> Markup:
    where = f'<code class="b-where">{escape(str(p.location))}</code> ' if p.location else ""
    hint = f'<div class="b-hint">hint: {escape(p.hint)}</div>' if p.hint else ""
    return Markup(f'<li class="b-problem b-{escape(p.severity)}">{where}<span class="b-sev">{escape(p.severity)}:'
                  f'</span> <span class="b-msg">{escape(p.message)}</span>{hint}</li>')


def _problems(problems, cls: str = "") -> Markup:
    if not problems:
        return Markup("")
    return Markup(f'<ul class="b-problems {cls}">' + "".join(problem_html(p) for p in problems) + "</ul>")


def output_name(brief: str, layout: str, fmt: str) -> str:
    """As `briefing build` names its files: deca-role.pdf, deca-role.leave-behind.pdf."""
    return f"{brief}{'' if layout == 'brief' else '.' + layout}.{fmt}"


def preview_url(brief: str, lang: str, layout: str) -> str:
    return f"/{lang}/{brief}/" + ("" if layout == "brief" else f"?layout={layout}")


# --- the index --------------------------------------------------------------------------------

def index_page(previews: Previews, token: str) -> str:
    with previews.lock:
        docs = sorted(previews.docs.values(), key=lambda s: (s.brief, s.lang != "en", s.lang,
                                                              LAYOUTS.index(s.layout)))
        progress = dict(previews.progress)
        generation = previews.generation
        problems = list(previews.global_problems)
        root = previews.project.root
    rows = []
    for st in docs:
        if st.ok and not st.output_problems:
            state = Markup('<span class="b-ok">built</span>')
        else:
            first = (st.problems or st.output_problems)[:3]
            state = Markup('<span class="b-bad">failing</span>') + _problems(first)
        stats = progress.get((st.brief, st.lang))
        links = Markup(f'<a href="{escape(preview_url(st.brief, st.lang, st.layout))}">preview</a>')
        if st.ok:
            for fmt, label in (("pdf", "PDF"), ("docx", "Word")):
                links += Markup(f' · <a href="/{escape(st.lang)}/{escape(output_name(st.brief, st.layout, fmt))}">'
                                f"{label}</a>")
        rows.append(f'<tr data-key="{escape(st.key)}"><td>{escape(st.brief)}</td><td>{escape(st.lang)}</td>'
                    f"<td>{escape(st.layout)}</td><td>{state}</td><td>{_stats_cell(stats)}</td><td>{links}</td></tr>")
    langs = sorted({lang for (_d, lang) in progress})
    summary = []
    for lang in langs:
        total = _sum(s for (d, l), s in progress.items() if l == lang)
        words = progress.get((TEMPLATE_DOMAIN, lang))
        summary.append(f"<tr><td>{escape(LANGUAGE_NAMES.get(lang, lang))} ({escape(lang)})</td>"
                       f"<td>{_stats_cell(total)}</td><td>{_bar(total)}</td>"
                       f"<td>template words: {_stats_cell(words)}</td></tr>")
    body = f"""<header class="b-bar" dir="ltr"><strong>briefing</strong> · preview of
<code>{escape(str(root))}</code></header>
<main class="b-index" dir="ltr">
<h1>Documents</h1>
{_problems(problems, "b-global")}
<table class="b-docs"><thead><tr><th>brief</th><th>language</th><th>layout</th><th>state</th>
<th>translation</th><th>open</th></tr></thead><tbody>
{''.join(rows)}
</tbody></table>
<h2>Translation progress</h2>
<table class="b-progress"><thead><tr><th>language</th><th>strings</th><th></th><th></th></tr></thead><tbody>
{''.join(summary) or '<tr><td colspan="4">no translations: every brief is English only</td></tr>'}
</tbody></table>
<p class="b-note">Pages reload by themselves when a file under briefs/, sources/, locales/, templates/
or assets/ changes. Click a text in a translated preview to see and edit its translation.</p>
</main>"""
    return (f'<!DOCTYPE html><html lang="en" dir="ltr"><head>'
            f'{_head("briefing: documents", token, {"generation": str(generation)})}</head>'
            f'<body class="b-index-page">{body}</body></html>')


def _sum(stats_list) -> "object":
    from ..i18n.catalogs import Stats
    total = Stats()
    for s in stats_list:
        for name in ("total", "translated", "fuzzy", "untranslated", "invalid"):
            setattr(total, name, getattr(total, name) + getattr(s, name))
    return total


def _stats_cell(stats) -> Markup:
    if stats is None:
        return Markup('<span class="b-muted">source</span>')
    parts = [f'<span class="b-n-translated">{stats.translated}/{stats.total} translated</span>']
    for name in ("fuzzy", "untranslated", "invalid"):
        n = getattr(stats, name)
        if n:
            parts.append(f'<span class="b-n-{name}">{n} {name}</span>')
    return Markup(", ".join(parts))


def _bar(stats) -> Markup:
    if not stats.total:
        return Markup("")
    pct = 100.0 * stats.translated / stats.total
    return Markup(f'<span class="b-meter" title="{pct:.0f}%"><span style="width:{pct:.1f}%"></span></span> '
                  f"{pct:.0f}%")


# --- a document's preview --------------------------------------------------------------------

FILE_URL = re.compile(r"""file://[^"'\s)<>]+""")
SPAN_CTX = re.compile(r'<span data-ctx="([^"]*)">')


def _toolbar(st: DocState, langs: list[str], previews: Previews) -> Markup:
    links = []
    for lang in langs:
        cls = ' class="b-here"' if lang == st.lang else ""
        links.append(f'<a{cls} href="{escape(preview_url(st.brief, lang, st.layout))}">{escape(lang)}</a>')
    layouts = []
    for layout in LAYOUTS:
        cls = ' class="b-here"' if layout == st.layout else ""
        layouts.append(f'<a{cls} href="{escape(preview_url(st.brief, st.lang, layout))}">{escape(layout)}</a>')
    files = ""
    if st.ok:
        files = (f'<a href="/{escape(st.lang)}/{escape(output_name(st.brief, st.layout, "pdf"))}">PDF</a> '
                 f'<a href="/{escape(st.lang)}/{escape(output_name(st.brief, st.layout, "docx"))}">Word</a>')
    counts = ""
    if st.texts and st.lang != "en":
        n = {s: 0 for s in STATES}
        for info in st.texts.values():
            n[info["state"]] += 1
        counts = " ".join(f'<span class="b-count b-{s}">{n[s]} {s}</span>' for s in STATES[:4] if n[s])
    return Markup(f'<header class="b-bar" dir="ltr" id="b-bar"><a href="/">index</a> · '
                  f"<strong>{escape(st.brief)}</strong> · {' '.join(links)} · {' '.join(layouts)} · {files} "
                  f'<span class="b-counts">{counts}</span></header>')


def preview_page(previews: Previews, st: DocState, token: str) -> str:
    """The HTML writer's page (the one the PDF is made from), with the translator's view:
    texts marked with their state, a side panel, notes listed at the end, and the script
    that reloads the page when the document changes."""
    with previews.lock:
        langs = sorted({k[1] for k in previews.docs if k[0] == st.brief}, key=lambda l: (l != "en", l))
        texts = dict(st.texts)
        problems = list(st.problems)
        warnings = list(st.warnings) + list(st.output_problems)
        html, document, version = st.html, st.document, st.version
        tset_folder, assets = _roots(previews, st)
    meta = {"key": st.key, "version": str(version), "lang": st.lang, "brief": st.brief, "layout": st.layout}
    head = _head(f"{st.brief} ({st.lang}, {st.layout})", token, meta)
    ui = _toolbar(st, langs, previews)
    if document is None:
        return (f'<!DOCTYPE html><html lang="en" dir="ltr"><head>{head}</head><body class="b-error-page">{ui}'
                f'<main class="b-failing" dir="ltr"><h1>This document cannot be made</h1>'
                f"<p>Fix the problems below and save: the page reloads by itself.</p>"
                f"{_problems(problems)}</main></body></html>")
    page = _rewrite_urls(html, tset_folder, assets)

    def mark(m: re.Match) -> str:
        ctx = unescape(m.group(1))
        state = texts.get(ctx, {}).get("state", "source")
        return f'<span data-ctx="{m.group(1)}" class="b-t b-{state}" tabindex="0">'

    page = SPAN_CTX.sub(mark, page)
    extra_body = Markup(f'{ui}<aside id="b-panel" class="b-panel" dir="ltr" hidden></aside>'
                        f'<div id="b-tip" class="b-tip" dir="ltr" hidden></div>')
    if warnings:
        extra_body += Markup('<details class="b-warnings" dir="ltr"><summary>'
                             f"{len(warnings)} warning(s)</summary>{_problems(warnings)}</details>")
    tail = Markup("")
    if document.notes:
        from ..render.html import inline
        items = "".join(f'<li value="{n.number}">{inline(n.content, False)}</li>' for n in document.notes)
        tail += Markup('<section class="b-notes"><h2 dir="ltr">Notes <small>(footnotes in the PDF)</small></h2>'
                       f"<ol>{_rewrite_urls(items, tset_folder, assets)}</ol></section>")
    tail += Markup(f'<script type="application/json" id="b-texts">{_json(texts)}</script>')
    page = _inject(page, "</head>", head, before=True)
    page = _inject_after_body(page, extra_body)
    page = _inject(page, "</body>", tail, before=True)
    return page


def _roots(previews: Previews, st: DocState) -> tuple[Path | None, Path]:
    try:
        tset = previews.session.write_options(st.brief).template
        folder = tset.folder.resolve()
    except Exception:
        folder = None
    return folder, previews.project.assets_dir.resolve()


def template_folder(previews: Previews, brief: str) -> Path | None:
    try:
        return previews.session.write_options(brief).template.folder.resolve()
    except Exception:
        return None


def _rewrite_urls(html: str, template: Path | None, assets: Path) -> str:
    """file:// URLs the PDF renderer reads (the logo, a template's images and fonts) become
    this server's confined routes; any other file:// URL is dropped."""
    def sub(m: re.Match) -> str:
        try:
            path = Path(unquote(urlsplit(unescape(m.group(0))).path)).resolve()
        except (OSError, RuntimeError, ValueError):
            return "about:blank"
        if path == assets or assets in path.parents:
            return "/assets/" + escape(path.relative_to(assets).as_posix())
        if template is not None and template in path.parents:
            return escape(path.relative_to(template).as_posix())   # relative to /<lang>/<brief>/
        return "about:blank"
    return FILE_URL.sub(sub, html)


def _inject(page: str, marker: str, text: str, before: bool) -> str:
    page, text = str(page), str(text)   # plain strings: str + Markup would escape the page
    at = page.rfind(marker)
    if at < 0:
        return page + text if marker == "</body>" else text + page
    return page[:at] + text + page[at:] if before else page[: at + len(marker)] + text + page[at + len(marker):]


def _inject_after_body(page: str, text: str) -> str:
    page, text = str(page), str(text)
    m = re.search(r"<body\b[^>]*>", page)
    if not m:
        return text + page
    return page[: m.end()] + text + page[m.end():]
