"""Reading the printed documents back the way their users do (no tests here):

* Word files with python-docx (page, grid, fonts, headings, TOC field, tables) and through
  LibreOffice headless, which turns them into a PDF as an office would print them;
* PDFs with poppler (``pdftotext``, ``pdffonts``, ``pdfinfo``);
* calendars with ``icalendar`` and with ``ical``, a second parser written independently.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EMU_PER_MM = 36000


# ---------------------------------------------------------------- Word

def docx_tables(path: Path) -> list[list[list[str]]]:
    """Every table of the document as rows of cell texts (python-docx)."""
    import docx

    document = docx.Document(str(path))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def docx_text(path: Path) -> str:
    """All paragraph and table text (python-docx)."""
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@dataclass
class DocxFacts:
    page_mm: tuple[float, float]
    margins_mm: tuple[float, float, float, float]   # top, right, bottom, left
    grid: dict[str, str]
    runs: int
    runs_without_east_asian_font: list[str]
    theme_east_asian: list[str]
    theme_scripts: list[str]
    theme_lang_east_asia: str
    headings: list[tuple[str, str]]                 # (style id, text)
    toc_fields: int
    update_fields: bool
    tables: int
    tables_without_grid: int
    tables_width_mismatch: int
    pictures: int
    picture_widths_mm: list[float]
    qr_codes: int
    footer_page_fields: int
    styles_fonts: dict[str, str]                    # style id -> eastAsia font


def docx_facts(path: Path) -> DocxFacts:
    import docx
    from lxml import etree

    document = docx.Document(str(path))
    section = document.sections[0]

    def mm(value: Any) -> float:
        return round(int(value) / EMU_PER_MM, 1)

    body = document.element.body
    sect = body.find(f"{W}sectPr")
    grid_el = sect.find(f"{W}docGrid")
    grid = {etree.QName(k).localname: v for k, v in grid_el.attrib.items()}
    runs = 0
    missing = []
    for run in body.iter(f"{W}r"):
        text = "".join(t.text or "" for t in run.iter(f"{W}t"))
        if not text.strip():
            continue
        runs += 1
        fonts = run.find(f"{W}rPr/{W}rFonts")
        if fonts is None or not fonts.get(f"{W}eastAsia"):
            missing.append(text)
    headings = []
    for p in document.paragraphs:
        style = p._p.pPr.pStyle.val if p._p.pPr is not None and p._p.pPr.pStyle is not None else ""
        if style.startswith("Heading") or style in ("Title", "ChapterTitle"):
            headings.append((style, p.text))
    instr = " ".join(t.text or "" for t in body.iter(f"{W}instrText"))
    with zipfile.ZipFile(path) as package:
        theme = package.read("word/theme/theme1.xml").decode("utf-8")
        settings = package.read("word/settings.xml").decode("utf-8")
        footers = [package.read(n).decode("utf-8") for n in package.namelist()
                   if n.startswith("word/footer")]
    theme_ea = re.findall(r'<a:ea typeface="([^"]*)"', theme)
    scripts = re.findall(r'<a:font script="([^"]+)"', theme)
    lang = re.search(r'<w:themeFontLang [^>]*w:eastAsia="([^"]+)"', settings)
    tables = body.findall(f"{W}tbl")
    no_grid = mismatch = 0
    for tbl in tables:
        cols = [int(c.get(f"{W}w")) for c in tbl.findall(f"{W}tblGrid/{W}gridCol")]
        width = tbl.find(f"{W}tblPr/{W}tblW")
        if not cols or width is None:
            no_grid += 1
        elif int(width.get(f"{W}w")) != sum(cols):
            mismatch += 1
    wp = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    widths, codes = [], 0
    for inline in body.iter(f"{wp}inline"):
        if (inline.find(f"{wp}docPr").get("descr") or "").startswith("二维码"):
            codes += 1  # the QR code of a chapter's or report's web page, not a photo
            continue
        widths.append(round(int(inline.find(f"{wp}extent").get("cx")) / EMU_PER_MM, 1))
    styles = {}
    for style in document.styles.element.findall(f"{W}style"):
        fonts = style.find(f"{W}rPr/{W}rFonts")
        if fonts is not None and fonts.get(f"{W}eastAsia"):
            styles[style.get(f"{W}styleId")] = fonts.get(f"{W}eastAsia")
    return DocxFacts(
        page_mm=(mm(section.page_width), mm(section.page_height)),
        margins_mm=(mm(section.top_margin), mm(section.right_margin), mm(section.bottom_margin),
                    mm(section.left_margin)),
        grid=grid, runs=runs, runs_without_east_asian_font=missing, theme_east_asian=theme_ea,
        theme_scripts=scripts, theme_lang_east_asia=lang.group(1) if lang else "",
        headings=headings, toc_fields=len(re.findall(r"\bTOC\b", instr)),
        update_fields='<w:updateFields w:val="true"/>' in settings, tables=len(tables),
        tables_without_grid=no_grid, tables_width_mismatch=mismatch, pictures=len(widths),
        picture_widths_mm=widths, qr_codes=codes,
        footer_page_fields=sum(f.count("PAGE") for f in footers), styles_fonts=styles)


def libreoffice() -> str:
    found = shutil.which("libreoffice") or shutil.which("soffice")
    assert found, "LibreOffice is not installed: run scripts/setup.sh (libreoffice-writer-nogui)"
    return found


def convert_with_libreoffice(docx_path: Path, out_dir: Path) -> Path:
    """The PDF LibreOffice headless prints of a Word file (a private profile per call, so
    that tests on two cores do not share one)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / f".lo-profile-{uuid.uuid4().hex}"
    env = {**os.environ, "HOME": str(out_dir)}
    proc = subprocess.run(
        [libreoffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out_dir), str(docx_path)],
        capture_output=True, text=True, timeout=240, env=env, check=False)
    shutil.rmtree(profile, ignore_errors=True)
    pdf = out_dir / (docx_path.stem + ".pdf")
    assert proc.returncode == 0 and pdf.is_file(), proc.stdout + proc.stderr
    return pdf


