"""Raw WordprocessingML that python-docx has no API for, written in schema order.

Word refuses a document whose child elements are out of the order the schema gives
(LibreOffice forgives), so every insertion here goes through `set_child`, which places
a new element before the first sibling that the schema puts after it.
"""
from __future__ import annotations

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# CT_PPr, CT_RPr, CT_SectPr, CT_TblPr, CT_Settings children, in schema order.
PPR = ("pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr "
       "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN "
       "bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
       "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange").split()
RPR = ("rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
       "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd "
       "fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath").split()
SECTPR = ("headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders "
          "lnNumType pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter "
          "docGrid printerSettings sectPrChange").split()
TBLPR = ("tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
         "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription").split()
SETTINGS = ("writeProtection view zoom removePersonalInformation removeDateAndTime doNotDisplayPageBoundaries "
            "displayBackgroundShape printPostScriptOverText printFractionalCharacterWidth printFormsData "
            "embedTrueTypeFonts embedSystemFonts saveSubsetFonts saveFormsData mirrorMargins "
            "alignBordersAndEdges bordersDoNotSurroundHeader bordersDoNotSurroundFooter gutterAtTop "
            "hideSpellingErrors hideGrammaticalErrors activeWritingStyle proofState formsDesign "
            "attachedTemplate linkStyles stylePaneFormatFilter stylePaneSortMethod documentType mailMerge "
            "revisionView trackRevisions doNotTrackMoves doNotTrackFormatting documentProtection "
            "autoFormatOverride styleLockTheme styleLockQFSet defaultTabStop autoHyphenation "
            "consecutiveHyphenLimit hyphenationZone doNotHyphenateCaps showEnvelope summaryLength "
            "clickAndTypeStyle defaultTableStyle evenAndOddHeaders bookFoldRevPrinting bookFoldPrinting "
            "bookFoldPrintingSheets drawingGridHorizontalSpacing drawingGridVerticalSpacing "
            "displayHorizontalDrawingGridEvery displayVerticalDrawingGridEvery doNotUseMarginsForDrawingGridOrigin "
            "drawingGridHorizontalOrigin drawingGridVerticalOrigin doNotShadeFormData noPunctuationKerning "
            "characterSpacingControl printTwoOnOne strictFirstAndLastChars noLineBreaksAfter noLineBreaksBefore "
            "savePreviewPicture doNotValidateAgainstSchema saveInvalidXml ignoreMixedContent "
            "alwaysShowPlaceholderText doNotDemarcateInvalidXml saveXmlDataOnly useXSLTWhenSaving "
            "saveThroughXslt showXMLTags alwaysMergeEmptyNamespace updateFields hdrShapeDefaults footnotePr "
            "endnotePr compat docVars rsids mathPr attachedSchema themeFontLang clrSchemeMapping "
            "doNotIncludeSubdocsInStats doNotAutoCompressPictures forceUpgrade captions readModeInkLockDown "
            "smartTagType schemaLibrary shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator").split()

FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def set_child(parent, tag: str, order: list[str], **attrs):
    """Find or create w:<tag> under `parent` at its schema position; set w: attributes."""
    el = parent.find(qn(f"w:{tag}"))
    if el is None:
        el = etree.SubElement(parent, qn(f"w:{tag}"))
        parent.remove(el)
        later = set(order[order.index(tag) + 1:]) if tag in order else set()
        for i, child in enumerate(parent):
            name = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if name in later:
                parent.insert(i, el)
                break
        else:
            parent.append(el)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), str(value))
    return el


def paragraph_bidi(p_el, rtl: bool) -> None:
    if rtl:
        set_child(p_el.get_or_add_pPr(), "bidi", PPR)


def keep_with_next(p_el) -> None:
    """This paragraph stays on the page of the next one (a block kept together)."""
    set_child(p_el.get_or_add_pPr(), "keepNext", PPR)


def keep_lines(p_el) -> None:
    """This paragraph is not split across pages."""
    set_child(p_el.get_or_add_pPr(), "keepLines", PPR)


