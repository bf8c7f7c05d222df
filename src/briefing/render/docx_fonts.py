"""The document's fonts embedded in the Word file, as subsets, so that Word shows them on a
machine that does not have them (ECMA-376 Part 1, §17.8.1 and §17.8.3.3).

Which fonts: each run's effective fonts and weight, resolved as Word does (document defaults,
then the paragraph style and its `basedOn` chain, then the character style, then the run's
own properties; a right-to-left run or a complex-script character takes the `cs` font and
`bCs`/`iCs`, an ASCII character the `ascii` font, any other the `hAnsi` font). Each
(family, face) gets the characters drawn in it, plus the digits (page numbers, note numbers
and list numbers are drawn by Word, not written in the text). A face the family has no file
for (Noto Hebrew has no italic) gives its characters to the face Word synthesizes it from.

How: fontconfig names the files (TrueType outlines only: Word embeds no CFF fonts), whose
OS/2 fsType must allow embedding for editing (installable or editable; Noto is SIL OFL,
installable); fontTools subsets them, keeping every name record and the OS/2 table (the
licensing bits). Each subset is stored obfuscated (.odttf): its first 32 bytes XORed with
its font key, a GUID whose 16 bytes are taken in reverse order of its written form. The
key is derived from the subset's bytes, so equal documents give equal files.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import uuid
from functools import lru_cache
from pathlib import Path

from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from lxml import etree

from . import ooxml

FONT_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
FONT_TABLE_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
ODTTF_CT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
FACES = ("Regular", "Bold", "Italic", "BoldItalic")  # the order of CT_Font's embed* elements
FALLBACK = {"BoldItalic": "Bold", "Bold": "Regular", "Italic": "Regular"}  # what Word slants or emboldens
ALWAYS = "0123456789 "  # drawn by Word itself: page, note and list numbers
# Every embedded font holds these blocks (those of them it has), whatever the document uses:
# whoever edits the file can type in its languages, and one subset serves every document
# (made once per machine, see _cached_subset).
REPERTOIRE = "".join(chr(c) for a, b in (
    (0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2027), (0x2030, 0x203A), (0x2060, 0x2060), (0x20AA, 0x20AC),
    (0x2116, 0x2116), (0x2122, 0x2122),                   # punctuation, ₪ € №, ™
    (0x0591, 0x05F4),                                     # Hebrew, with its points and marks
    (0x0531, 0x058F), (0xFB13, 0xFB17),                   # Armenian and its ligatures
) for c in range(a, b + 1))
# CT_Font's children, in schema order
FONT_CHILDREN = ("altName panose1 charset family notTrueType pitch sig embedRegular embedBold embedItalic "
                 "embedBoldItalic").split()
# characters Word draws with the complex-script font even in a left-to-right run
COMPLEX = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u0900-\u0eff]")
OFF = {"0", "false", "off"}
NAMESPACE = uuid.UUID("6f1d2c1e-8d0b-4c3e-9a51-0d6c1e0b7f21")  # this tool's font keys


# --- which fonts the document uses ------------------------------------------------------------
def _props(rpr) -> dict:
    """The font-relevant properties one w:rPr sets (absent: not set at this level)."""
    out: dict = {}
    if rpr is None:
        return out
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        for slot, theme in (("ascii", "asciiTheme"), ("hAnsi", "hAnsiTheme"), ("cs", "cstheme")):
            if fonts.get(qn(f"w:{theme}")) is not None:
                out[slot] = None  # a theme font: not one this tool chose or can find
            elif fonts.get(qn(f"w:{slot}")) is not None:
                out[slot] = fonts.get(qn(f"w:{slot}"))
    for tag in ("b", "bCs", "i", "iCs", "rtl", "cs"):
        el = rpr.find(qn(f"w:{tag}"))
        if el is not None:  # w:cs (the run is complex script) is kept apart from the cs font
            out["cs?" if tag == "cs" else tag] = (el.get(qn("w:val")) or "true").lower() not in OFF
    return out


class _Styles:
    def __init__(self, styles_el):
        self.by_id = {s.get(qn("w:styleId")): s for s in styles_el.findall(qn("w:style"))}
        self.default_para = next((sid for sid, s in self.by_id.items()
                                  if s.get(qn("w:type")) == "paragraph" and
                                  (s.get(qn("w:default")) or "").lower() in ("1", "true", "on")), None)
        defaults = styles_el.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr")) if defaults is not None else None
        self.defaults = _props(rpr)
        self._cache: dict = {}

    def props(self, style_id: str | None) -> dict:
        """A style's properties with those of the styles it is based on (nearest wins)."""
        if style_id is None:
            return {}
        if style_id not in self._cache:
            chain, seen, sid = [], set(), style_id
            while sid and sid in self.by_id and sid not in seen:
                seen.add(sid)
                chain.append(self.by_id[sid])
                based = self.by_id[sid].find(qn("w:basedOn"))
                sid = based.get(qn("w:val")) if based is not None else None
            merged: dict = {}
            for style in reversed(chain):
                merged.update(_props(style.find(qn("w:rPr"))))
            self._cache[style_id] = merged
        return self._cache[style_id]


