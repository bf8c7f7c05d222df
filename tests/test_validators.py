"""Independent validators on every output: veraPDF (PDF/UA-1 for PDFs of every language,
layout and print variant; PDF/A with --pdf-standard a) and openxml-audit (every Word file).

Which files: the plain brief and the leave-behind of every brief in every language (PDF and
Word: the sample build), and, for the print-shop PDF, the booklet and --pdf-standard a (brief
and leave-behind), every language with the briefs taken in turn (conftest's PRINT_SHOP and
PDF_A), so each variant is validated in every language and on every brief, without
rendering each variant of the whole matrix: a variant changes the page set-up, marks and
metadata, not what a language or a brief does to the tags.

Each validator runs once over all its files (one JVM for veraPDF, for both flavours), and is
calibrated on a file it must reject, so a validator that accepts everything cannot pass
these tests. The two calibration tests run first (marked `first`) and each makes its
validator's results for every file; the other tests read them (conftest's ordering), so the
two validators run side by side on two workers while no worker waits for them.
"""
from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

import pytest

from conftest import PDF_A, PRINT_SHOP, made_once, shared_dir
from validators import audit_report, openxml_audit, verapdf_each

BRIEFS = ["arms-export-oversight", "deca-role", "genocide-recognition"]
LANGS = ["en", "he", "hy"]
PDF_A_FLAVOUR = "3a"   # what --pdf-standard a claims: PDF/A-3a (tagged, Unicode) and PDF/UA-1
pytestmark = [pytest.mark.slow, pytest.mark.clients]


def pdf_path(variant: str, brief: str, lang: str, samples: Path, print_shop: Path, pdf_a: Path | None) -> Path:
    """Where each variant's PDF is: brief and leave-behind in the sample build, the others in theirs."""
    return {"brief": samples / lang / f"{brief}.pdf",
            "leave-behind": samples / lang / f"{brief}.leave-behind.pdf",
            "print": print_shop / lang / f"{brief}.print.pdf",
            "booklet": print_shop / lang / f"{brief}.booklet.pdf",
            "pdf-a": pdf_a and pdf_a / lang / f"{brief}.pdf",
            "pdf-a-leave-behind": pdf_a and pdf_a / lang / f"{brief}.leave-behind.pdf"}[variant]


CASES = [(variant, brief, lang) for variant in ("brief", "leave-behind") for brief in BRIEFS for lang in LANGS]
CASES += [(variant, PRINT_SHOP[lang], lang) for variant in ("print", "booklet") for lang in LANGS]
CASES += [(variant, PDF_A[lang], lang) for variant in ("pdf-a", "pdf-a-leave-behind") for lang in LANGS]


def _untagged_pdf(out: Path) -> Path:
    """A PDF the validators must reject: no structure tree."""
    import weasyprint
    untagged = out / "calibration-untagged.pdf"
    weasyprint.HTML(string="<html lang=en><title>t</title><p>Plain, untagged text.</p></html>").write_pdf(untagged)
    return untagged


def _style_by_name_docx(out: Path, source: Path) -> Path:
    """A Word file the validator must reject: its run style is referenced by its name instead
    of its id (what Word silently drops)."""
    bad_docx = out / "calibration-style-name.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(bad_docx, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b'<w:pStyle w:val="Title"/>', b'<w:pStyle w:val="No Such Style"/>', 1)
                assert b"No Such Style" in data
            zout.writestr(item, data)
    return bad_docx


@pytest.fixture(scope="module")
def vera(tmp_path_factory, samples, print_shop, pdf_a):
    """veraPDF's results: PDF/UA-1 for every case, PDF/A for --pdf-standard a; made once per run."""
    def validate(out: Path) -> None:
        untagged = _untagged_pdf(out)
        pdfs = [pdf_path(*case, samples, print_shop, pdf_a) for case in CASES]
        archived = [pdf_path(v, PDF_A[lang], lang, samples, print_shop, pdf_a)
                    for v in ("pdf-a", "pdf-a-leave-behind") for lang in LANGS]
        results = verapdf_each({"ua1": [untagged, *pdfs], PDF_A_FLAVOUR: [untagged, *archived]})
        (out / "results.pickle").write_bytes(pickle.dumps(results))
    out = made_once(shared_dir(tmp_path_factory), "verapdf", validate)
    return out, pickle.loads((out / "results.pickle").read_bytes())


@pytest.fixture(scope="module")
def audited(tmp_path_factory, samples):
    """openxml-audit's errors for every Word file of the samples; made once per run."""
    def audit(out: Path) -> None:
        bad = _style_by_name_docx(out, samples / "en" / "deca-role.docx")
        results = openxml_audit([bad, *sorted(samples.glob("*/*.docx"))])
        (out / "results.pickle").write_bytes(pickle.dumps(results))
    out = made_once(shared_dir(tmp_path_factory), "openxml-audit", audit)
    return out, pickle.loads((out / "results.pickle").read_bytes())


