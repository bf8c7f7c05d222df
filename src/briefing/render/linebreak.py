"""A line-breaking fix for WeasyPrint 70: a line no longer breaks after its first word
because the text before an inline element ends with a space.

WeasyPrint lays out each text box with Pango, then compares the width of the first line
with the room left. A text box followed by an element (`of <span>May 2023</span>`, a
Hebrew word before `<bdi>`, a label before its qualifier) ends with a collapsible space,
which Pango lets hang past the line end: the text fits, yet its measured width, space
included, is larger than the room. `split_first_line` then takes the line for one that
cannot be broken earlier and tries to hyphenate its FIRST word, so the line ends after
that word ("• Azerbaijani" / "cargo flights to Ovda, …"). CSS Text 3 says a trailing
collapsible space hangs and is not measured; `split_inline_box` already removes it
(`trailing_whitespace_size`) when it checks the box, but too late for this choice.

`install()` wraps `split_first_line` where the inline layout calls it: when it breaks a
text that ends with collapsible spaces and the text without them fits, the whole text is
kept on the line (the space hangs, the next element moves to the next line, as browsers
do). Nothing else changes: the wrapper returns WeasyPrint's own result in every other case.
Checked against WeasyPrint 70.0 (pinned in pyproject.toml); tests/test_page_defects.py
renders the affected pages with and without it.
"""
from __future__ import annotations

from math import inf

WRAPPING = ("normal", "pre-line")   # white-space values whose spaces collapse and may wrap


def install() -> None:
    """Patch WeasyPrint's inline layout once per process (idempotent)."""
    from weasyprint.layout import inline
    if getattr(inline.split_first_line, "briefing_fix", False):
        return
    inline.split_first_line = hanging_space_fix(inline.split_first_line)


def uninstall() -> None:
    """Restore WeasyPrint's own function (for the test that shows the defect)."""
    from weasyprint.layout import inline
    inline.split_first_line = getattr(inline.split_first_line, "original", inline.split_first_line)


def hanging_space_fix(original):
    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True,
                         minimum=False):
        result = original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        resume_index = result[2]
        if (resume_index is None or minimum or max_width is None or max_width == inf
                or not text.endswith(" ") or style["white_space"] not in WRAPPING):
            return result
        stripped = text.rstrip(" ")
        if not stripped or resume_index >= len(stripped.encode()):
            return result   # the break is inside the trailing spaces: nothing to keep
        if original(stripped, style, context, max_width, justification_spacing, is_line_start, minimum)[2] is None:
            return original(text, style, context, inf, justification_spacing, is_line_start, minimum)
        return result

    split_first_line.briefing_fix = True
    split_first_line.original = original
    return split_first_line