def _run_text(r) -> str:
    text = "".join(t.text or "" for t in r.iter(qn("w:t")))
    if r.find(qn("w:noBreakHyphen")) is not None:
        text += "-\u2011"  # drawn with one of them
    return text


def font_usage(d) -> dict[tuple[str, str], set[str]]:
    """(family, face) -> the characters the document draws in it."""
    styles = _Styles(d.styles.element)
    roots = [d.element]
    for rel in d.part.rels.values():  # headers, footers, footnotes: parts of the main document
        if not rel.is_external and rel.reltype.rsplit("/", 1)[-1] in ("header", "footer", "footnotes", "endnotes"):
            part = rel.target_part
            root = part.element if hasattr(part, "element") else _parsed(part)
            if root is not None:
                roots.append(root)
    used: dict[tuple[str, str], set[str]] = {}
    for root in roots:
        for p in root.iter(qn("w:p")):
            ppr = p.find(qn("w:pPr"))
            pstyle = ppr.find(qn("w:pStyle")) if ppr is not None else None
            para = styles.props(pstyle.get(qn("w:val")) if pstyle is not None else styles.default_para)
            for r in p.iter(qn("w:r")):
                if _paragraph_of(r) is not p:
                    continue  # a text box's paragraph is visited on its own
                text = _run_text(r)
                if r.find(qn("w:footnoteReference")) is not None or r.find(qn("w:footnoteRef")) is not None:
                    text += ALWAYS
                if not text:
                    continue
                rpr = r.find(qn("w:rPr"))
                rstyle = rpr.find(qn("w:rStyle")) if rpr is not None else None
                props = {**styles.defaults, **para,
                         **styles.props(rstyle.get(qn("w:val")) if rstyle is not None else None), **_props(rpr)}
                for ch in text:
                    complex_ = props.get("rtl") or props.get("cs?") or COMPLEX.match(ch)
                    slot = "cs" if complex_ else ("ascii" if ord(ch) < 0x80 else "hAnsi")
                    family = props.get(slot)
                    if not family:
                        continue
                    bold = props.get("bCs" if complex_ else "b", False)
                    italic = props.get("iCs" if complex_ else "i", False)
                    face = ("Bold" if bold else "") + ("Italic" if italic else "") or "Regular"
                    used.setdefault((family, face), set()).add(ch)
    return used


def _paragraph_of(r):
    parent = r.getparent()
    while parent is not None and parent.tag != qn("w:p"):
        parent = parent.getparent()
    return parent


def _parsed(part):
    try:
        return etree.fromstring(part.blob)
    except etree.XMLSyntaxError:
        return None


# --- the font files -------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _installed() -> dict[tuple[str, str], str]:
    """(family, face) -> font file, from fontconfig: regular (weight 80), bold (200), each
    upright (slant 0) or italic (100); the first file by path when several match."""
    if not shutil.which("fc-list"):
        return {}
    out = subprocess.run(["fc-list", "--format", "%{family}\t%{weight}\t%{slant}\t%{fontformat}\t%{file}\n"],
                         capture_output=True, text=True).stdout
    found: dict[tuple[str, str], str] = {}
    for line in sorted(out.splitlines(), key=lambda s: s.rsplit("\t", 1)[-1]):
        parts = line.split("\t")
        if len(parts) != 5 or parts[3] != "TrueType":
            continue
        families, weight, slant, _, path = parts
        bold = {"80": False, "200": True}.get(weight)
        italic = {"0": False, "100": True}.get(slant)
        if bold is None or italic is None:
            continue
        face = ("Bold" if bold else "") + ("Italic" if italic else "") or "Regular"
        for family in families.split(","):
            found.setdefault((family.strip(), face), path)
    return found


