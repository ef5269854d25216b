"""A :class:`~.blocks.Document` as a tagged PDF: laid out by :mod:`.typeset` on the page of
GB/T 9704-2012, written by :mod:`.pdfwrite` — PDF/UA-1 (a structure tree a screen reader
follows, /Lang zh-CN, the title as window title), fonts embedded and subset, the same bytes
for the same document and date, and nothing written when a Chinese character has no glyph.

Why not WeasyPrint, which lays out the compilations (``pdf/render.py``): these documents
are tables by the hundred pages (a supervisor's worklist, the internal annual report of a
large programme), which WeasyPrint lays out at about 100 ms a page and subsets fonts at
70–90 ms a file; laid out here they take about a millisecond a page
(``benchmarks/annual_docs.py``, ``benchmarks/README.md``).
"""

from __future__ import annotations

import datetime as dt

from ..pdf import render as pdfrender
from .blocks import Document
from .figures import chart_slice, link_slice
from .fontlib import LibraryMissing
from .pdfwrite import Meta, write_pdf
from .typeset import FontsMissing, TextOp, is_wide, layout


def render_pdf(doc: Document, *, created: dt.datetime) -> bytes:
    """The PDF of ``doc`` dated ``created``; raises :class:`pdf.render.FontMissingError`
    (Chinese) when the machine has no font for its Chinese text."""
    try:
        laid = layout(doc, chart_slice, link_slice)
    except FontsMissing as exc:
        raise pdfrender.FontMissingError(str(exc)) from exc
    except LibraryMissing as exc:
        raise pdfrender.CompilationError(str(exc)) from None
    boxes = sorted({ch for page in laid.pages for op in page.ops() if isinstance(op, TextOp)
                    for gid, ch in zip(op.gids, op.text, strict=True) if gid == 0 and is_wide(ch)})
    if boxes:
        raise pdfrender.FontMissingError(f"已找到的中文字体缺少这些字：{''.join(boxes[:20])}")
    title = doc.title.replace("\n", "")
    return write_pdf(laid, Meta(title=title, author=doc.organizer, subject=doc.subtitle,
                                keywords=doc.keywords, created=created))
