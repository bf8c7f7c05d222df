"""A user's reference .docx, rebuilt from an allow-list before python-docx sees it.

A reference document is untrusted: a volunteer's Word file could carry a remote
attachedTemplate, DDEAUTO or INCLUDETEXT fields, OLE packages, macros (vbaProject.bin) or
external relationships, and python-docx would copy them into every output. Only what a
style set needs is taken, each XML part parsed whole with a hardened parser (no DTD, no
entities, no network, no huge trees):

* styles, numbering, theme, font table (without embedded fonts) and settings (without
  attachedTemplate, mail merge, document variables, schemas or "update fields on open");
* the page set-up of the last section (size, margins, columns, title page, direction);
* header and footer parts: their text and their PNG, JPEG or GIF images.

Everything else is dropped: the body, fields other than PAGE/NUMPAGES/SECTIONPAGES,
objects, controls, alternative chunks, any relationship that is external or not listed
above, document properties, custom XML and every other part. The result is a new,
small package, rebuilt from these parts only.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..errors import BriefError, Location
from ..safefs import check_path, read_project_file

MAX_BYTES = 10_000_000
MAX_ENTRIES = 500
MAX_UNPACKED = 100_000_000
MAX_PART = 20_000_000

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
RT = R + "/"
WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
KEPT_PARTS = {  # relationship type -> content type
    "styles": WML + "styles+xml",
    "numbering": WML + "numbering+xml",
    "theme": "application/vnd.openxmlformats-officedocument.theme+xml",
    "fontTable": WML + "fontTable+xml",
    "settings": WML + "settings+xml",
    "header": WML + "header+xml",
    "footer": WML + "footer+xml",
}
IMAGES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"GIF87a": "gif", b"GIF89a": "gif"}
IMAGE_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif"}
SAFE_FIELDS = {"PAGE", "NUMPAGES", "SECTIONPAGES"}
SETTINGS_DROPPED = {"attachedTemplate", "mailMerge", "docVars", "attachedSchema", "schemaLibrary",
                    "updateFields", "linkStyles", "saveThroughXslt", "useXSLTWhenSaving", "saveXmlDataOnly",
                    "documentProtection", "writeProtection", "removePersonalInformation"}
DROPPED_ELEMENTS = {(W, n) for n in ("object", "control", "altChunk", "subDoc", "pict", "embedRegular",
                                     "embedBold", "embedItalic", "embedBoldItalic", "printerSettings",
                                     "customXml", "smartTag", "permStart", "permEnd")}
SECTION_KEPT = {"headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
                "pgBorders", "lnNumType", "pgNumType", "cols", "vAlign", "titlePg", "textDirection", "bidi",
                "rtlGutter", "docGrid"}

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          dtd_validation=False, remove_pis=True)


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def clean_reference(path: Path, shown: str, project_root: Path) -> io.BytesIO:
    """The reference document rebuilt from its allowed parts (refused with a clear error)."""
    real = check_path(project_root, path, shown)
    st = real.stat()
    return io.BytesIO(_cleaned(str(real), st.st_mtime_ns, st.st_size, shown, str(project_root)))


@lru_cache(maxsize=8)
def _cleaned(real: str, mtime: int, size: int, shown: str, root: str) -> bytes:
    where = Location(shown)
    if size > MAX_BYTES:
        raise BriefError(f"reference document is too large ({size:,} bytes)", where)
    data = read_project_file(Path(root), Path(real), shown, max_bytes=MAX_BYTES)
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise BriefError("reference document is not a .docx (zip) file", where) from None
    if len(infos) > MAX_ENTRIES:
        raise BriefError(f"reference document has too many parts ({len(infos)})", where)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        raise BriefError(f"reference document unpacks to {total:,} bytes (a zip bomb?)", where)
    return _Rebuild(z, where).package()


class _Rebuild:
    def __init__(self, z: zipfile.ZipFile, where: Location):
        self.z, self.where = z, where
        self.names = {i.filename for i in z.infolist()}
        self.parts: dict[str, bytes] = {}        # part name -> bytes of the new package
        self.types: dict[str, str] = {}          # part name -> content type
        self.trees: dict[str, object] = {}

    def fail(self, message: str):
        raise BriefError(message, self.where, "save the file again from Word or LibreOffice, or use the "
                                              "default template's reference.docx")

    def read(self, name: str) -> bytes:
        try:
            info = self.z.getinfo(name)
        except KeyError:
            self.fail(f"reference document lacks the part {name}")
        if info.file_size > MAX_PART:
            self.fail(f"reference document part {name} is too large")
        try:
            return self.z.read(name)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
            self.fail(f"reference document part {name} cannot be unpacked")

    def xml(self, name: str):
        if name in self.trees:
            return self.trees[name]
        data = self.read(name)
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            self.fail(f"reference document part {name} declares XML entities")
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError as exc:
            self.fail(f"reference document part {name} is not well-formed XML ({exc.msg})")
        if root.getroottree().docinfo.doctype:
            self.fail(f"reference document part {name} declares XML entities")
        self.trees[name] = root
        return root

    def rels(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, target part) of a part's internal relationships."""
        folder, base = posixpath.split(part)
        name = posixpath.join(folder, "_rels", base + ".rels")
        if name not in self.names:
            return []
        out = []
        for rel in self.xml(name):
            if rel.tag != f"{{{PR}}}Relationship" or rel.get("TargetMode", "Internal") != "Internal":
                continue  # external relationships are never copied
            target = rel.get("Target", "")
            if "://" in target or target.startswith(("/", "\\")) or "\\" in target:
                continue
            full = posixpath.normpath(posixpath.join(folder, target))
            if full.startswith("..") or not full.startswith("word/"):
                continue
            out.append((rel.get("Id", ""), rel.get("Type", ""), full))
        return out

    def main_part(self) -> str:
        for check in sorted(n for n in self.names if n.endswith((".xml", ".rels"))):
            data = self.read(check)  # every XML part, whole (not its first bytes): no entities anywhere
            if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                self.fail(f"reference document part {check} declares XML entities")
        for rel in self.xml("_rels/.rels") if "_rels/.rels" in self.names else ():
            if rel.get("Type") == RT + "officeDocument" and rel.get("TargetMode", "Internal") == "Internal":
                target = posixpath.normpath(rel.get("Target", "").lstrip("/"))
                if target in self.names:
                    return target
        self.fail("reference document has no main document part (word/document.xml)")

    def package(self) -> bytes:
        main = self.main_part()
        kept_rels = []
        seen: dict[str, int] = {}
        for rid, rtype, target in self.rels(main):
            kind = rtype[len(RT):] if rtype.startswith(RT) else None
            if kind not in KEPT_PARTS or target not in self.names:
                continue
            seen[kind] = seen.get(kind, 0) + 1
            if kind in ("header", "footer"):
                name = f"word/{kind}{seen[kind]}.xml"
            elif seen[kind] > 1:
                continue  # one styles part, one settings part...
            else:
                name = "word/theme/theme1.xml" if kind == "theme" else f"word/{kind}.xml"
            root = self.xml(target)
            image_rels = self.images(target) if kind in ("header", "footer") else {}
            if kind == "settings":
                for child in list(root):
                    if etree.QName(child).localname in SETTINGS_DROPPED:
                        root.remove(child)
            _scrub(root, set(image_rels))
            self.parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            self.types[name] = KEPT_PARTS[kind]
            if image_rels:
                self.parts[f"word/_rels/{posixpath.basename(name)}.rels"] = _rels_xml(
                    [(rid_, RT + "image", target_) for rid_, target_ in image_rels.items()])
            kept_rels.append((rid, rtype, name[len("word/"):]))
        self.parts["word/document.xml"] = self.document(main, {rid for rid, _, _ in kept_rels})
        self.types["word/document.xml"] = WML + "document.main+xml"
        self.parts["word/_rels/document.xml.rels"] = _rels_xml(kept_rels)
        self.parts["_rels/.rels"] = _rels_xml([("rId1", RT + "officeDocument", "word/document.xml")])
        self.parts["[Content_Types].xml"] = self.content_types()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for name in ["[Content_Types].xml"] + sorted(n for n in self.parts if n != "[Content_Types].xml"):
                zout.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), self.parts[name],
                              zipfile.ZIP_STORED)  # read once, in memory: no need to compress
        return out.getvalue()

    def images(self, part: str) -> dict[str, str]:
        """rId -> new media name of a header's or footer's images (checked by their bytes)."""
        kept = {}
        for rid, rtype, target in self.rels(part):
            if rtype != RT + "image" or target not in self.names:
                continue
            data = self.read(target)
            ext = next((e for magic, e in IMAGES.items() if data.startswith(magic)), None)
            if ext is None:
                continue
            name = f"media/image{len(self.parts) + len(kept) + 1}.{ext}"
            self.parts["word/" + name] = data
            kept[rid] = name
        return kept

    def document(self, main: str, rel_ids: set) -> bytes:
        """A new main part: an empty body and the page set-up of the last section."""
        source = self.xml(main)
        body = source.find(_w("body"))
        sect = body.find(_w("sectPr")) if body is not None else None
        root = etree.Element(_w("document"), nsmap={"w": W, "r": R})
        new_body = etree.SubElement(root, _w("body"))
        new_sect = etree.SubElement(new_body, _w("sectPr"))
        for child in (sect if sect is not None else ()):
            if not isinstance(child.tag, str) or etree.QName(child).namespace != W:
                continue
            if etree.QName(child).localname not in SECTION_KEPT:
                continue
            rid = child.get(f"{{{R}}}id")
            if rid is not None and rid not in rel_ids:
                continue
            copy = etree.fromstring(etree.tostring(child), _PARSER)
            for attr in list(copy.attrib):
                if etree.QName(attr).namespace not in (W, R):
                    del copy.attrib[attr]
            new_sect.append(copy)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def content_types(self) -> bytes:
        root = etree.Element(f"{{{CT}}}Types", nsmap={None: CT})
        defaults = {"rels": "application/vnd.openxmlformats-package.relationships+xml", "xml": "application/xml",
                    **IMAGE_TYPES}
        for ext, ctype in defaults.items():
            etree.SubElement(root, f"{{{CT}}}Default", Extension=ext, ContentType=ctype)
        for name, ctype in sorted(self.types.items()):
            etree.SubElement(root, f"{{{CT}}}Override", PartName="/" + name, ContentType=ctype)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels_xml(rels) -> bytes:
    root = etree.Element(f"{{{PR}}}Relationships", nsmap={None: PR})
    for rid, rtype, target in rels:
        etree.SubElement(root, f"{{{PR}}}Relationship", Id=rid, Type=rtype, Target=target)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _scrub(root, rel_ids: set) -> None:
    """Remove active or external content from one part, in place."""
    # markup compatibility: keep the fallback only (a Choice may hold anything)
    for alt in list(root.iter(f"{{{MC}}}AlternateContent")):
        fallback = alt.find(f"{{{MC}}}Fallback")
        parent = alt.getparent()
        if parent is None:
            continue
        at = parent.index(alt)
        for child in (list(fallback) if fallback is not None else []):
            parent.insert(at, child)
            at += 1
        parent.remove(alt)
    _drop_fields(root)
    doomed = [el for el in root.iter(_w("fldSimple"))
              if (el.get(_w("instr")) or "").split()[:1] not in [[f] for f in SAFE_FIELDS]]
    # (found with lxml's own searches: a style part holds tens of thousands of elements)
    doomed += list(root.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity))
    doomed += list(root.iter(*(f"{{{ns}}}{name}" for ns, name in DROPPED_ELEMENTS)))
    doomed += [el for el in root.iter("{*}OLEObject", "{*}vbaProject")]
    for el in root.xpath("//*[@r:*]", namespaces={"r": R}):
        if any(etree.QName(attr).namespace == R and value not in rel_ids for attr, value in el.attrib.items()):
            doomed.append(_run_of(el))
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)


def _run_of(el):
    """The run holding an element (so a picture is removed whole), else the element."""
    node = el
    while node is not None:
        if node.tag == _w("r"):
            return node
        node = node.getparent()
    return el


def _drop_fields(root) -> None:
    """Complex fields other than PAGE, NUMPAGES and SECTIONPAGES lose their instruction and
    field characters (their last shown result stays, as plain text)."""
    stack: list[list] = []
    doomed = []
    for el in root.iter(_w("fldChar"), _w("instrText"), _w("delInstrText")):
        if el.tag == _w("fldChar"):
            kind = el.get(_w("fldCharType"))
            if kind == "begin":
                stack.append([el])
            elif stack:
                stack[-1].append(el)
                if kind == "end":
                    field = stack.pop()
                    instr = "".join(e.text or "" for e in field if e.tag != _w("fldChar")).split()
                    if not instr or instr[0].upper() not in SAFE_FIELDS:
                        doomed += field
            else:
                doomed.append(el)
        elif stack:
            stack[-1].append(el)
        else:
            doomed.append(el)
    for field in stack:  # never closed
        doomed += field
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
