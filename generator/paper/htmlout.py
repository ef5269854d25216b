"""A :class:`~.blocks.Document`'s body as an HTML fragment for a page of the site
(``/reports/YEAR/``): the same blocks as its PDF (:mod:`.pdfout`) and Word file
(:mod:`.docxout`). Headings are one level lower than in the document (the page's title is
its H1), the chart is styled by the site's stylesheet, the page's printout gets the site's
own QR code (so a page link is the address as a link)."""

from __future__ import annotations

from markupsafe import Markup, escape

from .blocks import Block, Chart, Contents, Document, Heading, PageLink, Para, Photo, Rich, Table

_PARA_CLASS = {"body": "body", "note": "note", "meta": "meta", "lead": "body lead"}


def _table(t: Table) -> str:
    numeric = t.numeric or tuple(False for _ in t.header)
    # No column widths (the printed documents' own): a style attribute is inline style,
    # which the site's Content-Security-Policy refuses; the page sizes columns by content.

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
    table = (f'<table class="{cls}">{caption}'
             f"<thead><tr>{cells(t.header, 'th')}</tr></thead><tbody>{body}</tbody>{foot}</table>")
    return f'<div class="sc-table">{table}</div>'


def block_html(block: Block, doc: Document, *, index: int = 0) -> str:
    """One block of the page."""
    if isinstance(block, Heading):
        level = min(block.level + 1, 6)
        anchor = f' id="{escape(block.anchor or f"s-{index}")}"'
        cls = ' class="chapter"' if block.page_break else ""
        return f"<h{level}{anchor}{cls}>{escape(block.text)}</h{level}>"
    if isinstance(block, Para):
        return f'<p class="{_PARA_CLASS[block.kind]}">{escape(block.text)}</p>'
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        return (f'<figure class="chart sc-figure">{block.svg}'
                f"<figcaption>{escape(block.caption)}</figcaption></figure>")
    if isinstance(block, Photo):
        return (f'<figure class="photo" style="width:{block.width_mm}mm">'
                f'<img src="{escape(block.path.resolve().as_uri())}" alt="{escape(block.alt)}" '
                f'style="width:{block.width_mm}mm;height:{block.height_mm}mm">'
                f"<figcaption>{escape(block.caption)}</figcaption></figure>")
    if isinstance(block, PageLink):  # the page is the web page: its printout gets the site's own code
        return (f'<p class="page-link">{escape(block.label)}：'
                f'<a href="{escape(block.url)}">{escape(block.url)}</a></p>')
    if isinstance(block, Rich):
        html = str(block.html)
        for src, path in block.images.items():
            html = html.replace(f'src="{escape(src)}"', f'src="{escape(path.resolve().as_uri())}"')
        return f'<div class="rich">{html}</div>'
    if isinstance(block, Contents):
        return ""  # the page has its own navigation
    raise TypeError(block)


def fragment(doc: Document) -> Markup:
    """The document's blocks for a page of the site (its title is the page's)."""
    return Markup("\n".join(block_html(b, doc, index=i) for i, b in enumerate(doc.blocks)))
