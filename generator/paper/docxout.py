"""A :class:`~.blocks.Document` as a Word file in the office format (GB/T 9704-2012).

Why python-docx with our own template (measured in ``benchmarks/docx_libraries.py``; figures
in ``benchmarks/README.md``): the template is ours, so the page, the document grid, the
styles and the theme are exactly the standard's and say Chinese (python-docx's default
template has a Japanese theme font; pandoc's reference document tags East Asian text as
English and needs a 155 MB binary or Debian's old 2.17); the body is written as WordprocessingML
directly, so every run names its East Asian font and every table has both ``tblW`` (Word)
and ``gridCol`` (WPS). docxtpl is python-docx plus Jinja inside the XML: no help for
documents whose tables and chapters come from data.

* The template (``template/``) is plain XML kept in the repository: A4, margins 37/26/35/28 mm
  (text block 156 × 225 mm), ``docGrid`` 22 lines (``linePitch`` 579) × 28 characters, title
  方正小标宋简体 2号, body 仿宋_GB2312 3号, headings 黑体 / 楷体_GB2312 / 仿宋 bold, page numbers
  “— N —” in 宋体 4号 in the footer (odd pages right, even pages left), ``updateFields`` on.
  The office fonts are named first; ``fontTable.xml`` gives each a free alternative name
  (仿宋, 宋体, 楷体) and the theme's East Asian fonts are Chinese, never a Japanese fallback.
* The table of contents is a TOC field already filled with the headings, which Word and WPS
  refresh with page numbers on opening.
* Byte-identical output: fixed zip timestamps and order, document dates from the reference
  date, image part names from the images' contents.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from lxml import etree
from lxml import html as lxml_html

from ..base.qr import qr_png, short_url
from .blocks import Block, Chart, Contents, Document, Heading, PageLink, Para, Photo, Rich, Table
from .charts import chart_png

TEMPLATE = Path(__file__).parent / "template"
# Template file -> name in the package (the repository keeps no dot files or brackets).
_PARTS = {
    "content-types.xml": "[Content_Types].xml",
    "package-rels.xml": "_rels/.rels",
    "word/document-rels.xml": "word/_rels/document.xml.rels",
}
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TEXT_WIDTH = 8845       # twips: 156 mm
TEXT_HEIGHT_MM = 225.0
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
QR_MM = 25.0

# Each paragraph style's East Asian font, written on every run, so that Word, WPS and
# LibreOffice never fall back to a theme or a default font.
STYLE_FONTS: dict[str, str] = {
    "Normal": "仿宋_GB2312", "Body": "仿宋_GB2312", "Title": "方正小标宋简体",
    "Subtitle": "楷体_GB2312", "Heading1": "黑体", "Heading2": "楷体_GB2312",
    "Heading3": "仿宋_GB2312", "ChapterTitle": "方正小标宋简体", "TOCHeading": "黑体",
    "TOC1": "仿宋_GB2312", "TOC2": "仿宋_GB2312", "TOC3": "仿宋_GB2312", "Caption": "楷体_GB2312",
    "Note": "楷体_GB2312", "Meta": "楷体_GB2312", "Quote": "楷体_GB2312", "ListText": "仿宋_GB2312",
    "Figure": "仿宋_GB2312", "TableText": "仿宋_GB2312", "TableNumber": "仿宋_GB2312",
    "TableHead": "黑体", "TableSmall": "仿宋_GB2312", "TableSmallHead": "黑体", "Mark": "黑体",
}
LATIN = "Times New Roman"
_KIND_STYLE = {"body": "Body", "note": "Note", "meta": "Meta", "lead": "Body"}


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _el(tag: str, attrs: dict[str, str] | None = None, *children: Any) -> Any:
    node = etree.Element(w(tag))
    for key, value in (attrs or {}).items():
        node.set(w(key) if ":" not in key else key, value)
    for child in children:
        if child is not None:
            node.append(child)
    return node


@lru_cache(maxsize=1)
def template_bytes() -> bytes:
    """The template parts zipped as a .docx package (what python-docx opens)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        files = sorted(p for p in TEMPLATE.rglob("*.xml"))
        names = [(_PARTS.get(p.relative_to(TEMPLATE).as_posix(), p.relative_to(TEMPLATE).as_posix()), p)
                 for p in files]
        names.sort(key=lambda item: (item[0] != "[Content_Types].xml", item[0]))
        for name, path in names:
            package.writestr(zipfile.ZipInfo(name, ZIP_TIME), path.read_bytes())
    return buffer.getvalue()


