"""A :class:`~.blocks.Document` as a tagged PDF, laid out by WeasyPrint exactly as the
compilations are (``pdf.render``): PDF/UA-1 (structure tree from the HTML, /Lang zh-CN,
the title as window title), fonts embedded and subset, no network, only media and the
photo cache readable, nothing written when a Chinese character has no glyph, and the
same bytes for the same document when ``SOURCE_DATE_EPOCH`` is set."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from ..pdf import render as pdfrender
from .blocks import Document
from .htmlout import STYLESHEET, document_html


def render_pdf(doc: Document, *, media_root: Path, cache_root: Path | None = None) -> bytes:
    """The PDF of ``doc``; raises :class:`pdf.render.FontMissingError` (Chinese) when the
    machine has no font for its Chinese text."""
    from weasyprint import CSS, HTML

    families = pdfrender.ensure_cjk_font()
    html = document_html(doc)
    weasy_log = logging.getLogger("weasyprint")
    collector = pdfrender._WarningCollector()
    weasy_log.addHandler(collector)
    missing: set[str] = set()
    try:
        document = HTML(string=html, base_url=media_root.resolve().as_uri() + "/",
                        url_fetcher=pdfrender._url_fetcher(media_root, cache_root)).render(
            stylesheets=[CSS(filename=str(STYLESHEET))])

        def finisher(rendered: Any, pdf: Any) -> None:
            for font in rendered.fonts.values():
                missing.update(chr(cp) for cp in font.missing)
            pdf.catalog["PageMode"] = "/UseOutlines"
            pdfrender._fix_structure(pdf)

        out = io.BytesIO()
        document.write_pdf(out, finisher=finisher, pdf_variant=pdfrender.PDF_VARIANT)
    finally:
        weasy_log.removeHandler(collector)
    boxes = sorted(c for c in missing if pdfrender._CJK_CHAR.match(c))
    if boxes:
        raise pdfrender.FontMissingError(
            f"已找到的中文字体（{'、'.join(families[:4])}）缺少这些字：{''.join(boxes[:20])}")
    return out.getvalue()
