"""Command line: the only place that prints and exits.

Exit codes: 0 ok, 1 the input has errors (or a document failed), 2 bad command line.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import BriefError, Problem, printable

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


class Out:
    """Where messages go; tests pass their own streams."""

    def __init__(self, stdout=None, stderr=None):
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr

    def print(self, text: str = "") -> None:
        # line by line, also into pipes and CI logs; control characters (from a file name) escaped
        print(printable(text, keep="\n\t"), file=self.stdout, flush=True)

    def problems(self, problems: list[Problem]) -> None:
        for p in problems:
            print(p.format(), file=self.stderr, flush=True)


def _csv(kind: str, choices: tuple[str, ...] | None = None):
    def parse(value: str) -> list[str]:
        items = [v.strip() for v in value.split(",") if v.strip()]
        if choices:
            bad = [v for v in items if v not in choices]
            if bad:
                raise argparse.ArgumentTypeError(
                    f"unknown {kind} {', '.join(bad)} (choose from {', '.join(choices)})")
        return items
    return parse


def _count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return n


def parser() -> argparse.ArgumentParser:
    from .build import FORMATS, LAYOUTS
    from .model import SUPPORTED_LANGUAGES
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--project", metavar="DIR", default=".",
                        help="the project folder (default: the current folder)")

    p = argparse.ArgumentParser(prog="briefing", description=(
        "Turn YAML briefs and their sources into localized PDF and Word briefings."),
        epilog="Exit codes: 0 ok, 1 input errors, 2 usage errors. 'briefing COMMAND --help' for details.")
    p.add_argument("--version", action="version", version=f"briefing {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    outputs = argparse.ArgumentParser(add_help=False)  # what to make and where: build and watch alike
    outputs.add_argument("--lang", type=_csv("language", SUPPORTED_LANGUAGES), metavar="LANGS",
                         help="languages, comma-separated: en,he,hy (default: each brief's own list)")
    outputs.add_argument("--format", type=_csv("format", FORMATS), metavar="FORMATS", default=["pdf", "docx"],
                         help="pdf,docx,html (default: pdf,docx)")
    outputs.add_argument("--layout", type=_csv("layout", LAYOUTS), metavar="LAYOUTS", default=["brief"],
                         help="brief,leave-behind (default: brief)")
    outputs.add_argument("--out", metavar="DIR", help="output folder (default: build/)")
    outputs.add_argument("--jobs", "-j", type=_count, metavar="N",
                         help="worker processes (default: one per core; 0 renders in this process)")
    b = sub.add_parser("build", parents=[common, outputs], help="build briefs into PDF, Word and HTML",
                       description="Build every brief in every language it declares (or the ones named).")
    b.add_argument("--brief", action="append", metavar="ID", help="build only this brief (repeatable)")
    b.add_argument("--paper", choices=["a4", "letter"], help="paper size for every document")
    b.add_argument("--template", metavar="NAME|DIR", help="template set to use")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    b.add_argument("--show-untranslated", action="store_true",
                   help="highlight text shown in English because its translation is missing")
    b.add_argument("--force", action="store_true", help="rebuild everything, even outputs that are up to date")
    b.add_argument("--print", dest="print_profile", action="store_true",
                   help="PDFs for a print shop: 3 mm bleed and crop marks (written as NAME.print.pdf)")
    b.add_argument("--booklet", action="store_true",
                   help="also write NAME.booklet.pdf: A5 pages imposed on A4 sheets, to fold into a handout")
    b.add_argument("--pdf-standard", choices=["ua", "a"],
                   help="ua: tagged PDF/UA-1 (accessibility); a: PDF/A-3b (archiving)")
    b.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                   help="stop a document that takes longer than this to render (default: 120)")

    sub.add_parser("watch", parents=[common, outputs], help="rebuild what changed whenever a file changes",
                   description="Watch briefs/, sources/, locales/, templates/ and assets/; rebuild what "
                               "changed. Errors are printed and watching goes on. Ctrl-C stops.")

    c = sub.add_parser("check", parents=[common], help="validate briefs, sources and catalogs without rendering",
                       description="Validate everything without rendering: fast, for editors and CI.")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")

    tr = sub.add_parser("translate", help="gettext catalogs for translators: extract, update, status, check",
                        description="Keep the translators' .po files in step with the English briefs.")
    tsub = tr.add_subparsers(dest="action", metavar="ACTION")
    tsub.required = True
    tsub.add_parser("extract", parents=[common], help="write locales/*.pot from the briefs and template words")
    tu = tsub.add_parser("update", parents=[common],
                         help="merge the English into every .po (new strings empty, edited ones fuzzy)")
    tu.add_argument("--lang", type=_csv("language", SUPPORTED_LANGUAGES), metavar="LANGS")
    ts = tsub.add_parser("status", parents=[common], help="translated / fuzzy / untranslated per brief and language")
    ts.add_argument("--lang", type=_csv("language", SUPPORTED_LANGUAGES), metavar="LANGS")
    ts.add_argument("--json", action="store_true", help="machine-readable output")
    tc = tsub.add_parser("check", parents=[common],
                         help="find translations that break a placeholder, citation, number, link or markup")
    tc.add_argument("--lang", type=_csv("language", SUPPORTED_LANGUAGES), metavar="LANGS")

    tp = sub.add_parser("template", help="template sets: make an editable copy",
                        description="Template sets hold the HTML and CSS of the PDF and the Word reference "
                                    "document.")
    tps = tp.add_subparsers(dest="action", metavar="ACTION")
    tps.required = True
    ti = tps.add_parser("init", parents=[common], help="copy a template set into DIR to edit it")
    ti.add_argument("dir", help="the new folder, e.g. templates/partner")
    ti.add_argument("--from", dest="source", metavar="NAME", help="the set to copy (default: the project's)")

    n = sub.add_parser("new", parents=[common], help="create a new brief with every field, commented",
                       description="Write briefs/ID.yaml: a brief with every field, commented.")
    n.add_argument("id", help="the new brief's id (lower-case letters, digits and '-')")
    return p


def main(argv: list[str] | None = None, stdout=None, stderr=None) -> int:
    out = Out(stdout, stderr)
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        return COMMANDS[args.command](args, out)
    except BriefError as exc:
        out.problems(exc.problems)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=out.stderr)
        return 130


def _project(args):
    from .project import Project
    return Project.open(Path(args.project))


def cmd_build(args, out: Out) -> int:
    from .build import BuildOptions, build
    from .progress import reporter_for, summary
    project = _project(args)
    options = BuildOptions(briefs=args.brief, languages=args.lang, formats=args.format, layouts=args.layout,
                           out=args.out, strict=args.strict, show_untranslated=args.show_untranslated,
                           paper=args.paper, template=args.template, jobs=args.jobs, force=args.force,
                           timeout=args.timeout, print_profile=args.print_profile, booklet=args.booklet,
                           pdf_standard=args.pdf_standard)
    reporter = reporter_for(out, project)
    with reporter:
        result = build(project, options, reporter)
    summary(out, project, result)
    return EXIT_OK if result.ok else EXIT_INPUT


def cmd_watch(args, out: Out) -> int:
    from .watch import watch
    return watch(_project(args), args, out)


def cmd_check(args, out: Out) -> int:
    from .pipeline import check_languages, load_project
    project = _project(args)
    loaded = load_project(project)
    report = loaded.report
    report.extend(_unique(check_languages(loaded).problems, report.problems))
    out.problems(report.problems)
    errors = report.errors or (args.strict and report.warnings)
    out.print(f"checked {len(project.brief_paths())} brief(s), {len(loaded.sources.by_id)} source(s): "
              f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    return EXIT_INPUT if errors else EXIT_OK


def _unique(problems, already) -> list:
    seen = set(already)
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def cmd_new(args, out: Out) -> int:
    from .scaffold import new_brief
    project = _project(args)
    path = new_brief(project, args.id)
    out.print(f"created {project.rel(path)}: fill it in, then run 'briefing check'")
    return EXIT_OK


def cmd_translate(args, out: Out) -> int:
    from . import translate
    project = _project(args)
    if args.action == "extract":
        written, report = translate.extract(project)
        out.problems([p for p in report.problems if p.severity == "error"])
        for path in written:
            out.print(f"wrote {path}")
        out.print(f"{len(written)} template(s) written" if written else "templates are up to date")
        return EXIT_INPUT if report.errors else EXIT_OK
    if args.action == "update":
        results, report = translate.update(project, args.lang)
        out.problems([p for p in report.problems if p.severity == "error"])
        for r in results:
            if r.created:
                out.print(f"created {r.path} ({r.new} strings to translate)")
            elif r.changed:
                out.print(f"updated {r.path}: {r.new} new, {r.fuzzy} fuzzy, {r.obsolete} obsolete")
        if not any(r.changed for r in results):
            out.print("catalogs are up to date")
        return EXIT_INPUT if report.errors else EXIT_OK
    if args.action == "status":
        return _status(project, args, out)
    problems = translate.check(project, args.lang)
    out.problems(problems)
    errors = [p for p in problems if p.severity == "error"]
    out.print(f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s) in the catalogs")
    return EXIT_INPUT if errors else EXIT_OK


def _status(project, args, out: Out) -> int:
    import json

    from . import translate
    report = translate.status(project, args.lang)
    if args.json:
        out.print(json.dumps([r.as_dict() for r in report.rows], indent=2, ensure_ascii=False))
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table
    table = Table(title="Translation status", show_lines=False)
    for col in ("brief", "lang", "translated", "fuzzy", "untranslated", "invalid", "done"):
        table.add_column(col, justify="right" if col not in ("brief", "lang") else "left")
    for r in report.rows:
        s = r.stats
        table.add_row(r.brief, r.lang, f"{s.translated}/{s.total}", str(s.fuzzy), str(s.untranslated),
                      str(s.invalid), f"{s.percent:.0f}%")
    Console(file=out.stdout, width=100).print(table)
    return EXIT_OK


def cmd_template(args, out: Out) -> int:
    from .render.templates import find_template, init_template
    project = _project(args)
    try:
        source = find_template(project, args.source)
    except BriefError:
        if args.source:
            raise
        source = find_template(project, "default")  # the configured set does not exist yet
    dest = Path(args.dir)
    dest = dest if dest.is_absolute() else Path.cwd() / dest
    files = init_template(dest, source)
    out.print(f"copied the '{source.name}' template set to {project.rel(dest)} ({len(files)} files)")
    name = dest.name if dest.parent.resolve() == project.templates_dir.resolve() else project.rel(dest)
    out.print(f"use it with 'template: {name}' in a brief, template = \"{name}\" in briefing.toml, "
              f"or --template {name}")
    return EXIT_OK


COMMANDS = {"template": cmd_template, "build": cmd_build, "check": cmd_check, "new": cmd_new, "translate": cmd_translate, "watch": cmd_watch}
