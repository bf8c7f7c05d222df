"""Document -> .docx with python-docx, on the styles of a reference document.

Layout comes from styles (Title, Heading 1/2, List Bullet, Intense Quote, a table style,
footnote styles), so a user restyles the output in Word. Raw XML lives in ooxml.py.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from ..document import Code, Document, Emph, LineBreak, Link, NoteRef, Span, Str, Strong, text_of
from ..errors import BriefError, Location
from ..i18n.locale import DOCX_LANG
from . import ooxml
from .docx_styles import ensure_styles, localize_styles, set_fonts

PAPER = {"a4": (Mm(210), Mm(297)), "letter": (Mm(215.9), Mm(279.4))}
HEBREW = re.compile(r"[\u0590-\u05ff\ufb1d-\ufb4f]")
LTR_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9%.,:/+\-\u2013_'\u2019&@?=#]*[A-Za-z0-9%]|[A-Za-z0-9]")
ARMENIAN_RUN = re.compile(r"[\u0530-\u058f\ufb13-\ufb17]+(?:[ \u00a0\-]+[\u0530-\u058f\ufb13-\ufb17]+)*")
LRM, RLM = "\u200e", "\u200f"
MAX_REFERENCE_BYTES = 10_000_000
MAX_REFERENCE_ENTRIES = 500
MAX_REFERENCE_UNPACKED = 100_000_000


class DocxWriter:
    def __init__(self, doc: Document, reference: Path | None, colors=None, reference_shown: str = "",
                 recolor: bool = False, logo: Path | None = None):
        self.doc = doc
        self.rtl = doc.rtl
        self.lang = DOCX_LANG.get(doc.lang, "en-US")
        self.d = docx.Document(check_reference(reference, reference_shown) if reference else None)
        self.has_reference = reference is not None
        self.logo = logo
        body = self.d.element.body
        for child in list(body):
            if not child.tag.endswith("}sectPr"):
                body.remove(child)
        if reference is None:
            set_fonts(self.d)
        ensure_styles(self.d, colors, recolor=recolor or reference is None)
        localize_styles(self.d, doc.lang, compact=doc.layout == "leave-behind")
        self.footnotes = ooxml.Footnotes(self.d)
        self._family = "serif"
        # python-docx looks a style up by scanning every style each time: look once
        self._style_ids = {s.name: s.style_id for s in self.d.styles}

    def _style(self, paragraph, name: str) -> None:
        paragraph._p.style = self._style_ids.get(name, name.replace(" ", ""))

    # --- runs ---------------------------------------------------------------------------
    def _script_fonts(self) -> dict:
        fonts = self.doc.fonts[self._family]
        return {"script": fonts[0] if len(fonts) > 1 else None}

    def _text_runs(self, parent, text: str, fmt: dict) -> None:
        """Runs for one string, split by script so each gets the right font and direction."""
        if not text:
            return
        script_font = self._script_fonts()["script"]
        base = dict(style=fmt.get("style"), bold=fmt.get("bold", False), italic=fmt.get("italic", False),
                    highlight=fmt.get("highlight"))
        if self.doc.lang == "he":
            if fmt.get("ltr"):
                ooxml.make_run(parent, text, lang="en-US", bidi_lang="he-IL", **base)
                return
            for piece, ltr in _split(text, LTR_RUN):
                if ltr:
                    ooxml.make_run(parent, piece, lang="en-US", bidi_lang="he-IL", **base)
                else:
                    ooxml.make_run(parent, piece, cs_font=script_font, lang="he-IL", bidi_lang="he-IL",
                                   rtl=True, **base)
        elif self.doc.lang == "hy":
            for piece, armenian in _split(text, ARMENIAN_RUN):
                ooxml.make_run(parent, piece, latin_font=script_font if armenian else None,
                               cs_font=script_font if armenian else None, lang="hy-AM", **base)
        else:
            ooxml.make_run(parent, text, lang=self.lang, **base)

    def inline(self, parent, nodes, part=None, fmt: dict | None = None) -> None:
        fmt = dict(fmt or {})
        part = part or self.d.part
        for node in nodes or ():
            if isinstance(node, Str):
                self._text_runs(parent, node.text, fmt)
            elif isinstance(node, Code):
                self._text_runs(parent, node.text, {**fmt, "ltr": True})
            elif isinstance(node, Emph):
                self.inline(parent, node.children, part, {**fmt, "italic": not fmt.get("italic")})
            elif isinstance(node, Strong):
                self.inline(parent, node.children, part, {**fmt, "bold": True})
            elif isinstance(node, Link):
                link = ooxml.hyperlink(parent, part, node.href)
                self.inline(link, node.children, part, {**fmt, "style": "Hyperlink"})
            elif isinstance(node, LineBreak):
                r = ooxml.make_run(parent, None)
                r.append(ooxml.etree.Element(ooxml.qn("w:br")))
            elif isinstance(node, Span):
                inner = dict(fmt)
                if node.cls == "untranslated":
                    inner["highlight"] = "yellow"
                if node.dir == "ltr" and self.rtl:
                    # LRM ... LRM keeps the run's own order; the RLM after it gives what follows
                    # (a date's day, a comma) back to the right-to-left text
                    inner["ltr"] = True
                    self._text_runs(parent, LRM, inner)
                    self.inline(parent, node.children, part, inner)
                    self._text_runs(parent, LRM, inner)
                    self._text_runs(parent, RLM, fmt)
                else:
                    self.inline(parent, node.children, part, inner)
            elif isinstance(node, NoteRef):
                self._footnote(parent, node)

    def _footnote(self, parent, note: NoteRef) -> None:
        ooxml.footnote_reference(parent, note.number, rtl=self.rtl,
                                 lang=self.lang, bidi_lang="he-IL" if self.rtl else None)
        p = self.footnotes.add(note.number)
        ooxml.paragraph_bidi(p, self.rtl)
        self._text_runs(p, " ", {})
        saved, self._family = self._family, "serif"
        self.inline(p, note.content, self.footnotes.part)
        self._family = saved

    # --- blocks -------------------------------------------------------------------------
    def para(self, style: str, nodes=(), *, label: str | None = None, family: str = "serif",
             align_end: bool = False, container=None):
        container = container or self.d
        p = container.add_paragraph() if hasattr(container, "add_paragraph") else container
        self._style(p, style)
        ooxml.paragraph_bidi(p._p, self.rtl)
        if align_end:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT  # logical: the end side in RTL too
        self._family = family
        if label:
            self._text_runs(p._p, label + " ", {"bold": True})
        self.inline(p._p, nodes)
        self._family = "serif"
        return p

    def write(self, target: Path, epoch: int | None = None) -> None:
        doc = self.doc
        self._page_setup()
        self._title_block()
        if doc.layout == "leave-behind":
            self._leave_behind()
        else:
            self._full_brief()
        if doc.contact_items and doc.layout == "brief":
            self.para("Heading 1", (Str(doc.word("Contact")),), family="sans")
            self.para("Brief Meta", self._contact_line(), family="sans")
        self.footnotes.attach()
        self._properties()
        save_reproducibly(self.d, target, epoch or int(doc.timestamp.timestamp()))

    def _contact_line(self) -> tuple:
        nodes: list = []
        for i, (_key, value) in enumerate(self.doc.contact_items):
            nodes += ([Str(" · ")] if i else []) + list(value)
        return tuple(nodes)

    def _title_block(self) -> None:
        doc = self.doc
        label = doc.word("Leave-behind" if doc.layout == "leave-behind" else "Policy brief")
        p = self.para("Brief Meta", (Str(f"{label} · {doc.date_text}"),), family="sans")
        if self.logo:
            run = p.add_run()
            p._p.remove(run._r)
            p._p.insert(1 if p._p.pPr is not None else 0, run._r)  # the logo comes first
            run.add_picture(str(self.logo), height=Mm(9))
            ooxml.image_alt_text(run._r, self.doc.contact.get("name") or "logo")
        self.para("Title", doc.title, family="sans")
        if doc.subtitle:
            self.para("Subtitle", doc.subtitle, family="sans")
        if doc.layout == "brief":
            self.para("Brief Meta", _fill(doc.word("For {audience}"), "audience", doc.audience), family="sans")
            if doc.organization:
                self.para("Brief Meta", _fill(doc.word("Prepared by {organization}"), "organization",
                                              doc.organization), family="sans")

    def _full_brief(self) -> None:
        doc = self.doc
        self.para("Heading 1", (Str(doc.word("Summary")),), family="sans")
        for point in doc.summary:
            self.para("List Bullet", point)
        if doc.facts:
            self._facts()
        for q in doc.lead_quotes:
            self._quote(q)
        for section in doc.sections:
            self.para("Heading 1", (Str(f"{section.number}. "),) + tuple(section.heading), family="sans")
            if section.intro:
                self.para("Normal", section.intro)
            for arg in section.arguments:
                self.para("Heading 2", arg.claim, family="sans")
                for ev in arg.evidence:
                    self.para("List Bullet", ev)
                if arg.objection:
                    self.para("Objection", arg.objection, label=doc.word("Objection"))
                    self.para("Response", arg.response, label=doc.word("Response"))
            for q in section.quotes:
                self._quote(q)
        self._asks("Recommendations")
        if doc.sources:
            self.para("Heading 1", (Str(doc.word("Sources")),), family="sans")
            for i, entry in enumerate(doc.sources, 1):
                self.para("Source Entry", (Str(f"{i}. "),) + tuple(entry))

    def _leave_behind(self) -> None:
        """One page: the key points, the key facts, the asks."""
        for point in self.doc.summary:
            self.para("List Bullet", point)
        if self.doc.facts:
            self._facts()
        self._asks("What we ask")

    def _asks(self, heading: str) -> None:
        doc = self.doc
        if not doc.recommendations:
            return
        self.para("Heading 1", (Str(doc.word(heading)),), family="sans")
        for rec in doc.recommendations:
            p = self.para("List Number", _fill(doc.word("To {recipient}"), "recipient", rec.to))
            for r in p._p.findall(ooxml.qn("w:r")):
                ooxml.set_child(r.get_or_add_rPr(), "b", ooxml.RPR)
                ooxml.set_child(r.get_or_add_rPr(), "bCs", ooxml.RPR)
            self._text_runs(p._p, " ", {})
            self.inline(p._p, rec.ask)

    def _facts(self) -> None:
        doc = self.doc
        self.para("Heading 1", (Str(doc.word("Key facts")),), family="sans")
        table = self.d.add_table(rows=0, cols=2)
        table.style = self.d.styles["Key Facts"]
        table.autofit = False
        widths = (Mm(36), Mm(138))
        for column, width in zip(table.columns, widths):
            column.width = width
        ooxml.table_bidi(table._tbl, self.rtl)
        for i, fact in enumerate(doc.facts):
            row = table.add_row()
            ooxml.row_cant_split(row._tr)
            cells = row.cells
            for cell, width in zip(cells, widths):
                cell.width = width
            keep = i < len(doc.facts) - 1  # keep the box on one page
            p = cells[0].paragraphs[0]
            p.paragraph_format.keep_with_next = keep
            self._style(p, "Key Fact Value")
            ooxml.paragraph_bidi(p._p, self.rtl)
            self._family = "sans"
            self.inline(p._p, fact.value)
            if fact.note:
                self.inline(p._p, fact.note)
            self._family = "serif"
            p = cells[1].paragraphs[0]
            p.paragraph_format.keep_with_next = keep
            ooxml.paragraph_bidi(p._p, self.rtl)
            self.inline(p._p, fact.label)
            qual: list = []
            if fact.estimate:
                qual.append(Str(doc.word("estimate")))
            if fact.as_of:
                qual += ([Str(", ")] if qual else []) + list(_fill(doc.word("as of {date}"), "date", fact.as_of))
            if qual:
                self.inline(p._p, (Str(" ("),) + tuple(qual) + (Str(")"),), fmt={"style": "Subtle Emphasis"})
            if fact.remark:
                self.inline(p._p, (Str(" "),) + tuple(fact.remark), fmt={"style": "Subtle Emphasis"})
        self.d.add_paragraph()

    def _quote(self, q) -> None:
        opening, closing = self.doc.quote_marks
        self.para("Intense Quote", (Str(opening),) + tuple(q.text) + (Str(closing + q.end),))
        attribution = (Str("— "),) + tuple(q.speaker) + (((Str(", "),) + tuple(q.role)) if q.role else ()) \
            + tuple(q.note)
        self.para("Quote Attribution", attribution, family="sans", align_end=True)

    def _page_setup(self) -> None:
        doc = self.doc
        section = self.d.sections[0]
        section.page_width, section.page_height = PAPER.get(doc.paper, PAPER["a4"])
        if not self.has_reference:  # a reference document brings its own margins
            set_margins(section)
        section.different_first_page_header_footer = True
        ooxml.section_bidi(section._sectPr, self.rtl)
        header = section.header
        hp = header.paragraphs[0]
        self._style(hp, "Header")
        ooxml.paragraph_bidi(hp._p, self.rtl)
        self._family = "sans"
        self.inline(hp._p, doc.title)
        for footer in (section.footer, section.first_page_footer):
            if doc.layout == "leave-behind" and doc.contact_items:
                self._contact_footer(footer.paragraphs[0])  # one page: the contact, not "page 1 of 1"
            else:
                self._page_footer(footer.paragraphs[0])
        self._family = "serif"

    def _contact_footer(self, fp) -> None:
        self._style(fp, "Footer")
        ooxml.paragraph_bidi(fp._p, self.rtl)
        self._family = "sans"
        self.inline(fp._p, (Strong((Str(self.doc.word("Contact") + " "),)),) + self._contact_line())
        self._family = "serif"

    def _page_footer(self, fp) -> None:
        """'Page X of Y' with PAGE and NUMPAGES fields, in the document's words."""
        self._style(fp, "Footer")
        ooxml.paragraph_bidi(fp._p, self.rtl)
        fp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self._family = "sans"
        run_props = {"rtl": self.rtl, "lang": self.lang, "bidi_lang": "he-IL" if self.rtl else None}
        for piece in re.split(r"(\{page\}|\{pages\})", self.doc.word("Page {page} of {pages}")):
            if piece in ("{page}", "{pages}"):
                ooxml.field(fp._p, "PAGE" if piece == "{page}" else "NUMPAGES", **run_props)
            elif piece:
                self._text_runs(fp._p, piece, {})
        self._family = "serif"

    def _properties(self) -> None:
        doc = self.doc
        props = self.d.core_properties
        # Word's document properties hold at most 255 characters: shorten the property only,
        # the text in the document stays whole
        props.title = _prop(doc.title_text)
        props.subject = _prop(text_of(doc.subtitle)) if doc.subtitle else ""
        props.author = _prop(doc.author or "")
        props.last_modified_by = _prop(doc.author or "")
        props.keywords = _prop(doc.brief_id)
        props.language = self.lang
        props.category = _prop(doc.word("Policy brief"))
        props.comments = ""
        props.revision = 1
        when = doc.timestamp.replace(tzinfo=None)
        props.created = props.modified = when
        props.last_printed = when


