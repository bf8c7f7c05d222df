"""A merged document (diff.compare) -> .docx with tracked changes: a redline.

The normal Word writer walks the merged blocks; every text is a `Diff`, written word by
word: unchanged words as plain runs, removed ones inside w:del (as w:delText), inserted
ones inside w:ins, each mark with its author and date. A paragraph whose every word was
added or removed has its paragraph mark tracked too, and so has a table row; a block
added or removed as a whole is tracked entirely (its labels and numbers too). Word's
Review pane and LibreOffice's Manage Changes list them; "Accept all" gives the new
edition, "Reject all" the old one.
"""
from __future__ import annotations

from ..diff import Diff, rebuild, segments
from ..document import Str
from . import ooxml
from .docx import DocxWriter


class RedlineWriter(DocxWriter):
    def __init__(self, merged, reference, colors=None, reference_shown: str = "", *, author: str, date: str,
                 **kwargs):
        super().__init__(merged, reference, colors, reference_shown, **kwargs)
        self.revisions = ooxml.Revisions(author, date)

    # --- texts ------------------------------------------------------------------------------
    def inline(self, parent, nodes, part=None, fmt: dict | None = None) -> None:
        plain: list = []
        for node in nodes or ():
            if isinstance(node, Diff):
                if plain:
                    super().inline(parent, plain, part, fmt)
                    plain = []
                self._diff(parent, node, part, fmt)
            else:
                plain.append(node)
        if plain:
            super().inline(parent, plain, part, fmt)

    def _diff(self, parent, diff: Diff, part, fmt) -> None:
        for op, items in segments(diff):
            if op == "=":
                super().inline(parent, rebuild(items), part, fmt)
                continue
            holder = self.revisions.container(parent, "ins" if op == "+" else "del")
            super().inline(holder, rebuild(items, links=False, deleted=op == "-"), part, fmt)
            if op == "-":
                ooxml.as_deleted(holder)
            if len(holder) == 0:
                parent.remove(holder)

    # --- blocks -------------------------------------------------------------------------------
    def block(self, block) -> None:
        before = len(self.body_elements())
        super().block(block)
        change = getattr(block, "change", "same")
        added = self.body_elements()[before:]
        paragraphs = [p for el in added for p in el.iter(ooxml.qn("w:p"))]
        if change in ("added", "removed"):
            kind = "ins" if change == "added" else "del"
            for p in paragraphs:
                self.revisions.wrap_runs(p, kind)
                self.revisions.mark_paragraph(p, kind)
            for tr in (tr for el in added for tr in el.iter(ooxml.qn("w:tr"))):
                self.revisions.mark_row(tr, kind)
            return
        for p in paragraphs:
            kind = ooxml.paragraph_change(p)
            if kind:
                self.revisions.mark_paragraph(p, kind)

    def _facts(self, block) -> None:
        super()._facts(block)
        tables = self.d.element.body.findall(ooxml.qn("w:tbl"))
        if not tables:
            return
        for tr, row in zip(tables[-1].findall(ooxml.qn("w:tr")), block.rows):
            change = getattr(row, "change", "same")
            if change in ("added", "removed"):
                self.revisions.mark_row(tr, "ins" if change == "added" else "del")

    def _title(self, block) -> None:
        """The title block; a changed date is tracked in its first line."""
        before = len(self.body_elements())
        super()._title(block)
        old = getattr(block, "old_block", None)
        if old is None or old.date_text == block.date_text:
            return
        first = self.body_elements()[before]
        for run in first.findall(ooxml.qn("w:r")):
            if run.find(ooxml.qn("w:t")) is not None and run.find(".//" + ooxml.qn("w:drawing")) is None:
                first.remove(run)
        self._family = "sans"
        self.inline(first, (Str(f"{block.label} \u00b7 "), Diff((Str(old.date_text),), (Str(block.date_text),))))
        self._family = "serif"


def write_redline(merged, options, *, author: str, date: str) -> bytes:
    """The redline of a merged document, on the template set's Word styles."""
    from ..project import Colors
    project, tset = options.project, options.template
    ref = tset.reference_docx
    style = tset.style
    logo = project.root / merged.branding.logo_raster if merged.branding.logo_raster else None
    writer = RedlineWriter(merged, ref, Colors(**merged.branding.colors), tset.shown("reference.docx") if ref else "",
                           recolor=style.recolors_word(project), logo=logo, fonts=style.word_fonts(),
                           author=author, date=date)
    return writer.to_bytes()
