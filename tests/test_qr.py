"""QR codes on paper (SPEC §6 "QR codes", issue 22 item 3), decoded with a real decoder
(zbar's ``zbarimg``, Debian ``zbar-tools``) from what users get: the compilation PDF
rasterised by poppler's ``pdftoppm``, and site and experience pages printed to PDF by
Chromium. Each code must decode to the page's absolute URL; without ``site_url`` there is
none; on screen the printed code is not shown."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from browser_support import DESKTOP, chromium, require_chromium, serve
from conftest import copy_minimal
from test_site_support import SAMPLE, cached_build, run_cli

from generator.base.qr import FAST_MASK, qr_png, qr_svg, qr_svg_data_uri, short_url
from generator.pdf.render import experience_url
from generator.site import urls
from generator.site.opendata import absolute

SITE_URL = yaml.safe_load((SAMPLE / "program.yml").read_text(encoding="utf-8"))["site_url"]


def zbar(image: Path) -> list[str]:
    """Every QR code zbarimg finds in ``image`` (PNG)."""
    assert shutil.which("zbarimg"), "zbarimg is missing: run scripts/setup.sh (zbar-tools)"
    result = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable",
                             str(image)], capture_output=True, text=True, check=False)
    assert result.returncode in (0, 4), result.stderr  # 4: no code in this image
    return [line for line in result.stdout.splitlines() if line]


def pdf_pages_codes(pdf: Path, work: Path, dpi: int = 150) -> list[list[str]]:
    """The codes on each page of ``pdf`` (rasterised at ``dpi``), page by page."""
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(work / "p")], check=True)
    return [zbar(page) for page in sorted(work.glob("p-*.png"))]


# ---------------------------------------------------------------- the module

def test_codes_decode_to_their_text(tmp_path: Path) -> None:
    texts = ["https://dj.example.cn/sites/chengnan-taohua-cun/",
             "https://dj.example.cn/experiences/" + "a-very-long-experience-id-" * 2 + "x/"]
    for i, text in enumerate(texts):
        png = tmp_path / f"{i}.png"
        png.write_bytes(qr_png(text, 240))
        assert zbar(png) == [text]


@pytest.mark.parametrize("n", range(40))
def test_the_fast_mask_decodes_like_the_best_one(tmp_path: Path, n: int) -> None:
    """Site pages use a fixed mask (five times faster); any mask must decode."""
    import segno

    text = f"https://dj.example.cn/sites/unit-{n * 7919 % 1000:03d}-{'x' * (n % 23)}/"
    png = tmp_path / "c.png"
    segno.make(text, error="m", micro=False, mask=FAST_MASK).save(str(png), scale=3, border=4)
    assert zbar(png) == [text]


def test_codes_are_deterministic_vector_and_sized_by_the_page() -> None:
    url = "https://dj.example.cn/sites/x/"
    svg = qr_svg(url, mask=FAST_MASK)
    assert svg == qr_svg(url, mask=FAST_MASK) and qr_png(url) == qr_png(url)
    assert svg.startswith("<svg ") and "viewBox=" in svg
    assert not re.search(r"<svg[^>]* (width|height)=", svg)  # the stylesheet sizes it
    assert "style=" not in svg and "<script" not in svg  # nothing a strict CSP refuses
    assert qr_svg_data_uri(url).startswith("data:image/svg+xml;base64,")
    assert short_url("https://dj.example.cn/experiences/x/") == "dj.example.cn/experiences/x/"


def test_pdf_and_site_agree_on_an_experience_address() -> None:
    assert experience_url(SITE_URL, "abc") == absolute(SITE_URL, urls.experience("abc"))


# ---------------------------------------------------------------- the compilation PDF

def test_each_chapter_of_the_pdf_carries_its_pages_code(tmp_path: Path) -> None:
    out = tmp_path / "pdf"
    result = run_cli("compile", "--data", str(SAMPLE), "--out", str(out))
    assert result.returncode == 0, result.stderr
    from generator.data.loader import load
    from generator.rules.audience import view
    from generator.rules.compilation import select_experiences

    public = view(load(SAMPLE), "public")
    for pdf in sorted(out.glob("*.pdf")):
        pages = pdf_pages_codes(pdf, tmp_path / pdf.stem)
        found = [code for codes in pages for code in codes]
        # One code per chapter, in the compilation's order.
        expected = [experience_url(SITE_URL, ident) for ident in
                    select_experiences(public, public.compilations[pdf.stem])]
        assert found, f"{pdf.name}: no QR code decoded"
        assert found == expected, pdf.name
        assert all(len(codes) <= 1 for codes in pages), "at most one code per page"


def test_no_code_without_site_url(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    assert "site_url" not in (data / "program.yml").read_text(encoding="utf-8")
    out = tmp_path / "pdf"
    result = run_cli("compile", "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    pages = pdf_pages_codes(next(out.glob("*.pdf")), tmp_path / "pages")
    assert not any(pages)


# ---------------------------------------------------------------- printed pages

@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cached_build(tmp_path_factory, SAMPLE)


def _first(folder: Path) -> str:
    return sorted(p.parent.name for p in folder.glob("*/index.html")
                  if not p.parent.name.startswith(("by_", "page_")))[0]


def test_printed_site_and_experience_pages_carry_their_code(sample_site: Path,
                                                            tmp_path: Path) -> None:
    require_chromium()
    pages = [urls.site(_first(sample_site / "sites")),
             urls.experience(_first(sample_site / "experiences"))]
    with serve(sample_site) as base, chromium() as browser:
        for i, path in enumerate(pages):
            page = browser.new_page(viewport=DESKTOP)
            page.goto(f"{base}/{path}", wait_until="load")
            assert not page.locator(".sc-print-qr").is_visible(), "the code shows on screen"
            pdf = tmp_path / f"{i}.pdf"
            pdf.write_bytes(page.pdf(format="A4", print_background=True))
            found = [c for codes in pdf_pages_codes(pdf, tmp_path / f"{i}") for c in codes]
            wanted = absolute(SITE_URL, path)
            assert found == [wanted], path
            page.emulate_media(media="print")
            assert page.locator(".sc-print-qr").is_visible()
            assert page.locator(".sc-print-qr__url").inner_text() == short_url(wanted)
            page.close()


def test_no_printed_code_without_site_url(tmp_path_factory: pytest.TempPathFactory) -> None:
    from test_site_support import MINIMAL

    site = cached_build(tmp_path_factory, MINIMAL)
    text = (site / "sites" / "chengnan-taohua-cun" / "index.html").read_text(encoding="utf-8")
    assert "sc-print-qr" not in text


# ---------------------------------------------------------------- the year on paper

def docx_codes(docx: Path, work: Path) -> list[str]:
    """What zbarimg reads from each QR picture of a Word file (in the order they appear)."""
    import re
    import zipfile

    work.mkdir(parents=True, exist_ok=True)
    found = []
    with zipfile.ZipFile(docx) as package:
        document = package.read("word/document.xml").decode("utf-8")
        rels = package.read("word/_rels/document.xml.rels").decode("utf-8")
        targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
        for rid in re.findall(r'descr="二维码[^"]*".*?r:embed="([^"]+)"', document, re.S):
            image = work / f"{rid}.png"
            image.write_bytes(package.read(f"word/{targets[rid]}"))
            found += zbar(image)
    return found


def test_the_annual_report_and_compilation_word_file_carry_their_codes(tmp_path: Path) -> None:
    """The annual report (PDF and .docx) and each chapter of a compilation's .docx lead back
    to their page on the web: decoded with zbar from the pictures and the printed pages."""
    from test_site_support import SAMPLE, run_cli

    site_url = "https://dangjian.example.cn/"
    out = tmp_path / "annual"
    result = run_cli("annual", "2025", "--data", str(SAMPLE), "--as-of", "2026-11-28",
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert docx_codes(out / "annual-2025.docx", tmp_path / "d") == [f"{site_url}reports/2025/"]
    codes = [c for page in pdf_pages_codes(out / "annual-2025.pdf", tmp_path / "p") for c in page]
    assert codes == [f"{site_url}reports/2025/"]
    site = tmp_path / "site"
    built = run_cli("build", "--data", str(SAMPLE), "--out", str(site), "--as-of", "2026-11-28",
                    timeout=900)
    assert built.returncode == 0, built.stderr
    docx = next((site / "compilations").glob("*.docx"))
    ident = docx.stem
    chapters = docx_codes(docx, tmp_path / "c")
    assert chapters and all(c.startswith(f"{site_url}experiences/") for c in chapters)
    page = (site / "compilations" / ident / "index.html").read_text(encoding="utf-8")
    assert all(c.removeprefix(site_url).removeprefix("experiences/").rstrip("/") in page
               for c in chapters)
