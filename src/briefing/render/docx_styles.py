"""Word styles the writer relies on: added when a reference document lacks them, and
given complex-script twins (fonts, sizes, weights) for the document's language."""
from __future__ import annotations

from docx.oxml.ns import nsdecls, qn

from ..i18n.locale import SANS, SERIF, Lang
from ..i18n.locale import profile as language_profile
from . import ooxml

SANS_STYLES = ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Brief Meta", "Quote Attribution",
               "Key Fact Value", "Header", "Footer")


def _style(kind: str, style_id: str, name: str, body: str, based_on: str | None = "Normal",
           custom: bool = True) -> str:
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    flag = ' w:customStyle="1"' if custom else ""
    return (f'<w:style {nsdecls("w")} w:type="{kind}"{flag} w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/>{based}<w:uiPriority w:val="99"/><w:qFormat/>{body}</w:style>')


def _hex(color: str) -> str:
    return color.lstrip("#").upper()


def required_styles(colors) -> dict[str, str]:
    """name -> style XML for every style the writer uses that python-docx's template lacks."""
    primary, accent, muted, box = (_hex(colors.primary), _hex(colors.accent), _hex(colors.muted),
                                   _hex(colors.box))
    sans = f'<w:rFonts w:ascii="{SANS["en"][0]}" w:hAnsi="{SANS["en"][0]}"/>'
    return {
        "Brief Meta": _style("paragraph", "BriefMeta", "Brief Meta",
                             f'<w:pPr><w:spacing w:after="40"/></w:pPr><w:rPr>{sans}'
                             f'<w:color w:val="{muted}"/><w:sz w:val="18"/></w:rPr>'),
        "Objection": _style("paragraph", "Objection", "Objection",
                            '<w:pPr><w:spacing w:after="60"/><w:ind w:left="454"/></w:pPr>'
                            '<w:rPr><w:sz w:val="19"/></w:rPr>'),
        "Response": _style("paragraph", "Response", "Response",
                           '<w:pPr><w:spacing w:after="160"/><w:ind w:left="454"/></w:pPr>'
                           f'<w:rPr><w:color w:val="{primary}"/><w:sz w:val="19"/></w:rPr>'),
        "Quote Attribution": _style("paragraph", "QuoteAttribution", "Quote Attribution",
                                    f'<w:pPr><w:spacing w:after="200"/><w:jc w:val="right"/></w:pPr>'
                                    f'<w:rPr>{sans}<w:color w:val="{muted}"/><w:sz w:val="17"/></w:rPr>'),
        "Key Fact Value": _style("paragraph", "KeyFactValue", "Key Fact Value",
                                 f'<w:pPr><w:spacing w:after="0"/></w:pPr><w:rPr>{sans}<w:b/>'
                                 f'<w:color w:val="{accent}"/><w:sz w:val="24"/></w:rPr>'),
        "Source Entry": _style("paragraph", "SourceEntry", "Source Entry",
                               '<w:pPr><w:spacing w:after="60"/><w:ind w:left="340" w:hanging="340"/></w:pPr>'
                               '<w:rPr><w:sz w:val="17"/></w:rPr>'),
        "footnote text": _style("paragraph", "FootnoteText", "footnote text",
                                '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
                                '<w:rPr><w:sz w:val="16"/></w:rPr>', custom=False),
        "footnote reference": _style("character", "FootnoteReference", "footnote reference",
                                     '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr>',
                                     based_on="DefaultParagraphFont", custom=False),
        "Hyperlink": _style("character", "Hyperlink", "Hyperlink",
                            f'<w:rPr><w:color w:val="{primary}"/><w:u w:val="single"/></w:rPr>',
                            based_on="DefaultParagraphFont", custom=False),
        "Key Facts": (f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="KeyFacts">'
                      '<w:name w:val="Key Facts"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/>'
                      '<w:pPr><w:spacing w:before="60" w:after="60"/></w:pPr>'
                      '<w:tblPr><w:tblBorders>'
                      f'<w:top w:val="single" w:sz="12" w:space="0" w:color="{accent}"/>'
                      f'<w:bottom w:val="single" w:sz="12" w:space="0" w:color="{accent}"/>'
                      '<w:insideH w:val="single" w:sz="4" w:space="0" w:color="CDD5DD"/>'
                      '</w:tblBorders><w:tblCellMar><w:left w:w="113" w:type="dxa"/>'
                      '<w:right w:w="113" w:type="dxa"/></w:tblCellMar></w:tblPr>'
                      f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{box}"/></w:tcPr></w:style>'),
    }


def ensure_styles(d, colors=None, recolor: bool = False) -> None:
    """Add missing styles; with `recolor`, apply branding colours to the built-in ones too."""
    from ..project import Colors
    colors = colors or Colors()
    styles_el = d.styles.element
    have = {s.name for s in d.styles}
    have_ids = {el.get(qn("w:styleId")) for el in styles_el.findall(qn("w:style"))}
    for name, xml in required_styles(colors).items():
        if name not in have and name.title() not in have:
            sid = xml.split('w:styleId="')[1].split('"')[0]
            if sid not in have_ids:
                ooxml.add_style_xml(styles_el, xml)
    if recolor:
        recolor_styles(d, colors)


# which branding colour each style takes when briefing.toml sets [colors]
TEXT_COLORS = {"primary": ("Title", "Heading 1", "Heading 2", "Intense Quote", "Response", "Hyperlink"),
               "accent": ("Key Fact Value",), "muted": ("Brief Meta", "Quote Attribution")}


def recolor_styles(d, colors) -> None:
    """Branding colours on the styles that carry them, in place (fonts and sizes stay as the
    reference document has them)."""
    names = {s.name: s for s in d.styles}
    for role, style_names in TEXT_COLORS.items():
        for name in style_names:
            if name in names:
                props = names[name].element.get_or_add_rPr()
                color_el = ooxml.set_child(props, "color", ooxml.RPR, val=_hex(getattr(colors, role)))
                for attr in ("themeColor", "themeShade", "themeTint"):
                    color_el.attrib.pop(qn(f"w:{attr}"), None)
    table = names.get("Key Facts")
    if table is not None:
        for side in ("top", "bottom"):
            for el in table.element.iter(qn(f"w:{side}")):
                el.set(qn("w:color"), _hex(colors.accent))
        for el in table.element.iter(qn("w:shd")):
            el.set(qn("w:fill"), _hex(colors.box))


def set_fonts(d, text: str = SERIF["en"][0], headings: str = SANS["en"][0]) -> None:
    """Explicit fonts in place of theme fonts: `text` for the body, `headings` for titles,
    headings and the furniture (Noto Serif and Noto Sans unless the template set says)."""
    defaults = d.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr, text)
    for style in d.styles:
        props = style.element.rPr
        fonts = props.find(qn("w:rFonts")) if props is not None else None
        if style.name not in SANS_STYLES and fonts is not None and fonts.get(qn("w:ascii")) in (
                SERIF["en"][0], SANS["en"][0]):
            _fonts(props, text)  # a body style the reference gave a Noto font: the body's
    for name in SANS_STYLES:
        try:
            style = d.styles[name]
        except KeyError:
            continue
        _fonts(style.element.get_or_add_rPr(), headings)


