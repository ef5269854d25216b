"""The printed documents' own PDF writer (generator/paper/typeset.py, pdfwrite.py): tagged
like the compilations, every glyph the character it stands for, text inside the text
block, the same bytes however the documents of a build are shared out between processes.

Read back with pypdf and fontTools (structure tree, fonts) and poppler (text, tags)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import pickle
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from office_support import pdf_pages, pdf_tagged, pdffonts, squashed_text
from pdf_tags import marked_text
from pdf_tags import structure as structure_tree
from test_site_support import AS_OF, REPO, SAMPLE

from generator.data.loader import load
from generator.paper.annual import annual_document
from generator.paper.blocks import Document, Para, Table
from generator.paper.pdfout import render_pdf
from generator.paper.publish import created, current_year
from generator.paper.worklists import worklist_document
from generator.pdf.render import FontMissingError
from generator.rules.audience import view
from generator.rules.facts import derive
from generator.rules.worklists import worklists
from generator.rules.yearreport import year_report

DAY = dt.date.fromisoformat(AS_OF)
WHEN = created(DAY)
SECTIONS = ["一、年度规划完成情况", "二、新确定的创建单位", "三、年度考评结果", "四、年末考评逾期情况",
            "五、区县职责完成情况", "六、典型经验", "七、退出创建的单位", "八、以奖代投"]


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    data = load(SAMPLE)
    assert data.ok
    facts = derive(data, DAY)
    internal = view(data, "internal")
    report = current_year(internal, facts)
    lists = worklists(internal, report)
    biggest = max(lists, key=lambda wl: len(wl.tasks))
    return {"annual": annual_document(internal, year_report(internal, facts, 2025), internal=True),
            "unit": worklist_document(internal, next(wl for wl in lists if wl.kind == "unit"), report),
            "supervisor": worklist_document(internal, biggest, report)}


@pytest.fixture(scope="module")
def pdfs(documents: dict[str, Document], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("paper-pdf")
    paths = {}
    for name, doc in documents.items():
        paths[name] = out / f"{name}.pdf"
        paths[name].write_bytes(render_pdf(doc, created=WHEN))
    return paths


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------- the structure tree

def test_tagged_like_the_compilations(pdfs: dict[str, Path], documents: dict[str, Document]) -> None:
    """PDF/UA-1 as the compilations: language, title, XMP identification, a structure tree
    with one H1, the sections as H2, tables with column and row headers that every data
    cell points to, the chart and the QR code as figures with alt text and a box on their
    page, the contents as links, page numbers as pagination artifacts."""
    path = pdfs["annual"]
    assert pdf_tagged(path)
    reader = pypdf.PdfReader(path, strict=True)
    catalog = reader.trailer["/Root"]
    title = documents["annual"].title.replace("\n", "")
    assert catalog["/Lang"] == "zh-CN"
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata is not None and reader.metadata["/Title"] == title
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp and f'<rdf:li xml:lang="x-default">{title}</rdf:li>' in xmp
    assert all(page["/Tabs"] == "/S" for page in reader.pages)

    elems = list(structure_tree(reader).walk())
    headings = [(e.role, squash(e.text)) for e in elems if re.fullmatch(r"/H\d", e.role)]
    assert [t for r, t in headings if r == "/H1"] == [squash(title)]
    assert [t for r, t in headings if r == "/H2"] == ["目录", *SECTIONS]
    tables = [e for e in elems if e.role == "/Table"]
    assert len(tables) == 11
    ids = {bytes(e.obj["/ID"]).decode() if not isinstance(e.obj["/ID"], str) else e.obj["/ID"]
           for e in elems if e.role == "/TH"}
    for table in tables:
        groups = [k.role for k in table.kids]
        assert groups[:2] == ["/Caption", "/THead"] and "/TBody" in groups
        head = table.kids[1].kids[0]
        assert {str(c.obj["/A"]["/Scope"]) for c in head.kids} == {"/Column"}
        for body in (k for k in table.kids if k.role in ("/TBody", "/TFoot")):
            for tr in body.kids:
                first, *rest = tr.kids
                assert first.role == "/TH" and first.obj["/A"]["/Scope"] == "/Row"
                for cell in rest:
                    assert cell.role == "/TD"
                    assert {str(h) for h in cell.obj["/A"]["/Headers"]} <= ids
    plan = next(t for t in tables if "分类别" in t.text)
    assert squash("表1") in squash(plan.kids[0].text)
    figures = [e for e in elems if e.role == "/Figure"]
    assert len(figures) == 2  # the chart and the QR code of the report's page
    for figure in figures:
        assert str(figure.obj["/Alt"]).strip()
        llx, lly, urx, ury = (float(v) for v in figure.obj["/A"]["/BBox"])
        box = [float(v) for v in figure.obj["/Pg"].get_object()["/MediaBox"]]
        assert box[0] <= llx < urx <= box[2] and box[1] <= lly < ury <= box[3]
    assert str(figures[1].obj["/Alt"]).startswith("二维码：网页版 https://")
    # The contents: one entry a section, each a link to its page that says where it goes.
    toc = next(e for e in elems if e.role == "/TOC")
    assert [squash(i.text) for i in toc.kids][:3] == [
        squash(SECTIONS[0]) + "2", squash(SECTIONS[1]) + "3", squash(SECTIONS[2]) + "4"]
    links = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert [str(a["/Contents"]) for a in links] == [f"转到：{s}" for s in SECTIONS]
    # Page numbers are pagination artifacts; everything tagged is reachable from the root.
    marked = marked_text(reader)
    untagged = squash("".join(t for (_, mcid), t in marked.items() if mcid is None))
    assert "—1—" in untagged and "—2—" in untagged
    assert not any(re.search(r"—\s*\d+\s*—", t) for (_, mcid), t in marked.items() if mcid is not None)
    reachable = {e.obj.indirect_reference.idnum for e in elems}
    nums = catalog["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    for value in nums[1::2]:  # a page's MCIDs, or an annotation's element
        for ref in value if isinstance(value, list) else [value]:
            assert ref.idnum in reachable


def test_outline_and_links_lead_to_the_sections(pdfs: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(pdfs["annual"])
    top, children = reader.outline[0], reader.outline[1]
    assert "工作报告" in top.title
    assert [c.title for c in children] == SECTIONS
    text_of = [squash(p.extract_text()) for p in reader.pages]
    for item in children:
        page = reader.get_destination_page_number(item)
        assert squash(item.title) in text_of[page]
    for annot in reader.pages[0]["/Annots"]:
        annot = annot.get_object()
        page = reader.get_page_number(annot["/Dest"][0].get_object())
        assert squash(str(annot["/Contents"]).removeprefix("转到：")) in text_of[page]


# ---------------------------------------------------------------- fonts and glyphs

def _font_programs(path: Path) -> Iterator[tuple[str, bytes, str, dict[int, str]]]:
    """(PostScript name, font program, FontFile key, code → text) of every embedded font."""
    reader = pypdf.PdfReader(path)
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if font.indirect_reference.idnum in seen:
                continue
            seen.add(font.indirect_reference.idnum)
            cid = font["/DescendantFonts"][0].get_object()
            descriptor = cid["/FontDescriptor"].get_object()
            key = next(k for k in ("/FontFile2", "/FontFile3") if k in descriptor)
            cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
            chars = "".join(re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S))
            codes = {int(a, 16): bytes.fromhex(b).decode("utf-16-be")
                     for a, b in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]+)>", chars)}
            yield (str(descriptor["/FontName"]).split("+", 1)[1],
                   descriptor[key].get_object().get_data(), key, codes)


def _system_font(ps_name: str) -> Any:
    from fontTools.ttLib import TTFont

    out = subprocess.run(["fc-list", f":postscriptname={ps_name}", "--format", "%{file}|%{index}\n"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out, f"no system font {ps_name}"
    file, index = out[0].split("|")
    return TTFont(file, fontNumber=int(index), lazy=True)


def _bounds(glyphs: Any, name: str) -> tuple[float, ...]:
    from fontTools.pens.boundsPen import BoundsPen

    pen = BoundsPen(glyphs)
    glyphs[name].draw(pen)
    return tuple(round(v) for v in pen.bounds or (0, 0, 0, 0))


@pytest.mark.parametrize("name", ["annual", "unit"])
def test_every_glyph_is_its_character(pdfs: dict[str, Path], name: str) -> None:
    """Code n draws glyph n of the embedded font — whether a reader looks it up as a glyph
    index (poppler: Evince, Okular, pdftoppm) or through the CFF charset (the standard) —
    and that glyph is the system font's glyph for the character the code stands for."""
    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import TTFont

    assert all(embedded for _n, embedded in pdffonts(pdfs[name]))
    checked = 0
    for ps_name, program, key, codes in _font_programs(pdfs[name]):
        system = _system_font(ps_name)
        cmap = system.getBestCmap()
        if key == "/FontFile3":
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(program), None)
            top = cff[0]
            charset = top.charset
            assert all(glyph == (".notdef" if gid == 0 else f"cid{gid:05d}")
                       for gid, glyph in enumerate(charset)), "CID = glyph index"
            embedded = top.CharStrings
            names = charset
        else:
            font = TTFont(io.BytesIO(program))
            embedded = font.getGlyphSet()
            names = font.getGlyphOrder()
        original = system.getGlyphSet()
        for code, text in codes.items():
            assert _bounds(embedded, names[code]) == _bounds(original, cmap[ord(text)]), (ps_name, text)
            checked += 1
    assert checked > 100


