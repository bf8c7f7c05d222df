"""`briefing watch`: rebuild what changed whenever a file changes; errors do not stop it."""
from __future__ import annotations

from pathlib import Path

from .build import BuildOptions
from .cache import WATCHED
from .errors import BriefError, Problem
from .progress import LineReporter, summary
from .session import Session


INPUT_SUFFIXES = {".yaml", ".yml", ".json", ".po", ".html", ".css", ".docx", ".svg", ".png", ".jpg", ".jpeg",
                  ".toml"}


def _relevant(path: str, out_dir) -> bool:
    """Files a build reads; not outputs, temp files or an editor's swap and backup files."""
    name = Path(path).name
    return (not path.startswith(str(out_dir)) and Path(path).suffix.lower() in INPUT_SUFFIXES
            and not name.startswith((".", "#", "~")) and not name.endswith("~"))


def watch(project, args, out) -> int:
    from watchfiles import watch as changes
    options = BuildOptions(briefs=args.brief, languages=args.lang, formats=args.format, layouts=args.layout,
                           out=args.out, jobs=args.jobs, paper=args.paper, template=args.template,
                           strict=args.strict, show_untranslated=args.show_untranslated)
    out_dir = project.output_dir(args.out)
    folders = [str(project.root / name) for name in WATCHED if (project.root / name).is_dir()]

    session = Session(project.root)   # its warm workers serve every rebuild

    def once() -> None:
        try:
            result = session.build(options, LineReporter(out, project))
            summary(out, project, result)
        except BriefError as exc:
            out.problems(exc.problems)
        except OSError as exc:  # a file vanished or was replaced while the build read it
            name = project.rel(Path(exc.filename)) if exc.filename else "a file"
            out.problems([Problem(f"{name} changed while it was being read ({exc.strerror})", None,
                                  "it is built again on the next change")])

    once()
    announced = False
    try:
        for batch in changes(*folders, watch_filter=lambda change, path: _relevant(path, out_dir), debounce=400,
                             yield_on_timeout=True, rust_timeout=300):
            if not batch:  # the watcher is running: say so once
                if not announced:
                    out.print(f"watching {', '.join(project.rel(Path(f)) for f in folders)} (Ctrl-C stops)")
                    announced = True
                continue
            names = sorted({project.rel(Path(p)) for _, p in batch})
            out.print(f"changed: {', '.join(names)}")
            once()
    except KeyboardInterrupt:
        out.print("stopped watching")
    finally:
        session.close()
    return 0
