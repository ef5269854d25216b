"""A :class:`~.blocks.Document` as HTML: the whole document for WeasyPrint (the PDF), or
its body as a fragment for a page of the site (``/reports/YEAR/``)."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup, escape

from ..base.qr import qr_svg_data_uri, short_url
from .blocks import Block, Chart, Contents, Document, Heading, PageLink, Para, Photo, Rich, Table
from .charts import styled_svg

STYLESHEET = Path(__file__).parent / "templates" / "paper.css"
_PARA_CLASS = {"body": "body", "note": "note", "meta": "meta", "lead": "body lead"}


def _table(t: Table, *, site: bool) -> str:
    numeric = t.numeric or tuple(False for _ in t.header)
    total = sum(t.widths)
    # Printed tables get their column widths; a site page takes none (a style attribute is
    # inline style, which the site's Content-Security-Policy refuses) and sizes by content.
    cols = "" if site else "".join(f'<col style="width:{100 * w / total:.1f}%">'
                                   for w in t.widths)

    def cells(row: tuple[str, ...], tag: str, scope: bool = False) -> str:
        out = []
        for i, (text, num) in enumerate(zip(row, numeric, strict=True)):
            cls = ' class="num"' if num else ""
            lines = Markup("<br>").join(escape(x) for x in text.split("\n"))
            if tag == "th":
                out.append(f'<th scope="col"{cls}>{lines}</th>')
            elif scope and i == 0:
                out.append(f'<th scope="row"{cls}>{lines}</th>')
            else:
                out.append(f"<td{cls}>{lines}</td>")
        return "".join(out)

    body = "".join(f"<tr>{cells(r, 'td', scope=True)}</tr>" for r in t.rows)
    foot = f"<tfoot><tr>{cells(t.footer, 'td', scope=True)}</tr></tfoot>" if t.footer else ""
    caption = f"<caption>{escape(t.caption)}</caption>" if t.caption else ""
    cls = "small" if t.small else "data"
    table = (f'<table class="{cls}">{caption}{f"<colgroup>{cols}</colgroup>" if cols else ""}'
             f"<thead><tr>{cells(t.header, 'th')}</tr></thead><tbody>{body}</tbody>{foot}</table>")
    return f'<div class="sc-table">{table}</div>' if site else table


def block_html(block: Block, doc: Document, *, site: bool = False, index: int = 0) -> str:
    """One block; ``site``: for a page of the site (headings one level lower than in the
    document, the chart styled by the site's stylesheet)."""
    if isinstance(block, Heading):
        level = min(block.level + 1, 6)
        anchor = f' id="{escape(block.anchor or f"s-{index}")}"'
        cls = ' class="chapter"' if block.page_break else ""
        return f"<h{level}{anchor}{cls}>{escape(block.text)}</h{level}>"
    if isinstance(block, Para):
        return f'<p class="{_PARA_CLASS[block.kind]}">{escape(block.text)}</p>'
    if isinstance(block, Table):
        return _table(block, site=site)
    if isinstance(block, Chart):
        svg = block.svg if site else styled_svg(block.svg)
        return (f'<figure class="chart sc-figure">{svg}'
                f"<figcaption>{escape(block.caption)}</figcaption></figure>")
    if isinstance(block, Photo):
        return (f'<figure class="photo" style="width:{block.width_mm}mm">'
                f'<img src="{escape(block.path.resolve().as_uri())}" alt="{escape(block.alt)}" '
                f'style="width:{block.width_mm}mm;height:{block.height_mm}mm">'
                f"<figcaption>{escape(block.caption)}</figcaption></figure>")
    if isinstance(block, PageLink):
        if site:  # the page is the web page: its printout gets the site's own code
            return (f'<p class="page-link">{escape(block.label)}：'
                    f'<a href="{escape(block.url)}">{escape(block.url)}</a></p>')
        return (f'<div class="page-link"><img class="page-qr" src="{qr_svg_data_uri(block.url)}" '
                f'alt="二维码：{escape(block.label)} {escape(block.url)}">'
                f'<p>{escape(block.label)}：{escape(short_url(block.url))}</p></div>')
    if isinstance(block, Rich):
        html = str(block.html)
        for src, path in block.images.items():
            html = html.replace(f'src="{escape(src)}"', f'src="{escape(path.resolve().as_uri())}"')
        return f'<div class="rich">{html}</div>'
    if isinstance(block, Contents):
        if site:
            return ""
        entries = []
        for i, b in enumerate(doc.blocks):
            if isinstance(b, Heading) and b.level <= 2:
                anchor = b.anchor or f"s-{i}"
                entries.append(f'<li class="toc-{b.level}"><a href="#{escape(anchor)}">'
                               f"{escape(b.text)}</a></li>")
        cls = "contents" if block.new_page else "contents inline"
        return (f'<nav class="{cls}" aria-label="目录"><h2 class="contents-title">'
                f'{escape(block.title)}</h2><ol>{"".join(entries)}</ol></nav>')
    raise TypeError(block)


def fragment(doc: Document) -> Markup:
    """The document's blocks for a page of the site (its title is the page's)."""
    return Markup("\n".join(block_html(b, doc, site=True, index=i)
                            for i, b in enumerate(doc.blocks)))


def document_html(doc: Document) -> str:
    """The whole document for WeasyPrint."""
    front = []
    if doc.internal:
        front.append('<p class="mark">内部资料　注意保密</p>')
    title = Markup("<br>").join(escape(line) for line in doc.title.split("\n"))
    front.append(f'<h1 class="doc-title">{title}</h1>')
    if doc.subtitle:
        front.append(f'<p class="subtitle">{escape(doc.subtitle)}</p>')
    front.append(f'<p class="meta">{escape(doc.organizer)}</p>')
    front.append(f'<p class="meta">{escape(doc.date_line)}</p>')
    if doc.sample:
        front.append('<p class="meta sample">（示例数据，内容为虚构）</p>')
    body = "\n".join(block_html(b, doc, index=i) for i, b in enumerate(doc.blocks))
    cover = ' class="cover"' if doc.cover else ""
    keywords = escape("、".join(doc.keywords))
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(doc.title.replace(chr(10), ''))}</title>"
        f'<meta name="author" content="{escape(doc.organizer)}">'
        f'<meta name="description" content="{escape(doc.subtitle)}">'
        f'<meta name="keywords" content="{keywords}">'
        f'<meta name="generator" content="showcase"></head>\n'
        f'<body><header class="front"{cover}>{"".join(front)}</header>\n'
        f'<main>{body}</main></body></html>\n')