# ------------------------------------------------------------------------------ runs

def _run(text: str, style: str, *, bold: bool = False, italic: bool = False) -> Any:
    font = STYLE_FONTS.get(style, "仿宋_GB2312")
    rpr = _el("rPr", None, _el("rFonts", {"ascii": LATIN, "hAnsi": LATIN, "eastAsia": font,
                                          "cs": LATIN}))
    if bold:
        rpr.append(_el("b"))
        rpr.append(_el("bCs"))
    if italic:
        rpr.append(_el("i"))
    run = _el("r", None, rpr)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i:
            run.append(_el("br"))
        t = _el("t")
        t.text = line
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.append(t)
    return run


def _para(style: str, runs: Iterable[Any] = (), *, page_break: bool = False,
          keep_next: bool = False) -> Any:
    ppr = _el("pPr", None, _el("pStyle", {"val": style}))
    if keep_next:
        ppr.append(_el("keepNext"))
    if page_break:
        ppr.append(_el("pageBreakBefore"))
    p = _el("p", None, ppr)
    for run in runs:
        p.append(run)
    return p


def _text_para(style: str, text: str, **kw: Any) -> Any:
    return _para(style, [_run(text, style)], **kw)


# ------------------------------------------------------------------------------ tables

def _grid(widths: tuple[float, ...], total: int = TEXT_WIDTH) -> list[int]:
    scale = total / sum(widths)
    cols = [round(x * scale) for x in widths]
    cols[-1] += total - sum(cols)
    return cols


def _cell_xml(text: str, width: int, style: str, bold: bool) -> str:
    """A table cell as WordprocessingML text (a paragraph a line, each run naming its East
    Asian font): tables are most of a worklist, and text parsed once is far quicker than
    the same elements made one by one."""
    font = STYLE_FONTS.get(style, "仿宋_GB2312")
    rpr = (f'<w:rPr><w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{font}" w:cs="{LATIN}"/>'
           + ("<w:b/><w:bCs/>" if bold else "") + "</w:rPr>")
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
    paras = "".join(
        f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{xml_escape(line)}</w:t></w:r></w:p>' if line
        else f"<w:p>{ppr}</w:p>" for line in (text.split("\n") if text else [""]))
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            f"{paras}</w:tc>")


def table_xml(table: Table) -> Any:
    cols = _grid(table.widths)
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    parts = [
        f'<w:tbl xmlns:w="{W_NS}"><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="{sum(cols)}" w:type="dxa"/><w:jc w:val="center"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="85" w:type="dxa"/>'
        '<w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{c}"/>' for c in cols) + "</w:tblGrid>"]
    head_style = "TableSmallHead" if table.small else "TableHead"
    text_style = "TableSmall" if table.small else "TableText"
    numeric = table.numeric or tuple(False for _ in table.header)
    parts.append("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>")
    parts += [_cell_xml(text, width, head_style, False) for text, width in zip(table.header, cols, strict=True)]
    parts.append("</w:tr>")
    rows = list(table.rows) + ([table.footer] if table.footer else [])
    styles = ["TableNumber" if is_num and not table.small else text_style for is_num in numeric]
    for index, row in enumerate(rows):
        is_total = table.footer is not None and index == len(rows) - 1
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        parts += [_cell_xml(text, width, style, is_total)
                  for text, width, style in zip(row, cols, styles, strict=True)]
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return etree.fromstring("".join(parts))


# ------------------------------------------------------------------------------ the writer

class _Writer:
    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.body = doc.element.body
        self.sect = self.body.find(w("sectPr"))
        self.break_next = False  # the next paragraph starts a page (after the contents)

    def add(self, node: Any) -> None:
        if self.break_next and node.tag == w("p"):
            ppr = node.find(w("pPr"))
            if ppr is not None and ppr.find(w("pageBreakBefore")) is None:
                ppr.append(_el("pageBreakBefore"))
            self.break_next = False
        self.sect.addprevious(node)

    def picture(self, path: Path | bytes, width_mm: float, height_mm: float, style: str = "Figure",
                name: str = "") -> None:
        from docx.shared import Mm

        stream = io.BytesIO(path) if isinstance(path, bytes) else str(path)
        inline = self.doc.part.new_pic_inline(stream, Mm(width_mm), Mm(height_mm))
        if name:  # the picture's description (alt text) for screen readers
            inline.docPr.set("descr", name)
        rpr = _el("rPr", None, _el("rFonts", {"ascii": LATIN, "hAnsi": LATIN,
                                              "eastAsia": STYLE_FONTS[style], "cs": LATIN}))
        self.add(_para(style, [_el("r", None, rpr, _el("drawing", None, inline))]))

    def caption(self, text: str) -> None:
        if text:
            self.add(_text_para("Caption", text))


