"""The lines of a PDF page as a reader sees them (pdfplumber), to find lines that end too early.

A line is the characters on one baseline (a note call, smaller and raised, belongs to the
line below it); its words are split at spaces only, since a no-break space keeps a date or
a name together for the line breaker too. A row splits into columns at wide gaps (a table);
a list marker outside its item is dropped, so that an item's first line starts where the
others do.
"""
from __future__ import annotations

import re
from collections import defaultdict

import pdfplumber

CALL_SIZE = 7   # a note call is set in 6.5 pt (5.7 in the booklet), a section number badge in 9 pt
MARKER = re.compile(r"•|\d+\.|\.\d+|[\u05d0-\u05ea]{1,2}\.|\.[\u05d0-\u05ea]{1,2}|[\u0531-\u0556]\.")


def visual_lines(page, rtl: bool) -> list[tuple[int, float, list[dict]]]:
    """[(baseline, font size, [words, left to right])]; a word has text, x0, x1 and `call`
    (it starts with a note call)."""
    rows: dict = defaultdict(list)
    for c in sorted(page.chars, key=lambda c: -c["size"]):
        baseline = page.height - c["matrix"][5]
        homes = [key for key in rows if key[1] * 0.9 > c["size"] and 1 < key[0] - baseline < key[1] * 0.7]
        # the line of the word the call touches (a tag or a table cell may share the baseline)
        home = min(homes, key=lambda key: min(min(abs(o["x1"] - c["x0"]), abs(c["x1"] - o["x0"]))
                                              for o in rows[key])) if homes else None
        rows[home or (round(baseline), round(c["size"], 1))].append(c)
    lines = []
    for (baseline, size), chars in rows.items():
        chars.sort(key=lambda c: c["x0"])
        words, current = [], []
        for c in chars:
            if current and (c["text"] == " " or c["x0"] - current[-1]["x1"] > 2 * size):
                words.append(current)
                current = []
            if c["text"] != " ":
                current.append(c)
        if current:
            words.append(current)
        ws = [{"text": "".join(c["text"] for c in w), "x0": w[0]["x0"], "x1": w[-1]["x1"],
               "call": CALL_SIZE >= w[-1 if rtl else 0]["size"] < size * 0.9} for w in words]
        if not ws:
            continue
        if len(ws) > 1:
            outer, inner = (ws[-1], ws[-2]) if rtl else (ws[0], ws[1])
            gap = (outer["x0"] - inner["x1"]) if rtl else (inner["x0"] - outer["x1"])
            if outer["text"] == "•" or (MARKER.fullmatch(outer["text"]) and gap > 0.5 * size):
                ws.remove(outer)
        group = [ws[0]]
        for w in ws[1:]:
            if w["x0"] - group[-1]["x1"] > 2 * size:
                lines.append((baseline, size, group))
                group = [w]
            else:
                group.append(w)
        lines.append((baseline, size, group))
    return lines


def early_breaks(pdf_path, rtl: bool = False, min_size: float = 9, line_height: float = 1.45) -> list[tuple]:
    """(page, line, next line's first word) where that word, with a space, would have fitted
    at the end of the line: lines of one paragraph (same start, same size, one line-height
    apart) measured against the farthest end of any line starting there."""
    found = []
    with pdfplumber.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            by_start: dict = defaultdict(list)
            for line in visual_lines(page, rtl):
                if line[1] >= min_size:
                    start = line[2][-1]["x1"] if rtl else line[2][0]["x0"]
                    by_start[(round(start), line[1])].append(line)
            for lines in by_start.values():
                edge = min(l[2][0]["x0"] for l in lines) if rtl else max(l[2][-1]["x1"] for l in lines)
                lines.sort(key=lambda l: l[0])
                for a, b in zip(lines, lines[1:]):
                    size = a[1]
                    if not 0 < b[0] - a[0] <= size * line_height + 0.6:
                        continue
                    first = b[2][-1] if rtl else b[2][0]
                    if MARKER.fullmatch(first["text"]):
                        continue   # a footnote starts
                    room = (a[2][0]["x0"] - edge) if rtl else (edge - a[2][-1]["x1"])
                    if first["x1"] - first["x0"] + 0.3 * size < room - 1:
                        found.append((number, " ".join(w["text"] for w in a[2]), first["text"]))
    return found


def lines_starting_with_a_call(pdf_path, rtl: bool = False) -> list[tuple]:
    """(page, line) of every line whose first word is a note call."""
    with pdfplumber.open(pdf_path) as pdf:
        return [(number, " ".join(w["text"] for w in words))
                for number, page in enumerate(pdf.pages, 1)
                for _, _, words in visual_lines(page, rtl) if words[-1 if rtl else 0]["call"]]
