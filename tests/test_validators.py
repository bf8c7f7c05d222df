"""Independent validators on every output: veraPDF (PDF/UA-1 for every PDF of every language,
layout and print variant; PDF/A with --pdf-standard a) and openxml-audit (every Word file).

Each validator runs once over all the files (one JVM for veraPDF), and is calibrated on a
file it must reject, so a validator that accepts everything cannot pass these tests.
"""
from __future__ import annotations

import fcntl
import os
import pickle
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from validators import audit_report, openxml_audit, verapdf

BRIEFS = ["arms-export-oversight", "deca-role", "genocide-recognition"]
LANGS = ["en", "he", "hy"]
# variant -> (build options, file name pattern)
VARIANTS = {
    "brief": (["--format", "pdf,docx"], "{brief}.{ext}"),
    "leave-behind": (["--layout", "leave-behind", "--format", "pdf,docx"], "{brief}.leave-behind.{ext}"),
    "print": (["--format", "pdf", "--print"], "{brief}.print.{ext}"),
    "booklet": (["--format", "pdf", "--booklet"], "{brief}.booklet.{ext}"),
    "pdf-a": (["--format", "pdf", "--layout", "brief,leave-behind", "--pdf-standard", "a"], "{brief}.{ext}"),
}
PDF_A_FLAVOUR = "3a"   # what --pdf-standard a claims: PDF/A-3a (tagged, Unicode) and PDF/UA-1
pytestmark = [pytest.mark.slow, pytest.mark.clients]


def _shared_dir(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _calibration_files(out: Path) -> dict[str, Path]:
    """Files the validators must reject: an untagged PDF, and a Word file whose run style
    is referenced by its name instead of its id (what Word silently drops)."""
    import weasyprint
    untagged = out / "calibration-untagged.pdf"
    weasyprint.HTML(string="<html lang=en><title>t</title><p>Plain, untagged text.</p></html>").write_pdf(untagged)
    bad_docx = out / "calibration-style-name.docx"
    source = out / "brief" / "en" / "deca-role.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(bad_docx, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b'<w:pStyle w:val="Title"/>', b'<w:pStyle w:val="No Such Style"/>', 1)
                assert b"No Such Style" in data
            zout.writestr(item, data)
    return {"untagged": untagged, "style-name": bad_docx}


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """Build every variant once (shared by xdist workers), then validate everything in one pass."""
    shared = _shared_dir(tmp_path_factory)
    out = shared / "validated"
    with open(shared / "validated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = out / "results.pickle"
        if not done.exists():
            for variant, (options, _) in VARIANTS.items():
                code, stdout, stderr = run_cli("build", "--project", str(ROOT), "--out", str(out / variant),
                                               *options)
                assert code == 0, stdout + stderr
            calibration = _calibration_files(out)
            pdfs = sorted(p for p in out.glob("*/*/*.pdf") if not p.parent.parent.name == "pdf-a")
            pdf_a = sorted((out / "pdf-a").glob("*/*.pdf"))
            docx = sorted(out.glob("*/*/*.docx"))
            results = {
                "ua1": verapdf("ua1", [calibration["untagged"], *pdfs, *pdf_a]),
                PDF_A_FLAVOUR: verapdf(PDF_A_FLAVOUR, [calibration["untagged"], *pdf_a]),
                "docx": openxml_audit([calibration["style-name"], *docx]),
            }
            done.write_bytes(pickle.dumps(results))
    return out, pickle.loads(done.read_bytes())


def test_validators_reject_known_bad_files(validated):
    out, results = validated
    untagged = str(out / "calibration-untagged.pdf")
    assert not results["ua1"][untagged].compliant
    assert "7.1-11" in {rule for rule, *_ in results["ua1"][untagged].rules}, "no structure tree: rule 7.1-11"
    assert not results[PDF_A_FLAVOUR][untagged].compliant
    errors = results["docx"][str(out / "calibration-style-name.docx")]
    assert any("No Such Style" in e.description for e in errors), audit_report("calibration", errors)


CASES = [(variant, brief, lang) for variant in VARIANTS for brief in BRIEFS for lang in LANGS]


@pytest.mark.parametrize("variant,brief,lang", CASES)
def test_every_pdf_is_pdf_ua_1(validated, variant, brief, lang):
    out, results = validated
    names = [VARIANTS[variant][1].format(brief=brief, ext="pdf")]
    if variant == "pdf-a":
        names.append(f"{brief}.leave-behind.pdf")
    for name in names:
        result = results["ua1"][str(out / variant / lang / name)]
        assert result.compliant, result.report()


@pytest.mark.parametrize("brief", BRIEFS)
@pytest.mark.parametrize("lang", LANGS)
def test_pdf_standard_a_is_pdf_a(validated, brief, lang):
    out, results = validated
    for name in (f"{brief}.pdf", f"{brief}.leave-behind.pdf"):
        result = results[PDF_A_FLAVOUR][str(out / "pdf-a" / lang / name)]
        assert result.compliant, result.report()


@pytest.mark.parametrize("variant", ["brief", "leave-behind"])
@pytest.mark.parametrize("brief", BRIEFS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_word_file_passes_openxml_audit(validated, variant, brief, lang):
    out, results = validated
    path = str(out / variant / lang / VARIANTS[variant][1].format(brief=brief, ext="docx"))
    assert results["docx"][path] == [], audit_report(path, results["docx"][path])


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
def test_all_marked_content_is_in_the_structure_tree_or_an_artifact(validated, variant, lang):
    """WeasyPrint tags running headers and page numbers as content whose structure elements
    hang outside the tree; they must be artifacts, and every marked content in the tree."""
    import re
    from pypdf import PdfReader
    out, _ = validated
    reader = PdfReader(out / variant / lang / VARIANTS[variant][1].format(brief="deca-role", ext="pdf"))
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
def test_key_facts_have_row_headers_and_links_print_with_their_address(validated, lang):
    from pypdf import PdfReader
    out, _ = validated
    reader = PdfReader(out / "brief" / lang / "deca-role.pdf")
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