def _contents(doc: Document, block: Contents) -> Iterator[Any]:
    """The TOC field, filled with the headings (levels 1–2) until Word or WPS updates it."""
    # After a foreword, the contents start a page of their own.
    after_text = doc.cover and doc.blocks and doc.blocks[0] is not block
    yield _para("TOCHeading", [_run(block.title, "TOCHeading")], page_break=bool(after_text))
    entries = [h for h in doc.headings() if h.level <= 2]
    style_of = {1: "TOC1", 2: "TOC2"}
    begin = [_el("r", None, _el("fldChar", {"fldCharType": "begin"})),
             _instr(' TOC \\o "1-2" \\h \\z \\u '),
             _el("r", None, _el("fldChar", {"fldCharType": "separate"}))]
    end = _el("r", None, _el("fldChar", {"fldCharType": "end"}))
    if not entries:
        yield _para("TOC1", [*begin, _run("（打开文件时自动生成目录）", "TOC1"), end])
        return
    for i, h in enumerate(entries):
        runs = [_run(h.text, style_of[h.level])]
        if i == 0:
            runs = begin + runs
        if i == len(entries) - 1:
            runs.append(end)
        yield _para(style_of[h.level], runs)


def _instr(text: str) -> Any:
    t = _el("instrText")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return _el("r", None, t)


def _front(doc: Document) -> Iterator[Any]:
    if doc.internal:
        yield _text_para("Mark", "内部资料　注意保密")
    if doc.cover:
        for _ in range(4):
            yield _para("Normal")
    yield _text_para("Title", doc.title)
    if doc.subtitle:
        yield _text_para("Subtitle", doc.subtitle)
    yield _para("Normal")
    yield _text_para("Meta", doc.organizer)
    yield _text_para("Meta", doc.date_line)
    if doc.sample:
        yield _text_para("Meta", "（示例数据，内容为虚构）")


def render_docx(doc: Document, *, created: dt.datetime) -> bytes:
    """The Word file of ``doc``; ``created`` is written as its creation and change date."""
    from docx import Document as open_docx

    word = open_docx(io.BytesIO(template_bytes()))
    writer = _Writer(word)
    for node in _front(doc):
        writer.add(node)
    writer.break_next = doc.cover  # a cover stands on its own page
    for block in doc.blocks:
        _block(writer, block, doc)
    props = word.core_properties
    props.title = doc.title.replace("\n", "")
    props.subject = doc.subtitle
    props.author = doc.organizer
    props.keywords = "、".join(doc.keywords)
    props.language = "zh-CN"
    props.created = created.replace(tzinfo=None)
    props.modified = created.replace(tzinfo=None)
    props.revision = 1
    props.last_modified_by = doc.organizer
    return _package(word)


def _block(writer: _Writer, block: Block, doc: Document) -> None:
    if isinstance(block, Contents):
        for node in _contents(doc, block):
            writer.add(node)
        writer.break_next = block.new_page  # the contents stand on their own page(s)
    elif isinstance(block, Heading):
        style = "ChapterTitle" if block.page_break else \
            {1: "Heading1", 2: "Heading2"}.get(block.level, "Heading3")
        writer.add(_text_para(style, block.text))
    elif isinstance(block, Para):
        writer.add(_text_para(_KIND_STYLE[block.kind], block.text))
    elif isinstance(block, Table):
        if block.caption:
            writer.add(_text_para("Caption", block.caption, keep_next=True))
        writer.add(table_xml(block))
        writer.add(_para("TableText"))  # Word needs a paragraph between two tables
    elif isinstance(block, Chart):
        png, height_mm = chart_png(block.svg, block.width_mm)
        writer.picture(png, block.width_mm, height_mm, name=block.caption)
        writer.caption(block.caption)
    elif isinstance(block, Photo):
        writer.picture(block.path, block.width_mm, block.height_mm, name=block.alt)
        writer.caption(block.caption)
    elif isinstance(block, PageLink):
        # The page's QR code (25 mm: scans from a printout at arm's length), the short
        # address under it.
        writer.picture(qr_png(block.url, 600), QR_MM, QR_MM, name=f"二维码：{block.label} {block.url}")
        writer.add(_text_para("Note", f"{block.label}：{short_url(block.url)}"))
    elif isinstance(block, Rich):
        for sub in rich_blocks(block):
            _block(writer, sub, doc)


