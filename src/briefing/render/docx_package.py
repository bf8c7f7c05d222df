"""A Word package without what its template left behind, and with what Word expects.

python-docx's default template (and many reference documents) carry a stale
stylesWithEffects part (Word 2010's copy of the styles: when it disagrees with styles.xml,
Word may call the file unreadable), a blank thumbnail, an empty bibliography part, the
extended properties of the Mac Word that saved the template, and a date of last printing.
All are dropped or rewritten here, before saving; openxml-audit checks the result.
"""
from __future__ import annotations

from docx.oxml.ns import qn

from . import ooxml

DROPPED_PART_RELS = {
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml",
}
DROPPED_PACKAGE_RELS = {"http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"}
EXTENDED_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
APP_XML = (b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           b"<Application>briefing</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
           b"<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
           b"<HyperlinksChanged>false</HyperlinksChanged></Properties>")


def clean_package(d) -> None:
    """Drop stale parts and template metadata; settings that Word reads as it expects."""
    _drop_rels(d.part, DROPPED_PART_RELS)
    package = d.part.package
    _drop_rels(package, DROPPED_PACKAGE_RELS)
    found = False
    for rel in package.rels.values():
        if rel.reltype == EXTENDED_PROPERTIES and not rel.is_external:
            rel.target_part._blob = APP_XML
            found = True
    if not found:  # a reference document rebuilt from its allowed parts has none: write ours
        from docx.opc.constants import CONTENT_TYPE
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part
        part = Part(PackURI("/docProps/app.xml"), CONTENT_TYPE.OFC_EXTENDED_PROPERTIES, APP_XML, package)
        package.relate_to(part, EXTENDED_PROPERTIES)
    core = d.core_properties._element
    for el in core.findall(qn("cp:lastPrinted")):
        core.remove(el)
    settings = d.settings.element
    zoom = ooxml.set_child(settings, "zoom", ooxml.SETTINGS)
    zoom.set(qn("w:percent"), zoom.get(qn("w:percent")) or "100")   # w:percent is required
    for name in ("savePreviewPicture", "attachedTemplate"):
        for el in settings.findall(qn(f"w:{name}")):
            settings.remove(el)


def _drop_rels(owner, reltypes: set[str]) -> None:
    rels = owner.rels if hasattr(owner, "rels") else owner.part.rels
    for r_id, rel in list(rels.items()):
        if rel.reltype in reltypes:
            del rels[r_id]
