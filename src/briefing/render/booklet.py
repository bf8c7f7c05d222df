"""Booklet imposition: A5 pages, two to a side of an A4 sheet, in the order that gives a
folded handout (pypdf). Right-to-left documents are bound on the right, so each pair
is mirrored."""
from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import (ArrayObject, ContentStream, DecodedStreamObject, DictionaryObject, FloatObject,
                           IndirectObject, NameObject, NullObject, NumberObject, RectangleObject, TextStringObject)

A4_LANDSCAPE = (841.8898, 595.2756)


def booklet_order(pages: int, rtl: bool = False) -> list[tuple[int | None, int | None]]:
    """(left, right) page indexes for each sheet side, front then back; None = blank."""
    total = -(-pages // 4) * 4
    sides = []
    for sheet in range(total // 4):
        outer, inner = total - 1 - 2 * sheet, 2 * sheet
        sides.append((outer, inner))            # front: last page | first page
        sides.append((inner + 1, outer - 1))    # back: second page | second-to-last
    if rtl:
        sides = [(right, left) for left, right in sides]
    return [tuple(i if i < pages else None for i in side) for side in sides]


def impose(source: bytes, rtl: bool = False) -> bytes:
    """The booklet of a PDF of A5 pages: A4 sheet sides, in folding order. A tagged PDF
    stays tagged (see _impose_tagged)."""
    reader = PdfReader(io.BytesIO(source))
    if "/StructTreeRoot" in reader.trailer["/Root"]:
        return _impose_tagged(reader, rtl)
    pages = reader.pages
    sheet_w, sheet_h, x0, y0 = _sheet(pages[0])
    width = float(pages[0].mediabox.width)
    writer = PdfWriter()
    for left, right in booklet_order(len(pages), rtl):
        side = PageObject.create_blank_page(width=sheet_w, height=sheet_h)
        for index, dx in ((left, x0), (right, x0 + width)):
            if index is not None:
                side.merge_transformed_page(pages[index], Transformation().translate(dx, y0))
        writer.add_page(side)
    if reader.metadata:
        writer.add_metadata({k: v for k, v in reader.metadata.items() if k in ("/Title", "/Author", "/Subject")})
    root = reader.trailer["/Root"]
    if "/Lang" in root:
        writer._root_object[NameObject("/Lang")] = TextStringObject(str(root["/Lang"]))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _sheet(page) -> tuple[float, float, float, float]:
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    # an A4 sheet, landscape; two A5 pages (148 mm each) leave half a millimetre at each edge
    sheet_w, sheet_h = max(A4_LANDSCAPE[0], 2 * width), max(A4_LANDSCAPE[1], height)
    return sheet_w, sheet_h, (sheet_w - 2 * width) / 2, (sheet_h - height) / 2


def _impose_tagged(reader: PdfReader, rtl: bool) -> bytes:
    """Imposition that keeps a tagged PDF (PDF/UA) tagged: the two pages of a sheet side
    share one content stream (the second page's marked-content ids shifted past the
    first's), the structure elements point at the sheet (their reading order is the
    document's, whatever the page order), and the parent tree, annotations, links and
    bookmarks follow their pages."""
    writer = PdfWriter(clone_from=reader)
    root = writer._root_object
    struct_root = root["/StructTreeRoot"].get_object()
    parent_tree = struct_root["/ParentTree"].get_object()
    if "/Nums" not in parent_tree:
        raise ValueError("booklet: a parent tree with /Kids is not supported")
    nums = parent_tree["/Nums"]
    old_entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    pages = list(writer.pages)
    old_refs = [p.indirect_reference for p in pages]
    sheet_w, sheet_h, x0, y0 = _sheet(pages[0])
    width = float(pages[0].mediabox.width)

    new_pages, sheet_arrays = [], []
    moved: dict[int, tuple[IndirectObject, float, float, int]] = {}  # old page id -> sheet, dx, dy, mcid shift
    pages_root = root["/Pages"].get_object()
    for left, right in booklet_order(len(pages), rtl):
        sheet = DictionaryObject({NameObject("/Type"): NameObject("/Page"),
                                  NameObject("/Parent"): pages_root.indirect_reference,
                                  NameObject("/MediaBox"): RectangleObject([0, 0, sheet_w, sheet_h])})
        sheet_ref = writer._add_object(sheet)
        data, resources, annots, array = [], DictionaryObject(), ArrayObject(), ArrayObject()
        for index, dx in ((left, x0), (right, x0 + width)):
            if index is None:
                continue
            page = pages[index]
            box = page.mediabox
            shift_x, shift_y = dx - float(box.left), y0 - float(box.bottom)
            shift = len(array)
            key = page.get("/StructParents")
            entries = old_entries.get(int(key), ArrayObject()) if key is not None else ArrayObject()
            array.extend(entries.get_object() if hasattr(entries, "get_object") else entries)
            content = ContentStream(page.get_contents(), writer)
            if shift:
                for operands, operator in content.operations:
                    if operator == b"BDC" and len(operands) == 2 and isinstance(operands[1], DictionaryObject) \
                            and "/MCID" in operands[1]:
                        operands[1][NameObject("/MCID")] = NumberObject(int(operands[1]["/MCID"]) + shift)
            data.append(f"q 1 0 0 1 {shift_x:.4f} {shift_y:.4f} cm\n".encode() + content.get_data() + b"\nQ\n")
            _merge_resources(resources, page["/Resources"].get_object())
            for annot_ref in page.get("/Annots", ArrayObject()):
                annot = annot_ref.get_object()
                r = [float(v) for v in annot["/Rect"]]
                annot[NameObject("/Rect")] = RectangleObject([r[0] + shift_x, r[1] + shift_y, r[2] + shift_x,
                                                              r[3] + shift_y])
                annot[NameObject("/P")] = sheet_ref
                annots.append(annot_ref)
            moved[page.indirect_reference.idnum] = (sheet_ref, shift_x, shift_y, shift)
        stream = DecodedStreamObject()
        stream.set_data(b"".join(data))
        sheet[NameObject("/Contents")] = writer._add_object(stream.flate_encode())
        sheet[NameObject("/Resources")] = resources
        if annots:
            sheet[NameObject("/Annots")] = annots
        sheet[NameObject("/Tabs")] = NameObject("/S")
        sheet[NameObject("/StructParents")] = NumberObject(len(new_pages))
        new_pages.append(sheet_ref)
        sheet_arrays.append(array)

    # structure elements on the sheets; marked-content ids of a sheet's second page shifted
    _move_structure(struct_root, moved)
    # the parent tree: one entry per sheet, then every annotation's, renumbered after them
    new_nums = ArrayObject()
    for i, array in enumerate(sheet_arrays):
        new_nums += [NumberObject(i), writer._add_object(array)]
    next_key = len(sheet_arrays)
    page_keys = {int(p.get("/StructParents")) for p in pages if p.get("/StructParents") is not None}
    for key, value in sorted(old_entries.items()):
        if key in page_keys:
            continue
        target_annot = None
        for ref in [r for p in new_pages for r in p.get_object().get("/Annots", ())]:
            if ref.get_object().get("/StructParent") == key:
                target_annot = ref.get_object()
        if target_annot is not None:
            target_annot[NameObject("/StructParent")] = NumberObject(next_key)
        new_nums += [NumberObject(next_key), value]
        next_key += 1
    parent_tree[NameObject("/Nums")] = new_nums
    struct_root[NameObject("/ParentTreeNextKey")] = NumberObject(next_key)
    # the page tree holds the sheets; destinations (bookmarks, anchors) point at them
    pages_root[NameObject("/Kids")] = ArrayObject(new_pages)
    pages_root[NameObject("/Count")] = NumberObject(len(new_pages))
    _retarget_destinations(writer, moved)
    for ref in old_refs:
        contents = ref.get_object().get("/Contents")
        for item in (contents if isinstance(contents, ArrayObject) else [contents]):
            if isinstance(item, IndirectObject):
                writer._objects[item.idnum - 1] = None
        writer._objects[ref.idnum - 1] = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _merge_resources(into: DictionaryObject, resources: DictionaryObject) -> None:
    for key, value in resources.items():
        value = value.get_object() if isinstance(value, IndirectObject) and key not in ("/Font", "/ColorSpace") \
            else value
        if isinstance(value, DictionaryObject) and isinstance(into.get(key), DictionaryObject):
            for name, item in value.items():
                if name in into[key] and into[key].raw_get(name) != item:
                    raise ValueError(f"booklet: pages name different resources {key}{name}")
                into[key][name] = item
        elif key not in into:
            into[NameObject(key)] = value


def _move_structure(struct_root, moved) -> None:
    """Point structure elements at the sheets and shift the ids of marked content that
    moved to the second half of a sheet (an integer kid belongs to the nearest /Pg)."""
    stack = [(kid, None) for kid in _kids(struct_root)]
    seen: set[int] = set()
    while stack:
        node, inherited = stack.pop()
        obj = node.get_object() if isinstance(node, IndirectObject) else node
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
        if not isinstance(obj, DictionaryObject):
            continue
        page = obj.get("/Pg")
        page_id = page.idnum if isinstance(page, IndirectObject) else inherited
        if isinstance(page, IndirectObject) and page.idnum in moved:
            obj[NameObject("/Pg")] = moved[page.idnum][0]
        if obj.get("/Type") in ("/MCR", "/OBJR"):
            if obj.get("/Type") == "/MCR" and page_id in moved:
                obj[NameObject("/MCID")] = NumberObject(int(obj["/MCID"]) + moved[page_id][3])
            continue
        kids = obj.get("/K")
        if isinstance(kids, int) and not isinstance(kids, bool):
            if page_id in moved:
                obj[NameObject("/K")] = NumberObject(int(kids) + moved[page_id][3])
            continue
        if isinstance(kids, ArrayObject):
            for i, kid in enumerate(kids):
                if isinstance(kid, int) and not isinstance(kid, bool):
                    if page_id in moved:
                        kids[i] = NumberObject(int(kid) + moved[page_id][3])
                else:
                    stack.append((kid, page_id))
        elif kids is not None:
            stack.append((kids, page_id))


def _kids(node) -> list:
    kids = node.get("/K")
    return list(kids) if isinstance(kids, ArrayObject) else ([kids] if kids is not None else [])


def _retarget_destinations(writer, moved) -> None:
    """Explicit destinations [page /XYZ left top zoom] anywhere in the file: the sheet, and
    the position on it."""
    for obj in list(writer._objects):
        if obj is None:
            continue
        stack = [obj]
        while stack:
            item = stack.pop()
            if isinstance(item, DictionaryObject):
                stack += [v for k, v in item.items() if k not in ("/Parent", "/P", "/Pg", "/K")
                          and not isinstance(v, IndirectObject)]
            elif isinstance(item, ArrayObject):
                if len(item) >= 2 and isinstance(item[0], IndirectObject) and item[0].idnum in moved \
                        and isinstance(item[1], NameObject):
                    sheet, dx, dy, _ = moved[item[0].idnum]
                    item[0] = sheet
                    if item[1] == "/XYZ" and len(item) >= 4:
                        if not isinstance(item[2], NullObject):
                            item[2] = FloatObject(float(item[2]) + dx)
                        if not isinstance(item[3], NullObject):
                            item[3] = FloatObject(float(item[3]) + dy)
                else:
                    stack += [v for v in item if not isinstance(v, IndirectObject)]
