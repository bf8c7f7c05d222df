"""A template set's own palette and fonts (template.toml), which both the PDF and the Word
file follow.

    [colors]              # #rrggbb
    primary = "#1d3557"   # titles, headings, responses, links
    accent = "#b23a48"    # key-fact values, the facts box's rules
    muted = "#5c6770"     # meta lines, attributions, page furniture
    box = "#eef2f6"       # the facts box's background
    [fonts]
    text = "serif"        # serif | sans: the body's Noto stack (each language's script first)
    headings = "sans"     # serif | sans: titles and headings
    text_family = "..."   # optional: an installed family set before the stack (Latin text)
    headings_family = "..."

Precedence, colour by colour: briefing.toml [colors] (what it sets) > the template set's
template.toml [colors] > the built-in palette. Fonts: template.toml > the template's
reference.docx styles (Word) and the built-in serif body / sans headings (PDF).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from ..i18n.locale import SANS, SERIF
from ..project import COLOR, Colors, Project

STYLE_FILE = "template.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Palette(_Strict):
    primary: Optional[str] = Field(None, pattern=COLOR)
    accent: Optional[str] = Field(None, pattern=COLOR)
    muted: Optional[str] = Field(None, pattern=COLOR)
    box: Optional[str] = Field(None, pattern=COLOR)


FAMILY = r'^[^"\\;{}<>\x00-\x1f\x7f-\x9f]{1,100}$'


class _Fonts(_Strict):
    text: Literal["serif", "sans"] = "serif"
    headings: Literal["serif", "sans"] = "sans"
    # a family name: no CSS syntax, and no control character (Word's XML cannot hold one: it crashed the writer)
    text_family: Optional[str] = Field(None, pattern=FAMILY)
    headings_family: Optional[str] = Field(None, pattern=FAMILY)


class _StyleFile(_Strict):
    colors: _Palette = _Palette()
    fonts: Optional[_Fonts] = None


@dataclass(frozen=True)
class TemplateStyle:
    colors: dict = field(default_factory=dict)   # what template.toml sets: role -> #rrggbb
    fonts: Optional[_Fonts] = None               # None: the set has no [fonts]

    def palette(self, project: Project) -> Colors:
        """The colours both formats use: briefing.toml's (what it sets) over this set's over the defaults."""
        own = project.config.colors
        chosen = own.model_fields_set if "colors" in project.config.model_fields_set else set()
        values = {**self.colors, **{k: getattr(own, k) for k in chosen}}
        return Colors(**values)

    def recolors_word(self, project: Project) -> bool:
        """Whether the Word styles take the palette (else the reference document's colours stay)."""
        return bool(self.colors) or "colors" in project.config.model_fields_set

    # --- fonts --------------------------------------------------------------------------
    def kind(self, role: str) -> str:
        """'serif' or 'sans' for 'text' or 'headings'."""
        if self.fonts is None:
            return "serif" if role == "text" else "sans"
        return getattr(self.fonts, role)

    def family(self, role: str) -> str | None:
        return getattr(self.fonts, f"{role}_family") if self.fonts else None

    def css_stack(self, role: str, lang: str) -> str:
        """The CSS font-family list for a role in a language: the chosen family, then the stack."""
        kind = self.kind(role)
        stack = (SERIF if kind == "serif" else SANS).get(lang, (SERIF if kind == "serif" else SANS)["en"])
        families = ([self.family(role)] if self.family(role) else []) + list(stack)
        return ", ".join(f'"{f}"' for f in families) + (", serif" if kind == "serif" else ", sans-serif")

    def word_fonts(self) -> dict | None:
        """For the Word writer: the Latin family of body and headings, and which stack ('serif'
        or 'sans') each uses for its script runs. None: keep the reference document's fonts."""
        if self.fonts is None:
            return None
        latin = {role: self.family(role) or (SERIF if self.kind(role) == "serif" else SANS)["en"][0]
                 for role in ("text", "headings")}
        return {"text": latin["text"], "headings": latin["headings"],
                "families": {"serif": self.kind("text"), "sans": self.kind("headings")}}


def load_style(folder, shown: str, root=None) -> TemplateStyle:
    """Read a template set's template.toml (absent: the built-in palette and fonts), through
    the same safe reader and checks as briefing.toml; `root` is the folder it must stay in."""
    from ..project import read_settings, validate_settings
    path = folder / STYLE_FILE
    if not path.exists() and not path.is_symlink():
        return TemplateStyle()
    text, data = read_settings(path, shown, root or folder)

    def allowed(loc: list[str]) -> list[str]:
        section = {"colors": _Palette, "fonts": _Fonts}.get(loc[0]) if len(loc) > 1 else _StyleFile
        return list(section.model_fields) if section else []
    parsed = validate_settings(_StyleFile, data, text, shown, allowed)
    colors = {k: v for k, v in parsed.colors.model_dump().items() if v}
    return TemplateStyle(colors, parsed.fonts)