@lru_cache(maxsize=None)
def _font_info(path: str) -> dict | None:
    """What the font table says of a font, or None if it may not be embedded for editing."""
    from fontTools.ttLib import TTFont

    from ..fonts import _cmap   # the map the coverage check reads, made once per font
    try:
        with TTFont(path, lazy=True) as font:
            if "glyf" not in font or "fvar" in font:
                return None  # Word embeds TrueType outlines, and no variable fonts
            os2 = font["OS/2"]
            fs_type = os2.fsType
            # bits 1-3: restricted, preview & print only, editable; 0x200: bitmaps only
            if (fs_type & 0x0002) or (fs_type & 0x0004 and not fs_type & 0x0008) or (fs_type & 0x0200):
                return None
            panose = os2.panose
            digits = [panose.bFamilyType, panose.bSerifStyle, panose.bWeight, panose.bProportion,
                      panose.bContrast, panose.bStrokeVariation, panose.bArmStyle, panose.bLetterForm,
                      panose.bMidline, panose.bXHeight]
            family_class = os2.sFamilyClass >> 8
            kind = ("roman" if family_class in (1, 2, 3, 4, 5, 7) else "swiss" if family_class == 8 else
                    "script" if family_class == 10 else "decorative" if family_class == 9 else
                    # no class: the PANOSE serif style of a text face (2-10 serif, 11-13 sans)
                    "roman" if digits[0] == 2 and 2 <= digits[1] <= 10 else
                    "swiss" if digits[0] == 2 and 11 <= digits[1] <= 13 else "auto")
            return {"panose": "".join(f"{v:02X}" for v in digits), "family": kind,
                    "subset": not fs_type & 0x0100, "cmap": _cmap(path),
                    "sig": {"usb0": os2.ulUnicodeRange1, "usb1": os2.ulUnicodeRange2, "usb2": os2.ulUnicodeRange3,
                            "usb3": os2.ulUnicodeRange4, "csb0": getattr(os2, "ulCodePageRange1", 0),
                            "csb1": getattr(os2, "ulCodePageRange2", 0)}}
    except Exception:  # an unreadable font file is not embedded; the document still names it
        return None


@lru_cache(maxsize=64)
def subset_font(path: str, text: str) -> bytes:
    """The font at `path` cut down to the characters of `text` (name table and OS/2 kept);
    from the user's cache when this very subset was made before (fontTools takes ~0.2 s)."""
    import fontTools
    stat = Path(path).stat()
    key = hashlib.sha256(repr((path, stat.st_size, stat.st_mtime_ns, fontTools.version, text)).encode()).hexdigest()
    cached = _cache_dir() / f"{key}.ttf" if _cache_dir() else None
    if cached is not None:
        try:
            data = cached.read_bytes()
            if data[-32:] == hashlib.sha256(data[:-32]).digest():
                return data[:-32]
        except OSError:
            pass
    data = _make_subset(path, text)
    if cached is not None:
        try:
            from ..atomic import atomic_write_bytes
            atomic_write_bytes(cached, data + hashlib.sha256(data).digest())
        except OSError:
            pass  # a read-only or full disk: the next build makes it again
    return data


@lru_cache(maxsize=1)
def _cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/briefing/font-subsets (~/.cache/...), or None if it cannot be made."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "briefing" / "font-subsets"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return folder if folder.is_dir() and not folder.is_symlink() else None
    except OSError:
        return None


