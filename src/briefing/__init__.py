"""briefing: structured YAML briefs -> localized, print-ready PDF and Word documents."""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import BriefError, Location, Problem  # noqa: E402

__all__ = ["BriefError", "Location", "Problem", "__version__"]
