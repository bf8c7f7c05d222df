"""What WeasyPrint's tagged PDF lacks for PDF/UA-1, done on its PDF objects before they are
written (WeasyPrint's `finisher` hook), so every PDF validates with veraPDF:

- running headers and page numbers (page-margin boxes) are artifacts, not content: WeasyPrint
  marks their text as content and leaves its structure elements out of the tree;
- link annotations carry the print flag (PDF/A and PDF/UA both ask for it) and a text
  alternative (their address);
- `--pdf-standard a` writes PDF/A-3a whose XMP metadata also claims PDF/UA-1, which holds.
"""
from __future__ import annotations

import pydyf

PRINT_FLAG = 4



def _objects(pdf) -> dict[int, object]:
    return {obj.number: obj for obj in pdf.objects if getattr(obj, "number", None) is not None}


def _ref_number(value) -> int | None:
    if isinstance(value, bytes) and value.endswith(b" 0 R"):
        return int(value.split()[0])
    return None


def finisher(variant: str):
    """The finisher for WeasyPrint's write_pdf: PDF/UA fixes, then the variant's metadata."""
    def finish(document, pdf) -> None:
        objects = _objects(pdf)
        margin_boxes_as_artifacts(pdf, objects)
        link_annotations(pdf, objects)
        if variant.startswith("pdf/a"):
            claim_pdf_ua(document, pdf, objects, variant)
    return finish


def margin_boxes_as_artifacts(pdf, objects) -> int:
    """Marked content whose structure element is not in the tree (WeasyPrint's page-margin
    boxes) becomes an /Artifact of type Pagination; its parent-tree entry becomes null."""
    root = objects.get(_ref_number(pdf.catalog.get("StructTreeRoot")))
    if root is None:
        return 0
    reachable: set[int] = set()
    stack = [n for n in map(_ref_number, root["K"]) if n is not None]
    while stack:
        number = stack.pop()
        if number in reachable:
            continue
        reachable.add(number)
        element = objects[number]
        kids = element.get("K") if isinstance(element, dict) else None
        if isinstance(kids, (list, tuple)):
            stack += [n for n in map(_ref_number, kids) if n is not None]
    nums = objects[_ref_number(root["ParentTree"])]["Nums"]
    pages = [objects[number] for number in pdf.pages["Kids"][::3]]
    changed = 0
    for index in range(0, len(nums), 2):
        key, value = nums[index], nums[index + 1]
        if not isinstance(value, (list, tuple)) or key >= len(pages):
            continue
        orphans = {mcid for mcid, ref in enumerate(value) if _ref_number(ref) not in reachable}
        if not orphans:
            continue
        for mcid in orphans:
            value[mcid] = "null"
        stream = objects[_ref_number(pages[key]["Contents"])]
        items = stream.stream
        for i in range(len(items) - 2):
            props = items[i + 1]
            if items[i + 2] == b"BDC" and isinstance(props, dict) and props.get("MCID") in orphans:
                items[i] = "/Artifact"
                items[i + 1] = pydyf.Dictionary({"Type": "/Pagination"})
                changed += 1
    return changed


def link_annotations(pdf, objects) -> None:
    """Every link annotation printable, with a text alternative (/Contents: its address)."""
    for obj in objects.values():
        if isinstance(obj, dict) and obj.get("Type") == "/Annot" and obj.get("Subtype") == "/Link":
            obj["F"] = PRINT_FLAG
            if "Contents" not in obj:
                action = obj.get("A")
                uri = action.get("URI") if isinstance(action, dict) else None
                text = uri.string if isinstance(uri, pydyf.String) else "link"
                if isinstance(text, bytes):
                    text = text.decode("utf-8", "replace")
                obj["Contents"] = pydyf.String(text.removeprefix("mailto:"))


def claim_pdf_ua(document, pdf, objects, variant: str) -> None:
    """XMP metadata that identifies the file as PDF/A (its part and level) and PDF/UA-1."""
    version, level = int(variant[6]), variant[7].upper()
    rdf = document.metadata.generate_rdf_metadata("a", version, level)
    marker = f'pdfaid:part="{version}"'.encode()
    assert marker in rdf
    rdf = rdf.replace(marker, marker + b' xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"', 1)
    rdf = rdf.replace(b"</rdf:RDF>", PDFUA_EXTENSION_SCHEMA + b"</rdf:RDF>")
    stream = objects[_ref_number(pdf.catalog["Metadata"])]
    header = b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">'
    footer = b'</x:xmpmeta>\n<?xpacket end="r"?>'
    stream.stream = [b"\n".join((header, rdf, *document.metadata.xmp_metadata, footer))]


# PDF/A admits XMP properties outside its predefined schemas only with a description of
# their schema (ISO 19005-3, 6.6.2.3.2): this one describes pdfuaid:part.
PDFUA_EXTENSION_SCHEMA = b"""<rdf:Description rdf:about="" \
xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" \
xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><pdfaExtension:schemas><rdf:Bag>\
<rdf:li rdf:parseType="Resource"><pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">\
<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>\
<pdfaProperty:category>internal</pdfaProperty:category>\
<pdfaProperty:description>Indicates which part of ISO 14289 the file conforms to</pdfaProperty:description>\
</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"""