@pytest.mark.first
def test_verapdf_rejects_a_known_bad_file(vera):
    out, results = vera
    untagged = str(out / "calibration-untagged.pdf")
    assert not results["ua1"][untagged].compliant
    assert "7.1-11" in {rule for rule, *_ in results["ua1"][untagged].rules}, "no structure tree: rule 7.1-11"
    assert not results[PDF_A_FLAVOUR][untagged].compliant


@pytest.mark.first
def test_openxml_audit_rejects_a_known_bad_file(audited):
    out, results = audited
    errors = results[str(out / "calibration-style-name.docx")]
    assert any("No Such Style" in e.description for e in errors), audit_report("calibration", errors)


@pytest.mark.parametrize("variant,brief,lang", CASES)
def test_every_pdf_is_pdf_ua_1(vera, samples, print_shop, pdf_a, variant, brief, lang):
    _, results = vera
    result = results["ua1"][str(pdf_path(variant, brief, lang, samples, print_shop, pdf_a))]
    assert result.compliant, result.report()


@pytest.mark.parametrize("variant", ["pdf-a", "pdf-a-leave-behind"])
@pytest.mark.parametrize("lang", LANGS)
def test_pdf_standard_a_is_pdf_a(vera, samples, print_shop, pdf_a, variant, lang):
    _, results = vera
    result = results[PDF_A_FLAVOUR][str(pdf_path(variant, PDF_A[lang], lang, samples, print_shop, pdf_a))]
    assert result.compliant, result.report()


@pytest.mark.parametrize("layout", ["", ".leave-behind"])
@pytest.mark.parametrize("brief", BRIEFS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_word_file_passes_openxml_audit(audited, samples, layout, brief, lang):
    _, results = audited
    path = str(samples / lang / f"{brief}{layout}.docx")
    assert results[path] == [], audit_report(path, results[path])


# --- what veraPDF does not check, or checks only in part --------------------------------------

def _struct(reader):
    """(reachable structure elements by id number, the parent tree's page arrays)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    reachable: dict[int, DictionaryObject] = {}
    stack = list(root["/K"]) if isinstance(root["/K"], ArrayObject) else [root["/K"]]
    while stack:
        ref = stack.pop()
        if not isinstance(ref, IndirectObject) or ref.idnum in reachable:
            continue
        element = ref.get_object()
        reachable[ref.idnum] = element
        kids = element.get("/K")
        stack += list(kids) if isinstance(kids, ArrayObject) else [kids]
    nums = root["/ParentTree"].get_object()["/Nums"]
    return reachable, {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


@pytest.mark.parametrize("variant", ["brief", "leave-behind", "print", "booklet"])
@pytest.mark.parametrize("lang", LANGS)
def test_all_marked_content_is_in_the_structure_tree_or_an_artifact(samples, print_shop, variant, lang):
    """WeasyPrint tags running headers and page numbers as content whose structure elements
    hang outside the tree; they must be artifacts, and every marked content in the tree."""
    import re
    from pypdf import PdfReader
    brief = "deca-role" if variant in ("brief", "leave-behind") else PRINT_SHOP[lang]
    reader = PdfReader(pdf_path(variant, brief, lang, samples, print_shop, None))
    reachable, tree = _struct(reader)
    artifacts = 0
    for page in reader.pages:
        data = page.get_contents().get_data()
        artifacts += len(re.findall(rb"/Artifact", data))
        array = tree[int(page["/StructParents"])].get_object()
        for mcid in map(int, re.findall(rb"/MCID (\d+)", data)):
            ref = array[mcid]
            assert getattr(ref, "idnum", None) in reachable, f"MCID {mcid} is outside the structure tree"
    assert artifacts >= len(reader.pages)   # at least the page number on every page


@pytest.mark.parametrize("lang", LANGS)
def test_key_facts_have_row_headers_and_links_print_with_their_address(samples, lang):
    from pypdf import PdfReader
    reader = PdfReader(samples / lang / "deca-role.pdf")
    reachable, _ = _struct(reader)
    kinds = [str(e.get("/S")) for e in reachable.values()]
    assert kinds.count("/TH") >= 3, "the key facts' values are row headers"
    cells = [e for e in reachable.values() if e.get("/S") == "/TD"]
    assert cells and all(e["/A"].get("/Headers") for e in cells), "every cell names its header"
    links = [a.get_object() for page in reader.pages for a in page.get("/Annots", [])
             if a.get_object().get("/Subtype") == "/Link"]
    assert links and all(int(a["/F"]) & 4 for a in links), "link annotations print"
    uris = {str(a["/A"].get("/URI")) for a in links if "/A" in a}
    assert {"https://example.org", "mailto:briefings@example.org"} <= uris, "the contact's web and mail addresses"
