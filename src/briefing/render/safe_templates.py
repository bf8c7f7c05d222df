"""Loading a template set's files for Jinja: only regular files inside the set's folder.

Jinja's FileSystemLoader follows symbolic links and opens FIFOs; this loader reads every
file through `safefs`, so an `{% include %}` of a link to /etc/passwd, or of a named
pipe, is an error naming the file, and none of its content is read.
"""
from __future__ import annotations

import os

from jinja2 import BaseLoader, TemplateError, TemplateNotFound
from jinja2.loaders import split_template_path

from ..errors import BriefError
from ..safefs import read_project_file


class TemplateRefused(TemplateError):
    """A template file that exists but may not be read (a link out, a FIFO...): an error,
    never a reason to fall back to the built-in set."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


class ConfinedLoader(BaseLoader):
    def __init__(self, folder, shown):
        self.folder = folder
        self.shown = shown     # a template's name -> the path the user sees

    def get_source(self, environment, template):
        pieces = split_template_path(template)  # refuses '..'
        path = self.folder.joinpath(*pieces)
        if not os.path.lexists(path):
            raise TemplateNotFound(template)
        try:
            data = read_project_file(self.folder, path, self.shown(template), max_bytes=20_000_000)
        except BriefError as exc:
            raise TemplateRefused(template, exc.problems[0].message) from None
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError:
            raise TemplateRefused(template, f"{self.shown(template)} is not valid UTF-8") from None
        mtime = os.stat(path).st_mtime_ns

        def uptodate() -> bool:
            try:
                return os.stat(path).st_mtime_ns == mtime
            except OSError:
                return False
        return source, str(path), uptodate

    def list_templates(self):
        return sorted(p.name for p in self.folder.iterdir() if p.is_file())


MAX_REPEAT = 1_000_000     # characters or items one `*` may make
MAX_EXPONENT = 1_000       # no 3 ** 40000000


def _size(value) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def limited_binop(operator: str, left, right):
    """The arithmetic a template may do: `*` and `**` that stay small."""
    from jinja2.sandbox import SecurityError
    if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
        raise SecurityError(f"the exponent {right} is too large for a template")
    if operator == "*":
        for seq, n in ((left, right), (right, left)):
            size = _size(seq)
            if size is not None and isinstance(n, int) and size * n > MAX_REPEAT:
                raise SecurityError(f"repeating a value {n:,} times is too much for a template")
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > 4096:
            raise SecurityError("the number is too large for a template")
    return None


def sandbox_class():
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class LimitedSandbox(ImmutableSandboxedEnvironment):
        """The immutable sandbox, with `*` and `**` bounded (Jinja would run them unbounded)."""

        intercepted_binops = frozenset(["*", "**"])

        def call_binop(self, context, operator, left, right):
            limited_binop(operator, left, right)
            return super().call_binop(context, operator, left, right)
    return LimitedSandbox