def make_run(parent, text: str | None = None, *, style: str | None = None, cs_font: str | None = None,
             latin_font: str | None = None, lang: str | None = None, bidi_lang: str | None = None,
             rtl: bool = False, bold: bool = False, italic: bool = False, highlight: str | None = None):
    """Append a w:r to `parent` (a w:p or w:hyperlink) with its properties in schema order."""
    r = etree.SubElement(parent, qn("w:r"))
    props = etree.SubElement(r, qn("w:rPr"))
    if style:
        set_child(props, "rStyle", RPR, val=style)
    fonts = {}
    if latin_font:
        fonts.update(ascii=latin_font, hAnsi=latin_font)
    if cs_font:
        fonts["cs"] = cs_font
    if fonts:
        set_child(props, "rFonts", RPR, **fonts)
    if bold:
        set_child(props, "b", RPR)
        set_child(props, "bCs", RPR)
    if italic:
        set_child(props, "i", RPR)
        set_child(props, "iCs", RPR)
    if highlight:
        set_child(props, "highlight", RPR, val=highlight)
    if rtl:
        set_child(props, "rtl", RPR)
    if lang:
        attrs = {"val": lang}
        if bidi_lang:
            attrs["bidi"] = bidi_lang
        set_child(props, "lang", RPR, **attrs)
    if len(props) == 0:
        r.remove(props)
    if text is not None:
        t = etree.SubElement(r, qn("w:t"))
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = text
    return r


def complex_script_style(style_el) -> None:
    """Give a style its complex-script twins (szCs, bCs, iCs) so Hebrew matches Latin text."""
    props = style_el.find(qn("w:rPr"))
    if props is None:
        return
    for latin, cs in (("sz", "szCs"), ("b", "bCs"), ("i", "iCs")):
        el = props.find(qn(f"w:{latin}"))
        if el is not None and props.find(qn(f"w:{cs}")) is None:
            twin = set_child(props, cs, RPR)
            if el.get(qn("w:val")) is not None:
                twin.set(qn("w:val"), el.get(qn("w:val")))


def section_bidi(sect_pr, rtl: bool) -> None:
    if rtl:
        set_child(sect_pr, "bidi", SECTPR)


def table_bidi(tbl, rtl: bool) -> None:
    if rtl:
        set_child(tbl.tblPr, "bidiVisual", TBLPR)


TRPR = ("cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing "
        "jc hidden").split()


def row_cant_split(tr) -> None:
    set_child(tr.get_or_add_trPr(), "cantSplit", TRPR)


def field(p_el, instr: str, placeholder: str = "1", **run_props) -> None:
    """A complex field (PAGE, NUMPAGES) as Word writes it: begin, instr, separate, result, end."""
    for kind in ("begin", "instr", "separate", "text", "end"):
        r = make_run(p_el, placeholder if kind == "text" else None, **run_props)
        if kind == "instr":
            el = etree.SubElement(r, qn("w:instrText"))
            el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            el.text = f" {instr} "
        elif kind != "text":
            etree.SubElement(r, qn("w:fldChar")).set(qn("w:fldCharType"), kind)


def hyperlink(parent, part, url: str):
    """A w:hyperlink bound to an external relationship of `part`; runs go inside it."""
    r_id = part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = etree.SubElement(parent, qn("w:hyperlink"))
    link.set(qn("r:id"), r_id)
    link.set(qn("w:history"), "1")
    return link


def footnote_reference(p_el, note_id: int, **run_props) -> None:
    r = make_run(p_el, None, style="FootnoteReference", **run_props)
    etree.SubElement(r, qn("w:footnoteReference")).set(qn("w:id"), str(note_id))


class Footnotes:
    """The footnotes part (/word/footnotes.xml), with the separators Word expects."""

    def __init__(self, document, rtl: bool = False):
        self.document = document
        bidi = "<w:bidi/>" if rtl else ""  # right-to-left: the separator line starts on the right
        self.root = parse_xml(
            f"<w:footnotes {nsdecls('w', 'r')}>"
            f'<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr>{bidi}<w:spacing w:after="0" w:line="240" '
            'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
            f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>{bidi}<w:spacing w:after="0" '
            'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
            "</w:footnotes>")
        doc_part = document.part
        self.part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_CT, b"", doc_part.package)
        doc_part.relate_to(self.part, RT.FOOTNOTES)

    def add(self, note_id: int):
        """A new footnote element; returns its w:p for the caller to fill."""
        fn = etree.SubElement(self.root, qn("w:footnote"))
        fn.set(qn("w:id"), str(note_id))
        p = etree.SubElement(fn, qn("w:p"))
        set_child(etree.SubElement(p, qn("w:pPr")), "pStyle", PPR, val="FootnoteText")
        r = etree.SubElement(p, qn("w:r"))
        set_child(etree.SubElement(r, qn("w:rPr")), "rStyle", RPR, val="FootnoteReference")
        etree.SubElement(r, qn("w:footnoteRef"))
        return p

    def attach(self) -> None:
        """Serialize the part and declare the separators in settings."""
        self.part._blob = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)
        settings = self.document.settings.element
        pr = set_child(settings, "footnotePr", SETTINGS)
        for existing in list(pr):
            pr.remove(existing)
        for fid in ("-1", "0"):
            etree.SubElement(pr, qn("w:footnote")).set(qn("w:id"), fid)


