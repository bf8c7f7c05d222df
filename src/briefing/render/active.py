"""Outputs carry no active content: only http(s) and mailto links, no scripts, no
attachments, no file: links and no path of the machine that built them.

A template author writes HTML; what the template produces is checked here before it is
written (HTML) or laid out (PDF), and the written PDF is checked again for actions a
stylesheet could still make (WeasyPrint's `link` property, `-weasy-*` tricks).
"""
from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import BriefError, Location

LINK_SCHEMES = ("http", "https", "mailto")
FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "input",
                  "button", "textarea", "select", "portal", "noscript"}
URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "background", "cite", "srcset",
             "{http://www.w3.org/1999/xlink}href", "xlink:href"}
HINT = "templates may link only to http(s) and mailto addresses, and may not add scripts or attachments"


def _scheme(url: str) -> str:
    url = re.sub(r"[\x00-\x20]", "", url)  # 'java script:' tricks
    m = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
    return m.group(1).lower() if m else ""


def check_html(html: str, where: Location) -> None:
    """Refuse active content in the HTML a template produced."""
    import lxml.html
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - lxml raises several kinds for empty or odd documents
        return
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.rsplit("}", 1)[-1].lower()
        if tag in FORBIDDEN_TAGS:
            _refuse(f"the template writes a <{tag}> element", where)
        if tag == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
            _refuse("the template writes a <meta http-equiv=\"refresh\"> redirect", where)
        rel = (el.get("rel") or "").lower().split()
        if "attachment" in rel:
            _refuse("the template attaches a file to the output (rel=\"attachment\")", where)
        for name, value in el.attrib.items():
            lname = name.lower()
            if lname.startswith("on"):
                _refuse(f"the template writes an event handler ({lname}=...)", where)
            if lname not in URL_ATTRS:
                continue
            scheme = _scheme(value)
            if tag in ("a", "area") and lname in ("href", "xlink:href", "{http://www.w3.org/1999/xlink}href"):
                if value.startswith("#") or scheme in LINK_SCHEMES:
                    continue
                _refuse(f"the template links to {value[:80]!r}; only http(s) and mailto links are allowed", where)
            elif scheme not in ("", "file", "data", "http", "https"):
                _refuse(f"the template uses a {scheme}: address ({value[:80]!r})", where)


def _refuse(message: str, where: Location):
    raise BriefError(message, where, HINT)


FILE_ATTR = re.compile(r"""(?<=\s)((?:src|href|xlink:href|poster)\s*=\s*["'])(file://[^"'<>]+)""")
FILE_CSS = re.compile(r"""(url\(\s*["']?)(file://[^"')\s]+)""")
STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S | re.I)


def portable_html(html: str, roots: list[Path], where: Location) -> str:
    """HTML to hand out: every file: URL of the template set or assets (the logo, an image)
    becomes a data: URL, so no path of the building machine is in the file."""
    from ..safefs import inside, read_project_file

    def inline(m) -> str:
        return m.group(1) + data_url(m.group(2))

    def data_url(url: str) -> str:
        path = Path(unquote(urlsplit(url).path))
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            real = path
        root = next((r for r in roots if inside(real, [r])), None)
        if root is None:
            _refuse("the template refers to a file outside the template and assets folders", where)
        data = read_project_file(root, real, real.name, max_bytes=2_000_000)
        mime = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        return f"data:{mime};base64,{base64.b64encode(data).decode()}"
    html = STYLE.sub(lambda m: m.group(1) + FILE_CSS.sub(inline, m.group(2)) + m.group(3), html)
    return FILE_ATTR.sub(inline, html)  # attributes only: text that mentions file:// stays text


# --- the written PDF -----------------------------------------------------------------------

def pdf_problems(reader) -> list[str]:
    """Active content in a PDF read with pypdf: non-web link actions, scripts, attachments."""
    from pypdf.generic import DictionaryObject, IndirectObject
    found: list[str] = []
    root = reader.trailer["/Root"]
    names = root.get("/Names")
    if names is not None:
        names = names.get_object()
        if "/EmbeddedFiles" in names:
            found.append("an attached file (/EmbeddedFiles)")
        if "/JavaScript" in names:
            found.append("a script (/JavaScript)")
    if "/OpenAction" in root or "/AA" in root:
        found.append("an action that runs when the file opens")
    for page in reader.pages:
        if "/AA" in page:
            found.append("a page action (/AA)")
        for ref in page.get("/Annots") or []:
            annot = ref.get_object() if isinstance(ref, IndirectObject) else ref
            if not isinstance(annot, DictionaryObject):
                continue
            subtype = annot.get("/Subtype")
            if subtype == "/FileAttachment":
                found.append("an attached file (/FileAttachment)")
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if isinstance(action, DictionaryObject):
                kind = action.get("/S")
                if kind == "/URI":
                    uri = str(action.get("/URI", ""))
                    if _scheme(uri) not in LINK_SCHEMES:
                        found.append(f"a link to {uri[:80]!r}")
                elif kind not in ("/GoTo", None):
                    found.append(f"a {kind} action")
            if "/AA" in annot:
                found.append("an annotation action (/AA)")
    return sorted(set(found))
