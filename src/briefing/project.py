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
        if cfg.exists() or cfg.is_symlink():
            project.config = load_config(cfg, CONFIG_NAME, root)
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
        """Where outputs go: --out as given (relative to the project), else `[build] output`,
        which must stay inside the project even through symbolic links."""
        from .safefs import check_write_dir
        if out:
            folder = Path(out) if Path(out).is_absolute() else self.root / out
            return check_write_dir(self.root, folder, str(out), from_command_line=True)
        folder = self.root / self.config.build.output
        return check_write_dir(self.root, folder, self.rel(folder))

    def rel(self, path: Path) -> str:
        """A path as the project shows it (the link's own name, not where a link leads)."""
        import os
        try:
            return str(Path(os.path.abspath(path)).relative_to(self.root))
        except ValueError:
            pass
        try:
            return str(path.resolve().relative_to(self.root))
        except (ValueError, OSError, RuntimeError):
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


MAX_CONFIG_BYTES = 100_000
MAX_CONFIG_DEPTH = 10


def load_config(path: Path, shown: str, root: Path | None = None) -> Config:
    text, data = read_settings(path, shown, root if root is not None else path.parent)
    _check_output(data, text, shown)

    def allowed(loc: list[str]) -> list[str]:
        section = Config
        for part in loc[:-1]:
            section = section.model_fields[part].annotation if part in section.model_fields else section
        return list(getattr(section, "model_fields", {}))
    return validate_settings(Config, data, text, shown, allowed)


def read_settings(path: Path, shown: str, root: Path, *, allowed_extra_roots=()) -> tuple[str, dict]:
    """A TOML settings file (briefing.toml, a template set's template.toml), read through the
    safe reader, checked (UTF-8, no bidi controls, shallow) and parsed: (text, data)."""
    from .i18n.catalogs import BIDI_CONTROLS
    from .safefs import read_project_file
    data_bytes = read_project_file(root, path, shown, max_bytes=MAX_CONFIG_BYTES,
                                   allowed_extra_roots=allowed_extra_roots)
    try:
        text = data_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data_bytes[: exc.start].count(b"\n") + 1
        raise BriefError("file is not valid UTF-8", Location(shown, line),
                         "save the file as UTF-8 (most editors offer it under 'Save as')") from None
    bidi = BIDI_CONTROLS.search(text)
    if bidi:
        line = text.count("\n", 0, bidi.start()) + 1
        col = bidi.start() - (text.rfind("\n", 0, bidi.start()) + 1) + 1
        raise BriefError(f"invisible bidi control character U+{ord(bidi.group(0)):04X}", Location(shown, line, col),
                         "remove it: it can make the text display in a different order than it is stored")
    depth = _max_bracket_depth(text)
    if depth > MAX_CONFIG_DEPTH:
        raise BriefError(f"settings are nested deeper than {MAX_CONFIG_DEPTH} levels", Location(shown),
                         "settings files hold only a few flat tables")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        where = Location(shown, int(m.group(1)), int(m.group(2))) if m else Location(shown)
        raise BriefError(f"TOML syntax error: {str(exc).split(' (at')[0]}", where) from None
    except RecursionError:
        raise BriefError(f"settings are nested deeper than {MAX_CONFIG_DEPTH} levels", Location(shown)) from None
    _refuse_control_characters(data, text, shown)
    return text, data


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _refuse_control_characters(data, text: str, shown: str, path: tuple = ()) -> None:
    """A setting written with an escape such as "\\u0001": no output can hold a control
    character (Word's XML refuses it: the writer crashed on an organization's name)."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        if isinstance(value, (dict, list)):
            _refuse_control_characters(value, text, shown, path + (key,))
        elif isinstance(value, str) and CONTROL.search(value):
            name = str(path[-1] if isinstance(key, int) and path else key)
            line = next((i for i, l in enumerate(text.splitlines(), 1) if re.match(rf"\s*{re.escape(name)}\s*=", l)), 0)
            shown_key = ".".join(str(p) for p in path + (key,))
            raise BriefError(f"setting '{shown_key}' holds the control character "
                             f"U+{ord(CONTROL.search(value).group(0)):04X}",
                             Location(shown, line, 1) if line else Location(shown), "remove it")


def validate_settings(model, data: dict, text: str, shown: str, allowed):
    """`data` as `model`, or every problem at its line: an unknown key (with a did-you-mean
    among `allowed(loc)`), a colour that is not #rrggbb, any other wrong value."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = [str(p) for p in err["loc"]]
            key = loc[-1] if loc else ""
            line = next((i for i, l in enumerate(text.splitlines(), 1) if re.match(rf"\s*{re.escape(key)}\s*=", l)), 0)
            where = Location(shown, line, 1) if line else Location(shown)
            if err["type"] == "extra_forbidden":
                names = allowed(loc)
                problems.append(Problem(f"unknown setting '{'.'.join(loc)}'", where,
                                        did_you_mean(key, names) or f"allowed here: {', '.join(names)}"))
            elif err["type"] == "string_pattern_mismatch" and loc and loc[0] == "colors":
                problems.append(Problem(f"setting '{'.'.join(loc)}': {err.get('input')!r} is not a colour", where,
                                        "write it as #rrggbb, e.g. #1d3557"))
            elif err["type"] == "string_pattern_mismatch" and loc and loc[0] == "fonts":
                problems.append(Problem(f"setting '{'.'.join(loc)}': not a font family name", where,
                                        "write the family as installed, e.g. \"Source Serif 4\": up to 100 "
                                        "characters, without quotes, ; { } < > or control characters"))
            else:
                problems.append(Problem(f"setting '{'.'.join(loc)}': {err['msg']}", where))
        raise BriefError(problems) from None


def _max_bracket_depth(text: str) -> int:
    """How deeply [ ] and { } nest (a cheap over-estimate: brackets in strings count too)."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}" and depth:
            depth -= 1
    return deepest


def _check_output(data: dict, text: str, shown: str) -> None:
    """`[build] output` is a folder inside the project: a shared file cannot send outputs
    (and the start-of-build sweep) elsewhere; `--out` on the command line can."""
    import os
    out = data.get("build", {}).get("output") if isinstance(data.get("build"), dict) else None
    if not isinstance(out, str):
        return
    norm = os.path.normpath(out) if out else ""
    if not out.strip() or Path(out).is_absolute() or norm == ".." or norm.startswith(".." + os.sep) or norm == ".":
        line = next((i for i, l in enumerate(text.splitlines(), 1) if re.match(r"\s*output\s*=", l)), 0)
        raise BriefError(f"setting 'build.output': {out!r} is not a folder inside the project",
                         Location(shown, line, 1) if line else Location(shown),
                         "use a relative folder such as \"build\"; to write elsewhere, pass --out DIR")