# ---------------------------------------------------------------- layout

def _text_ops(doc: Document) -> Iterator[tuple[float, float, Any]]:
    from generator.paper.figures import chart_slice, link_slice
    from generator.paper.typeset import PAGINATION, TextOp, layout

    for page in layout(doc, chart_slice, link_slice).pages:
        for dx, dy, ops in page.groups:
            for op in ops:
                if isinstance(op, TextOp) and op.owner is not PAGINATION:
                    yield op.x + dx, op.y + dy, op


def test_text_stays_inside_the_text_block(documents: dict[str, Document]) -> None:
    """Lines are broken to the width of their box: nothing runs into the margins, and no
    line starts with closing punctuation (避头尾)."""
    from generator.paper.typeset import LEFT, NO_START, TEXT_H, TEXT_W, TOP, Elem

    long_row = ("1", "很长的地址" * 300, "农村", "首次考评", "无", "待考评", "联系人")
    doc = dataclasses.replace(documents["supervisor"], blocks=(
        *documents["supervisor"].blocks,
        Table("一行比一页还高", documents["supervisor"].blocks[-2].header, (long_row,),  # type: ignore[union-attr]
              (0.6, 3.8, 1.7, 1.2, 1.9, 1.9, 3.4), small=True),
        Para("一" * 27 + "，" + "二" * 40)))
    count = 0
    started: set[int] = set()
    for name, d in (*documents.items(), ("long", doc)):
        for x, y, op in _text_ops(d):
            width = sum(op.face.advance(g) * op.size + op.spacing for g in op.gids) - op.spacing
            assert x >= LEFT - 0.5 and x + width <= LEFT + TEXT_W + 0.5, (name, op.text)
            assert TOP < y <= TOP + TEXT_H + 0.5, (name, op.text)
            if isinstance(op.owner, Elem) and id(op.owner) in started:  # a line after a break
                assert op.text[0] not in NO_START, (name, op.text)
            started.add(id(op.owner))
            count += 1
    assert count > 300
    # The row taller than a page went on, whole, over several pages.
    pieces = "".join(op.text for _x, _y, op in _text_ops(doc) if "很长" in op.text or op.text == "址")
    assert pieces.count("很长的地址") == 300


