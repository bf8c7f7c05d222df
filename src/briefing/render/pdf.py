"""HTML -> PDF with WeasyPrint, reading only files inside allowed folders."""
from __future__ import annotations

import logging
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import BriefError, Location

MAX_DATA_URL = 2_000_000
MAX_FILE = 20_000_000


def _weasy():
    import weasyprint
    from weasyprint import urls
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
                raise _fatal(url, "only files inside the template and assets folders may be used; "
                                  "network access is refused")
            raw_path = urlsplit(url).path
            decoded = unquote(raw_path)
            if ".." in raw_path.split("/") or ".." in decoded.split("/") or "\x00" in decoded:
                raise _fatal(url, "paths with '..' are refused")
            path = Path(decoded)
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError):
                raise _fatal(url, "file not found") from None
            if not any(real == r or r in real.parents for r in roots):
                raise _fatal(url, "file is outside the template and assets folders")
            if not real.is_file():
                raise _fatal(url, "not a file")
            if real.stat().st_size > MAX_FILE:
                raise _fatal(url, f"file larger than {MAX_FILE:,} bytes")
            mime = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
            return urls.URLFetcherResponse(url, real.read_bytes(), {"Content-Type": mime})

    def _fatal(url, reason):
        return ResourceRefused(url, reason)

    return ConfinedFetcher()


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        msg = record.getMessage()
        if re.search(r"(?i)failed to load|cannot load|unable to load|failed to fetch|error", msg):
            self.messages.append(msg.splitlines()[0])


def write_pdf(html: str, base: Path, roots: list[Path], target: Path, *, shown: str,
              variant: str | None = None, finisher=None, stylesheets=None) -> None:
    """Render `html` and write a PDF at `target` (callers make it atomic)."""
    weasyprint, _ = _weasy()
    fetcher = make_fetcher(roots)
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        document = weasyprint.HTML(string=html, base_url=base.resolve().as_uri() + "/",
                                   url_fetcher=fetcher).render(stylesheets=stylesheets)
        if collector.messages:
            raise BriefError(f"a resource failed to load: {collector.messages[0]}", Location(shown))
        options = {"pdf_variant": variant} if variant else {}
        if variant == "pdf/ua-1":
            options["pdf_tags"] = True
        document.write_pdf(str(target), finisher=finisher, **options)
    except ResourceRefused as exc:
        raise BriefError(f"resource refused ({exc.reason}): {exc.url[:120]}", Location(shown),
                         "keep images, fonts and stylesheets inside the template set or assets/") from None
    finally:
        logger.removeHandler(collector)