# ---------------------------------------------------------------- PDF

def pdftotext(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return out


def squashed_text(path: Path) -> str:
    """The PDF's text without any white space (LibreOffice spaces out CJK text)."""
    return re.sub(r"\s+", "", pdftotext(path))


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def pdf_tagged(path: Path) -> bool:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return bool(re.search(r"^Tagged:\s+yes", info, re.M))


def pdffonts(path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) for every font of the PDF."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        cols = line.split()
        if len(cols) >= 5:
            # name type... emb sub uni object ID: the three yes/no columns before the last two
            emb = cols[-5]
            fonts.append((cols[0], emb == "yes"))
    return fonts


# ---------------------------------------------------------------- calendars

@dataclass(frozen=True)
class Ev:
    uid: str
    start: dt.date
    end: dt.date
    summary: str
    description: str


def events_icalendar(data: bytes) -> tuple[Any, list[Ev]]:
    from icalendar import Calendar

    cal = Calendar.from_ical(data)
    events = []
    for e in cal.walk("VEVENT"):
        events.append(Ev(str(e["UID"]), e.decoded("DTSTART"), e.decoded("DTEND"),
                         str(e["SUMMARY"]), str(e.get("DESCRIPTION", ""))))
    return cal, events


def events_ical(data: bytes) -> list[Ev]:
    """The same feed read by ``ical`` (a separate implementation of RFC 5545)."""
    from ical.calendar_stream import IcsCalendarStream

    cal = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return [Ev(e.uid or "", e.dtstart, e.dtend, e.summary or "", e.description or "")  # type: ignore[arg-type]
            for e in cal.events]


def description_field(ev: Ev, label: str) -> str:
    for line in ev.description.splitlines():
        if line.startswith(f"{label}："):
            return line.split("：", 1)[1]
    return ""