def _fonts(rpr, family: str) -> None:
    el = ooxml.set_child(rpr, "rFonts", ooxml.RPR, ascii=family, hAnsi=family)
    for attr in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
        el.attrib.pop(qn(f"w:{attr}"), None)


COMPACT = {"Normal": (9.5, 40), "List Bullet": (9.5, 20), "List Number": (9.5, 30), "Title": (18, 60),
           "Heading 1": (12, 40)}  # style: (size pt, space after twips) for the one-page leave-behind


def localize_styles(d, lang: str, compact: bool = False, kinds: dict | None = None) -> None:
    """Complex-script fonts, sizes and weights on every style, the document's languages;
    upright styles for Hebrew and Armenian; tighter type for the one-page leave-behind."""
    from docx.shared import Pt, Twips
    if compact:
        for name, (size, after) in COMPACT.items():
            try:
                style = d.styles[name]
            except KeyError:
                continue
            style.font.size = Pt(size)
            style.paragraph_format.space_after = Twips(after)
            style.paragraph_format.space_before = Twips(min(after * 2, 120)) if name == "Heading 1" else None
    profile = language_profile(lang)
    rtl = Lang(lang).rtl      # right-to-left text is drawn with the complex-script font: the script's own
    if profile.upright:       # no true italics: slanted Hebrew or Armenian is a fake
        for style_el in d.styles.element.findall(qn("w:style")):
            props = style_el.find(qn("w:rPr"))
            if props is not None:
                for tag in ("w:i", "w:iCs"):
                    for el in props.findall(qn(tag)):
                        props.remove(el)
    defaults = d.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    serif, sans = SERIF.get(lang, SERIF["en"])[0], SANS.get(lang, SANS["en"])[0]
    kinds = kinds or {}
    body = sans if kinds.get("serif") == "sans" else serif        # the body's stack (template.toml)
    heads = serif if kinds.get("sans") == "serif" else sans        # the headings'
    ooxml.set_child(rpr, "rFonts", ooxml.RPR, cs=body if rtl else
                    (SANS if kinds.get("serif") == "sans" else SERIF)["en"][0])
    lang_attrs = {"val": profile.docx_lang if not rtl else "en-US"}
    if rtl:
        lang_attrs["bidi"] = profile.docx_lang
    ooxml.set_child(rpr, "lang", ooxml.RPR, **lang_attrs)
    for style_el in d.styles.element.findall(qn("w:style")):
        ooxml.complex_script_style(style_el)
        if rtl:
            props = style_el.find(qn("w:rPr"))
            fonts = props.find(qn("w:rFonts")) if props is not None else None
            if fonts is not None and fonts.get(qn("w:ascii")):
                name = style_el.find(qn("w:name"))
                if kinds:
                    family = heads if name is not None and name.get(qn("w:val")) in SANS_STYLES else body
                else:
                    family = sans if "Sans" in fonts.get(qn("w:ascii")) else serif
                fonts.set(qn("w:cs"), family)
                fonts.attrib.pop(qn("w:cstheme"), None)
