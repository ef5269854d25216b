"""The staff guide as one printable PDF in the internal build (``guide/bianji-zhinan.pdf``):
the guide's pages as the engine rendered them (so the PDF says exactly what the pages say,
screenshots included), in the order of the internal menu (``extra.internal_nav``), after
a cover and a table of contents with page numbers. Laid out by WeasyPrint like the
compilations (Chinese fonts embedded, tagged PDF/UA-1); only files of the rendered guide
may be embedded."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from ..site import urls
from .poststeps import article

GUIDE_PDF = "guide/bianji-zhinan.pdf"
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)
_HREF = re.compile(r'\shref="([^"]*)"')
_IMG = re.compile(r'(<img\b[^>]*\bsrc=")([^"]+)(")')
_ID = re.compile(r'\sid="([^"]*)"')
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
_TAG = re.compile(r"<[^>]+>")

STYLE = """
@page { size: A4; margin: 22mm 20mm 22mm 22mm;
        @bottom-center { content: counter(page); font: 9pt "Noto Sans CJK SC", sans-serif; }
        @top-right { content: string(chapter); font: 8.5pt "Noto Sans CJK SC", sans-serif; color: #666; } }
@page cover { @bottom-center { content: none; } @top-right { content: none; } }
html { font: 10.5pt/1.65 "Noto Serif CJK SC", "Noto Sans CJK SC", serif; color: #111; }
h1, h2, h3, h4 { font-family: "Noto Sans CJK SC", sans-serif; color: #8a0c0c; line-height: 1.35;
                 break-after: avoid; }
h1 { font-size: 17pt; string-set: chapter content(); margin: 0 0 8pt; }
h2 { font-size: 13pt; margin: 14pt 0 5pt; } h3 { font-size: 11pt; }
.cover { page: cover; text-align: center; padding-top: 70mm; break-after: page; }
.cover h1 { font-size: 30pt; string-set: none; } .cover p { font-size: 13pt; margin: 6pt 0; }
.contents { break-after: page; } .contents ol { list-style: none; padding: 0; }
.contents li { margin: 3pt 0; } .contents a { color: #111; text-decoration: none; }
.contents a::after { content: leader('.') target-counter(attr(href), page); }
section.chapter { break-before: page; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0; font-size: 9pt; }
th, td { border: 0.5pt solid #999; padding: 2pt 4pt; vertical-align: top; text-align: left; }
th { background: #f2dcdb; }
img { max-width: 100%; max-height: 120mm; border: 0.5pt solid #ccc; }
pre, code { font-family: "Noto Sans Mono CJK SC", "Noto Sans CJK SC", monospace; font-size: 8.5pt; }
pre { white-space: pre-wrap; background: #f4f4f4; padding: 4pt 6pt; border: 0.5pt solid #ddd; }
a { color: #0b57a4; text-decoration: none; }
.admonition { border-left: 3pt solid #b08400; padding: 2pt 8pt; background: #fff8e1; }
"""


def pages_of(internal_nav: Any) -> list[str]:
    """The guide's pages (``guide/….md``) in the order of ``extra.internal_nav``."""
    found: list[str] = []

    def walk(entry: Any) -> None:
        if isinstance(entry, str):
            if entry.startswith(urls.STAFF_GUIDE) and entry.endswith(".md") and entry not in found:
                found.append(entry)
        elif isinstance(entry, dict):
            for value in entry.values():
                walk(value)
        elif isinstance(entry, list):
            for item in entry:
                walk(item)

    walk(internal_nav)
    return found


def _html_file(site_dir: Path, page: str) -> Path:
    rel = PurePosixPath(page)
    if rel.name == "index.md":
        return site_dir.joinpath(*rel.parent.parts, "index.html")
    return site_dir.joinpath(*rel.with_suffix("").parts, "index.html")


def _chapter(site_dir: Path, page: str, number: int, notes: list[str]) -> tuple[str, str] | None:
    """(title, HTML) of one guide page, ready for print: its images as files, ids made
    unique, links to other pages as plain text (a printout cannot follow them)."""
    path = _html_file(site_dir, page)
    if not path.is_file():
        notes.append(f"打印版编辑指南缺少 {page}（生成的网站中没有这一页）。")
        return None
    body = article(path.read_text(encoding="utf-8"))
    if body is None:
        return None
    body = _HEADERLINK.sub("", body)
    folder = path.parent

    def image(m: re.Match[str]) -> str:
        src = html.unescape(m[2])
        if src.startswith(("http:", "https:", "data:")):
            return m[0]
        target = (folder / src.split("#")[0].split("?")[0]).resolve()
        return f"{m[1]}{html.escape(target.as_uri())}{m[3]}"

    def link(m: re.Match[str]) -> str:
        href = _HREF.search(m[1])
        if href and href[1].startswith(("http://", "https://")):
            return m[0]
        return f"<span>{m[2]}</span>"

    body = _IMG.sub(image, body)
    body = _ANCHOR.sub(link, body)
    body = _ID.sub(lambda m: f' id="p{number}-{m[1]}"', body)
    heading = _H1.search(body)
    title = html.unescape(_TAG.sub("", heading[1])).strip() if heading else page
    return title, body


def guide_pdf(site_dir: Path, pages: Iterable[str], *, programme: str,
              day: dt.date) -> tuple[bytes | None, list[str]]:
    """The PDF of the guide's rendered pages (None when there are none), and notes."""
    from weasyprint import CSS, HTML

    from ..pdf.render import PDF_VARIANT, _url_fetcher, ensure_cjk_font

    notes: list[str] = []
    chapters = [c for c in (_chapter(site_dir, p, n, notes) for n, p in enumerate(pages, 1)) if c]
    if not chapters:
        return None, notes
    ensure_cjk_font()
    contents = "".join(f'<li><a href="#chapter-{n}">{html.escape(t)}</a></li>'
                       for n, (t, _b) in enumerate(chapters, 1))
    sections = "".join(f'<section class="chapter" id="chapter-{n}">{b}</section>'
                       for n, (_t, b) in enumerate(chapters, 1))
    document = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
                f"<title>编辑指南 · {html.escape(programme)}</title></head><body>"
                f'<div class="cover"><h1>编辑指南</h1><p>{html.escape(programme)}</p>'
                f"<p>内部资料 · 打印版 · {day.year} 年 {day.month} 月 {day.day} 日生成</p></div>"
                f'<nav class="contents"><h2>目录</h2><ol>{contents}</ol></nav>{sections}'
                "</body></html>")
    out = io.BytesIO()
    HTML(string=document, base_url=(site_dir / urls.STAFF_GUIDE).resolve().as_uri() + "/",
         url_fetcher=_url_fetcher(site_dir / urls.STAFF_GUIDE)).render(
        stylesheets=[CSS(string=STYLE)]).write_pdf(out, pdf_variant=PDF_VARIANT)
    return out.getvalue(), notes


def write_guide_pdf(site_dir: Path, internal_nav: Any, *, programme: str,
                    day: dt.date) -> list[str]:
    """Write ``guide/bianji-zhinan.pdf`` into a rendered internal site; returns notes."""
    content, notes = guide_pdf(site_dir, pages_of(internal_nav), programme=programme, day=day)
    if content is not None:
        target = site_dir / GUIDE_PDF
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return notes
