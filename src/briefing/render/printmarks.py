"""Crop marks for a print shop, drawn outside the bleed (pypdf).

WeasyPrint lays out the page with a 3 mm bleed (its background reaches past the trim
line); here the media box grows by a slug on every side and a crop mark is drawn at each
corner in that slug, stopping short of the bleed so that nothing printed there survives
the cut.
"""
from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject, RectangleObject

MM = 72 / 25.4
SLUG = 9 * MM        # room for the marks around the bleed
GAP = 1 * MM         # marks stop this far from the bleed edge


def _marks(trim, bleed, media) -> bytes:
    tx0, ty0, tx1, ty1 = (float(v) for v in trim)
    bx0, by0, bx1, by1 = (float(v) for v in bleed)
    mx0, my0, mx1, my1 = (float(v) for v in media)
    # an artifact (not content, for PDF/UA); registration black: on every plate
    ops = ["/Artifact <</Type /Page>> BDC", "q", "0.3 w", "1 1 1 1 K"]
    for y in (ty0, ty1):                      # horizontal marks, left and right
        ops += [f"{mx0:.2f} {y:.2f} m {bx0 - GAP:.2f} {y:.2f} l S", f"{bx1 + GAP:.2f} {y:.2f} m {mx1:.2f} {y:.2f} l S"]
    for x in (tx0, tx1):                      # vertical marks, bottom and top
        ops += [f"{x:.2f} {my0:.2f} m {x:.2f} {by0 - GAP:.2f} l S", f"{x:.2f} {by1 + GAP:.2f} m {x:.2f} {my1:.2f} l S"]
    ops += ["Q", "EMC"]
    return "\n".join(ops).encode()


def add_crop_marks(source: bytes) -> bytes:
    """A PDF with bleed, given crop marks outside the bleed on every page."""
    reader = PdfReader(io.BytesIO(source))
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        trim, bleed = page.trimbox, page.bleedbox
        media = RectangleObject([float(bleed[0]) - SLUG, float(bleed[1]) - SLUG,
                                 float(bleed[2]) + SLUG, float(bleed[3]) + SLUG])
        stream = DecodedStreamObject()
        stream.set_data(_marks(trim, bleed, media))
        contents = page.get("/Contents")
        existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
        # the page's own drawing may leave its coordinate system changed: wrap it in q ... Q
        push, pop = DecodedStreamObject(), DecodedStreamObject()
        push.set_data(b"q\n")
        pop.set_data(b"\nQ\n")
        page[NameObject("/Contents")] = ArrayObject([writer._add_object(push), *existing, writer._add_object(pop),
                                                     writer._add_object(stream)])
        page.mediabox = media
        page.cropbox = media
        page.trimbox, page.bleedbox = trim, bleed
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