def _prop(text: str) -> str:
    return text if len(text) <= 255 else text[:254] + "\u2026"


def set_margins(section) -> None:
    section.top_margin = section.bottom_margin = Mm(22)
    section.left_margin = section.right_margin = Mm(18)
    section.header_distance = section.footer_distance = Mm(10)


def _split(text: str, pattern: re.Pattern) -> list[tuple[str, bool]]:
    out, pos = [], 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], False))
        out.append((m.group(0), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def _fill(pattern: str, name: str, nodes) -> tuple:
    before, _, after = pattern.partition("{" + name + "}")
    return ((Str(before),) if before else ()) + tuple(nodes) + ((Str(after),) if after else ())


def save_reproducibly(d, target: Path, epoch: int) -> None:
    """Save with every zip entry stamped `epoch`, so equal inputs give equal bytes."""
    buf = io.BytesIO()
    d.save(buf)
    # zip entries can carry 1980..2107 only (a brief dated 9999-12-31 still builds)
    stamp = dt.datetime.fromtimestamp(min(max(epoch, 315532800), 4354819199), dt.timezone.utc).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, data)
    Path(target).write_bytes(out.getvalue())


def check_reference(path: Path, shown: str):
    """The reference .docx rebuilt from its allowed parts (see reference_docx.py)."""
    from .reference_docx import clean_reference
    return clean_reference(path, shown or str(path), path.parent)
