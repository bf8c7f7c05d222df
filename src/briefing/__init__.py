"""briefing: structured YAML briefs -> localized, print-ready PDF and Word documents.

The public API (what the CLI, the benchmarks, the tests and tools use):

    import briefing
    session = briefing.open_project(".")             # a Session: the project, loaded once
    doc = session.compose("deca-role", "he")          # the composed Document
    data = session.write(doc, "docx")                 # bytes: "pdf", "docx", "html", "json"
    session.build(briefing.BuildOptions(languages=["he"]))

Heavy libraries (WeasyPrint, python-docx) are imported only by the writers that need them.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import BriefError, Location, Problem  # noqa: E402

__all__ = ["BriefError", "BuildOptions", "Document", "Location", "Problem", "Session", "__version__",
           "open_project"]


def __getattr__(name: str):
    """The rest of the API, imported on first use (keeps `briefing --help` fast)."""
    if name in ("Session", "open_project"):
        from . import session
        return getattr(session, name)
    if name == "BuildOptions":
        from .build import BuildOptions
        return BuildOptions
    if name == "Document":
        from .document import Document
        return Document
    raise AttributeError(f"module 'briefing' has no attribute {name!r}")
