"""Template sets: templates/<name>/ holding document.html, one HTML file per block role
(title.html, facts.html ...; those a set lacks come from the built-in set), style.css,
leave-behind.css, reference.docx and template.toml (the set's palette and fonts, for both
formats). A project's own set wins over the built-in one of the same name."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

from ..errors import BriefError, Location, did_you_mean
from ..project import Project

REQUIRED = ("document.html", "style.css")


def builtin_root() -> Path:
    return Path(str(resources.files("briefing.templates")))


@dataclass(frozen=True)
class TemplateSet:
    name: str
    folder: Path
    root: Path

    def shown(self, filename: str) -> str:
        path = self.folder / filename
        for base in (self.root, self.root.resolve()):  # the name as written, not where a link leads
            try:
                return str(path.relative_to(base))
            except ValueError:
                continue
        return str(path)

    @cached_property
    def style(self):
        """The set's palette and fonts (template.toml), for both formats."""
        from .style import STYLE_FILE, load_style
        return load_style(self.folder, self.shown(STYLE_FILE))

    @property
    def reference_docx(self) -> Path | None:
        path = self.folder / "reference.docx"
        return path if path.is_file() else None

    def logo_url(self, project: Project) -> str | None:
        logo = project.config.organization.logo
        if not logo:
            return None
        path = (project.root / logo).resolve()
        return path.as_uri()

    def allowed_roots(self, project: Project) -> list[Path]:
        """Folders the PDF renderer may read from: this set and the project's assets, each
        resolved and kept only when it lies inside the project or the installed templates
        (a symlinked assets/ that leads elsewhere is not a root)."""
        from ..safefs import inside
        trusted = [project.root.resolve(), builtin_root().resolve()]
        roots = [self.folder.resolve(), project.assets_dir.resolve()]
        return [r for r in roots if inside(r, trusted) and r.is_dir()]


def find_template(project: Project, choice: str | None) -> TemplateSet:
    """A template set by name (project first, then built-in) or by folder path."""
    choice = choice or project.config.build.template
    candidates = []
    as_path = Path(choice)
    if "/" in choice or as_path.is_absolute() or choice.startswith("."):
        candidates.append((project.root / as_path) if not as_path.is_absolute() else as_path)
    else:
        candidates += [project.templates_dir / choice, builtin_root() / choice]
    for folder in candidates:
        if folder.is_dir():
            from ..safefs import inside
            if not inside(folder.resolve(), [project.root.resolve(), builtin_root().resolve()]):
                raise BriefError(f"template set '{choice}' is outside the project", Location(choice),
                                 "copy the template set into the project's templates/ folder")
            missing = [f for f in REQUIRED if not (folder / f).is_file()]
            if missing:
                raise BriefError(f"template set '{choice}' lacks {', '.join(missing)}",
                                 Location(str(folder)), "run 'briefing template init DIR' for a complete copy")
            return TemplateSet(choice, folder.resolve(), project.root)
    known = sorted({p.name for root in (project.templates_dir, builtin_root()) if root.is_dir()
                    for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))})
    raise BriefError(f"no template set '{choice}'", None,
                     did_you_mean(choice, known) or f"available: {', '.join(known)}")


def init_template(dest: Path, source: TemplateSet) -> list[Path]:
    """Copy a template set to `dest` for editing."""
    if dest.exists() and any(dest.iterdir()):
        raise BriefError(f"'{dest}' exists and is not empty", Location(str(dest)),
                         "choose a new folder name")
    shutil.copytree(source.folder, dest, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "__init__.py"))
    return sorted(p for p in dest.rglob("*") if p.is_file())
