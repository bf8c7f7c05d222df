"""A project folder: briefs/, sources/, locales/, templates/, assets/ and briefing.toml."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import BriefError, Location, Problem, did_you_mean

CONFIG_NAME = "briefing.toml"
COLOR = r"^#[0-9a-fA-F]{6}$"


class _Cfg(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organization(_Cfg):
    name: str = ""
    logo: Optional[str] = None
    website: Optional[str] = None
    email: Optional[str] = None
    phone: Optional[str] = None
    address: Optional[str] = None


class Colors(_Cfg):
    primary: str = Field(default="#1d3557", pattern=COLOR)
    accent: str = Field(default="#b23a48", pattern=COLOR)
    muted: str = Field(default="#5c6770", pattern=COLOR)
    box: str = Field(default="#eef2f6", pattern=COLOR)


class Build(_Cfg):
    template: str = "default"
    paper: Literal["a4", "letter"] = "a4"
    paper_by_language: dict[str, Literal["a4", "letter"]] = {}
    output: str = "build"


class Check(_Cfg):
    stale_after_years: int = Field(default=5, ge=0)  # a fact's as_of older than this at the brief's date is stale


class Config(_Cfg):
    organization: Organization = Organization()
    check: Check = Check()
    colors: Colors = Colors()
    build: Build = Build()


@dataclass
class Project:
    root: Path
    config: Config = field(default_factory=Config)

    @classmethod
    def open(cls, root: Path | str | None = None) -> "Project":
        root = Path(root or ".").resolve()
        if not root.is_dir():
            raise BriefError(f"project folder '{root}' does not exist", Location(str(root)))
        project = cls(root)
        cfg = root / CONFIG_NAME
        if cfg.is_file():
            project.config = load_config(cfg, CONFIG_NAME)
        elif not (root / "briefs").is_dir():
            raise BriefError(f"'{root}' is not a briefing project: it has no briefs/ folder and no {CONFIG_NAME}",
                             Location(str(root)), "run the command inside a project, or pass --project DIR")
        return project

    # --- folders ------------------------------------------------------------------------
    @property
    def briefs_dir(self) -> Path:
        return self.root / "briefs"

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def assets_dir(self) -> Path:
        return self.root / "assets"

    def output_dir(self, out: str | Path | None = None) -> Path:
        return (self.root / (out or self.config.build.output)).resolve() if not (
            out and Path(out).is_absolute()) else Path(out)

    def rel(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def brief_paths(self) -> list[Path]:
        if not self.briefs_dir.is_dir():
            return []
        return sorted(p for p in self.briefs_dir.iterdir()
                      if p.suffix in (".yaml", ".yml") and not p.name.startswith((".", "_")))

    def brief_path(self, brief_id: str) -> Path:
        for path in self.brief_paths():
            if path.stem == brief_id:
                return path
        known = [p.stem for p in self.brief_paths()]
        raise BriefError(f"no brief with id '{brief_id}' in {self.rel(self.briefs_dir)}/",
                         None, did_you_mean(brief_id, known) or f"known briefs: {', '.join(known) or 'none'}")

    def catalog_path(self, lang: str, domain: str) -> Path:
        return self.locales_dir / lang / "LC_MESSAGES" / f"{domain}.po"

    def pot_path(self, domain: str) -> Path:
        return self.locales_dir / f"{domain}.pot"

    def catalog_languages(self) -> list[str]:
        if not self.locales_dir.is_dir():
            return []
        return sorted(p.name for p in self.locales_dir.iterdir() if (p / "LC_MESSAGES").is_dir())

    def paper_for(self, lang: str, brief_paper: str | None, override: str | None) -> str:
        return override or brief_paper or self.config.build.paper_by_language.get(lang) or self.config.build.paper


def load_config(path: Path, shown: str) -> Config:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        where = Location(shown, int(m.group(1)), int(m.group(2))) if m else Location(shown)
        raise BriefError(f"TOML syntax error: {str(exc).split(' (at')[0]}", where) from None
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = [str(p) for p in err["loc"]]
            key = loc[-1] if loc else ""
            line = next((i for i, l in enumerate(text.splitlines(), 1) if re.match(rf"\s*{re.escape(key)}\s*=", l)), 0)
            where = Location(shown, line, 1) if line else Location(shown)
            if err["type"] == "extra_forbidden":
                section = Config
                for part in loc[:-1]:
                    section = section.model_fields[part].annotation if part in section.model_fields else section
                allowed = list(getattr(section, "model_fields", {}))
                problems.append(Problem(f"unknown setting '{'.'.join(loc)}'", where,
                                        did_you_mean(key, allowed) or f"allowed here: {', '.join(allowed)}"))
            elif err["type"] == "string_pattern_mismatch" and loc and loc[0] == "colors":
                problems.append(Problem(f"setting '{'.'.join(loc)}': {err.get('input')!r} is not a colour", where,
                                        "write it as #rrggbb, e.g. #1d3557"))
            else:
                problems.append(Problem(f"setting '{'.'.join(loc)}': {err['msg']}", where))
        raise BriefError(problems) from None
