"""Command line: the only place that prints and exits.

Exit codes: 0 ok, 1 the input has errors (or a document failed), 2 bad command line,
3 a bug in briefing (its traceback is kept in a file, and the message says where).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import BriefError, Problem, printable

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


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


def _port(value: str) -> int:
    n = _count(value)
    if n > 65535:
        raise argparse.ArgumentTypeError("a port is a number from 0 to 65535")
    return n


def parser() -> argparse.ArgumentParser:
    from .i18n.locale import PROFILES
    from .writers import FORMATS, LAYOUTS
    SUPPORTED_LANGUAGES = tuple(PROFILES)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--project", metavar="DIR", default=".",
                        help="the project folder (default: the current folder)")

    p = argparse.ArgumentParser(prog="briefing", description=(
        "Turn YAML briefs and their sources into localized PDF and Word briefings."),
        epilog="Exit codes: 0 ok, 1 input errors, 2 usage errors, 3 a bug in briefing. "
               "'briefing COMMAND --help' for details.")
    p.add_argument("--version", action="version", version=f"briefing {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    outputs = argparse.ArgumentParser(add_help=False)  # what to make and where: build and watch alike
    outputs.add_argument("--lang", type=_csv("language", SUPPORTED_LANGUAGES), metavar="LANGS",
                         help="languages, comma-separated: en,he,hy (default: each brief's own list)")
    outputs.add_argument("--format", type=_csv("format", FORMATS), metavar="FORMATS", default=["pdf", "docx"],
                         help="pdf,docx,html,json (default: pdf,docx); json is the composed document, for tools")
    outputs.add_argument("--layout", type=_csv("layout", LAYOUTS), metavar="LAYOUTS", default=["brief"],
                         help="brief,leave-behind (default: brief)")
    outputs.add_argument("--out", metavar="DIR", help="output folder (default: build/)")
    outputs.add_argument("--jobs", "-j", type=_count, metavar="N",
                         help="worker processes (default: one per core; 0 renders in this process)")
    outputs.add_argument("--brief", action="append", metavar="ID",
                         help="only this brief (repeatable; default: every brief)")
    outputs.add_argument("--paper", choices=["a4", "letter"],
                         help="paper size for every document (default: the brief's, then briefing.toml's)")
    outputs.add_argument("--template", metavar="NAME|DIR",
                         help="template set to use (default: the brief's, then briefing.toml's)")
    outputs.add_argument("--strict", action="store_true",
                         help="treat warnings as errors: a brief with a warning is not built")
    outputs.add_argument("--show-untranslated", action="store_true",
                         help="highlight text shown in English because its translation is missing")
    b = sub.add_parser("build", parents=[common, outputs], help="build briefs into PDF, Word and HTML",
                       description="Build every brief in every language it declares (or the ones named).")
    b.add_argument("--force", action="store_true", help="rebuild everything, even outputs that are up to date")
    b.add_argument("--print", dest="print_profile", action="store_true",
                   help="PDFs for a print shop: 3 mm bleed and crop marks (written as NAME.print.pdf)")
    b.add_argument("--booklet", action="store_true",
                   help="also write NAME.booklet.pdf: A5 pages imposed on A4 sheets, to fold into a handout")
    b.add_argument("--pdf-standard", choices=["ua", "a"],
                   help="ua (the default): tagged PDF/UA-1 (accessibility); a: PDF/A-3a (archiving), also PDF/UA-1")
    b.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                   help="stop a document that takes longer than this to render (default: 120)")
    b.add_argument("--recipients", metavar="FILE",
                   help="a CSV or YAML file, one row per recipient: one personalised copy each, in "
                        "OUT/recipients/<name>/ (personal data: keep the file out of git)")
    b.add_argument("--shard", type=_shard, metavar="K/N",
                   help="build only part K of N disjoint parts of the job list (one machine of N); "
                        "join the parts' manifests with 'briefing manifest merge'")

    d = sub.add_parser("diff", parents=[common], help="what changed since an edition: summary, Word redline, marked PDF",
                       description="Compare the project with an earlier edition: a git ref (a tag such as "
                                   "edition-2026-11, a commit) or the folder of an earlier build made with "
                                   "--format json. Per brief and language: a summary here, a Word file with "
                                   "tracked changes and a PDF that marks what changed, in --out; and the strings "
                                   "whose English changed, with whether each language has caught up.")
    d.add_argument("ref", help="a git tag or commit, or an earlier build folder (with manifest.json and JSON documents)")
    d.add_argument("--brief", action="append", metavar="ID", help="only this brief (repeatable)")
    d.add_argument("--lang", type=_csv("language", SUPPORTED_LANGUAGES), metavar="LANGS",
                   help="only these languages, comma-separated (default: each brief's own list)")
    d.add_argument("--out", metavar="DIR", help="where the redlines and marked PDFs go (default: build/diff/)")
    d.add_argument("--author", metavar="NAME",
                   help="the author of the tracked changes in Word (default: the organization, else 'briefing')")
    d.add_argument("--no-files", action="store_true", help="print the summary only; write no Word or PDF file")

    m = sub.add_parser("manifest", help="build manifests: merge the parts of a sharded build",
                       description="Work with build/manifest.json files.")
    msub = m.add_subparsers(dest="action", metavar="ACTION")
    msub.required = True
    mm = msub.add_parser("merge", help="join the manifests of the parts of a --shard build into one",
                         description="Join the manifests of the parts of a sharded build (--shard K/N) into one "
                                     "that lists the whole set. Refuses parts from different commits, options or "
                                     "splits, and outputs that two parts made differently.")
    mm.add_argument("manifests", nargs="+", metavar="MANIFEST", help="the parts' manifest.json files")
    mm.add_argument("-o", "--output", required=True, metavar="FILE", help="the merged manifest to write")

    sub.add_parser("watch", parents=[common, outputs], help="rebuild what changed whenever a file changes",
                   description="Watch briefs/, sources/, locales/, templates/ and assets/; rebuild what "
                               "changed. Errors are printed and watching goes on. Ctrl-C stops.")

    sv = sub.add_parser("serve", parents=[common], help="preview briefs in the browser as you write and translate",
                        description="A local web server: an index of every brief x language x layout, a live "
                                    "preview of each (the page the PDF is made from), the current PDF and Word "
                                    "files, and a translator's view to see and edit each text's translation in "
                                    "place. Pages reload when a file changes. Ctrl-C stops.")
    sv.add_argument("--port", type=_port, default=8000, metavar="N", help="port (default: 8000; 0: any free port)")
    sv.add_argument("--host", default="127.0.0.1", metavar="H",
                    help="address to listen on (default: 127.0.0.1, this machine only); another address makes "
                         "the preview and its translation editor reachable from the network")
    sv.add_argument("--open", action="store_true", help="open the index in the web browser")

    c = sub.add_parser("check", parents=[common], help="validate briefs, sources and catalogs without rendering",
                       description="Validate everything without rendering: fast, for editors and CI.")
    c.add_argument("--brief", action="append", metavar="ID", help="check only this brief (repeatable)")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")

    fa = sub.add_parser("facts", parents=[common], help="the facts register: every fact of every brief",
                        description="List every fact of every brief: key, value as printed in each language, "
                                    "source, locator, as_of, estimate and where it is used; warn when two "
                                    "briefs give different values for the same thing.")
    fa.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output (default: table)")
    fa.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")

    tr = sub.add_parser("translate", help="gettext catalogs for translators: extract, update, status, check",
                        description="Keep the translators' .po files in step with the English briefs.")
    tsub = tr.add_subparsers(dest="action", metavar="ACTION")
    tsub.required = True
    langs = argparse.ArgumentParser(add_help=False)
    langs.add_argument("--lang", type=_csv("language", SUPPORTED_LANGUAGES), metavar="LANGS",
                       help="only these languages, comma-separated: he,hy (default: every language a brief "
                            "declares)")
    tsub.add_parser("extract", parents=[common], help="write locales/*.pot from the briefs and template words",
                    description="Write the translation templates, locales/BRIEF.pot and locales/template.pot, "
                                "from the English briefs and the template's own words.")
    tsub.add_parser("update", parents=[common, langs],
                    help="merge the English into every .po (new strings empty, edited ones fuzzy)",
                    description="Write locales/*.pot, then merge the current English into every "
                                "locales/LANG/LC_MESSAGES/*.po: missing catalogs are created, new strings arrive "
                                "empty, edited ones turn fuzzy (keeping the previous English), removed ones "
                                "become obsolete.")
    ts = tsub.add_parser("status", parents=[common, langs],
                         help="translated / fuzzy / untranslated per brief and language",
                         description="Per brief and language: how many strings are translated, fuzzy, "
                                     "untranslated or invalid, counted as a build counts them.")
    ts.add_argument("--json", action="store_true", help="machine-readable output")
    tsub.add_parser("check", parents=[common, langs],
                    help="find translations that break a placeholder, citation, number, link or markup",
                    description="Check every catalog: .po syntax, and translations that lose or change a "
                                "{placeholder}, [@citation], number, link or markup. Exit code 1 if any.")

    tp = sub.add_parser("template", help="template sets: make an editable copy",
                        description="Template sets hold the HTML and CSS of the PDF and the Word reference "
                                    "document.")
    tps = tp.add_subparsers(dest="action", metavar="ACTION")
    tps.required = True
    ti = tps.add_parser("init", parents=[common], help="copy a template set into DIR to edit it",
                        description="Copy a template set (HTML, CSS, template.toml and reference.docx) into "
                                    "DIR, to restyle the documents without Python.")
    ti.add_argument("dir", help="the new folder, e.g. templates/partner")
    ti.add_argument("--from", dest="source", metavar="NAME", help="the set to copy (default: the project's)")

    i = sub.add_parser("init", help="start a new project: settings, an example brief and source, a README",
                       description="Create DIR with briefing.toml, briefs/first-brief.yaml, sources/sources.yaml, "
                                   "a README for the team, .gitignore and the brief format for editors "
                                   "(.briefing/brief.schema.json). It passes 'check' and builds at once.")
    i.add_argument("dir", help="the new project's folder (new or empty)")

    sc = sub.add_parser("schema", parents=[common], help="print the brief format as a JSON Schema, for editors",
                        description="Print the JSON Schema (draft 2020-12) of briefs/*.yaml, made from the same "
                                    "model that 'check' uses. Editors (VS Code with Red Hat's YAML extension) "
                                    "read it through each brief's first line, "
                                    "'# yaml-language-server: $schema=../.briefing/brief.schema.json'.")
    sc.add_argument("--write", action="store_true",
                    help="write it to .briefing/brief.schema.json in the project instead of printing it")

    n = sub.add_parser("new", parents=[common], help="create a new brief with every field, commented",
                       description="Write briefs/ID.yaml: a brief with every field, commented.")
    n.add_argument("id", help="the new brief's id (lower-case letters, digits and '-')")
    return p


def _shard(value: str) -> tuple[int, int]:
    from .shards import parse_shard
    try:
        return parse_shard(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
    from .uptodate import answer
    code = answer(args, out)   # nothing changed since the last build: its report, without loading
    if code is not None:
        return code
    from .build import BuildOptions, build
    from .progress import reporter_for, summary
    project = _project(args)
    options = BuildOptions(briefs=args.brief, languages=args.lang, formats=args.format, layouts=args.layout,
                           out=args.out, strict=args.strict, show_untranslated=args.show_untranslated,
                           paper=args.paper, template=args.template, jobs=args.jobs, force=args.force,
                           timeout=args.timeout, print_profile=args.print_profile, booklet=args.booklet,
                           pdf_standard=args.pdf_standard, shard=args.shard,
                           recipients=str(Path(args.recipients).absolute()) if args.recipients else None)
    reporter = reporter_for(out, project)
    with reporter:
        result = build(project, options, reporter)
    summary(out, project, result)
    if options.shard:
        out.print(f"part {options.shard[0]}/{options.shard[1]}: {len(result.results)} output(s); join the parts' "
                  f"manifests with 'briefing manifest merge'")
    if result.bugs:
        return EXIT_BUG
    return EXIT_OK if result.ok else EXIT_INPUT


def cmd_watch(args, out: Out) -> int:
    from .watch import watch
    return watch(_project(args), args, out)


def cmd_serve(args, out: Out) -> int:
    from .serve import serve
    project = _project(args)
    return serve(project.root, host=args.host, port=args.port, open_browser=args.open, log=out.print)


def cmd_check(args, out: Out) -> int:
    from .pipeline import all_problems, load_project
    project = _project(args)
    loaded = load_project(project, args.brief)
    problems = all_problems(loaded)
    problems = strict_problems(problems) if args.strict else problems
    out.problems(problems)
    errors = sum(p.severity == "error" for p in problems)
    count = len(args.brief) if args.brief else len(project.brief_paths())
    out.print(f"checked {count} brief(s), {len(loaded.sources.by_id)} source(s): "
              f"{errors} error(s), {len(problems) - errors} warning(s)")
    return EXIT_INPUT if errors else EXIT_OK


def strict_problems(problems) -> list:
    """Under --strict a warning is an error: each problem once, as an error."""
    return _unique([p.as_error() for p in problems], [])


def _unique(problems, already) -> list:
    seen = set(already)
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def cmd_facts(args, out: Out) -> int:
    from . import register
    from .pipeline import load_project
    loaded = load_project(_project(args))
    entries, problems = register.build(loaded)
    errors = loaded.report.errors
    out.problems(errors + problems)
    languages = [lang for lang in ("en", "he", "hy") if any(lang in e.values for e in entries)]
    if args.format == "json":
        out.print(register.to_json(entries))
    elif args.format == "csv":
        out.stdout.write(register.to_csv(entries, languages))
    else:
        from rich.console import Console
        from rich.table import Table
        table = Table(title=f"Facts register ({len(entries)} facts)", show_lines=True)
        for col in ["key", "label"] + languages + ["source", "as_of", "used in"]:
            table.add_column(col, overflow="fold")
        for e in entries:
            marks = " (estimate)" * e.estimate + " (historical)" * e.historical
            table.add_row(f"{e.key}\n{e.defined_in}", e.label + marks, *[e.values.get(lang, "") for lang in languages],
                          e.source + (f", {e.locator}" if e.locator else ""), e.as_of, "\n".join(register.used_by_brief(e)))
        Console(file=out.stdout, width=200).print(table)
    return EXIT_INPUT if errors or (args.strict and problems) else EXIT_OK


def cmd_new(args, out: Out) -> int:
    from .scaffold import new_brief
    project = _project(args)
    path = new_brief(project, args.id)
    out.print(f"created {project.rel(path)}: fill it in, then run 'briefing check'")
    out.print("(its first line lets editors such as VS Code with Red Hat's YAML extension complete and check fields)")
    return EXIT_OK


def cmd_init(args, out: Out) -> int:
    from .scaffold import init_project
    dest = Path(args.dir)
    files = init_project(dest)
    for path in files:
        out.print(f"created {path.resolve().relative_to(dest.resolve())}")
    out.print(f"next: cd {args.dir}, edit briefing.toml and briefs/first-brief.yaml, then run 'briefing check' "
              f"and 'briefing build'")
    return EXIT_OK


def cmd_schema(args, out: Out) -> int:
    from .schema import schema_bytes, write_schema
    if args.write:
        project = _project(args)
        out.print(f"wrote {project.rel(write_schema(project.root))}")
    else:
        out.print(schema_bytes().decode("utf-8").rstrip("\n"))
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
            if r.template:
                out.print(f"wrote {r.path}")
            elif r.created:
                out.print(f"created {r.path} ({r.new} strings to translate)")
            elif r.changed:
                out.print(f"updated {r.path}: {r.new} new, {r.fuzzy} fuzzy, {r.obsolete} obsolete")
        if not any(r.changed for r in results if not r.template):
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
    from rich.table import Table

    from .progress import plain_console
    table = Table(title="Translation status", show_lines=False)
    for col in ("brief", "lang", "translated", "fuzzy", "untranslated", "invalid", "done"):
        table.add_column(col, justify="right" if col not in ("brief", "lang") else "left")
    for r in report.rows:
        s = r.stats
        table.add_row(r.brief, r.lang, f"{s.translated}/{s.total}", str(s.fuzzy), str(s.untranslated),
                      str(s.invalid), f"{s.percent:.0f}%")
    plain_console(out.stdout, 100).print(table)
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


def cmd_diff(args, out: Out) -> int:
    from .diff import run_diff
    project = _project(args)
    try:
        return run_diff(project, args, out)
    except (BriefError, KeyboardInterrupt):
        raise
    except Exception:  # a bug in briefing: keep its traceback, say where
        import traceback
        path = project.output_dir(None) / "bug-reports" / "diff.traceback.txt"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(traceback.format_exc(), encoding="utf-8")
        except OSError:
            path = Path("(it could not be written)")
        print(f"internal error (a bug in briefing) while comparing editions; the traceback is in {path}",
              file=out.stderr)
        return EXIT_BUG


def cmd_manifest(args, out: Out) -> int:
    from .manifest import save
    from .shards import merge_manifests
    merged, warnings = merge_manifests([Path(p) for p in args.manifests])
    out.problems(warnings)
    save(Path(args.output), merged)
    out.print(f"wrote {args.output}: {len(merged['outputs'])} output(s) from {len(args.manifests)} manifest(s)")
    return EXIT_OK


COMMANDS = {"facts": cmd_facts, "template": cmd_template, "build": cmd_build, "check": cmd_check, "new": cmd_new, "translate": cmd_translate,
            "watch": cmd_watch, "init": cmd_init, "schema": cmd_schema, "serve": cmd_serve, "diff": cmd_diff,
            "manifest": cmd_manifest}
