"""Find footnote calls and footnote bodies on each page of a PDF (pdfplumber).

Calls are the small sans-serif digits in the text (6.5 pt); footnote bodies start with
their number in the footnote area, followed by a period (in a right-to-left page: the
number is the line's rightmost text, with the period on its left). Used to prove that every note
sits at the bottom of the page of its mark.
"""
from __future__ import annotations

from pathlib import Path

import pdfplumber

CALL_MAX_SIZE = 6.6   # calls are 6.5 pt; note bodies 6.8 pt (leave-behind) to 7.5 pt


def _numbers(chars):
    """Group adjacent digit chars (same line) into (number, first_char, next_char, prev_char);
    next/prev are the chars right and left of the group on the same line (None at its end)."""
    groups, current, before = [], [], None
    for i, c in enumerate(chars):
        if c["text"].isdigit() and "Sans" in c["fontname"]:
            if current and (abs(c["top"] - current[-1]["top"]) > 0.5 or abs(c["x0"] - current[-1]["x1"]) > 1.0):
                groups.append((current, before))
                current = []
            if not current:
                before = chars[i - 1] if i and abs(chars[i - 1]["top"] - c["top"]) <= 0.5 else None
            current.append(c)
            continue
        if current:
            groups.append((current + [c], before))
            current = []
    if current:
        groups.append((current, before))
    out = []
    for g, prev in groups:
        # the char after a call may be a digit of the text (a line that starts with "70%")
        digits = [c for c in g if c["text"].isdigit() and "Sans" in c["fontname"]]
        nxt = g[-1] if not (g[-1]["text"].isdigit() and "Sans" in g[-1]["fontname"]) else None
        if nxt is not None and abs(nxt["top"] - digits[-1]["top"]) > 0.5:
            nxt = None
        out.append((int("".join(c["text"] for c in digits)), digits[0], nxt, prev))
    return out


def notes_by_page(pdf_path: Path) -> list[tuple[list[int], list[int]]]:
    """For each page: (numbers of the calls on it, numbers of the footnotes printed on it)."""
    result = []
    with pdfplumber.open(str(pdf_path)) as pdf:
        for page in pdf.pages:
            chars = sorted(page.chars, key=lambda c: (round(c["top"], 1), c["x0"]))
            calls, bodies = [], []
            for number, first, nxt, prev in _numbers(chars):
                if first["size"] < CALL_MAX_SIZE:
                    calls.append(number)
                elif CALL_MAX_SIZE <= first["size"] <= 8.0 and (
                        (nxt is not None and nxt["text"] == ".")                       # "5. Note" (left to right)
                        or (nxt is None and prev is not None and prev["text"] == ".")):  # "Note .5" (right to left)
                    bodies.append(number)
            result.append((calls, bodies))
    return result