def _make_subset(path: str, text: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.recalc_timestamp = False
    with TTFont(path, lazy=True, recalcTimestamp=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()


# --- obfuscation (§17.8.1) --------------------------------------------------------------------
def font_key(data: bytes) -> str:
    """A GUID for a font, derived from its bytes: '{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}'."""
    return "{" + str(uuid.uuid5(NAMESPACE, hashlib.sha256(data).hexdigest())).upper() + "}"


def obfuscate(data: bytes, key: str) -> bytes:
    """XOR the first 32 bytes with the key's 16 bytes, last byte of the written GUID first.
    The same operation de-obfuscates."""
    digits = re.sub(r"[{}-]", "", key)
    mask = bytes.fromhex(digits)[::-1] * 2
    head = bytes(b ^ m for b, m in zip(data[:32], mask))
    return head + data[32:]


# --- into the package ------------------------------------------------------------------------
def embed_fonts(d) -> list[tuple[str, str, int]]:
    """Embed subsets of the fonts the document uses; returns (family, face, bytes) of each."""
    table_part = next((rel.target_part for rel in d.part.rels.values()
                       if rel.reltype == FONT_TABLE_RT and not rel.is_external), None)
    if table_part is None:
        return []
    installed = _installed()
    wanted: dict[tuple[str, str], set[str]] = {}
    for (family, face), chars in sorted(font_usage(d).items()):
        while (family, face) not in installed and face in FALLBACK:
            face = FALLBACK[face]  # Word slants or emboldens the face it has
        if (family, face) in installed:
            wanted.setdefault((family, face), set()).update(chars)
    embedded, number = [], 0
    fonts_el = table_part.element if hasattr(table_part, "element") else etree.fromstring(table_part.blob)
    entries = {f.get(qn("w:name")): f for f in fonts_el.findall(qn("w:font"))}
    for family in sorted({f for f, _ in wanted}):
        faces = []
        for face in FACES:
            if (family, face) not in wanted:
                continue
            path = installed[(family, face)]
            info = _font_info(path)
            if info is None:
                continue
            chars = (wanted[(family, face)] | set(ALWAYS) | set(REPERTOIRE)) if info["subset"] else None
            text = "".join(sorted(ch for ch in chars if ord(ch) in info["cmap"])) if chars else ""
            data = subset_font(path, text) if chars else Path(path).read_bytes()
            faces.append((face, data, info))
        if not faces:
            continue
        entry = entries.get(family)
        if entry is None:
            entry = etree.SubElement(fonts_el, qn("w:font"))
            entry.set(qn("w:name"), family)
        _describe(entry, faces[0][2])
        for face, data, info in faces:
            number += 1
            key = font_key(data)
            part = Part(PackURI(f"/word/fonts/font{number}.odttf"), ODTTF_CT, obfuscate(data, key), d.part.package)
            r_id = table_part.relate_to(part, FONT_RT)
            embed = ooxml.set_child(entry, f"embed{face}", FONT_CHILDREN)
            for attr in list(embed.attrib):
                del embed.attrib[attr]
            embed.set(qn("r:id"), r_id)
            embed.set(qn("w:fontKey"), key)
            if info["subset"]:
                embed.set(qn("w:subsetted"), "1")
            embedded.append((family, face, len(data)))
    if not hasattr(table_part, "element"):
        table_part._blob = etree.tostring(fonts_el, xml_declaration=True, encoding="UTF-8", standalone=True)
    if embedded:
        settings = d.settings.element
        ooxml.set_child(settings, "embedTrueTypeFonts", ooxml.SETTINGS)
        ooxml.set_child(settings, "saveSubsetFonts", ooxml.SETTINGS)
    return embedded


def _describe(entry, info: dict) -> None:
    """The font table's description of a family (what Word substitutes by when it cannot use it)."""
    for tag in FONT_CHILDREN[:7]:
        for el in entry.findall(qn(f"w:{tag}")):
            entry.remove(el)
    ooxml.set_child(entry, "panose1", FONT_CHILDREN, val=info["panose"])
    ooxml.set_child(entry, "charset", FONT_CHILDREN, val="00")
    ooxml.set_child(entry, "family", FONT_CHILDREN, val=info["family"])
    ooxml.set_child(entry, "pitch", FONT_CHILDREN, val="variable")
    ooxml.set_child(entry, "sig", FONT_CHILDREN, **{k: f"{v:08X}" for k, v in info["sig"].items()})