# ------------------------------------------------------------------------------ record HTML

_HEADINGS = {"h1": 2, "h2": 2, "h3": 2, "h4": 3, "h5": 3, "h6": 3}


def _text(node: Any) -> str:
    return " ".join("".join(node.itertext()).split()) if node is not None else ""


def rich_blocks(rich: Rich) -> list[Block]:
    """Record HTML (paragraphs, headings, lists, quotes, tables, images) as blocks."""
    if not str(rich.html).strip():
        return []
    out: list[Block] = []
    for node in lxml_html.fragments_fromstring(str(rich.html)):
        if isinstance(node, str):
            if node.strip():
                out.append(Para(node.strip()))
            continue
        _rich_node(node, rich, out, depth=0)
    return out


def _rich_node(node: Any, rich: Rich, out: list[Block], depth: int) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in _HEADINGS:
        out.append(Heading(_HEADINGS[tag], _text(node)))
    elif tag in ("ul", "ol"):
        for i, li in enumerate(node.findall("li"), start=1):
            mark = f"{i}." if tag == "ol" else "·"
            nested = [c for c in li if c.tag in ("ul", "ol")]
            for c in nested:
                li.remove(c)
            out.append(Para(f"{'　' * depth}{mark} {_text(li)}"))
            for c in nested:
                _rich_node(c, rich, out, depth + 1)
    elif tag == "blockquote":
        for child in node:
            text = _text(child)
            if text:
                out.append(Para(text, "note"))
    elif tag == "table":
        head = node.find(".//thead/tr")
        rows = node.findall(".//tbody/tr") or [r for r in node.findall(".//tr") if r is not head]
        header = tuple(_text(c) for c in head) if head is not None else None
        body = [tuple(_text(c) for c in r) for r in rows]
        width = max([len(header or ())] + [len(r) for r in body])
        if width:
            header = tuple(list(header or ())[:width]) + ("",) * (width - len(header or ()))
            body = [tuple(list(r)[:width]) + ("",) * (width - len(r)) for r in body]
            out.append(Table("", header, tuple(body), tuple(1.0 for _ in range(width))))
    elif tag == "img":
        _image(node, rich, out)
    elif tag in ("p", "pre"):
        images = node.findall(".//img")
        for img in images:
            _image(img, rich, out)
            img.drop_tree()
        text = _text(node)
        if text:
            out.append(Para(text))
    elif tag == "hr":
        return
    elif tag in ("div", "section", "figure", "details"):
        for child in node:
            _rich_node(child, rich, out, depth)
    else:
        text = _text(node)
        if text:
            out.append(Para(text))


def _image(img: Any, rich: Rich, out: list[Block]) -> None:
    src = img.get("src") or ""
    alt = img.get("alt") or ""
    path = rich.images.get(src)
    if path is None:
        if alt:
            out.append(Para(f"〔图：{alt}〕", "note"))
        return
    width, height = photo_size_mm(path)
    out.append(Photo(path, alt, alt, width, height))


# The largest a photo is printed: the text width, and at most 120 mm high (the compilation
# PDF's box, media.variants.PRINT_MM, narrowed to the GB/T 9704 text block).
PHOTO_BOX_MM = (150.0, 120.0)


def photo_size_mm(path: Path) -> tuple[float, float]:
    from PIL import Image

    with Image.open(path) as im:
        px_w, px_h = im.size
    scale = min(PHOTO_BOX_MM[0] / px_w, PHOTO_BOX_MM[1] / px_h)
    return round(px_w * scale, 2), round(px_h * scale, 2)


# ------------------------------------------------------------------------------ the zip

class _Members:
    """Collects the package's members as python-docx's writer hands them out."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.files[pack_uri.membername] = blob


def _package(word: Any) -> bytes:
    """The Word file, zipped once with fixed timestamps, permissions and order:
    byte-identical files for identical documents. (python-docx's own ``save`` zips with the
    clock's time, which would mean unzipping and zipping every file again.)"""
    from docx.opc.pkgwriter import PackageWriter

    package = word.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    members = _Members()
    writer: Any = members  # what PackageWriter writes into: anything with write(uri, blob)
    PackageWriter._write_content_types_stream(writer, parts)  # type: ignore[no-untyped-call]
    PackageWriter._write_pkg_rels(writer, package.rels)  # type: ignore[no-untyped-call]
    PackageWriter._write_parts(writer, parts)
    names = sorted(members.files, key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, members.files[name])
    return out.getvalue()
