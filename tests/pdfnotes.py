"""Find footnote calls and footnote bodies on each page of a PDF (pdfplumber).

Calls are the small sans-serif digits in the text (6.5 pt); footnote bodies start with
their number in the footnote area, followed by a period. Used to prove that every note
sits at the bottom of the page of its mark.
"""
from __future__ import annotations

from pathlib import Path

import pdfplumber

CALL_MAX_SIZE = 7.0


def _numbers(chars):
    """Group adjacent digit chars (same line) into (number, first_char, next_char)."""
    groups, current = [], []
    for c in chars:
        if c["text"].isdigit() and "Sans" in c["fontname"]:
            if current and (abs(c["top"] - current[-1]["top"]) > 0.5 or abs(c["x0"] - current[-1]["x1"]) > 1.0):
                groups.append(current)
                current = []
            current.append(c)
            continue
        if current:
            groups.append(current + [c])
            current = []
    if current:
        groups.append(current)
    out = []
    for g in groups:
        digits = [c for c in g if c["text"].isdigit()]
        nxt = g[-1] if not g[-1]["text"].isdigit() else None
        out.append((int("".join(c["text"] for c in digits)), digits[0], nxt))
    return out


def notes_by_page(pdf_path: Path) -> list[tuple[list[int], list[int]]]:
    """For each page: (numbers of the calls on it, numbers of the footnotes printed on it)."""
    result = []
    with pdfplumber.open(str(pdf_path)) as pdf:
        for page in pdf.pages:
            chars = sorted(page.chars, key=lambda c: (round(c["top"], 1), c["x0"]))
            calls, bodies = [], []
            for number, first, nxt in _numbers(chars):
                if first["size"] < CALL_MAX_SIZE:
                    calls.append(number)
                elif nxt is not None and nxt["text"] == "." and 7.0 <= first["size"] <= 8.0:
                    bodies.append(number)
            result.append((calls, bodies))
    return result
