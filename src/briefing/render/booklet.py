"""Booklet imposition: A5 pages, two to a side of an A4 sheet, in the order that gives a
folded handout (pypdf). Right-to-left documents are bound on the right, so each pair
is mirrored."""
from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter, Transformation

A4_LANDSCAPE = (841.8898, 595.2756)


def booklet_order(pages: int, rtl: bool = False) -> list[tuple[int | None, int | None]]:
    """(left, right) page indexes for each sheet side, front then back; None = blank."""
    total = -(-pages // 4) * 4
    sides = []
    for sheet in range(total // 4):
        outer, inner = total - 1 - 2 * sheet, 2 * sheet
        sides.append((outer, inner))            # front: last page | first page
        sides.append((inner + 1, outer - 1))    # back: second page | second-to-last
    if rtl:
        sides = [(right, left) for left, right in sides]
    return [tuple(i if i < pages else None for i in side) for side in sides]


def impose(source: bytes, rtl: bool = False) -> bytes:
    """The booklet of a PDF of A5 pages: A4 sheet sides, in folding order."""
    reader = PdfReader(io.BytesIO(source))
    pages = reader.pages
    width = float(pages[0].mediabox.width)
    height = float(pages[0].mediabox.height)
    # an A4 sheet, landscape; two A5 pages (148 mm each) leave half a millimetre at each edge
    sheet_w, sheet_h = max(A4_LANDSCAPE[0], 2 * width), max(A4_LANDSCAPE[1], height)
    x0, y0 = (sheet_w - 2 * width) / 2, (sheet_h - height) / 2
    writer = PdfWriter()
    for left, right in booklet_order(len(pages), rtl):
        side = PageObject.create_blank_page(width=sheet_w, height=sheet_h)
        for index, dx in ((left, x0), (right, x0 + width)):
            if index is not None:
                side.merge_transformed_page(pages[index], Transformation().translate(dx, y0))
        writer.add_page(side)
    if reader.metadata:
        writer.add_metadata({k: v for k, v in reader.metadata.items() if k in ("/Title", "/Author", "/Subject")})
    root = reader.trailer["/Root"]
    if "/Lang" in root:
        from pypdf.generic import NameObject, TextStringObject
        writer._root_object[NameObject("/Lang")] = TextStringObject(str(root["/Lang"]))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