def image_alt_text(run_el, text: str) -> None:
    """Alt text (wp:docPr/@descr) on every picture in a run, for screen readers."""
    for docpr in run_el.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"):
        docpr.set("descr", text)
        docpr.set("title", text)


def add_style_xml(styles_el, xml: str) -> None:
    styles_el.append(parse_xml(xml))


# --- tracked changes (a redline) -------------------------------------------------------------
# CT_ParaRPr starts with the revision marks, then the run properties (RPR); CT_TrPr ends
# with them (after TRPR).
PARA_RPR = ["ins", "del", "moveFrom", "moveTo"] + RPR
TRPR_TRACKED = TRPR + ["ins", "del", "trPrChange"]


class Revisions:
    """w:ins / w:del marks with a unique w:id, the author and the date (ISO 8601, UTC),
    as Word's Review pane and LibreOffice's Manage Changes show them."""

    def __init__(self, author: str, date: str, first_id: int = 1):
        self.author = author
        self.date = date
        self._next = first_id

    def _attrs(self, el):
        el.set(qn("w:id"), str(self._next))
        el.set(qn("w:author"), self.author)
        el.set(qn("w:date"), self.date)
        self._next += 1
        return el

    def container(self, parent, kind: str):
        """A w:ins or w:del appended to a paragraph: the runs of a change go inside it."""
        return self._attrs(etree.SubElement(parent, qn(f"w:{kind}")))

    def mark_paragraph(self, p_el, kind: str) -> None:
        """The paragraph mark itself inserted or deleted (a whole paragraph added or removed)."""
        ppr = p_el.find(qn("w:pPr"))
        if ppr is None:
            ppr = etree.Element(qn("w:pPr"))
            p_el.insert(0, ppr)
        rpr = set_child(ppr, "rPr", PPR)
        if rpr.find(qn("w:ins")) is None and rpr.find(qn("w:del")) is None:
            self._attrs(set_child(rpr, kind, PARA_RPR))

    def mark_row(self, tr_el, kind: str) -> None:
        trpr = tr_el.find(qn("w:trPr"))
        if trpr is None:
            trpr = etree.Element(qn("w:trPr"))
            tr_el.insert(1 if tr_el.find(qn("w:tblPrEx")) is not None else 0, trpr)
        self._attrs(set_child(trpr, kind, TRPR_TRACKED))

    def wrap_runs(self, p_el, kind: str) -> None:
        """Every run of a paragraph not yet in a change goes into one (a whole block added
        or removed: its labels and numbers too)."""
        for child in list(p_el):
            name = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if name == "hyperlink":  # the change goes inside the link (a w:del cannot hold one)
                self.wrap_runs(child, kind)
                continue
            if name != "r":
                continue
            holder = etree.Element(qn(f"w:{kind}"))
            self._attrs(holder)
            child.addprevious(holder)
            holder.append(child)
            if kind == "del":
                as_deleted(holder)


def as_deleted(el) -> None:
    """Deleted runs hold w:delText (and w:delInstrText), never w:t."""
    for t in el.iter(qn("w:t")):
        t.tag = qn("w:delText")
    for t in el.iter(qn("w:instrText")):
        t.tag = qn("w:delInstrText")


def paragraph_change(p_el) -> str | None:
    """'ins' or 'del' when every run of the paragraph is inside one kind of change."""
    kinds = set()
    for r in p_el.iter(qn("w:r")):
        if r.find(qn("w:t")) is None and r.find(qn("w:delText")) is None and r.find(qn("w:footnoteReference")) is None:
            continue
        parent = r.getparent()
        while parent is not None and parent is not p_el and etree.QName(parent).localname not in ("ins", "del"):
            parent = parent.getparent()
        kinds.add(etree.QName(parent).localname if parent is not None and parent is not p_el else None)
    return kinds.pop() if len(kinds) == 1 and None not in kinds else None


def no_break_hyphens(el) -> None:
    """Every hyphen-minus in the runs under `el` (a printed web address) as w:noBreakHyphen:
    the same hyphen drawn, but never a place to break the line, so a reader cannot take a
    break for a hyphen of the address (Word breaks lines only at spaces and hyphens). The
    hyperlink's target keeps the address itself."""
    for t in list(el.iter(qn("w:t"))):
        if not t.text or "-" not in t.text:
            continue
        pieces = t.text.split("-")
        t.text = pieces[0]
        anchor = t
        for piece in pieces[1:]:
            hyphen = etree.Element(qn("w:noBreakHyphen"))
            anchor.addnext(hyphen)
            anchor = hyphen
            if piece:
                nxt = etree.Element(qn("w:t"))
                nxt.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                nxt.text = piece
                anchor.addnext(nxt)
                anchor = nxt
        if not t.text:
            t.getparent().remove(t)
