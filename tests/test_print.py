"""Print-ready and restylable: leave-behind, paper sizes, print profile, booklet, PDF
standards, preflight, template sets, branding and the Word document's accessibility.

The leave-behinds are the sample build's (conftest's `samples`); the print-shop PDFs and
booklets are conftest's `print_shop` (every language, the briefs taken in turn), and
--pdf-standard a is conftest's `pdf_a`: each is made once per run and shared with
test_validators.py. Single documents are rendered in the test's process (--jobs 0)."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pdfplumber
import pytest
from lxml import etree
from pypdf import PdfReader

from briefing.render.booklet import booklet_order
from conftest import PDF_A, PRINT_SHOP, ROOT, need, run_cli

BRIEFS = ["arms-export-oversight", "deca-role", "genocide-recognition"]
LANGS = ["en", "he", "hy"]
MM = 72 / 25.4
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def build(*args: str, project: Path = ROOT) -> tuple[int, str]:
    code, out, err = run_cli("build", "--project", str(project), "--jobs", "0", *args)
    return code, out + err


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("brief", BRIEFS)
def test_leave_behind_is_one_page_in_every_language(samples, brief, lang):
    reader = PdfReader(samples / lang / f"{brief}.leave-behind.pdf")
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert re.search(r"\b69%|\b2006\b|\b1915\b", text), "its key facts are on it"


def test_leave_behind_and_brief_on_letter(tmp_path):
    code, log = build("--layout", "brief,leave-behind", "--format", "pdf", "--paper", "letter", "--out",
                      str(tmp_path), "--brief", "deca-role", "--lang", "hy")
    assert code == 0, log
    for name in ("deca-role.pdf", "deca-role.leave-behind.pdf"):
        box = PdfReader(tmp_path / "hy" / name).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_leave_behind_that_overflows_says_which_part(tmp_path):
    project = tmp_path / "p"
    for name in ("briefs", "sources", "locales", "templates"):
        shutil.copytree(ROOT / name, project / name)
    brief = project / "briefs" / "deca-role.yaml"
    asks = "".join(f"  - to: ministry number {i}\n    ask: Publish every licence granted since {{deca_since}}, with its "
                   f"destination, value and end user, and explain each refusal in writing.\n" for i in range(12))
    brief.write_text(brief.read_text().replace("recommendations:\n", "recommendations:\n" + asks))
    code, log = build("--layout", "leave-behind", "--format", "pdf", "--lang", "en", "--brief", "deca-role",
                      "--out", str(tmp_path / "o"), project=project)
    assert code == 1
    assert "briefs/deca-role.yaml: error: the leave-behind does not fit on one page in en; what reaches page 2: " \
           "asks" in log
    assert not (tmp_path / "o" / "en" / "deca-role.leave-behind.pdf").exists()
    # the Word leave-behind is the same document: it is refused for the same reason, not left on two pages
    code, log = build("--layout", "leave-behind", "--format", "docx", "--lang", "en", "--brief", "deca-role",
                      "--out", str(tmp_path / "w"), project=project)
    assert code == 1 and "deca-role.leave-behind.docx" in log, log
    assert "the leave-behind does not fit on one page in en; what reaches page 2: asks" in log
    assert not (tmp_path / "w" / "en" / "deca-role.leave-behind.docx").exists()


@pytest.mark.parametrize("lang", LANGS)
def test_print_profile_has_bleed_trim_and_crop_marks(print_shop, lang):
    reader = PdfReader(print_shop / lang / f"{PRINT_SHOP[lang]}.print.pdf")
    for page in reader.pages:
        trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
        assert (float(trim.width), float(trim.height)) == pytest.approx((595.28, 841.89), abs=0.5)
        assert float(bleed.left) == pytest.approx(float(trim.left) - 3 * MM, abs=0.1)
        assert float(bleed.right) == pytest.approx(float(trim.right) + 3 * MM, abs=0.1)
        assert float(media.left) < float(bleed.left) and float(media.top) > float(bleed.top)
        data = page.get_contents().get_data().decode("latin-1")
        marks = re.findall(r"^-?[\d.]+ -?[\d.]+ m -?[\d.]+ -?[\d.]+ l S$", data, re.M)
        assert len(marks) == 8, "two marks at each corner"


@pytest.mark.parametrize("lang,rtl", [("en", False), ("he", True), ("hy", False)])
def test_booklet_pages_in_folding_order(print_shop, lang, rtl):
    path = print_shop / lang / f"{PRINT_SHOP[lang]}.booklet.pdf"
    with pdfplumber.open(str(path)) as pdf:
        sides = pdf.pages
        width = float(sides[0].width)
        assert width == pytest.approx(841.89, abs=1) and float(sides[0].height) == pytest.approx(595.28, abs=1)
        numbers = []
        for side in sides:
            halves = []
            for x0 in (0, width / 2):
                text = side.crop((x0, 0, x0 + width / 2, side.height)).extract_text() or ""
                found = re.findall(r"\b(\d+)\s*(?:of|/)\s*\d+\b", text)  # "Page 2 of 5", "Էջ 2/5"
                found += re.findall(r"\d+\s*ךותמ\s*(\d+)", text)  # Hebrew, extracted in visual order
                halves.append(int(found[-1]) - 1 if found else None)
            numbers.append(tuple(halves))
    pages = max(n for pair in numbers for n in pair if n is not None) + 1
    expected = booklet_order(pages, rtl)
    assert numbers == [tuple(i if i is not None and i < pages else None for i in pair) for pair in expected]
    assert len(sides) == -(-pages // 4) * 2


def test_booklet_order_rules():
    assert booklet_order(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]
    assert booklet_order(5) == [(None, 0), (1, None), (None, 2), (3, 4)]
    assert booklet_order(4, rtl=True) == [(0, 3), (2, 1)]


@pytest.mark.parametrize("standard,keys", [("ua", {"/StructTreeRoot", "/MarkInfo", "/Metadata", "/Lang"}),
                                           ("a", {"/OutputIntents", "/Metadata", "/Lang"})])
def test_pdf_standards(tmp_path, pdf_a, standard, keys):
    if standard == "a":   # made once, for test_validators.py too
        path = pdf_a / "he" / f"{PDF_A['he']}.pdf"
    else:
        code, log = build("--pdf-standard", standard, "--format", "pdf", "--lang", "he", "--brief", "deca-role",
                          "--out", str(tmp_path))
        assert code == 0, log
        path = tmp_path / "he" / "deca-role.pdf"
    root = PdfReader(path).trailer["/Root"]
    assert keys <= set(root.keys()) and root["/Lang"] == "he"
    need("pdffonts")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)


def test_metadata_title_language_author(samples):
    reader = PdfReader(samples / "he" / "deca-role.leave-behind.pdf")
    assert reader.metadata.title.startswith("מה בודק") and reader.metadata.author == "Briefing samples"
    assert reader.trailer["/Root"]["/Lang"] == "he"


def test_preflight_refuses_a_font_the_template_does_not_name(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(ROOT / "tests" / "fixtures" / "project", project)
    code, out, err = run_cli("template", "init", str(project / "templates" / "odd"), "--project", str(project))
    assert code == 0, err
    css = project / "templates" / "odd" / "style.css"
    css.write_text(css.read_text() + '\n.claim { font-family: "No Such Font Anywhere", monospace; }\n')
    code, log = build("--template", "odd", "--format", "pdf", "--out", str(tmp_path / "o"), project=project)
    assert code == 1
    assert re.search(r"error: the PDF would use the font '[^']+', which the template does not name", log), log
    assert not (tmp_path / "o" / "en" / "good.pdf").exists()


def test_copied_template_restyles_font_colours_logo_and_word_styles(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(ROOT / "tests" / "fixtures" / "project", project)
    (project / "assets").mkdir()
    shutil.copy(ROOT / "assets" / "logo.svg", project / "assets" / "logo.svg")
    shutil.copy(ROOT / "assets" / "logo.png", project / "assets" / "logo.png")
    (project / "briefing.toml").write_text('[organization]\nname = "Partner Group"\nlogo = "assets/logo.svg"\n\n'
                                           '[colors]\nprimary = "#006400"\n\n[build]\ntemplate = "partner"\n')
    code, out, err = run_cli("template", "init", "templates/partner", "--project", str(project), cwd=project)
    assert code == 0 and "template: partner" in out, err
    style = project / "templates" / "partner" / "template.toml"
    style.write_text(style.read_text().replace("# [fonts]\n# text = \"serif\"", "[fonts]\ntext = \"sans\""))
    ref = project / "templates" / "partner" / "reference.docx"
    d = docx.Document(str(ref))
    d.styles["Heading 1"].font.size = docx.shared.Pt(21)
    d.save(str(ref))
    code, log = build("--format", "pdf,docx,html", "--out", str(tmp_path / "o"), project=project)
    assert code == 0, log
    html = (tmp_path / "o" / "en" / "good.html").read_text()
    assert "#006400" in html and 'src="data:image/svg+xml;base64,' in html  # the logo, carried in the file
    need("pdffonts")
    fonts = subprocess.run(["pdffonts", str(tmp_path / "o" / "en" / "good.pdf")], capture_output=True, text=True,
                           check=True).stdout
    assert "Noto-Sans" in fonts and "Noto-Serif" not in fonts
    out_doc = docx.Document(str(tmp_path / "o" / "en" / "good.docx"))
    assert out_doc.styles["Heading 1"].font.size == docx.shared.Pt(21)  # the reference document's styles
    assert out_doc.styles["Normal"].font.name in (None, "Noto Sans")  # template.toml's sans text, in Word too
    assert 'w:ascii="Noto Sans"' in zipfile.ZipFile(tmp_path / "o" / "en" / "good.docx").read(
        "word/styles.xml").decode().split("</w:docDefaults>")[0]
    assert str(out_doc.styles["Heading 1"].font.color.rgb) == "006400"  # the branding colour, in Word too
    with zipfile.ZipFile(tmp_path / "o" / "en" / "good.docx") as z:
        assert any(n.startswith("word/media/") and n.endswith(".png") for n in z.namelist())


def test_template_init_refuses_to_overwrite(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(ROOT / "tests" / "fixtures" / "project", project)
    target = project / "templates" / "mine"
    assert run_cli("template", "init", str(target), "--project", str(project))[0] == 0
    code, out, err = run_cli("template", "init", str(target), "--project", str(project))
    assert code == 1 and "exists and is not empty" in err


@pytest.mark.parametrize("lang", LANGS)
def test_word_headings_in_order_alt_text_and_languages(samples, lang):
    path = samples / lang / "arms-export-oversight.docx"
    d = docx.Document(str(path))
    levels = [0 if p.style.name == "Title" else int(p.style.name.split()[-1]) for p in d.paragraphs
              if p.style.name == "Title" or p.style.name.startswith("Heading ")]
    assert levels[0] == 0 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    with zipfile.ZipFile(path) as z:
        document = etree.fromstring(z.read("word/document.xml"))
        pictures = document.findall(".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")
        assert pictures and all(p.get("descr") for p in pictures)
        for part in ("word/document.xml", "word/footnotes.xml", "word/header1.xml", "word/footer1.xml"):
            if part not in z.namelist():
                continue
            for run in etree.fromstring(z.read(part)).iter(f"{W}r"):
                if "".join(t.text or "" for t in run.iter(f"{W}t")).strip():
                    assert run.find(f"{W}rPr/{W}lang") is not None, (part, etree.tostring(run)[:200])


@pytest.mark.slow
def test_facts_box_and_quotes_are_never_split():
    from briefing.pipeline import compose, load_project
    from briefing.project import Project
    from briefing.render import pdf
    from briefing.render.html import render_html
    from briefing.render.templates import find_template
    project = Project.open(ROOT)
    for brief in BRIEFS:
        for lang in LANGS:
            loaded = load_project(project, [brief])
            doc = compose(loaded, brief, lang).document
            result = render_html(doc, project, find_template(project, None))
            rendered = pdf.render(result.html, result.base, find_template(project, None).allowed_roots(project),
                                  shown="x")
            for css_class in ("facts", "pull-quote"):
                pages = {i for i, page in enumerate(rendered.pages) for box in page._page_box.descendants()
                         if css_class in ((getattr(box, "element", None) is not None and
                                           box.element.get("class")) or "").split()}
                assert len(pages) <= 1, (brief, lang, css_class, pages)


@pytest.mark.clients
@pytest.mark.parametrize("lang", LANGS)
def test_word_leave_behind_is_one_page(samples, lang, tmp_path):
    from conftest import soffice_pdf
    for brief in BRIEFS:
        pdf = soffice_pdf(samples / lang / f"{brief}.leave-behind.docx", tmp_path)
        assert len(PdfReader(pdf).pages) == 1, brief
