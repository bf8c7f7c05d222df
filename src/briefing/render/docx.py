"""Document -> .docx with python-docx, on the styles of a reference document.

The writer walks the composed document's blocks in order, one method per role; layout
comes from styles (Title, Heading 1/2, List Bullet, Intense Quote, a table style, footnote
styles), so a user restyles the output in Word. Direction was decided when the document
was composed (left-to-right spans); here each run only gets its fonts and language tags.
Raw XML lives in ooxml.py.
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
from ..i18n.locale import profile as language_profile
from . import ooxml
from .docx_fonts import embed_fonts
from .docx_package import clean_package
from .docx_styles import ensure_styles, localize_styles, set_fonts

PAPER = {"a4": (Mm(210), Mm(297)), "letter": (Mm(215.9), Mm(279.4)), "a5": (Mm(148), Mm(210))}
LATIN_LETTER = re.compile(r"[A-Za-z]")
URL_TEXT = re.compile(r"(?:https?://|www\.)\S+")  # as the HTML writer's url_html
LRM, RLM = "\u200e", "\u200f"
MAX_REFERENCE_BYTES = 10_000_000
MAX_REFERENCE_ENTRIES = 500
MAX_REFERENCE_UNPACKED = 100_000_000


def write_docx(doc: Document, options) -> bytes:
    """The Word writer: (Document, WriteOptions) -> .docx bytes."""
    from ..project import Colors
    from .pdf import one_page
    project, tset = options.project, options.template
    if doc.layout == "leave-behind":
        # the same document as the PDF one, in compact styles no larger than the PDF's: if
        # its PDF layout reaches page 2, so would Word's (the tests count LibreOffice's pages)
        one_page(doc, options)
    ref = tset.reference_docx
    style = tset.style  # the set's fonts; the palette is the document's branding
    logo = project.root / doc.branding.logo_raster if doc.branding.logo_raster else None
    writer = DocxWriter(doc, ref, Colors(**doc.branding.colors), tset.shown("reference.docx") if ref else "",
                        recolor=style.recolors_word(project), logo=logo, fonts=style.word_fonts())
    return writer.to_bytes()


class DocxWriter:
    def __init__(self, doc: Document, reference: Path | None, colors=None, reference_shown: str = "",
                 recolor: bool = False, logo: Path | None = None, fonts: dict | None = None):
        self.doc = doc
        self.rtl = doc.rtl
        self.profile = language_profile(doc.lang)
        self.lang = self.profile.docx_lang
        self.script = (re.compile(f"{self.profile.script}+(?:[ \u00a0\\-\u2011]+{self.profile.script}+)*")
                       if self.profile.script else None)
        self.d = docx.Document(check_reference(reference, reference_shown) if reference else None)
        self.has_reference = reference is not None
        self.logo = logo
        body = self.d.element.body
        for child in list(body):
            if not child.tag.endswith("}sectPr"):
                body.remove(child)
        # fonts: the template set's template.toml, else the reference document's, else Noto
        if fonts:
            set_fonts(self.d, fonts["text"], fonts["headings"])
        elif reference is None:
            set_fonts(self.d)
        self.families = (fonts or {}).get("families", {})  # body ("serif") / headings ("sans") -> stack
        ensure_styles(self.d, colors, recolor=recolor or reference is None)
        localize_styles(self.d, doc.lang, compact=doc.layout == "leave-behind", kinds=self.families)
        self.footnotes = ooxml.Footnotes(self.d, rtl=self.rtl)
        self._family = "serif"
        # python-docx looks a style up by scanning every style each time: look once
        self._style_ids = {s.name: s.style_id for s in self.d.styles}

    def _style_id(self, name: str) -> str:
        """Word refers to styles by id, never by name."""
        return self._style_ids.get(name, name.replace(" ", ""))

    def _style(self, paragraph, name: str) -> None:
        paragraph._p.style = self._style_id(name)

    # --- runs ---------------------------------------------------------------------------
    def _fonts(self) -> tuple[str, str]:
        """(the script's own font, the Latin font) of the current family."""
        stack = self.doc.fonts[self.families.get(self._family, self._family)]
        return stack[0], stack[-1]

    def _text_runs(self, parent, text: str, fmt: dict) -> None:
        """Runs for one string: direction comes from the document (and `ltr` spans);
        each piece gets the font that has its characters and its language tag."""
        if not text:
            return
        base = dict(style=self._style_id(fmt["style"]) if fmt.get("style") else None, bold=fmt.get("bold", False),
                    italic=fmt.get("italic", False), highlight=fmt.get("highlight"))
        bidi_lang = self.lang if self.rtl else None
        if fmt.get("ltr"):  # a left-to-right span inside right-to-left text
            ooxml.make_run(parent, text, lang="en-US", bidi_lang=bidi_lang, **base)
            return
        if self.script is None:
            ooxml.make_run(parent, text, lang=self.lang, **base)
            return
        script_font, latin_font = self._fonts()
        for piece, own in _split(text, self.script):
            lang = self.lang if own or not LATIN_LETTER.search(piece) else "en-US"
            if self.rtl:
                # in a right-to-left run Word draws every character with the cs font: the
                # script's font for its letters, the Latin font for digits and punctuation
                ooxml.make_run(parent, piece, cs_font=script_font if own else latin_font, lang=lang,
                               bidi_lang=bidi_lang, rtl=True, **base)
            else:
                ooxml.make_run(parent, piece, latin_font=script_font if own else None,
                               cs_font=script_font if own else None, lang=lang, **base)

    def inline(self, parent, nodes, part=None, fmt: dict | None = None) -> None:
        fmt = dict(fmt or {})
        part = part or self.d.part
        for node in nodes or ():
            if isinstance(node, Str):
                self._text_runs(parent, node.text, fmt)
            elif isinstance(node, Code):
                self._text_runs(parent, node.text, {**fmt, "ltr": self.rtl})
            elif isinstance(node, Emph):
                self.inline(parent, node.children, part, {**fmt, "italic": not fmt.get("italic")})
            elif isinstance(node, Strong):
                self.inline(parent, node.children, part, {**fmt, "bold": True})
            elif isinstance(node, Link):
                link = ooxml.hyperlink(parent, part, node.href)
                self.inline(link, node.children, part, {**fmt, "style": "Hyperlink"})
                if len(node.children) == 1 and isinstance(node.children[0], Str) \
                        and URL_TEXT.fullmatch(node.children[0].text):
                    ooxml.no_break_hyphens(link)  # a printed address never breaks at its hyphens
            elif isinstance(node, LineBreak):
                r = ooxml.make_run(parent, None)
                r.append(ooxml.etree.Element(ooxml.qn("w:br")))
            elif isinstance(node, Span):
                self._span(parent, node, part, fmt)
            elif isinstance(node, NoteRef):
                self._footnote(parent, node)

    def _span(self, parent, node: Span, part, fmt: dict) -> None:
        inner = dict(fmt)
        if node.cls == "untranslated":
            inner["highlight"] = "yellow"
        children = node.children
        if node.cls == "nowrap":  # never broken: no-break spaces and hyphens
            children = _unbreakable(children)
        if node.dir == "ltr" and self.rtl:
            # LRM ... LRM keeps the run's own order; the RLM after it gives what follows
            # (a date's day, a comma) back to the right-to-left text
            inner["ltr"] = True
            self._text_runs(parent, LRM, inner)
            self.inline(parent, children, part, inner)
            self._text_runs(parent, LRM, inner)
            self._text_runs(parent, RLM, fmt)
        else:
            self.inline(parent, children, part, inner)

    def _footnote(self, parent, note: NoteRef) -> None:
        # a right-to-left run draws its digits with its complex-script font: the Latin one
        ooxml.footnote_reference(parent, note.number, rtl=self.rtl, cs_font=self._fonts()[1],
                                 lang=self.lang, bidi_lang=self.lang if self.rtl else None)
        p = self.footnotes.add(note.number)
        ooxml.paragraph_bidi(p, self.rtl)
        self._text_runs(p, " ", {})
        saved, self._family = self._family, "serif"
        self.inline(p, note.content, self.footnotes.part)
        self._family = saved

    # --- paragraphs ---------------------------------------------------------------------
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

    def heading(self, text: str, style: str = "Heading 1"):
        return self.para(style, (Str(text),), family="sans")

    # --- the document: its blocks, in the order compose gave them ---------------------------
    def write(self, target: Path, epoch: int | None = None) -> None:
        Path(target).write_bytes(self.to_bytes(epoch))

    def to_bytes(self, epoch: int | None = None) -> bytes:
        self._page_setup()
        for block in self.doc.blocks:
            self.block(block)
        self.footnotes.attach()
        self._properties()
        clean_package(self.d)
        embed_fonts(self.d)
        return save_reproducibly(self.d, epoch or int(self.doc.timestamp.timestamp()))

    def block(self, block) -> None:
        before = len(self.body_elements())
        getattr(self, "_" + block.role)(block)
        if block.keep_together:  # one page: every paragraph keeps with the next but the last
            elements = self.body_elements()[before:]
            added = [el for el in elements if el.tag == ooxml.qn("w:p")]
            for p in added[:-1]:
                ooxml.keep_with_next(p)
            for table in (el for el in elements if el.tag == ooxml.qn("w:tbl")):
                # a table stays on one page: each row's paragraphs keep with the next row (rows
                # themselves cannot split), as Word's own "keep table together" advice does
                for row in table.findall(ooxml.qn("w:tr"))[:-1]:
                    for p in row.iter(ooxml.qn("w:p")):
                        ooxml.keep_with_next(p)

    def body_elements(self) -> list:
        """The body's paragraphs and tables, in order (without its final w:sectPr, before which
        python-docx inserts every new paragraph)."""
        return [el for el in self.d.element.body if el.tag != ooxml.qn("w:sectPr")]

    def _title(self, block) -> None:
        p = self.para("Brief Meta", (Str(f"{block.label} \u00b7 {block.date_text}"),), family="sans")
        if self.logo:
            run = p.add_run()
            p._p.remove(run._r)
            p._p.insert(1 if p._p.pPr is not None else 0, run._r)  # the logo comes first
            run.add_picture(str(self.logo), height=Mm(9))
            ooxml.image_alt_text(run._r, self.doc.branding.organization or "logo")
        self.para("Title", block.title, family="sans")
        if block.subtitle:
            self.para("Subtitle", block.subtitle, family="sans")
        for line in (block.audience, block.prepared_by):
            if line:
                self.para("Brief Meta", line, family="sans")
        if block.prepared_for:
            self.para("Brief Meta", (Strong(tuple(block.prepared_for)),), family="sans")

    def _cover(self, block) -> None:
        """A recipient's cover letter, then a page break (the brief starts on page 2)."""
        self.para("Brief Meta", (Str(block.date_text),), family="sans", align_end=True)
        for line in block.addressee:
            self.para("Brief Meta", line, family="sans")
        self.para("Normal", ())
        self.para("Normal", block.salutation)
        for paragraph in block.paragraphs:
            self.para("Normal", paragraph)
        if block.ask:
            self.para("Heading 2", (Str(block.ask_heading or ""),), family="sans")
            self.para("Normal", block.ask)
        self.para("Normal", (Str(block.closing),))
        if block.signature:
            self.para("Normal", block.signature)
        p = self.para("Normal", ())
        run = ooxml.make_run(p._p, None)
        ooxml.etree.SubElement(run, ooxml.qn("w:br")).set(ooxml.qn("w:type"), "page")

    def _summary(self, block) -> None:
        if block.heading:
            self.heading(block.heading)
        for point in block.points:
            self.para("List Bullet", point)

    def _section(self, block) -> None:
        self.para("Heading 1", (Str(f"{block.number}. "),) + tuple(block.heading), family="sans")
        if block.intro:
            self.para("Normal", block.intro)
        for child in block.children:
            self.block(child)

    def _argument(self, block) -> None:
        self.para("Heading 2", block.claim, family="sans")
        for ev in block.evidence:
            self.para("List Bullet", ev)
        if block.objection:
            p = self.para("Objection", block.objection, label=block.objection_label)
            if block.response:  # an objection and its response share a page, as in the PDF's box
                ooxml.keep_with_next(p._p)
                ooxml.keep_lines(p._p)
        if block.response:
            ooxml.keep_lines(self.para("Response", block.response, label=block.response_label)._p)

    def _asks(self, block) -> None:
        self.heading(block.heading)
        for item in block.items:
            p = self.para("List Number", ())
            self.inline(p._p, item.to, fmt={"bold": True})
            self._text_runs(p._p, " ", {})
            self.inline(p._p, item.ask)

    def _sources(self, block) -> None:
        self.heading(block.heading)
        for i, entry in enumerate(block.entries, 1):
            self.para("Source Entry", (Str(f"{i}. "),) + tuple(entry))

    def _contact(self, block) -> None:
        if self.doc.layout == "leave-behind":
            return  # one page: the contact is in the footer (see _page_setup)
        self.heading(block.heading)
        self.para("Brief Meta", _contact_line(block), family="sans")

    def _facts(self, block) -> None:
        self.heading(block.heading)
        table = self.d.add_table(rows=0, cols=2)
        table.style = self.d.styles["Key Facts"]
        table.autofit = False
        widths = (Mm(36), Mm(138))
        for column, width in zip(table.columns, widths):
            column.width = width
        ooxml.table_bidi(table._tbl, self.rtl)
        for fact in block.rows:
            row = table.add_row()
            ooxml.row_cant_split(row._tr)
            cells = row.cells
            for cell, width in zip(cells, widths):
                cell.width = width
            p = cells[0].paragraphs[0]
            self._style(p, "Key Fact Value")
            ooxml.paragraph_bidi(p._p, self.rtl)
            self._family = "sans"
            self.inline(p._p, fact.value)
            self._family = "serif"
            p = cells[1].paragraphs[0]
            ooxml.paragraph_bidi(p._p, self.rtl)
            self.inline(p._p, fact.label)
            if fact.qualifier:
                self.inline(p._p, (Str(" "),) + tuple(fact.qualifier), fmt={"style": "Subtle Emphasis"})
            if fact.note:  # after the label, not glued to the number ("92" + "8" copies as "928")
                self.inline(p._p, fact.note)
            if fact.remark:
                self.inline(p._p, (Str(" "),) + tuple(fact.remark), fmt={"style": "Subtle Emphasis"})
        self.d.add_paragraph()

    def _quote(self, block) -> None:
        self.para("Intense Quote", block.text)
        self.para("Quote Attribution", block.attribution, family="sans", align_end=True)

    # --- page furniture ---------------------------------------------------------------------
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
        contact = next((b for b in doc.blocks if b.role == "contact"), None)
        for footer in (section.footer, section.first_page_footer):
            if doc.layout == "leave-behind" and contact:
                self._contact_footer(footer.paragraphs[0], contact, footer.part)  # one page: the contact
            else:
                self._page_footer(footer.paragraphs[0])
        self._family = "serif"

    def _contact_footer(self, fp, block, part) -> None:
        self._style(fp, "Footer")
        ooxml.paragraph_bidi(fp._p, self.rtl)
        self._family = "sans"
        # its links are relationships of the footer's own part
        self.inline(fp._p, (Strong((Str(block.heading + " "),)),) + _contact_line(block), part)
        self._family = "serif"

    def _page_footer(self, fp) -> None:
        """'Page X of Y' with PAGE and NUMPAGES fields, in the document's words."""
        self._style(fp, "Footer")
        ooxml.paragraph_bidi(fp._p, self.rtl)
        fp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self._family = "sans"
        run_props = {"rtl": self.rtl, "lang": self.lang, "bidi_lang": self.lang if self.rtl else None,
                     "cs_font": self._fonts()[1]}  # the field's digits: a font that has them
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
        subtitle = doc.title_block.subtitle if doc.title_block else None
        props.subject = _prop(text_of(subtitle)) if subtitle else ""
        props.author = _prop(doc.author or "")
        props.last_modified_by = _prop(doc.author or "")
        props.keywords = _prop(doc.brief_id)
        props.language = self.lang
        props.category = _prop(doc.word("Policy brief"))
        props.comments = ""
        props.revision = 1
        when = doc.timestamp.replace(tzinfo=None)
        props.created = props.modified = when


def _prop(text: str) -> str:
    return text if len(text) <= 255 else text[:254] + "\u2026"


def _contact_line(block) -> tuple:
    nodes: list = []
    for i, (_key, value) in enumerate(block.items):
        nodes += ([Str(" \u00b7 ")] if i else []) + list(value)
    return tuple(nodes)


def _unbreakable(nodes) -> tuple:
    out = []
    for node in nodes:
        if isinstance(node, Str):
            out.append(Str(node.text.replace(" ", "\u00a0").replace("-", "\u2011")))
        elif isinstance(node, Span):
            out.append(Span(_unbreakable(node.children), node.dir, node.cls))
        else:
            out.append(node)
    return tuple(out)


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


def save_reproducibly(d, epoch: int) -> bytes:
    """The .docx bytes, every zip entry stamped `epoch`, so equal inputs give equal bytes."""
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
    return out.getvalue()


def check_reference(path: Path, shown: str):
    """The reference .docx rebuilt from its allowed parts (see reference_docx.py)."""
    from .reference_docx import clean_reference
    return clean_reference(path, shown or str(path), path.parent)