def test_the_same_bytes_however_the_work_is_shared(documents: dict[str, Document]) -> None:
    """A document made first in a fresh process, or after others whose characters the
    process's fonts already hold, is the same file to the byte."""
    first = render_pdf(documents["annual"], created=WHEN)
    again = render_pdf(documents["annual"], created=WHEN)
    script = ("import pickle, sys; from generator.paper.pdfout import render_pdf;"
              "doc, when = pickle.loads(sys.stdin.buffer.read());"
              "sys.stdout.buffer.write(render_pdf(doc, created=when))")
    fresh = subprocess.run([sys.executable, "-c", script], input=pickle.dumps((documents["annual"], WHEN)),
                           capture_output=True, cwd=REPO, check=True).stdout
    assert first == again == fresh
    assert render_pdf(documents["unit"], created=WHEN) != first


def test_a_character_no_font_has_is_refused(documents: dict[str, Document], tmp_path: Path) -> None:
    doc = dataclasses.replace(documents["unit"], blocks=(Para("示范点\U00030000"),))
    with pytest.raises(FontMissingError) as caught:
        render_pdf(doc, created=WHEN)
    assert "\U00030000" in str(caught.value) and "字体" in str(caught.value)


def test_worklist_pdfs_read_back(pdfs: dict[str, Path], documents: dict[str, Document]) -> None:
    """Every row of the longest list is there, each cell's lines in reading order (pypdf
    reads the content as a screen reader would; poppler's layout mode mixes the columns);
    its header repeats on every page."""
    path = pdfs["supervisor"]
    text = squash("".join(page.extract_text() for page in pypdf.PdfReader(path).pages))
    assert squash(documents["supervisor"].blocks[0].text) in squashed_text(path)  # type: ignore[union-attr]
    for block in documents["supervisor"].blocks:
        if isinstance(block, Table):
            for row in block.rows:
                assert squash(row[1].split("\n")[0]) in text
    assert pdf_pages(path) >= 2
    rows = [squash(page.extract_text()) for page in pypdf.PdfReader(path).pages]
    assert all("单位名称及地址" in t for t in rows if "联系领导：" in t)


def test_without_harfbuzz_a_chinese_message(documents: dict[str, Document]) -> None:
    """A machine without the HarfBuzz subsetter (a Windows PC without GTK) gets a message
    that says what to install, not a traceback."""
    script = (
        "import pickle, sys, cffi\n"
        "real = cffi.FFI.dlopen\n"
        "def dlopen(self, name, *a):\n"
        "    if 'subset' in str(name): raise OSError(name)\n"
        "    return real(self, name, *a)\n"
        "cffi.FFI.dlopen = dlopen\n"
        "from generator.paper.pdfout import render_pdf\n"
        "from generator.pdf import CompilationError\n"
        "doc, when = pickle.loads(sys.stdin.buffer.read())\n"
        "try:\n"
        "    render_pdf(doc, created=when)\n"
        "except CompilationError as exc:\n"
        "    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", script], input=pickle.dumps((documents["unit"], WHEN)),
                         capture_output=True, cwd=REPO, check=True)
    message = out.stdout.decode("utf-8")
    assert "harfbuzz-subset 函数库" in message and "libharfbuzz-subset0" in message and "MSYS2" in message
